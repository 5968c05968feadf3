#include <gtest/gtest.h>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

// clinical-context.md §3.6: "1 % is positive; 10 % is still ER-low; 11 % (or > 10 %) is ER
// positive (not low)"; "ER negative: < 1 % or 0 %".
TEST(EstrogenReceptor, Boundaries) {
  EXPECT_EQ(assess_er(0.0).status, ReceptorStatus::kNegative);
  EXPECT_EQ(assess_er(0.99).status, ReceptorStatus::kNegative);
  EXPECT_EQ(assess_er(1.0).status, ReceptorStatus::kLowPositive);
  EXPECT_EQ(assess_er(10.0).status, ReceptorStatus::kLowPositive);
  EXPECT_EQ(assess_er(10.5).status, ReceptorStatus::kPositive);
  EXPECT_EQ(assess_er(11.0).status, ReceptorStatus::kPositive);
  EXPECT_EQ(assess_er(100.0).status, ReceptorStatus::kPositive);
  EXPECT_EQ(assess_er(std::nullopt).status, ReceptorStatus::kNotTested);
  EXPECT_FALSE(assess_er(5.0).comment.empty());  // the ER Low Positive reporting comment
  EXPECT_THROW(assess_er(101.0), InvalidInputError);
  EXPECT_THROW(assess_er(-1.0), InvalidInputError);
}

// "PR ≥ 1 % = positive, < 1 % = negative" (no PR-low category).
TEST(ProgesteroneReceptor, Boundaries) {
  EXPECT_EQ(assess_pr(0.99).status, ReceptorStatus::kNegative);
  EXPECT_EQ(assess_pr(1.0).status, ReceptorStatus::kPositive);
  EXPECT_EQ(assess_pr(5.0).status, ReceptorStatus::kPositive);
  EXPECT_THROW(assess_pr(150.0), InvalidInputError);
}

Her2Assessment her2_with(Her2Status status) {
  Her2Assessment a;
  a.status = status;
  return a;
}

struct SubtypeCase {
  std::optional<double> er;
  std::optional<double> pr;
  Her2Status her2;
  ReceptorSubtype expected;
  bool er_low;
};

void PrintTo(const SubtypeCase& c, std::ostream* os) {
  *os << "ER " << (c.er ? std::to_string(*c.er) : "-") << " PR "
      << (c.pr ? std::to_string(*c.pr) : "-") << " HER2 " << her2_status_name(c.her2);
}

class Subtype : public ::testing::TestWithParam<SubtypeCase> {};

TEST_P(Subtype, ClinicalReceptorGroup) {
  const SubtypeCase& c = GetParam();
  const SubtypeAssessment s =
      derive_subtype(assess_er(c.er), assess_pr(c.pr), her2_with(c.her2), std::nullopt);
  EXPECT_EQ(receptor_subtype_name(s.subtype), std::string(receptor_subtype_name(c.expected)))
      << s.reason;
  EXPECT_EQ(s.er_low, c.er_low);
}

using RS = ReceptorSubtype;
using H = Her2Status;

// §4 step 1: "HR-positive = ER >= 1 % or PR >= 1 %; HR-negative = ER < 1 % and PR < 1 %";
// "triple-negative = ER < 1 %, PR < 1 %, HER2 negative"; "Flag ER-low (1-10 %) tumours inside HR+
// groups"; "Missing inputs give 'not derivable', never a guess".
INSTANTIATE_TEST_SUITE_P(
    Jacene2024Table1, Subtype,
    ::testing::Values(
        SubtypeCase{90.0, 50.0, H::kNegative, RS::kHrPositiveHer2Negative, false},
        SubtypeCase{90.0, 0.0, H::kNegativeWithComment, RS::kHrPositiveHer2Negative, false},
        SubtypeCase{0.0, 5.0, H::kNegative, RS::kHrPositiveHer2Negative, false},
        SubtypeCase{5.0, 0.0, H::kNegative, RS::kHrPositiveHer2Negative, true},
        SubtypeCase{90.0, 50.0, H::kPositive, RS::kHrPositiveHer2Positive, false},
        SubtypeCase{5.0, 0.0, H::kPositive, RS::kHrPositiveHer2Positive, true},
        SubtypeCase{0.0, 0.0, H::kPositive, RS::kHrNegativeHer2Positive, false},
        SubtypeCase{0.5, 0.9, H::kNegative, RS::kTripleNegative, false},
        SubtypeCase{0.0, 0.0, H::kNegativeWithComment, RS::kTripleNegative, false},
        SubtypeCase{90.0, std::nullopt, H::kNegative, RS::kHrPositiveHer2Negative, false},
        SubtypeCase{0.0, std::nullopt, H::kNegative, RS::kNotDerivable, false},
        SubtypeCase{std::nullopt, std::nullopt, H::kNegative, RS::kNotDerivable, false},
        SubtypeCase{90.0, 50.0, H::kEquivocalPendingIsh, RS::kNotDerivable, false},
        SubtypeCase{90.0, 50.0, H::kNotTested, RS::kNotDerivable, false},
        SubtypeCase{90.0, 50.0, H::kAdjudicate, RS::kNotDerivable, false}));

struct SurrogateCase {
  double er;
  double pr;
  Her2Status her2;
  std::optional<double> ki67;
  SurrogateSubtype expected;
};

void PrintTo(const SurrogateCase& c, std::ostream* os) {
  *os << "ER " << c.er << " PR " << c.pr << " HER2 " << her2_status_name(c.her2);
}

class Surrogate : public ::testing::TestWithParam<SurrogateCase> {};

TEST_P(Surrogate, StGallen2013) {
  const SurrogateCase& c = GetParam();
  const SubtypeAssessment s =
      derive_subtype(assess_er(c.er), assess_pr(c.pr), her2_with(c.her2), c.ki67);
  EXPECT_EQ(surrogate_subtype_name(s.surrogate), std::string(surrogate_subtype_name(c.expected)))
      << s.surrogate_reason;
}

using SS = SurrogateSubtype;

// §4 step 2 with the default cut-offs 20 % / 20 %: "Luminal A-like: ER+, HER2-, PR high (>= 20
// %), Ki-67 low (< 20 %)"; "Luminal B-like (HER2-): ER+, HER2-, and Ki-67 high (>= 20 %) or PR
// low (< 20 %)"; "Luminal B-like (HER2+): ER+, HER2+, any PR, any Ki-67"; "HER2-positive
// (non-luminal): HER2+, ER and PR absent"; "Triple-negative: ER, PR and HER2 negative".
INSTANTIATE_TEST_SUITE_P(
    Cutoffs20Percent, Surrogate,
    ::testing::Values(SurrogateCase{90, 20, H::kNegative, 19.9, SS::kLuminalALike},
                      SurrogateCase{90, 20, H::kNegative, 20.0, SS::kLuminalBLikeHer2Negative},
                      SurrogateCase{90, 19.9, H::kNegative, 5.0, SS::kLuminalBLikeHer2Negative},
                      SurrogateCase{90, 10, H::kNegative, std::nullopt,
                                    SS::kLuminalBLikeHer2Negative},
                      SurrogateCase{90, 50, H::kNegative, std::nullopt, SS::kNotDerivable},
                      SurrogateCase{90, 0, H::kPositive, 80.0, SS::kLuminalBLikeHer2Positive},
                      SurrogateCase{0, 0, H::kPositive, 40.0, SS::kHer2PositiveNonLuminal},
                      SurrogateCase{0, 0, H::kNegative, 70.0, SS::kTripleNegative},
                      SurrogateCase{0, 30, H::kNegative, 10.0, SS::kNotDerivable}));

TEST(Surrogate, CutoffsAreOptions) {
  SubtypeOptions options;
  options.ki67_cutoff_percent = 14.0;  // St Gallen 2011
  const SubtypeAssessment s =
      derive_subtype(assess_er(90), assess_pr(50), her2_with(Her2Status::kNegative), 15.0, options);
  EXPECT_EQ(s.surrogate, SurrogateSubtype::kLuminalBLikeHer2Negative);
  EXPECT_NE(s.surrogate_reason.find("Ki-67 cut-off 14 %"), std::string::npos);
}

}  // namespace
}  // namespace oncotrace
