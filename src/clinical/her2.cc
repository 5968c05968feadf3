// HER2 status by ASCO/CAP 2018 (affirmed 2023), as specified in clinical-context.md §3.1-§3.5.
//
// The IHC score is the pathologist's (never re-derived from percentages, §3.1); ratios and copy
// numbers are compared as reported, without re-rounding (§3.4 implementation choice).
#include <cmath>
#include <cstdio>
#include <string>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

constexpr const char* kAscoCap2018 =
    "ASCO/CAP 2018 (Wolff et al., J Clin Oncol 2018;36:2105-2122), affirmed 2023 (Wolff et al., "
    "J Clin Oncol 2023;41:3867-3872)";

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", x);
  return buffer;
}

void check_count_value(double value, const char* what) {
  if (!std::isfinite(value) || value < 0.0) {
    throw InvalidInputError(std::string("HER2 dual-probe ISH ") + what + " " + number(value) +
                            " is negative or not a number; give the value as reported");
  }
}

// Group of one count: from the numbers when both are given, else the reported group.
std::optional<int> group_of(const DualProbeIshCount& count, const char* which,
                            std::vector<std::string>& flags) {
  std::optional<int> computed;
  if (count.her2_cep17_ratio && count.mean_her2_copies_per_cell) {
    computed = dual_probe_ish_group(*count.her2_cep17_ratio, *count.mean_her2_copies_per_cell);
  }
  if (count.reported_group && (*count.reported_group < 1 || *count.reported_group > 5)) {
    throw InvalidInputError(std::string("HER2 dual-probe ISH ") + which + " group " +
                            std::to_string(*count.reported_group) +
                            " is not one of 1-5; give the group as reported or the ratio and "
                            "copy number");
  }
  if (computed && count.reported_group && *computed != *count.reported_group) {
    flags.push_back(
        std::string("dual-probe ISH ") + which + ": reported group " +
        std::to_string(*count.reported_group) + " differs from group " + std::to_string(*computed) +
        " computed from ratio " + number(*count.her2_cep17_ratio) + " and " +
        number(*count.mean_her2_copies_per_cell) + " copies/cell; the computed group is used");
  }
  if (count.cells_counted && *count.cells_counted < 20) {
    flags.push_back(std::string("dual-probe ISH ") + which + ": " +
                    std::to_string(*count.cells_counted) +
                    " cells counted; the groups are defined for >= 20 cells (ASCO/CAP 2018)");
  }
  return computed ? computed : count.reported_group;
}

std::string group_definition(int group) {
  switch (group) {
    case 1:
      return "group 1 (HER2/CEP17 ratio >= 2.0, >= 4.0 HER2 signals/cell)";
    case 2:
      return "group 2 (ratio >= 2.0, < 4.0 HER2 signals/cell)";
    case 3:
      return "group 3 (ratio < 2.0, >= 6.0 HER2 signals/cell)";
    case 4:
      return "group 4 (ratio < 2.0, >= 4.0 and < 6.0 HER2 signals/cell)";
    default:
      return "group 5 (ratio < 2.0, < 4.0 HER2 signals/cell)";
  }
}

// The comment that goes with a "negative with comment" result (paraphrased; the group 4 wording
// follows clinical-context.md §3.2, guideline figure 6).
std::string negative_comment(int group) {
  switch (group) {
    case 2:
      return "ISH group 2 reported HER2-negative with the ASCO/CAP comment: limited evidence on "
             "the benefit of HER2-targeted therapy for a ratio >= 2.0 with < 4.0 HER2 signals/cell "
             "(ASCO/CAP 2018 dual-probe work-up)";
    case 3:
      return "ISH group 3 with IHC 0/1+ reported HER2-negative with the ASCO/CAP comment for "
             "group 3 (ASCO/CAP 2018 dual-probe work-up)";
    default:
      return "ISH group 4 reported HER2-negative with the ASCO/CAP comment: it is uncertain "
             "whether patients with >= 4.0 and < 6.0 HER2 signals/cell and a ratio < 2.0 benefit "
             "from HER2-targeted therapy without IHC 3+ (ASCO/CAP 2018, figure 6)";
  }
}

void decide(Her2Assessment& a, Her2Status status, const std::string& decided_by,
            const std::string& rule) {
  a.status = status;
  a.decided_by = decided_by;
  a.rule = rule + " [" + kAscoCap2018 + "; clinical-context.md §3.4]";
}

// Dual-probe groups 2-4 need IHC on the same tissue and, for IHC 2+, a blinded recount.
void work_up_groups_2_to_4(Her2Assessment& a, const Her2Tests& tests, int g) {
  const std::string group = "dual-probe ISH " + group_definition(g);
  if (!tests.ihc) {
    decide(a, Her2Status::kIncomplete, group,
           group + " needs concurrent IHC on the same tissue; no IHC score given");
    a.review_flags.emplace_back("concurrent IHC required (ISH groups 2-4)");
    return;
  }
  if (!tests.ihc_concurrent_with_ish) {
    decide(a, Her2Status::kIncomplete, group,
           group +
               " needs IHC on sections of the same tissue reviewed with the ISH slide; the "
               "IHC given is not concurrent");
    a.review_flags.emplace_back("concurrent IHC required (ISH groups 2-4)");
    return;
  }
  const Her2IhcScore ihc = tests.ihc->score;
  const std::string with_ihc = group + " with concurrent IHC " + her2_ihc_score_name(ihc);
  if (ihc == Her2IhcScore::k0 || ihc == Her2IhcScore::k1Plus) {
    decide(a, Her2Status::kNegativeWithComment, with_ihc, with_ihc + " -> negative with comment");
    a.comments.push_back(negative_comment(g));
    return;
  }
  // IHC 2+ (3+ was decided before the ISH branch).
  if (!a.recount_group) {
    decide(a, Her2Status::kIncomplete, with_ihc,
           with_ihc + " needs a blinded second observer's recount of >= 20 cells");
    a.review_flags.emplace_back("blinded ISH recount required (groups 2-4 with IHC 2+)");
    return;
  }
  const int r = *a.recount_group;
  const std::string with_recount = with_ihc + ", recount group " + std::to_string(r);
  if (r != g) {
    decide(a, Her2Status::kAdjudicate, with_recount,
           with_recount +
               " differs from the first count -> adjudicate by the laboratory's "
               "internal procedure");
    a.comments.push_back("first count group " + std::to_string(g) + " and recount group " +
                         std::to_string(r) + " are both reported");
    return;
  }
  if (g == 3) {
    decide(a, Her2Status::kPositive, with_recount,
           with_recount + " (still >= 6.0 signals/cell, ratio < 2.0) -> positive");
    return;
  }
  decide(a, Her2Status::kNegativeWithComment, with_recount,
         with_recount + " confirms the group -> negative with comment");
  a.comments.push_back(negative_comment(g));
}

void flag_discordance(Her2Assessment& a, const Her2Tests& tests) {
  if (!tests.ihc) return;
  const Her2IhcScore ihc = tests.ihc->score;
  const bool ihc_low = ihc == Her2IhcScore::k0 || ihc == Her2IhcScore::k1Plus;
  const std::string review = "histopathological concordance review (ASCO/CAP)";
  if (ihc == Her2IhcScore::k3Plus && a.ish_group == 5) {
    a.review_flags.push_back("IHC 3+ with dual-probe ISH group 5 is discordant: " + review);
  }
  if (ihc_low && a.ish_group == 1) {
    a.review_flags.push_back(std::string("IHC ") + her2_ihc_score_name(ihc) +
                             " with dual-probe ISH group 1 is discordant: " + review);
  }
  if (ihc == Her2IhcScore::k3Plus && a.single_probe_result == SingleProbeIshResult::kNegative) {
    a.review_flags.push_back("IHC 3+ with negative single-probe ISH is discordant: " + review);
  }
  if (ihc_low && !tests.dual_probe_ish &&
      a.single_probe_result == SingleProbeIshResult::kPositive) {
    a.review_flags.push_back(std::string("IHC ") + her2_ihc_score_name(ihc) +
                             " with positive single-probe ISH is discordant: " + review);
  }
}

void decide_status(Her2Assessment& a, const Her2Tests& tests) {
  const std::optional<Her2IhcScore> ihc =
      tests.ihc ? std::optional<Her2IhcScore>(tests.ihc->score) : std::nullopt;
  if (ihc == Her2IhcScore::k3Plus) {
    decide(a, Her2Status::kPositive, "IHC 3+",
           "IHC 3+ (complete, intense circumferential membrane staining in > 10 % of tumour "
           "cells) -> positive");
    return;
  }
  if (tests.dual_probe_ish && a.ish_group) {
    const int g = *a.ish_group;
    if (g == 1) {
      decide(a, Her2Status::kPositive, "dual-probe ISH group 1",
             "dual-probe ISH " + group_definition(1) + " -> positive");
    } else if (g == 5) {
      decide(a, Her2Status::kNegative, "dual-probe ISH group 5",
             "dual-probe ISH " + group_definition(5) + " -> negative");
    } else {
      work_up_groups_2_to_4(a, tests, g);
    }
    return;
  }
  if (tests.single_probe_ish) {
    const double copies = tests.single_probe_ish->mean_her2_copies_per_cell;
    const std::string sp = "single-probe ISH " + number(copies) + " HER2 signals/cell";
    a.comments.emplace_back(
        "the 2018 update asks for concomitant IHC review of single-probe ISH results (secondary "
        "summary; exact single-probe wording unverified)");
    switch (*a.single_probe_result) {
      case SingleProbeIshResult::kPositive:
        decide(a, Her2Status::kPositive, "single-probe ISH", sp + " (>= 6.0) -> positive");
        return;
      case SingleProbeIshResult::kNegative:
        decide(a, Her2Status::kNegative, "single-probe ISH", sp + " (< 4.0) -> negative");
        return;
      case SingleProbeIshResult::kEquivocal:
        decide(a, Her2Status::kEquivocalSingleProbeIsh, "single-probe ISH",
               sp + " (>= 4.0 and < 6.0) -> equivocal: resolved by concurrent IHC 3+ or by "
                    "dual-probe ISH (§3.3; wording unverified)");
        a.review_flags.emplace_back(
            "single-probe ISH equivocal: dual-probe ISH or IHC 3+ required");
        return;
    }
  }
  if (ihc == Her2IhcScore::k0 || ihc == Her2IhcScore::k1Plus) {
    decide(a, Her2Status::kNegative, std::string("IHC ") + her2_ihc_score_name(*ihc),
           std::string("IHC ") + her2_ihc_score_name(*ihc) + " without ISH -> negative");
    return;
  }
  if (ihc == Her2IhcScore::k2Plus) {
    decide(a, Her2Status::kEquivocalPendingIsh, "IHC 2+",
           "IHC 2+ (equivocal) without ISH -> reflex ISH on the same specimen or a new test on "
           "a new specimen is pending");
    a.review_flags.emplace_back("IHC 2+ without ISH: ISH result required");
    return;
  }
  decide(a, Her2Status::kNotTested, "none", "no IHC and no ISH result given");
}

// HER2-low / ultralow / zero for HER2-negative results (§3.4, last block).
void derive_expression(Her2Assessment& a, const Her2Tests& tests) {
  const bool negative =
      a.status == Her2Status::kNegative || a.status == Her2Status::kNegativeWithComment;
  if (a.status == Her2Status::kPositive) {
    a.expression = Her2ExpressionCategory::kPositive;
    a.expression_reason = "final status positive";
    return;
  }
  if (!negative) {
    a.expression = Her2ExpressionCategory::kUnknown;
    a.expression_reason = std::string("final status ") + her2_status_name(a.status) +
                          ": expression category not derivable";
    return;
  }
  if (!tests.ihc) {
    a.expression = Her2ExpressionCategory::kUnknown;
    a.expression_reason = "HER2-negative by ISH without an IHC score: low/ultralow/0 need IHC";
    return;
  }
  switch (tests.ihc->score) {
    case Her2IhcScore::k1Plus:
      a.expression = Her2ExpressionCategory::kLow;
      a.expression_reason = "IHC 1+ -> HER2-low (DESTINY-Breast04 definition)";
      return;
    case Her2IhcScore::k2Plus:
      a.expression = Her2ExpressionCategory::kLow;
      a.expression_reason = "IHC 2+ with negative ISH -> HER2-low (DESTINY-Breast04 definition)";
      return;
    case Her2IhcScore::k0:
      switch (tests.ihc->zero_staining) {
        case Her2ZeroMembraneStaining::kAbsent:
          a.expression = Her2ExpressionCategory::kZero;
          a.expression_reason = "IHC 0 without membrane staining -> HER2-0 (null)";
          return;
        case Her2ZeroMembraneStaining::kFaintUpTo10Percent:
          a.expression = Her2ExpressionCategory::kUltralow;
          a.expression_reason =
              "IHC 0 with faint, incomplete membrane staining in <= 10 % of tumour cells -> "
              "HER2-ultralow (DESTINY-Breast06 definition)";
          return;
        case Her2ZeroMembraneStaining::kNotReported:
          a.expression = Her2ExpressionCategory::kUnknown;
          a.expression_reason =
              "IHC 0, ultralow not assessable: membrane staining detail (absent or faint in "
              "<= 10 % of cells) not reported";
          return;
      }
      break;
    case Her2IhcScore::k3Plus:
      break;  // IHC 3+ is always positive
  }
  a.expression = Her2ExpressionCategory::kUnknown;
  a.expression_reason = "not derivable";
}

}  // namespace

int dual_probe_ish_group(double her2_cep17_ratio, double mean_her2_copies_per_cell) {
  check_count_value(her2_cep17_ratio, "HER2/CEP17 ratio");
  check_count_value(mean_her2_copies_per_cell, "mean HER2 copies per cell");
  if (her2_cep17_ratio >= 2.0) return mean_her2_copies_per_cell >= 4.0 ? 1 : 2;
  if (mean_her2_copies_per_cell >= 6.0) return 3;
  if (mean_her2_copies_per_cell >= 4.0) return 4;
  return 5;
}

SingleProbeIshResult single_probe_ish_result(double mean_her2_copies_per_cell) {
  if (!std::isfinite(mean_her2_copies_per_cell) || mean_her2_copies_per_cell < 0.0) {
    throw InvalidInputError("HER2 single-probe ISH copy number " +
                            number(mean_her2_copies_per_cell) +
                            " is negative or not a number; give the value as reported");
  }
  if (mean_her2_copies_per_cell >= 6.0) return SingleProbeIshResult::kPositive;
  if (mean_her2_copies_per_cell >= 4.0) return SingleProbeIshResult::kEquivocal;
  return SingleProbeIshResult::kNegative;
}

Her2Assessment assess_her2(const Her2Tests& tests) {
  Her2Assessment a;
  if (tests.dual_probe_ish) {
    a.ish_group = group_of(tests.dual_probe_ish->count, "count", a.review_flags);
    if (!a.ish_group) {
      throw InvalidInputError(
          "HER2 dual-probe ISH: give the HER2/CEP17 ratio and the mean HER2 copies per cell, or "
          "the reported group (1-5)");
    }
    if (tests.dual_probe_ish->recount) {
      a.recount_group = group_of(*tests.dual_probe_ish->recount, "recount", a.review_flags);
    }
  }
  if (tests.single_probe_ish) {
    a.single_probe_result =
        single_probe_ish_result(tests.single_probe_ish->mean_her2_copies_per_cell);
  }
  decide_status(a, tests);
  flag_discordance(a, tests);
  derive_expression(a, tests);
  a.her2_low = a.expression == Her2ExpressionCategory::kLow;
  a.her2_ultralow = a.expression == Her2ExpressionCategory::kUltralow;
  return a;
}

std::optional<bool> her2_is_positive(const Her2Assessment& her2) {
  switch (her2.status) {
    case Her2Status::kPositive:
      return true;
    case Her2Status::kNegative:
    case Her2Status::kNegativeWithComment:
      return false;
    default:
      return std::nullopt;
  }
}

const char* her2_ihc_score_name(Her2IhcScore score) {
  switch (score) {
    case Her2IhcScore::k0:
      return "0";
    case Her2IhcScore::k1Plus:
      return "1+";
    case Her2IhcScore::k2Plus:
      return "2+";
    case Her2IhcScore::k3Plus:
      return "3+";
  }
  return "?";
}

std::optional<Her2IhcScore> parse_her2_ihc_score(const std::string& text) {
  if (text == "0") return Her2IhcScore::k0;
  if (text == "1+") return Her2IhcScore::k1Plus;
  if (text == "2+") return Her2IhcScore::k2Plus;
  if (text == "3+") return Her2IhcScore::k3Plus;
  return std::nullopt;
}

const char* her2_status_name(Her2Status status) {
  switch (status) {
    case Her2Status::kPositive:
      return "positive";
    case Her2Status::kNegative:
      return "negative";
    case Her2Status::kNegativeWithComment:
      return "negative_with_comment";
    case Her2Status::kEquivocalPendingIsh:
      return "equivocal_pending_ish";
    case Her2Status::kEquivocalSingleProbeIsh:
      return "equivocal_single_probe_ish";
    case Her2Status::kAdjudicate:
      return "adjudicate";
    case Her2Status::kIncomplete:
      return "incomplete";
    case Her2Status::kNotTested:
      return "not_tested";
  }
  return "not_tested";
}

const char* her2_expression_name(Her2ExpressionCategory category) {
  switch (category) {
    case Her2ExpressionCategory::kPositive:
      return "positive";
    case Her2ExpressionCategory::kLow:
      return "low";
    case Her2ExpressionCategory::kUltralow:
      return "ultralow";
    case Her2ExpressionCategory::kZero:
      return "zero";
    case Her2ExpressionCategory::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* single_probe_ish_result_name(SingleProbeIshResult result) {
  switch (result) {
    case SingleProbeIshResult::kPositive:
      return "positive";
    case SingleProbeIshResult::kEquivocal:
      return "equivocal";
    case SingleProbeIshResult::kNegative:
      return "negative";
  }
  return "negative";
}

}  // namespace oncotrace
