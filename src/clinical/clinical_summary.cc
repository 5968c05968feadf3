// The per-patient precision summary (clinical-context.md §1.4, §1.5): every biomarker with its
// BEST role, value, source and literature context, the stage and the category changes imaging
// suggests, and the research-use disclaimer. The literature context (roles, annotations, subtype
// figures) is data: data/clinical/literature_context.json.
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "clinical/clinical_input.h"
#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

using clinical_internal::ClinicalInput;
using clinical_internal::ImagingBiomarkerInput;
using clinical_internal::SpecimenInput;
using Json = nlohmann::ordered_json;

constexpr const char* kTrialDefinitionLabel =
    "trial/regulatory definition (DESTINY-Breast04 / DESTINY-Breast06 populations), not an "
    "ASCO/CAP pathology result category";

const Json& literature_context() {
  static const Json kContext = [] {
    const std::filesystem::path path = clinical_data_dir() / "literature_context.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw InvalidInputError(path.string() +
                              ": cannot read the clinical literature context; set "
                              "ONCOTRACE_DATA_DIR to the folder that holds clinical/");
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
      Json context = Json::parse(text.str());
      if (context.value("schema_version", "") != "oncotrace.clinical_context/1" ||
          !context.contains("biomarkers") || !context.contains("receptor_subtypes")) {
        throw InvalidInputError(path.string() +
                                ": not an oncotrace.clinical_context/1 file; restore it from the "
                                "source tree");
      }
      return context;
    } catch (const Json::parse_error& e) {
      throw InvalidInputError(path.string() + ": not valid JSON (" + e.what() +
                              "); restore it from the source tree");
    }
  }();
  return kContext;
}

// Sections of the context file; a missing section or key reads as an empty object (const
// operator[] of nlohmann::json must not be used on absent keys).
const Json& context_section(const std::string& section) {
  static const Json kEmpty = Json::object();
  const Json& context = literature_context();
  const auto it = context.find(section);
  return it != context.end() && it->is_object() ? *it : kEmpty;
}

const Json& context_entry(const std::string& section, const std::string& key) {
  static const Json kEmpty = Json::object();
  const Json& parent = context_section(section);
  const auto it = parent.find(key);
  return it != parent.end() && it->is_object() ? *it : kEmpty;
}

Json optional_number(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json optional_text(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }

Json strings(const std::vector<std::string>& values) {
  Json out = Json::array();
  for (const std::string& v : values) out.push_back(v);
  return out;
}

const char* grade_name(std::optional<HistologicGrade> grade) {
  if (!grade) return nullptr;
  switch (*grade) {
    case HistologicGrade::kG1:
      return "G1";
    case HistologicGrade::kG2:
      return "G2";
    case HistologicGrade::kG3:
      return "G3";
  }
  return nullptr;
}

Json grade_json(std::optional<HistologicGrade> grade) {
  const char* name = grade_name(grade);
  return name ? Json(name) : Json(nullptr);
}

// ---- Per-specimen assessments ----

struct SpecimenResult {
  const SpecimenInput* input = nullptr;
  Her2Assessment her2;
  ReceptorAssessment er;
  ReceptorAssessment pr;
  SubtypeAssessment subtype;
};

SpecimenResult assess_specimen(const SpecimenInput& s, const ClinicalInput& in) {
  const std::string where = in.origin + ": specimen \"" + s.id + "\": ";
  SpecimenResult r;
  r.input = &s;
  try {
    r.her2 = assess_her2(s.her2);
    r.er = assess_er(s.er_percent);
    r.pr = assess_pr(s.pr_percent);
    r.subtype = derive_subtype(r.er, r.pr, r.her2, s.ki67_percent, in.options.subtype);
  } catch (const InvalidInputError& e) {
    throw InvalidInputError(where + e.what());
  }
  return r;
}

Json her2_json(const SpecimenResult& r) {
  const Her2Assessment& h = r.her2;
  Json j;
  j["status"] = her2_status_name(h.status);
  j["decided_by"] = h.decided_by;
  j["rule"] = h.rule;
  j["ihc_score"] =
      r.input->her2.ihc ? Json(her2_ihc_score_name(r.input->her2.ihc->score)) : Json(nullptr);
  j["dual_probe_ish_group"] = h.ish_group ? Json(*h.ish_group) : Json(nullptr);
  j["dual_probe_ish_recount_group"] = h.recount_group ? Json(*h.recount_group) : Json(nullptr);
  j["single_probe_ish"] = h.single_probe_result
                              ? Json(single_probe_ish_result_name(*h.single_probe_result))
                              : Json(nullptr);
  j["comments"] = strings(h.comments);
  j["review_flags"] = strings(h.review_flags);
  Json expression;
  expression["category"] = her2_expression_name(h.expression);
  expression["reason"] = h.expression_reason;
  expression["her2_low"] = h.her2_low;
  expression["her2_ultralow"] = h.her2_ultralow;
  expression["label"] = kTrialDefinitionLabel;
  j["expression"] = expression;
  return j;
}

Json receptor_json(const ReceptorAssessment& a) {
  Json j;
  j["status"] = receptor_status_name(a.status);
  j["percent_nuclei"] = optional_number(a.percent_nuclei);
  j["rule"] = a.rule;
  j["comment"] = optional_text(a.comment);
  return j;
}

Json subtype_json(const SubtypeAssessment& s, const ClinicalInput& in) {
  Json j;
  j["value"] = receptor_subtype_name(s.subtype);
  j["label"] = receptor_subtype_label(s.subtype);
  j["reason"] = s.reason;
  j["er_low"] = s.er_low;
  Json surrogate;
  surrogate["value"] = surrogate_subtype_name(s.surrogate);
  surrogate["reason"] = s.surrogate_reason;
  surrogate["ki67_cutoff_percent"] = in.options.subtype.ki67_cutoff_percent;
  surrogate["pr_high_cutoff_percent"] = in.options.subtype.pr_high_cutoff_percent;
  surrogate["note"] =
      "surrogate of the intrinsic subtypes (St Gallen 2013); intrinsic subtypes proper need "
      "gene-expression assays";
  j["surrogate"] = surrogate;
  return j;
}

Json specimen_json(const SpecimenResult& r, const ClinicalInput& in) {
  const SpecimenInput& s = *r.input;
  Json j;
  j["id"] = s.id;
  j["site"] = optional_text(s.site);
  j["site_type"] = s.site_type;
  j["date"] = optional_text(s.date);
  j["procedure"] = optional_text(s.procedure);
  j["her2"] = s.her2_given ? her2_json(r) : Json(nullptr);
  j["er"] = receptor_json(r.er);
  j["pr"] = receptor_json(r.pr);
  j["ki67_percent"] = optional_number(s.ki67_percent);
  j["grade"] = grade_json(s.grade);
  j["subtype"] = subtype_json(r.subtype, in);
  return j;
}

// ---- Biomarker list with BEST roles and annotations ----

Json context_annotations(const std::string& key) {
  return context_entry("biomarkers", key).value("annotations", Json::array());
}

Json biomarker(const std::string& name, const std::string& context_key, Json value,
               const std::string& source, const std::string& specimen, const std::string& rule) {
  const Json& context = context_entry("biomarkers", context_key);
  Json j;
  j["name"] = name;
  j["value"] = std::move(value);
  j["source"] = source;
  j["specimen"] = optional_text(specimen);
  j["roles"] = context.value("roles", Json::array());
  j["trial_use"] = context.value("trial_use", "");
  j["role_basis"] = context.value("role_basis", "");
  j["rule"] = optional_text(rule);
  j["annotations"] = context_annotations(context_key);
  return j;
}

Json subtype_annotation(ReceptorSubtype subtype) {
  const Json& table = context_section("receptor_subtypes");
  for (const Json& group : table.value("groups", Json::array())) {
    if (group.value("id", "") != receptor_subtype_name(subtype)) continue;
    char text[256];
    std::snprintf(
        text, sizeof(text), "%s (%s): %.1f %% of breast cancers; 4-year estimated survival %.1f %%",
        group.value("label", "").c_str(), group.value("definition", "").c_str(),
        group.value("proportion_percent", 0.0), group.value("four_year_survival_percent", 0.0));
    Json a;
    a["text"] = text;
    a["citation"] = table.value("citation", "");
    a["note"] = table.value("note", "");
    return a;
  }
  return Json(nullptr);
}

void add_specimen_biomarkers(Json& list, const SpecimenResult& r) {
  const SpecimenInput& s = *r.input;
  if (s.her2_given) {
    list.push_back(biomarker("HER2 status", "her2_status", her2_status_name(r.her2.status),
                             "pathology", s.id, r.her2.rule));
    const char* key = nullptr;
    if (r.her2.expression == Her2ExpressionCategory::kLow) key = "her2_low";
    if (r.her2.expression == Her2ExpressionCategory::kUltralow) key = "her2_ultralow";
    if (r.her2.expression == Her2ExpressionCategory::kZero) key = "her2_zero";
    if (key) {
      Json category = biomarker("HER2 expression category (trial definition)", key,
                                her2_expression_name(r.her2.expression), "pathology", s.id,
                                r.her2.expression_reason);
      category["label"] = kTrialDefinitionLabel;
      list.push_back(category);
    }
  }
  if (s.er_percent) {
    Json er = biomarker("ER status", "er_status", receptor_status_name(r.er.status), "pathology",
                        s.id, r.er.rule);
    er["percent_nuclei"] = *s.er_percent;
    if (r.er.status == ReceptorStatus::kLowPositive) {
      for (const Json& a : context_annotations("er_low")) er["annotations"].push_back(a);
    }
    list.push_back(er);
  }
  if (s.pr_percent) {
    Json pr = biomarker("PR status", "pr_status", receptor_status_name(r.pr.status), "pathology",
                        s.id, r.pr.rule);
    pr["percent_nuclei"] = *s.pr_percent;
    list.push_back(pr);
  }
  if (s.ki67_percent) {
    Json ki67 = biomarker("Ki-67", "ki67", *s.ki67_percent, "pathology", s.id, "");
    ki67["unit"] = "%";
    list.push_back(ki67);
  }
  if (r.subtype.subtype != ReceptorSubtype::kNotDerivable) {
    Json subtype =
        biomarker("receptor subtype", "receptor_subtype", receptor_subtype_label(r.subtype.subtype),
                  "pathology", s.id, r.subtype.reason);
    const Json annotation = subtype_annotation(r.subtype.subtype);
    if (!annotation.is_null()) subtype["annotations"].push_back(annotation);
    list.push_back(subtype);
  }
}

Json imaging_biomarker_json(const ImagingBiomarkerInput& b) {
  const Json& context = context_entry("biomarkers", "imaging");
  Json j;
  j["name"] = b.name;
  j["value"] = Json::parse(b.value_json);
  j["unit"] = optional_text(b.unit);
  j["source"] = "imaging";
  j["tracer"] = optional_text(b.tracer);
  j["lesion"] = optional_text(b.lesion);
  j["roles"] = strings(b.roles);
  j["trial_use"] = b.trial_use.empty() ? context.value("trial_use", "") : b.trial_use;
  j["role_basis"] = b.trial_use.empty() ? context.value("role_basis", "")
                                        : "trial use stated in the clinical file";
  j["rule"] = nullptr;
  j["annotations"] = Json::array();
  if (!b.annotation.empty()) {
    Json a;
    a["text"] = b.annotation;
    a["citation"] = b.citation;
    j["annotations"].push_back(a);
  }
  return j;
}

// ---- Differences between specimens ----

void add_discordance(Json& list, const std::vector<SpecimenResult>& results,
                     const std::string& biomarker_name, const std::string& context_key,
                     std::optional<bool> (*status_of)(const SpecimenResult&)) {
  std::map<bool, std::vector<std::string>> by_status;
  for (const SpecimenResult& r : results) {
    if (const std::optional<bool> positive = status_of(r)) {
      by_status[*positive].push_back(r.input->id);
    }
  }
  if (by_status.size() < 2) return;
  Json j;
  j["biomarker"] = biomarker_name;
  j["positive_in"] = strings(by_status[true]);
  j["negative_in"] = strings(by_status[false]);
  j["annotations"] = context_section("discordance").value(context_key, Json::array());
  list.push_back(j);
}

// ---- Staging ----

const SpecimenResult* staging_specimen(const std::vector<SpecimenResult>& results,
                                       const ClinicalInput& in) {
  const std::string& chosen = in.staging.staging_specimen;
  const SpecimenResult* best = nullptr;
  for (const SpecimenResult& r : results) {
    if (!chosen.empty()) {
      if (r.input->id == chosen) return &r;
      continue;
    }
    // Default: the earliest primary-tumour specimen (ISO dates compare as text).
    if (r.input->site_type == "primary" && (!best || r.input->date < best->input->date)) best = &r;
  }
  return best;
}

Json stage_json(const StageResult& s) {
  Json j;
  j["stage"] = s.stage ? Json(stage_group_name(*s.stage)) : Json(nullptr);
  j["rule"] = s.rule;
  return j;
}

Json advanced_json(const AdvancedDiseaseAssessment& a) {
  Json j;
  j["extent"] = disease_extent_name(a.extent);
  j["locally_advanced"] = a.locally_advanced;
  j["inflammatory"] = a.inflammatory;
  j["metastatic"] = a.metastatic;
  j["oligometastatic"] = a.oligometastatic ? Json(*a.oligometastatic) : Json(nullptr);
  j["oligometastatic_rule"] = optional_text(a.oligometastatic_rule);
  j["notes"] = strings(a.notes);
  j["citation"] = context_section("staging").value("disease_extent_citation", "");
  return j;
}

Json prognostic_json(const TValue& t, const NValue& n, const MValue& m,
                     const SpecimenResult* specimen, const ClinicalInput& in) {
  Json j;
  const PrognosticStageTable& table = PrognosticStageTable::default_table();
  const bool clinical_categories = t.prefix.find_first_of("py") == std::string::npos &&
                                   n.prefix.find_first_of("py") == std::string::npos;
  if (!clinical_categories && m.category != MCategory::kM1) {
    j["stage"] = nullptr;
    j["status"] = "not applicable";
    j["rule"] =
        "the clinical prognostic stage uses clinical categories (cT, cN, cM) before treatment; "
        "pathological and post-therapy categories were given and the pathological prognostic "
        "table is not implemented (clinical-context.md §5.6)";
    j["source"] = table.source();
    return j;
  }
  PrognosticStageInputs inputs;
  inputs.t = t.category;
  inputs.n = n.category;
  inputs.m = m.category;
  inputs.grade = in.staging.grade;
  if (!inputs.grade && specimen) inputs.grade = specimen->input->grade;
  if (specimen) {
    if (specimen->input->her2_given) inputs.her2_positive = her2_is_positive(specimen->her2);
    inputs.er_positive = receptor_is_positive(specimen->er);
    inputs.pr_positive = receptor_is_positive(specimen->pr);
  }
  const PrognosticStageResult r =
      table.lookup(inputs, in.options.report_unverified_prognostic_cells);
  j["stage"] = r.stage ? Json(stage_group_name(*r.stage)) : Json(nullptr);
  j["status"] = r.status;
  j["row_group"] = optional_text(r.row_group);
  j["cell_verified"] = r.cell_verified;
  j["missing_inputs"] = strings(r.missing_inputs);
  j["grade"] = grade_json(inputs.grade);
  j["biomarkers_from_specimen"] = specimen ? Json(specimen->input->id) : Json(nullptr);
  j["rule"] = r.rule;
  j["source"] = r.source;
  j["licence_note"] = table.licence_note();
  if (t.prefix.empty() || n.prefix.empty()) {
    j["note"] = "categories without a c/p prefix are taken as clinical";
  }
  return j;
}

Json upstaging_json(const ImagingUpstaging& u, const ClinicalInput& in) {
  Json j;
  j["label"] = u.label;
  j["changed"] = u.changed;
  j["tnm_before"] = u.t.prefix + u.t.code + " " + u.n_before.prefix + u.n_before.code + " " +
                    u.m_before.prefix + u.m_before.code;
  j["tnm_imaging_suspected"] = u.t.prefix + u.t.code + " " + u.n_after.prefix + u.n_after.code +
                               " " + u.m_after.prefix + u.m_after.code;
  j["anatomic_stage_before"] = stage_json(u.stage_before);
  j["anatomic_stage_imaging_suspected"] = stage_json(u.stage_after);
  j["changes"] = strings(u.changes);
  j["notes"] = strings(u.notes);
  j["distant_findings"] = u.distant_sites;
  if (u.changed) {
    std::optional<int> count = in.staging.distant_site_count;
    std::string counted_as = in.staging.distant_sites_counted_as;
    if (!count && u.distant_sites > 0) {
      count = u.distant_sites;
      counted_as = "lesions (suspicious imaging findings)";
    }
    j["disease_extent_imaging_suspected"] = advanced_json(classify_advanced_disease(
        u.stage_after.stage, u.t.code, count, counted_as, in.options.oligometastatic));
  }
  j["citation"] = context_section("staging").value("imaging_upstaging_citation", "");
  j["context"] = context_section("staging").value("occult_metastases_context", Json());
  return j;
}

Json staging_json(const std::vector<SpecimenResult>& results, const ClinicalInput& in) {
  const auto& s = in.staging;
  if (!in.staging_given || !s.t || !s.n || !s.m) {
    Json j;
    j["status"] = "not staged: staging.t, staging.n and staging.m are all required";
    return j;
  }
  const SpecimenResult* specimen = staging_specimen(results, in);
  const StageResult anatomic =
      anatomic_stage(s.t->category, s.n->category, s.m->category, in.options.anatomic);
  Json j;
  Json input;
  input["t"] = s.t->prefix + s.t->code;
  input["n"] = s.n->prefix + s.n->code;
  input["m"] = s.m->prefix + s.m->code;
  input["grade"] = grade_json(s.grade);
  input["staging_specimen"] = specimen ? Json(specimen->input->id) : Json(nullptr);
  j["input"] = input;
  j["anatomic"] = stage_json(anatomic);
  j["anatomic"]["citation"] = context_section("staging").value("anatomic_citation", "");
  j["clinical_prognostic"] = prognostic_json(*s.t, *s.n, *s.m, specimen, in);
  j["disease_extent"] = advanced_json(
      classify_advanced_disease(anatomic.stage, s.t->code, s.distant_site_count,
                                s.distant_sites_counted_as, in.options.oligometastatic));
  j["imaging_upstaging"] =
      in.imaging_findings.empty()
          ? Json(nullptr)
          : upstaging_json(imaging_upstaging(*s.t, *s.n, *s.m, in.imaging_findings,
                                             s.imaging_timing, in.options.anatomic),
                           in);
  return j;
}

Json options_json(const ClinicalInput& in) {
  const auto& o = in.options;
  Json j;
  j["ki67_cutoff_percent"] = o.subtype.ki67_cutoff_percent;
  j["pr_high_cutoff_percent"] = o.subtype.pr_high_cutoff_percent;
  j["oligometastatic_max_sites"] = o.oligometastatic.max_sites;
  j["oligometastatic_inclusive"] = o.oligometastatic.inclusive;
  j["tis_with_nodes_as_t0"] = o.anatomic.tis_with_nodes_as_t0;
  j["report_unverified_prognostic_cells"] = o.report_unverified_prognostic_cells;
  return j;
}

std::string summary(const ClinicalInput& in) {
  std::vector<SpecimenResult> results;
  for (const SpecimenInput& s : in.specimens) results.push_back(assess_specimen(s, in));

  Json out;
  out["schema_version"] = "oncotrace.clinical_summary/1";
  out["research_use_only"] = kResearchUseOnly;
  out["disclaimer"] = literature_context().value("disclaimer", "");
  out["patient_id"] = optional_text(in.patient_id);
  out["menopausal_status"] = optional_text(in.menopausal_status);
  out["options"] = options_json(in);
  Json specimens = Json::array();
  for (const SpecimenResult& r : results) specimens.push_back(specimen_json(r, in));
  out["specimens"] = specimens;

  Json biomarkers = Json::array();
  for (const SpecimenResult& r : results) add_specimen_biomarkers(biomarkers, r);
  for (const ImagingBiomarkerInput& b : in.imaging_biomarkers) {
    biomarkers.push_back(imaging_biomarker_json(b));
  }
  out["biomarkers"] = biomarkers;

  Json discordance = Json::array();
  add_discordance(discordance, results, "HER2 status", "her2", [](const SpecimenResult& r) {
    return r.input->her2_given ? her2_is_positive(r.her2) : std::nullopt;
  });
  add_discordance(discordance, results, "ER status", "hormone_receptor",
                  [](const SpecimenResult& r) { return receptor_is_positive(r.er); });
  add_discordance(discordance, results, "PR status", "hormone_receptor",
                  [](const SpecimenResult& r) { return receptor_is_positive(r.pr); });
  out["discordance_between_specimens"] = discordance;
  out["staging"] = staging_json(results, in);
  out["best_glossary"] = context_section("best_glossary");
  return out.dump(2) + "\n";
}

}  // namespace

std::string clinical_summary_json_from_text(const std::string& clinical_json,
                                            const std::string& origin) {
  return summary(clinical_internal::parse_clinical_input(clinical_json, origin));
}

std::string clinical_summary_json_from_text(const std::string& clinical_json,
                                            const std::string& origin,
                                            const std::vector<ImagingFinding>& imaging_findings) {
  clinical_internal::ClinicalInput input =
      clinical_internal::parse_clinical_input(clinical_json, origin);
  input.imaging_findings.insert(input.imaging_findings.end(), imaging_findings.begin(),
                                imaging_findings.end());
  return summary(input);
}

std::string clinical_summary_json(const std::filesystem::path& clinical_file) {
  std::ifstream in(clinical_file, std::ios::binary);
  if (!in) {
    throw InvalidInputError(clinical_file.string() +
                            ": cannot read the clinical file; check the path");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return clinical_summary_json_from_text(text.str(), clinical_file.string());
}

}  // namespace oncotrace
