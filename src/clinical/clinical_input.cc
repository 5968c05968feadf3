#include "clinical/clinical_input.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "oncotrace/error.h"

namespace oncotrace::clinical_internal {
namespace {

using nlohmann::json;

// Reads values at JSON paths and turns every problem into one InvalidInputError that names the
// file, the path and the schema document.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw InvalidInputError(origin_ + ": " + path + ": " + what +
                            "; see docs/clinical.md for the clinical file schema");
  }

  void only_keys(const json& object, const std::string& path,
                 const std::set<std::string>& allowed) const {
    if (!object.is_object()) fail(path, "must be an object");
    for (const auto& [key, unused] : object.items()) {
      if (allowed.count(key) == 0) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(std::string(path).append(".").append(key),
             "unknown field (misspelt?); allowed: " + list);
      }
    }
  }

  std::optional<std::string> text(const json& object, const std::string& key,
                                  const std::string& path) const {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_string()) fail(path + "." + key, "must be a string");
    return object[key].get<std::string>();
  }

  std::optional<double> number(const json& object, const std::string& key,
                               const std::string& path) const {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_number()) fail(path + "." + key, "must be a number");
    return object[key].get<double>();
  }

  std::optional<int> integer(const json& object, const std::string& key,
                             const std::string& path) const {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_number_integer()) fail(path + "." + key, "must be an integer");
    return object[key].get<int>();
  }

  std::optional<bool> boolean(const json& object, const std::string& key,
                              const std::string& path) const {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_boolean()) fail(path + "." + key, "must be true or false");
    return object[key].get<bool>();
  }

  std::string one_of(const json& object, const std::string& key, const std::string& path,
                     const std::set<std::string>& allowed, const std::string& fallback) const {
    const std::optional<std::string> value = text(object, key, path);
    if (!value) return fallback;
    if (allowed.count(*value) == 0) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(path + "." + key, "\"" + *value + "\" is not one of " + list);
    }
    return *value;
  }

  // Runs a parser of the core (parse_t, dual_probe_ish_group, ...) and adds the path to its
  // message when it rejects the value.
  template <typename F>
  auto at(const std::string& path, F&& parse) const -> decltype(parse()) {
    try {
      return parse();
    } catch (const InvalidInputError& e) {
      fail(path, e.what());
    }
  }

 private:
  std::string origin_;
};

std::optional<HistologicGrade> grade_at(const Reader& r, const json& object,
                                        const std::string& path) {
  const std::optional<std::string> text = r.text(object, "grade", path);
  if (!text) return std::nullopt;
  const std::optional<HistologicGrade> grade = parse_grade(*text);
  if (!grade) r.fail(path + ".grade", "\"" + *text + "\" is not G1, G2 or G3 (give null for GX)");
  return grade;
}

DualProbeIshCount ish_count(const Reader& r, const json& object, const std::string& path,
                            bool allow_recount) {
  std::set<std::string> keys = {"her2_cep17_ratio", "mean_her2_copies_per_cell", "group",
                                "cells_counted"};
  if (allow_recount) keys.insert("recount");
  r.only_keys(object, path, keys);
  DualProbeIshCount c;
  c.her2_cep17_ratio = r.number(object, "her2_cep17_ratio", path);
  c.mean_her2_copies_per_cell = r.number(object, "mean_her2_copies_per_cell", path);
  c.reported_group = r.integer(object, "group", path);
  c.cells_counted = r.integer(object, "cells_counted", path);
  if (c.her2_cep17_ratio.has_value() != c.mean_her2_copies_per_cell.has_value()) {
    r.fail(path, "give both her2_cep17_ratio and mean_her2_copies_per_cell (or only the group)");
  }
  if (!c.her2_cep17_ratio && !c.reported_group) {
    r.fail(path, "give her2_cep17_ratio and mean_her2_copies_per_cell, or the reported group");
  }
  r.at(path, [&] {
    if (c.her2_cep17_ratio) dual_probe_ish_group(*c.her2_cep17_ratio, *c.mean_her2_copies_per_cell);
    return 0;
  });
  return c;
}

Her2Tests her2_tests(const Reader& r, const json& object, const std::string& path) {
  r.only_keys(object, path,
              {"ihc", "dual_probe_ish", "single_probe_ish", "ihc_concurrent_with_ish"});
  Her2Tests tests;
  if (object.contains("ihc") && !object["ihc"].is_null()) {
    const std::string at = path + ".ihc";
    r.only_keys(object["ihc"], at, {"score", "membrane_staining"});
    const std::string score = r.one_of(object["ihc"], "score", at, {"0", "1+", "2+", "3+"}, "");
    if (score.empty()) r.fail(at + ".score", "required: \"0\", \"1+\", \"2+\" or \"3+\"");
    Her2Ihc ihc;
    ihc.score = *parse_her2_ihc_score(score);
    const std::string staining = r.one_of(object["ihc"], "membrane_staining", at,
                                          {"absent", "faint_incomplete_le_10_percent"}, "");
    if (!staining.empty() && ihc.score != Her2IhcScore::k0) {
      r.fail(at + ".membrane_staining", "applies to IHC score 0 only");
    }
    if (staining == "absent") ihc.zero_staining = Her2ZeroMembraneStaining::kAbsent;
    if (staining == "faint_incomplete_le_10_percent") {
      ihc.zero_staining = Her2ZeroMembraneStaining::kFaintUpTo10Percent;
    }
    tests.ihc = ihc;
  }
  if (object.contains("dual_probe_ish") && !object["dual_probe_ish"].is_null()) {
    const std::string at = path + ".dual_probe_ish";
    DualProbeIsh ish;
    ish.count = ish_count(r, object["dual_probe_ish"], at, true);
    if (object["dual_probe_ish"].contains("recount") &&
        !object["dual_probe_ish"]["recount"].is_null()) {
      ish.recount = ish_count(r, object["dual_probe_ish"]["recount"], at + ".recount", false);
    }
    tests.dual_probe_ish = ish;
  }
  if (object.contains("single_probe_ish") && !object["single_probe_ish"].is_null()) {
    const std::string at = path + ".single_probe_ish";
    r.only_keys(object["single_probe_ish"], at, {"mean_her2_copies_per_cell"});
    const std::optional<double> copies =
        r.number(object["single_probe_ish"], "mean_her2_copies_per_cell", at);
    if (!copies) r.fail(at + ".mean_her2_copies_per_cell", "required");
    r.at(at, [&] { return single_probe_ish_result(*copies); });
    tests.single_probe_ish = SingleProbeIsh{*copies};
  }
  tests.ihc_concurrent_with_ish = r.boolean(object, "ihc_concurrent_with_ish", path).value_or(true);
  return tests;
}

std::optional<double> percent(const Reader& r, const json& object, const std::string& key,
                              const std::string& path) {
  const std::optional<double> value = r.number(object, key, path);
  if (value && (*value < 0.0 || *value > 100.0)) {
    r.fail(path + "." + key, "must be a percentage between 0 and 100");
  }
  return value;
}

SpecimenInput specimen(const Reader& r, const json& object, const std::string& path) {
  r.only_keys(object, path,
              {"id", "site", "site_type", "date", "procedure", "her2", "er_percent", "pr_percent",
               "ki67_percent", "grade", "location_lps_mm"});
  SpecimenInput s;
  s.id = r.text(object, "id", path).value_or("");
  if (s.id.empty()) r.fail(path + ".id", "required (a name for the specimen)");
  s.site = r.text(object, "site", path).value_or("");
  s.site_type = r.one_of(object, "site_type", path,
                         {"primary", "regional_node", "distant_metastasis", "other"}, "other");
  s.date = r.text(object, "date", path).value_or("");
  s.procedure = r.text(object, "procedure", path).value_or("");
  if (object.contains("her2") && !object["her2"].is_null()) {
    s.her2_given = true;
    s.her2 = her2_tests(r, object["her2"], path + ".her2");
  }
  s.er_percent = percent(r, object, "er_percent", path);
  s.pr_percent = percent(r, object, "pr_percent", path);
  s.ki67_percent = percent(r, object, "ki67_percent", path);
  s.grade = grade_at(r, object, path);
  if (object.contains("location_lps_mm") && !object["location_lps_mm"].is_null()) {
    const json& location = object["location_lps_mm"];
    if (!location.is_array() || location.size() != 3 ||
        !std::all_of(location.begin(), location.end(),
                     [](const json& v) { return v.is_number(); })) {
      r.fail(path + ".location_lps_mm",
             "must be three numbers: the biopsied lesion's position (LPS mm) in the reference "
             "study of `oncotrace patient`");
    } else {
      s.location_lps_mm =
          Vec3{location[0].get<double>(), location[1].get<double>(), location[2].get<double>()};
    }
  }
  return s;
}

StagingInput staging(const Reader& r, const json& object, const std::string& path) {
  r.only_keys(
      object, path,
      {"t", "n", "m", "grade", "staging_specimen", "distant_site_count", "distant_sites_counted_as",
       "days_from_diagnosis_to_imaging", "imaging_after_neoadjuvant_therapy"});
  StagingInput s;
  if (auto t = r.text(object, "t", path)) s.t = r.at(path + ".t", [&] { return parse_t(*t); });
  if (auto n = r.text(object, "n", path)) s.n = r.at(path + ".n", [&] { return parse_n(*n); });
  if (auto m = r.text(object, "m", path)) s.m = r.at(path + ".m", [&] { return parse_m(*m); });
  s.grade = grade_at(r, object, path);
  s.staging_specimen = r.text(object, "staging_specimen", path).value_or("");
  s.distant_site_count = r.integer(object, "distant_site_count", path);
  if (s.distant_site_count && *s.distant_site_count < 0) {
    r.fail(path + ".distant_site_count", "must not be negative");
  }
  s.distant_sites_counted_as =
      r.one_of(object, "distant_sites_counted_as", path, {"organs", "lesions"}, "");
  s.imaging_timing.days_from_diagnosis = r.integer(object, "days_from_diagnosis_to_imaging", path);
  s.imaging_timing.after_neoadjuvant_therapy =
      r.boolean(object, "imaging_after_neoadjuvant_therapy", path);
  return s;
}

ImagingFinding finding(const Reader& r, const json& object, const std::string& path) {
  r.only_keys(object, path, {"site", "suspicious", "description", "source"});
  const std::optional<std::string> site = r.text(object, "site", path);
  if (!site) r.fail(path + ".site", "required");
  const std::optional<ImagingSite> parsed = parse_imaging_site(*site);
  if (!parsed) {
    r.fail(path + ".site", "\"" + *site + "\" is not a known site (docs/clinical.md lists them)");
  }
  ImagingFinding f;
  f.site = *parsed;
  f.suspicious = r.boolean(object, "suspicious", path).value_or(true);
  f.description = r.text(object, "description", path).value_or("");
  f.source = r.text(object, "source", path).value_or("");
  return f;
}

ImagingBiomarkerInput imaging_biomarker(const Reader& r, const json& object,
                                        const std::string& path) {
  r.only_keys(object, path,
              {"name", "tracer", "value", "unit", "lesion", "roles", "trial_use", "annotation",
               "citation"});
  ImagingBiomarkerInput b;
  b.name = r.text(object, "name", path).value_or("");
  if (b.name.empty()) r.fail(path + ".name", "required");
  b.tracer = r.text(object, "tracer", path).value_or("");
  if (!object.contains("value") || !(object["value"].is_number() || object["value"].is_string() ||
                                     object["value"].is_boolean())) {
    r.fail(path + ".value", "required: a number, a string or true/false");
  }
  b.value_json = object["value"].dump();
  b.unit = r.text(object, "unit", path).value_or("");
  b.lesion = r.text(object, "lesion", path).value_or("");
  if (object.contains("roles")) {
    if (!object["roles"].is_array()) r.fail(path + ".roles", "must be an array");
    for (const json& role : object["roles"]) {
      if (!role.is_string() || (role != "prognostic" && role != "predictive")) {
        r.fail(path + ".roles", "roles are \"prognostic\" and/or \"predictive\"");
      }
      b.roles.push_back(role.get<std::string>());
    }
  }
  b.trial_use = r.one_of(object, "trial_use", path, {"integral", "integrated"}, "");
  b.annotation = r.text(object, "annotation", path).value_or("");
  b.citation = r.text(object, "citation", path).value_or("");
  if (!b.annotation.empty() && b.citation.empty()) {
    r.fail(path + ".citation", "an annotation needs its citation");
  }
  return b;
}

ClinicalOptions options(const Reader& r, const json& object, const std::string& path) {
  r.only_keys(
      object, path,
      {"ki67_cutoff_percent", "pr_high_cutoff_percent", "oligometastatic_max_sites",
       "oligometastatic_inclusive", "tis_with_nodes_as_t0", "report_unverified_prognostic_cells"});
  ClinicalOptions o;
  if (auto v = percent(r, object, "ki67_cutoff_percent", path)) o.subtype.ki67_cutoff_percent = *v;
  if (auto v = percent(r, object, "pr_high_cutoff_percent", path)) {
    o.subtype.pr_high_cutoff_percent = *v;
  }
  if (auto v = r.integer(object, "oligometastatic_max_sites", path)) {
    if (*v < 1) r.fail(path + ".oligometastatic_max_sites", "must be at least 1");
    o.oligometastatic.max_sites = *v;
  }
  if (auto v = r.boolean(object, "oligometastatic_inclusive", path))
    o.oligometastatic.inclusive = *v;
  if (auto v = r.boolean(object, "tis_with_nodes_as_t0", path))
    o.anatomic.tis_with_nodes_as_t0 = *v;
  if (auto v = r.boolean(object, "report_unverified_prognostic_cells", path)) {
    o.report_unverified_prognostic_cells = *v;
  }
  return o;
}

}  // namespace

ClinicalInput parse_clinical_input(const std::string& json_text, const std::string& origin) {
  const Reader r(origin);
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    r.fail("(file)", std::string("not valid JSON (") + e.what() + ")");
  }
  r.only_keys(doc, "$",
              {"schema_version", "patient_id", "menopausal_status", "specimens", "staging",
               "imaging_findings", "imaging_biomarkers", "options"});
  if (doc.value("schema_version", "") != "oncotrace.clinical/1") {
    r.fail("$.schema_version", "must be \"oncotrace.clinical/1\"");
  }
  ClinicalInput in;
  in.origin = origin;
  in.patient_id = r.text(doc, "patient_id", "$").value_or("");
  in.menopausal_status =
      r.one_of(doc, "menopausal_status", "$",
               {"premenopausal", "perimenopausal", "postmenopausal", "unknown"}, "");
  if (doc.contains("specimens")) {
    if (!doc["specimens"].is_array()) r.fail("$.specimens", "must be an array");
    std::set<std::string> ids;
    for (size_t i = 0; i < doc["specimens"].size(); ++i) {
      const std::string path = "$.specimens[" + std::to_string(i) + "]";
      in.specimens.push_back(specimen(r, doc["specimens"][i], path));
      if (!ids.insert(in.specimens.back().id).second) {
        r.fail(path + ".id", "\"" + in.specimens.back().id + "\" is used twice");
      }
    }
  }
  if (doc.contains("staging") && !doc["staging"].is_null()) {
    in.staging_given = true;
    in.staging = staging(r, doc["staging"], "$.staging");
    const std::string& chosen = in.staging.staging_specimen;
    if (!chosen.empty() && std::none_of(in.specimens.begin(), in.specimens.end(),
                                        [&](const SpecimenInput& s) { return s.id == chosen; })) {
      r.fail("$.staging.staging_specimen", "no specimen has the id \"" + chosen + "\"");
    }
  }
  if (doc.contains("imaging_findings")) {
    if (!doc["imaging_findings"].is_array()) r.fail("$.imaging_findings", "must be an array");
    for (size_t i = 0; i < doc["imaging_findings"].size(); ++i) {
      in.imaging_findings.push_back(
          finding(r, doc["imaging_findings"][i], "$.imaging_findings[" + std::to_string(i) + "]"));
    }
  }
  if (doc.contains("imaging_biomarkers")) {
    if (!doc["imaging_biomarkers"].is_array()) r.fail("$.imaging_biomarkers", "must be an array");
    for (size_t i = 0; i < doc["imaging_biomarkers"].size(); ++i) {
      in.imaging_biomarkers.push_back(imaging_biomarker(
          r, doc["imaging_biomarkers"][i], "$.imaging_biomarkers[" + std::to_string(i) + "]"));
    }
  }
  if (doc.contains("options") && !doc["options"].is_null()) {
    in.options = options(r, doc["options"], "$.options");
  }
  return in;
}

}  // namespace oncotrace::clinical_internal
