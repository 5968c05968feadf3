// Per-lesion receptor status from receptor-targeted PET/SPECT, FDG avidity, inter-lesion
// heterogeneity and discordance with pathology (clinical-context.md §2.1-§2.4).
//
// Status of one lesion for one tracer (call_lesion_status):
//   * the tracer's published positivity rule from the catalogue (tracers.h): metric, operator,
//     threshold (e.g. FES SUVmax >= 1.5, Nienhuis 2018; [89Zr]trastuzumab SUVmax >= 3.2,
//     Dehdashti 2018), with the operator overridable (the catalogue's option name, e.g.
//     fes_threshold_operator);
//   * "not assessable" with the catalogue's reason when the lesion lies in an organ where the rule
//     does not apply (e.g. liver for FES and [89Zr]trastuzumab), when the rule's size condition
//     ("size >= 10 mm") is not met, when the lesion is outside the study's field of view, or when
//     the metric is missing;
//   * "continuous only" when the catalogue records no validated threshold: the value is reported,
//     never a made-up cut-off.
//   Only SUVmax-based rules (the ones the catalogue holds today) are evaluated; a rule on another
//   metric yields "continuous only" with the reason.
//
// FDG avidity (FdgAvidityRule): FDG avidity has no universal threshold (clinical-context.md §2.4),
// so the rule is an option: PERCIST's measurability threshold 1.5 x liver SULmean + 2 SD on
// SULpeak (default; Wahl 2009), a fixed SUVmax threshold, or "detected on the FDG study".
//
// Heterogeneity (summarise_heterogeneity), per target tracer:
//   * counts and fraction of positive lesions among assessable ones;
//   * heterogeneous = at least one positive and one negative assessable lesion (clinical-
//     context.md §2.4; Dehdashti 2018's own definition is unverified) — the counts are always
//     reported with the flag;
//   * the FDG x target four-quadrant table and the discordant lesions (FDG+/target-, FDG-/
//     target+);
//   * the ZEPHIR-style patient category for HER2 tracers (Mileva 2024): fraction of the FDG-avid
//     tumour load that is target-positive, counted by lesion number (default; how ZEPHIR counted
//     load is unverified), "entire or dominant part" when the fraction exceeds `dominant_fraction`
//     (default 0.5).
//
// Research use only: these are measurements and literature-referenced annotations, not
// diagnoses or treatment recommendations.
#ifndef ONCOTRACE_RECEPTOR_H_
#define ONCOTRACE_RECEPTOR_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/tracers.h"

namespace oncotrace {

enum class LesionStatus { kPositive, kNegative, kNotAssessable, kContinuousOnly };
const char* lesion_status_name(LesionStatus status);  // "positive", "negative", ...

// What was measured for one lesion on one study.
struct LesionUptake {
  bool in_field_of_view = true;
  std::optional<double> suv_max;
  std::optional<double> suv_peak;
  std::optional<double> suv_mean;
  std::optional<double> sul_peak;
  // How the value was obtained: "lesion 3 detected on this study" or "VOI of lesion 2 of
  // fdg_baseline carried over by registration".
  std::string source;
};

struct StatusOptions {
  // Operator overrides by the catalogue's option names (e.g. {"fes_threshold_operator", ">"}).
  std::map<std::string, std::string> operator_overrides;
};

struct LesionStatusCall {
  std::string tracer_id;
  std::string target;  // HER2, ER, ...
  LesionStatus status = LesionStatus::kContinuousOnly;
  std::optional<double> value;  // the rule's metric (or SUVmax when continuous only)
  std::string metric;           // "SUVmax"
  std::optional<double> threshold;
  std::string comparison;  // operator used
  std::optional<double> ratio_to_threshold;
  std::string rule;      // rule name, e.g. "FES SUVmax 1.5"
  std::string citation;  // of the rule
  bool rule_verified = true;
  std::string reason;  // why (e.g. "liver lesion: FES not assessable (...)")
};

// `organ` is the lesion's canonical organ (organs module vocabulary; empty when unknown),
// `longest_diameter_mm` the lesion's size on the study that defined it.
LesionStatusCall call_lesion_status(const Tracer& tracer, const LesionUptake& uptake,
                                    const std::string& organ, double longest_diameter_mm,
                                    const StatusOptions& options = {});

// The minimum lesion size a rule's lesion conditions state ("... size >= 10 mm"), if any.
std::optional<double> rule_minimum_size_mm(const TracerPositivityRule& rule);

enum class FdgAvidityRuleKind {
  kPercistLiver,  // SULpeak >= 1.5 x liver SULmean + 2 SD (PERCIST measurability)
  kSuvMax,        // SUVmax >= threshold
  kDetected,      // detected as a lesion on the FDG study
};
struct FdgAvidityRule {
  FdgAvidityRuleKind kind = FdgAvidityRuleKind::kPercistLiver;
  double suv_max_threshold = 2.5;  // kSuvMax
};
// "percist-liver", "suvmax:T", "detected". Throws InvalidInputError for other text.
FdgAvidityRule parse_fdg_avidity_rule(const std::string& text);
std::string fdg_avidity_rule_text(const FdgAvidityRule& rule);

struct FdgAvidityCall {
  std::optional<bool> avid;  // nullopt: not assessable (reason)
  std::string reason;
  // The quantity the rule compared and its threshold ("SULpeak" for kPercistLiver, "SUVmax" for
  // kSuvMax; empty for kDetected and when not assessable), for tables and figures.
  std::string metric;
  std::optional<double> value;
  std::optional<double> threshold;
};
// liver_sul_mean/sd: the FDG study's PERCIST liver reference (SUL); `detected`: the lesion was
// found by detection on the FDG study.
FdgAvidityCall call_fdg_avidity(const FdgAvidityRule& rule, const LesionUptake& fdg, bool detected,
                                std::optional<double> liver_sul_mean,
                                std::optional<double> liver_sul_sd);

// One row per patient lesion for the heterogeneity summary of one target tracer.
struct HeterogeneityLesion {
  std::string lesion_id;  // "L3"
  std::string organ;
  Vec3 centre_mm{0, 0, 0};  // reference space
  std::optional<bool> fdg_avid;
  LesionStatus target = LesionStatus::kNotAssessable;
};

struct HeterogeneityOptions {
  double dominant_fraction = 0.5;  // ZEPHIR "dominant part": fraction above this
};

struct HeterogeneitySummary {
  std::string tracer_id;
  std::string target;
  size_t lesions = 0;
  size_t positive = 0, negative = 0, not_assessable = 0, continuous_only = 0;
  std::optional<double> positive_fraction;  // positive / (positive + negative)
  std::optional<bool> heterogeneous;        // nullopt when nothing was assessable
  // Four-quadrant table among lesions with both calls: [fdg avid][target positive].
  size_t fdg_pos_target_pos = 0, fdg_pos_target_neg = 0, fdg_neg_target_pos = 0,
         fdg_neg_target_neg = 0;
  std::vector<std::string> discordant;  // "L3 (bone): FDG+/ER-"
  // Fraction of FDG-avid lesions that are target-positive and the ZEPHIR-style category
  // ("entire or dominant part", "minor part or none"); HER2 tracers only.
  std::optional<double> fdg_avid_load_positive_fraction;
  std::string zephir_category;
  std::vector<std::string> notes;
};

HeterogeneitySummary summarise_heterogeneity(const std::string& tracer_id,
                                             const std::string& target,
                                             const std::vector<HeterogeneityLesion>& lesions,
                                             const HeterogeneityOptions& options = {});

}  // namespace oncotrace

#endif  // ONCOTRACE_RECEPTOR_H_
