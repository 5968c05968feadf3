// The multi-timepoint report, its JSON, determinism, and timepoints read from lesions.json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/response.h"
#include "response/response_test_support.h"

namespace oncotrace {
namespace {

using namespace response_test;  // NOLINT(google-build-using-namespace): test builders
using nlohmann::json;

// A simulated series: baseline, C1D15, after cycle 2. Primary breast tumour P and an axillary
// node N, both with every quantity; liver SUL 2.0 (SD 0.2) and SUV 2.5 (SD 0.3).
std::vector<ResponseTimepoint> series() {
  auto lesion = [](const std::string& id, const std::string& organ, double sul) {
    ResponseLesion out = sul_lesion(id, sul, organ);
    out.sul_max = sul * 1.2;
    out.suv_max = sul * 1.5;
    out.suv_mean = sul * 0.8;
    out.mtv_ml = 10.0;
    out.longest_diameter_mm = 20.0;
    return out;
  };
  ResponseTimepoint baseline = fdg_timepoint("baseline");
  baseline.liver_suv = ReferenceStatistics{2.5, 0.3};
  baseline.lesions = {lesion("P", "breast", 10.0), lesion("N", "axillary_node", 6.0)};
  ResponseTimepoint c1d15 = fdg_timepoint("C1D15");
  c1d15.liver_suv = baseline.liver_suv;
  c1d15.cycles_completed = 0;
  c1d15.cycle = 1;
  c1d15.cycle_day = 15;
  c1d15.days_since_baseline = 16.0;
  c1d15.lesions = {lesion("P", "breast", 5.0), lesion("N", "axillary_node", 3.0)};
  ResponseTimepoint cycle2 = fdg_timepoint("after cycle 2");
  cycle2.liver_suv = baseline.liver_suv;
  cycle2.days_since_baseline = 43.0;
  cycle2.lesions = {lesion("P", "breast", 2.0)};  // N disappeared
  return {baseline, c1d15, cycle2};
}

TEST(ResponseReport, EveryCriterionForEveryFollowUp) {
  const ResponseReport report = assess_response(series());
  ASSERT_EQ(report.assessments.size(), 10u);
  EXPECT_EQ(report.assessments[0].criterion, "percist");
  EXPECT_EQ(report.assessments[0].follow_up_label, "C1D15");
  EXPECT_EQ(report.assessments[0].category, "PMR");              // 10 -> 5: -50 %, -5 SUL
  EXPECT_EQ(report.assessments[1].category, "PMR");              // EORTC SUVmax -50 % (first cycle)
  EXPECT_EQ(report.assessments[2].category, "reduction_ge_40");  // SULmax 12 -> 6
  EXPECT_EQ(report.assessments[5].follow_up_label, "after cycle 2");
  // After cycle 2: P 10 -> 2 (-80 %), N absent; liver SULmean 2.0, P SULpeak 2.0 <= 2.0 and
  // <= blood-pool level 2.0 -> CMR.
  EXPECT_EQ(report.assessments[5].category, "CMR");
  EXPECT_EQ(report.assessments[8].category, "responder");  // PHERGain: P -80 %, N resolved
}

TEST(ResponseReport, JsonIsCompleteAndDeterministic) {
  const std::string text = response_report_json(assess_response(series()));
  EXPECT_EQ(text, response_report_json(assess_response(series())));
  const json document = json::parse(text);
  EXPECT_EQ(document["schema"], "oncotrace-response/1");
  EXPECT_NE(document["research_use_only"].get<std::string>().find("Research use only"),
            std::string::npos);
  EXPECT_EQ(document["timepoints"].size(), 3u);
  EXPECT_EQ(document["timepoints"][1]["cycle_day"], 15);
  EXPECT_EQ(document["options"]["percist"]["pmr_operator"], ">=");
  EXPECT_EQ(document["options"]["comparison"]["percent_decimals"], 2);
  const json& percist = document["assessments"][0];
  for (const char* key : {"criterion", "title", "status", "baseline", "follow_up", "category",
                          "category_text", "decided_by", "rule", "citations", "numbers", "checks",
                          "lesions", "warnings", "unverified", "context"}) {
    EXPECT_TRUE(percist.contains(key)) << key;
  }
  EXPECT_FALSE(percist["citations"].empty());
  const json& row = percist["lesions"][0];
  EXPECT_EQ(row["id"], "N");
  EXPECT_DOUBLE_EQ(row["percent_change"].get<double>(), -50.0);
  EXPECT_EQ(row["other_changes"][0]["quantity"], "MTV");
  EXPECT_EQ(document["assessments"][4]["unverified"].size(), 1u);  // FLT branch logic
  ASSERT_EQ(document["change_tables"].size(), 2u);
  EXPECT_EQ(document["change_tables"][1]["lesions"][0]["status"], "disappeared");
  EXPECT_EQ(document["change_tables"][0]["patient"][3]["quantity"], "TMTV");
}

// Lesion and patient change tables for the C1D15 follow-up of the series: P SULpeak 10 -> 5,
// N 6 -> 3 (SUVmax 1.5 x SULpeak, MTV 10 mL each, TLG 12 x SULpeak).
TEST(ResponseReport, ChangeTables) {
  const ResponseReport report = assess_response(series());
  ASSERT_EQ(report.change_tables.size(), 2u);
  const ResponseChangeTable& table = report.change_tables[0];
  EXPECT_EQ(table.follow_up_label, "C1D15");
  ASSERT_EQ(table.lesions.size(), 2u);
  const LesionChangeRow& n = table.lesions[0];
  EXPECT_EQ(n.id, "N");
  EXPECT_EQ(n.changes[0].quantity, "SULpeak");
  EXPECT_DOUBLE_EQ(*n.changes[0].absolute_change, -3.0);
  EXPECT_DOUBLE_EQ(*n.changes[2].percent_change, -50.0);  // SUVmax 9 -> 4.5
  auto patient = [&table](const std::string& name) {
    for (const QuantityChange& change : table.patient) {
      if (change.quantity == name) return change;
    }
    return QuantityChange{};
  };
  EXPECT_DOUBLE_EQ(*patient("TMTV").baseline, 20.0);
  EXPECT_DOUBLE_EQ(*patient("TMTV").percent_change, 0.0);
  EXPECT_DOUBLE_EQ(*patient("TTLG").baseline, 192.0);  // 12 x (10 + 6)
  EXPECT_DOUBLE_EQ(*patient("TTLG").follow_up, 96.0);  // 12 x (5 + 3)
  EXPECT_DOUBLE_EQ(*patient("max_SUVmax").follow_up, 7.5);
  const ResponseChangeTable& second = report.change_tables[1];
  EXPECT_EQ(second.lesions[0].status, "disappeared");
  for (const QuantityChange& change : second.patient) {
    if (change.quantity == "disappeared_lesions") {
      EXPECT_DOUBLE_EQ(*change.follow_up, 1.0);
    }
  }
}

TEST(ResponseReport, RejectsFewerThanTwoTimepoints) {
  EXPECT_THROW(assess_response({fdg_timepoint("baseline")}), InvalidInputError);
  ResponseOptions bad;
  bad.precision.percent_decimals = 12;
  EXPECT_THROW(assess_response(series(), bad), InvalidInputError);
}

TEST(ResponseCriterionNames, RoundTrip) {
  for (ResponseCriterion criterion :
       {ResponseCriterion::kPercist, ResponseCriterion::kEortc, ResponseCriterion::kTbcrc026,
        ResponseCriterion::kPhergain, ResponseCriterion::kFlt}) {
    EXPECT_EQ(parse_response_criterion(response_criterion_name(criterion)), criterion);
  }
  EXPECT_EQ(parse_response_criterion("PERCIST"), ResponseCriterion::kPercist);
  EXPECT_FALSE(parse_response_criterion("recist").has_value());
}

// The shape written by src/pipeline/documents.cc (lesions_json), trimmed to the fields read.
constexpr const char* kLesionsJson = R"({
  "schema": "oncotrace-lesions/1",
  "units": {"uptake": "g/ml{SUVbw}", "sul": "g/ml{SUVlbm(Janma)}"},
  "reference_regions": [
    {"name": "liver", "statistics": {"mean": 2.5, "sd": 0.3}, "sul": {"mean": 1.9, "sd": 0.21}},
    {"name": "blood_pool", "statistics": {"mean": 2.0, "sd": 0.2}},
    {"name": "spleen", "statistics": {"mean": 2.2, "sd": 0.2}}
  ],
  "lesions": [
    {"label": 1, "name": "lesion_1", "volume_ml": 12.5,
     "uptake": {"max": 9.0, "mean": 5.0, "peaks": [{"variant": "ibsi_global", "value": 7.5}]},
     "total_uptake": 62.5,
     "sul": {"max": 6.8, "mean": 3.8, "peaks": [{"variant": "ibsi_global", "value": 5.7}]},
     "total_uptake_sul": 47.5, "longest_diameter_mm": 31.0, "organ": "bone"},
    {"label": 2, "name": "lesion_2", "volume_ml": 2.0,
     "uptake": {"max": 4.0, "mean": 3.0, "peaks": []}, "total_uptake": 6.0,
     "longest_diameter_mm": 12.0, "organ": null}
  ],
  "provenance": {"suv_audit": {"manufacturer": "GE MEDICAL SYSTEMS", "decay_interval_s": 3720,
                               "reference_time": {"value": "2024-03-05T10:02:00"}}}
})";

TEST(LesionsJson, MapsOntoTheResponseInput) {
  const ResponseTimepoint t =
      response_timepoint_from_lesions_json(kLesionsJson, "baseline", "baseline/lesions.json");
  EXPECT_EQ(t.label, "baseline");
  EXPECT_EQ(t.date, "2024-03-05");
  EXPECT_DOUBLE_EQ(*t.uptake_time_min, 62.0);
  EXPECT_EQ(t.scanner, "GE MEDICAL SYSTEMS");
  EXPECT_EQ(t.sul_normalization, "g/ml{SUVlbm(Janma)}");
  EXPECT_DOUBLE_EQ(t.liver_suv->mean, 2.5);
  EXPECT_DOUBLE_EQ(t.liver_sul->sd, 0.21);
  EXPECT_DOUBLE_EQ(t.blood_pool_suv->mean, 2.0);
  EXPECT_FALSE(t.blood_pool_sul.has_value());
  ASSERT_EQ(t.lesions.size(), 2u);
  const ResponseLesion& first = t.lesions[0];
  EXPECT_EQ(first.id, "lesion_1");
  EXPECT_EQ(first.organ, "bone");
  EXPECT_DOUBLE_EQ(*first.suv_max, 9.0);
  EXPECT_DOUBLE_EQ(*first.suv_mean, 5.0);
  EXPECT_DOUBLE_EQ(*first.suv_peak, 7.5);
  EXPECT_DOUBLE_EQ(*first.sul_peak, 5.7);
  EXPECT_DOUBLE_EQ(*first.sul_max, 6.8);
  EXPECT_DOUBLE_EQ(*first.mtv_ml, 12.5);
  EXPECT_DOUBLE_EQ(*first.tlg_g, 62.5);
  EXPECT_DOUBLE_EQ(*first.tlg_sul_g, 47.5);
  EXPECT_DOUBLE_EQ(*first.longest_diameter_mm, 31.0);
  const ResponseLesion& second = t.lesions[1];
  EXPECT_EQ(second.organ, "");
  EXPECT_FALSE(second.suv_peak.has_value());
  EXPECT_FALSE(second.sul_peak.has_value());
}

TEST(LesionsJson, RejectsOtherDocuments) {
  EXPECT_THROW(response_timepoint_from_lesions_json("{", "x", "a.json"), InvalidInputError);
  EXPECT_THROW(response_timepoint_from_lesions_json(R"({"schema": "other"})", "x", "a.json"),
               InvalidInputError);
  std::string bq = kLesionsJson;
  bq.replace(bq.find("g/ml{SUVbw}"), 11, "Bq/ml");
  EXPECT_THROW(response_timepoint_from_lesions_json(bq, "x", "a.json"), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
