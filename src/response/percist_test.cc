// PERCIST 1.0 with hand-computed numbers (clinical-context.md §6.1): every threshold is tested
// exactly at the boundary and one step of the comparison precision on either side.
#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/response.h"
#include "response/response_test_support.h"

namespace oncotrace {
namespace {

using namespace response_test;  // NOLINT(google-build-using-namespace): test builders

// Baseline with one bone lesion; liver SULmean 1.0, SD 0.1 -> threshold 1.5 + 0.2 = 1.7.
ResponseAssessment one_lesion(double before, double after, const ResponseOptions& options = {}) {
  ResponseTimepoint baseline = fdg_timepoint("baseline", 1.0, 0.1);
  baseline.lesions = {sul_lesion("L1", before)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up", 1.0, 0.1);
  follow_up.lesions = {sul_lesion("L1", after)};
  return assess_percist(baseline, follow_up, options);
}

TEST(Comparison, RoundsBothSidesBeforeComparing) {
  // (2.31 - 3.3) / 3.3 x 100 is -29.999999999999993 in double arithmetic.
  const double change = *percent_change(3.3, 2.31);
  EXPECT_NE(change, -30.0);
  EXPECT_EQ(compare_at_decimals(change, -30.0, 2), 0);
  EXPECT_EQ(compare_at_decimals(-29.995, -30.0, 2), 0);  // rounds half away from zero
  EXPECT_EQ(compare_at_decimals(-29.994, -30.0, 2), 1);
  EXPECT_EQ(compare_at_decimals(-30.006, -30.0, 2), -1);
  EXPECT_DOUBLE_EQ(round_to_decimals(-30.000000000000004, 2), -30.0);
  EXPECT_DOUBLE_EQ(round_to_decimals(0.7999999999999998, 3), 0.8);
  EXPECT_EQ(compare_at_decimals(1e20, 2e20, 3), -1);  // beyond the range of a 64-bit integer
  EXPECT_FALSE(percent_change(0.0, 1.0).has_value());
  EXPECT_DOUBLE_EQ(*percent_change(10.0, 7.0), -30.0);
}

// 1.5 x 2.1 + 2 x 0.3 is 3.7500000000000004 in double arithmetic: a lesion at exactly 3.75 is
// measurable only because both sides are compared at 0.001.
TEST(Percist, MeasurabilityAtTheLiverThreshold) {
  auto run = [](double sul_peak, ComparisonOperator op) {
    ResponseOptions options;
    options.percist.measurability_operator = op;
    ResponseTimepoint baseline = fdg_timepoint("baseline", 2.1, 0.3);
    baseline.lesions = {sul_lesion("L1", sul_peak)};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up", 2.1, 0.3);
    follow_up.lesions = {sul_lesion("L1", sul_peak)};
    return assess_percist(baseline, follow_up, options);
  };
  const ResponseAssessment at = run(3.75, ComparisonOperator::kAtLeast);
  EXPECT_EQ(at.category, "SMD");
  EXPECT_DOUBLE_EQ(*find_number(at, "measurability_threshold")->compared, 3.75);
  EXPECT_TRUE(*find_check(at, "measurable_disease_at_baseline")->passed);
  EXPECT_TRUE(has_role(find_lesion_row(at, "L1"), "baseline_target"));
  EXPECT_EQ(run(3.749, ComparisonOperator::kAtLeast).category, "not_evaluable");
  EXPECT_EQ(run(3.75, ComparisonOperator::kMoreThan).category, "not_evaluable");
  EXPECT_EQ(run(3.751, ComparisonOperator::kMoreThan).category, "SMD");
}

TEST(Percist, BloodPoolThresholdWhenNoLiver) {
  // Blood pool SULmean 1.5, SD 0.2: 2.0 x 1.5 + 2 x 0.2 = 3.4 (default) or 2.0 x 1.5 = 3.0.
  auto run = [](double sul_peak, BloodPoolThresholdRule rule) {
    ResponseOptions options;
    options.percist.blood_pool_rule = rule;
    ResponseTimepoint baseline = fdg_timepoint("baseline");
    baseline.liver_sul.reset();
    baseline.blood_pool_sul = ReferenceStatistics{1.5, 0.2};
    baseline.lesions = {sul_lesion("L1", sul_peak)};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up");
    follow_up.lesions = {sul_lesion("L1", sul_peak)};
    return assess_percist(baseline, follow_up, options);
  };
  const ResponseAssessment plus_sd = run(3.4, BloodPoolThresholdRule::kMeanPlusTwoSd);
  EXPECT_EQ(plus_sd.category, "SMD");
  EXPECT_DOUBLE_EQ(*find_number(plus_sd, "measurability_threshold")->value, 3.4);
  EXPECT_TRUE(any_contains(plus_sd.warnings, "threshold from the blood pool"));
  EXPECT_TRUE(plus_sd.unverified.empty());
  EXPECT_EQ(run(3.399, BloodPoolThresholdRule::kMeanPlusTwoSd).category, "not_evaluable");
  const ResponseAssessment mean_only = run(3.0, BloodPoolThresholdRule::kMeanOnly);
  EXPECT_EQ(mean_only.category, "SMD");
  EXPECT_TRUE(any_contains(mean_only.unverified, "without + 2 SD"));
  EXPECT_EQ(run(2.999, BloodPoolThresholdRule::kMeanOnly).category, "not_evaluable");
}

TEST(Percist, NoReferenceIsNotEvaluable) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.liver_sul.reset();
  baseline.blood_pool_sul.reset();
  baseline.lesions = {sul_lesion("L1", 10.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {sul_lesion("L1", 5.0)};
  const ResponseAssessment a = assess_percist(baseline, follow_up);
  EXPECT_EQ(a.category, "not_evaluable");
  EXPECT_NE(a.decided_by.find("no liver or blood-pool SUL reference"), std::string::npos);
}

TEST(Percist, PmrRelativeConditionAtThirtyPercent) {
  // 3.3 -> 2.31: -30.00 % (double: -29.999999999999993), -0.99 SUL.
  const ResponseAssessment at = one_lesion(3.3, 2.31);
  EXPECT_EQ(at.category, "PMR");
  EXPECT_DOUBLE_EQ(*find_number(at, "target_sul_peak_percent_change")->compared, -30.0);
  EXPECT_NEAR(*find_number(at, "target_sul_peak_change")->value, -0.99, 1e-12);
  // 3.3 -> 2.3105: -29.98 % -> SMD.
  EXPECT_EQ(one_lesion(3.3, 2.3105).category, "SMD");
  // 10 -> 6.999: -30.01 % -> PMR.
  EXPECT_EQ(one_lesion(10.0, 6.999).category, "PMR");
  // "> 30 %" reading: exactly -30 % is not enough; -30.01 % is.
  ResponseOptions strict;
  strict.percist.pmr_operator = ComparisonOperator::kMoreThan;
  EXPECT_EQ(one_lesion(3.3, 2.31, strict).category, "SMD");
  EXPECT_EQ(one_lesion(10.0, 6.999, strict).category, "PMR");
}

TEST(Percist, PmrAbsoluteConditionAtPointEightSul) {
  // 2.0 -> 1.2: -40 % and -0.8 SUL (the reference's example) -> PMR; 1.201 -> -0.799 -> SMD.
  EXPECT_EQ(one_lesion(2.0, 1.2).category, "PMR");
  EXPECT_EQ(one_lesion(2.0, 1.201).category, "SMD");
  // 2.6 -> 1.8: -30.77 %, -0.8 SUL -> PMR; ">" reading: SMD.
  EXPECT_EQ(one_lesion(2.6, 1.8).category, "PMR");
  ResponseOptions strict;
  strict.percist.pmr_operator = ComparisonOperator::kMoreThan;
  EXPECT_EQ(one_lesion(2.6, 1.8, strict).category, "SMD");
  EXPECT_EQ(one_lesion(2.6, 1.799, strict).category, "PMR");
}

TEST(Percist, PmdByTargetIncrease) {
  // 10 -> 13: +30 % exactly, +3 SUL: not "> 30 %" -> SMD; 13.001 -> +30.01 % -> PMD.
  EXPECT_EQ(one_lesion(10.0, 13.0).category, "SMD");
  const ResponseAssessment pmd = one_lesion(10.0, 13.001);
  EXPECT_EQ(pmd.category, "PMD");
  EXPECT_EQ(pmd.decided_by.rfind("PMD (a)", 0), 0u);
  // 2.0 -> 2.8: +40 %, +0.8 SUL exactly (double: 0.7999999999999998): not "> 0.8" -> SMD.
  EXPECT_EQ(one_lesion(2.0, 2.8).category, "SMD");
  EXPECT_EQ(one_lesion(2.0, 2.801).category, "PMD");
  ResponseOptions inclusive;
  inclusive.percist.pmd_operator = ComparisonOperator::kAtLeast;
  EXPECT_EQ(one_lesion(10.0, 13.0, inclusive).category, "PMD");
  EXPECT_EQ(one_lesion(2.0, 2.8, inclusive).category, "PMD");
  EXPECT_EQ(one_lesion(2.0, 2.799, inclusive).category, "SMD");
}

// Six measurable lesions (SULpeak 10..5, TLG 20 each; F has TLG 1000 but is the 6th most active):
// TLG of the 5 most active = 100 at baseline. Follow-up TLG 35 each -> 175: +75 % exactly.
ResponseAssessment tlg_case(double follow_tlg_each, double follow_target) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  const char* ids[] = {"A", "B", "C", "D", "E", "F"};
  const char* organs[] = {"bone", "bone", "liver", "liver", "lung", "lung"};
  for (int n = 0; n < 6; ++n) {
    ResponseLesion before = sul_lesion(ids[n], 10.0 - n, organs[n]);
    before.tlg_sul_g = n == 5 ? 1000.0 : 20.0;
    before.tlg_g = 1.0;
    baseline.lesions.push_back(before);
    ResponseLesion after = sul_lesion(ids[n], n == 0 ? follow_target : 10.0 - n, organs[n]);
    after.tlg_sul_g = n == 5 ? 5000.0 : follow_tlg_each;
    after.tlg_g = 1.0;
    follow_up.lesions.push_back(after);
  }
  return assess_percist(baseline, follow_up);
}

TEST(Percist, PmdByTlgOfTheFiveMostActiveLesions) {
  const ResponseAssessment at = tlg_case(35.0, 10.0);
  EXPECT_EQ(at.category, "SMD");
  EXPECT_DOUBLE_EQ(*find_number(at, "tlg_baseline")->value, 100.0);
  EXPECT_DOUBLE_EQ(*find_number(at, "tlg_follow_up")->value, 175.0);
  EXPECT_DOUBLE_EQ(*find_number(at, "tlg_percent_change")->compared, 75.0);
  EXPECT_FALSE(has_role(find_lesion_row(at, "F"), "tlg_baseline"));
  EXPECT_NE(find_number(at, "tlg_baseline")->unit.find("SUL"), std::string::npos);
  // 35.0025 each -> 175.0125: +75.01 % -> PMD (b).
  const ResponseAssessment above = tlg_case(35.0025, 10.0);
  EXPECT_EQ(above.category, "PMD");
  EXPECT_EQ(above.decided_by.rfind("PMD (b)", 0), 0u);
  // Same TLG rise but the target SULpeak declined (10 -> 9.99): no PMD (b).
  EXPECT_EQ(tlg_case(40.0, 9.99).category, "SMD");
}

TEST(Percist, SecondarySumUpToFiveAtMostTwoPerOrgan) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  const std::pair<const char*, const char*> lesions[] = {
      {"liver1", "liver"}, {"liver2", "liver"}, {"liver3", "liver"}, {"bone1", "bone"},
      {"bone2", "bone"},   {"bone3", "bone"},   {"lung1", "lung"}};
  double value = 10.0;
  for (const auto& [id, organ] : lesions) {
    baseline.lesions.push_back(sul_lesion(id, value, organ));
    follow_up.lesions.push_back(sul_lesion(id, value / 2.0, organ));
    value -= 1.0;  // 10, 9, 8, 7, 6, 5, 4
  }
  const ResponseAssessment a = assess_percist(baseline, follow_up);
  // liver1 10 + liver2 9 + bone1 7 + bone2 6 + lung1 4 = 36; follow-up halves: 18.
  EXPECT_DOUBLE_EQ(*find_number(a, "sum_sul_peak_baseline")->value, 36.0);
  EXPECT_DOUBLE_EQ(*find_number(a, "sum_sul_peak_follow_up")->value, 18.0);
  EXPECT_DOUBLE_EQ(*find_number(a, "sum_sul_peak_percent_change")->value, -50.0);
  EXPECT_FALSE(has_role(find_lesion_row(a, "liver3"), "sum_target_baseline"));
  EXPECT_TRUE(has_role(find_lesion_row(a, "lung1"), "sum_target_baseline"));
  // Primary analysis: hottest lesion 10 -> 5: -50 %, -5 SUL -> PMR.
  EXPECT_EQ(a.category, "PMR");
}

TEST(Percist, FollowUpTargetNeedNotBeTheBaselineTarget) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0), sul_lesion("B", 6.0, "liver")};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {sul_lesion("A", 4.0), sul_lesion("B", 7.5, "liver")};
  const ResponseAssessment a = assess_percist(baseline, follow_up);
  // Hottest 10 (A) -> hottest 7.5 (B): -25 % -> not PMR; B +25 % is not > 30 %.
  EXPECT_EQ(a.category, "SMD");
  EXPECT_TRUE(has_role(find_lesion_row(a, "A"), "baseline_target"));
  EXPECT_TRUE(has_role(find_lesion_row(a, "B"), "follow_up_target"));
  EXPECT_DOUBLE_EQ(*find_number(a, "target_sul_peak_percent_change")->value, -25.0);
}

TEST(Percist, PmrNeedsNoOtherLesionRisingMoreThanThirtyPercent) {
  auto run = [](double other_after) {
    ResponseTimepoint baseline = fdg_timepoint("baseline");
    baseline.lesions = {sul_lesion("A", 10.0), sul_lesion("B", 5.0, "liver")};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up");
    follow_up.lesions = {sul_lesion("A", 5.0), sul_lesion("B", other_after, "liver")};
    return assess_percist(baseline, follow_up);
  };
  EXPECT_EQ(run(6.5).category, "PMR");            // B +30 % exactly: not "> 30 %"
  const ResponseAssessment blocked = run(6.501);  // B +30.02 %
  EXPECT_EQ(blocked.category, "SMD");
  EXPECT_NE(blocked.decided_by.find("B (+30.02 %)"), std::string::npos);
}

TEST(Percist, NewLesionIsProgressionWhateverTheTarget) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  ResponseLesion fresh = sul_lesion("N1", 2.5, "liver");
  fresh.is_new = true;
  follow_up.lesions = {sul_lesion("A", 2.0), fresh};
  const ResponseAssessment a = assess_percist(baseline, follow_up);
  EXPECT_EQ(a.category, "PMD");
  EXPECT_EQ(a.decided_by, "PMD (c): new FDG-avid lesion(s) at follow-up: N1");
  EXPECT_EQ(find_lesion_row(a, "N1")->status, "new");
}

TEST(Percist, NonTargetProgressionByTheReader) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {sul_lesion("A", 5.0)};
  follow_up.nontarget_unequivocal_progression = true;
  EXPECT_EQ(assess_percist(baseline, follow_up).decided_by.rfind("PMD (d)", 0), 0u);
}

// Follow-up liver SULmean 2.0, blood pool 1.6 + 2 x 0.2 = 2.0: the hottest lesion must be <= 2.0.
ResponseAssessment cmr_case(double hottest_after, bool resolved_option = true) {
  ResponseOptions options;
  options.disappeared_lesions_resolved = resolved_option;
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0), sul_lesion("B", 6.0, "liver")};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.blood_pool_sul = ReferenceStatistics{1.6, 0.2};
  follow_up.lesions = {sul_lesion("A", hottest_after)};  // B disappeared
  return assess_percist(baseline, follow_up, options);
}

TEST(Percist, CompleteMetabolicResponse) {
  const ResponseAssessment cmr = cmr_case(2.0);
  EXPECT_EQ(cmr.category, "CMR");
  EXPECT_NE(cmr.decided_by.find("resolved (absent at follow-up): B"), std::string::npos);
  EXPECT_EQ(find_lesion_row(cmr, "B")->status, "disappeared");
  // 2.001 is above the liver mean: not CMR; 10 -> 2.001 is -79.99 % -> PMR.
  EXPECT_EQ(cmr_case(2.001).category, "PMR");
  // Lesions absent at follow-up not accepted as resolved: CMR cannot be established.
  const ResponseAssessment strict = cmr_case(2.0, false);
  EXPECT_EQ(strict.category, "PMR");
  EXPECT_TRUE(any_contains(strict.warnings, "CMR could not be assessed"));
}

// Follow-up liver SULmean 2.5 above the blood-pool level 1.6 + 2 x 0.2 = 2.0: the blood pool
// decides.
TEST(Percist, CmrAtTheBloodPoolLevel) {
  auto run = [](double after) {
    ResponseTimepoint baseline = fdg_timepoint("baseline", 2.5, 0.2);
    baseline.lesions = {sul_lesion("A", 10.0)};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up", 2.5, 0.2);
    follow_up.lesions = {sul_lesion("A", after)};
    return assess_percist(baseline, follow_up);
  };
  const ResponseAssessment at = run(2.0);
  EXPECT_EQ(at.category, "CMR");
  EXPECT_DOUBLE_EQ(*find_number(at, "cmr_blood_pool_level")->compared, 2.0);
  EXPECT_EQ(run(2.001).category, "PMR");  // below the liver mean, above the blood-pool level
}

TEST(Percist, CmrWhenNoLesionRemains) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.blood_pool_sul.reset();
  const ResponseAssessment a = assess_percist(baseline, follow_up);
  EXPECT_EQ(a.category, "CMR");
  EXPECT_TRUE(any_contains(a.warnings, "no blood-pool SUL reference at follow-up"));
  ResponseOptions options;
  options.disappeared_lesions_resolved = false;
  EXPECT_EQ(assess_percist(baseline, follow_up, options).category, "not_evaluable");
}

// PERCIST comparability: liver SULmean within +/-20 % (inclusive) and |change| < 0.3 SUL.
TEST(Percist, LiverChangeTooLargeIsWarnedNotHidden) {
  auto run = [](double liver_before, double liver_after) {
    ResponseTimepoint baseline = fdg_timepoint("baseline", liver_before, 0.1);
    baseline.lesions = {sul_lesion("A", 10.0)};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up", liver_after, 0.1);
    follow_up.lesions = {sul_lesion("A", 5.0)};
    return assess_percist(baseline, follow_up);
  };
  // 2.0 -> 2.4: +20 % (inside) but 0.4 SUL (not < 0.3): not comparable.
  const ResponseAssessment too_large = run(2.0, 2.4);
  EXPECT_FALSE(*find_check(too_large, "liver_reference_comparable")->passed);
  EXPECT_TRUE(any_contains(too_large.warnings, "scans not comparable by PERCIST (liver"));
  EXPECT_EQ(too_large.category, "PMR");  // the category is still given, with the warning
  EXPECT_DOUBLE_EQ(*find_number(too_large, "liver_sul_mean_percent_change")->compared, 20.0);
  // 1.0 -> 1.2: +20 % exactly, 0.2 SUL: comparable; 1.0 -> 1.201: +20.1 %: not.
  EXPECT_TRUE(*find_check(run(1.0, 1.2), "liver_reference_comparable")->passed);
  EXPECT_FALSE(*find_check(run(1.0, 1.201), "liver_reference_comparable")->passed);
  // 2.0 -> 2.3: 0.3 SUL exactly is not < 0.3; 2.299 is.
  EXPECT_FALSE(*find_check(run(2.0, 2.3), "liver_reference_comparable")->passed);
  EXPECT_TRUE(*find_check(run(2.0, 2.299), "liver_reference_comparable")->passed);
  // 2.0 -> 1.6: -20 %, -0.4 SUL: not comparable.
  EXPECT_FALSE(*find_check(run(2.0, 1.6), "liver_reference_comparable")->passed);
}

TEST(Percist, UptakeTimeScannerAndReconstructionChecks) {
  auto run = [](double uptake_after, const std::string& scanner) {
    ResponseTimepoint baseline = fdg_timepoint("baseline");
    baseline.lesions = {sul_lesion("A", 10.0)};
    ResponseTimepoint follow_up = fdg_timepoint("follow-up");
    follow_up.uptake_time_min = uptake_after;
    follow_up.scanner = scanner;
    follow_up.lesions = {sul_lesion("A", 9.0)};
    return assess_percist(baseline, follow_up);
  };
  const ResponseAssessment same = run(74.999, "Vendor Model A");
  EXPECT_TRUE(*find_check(same, "uptake_time_comparable")->passed);
  EXPECT_TRUE(*find_check(same, "same_scanner")->passed);
  EXPECT_TRUE(*find_check(same, "same_reconstruction")->passed);
  EXPECT_TRUE(same.warnings.empty()) << same.warnings.front();
  const ResponseAssessment differ = run(75.0, "Vendor Model B");  // 15 min is not < 15
  EXPECT_FALSE(*find_check(differ, "uptake_time_comparable")->passed);
  EXPECT_FALSE(*find_check(differ, "same_scanner")->passed);
  EXPECT_TRUE(any_contains(differ.warnings, "uptake time"));
  EXPECT_TRUE(any_contains(differ.warnings, "same_scanner"));
  const ResponseAssessment unknown = run(60.0, "");
  EXPECT_FALSE(find_check(unknown, "same_scanner")->passed.has_value());
}

TEST(Percist, TiesAndInputOrderDoNotChangeTheResult) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("B", 8.0), sul_lesion("A", 8.0, "liver")};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {sul_lesion("B", 4.0), sul_lesion("A", 4.0, "liver")};
  const ResponseAssessment first = assess_percist(baseline, follow_up);
  std::reverse(baseline.lesions.begin(), baseline.lesions.end());
  std::reverse(follow_up.lesions.begin(), follow_up.lesions.end());
  const ResponseAssessment second = assess_percist(baseline, follow_up);
  EXPECT_TRUE(has_role(find_lesion_row(first, "A"), "baseline_target"));  // tie: smaller id
  EXPECT_EQ(response_assessment_json(first), response_assessment_json(second));
}

TEST(Percist, RejectsInvalidInput) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("A", 10.0), sul_lesion("A", 5.0)};
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  EXPECT_THROW(assess_percist(baseline, follow_up), InvalidInputError);
  baseline.lesions = {sul_lesion("A", 10.0)};
  baseline.lesions[0].is_new = true;
  EXPECT_THROW(assess_percist(baseline, follow_up), InvalidInputError);
  baseline.lesions = {sul_lesion("A", -1.0)};
  EXPECT_THROW(assess_percist(baseline, follow_up), InvalidInputError);
  baseline.lesions = {sul_lesion("A", 10.0)};
  baseline.liver_sul = ReferenceStatistics{0.0, 0.1};
  EXPECT_THROW(assess_percist(baseline, follow_up), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
