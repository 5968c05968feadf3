// Internal to the suv module: the fixed facts about each normalisation.
#ifndef ONCOTRACE_SRC_SUV_SUV_NORMALIZATION_H_
#define ONCOTRACE_SRC_SUV_SUV_NORMALIZATION_H_

#include <optional>
#include <string>

#include "oncotrace/suv.h"

namespace oncotrace::suv_detail {

struct NormalizationInfo {
  std::string cli_name;         // "lbm-janma"
  std::string type_name;        // "SUVlbm(Janma)"
  std::string formula;          // "lean body mass, Janmahasatian et al. 2005"
  std::string dicom_code;       // DCM code value, "126405"; empty for none
  std::string dicom_meaning;    // DCM code meaning
  std::string ucum;             // "g/ml{SUVlbm(Janma)}"; "Bq/ml" for none
  std::string normaliser_unit;  // "g", "cm2"
  std::string dicom_suv_type;   // SUVType (0054,1006) term: BW, LBM, LBMJAMES128, ...
  std::string unit_meaning;     // of the UCUM unit, "Standardized Uptake Value body weight"
  std::string method_code;      // SUV calculation method, DCM 126410-126415; empty for none
  std::string method_meaning;
};

const NormalizationInfo& normalization_info(SuvNormalization normalization);

// SUVType (0054,1006) defined terms as used by [IBSI-SUV]: BW, LBM (James with 120, "Morgan"),
// LBMJAMES128, LBMJANMA, IBW, BSA. std::nullopt for anything else.
std::optional<SuvNormalization> normalization_from_suv_type(const std::string& suv_type);

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_SUV_NORMALIZATION_H_
