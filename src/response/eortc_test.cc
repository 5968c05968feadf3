// EORTC 1999 with hand-computed numbers (clinical-context.md §6.2), at each threshold and one
// step of the comparison precision (0.01 %) on either side.
#include <gtest/gtest.h>

#include "oncotrace/response.h"
#include "response/response_test_support.h"

namespace oncotrace {
namespace {

using namespace response_test;  // NOLINT(google-build-using-namespace): test builders

ResponseAssessment one_lesion(double before, double after, std::optional<int> cycles,
                              const ResponseOptions& options = {}) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("L1", before)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.cycles_completed = cycles;
  follow_up.lesions = {suv_lesion("L1", after)};
  return assess_eortc(baseline, follow_up, options);
}

TEST(Eortc, AfterOneCyclePmrFromFifteenPercent) {
  // 10 -> 8.5: -15 % ("a minimum of 15 %") -> PMR; 8.501: -14.99 % -> SMD.
  const ResponseAssessment at = one_lesion(10.0, 8.5, 1);
  EXPECT_EQ(at.category, "PMR");
  EXPECT_DOUBLE_EQ(*find_number(at, "target_percent_change")->compared, -15.0);
  EXPECT_EQ(find_lesion_row(at, "L1")->category, "PMR");
  EXPECT_EQ(one_lesion(10.0, 8.501, 1).category, "SMD");
  EXPECT_EQ(one_lesion(10.0, 8.499, 1).category, "PMR");
}

TEST(Eortc, OneCycleThresholdIsAnOptionWithAGap) {
  ResponseOptions options;
  options.eortc.pmr_one_cycle_percent = 20.0;
  // -18 %: no longer SMD (decrease >= 15 %) and not yet PMR (< 20 %).
  const ResponseAssessment gap = one_lesion(10.0, 8.2, 1, options);
  EXPECT_EQ(gap.category, "indeterminate");
  EXPECT_NE(gap.decided_by.find("gap between SMD"), std::string::npos);
  EXPECT_EQ(one_lesion(10.0, 8.0, 1, options).category, "PMR");  // -20 %
}

TEST(Eortc, AfterMoreCyclesPmrAboveTwentyFivePercent) {
  // 10 -> 7.5: -25 % is not "> 25 %" and not "decrease < 15 %" -> indeterminate.
  EXPECT_EQ(one_lesion(10.0, 7.5, 2).category, "indeterminate");
  EXPECT_EQ(one_lesion(10.0, 7.499, 2).category, "PMR");          // -25.01 %
  EXPECT_EQ(one_lesion(10.0, 8.5, 2).category, "indeterminate");  // -15 %: gap
  EXPECT_EQ(one_lesion(10.0, 8.501, 2).category, "SMD");          // -14.99 %
  EXPECT_EQ(one_lesion(10.0, 7.0, 4).category, "PMR");            // -30 %
}

TEST(Eortc, ProgressionAboveTwentyFivePercent) {
  // +25 % exactly: neither SMD (< 25 %) nor PMD (> 25 %) in the 1999 wording.
  const ResponseAssessment at = one_lesion(10.0, 12.5, 2);
  EXPECT_EQ(at.category, "indeterminate");
  EXPECT_NE(at.decided_by.find("exactly at +25.00 %"), std::string::npos);
  EXPECT_EQ(one_lesion(10.0, 12.501, 2).category, "PMD");  // +25.01 %
  EXPECT_EQ(one_lesion(10.0, 12.499, 2).category, "SMD");  // +24.99 %
}

TEST(Eortc, UnknownCyclesOnlyMatterForADecrease) {
  EXPECT_EQ(one_lesion(10.0, 7.0, std::nullopt).category, "not_evaluable");
  EXPECT_EQ(one_lesion(10.0, 11.0, std::nullopt).category, "SMD");
  EXPECT_EQ(one_lesion(10.0, 13.0, std::nullopt).category, "PMD");
  const ResponseAssessment first_cycle = one_lesion(10.0, 8.0, 0);
  EXPECT_EQ(first_cycle.category, "PMR");
  EXPECT_TRUE(any_contains(first_cycle.warnings, "during the first cycle"));
}

TEST(Eortc, NewLesionAndExtent) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("A", 10.0)};
  baseline.lesions[0].longest_diameter_mm = 20.0;
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {suv_lesion("A", 6.0)};
  follow_up.lesions[0].longest_diameter_mm = 24.0;  // +20 %: not "> 20 %"
  EXPECT_EQ(assess_eortc(baseline, follow_up).category, "PMR");
  follow_up.lesions[0].longest_diameter_mm = 24.002;  // +20.01 %
  const ResponseAssessment extent = assess_eortc(baseline, follow_up);
  EXPECT_EQ(extent.category, "PMD");
  EXPECT_NE(extent.decided_by.find("longest dimension"), std::string::npos);
  follow_up.lesions[0].longest_diameter_mm = 20.0;
  ResponseLesion fresh = suv_lesion("N", 4.0);
  fresh.is_new = true;
  follow_up.lesions.push_back(fresh);
  EXPECT_EQ(assess_eortc(baseline, follow_up).decided_by, "PMD: new FDG-avid lesion(s): N");
}

TEST(Eortc, CompleteResolution) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("A", 10.0), suv_lesion("B", 5.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  const ResponseAssessment a = assess_eortc(baseline, follow_up);
  EXPECT_EQ(a.category, "CMR");
  EXPECT_EQ(find_lesion_row(a, "B")->category, "CMR");
  ResponseOptions options;
  options.disappeared_lesions_resolved = false;
  EXPECT_EQ(assess_eortc(baseline, follow_up, options).category, "not_evaluable");
}

// A: 10 -> 7.4 (-26 %), B: 5 -> 5.5 (+10 %). Hottest lesion: PMR after 2 cycles. Sum: 15 -> 12.9
// (-14 %): SMD.
TEST(Eortc, AggregationHottestLesionOrSum) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("A", 10.0), suv_lesion("B", 5.0, "liver")};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {suv_lesion("A", 7.4), suv_lesion("B", 5.5, "liver")};
  const ResponseAssessment hottest = assess_eortc(baseline, follow_up);
  EXPECT_EQ(hottest.category, "PMR");
  EXPECT_EQ(find_lesion_row(hottest, "B")->category, "SMD");
  ResponseOptions options;
  options.eortc.aggregation = EortcAggregation::kSumOfTargets;
  const ResponseAssessment sum = assess_eortc(baseline, follow_up, options);
  EXPECT_EQ(sum.category, "SMD");
  EXPECT_DOUBLE_EQ(*find_number(sum, "sum_baseline")->value, 15.0);
  EXPECT_DOUBLE_EQ(*find_number(sum, "sum_follow_up")->value, 12.9);
  EXPECT_DOUBLE_EQ(*find_number(sum, "sum_percent_change")->compared, -14.0);
}

TEST(Eortc, AnyProgressingLesionIsPatientProgression) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("A", 10.0), suv_lesion("B", 4.0, "liver")};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {suv_lesion("A", 5.0), suv_lesion("B", 5.2, "liver")};  // B +30 %
  const ResponseAssessment a = assess_eortc(baseline, follow_up);
  EXPECT_EQ(a.category, "PMD");
  EXPECT_EQ(find_lesion_row(a, "A")->category, "PMR");
  EXPECT_EQ(find_lesion_row(a, "B")->category, "PMD");
}

TEST(Eortc, SuvMeanOption) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("A", 10.0)};
  baseline.lesions[0].suv_mean = 6.0;
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {suv_lesion("A", 9.0)};  // SUVmax -10 %: SMD
  follow_up.lesions[0].suv_mean = 4.2;         // SUVmean -30 %: PMR
  EXPECT_EQ(assess_eortc(baseline, follow_up).category, "SMD");
  ResponseOptions options;
  options.eortc.quantity = EortcQuantity::kSuvMean;
  const ResponseAssessment a = assess_eortc(baseline, follow_up, options);
  EXPECT_EQ(a.category, "PMR");
  EXPECT_EQ(find_lesion_row(a, "A")->quantity, "SUVmean");
  EXPECT_TRUE(any_contains(a.unverified, "body surface area"));
}

}  // namespace
}  // namespace oncotrace
