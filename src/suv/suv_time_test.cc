#include "suv/suv_time.h"

#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "suv/suv_test_series.h"

namespace oncotrace::suv_detail {
namespace {

using suv_test::dro_frame;
using suv_test::dro_header;
using suv_test::tagged;

constexpr double kF18HalfLifeS = 6586.2;

ReferenceTime reference_for(const SeriesHeader& header, const Frame& frame,
                            const SuvOptions& options = {}) {
  PlanLog log("test");
  return decide_reference_time(header, plane_timings(header, frame), kF18HalfLifeS, options, log);
}

// Planes 0-1 acquired at `first`, planes 2-3 at `second`, with the given FrameReferenceTimes (ms)
// and 603 s frames, like DRO_3_2 and DRO_3_4.
Frame two_acquisitions(const std::string& first, double first_frt_ms, const std::string& second,
                       double second_frt_ms) {
  Frame frame = dro_frame(4);
  for (size_t k = 0; k < 4; ++k) {
    frame.slices[k].acquisition_time = k < 2 ? first : second;
    frame.slices[k].frame_reference_time_ms = k < 2 ? first_frt_ms : second_frt_ms;
    frame.slices[k].actual_frame_duration_ms = 603000.0;
  }
  return frame;
}

TEST(ReferenceTimeTest, R1WhenSeriesTimeIsNotAfterTheAcquisitions) {
  const ReferenceTime reference = reference_for(dro_header(), dro_frame());
  EXPECT_EQ(reference.rule, "R1 series time");
  EXPECT_EQ(reference.value, make_datetime(2025, 1, 1, 11, 0, 0));
  // Every candidate is written down: R3 = 11:00 + Tave(300 s) − 150 s = 10:59:59.605.
  EXPECT_EQ(reference.candidates["R1"], "2025-01-01T11:00:00");
  EXPECT_EQ(reference.candidates["R1_applicable"], true);
  EXPECT_EQ(reference.candidates["R4"], "2025-01-01T11:00:00");
  ASSERT_TRUE(reference.candidates["R3"].is_array());
  EXPECT_EQ(reference.candidates["R3"][0]["planes"], "0-3");
  EXPECT_EQ(std::string(reference.candidates["R3"][0]["value"]).substr(0, 23),
            "2025-01-01T10:59:59.605");
  EXPECT_TRUE(reference.candidates["R2"].is_null());
}

TEST(ReferenceTimeTest, Dro32UsesR3BecauseSeriesTimeIsLater) {
  // DRO_3_2: SeriesTime 11:30 after acquisitions 11:02:30 (FRT 450 s) and 11:05:00 (FRT 600 s);
  // T = 603 s, Tave = 299.906 s: both give 10:59:59.906 (pet-quantification.md §13).
  SeriesHeader header = dro_header();
  header.series_time = "113000.000000";
  const Frame frame = two_acquisitions("110230.000000", 450000.0, "110500.000000", 600000.0);
  const ReferenceTime reference = reference_for(header, frame);
  EXPECT_EQ(reference.rule, "R3 per-frame back-computation");
  EXPECT_NEAR(reference.value.seconds_since(make_datetime(2025, 1, 1, 10, 59, 59.906)), 0.0, 5e-4);
  EXPECT_EQ(reference.candidates["R1_applicable"], false);
  // Both halves give the same value, so the audit shows one group of planes.
  ASSERT_EQ(reference.candidates["R3"].size(), 1u);
  EXPECT_EQ(reference.candidates["R3"][0]["planes"], "0-3");
  EXPECT_LT(double(reference.candidates["R3_spread_s"]), 1e-3);
}

TEST(ReferenceTimeTest, Dro33TakesR1AndRecordsTheGeTime) {
  // DRO_3_3: SeriesTime 11:00, AcquisitionTime 11:30, GE (0009,100D) 11:00 without creator.
  SeriesHeader header = dro_header();
  header.manufacturer = "GE MEDICAL SYSTEMS";
  header.ge_scan_datetime =
      tagged(std::string("20250101110000.000000"), "(0009,100D) without private creator (lenient)");
  Frame frame = dro_frame();
  for (SliceRecord& slice : frame.slices) slice.acquisition_time = "113000.000000";
  const ReferenceTime reference = reference_for(header, frame);
  EXPECT_EQ(reference.rule, "R1 series time");
  EXPECT_EQ(reference.value, make_datetime(2025, 1, 1, 11, 0, 0));
  EXPECT_EQ(reference.candidates["R2"], "2025-01-01T11:00:00");
  EXPECT_EQ(reference.candidates["R2_source"], "(0009,100D) without private creator (lenient)");
}

TEST(ReferenceTimeTest, R2WhenSeriesTimeIsLaterAndGeTimeExists) {
  SeriesHeader header = dro_header();
  header.series_time = "113000";
  header.ge_scan_datetime = tagged(std::string("20250101110000"), "(0009,100D) via GEMS_PETD_01");
  const ReferenceTime reference = reference_for(header, dro_frame());
  EXPECT_EQ(reference.rule, "R2 GE scan date-time (0009,100D)");
  EXPECT_EQ(reference.value, make_datetime(2025, 1, 1, 11, 0, 0));
}

TEST(ReferenceTimeTest, R3DisagreementIsRefusedListingThePlanes) {
  // Series time later than acquisition, no GE time, and R3 disagreeing by 300 s.
  SeriesHeader header = dro_header();
  header.series_time = "120000";
  const Frame frame = two_acquisitions("110000", 150000.0, "110500", 150000.0);
  try {
    reference_for(header, frame);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("planes 0-1"), std::string::npos) << message;
    EXPECT_NE(message.find("planes 2-3"), std::string::npos) << message;
    EXPECT_NE(message.find("--scan-reference-time"), std::string::npos) << message;
  }
  // R4 only on request: then the earliest acquisition, with a warning.
  SuvOptions options;
  options.allow_earliest_acquisition_rule = true;
  PlanLog log("test");
  const ReferenceTime reference =
      decide_reference_time(header, plane_timings(header, frame), kF18HalfLifeS, options, log);
  EXPECT_EQ(reference.rule, "R4 earliest acquisition time");
  EXPECT_EQ(reference.value, make_datetime(2025, 1, 1, 11, 0, 0));
  EXPECT_TRUE(suv_test::mentions(log.warnings(), "R4"));
}

TEST(ReferenceTimeTest, AgreementToleranceIsAnOption) {
  SeriesHeader header = dro_header();
  header.series_time = "120000";
  // R3 values 0.5 s apart: accepted with the default 1 s, refused with 0.1 s.
  const Frame frame = two_acquisitions("110230", 450000.0, "110500.5", 600000.0);
  EXPECT_EQ(reference_for(header, frame).rule, "R3 per-frame back-computation");
  SuvOptions strict_agreement;
  strict_agreement.reference_time_agreement_s = 0.1;
  EXPECT_THROW(reference_for(header, frame, strict_agreement), InvalidInputError);
}

TEST(ReferenceTimeTest, MissingR3InputsAreMissingMetadata) {
  SeriesHeader header = dro_header();
  header.series_time = "120000";
  Frame frame = dro_frame();
  frame.slices[2].frame_reference_time_ms.reset();
  try {
    reference_for(header, frame);
    FAIL() << "expected MissingMetadataError";
  } catch (const MissingMetadataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("FrameReferenceTime (0054,1300)"), std::string::npos) << message;
    EXPECT_NE(message.find("plane 2"), std::string::npos) << message;
    EXPECT_NE(message.find("--scan-reference-time"), std::string::npos) << message;
  }
}

TEST(ReferenceTimeTest, EnhancedOverrideAndSiemensCrossCheck) {
  SeriesHeader header = dro_header();
  header.decay_correction_datetime = tagged(std::string("20250101105500"), "(0018,9701)");
  header.siemens_decay_correction_datetime = tagged(std::string("20250101110000"), "(0071,1022)");
  PlanLog log("test");
  const Frame frame = dro_frame();
  const ReferenceTime enhanced =
      decide_reference_time(header, plane_timings(header, frame), kF18HalfLifeS, {}, log);
  EXPECT_EQ(enhanced.rule, "Enhanced PET DecayCorrectionDateTime (0018,9701)");
  EXPECT_EQ(enhanced.value, make_datetime(2025, 1, 1, 10, 55, 0));
  EXPECT_TRUE(suv_test::mentions(log.warnings(), "(0071,1022)"));  // 5 min apart

  SuvOptions options;
  options.overrides.scan_reference_time = make_datetime(2025, 1, 1, 10, 58, 0);
  PlanLog override_log("test");
  const ReferenceTime overridden = decide_reference_time(header, plane_timings(header, frame),
                                                         kF18HalfLifeS, options, override_log);
  EXPECT_EQ(overridden.rule, "override --scan-reference-time");
  EXPECT_EQ(overridden.value, make_datetime(2025, 1, 1, 10, 58, 0));
  ASSERT_EQ(override_log.overrides().size(), 1u);
  EXPECT_EQ(override_log.overrides()[0]["replaced_header_value"], "2025-01-01T10:55:00");
}

TEST(AdministrationTimeTest, PrefersTheDateTime) {
  PlanLog log("test");
  const auto time = find_administration_time(dro_header(), {}, std::nullopt, log);
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->value, make_datetime(2025, 1, 1, 10, 0, 0));
  EXPECT_EQ(time->source, "(0018,1078) RadiopharmaceuticalStartDateTime");
  EXPECT_TRUE(time->full_datetime);
}

TEST(AdministrationTimeTest, TimeOnlyTakesTheSeriesDate) {
  // DRO_4_1: only (0018,1072).
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = {};
  PlanLog log("test");
  const auto time = find_administration_time(header, {}, make_datetime(2025, 1, 1, 11, 0, 0), log);
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->value, make_datetime(2025, 1, 1, 10, 0, 0));
  EXPECT_FALSE(time->full_datetime);
  EXPECT_FALSE(time->midnight_rollover);
  EXPECT_NE(time->source.find("SeriesDate"), std::string::npos);
}

TEST(AdministrationTimeTest, Dro42MidnightRollover) {
  // DRO_4_2: injection TM 23:30, SeriesDate 2025-01-02, scan 00:30: naively −82 800 s, with the
  // rollover the injection is 2025-01-01 23:30 and the interval 3600 s.
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = tagged(std::string("233000.000000"), "(0018,1072)");
  header.series_date = "20250102";
  header.series_time = "003000.000000";
  PlanLog log("test");
  const DateTime scan = make_datetime(2025, 1, 2, 0, 30, 0);
  const auto time = find_administration_time(header, {}, scan, log);
  ASSERT_TRUE(time.has_value());
  EXPECT_TRUE(time->midnight_rollover);
  EXPECT_DOUBLE_EQ(scan.seconds_since(time->value), 3600.0);
}

TEST(AdministrationTimeTest, NoRolloverForAClockSlipOfMinutes) {
  // Injection 30 min "after" the scan stays negative (refused later), not 23.5 h earlier.
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = tagged(std::string("113000"), "(0018,1072)");
  PlanLog log("test");
  const DateTime scan = make_datetime(2025, 1, 1, 11, 0, 0);
  const auto time = find_administration_time(header, {}, scan, log);
  ASSERT_TRUE(time.has_value());
  EXPECT_FALSE(time->midnight_rollover);
  EXPECT_DOUBLE_EQ(scan.seconds_since(time->value), -1800.0);
}

TEST(AdministrationTimeTest, GeFallbackAndOverride) {
  SeriesHeader header = dro_header();
  header.radiopharmaceutical.start_datetime = {};
  header.radiopharmaceutical.start_time = {};
  PlanLog log("test");
  EXPECT_FALSE(find_administration_time(header, {}, std::nullopt, log).has_value());
  header.ge_administration_datetime = tagged(std::string("20250101095500"), "(0009,103B) via GEMS");
  const auto ge = find_administration_time(header, {}, std::nullopt, log);
  ASSERT_TRUE(ge.has_value());
  EXPECT_EQ(ge->value, make_datetime(2025, 1, 1, 9, 55, 0));
  EXPECT_EQ(ge->source, "(0009,103B) via GEMS");
  SuvOverrides overrides;
  overrides.injection_time = make_datetime(2025, 1, 1, 9, 50, 0);
  const auto given = find_administration_time(header, overrides, std::nullopt, log);
  EXPECT_EQ(given->source, "override --injection-time");
  EXPECT_EQ(log.overrides().size(), 1u);
}

TEST(PlaneTimingTest, BorrowsTheSeriesDateAndRecordsIt) {
  SeriesHeader header = dro_header();
  Frame frame = dro_frame(2);
  frame.slices[1].acquisition_date.clear();
  const std::vector<PlaneTiming> planes = plane_timings(header, frame);
  EXPECT_TRUE(planes[0].acquisition_has_own_date);
  EXPECT_FALSE(planes[1].acquisition_has_own_date);
  EXPECT_EQ(planes[1].acquisition, make_datetime(2025, 1, 1, 11, 0, 0));
  EXPECT_DOUBLE_EQ(*planes[0].duration_s, 300.0);
  EXPECT_DOUBLE_EQ(*planes[0].frame_reference_s, 150.0);
}

}  // namespace
}  // namespace oncotrace::suv_detail
