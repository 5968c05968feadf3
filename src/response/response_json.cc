// JSON of response assessments, and timepoints read from `oncotrace analyze` lesions.json.
#include <nlohmann/json.hpp>

#include "core/json_values.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "response/response_internal.h"

namespace oncotrace {
namespace {

using Json = nlohmann::ordered_json;

Json optional_int(const std::optional<int>& value) { return value ? Json(*value) : Json(nullptr); }

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json reference_json(const std::optional<ReferenceStatistics>& reference) {
  if (!reference) return nullptr;
  return Json{{"mean", reference->mean}, {"sd", reference->sd}};
}

Json number_json(const ResponseNumber& number) {
  Json out;
  out["name"] = number.name;
  out["value"] = optional_number_json(number.value);
  out["unit"] = number.unit;
  out["compared"] = optional_number_json(number.compared);
  out["note"] = text_or_null(number.note);
  return out;
}

Json change_json(const QuantityChange& change) {
  Json out;
  out["quantity"] = change.quantity;
  out["unit"] = change.unit;
  out["baseline"] = optional_number_json(change.baseline);
  out["follow_up"] = optional_number_json(change.follow_up);
  out["absolute_change"] = optional_number_json(change.absolute_change);
  out["percent_change"] = optional_number_json(change.percent_change);
  return out;
}

Json changes_json(const std::vector<QuantityChange>& changes) {
  Json out = Json::array();
  for (const QuantityChange& change : changes) out.push_back(change_json(change));
  return out;
}

Json change_table_json(const ResponseChangeTable& table) {
  Json out;
  out["baseline"] = table.baseline_label;
  out["follow_up"] = table.follow_up_label;
  Json lesions = Json::array();
  for (const LesionChangeRow& row : table.lesions) {
    lesions.push_back(Json{{"id", row.id},
                           {"organ", text_or_null(row.organ)},
                           {"status", row.status},
                           {"changes", changes_json(row.changes)}});
  }
  out["lesions"] = lesions;
  out["patient"] = changes_json(table.patient);
  return out;
}

Json lesion_json(const LesionResponse& lesion) {
  Json out;
  out["id"] = lesion.id;
  out["organ"] = text_or_null(lesion.organ);
  out["status"] = lesion.status;
  out["quantity"] = lesion.quantity;
  out["baseline"] = optional_number_json(lesion.baseline);
  out["follow_up"] = optional_number_json(lesion.follow_up);
  out["absolute_change"] = optional_number_json(lesion.absolute_change);
  out["percent_change"] = optional_number_json(lesion.percent_change);
  out["percent_change_compared"] = optional_number_json(lesion.percent_change_compared);
  out["roles"] = lesion.roles;
  out["category"] = text_or_null(lesion.category);
  out["other_changes"] = changes_json(lesion.other_changes);
  return out;
}

Json assessment_json(const ResponseAssessment& a) {
  Json out;
  out["criterion"] = a.criterion;
  out["title"] = a.title;
  out["status"] = a.status;
  out["baseline"] = a.baseline_label;
  out["follow_up"] = a.follow_up_label;
  out["category"] = a.category;
  out["category_text"] = a.category_text;
  out["decided_by"] = a.decided_by;
  out["rule"] = a.rule;
  out["citations"] = a.citations;
  Json numbers = Json::array();
  for (const ResponseNumber& number : a.numbers) numbers.push_back(number_json(number));
  out["numbers"] = numbers;
  Json checks = Json::array();
  for (const ResponseCheck& check : a.checks) {
    checks.push_back(Json{{"name", check.name},
                          {"passed", check.passed ? Json(*check.passed) : Json(nullptr)},
                          {"detail", check.detail}});
  }
  out["checks"] = checks;
  Json lesions = Json::array();
  for (const LesionResponse& lesion : a.lesions) lesions.push_back(lesion_json(lesion));
  out["lesions"] = lesions;
  out["warnings"] = a.warnings;
  out["unverified"] = a.unverified;
  out["context"] = a.context;
  out["research_use_only"] = response_internal::kResearchUseOnlyText;
  return out;
}

const char* phergain_targets_name(PhergainTargets targets) {
  switch (targets) {
    case PhergainTargets::kAboveEligibilityThreshold:
      return "above_eligibility_threshold";
    case PhergainTargets::kAllBaselineLesions:
      return "all_baseline_lesions";
    case PhergainTargets::kListed:
      return "listed";
  }
  return "unknown";
}

Json options_json(const ResponseOptions& options) {
  Json out;
  Json criteria = Json::array();
  for (ResponseCriterion criterion : options.criteria) {
    criteria.push_back(response_criterion_name(criterion));
  }
  out["criteria"] = criteria;
  out["comparison"] = {
      {"percent_decimals", options.precision.percent_decimals},
      {"value_decimals", options.precision.value_decimals},
      {"method", "both sides rounded half away from zero to these decimals before comparing"}};
  out["primary_tumour_id"] = text_or_null(options.primary_tumour_id);
  out["disappeared_lesions_resolved"] = options.disappeared_lesions_resolved;
  const PercistOptions& p = options.percist;
  out["percist"] = {{"measurability_reference",
                     p.reference == MeasurabilityReference::kLiver ? "liver" : "blood_pool"},
                    {"measurability_operator", comparison_operator_name(p.measurability_operator)},
                    {"blood_pool_rule", blood_pool_threshold_rule_name(p.blood_pool_rule)},
                    {"pmr_operator", comparison_operator_name(p.pmr_operator)},
                    {"pmd_operator", comparison_operator_name(p.pmd_operator)},
                    {"relative_threshold_percent", p.relative_threshold_percent},
                    {"absolute_threshold_sul", p.absolute_threshold_sul},
                    {"tlg_increase_percent", p.tlg_increase_percent},
                    {"tlg_lesion_count", p.tlg_lesion_count},
                    {"sum_target_count", p.sum_target_count},
                    {"sum_targets_per_organ", p.sum_targets_per_organ},
                    {"liver_change_percent", p.liver_change_percent},
                    {"liver_change_sul", p.liver_change_sul},
                    {"uptake_time_difference_min", p.uptake_time_difference_min}};
  const EortcOptions& e = options.eortc;
  out["eortc"] = {{"quantity", e.quantity == EortcQuantity::kSuvMax ? "SUVmax" : "SUVmean"},
                  {"aggregation", e.aggregation == EortcAggregation::kHottestBaselineLesion
                                      ? "hottest_baseline_lesion"
                                      : "sum_of_targets"},
                  {"max_targets", e.max_targets},
                  {"max_targets_per_organ", e.max_targets_per_organ},
                  {"pmr_one_cycle_percent", e.pmr_one_cycle_percent},
                  {"pmr_more_cycles_percent", e.pmr_more_cycles_percent},
                  {"pmd_increase_percent", e.pmd_increase_percent},
                  {"smd_decrease_percent", e.smd_decrease_percent},
                  {"extent_increase_percent", e.extent_increase_percent}};
  out["tbcrc026"] = {{"reduction_percent", options.tbcrc026.reduction_percent},
                     {"c1d15_sul_max", options.tbcrc026.c1d15_sul_max}};
  out["phergain"] = {{"reduction_percent", options.phergain.reduction_percent},
                     {"liver_factor", options.phergain.liver_factor},
                     {"liver_sd_factor", options.phergain.liver_sd_factor},
                     {"targets", phergain_targets_name(options.phergain.targets)},
                     {"target_ids", options.phergain.target_ids}};
  out["flt"] = {{"cut_point_percent", options.flt.cut_point_percent},
                {"cut_operator", comparison_operator_name(options.flt.cut_operator)},
                {"branch_logic_verified", false}};
  return out;
}

}  // namespace

std::string response_assessment_json(const ResponseAssessment& assessment) {
  return assessment_json(assessment).dump(2) + "\n";
}

std::string response_report_json(const ResponseReport& report) {
  Json document;
  document["schema"] = "oncotrace-response/1";
  document["research_use_only"] = response_internal::kResearchUseOnlyText;
  document["disclaimer"] =
      "oncotrace reports measurements and the categories of published response criteria with "
      "their sources; it does not diagnose and does not recommend or change treatment.";
  Json timepoints = Json::array();
  for (const ResponseTimepoint& t : report.timepoints) {
    Json item;
    item["label"] = t.label;
    item["date"] = text_or_null(t.date);
    item["days_since_baseline"] = optional_number_json(t.days_since_baseline);
    item["cycles_completed"] = optional_int(t.cycles_completed);
    item["cycle"] = optional_int(t.cycle);
    item["cycle_day"] = optional_int(t.cycle_day);
    item["tracer"] = text_or_null(t.tracer);
    item["uptake_time_min"] = optional_number_json(t.uptake_time_min);
    item["scanner"] = text_or_null(t.scanner);
    item["reconstruction"] = text_or_null(t.reconstruction);
    item["sul_normalization"] = text_or_null(t.sul_normalization);
    item["liver_sul"] = reference_json(t.liver_sul);
    item["blood_pool_sul"] = reference_json(t.blood_pool_sul);
    item["liver_suv"] = reference_json(t.liver_suv);
    item["blood_pool_suv"] = reference_json(t.blood_pool_suv);
    item["nontarget_unequivocal_progression"] = t.nontarget_unequivocal_progression;
    item["lesion_count"] = t.lesions.size();
    timepoints.push_back(item);
  }
  document["timepoints"] = timepoints;
  document["options"] = options_json(report.options);
  Json assessments = Json::array();
  for (const ResponseAssessment& a : report.assessments) assessments.push_back(assessment_json(a));
  document["assessments"] = assessments;
  Json tables = Json::array();
  for (const ResponseChangeTable& table : report.change_tables) {
    tables.push_back(change_table_json(table));
  }
  document["change_tables"] = tables;
  document["warnings"] = report.warnings;
  document["software"] = {{"name", "oncotrace"}, {"version", version_string()}};
  return document.dump(2) + "\n";
}

namespace {

// Reads a lesions.json member that may be absent or null.
std::optional<double> json_number(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::optional<double> first_peak(const Json& statistics) {
  if (!statistics.is_object()) return std::nullopt;
  const auto peaks = statistics.find("peaks");
  if (peaks == statistics.end() || !peaks->is_array() || peaks->empty()) return std::nullopt;
  return json_number(peaks->front(), "value");
}

std::string json_text(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<ReferenceStatistics> statistics_of(const Json& statistics) {
  const auto mean = json_number(statistics, "mean");
  const auto sd = json_number(statistics, "sd");
  if (!mean || !sd) return std::nullopt;
  return ReferenceStatistics{*mean, *sd};
}

}  // namespace

ResponseTimepoint response_timepoint_from_lesions_json(const std::string& text,
                                                       const std::string& label,
                                                       const std::string& source) {
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw InvalidInputError(source + ": not valid JSON (" + e.what() +
                            "); give the lesions.json written by oncotrace analyze");
  }
  if (!document.is_object() || json_text(document, "schema") != "oncotrace-lesions/1" ||
      !document.contains("lesions") || !document["lesions"].is_array()) {
    throw InvalidInputError(source +
                            ": not an oncotrace-lesions/1 document (lesions.json of "
                            "oncotrace analyze)");
  }
  const Json units = document.value("units", Json::object());
  const std::string uptake_unit = json_text(units, "uptake");
  const bool uptake_is_suvbw = uptake_unit.find("SUVbw") != std::string::npos;
  const bool uptake_is_sul = uptake_unit.find("SUVlbm") != std::string::npos;
  ResponseTimepoint timepoint;
  timepoint.label = label;
  timepoint.sul_normalization = uptake_is_sul ? uptake_unit : json_text(units, "sul");
  if (!uptake_is_suvbw && !uptake_is_sul) {
    throw InvalidInputError(source + ": uptake unit '" + uptake_unit +
                            "' is neither SUVbw nor SUL; run analyze with --normalization bw "
                            "(SUL is added automatically when height and sex are known)");
  }
  for (const Json& item : document["lesions"]) {
    ResponseLesion lesion;
    lesion.id = json_text(item, "name");
    if (lesion.id.empty() && item.contains("label")) {
      lesion.id = "lesion_" + std::to_string(item["label"].get<int>());
    }
    lesion.organ = json_text(item, "organ");
    const Json uptake = item.value("uptake", Json::object());
    const Json sul = item.value("sul", Json::object());
    if (uptake_is_suvbw) {
      lesion.suv_max = json_number(uptake, "max");
      lesion.suv_mean = json_number(uptake, "mean");
      lesion.suv_peak = first_peak(uptake);
      lesion.tlg_g = json_number(item, "total_uptake");
      lesion.sul_peak = first_peak(sul);
      lesion.sul_max = json_number(sul, "max");
      lesion.tlg_sul_g = json_number(item, "total_uptake_sul");
    } else {
      lesion.sul_peak = first_peak(uptake);
      lesion.sul_max = json_number(uptake, "max");
      lesion.tlg_sul_g = json_number(item, "total_uptake");
    }
    lesion.mtv_ml = json_number(item, "volume_ml");
    lesion.longest_diameter_mm = json_number(item, "longest_diameter_mm");
    timepoint.lesions.push_back(lesion);
  }
  const Json regions = document.value("reference_regions", Json::array());
  for (const Json& region : regions) {
    const std::string name = json_text(region, "name");
    if (name != "liver" && name != "blood_pool") continue;
    const auto primary = statistics_of(region.value("statistics", Json::object()));
    const auto on_sul = statistics_of(region.value("sul", Json::object()));
    const bool liver = name == "liver";
    if (uptake_is_suvbw) {
      (liver ? timepoint.liver_suv : timepoint.blood_pool_suv) = primary;
      (liver ? timepoint.liver_sul : timepoint.blood_pool_sul) = on_sul;
    } else {
      (liver ? timepoint.liver_sul : timepoint.blood_pool_sul) = primary;
    }
  }
  const Json provenance = document.value("provenance", Json::object());
  const Json audit = provenance.value("suv_audit", Json::object());
  timepoint.scanner = json_text(audit, "manufacturer");
  std::optional<double> uptake_s = json_number(audit, "decay_interval_s");
  if (!uptake_s) uptake_s = json_number(audit, "interval_to_acquisition_s");
  if (uptake_s) timepoint.uptake_time_min = *uptake_s / 60.0;
  const std::string reference_time =
      json_text(audit.value("reference_time", Json::object()), "value");
  if (reference_time.size() >= 10) timepoint.date = reference_time.substr(0, 10);
  validate_response_timepoint(timepoint, false);
  return timepoint;
}

}  // namespace oncotrace
