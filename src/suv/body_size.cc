#include "suv/body_size.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace oncotrace {
namespace {

// Sex "O": the mean of the two sex-specific values (see body_size.h).
template <typename Formula>
double by_sex(PatientSex sex, Formula formula) {
  switch (sex) {
    case PatientSex::kMale:
      return formula(PatientSex::kMale);
    case PatientSex::kFemale:
      return formula(PatientSex::kFemale);
    case PatientSex::kOther:
      break;
  }
  return 0.5 * (formula(PatientSex::kMale) + formula(PatientSex::kFemale));
}

}  // namespace

std::optional<PatientSex> parse_patient_sex(const std::string& text) {
  std::string code;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0 && c != '\0') {
      code += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (code == "M") return PatientSex::kMale;
  if (code == "F") return PatientSex::kFemale;
  if (code == "O") return PatientSex::kOther;
  return std::nullopt;
}

const char* patient_sex_code(PatientSex sex) {
  switch (sex) {
    case PatientSex::kMale:
      return "M";
    case PatientSex::kFemale:
      return "F";
    case PatientSex::kOther:
      break;
  }
  return "O";
}

double lean_body_mass_james_kg(double weight_kg, double height_cm, PatientSex sex,
                               double male_coefficient) {
  const double ratio = weight_kg / height_cm;
  return by_sex(sex, [&](PatientSex specific) {
    return specific == PatientSex::kMale ? 1.10 * weight_kg - male_coefficient * ratio * ratio
                                         : 1.07 * weight_kg - 148.0 * ratio * ratio;
  });
}

double lean_body_mass_janmahasatian_kg(double weight_kg, double height_cm, PatientSex sex) {
  const double height_m = height_cm / 100.0;
  const double bmi = weight_kg / (height_m * height_m);
  return by_sex(sex, [&](PatientSex specific) {
    return specific == PatientSex::kMale ? 9270.0 * weight_kg / (6680.0 + 216.0 * bmi)
                                         : 9270.0 * weight_kg / (8780.0 + 244.0 * bmi);
  });
}

double ideal_body_weight_kg(double height_cm, PatientSex sex, IbwFormula formula) {
  return by_sex(sex, [&](PatientSex specific) {
    if (formula == IbwFormula::kDevine) {
      return (specific == PatientSex::kMale ? 50.0 : 45.5) + 0.91 * (height_cm - 152.4);
    }
    return specific == PatientSex::kMale ? 48.0 + 1.06 * (height_cm - 152.0)
                                         : 45.5 + 0.91 * (height_cm - 152.0);
  });
}

double body_surface_area_du_bois_m2(double weight_kg, double height_cm) {
  return 0.007184 * std::pow(weight_kg, 0.425) * std::pow(height_cm, 0.725);
}

double james_maximum_bmi(PatientSex sex, double male_coefficient) {
  // d/dW (a W − c W²/H²) = 0 at W/H² = a/(2c); in kg/m² multiply by 10^4.
  const double male = 1.10e4 / (2.0 * male_coefficient);
  const double female = 1.07e4 / (2.0 * 148.0);
  switch (sex) {
    case PatientSex::kMale:
      return male;
    case PatientSex::kFemale:
      return female;
    case PatientSex::kOther:
      break;
  }
  return std::min(male, female);
}

}  // namespace oncotrace
