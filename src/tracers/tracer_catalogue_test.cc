#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <dcmtk/dcmsr/cmr/cid4021.h>
#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/source_dir.h"
#include "oncotrace/tracers.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;

std::string shipped_catalogue_text() {
  std::ifstream in(std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "tracers.json");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json shipped_catalogue_json() { return json::parse(shipped_catalogue_text()); }

bool any_problem_contains(const std::vector<std::string>& problems, const std::string& part) {
  for (const std::string& p : problems) {
    if (p.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += p + "\n";
  return out;
}

TEST(TracerCatalogue, ShippedCatalogueIsValid) {
  const std::vector<std::string> problems =
      validate_tracer_catalogue_json(shipped_catalogue_text());
  EXPECT_TRUE(problems.empty()) << joined(problems);
  EXPECT_NO_THROW(TracerCatalogue::from_json_text(shipped_catalogue_text(), "tracers.json"));
}

// data/tracers.schema.json and the C++ validator state the same rules: the schema's required
// fields are the fields of every entry, and its nuclide enumeration is the fixed list.
TEST(TracerCatalogue, SchemaFileAgreesWithTheValidator) {
  std::ifstream in(std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "tracers.schema.json");
  const json schema = json::parse(in);
  const json& tracer_schema = schema["$defs"]["tracer"];
  std::set<std::string> required;
  for (const json& field : tracer_schema["required"]) required.insert(field.get<std::string>());
  std::set<std::string> properties;
  for (const auto& [key, unused] : tracer_schema["properties"].items()) properties.insert(key);
  EXPECT_EQ(required, properties);
  const json shipped = shipped_catalogue_json();
  for (const json& entry : shipped["tracers"]) {
    std::set<std::string> keys;
    for (const auto& [key, unused] : entry.items()) keys.insert(key);
    EXPECT_EQ(keys, required) << entry["id"];
  }
  const std::vector<std::string> nuclides =
      tracer_schema["properties"]["nuclide"]["enum"].get<std::vector<std::string>>();
  EXPECT_EQ(nuclides, known_tracer_nuclides());
  // A key the schema forbids (additionalProperties: false) is rejected by the validator too.
  json catalogue = shipped_catalogue_json();
  catalogue["tracers"][0]["half_life_s"] = 6586.2;
  EXPECT_FALSE(validate_tracer_catalogue_json(catalogue.dump()).empty());
}

// Every tracer of clinical-context.md §2.1 Table A (the list plus the remaining rows).
TEST(TracerCatalogue, HoldsEveryTracerOfTheReferenceTables) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  for (const char* id :
       {"fdg",          "fes",          "flt",          "naf",          "fapi04",      "fapi46",
        "fapi18f",      "ffnp",         "ftt",          "cu64sarbbn",   "zr89tras",    "zr89pertu",
        "zr89fab",      "cu64dotatras", "cu64notatras", "ga68aby025",   "in111aby025", "ga68zher2",
        "ga68nb2rs15d", "f18nb",        "tc99mnm02",    "tc99mh6f",     "tc99mhpark2", "in111tras",
        "lu177tras",    "i131tras",     "lu177pertu",   "in111nlstras", "lu177rad202", "lu177fapi",
        "y90fapi"}) {
    EXPECT_NE(catalogue.find(id), nullptr) << id;
  }
  EXPECT_EQ(catalogue.find("dotatate"), nullptr) << "the reference lists no DOTATATE entry";
}

TEST(TracerCatalogue, EveryEntryRuleAndCriterionCarriesACitation) {
  for (const Tracer& t : default_tracer_catalogue().tracers()) {
    ASSERT_FALSE(t.citations.empty()) << t.id;
    for (const std::string& c : t.citations) EXPECT_FALSE(c.empty()) << t.id;
    if (t.positivity_rule) {
      EXPECT_FALSE(t.positivity_rule->citation.empty()) << t.id;
    }
    for (const TracerPublishedCriterion& p : t.published_criteria) {
      EXPECT_FALSE(p.citation.empty()) << t.id << " " << p.name;
    }
    if (t.imaging_window) {
      EXPECT_FALSE(t.imaging_window->citations.empty()) << t.id;
    }
    for (const TracerCode& code : t.codes) EXPECT_FALSE(code.source.empty()) << t.id;
  }
}

TEST(TracerCatalogue, ThresholdIsNullExactlyWhenNoneIsValidated) {
  int with_rule = 0;
  for (const Tracer& t : default_tracer_catalogue().tracers()) {
    EXPECT_EQ(t.no_validated_threshold, !t.positivity_rule.has_value()) << t.id;
    if (t.positivity_rule) ++with_rule;
  }
  // clinical-context.md §2.2: numeric lesion-positivity thresholds are published for FES (1.5),
  // [89Zr]trastuzumab (3.2) and [99mTc]HP-Ark2 (TBR 1.44) only.
  EXPECT_EQ(with_rule, 3);
}

// Published rules as written in clinical-context.md §2.2 Table B.
TEST(TracerCatalogue, PositivityRulesMatchTheReference) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  const TracerPositivityRule& fes = *catalogue.find("fes")->positivity_rule;
  EXPECT_EQ(fes.metric, "SUVmax");
  EXPECT_DOUBLE_EQ(fes.threshold, 1.5);
  EXPECT_EQ(fes.comparison, ">=");  // research convention (default of fes_threshold_operator)
  ASSERT_EQ(fes.alternative_comparisons.size(), 1u);
  EXPECT_EQ(fes.alternative_comparisons[0].first, ">");  // guideline wording "> 1.5"
  EXPECT_EQ(fes.not_applicable_in, std::vector<std::string>{"liver"});
  EXPECT_EQ(fes.cohort->patients, 91);
  EXPECT_EQ(fes.cohort->lesions, 1617);
  EXPECT_TRUE(fes.is_positive(1.5));
  EXPECT_FALSE(fes.is_positive(1.5, ">"));
  EXPECT_FALSE(fes.is_positive(1.49));

  const TracerPositivityRule& zr = *catalogue.find("zr89tras")->positivity_rule;
  EXPECT_DOUBLE_EQ(zr.threshold, 3.2);
  EXPECT_EQ(zr.not_applicable_in, std::vector<std::string>{"liver"});
  EXPECT_EQ(zr.cohort->patients, 50);
  EXPECT_DOUBLE_EQ(*zr.performance->sensitivity_percent, 75.8);
  EXPECT_DOUBLE_EQ(*zr.performance->specificity_percent, 61.5);
  EXPECT_DOUBLE_EQ(*zr.performance->ppv_percent, 83.3);
  EXPECT_DOUBLE_EQ(*zr.performance->npv_percent, 50.0);
  // §10 item 9: the comparison operator of the 3.2 cut-off is unverified.
  EXPECT_FALSE(zr.comparison_verified);

  const TracerPositivityRule& ark = *catalogue.find("tc99mhpark2")->positivity_rule;
  EXPECT_DOUBLE_EQ(ark.threshold, 1.44);
  EXPECT_DOUBLE_EQ(*ark.performance->sensitivity_percent, 89.5);
  EXPECT_DOUBLE_EQ(*ark.performance->specificity_percent, 88.2);
}

// Values marked (unverified) in clinical-context.md (§10) carry verified = false.
TEST(TracerCatalogue, UnverifiedReferenceValuesAreMarked) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  EXPECT_FALSE(catalogue.find("fdg")->imaging_window->verified);  // §10 item 1
  EXPECT_FALSE(catalogue.find("fdg")->typical_activity_verified);
  EXPECT_FALSE(catalogue.find("flt")->typical_activity_verified);   // item 4
  EXPECT_FALSE(catalogue.find("ffnp")->typical_activity_verified);  // item 5
  EXPECT_FALSE(catalogue.find("ga68zher2")->typical_activity_verified);
  for (const TracerPublishedCriterion& p : catalogue.find("ga68aby025")->published_criteria) {
    if (p.reference_region == "spleen" || p.name.find("about 6") != std::string::npos) {
      EXPECT_FALSE(p.verified) << p.name;  // item 6
    }
  }
  for (const TracerOrgan& o : catalogue.find("fdg")->physiological_uptake) {
    EXPECT_FALSE(o.verified) << o.organ;  // item 7
  }
  EXPECT_TRUE(catalogue.find("fes")->imaging_window->verified);  // Cerianna label
  EXPECT_TRUE(catalogue.find("fes")->not_assessable_in.at(0).verified);
}

TEST(TracerCatalogue, ImagingWindowsConvertToHours) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  // clinical-context.md §2.1 "Imaging-time check values".
  EXPECT_NEAR(catalogue.find("fdg")->imaging_window->earliest_h, 50.0 / 60.0, 1e-12);
  EXPECT_NEAR(catalogue.find("fdg")->imaging_window->latest_h, 1.25, 1e-12);
  EXPECT_DOUBLE_EQ(catalogue.find("zr89tras")->imaging_window->earliest_h, 72.0);
  EXPECT_DOUBLE_EQ(catalogue.find("zr89tras")->imaging_window->latest_h, 168.0);
  EXPECT_DOUBLE_EQ(catalogue.find("cu64dotatras")->imaging_window->earliest_h, 21.0);
  EXPECT_DOUBLE_EQ(catalogue.find("in111tras")->imaging_window->latest_h, 168.0);
  EXPECT_FALSE(catalogue.find("zr89fab")->imaging_window.has_value());
}

TEST(ImagingWindowWarning, InsideTheWindowIsSilent) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  EXPECT_FALSE(imaging_window_warning(*catalogue.find("fdg"), 1.0).has_value());
  EXPECT_FALSE(imaging_window_warning(*catalogue.find("fdg"), 50.0 / 60.0).has_value());
  EXPECT_FALSE(imaging_window_warning(*catalogue.find("fdg"), 1.25).has_value());
  EXPECT_FALSE(imaging_window_warning(*catalogue.find("zr89tras"), 5 * 24.0).has_value());
}

TEST(ImagingWindowWarning, OutsideTheWindowWarnsWithTheBasis) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  const auto early = imaging_window_warning(*catalogue.find("zr89tras"), 36.0);
  ASSERT_TRUE(early.has_value());
  EXPECT_NE(early->find("36 h"), std::string::npos) << *early;
  EXPECT_NE(early->find("before the documented imaging window 3-7 d"), std::string::npos) << *early;
  EXPECT_NE(early->find("Dehdashti"), std::string::npos) << *early;
  EXPECT_NE(early->find("not validated limits"), std::string::npos) << *early;

  const auto late = imaging_window_warning(*catalogue.find("fdg"), 1.5);
  ASSERT_TRUE(late.has_value());
  EXPECT_NE(late->find("90 min"), std::string::npos) << *late;
  EXPECT_NE(late->find("after the documented imaging window 50-75 min"), std::string::npos);
  EXPECT_NE(late->find("unverified"), std::string::npos) << *late;
}

TEST(ImagingWindowWarning, NoWindowNoWarningAndBadTimesThrow) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  EXPECT_FALSE(imaging_window_warning(*catalogue.find("zr89fab"), 500.0).has_value());
  EXPECT_THROW(imaging_window_warning(*catalogue.find("fdg"), -0.1), InvalidInputError);
}

// Each broken variant must be reported with the entry and the field.
struct BrokenCatalogueCase {
  const char* description;
  void (*breaks)(json& catalogue);
  const char* expected_problem;
};

void PrintTo(const BrokenCatalogueCase& c, std::ostream* os) { *os << c.description; }

json& tracer(json& catalogue, const std::string& id) {
  for (json& t : catalogue["tracers"]) {
    if (t["id"] == id) return t;
  }
  throw std::runtime_error("no tracer " + id);
}

class BrokenCatalogue : public ::testing::TestWithParam<BrokenCatalogueCase> {};

TEST_P(BrokenCatalogue, IsRejectedWithTheFieldNamed) {
  json catalogue = shipped_catalogue_json();
  GetParam().breaks(catalogue);
  const std::vector<std::string> problems = validate_tracer_catalogue_json(catalogue.dump());
  EXPECT_TRUE(any_problem_contains(problems, GetParam().expected_problem))
      << GetParam().description << "\n"
      << joined(problems);
  EXPECT_THROW(TracerCatalogue::from_json_text(catalogue.dump(), "broken.json"), InvalidInputError);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, BrokenCatalogue,
    ::testing::Values(
        BrokenCatalogueCase{"entry without citations",
                            [](json& c) { tracer(c, "fes")["citations"] = json::array(); },
                            "tracers[1] (fes).citations: needs at least 1 item"},
        BrokenCatalogueCase{"rule without citation",
                            [](json& c) { tracer(c, "fes")["positivity_rule"]["citation"] = ""; },
                            "(fes).positivity_rule.citation: must not be empty"},
        BrokenCatalogueCase{"duplicate id", [](json& c) { tracer(c, "flt")["id"] = "fdg"; },
                            "\"fdg\" is already used by tracers[0]"},
        BrokenCatalogueCase{"unknown nuclide spelling",
                            [](json& c) { tracer(c, "fdg")["nuclide"] = "F18"; },
                            "(fdg).nuclide: must be one of"},
        BrokenCatalogueCase{"missing required field",
                            [](json& c) { tracer(c, "naf").erase("target"); },
                            "(naf): required field \"target\" is missing"},
        BrokenCatalogueCase{"misspelt field", [](json& c) { tracer(c, "naf")["citation"] = "x"; },
                            "(naf): unknown field \"citation\""},
        BrokenCatalogueCase{
            "wrong type", [](json& c) { tracer(c, "fes")["positivity_rule"]["threshold"] = "1.5"; },
            "(fes).positivity_rule.threshold: must be a number"},
        BrokenCatalogueCase{"threshold flag inconsistent with a null rule",
                            [](json& c) { tracer(c, "fdg")["no_validated_threshold"] = false; },
                            "(fdg).no_validated_threshold: must be true exactly when"},
        BrokenCatalogueCase{"window reversed",
                            [](json& c) { tracer(c, "naf")["imaging_window"]["earliest"] = 90; },
                            "(naf).imaging_window: earliest is later than latest"},
        BrokenCatalogueCase{
            "organ outside the vocabulary",
            [](json& c) { tracer(c, "fes")["not_assessable_in"][0]["organ"] = "Liver"; },
            "(fes).not_assessable_in[0].organ: must be one of"},
        BrokenCatalogueCase{"synonym naming two tracers of one nuclide",
                            [](json& c) { tracer(c, "fes")["synonyms"].push_back("18F-FDG"); },
                            "\"18F-FDG\" with nuclide F-18 already names tracer \"fdg\""},
        BrokenCatalogueCase{"unverified flag missing on a code",
                            [](json& c) { tracer(c, "fdg")["dicom_codes"][0].erase("verified"); },
                            "(fdg).dicom_codes[0]: required field \"verified\" is missing"}));

TEST(TracerCatalogue, NotJsonAndMissingFileAreInvalidInput) {
  EXPECT_FALSE(validate_tracer_catalogue_json("{").empty());
  try {
    TracerCatalogue::load("/nonexistent/tracers.json");
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tracers.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("ONCOTRACE_DATA_DIR"), std::string::npos);
  }
}

TEST(TracerCatalogue, DataDirectoryComesFromTheEnvironment) {
  const char* previous = std::getenv("ONCOTRACE_DATA_DIR");
  const std::string saved = previous ? previous : "";
  ::setenv("ONCOTRACE_DATA_DIR", "/some/where", 1);
  EXPECT_EQ(default_tracer_catalogue_path(), std::filesystem::path("/some/where/tracers.json"));
  ::unsetenv("ONCOTRACE_DATA_DIR");
  EXPECT_EQ(default_tracer_catalogue_path(),
            std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "tracers.json");
  if (previous) ::setenv("ONCOTRACE_DATA_DIR", saved.c_str(), 1);
}

// The SNOMED CT, DCM and UMLS codes of the catalogue are those of DICOM PS3.16 CID 4021, as
// generated into DCMTK (external truth); the retired SRT codes come from clinical-context.md §2.5.
TEST(TracerCatalogue, DicomCodesAreThoseOfCid4021) {
  CID4021_PETRadiopharmaceutical::initialize();
  CID4021_PETRadiopharmaceutical cid4021;
  int checked = 0;
  for (const Tracer& t : default_tracer_catalogue().tracers()) {
    for (const TracerCode& code : t.codes) {
      if (code.scheme == "SRT" || code.scheme == "99SDM") continue;
      // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
      // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
      DSRCodedEntryValue entry(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str());
      EXPECT_TRUE(cid4021.lookupCodedEntry(entry).good()) << t.id << " " << code.value;
      // NOLINTNEXTLINE(readability-redundant-string-cstr): OFString, as above
      EXPECT_EQ(std::string(entry.getCodeMeaning().c_str()), code.meaning) << t.id;
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

}  // namespace
}  // namespace oncotrace
