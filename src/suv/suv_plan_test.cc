// plan_suv() on hand-built series with the numbers of pet-quantification.md §4-§6 and §13 and
// test-data.md §1-§3 worked out in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "oncotrace/datetime.h"
#include "oncotrace/error.h"
#include "oncotrace/suv.h"
#include "oncotrace/suv_coding.h"
#include "oncotrace/version.h"
#include "suv/suv_test_series.h"

namespace oncotrace {
namespace {

using suv_test::audit_of;
using suv_test::dro_frame;
using suv_test::dro_header;
using suv_test::mentions;
using suv_test::tagged;

constexpr double kF18HalfLifeS = 6586.2;
// DRO_0_0: 368.08 MBq · 2^(−3600/6586.2) = 251.9997 MBq; 70 000 g / 2.519997e8 Bq.
constexpr double kDroFactor = 2.777781e-4;

void expect_all_factors(const SuvPlan& plan, double expected, double relative_tolerance) {
  ASSERT_FALSE(plan.factor_per_slice.empty());
  for (const double factor : plan.factor_per_slice) {
    EXPECT_NEAR(factor, expected, std::abs(expected) * relative_tolerance);
  }
}

SuvOptions with_normalization(SuvNormalization normalization) {
  SuvOptions options;
  options.normalization = normalization;
  return options;
}

// ---------------------------------------------------------------------------------------------
// BQML, START: the baseline and the STS_001 golden number.

TEST(SuvPlanTest, Dro00BodyWeightFactor) {
  const SuvPlan plan = plan_suv(dro_header(), dro_frame(), {});
  expect_all_factors(plan, kDroFactor, 5e-7);
  EXPECT_EQ(plan.unit_ucum, "g/ml{SUVbw}");
  EXPECT_NEAR(3600.0 * plan.factor_per_slice[0], 1.0, 1e-5);  // 3600 Bq/mL -> SUV 1.0000
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["conversion_path"], "BQML");
  EXPECT_EQ(audit["input_units"]["value"], "BQML");
  EXPECT_EQ(audit["input_units"]["source"], "(0054,1001) Units");
  EXPECT_EQ(audit["reference_time"]["rule"], "R1 series time");
  EXPECT_EQ(audit["reference_time"]["value"], "2025-01-01T11:00:00");
  EXPECT_EQ(audit["administration_time"]["value"], "2025-01-01T10:00:00");
  EXPECT_DOUBLE_EQ(double(audit["decay_interval_s"]), 3600.0);
  EXPECT_NEAR(double(audit["decay_factor"]), 0.684633, 5e-7);
  EXPECT_NEAR(double(audit["reference_activity_bq"]), 251.9997e6, 50.0);
  EXPECT_EQ(audit["suv_factor"]["per_slice"], false);
  EXPECT_NEAR(double(audit["suv_factor"]["value"]), kDroFactor, 1e-10);
  EXPECT_EQ(audit["suv_factor"]["unit"], "g/ml{SUVbw} per Bq/ml");
  EXPECT_EQ(audit["normalisation"]["dicom_code"], "126401");
  EXPECT_EQ(audit["normalisation"]["ucum"], "g/ml{SUVbw}");
  EXPECT_DOUBLE_EQ(double(audit["normalisation"]["normaliser"]), 70000.0);
  EXPECT_EQ(audit["half_life_s"]["nuclide"], "F-18");
  EXPECT_EQ(audit["oncotrace_version"], version_string());
  EXPECT_TRUE(audit["overrides"].empty());
  EXPECT_TRUE(audit["repairs"].empty());
  EXPECT_TRUE(plan.audit.warnings.empty()) << plan.audit.json;
}

// STS_001 raw series (test-data.md §2): GE, 6 beds of 240 s, FrameReferenceTime = bed start
// (0, 243, ... 1215 s), DecayFactor = e^(λ·FRT)·λT/(1−e^(−λT)), Series = Acquisition = 11:20:11,
// injection TM 10:35:00, 388.777472 MBq, T½ 6588 s, male 71 kg 1.63 m.
SeriesHeader sts001_header() {
  SeriesHeader header = dro_header();
  header.series_instance_uid = "1.3.6.1.4.1.14519.5.2.1.sts001";
  header.manufacturer = "GE MEDICAL SYSTEMS";
  header.series_date = "20000907";
  header.series_time = "112011";
  header.study_date = "20000907";
  header.patient_weight_kg = tagged(71.0, "(0010,1030)");
  header.patient_size_m = tagged(1.63, "(0010,1020)");
  header.patient_sex = tagged(std::string("M"), "(0010,0040)");
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = tagged(std::string("103500"), "(0018,1072)");
  header.radiopharmaceutical.total_dose = tagged(388777472.0, "(0018,1074)");
  header.radiopharmaceutical.half_life_s = tagged(6588.0, "(0018,1075)");
  header.corrected_image = {"DECY", "ATTN", "SCAT",   "DTIM", "RAN",
                            "RADL", "DCAL", "SLSENS", "NORM"};
  return header;
}

Frame sts001_frame() {
  // One plane per bed is enough for the rules; the DecayFactors are the header values.
  const double bed_start_s[] = {0, 243, 486, 729, 972, 1215};
  const double decay_factor[] = {1.01268, 1.0389, 1.06581, 1.09341, 1.12172, 1.15077};
  Frame frame = dro_frame(6, 32567.0F);
  for (size_t bed = 0; bed < 6; ++bed) {
    SliceRecord& slice = frame.slices[bed];
    slice.acquisition_date = "20000907";
    slice.acquisition_time = "112011";
    slice.frame_reference_time_ms = bed_start_s[bed] * 1000.0;
    slice.actual_frame_duration_ms = 240000.0;
    slice.decay_factor = decay_factor[bed];
    slice.rescale_slope = 0.209417 + static_cast<double>(bed);  // a different slope per slice
  }
  return frame;
}

TEST(SuvPlanTest, Sts001RuleR1AndTheGoldenFactor) {
  // Δt = 11:20:11 − 10:35:00 = 2711 s; 2^(−2711/6588) = 0.751838; D_ref = 292.2978 MBq;
  // 71 000 g / 2.922978e8 Bq = 2.429030e-4 g/Bq; GTV max 32 567 Bq/mL -> SUVbw 7.911.
  const SuvPlan plan = plan_suv(sts001_header(), sts001_frame(), {});
  expect_all_factors(plan, 2.429030e-4, 5e-7);
  EXPECT_NEAR(32567.0 * plan.factor_per_slice[0], 7.911, 5e-4);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["reference_time"]["rule"], "R1 series time");
  EXPECT_DOUBLE_EQ(double(audit["decay_interval_s"]), 2711.0);
  EXPECT_NEAR(double(audit["decay_factor"]), 0.751838, 5e-7);
  EXPECT_NEAR(double(audit["reference_activity_bq"]), 292.2978e6, 100.0);
  EXPECT_EQ(audit["administration_time"]["source"],
            "(0018,1072) RadiopharmaceuticalStartTime + SeriesDate (0008,0021)");
  EXPECT_EQ(audit["half_life_s"]["value"], 6588.0);
  EXPECT_EQ(audit["half_life_s"]["table_value"], 6586.2);
  EXPECT_EQ(audit["rescale"]["per_slice"], true);
  // R3 would move bed 0 to 11:22:11 (FRT is the bed start, not Tave): recorded, not used.
  const auto& r3 = audit["reference_time"]["candidates"]["R3"];
  ASSERT_EQ(r3.size(), 6u);
  EXPECT_EQ(std::string(r3[0]["value"]).substr(0, 19), "2000-09-07T11:22:10");
  // The DecayFactor invariant ln(DF)/λ − FRT = Tave(240 s) = 119.75 s holds for all beds.
  const auto& decay_factor = audit["decay_correction"]["decay_factor"];
  EXPECT_NEAR(double(decay_factor["invariant_s"]), 119.75, 0.5);
  EXPECT_LT(double(decay_factor["invariant_spread_s"]), 2.0);
  EXPECT_FALSE(mentions(plan.audit.warnings, "DecayFactor")) << plan.audit.json;
}

TEST(SuvPlanTest, Sts001OtherNormalisations) {
  // pet-quantification.md §6.6, GTV_Mass maximum 32 567 Bq/mL: SUL James 5.996, SUL Janma 5.889,
  // SUVibw 6.647, SUVbsa 1.968 cm²/mL.
  const struct {
    SuvNormalization normalization;
    double expected_max;
    const char* ucum;
    const char* code;
  } cases[] = {
      {SuvNormalization::kLeanBodyMassJames128, 5.996, "g/ml{SUVlbm(James128)}", "126406"},
      {SuvNormalization::kLeanBodyMassJanmahasatian, 5.889, "g/ml{SUVlbm(Janma)}", "126405"},
      {SuvNormalization::kIdealBodyWeight, 6.647, "g/ml{SUVibw}", "126404"},
      {SuvNormalization::kBodySurfaceArea, 1.968, "cm2/ml{SUVbsa}", "126403"},
  };
  for (const auto& one : cases) {
    const SuvPlan plan =
        plan_suv(sts001_header(), sts001_frame(), with_normalization(one.normalization));
    EXPECT_NEAR(32567.0 * plan.factor_per_slice[0], one.expected_max, 5e-4) << one.ucum;
    EXPECT_EQ(plan.unit_ucum, one.ucum);
    EXPECT_EQ(audit_of(plan)["normalisation"]["dicom_code"], one.code);
  }
  // James 120 (DCM 126402): 1.10·71 − 120·(71/163)² = 55.332 kg.
  const SuvPlan james120 = plan_suv(sts001_header(), sts001_frame(),
                                    with_normalization(SuvNormalization::kLeanBodyMassJames120));
  EXPECT_NEAR(james120.factor_per_slice[0],
              2.429030e-4 * (1.10 * 71 - 120 * std::pow(71.0 / 163, 2)) / 71.0, 1e-9);
  EXPECT_EQ(audit_of(james120)["normalisation"]["dicom_code"], "126402");
}

TEST(SuvPlanTest, NoneNormalisationKeepsBqPerMlWithoutPatientOrDose) {
  SeriesHeader header = dro_header();
  header.patient_weight_kg = {};
  header.radiopharmaceutical.total_dose = {};
  const SuvPlan plan = plan_suv(header, dro_frame(), with_normalization(SuvNormalization::kNone));
  expect_all_factors(plan, 1.0, 0.0);
  EXPECT_EQ(plan.unit_ucum, "Bq/ml");
}

TEST(SuvPlanTest, Dro10PerSliceSlopeIsAlreadyInTheImage) {
  // DRO_1_0: slope 4.0, 3.0 on some slices; the reader applied them, so the SUV factor is the
  // same for every plane while the audit says the slopes differ.
  Frame frame = dro_frame();
  for (size_t k = 0; k < frame.slices.size(); ++k)
    frame.slices[k].rescale_slope = k == 2 ? 3.0 : 4.0;
  const SuvPlan plan = plan_suv(dro_header(), frame, {});
  expect_all_factors(plan, kDroFactor, 5e-7);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["rescale"]["per_slice"], true);
  EXPECT_EQ(audit["rescale"]["slope_min"], 3.0);
  EXPECT_EQ(audit["suv_factor"]["per_slice"], false);
}

// ---------------------------------------------------------------------------------------------
// GML and CM2ML: stored normalisations (§6.4).

SeriesHeader gml_header(const std::string& suv_type, const std::string& units = "GML") {
  SeriesHeader header = dro_header();
  header.units = tagged(units, "(0054,1001)");
  if (!suv_type.empty()) header.suv_type = tagged(suv_type, "(0054,1006)");
  return header;
}

TEST(SuvPlanTest, Dro20GmlBodyWeightNeedsNothingElse) {
  SeriesHeader header = gml_header("BW");
  header.patient_weight_kg = {};  // not needed: the stored normalisation is the one asked for
  header.radiopharmaceutical = {};
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, 1.0, 0.0);
  EXPECT_EQ(audit_of(plan)["conversion_path"], "GML/BW");
}

TEST(SuvPlanTest, Dro21GmlJames128MaleToBodyWeight) {
  // W/LBM = 70/56.52 = 1.23850; stored 0.807 -> 0.9995 (test-data.md §1).
  SeriesHeader header = gml_header("LBMJAMES128");
  header.patient_sex = tagged(std::string("M"), "(0010,0040)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, 1.23850, 5e-6);
  EXPECT_NEAR(0.807 * plan.factor_per_slice[0], 0.9995, 5e-5);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["stored_normalisation"]["suv_type"], "LBMJAMES128");
  EXPECT_NEAR(double(audit["normalisation"]["stored_normaliser"]["lbm_kg"]), 56.52, 1e-9);
}

TEST(SuvPlanTest, Dro22GmlIbwSexOtherUsesTheMeanOfTheValues) {
  // IBW for sex O = (72.38 + 66.43)/2 = 69.405 kg; factor 70/69.405 = 1.008573.
  const SuvPlan plan = plan_suv(gml_header("IBW"), dro_frame(), {});
  expect_all_factors(plan, 70.0 / 69.405, 1e-12);
  const auto stored = audit_of(plan)["normalisation"]["stored_normaliser"];
  EXPECT_NEAR(double(stored["ibw_kg_male"]), 72.38, 1e-9);
  EXPECT_NEAR(double(stored["ibw_kg_female"]), 66.43, 1e-9);
  EXPECT_EQ(stored["sex_rule"], "sex O: mean of the male and female values");
}

TEST(SuvPlanTest, Dro23Cm2mlBsaToBodyWeight) {
  // 1000·W/(BSA·10⁴) = 70 000 / 18 481.4 = 3.78759 (BSA 1.84814 m², Du Bois).
  const SuvPlan plan = plan_suv(gml_header("BSA", "CM2ML"), dro_frame(), {});
  expect_all_factors(plan, 3.78759, 2e-6);
  // The stored 0.05/0.26/1.05 cm²/mL give 0.1894/0.9848/3.9770 (test-data.md §1, DRO_2_3).
  EXPECT_NEAR(0.26 * plan.factor_per_slice[0], 0.9848, 5e-5);
  EXPECT_EQ(audit_of(plan)["conversion_path"], "CM2ML/BSA");
}

TEST(SuvPlanTest, GmlWithoutSuvTypeIsAssumedBodyWeight) {
  const SuvPlan plan = plan_suv(gml_header(""), dro_frame(), {});
  expect_all_factors(plan, 1.0, 0.0);
  EXPECT_TRUE(mentions(plan.audit.warnings, "SUVType (0054,1006) is empty"));
  EXPECT_EQ(audit_of(plan)["stored_normalisation"]["source"],
            "assumed: SUVType (0054,1006) is empty");
}

TEST(SuvPlanTest, GmlBackToBqPerMlWithTheReferenceActivity) {
  // IBSI-cropped STS_001: GML BW, ADMIN. C = SUV · D_adm / (1000 W) = 7.911 · 388 777 472 / 71 000
  // = 43 317 Bq/mL decay-corrected to injection (test-data.md S13).
  SeriesHeader header = sts001_header();
  header.units = tagged(std::string("GML"), "(0054,1001)");
  header.suv_type = tagged(std::string("BW"), "(0054,1006)");
  header.decay_correction = tagged(std::string("ADMIN"), "(0054,1102)");
  Frame frame = sts001_frame();
  for (SliceRecord& slice : frame.slices) slice.decay_factor.reset();
  const SuvPlan plan = plan_suv(header, frame, with_normalization(SuvNormalization::kNone));
  expect_all_factors(plan, 388777472.0 / 71000.0, 1e-12);
  EXPECT_NEAR(7.9107 * plan.factor_per_slice[0], 43317.0, 1.0);
  EXPECT_EQ(plan.unit_ucum, "Bq/ml");
  // With START the stored SUV refers to D_ref: × D_adm·2^(−2711/6588) / 71 000.
  header.decay_correction = tagged(std::string("START"), "(0054,1102)");
  const SuvPlan start = plan_suv(header, frame, with_normalization(SuvNormalization::kNone));
  expect_all_factors(start, 1.0 / 2.429030e-4, 5e-7);
}

// ---------------------------------------------------------------------------------------------
// Philips CNTS (§3.3).

SeriesHeader philips_header() {
  SeriesHeader header = dro_header();
  header.manufacturer = "Philips Medical Systems";
  header.units = tagged(std::string("CNTS"), "(0054,1001)");
  return header;
}

TEST(SuvPlanTest, Dro24PhilipsSuvScaleFactor) {
  // 2000 counts × 0.0005 = SUVbw 1.000.
  Frame frame = dro_frame(4, 2000.0F);
  for (SliceRecord& slice : frame.slices) slice.philips_suv_scale_factor = 0.0005;
  const SuvPlan plan = plan_suv(philips_header(), frame, {});
  expect_all_factors(plan, 0.0005, 1e-12);
  EXPECT_EQ(audit_of(plan)["conversion_path"], "CNTS+SUVSF");
  // Other normalisations follow by §6.4 with N_stored = 1000·W: SUVibw = SUVbw · IBW/W.
  const SuvPlan ibw =
      plan_suv(philips_header(), frame, with_normalization(SuvNormalization::kIdealBodyWeight));
  expect_all_factors(ibw, 0.0005 * 69.405 / 70.0, 1e-12);
}

TEST(SuvPlanTest, Dro25PhilipsActivityConcentrationScaleFactor) {
  // 7200 counts × 0.5 = 3600 Bq/mL -> SUVbw 1.000 through the BQML rules.
  Frame frame = dro_frame(4, 7200.0F);
  for (SliceRecord& slice : frame.slices) {
    slice.philips_activity_concentration_scale_factor = 0.5;
  }
  const SuvPlan plan = plan_suv(philips_header(), frame, {});
  expect_all_factors(plan, 0.5 * kDroFactor, 5e-7);
  EXPECT_NEAR(7200.0 * plan.factor_per_slice[0], 1.0, 1e-5);
  EXPECT_EQ(audit_of(plan)["conversion_path"], "CNTS+ACSF");
}

TEST(SuvPlanTest, PhilipsBothFactorsAreCrossChecked) {
  Frame frame = dro_frame(4, 7200.0F);
  for (SliceRecord& slice : frame.slices) {
    slice.philips_activity_concentration_scale_factor = 0.5;
    slice.philips_suv_scale_factor = 0.5 * kDroFactor;  // consistent: ratio 1
  }
  const SuvPlan agreeing = plan_suv(philips_header(), frame, {});
  EXPECT_EQ(audit_of(agreeing)["conversion_path"], "CNTS+ACSF");  // f_AC first
  EXPECT_NEAR(double(audit_of(agreeing)["philips_cross_check"]["ratio_max"]), 1.0, 1e-5);
  EXPECT_FALSE(mentions(agreeing.audit.warnings, "(7053,1000)"));

  for (SliceRecord& slice : frame.slices) slice.philips_suv_scale_factor = 0.5 * kDroFactor * 1.01;
  const SuvPlan disagreeing = plan_suv(philips_header(), frame, {});
  expect_all_factors(disagreeing, 0.5 * kDroFactor, 5e-7);  // still f_AC
  EXPECT_TRUE(mentions(disagreeing.audit.warnings, "(7053,1009)"));
  EXPECT_NEAR(double(audit_of(disagreeing)["philips_cross_check"]["ratio_min"]), 1.0 / 1.01, 1e-5);
}

TEST(SuvPlanTest, PhilipsFallsBackToTheSuvFactorWhenTheActivityPathLacksData) {
  SeriesHeader header = philips_header();
  header.radiopharmaceutical.total_dose = {};  // the f_AC path needs the dose, f_SUV does not
  Frame frame = dro_frame(4, 2000.0F);
  for (SliceRecord& slice : frame.slices) {
    slice.philips_activity_concentration_scale_factor = 0.5;
    slice.philips_suv_scale_factor = 0.0005;
  }
  const SuvPlan plan = plan_suv(header, frame, {});
  expect_all_factors(plan, 0.0005, 1e-12);
  EXPECT_EQ(audit_of(plan)["conversion_path"], "CNTS+SUVSF");
  EXPECT_TRUE(mentions(plan.audit.warnings, "falling back"));
  EXPECT_TRUE(mentions(plan.audit.warnings, "(0018,1074)"));
}

// ---------------------------------------------------------------------------------------------
// Count images with a calibration (§3.5, §11.2).

TEST(SuvPlanTest, CountsWithADirectCalibration) {
  SeriesHeader header = dro_header();
  header.units = tagged(std::string("CNTS"), "(0054,1001)");
  SuvOptions options;
  options.count_calibration = CountCalibration{2.0, std::nullopt, std::nullopt, "phantom 2024"};
  const SuvPlan plan = plan_suv(header, dro_frame(), options);
  expect_all_factors(plan, 2.0 * kDroFactor, 5e-7);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["conversion_path"], "CNTS+calibration");
  EXPECT_EQ(audit["pixel_conversion"]["calibration"], "phantom 2024");
}

TEST(SuvPlanTest, CountsAndCountRatesWithASensitivity) {
  // S = 10 cps/MBq = 1e-5 cps/Bq, voxel 4×4×4 mm = 0.064 mL.
  // CPS: C = U / (S·V) = U × 1/(1e-5 · 0.064) = U × 1.5625e6 Bq/mL.
  // CNTS over 300 s: C = U / (300 · 1e-5 · 0.064) = U × 5208.333 Bq/mL.
  SuvOptions options;
  options.normalization = SuvNormalization::kNone;
  options.count_calibration = CountCalibration{std::nullopt, 10.0, std::nullopt, "sensitivity"};
  SeriesHeader header = dro_header();
  header.units = tagged(std::string("CPS"), "(0054,1001)");
  expect_all_factors(plan_suv(header, dro_frame(), options), 1.5625e6, 1e-12);
  header.units = tagged(std::string("CNTS"), "(0054,1001)");
  expect_all_factors(plan_suv(header, dro_frame(), options), 1.0 / (300.0 * 1e-5 * 0.064), 1e-12);
  options.count_calibration->acquisition_duration_s = 600.0;
  expect_all_factors(plan_suv(header, dro_frame(), options), 1.0 / (600.0 * 1e-5 * 0.064), 1e-12);
}

TEST(SuvPlanTest, UnitsFromRealWorldValueMappingOrOverride) {
  SeriesHeader header = dro_header();
  header.units = {};
  header.real_world_value_units = tagged(std::string("Bq/ml"), "(0040,9096)");
  const SuvPlan mapped = plan_suv(header, dro_frame(), {});
  expect_all_factors(mapped, kDroFactor, 5e-7);
  EXPECT_NE(std::string(audit_of(mapped)["input_units"]["source"]).find("(0040,9096)"),
            std::string::npos);

  header.real_world_value_units = {};
  SuvOptions options;
  options.overrides.units = "bqml";
  const SuvPlan overridden = plan_suv(header, dro_frame(), options);
  expect_all_factors(overridden, kDroFactor, 5e-7);
  const auto audit = audit_of(overridden);
  EXPECT_EQ(audit["input_units"]["source"], "override --units");
  ASSERT_EQ(audit["overrides"].size(), 1u);
  EXPECT_EQ(audit["overrides"][0]["flag"], "--units");
  EXPECT_TRUE(audit["overrides"][0]["replaced_header_value"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Dose, decay modes and times (§4, §5).

TEST(SuvPlanTest, Dro30DoseInMegabecquerelIsRepaired) {
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.total_dose = tagged(368.08, "(0018,1074)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, kDroFactor, 5e-7);
  const auto audit = audit_of(plan);
  ASSERT_EQ(audit["repairs"].size(), 1u);
  EXPECT_EQ(audit["repairs"][0]["field"], "RadionuclideTotalDose (0018,1074)");
  EXPECT_EQ(audit["administered_activity_bq"]["repair"], "MBq -> Bq (x 1e6)");
  EXPECT_TRUE(mentions(plan.audit.warnings, "MBq"));
}

TEST(SuvPlanTest, ResidualActivityIsDecayCorrectedToTheInjection) {
  // 10 MBq left at injection: D = 358.08 MBq. Measured 1 h later instead: at injection it was
  // 1e7 · 2^(3600/6586.2) = 14.60637 MBq, so D = 353.47363 MBq.
  SuvOptions options;
  options.overrides.residual_dose_bq = 1e7;
  const SuvPlan at_injection = plan_suv(dro_header(), dro_frame(), options);
  expect_all_factors(at_injection, kDroFactor * 368.08 / 358.08, 5e-7);
  options.overrides.residual_time = make_datetime(2025, 1, 1, 11, 0, 0);
  const SuvPlan later = plan_suv(dro_header(), dro_frame(), options);
  expect_all_factors(later, kDroFactor * 368.08 / (368.08 - 14.606367), 5e-7);
  EXPECT_NEAR(double(audit_of(later)["administered_activity_bq"]["residual_at_administration_bq"]),
              14.606367e6, 1.0);
}

TEST(SuvPlanTest, Dro31AdminNeedsNoIntervalAndRecordsTheDecayFactorDisagreement) {
  // ADMIN: SUV = U · 1000 W / D_adm = 70 000 / 3.6808e8 = 1.901760e-4.
  SeriesHeader header = dro_header();
  header.decay_correction = tagged(std::string("ADMIN"), "(0054,1102)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, 70000.0 / 3.6808e8, 1e-12);
  const auto audit = audit_of(plan);
  // DecayFactor 1 contradicts a correction from 11:00 back to 10:00 (expected
  // e^(λ·3600)·λT/(1−e^(−λT)) = 1.460637·1.015869 = 1.483816): both readings are written down.
  const auto& decay_factor = audit["decay_correction"]["decay_factor"];
  EXPECT_EQ(decay_factor["trusted"], "DecayCorrection (0054,1102)");
  EXPECT_NEAR(double(decay_factor["expected_for_admin"]["min"]), 1.460637 * 1.015869, 1e-5);
  EXPECT_EQ(audit["decay_correction"]["alternative_reading"]["decay_correction"], "NONE");
  EXPECT_NEAR(double(audit["decay_correction"]["alternative_reading"]["suv_ratio_to_used_min"]),
              1.460637 * 1.015869, 1e-5);
  EXPECT_TRUE(mentions(plan.audit.warnings, "--trust-decay-factor"));

  // Trusting DecayFactor: not decay corrected, so the NONE formula applies.
  SuvOptions options;
  options.trust_decay_factor = true;
  const SuvPlan trusted = plan_suv(header, dro_frame(), options);
  expect_all_factors(trusted, 70000.0 / 3.6808e8 * 1.460637 * 1.015869, 1e-6);
  EXPECT_EQ(audit_of(trusted)["decay_correction"]["applied"], "NONE");
}

TEST(SuvPlanTest, Dro32StartWithSeriesTimeAfterAcquisition) {
  SeriesHeader header = dro_header();
  header.series_time = "113000.000000";
  Frame frame = dro_frame();
  for (size_t k = 0; k < 4; ++k) {
    frame.slices[k].acquisition_time = k < 2 ? "110230.000000" : "110500.000000";
    frame.slices[k].frame_reference_time_ms = k < 2 ? 450000.0 : 600000.0;
    frame.slices[k].actual_frame_duration_ms = 603000.0;
  }
  // t_ref = 10:59:59.906 (R3): Δt = 3599.906 s; factor = kDroFactor · 2^(−0.094/6586.2).
  const SuvPlan plan = plan_suv(header, frame, {});
  expect_all_factors(plan, kDroFactor * std::exp2(-0.094406 / kF18HalfLifeS), 5e-7);
  EXPECT_EQ(audit_of(plan)["reference_time"]["rule"], "R3 per-frame back-computation");
}

TEST(SuvPlanTest, Dro34NoDecayCorrectionCorrectsEachFrame) {
  // NONE, T = 603 s: λT/(1−e^(−λT)) = 1.032066. Slices acquired 11:00: × e^(λ·3600) = 1.460637,
  // total 1.507474 (3488 Bq/mL -> SUV 1.0000); acquired 11:05: × e^(λ·3900) = 1.507489, total
  // 1.555828 (3379 Bq/mL -> 0.9998). N/D_adm = 70 000 / 3.6808e8.
  SeriesHeader header = dro_header();
  header.decay_correction = tagged(std::string("NONE"), "(0054,1102)");
  header.corrected_image = {"NORM", "DTIM", "ATTN", "SCAT", "RAN"};
  header.manufacturer = "GE MEDICAL SYSTEMS";
  Frame frame = dro_frame();
  for (size_t k = 0; k < 4; ++k) {
    frame.slices[k].acquisition_time = k < 2 ? "110000.000000" : "110500.000000";
    frame.slices[k].frame_reference_time_ms = k < 2 ? 300000.0 : 600000.0;
    frame.slices[k].actual_frame_duration_ms = 603000.0;
  }
  const SuvPlan plan = plan_suv(header, frame, {});
  const double per_activity = 70000.0 / 3.6808e8;
  EXPECT_NEAR(plan.factor_per_slice[0], per_activity * 1.507474, per_activity * 1e-6);
  EXPECT_NEAR(plan.factor_per_slice[3], per_activity * 1.555828, per_activity * 1e-6);
  EXPECT_NEAR(3488.0 * plan.factor_per_slice[0], 1.0000, 5e-5);
  EXPECT_NEAR(3379.0 * plan.factor_per_slice[3], 0.9998, 5e-5);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["suv_factor"]["per_slice"], true);
  EXPECT_EQ(audit["suv_factor"]["values"].size(), 4u);
  EXPECT_TRUE(audit["reference_time"].is_null());
  // Per-plane arrays: intervals 3600 s and 3900 s, decay factors 1/1.507474 and 1/1.555828.
  ASSERT_EQ(audit["decay_interval_s"].size(), 4u);
  EXPECT_DOUBLE_EQ(double(audit["decay_interval_s"][0]), 3600.0);
  EXPECT_DOUBLE_EQ(double(audit["decay_interval_s"][3]), 3900.0);
  EXPECT_NEAR(double(audit["decay_factor"][3]), 1.0 / 1.555828, 1e-6);
}

TEST(SuvPlanTest, Dro40And41EitherAdministrationTimeAlone) {
  SeriesHeader only_datetime = dro_header();
  only_datetime.radiopharmaceutical.start_time = {};
  expect_all_factors(plan_suv(only_datetime, dro_frame(), {}), kDroFactor, 5e-7);
  SeriesHeader only_time = dro_header();
  only_time.radiopharmaceutical.start_datetime = {};
  expect_all_factors(plan_suv(only_time, dro_frame(), {}), kDroFactor, 5e-7);
}

TEST(SuvPlanTest, Dro42OverMidnight) {
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = tagged(std::string("233000.000000"), "(0018,1072)");
  header.series_date = "20250102";
  header.series_time = "003000.000000";
  Frame frame = dro_frame();
  for (SliceRecord& slice : frame.slices) {
    slice.acquisition_date = "20250102";
    slice.acquisition_time = "003000.000000";
  }
  const SuvPlan plan = plan_suv(header, frame, {});
  expect_all_factors(plan, kDroFactor, 5e-7);  // interval 3600 s, as DRO_0_0
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["administration_time"]["midnight_rollover"], true);
  EXPECT_EQ(audit["administration_time"]["value"], "2025-01-01T23:30:00");
  EXPECT_DOUBLE_EQ(double(audit["decay_interval_s"]), 3600.0);
}

TEST(SuvPlanTest, Dro50Gallium68AndItsMislabelledCode) {
  // T½ 4057.7 s: 368.08 MBq · 2^(−3600/4057.7) = 199.0067 MBq; 2843 Bq/mL -> SUV 1.0000.
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.half_life_s = tagged(4057.7, "(0018,1075)");
  header.radiopharmaceutical.radionuclide_code = tagged(std::string("C-131A1"), "(0054,0300)");
  header.radiopharmaceutical.radionuclide_meaning =
      tagged(std::string("^68^Gallium"), "(0054,0300)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, 70000.0 / 199.0067e6, 5e-7);
  EXPECT_NEAR(2843.0 * plan.factor_per_slice[0], 1.0, 5e-5);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["half_life_s"]["nuclide"], "Ga-68");
  // C-131A1 is ^66^Gallium in CID 4020: the conflict is a warning, not a wrong half-life.
  EXPECT_TRUE(mentions(plan.audit.warnings, "C-131A1"));
  // 4057.7 s is 0.12 % from the ICRP-107 value 4062.6 s: no half-life warning.
  EXPECT_FALSE(mentions(plan.audit.warnings, "differs by"));
}

TEST(SuvPlanTest, HalfLifeFromTheTableWhenTheHeaderLacksIt) {
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.half_life_s = {};
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, kDroFactor, 5e-7);  // ICRP-107 F-18 = 6586.2 s, the DRO value
  EXPECT_TRUE(mentions(plan.audit.warnings, "RadionuclideHalfLife (0018,1075) is missing"));
  EXPECT_NE(std::string(audit_of(plan)["half_life_s"]["source"]).find("nuclide table"),
            std::string::npos);
}

TEST(SuvPlanTest, HalfLifeDisagreeingWithTheNuclideIsAWarning) {
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.half_life_s = tagged(4057.7, "(0018,1075)");  // Ga-68, coded F-18
  header.radiopharmaceutical.radionuclide_meaning = {};
  header.radiopharmaceutical.radiopharmaceutical = {};
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  EXPECT_TRUE(mentions(plan.audit.warnings, "differs by"));
  EXPECT_TRUE(mentions(plan.audit.warnings, "F-18"));
  expect_all_factors(plan, 70000.0 / 199.0067e6, 5e-7);  // the header value is used
}

TEST(SuvPlanTest, PlausibilityWindowWarns) {
  // Injection 5 h before the scan: F-18 window is [−1 h, 2·T½ = 13 172 s).
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = tagged(std::string("20250101060000"), "(0018,1078)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  EXPECT_TRUE(mentions(plan.audit.warnings, "plausible window"));
}

TEST(SuvPlanTest, Lutetium177WithFullDateTimes) {
  // Lu-177 set (test-data.md §3): ADMIN, DecayFactor 1, T½ 574 300 s, 7 210 425 599.6 Bq at
  // 2018-11-15 09:22:00 (DT), 92.987 kg; scan 13:06:28 (3.7411 h later), T = 1 506.277 s.
  SeriesHeader header = dro_header();
  header.manufacturer = "SIEMENS NM";
  header.series_date = "20181115";
  header.series_time = "130628.148";
  header.patient_weight_kg = tagged(92.987, "(0010,1030)");
  header.corrected_image = {"UNIF", "ATTN", "SCAT", "DECY"};
  header.decay_correction = tagged(std::string("ADMIN"), "(0054,1102)");
  RadiopharmaceuticalInfo& info = header.radiopharmaceutical;
  info.start_datetime = tagged(std::string("20181115092200.000000"), "(0018,1078)");
  info.start_time = tagged(std::string("092200.000000"), "(0018,1072)");
  info.total_dose = tagged(7210425599.6, "(0018,1074)");
  info.half_life_s = tagged(574300.0, "(0018,1075)");
  info.radionuclide_code = tagged(std::string("C-101ED"), "(0054,0300)");
  info.radionuclide_scheme = tagged(std::string("99SDM"), "(0054,0300)");
  info.radionuclide_meaning = tagged(std::string("177 Lutetium"), "(0054,0300)");
  Frame frame = dro_frame();
  for (SliceRecord& slice : frame.slices) {
    slice.acquisition_date = "20181115";
    slice.acquisition_time = "130628.148";
    slice.actual_frame_duration_ms = 1506277.0;
    slice.frame_reference_time_ms = 753138.5;
  }
  const SuvPlan plan = plan_suv(header, frame, {});
  expect_all_factors(plan, 92987.0 / 7210425599.6, 1e-12);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["half_life_s"]["nuclide"], "Lu-177");
  // A correction from 3.741 h back would be e^(λ·13 468 s)·λT/(1−e^(−λT)) ≈ 1.0164·1.0009.
  EXPECT_EQ(audit["decay_correction"]["alternative_reading"]["decay_correction"], "NONE");
  EXPECT_NEAR(double(audit["decay_correction"]["decay_factor"]["expected_for_admin"]["min"]),
              std::exp(std::log(2.0) / 574300.0 * 13468.148) * 1.000909, 2e-5);
}

// ---------------------------------------------------------------------------------------------
// Overrides, Enhanced PET, the audit itself, apply and info.

TEST(SuvPlanTest, OverridesAreUsedAndRecorded) {
  SuvOptions options;
  options.overrides.weight_kg = 80.0;
  options.overrides.injected_dose_bq = 4e8;
  options.overrides.half_life_s = 6586.2;
  options.overrides.injection_time = make_datetime(2025, 1, 1, 10, 0, 0);
  options.overrides.scan_reference_time = make_datetime(2025, 1, 1, 11, 0, 0);
  options.overrides.decay_correction = "START";
  const SuvPlan plan = plan_suv(dro_header(), dro_frame(), options);
  // 80 000 g / (4e8 · 0.684633) = 2.921272e-4.
  expect_all_factors(plan, 80000.0 / (4e8 * std::exp2(-3600.0 / kF18HalfLifeS)), 1e-9);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["overrides"].size(), 6u);
  EXPECT_EQ(audit["patient"]["sources"]["weight"], "override --weight");
  bool weight_recorded = false;
  for (const auto& entry : audit["overrides"]) {
    if (entry["flag"] == "--weight") {
      weight_recorded = true;
      EXPECT_EQ(entry["replaced_header_value"], 70.0);
    }
  }
  EXPECT_TRUE(weight_recorded);
}

TEST(SuvPlanTest, IdealBodyWeightFormulaIsAnOption) {
  // Devine, sex O, 175 cm: (70.566 + 66.066)/2 = 68.316 kg; SUVibw factor = kDroFactor·68.316/70.
  SuvOptions options = with_normalization(SuvNormalization::kIdealBodyWeight);
  options.ibw_formula = IbwFormula::kDevine;
  const SuvPlan plan = plan_suv(dro_header(), dro_frame(), options);
  expect_all_factors(plan, kDroFactor * 68.316 / 70.0, 5e-7);
  EXPECT_EQ(audit_of(plan)["normalisation"]["ibw_formula"], "Devine");
  EXPECT_TRUE(audit_of(plan)["patient"]["weight_kg"].is_null());  // IBW does not use the weight
}

TEST(SuvPlanTest, EnhancedPetDecayFlagsAndDateTime) {
  SeriesHeader header = dro_header();
  header.decay_correction = {};
  header.corrected_image.clear();
  header.decay_corrected_flag = tagged(std::string("YES"), "(0018,9758)");
  header.attenuation_corrected_flag = tagged(std::string("YES"), "(0018,9759)");
  header.decay_correction_datetime = tagged(std::string("20250101110000"), "(0018,9701)");
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  expect_all_factors(plan, kDroFactor, 5e-7);
  const auto audit = audit_of(plan);
  EXPECT_EQ(audit["reference_time"]["rule"], "Enhanced PET DecayCorrectionDateTime (0018,9701)");
  EXPECT_EQ(audit["attenuation_corrected"]["source"], "(0018,9759) AttenuationCorrected YES");
}

TEST(SuvPlanTest, DecaySpellingFromQibaIsAccepted) {
  SeriesHeader header = dro_header();
  header.corrected_image = {"ATTN", "DECAY"};
  const SuvPlan plan = plan_suv(header, dro_frame(), {});
  EXPECT_EQ(audit_of(plan)["decay_correction"]["decy_flag"], "DECAY (QIBA spelling)");
}

TEST(SuvPlanTest, DecayFactorInvariantViolationIsAWarning) {
  Frame frame = sts001_frame();
  frame.slices[3].decay_factor = 1.2;  // not what a correction to one time gives
  const SuvPlan plan = plan_suv(sts001_header(), frame, {});
  EXPECT_TRUE(mentions(plan.audit.warnings, "FrameReferenceTime (0054,1300)"));
}

TEST(SuvPlanTest, AuditIsDeterministic) {
  const SuvPlan first = plan_suv(sts001_header(), sts001_frame(), {});
  const SuvPlan second = plan_suv(sts001_header(), sts001_frame(), {});
  EXPECT_EQ(first.audit.json, second.audit.json);
  // Keys appear in the documented order.
  const std::string& json = first.audit.json;
  EXPECT_LT(json.find("\"series_instance_uid\""), json.find("\"input_units\""));
  EXPECT_LT(json.find("\"input_units\""), json.find("\"suv_factor\""));
  EXPECT_LT(json.find("\"suv_factor\""), json.find("\"oncotrace_version\""));
}

TEST(SuvPlanTest, ApplyMultipliesEachPlaneByItsFactor) {
  SeriesHeader header = dro_header();
  header.decay_correction = tagged(std::string("NONE"), "(0054,1102)");
  header.corrected_image = {"ATTN"};
  Frame frame = dro_frame(2, 1000.0F);
  frame.slices[1].acquisition_time = "110500";
  const SuvPlan plan = plan_suv(header, frame, {});
  const ImageVolume suv = apply_suv(frame, plan);
  ASSERT_EQ(suv.size(), frame.image.size());
  EXPECT_TRUE(suv.geometry.same_grid_as(frame.image.geometry));
  EXPECT_FLOAT_EQ(suv.at(1, 1, 0), static_cast<float>(1000.0 * plan.factor_per_slice[0]));
  EXPECT_FLOAT_EQ(suv.at(0, 1, 1), static_cast<float>(1000.0 * plan.factor_per_slice[1]));
  EXPECT_GT(suv.at(0, 0, 1), suv.at(0, 0, 0));  // the later frame decayed more

  SuvPlan wrong = plan;
  wrong.factor_per_slice.pop_back();
  EXPECT_THROW(apply_suv(frame, wrong), InternalError);

  // The in-place form gives the same bits and leaves the frame's image empty.
  Frame moved = frame;
  const ImageVolume in_place = apply_suv(std::move(moved), plan);
  EXPECT_EQ(in_place.values, suv.values);
  EXPECT_TRUE(in_place.geometry.same_grid_as(suv.geometry));
  EXPECT_TRUE(moved.image.values.empty());  // NOLINT(bugprone-use-after-move): documented state
  Frame wrong_frame = frame;
  EXPECT_THROW(apply_suv(std::move(wrong_frame), wrong), InternalError);
}

TEST(SuvPlanTest, SecondsFromAdministrationUseTheSuvTimeRules) {
  SeriesHeader header = dro_header();
  header.series_date = "20250102";
  header.series_time = "003000";
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = tagged(std::string("233000"), "(0018,1072)");
  // TM-only injection 23 h after the scan on the same date: the evening before (rollover).
  EXPECT_DOUBLE_EQ(*seconds_from_administration_to_series_time(header), 3600.0);
  // Within 1 h after the scan it stays negative (a clock problem, not a rollover).
  header.radiopharmaceutical.start_time = tagged(std::string("010000"), "(0018,1072)");
  EXPECT_DOUBLE_EQ(*seconds_from_administration_to_series_time(header), -1800.0);
  // A full date-time is used as it is; the override wins over both.
  header.radiopharmaceutical.start_datetime = tagged(std::string("20250101220000"), "(0018,1078)");
  EXPECT_DOUBLE_EQ(*seconds_from_administration_to_series_time(header), 9000.0);
  SuvOverrides overrides;
  overrides.injection_time = parse_iso8601("2025-01-02T00:00:00");
  EXPECT_DOUBLE_EQ(*seconds_from_administration_to_series_time(header, overrides), 1800.0);
  header.series_time = "";
  EXPECT_FALSE(seconds_from_administration_to_series_time(header).has_value());
}

TEST(SuvPlanTest, UnavailableReasonIsEmptyOrOneMessage) {
  EXPECT_EQ(suv_unavailable_reason(dro_header(), dro_frame(), {}), "");
  SeriesHeader header = dro_header();
  header.corrected_image = {"NORM", "DECY"};
  const std::string reason = suv_unavailable_reason(header, dro_frame(), {});
  EXPECT_EQ(reason.rfind("CorrectedImage (0028,0051)", 0), 0u) << reason;  // no series prefix
}

TEST(SuvNormalizationTest, NamesRoundTrip) {
  for (const SuvNormalization normalization :
       {SuvNormalization::kBodyWeight, SuvNormalization::kLeanBodyMassJanmahasatian,
        SuvNormalization::kLeanBodyMassJames128, SuvNormalization::kLeanBodyMassJames120,
        SuvNormalization::kBodySurfaceArea, SuvNormalization::kIdealBodyWeight,
        SuvNormalization::kNone}) {
    EXPECT_EQ(parse_suv_normalization(suv_normalization_name(normalization)), normalization);
  }
  EXPECT_EQ(suv_normalization_name(SuvNormalization::kLeanBodyMassJanmahasatian), "lbm-janma");
  EXPECT_EQ(parse_suv_normalization("SUL"), SuvNormalization::kLeanBodyMassJanmahasatian);
  EXPECT_FALSE(parse_suv_normalization("lean").has_value());
}

// The codes of interoperability.md §1.2 (quantity, UCUM unit, SUV calculation method).
TEST(SuvNormalizationTest, DicomCodingFollowsTheCheckedTables) {
  const SuvQuantityCoding bw = suv_quantity_coding(SuvNormalization::kBodyWeight);
  EXPECT_EQ(bw.quantity_code, "126401");
  EXPECT_EQ(bw.quantity_scheme, "DCM");
  EXPECT_EQ(bw.quantity_meaning, "SUVbw");
  EXPECT_EQ(bw.unit_ucum, "g/ml{SUVbw}");
  EXPECT_EQ(bw.method_code, "126410");
  const SuvQuantityCoding sul = suv_quantity_coding(SuvNormalization::kLeanBodyMassJanmahasatian);
  EXPECT_EQ(sul.quantity_code, "126405");
  EXPECT_EQ(sul.unit_ucum, "g/ml{SUVlbm(Janma)}");
  EXPECT_EQ(sul.method_code, "126414");
  EXPECT_EQ(suv_quantity_coding(SuvNormalization::kLeanBodyMassJames128).method_code, "126415");
  EXPECT_EQ(suv_quantity_coding(SuvNormalization::kLeanBodyMassJames120).method_code, "126411");
  EXPECT_EQ(suv_quantity_coding(SuvNormalization::kBodySurfaceArea).unit_ucum, "cm2/ml{SUVbsa}");
  EXPECT_EQ(suv_quantity_coding(SuvNormalization::kBodySurfaceArea).method_code, "126412");
  EXPECT_EQ(suv_quantity_coding(SuvNormalization::kIdealBodyWeight).method_code, "126413");
  const SuvQuantityCoding none = suv_quantity_coding(SuvNormalization::kNone);
  EXPECT_EQ(none.quantity_code, "110821");
  EXPECT_EQ(none.unit_ucum, "Bq/ml");
  EXPECT_TRUE(none.method_code.empty());
}

}  // namespace
}  // namespace oncotrace
