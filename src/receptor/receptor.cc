// Per-lesion receptor status, FDG avidity and heterogeneity (definitions: oncotrace/receptor.h).
#include "oncotrace/receptor.h"

#include <cctype>
#include <cmath>
#include <regex>
#include <sstream>

#include "oncotrace/error.h"

namespace oncotrace {
namespace {

// Organ names of the catalogue ("kidneys") and of the organs module ("kidney") compared without
// case and a plural "s".
std::string organ_key(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name.size() > 1 && name.back() == 's') name.pop_back();
  return name;
}

// Relative tolerance of threshold comparisons computed by arithmetic (1.5 x mean + 2 SD), so
// that a value written as exactly the threshold is not lost to floating-point rounding.
constexpr double kThresholdRelativeTolerance = 1e-12;

std::string format_value(double value) {
  std::ostringstream out;
  out.precision(3);
  out << value;
  return out.str();
}

}  // namespace

const char* lesion_status_name(LesionStatus status) {
  switch (status) {
    case LesionStatus::kPositive:
      return "positive";
    case LesionStatus::kNegative:
      return "negative";
    case LesionStatus::kNotAssessable:
      return "not_assessable";
    case LesionStatus::kContinuousOnly:
      return "continuous_only";
  }
  return "unknown";
}

std::optional<double> rule_minimum_size_mm(const TracerPositivityRule& rule) {
  static const std::regex kSize(R"(size\s*(>=|≥)\s*([0-9]+(\.[0-9]+)?)\s*mm)");
  for (const std::string& condition : rule.lesion_conditions) {
    std::smatch match;
    if (std::regex_search(condition, match, kSize)) return std::stod(match[2].str());
  }
  return std::nullopt;
}

LesionStatusCall call_lesion_status(const Tracer& tracer, const LesionUptake& uptake,
                                    const std::string& organ, double longest_diameter_mm,
                                    const StatusOptions& options) {
  LesionStatusCall call;
  call.tracer_id = tracer.id;
  call.target = tracer.target;
  call.metric = "SUVmax";
  call.value = uptake.suv_max;
  if (!uptake.in_field_of_view) {
    call.status = LesionStatus::kNotAssessable;
    call.reason = "outside the field of view of the " + tracer.display_name + " study";
    return call;
  }
  if (!tracer.positivity_rule) {
    call.status = LesionStatus::kContinuousOnly;
    call.reason = tracer.display_name +
                  ": no validated positivity threshold in the catalogue; continuous values only";
    return call;
  }
  const TracerPositivityRule& rule = *tracer.positivity_rule;
  call.rule = rule.name;
  call.citation = rule.citation;
  call.rule_verified = rule.verified && rule.comparison_verified;
  call.metric = rule.metric;
  call.threshold = rule.threshold;
  call.comparison = rule.comparison;
  if (!rule.option_name.empty()) {
    const auto override_it = options.operator_overrides.find(rule.option_name);
    if (override_it != options.operator_overrides.end()) call.comparison = override_it->second;
  }
  if (rule.metric != "SUVmax" || !rule.reference_region.empty()) {
    call.status = LesionStatus::kContinuousOnly;
    call.reason = "rule '" + rule.name + "' uses " + rule.metric +
                  (rule.reference_region.empty() ? "" : " against " + rule.reference_region) +
                  ", which oncotrace does not evaluate yet; continuous values only";
    return call;
  }
  const std::string key = organ_key(organ);
  if (!key.empty()) {
    for (const std::string& excluded : rule.not_applicable_in) {
      if (organ_key(excluded) != key) continue;
      call.status = LesionStatus::kNotAssessable;
      call.reason = organ + " lesion: " + tracer.display_name + " not assessable";
      for (const TracerOrgan& entry : tracer.not_assessable_in) {
        if (organ_key(entry.organ) == key && !entry.reason.empty()) {
          call.reason += " (" + entry.reason + ")";
        }
      }
      return call;
    }
  }
  if (const std::optional<double> minimum = rule_minimum_size_mm(rule)) {
    if (longest_diameter_mm < *minimum) {
      call.status = LesionStatus::kNotAssessable;
      call.reason = "lesion longest diameter " + format_value(longest_diameter_mm) +
                    " mm is below the rule's size condition (>= " + format_value(*minimum) + " mm)";
      return call;
    }
  }
  if (!uptake.suv_max) {
    call.status = LesionStatus::kNotAssessable;
    call.reason = "no SUVmax measured for this lesion on the " + tracer.display_name + " study";
    return call;
  }
  call.ratio_to_threshold = *uptake.suv_max / rule.threshold;
  const bool positive = rule.is_positive(*uptake.suv_max, call.comparison);
  call.status = positive ? LesionStatus::kPositive : LesionStatus::kNegative;
  call.reason = "SUVmax " + format_value(*uptake.suv_max) + (positive ? " " : " not ") +
                call.comparison + " " + format_value(rule.threshold) + " (" + rule.name + ")";
  return call;
}

FdgAvidityRule parse_fdg_avidity_rule(const std::string& text) {
  FdgAvidityRule rule;
  if (text == "percist-liver") return rule;
  if (text == "detected") {
    rule.kind = FdgAvidityRuleKind::kDetected;
    return rule;
  }
  if (text.rfind("suvmax:", 0) == 0) {
    try {
      size_t used = 0;
      rule.suv_max_threshold = std::stod(text.substr(7), &used);
      if (used == text.size() - 7 && rule.suv_max_threshold > 0) {
        rule.kind = FdgAvidityRuleKind::kSuvMax;
        return rule;
      }
    } catch (const std::exception&) {
    }
  }
  throw InvalidInputError("--fdg-avidity '" + text +
                          "': expected percist-liver, suvmax:T (T > 0) or detected");
}

std::string fdg_avidity_rule_text(const FdgAvidityRule& rule) {
  switch (rule.kind) {
    case FdgAvidityRuleKind::kPercistLiver:
      return "percist-liver";
    case FdgAvidityRuleKind::kDetected:
      return "detected";
    case FdgAvidityRuleKind::kSuvMax:
      return "suvmax:" + format_value(rule.suv_max_threshold);
  }
  return "unknown";
}

FdgAvidityCall call_fdg_avidity(const FdgAvidityRule& rule, const LesionUptake& fdg, bool detected,
                                std::optional<double> liver_sul_mean,
                                std::optional<double> liver_sul_sd) {
  FdgAvidityCall call;
  if (!fdg.in_field_of_view) {
    call.reason = "outside the FDG field of view";
    return call;
  }
  switch (rule.kind) {
    case FdgAvidityRuleKind::kDetected:
      call.avid = detected;
      call.reason = detected ? "detected on the FDG study" : "not detected on the FDG study";
      return call;
    case FdgAvidityRuleKind::kSuvMax:
      if (!fdg.suv_max) break;
      call.avid = *fdg.suv_max >= rule.suv_max_threshold;
      call.metric = "SUVmax";
      call.value = *fdg.suv_max;
      call.threshold = rule.suv_max_threshold;
      call.reason = "FDG SUVmax " + format_value(*fdg.suv_max) + (*call.avid ? " >= " : " < ") +
                    format_value(rule.suv_max_threshold);
      return call;
    case FdgAvidityRuleKind::kPercistLiver: {
      if (!fdg.sul_peak || !liver_sul_mean || !liver_sul_sd) {
        call.reason =
            "PERCIST avidity needs the lesion SULpeak and the liver SUL mean and SD on the FDG "
            "study";
        return call;
      }
      const double threshold = 1.5 * *liver_sul_mean + 2.0 * *liver_sul_sd;
      // A value equal to the threshold up to the rounding of this arithmetic reaches it.
      call.avid = *fdg.sul_peak >= threshold * (1.0 - kThresholdRelativeTolerance);
      call.metric = "SULpeak";
      call.value = *fdg.sul_peak;
      call.threshold = threshold;
      call.reason = "FDG SULpeak " + format_value(*fdg.sul_peak) + (*call.avid ? " >= " : " < ") +
                    "1.5 x liver SULmean + 2 SD = " + format_value(threshold);
      return call;
    }
  }
  call.reason = "no FDG SUVmax for this lesion";
  return call;
}

HeterogeneitySummary summarise_heterogeneity(const std::string& tracer_id,
                                             const std::string& target,
                                             const std::vector<HeterogeneityLesion>& lesions,
                                             const HeterogeneityOptions& options) {
  HeterogeneitySummary summary;
  summary.tracer_id = tracer_id;
  summary.target = target;
  summary.lesions = lesions.size();
  size_t avid = 0, avid_positive = 0;
  for (const HeterogeneityLesion& lesion : lesions) {
    switch (lesion.target) {
      case LesionStatus::kPositive:
        ++summary.positive;
        break;
      case LesionStatus::kNegative:
        ++summary.negative;
        break;
      case LesionStatus::kNotAssessable:
        ++summary.not_assessable;
        break;
      case LesionStatus::kContinuousOnly:
        ++summary.continuous_only;
        break;
    }
    const bool called =
        lesion.target == LesionStatus::kPositive || lesion.target == LesionStatus::kNegative;
    if (!called || !lesion.fdg_avid) continue;
    const bool positive = lesion.target == LesionStatus::kPositive;
    const bool fdg = *lesion.fdg_avid;
    if (fdg) {
      ++avid;
      avid_positive += positive ? 1 : 0;
    }
    if (fdg && positive) ++summary.fdg_pos_target_pos;
    if (fdg && !positive) ++summary.fdg_pos_target_neg;
    if (!fdg && positive) ++summary.fdg_neg_target_pos;
    if (!fdg && !positive) ++summary.fdg_neg_target_neg;
    if (fdg != positive) {
      summary.discordant.push_back(
          lesion.lesion_id + " (" + (lesion.organ.empty() ? "organ unknown" : lesion.organ) +
          "): FDG" + (fdg ? "+" : "-") + "/" + target + (positive ? "+" : "-"));
    }
  }
  const size_t assessed = summary.positive + summary.negative;
  if (assessed > 0) {
    summary.positive_fraction =
        static_cast<double>(summary.positive) / static_cast<double>(assessed);
    summary.heterogeneous = summary.positive > 0 && summary.negative > 0;
  } else {
    summary.notes.push_back("no lesion could be called positive or negative for " + tracer_id);
  }
  if (target == "HER2" && avid > 0) {
    summary.fdg_avid_load_positive_fraction =
        static_cast<double>(avid_positive) / static_cast<double>(avid);
    summary.zephir_category = *summary.fdg_avid_load_positive_fraction > options.dominant_fraction
                                  ? "entire or dominant part"
                                  : "minor part or none";
    summary.notes.push_back(
        "ZEPHIR-style category (Mileva et al., NPJ Breast Cancer 2024;10:4): fraction of FDG-avid "
        "lesions (counted by number; how ZEPHIR counted tumour load is unverified) that are "
        "HER2-positive, dominant above " +
        format_value(options.dominant_fraction));
  }
  summary.notes.emplace_back(
      "heterogeneous = at least one positive and one negative assessable lesion "
      "(clinical-context.md §2.4; Dehdashti 2018's own definition is unverified)");
  return summary;
}

}  // namespace oncotrace
