// Names, DICOM codes and UCUM units of the SUV normalisations (pet-quantification.md §6.5).
#include <cctype>

#include "oncotrace/suv.h"
#include "oncotrace/suv_coding.h"
#include "suv/suv_normalization.h"

namespace oncotrace {
namespace {

std::string lower_trimmed(const std::string& text) {
  std::string result;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return result;
}

}  // namespace

std::optional<SuvNormalization> parse_suv_normalization(const std::string& name) {
  const std::string key = lower_trimmed(name);
  if (key == "bw" || key == "suvbw") return SuvNormalization::kBodyWeight;
  // Plain "lbm"/"sul" take the oncotrace SUL default, Janmahasatian (§6.2).
  if (key == "lbm-janma" || key == "lbm" || key == "sul") {
    return SuvNormalization::kLeanBodyMassJanmahasatian;
  }
  if (key == "lbm-james128") return SuvNormalization::kLeanBodyMassJames128;
  if (key == "lbm-james120") return SuvNormalization::kLeanBodyMassJames120;
  if (key == "bsa" || key == "suvbsa") return SuvNormalization::kBodySurfaceArea;
  if (key == "ibw" || key == "suvibw") return SuvNormalization::kIdealBodyWeight;
  if (key == "none" || key == "bqml") return SuvNormalization::kNone;
  return std::nullopt;
}

std::string suv_normalization_name(SuvNormalization normalization) {
  return suv_detail::normalization_info(normalization).cli_name;
}

SuvQuantityCoding suv_quantity_coding(SuvNormalization normalization) {
  const suv_detail::NormalizationInfo& info = suv_detail::normalization_info(normalization);
  SuvQuantityCoding coding;
  if (info.dicom_code.empty()) {
    coding.quantity_code = "110821";
    coding.quantity_meaning = "Nuclear Medicine Tomographic Activity";
    coding.label = "Bq/ml";
  } else {
    coding.quantity_code = info.dicom_code;
    coding.quantity_meaning = info.dicom_meaning;
    coding.label = info.type_name;
  }
  coding.quantity_scheme = "DCM";
  coding.unit_ucum = info.ucum;
  coding.unit_meaning = info.unit_meaning;
  coding.method_code = info.method_code;
  coding.method_meaning = info.method_meaning;
  return coding;
}

namespace suv_detail {

const NormalizationInfo& normalization_info(SuvNormalization normalization) {
  // DCM codes 126401-126406 (PS3.16, as in DCMTK dcmsr/codes/dcm.h); UCUM spelling with the
  // annotation after the unit (interoperability.md, SUV units).
  // Unit meanings: interoperability.md "SUV units"; method codes and meanings: ibid., "SUV
  // calculation method codes" (checked in DCMTK 3.6.7's dcmsr/codes/dcm.h).
  static const NormalizationInfo kBodyWeight{"bw",
                                             "SUVbw",
                                             "body weight",
                                             "126401",
                                             "SUVbw",
                                             "g/ml{SUVbw}",
                                             "g",
                                             "BW",
                                             "Standardized Uptake Value body weight",
                                             "126410",
                                             "SUV body weight calculation method"};
  static const NormalizationInfo kJanma{"lbm-janma",
                                        "SUVlbm(Janma)",
                                        "lean body mass, Janmahasatian et al. 2005",
                                        "126405",
                                        "SUVlbm(Janma)",
                                        "g/ml{SUVlbm(Janma)}",
                                        "g",
                                        "LBMJANMA",
                                        "Standardized Uptake Value lean body mass (Janma)",
                                        "126414",
                                        "SUV lean body mass calculation Janmahasatian method"};
  static const NormalizationInfo kJames128{
      "lbm-james128",
      "SUVlbm(James128)",
      "lean body mass, James 1976 (128 for men)",
      "126406",
      "SUVlbm(James128)",
      "g/ml{SUVlbm(James128)}",
      "g",
      "LBMJAMES128",
      "Standardized Uptake Value lean body mass (James 128 multiplier)",
      "126415",
      "SUV lean body mass calculation method using 128 multiplier"};
  static const NormalizationInfo kJames120{"lbm-james120",
                                           "SUVlbm",
                                           "lean body mass, James with 120 for men (Morgan)",
                                           "126402",
                                           "SUVlbm",
                                           "g/ml{SUVlbm}",
                                           "g",
                                           "LBM",
                                           "Standardized Uptake Value lean body mass (James)",
                                           "126411",
                                           "SUV lean body mass calculation method"};
  static const NormalizationInfo kBsa{"bsa",
                                      "SUVbsa",
                                      "body surface area, Du Bois",
                                      "126403",
                                      "SUVbsa",
                                      "cm2/ml{SUVbsa}",
                                      "cm2",
                                      "BSA",
                                      "Standardized Uptake Value body surface area",
                                      "126412",
                                      "SUV body surface area calculation method"};
  static const NormalizationInfo kIbw{"ibw",
                                      "SUVibw",
                                      "ideal body weight",
                                      "126404",
                                      "SUVibw",
                                      "g/ml{SUVibw}",
                                      "g",
                                      "IBW",
                                      "Standardized Uptake Value ideal body weight",
                                      "126413",
                                      "SUV ideal body weight calculation method"};
  static const NormalizationInfo kNoneInfo{
      "none", "activity concentration",    "none", "", "", "Bq/ml", "",
      "",     "becquerels per milliliter", "",     ""};
  switch (normalization) {
    case SuvNormalization::kBodyWeight:
      return kBodyWeight;
    case SuvNormalization::kLeanBodyMassJanmahasatian:
      return kJanma;
    case SuvNormalization::kLeanBodyMassJames128:
      return kJames128;
    case SuvNormalization::kLeanBodyMassJames120:
      return kJames120;
    case SuvNormalization::kBodySurfaceArea:
      return kBsa;
    case SuvNormalization::kIdealBodyWeight:
      return kIbw;
    case SuvNormalization::kNone:
      break;
  }
  return kNoneInfo;
}

std::optional<SuvNormalization> normalization_from_suv_type(const std::string& suv_type) {
  std::string key;
  for (const char c : suv_type) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0 && c != '\0') {
      key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  for (const SuvNormalization normalization :
       {SuvNormalization::kBodyWeight, SuvNormalization::kLeanBodyMassJanmahasatian,
        SuvNormalization::kLeanBodyMassJames128, SuvNormalization::kLeanBodyMassJames120,
        SuvNormalization::kBodySurfaceArea, SuvNormalization::kIdealBodyWeight}) {
    if (normalization_info(normalization).dicom_suv_type == key) return normalization;
  }
  return std::nullopt;
}

}  // namespace suv_detail
}  // namespace oncotrace
