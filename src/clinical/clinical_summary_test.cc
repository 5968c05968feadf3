#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

using nlohmann::json;

std::filesystem::path example_path() { return clinical_data_dir() / "example_patient.json"; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json example_summary() { return json::parse(clinical_summary_json(example_path())); }

const json* find_biomarker(const json& summary, const std::string& name,
                           const std::string& specimen) {
  for (const json& b : summary["biomarkers"]) {
    if (b["name"] == name && (specimen.empty() || b["specimen"] == specimen)) return &b;
  }
  return nullptr;
}

bool any_annotation_contains(const json& biomarker, const std::string& part) {
  for (const json& a : biomarker["annotations"]) {
    if (a["text"].get<std::string>().find(part) != std::string::npos) return true;
  }
  return false;
}

// The example patient (data/clinical/example_patient.json), worked out by hand:
//   S1 primary: IHC 2+, dual-probe ratio 1.4, 3.1 copies -> group 5 -> HER2-negative, HER2-low
//   (IHC 2+ with negative ISH); ER 90 % positive, PR 40 % positive -> HR+/HER2-; Ki-67 25 % >=
//   20 % -> luminal B-like (HER2-negative).
//   S2 liver: IHC 3+ -> positive; ER 5 % -> ER Low Positive; PR 0 % negative.
//   cT2 cN1 cM0 -> anatomic IIB; prognostic row group C (T2 N1), G2, HER2-, ER+ PR+ -> IIA
//   (verified cell). Imaging: liver + bone -> cM1 (stage IV, 2 distant lesions < 5 ->
//   oligometastatic); internal mammary node with the axillary cN1 -> cN3b.
TEST(ClinicalSummary, ExamplePatient) {
  const json s = example_summary();
  EXPECT_EQ(s["schema_version"], "oncotrace.clinical_summary/1");
  EXPECT_EQ(s["research_use_only"], kResearchUseOnly);
  EXPECT_NE(s["disclaimer"].get<std::string>().find("Research use only"), std::string::npos);

  const json& s1 = s["specimens"][0];
  EXPECT_EQ(s1["her2"]["status"], "negative");
  EXPECT_EQ(s1["her2"]["dual_probe_ish_group"], 5);
  EXPECT_EQ(s1["her2"]["expression"]["category"], "low");
  EXPECT_EQ(s1["her2"]["expression"]["her2_low"], true);
  EXPECT_NE(s1["her2"]["expression"]["label"].get<std::string>().find("not an ASCO/CAP"),
            std::string::npos);
  EXPECT_EQ(s1["subtype"]["value"], "hr_positive_her2_negative");
  EXPECT_EQ(s1["subtype"]["surrogate"]["value"], "luminal_b_like_her2_negative");
  const json& s2 = s["specimens"][1];
  EXPECT_EQ(s2["her2"]["status"], "positive");
  EXPECT_EQ(s2["er"]["status"], "low_positive");
  EXPECT_EQ(s2["subtype"]["value"], "hr_positive_her2_positive");
  EXPECT_EQ(s2["subtype"]["er_low"], true);

  const json& staging = s["staging"];
  EXPECT_EQ(staging["anatomic"]["stage"], "IIB");
  EXPECT_EQ(staging["clinical_prognostic"]["stage"], "IIA");
  EXPECT_EQ(staging["clinical_prognostic"]["status"], "verified table cell");
  EXPECT_EQ(staging["clinical_prognostic"]["row_group"], "C");
  EXPECT_EQ(staging["clinical_prognostic"]["biomarkers_from_specimen"], "S1");
  EXPECT_EQ(staging["disease_extent"]["extent"], "locally_advanced");
  const json& imaging = staging["imaging_upstaging"];
  EXPECT_EQ(imaging["changed"], true);
  EXPECT_EQ(imaging["tnm_imaging_suspected"], "cT2 cN3b cM1");
  EXPECT_EQ(imaging["anatomic_stage_imaging_suspected"]["stage"], "IV");
  EXPECT_EQ(imaging["distant_findings"], 2);
  EXPECT_EQ(imaging["disease_extent_imaging_suspected"]["oligometastatic"], true);
  EXPECT_NE(imaging["label"].get<std::string>().find("histological confirmation"),
            std::string::npos);
}

// §1.4 roles and §1.5 annotations: each biomarker carries role, value, source and context.
TEST(ClinicalSummary, BiomarkersCarryRolesSourcesAndAnnotations) {
  const json s = example_summary();
  for (const json& b : s["biomarkers"]) {
    EXPECT_TRUE(b.contains("roles") && b.contains("trial_use") && b.contains("value") &&
                b.contains("source") && b.contains("annotations"))
        << b.dump();
    const std::string source = b["source"];
    EXPECT_TRUE(source == "pathology" || source == "imaging") << source;
    const std::string use = b["trial_use"];
    EXPECT_TRUE(use == "integral" || use == "integrated") << b.dump();
    for (const json& a : b["annotations"]) EXPECT_FALSE(a["citation"].get<std::string>().empty());
  }
  const json* her2 = find_biomarker(s, "HER2 status", "S1");
  ASSERT_NE(her2, nullptr);
  EXPECT_EQ(her2->at("roles"), json({"prognostic", "predictive"}));
  const json* low = find_biomarker(s, "HER2 expression category (trial definition)", "S1");
  ASSERT_NE(low, nullptr);
  EXPECT_EQ(low->at("value"), "low");
  EXPECT_TRUE(any_annotation_contains(*low, "DESTINY-Breast04 population"));
  const json* er_low = find_biomarker(s, "ER status", "S2");
  ASSERT_NE(er_low, nullptr);
  EXPECT_TRUE(any_annotation_contains(*er_low, "ER Low Positive"));
  const json* subtype = find_biomarker(s, "receptor subtype", "S1");
  ASSERT_NE(subtype, nullptr);
  // [Jacene 2024] Table 1 (Howlader 2018): HR+/HER2- 66.6 %, 4-year survival 92.5 %.
  EXPECT_TRUE(any_annotation_contains(*subtype, "66.6 % of breast cancers"));
  EXPECT_TRUE(any_annotation_contains(*subtype, "92.5 %"));
  const json* fes = find_biomarker(s, "FES SUVmax, T7 lesion", "");
  ASSERT_NE(fes, nullptr);
  EXPECT_EQ(fes->at("source"), "imaging");
  EXPECT_EQ(fes->at("value"), 3.4);
  EXPECT_EQ(fes->at("trial_use"), "integrated");
}

TEST(ClinicalSummary, DiscordanceBetweenSpecimensIsAnnotated) {
  const json s = example_summary();
  std::vector<std::string> names;
  for (const json& d : s["discordance_between_specimens"]) names.push_back(d["biomarker"]);
  EXPECT_EQ(names, (std::vector<std::string>{"HER2 status", "PR status"}));
  EXPECT_NE(s["discordance_between_specimens"][0].dump().find("3-16 %"), std::string::npos);
}

// §1.5 (d): "never phrase an annotation as an instruction ('consider', 'should receive' and
// similar are forbidden)". Checked on the output and on the data files behind it.
TEST(ClinicalSummary, NoInstructionsAnywhere) {
  std::vector<std::string> texts = {clinical_summary_json(example_path()),
                                    read_text(clinical_data_dir() / "literature_context.json")};
  for (std::string text : texts) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* forbidden : {"consider", "should", "recommended for", "we recommend",
                                  "is indicated", "eligible for treatment"}) {
      EXPECT_EQ(text.find(forbidden), std::string::npos) << forbidden;
    }
  }
}

TEST(ClinicalSummary, DeterministicBytes) {
  EXPECT_EQ(clinical_summary_json(example_path()), clinical_summary_json(example_path()));
}

TEST(ClinicalSummary, UnverifiedPrognosticCellIsLabelled) {
  json input = json::parse(read_text(example_path()));
  input["staging"]["t"] = "cT4b";  // group E: every cell unverified (§5.5 †)
  input.erase("imaging_findings");
  const json s = json::parse(clinical_summary_json_from_text(input.dump(), "test"));
  EXPECT_EQ(s["staging"]["clinical_prognostic"]["status"], "unverified table cell");
  EXPECT_EQ(s["staging"]["clinical_prognostic"]["cell_verified"], false);
  EXPECT_TRUE(s["staging"]["imaging_upstaging"].is_null());
  input["options"]["report_unverified_prognostic_cells"] = false;
  const json hidden = json::parse(clinical_summary_json_from_text(input.dump(), "test"));
  EXPECT_TRUE(hidden["staging"]["clinical_prognostic"]["stage"].is_null());
}

TEST(ClinicalSummary, PathologicalCategoriesGetNoClinicalPrognosticStage) {
  json input = json::parse(read_text(example_path()));
  input["staging"]["t"] = "pT2";
  input["staging"]["n"] = "pN1a";
  const json s = json::parse(clinical_summary_json_from_text(input.dump(), "test"));
  EXPECT_EQ(s["staging"]["clinical_prognostic"]["status"], "not applicable");
  EXPECT_EQ(s["staging"]["anatomic"]["stage"], "IIB");
  // pN is not changed by imaging; the internal mammary finding is noted instead.
  EXPECT_EQ(s["staging"]["imaging_upstaging"]["tnm_imaging_suspected"], "pT2 pN1a cM1");
}

struct BadInputCase {
  const char* description;
  void (*breaks)(json& input);
  const char* expected_in_message;
};

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << c.description; }

class BadClinicalInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(BadClinicalInput, NamesFilePathAndRemedy) {
  json input = json::parse(read_text(example_path()));
  GetParam().breaks(input);
  try {
    clinical_summary_json_from_text(input.dump(), "patient.json");
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("patient.json"), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected_in_message), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, BadClinicalInput,
    ::testing::Values(
        BadInputCase{"IHC score spelt as a number",
                     [](json& in) { in["specimens"][0]["her2"]["ihc"]["score"] = "2"; },
                     "$.specimens[0].her2.ihc.score"},
        BadInputCase{"ER above 100 %", [](json& in) { in["specimens"][0]["er_percent"] = 120; },
                     "$.specimens[0].er_percent: must be a percentage"},
        BadInputCase{"misspelt field", [](json& in) { in["specimens"][0]["er_pct"] = 5; },
                     "$.specimens[0].er_pct: unknown field"},
        BadInputCase{"T category outside AJCC 8th", [](json& in) { in["staging"]["t"] = "cT5"; },
                     "$.staging.t"},
        BadInputCase{"unknown imaging site",
                     [](json& in) { in["imaging_findings"][0]["site"] = "spleen"; },
                     "$.imaging_findings[0].site"},
        BadInputCase{"ratio without copy number",
                     [](json& in) {
                       in["specimens"][0]["her2"]["dual_probe_ish"].erase(
                           "mean_her2_copies_per_cell");
                     },
                     "$.specimens[0].her2.dual_probe_ish"},
        BadInputCase{"staging specimen that does not exist",
                     [](json& in) { in["staging"]["staging_specimen"] = "S9"; },
                     "$.staging.staging_specimen"},
        BadInputCase{
            "membrane staining with IHC 2+",
            [](json& in) { in["specimens"][0]["her2"]["ihc"]["membrane_staining"] = "absent"; },
            "applies to IHC score 0 only"},
        BadInputCase{"annotation without citation",
                     [](json& in) { in["imaging_biomarkers"][0].erase("citation"); },
                     "$.imaging_biomarkers[0].citation"},
        BadInputCase{"specimen location with two coordinates",
                     [](json& in) {
                       in["specimens"][0]["location_lps_mm"] = {1.0, 2.0};
                     },
                     "$.specimens[0].location_lps_mm: must be three numbers"},
        BadInputCase{"wrong schema version",
                     [](json& in) { in["schema_version"] = "oncotrace.clinical/2"; },
                     "$.schema_version"}));

TEST(ClinicalSummary, SpecimenLocationIsAccepted) {
  json input = json::parse(read_text(example_path()));
  input["specimens"][0]["location_lps_mm"] = {80.0, -130.0, 415.0};
  EXPECT_NO_THROW(clinical_summary_json_from_text(input.dump(), "patient.json"));
}

TEST(ClinicalSummary, MissingFileNamesThePath) {
  EXPECT_THROW(clinical_summary_json("/nonexistent/patient.json"), InvalidInputError);
}

TEST(ClinicalSummary, MinimalInputIsNotStaged) {
  const json s = json::parse(clinical_summary_json_from_text(
      R"({"schema_version": "oncotrace.clinical/1", "specimens": [{"id": "B1", "er_percent": 0,
          "pr_percent": 0, "her2": {"ihc": {"score": "0", "membrane_staining":
          "faint_incomplete_le_10_percent"}}}]})",
      "minimal.json"));
  EXPECT_EQ(s["specimens"][0]["her2"]["expression"]["category"], "ultralow");
  EXPECT_EQ(s["specimens"][0]["subtype"]["value"], "triple_negative");
  const json* ultralow = find_biomarker(s, "HER2 expression category (trial definition)", "B1");
  ASSERT_NE(ultralow, nullptr);
  EXPECT_TRUE(any_annotation_contains(*ultralow, "DESTINY-Breast06 population"));
  EXPECT_NE(s["staging"]["status"].get<std::string>().find("not staged"), std::string::npos);
}

}  // namespace
}  // namespace oncotrace
