// Collecting features with their IBSI codes, in emission order.
#ifndef ONCOTRACE_RADIOMICS_FEATURE_LIST_H_
#define ONCOTRACE_RADIOMICS_FEATURE_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics::detail {

// The IBSI 4-character code of a feature tag without aggregation suffix ("cm_energy" ->
// "8ZQL"); empty for an unknown tag. Codes from the IBSI-1 manual; GPMT, OZ0C and 5QRC from
// MIRP and PyRadiomics' IBSI mapping (radiomics-ibsi.md §4.4 "Code caveats").
std::string_view ibsi_feature_code(std::string_view base_tag);

class FeatureList {
 public:
  // Appends base_tag + suffix (e.g. "cm_energy" + "_3D_comb") with the code of base_tag.
  void add(std::string_view base_tag, std::string_view suffix, double value);
  void add(std::string_view base_tag, double value) { add(base_tag, "", value); }
  void append(const std::vector<Feature>& more) {
    features_.insert(features_.end(), more.begin(), more.end());
  }
  std::vector<Feature>& features() { return features_; }

 private:
  std::vector<Feature> features_;
};

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_FEATURE_LIST_H_
