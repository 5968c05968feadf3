// TBCRC026, PHERGain and the Crippa 2015 FLT split point with hand-computed numbers
// (clinical-context.md §6.3, §6.4, §6.6), at each threshold and one precision step either side.
#include <gtest/gtest.h>

#include <cmath>

#include "oncotrace/error.h"
#include "oncotrace/response.h"
#include "response/response_test_support.h"

namespace oncotrace {
namespace {

using namespace response_test;  // NOLINT(google-build-using-namespace): test builders

ResponseLesion breast_sul(const std::string& id, double sul_max) {
  ResponseLesion lesion;
  lesion.id = id;
  lesion.organ = "breast";
  lesion.sul_max = sul_max;
  return lesion;
}

ResponseAssessment tbcrc026(double before, double after, const ResponseOptions& options = {}) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {breast_sul("P", before), sul_lesion("node", 3.0, "axillary_node")};
  baseline.lesions[1].sul_max = 20.0;  // hotter, but not a breast lesion
  ResponseTimepoint follow_up = fdg_timepoint("C1D15");
  follow_up.cycles_completed = 0;
  follow_up.cycle = 1;
  follow_up.cycle_day = 15;
  follow_up.lesions = {breast_sul("P", after)};
  return assess_tbcrc026(baseline, follow_up, options);
}

TEST(Tbcrc026, FortyPercentReductionRule) {
  // 10 -> 6: -40 % -> reduction >= 40 %; 6.001: -39.99 % -> < 40 %.
  const ResponseAssessment at = tbcrc026(10.0, 6.0);
  EXPECT_EQ(at.category, "reduction_ge_40");
  EXPECT_TRUE(*find_check(at, "tbcrc026_reduction_ge_40")->passed);
  EXPECT_DOUBLE_EQ(*find_number(at, "tbcrc026_delta_sulmax_pct")->value, -40.0);
  EXPECT_TRUE(has_role(find_lesion_row(at, "P"), "primary_tumour"));
  EXPECT_TRUE(*find_check(at, "timing")->passed);
  const ResponseAssessment below = tbcrc026(10.0, 6.001);
  EXPECT_EQ(below.category, "reduction_lt_40");
  EXPECT_NE(below.category_text.find("unlikely to achieve pCR"), std::string::npos);
  EXPECT_EQ(tbcrc026(10.0, 5.999).category, "reduction_ge_40");
}

TEST(Tbcrc026, C1d15SulmaxAtMostThree) {
  // 5 -> 3: -40 % and SULmax 3 <= 3; 5 -> 3.001: -39.98 % and 3.001 > 3.
  const ResponseAssessment at = tbcrc026(5.0, 3.0);
  EXPECT_EQ(at.category, "reduction_ge_40");
  EXPECT_TRUE(*find_check(at, "tbcrc026_c1d15_sulmax_le_3")->passed);
  const ResponseAssessment above = tbcrc026(5.0, 3.001);
  EXPECT_EQ(above.category, "reduction_lt_40");
  EXPECT_FALSE(*find_check(above, "tbcrc026_c1d15_sulmax_le_3")->passed);
  EXPECT_TRUE(*find_check(tbcrc026(4.0, 2.999), "tbcrc026_c1d15_sulmax_le_3")->passed);
}

TEST(Tbcrc026, ContextPopulationAndUnverifiedPpv) {
  const ResponseAssessment a = tbcrc026(10.0, 6.0);
  EXPECT_NE(a.status.find("criterion of study TBCRC026"), std::string::npos);
  EXPECT_TRUE(any_contains(a.context, "NPV 91 %"));
  EXPECT_TRUE(any_contains(a.context, "NPV 94 %, PPV 55 %"));
  EXPECT_TRUE(any_contains(a.context, "ER-negative, HER2-positive"));
  EXPECT_TRUE(any_contains(a.unverified, "PPV"));
}

TEST(Tbcrc026, PrimaryTumourAndTiming) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {sul_lesion("T", 9.0, "unknown")};
  baseline.lesions[0].sul_max = 10.0;
  ResponseTimepoint follow_up = fdg_timepoint("follow-up");
  follow_up.lesions = {sul_lesion("T", 5.0, "unknown")};
  follow_up.lesions[0].sul_max = 5.0;
  const ResponseAssessment none = assess_tbcrc026(baseline, follow_up);
  EXPECT_EQ(none.category, "not_evaluable");
  EXPECT_NE(none.decided_by.find("no breast lesion"), std::string::npos);
  ResponseOptions options;
  options.primary_tumour_id = "T";
  const ResponseAssessment chosen = assess_tbcrc026(baseline, follow_up, options);
  EXPECT_EQ(chosen.category, "reduction_ge_40");  // -50 %
  EXPECT_FALSE(find_check(chosen, "timing")->passed.has_value());
  follow_up.cycle = 2;
  follow_up.cycle_day = 1;
  EXPECT_FALSE(*find_check(assess_tbcrc026(baseline, follow_up, options), "timing")->passed);
  follow_up.lesions.clear();
  EXPECT_EQ(assess_tbcrc026(baseline, follow_up, options).category, "not_evaluable");
}

// Liver SUVmean 2.0, SD 0.3: eligibility threshold 1.5 x 2.0 + 2 x 0.3 = 3.6.
ResponseAssessment phergain(double breast_before, double node_after,
                            const ResponseOptions& options = {}, bool drop_node = false) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.liver_suv = ReferenceStatistics{2.0, 0.3};
  baseline.lesions = {suv_lesion("breast", breast_before, "breast"),
                      suv_lesion("node", 5.0, "axillary_node"), suv_lesion("bone", 3.0, "bone")};
  ResponseTimepoint follow_up = fdg_timepoint("after cycle 2");
  follow_up.lesions = {suv_lesion("breast", breast_before * 0.6, "breast"),
                       suv_lesion("bone", 3.5, "bone")};
  if (!drop_node) follow_up.lesions.push_back(suv_lesion("node", node_after, "axillary_node"));
  return assess_phergain(baseline, follow_up, options);
}

TEST(Phergain, EligibilityAtTheLiverThreshold) {
  const ResponseAssessment at = phergain(3.6, 3.0);
  EXPECT_TRUE(*find_check(at, "phergain_eligible")->passed);
  EXPECT_DOUBLE_EQ(*find_number(at, "eligibility_threshold")->compared, 3.6);
  const ResponseAssessment below = phergain(3.599, 3.0);
  EXPECT_EQ(below.category, "not_eligible");
  EXPECT_FALSE(*find_check(below, "phergain_eligible")->passed);
}

TEST(Phergain, ResponderWhenEveryTargetFallsFortyPercent) {
  // Targets (SUVmax >= 3.6): breast 10 -> 6 (-40 %), node 5 -> 3 (-40 %); bone 3.0 is not a
  // target (its +16.7 % does not count).
  const ResponseAssessment responder = phergain(10.0, 3.0);
  EXPECT_EQ(responder.category, "responder");
  EXPECT_TRUE(has_role(find_lesion_row(responder, "node"), "phergain_target"));
  EXPECT_FALSE(has_role(find_lesion_row(responder, "bone"), "phergain_target"));
  EXPECT_DOUBLE_EQ(*find_number(responder, "target_count")->value, 2.0);
  EXPECT_TRUE(any_contains(responder.unverified, "target-lesion selection"));
  // node 5 -> 3.001: -39.98 % -> non-responder.
  const ResponseAssessment non_responder = phergain(10.0, 3.001);
  EXPECT_EQ(non_responder.category, "non_responder");
  EXPECT_EQ(find_lesion_row(non_responder, "node")->category, "not_responding");
  EXPECT_EQ(phergain(10.0, 2.999).category, "responder");
}

TEST(Phergain, TargetOptionsAndDisappearedTargets) {
  ResponseOptions all;
  all.phergain.targets = PhergainTargets::kAllBaselineLesions;
  EXPECT_EQ(phergain(10.0, 3.0, all).category, "non_responder");  // bone +16.7 %
  ResponseOptions listed;
  listed.phergain.targets = PhergainTargets::kListed;
  listed.phergain.target_ids = {"breast"};
  EXPECT_EQ(phergain(10.0, 4.9, listed).category, "responder");
  const ResponseAssessment gone = phergain(10.0, 0.0, {}, true);
  EXPECT_EQ(gone.category, "responder");
  EXPECT_EQ(find_lesion_row(gone, "node")->category, "responding_disappeared");
  ResponseOptions strict;
  strict.disappeared_lesions_resolved = false;
  EXPECT_EQ(phergain(10.0, 0.0, strict, true).category, "not_evaluable");
  // Timing: the fixture's follow-up has 2 cycles completed.
  EXPECT_TRUE(*find_check(phergain(10.0, 3.0), "timing")->passed);
}

ResponseAssessment flt(double after, const ResponseOptions& options = {}) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.tracer = "flt";
  baseline.lesions = {suv_lesion("P", 10.0, "breast"), suv_lesion("N", 4.0, "axillary_node")};
  ResponseTimepoint follow_up = fdg_timepoint("after cycle 1");
  follow_up.tracer = "flt";
  follow_up.cycles_completed = 1;
  follow_up.lesions = {suv_lesion("P", after, "breast"), suv_lesion("N", 3.0, "axillary_node")};
  ResponseOptions with_primary = options;
  with_primary.primary_tumour_id = "P";
  return assess_flt(baseline, follow_up, with_primary);
}

TEST(Flt, CrippaCutPointAsAnOption) {
  // 10 -> 4.71: -52.9 % (double: -52.900000000000006) -> flagged; 4.711: -52.89 % -> not.
  const ResponseAssessment at = flt(4.71);
  EXPECT_EQ(at.category, "flt_response");
  EXPECT_DOUBLE_EQ(*find_number(at, "delta_suv_max_percent")->compared, -52.9);
  EXPECT_TRUE(any_contains(at.unverified, "branch logic"));
  EXPECT_TRUE(at.warnings.empty()) << at.warnings.front();
  EXPECT_EQ(flt(4.711).category, "no_flt_response");
  // "More than 52.9 %": exactly -52.9 % is not flagged although the raw double is below it.
  ResponseOptions strict;
  strict.flt.cut_operator = ComparisonOperator::kMoreThan;
  EXPECT_EQ(flt(4.71, strict).category, "no_flt_response");
  EXPECT_EQ(flt(4.709, strict).category, "flt_response");
  ResponseOptions other;
  other.flt.cut_point_percent = -40.0;
  EXPECT_EQ(flt(6.0, other).category, "flt_response");
  // Nodes are reported continuously: 4 -> 3 is -25 %.
  EXPECT_DOUBLE_EQ(*find_number(at, "node_N_suv_max_percent_change")->value, -25.0);
}

TEST(Flt, CutPointMustBeADecreaseBetweenZeroAndHundredPercent) {
  for (const double bad : {0.0, 10.0, -100.0, -120.0, std::nan("")}) {
    ResponseOptions options;
    options.flt.cut_point_percent = bad;
    EXPECT_THROW(flt(4.0, options), InvalidInputError) << bad;
  }
  ResponseOptions near_ends;
  near_ends.flt.cut_point_percent = -0.01;
  EXPECT_EQ(flt(9.999, near_ends).category, "flt_response");
  near_ends.flt.cut_point_percent = -99.99;
  EXPECT_EQ(flt(0.002, near_ends).category, "no_flt_response");
  EXPECT_EQ(flt(0.001, near_ends).category, "flt_response");
}

TEST(Flt, WrongTracerIsWarned) {
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.lesions = {suv_lesion("P", 10.0, "breast")};
  ResponseTimepoint follow_up = fdg_timepoint("after cycle 1");
  follow_up.cycles_completed = 1;
  follow_up.lesions = {suv_lesion("P", 4.0, "breast")};
  const ResponseAssessment a = assess_flt(baseline, follow_up);
  EXPECT_EQ(a.category, "flt_response");
  EXPECT_TRUE(any_contains(a.warnings, "is a fdg scan; FLT (Crippa 2015) is defined for flt PET"));
}

}  // namespace
}  // namespace oncotrace
