// Simulated response series (tests/response_cases/cases.json) realising every PERCIST and EORTC
// category, TBCRC026, PHERGain and FLT (Crippa 2015, default and optional cut point) responders
// and non-responders, values exactly at each threshold
// on both sides, and a liver reference that changed too much to compare. Each timepoint is
// written as the lesions.json of an `oncotrace analyze` output folder (built from a template),
// read back as `oncotrace response` reads its studies (response_timepoint_from_lesions_json) and
// assessed; the report is checked for byte-identical output, written to the results store and
// drawn as figures.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/atomic_file.h"
#include "oncotrace/patient.h"
#include "oncotrace/report.h"
#include "oncotrace/response.h"
#include "oncotrace/store.h"
#include "pipeline/store_stage.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using Json = nlohmann::json;

Json load_cases() {
  std::ifstream stream(ONCOTRACE_RESPONSE_CASES);
  EXPECT_TRUE(stream.good()) << ONCOTRACE_RESPONSE_CASES;
  return Json::parse(stream);
}

Json statistics(const Json& pair) { return Json{{"mean", pair.at(0)}, {"sd", pair.at(1)}}; }

// One analyze lesions.json (schema oncotrace-lesions/1) with the members the response reader
// uses: SUVbw uptake statistics with the SUL statistics beside them, MTV, TLG on both scales,
// the liver and blood-pool reference regions on both scales, and the SUV audit's uptake time,
// scanner and reference time.
Json lesions_json(const Json& timepoint, const Json& scan_defaults, int index) {
  const auto pick = [&](const char* key) {
    return timepoint.contains(key) ? timepoint[key] : scan_defaults.at(key);
  };
  Json lesions = Json::array();
  int label = 0;
  for (const Json& given : timepoint.at("lesions")) {
    const auto value = [&](const char* key) -> double {
      return given.contains(key) ? given[key].get<double>() : given.at("all").get<double>();
    };
    const double sul_peak = value("sul_peak");
    const double suv_mean = value("suv_mean");
    const double volume = given.value("volume_ml", 10.0);
    lesions.push_back(
        {{"label", ++label},
         {"name", given.at("name")},
         {"organ", given.at("organ")},
         {"volume_ml", volume},
         {"uptake",
          {{"max", value("suv_max")},
           {"mean", suv_mean},
           {"peaks", Json::array({{{"value", value("suv_max")}}})}}},
         {"sul", {{"max", value("sul_max")}, {"peaks", Json::array({{{"value", sul_peak}}})}}},
         {"total_uptake", suv_mean * volume},
         {"total_uptake_sul", given.value("tlg_sul", 10.0 * sul_peak)},
         {"longest_diameter_mm", 20.0}});
  }
  const Json regions = Json::array({{{"name", "liver"},
                                     {"statistics", statistics(pick("liver_suv"))},
                                     {"sul", statistics(pick("liver_sul"))}},
                                    {{"name", "blood_pool"},
                                     {"statistics", statistics(Json::array({2.0, 0.25}))},
                                     {"sul", statistics(pick("blood_pool_sul"))}}});
  const std::string date = index == 0 ? "2026-01-05" : "2026-0" + std::to_string(1 + index) + "-05";
  return Json{{"schema", "oncotrace-lesions/1"},
              {"units", {{"uptake", "g/ml{SUVbw}"}, {"sul", "g/ml{SUVlbm(Janma)}"}}},
              {"lesions", lesions},
              {"reference_regions", regions},
              {"provenance",
               {{"suv_audit",
                 {{"manufacturer", "SIEMENS"},
                  {"decay_interval_s", 3600.0},
                  {"reference_time", {{"value", date + "T10:00:00"}}}}}}}};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
}

// The timepoints of a case, each through a lesions.json file in an analyze-like folder.
std::vector<ResponseTimepoint> timepoints_of(const Json& test_case,
                                             const std::filesystem::path& folder) {
  Json defaults = {
      {"liver_sul", {2.0, 0.2}}, {"blood_pool_sul", {1.6, 0.2}}, {"liver_suv", {2.5, 0.3}}};
  for (const char* key : {"liver_sul", "blood_pool_sul", "liver_suv"}) {
    if (test_case.contains(key)) defaults[key] = test_case[key];
  }
  std::vector<ResponseTimepoint> timepoints;
  int index = 0;
  for (const Json& given : test_case.at("timepoints")) {
    const std::string id = index == 0 ? "baseline" : "followup" + std::to_string(index);
    const std::filesystem::path study = folder / "studies" / id;
    std::filesystem::create_directories(study);
    write_file_atomically(study / "lesions.json", lesions_json(given, defaults, index).dump(2));
    ResponseTimepoint timepoint = response_timepoint_from_lesions_json(
        read_text(study / "lesions.json"), id, (study / "lesions.json").string());
    // What analyze_response adds from the manifest and the lesion matching.
    timepoint.tracer = test_case.value("tracer", "fdg");
    timepoint.cycles_completed = given.value("cycles_completed", index == 0 ? 0 : 2);
    if (given.contains("cycle_day")) {
      const auto [cycle, day] = parse_cycle_day(given["cycle_day"], id);
      timepoint.cycle = cycle;
      timepoint.cycle_day = day;
    }
    timepoint.days_since_baseline = 14.0 * index;
    size_t n = 0;
    for (const Json& lesion : given.at("lesions")) {
      timepoint.lesions[n++].is_new = lesion.value("new", false);
    }
    timepoints.push_back(std::move(timepoint));
    ++index;
  }
  return timepoints;
}

// The case's response options: the defaults, with options.flt_cut_point_percent_decrease (the
// `--flt-cut-point` value) when given.
ResponseOptions options_of(const Json& test_case) {
  ResponseOptions options;
  const Json given = test_case.value("options", Json::object());
  if (given.contains("flt_cut_point_percent_decrease")) {
    options.flt.cut_point_percent = -given["flt_cut_point_percent_decrease"].get<double>();
  }
  return options;
}

bool contains_text(const std::vector<std::string>& texts, const std::string& part) {
  for (const std::string& text : texts) {
    if (text.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(ResponseCases, EveryCaseGivesItsExpectedCategories) {
  const Json cases = load_cases();
  std::set<std::string> seen;  // criterion:category realised by some case
  for (const Json& test_case : cases.at("cases")) {
    const std::string name = test_case.at("name");
    SCOPED_TRACE(name);
    testing::TemporaryDirectory folder;
    const std::vector<ResponseTimepoint> timepoints = timepoints_of(test_case, folder.path());
    const ResponseReport report = assess_response(timepoints, options_of(test_case));
    const Json& expected = test_case.at("expect");
    ASSERT_EQ(expected.size() + 1, timepoints.size());
    for (size_t follow_up = 0; follow_up < expected.size(); ++follow_up) {
      for (const auto& [criterion, category] : expected[follow_up].items()) {
        const ResponseAssessment* found = nullptr;
        for (const ResponseAssessment& assessment : report.assessments) {
          if (assessment.criterion == criterion &&
              assessment.follow_up_label == timepoints[follow_up + 1].label) {
            found = &assessment;
          }
        }
        ASSERT_NE(found, nullptr) << criterion;
        EXPECT_EQ(found->category, category.get<std::string>())
            << criterion << " at " << found->follow_up_label << ": " << found->decided_by;
        seen.insert(criterion + ":" + category.get<std::string>());
        if (criterion != "percist") continue;
        for (const Json& warning : test_case.value("warnings", Json::array())) {
          EXPECT_TRUE(contains_text(found->warnings, warning.get<std::string>())) << warning;
        }
        for (const Json& warning : test_case.value("no_warnings", Json::array())) {
          EXPECT_FALSE(contains_text(found->warnings, warning.get<std::string>())) << warning;
        }
      }
    }
  }
  // The cases realise every category the issue asks for.
  for (const char* wanted :
       {"percist:CMR", "percist:PMR", "percist:SMD", "percist:PMD", "eortc:CMR", "eortc:PMR",
        "eortc:SMD", "eortc:PMD", "eortc:indeterminate", "tbcrc026:reduction_ge_40",
        "tbcrc026:reduction_lt_40", "phergain:responder", "phergain:non_responder",
        "phergain:not_eligible", "flt:flt_response", "flt:no_flt_response"}) {
    EXPECT_EQ(seen.count(wanted), 1U) << wanted;
  }
}

TEST(ResponseCases, PercistProgressionRealisedByEachRule) {
  // PMD by SULpeak (a), by TLG (b) and by a new lesion (c): the deciding branch is named.
  const Json cases = load_cases();
  std::map<std::string, std::string> branch_of = {
      {"percist_pmd_sulpeak_above_30_percent", "PMD (a)"},
      {"percist_pmd_sulpeak_above_0.8_sul_units", "PMD (a)"},
      {"percist_pmd_tlg_above_75_percent", "PMD (b)"},
      {"percist_pmd_new_lesion", "PMD (c)"}};
  size_t checked = 0;
  for (const Json& test_case : cases.at("cases")) {
    const auto branch = branch_of.find(test_case.at("name"));
    if (branch == branch_of.end()) continue;
    testing::TemporaryDirectory folder;
    const std::vector<ResponseTimepoint> timepoints = timepoints_of(test_case, folder.path());
    const ResponseAssessment percist = assess_percist(timepoints[0], timepoints[1]);
    EXPECT_EQ(percist.decided_by.rfind(branch->second, 0), 0U)
        << branch->first << ": " << percist.decided_by;
    ++checked;
  }
  EXPECT_EQ(checked, branch_of.size());
}

TEST(ResponseCases, OutputIsByteIdenticalAcrossRunsAndCarriesNoClock) {
  const Json cases = load_cases();
  std::string first;
  std::string second;
  for (int run = 0; run < 2; ++run) {
    for (const Json& test_case : cases.at("cases")) {
      testing::TemporaryDirectory folder;
      (run == 0 ? first : second) += response_report_json(
          assess_response(timepoints_of(test_case, folder.path()), options_of(test_case)));
    }
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.find("created_at"), std::string::npos);
  EXPECT_EQ(first.find("generated_at"), std::string::npos);
}

TEST(ResponseCases, SeriesGoesToTheStoreAndTheFigures) {
  const Json cases = load_cases();
  const Json* three = nullptr;
  for (const Json& test_case : cases.at("cases")) {
    if (test_case.at("name") == "three_timepoints_pmr_then_pmd") three = &test_case;
  }
  ASSERT_NE(three, nullptr);
  testing::TemporaryDirectory folder;
  const ResponseReport report = assess_response(timepoints_of(*three, folder.path()));
  const std::string text = response_report_json(report);
  write_file_atomically(folder.path() / "response.json", text);

  pipeline_internal::ResponseStoreRequest request;
  request.db = folder.path() / "oncotrace.db";
  request.patient_id = "SIM-RESPONSE";
  request.study_instance_uids = {"2.25.1", "2.25.2", "2.25.3"};
  request.report = &report;
  request.command_line = "oncotrace response baseline followup1 followup2 -o out";
  request.settings_json = Json::parse(text).at("options").dump();
  pipeline_internal::store_response(request);
  pipeline_internal::store_response(request);  // a re-run replaces the series
  const auto stored = ResultsStore::open(request.db).load_patient_response("SIM-RESPONSE");
  ASSERT_TRUE(stored.has_value());
  ASSERT_EQ(stored->timepoints.size(), 3U);
  EXPECT_EQ(stored->timepoints[2].label, "followup2");
  EXPECT_EQ(stored->timepoints[1].days_since_baseline, 14.0);
  EXPECT_EQ(stored->responses.size(), report.assessments.size());
  EXPECT_EQ(stored->responses[0].criterion, "percist");
  EXPECT_EQ(stored->responses[0].category, "PMR");
  size_t change_rows = 0;
  for (const ResponseChangeTable& table : report.change_tables) {
    for (const LesionChangeRow& row : table.lesions) change_rows += row.changes.size();
    change_rows += table.patient.size();
  }
  EXPECT_EQ(stored->changes.size(), change_rows);

  const auto figures = write_response_figures(folder.path(), folder.path() / "figures");
  EXPECT_EQ(figures.size(), 6U);  // two waterfalls and the trajectory, PNG and SVG
  const std::string html = build_report_html(folder.path());
  EXPECT_NE(html.find("response-waterfall"), std::string::npos);
  EXPECT_NE(html.find("followup2"), std::string::npos);
}

}  // namespace
}  // namespace oncotrace
