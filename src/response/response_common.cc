// Threshold comparisons at a fixed precision, lesion selection, change tables, validation and the
// dispatch over criteria and timepoints.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "oncotrace/error.h"
#include "response/response_internal.h"

namespace oncotrace {

const char* comparison_operator_name(ComparisonOperator op) {
  return op == ComparisonOperator::kAtLeast ? ">=" : ">";
}

const char* response_criterion_name(ResponseCriterion criterion) {
  switch (criterion) {
    case ResponseCriterion::kPercist:
      return "percist";
    case ResponseCriterion::kEortc:
      return "eortc";
    case ResponseCriterion::kTbcrc026:
      return "tbcrc026";
    case ResponseCriterion::kPhergain:
      return "phergain";
    case ResponseCriterion::kFlt:
      return "flt";
  }
  return "unknown";
}

std::optional<ResponseCriterion> parse_response_criterion(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (ResponseCriterion criterion :
       {ResponseCriterion::kPercist, ResponseCriterion::kEortc, ResponseCriterion::kTbcrc026,
        ResponseCriterion::kPhergain, ResponseCriterion::kFlt}) {
    if (lower == response_criterion_name(criterion)) return criterion;
  }
  return std::nullopt;
}

std::optional<double> percent_change(double baseline, double follow_up) {
  if (baseline == 0.0) return std::nullopt;
  return (follow_up - baseline) / baseline * 100.0;
}

namespace {

// x * 10^decimals rounded half away from zero; std::round is exact for every double, so values
// of any magnitude compare correctly (no integer overflow).
double scaled(double value, int decimals) { return std::round(value * std::pow(10.0, decimals)); }

}  // namespace

double round_to_decimals(double value, int decimals) {
  return scaled(value, decimals) / std::pow(10.0, decimals);
}

int compare_at_decimals(double a, double b, int decimals) {
  const double left = scaled(a, decimals);
  const double right = scaled(b, decimals);
  return left < right ? -1 : (left > right ? 1 : 0);
}

namespace {

void require_finite(double value, bool allow_negative, const std::string& where) {
  if (!std::isfinite(value) || (!allow_negative && value < 0.0)) {
    throw InvalidInputError(where + " is " + std::to_string(value) +
                            "; give a finite value >= 0 (or leave it out)");
  }
}

void require_reference(const std::optional<ReferenceStatistics>& reference,
                       const std::string& where) {
  if (!reference) return;
  if (!std::isfinite(reference->mean) || reference->mean <= 0.0) {
    throw InvalidInputError(where + " mean is " + std::to_string(reference->mean) +
                            "; a reference-region mean must be > 0 (leave the region out if it "
                            "was not measured)");
  }
  if (!std::isfinite(reference->sd) || reference->sd < 0.0) {
    throw InvalidInputError(where + " SD is " + std::to_string(reference->sd) +
                            "; a standard deviation must be finite and >= 0");
  }
}

}  // namespace

void validate_response_timepoint(const ResponseTimepoint& timepoint, bool is_baseline) {
  const std::string where = "timepoint '" + timepoint.label + "'";
  require_reference(timepoint.liver_sul, where + ": liver SUL");
  require_reference(timepoint.blood_pool_sul, where + ": blood-pool SUL");
  require_reference(timepoint.liver_suv, where + ": liver SUV");
  require_reference(timepoint.blood_pool_suv, where + ": blood-pool SUV");
  if (timepoint.uptake_time_min) {
    require_finite(*timepoint.uptake_time_min, false, where + ": uptake time (min)");
  }
  if (timepoint.days_since_baseline) {
    require_finite(*timepoint.days_since_baseline, true, where + ": days since baseline");
  }
  if (timepoint.cycles_completed && *timepoint.cycles_completed < 0) {
    throw InvalidInputError(where + ": cycles completed is negative");
  }
  std::set<std::string> ids;
  for (const ResponseLesion& lesion : timepoint.lesions) {
    if (lesion.id.empty()) {
      throw InvalidInputError(where +
                              ": a lesion has an empty id; give every lesion its "
                              "matched id");
    }
    if (!ids.insert(lesion.id).second) {
      throw InvalidInputError(where + ": lesion id '" + lesion.id +
                              "' appears twice; matched ids must be unique per timepoint");
    }
    const std::string lesion_where = where + ", lesion '" + lesion.id + "': ";
    if (is_baseline && lesion.is_new) {
      throw InvalidInputError(lesion_where +
                              "marked new at the baseline; only follow-up lesions can be new");
    }
    const std::pair<const char*, const std::optional<double>*> fields[] = {
        {"SULpeak", &lesion.sul_peak},
        {"SULmax", &lesion.sul_max},
        {"SUVmax", &lesion.suv_max},
        {"SUVmean", &lesion.suv_mean},
        {"SUVpeak", &lesion.suv_peak},
        {"MTV", &lesion.mtv_ml},
        {"TLG", &lesion.tlg_g},
        {"TLG (SUL)", &lesion.tlg_sul_g},
        {"longest diameter", &lesion.longest_diameter_mm}};
    for (const auto& [name, field] : fields) {
      if (*field) require_finite(**field, false, lesion_where + name);
    }
  }
}

void validate_response_options(const ResponseOptions& options) {
  const ComparisonPrecision& p = options.precision;
  if (p.percent_decimals < 0 || p.percent_decimals > 9 || p.value_decimals < 0 ||
      p.value_decimals > 9) {
    throw InvalidInputError("response options: comparison decimals must be 0..9 (got " +
                            std::to_string(p.percent_decimals) + " for percentages, " +
                            std::to_string(p.value_decimals) + " for values)");
  }
  const std::pair<const char*, int> counts[] = {
      {"percist.tlg_lesion_count", options.percist.tlg_lesion_count},
      {"percist.sum_target_count", options.percist.sum_target_count},
      {"eortc.max_targets", options.eortc.max_targets}};
  for (const auto& [name, count] : counts) {
    if (count < 1) {
      throw InvalidInputError(std::string("response options: ") + name + " must be >= 1");
    }
  }
  const std::pair<const char*, double> thresholds[] = {
      {"percist.relative_threshold_percent", options.percist.relative_threshold_percent},
      {"percist.absolute_threshold_sul", options.percist.absolute_threshold_sul},
      {"percist.tlg_increase_percent", options.percist.tlg_increase_percent},
      {"eortc.pmr_one_cycle_percent", options.eortc.pmr_one_cycle_percent},
      {"eortc.pmr_more_cycles_percent", options.eortc.pmr_more_cycles_percent},
      {"eortc.pmd_increase_percent", options.eortc.pmd_increase_percent},
      {"tbcrc026.reduction_percent", options.tbcrc026.reduction_percent},
      {"phergain.reduction_percent", options.phergain.reduction_percent}};
  for (const auto& [name, value] : thresholds) {
    if (!std::isfinite(value) || value < 0.0) {
      throw InvalidInputError(std::string("response options: ") + name +
                              " must be a finite value >= 0");
    }
  }
  // The FLT cut point is a relative change: a decrease strictly between 0 and 100 %.
  if (!std::isfinite(options.flt.cut_point_percent) || options.flt.cut_point_percent <= -100.0 ||
      options.flt.cut_point_percent >= 0.0) {
    throw InvalidInputError(
        "response options: flt.cut_point_percent must be a relative change between -100 and 0 % "
        "exclusive (a decrease, e.g. -52.9 for Crippa 2015), got " +
        std::to_string(options.flt.cut_point_percent));
  }
  if (options.phergain.targets == PhergainTargets::kListed && options.phergain.target_ids.empty()) {
    throw InvalidInputError(
        "response options: PHERGain targets 'listed' needs at least one target lesion id");
  }
}

ResponseAssessment assess(ResponseCriterion criterion, const ResponseTimepoint& baseline,
                          const ResponseTimepoint& follow_up, const ResponseOptions& options) {
  switch (criterion) {
    case ResponseCriterion::kPercist:
      return assess_percist(baseline, follow_up, options);
    case ResponseCriterion::kEortc:
      return assess_eortc(baseline, follow_up, options);
    case ResponseCriterion::kTbcrc026:
      return assess_tbcrc026(baseline, follow_up, options);
    case ResponseCriterion::kPhergain:
      return assess_phergain(baseline, follow_up, options);
    case ResponseCriterion::kFlt:
      return assess_flt(baseline, follow_up, options);
  }
  throw InternalError("assess: unknown response criterion");
}

ResponseReport assess_response(const std::vector<ResponseTimepoint>& timepoints,
                               const ResponseOptions& options) {
  if (timepoints.size() < 2) {
    throw InvalidInputError("response assessment needs a baseline and at least one follow-up (" +
                            std::to_string(timepoints.size()) + " timepoint(s) given)");
  }
  validate_response_options(options);
  ResponseReport report;
  report.options = options;
  std::set<std::string> labels;
  for (size_t index = 0; index < timepoints.size(); ++index) {
    validate_response_timepoint(timepoints[index], index == 0);
    report.timepoints.push_back(timepoints[index]);
    if (!labels.insert(timepoints[index].label).second) {
      report.warnings.emplace_back("timepoint label '" + timepoints[index].label +
                                   "' is used more than once; assessments are told apart by order");
    }
    if (index >= 2 && timepoints[index].days_since_baseline &&
        timepoints[index - 1].days_since_baseline &&
        *timepoints[index].days_since_baseline < *timepoints[index - 1].days_since_baseline) {
      report.warnings.emplace_back("timepoint '" + timepoints[index].label +
                                   "' is earlier than the timepoint before it; every follow-up is "
                                   "compared with the baseline (the first timepoint)");
    }
  }
  for (size_t index = 1; index < timepoints.size(); ++index) {
    report.change_tables.push_back(change_table(timepoints[0], timepoints[index]));
    for (ResponseCriterion criterion : options.criteria) {
      report.assessments.push_back(assess(criterion, timepoints[0], timepoints[index], options));
    }
  }
  return report;
}

namespace response_internal {

bool at_or_above(double value, double threshold, ComparisonOperator op, int decimals) {
  const int order = compare_at_decimals(value, threshold, decimals);
  return op == ComparisonOperator::kAtLeast ? order >= 0 : order > 0;
}

bool decrease_reaches(double change_percent, double percent, ComparisonOperator op,
                      const ComparisonPrecision& precision) {
  const int order = compare_at_decimals(change_percent, -percent, precision.percent_decimals);
  return op == ComparisonOperator::kAtLeast ? order <= 0 : order < 0;
}

bool increase_reaches(double change_percent, double percent, ComparisonOperator op,
                      const ComparisonPrecision& precision) {
  return at_or_above(change_percent, percent, op, precision.percent_decimals);
}

const ResponseLesion* find_lesion(const ResponseTimepoint& timepoint, const std::string& id) {
  for (const ResponseLesion& lesion : timepoint.lesions) {
    if (lesion.id == id) return &lesion;
  }
  return nullptr;
}

namespace {

std::string lower(const std::string& text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_breast_organ(const std::string& organ) { return lower(organ).rfind("breast", 0) == 0; }

bool is_node_organ(const std::string& organ) {
  return lower(organ).find("node") != std::string::npos;
}

std::string organ_group(const std::string& organ) {
  const std::string name = lower(organ);
  return name.empty() ? "unknown" : name;
}

std::vector<const ResponseLesion*> select_hottest(const std::vector<const ResponseLesion*>& lesions,
                                                  const LesionValue& value, int count,
                                                  int per_organ) {
  std::vector<const ResponseLesion*> candidates;
  for (const ResponseLesion* lesion : lesions) {
    if (value(*lesion)) candidates.push_back(lesion);
  }
  std::sort(candidates.begin(), candidates.end(),
            [&value](const ResponseLesion* a, const ResponseLesion* b) {
              const double va = *value(*a);
              const double vb = *value(*b);
              if (va != vb) return va > vb;
              return a->id < b->id;
            });
  std::vector<const ResponseLesion*> chosen;
  std::map<std::string, int> per_group;
  for (const ResponseLesion* lesion : candidates) {
    if (static_cast<int>(chosen.size()) >= count) break;
    int& used = per_group[organ_group(lesion->organ)];
    if (per_organ > 0 && used >= per_organ) continue;
    ++used;
    chosen.push_back(lesion);
  }
  return chosen;
}

std::vector<const ResponseLesion*> all_lesions(const ResponseTimepoint& timepoint) {
  std::vector<const ResponseLesion*> out;
  for (const ResponseLesion& lesion : timepoint.lesions) out.push_back(&lesion);
  return out;
}

std::string fixed(double value, int decimals) {
  double rounded = round_to_decimals(value, decimals);
  if (rounded == 0.0) rounded = 0.0;  // no "-0.00"
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, rounded);
  return text;
}

std::string percent_text(double value, const ComparisonPrecision& precision) {
  const std::string text = fixed(value, precision.percent_decimals);
  const bool positive = round_to_decimals(value, precision.percent_decimals) > 0.0;
  return (positive ? "+" : "") + text + " %";
}

std::string value_text(double value, const ComparisonPrecision& precision) {
  return fixed(value, precision.value_decimals);
}

ResponseAssessment start_assessment(ResponseCriterion criterion, const std::string& title,
                                    const std::string& status, const ResponseTimepoint& baseline,
                                    const ResponseTimepoint& follow_up,
                                    const std::string& expected_tracer) {
  ResponseAssessment assessment;
  assessment.criterion = response_criterion_name(criterion);
  assessment.title = title;
  assessment.status = status;
  assessment.baseline_label = baseline.label;
  assessment.follow_up_label = follow_up.label;
  const std::string defined_for = " is defined for " + expected_tracer + " PET";
  for (const ResponseTimepoint* timepoint : {&baseline, &follow_up}) {
    std::string warning;
    if (timepoint->tracer.empty()) {
      warning = "tracer of timepoint '" + timepoint->label + "' is not given; ";
    } else if (lower(timepoint->tracer) != expected_tracer) {
      warning = "timepoint '" + timepoint->label + "' is a " + timepoint->tracer + " scan; ";
    } else {
      continue;
    }
    warning += title;
    warning += defined_for;
    assessment.warnings.push_back(warning);
  }
  return assessment;
}

ResponseNumber number(const std::string& name, std::optional<double> value, const std::string& unit,
                      const std::string& note) {
  ResponseNumber out;
  out.name = name;
  out.value = value;
  out.unit = unit;
  out.note = note;
  return out;
}

ResponseNumber percent_number(const std::string& name, std::optional<double> value,
                              const ComparisonPrecision& precision, const std::string& note) {
  ResponseNumber out = number(name, value, "%", note);
  if (value) out.compared = round_to_decimals(*value, precision.percent_decimals);
  return out;
}

ResponseNumber value_number(const std::string& name, std::optional<double> value,
                            const std::string& unit, const ComparisonPrecision& precision,
                            const std::string& note) {
  ResponseNumber out = number(name, value, unit, note);
  if (value) out.compared = round_to_decimals(*value, precision.value_decimals);
  return out;
}

LesionResponse lesion_change(const std::string& id, const std::string& organ,
                             const std::string& status, const std::string& quantity,
                             std::optional<double> baseline, std::optional<double> follow_up,
                             const ComparisonPrecision& precision) {
  LesionResponse row;
  row.id = id;
  row.organ = organ;
  row.status = status;
  row.quantity = quantity;
  row.baseline = baseline;
  row.follow_up = follow_up;
  if (baseline && follow_up) {
    row.absolute_change = *follow_up - *baseline;
    row.percent_change = percent_change(*baseline, *follow_up);
    if (row.percent_change) {
      row.percent_change_compared =
          round_to_decimals(*row.percent_change, precision.percent_decimals);
    }
  }
  return row;
}

QuantityChange quantity_change(const std::string& quantity, const std::string& unit,
                               std::optional<double> baseline, std::optional<double> follow_up) {
  QuantityChange change;
  change.quantity = quantity;
  change.unit = unit;
  change.baseline = baseline;
  change.follow_up = follow_up;
  if (baseline && follow_up) {
    change.absolute_change = *follow_up - *baseline;
    change.percent_change = percent_change(*baseline, *follow_up);
  }
  return change;
}

namespace {

using LesionPair = std::pair<const ResponseLesion*, const ResponseLesion*>;

// Every lesion id of the two timepoints, sorted, with its entries (nullptr when absent).
std::map<std::string, LesionPair> pair_lesions(const ResponseTimepoint& baseline,
                                               const ResponseTimepoint& follow_up) {
  std::map<std::string, LesionPair> ids;
  for (const ResponseLesion& lesion : baseline.lesions) ids[lesion.id].first = &lesion;
  for (const ResponseLesion& lesion : follow_up.lesions) ids[lesion.id].second = &lesion;
  return ids;
}

std::string pair_status(const LesionPair& pair) {
  if (!pair.first) return pair.second->is_new ? "new" : "follow_up_only";
  return pair.second ? "tracked" : "disappeared";
}

std::optional<double> field(const ResponseLesion* lesion,
                            std::optional<double> ResponseLesion::*member) {
  return lesion ? lesion->*member : std::nullopt;
}

}  // namespace

std::vector<LesionResponse> lesion_rows(const ResponseTimepoint& baseline,
                                        const ResponseTimepoint& follow_up,
                                        const std::string& quantity, const LesionValue& value,
                                        const ComparisonPrecision& precision) {
  std::vector<LesionResponse> rows;
  for (const auto& [id, pair] : pair_lesions(baseline, follow_up)) {
    const auto& [before, after] = pair;
    LesionResponse row = lesion_change(id, before ? before->organ : after->organ, pair_status(pair),
                                       quantity, before ? value(*before) : std::nullopt,
                                       after ? value(*after) : std::nullopt, precision);
    row.other_changes.push_back(quantity_change("MTV", "mL", field(before, &ResponseLesion::mtv_ml),
                                                field(after, &ResponseLesion::mtv_ml)));
    row.other_changes.push_back(quantity_change("TLG", "g", field(before, &ResponseLesion::tlg_g),
                                                field(after, &ResponseLesion::tlg_g)));
    rows.push_back(row);
  }
  return rows;
}

LesionResponse* find_row(std::vector<LesionResponse>& rows, const std::string& id) {
  for (LesionResponse& row : rows) {
    if (row.id == id) return &row;
  }
  return nullptr;
}

std::vector<std::string> new_lesion_ids(const ResponseTimepoint& follow_up) {
  std::vector<std::string> ids;
  for (const ResponseLesion& lesion : follow_up.lesions) {
    if (lesion.is_new) ids.push_back(lesion.id);
  }
  return ids;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t index = 0; index < items.size(); ++index) {
    if (index) out += separator;
    out += items[index];
  }
  return out;
}

}  // namespace response_internal

ResponseChangeTable change_table(const ResponseTimepoint& baseline,
                                 const ResponseTimepoint& follow_up) {
  using response_internal::quantity_change;
  struct Column {
    const char* quantity;
    const char* unit;
    std::optional<double> ResponseLesion::*member;
  };
  static const Column kColumns[] = {
      {"SULpeak", response_internal::kSulUnit, &ResponseLesion::sul_peak},
      {"SULmax", response_internal::kSulUnit, &ResponseLesion::sul_max},
      {"SUVmax", response_internal::kSuvUnit, &ResponseLesion::suv_max},
      {"SUVmean", response_internal::kSuvUnit, &ResponseLesion::suv_mean},
      {"SUVpeak", response_internal::kSuvUnit, &ResponseLesion::suv_peak},
      {"MTV", "mL", &ResponseLesion::mtv_ml},
      {"TLG", "g", &ResponseLesion::tlg_g},
      {"TLG_SUL", "g", &ResponseLesion::tlg_sul_g},
      {"longest_diameter", "mm", &ResponseLesion::longest_diameter_mm}};
  ResponseChangeTable table;
  table.baseline_label = baseline.label;
  table.follow_up_label = follow_up.label;
  double disappeared = 0.0;
  for (const auto& [id, pair] : response_internal::pair_lesions(baseline, follow_up)) {
    LesionChangeRow row;
    row.id = id;
    row.organ = pair.first ? pair.first->organ : pair.second->organ;
    row.status = response_internal::pair_status(pair);
    if (row.status == "disappeared") disappeared += 1.0;
    for (const Column& column : kColumns) {
      row.changes.push_back(quantity_change(column.quantity, column.unit,
                                            response_internal::field(pair.first, column.member),
                                            response_internal::field(pair.second, column.member)));
    }
    table.lesions.push_back(row);
  }
  // Patient totals: sums (or maxima) over the lesions of each scan that have the value.
  auto total = [](const ResponseTimepoint& t, std::optional<double> ResponseLesion::*member,
                  bool maximum) -> std::optional<double> {
    std::optional<double> out;
    for (const ResponseLesion& lesion : t.lesions) {
      if (!(lesion.*member)) continue;
      const double value = *(lesion.*member);
      out = !out ? value : (maximum ? std::max(*out, value) : *out + value);
    }
    return out;
  };
  table.patient.push_back(quantity_change("lesions", "1",
                                          static_cast<double>(baseline.lesions.size()),
                                          static_cast<double>(follow_up.lesions.size())));
  table.patient.push_back(
      quantity_change("new_lesions", "1", 0.0,
                      static_cast<double>(response_internal::new_lesion_ids(follow_up).size())));
  table.patient.push_back(quantity_change("disappeared_lesions", "1", 0.0, disappeared));
  table.patient.push_back(quantity_change("TMTV", "mL",
                                          total(baseline, &ResponseLesion::mtv_ml, false),
                                          total(follow_up, &ResponseLesion::mtv_ml, false)));
  table.patient.push_back(quantity_change("TTLG", "g",
                                          total(baseline, &ResponseLesion::tlg_g, false),
                                          total(follow_up, &ResponseLesion::tlg_g, false)));
  table.patient.push_back(quantity_change("TTLG_SUL", "g",
                                          total(baseline, &ResponseLesion::tlg_sul_g, false),
                                          total(follow_up, &ResponseLesion::tlg_sul_g, false)));
  table.patient.push_back(quantity_change("max_SULpeak", response_internal::kSulUnit,
                                          total(baseline, &ResponseLesion::sul_peak, true),
                                          total(follow_up, &ResponseLesion::sul_peak, true)));
  table.patient.push_back(quantity_change("max_SUVmax", response_internal::kSuvUnit,
                                          total(baseline, &ResponseLesion::suv_max, true),
                                          total(follow_up, &ResponseLesion::suv_max, true)));
  return table;
}
}  // namespace oncotrace
