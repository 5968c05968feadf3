// How DICOM objects code the values of an SUV (or activity) image (interoperability.md §1.2-§1.3):
// used by the SR measurement report and the Parametric Map writers of the pipeline.
#ifndef ONCOTRACE_SUV_CODING_H_
#define ONCOTRACE_SUV_CODING_H_

#include <string>

#include "oncotrace/suv.h"

namespace oncotrace {

// The quantity concept (DCM 126401-126406, or (110821, DCM, "Nuclear Medicine Tomographic
// Activity") for kNone), the UCUM unit and its meaning, and the SUV calculation method (DCM
// 126410-126415, empty for kNone).
struct SuvQuantityCoding {
  std::string quantity_code, quantity_scheme, quantity_meaning;
  std::string unit_ucum, unit_meaning;
  std::string method_code, method_meaning;  // scheme DCM
  std::string label;                        // short name: "SUVbw", "SUVlbm(Janma)", "Bq/ml"
};
SuvQuantityCoding suv_quantity_coding(SuvNormalization normalization);

}  // namespace oncotrace

#endif  // ONCOTRACE_SUV_CODING_H_
