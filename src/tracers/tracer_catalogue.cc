// Loading and validation of data/tracers.json.
//
// The rules are those of data/tracers.schema.json, checked here by hand because Debian 12 ships
// no C++ JSON Schema validator (nlohmann-json has none); the test suite keeps both in step by
// validating the shipped catalogue and broken variants of it. Validation collects every problem
// before failing, so one run lists them all.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/source_dir.h"
#include "oncotrace/tracers.h"

namespace oncotrace {
namespace {

using nlohmann::json;

const std::set<std::string>& organ_vocabulary() {
  static const std::set<std::string> kOrgans = {
      "liver",         "kidneys",    "spleen",  "bone_marrow", "bone",
      "skeleton",      "blood_pool", "brain",   "myocardium",  "heart_wall",
      "urinary_tract", "bowel",      "muscle",  "brown_fat",   "biliary_tree",
      "uterus",        "pancreas",   "thyroid", "lung"};
  return kOrgans;
}

const std::set<std::string>& target_vocabulary() {
  static const std::set<std::string> kTargets = {
      "HER2", "ER",   "PR",  "glucose metabolism", "proliferation", "bone turnover",
      "FAP",  "PARP", "GRPR"};
  return kTargets;
}

// Collects problems with the JSON path of each ("tracers[3] (fes).positivity_rule.threshold").
class CatalogueChecker {
 public:
  std::vector<std::string> problems;

  void problem(const std::string& where, const std::string& what) {
    problems.push_back(where + ": " + what);
  }

  // `value` is an object with exactly the `required` keys plus any of `optional` ones.
  bool object_with_keys(const json& value, const std::string& where,
                        const std::vector<std::string>& required,
                        const std::vector<std::string>& optional = {}) {
    if (!value.is_object()) {
      problem(where, "must be an object");
      return false;
    }
    for (const std::string& key : required) {
      if (!value.contains(key)) problem(where, "required field \"" + key + "\" is missing");
    }
    for (const auto& [key, unused] : value.items()) {
      const bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                         std::find(optional.begin(), optional.end(), key) != optional.end();
      if (!known) problem(where, "unknown field \"" + key + "\" (misspelt?)");
    }
    return true;
  }

  // Missing keys were reported by object_with_keys(); these helpers check only present ones.
  void string_field(const json& object, const std::string& key, const std::string& where,
                    bool nullable = false, bool non_empty = true) {
    if (!object.contains(key)) return;
    const json& v = object.at(key);
    if (nullable && v.is_null()) return;
    if (!v.is_string()) {
      problem(where + "." + key, nullable ? "must be a string or null" : "must be a string");
    } else if (non_empty && v.get<std::string>().empty()) {
      problem(where + "." + key, "must not be empty");
    }
  }

  void bool_field(const json& object, const std::string& key, const std::string& where) {
    if (object.contains(key) && !object.at(key).is_boolean()) {
      problem(where + "." + key, "must be true or false");
    }
  }

  void number_field(const json& object, const std::string& key, const std::string& where,
                    bool nullable, std::optional<double> minimum = std::nullopt,
                    std::optional<double> maximum = std::nullopt) {
    if (!object.contains(key)) return;
    const json& v = object.at(key);
    if (nullable && v.is_null()) return;
    if (!v.is_number()) {
      problem(where + "." + key, nullable ? "must be a number or null" : "must be a number");
      return;
    }
    const double x = v.get<double>();
    if (minimum && x < *minimum) problem(where + "." + key, "must be >= " + format(*minimum));
    if (maximum && x > *maximum) problem(where + "." + key, "must be <= " + format(*maximum));
  }

  void integer_field(const json& object, const std::string& key, const std::string& where) {
    if (!object.contains(key) || object.at(key).is_null()) return;
    const json& v = object.at(key);
    if (!v.is_number_integer() || v.get<long long>() < 1) {
      problem(where + "." + key, "must be a positive integer or null");
    }
  }

  void enum_field(const json& object, const std::string& key, const std::string& where,
                  const std::set<std::string>& allowed, bool nullable = false) {
    if (!object.contains(key)) return;
    const json& v = object.at(key);
    if (nullable && v.is_null()) return;
    if (!v.is_string() || allowed.count(v.get<std::string>()) == 0) {
      problem(where + "." + key, "must be one of " + join(allowed) + (nullable ? " or null" : "") +
                                     "; found " + v.dump());
    }
  }

  // An array of non-empty strings (at least `min_items`).
  void string_array(const json& object, const std::string& key, const std::string& where,
                    size_t min_items = 0) {
    if (!object.contains(key)) return;
    const json& v = object.at(key);
    if (!v.is_array()) {
      problem(where + "." + key, "must be an array of strings");
      return;
    }
    if (v.size() < min_items) {
      problem(where + "." + key, "needs at least " + std::to_string(min_items) + " item(s)");
    }
    const std::string field = where + "." + key;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string() || v[i].get<std::string>().empty()) {
        problem(field + "[" + std::to_string(i) + "]", "must be a non-empty string");
      }
    }
  }

  static std::string format(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%g", x);
    return buffer;
  }

  static std::string join(const std::set<std::string>& values) {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
  }
};

const std::set<std::string> kComparisons = {">", ">=", "<", "<="};

void check_dicom_code(CatalogueChecker& c, const json& code, const std::string& where) {
  if (!c.object_with_keys(code, where,
                          {"value", "scheme", "meaning", "specificity", "source", "verified"})) {
    return;
  }
  c.string_field(code, "value", where);
  c.enum_field(code, "scheme", where, {"SRT", "99SDM", "SCT", "DCM", "UMLS", "NCIt"});
  c.string_field(code, "meaning", where);
  c.enum_field(code, "specificity", where, {"specific", "generic"});
  c.string_field(code, "source", where);
  c.bool_field(code, "verified", where);
}

void check_cohort(CatalogueChecker& c, const json& parent, const std::string& where) {
  if (!parent.contains("cohort") || parent.at("cohort").is_null()) return;
  const json& cohort = parent.at("cohort");
  const std::string at = where + ".cohort";
  if (!c.object_with_keys(cohort, at, {"patients", "lesions", "note"})) return;
  c.integer_field(cohort, "patients", at);
  c.integer_field(cohort, "lesions", at);
  c.string_field(cohort, "note", at, false, false);
}

void check_performance(CatalogueChecker& c, const json& parent, const std::string& where) {
  if (!parent.contains("performance") || parent.at("performance").is_null()) return;
  const json& p = parent.at("performance");
  const std::string at = where + ".performance";
  if (!c.object_with_keys(p, at,
                          {"sensitivity_percent", "specificity_percent", "ppv_percent",
                           "npv_percent", "accuracy_percent", "auc", "note"})) {
    return;
  }
  for (const char* key : {"sensitivity_percent", "specificity_percent", "ppv_percent",
                          "npv_percent", "accuracy_percent"}) {
    c.number_field(p, key, at, true, 0.0, 100.0);
  }
  c.number_field(p, "auc", at, true, 0.0, 1.0);
  c.string_field(p, "note", at, false, false);
}

void check_organ_list(CatalogueChecker& c, const json& tracer, const std::string& key,
                      const std::string& where, bool reason_required) {
  if (!tracer.contains(key)) return;
  const json& list = tracer.at(key);
  if (!list.is_array()) {
    c.problem(where + "." + key, "must be an array");
    return;
  }
  const std::string field = where + "." + key;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    std::vector<std::string> required = {"organ", "source", "verified"};
    if (reason_required) required.emplace_back("reason");
    if (!c.object_with_keys(list[i], at, required, {"reason"})) continue;
    c.enum_field(list[i], "organ", at, organ_vocabulary());
    c.string_field(list[i], "reason", at);
    c.string_field(list[i], "source", at);
    c.bool_field(list[i], "verified", at);
  }
}

void check_imaging_window(CatalogueChecker& c, const json& tracer, const std::string& where) {
  if (!tracer.contains("imaging_window") || tracer.at("imaging_window").is_null()) return;
  const json& w = tracer.at("imaging_window");
  const std::string at = where + ".imaging_window";
  if (!c.object_with_keys(w, at,
                          {"earliest", "latest", "unit", "basis", "citations", "verified"})) {
    return;
  }
  c.number_field(w, "earliest", at, false, 0.0);
  c.number_field(w, "latest", at, false, 0.0);
  c.enum_field(w, "unit", at, {"min", "h", "d"});
  c.string_field(w, "basis", at);
  c.string_array(w, "citations", at, 1);
  c.bool_field(w, "verified", at);
  if (w.contains("earliest") && w.contains("latest") && w["earliest"].is_number() &&
      w["latest"].is_number() && w["earliest"].get<double>() > w["latest"].get<double>()) {
    c.problem(at, "earliest is later than latest");
  }
}

void check_positivity_rule(CatalogueChecker& c, const json& tracer, const std::string& where) {
  if (!tracer.contains("positivity_rule") || tracer.at("positivity_rule").is_null()) return;
  const json& r = tracer.at("positivity_rule");
  const std::string at = where + ".positivity_rule";
  if (!c.object_with_keys(
          r, at,
          {"name", "kind", "metric", "comparison", "comparison_verified", "alternative_comparisons",
           "option_name", "threshold", "reference_region", "lesion_conditions", "not_applicable_in",
           "description", "cohort", "performance", "citation", "verified"})) {
    return;
  }
  c.string_field(r, "name", at);
  c.enum_field(r, "kind", at, {"study", "guideline"});
  c.string_field(r, "metric", at);
  c.enum_field(r, "comparison", at, kComparisons);
  c.bool_field(r, "comparison_verified", at);
  if (r.contains("alternative_comparisons")) {
    const json& alternatives = r.at("alternative_comparisons");
    if (!alternatives.is_array()) {
      c.problem(at + ".alternative_comparisons", "must be an array");
    } else {
      for (size_t i = 0; i < alternatives.size(); ++i) {
        const std::string alt_at = at + ".alternative_comparisons[" + std::to_string(i) + "]";
        if (!c.object_with_keys(alternatives[i], alt_at, {"comparison", "source"})) continue;
        c.enum_field(alternatives[i], "comparison", alt_at, kComparisons);
        c.string_field(alternatives[i], "source", alt_at);
      }
    }
  }
  c.string_field(r, "option_name", at);
  c.number_field(r, "threshold", at, false);
  c.string_field(r, "reference_region", at, true);
  c.string_array(r, "lesion_conditions", at);
  if (r.contains("not_applicable_in")) {
    const json& organs = r.at("not_applicable_in");
    if (!organs.is_array()) {
      c.problem(at + ".not_applicable_in", "must be an array of organs");
    } else {
      for (size_t i = 0; i < organs.size(); ++i) {
        if (!organs[i].is_string() || organ_vocabulary().count(organs[i].get<std::string>()) == 0) {
          c.problem(at + ".not_applicable_in[" + std::to_string(i) + "]",
                    "must be one of " + CatalogueChecker::join(organ_vocabulary()));
        }
      }
    }
  }
  c.string_field(r, "description", at);
  check_cohort(c, r, at);
  check_performance(c, r, at);
  c.string_field(r, "citation", at);
  c.bool_field(r, "verified", at);
}

void check_published_criteria(CatalogueChecker& c, const json& tracer, const std::string& where) {
  if (!tracer.contains("published_criteria")) return;
  const json& list = tracer.at("published_criteria");
  if (!list.is_array()) {
    c.problem(where + ".published_criteria", "must be an array");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = where + ".published_criteria[" + std::to_string(i) + "]";
    const json& p = list[i];
    if (!c.object_with_keys(
            p, at,
            {"name", "kind", "applies_to", "metric", "comparison", "threshold", "reference_region",
             "description", "cohort", "performance", "citation", "verified"})) {
      continue;
    }
    c.string_field(p, "name", at);
    c.enum_field(p, "kind", at, {"study", "guideline", "visual"});
    c.enum_field(p, "applies_to", at,
                 {"lesion_positivity", "patient_positivity", "response", "response_prediction",
                  "group_difference"});
    c.string_field(p, "metric", at, true);
    c.enum_field(p, "comparison", at, kComparisons, true);
    c.number_field(p, "threshold", at, true);
    c.string_field(p, "reference_region", at, true);
    c.string_field(p, "description", at);
    check_cohort(c, p, at);
    check_performance(c, p, at);
    c.string_field(p, "citation", at);
    c.bool_field(p, "verified", at);
  }
}

const std::vector<std::string> kTracerFields = {"id",
                                                "display_name",
                                                "full_name",
                                                "synonyms",
                                                "families",
                                                "dicom_codes",
                                                "nuclide",
                                                "target",
                                                "target_detail",
                                                "modality",
                                                "use",
                                                "development_stage",
                                                "breast_cancer_tracer",
                                                "evidence",
                                                "typical_activity",
                                                "imaging_window",
                                                "imaging_time_note",
                                                "quantities_reported",
                                                "positivity_rule",
                                                "no_validated_threshold",
                                                "published_criteria",
                                                "not_assessable_in",
                                                "physiological_uptake",
                                                "limitations",
                                                "acquisition_notes",
                                                "citations"};

bool valid_id(const std::string& id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); });
}

void check_tracer(CatalogueChecker& c, const json& t, const std::string& where) {
  if (!c.object_with_keys(t, where, kTracerFields)) return;
  if (t.contains("id") && (!t["id"].is_string() || !valid_id(t["id"].get<std::string>()))) {
    c.problem(where + ".id", "must be lower-case letters and digits, starting with a letter");
  }
  c.string_field(t, "display_name", where);
  c.string_field(t, "full_name", where);
  c.string_array(t, "synonyms", where, 1);
  c.string_array(t, "families", where);
  if (t.contains("dicom_codes")) {
    if (!t["dicom_codes"].is_array()) {
      c.problem(where + ".dicom_codes", "must be an array");
    } else {
      for (size_t i = 0; i < t["dicom_codes"].size(); ++i) {
        check_dicom_code(c, t["dicom_codes"][i], where + ".dicom_codes[" + std::to_string(i) + "]");
      }
    }
  }
  const std::vector<std::string>& nuclides = known_tracer_nuclides();
  c.enum_field(t, "nuclide", where, std::set<std::string>(nuclides.begin(), nuclides.end()));
  c.enum_field(t, "target", where, target_vocabulary());
  c.string_field(t, "target_detail", where);
  c.enum_field(t, "modality", where, {"PET", "SPECT"});
  c.enum_field(t, "use", where, {"diagnostic", "therapy"});
  c.enum_field(t, "development_stage", where, {"approved", "investigational", "preclinical"});
  c.bool_field(t, "breast_cancer_tracer", where);
  c.string_field(t, "evidence", where);
  if (t.contains("typical_activity") && !t["typical_activity"].is_null()) {
    const json& a = t["typical_activity"];
    const std::string at = where + ".typical_activity";
    if (c.object_with_keys(a, at, {"text", "citation", "verified"})) {
      c.string_field(a, "text", at);
      c.string_field(a, "citation", at);
      c.bool_field(a, "verified", at);
    }
  }
  check_imaging_window(c, t, where);
  c.string_field(t, "imaging_time_note", where, true);
  c.string_array(t, "quantities_reported", where);
  check_positivity_rule(c, t, where);
  c.bool_field(t, "no_validated_threshold", where);
  if (t.contains("positivity_rule") && t.contains("no_validated_threshold") &&
      t["no_validated_threshold"].is_boolean() &&
      t["no_validated_threshold"].get<bool>() != t["positivity_rule"].is_null()) {
    c.problem(where + ".no_validated_threshold",
              "must be true exactly when positivity_rule is null (an entry without a published "
              "threshold reports continuous values only)");
  }
  check_published_criteria(c, t, where);
  check_organ_list(c, t, "not_assessable_in", where, true);
  check_organ_list(c, t, "physiological_uptake", where, false);
  c.string_array(t, "limitations", where);
  c.string_array(t, "acquisition_notes", where);
  c.string_array(t, "citations", where, 1);
}

std::string normalised_synonym(const std::string& name) {
  std::string out;
  for (unsigned char ch : name) {
    if (std::isalnum(ch) != 0) out.push_back(static_cast<char>(std::tolower(ch)));
  }
  return out;
}

// Rules across entries: unique ids, and a synonym may name two tracers only when their nuclides
// differ (the nuclide then decides, e.g. "ABY-025" for 68Ga and 111In).
void check_across_entries(CatalogueChecker& c, const json& tracers) {
  std::map<std::string, std::string> where_of_id;
  std::map<std::pair<std::string, std::string>, std::string> owner_of_synonym;
  for (size_t i = 0; i < tracers.size(); ++i) {
    const json& t = tracers[i];
    if (!t.is_object() || !t.contains("id") || !t["id"].is_string()) continue;
    const std::string id = t["id"].get<std::string>();
    const std::string where = "tracers[" + std::to_string(i) + "]";
    if (auto [it, inserted] = where_of_id.emplace(id, where); !inserted) {
      c.problem(where + ".id", "\"" + id + "\" is already used by " + it->second);
    }
    if (!t.contains("synonyms") || !t["synonyms"].is_array() || !t.contains("nuclide") ||
        !t["nuclide"].is_string()) {
      continue;
    }
    const std::string nuclide = t["nuclide"].get<std::string>();
    for (const json& synonym : t["synonyms"]) {
      if (!synonym.is_string()) continue;
      const auto key = std::make_pair(normalised_synonym(synonym.get<std::string>()), nuclide);
      if (auto [it, inserted] = owner_of_synonym.emplace(key, id); !inserted && it->second != id) {
        c.problem(where + ".synonyms", "\"" + synonym.get<std::string>() + "\" with nuclide " +
                                           nuclide + " already names tracer \"" + it->second +
                                           "\"");
      }
    }
  }
}

std::string where_of_tracer(const json& tracers, size_t i) {
  std::string where = "tracers[" + std::to_string(i) + "]";
  if (tracers[i].is_object() && tracers[i].contains("id") && tracers[i]["id"].is_string()) {
    where += " (" + tracers[i]["id"].get<std::string>() + ")";
  }
  return where;
}

std::vector<std::string> validate_document(const json& document) {
  CatalogueChecker c;
  if (!c.object_with_keys(document, "catalogue",
                          {"schema_version", "description", "sources", "tracers"})) {
    return c.problems;
  }
  if (document.contains("schema_version") &&
      document["schema_version"] != json("oncotrace.tracers/1")) {
    c.problem("catalogue.schema_version",
              "must be \"oncotrace.tracers/1\"; found " + document["schema_version"].dump());
  }
  c.string_field(document, "description", "catalogue");
  c.string_array(document, "sources", "catalogue");
  if (!document.contains("tracers")) return c.problems;
  const json& tracers = document["tracers"];
  if (!tracers.is_array() || tracers.empty()) {
    c.problem("catalogue.tracers", "must be a non-empty array");
    return c.problems;
  }
  for (size_t i = 0; i < tracers.size(); ++i)
    check_tracer(c, tracers[i], where_of_tracer(tracers, i));
  check_across_entries(c, tracers);
  return c.problems;
}

// ---- Parsing (after validation: every type is known to be right) ----

std::string string_or_empty(const json& v) { return v.is_string() ? v.get<std::string>() : ""; }

std::optional<double> optional_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

std::vector<std::string> strings(const json& v) { return v.get<std::vector<std::string>>(); }

std::optional<StudyCohort> parse_cohort(const json& v) {
  if (v.is_null()) return std::nullopt;
  StudyCohort cohort;
  if (v["patients"].is_number_integer()) cohort.patients = v["patients"].get<int>();
  if (v["lesions"].is_number_integer()) cohort.lesions = v["lesions"].get<int>();
  cohort.note = v["note"].get<std::string>();
  return cohort;
}

std::optional<PublishedPerformance> parse_performance(const json& v) {
  if (v.is_null()) return std::nullopt;
  PublishedPerformance p;
  p.sensitivity_percent = optional_number(v["sensitivity_percent"]);
  p.specificity_percent = optional_number(v["specificity_percent"]);
  p.ppv_percent = optional_number(v["ppv_percent"]);
  p.npv_percent = optional_number(v["npv_percent"]);
  p.accuracy_percent = optional_number(v["accuracy_percent"]);
  p.auc = optional_number(v["auc"]);
  p.note = v["note"].get<std::string>();
  return p;
}

double hours_per_unit(const std::string& unit) {
  if (unit == "min") return 1.0 / 60.0;
  if (unit == "d") return 24.0;
  return 1.0;
}

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", x);
  return buffer;
}

std::optional<ImagingWindow> parse_window(const json& v) {
  if (v.is_null()) return std::nullopt;
  ImagingWindow w;
  const std::string unit = v["unit"].get<std::string>();
  const double earliest = v["earliest"].get<double>();
  const double latest = v["latest"].get<double>();
  w.earliest_h = earliest * hours_per_unit(unit);
  w.latest_h = latest * hours_per_unit(unit);
  w.as_published = format_number(earliest) + "-" + format_number(latest) + " " + unit;
  w.basis = v["basis"].get<std::string>();
  w.citations = strings(v["citations"]);
  w.verified = v["verified"].get<bool>();
  return w;
}

std::optional<TracerPositivityRule> parse_rule(const json& v) {
  if (v.is_null()) return std::nullopt;
  TracerPositivityRule r;
  r.name = v["name"].get<std::string>();
  r.kind = v["kind"].get<std::string>();
  r.metric = v["metric"].get<std::string>();
  r.comparison = v["comparison"].get<std::string>();
  r.comparison_verified = v["comparison_verified"].get<bool>();
  for (const json& alt : v["alternative_comparisons"]) {
    r.alternative_comparisons.emplace_back(alt["comparison"].get<std::string>(),
                                           alt["source"].get<std::string>());
  }
  r.option_name = v["option_name"].get<std::string>();
  r.threshold = v["threshold"].get<double>();
  r.reference_region = string_or_empty(v["reference_region"]);
  r.lesion_conditions = strings(v["lesion_conditions"]);
  r.not_applicable_in = strings(v["not_applicable_in"]);
  r.description = v["description"].get<std::string>();
  r.cohort = parse_cohort(v["cohort"]);
  r.performance = parse_performance(v["performance"]);
  r.citation = v["citation"].get<std::string>();
  r.verified = v["verified"].get<bool>();
  return r;
}

TracerPublishedCriterion parse_criterion(const json& v) {
  TracerPublishedCriterion p;
  p.name = v["name"].get<std::string>();
  p.kind = v["kind"].get<std::string>();
  p.applies_to = v["applies_to"].get<std::string>();
  p.metric = string_or_empty(v["metric"]);
  p.comparison = string_or_empty(v["comparison"]);
  p.threshold = optional_number(v["threshold"]);
  p.reference_region = string_or_empty(v["reference_region"]);
  p.description = v["description"].get<std::string>();
  p.cohort = parse_cohort(v["cohort"]);
  p.performance = parse_performance(v["performance"]);
  p.citation = v["citation"].get<std::string>();
  p.verified = v["verified"].get<bool>();
  return p;
}

std::vector<TracerOrgan> parse_organs(const json& list) {
  std::vector<TracerOrgan> organs;
  for (const json& v : list) {
    TracerOrgan o;
    o.organ = v["organ"].get<std::string>();
    o.reason = v.contains("reason") ? v["reason"].get<std::string>() : "";
    o.source = v["source"].get<std::string>();
    o.verified = v["verified"].get<bool>();
    organs.push_back(std::move(o));
  }
  return organs;
}

Tracer parse_tracer(const json& v) {
  Tracer t;
  t.id = v["id"].get<std::string>();
  t.display_name = v["display_name"].get<std::string>();
  t.full_name = v["full_name"].get<std::string>();
  t.synonyms = strings(v["synonyms"]);
  t.families = strings(v["families"]);
  for (const json& code : v["dicom_codes"]) {
    t.codes.push_back({code["value"].get<std::string>(), code["scheme"].get<std::string>(),
                       code["meaning"].get<std::string>(), code["specificity"] == "generic",
                       code["source"].get<std::string>(), code["verified"].get<bool>()});
  }
  t.nuclide = v["nuclide"].get<std::string>();
  t.target = v["target"].get<std::string>();
  t.target_detail = v["target_detail"].get<std::string>();
  t.modality = v["modality"].get<std::string>();
  t.use = v["use"].get<std::string>();
  t.development_stage = v["development_stage"].get<std::string>();
  t.breast_cancer_tracer = v["breast_cancer_tracer"].get<bool>();
  t.evidence = v["evidence"].get<std::string>();
  if (!v["typical_activity"].is_null()) {
    t.typical_activity = v["typical_activity"]["text"].get<std::string>() + " (" +
                         v["typical_activity"]["citation"].get<std::string>() + ")";
    t.typical_activity_verified = v["typical_activity"]["verified"].get<bool>();
  }
  t.imaging_window = parse_window(v["imaging_window"]);
  t.imaging_time_note = string_or_empty(v["imaging_time_note"]);
  t.quantities_reported = strings(v["quantities_reported"]);
  t.positivity_rule = parse_rule(v["positivity_rule"]);
  t.no_validated_threshold = v["no_validated_threshold"].get<bool>();
  for (const json& p : v["published_criteria"]) t.published_criteria.push_back(parse_criterion(p));
  t.not_assessable_in = parse_organs(v["not_assessable_in"]);
  t.physiological_uptake = parse_organs(v["physiological_uptake"]);
  t.limitations = strings(v["limitations"]);
  t.acquisition_notes = strings(v["acquisition_notes"]);
  t.citations = strings(v["citations"]);
  return t;
}

json parse_json_or_throw(const std::string& text, const std::string& origin) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw InvalidInputError(origin + ": not valid JSON (" + e.what() +
                            "); fix the file or set ONCOTRACE_DATA_DIR to a folder with a valid "
                            "tracers.json");
  }
}

bool compare(double value, const std::string& comparison, double threshold) {
  if (comparison == ">=") return value >= threshold;
  if (comparison == ">") return value > threshold;
  if (comparison == "<=") return value <= threshold;
  if (comparison == "<") return value < threshold;
  throw InvalidInputError("comparison operator \"" + comparison +
                          "\" is not one of >=, >, <=, <; give one of these");
}

}  // namespace

bool TracerPositivityRule::is_positive(double value, const std::string& operator_override) const {
  return compare(value, operator_override.empty() ? comparison : operator_override, threshold);
}

std::vector<std::string> validate_tracer_catalogue_json(const std::string& json_text) {
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return {std::string("not valid JSON: ") + e.what()};
  }
  return validate_document(document);
}

TracerCatalogue TracerCatalogue::from_json_text(const std::string& json_text,
                                                const std::string& origin) {
  const json document = parse_json_or_throw(json_text, origin);
  const std::vector<std::string> problems = validate_document(document);
  if (!problems.empty()) {
    std::string message = origin + ": the tracer catalogue is invalid (" +
                          std::to_string(problems.size()) + " problem(s)); fix the file (schema: " +
                          "data/tracers.schema.json, docs/tracers.md) or set ONCOTRACE_DATA_DIR " +
                          "to a folder with a valid tracers.json:";
    for (const std::string& p : problems) message += "\n  " + p;
    throw InvalidInputError(message);
  }
  TracerCatalogue catalogue;
  catalogue.origin_ = origin;
  for (const json& t : document["tracers"]) catalogue.tracers_.push_back(parse_tracer(t));
  return catalogue;
}

TracerCatalogue TracerCatalogue::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InvalidInputError(path.string() +
                            ": cannot read the tracer catalogue; check the path or set "
                            "ONCOTRACE_DATA_DIR to the folder that holds tracers.json");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return from_json_text(text.str(), path.string());
}

const Tracer* TracerCatalogue::find(const std::string& id) const {
  for (const Tracer& t : tracers_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::vector<const Tracer*> TracerCatalogue::with_nuclide(const std::string& nuclide_symbol) const {
  std::vector<const Tracer*> out;
  for (const Tracer& t : tracers_) {
    if (t.nuclide == nuclide_symbol) out.push_back(&t);
  }
  return out;
}

std::filesystem::path default_tracer_catalogue_path() {
  if (const char* dir = std::getenv("ONCOTRACE_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "tracers.json";
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "tracers.json";
}

const TracerCatalogue& default_tracer_catalogue() {
  static const TracerCatalogue kCatalogue = TracerCatalogue::load(default_tracer_catalogue_path());
  return kCatalogue;
}

std::optional<std::string> imaging_window_warning(const Tracer& tracer,
                                                  double hours_after_injection) {
  if (!std::isfinite(hours_after_injection) || hours_after_injection < 0.0) {
    throw InvalidInputError("tracer " + tracer.id + ": time after injection " +
                            format_number(hours_after_injection) +
                            " h is negative or not a number; check the administration and "
                            "acquisition date-times or override the injection time");
  }
  if (!tracer.imaging_window) return std::nullopt;
  const ImagingWindow& w = *tracer.imaging_window;
  // Tolerance for the unit conversions of the window bounds (1 ms).
  constexpr double kToleranceH = 1.0 / 3.6e6;
  if (hours_after_injection >= w.earliest_h - kToleranceH &&
      hours_after_injection <= w.latest_h + kToleranceH) {
    return std::nullopt;
  }
  std::string elapsed;
  if (hours_after_injection < 2.0) {
    elapsed = format_number(std::round(hours_after_injection * 600.0) / 10.0) + " min";
  } else if (hours_after_injection < 72.0) {
    elapsed = format_number(std::round(hours_after_injection * 100.0) / 100.0) + " h";
  } else {
    elapsed = format_number(std::round(hours_after_injection / 24.0 * 100.0) / 100.0) + " d";
  }
  std::string citations;
  for (const std::string& c : w.citations) citations += (citations.empty() ? "" : "; ") + c;
  std::string message = tracer.display_name + " imaged " + elapsed + " after injection, " +
                        (hours_after_injection < w.earliest_h ? "before" : "after") +
                        " the documented imaging window " + w.as_published + " (" + w.basis + "; " +
                        citations +
                        "). These are acquisition times documented in the cited studies, not "
                        "validated limits.";
  if (!w.verified) message += " The window values are unverified.";
  return message;
}

const char* tracer_match_confidence_name(TracerMatchConfidence confidence) {
  switch (confidence) {
    case TracerMatchConfidence::kHigh:
      return "high";
    case TracerMatchConfidence::kMedium:
      return "medium";
    case TracerMatchConfidence::kNone:
      return "none";
  }
  return "none";
}

}  // namespace oncotrace
