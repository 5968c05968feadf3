#include "oncotrace/receptor.h"

#include <gtest/gtest.h>

#include "oncotrace/error.h"

namespace oncotrace {
namespace {

const Tracer& tracer(const std::string& id) {
  const Tracer* found = default_tracer_catalogue().find(id);
  EXPECT_NE(found, nullptr) << id;
  return *found;
}

LesionUptake uptake_max(double suv_max) {
  LesionUptake uptake;
  uptake.suv_max = suv_max;
  return uptake;
}

TEST(LesionStatusTest, FesThresholdAndOperator) {
  // Nienhuis 2018: ER-positive when SUVmax >= 1.5 (catalogue default operator).
  const LesionStatusCall at = call_lesion_status(tracer("fes"), uptake_max(1.5), "bone", 20.0);
  EXPECT_EQ(at.status, LesionStatus::kPositive);
  EXPECT_EQ(at.comparison, ">=");
  EXPECT_DOUBLE_EQ(*at.ratio_to_threshold, 1.0);
  EXPECT_EQ(at.target, "ER");
  EXPECT_FALSE(at.citation.empty());
  // The guideline wording "> 1.5" as an option: exactly 1.5 is then negative.
  StatusOptions strict;
  strict.operator_overrides["fes_threshold_operator"] = ">";
  EXPECT_EQ(call_lesion_status(tracer("fes"), uptake_max(1.5), "bone", 20.0, strict).status,
            LesionStatus::kNegative);
  EXPECT_EQ(call_lesion_status(tracer("fes"), uptake_max(1.49), "bone", 20.0).status,
            LesionStatus::kNegative);
}

TEST(LesionStatusTest, NotAssessableCases) {
  const LesionStatusCall liver = call_lesion_status(tracer("fes"), uptake_max(9.0), "liver", 30);
  EXPECT_EQ(liver.status, LesionStatus::kNotAssessable);
  EXPECT_NE(liver.reason.find("liver lesion"), std::string::npos) << liver.reason;
  // FES rule condition: lesion size >= 10 mm.
  const LesionStatusCall small = call_lesion_status(tracer("fes"), uptake_max(9.0), "lung", 8.0);
  EXPECT_EQ(small.status, LesionStatus::kNotAssessable);
  EXPECT_NE(small.reason.find("10 mm"), std::string::npos) << small.reason;
  LesionUptake outside = uptake_max(4);
  outside.in_field_of_view = false;
  EXPECT_EQ(call_lesion_status(tracer("zr89tras"), outside, "bone", 20).status,
            LesionStatus::kNotAssessable);
  EXPECT_EQ(call_lesion_status(tracer("zr89tras"), LesionUptake{}, "bone", 20).status,
            LesionStatus::kNotAssessable);
  EXPECT_EQ(rule_minimum_size_mm(*tracer("fes").positivity_rule), 10.0);
  EXPECT_FALSE(rule_minimum_size_mm(*tracer("zr89tras").positivity_rule));
}

TEST(LesionStatusTest, Her2AntibodyAndNoThresholdTracers) {
  // Dehdashti 2018: SUVmax 3.2 separated HER2+ from HER2- lesions (operator unverified).
  const LesionStatusCall her2 =
      call_lesion_status(tracer("zr89tras"), uptake_max(9.2), "adrenal", 25);
  EXPECT_EQ(her2.status, LesionStatus::kPositive);
  EXPECT_FALSE(her2.rule_verified);
  EXPECT_EQ(call_lesion_status(tracer("zr89tras"), uptake_max(3.1), "adrenal", 25).status,
            LesionStatus::kNegative);
  // FDG and ABY-025 have no validated positivity threshold: continuous values only.
  const LesionStatusCall fdg = call_lesion_status(tracer("fdg"), uptake_max(12), "breast", 25);
  EXPECT_EQ(fdg.status, LesionStatus::kContinuousOnly);
  EXPECT_FALSE(fdg.threshold);
  EXPECT_DOUBLE_EQ(*fdg.value, 12.0);
}

TEST(FdgAvidityTest, Rules) {
  LesionUptake fdg;
  fdg.suv_max = 4.0;
  fdg.sul_peak = 2.9;
  // PERCIST: 1.5 x 1.6 + 2 x 0.25 = 2.9 -> avid (>=); 2.89 is not.
  EXPECT_TRUE(
      *call_fdg_avidity(parse_fdg_avidity_rule("percist-liver"), fdg, true, 1.6, 0.25).avid);
  fdg.sul_peak = 2.89;
  const FdgAvidityCall percist =
      call_fdg_avidity(parse_fdg_avidity_rule("percist-liver"), fdg, true, 1.6, 0.25);
  EXPECT_FALSE(*percist.avid);
  // The compared quantity and threshold are reported for tables and figures.
  EXPECT_EQ(percist.metric, "SULpeak");
  EXPECT_DOUBLE_EQ(*percist.value, 2.89);
  EXPECT_DOUBLE_EQ(*percist.threshold, 2.9);
  const FdgAvidityCall by_suv_max =
      call_fdg_avidity(parse_fdg_avidity_rule("suvmax:4.5"), fdg, true, {}, {});
  EXPECT_EQ(by_suv_max.metric, "SUVmax");
  EXPECT_DOUBLE_EQ(*by_suv_max.threshold, 4.5);
  EXPECT_TRUE(
      call_fdg_avidity(parse_fdg_avidity_rule("detected"), fdg, true, {}, {}).metric.empty());
  EXPECT_FALSE(call_fdg_avidity(parse_fdg_avidity_rule("percist-liver"), fdg, true, {}, {}).avid);
  EXPECT_TRUE(*call_fdg_avidity(parse_fdg_avidity_rule("suvmax:4"), fdg, false, {}, {}).avid);
  EXPECT_FALSE(*call_fdg_avidity(parse_fdg_avidity_rule("suvmax:4.5"), fdg, true, {}, {}).avid);
  EXPECT_FALSE(*call_fdg_avidity(parse_fdg_avidity_rule("detected"), fdg, false, {}, {}).avid);
  EXPECT_EQ(fdg_avidity_rule_text(parse_fdg_avidity_rule("suvmax:2.5")), "suvmax:2.5");
  EXPECT_THROW(parse_fdg_avidity_rule("suvmax:-1"), InvalidInputError);
  EXPECT_THROW(parse_fdg_avidity_rule("visual"), InvalidInputError);
}

TEST(HeterogeneityTest, CountsQuadrantsAndZephir) {
  const std::vector<HeterogeneityLesion> lesions{
      {"L1", "breast", {}, true, LesionStatus::kPositive},
      {"L2", "bone", {}, true, LesionStatus::kNegative},
      {"L3", "bone", {}, false, LesionStatus::kPositive},
      {"L4", "liver", {}, true, LesionStatus::kNotAssessable},
      {"L5", "lung", {}, true, LesionStatus::kPositive},
  };
  const HeterogeneitySummary summary = summarise_heterogeneity("zr89tras", "HER2", lesions);
  EXPECT_EQ(summary.lesions, 5u);
  EXPECT_EQ(summary.positive, 3u);
  EXPECT_EQ(summary.negative, 1u);
  EXPECT_EQ(summary.not_assessable, 1u);
  EXPECT_DOUBLE_EQ(*summary.positive_fraction, 0.75);
  EXPECT_TRUE(*summary.heterogeneous);
  EXPECT_EQ(summary.fdg_pos_target_pos, 2u);
  EXPECT_EQ(summary.fdg_pos_target_neg, 1u);
  EXPECT_EQ(summary.fdg_neg_target_pos, 1u);
  EXPECT_EQ(summary.fdg_neg_target_neg, 0u);
  ASSERT_EQ(summary.discordant.size(), 2u);
  EXPECT_EQ(summary.discordant[0], "L2 (bone): FDG+/HER2-");
  EXPECT_EQ(summary.discordant[1], "L3 (bone): FDG-/HER2+");
  // FDG-avid called lesions: L1+, L2-, L5+ -> 2/3 > 0.5: dominant.
  EXPECT_NEAR(*summary.fdg_avid_load_positive_fraction, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(summary.zephir_category, "entire or dominant part");

  const HeterogeneitySummary uniform =
      summarise_heterogeneity("fes", "ER", {{"L1", "bone", {}, true, LesionStatus::kPositive}});
  EXPECT_FALSE(*uniform.heterogeneous);
  EXPECT_TRUE(uniform.zephir_category.empty());
  const HeterogeneitySummary none = summarise_heterogeneity("fes", "ER", {});
  EXPECT_FALSE(none.heterogeneous);
}

}  // namespace
}  // namespace oncotrace
