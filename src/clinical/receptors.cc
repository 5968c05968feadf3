// ER and PR by ASCO/CAP 2020 and the receptor subtype (clinical-context.md §3.6, §4).
#include <cmath>
#include <cstdio>
#include <string>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

constexpr const char* kAscoCap2020 =
    "ASCO/CAP 2020 (Allison et al., J Clin Oncol 2020;38:1346-1366)";

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", x);
  return buffer;
}

void check_percent(double percent, const char* receptor) {
  if (!std::isfinite(percent) || percent < 0.0 || percent > 100.0) {
    throw InvalidInputError(std::string(receptor) + " " + number(percent) +
                            " % of tumour nuclei is outside 0-100 %; give the percentage of "
                            "immunoreactive nuclei as reported");
  }
}

std::optional<bool> is_hr_positive(const ReceptorAssessment& er, const ReceptorAssessment& pr,
                                   std::string& missing) {
  const std::optional<bool> er_pos = receptor_is_positive(er);
  const std::optional<bool> pr_pos = receptor_is_positive(pr);
  // HR-positive = ER >= 1 % or PR >= 1 %; HR-negative needs both below 1 %.
  if (er_pos == true || pr_pos == true) return true;
  if (er_pos == false && pr_pos == false) return false;
  missing = !er_pos ? "ER" : "PR";
  return std::nullopt;
}

}  // namespace

ReceptorAssessment assess_er(std::optional<double> percent_nuclei) {
  ReceptorAssessment a;
  a.percent_nuclei = percent_nuclei;
  if (!percent_nuclei) {
    a.rule = "ER not tested";
    return a;
  }
  const double p = *percent_nuclei;
  check_percent(p, "ER");
  if (p < 1.0) {
    a.status = ReceptorStatus::kNegative;
    a.rule = "ER " + number(p) + " % < 1 % -> negative [" + kAscoCap2020 + "]";
  } else if (p <= 10.0) {
    // 1 % is positive and 10 % is still ER-low; above 10 % is ER positive (§3.6 boundaries).
    a.status = ReceptorStatus::kLowPositive;
    a.rule = "ER " + number(p) + " % in 1-10 % -> ER Low Positive [" + kAscoCap2020 + "]";
    a.comment =
        "ER Low Positive: limited data on the benefit of endocrine therapy; overlapping "
        "features with ER-negative cancers (ASCO/CAP 2020 reporting comment)";
  } else {
    a.status = ReceptorStatus::kPositive;
    a.rule = "ER " + number(p) + " % > 10 % -> positive [" + kAscoCap2020 + "]";
  }
  return a;
}

ReceptorAssessment assess_pr(std::optional<double> percent_nuclei) {
  ReceptorAssessment a;
  a.percent_nuclei = percent_nuclei;
  if (!percent_nuclei) {
    a.rule = "PR not tested";
    return a;
  }
  const double p = *percent_nuclei;
  check_percent(p, "PR");
  a.status = p >= 1.0 ? ReceptorStatus::kPositive : ReceptorStatus::kNegative;
  a.rule = "PR " + number(p) + (p >= 1.0 ? " % >= 1 % -> positive" : " % < 1 % -> negative") +
           " (no PR-low category) [" + kAscoCap2020 + "]";
  return a;
}

std::optional<bool> receptor_is_positive(const ReceptorAssessment& receptor) {
  switch (receptor.status) {
    case ReceptorStatus::kPositive:
    case ReceptorStatus::kLowPositive:
      return true;
    case ReceptorStatus::kNegative:
      return false;
    case ReceptorStatus::kNotTested:
      return std::nullopt;
  }
  return std::nullopt;
}

const char* receptor_status_name(ReceptorStatus status) {
  switch (status) {
    case ReceptorStatus::kPositive:
      return "positive";
    case ReceptorStatus::kLowPositive:
      return "low_positive";
    case ReceptorStatus::kNegative:
      return "negative";
    case ReceptorStatus::kNotTested:
      return "not_tested";
  }
  return "not_tested";
}

namespace {

// St Gallen 2013 surrogate definitions (clinical-context.md §4 step 2).
void derive_surrogate(SubtypeAssessment& s, const ReceptorAssessment& er,
                      const ReceptorAssessment& pr, std::optional<bool> her2_positive,
                      std::optional<double> ki67_percent, const SubtypeOptions& o) {
  const std::string cutoffs = " (Ki-67 cut-off " + number(o.ki67_cutoff_percent) +
                              " %, PR-high cut-off " + number(o.pr_high_cutoff_percent) +
                              " %; St Gallen 2013, Goldhirsch et al., Ann Oncol 2013;24:2206)";
  const std::optional<bool> er_pos = receptor_is_positive(er);
  const std::optional<bool> pr_pos = receptor_is_positive(pr);
  if (!er_pos || !her2_positive) {
    s.surrogate_reason = "not derivable: ER and final HER2 status required";
    return;
  }
  if (*er_pos && *her2_positive) {
    s.surrogate = SurrogateSubtype::kLuminalBLikeHer2Positive;
    s.surrogate_reason =
        "ER+, HER2+ (any PR, any Ki-67) -> luminal B-like (HER2-positive)" + cutoffs;
    return;
  }
  if (!*er_pos) {
    if (!pr_pos) {
      s.surrogate_reason = "not derivable: PR required when ER is negative";
    } else if (*pr_pos) {
      s.surrogate_reason =
          "not derivable: ER-negative, PR-positive tumours have no St Gallen 2013 surrogate";
    } else if (*her2_positive) {
      s.surrogate = SurrogateSubtype::kHer2PositiveNonLuminal;
      s.surrogate_reason = "HER2+, ER and PR absent -> HER2-positive (non-luminal)" + cutoffs;
    } else {
      s.surrogate = SurrogateSubtype::kTripleNegative;
      s.surrogate_reason = "ER, PR and HER2 negative -> triple-negative" + cutoffs;
    }
    return;
  }
  // ER+, HER2-: PR low decides on its own; otherwise Ki-67 decides.
  if (!pr.percent_nuclei) {
    s.surrogate_reason = "not derivable: PR % required for ER+/HER2- surrogates";
    return;
  }
  const bool pr_high = *pr.percent_nuclei >= o.pr_high_cutoff_percent;
  if (!pr_high) {
    s.surrogate = SurrogateSubtype::kLuminalBLikeHer2Negative;
    s.surrogate_reason = "ER+, HER2-, PR " + number(*pr.percent_nuclei) +
                         " % < PR-high cut-off -> luminal B-like (HER2-negative)" + cutoffs;
    return;
  }
  if (!ki67_percent) {
    s.surrogate_reason = "not derivable: Ki-67 % required (ER+, HER2-, PR high)";
    return;
  }
  if (*ki67_percent >= o.ki67_cutoff_percent) {
    s.surrogate = SurrogateSubtype::kLuminalBLikeHer2Negative;
    s.surrogate_reason = "ER+, HER2-, Ki-67 " + number(*ki67_percent) +
                         " % >= cut-off -> luminal B-like (HER2-negative)" + cutoffs;
  } else {
    s.surrogate = SurrogateSubtype::kLuminalALike;
    s.surrogate_reason = "ER+, HER2-, PR high, Ki-67 " + number(*ki67_percent) +
                         " % < cut-off -> luminal A-like (no multigene result used)" + cutoffs;
  }
}

}  // namespace

SubtypeAssessment derive_subtype(const ReceptorAssessment& er, const ReceptorAssessment& pr,
                                 const Her2Assessment& her2, std::optional<double> ki67_percent,
                                 const SubtypeOptions& options) {
  if (ki67_percent &&
      (!std::isfinite(*ki67_percent) || *ki67_percent < 0.0 || *ki67_percent > 100.0)) {
    throw InvalidInputError("Ki-67 " + number(*ki67_percent) +
                            " % is outside 0-100 %; give the percentage as reported");
  }
  SubtypeAssessment s;
  std::string missing;
  const std::optional<bool> hr = is_hr_positive(er, pr, missing);
  const std::optional<bool> her2_pos = her2_is_positive(her2);
  if (!hr || !her2_pos) {
    std::string what;
    if (!hr) what = missing + " status";
    if (!her2_pos) {
      what += std::string(what.empty() ? "" : " and ") + "a final HER2 status (HER2 is " +
              her2_status_name(her2.status) + ")";
    }
    s.reason = "not derivable: " + what + " required";
  } else if (*hr) {
    s.subtype = *her2_pos ? ReceptorSubtype::kHrPositiveHer2Positive
                          : ReceptorSubtype::kHrPositiveHer2Negative;
    s.reason = std::string("HR-positive (ER >= 1 % or PR >= 1 %), HER2 ") +
               (*her2_pos ? "positive" : "negative") + " [Jacene 2024, Table 1]";
  } else {
    s.subtype =
        *her2_pos ? ReceptorSubtype::kHrNegativeHer2Positive : ReceptorSubtype::kTripleNegative;
    s.reason = std::string("HR-negative (ER < 1 % and PR < 1 %), HER2 ") +
               (*her2_pos ? "positive" : "negative") + " [Jacene 2024, Table 1]";
  }
  s.er_low = er.status == ReceptorStatus::kLowPositive && hr == true;
  derive_surrogate(s, er, pr, her2_pos, ki67_percent, options);
  return s;
}

const char* receptor_subtype_name(ReceptorSubtype subtype) {
  switch (subtype) {
    case ReceptorSubtype::kHrPositiveHer2Negative:
      return "hr_positive_her2_negative";
    case ReceptorSubtype::kHrPositiveHer2Positive:
      return "hr_positive_her2_positive";
    case ReceptorSubtype::kHrNegativeHer2Positive:
      return "hr_negative_her2_positive";
    case ReceptorSubtype::kTripleNegative:
      return "triple_negative";
    case ReceptorSubtype::kNotDerivable:
      return "not_derivable";
  }
  return "not_derivable";
}

const char* receptor_subtype_label(ReceptorSubtype subtype) {
  switch (subtype) {
    case ReceptorSubtype::kHrPositiveHer2Negative:
      return "HR+/HER2-";
    case ReceptorSubtype::kHrPositiveHer2Positive:
      return "HR+/HER2+";
    case ReceptorSubtype::kHrNegativeHer2Positive:
      return "HR-/HER2+";
    case ReceptorSubtype::kTripleNegative:
      return "triple negative (TNBC)";
    case ReceptorSubtype::kNotDerivable:
      return "not derivable";
  }
  return "not derivable";
}

const char* surrogate_subtype_name(SurrogateSubtype subtype) {
  switch (subtype) {
    case SurrogateSubtype::kLuminalALike:
      return "luminal_a_like";
    case SurrogateSubtype::kLuminalBLikeHer2Negative:
      return "luminal_b_like_her2_negative";
    case SurrogateSubtype::kLuminalBLikeHer2Positive:
      return "luminal_b_like_her2_positive";
    case SurrogateSubtype::kHer2PositiveNonLuminal:
      return "her2_positive_non_luminal";
    case SurrogateSubtype::kTripleNegative:
      return "triple_negative";
    case SurrogateSubtype::kNotDerivable:
      return "not_derivable";
  }
  return "not_derivable";
}

}  // namespace oncotrace
