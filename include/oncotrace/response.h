// Metabolic response across timepoints from already-matched lesion measurements: PERCIST 1.0,
// EORTC 1999 and the study-specific rules of TBCRC026, PHERGain and Crippa 2015 (FLT).
// Specification: clinical-context.md §6.1-§6.4, §6.6, §6.10 and pet-quantification.md §9-§10;
// docs/response.md states every rule, option and default in prose.
//
// Input. One ResponseTimepoint per scan; the first of a series is the baseline. Every lesion
// carries the id that lesion matching gave it, identical at every timepoint for the same lesion.
// The fields map one to one onto `oncotrace analyze` outputs (lesions.json, whose
// "reference_regions" array is also reference_regions.json); response_timepoint_from_lesions_json
// does that mapping. A baseline lesion with no entry at a follow-up "disappeared" (matching found
// nothing there); a follow-up lesion with is_new set is a new lesion; a follow-up lesion with
// neither a baseline entry nor is_new is "follow-up only" (warned). Prefer giving a measurement
// at the baseline location over leaving a lesion out: rules that need its number otherwise fall
// back on the disappeared-lesion option (ResponseOptions::disappeared_lesions_resolved).
//
// Changes. Absolute change = follow-up - baseline (in the unit of the quantity); relative change
// (%) = (follow-up - baseline) / baseline x 100 (a decrease is negative), undefined for a zero
// baseline (clinical-context.md §6).
//
// Threshold comparisons (equality at a threshold). In double arithmetic a change from 3.3 to 2.31
// is -29.999999999999993 %, 2.3 - 3.1 is -0.8000000000000003 and the PERCIST threshold
// 1.5 x 2.1 + 2 x 0.3 is 3.7500000000000004, so exact comparison would put inputs that are at a
// threshold on an arbitrary side of it. Every comparison of a rule is therefore made on values
// rounded half away from zero to a documented precision (ComparisonPrecision): relative changes
// to 0.01 percentage points, all other values (SUV/SUL values, absolute changes, thresholds,
// minutes) to 0.001 of their unit. The two sides are compared as whole numbers of those units
// (round(x * 10^decimals)), so a comparison gives the same answer as reading both numbers
// printed to that precision. The output records the exact value and the rounded value compared.
//
// Every assessment returns the category, the numbers it was computed from, the rule text and
// citations, checks, warnings, the values the reference marks unverified that the rule used, and
// the literature context. Research use only; not for diagnosis or treatment decisions: the
// assessments describe published categories, they never recommend treatment (§1.5).
#ifndef ONCOTRACE_RESPONSE_H_
#define ONCOTRACE_RESPONSE_H_

#include <optional>
#include <string>
#include <vector>

#include "oncotrace/measure.h"

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Input

// Mean and SD of a reference region on one uptake scale (lesions.json reference_regions[]:
// "statistics" on the primary scale, "sul" on the SUL scale).
struct ReferenceStatistics {
  double mean = 0.0;
  double sd = 0.0;
};

// One lesion at one timepoint (lesions.json lesions[]). Values are optional: a rule that needs a
// missing value says so.
struct ResponseLesion {
  std::string id;  // matched lesion id; unique within a timepoint, the same across timepoints
  // Canonical organ (organs module: "liver", "bone", "lung", ...), "breast" for a breast lesion
  // (any organ starting with "breast"), "lymph_node" or any name containing "node" for nodes;
  // "" or "unknown" when unknown.
  std::string organ;
  bool is_new = false;                        // new lesion at this follow-up (never at baseline)
  std::optional<double> sul_peak;             // sul.peaks[0].value (first peak variant)
  std::optional<double> sul_max;              // sul.max
  std::optional<double> suv_max;              // uptake.max (SUVbw)
  std::optional<double> suv_mean;             // uptake.mean
  std::optional<double> suv_peak;             // uptake.peaks[0].value
  std::optional<double> mtv_ml;               // volume_ml
  std::optional<double> tlg_g;                // total_uptake: SUVmean x MTV
  std::optional<double> tlg_sul_g;            // total_uptake_sul: SULmean x MTV
  std::optional<double> longest_diameter_mm;  // longest_diameter_mm (EORTC extent rule)
};

struct ResponseTimepoint {
  std::string label;  // "baseline", "C1D15", "after cycle 2", ...
  std::string date;   // ISO 8601 date, echoed
  std::optional<double> days_since_baseline;
  std::optional<int> cycles_completed;    // treatment cycles completed before this scan
  std::optional<int> cycle;               // cycle in which the scan was taken (C1D15: 1)
  std::optional<int> cycle_day;           // day of that cycle (C1D15: 15)
  std::string tracer;                     // tracer catalogue id ("fdg", "flt"); "" unknown
  std::optional<double> uptake_time_min;  // injection to scan
  std::string scanner;                    // manufacturer / model / station; "" unknown
  std::string reconstruction;             // reconstruction identifier; "" unknown
  // Lean-body-mass formula of the SUL values (lesions.json units.sul, e.g.
  // "g/ml{SUVlbm(Janma)}"); "" unknown. PERCIST warns when the two scans differ.
  std::string sul_normalization;
  std::optional<ReferenceStatistics> liver_sul;       // PERCIST liver sphere, SUL
  std::optional<ReferenceStatistics> blood_pool_sul;  // PERCIST blood-pool cylinder, SUL
  std::optional<ReferenceStatistics> liver_suv;       // liver sphere, SUVbw (PHERGain)
  std::optional<ReferenceStatistics> blood_pool_suv;
  // Reader's finding: unequivocal progression of non-target lesions (PERCIST PMD (d)).
  bool nontarget_unequivocal_progression = false;
  std::vector<ResponseLesion> lesions;
};

// ---------------------------------------------------------------------------------------------
// Options

// kAtLeast: ">=" for an increase / "a decrease of at least"; kMoreThan: ">" / "more than".
enum class ComparisonOperator { kAtLeast, kMoreThan };
const char* comparison_operator_name(ComparisonOperator op);  // ">=", ">"

// See the file comment. Decimals 0..9.
struct ComparisonPrecision {
  int percent_decimals = 2;  // relative changes compared in units of 0.01 percentage points
  int value_decimals = 3;    // values, absolute changes, thresholds, minutes: units of 0.001
};

enum class MeasurabilityReference { kLiver, kBloodPool };

struct PercistOptions {
  // Liver (default); with no liver SUL at baseline the blood pool is used and that is warned.
  MeasurabilityReference reference = MeasurabilityReference::kLiver;
  // SULpeak >= threshold (default; implementations, PHERGain) or > ("1.5-fold greater than").
  ComparisonOperator measurability_operator = ComparisonOperator::kAtLeast;
  BloodPoolThresholdRule blood_pool_rule = BloodPoolThresholdRule::kMeanPlusTwoSd;
  // PMR: decrease >= 30 % and >= 0.8 SUL (Wahl 2009 "a minimum of 30 %", default) or > both
  // (several summary tables).
  ComparisonOperator pmr_operator = ComparisonOperator::kAtLeast;
  // PMD (a): increase > 30 % and > 0.8 SUL as written (default) or >=.
  ComparisonOperator pmd_operator = ComparisonOperator::kMoreThan;
  double relative_threshold_percent = 30.0;
  double absolute_threshold_sul = 0.8;
  double tlg_increase_percent = 75.0;  // PMD (b): TLG increase > 75 %
  int tlg_lesion_count = 5;            // TLG of the 5 most active lesions
  int sum_target_count = 5;            // secondary sum: up to 5 lesions ...
  int sum_targets_per_organ = 2;       // ... at most 2 per organ
  // Comparability (warnings): liver SULmean within +/-20 % (inclusive) and |change| < 0.3 SUL;
  // uptake times differ by < 15 min; same scanner and reconstruction when both are known.
  double liver_change_percent = 20.0;
  double liver_change_sul = 0.3;
  double uptake_time_difference_min = 15.0;
};

enum class EortcQuantity { kSuvMax, kSuvMean };
// Patient-level quantity: the baseline's hottest lesion followed as the same lesion (default),
// or the sum over up to max_targets lesions (at most max_targets_per_organ per organ), hottest at
// baseline, followed as the same lesions.
enum class EortcAggregation { kHottestBaselineLesion, kSumOfTargets };

struct EortcOptions {
  EortcQuantity quantity = EortcQuantity::kSuvMax;
  EortcAggregation aggregation = EortcAggregation::kHottestBaselineLesion;
  int max_targets = 5;
  int max_targets_per_organ = 2;
  // PMR after one cycle: a reduction of a minimum of 15-25 % (a range in the source); default 15.
  double pmr_one_cycle_percent = 15.0;
  double pmr_more_cycles_percent = 25.0;  // PMR after more than one cycle: reduction > 25 %
  double pmd_increase_percent = 25.0;     // PMD: increase > 25 %
  double smd_decrease_percent = 15.0;     // SMD: increase < 25 % or decrease < 15 %
  double extent_increase_percent = 20.0;  // PMD: longest dimension increase > 20 %
};

struct Tbcrc026Options {
  double reduction_percent = 40.0;  // rule 1: reduction >= 40 % versus < 40 %
  double c1d15_sul_max = 3.0;       // rule 2 (exploratory): C1D15 SULmax <= 3
};

enum class PhergainTargets { kAboveEligibilityThreshold, kAllBaselineLesions, kListed };

struct PhergainOptions {
  double reduction_percent = 40.0;  // responder: every target dSUVmax <= -40 %
  // Eligibility: a breast lesion with SUVmax >= 1.5 x liver SUVmean + 2 x SD.
  double liver_factor = 1.5;
  double liver_sd_factor = 2.0;
  // Target-lesion selection is unverified in the reference; default: every baseline lesion at or
  // above the eligibility threshold (any organ).
  PhergainTargets targets = PhergainTargets::kAboveEligibilityThreshold;
  std::vector<std::string> target_ids;  // for kListed
};

struct FltOptions {
  // Crippa 2015 split point on dSUVmax of the primary after cycle 1: -52.9 %. A decrease of at
  // least 52.9 % (kAtLeast) is flagged "FLT response per Crippa 2015"; the branch logic of the
  // published score is unverified.
  double cut_point_percent = -52.9;
  ComparisonOperator cut_operator = ComparisonOperator::kAtLeast;
};

enum class ResponseCriterion { kPercist, kEortc, kTbcrc026, kPhergain, kFlt };
// "percist", "eortc", "tbcrc026", "phergain", "flt" (the CLI's --criteria words).
const char* response_criterion_name(ResponseCriterion criterion);
std::optional<ResponseCriterion> parse_response_criterion(const std::string& name);

struct ResponseOptions {
  std::vector<ResponseCriterion> criteria{ResponseCriterion::kPercist, ResponseCriterion::kEortc,
                                          ResponseCriterion::kTbcrc026,
                                          ResponseCriterion::kPhergain, ResponseCriterion::kFlt};
  ComparisonPrecision precision;
  // The primary breast tumour (TBCRC026, FLT; a breast lesion for PHERGain eligibility). Empty:
  // the hottest breast lesion at baseline (by SULmax for TBCRC026, SUVmax otherwise).
  std::string primary_tumour_id;
  // A baseline lesion absent at follow-up counts as resolved to background: PERCIST and EORTC
  // CMR, a PHERGain target meeting the reduction, 0 in an EORTC sum. false: such lesions make
  // the rules that need their number "not evaluable".
  bool disappeared_lesions_resolved = true;
  PercistOptions percist;
  EortcOptions eortc;
  Tbcrc026Options tbcrc026;
  PhergainOptions phergain;
  FltOptions flt;
};

// ---------------------------------------------------------------------------------------------
// Output

// A number an assessment was computed from. `compared` is the rounded value a rule compared
// (units of the precision), when it compared this number.
struct ResponseNumber {
  std::string name;  // "baseline_target_sul_peak", "percent_change", ...
  std::optional<double> value;
  std::string unit;  // "g/mL (SUL)", "g/mL (SUVbw)", "%", "min", "mL", "g", "1"
  std::optional<double> compared;
  std::string note;
};

// A yes/no sub-result (measurability, comparability, a trial's secondary rule). `passed` is
// nullopt when it could not be evaluated; `detail` says why or shows the numbers.
struct ResponseCheck {
  std::string name;
  std::optional<bool> passed;
  std::string detail;
};

// Change of one quantity between the baseline and a follow-up.
struct QuantityChange {
  std::string quantity;  // "SULpeak", "SUVmax", "MTV", "TLG", "TMTV", ...
  std::string unit;
  std::optional<double> baseline;
  std::optional<double> follow_up;
  std::optional<double> absolute_change;  // follow-up - baseline
  std::optional<double> percent_change;   // nullopt when either value is missing or baseline 0
};

// One lesion in an assessment.
struct LesionResponse {
  std::string id;
  std::string organ;
  // "tracked" (both timepoints), "new", "disappeared", "follow_up_only", "baseline_only" (the
  // rule could not use the lesion's follow-up entry), ...
  std::string status;
  std::string quantity;  // "SULpeak", "SULmax", "SUVmax", "SUVmean"
  std::optional<double> baseline;
  std::optional<double> follow_up;
  std::optional<double> absolute_change;
  std::optional<double> percent_change;
  std::optional<double> percent_change_compared;  // rounded as compared
  // "baseline_target", "follow_up_target", "sum_target_baseline", "sum_target_follow_up",
  // "tlg_baseline", "tlg_follow_up", "primary_tumour", "phergain_target", "eortc_target".
  std::vector<std::string> roles;
  std::string category;  // per-lesion category where the rule defines one (EORTC, PHERGain)
  // Other quantities of the lesion: MTV and TLG (and the longest diameter for EORTC).
  std::vector<QuantityChange> other_changes;
};

struct ResponseAssessment {
  std::string criterion;  // response_criterion_name
  std::string title;  // "PERCIST 1.0", "EORTC 1999", "TBCRC026", "PHERGain", "FLT (Crippa 2015)"
  // "guideline-level criteria" or "criterion of study <name> (<population, n>)".
  std::string status;
  std::string baseline_label;
  std::string follow_up_label;
  // PERCIST/EORTC: "CMR", "PMR", "SMD", "PMD", "indeterminate"; TBCRC026: "reduction_ge_40",
  // "reduction_lt_40"; PHERGain: "responder", "non_responder", "not_eligible"; FLT:
  // "flt_response", "no_flt_response"; any: "not_evaluable".
  std::string category;
  std::string category_text;  // the category in words
  std::string decided_by;     // the branch of the rule that decided, with the numbers
  std::string rule;           // the rule in words
  std::vector<std::string> citations;
  std::vector<ResponseNumber> numbers;
  std::vector<ResponseCheck> checks;
  std::vector<LesionResponse> lesions;
  std::vector<std::string> warnings;
  std::vector<std::string> unverified;  // reference values marked unverified that were used
  std::vector<std::string> context;     // published performance and population caveats
};

// Per-lesion and per-patient change tables of one follow-up against the baseline, independent of
// any criterion (the tables behind waterfall and trajectory plots).
struct LesionChangeRow {
  std::string id;
  std::string organ;
  std::string status;  // "tracked", "new", "disappeared", "follow_up_only"
  // SULpeak, SULmax, SUVmax, SUVmean, SUVpeak, MTV, TLG, TLG (SUL), longest diameter, in order.
  std::vector<QuantityChange> changes;
};

struct ResponseChangeTable {
  std::string baseline_label;
  std::string follow_up_label;
  std::vector<LesionChangeRow> lesions;  // sorted by id
  // Lesion counts ("lesions", "new_lesions", "disappeared_lesions"), TMTV and TTLG (sums over
  // the lesions of the scan that have the value), TTLG (SUL), the highest SULpeak and SUVmax.
  std::vector<QuantityChange> patient;
};

ResponseChangeTable change_table(const ResponseTimepoint& baseline,
                                 const ResponseTimepoint& follow_up);

struct ResponseReport {
  std::vector<ResponseTimepoint> timepoints;       // the input, baseline first (echoed in the JSON)
  std::vector<ResponseAssessment> assessments;     // per follow-up, per criterion (options order)
  std::vector<ResponseChangeTable> change_tables;  // per follow-up
  std::vector<std::string> warnings;               // about the series as a whole
  ResponseOptions options;
};

// ---------------------------------------------------------------------------------------------
// Assessment

// One criterion, one follow-up against the baseline. Throw InvalidInputError for invalid input
// (see validate_response_timepoint).
ResponseAssessment assess_percist(const ResponseTimepoint& baseline,
                                  const ResponseTimepoint& follow_up,
                                  const ResponseOptions& options = {});
ResponseAssessment assess_eortc(const ResponseTimepoint& baseline,
                                const ResponseTimepoint& follow_up,
                                const ResponseOptions& options = {});
ResponseAssessment assess_tbcrc026(const ResponseTimepoint& baseline,
                                   const ResponseTimepoint& follow_up,
                                   const ResponseOptions& options = {});
ResponseAssessment assess_phergain(const ResponseTimepoint& baseline,
                                   const ResponseTimepoint& follow_up,
                                   const ResponseOptions& options = {});
ResponseAssessment assess_flt(const ResponseTimepoint& baseline, const ResponseTimepoint& follow_up,
                              const ResponseOptions& options = {});
ResponseAssessment assess(ResponseCriterion criterion, const ResponseTimepoint& baseline,
                          const ResponseTimepoint& follow_up, const ResponseOptions& options = {});

// Every follow-up (timepoints[1..]) against the baseline (timepoints[0]), for every criterion of
// options.criteria. Throws InvalidInputError with fewer than two timepoints or invalid input.
ResponseReport assess_response(const std::vector<ResponseTimepoint>& timepoints,
                               const ResponseOptions& options = {});

// Throws InvalidInputError naming the timepoint, lesion and field: empty or duplicate lesion ids,
// negative or non-finite values, a reference mean <= 0 or SD < 0, a new lesion at baseline
// (`is_baseline`), negative uptake time.
void validate_response_timepoint(const ResponseTimepoint& timepoint, bool is_baseline);

// Throws InvalidInputError for decimals outside 0..9 or non-positive counts in the options.
void validate_response_options(const ResponseOptions& options);

// ---------------------------------------------------------------------------------------------
// Helpers (exposed for callers and tests)

// (follow_up - baseline) / baseline x 100; nullopt when baseline is 0.
std::optional<double> percent_change(double baseline, double follow_up);
// round(value x 10^decimals) / 10^decimals (half away from zero): the value as compared.
double round_to_decimals(double value, int decimals);
// Three-way comparison of a and b at `decimals` (-1, 0, +1), on round(x x 10^d).
int compare_at_decimals(double a, double b, int decimals);

// ---------------------------------------------------------------------------------------------
// JSON

// The full report (schema "oncotrace-response/1"): options, timepoints, assessments with every
// number, check, lesion, warning, unverified item and context line, and the research-use
// statement. Deterministic: the same input gives the same bytes.
std::string response_report_json(const ResponseReport& report);
// One assessment as a JSON object (the items of "assessments").
std::string response_assessment_json(const ResponseAssessment& assessment);

// A timepoint from the text of an `oncotrace analyze` lesions.json (schema oncotrace-lesions/1):
// lesion id = "name", organ, SUV statistics from "uptake" when units.uptake is SUVbw (from "sul"
// otherwise only SUL fields), SULpeak/SULmax from "sul", MTV, TLG, longest diameter; liver and
// blood-pool statistics from "reference_regions" (SUV scale from "statistics" when the uptake
// unit is SUVbw, SUL scale from "sul", or from "statistics" when the uptake unit is SUL); uptake
// time from the SUV audit (decay_interval_s, else interval_to_acquisition_s); scanner =
// manufacturer; date from the audit's reference time. Lesion ids are the analyze names until
// matching replaces them. `source` names the file in errors. Throws InvalidInputError for text
// that is not a lesions.json.
ResponseTimepoint response_timepoint_from_lesions_json(const std::string& text,
                                                       const std::string& label,
                                                       const std::string& source);

}  // namespace oncotrace

#endif  // ONCOTRACE_RESPONSE_H_
