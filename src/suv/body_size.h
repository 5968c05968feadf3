// Body-size normalisers for SUV (pet-quantification.md §6.1-§6.3).
//
// W is the body weight in kg, H the height in cm (PatientSize (0010,1020) is stored in metres and
// multiplied by 100 by the caller). Results in kg (LBM, IBW) or m² (BSA).
//
//   James (1976), "James 128":   male   LBM = 1.10 W − 128 (W/H)²
//                                female LBM = 1.07 W − 148 (W/H)²
//   "James 120" (Morgan; IBSI SUVType LBM): the same with 120 instead of 128 for men.
//   Janmahasatian et al., Clin Pharmacokinet 2005;44:1051:   BMI = W / H_m²
//                                male   LBM = 9270 W / (6680 + 216 BMI)
//                                female LBM = 9270 W / (8780 + 244 BMI)
//   Sugawara et al., Radiology 1999;213:521 (IBSI IBW):
//                                male   IBW = 48.0 + 1.06 (H − 152)
//                                female IBW = 45.5 + 0.91 (H − 152)
//   Devine (option):             male   IBW = 50.0 + 0.91 (H − 152.4)
//                                female IBW = 45.5 + 0.91 (H − 152.4)
//   Du Bois & Du Bois, Arch Intern Med 1916;17:863:   BSA = 0.007184 W^0.425 H^0.725
//
// Sex "O" (other/unknown): the mean of the male and female values of LBM or IBW, not of the SUV
// factors ([IBSI-SUV]; the IBSI object DRO_2_2 reproduces 0.20/1.00/4.00 only this way). IBW is
// not capped at the body weight (DRO_2_2 fails with the cap that the QIICR Slicer extension
// applies).
#ifndef ONCOTRACE_SRC_SUV_BODY_SIZE_H_
#define ONCOTRACE_SRC_SUV_BODY_SIZE_H_

#include <optional>
#include <string>

#include "oncotrace/suv.h"

namespace oncotrace {

enum class PatientSex { kMale, kFemale, kOther };

// "M", "F", "O" (any case, surrounding spaces ignored); std::nullopt otherwise.
std::optional<PatientSex> parse_patient_sex(const std::string& text);
const char* patient_sex_code(PatientSex sex);

// `male_coefficient` is 128 (James) or 120 (Morgan variant).
double lean_body_mass_james_kg(double weight_kg, double height_cm, PatientSex sex,
                               double male_coefficient = 128.0);
double lean_body_mass_janmahasatian_kg(double weight_kg, double height_cm, PatientSex sex);
double ideal_body_weight_kg(double height_cm, PatientSex sex, IbwFormula formula);
double body_surface_area_du_bois_m2(double weight_kg, double height_cm);

// The BMI (kg/m²) beyond which James' LBM decreases with weight: 1.10e4/(2·128) = 43.0 for men
// (with 120: 45.8), 1.07e4/(2·148) = 36.1 for women (pet-quantification.md §6.2).
double james_maximum_bmi(PatientSex sex, double male_coefficient = 128.0);

}  // namespace oncotrace

#endif  // ONCOTRACE_SRC_SUV_BODY_SIZE_H_
