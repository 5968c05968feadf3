#include "suv/body_size.h"

#include <gtest/gtest.h>

namespace oncotrace {
namespace {

// STS_001 (pet-quantification.md §6.6): male, W = 71 kg, H = 163 cm.
constexpr double kStsWeightKg = 71.0;
constexpr double kStsHeightCm = 163.0;

TEST(BodySizeTest, Sts001Male) {
  // James 128: 1.10·71 − 128·(71/163)² = 78.1 − 24.2857 = 53.814 kg.
  EXPECT_NEAR(lean_body_mass_james_kg(kStsWeightKg, kStsHeightCm, PatientSex::kMale), 53.814, 5e-4);
  // Janmahasatian: BMI = 71/1.63² = 26.723; 9270·71/(6680 + 216·26.723) = 52.856 kg.
  EXPECT_NEAR(lean_body_mass_janmahasatian_kg(kStsWeightKg, kStsHeightCm, PatientSex::kMale),
              52.856, 5e-4);
  // Sugawara: 48.0 + 1.06·(163 − 152) = 59.66 kg.
  EXPECT_NEAR(ideal_body_weight_kg(kStsHeightCm, PatientSex::kMale, IbwFormula::kSugawara), 59.66,
              1e-9);
  // Du Bois: 0.007184·71^0.425·163^0.725 = 1.76599 m².
  EXPECT_NEAR(body_surface_area_du_bois_m2(kStsWeightKg, kStsHeightCm), 1.76599, 5e-6);
}

TEST(BodySizeTest, IbsiReferenceObjects) {
  // DRO_2_1: male, 70 kg, 175 cm: 1.10·70 − 128·(70/175)² = 77 − 20.48 = 56.52 kg; W/LBM 1.23850.
  const double lbm = lean_body_mass_james_kg(70.0, 175.0, PatientSex::kMale, 128.0);
  EXPECT_NEAR(lbm, 56.52, 1e-9);
  EXPECT_NEAR(70.0 / lbm, 1.23850, 5e-6);
  // DRO_2_2: sex O, 175 cm: IBW_M = 48 + 1.06·23 = 72.38, IBW_F = 45.5 + 0.91·23 = 66.43,
  // mean 69.405 kg (the mean of the values, not of the factors).
  EXPECT_NEAR(ideal_body_weight_kg(175.0, PatientSex::kMale, IbwFormula::kSugawara), 72.38, 1e-9);
  EXPECT_NEAR(ideal_body_weight_kg(175.0, PatientSex::kFemale, IbwFormula::kSugawara), 66.43, 1e-9);
  EXPECT_NEAR(ideal_body_weight_kg(175.0, PatientSex::kOther, IbwFormula::kSugawara), 69.405, 1e-9);
  // DRO_2_3: 0.007184·70^0.425·175^0.725 = 1.84814 m²; 1000·W/(BSA·10⁴) = 3.78759.
  const double bsa = body_surface_area_du_bois_m2(70.0, 175.0);
  EXPECT_NEAR(bsa, 1.84814, 5e-6);
  EXPECT_NEAR(70000.0 / (bsa * 1e4), 3.78759, 5e-6);
}

TEST(BodySizeTest, VariantsAndSexOther) {
  // James with 120 for men (Morgan): 77 − 120·0.16 = 57.8 kg; women unchanged (148).
  EXPECT_NEAR(lean_body_mass_james_kg(70.0, 175.0, PatientSex::kMale, 120.0), 57.8, 1e-9);
  EXPECT_NEAR(lean_body_mass_james_kg(70.0, 175.0, PatientSex::kFemale, 120.0),
              1.07 * 70.0 - 148.0 * 0.16, 1e-9);
  // Sex O is the mean of the two sex-specific LBM values.
  EXPECT_NEAR(lean_body_mass_janmahasatian_kg(70.0, 175.0, PatientSex::kOther),
              0.5 * (lean_body_mass_janmahasatian_kg(70.0, 175.0, PatientSex::kMale) +
                     lean_body_mass_janmahasatian_kg(70.0, 175.0, PatientSex::kFemale)),
              1e-12);
  // Devine: 50 + 0.91·(175 − 152.4) = 70.566 kg (male); 45.5 + 0.91·22.6 = 66.066 (female).
  EXPECT_NEAR(ideal_body_weight_kg(175.0, PatientSex::kMale, IbwFormula::kDevine), 70.566, 1e-9);
  EXPECT_NEAR(ideal_body_weight_kg(175.0, PatientSex::kFemale, IbwFormula::kDevine), 66.066, 1e-9);
}

TEST(BodySizeTest, JamesMaximumBmi) {
  // 1.10e4 / 256 = 42.97 (men), 1.07e4 / 296 = 36.15 (women) (§6.2).
  EXPECT_NEAR(james_maximum_bmi(PatientSex::kMale), 42.96875, 1e-9);
  EXPECT_NEAR(james_maximum_bmi(PatientSex::kFemale), 36.148649, 1e-6);
  // At the maximum, d LBM / d W = 0.
  const double height_cm = 170.0;
  const double weight_at_max = james_maximum_bmi(PatientSex::kMale) * 1.7 * 1.7;
  const double slope =
      (lean_body_mass_james_kg(weight_at_max + 0.01, height_cm, PatientSex::kMale) -
       lean_body_mass_james_kg(weight_at_max - 0.01, height_cm, PatientSex::kMale)) /
      0.02;
  EXPECT_NEAR(slope, 0.0, 1e-6);
}

TEST(BodySizeTest, ParsesSexCodes) {
  EXPECT_EQ(parse_patient_sex("M"), PatientSex::kMale);
  EXPECT_EQ(parse_patient_sex(" f "), PatientSex::kFemale);
  EXPECT_EQ(parse_patient_sex("O"), PatientSex::kOther);
  EXPECT_FALSE(parse_patient_sex("").has_value());
  EXPECT_FALSE(parse_patient_sex("X").has_value());
  EXPECT_STREQ(patient_sex_code(PatientSex::kOther), "O");
}

}  // namespace
}  // namespace oncotrace
