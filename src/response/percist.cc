// PERCIST 1.0 (Wahl et al., J Nucl Med 2009;50 Suppl 1:122S-150S; O, Lodge, Wahl, Radiology
// 2016;280:576-584), as specified in clinical-context.md §6.1 and pet-quantification.md §10.
#include <cmath>

#include "response/response_internal.h"

namespace oncotrace {
namespace {

using namespace response_internal;  // NOLINT(google-build-using-namespace): module helpers

constexpr const char* kPercistRule =
    "PERCIST 1.0 on SULpeak. Measurable at baseline: SULpeak >= 1.5 x liver SULmean + 2 x SD "
    "(liver abnormal: 2.0 x blood-pool SULmean + 2 x SD). Target: the single hottest lesion "
    "(highest SULpeak) on each scan, which need not be the same lesion. Categories in this order, "
    "first match wins: PMD (c) any new FDG-avid lesion; PMD (a) target SULpeak increase > 30 % "
    "and > 0.8 SUL units; PMD (b) TLG of the 5 most active lesions increases > 75 % with no "
    "decline in SUL (follow-up target SULpeak >= baseline target SULpeak); PMD (d) unequivocal "
    "progression of non-target lesions (reader); CMR: the follow-up hottest lesion SULpeak <= "
    "follow-up liver SULmean and <= blood-pool SULmean + 2 SD (background blood-pool level, when "
    "the blood pool is given), no new lesion, lesions absent at follow-up count as resolved; "
    "PMR: target SULpeak decrease >= 30 % and >= 0.8 SUL units, no new lesion, no other lesion "
    "with SULpeak increase > 30 %; SMD otherwise. Whether an increase is in a pattern typical of "
    "tumour (not infection or treatment effect) is the reader's judgement and is not assessed. "
    "Secondary (exploratory): sum of SULpeak of up to 5 hottest lesions, at most 2 per organ.";

std::optional<double> sul_peak_of(const ResponseLesion& lesion) { return lesion.sul_peak; }

void add_role(std::vector<LesionResponse>& rows, const std::string& id, const std::string& role) {
  if (LesionResponse* row = find_row(rows, id)) row->roles.emplace_back(role);
}

// Comparability of the two scans (warnings only): liver SULmean, uptake time, scanner,
// reconstruction, SUL formula.
void check_comparability(const ResponseTimepoint& baseline, const ResponseTimepoint& follow_up,
                         const PercistOptions& options, const ComparisonPrecision& precision,
                         ResponseAssessment& a) {
  ResponseCheck liver;
  liver.name = "liver_reference_comparable";
  if (baseline.liver_sul && follow_up.liver_sul) {
    const double before = baseline.liver_sul->mean;
    const double after = follow_up.liver_sul->mean;
    const double change = after - before;
    const double change_percent = *percent_change(before, after);
    const bool within_percent =
        compare_at_decimals(std::abs(change_percent), options.liver_change_percent,
                            precision.percent_decimals) <= 0;
    const bool within_units = compare_at_decimals(std::abs(change), options.liver_change_sul,
                                                  precision.value_decimals) < 0;
    liver.passed = within_percent && within_units;
    liver.detail = "liver SULmean " + value_text(before, precision) + " -> " +
                   value_text(after, precision) + " (" + percent_text(change_percent, precision) +
                   ", " + value_text(change, precision) +
                   " SUL units); PERCIST requires a change "
                   "within +/-" +
                   fixed(options.liver_change_percent, precision.percent_decimals) +
                   " % and below " + value_text(options.liver_change_sul, precision) + " SUL units";
    a.numbers.push_back(value_number("liver_sul_mean_baseline", before, kSulUnit, precision));
    a.numbers.push_back(value_number("liver_sul_mean_follow_up", after, kSulUnit, precision));
    a.numbers.push_back(value_number("liver_sul_mean_change", change, kSulUnit, precision));
    a.numbers.push_back(percent_number("liver_sul_mean_percent_change", change_percent, precision));
    if (!*liver.passed) {
      a.warnings.emplace_back("scans not comparable by PERCIST (liver reference): " + liver.detail);
    }
  } else {
    liver.detail = std::string("liver SUL reference missing at ") +
                   (!baseline.liver_sul ? "baseline" : "follow-up") +
                   "; the liver comparability condition was not checked";
    a.warnings.emplace_back(liver.detail);
  }
  a.checks.push_back(liver);

  ResponseCheck uptake;
  uptake.name = "uptake_time_comparable";
  if (baseline.uptake_time_min && follow_up.uptake_time_min) {
    const double difference = std::abs(*follow_up.uptake_time_min - *baseline.uptake_time_min);
    uptake.passed = compare_at_decimals(difference, options.uptake_time_difference_min,
                                        precision.value_decimals) < 0;
    uptake.detail = "uptake times " + value_text(*baseline.uptake_time_min, precision) + " and " +
                    value_text(*follow_up.uptake_time_min, precision) + " min differ by " +
                    value_text(difference, precision) + " min; PERCIST requires < " +
                    value_text(options.uptake_time_difference_min, precision) + " min";
    a.numbers.push_back(value_number("uptake_time_difference_min", difference, "min", precision));
    if (!*uptake.passed) {
      a.warnings.emplace_back("scans not comparable by PERCIST (uptake time): " + uptake.detail);
    }
  } else {
    uptake.detail = "uptake time unknown at one or both scans; not checked";
    a.warnings.emplace_back(uptake.detail);
  }
  a.checks.push_back(uptake);

  const std::pair<const char*, std::pair<const std::string*, const std::string*>> identities[] = {
      {"same_scanner", {&baseline.scanner, &follow_up.scanner}},
      {"same_reconstruction", {&baseline.reconstruction, &follow_up.reconstruction}},
      {"same_sul_normalization", {&baseline.sul_normalization, &follow_up.sul_normalization}}};
  for (const auto& [name, pair] : identities) {
    ResponseCheck check;
    check.name = name;
    const std::string& before = *pair.first;
    const std::string& after = *pair.second;
    if (before.empty() || after.empty()) {
      check.detail = "not known for both scans; not checked";
    } else {
      check.passed = before == after;
      check.detail = "'" + before + "' and '";
      check.detail += after;
      check.detail += "'";
      if (!*check.passed) {
        a.warnings.emplace_back(std::string("scans not comparable by PERCIST (") + name +
                                "): " + check.detail);
      }
    }
    a.checks.push_back(check);
  }
}

void set_category(ResponseAssessment& a, const std::string& category, const std::string& text,
                  const std::string& decided_by) {
  a.category = category;
  a.category_text = text;
  a.decided_by = decided_by;
}

}  // namespace

ResponseAssessment assess_percist(const ResponseTimepoint& baseline,
                                  const ResponseTimepoint& follow_up,
                                  const ResponseOptions& options) {
  validate_response_options(options);
  validate_response_timepoint(baseline, true);
  validate_response_timepoint(follow_up, false);
  const PercistOptions& po = options.percist;
  const ComparisonPrecision& precision = options.precision;
  ResponseAssessment a = start_assessment(ResponseCriterion::kPercist, "PERCIST 1.0",
                                          "guideline-level criteria", baseline, follow_up, "fdg");
  a.rule = kPercistRule;
  a.citations = {
      "Wahl RL, Jacene H, Kasamon Y, Lodge MA. From RECIST to PERCIST: evolving considerations "
      "for PET response criteria in solid tumors. J Nucl Med. 2009;50 Suppl 1:122S-150S.",
      "O JH, Lodge MA, Wahl RL. Practical PERCIST: a simplified guide to PET response criteria "
      "in solid tumors 1.0. Radiology. 2016;280:576-584."};
  a.lesions = lesion_rows(baseline, follow_up, "SULpeak", sul_peak_of, precision);
  check_comparability(baseline, follow_up, po, precision, a);

  // Measurability threshold at baseline.
  bool use_liver = po.reference == MeasurabilityReference::kLiver;
  if (use_liver && !baseline.liver_sul && baseline.blood_pool_sul) {
    use_liver = false;
    a.warnings.emplace_back(
        "no liver SUL reference at baseline: measurability threshold from the blood pool");
  } else if (!use_liver && !baseline.blood_pool_sul && baseline.liver_sul) {
    use_liver = true;
    a.warnings.emplace_back(
        "no blood-pool SUL reference at baseline: measurability threshold from the liver");
  }
  std::optional<double> threshold;
  std::string threshold_text;
  if (use_liver && baseline.liver_sul) {
    threshold = percist_liver_threshold(baseline.liver_sul->mean, baseline.liver_sul->sd);
    threshold_text = "1.5 x liver SULmean " + value_text(baseline.liver_sul->mean, precision) +
                     " + 2 x SD " + value_text(baseline.liver_sul->sd, precision);
  } else if (!use_liver && baseline.blood_pool_sul) {
    threshold = percist_blood_pool_threshold(baseline.blood_pool_sul->mean,
                                             baseline.blood_pool_sul->sd, po.blood_pool_rule);
    threshold_text = "2.0 x blood-pool SULmean " +
                     value_text(baseline.blood_pool_sul->mean, precision) +
                     (po.blood_pool_rule == BloodPoolThresholdRule::kMeanPlusTwoSd
                          ? " + 2 x SD " + value_text(baseline.blood_pool_sul->sd, precision)
                          : std::string());
    if (po.blood_pool_rule == BloodPoolThresholdRule::kMeanOnly) {
      a.unverified.emplace_back(
          "blood-pool measurability threshold 2.0 x SULmean without + 2 SD (Wahl 2009 as "
          "commonly quoted; unverified against the primary text)");
    }
  }
  ResponseCheck measurable_check;
  measurable_check.name = "measurable_disease_at_baseline";
  if (!threshold) {
    measurable_check.detail = "no liver or blood-pool SUL reference at baseline";
    a.checks.push_back(measurable_check);
    set_category(a, "not_evaluable", "PERCIST not evaluable",
                 "no liver or blood-pool SUL reference at baseline: measurability cannot be "
                 "decided; give the liver (or blood-pool) SUL statistics of the baseline scan");
    return a;
  }
  a.numbers.push_back(value_number(
      "measurability_threshold", *threshold, kSulUnit, precision,
      threshold_text + " (" + comparison_operator_name(po.measurability_operator) + ")"));
  std::vector<const ResponseLesion*> measurable;
  std::vector<std::string> without_peak;
  for (const ResponseLesion& lesion : baseline.lesions) {
    if (!lesion.sul_peak) {
      without_peak.push_back(lesion.id);
      continue;
    }
    if (at_or_above(*lesion.sul_peak, *threshold, po.measurability_operator,
                    precision.value_decimals)) {
      measurable.push_back(&lesion);
      add_role(a.lesions, lesion.id, "measurable_at_baseline");
    }
  }
  if (!without_peak.empty()) {
    a.warnings.emplace_back("baseline lesion(s) without SULpeak cannot be targets: " +
                            join(without_peak));
  }
  measurable_check.passed = !measurable.empty();
  measurable_check.detail =
      std::to_string(measurable.size()) + " of " + std::to_string(baseline.lesions.size()) +
      " baseline lesion(s) with SULpeak " + comparison_operator_name(po.measurability_operator) +
      " " + value_text(*threshold, precision);
  a.checks.push_back(measurable_check);
  const std::vector<std::string> new_ids = new_lesion_ids(follow_up);
  if (measurable.empty()) {
    if (!new_ids.empty()) {
      a.warnings.emplace_back(std::to_string(new_ids.size()) + " new lesion(s) at follow-up (" +
                              join(new_ids) +
                              "); PERCIST 1.0 needs measurable disease at baseline, so they are "
                              "reported but not categorised");
    }
    set_category(a, "not_evaluable", "PERCIST not evaluable (no measurable lesion)",
                 "no baseline lesion has SULpeak " +
                     std::string(comparison_operator_name(po.measurability_operator)) + " " +
                     value_text(*threshold, precision));
    return a;
  }

  // Targets.
  const ResponseLesion* base_target = select_hottest(measurable, sul_peak_of, 1, 0).front();
  const std::vector<const ResponseLesion*> follow_all = all_lesions(follow_up);
  std::vector<std::string> follow_without_peak;
  for (const ResponseLesion* lesion : follow_all) {
    if (!lesion->sul_peak) follow_without_peak.push_back(lesion->id);
  }
  if (!follow_without_peak.empty()) {
    a.warnings.emplace_back("follow-up lesion(s) without SULpeak are ignored: " +
                            join(follow_without_peak));
  }
  const std::vector<const ResponseLesion*> follow_hottest =
      select_hottest(follow_all, sul_peak_of, 1, 0);
  const ResponseLesion* follow_target = follow_hottest.empty() ? nullptr : follow_hottest.front();
  add_role(a.lesions, base_target->id, "baseline_target");
  if (follow_target) add_role(a.lesions, follow_target->id, "follow_up_target");
  const double base_value = *base_target->sul_peak;
  a.numbers.push_back(value_number("baseline_target_sul_peak", base_value, kSulUnit, precision,
                                   "lesion " + base_target->id));
  std::optional<double> change;
  std::optional<double> change_percent;
  if (follow_target) {
    const double follow_value = *follow_target->sul_peak;
    change = follow_value - base_value;
    change_percent = percent_change(base_value, follow_value);
    a.numbers.push_back(value_number("follow_up_target_sul_peak", follow_value, kSulUnit, precision,
                                     "lesion " + follow_target->id));
  } else {
    a.numbers.push_back(number("follow_up_target_sul_peak", std::nullopt, kSulUnit,
                               "no follow-up lesion with SULpeak"));
  }
  a.numbers.push_back(value_number("target_sul_peak_change", change, kSulUnit, precision));
  a.numbers.push_back(percent_number("target_sul_peak_percent_change", change_percent, precision));

  // Secondary sum (exploratory).
  const std::vector<const ResponseLesion*> sum_base =
      select_hottest(measurable, sul_peak_of, po.sum_target_count, po.sum_targets_per_organ);
  const std::vector<const ResponseLesion*> sum_follow =
      select_hottest(follow_all, sul_peak_of, po.sum_target_count, po.sum_targets_per_organ);
  double sum_before = 0.0;
  double sum_after = 0.0;
  for (const ResponseLesion* lesion : sum_base) {
    sum_before += *lesion->sul_peak;
    add_role(a.lesions, lesion->id, "sum_target_baseline");
  }
  for (const ResponseLesion* lesion : sum_follow) {
    sum_after += *lesion->sul_peak;
    add_role(a.lesions, lesion->id, "sum_target_follow_up");
  }
  int unknown_organ = 0;
  for (const ResponseLesion* lesion : measurable) {
    if (organ_group(lesion->organ) == "unknown") ++unknown_organ;
  }
  if (unknown_organ > po.sum_targets_per_organ) {
    a.warnings.emplace_back(std::to_string(unknown_organ) +
                            " measurable baseline lesions have no organ; they count as one organ "
                            "for the at-most-" +
                            std::to_string(po.sum_targets_per_organ) +
                            "-per-organ rule of the secondary sum; give organs to select more");
  }
  const std::string sum_note = "exploratory (PERCIST secondary analysis); no category";
  a.numbers.push_back(value_number("sum_sul_peak_baseline", sum_before, kSulUnit, precision,
                                   std::to_string(sum_base.size()) + " lesion(s); " + sum_note));
  a.numbers.push_back(value_number("sum_sul_peak_follow_up", sum_after, kSulUnit, precision,
                                   std::to_string(sum_follow.size()) + " lesion(s); " + sum_note));
  a.numbers.push_back(percent_number("sum_sul_peak_percent_change",
                                     percent_change(sum_before, sum_after), precision, sum_note));

  // TLG of the 5 most active lesions (no organ limit).
  const std::vector<const ResponseLesion*> tlg_base =
      select_hottest(measurable, sul_peak_of, po.tlg_lesion_count, 0);
  const std::vector<const ResponseLesion*> tlg_follow =
      select_hottest(follow_all, sul_peak_of, po.tlg_lesion_count, 0);
  auto all_have = [&](std::optional<double> ResponseLesion::*member) {
    for (const auto* set : {&tlg_base, &tlg_follow}) {
      for (const ResponseLesion* lesion : *set) {
        if (!(lesion->*member)) return false;
      }
    }
    return true;
  };
  std::optional<double> ResponseLesion::*tlg_member = nullptr;
  std::string tlg_scale;
  if (all_have(&ResponseLesion::tlg_sul_g)) {
    tlg_member = &ResponseLesion::tlg_sul_g;
    tlg_scale = "SUL";
  } else if (all_have(&ResponseLesion::tlg_g)) {
    tlg_member = &ResponseLesion::tlg_g;
    tlg_scale = "SUVbw";
    a.warnings.emplace_back(
        "TLG rule on the SUVbw scale: not every selected lesion has TLG on the SUL scale");
  } else {
    a.warnings.emplace_back("TLG rule not evaluated: a selected lesion has no TLG");
  }
  std::optional<double> tlg_change_percent;
  if (tlg_member) {
    double tlg_before = 0.0;
    double tlg_after = 0.0;
    for (const ResponseLesion* lesion : tlg_base) {
      tlg_before += *(lesion->*tlg_member);
      add_role(a.lesions, lesion->id, "tlg_baseline");
    }
    for (const ResponseLesion* lesion : tlg_follow) {
      tlg_after += *(lesion->*tlg_member);
      add_role(a.lesions, lesion->id, "tlg_follow_up");
    }
    tlg_change_percent = percent_change(tlg_before, tlg_after);
    const std::string unit = "g (" + tlg_scale + " x mL)";
    a.numbers.push_back(value_number("tlg_baseline", tlg_before, unit, precision,
                                     std::to_string(tlg_base.size()) + " most active lesion(s)"));
    a.numbers.push_back(value_number("tlg_follow_up", tlg_after, unit, precision,
                                     std::to_string(tlg_follow.size()) + " most active lesion(s)"));
    a.numbers.push_back(percent_number("tlg_percent_change", tlg_change_percent, precision));
  }

  const auto& pct = precision;
  const std::string change_words =
      change_percent
          ? "target SULpeak " + value_text(base_value, pct) + " (lesion " + base_target->id +
                ") -> " + value_text(*follow_target->sul_peak, pct) + " (lesion " +
                follow_target->id + "): " + percent_text(*change_percent, pct) + ", " +
                value_text(*change, pct) + " SUL units"
          : std::string();

  // (c) new lesions.
  if (!new_ids.empty()) {
    set_category(a, "PMD", "progressive metabolic disease",
                 "PMD (c): new FDG-avid lesion(s) at follow-up: " + join(new_ids));
    return a;
  }
  // (a) target increase.
  if (change_percent &&
      increase_reaches(*change_percent, po.relative_threshold_percent, po.pmd_operator, pct) &&
      at_or_above(*change, po.absolute_threshold_sul, po.pmd_operator, pct.value_decimals)) {
    set_category(a, "PMD", "progressive metabolic disease",
                 "PMD (a): " + change_words + " (increase " +
                     comparison_operator_name(po.pmd_operator) + " " +
                     fixed(po.relative_threshold_percent, pct.percent_decimals) + " % and " +
                     comparison_operator_name(po.pmd_operator) + " " +
                     value_text(po.absolute_threshold_sul, pct) + " SUL units)");
    return a;
  }
  // (b) TLG with no decline in SUL.
  const bool no_decline = change && compare_at_decimals(*change, 0.0, pct.value_decimals) >= 0;
  if (tlg_change_percent && no_decline &&
      increase_reaches(*tlg_change_percent, po.tlg_increase_percent, ComparisonOperator::kMoreThan,
                       pct)) {
    set_category(a, "PMD", "progressive metabolic disease",
                 "PMD (b): TLG of the most active lesions " +
                     percent_text(*tlg_change_percent, pct) + " (> " +
                     fixed(po.tlg_increase_percent, pct.percent_decimals) +
                     " %) with no decline in SUL (" + change_words + ")");
    return a;
  }
  // (d) non-target progression (reader).
  if (follow_up.nontarget_unequivocal_progression) {
    set_category(a, "PMD", "progressive metabolic disease",
                 "PMD (d): unequivocal progression of non-target lesions (reader's finding)");
    return a;
  }

  // CMR.
  std::vector<std::string> disappeared;
  for (const ResponseLesion& lesion : baseline.lesions) {
    if (!find_lesion(follow_up, lesion.id)) disappeared.push_back(lesion.id);
  }
  std::string cmr_blocker;
  if (!follow_up.liver_sul) {
    cmr_blocker = "no liver SUL reference at follow-up";
  } else if (!follow_without_peak.empty()) {
    cmr_blocker = "follow-up lesion(s) without SULpeak: " + join(follow_without_peak);
  } else if (!disappeared.empty() && !options.disappeared_lesions_resolved) {
    cmr_blocker = "baseline lesion(s) absent at follow-up (" + join(disappeared) +
                  ") and disappeared_lesions_resolved is off";
  }
  if (cmr_blocker.empty()) {
    const double liver_mean = follow_up.liver_sul->mean;
    std::optional<double> blood_level;
    if (follow_up.blood_pool_sul) {
      blood_level = follow_up.blood_pool_sul->mean + 2.0 * follow_up.blood_pool_sul->sd;
      a.numbers.push_back(value_number("cmr_blood_pool_level", *blood_level, kSulUnit, precision,
                                       "follow-up blood-pool SULmean + 2 x SD"));
    } else {
      a.warnings.emplace_back(
          "no blood-pool SUL reference at follow-up: CMR assessed against the liver SULmean "
          "only");
    }
    a.numbers.push_back(value_number("cmr_liver_level", liver_mean, kSulUnit, precision,
                                     "follow-up liver SULmean"));
    const bool below_liver =
        !follow_target ||
        compare_at_decimals(*follow_target->sul_peak, liver_mean, pct.value_decimals) <= 0;
    const bool at_blood_pool =
        !follow_target || !blood_level ||
        compare_at_decimals(*follow_target->sul_peak, *blood_level, pct.value_decimals) <= 0;
    if (below_liver && at_blood_pool) {
      std::string words =
          follow_target
              ? "follow-up hottest lesion SULpeak " + value_text(*follow_target->sul_peak, pct) +
                    " <= liver SULmean " + value_text(liver_mean, pct) +
                    (blood_level ? " and <= blood-pool level " + value_text(*blood_level, pct)
                                 : std::string())
              : std::string("no lesion with uptake at follow-up");
      if (!disappeared.empty()) words += "; resolved (absent at follow-up): " + join(disappeared);
      set_category(a, "CMR", "complete metabolic response", "CMR: " + words + "; no new lesion");
      return a;
    }
  } else {
    a.warnings.emplace_back("CMR could not be assessed: " + cmr_blocker);
  }

  if (!change_percent) {
    set_category(a, "not_evaluable", "PERCIST not evaluable",
                 "no follow-up target SULpeak and CMR could not be established (" +
                     (cmr_blocker.empty() ? std::string("see warnings") : cmr_blocker) + ")");
    return a;
  }
  // PMR.
  const int absolute_order =
      compare_at_decimals(*change, -po.absolute_threshold_sul, pct.value_decimals);
  const bool absolute_pmr =
      po.pmr_operator == ComparisonOperator::kAtLeast ? absolute_order <= 0 : absolute_order < 0;
  if (decrease_reaches(*change_percent, po.relative_threshold_percent, po.pmr_operator, pct) &&
      absolute_pmr) {
    std::vector<std::string> rising;
    for (const LesionResponse& row : a.lesions) {
      if (row.status == "tracked" && row.percent_change &&
          increase_reaches(*row.percent_change, po.relative_threshold_percent,
                           ComparisonOperator::kMoreThan, pct)) {
        rising.push_back(row.id + " (" + percent_text(*row.percent_change, pct) + ")");
      }
    }
    if (rising.empty()) {
      set_category(a, "PMR", "partial metabolic response",
                   "PMR: " + change_words + " (decrease " +
                       comparison_operator_name(po.pmr_operator) + " " +
                       fixed(po.relative_threshold_percent, pct.percent_decimals) + " % and " +
                       comparison_operator_name(po.pmr_operator) + " " +
                       value_text(po.absolute_threshold_sul, pct) +
                       " SUL units); no new lesion; no other lesion with SULpeak increase > " +
                       fixed(po.relative_threshold_percent, pct.percent_decimals) + " %");
      return a;
    }
    set_category(a, "SMD", "stable metabolic disease",
                 "SMD: the target meets the PMR decrease (" + change_words +
                     ") but other lesion(s) increased > " +
                     fixed(po.relative_threshold_percent, pct.percent_decimals) +
                     " % in SULpeak: " + join(rising));
    return a;
  }
  set_category(a, "SMD", "stable metabolic disease",
               "SMD: neither PMD, CMR nor PMR (" + change_words + ")");
  return a;
}

}  // namespace oncotrace
