// EORTC 1999 (Young et al., Eur J Cancer 1999;35:1773-1782), as specified in
// clinical-context.md §6.2.
#include "response/response_internal.h"

namespace oncotrace {
namespace {

using namespace response_internal;  // NOLINT(google-build-using-namespace): module helpers

struct Category {
  std::string name;  // "PMD", "SMD", "PMR", "indeterminate", "not_evaluable"
  std::string words;
};

// The category of one relative change of SUV in a tumour region defined at baseline.
Category categorise(double change_percent, std::optional<int> cycles, const EortcOptions& eo,
                    const ComparisonPrecision& precision) {
  const std::string change = percent_text(change_percent, precision);
  const int versus_pmd =
      compare_at_decimals(change_percent, eo.pmd_increase_percent, precision.percent_decimals);
  const std::string pmd_text = fixed(eo.pmd_increase_percent, precision.percent_decimals);
  const std::string smd_text = fixed(eo.smd_decrease_percent, precision.percent_decimals);
  if (versus_pmd > 0) return {"PMD", change + " (increase > " + pmd_text + " %)"};
  if (versus_pmd == 0) {
    return {"indeterminate", change + ": exactly at +" + pmd_text +
                                 " %, which the 1999 wording assigns to neither SMD (increase < " +
                                 pmd_text + " %) nor PMD (increase > " + pmd_text + " %)"};
  }
  if (cycles) {
    const bool one_cycle = *cycles <= 1;
    const double threshold = one_cycle ? eo.pmr_one_cycle_percent : eo.pmr_more_cycles_percent;
    const ComparisonOperator op =
        one_cycle ? ComparisonOperator::kAtLeast : ComparisonOperator::kMoreThan;
    if (decrease_reaches(change_percent, threshold, op, precision)) {
      return {"PMR", change + " (reduction " + comparison_operator_name(op) + " " +
                         fixed(threshold, precision.percent_decimals) + " % after " +
                         (one_cycle ? "one cycle" : "more than one cycle") + ")"};
    }
  }
  if (compare_at_decimals(change_percent, -eo.smd_decrease_percent, precision.percent_decimals) >
      0) {
    return {"SMD", change + " (increase < " + pmd_text + " % or decrease < " + smd_text + " %)"};
  }
  if (!cycles) {
    return {"not_evaluable", change + ": a decrease of at least " + smd_text +
                                 " % whose category depends on the number of cycles, which is "
                                 "not given"};
  }
  return {
      "indeterminate",
      change + ": EORTC indeterminate (gap between SMD (decrease < " + smd_text +
          " %) and PMR (reduction " +
          (*cycles <= 1 ? ">= " + fixed(eo.pmr_one_cycle_percent, precision.percent_decimals)
                        : "> " + fixed(eo.pmr_more_cycles_percent, precision.percent_decimals)) +
          " % after " + (*cycles <= 1 ? "one cycle" : "more than one cycle") + "))"};
}

std::string category_text(const std::string& category) {
  if (category == "PMD") return "progressive metabolic disease";
  if (category == "SMD") return "stable metabolic disease";
  if (category == "PMR") return "partial metabolic response";
  if (category == "CMR") return "complete metabolic response";
  if (category == "indeterminate") return "EORTC indeterminate";
  return "EORTC not evaluable";
}

}  // namespace

ResponseAssessment assess_eortc(const ResponseTimepoint& baseline,
                                const ResponseTimepoint& follow_up,
                                const ResponseOptions& options) {
  validate_response_options(options);
  validate_response_timepoint(baseline, true);
  validate_response_timepoint(follow_up, false);
  const EortcOptions& eo = options.eortc;
  const ComparisonPrecision& precision = options.precision;
  const bool use_max = eo.quantity == EortcQuantity::kSuvMax;
  const std::string quantity = use_max ? "SUVmax" : "SUVmean";
  const LesionValue value = [use_max](const ResponseLesion& lesion) {
    return use_max ? lesion.suv_max : lesion.suv_mean;
  };
  ResponseAssessment a = start_assessment(ResponseCriterion::kEortc, "EORTC 1999",
                                          "guideline-level criteria", baseline, follow_up, "fdg");
  a.citations = {
      "Young H, Baum R, Cremerius U, et al. Measurement of clinical and subclinical tumour "
      "response using [18F]-fluorodeoxyglucose and positron emission tomography: review and 1999 "
      "EORTC recommendations. Eur J Cancer. 1999;35:1773-1782."};
  a.rule =
      "EORTC 1999 on " + quantity +
      " in each tumour region defined at baseline and followed as the same lesion. PMD: increase "
      "> 25 %, or longest dimension of a lesion increases > 20 %, or new FDG-avid lesion(s). SMD: "
      "increase < 25 % or decrease < 15 %. PMR: reduction of a minimum of " +
      fixed(eo.pmr_one_cycle_percent, precision.percent_decimals) +
      " % after one cycle (the source gives a range of 15-25 %), > 25 % after more than one "
      "cycle. CMR: complete resolution of uptake (every baseline lesion absent at follow-up). A "
      "decrease between the SMD and PMR limits, or an increase of exactly 25 %, is reported as "
      "indeterminate rather than forced into a category. Patient level: PMD if any lesion "
      "progresses; otherwise the category of the " +
      (eo.aggregation == EortcAggregation::kHottestBaselineLesion
           ? std::string("hottest baseline lesion followed as the same lesion")
           : "sum of " + quantity + " over up to " + std::to_string(eo.max_targets) +
                 " baseline lesions (at most " + std::to_string(eo.max_targets_per_organ) +
                 " per organ), followed as the same lesions") +
      ". Scans within the first cycle use the after-one-cycle threshold.";
  a.unverified.emplace_back(
      "Young 1999 recommended SUV normalised by body surface area (unverified); the values "
      "given (SUVbw from analyze) are used as they are");
  a.lesions = lesion_rows(baseline, follow_up, quantity, value, precision);
  for (LesionResponse& row : a.lesions) {
    const ResponseLesion* before = find_lesion(baseline, row.id);
    const ResponseLesion* after = find_lesion(follow_up, row.id);
    row.other_changes.push_back(quantity_change("longest_diameter", "mm",
                                                before ? before->longest_diameter_mm : std::nullopt,
                                                after ? after->longest_diameter_mm : std::nullopt));
  }

  const std::optional<int> cycles = follow_up.cycles_completed;
  a.numbers.push_back(number("cycles_completed",
                             cycles ? std::optional<double>(*cycles) : std::nullopt, "1",
                             cycles ? (*cycles <= 1 ? "after-one-cycle PMR threshold"
                                                    : "after-more-than-one-cycle PMR threshold")
                                    : "not given"));
  if (cycles && *cycles == 0) {
    a.warnings.emplace_back(
        "scan during the first cycle (0 cycles completed): the after-one-cycle "
        "PMR threshold is applied");
  }

  // Per-lesion categories.
  std::vector<const ResponseLesion*> measured;
  std::vector<std::string> without_value;
  std::vector<std::string> progressing;
  std::vector<std::string> extent;
  bool all_resolved = true;
  for (const ResponseLesion& lesion : baseline.lesions) {
    if (!value(lesion)) {
      without_value.push_back(lesion.id);
      continue;
    }
    measured.push_back(&lesion);
    LesionResponse* row = find_row(a.lesions, lesion.id);
    const ResponseLesion* after = find_lesion(follow_up, lesion.id);
    if (!after) {
      row->category = options.disappeared_lesions_resolved ? "CMR" : "not_evaluable";
      continue;
    }
    all_resolved = false;
    if (!value(*after)) {
      row->category = "not_evaluable";
      a.warnings.emplace_back("lesion " + lesion.id + " has no " + quantity + " at follow-up");
      continue;
    }
    if (!row->percent_change) {
      row->category = "not_evaluable";
      continue;
    }
    const Category category = categorise(*row->percent_change, cycles, eo, precision);
    row->category = category.name;
    if (category.name == "PMD") progressing.push_back(lesion.id + " " + category.words);
    if (lesion.longest_diameter_mm && after->longest_diameter_mm &&
        *lesion.longest_diameter_mm > 0) {
      const double change =
          *percent_change(*lesion.longest_diameter_mm, *after->longest_diameter_mm);
      if (increase_reaches(change, eo.extent_increase_percent, ComparisonOperator::kMoreThan,
                           precision)) {
        extent.push_back(lesion.id + " longest dimension " + percent_text(change, precision));
      }
    }
  }
  if (!without_value.empty()) {
    a.warnings.emplace_back("baseline lesion(s) without " + quantity +
                            " are not assessed: " + join(without_value));
  }
  if (measured.empty()) {
    a.category = "not_evaluable";
    a.category_text = category_text(a.category);
    a.decided_by = "no baseline lesion with " + quantity;
    return a;
  }
  std::vector<std::string> follow_only;
  for (const LesionResponse& row : a.lesions) {
    if (row.status == "follow_up_only") follow_only.push_back(row.id);
  }
  if (!follow_only.empty()) {
    a.warnings.emplace_back("follow-up lesion(s) neither at baseline nor marked new: " +
                            join(follow_only) + " (not used by EORTC; check the matching)");
  }

  // Patient-level quantity.
  const int count = eo.aggregation == EortcAggregation::kHottestBaselineLesion ? 1 : eo.max_targets;
  const int per_organ =
      eo.aggregation == EortcAggregation::kHottestBaselineLesion ? 0 : eo.max_targets_per_organ;
  const std::vector<const ResponseLesion*> targets =
      select_hottest(measured, value, count, per_organ);
  double before_total = 0.0;
  double after_total = 0.0;
  std::string not_computable;
  for (const ResponseLesion* target : targets) {
    find_row(a.lesions, target->id)->roles.emplace_back("eortc_target");
    before_total += *value(*target);
    const ResponseLesion* after = find_lesion(follow_up, target->id);
    if (!after) {
      if (options.disappeared_lesions_resolved &&
          eo.aggregation == EortcAggregation::kSumOfTargets) {
        a.warnings.emplace_back("target lesion " + target->id +
                                " is absent at follow-up and contributes 0 to the follow-up sum "
                                "(resolved); give its follow-up measurement for an exact sum");
      } else {
        not_computable = "target lesion " + target->id + " is absent at follow-up";
      }
    } else if (!value(*after)) {
      not_computable = "target lesion " + target->id + " has no " + quantity + " at follow-up";
    } else {
      after_total += *value(*after);
    }
  }
  const std::string aggregate_name =
      eo.aggregation == EortcAggregation::kHottestBaselineLesion ? "target_" : "sum_";
  a.numbers.push_back(
      value_number(aggregate_name + "baseline", before_total, kSuvUnit, precision,
                   quantity + " of " + std::to_string(targets.size()) + " lesion(s)"));
  std::optional<double> aggregate_change;
  if (not_computable.empty()) {
    aggregate_change = percent_change(before_total, after_total);
    a.numbers.push_back(
        value_number(aggregate_name + "follow_up", after_total, kSuvUnit, precision));
  } else {
    a.numbers.push_back(
        number(aggregate_name + "follow_up", std::nullopt, kSuvUnit, not_computable));
  }
  a.numbers.push_back(
      percent_number(aggregate_name + "percent_change", aggregate_change, precision));

  const std::vector<std::string> new_ids = new_lesion_ids(follow_up);
  auto decide = [&a](const std::string& category, const std::string& decided_by) {
    a.category = category;
    a.category_text = category_text(category);
    a.decided_by = decided_by;
    return a;
  };
  if (!new_ids.empty()) return decide("PMD", "PMD: new FDG-avid lesion(s): " + join(new_ids));
  if (!progressing.empty()) {
    return decide("PMD", "PMD: SUV increase in lesion(s) " + join(progressing, "; "));
  }
  if (!extent.empty()) {
    return decide("PMD", "PMD: visible increase in extent (> " +
                             fixed(eo.extent_increase_percent, precision.percent_decimals) +
                             " % in the longest dimension): " + join(extent, "; "));
  }
  if (all_resolved && options.disappeared_lesions_resolved) {
    return decide("CMR",
                  "CMR: every baseline lesion is absent at follow-up (complete resolution "
                  "of uptake)");
  }
  if (!aggregate_change) {
    return decide("not_evaluable", "the patient-level " + quantity + " cannot be computed: " +
                                       (not_computable.empty() ? std::string("zero baseline value")
                                                               : not_computable));
  }
  const Category category = categorise(*aggregate_change, cycles, eo, precision);
  return decide(
      category.name,
      category.name + ": " +
          (eo.aggregation == EortcAggregation::kHottestBaselineLesion
               ? "hottest baseline lesion " + targets.front()->id + " " + quantity
               : "sum of " + quantity + " over " + std::to_string(targets.size()) + " lesion(s)") +
          " " + category.words);
}

}  // namespace oncotrace
