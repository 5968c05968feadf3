#include <gtest/gtest.h>

#include <cmath>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

// clinical-context.md §3.2: "Ratio = average HER2 signals per cell / average CEP17 signals per
// cell ... boundaries exactly as written".
TEST(DualProbeIshGroup, BoundariesExactlyAsWritten) {
  EXPECT_EQ(dual_probe_ish_group(2.0, 4.0), 1);  // ">= 2.0" and ">= 4.0"
  EXPECT_EQ(dual_probe_ish_group(5.3, 12.0), 1);
  EXPECT_EQ(dual_probe_ish_group(2.0, 3.99), 2);   // ">= 2.0" and "< 4.0"
  EXPECT_EQ(dual_probe_ish_group(1.99, 6.0), 3);   // "< 2.0" and ">= 6.0"
  EXPECT_EQ(dual_probe_ish_group(1.99, 5.99), 4);  // "< 2.0", ">= 4.0 and < 6.0"
  EXPECT_EQ(dual_probe_ish_group(1.99, 4.0), 4);
  EXPECT_EQ(dual_probe_ish_group(1.99, 3.99), 5);  // "< 2.0" and "< 4.0"
  EXPECT_EQ(dual_probe_ish_group(0.0, 0.0), 5);
  EXPECT_THROW(dual_probe_ish_group(-1.0, 4.0), InvalidInputError);
  EXPECT_THROW(dual_probe_ish_group(2.0, std::nan("")), InvalidInputError);
}

// §3.3: ">= 6.0 -> positive; >= 4.0 and < 6.0 -> equivocal; < 4.0 -> negative".
TEST(SingleProbeIsh, Boundaries) {
  EXPECT_EQ(single_probe_ish_result(6.0), SingleProbeIshResult::kPositive);
  EXPECT_EQ(single_probe_ish_result(5.99), SingleProbeIshResult::kEquivocal);
  EXPECT_EQ(single_probe_ish_result(4.0), SingleProbeIshResult::kEquivocal);
  EXPECT_EQ(single_probe_ish_result(3.99), SingleProbeIshResult::kNegative);
}

// A count in each dual-probe group (ratio, copies).
DualProbeIshCount count_in_group(int group) {
  switch (group) {
    case 1:
      return {2.5, 6.5, std::nullopt, 20};
    case 2:
      return {2.2, 3.4, std::nullopt, 20};
    case 3:
      return {1.6, 6.8, std::nullopt, 20};
    case 4:
      return {1.4, 4.6, std::nullopt, 20};
    default:
      return {1.1, 2.3, std::nullopt, 20};
  }
}

enum class Recount { kNone, kSameGroup, kOtherGroup };

struct Her2Case {
  std::optional<Her2IhcScore> ihc;
  int ish_group;  // 0: no ISH
  Recount recount;
  Her2Status expected;
  bool discordance_flag;
};

void PrintTo(const Her2Case& c, std::ostream* os) {
  *os << "IHC " << (c.ihc ? her2_ihc_score_name(*c.ihc) : "none") << ", ISH group " << c.ish_group
      << ", recount " << static_cast<int>(c.recount);
}

Her2Tests tests_for(const Her2Case& c) {
  Her2Tests tests;
  if (c.ihc) tests.ihc = Her2Ihc{*c.ihc, Her2ZeroMembraneStaining::kAbsent};
  if (c.ish_group > 0) {
    DualProbeIsh ish{count_in_group(c.ish_group), std::nullopt};
    if (c.recount == Recount::kSameGroup) ish.recount = count_in_group(c.ish_group);
    if (c.recount == Recount::kOtherGroup) {
      ish.recount = count_in_group(c.ish_group == 4 ? 5 : 4);
    }
    tests.dual_probe_ish = ish;
  }
  return tests;
}

class Her2Table : public ::testing::TestWithParam<Her2Case> {};

TEST_P(Her2Table, FinalStatus) {
  const Her2Assessment a = assess_her2(tests_for(GetParam()));
  EXPECT_EQ(her2_status_name(a.status), std::string(her2_status_name(GetParam().expected)))
      << a.rule;
  bool flagged = false;
  for (const std::string& f : a.review_flags) {
    if (f.find("discordant") != std::string::npos) flagged = true;
  }
  EXPECT_EQ(flagged, GetParam().discordance_flag);
  EXPECT_FALSE(a.rule.empty());
  if (GetParam().ish_group > 0) {
    EXPECT_EQ(a.ish_group, GetParam().ish_group);
  }
}

constexpr auto kIhc0 = Her2IhcScore::k0;
constexpr auto kIhc1 = Her2IhcScore::k1Plus;
constexpr auto kIhc2 = Her2IhcScore::k2Plus;
constexpr auto kIhc3 = Her2IhcScore::k3Plus;
const std::optional<Her2IhcScore> kNoIhc;
using S = Her2Status;

// Every IHC score (and none) x every dual-probe group (and no ISH), with the recount variants of
// IHC 2+ in groups 2-4. Derived from clinical-context.md §3.1, §3.2 and the §3.4 algorithm:
INSTANTIATE_TEST_SUITE_P(
    AscoCap2018, Her2Table,
    ::testing::Values(
        // No ISH. §3.4: "if ihc in {0, 1+} and no ISH -> NEGATIVE"; "if ihc == 2+ and no ISH ->
        // EQUIVOCAL_PENDING_ISH"; "if ihc == 3+ -> POSITIVE (source IHC)".
        Her2Case{kNoIhc, 0, Recount::kNone, S::kNotTested, false},
        Her2Case{kIhc0, 0, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc1, 0, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc2, 0, Recount::kNone, S::kEquivocalPendingIsh, false},
        Her2Case{kIhc3, 0, Recount::kNone, S::kPositive, false},
        // Group 1: "ISH positive -> HER2 positive"; §3.4: "IHC 0/1+ with group 1 ... the
        // discordance is flagged for review".
        Her2Case{kNoIhc, 1, Recount::kNone, S::kPositive, false},
        Her2Case{kIhc0, 1, Recount::kNone, S::kPositive, true},
        Her2Case{kIhc1, 1, Recount::kNone, S::kPositive, true},
        Her2Case{kIhc2, 1, Recount::kNone, S::kPositive, false},
        Her2Case{kIhc3, 1, Recount::kNone, S::kPositive, false},
        // Group 2: "IHC 3+ -> positive; IHC 2+ -> blinded second observer recounts >= 20 cells:
        // still group 2 -> negative with comment, other result -> adjudicate by internal
        // procedure; IHC 0/1+ -> negative with comment". Without concurrent IHC: "INCOMPLETE
        // (reason 'concurrent IHC required')"; IHC 2+ without the recount: "missing ->
        // INCOMPLETE".
        Her2Case{kNoIhc, 2, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc0, 2, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc1, 2, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc2, 2, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc2, 2, Recount::kSameGroup, S::kNegativeWithComment, false},
        Her2Case{kIhc2, 2, Recount::kOtherGroup, S::kAdjudicate, false},
        Her2Case{kIhc3, 2, Recount::kNone, S::kPositive, false},
        // Group 3: "IHC 3+ -> positive; IHC 2+ -> recount: still >= 6.0 -> positive, other ->
        // adjudicate; IHC 0/1+ -> negative with comment".
        Her2Case{kNoIhc, 3, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc0, 3, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc1, 3, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc2, 3, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc2, 3, Recount::kSameGroup, S::kPositive, false},
        Her2Case{kIhc2, 3, Recount::kOtherGroup, S::kAdjudicate, false},
        Her2Case{kIhc3, 3, Recount::kNone, S::kPositive, false},
        // Group 4: "IHC 3+ -> positive; IHC 2+ -> recount: still group 4 -> negative with
        // comment, other -> adjudicate; IHC 0/1+ -> negative with comment".
        Her2Case{kNoIhc, 4, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc0, 4, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc1, 4, Recount::kNone, S::kNegativeWithComment, false},
        Her2Case{kIhc2, 4, Recount::kNone, S::kIncomplete, false},
        Her2Case{kIhc2, 4, Recount::kSameGroup, S::kNegativeWithComment, false},
        Her2Case{kIhc2, 4, Recount::kOtherGroup, S::kAdjudicate, false},
        Her2Case{kIhc3, 4, Recount::kNone, S::kPositive, false},
        // Group 5: "ISH negative -> HER2 negative"; "IHC 3+ coexists with ISH group 5 ... the
        // status follows the branch above (IHC 3+ -> POSITIVE) but the discordance is flagged".
        Her2Case{kNoIhc, 5, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc0, 5, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc1, 5, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc2, 5, Recount::kNone, S::kNegative, false},
        Her2Case{kIhc3, 5, Recount::kNone, S::kPositive, true}));

// "Groups 2-4 require concurrent IHC on sections of the same tissue" (§3.2).
TEST(Her2, NonConcurrentIhcLeavesGroups2To4Incomplete) {
  Her2Tests tests = tests_for({kIhc1, 4, Recount::kNone, S::kIncomplete, false});
  tests.ihc_concurrent_with_ish = false;
  const Her2Assessment a = assess_her2(tests);
  EXPECT_EQ(a.status, Her2Status::kIncomplete);
  EXPECT_NE(a.rule.find("same tissue"), std::string::npos) << a.rule;
}

TEST(Her2, Group4CommentQuotesTheUncertainBenefit) {
  const Her2Assessment a =
      assess_her2(tests_for({kIhc1, 4, Recount::kNone, S::kIncomplete, false}));
  ASSERT_EQ(a.comments.size(), 1u);
  EXPECT_NE(a.comments[0].find("uncertain"), std::string::npos);
}

TEST(Her2, AdjudicationReportsBothCounts) {
  const Her2Assessment a =
      assess_her2(tests_for({kIhc2, 2, Recount::kOtherGroup, S::kAdjudicate, false}));
  EXPECT_EQ(a.ish_group, 2);
  EXPECT_EQ(a.recount_group, 4);
}

// "Either both numbers, or only the group a report gives"; a mismatch is flagged, the numbers win.
TEST(Her2, ReportedGroupIsUsedAndCheckedAgainstTheNumbers) {
  Her2Tests tests;
  tests.ihc = Her2Ihc{kIhc0, Her2ZeroMembraneStaining::kAbsent};
  tests.dual_probe_ish = DualProbeIsh{{std::nullopt, std::nullopt, 5, std::nullopt}, std::nullopt};
  EXPECT_EQ(assess_her2(tests).status, Her2Status::kNegative);
  tests.dual_probe_ish->count = {2.4, 5.0, 5, 12};
  const Her2Assessment a = assess_her2(tests);
  EXPECT_EQ(a.ish_group, 1);
  EXPECT_EQ(a.review_flags.size(), 3u);  // group mismatch, < 20 cells, IHC 0 with group 1
}

// Single-probe ISH (§3.3) when no dual-probe result is given.
TEST(Her2, SingleProbeIsh) {
  Her2Tests tests;
  tests.ihc = Her2Ihc{kIhc2, Her2ZeroMembraneStaining::kNotReported};
  tests.single_probe_ish = SingleProbeIsh{6.2};
  EXPECT_EQ(assess_her2(tests).status, Her2Status::kPositive);
  tests.single_probe_ish = SingleProbeIsh{3.1};
  const Her2Assessment negative = assess_her2(tests);
  EXPECT_EQ(negative.status, Her2Status::kNegative);
  EXPECT_EQ(negative.expression, Her2ExpressionCategory::kLow);  // IHC 2+, ISH negative
  tests.single_probe_ish = SingleProbeIsh{4.5};
  EXPECT_EQ(assess_her2(tests).status, Her2Status::kEquivocalSingleProbeIsh);
  // Dual-probe results take precedence over single-probe ones.
  tests.dual_probe_ish = DualProbeIsh{count_in_group(5), std::nullopt};
  EXPECT_EQ(assess_her2(tests).status, Her2Status::kNegative);
}

struct ExpressionCase {
  Her2IhcScore ihc;
  Her2ZeroMembraneStaining staining;
  int ish_group;
  Recount recount;
  Her2ExpressionCategory expected;
};

void PrintTo(const ExpressionCase& c, std::ostream* os) {
  *os << "IHC " << her2_ihc_score_name(c.ihc) << " staining " << static_cast<int>(c.staining)
      << " group " << c.ish_group;
}

class Her2Expression : public ::testing::TestWithParam<ExpressionCase> {};

TEST_P(Her2Expression, Category) {
  const ExpressionCase& c = GetParam();
  Her2Tests tests = tests_for({c.ihc, c.ish_group, c.recount, S::kNegative, false});
  tests.ihc->zero_staining = c.staining;
  const Her2Assessment a = assess_her2(tests);
  EXPECT_EQ(her2_expression_name(a.expression), std::string(her2_expression_name(c.expected)))
      << a.expression_reason;
  EXPECT_EQ(a.her2_low, c.expected == Her2ExpressionCategory::kLow);
  EXPECT_EQ(a.her2_ultralow, c.expected == Her2ExpressionCategory::kUltralow);
}

using E = Her2ExpressionCategory;
using Z = Her2ZeroMembraneStaining;

// §3.4 "derive expression category (HER2-negative results only)": "ihc == 0 with 'no staining'
// -> HER2-0 (null)"; "ihc == 0 with faint staining <= 10 % -> HER2-ultralow (needs the staining
// detail; else 'IHC 0, ultralow not assessable')"; "ihc == 1+, or ihc == 2+ and ISH negative ->
// HER2-low". §1.1: HER2-low = "IHC 1+, or IHC 2+ with negative ISH".
INSTANTIATE_TEST_SUITE_P(
    TrialDefinitions, Her2Expression,
    ::testing::Values(
        ExpressionCase{kIhc0, Z::kAbsent, 0, Recount::kNone, E::kZero},
        ExpressionCase{kIhc0, Z::kFaintUpTo10Percent, 0, Recount::kNone, E::kUltralow},
        ExpressionCase{kIhc0, Z::kNotReported, 0, Recount::kNone, E::kUnknown},
        ExpressionCase{kIhc0, Z::kFaintUpTo10Percent, 5, Recount::kNone, E::kUltralow},
        ExpressionCase{kIhc0, Z::kAbsent, 4, Recount::kNone, E::kZero},
        ExpressionCase{kIhc1, Z::kNotReported, 0, Recount::kNone, E::kLow},
        ExpressionCase{kIhc1, Z::kNotReported, 2, Recount::kNone, E::kLow},
        ExpressionCase{kIhc2, Z::kNotReported, 5, Recount::kNone, E::kLow},
        ExpressionCase{kIhc2, Z::kNotReported, 4, Recount::kSameGroup, E::kLow},
        ExpressionCase{kIhc2, Z::kNotReported, 0, Recount::kNone, E::kUnknown},
        ExpressionCase{kIhc2, Z::kNotReported, 4, Recount::kOtherGroup, E::kUnknown},
        ExpressionCase{kIhc2, Z::kNotReported, 1, Recount::kNone, E::kPositive},
        ExpressionCase{kIhc3, Z::kNotReported, 0, Recount::kNone, E::kPositive}));

TEST(Her2, NegativeByIshWithoutIhcHasNoExpressionCategory) {
  Her2Tests tests;
  tests.dual_probe_ish = DualProbeIsh{count_in_group(5), std::nullopt};
  const Her2Assessment a = assess_her2(tests);
  EXPECT_EQ(a.status, Her2Status::kNegative);
  EXPECT_EQ(a.expression, Her2ExpressionCategory::kUnknown);
}

TEST(Her2, PositiveHelper) {
  Her2Assessment a;
  a.status = Her2Status::kNegativeWithComment;
  EXPECT_EQ(her2_is_positive(a), false);
  a.status = Her2Status::kEquivocalPendingIsh;
  EXPECT_FALSE(her2_is_positive(a).has_value());
}

}  // namespace
}  // namespace oncotrace
