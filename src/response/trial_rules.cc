// Study-specific response rules: TBCRC026 (clinical-context.md §6.3), PHERGain (§6.4) and the
// FLT split point of Crippa 2015 (§6.6). Each is reported as "criterion of study X" with its
// population and published performance, never as a general rule (§1.5).
#include "oncotrace/error.h"
#include "response/response_internal.h"

namespace oncotrace {
namespace {

using namespace response_internal;  // NOLINT(google-build-using-namespace): module helpers

ResponseAssessment& decide(ResponseAssessment& a, const std::string& category,
                           const std::string& text, const std::string& decided_by) {
  a.category = category;
  a.category_text = text;
  a.decided_by = decided_by;
  return a;
}

// The primary breast tumour at baseline: options.primary_tumour_id, else the hottest breast
// lesion by `value`. nullptr with `why_not` set when there is none.
const ResponseLesion* primary_tumour(const ResponseTimepoint& baseline,
                                     const ResponseOptions& options, const LesionValue& value,
                                     const std::string& quantity, ResponseAssessment& a,
                                     std::string& why_not) {
  if (!options.primary_tumour_id.empty()) {
    const ResponseLesion* lesion = find_lesion(baseline, options.primary_tumour_id);
    if (!lesion) {
      why_not = "primary_tumour_id '" + options.primary_tumour_id + "' is not a baseline lesion";
      return nullptr;
    }
    if (!value(*lesion)) {
      why_not = "the primary tumour " + lesion->id + " has no baseline " + quantity;
      return nullptr;
    }
    return lesion;
  }
  std::vector<const ResponseLesion*> breast;
  for (const ResponseLesion& lesion : baseline.lesions) {
    if (is_breast_organ(lesion.organ)) breast.push_back(&lesion);
  }
  const std::vector<const ResponseLesion*> hottest = select_hottest(breast, value, 1, 0);
  if (hottest.empty()) {
    why_not = "no breast lesion with " + quantity +
              " at baseline (organ 'breast') and no primary_tumour_id given";
    return nullptr;
  }
  a.warnings.emplace_back("primary tumour taken as the hottest breast lesion at baseline by " +
                          quantity + ": " + hottest.front()->id +
                          " (give primary_tumour_id to choose another)");
  return hottest.front();
}

void warn_new_lesions(const ResponseTimepoint& follow_up, const std::string& title,
                      ResponseAssessment& a) {
  const std::vector<std::string> ids = new_lesion_ids(follow_up);
  if (!ids.empty()) {
    a.warnings.emplace_back("new lesion(s) at follow-up (" + join(ids) + ") are not part of the " +
                            title + " rule; see PERCIST or EORTC");
  }
}

// A timing check: the follow-up's completed cycles against the study's schedule.
void check_cycles(const ResponseTimepoint& follow_up, int expected, const std::string& schedule,
                  ResponseAssessment& a) {
  ResponseCheck check;
  check.name = "timing";
  if (follow_up.cycles_completed) {
    check.passed = *follow_up.cycles_completed == expected;
    check.detail = std::to_string(*follow_up.cycles_completed) +
                   " cycle(s) completed; the study scanned " + schedule;
    if (!*check.passed) a.warnings.emplace_back("timing differs from the study: " + check.detail);
  } else {
    check.detail = "cycles completed not given; the study scanned " + schedule;
    a.warnings.emplace_back(check.detail);
  }
  a.checks.push_back(check);
}

}  // namespace

ResponseAssessment assess_tbcrc026(const ResponseTimepoint& baseline,
                                   const ResponseTimepoint& follow_up,
                                   const ResponseOptions& options) {
  validate_response_options(options);
  validate_response_timepoint(baseline, true);
  validate_response_timepoint(follow_up, false);
  const Tbcrc026Options& to = options.tbcrc026;
  const ComparisonPrecision& precision = options.precision;
  const LesionValue sul_max = [](const ResponseLesion& lesion) { return lesion.sul_max; };
  ResponseAssessment a = start_assessment(
      ResponseCriterion::kTbcrc026, "TBCRC026",
      "criterion of study TBCRC026 (stage II/III ER-negative HER2-positive breast cancer, "
      "neoadjuvant pertuzumab + trastuzumab without chemotherapy; 88 enrolled, 83 evaluable)",
      baseline, follow_up, "fdg");
  a.citations = {"Connolly RM, et al. J Clin Oncol. 2019;37:714-722 (original report).",
                 "Connolly RM, et al. J Clin Oncol. 2021;39:2247-2256 (updated report).",
                 "Hennessy MA, et al. J Nucl Med. 2023;64:1690-1696 (survival).",
                 "Jacene H, Dietsche E, Specht J. J Nucl Med. 2024;65:349-356."};
  a.rule =
      "TBCRC026 on SULmax of the primary tumour (the trial quantity is SULmax; [Jacene "
      "2024] writes SUVmax), FDG PET at baseline and cycle 1 day 15 (C1D15). Rule 1: "
      "percent change of SULmax; a reduction >= " +
      fixed(to.reduction_percent, precision.percent_decimals) + " % versus < " +
      fixed(to.reduction_percent, precision.percent_decimals) +
      " % (patients with < 40 % were unlikely to achieve pCR). Rule 2 (exploratory): C1D15 "
      "SULmax <= " +
      value_text(to.c1d15_sul_max, precision) + ".";
  a.context.emplace_back(
      "Criterion of one study population (ER-negative, HER2-positive, pertuzumab + trastuzumab "
      "alone); not a general diagnostic rule.");
  a.context.emplace_back(
      "Updated report (Connolly 2021): pCR 22 %; AUC 0.72 (80 % CI 0.64-0.80); median SULmax "
      "reduction 63.8 % (pCR) vs 41.8 % (no pCR); reduction >= 40 % in 83 % vs 52 % "
      "(sensitivity 83 %, specificity 48 %); NPV 91 % [Jacene 2024]; PPV about one third "
      "(exact value unverified).");
  a.context.emplace_back(
      "Original report (Connolly 2019): median reduction 63.8 % vs 33.5 %; reduction >= 40 %: "
      "sensitivity 86 %, specificity 55 %, NPV 88 %.");
  a.context.emplace_back(
      "Rule 2 (exploratory, original report): C1D15 SULmax <= 3 in 93 % of pCR vs 38 % of "
      "non-pCR patients, NPV 94 %, PPV 55 %; associated with recurrence-free and overall "
      "survival at 53.7 months median follow-up (Hennessy 2023).");
  a.context.emplace_back(
      "The DIRECT trial (NCT05710328) aims to validate the rule across standard regimens "
      "[Jacene 2024].");
  a.unverified.emplace_back(
      "PPV of the >= 40 % rule in the updated TBCRC026 report (about one "
      "third; exact value unverified)");
  a.lesions = lesion_rows(baseline, follow_up, "SULmax", sul_max, precision);
  warn_new_lesions(follow_up, "TBCRC026", a);

  ResponseCheck timing;
  timing.name = "timing";
  if (follow_up.cycle && follow_up.cycle_day) {
    timing.passed = *follow_up.cycle == 1 && *follow_up.cycle_day == 15;
    timing.detail = "scan at C" + std::to_string(*follow_up.cycle) + "D" +
                    std::to_string(*follow_up.cycle_day) + "; TBCRC026 scanned at C1D15";
    if (!*timing.passed) a.warnings.emplace_back("timing differs from the study: " + timing.detail);
  } else {
    timing.detail = "cycle and day of the follow-up not given; TBCRC026 scanned at C1D15";
    a.warnings.emplace_back(timing.detail);
  }
  a.checks.push_back(timing);

  std::string why_not;
  const ResponseLesion* primary = primary_tumour(baseline, options, sul_max, "SULmax", a, why_not);
  if (!primary) return decide(a, "not_evaluable", "TBCRC026 not evaluable", why_not);
  if (LesionResponse* row = find_row(a.lesions, primary->id))
    row->roles.emplace_back("primary_tumour");
  const ResponseLesion* after = find_lesion(follow_up, primary->id);
  if (!after || !after->sul_max) {
    return decide(a, "not_evaluable", "TBCRC026 not evaluable",
                  "the primary tumour " + primary->id + (after ? " has no SULmax" : " is absent") +
                      " at follow-up; give its C1D15 SULmax (measured at the baseline location)");
  }
  const double before_value = *primary->sul_max;
  const double after_value = *after->sul_max;
  const std::optional<double> change = percent_change(before_value, after_value);
  a.numbers.push_back(value_number("baseline_sul_max", before_value, kSulUnit, precision,
                                   "primary tumour " + primary->id));
  a.numbers.push_back(value_number("c1d15_sul_max", after_value, kSulUnit, precision));
  a.numbers.push_back(
      value_number("sul_max_change", after_value - before_value, kSulUnit, precision));
  a.numbers.push_back(percent_number("tbcrc026_delta_sulmax_pct", change, precision));

  ResponseCheck rule2;
  rule2.name = "tbcrc026_c1d15_sulmax_le_3";
  rule2.passed = compare_at_decimals(after_value, to.c1d15_sul_max, precision.value_decimals) <= 0;
  rule2.detail = "C1D15 SULmax " + value_text(after_value, precision) +
                 (*rule2.passed ? " <= " : " > ") + value_text(to.c1d15_sul_max, precision) +
                 " (exploratory rule 2; NPV 94 %, PPV 55 % in the original report)";
  a.checks.push_back(rule2);
  if (!change) {
    return decide(a, "not_evaluable", "TBCRC026 not evaluable", "baseline SULmax is 0");
  }
  const bool reduction =
      decrease_reaches(*change, to.reduction_percent, ComparisonOperator::kAtLeast, precision);
  ResponseCheck rule1;
  rule1.name = "tbcrc026_reduction_ge_40";
  rule1.passed = reduction;
  rule1.detail = "SULmax " + value_text(before_value, precision) + " -> " +
                 value_text(after_value, precision) + ": " + percent_text(*change, precision);
  a.checks.push_back(rule1);
  const std::string threshold = fixed(to.reduction_percent, precision.percent_decimals);
  if (reduction) {
    return decide(a, "reduction_ge_40",
                  "SULmax reduction >= " + threshold + " % at C1D15 (TBCRC026 rule 1)",
                  "rule 1: " + rule1.detail + " (reduction >= " + threshold + " %)");
  }
  return decide(a, "reduction_lt_40",
                "SULmax reduction < " + threshold +
                    " % at C1D15: in TBCRC026, patients with a reduction < 40 % were unlikely to "
                    "achieve pCR (NPV 91 %, updated report)",
                "rule 1: " + rule1.detail + " (reduction < " + threshold + " %)");
}

ResponseAssessment assess_phergain(const ResponseTimepoint& baseline,
                                   const ResponseTimepoint& follow_up,
                                   const ResponseOptions& options) {
  validate_response_options(options);
  validate_response_timepoint(baseline, true);
  validate_response_timepoint(follow_up, false);
  const PhergainOptions& po = options.phergain;
  const ComparisonPrecision& precision = options.precision;
  const LesionValue suv_max = [](const ResponseLesion& lesion) { return lesion.suv_max; };
  ResponseAssessment a = start_assessment(
      ResponseCriterion::kPhergain, "PHERGain",
      "criterion of study PHERGain (HER2-positive invasive operable early breast cancer, tumour "
      "> 1.5 cm on MRI; FDG-PET-adapted de-escalation, 285 patients in arm B)",
      baseline, follow_up, "fdg");
  a.citations = {"Perez-Garcia JM, et al. Lancet Oncol. 2021;22:858-871.",
                 "Gebhart G, et al. J Nucl Med. 2024;65:708-713.",
                 "Jacene H, Dietsche E, Specht J. J Nucl Med. 2024;65:349-356."};
  const std::string reduction = fixed(po.reduction_percent, precision.percent_decimals);
  a.rule =
      "PHERGain on SUVmax (body-weight SUV), FDG PET at baseline and after 2 cycles of "
      "trastuzumab + pertuzumab. FDG-evaluable (eligibility): at least one breast lesion "
      "with SUVmax >= " +
      fixed(po.liver_factor, 1) + " x liver SUVmean + " + fixed(po.liver_sd_factor, 1) +
      " x SD. Responder: SUVmax reduction >= " + reduction + " % (dSUVmax <= -" + reduction +
      " %) in ALL target lesions.";
  a.context = {
      "Criterion of one trial; not a general diagnostic rule.",
      "Arm B: 227 of 285 patients (80 %) were responders; pCR (ypT0/is ypN0) 37.9 % [Gebhart "
      "2024 abstract].",
      "Secondary analysis (Gebhart 2024): dSUVmax predicted pCR with AUC 72.1 %; the optimal "
      "cut-off reported there is unverified.",
      "An early protocol presentation showed a reduction >= 25 %; the published criterion is "
      "40 % (used here)."};
  a.unverified.emplace_back(
      "PHERGain target-lesion selection (number of lesions, breast versus nodes) is unverified; "
      "targets here: " +
      std::string(po.targets == PhergainTargets::kAboveEligibilityThreshold
                      ? "every baseline lesion with SUVmax at or above the eligibility threshold "
                        "(option phergain.targets)"
                  : po.targets == PhergainTargets::kAllBaselineLesions
                      ? "every baseline lesion with SUVmax (option phergain.targets)"
                      : "the lesions listed in phergain.target_ids"));
  a.lesions = lesion_rows(baseline, follow_up, "SUVmax", suv_max, precision);
  warn_new_lesions(follow_up, "PHERGain", a);
  check_cycles(follow_up, 2, "after 2 cycles", a);

  // Eligibility.
  std::optional<double> threshold;
  ResponseCheck eligible;
  eligible.name = "phergain_eligible";
  if (baseline.liver_suv) {
    threshold =
        po.liver_factor * baseline.liver_suv->mean + po.liver_sd_factor * baseline.liver_suv->sd;
    a.numbers.push_back(value_number("eligibility_threshold", *threshold, kSuvUnit, precision,
                                     fixed(po.liver_factor, 1) + " x liver SUVmean " +
                                         value_text(baseline.liver_suv->mean, precision) + " + " +
                                         fixed(po.liver_sd_factor, 1) + " x SD " +
                                         value_text(baseline.liver_suv->sd, precision)));
    std::vector<std::string> breast;
    std::vector<std::string> above;
    for (const ResponseLesion& lesion : baseline.lesions) {
      if (!is_breast_organ(lesion.organ) && lesion.id != options.primary_tumour_id) continue;
      if (!lesion.suv_max) continue;
      breast.push_back(lesion.id);
      if (at_or_above(*lesion.suv_max, *threshold, ComparisonOperator::kAtLeast,
                      precision.value_decimals)) {
        above.push_back(lesion.id + " (SUVmax " + value_text(*lesion.suv_max, precision) + ")");
      }
    }
    if (breast.empty()) {
      eligible.detail =
          "no breast lesion with SUVmax at baseline (organ 'breast' or "
          "primary_tumour_id); eligibility not checked";
    } else {
      eligible.passed = !above.empty();
      eligible.detail =
          above.empty() ? "no breast lesion with SUVmax >= " + value_text(*threshold, precision) +
                              " (" + join(breast) + ")"
                        : "breast lesion(s) with SUVmax >= " + value_text(*threshold, precision) +
                              ": " + join(above);
    }
  } else {
    eligible.detail = "no liver SUV (SUVbw) reference at baseline; eligibility not checked";
  }
  a.checks.push_back(eligible);
  if (!eligible.passed) a.warnings.emplace_back(eligible.detail);

  // Targets.
  std::vector<const ResponseLesion*> targets;
  std::string why_not;
  if (po.targets == PhergainTargets::kListed) {
    for (const std::string& id : po.target_ids) {
      const ResponseLesion* lesion = find_lesion(baseline, id);
      if (!lesion || !lesion->suv_max) {
        why_not = "listed target " + id +
                  (lesion ? " has no baseline SUVmax"
                          : " is not a "
                            "baseline lesion");
        break;
      }
      targets.push_back(lesion);
    }
  } else if (po.targets == PhergainTargets::kAllBaselineLesions) {
    for (const ResponseLesion& lesion : baseline.lesions) {
      if (lesion.suv_max) targets.push_back(&lesion);
    }
  } else if (threshold) {
    for (const ResponseLesion& lesion : baseline.lesions) {
      if (lesion.suv_max && at_or_above(*lesion.suv_max, *threshold, ComparisonOperator::kAtLeast,
                                        precision.value_decimals)) {
        targets.push_back(&lesion);
      }
    }
  } else {
    why_not =
        "targets are the lesions above the eligibility threshold, which needs the baseline "
        "liver SUV reference";
  }
  if (why_not.empty() && targets.empty()) why_not = "no target lesion at baseline";

  // Per-target change.
  std::vector<std::string> responding;
  std::vector<std::string> not_responding;
  std::vector<std::string> not_evaluable;
  for (const ResponseLesion* target : targets) {
    LesionResponse* row = find_row(a.lesions, target->id);
    row->roles.emplace_back("phergain_target");
    const ResponseLesion* after = find_lesion(follow_up, target->id);
    if (!after) {
      if (options.disappeared_lesions_resolved) {
        row->category = "responding_disappeared";
        responding.push_back(target->id + " (absent at follow-up, counted as resolved)");
      } else {
        row->category = "not_evaluable";
        not_evaluable.push_back(target->id + " (absent at follow-up)");
      }
      continue;
    }
    if (!after->suv_max || !row->percent_change) {
      row->category = "not_evaluable";
      not_evaluable.push_back(target->id + " (no follow-up SUVmax)");
      continue;
    }
    const bool ok = decrease_reaches(*row->percent_change, po.reduction_percent,
                                     ComparisonOperator::kAtLeast, precision);
    row->category = ok ? "responding" : "not_responding";
    (ok ? responding : not_responding)
        .push_back(target->id + " (" + percent_text(*row->percent_change, precision) + ")");
  }
  a.numbers.push_back(number("target_count", static_cast<double>(targets.size()), "1"));

  if (eligible.passed && !*eligible.passed) {
    return decide(a, "not_eligible", "not FDG-evaluable by the PHERGain eligibility rule",
                  eligible.detail);
  }
  if (!why_not.empty()) return decide(a, "not_evaluable", "PHERGain not evaluable", why_not);
  if (!not_evaluable.empty()) {
    return decide(a, "not_evaluable", "PHERGain not evaluable",
                  "target lesion(s) without a follow-up SUVmax: " + join(not_evaluable));
  }
  if (not_responding.empty()) {
    return decide(a, "responder", "PHERGain responder",
                  "SUVmax reduction >= " + reduction + " % in all " +
                      std::to_string(targets.size()) + " target lesion(s): " + join(responding));
  }
  return decide(
      a, "non_responder", "PHERGain non-responder",
      "SUVmax reduction < " + reduction + " % in target lesion(s): " + join(not_responding));
}

ResponseAssessment assess_flt(const ResponseTimepoint& baseline, const ResponseTimepoint& follow_up,
                              const ResponseOptions& options) {
  validate_response_options(options);
  validate_response_timepoint(baseline, true);
  validate_response_timepoint(follow_up, false);
  const FltOptions& fo = options.flt;
  const ComparisonPrecision& precision = options.precision;
  const LesionValue suv_max = [](const ResponseLesion& lesion) { return lesion.suv_max; };
  ResponseAssessment a = start_assessment(
      ResponseCriterion::kFlt, "FLT (Crippa 2015)",
      "criterion of study Crippa 2015 (locally advanced operable breast cancer, neoadjuvant "
      "chemotherapy; n = 15)",
      baseline, follow_up, "flt");
  a.citations = {"Crippa F, et al. Eur J Nucl Med Mol Imaging. 2015;42:818-830.",
                 "Kostakoglu L, et al. J Nucl Med. 2015;56:1681-1689 (ACRIN 6688, context)."};
  const std::string cut = percent_text(fo.cut_point_percent, precision);
  const std::string decrease = fixed(-fo.cut_point_percent, precision.percent_decimals);
  a.rule =
      "FLT PET: relative change of primary tumour SUVmax after cycle 1 (dSUVTmax(t1)), "
      "reported continuously; Crippa 2015 split point " +
      cut + ": a decrease " +
      (fo.cut_operator == ComparisonOperator::kAtLeast ? "of at least " : "of more than ") +
      decrease + " % is flagged \"FLT response per Crippa 2015\".";
  a.unverified.emplace_back(
      "the branch logic of the Crippa 2015 predictive score (direction of the split at -52.9 % "
      "and the nodal second split) is unverified; the cut point is applied as a decrease " +
      std::string(comparison_operator_name(fo.cut_operator)) + " " + decrease +
      " % (options flt.cut_point_percent, flt.cut_operator)");
  a.context = {
      "Criterion of one study (n = 15); not a general diagnostic rule.",
      "Crippa 2015: dSUVTmax after cycle 1 predicted pCR + RCB-I with AUC 0.91 (P < 0.001); "
      "patients with a smaller decrease were further split by the nodal change (AUC 0.77); "
      "baseline SUVmax correlated with Ki-67 (r = 0.69).",
      "ACRIN 6688 (Kostakoglu 2015): the change in FLT uptake predicted pCR after one cycle and "
      "at completion, with the higher AUC at the later time point (0.83 vs 0.68) [Jacene 2024]; "
      "no cut point is taken from it."};
  a.lesions = lesion_rows(baseline, follow_up, "SUVmax", suv_max, precision);
  warn_new_lesions(follow_up, "FLT", a);
  check_cycles(follow_up, 1, "after cycle 1", a);

  for (const LesionResponse& row : a.lesions) {
    if (is_node_organ(row.organ) && row.percent_change) {
      a.numbers.push_back(percent_number(
          "node_" + row.id + "_suv_max_percent_change", row.percent_change, precision,
          "reported continuously; the nodal split of Crippa 2015 is not applied (unverified)"));
    }
  }
  std::string why_not;
  const ResponseLesion* primary = primary_tumour(baseline, options, suv_max, "SUVmax", a, why_not);
  if (!primary) return decide(a, "not_evaluable", "FLT rule not evaluable", why_not);
  if (LesionResponse* row = find_row(a.lesions, primary->id))
    row->roles.emplace_back("primary_tumour");
  const ResponseLesion* after = find_lesion(follow_up, primary->id);
  if (!after || !after->suv_max) {
    return decide(a, "not_evaluable", "FLT rule not evaluable",
                  "the primary tumour " + primary->id + (after ? " has no SUVmax" : " is absent") +
                      " at follow-up; give its SUVmax measured at the baseline location");
  }
  const std::optional<double> change = percent_change(*primary->suv_max, *after->suv_max);
  a.numbers.push_back(value_number("baseline_suv_max", *primary->suv_max, kSuvUnit, precision,
                                   "primary tumour " + primary->id));
  a.numbers.push_back(value_number("follow_up_suv_max", *after->suv_max, kSuvUnit, precision));
  a.numbers.push_back(percent_number("delta_suv_max_percent", change, precision));
  if (!change) return decide(a, "not_evaluable", "FLT rule not evaluable", "baseline SUVmax is 0");
  const std::string words =
      "primary tumour " + primary->id + " SUVmax " + value_text(*primary->suv_max, precision) +
      " -> " + value_text(*after->suv_max, precision) + ": " + percent_text(*change, precision);
  if (decrease_reaches(*change, -fo.cut_point_percent, fo.cut_operator, precision)) {
    return decide(
        a, "flt_response", "FLT response per Crippa 2015",
        words + " (decrease " + comparison_operator_name(fo.cut_operator) + " " + decrease + " %)");
  }
  return decide(a, "no_flt_response", "no FLT response per Crippa 2015",
                words + " (not a decrease " + comparison_operator_name(fo.cut_operator) + " " +
                    decrease + " %)");
}

}  // namespace oncotrace
