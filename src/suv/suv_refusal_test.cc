// Every refusal of plan_suv(): its exception class, and a message that names the tag and the
// remedy (pet-quantification.md §7; error.h).
#include <gtest/gtest.h>

#include <functional>

#include "oncotrace/error.h"
#include "oncotrace/suv.h"
#include "suv/suv_test_series.h"

namespace oncotrace {
namespace {

using suv_test::dro_frame;
using suv_test::dro_header;
using suv_test::tagged;

// Runs plan_suv and checks that it throws `ErrorClass` with every text of `expected` in the
// message, and that the message starts with the series context.
template <typename ErrorClass>
void expect_refusal(const SeriesHeader& header, const Frame& frame, const SuvOptions& options,
                    const std::vector<std::string>& expected) {
  try {
    plan_suv(header, frame, options);
    ADD_FAILURE() << "expected a refusal mentioning " << expected.front();
  } catch (const ErrorClass& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("series " + header.series_instance_uid, 0), 0u) << message;
    for (const std::string& text : expected) {
      EXPECT_NE(message.find(text), std::string::npos) << "'" << text << "' not in: " << message;
    }
  } catch (const Error& error) {
    ADD_FAILURE() << "wrong error class (" << error_kind_name(error.kind())
                  << "): " << error.what();
  }
}

SeriesHeader modified(const std::function<void(SeriesHeader&)>& change) {
  SeriesHeader header = dro_header();
  change(header);
  return header;
}

SuvOptions normalised(SuvNormalization normalization) {
  SuvOptions options;
  options.normalization = normalization;
  return options;
}

TEST(SuvRefusalTest, UnitsAbsentOrNone) {
  const SeriesHeader absent = modified([](SeriesHeader& h) { h.units = {}; });
  expect_refusal<MissingMetadataError>(absent, dro_frame(), {}, {"Units (0054,1001)", "--units"});
  // Also for normalisation none: unknown units are never passed through as Bq/mL.
  expect_refusal<MissingMetadataError>(absent, dro_frame(), normalised(SuvNormalization::kNone),
                                       {"Units (0054,1001) is missing", "--units"});
  const SeriesHeader none =
      modified([](SeriesHeader& h) { h.units = tagged(std::string("NONE"), "(0054,1001)"); });
  expect_refusal<MissingMetadataError>(none, dro_frame(), {}, {"is NONE", "--units"});
  SuvOptions bad_override;
  bad_override.overrides.units = "MBQML";
  expect_refusal<InvalidInputError>(absent, dro_frame(), bad_override, {"--units 'MBQML'"});
}

TEST(SuvRefusalTest, UnitsWithoutAnSuvPath) {
  for (const std::string units : {"PROPCPS", "PROPCNTS", "1CM", "MLMING", "UMOLML", "CM2"}) {
    const SeriesHeader header =
        modified([&](SeriesHeader& h) { h.units = tagged(units, "(0054,1001)"); });
    expect_refusal<UnsupportedDataError>(header, dro_frame(), {}, {"Units (0054,1001) = " + units});
  }
  const SeriesHeader cps =
      modified([](SeriesHeader& h) { h.units = tagged(std::string("CPS"), "(0054,1001)"); });
  expect_refusal<UnsupportedDataError>(cps, dro_frame(), {}, {"CPS", "--calibration"});
  const SeriesHeader counts =
      modified([](SeriesHeader& h) { h.units = tagged(std::string("CNTS"), "(0054,1001)"); });
  expect_refusal<UnsupportedDataError>(counts, dro_frame(), {},
                                       {"(7053,1009)", "(7053,1000)", "--calibration"});
  // NM images have no Units: counts, refused without a calibration.
  const SeriesHeader nm = modified([](SeriesHeader& h) {
    h.units = {};
    h.modality = "NM";
  });
  expect_refusal<UnsupportedDataError>(nm, dro_frame(), {}, {"NM image", "--calibration"});
}

TEST(SuvRefusalTest, StoredSuvTypeProblems) {
  const SeriesHeader unknown = modified([](SeriesHeader& h) {
    h.units = tagged(std::string("GML"), "(0054,1001)");
    h.suv_type = tagged(std::string("XYZ"), "(0054,1006)");
  });
  expect_refusal<InvalidInputError>(unknown, dro_frame(), {}, {"SUVType (0054,1006) = 'XYZ'"});
  const SeriesHeader mismatch = modified([](SeriesHeader& h) {
    h.units = tagged(std::string("GML"), "(0054,1001)");
    h.suv_type = tagged(std::string("BSA"), "(0054,1006)");
  });
  expect_refusal<InvalidInputError>(mismatch, dro_frame(), {}, {"BSA goes with CM2ML"});
  const SeriesHeader no_decay = modified([](SeriesHeader& h) {
    h.units = tagged(std::string("GML"), "(0054,1001)");
    h.suv_type = tagged(std::string("BW"), "(0054,1006)");
    h.decay_correction = tagged(std::string("NONE"), "(0054,1102)");
  });
  expect_refusal<UnsupportedDataError>(no_decay, dro_frame(), normalised(SuvNormalization::kNone),
                                       {"DecayCorrection NONE"});
}

TEST(SuvRefusalTest, NotAttenuationCorrected) {
  const SeriesHeader without_attn = modified([](SeriesHeader& h) {
    h.corrected_image = {"NORM", "DECY", "SCAT"};
  });
  expect_refusal<UnsupportedDataError>(without_attn, dro_frame(), {},
                                       {"CorrectedImage (0028,0051) = NORM\\DECY\\SCAT",
                                        "lacks ATTN", "not activity concentrations"});
  const SeriesHeader nothing = modified([](SeriesHeader& h) { h.corrected_image.clear(); });
  expect_refusal<UnsupportedDataError>(nothing, dro_frame(), {},
                                       {"AttenuationCorrected (0018,9759)"});
  const SeriesHeader flag_no = modified([](SeriesHeader& h) {
    h.corrected_image.clear();
    h.attenuation_corrected_flag = tagged(std::string("NO"), "(0018,9759)");
  });
  expect_refusal<UnsupportedDataError>(flag_no, dro_frame(), {}, {"ATTN"});
}

TEST(SuvRefusalTest, RescaleIntercept) {
  Frame frame = dro_frame();
  frame.slices[2].rescale_intercept = 5.0;
  expect_refusal<InvalidInputError>(dro_header(), frame, {},
                                    {"RescaleIntercept (0028,1052) = 5", "plane 2",
                                     "pet_dro_slice_2.dcm", "--allow-rescale-intercept"});
  SuvOptions allowed;
  allowed.allow_rescale_intercept = true;
  const SuvPlan plan = plan_suv(dro_header(), frame, allowed);
  EXPECT_EQ(suv_test::audit_of(plan)["rescale"]["intercept"]["applied"], true);
  EXPECT_EQ(suv_test::audit_of(plan)["overrides"][0]["flag"], "--allow-rescale-intercept");
  allowed.strict = true;
  expect_refusal<InvalidInputError>(dro_header(), frame, allowed, {"--strict"});
}

TEST(SuvRefusalTest, DecayCorrectionMissingInvalidOrContradicted) {
  const SeriesHeader missing = modified([](SeriesHeader& h) { h.decay_correction = {}; });
  expect_refusal<MissingMetadataError>(
      missing, dro_frame(), {}, {"DecayCorrection (0054,1102) is missing", "--decay-correction"});
  const SeriesHeader unknown = modified(
      [](SeriesHeader& h) { h.decay_correction = tagged(std::string("LATER"), "(0054,1102)"); });
  expect_refusal<InvalidInputError>(unknown, dro_frame(), {}, {"'LATER'", "--decay-correction"});
  // START without DECY (§4.1): refused unless the user states the decay correction.
  const SeriesHeader no_decy = modified([](SeriesHeader& h) {
    h.corrected_image = {"NORM", "ATTN", "SCAT"};
  });
  expect_refusal<InvalidInputError>(
      no_decy, dro_frame(), {},
      {"DecayCorrection (0054,1102) = START", "lacks DECY", "--decay-correction"});
  SuvOptions stated;
  stated.overrides.decay_correction = "START";
  EXPECT_NO_THROW(plan_suv(no_decy, dro_frame(), stated));
  stated.overrides.decay_correction = "SOMETIMES";
  expect_refusal<InvalidInputError>(no_decy, dro_frame(), stated,
                                    {"--decay-correction 'SOMETIMES'"});
}

TEST(SuvRefusalTest, TrustDecayFactorWithoutAReading) {
  // NONE with DecayFactor 1.2: DecayFactor does not say to which time it corrected.
  const SeriesHeader none = modified([](SeriesHeader& h) {
    h.decay_correction = tagged(std::string("NONE"), "(0054,1102)");
    h.corrected_image = {"ATTN"};
  });
  Frame frame = dro_frame();
  for (SliceRecord& slice : frame.slices) slice.decay_factor = 1.2;
  SuvOptions trust;
  trust.trust_decay_factor = true;
  expect_refusal<InvalidInputError>(none, frame, trust,
                                    {"--trust-decay-factor", "--scan-reference-time"});
}

TEST(SuvRefusalTest, PatientWeight) {
  const SeriesHeader missing = modified([](SeriesHeader& h) { h.patient_weight_kg = {}; });
  expect_refusal<MissingMetadataError>(missing, dro_frame(), {},
                                       {"PatientWeight (0010,1030) is missing", "--weight KG"});
  const SeriesHeader zero =
      modified([](SeriesHeader& h) { h.patient_weight_kg = tagged(0.0, "(0010,1030)"); });
  expect_refusal<MissingMetadataError>(zero, dro_frame(), {}, {"is 0", "--weight"});
  const SeriesHeader tiny =
      modified([](SeriesHeader& h) { h.patient_weight_kg = tagged(0.5, "(0010,1030)"); });
  expect_refusal<InvalidInputError>(tiny, dro_frame(), {}, {"implausible", "--weight"});
  const SeriesHeader huge =
      modified([](SeriesHeader& h) { h.patient_weight_kg = tagged(500.0, "(0010,1030)"); });
  expect_refusal<InvalidInputError>(huge, dro_frame(), {}, {"implausible", "--weight"});
  // Grams: repaired (70 000 g = 70 kg), or refused in strict mode.
  const SeriesHeader grams =
      modified([](SeriesHeader& h) { h.patient_weight_kg = tagged(70000.0, "(0010,1030)"); });
  const SuvPlan repaired = plan_suv(grams, dro_frame(), {});
  EXPECT_NEAR(repaired.factor_per_slice[0], 2.777781e-4, 1e-9);
  EXPECT_EQ(suv_test::audit_of(repaired)["repairs"][0]["field"], "PatientWeight (0010,1030)");
  SuvOptions strict;
  strict.strict = true;
  expect_refusal<InvalidInputError>(grams, dro_frame(), strict, {"grams", "strict", "--weight"});
  SuvOptions silly;
  silly.overrides.weight_kg = 1200.0;
  expect_refusal<InvalidInputError>(dro_header(), dro_frame(), silly, {"--weight 1200"});
  // Not needed for SUVibw from Bq/mL (height and sex are).
  EXPECT_NO_THROW(plan_suv(missing, dro_frame(), normalised(SuvNormalization::kIdealBodyWeight)));
}

TEST(SuvRefusalTest, PatientHeightOnlyWhereNeeded) {
  const SeriesHeader missing = modified([](SeriesHeader& h) { h.patient_size_m = {}; });
  EXPECT_NO_THROW(plan_suv(missing, dro_frame(), {}));  // SUVbw does not need it
  for (const SuvNormalization normalization :
       {SuvNormalization::kLeanBodyMassJanmahasatian, SuvNormalization::kBodySurfaceArea,
        SuvNormalization::kIdealBodyWeight}) {
    expect_refusal<MissingMetadataError>(missing, dro_frame(), normalised(normalization),
                                         {"PatientSize (0010,1020) is missing", "--height M"});
  }
  const SeriesHeader centimetres =
      modified([](SeriesHeader& h) { h.patient_size_m = tagged(175.0, "(0010,1020)"); });
  const SuvPlan repaired =
      plan_suv(centimetres, dro_frame(), normalised(SuvNormalization::kIdealBodyWeight));
  EXPECT_NEAR(repaired.factor_per_slice[0], 2.777781e-4 * 69.405 / 70.0, 1e-9);
  SuvOptions strict = normalised(SuvNormalization::kIdealBodyWeight);
  strict.strict = true;
  expect_refusal<InvalidInputError>(centimetres, dro_frame(), strict, {"centimetres", "--height"});
  const SeriesHeader short_patient =
      modified([](SeriesHeader& h) { h.patient_size_m = tagged(0.3, "(0010,1020)"); });
  expect_refusal<InvalidInputError>(short_patient, dro_frame(),
                                    normalised(SuvNormalization::kBodySurfaceArea),
                                    {"implausible", "--height"});
}

TEST(SuvRefusalTest, PatientSexOnlyForLeanAndIdealWeight) {
  const SeriesHeader missing = modified([](SeriesHeader& h) { h.patient_sex = {}; });
  EXPECT_NO_THROW(plan_suv(missing, dro_frame(), normalised(SuvNormalization::kBodySurfaceArea)));
  expect_refusal<MissingMetadataError>(missing, dro_frame(),
                                       normalised(SuvNormalization::kLeanBodyMassJames128),
                                       {"PatientSex (0010,0040) is missing", "--sex M|F|O"});
  const SeriesHeader odd =
      modified([](SeriesHeader& h) { h.patient_sex = tagged(std::string("X"), "(0010,0040)"); });
  expect_refusal<InvalidInputError>(
      odd, dro_frame(), normalised(SuvNormalization::kIdealBodyWeight), {"'X'", "--sex"});
}

TEST(SuvRefusalTest, AdministeredActivity) {
  const SeriesHeader missing =
      modified([](SeriesHeader& h) { h.radiopharmaceutical.total_dose = {}; });
  expect_refusal<MissingMetadataError>(
      missing, dro_frame(), {}, {"RadionuclideTotalDose (0018,1074) is missing", "--dose BQ"});
  const SeriesHeader megabecquerel = modified(
      [](SeriesHeader& h) { h.radiopharmaceutical.total_dose = tagged(368.08, "(0018,1074)"); });
  SuvOptions strict;
  strict.strict = true;
  expect_refusal<InvalidInputError>(megabecquerel, dro_frame(), strict, {"MBq", "--dose"});
  SuvOptions residual;
  residual.overrides.residual_dose_bq = 4e8;
  expect_refusal<InvalidInputError>(dro_header(), dro_frame(), residual,
                                    {"--residual-dose", "not smaller"});
}

TEST(SuvRefusalTest, AdministrationTime) {
  const SeriesHeader missing = modified([](SeriesHeader& h) {
    h.radiopharmaceutical.start_datetime = {};
    h.radiopharmaceutical.start_time = {};
  });
  expect_refusal<MissingMetadataError>(missing, dro_frame(), {},
                                       {"(0018,1078)", "(0018,1072)", "--injection-time"});
  // ADMIN does not need it for the SUV.
  SeriesHeader admin = missing;
  admin.decay_correction = tagged(std::string("ADMIN"), "(0054,1102)");
  EXPECT_NO_THROW(plan_suv(admin, dro_frame(), {}));
  // Injection after the reference time: a negative interval.
  const SeriesHeader late = modified([](SeriesHeader& h) {
    h.radiopharmaceutical.start_datetime = tagged(std::string("20250101113000"), "(0018,1078)");
  });
  expect_refusal<InvalidInputError>(late, dro_frame(), {}, {"negative", "--injection-time"});
}

TEST(SuvRefusalTest, LongLivedNuclidesNeedFullDateTimes) {
  // Zr-89 (T½ 282 276 s ≥ 41 400 s) with only a TM administration time.
  const SeriesHeader time_only = modified([](SeriesHeader& h) {
    RadiopharmaceuticalInfo& info = h.radiopharmaceutical;
    info.start_datetime = {};
    info.half_life_s = tagged(282276.0, "(0018,1075)");
    info.radionuclide_code = tagged(std::string("C-168A4"), "(0054,0300)");
    info.radionuclide_meaning = tagged(std::string("^89^Zirconium"), "(0054,0300)");
  });
  expect_refusal<MissingMetadataError>(time_only, dro_frame(), {},
                                       {"(0018,1072)", "11.5 h", "--injection-time"});
  // A full administration date-time but no AcquisitionDate.
  SeriesHeader datetime = time_only;
  datetime.radiopharmaceutical.start_datetime =
      tagged(std::string("20250101100000"), "(0018,1078)");
  Frame undated = dro_frame();
  for (SliceRecord& slice : undated.slices) slice.acquisition_date.clear();
  expect_refusal<MissingMetadataError>(datetime, undated, {},
                                       {"AcquisitionDate (0008,0022)", "--injection-time"});
  EXPECT_NO_THROW(plan_suv(datetime, dro_frame(), {}));
  // The override supplies a full date-time.
  SuvOptions given;
  given.overrides.injection_time = make_datetime(2025, 1, 1, 10, 0, 0);
  EXPECT_NO_THROW(plan_suv(time_only, dro_frame(), given));
}

TEST(SuvRefusalTest, HalfLifeIsNeverSilentlyFluorine18) {
  const SeriesHeader unknown = modified([](SeriesHeader& h) {
    RadiopharmaceuticalInfo& info = h.radiopharmaceutical;
    info.half_life_s = {};
    info.radionuclide_code = {};
    info.radionuclide_meaning = {};
    info.radiopharmaceutical = tagged(std::string("FDG"), "(0018,0031)");
  });
  expect_refusal<MissingMetadataError>(unknown, dro_frame(), {},
                                       {"RadionuclideHalfLife (0018,1075)", "--half-life S"});
  SuvOptions negative;
  negative.overrides.half_life_s = -1.0;
  expect_refusal<InvalidInputError>(dro_header(), dro_frame(), negative, {"--half-life"});
}

TEST(SuvRefusalTest, ReferenceTimeCannotBeDetermined) {
  // SeriesTime later than the acquisitions, no GE time, no FrameReferenceTime: R3 impossible.
  const SeriesHeader later = modified([](SeriesHeader& h) { h.series_time = "120000"; });
  Frame frame = dro_frame();
  for (SliceRecord& slice : frame.slices) slice.frame_reference_time_ms.reset();
  expect_refusal<MissingMetadataError>(
      later, frame, {},
      {"FrameReferenceTime (0054,1300)", "--scan-reference-time", "--allow-earliest-acquisition"});
}

TEST(SuvRefusalTest, EmptyFrame) {
  Frame frame;
  EXPECT_THROW(plan_suv(dro_header(), frame, {}), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
