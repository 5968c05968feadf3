// Helpers shared by the response rules (internal to the response module).
#ifndef ONCOTRACE_RESPONSE_RESPONSE_INTERNAL_H_
#define ONCOTRACE_RESPONSE_RESPONSE_INTERNAL_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/response.h"

namespace oncotrace::response_internal {

// Reads one optional quantity of a lesion.
using LesionValue = std::function<std::optional<double>(const ResponseLesion&)>;

// value >= threshold (kAtLeast) or value > threshold (kMoreThan), at `decimals`.
bool at_or_above(double value, double threshold, ComparisonOperator op, int decimals);
// A relative change is a decrease of at least / more than `percent` (change <= -percent or
// change < -percent) at the percent precision.
bool decrease_reaches(double change_percent, double percent, ComparisonOperator op,
                      const ComparisonPrecision& precision);
// A relative change is an increase of at least / more than `percent`.
bool increase_reaches(double change_percent, double percent, ComparisonOperator op,
                      const ComparisonPrecision& precision);

const ResponseLesion* find_lesion(const ResponseTimepoint& timepoint, const std::string& id);

bool is_breast_organ(const std::string& organ);
bool is_node_organ(const std::string& organ);
// Organ used by the per-organ target limits: "unknown" for "" and "unknown".
std::string organ_group(const std::string& organ);

// Lesions with a value, hottest first (ties: lexicographically smaller id first), at most
// `count` in all and `per_organ` per organ_group (per_organ <= 0: no organ limit).
std::vector<const ResponseLesion*> select_hottest(const std::vector<const ResponseLesion*>& lesions,
                                                  const LesionValue& value, int count,
                                                  int per_organ);
std::vector<const ResponseLesion*> all_lesions(const ResponseTimepoint& timepoint);

// Fixed-point text of a value for rule texts and warnings ("30.00", "0.800").
std::string fixed(double value, int decimals);
std::string percent_text(double value, const ComparisonPrecision& precision);  // "-30.00 %"
std::string value_text(double value, const ComparisonPrecision& precision);    // "0.800"

// The skeleton of an assessment: criterion, labels; tracer check against `expected_tracer`.
ResponseAssessment start_assessment(ResponseCriterion criterion, const std::string& title,
                                    const std::string& status, const ResponseTimepoint& baseline,
                                    const ResponseTimepoint& follow_up,
                                    const std::string& expected_tracer);

ResponseNumber number(const std::string& name, std::optional<double> value, const std::string& unit,
                      const std::string& note = "");
ResponseNumber percent_number(const std::string& name, std::optional<double> value,
                              const ComparisonPrecision& precision, const std::string& note = "");
ResponseNumber value_number(const std::string& name, std::optional<double> value,
                            const std::string& unit, const ComparisonPrecision& precision,
                            const std::string& note = "");

// One lesion's change of one quantity; percent and absolute change when both values exist.
LesionResponse lesion_change(const std::string& id, const std::string& organ,
                             const std::string& status, const std::string& quantity,
                             std::optional<double> baseline, std::optional<double> follow_up,
                             const ComparisonPrecision& precision);
// The change of one quantity between two optional values.
QuantityChange quantity_change(const std::string& quantity, const std::string& unit,
                               std::optional<double> baseline, std::optional<double> follow_up);

// Per-lesion change table of `quantity` over the union of the two timepoints' lesions, sorted by
// id: status tracked / new / disappeared / follow_up_only, with MTV and TLG changes.
std::vector<LesionResponse> lesion_rows(const ResponseTimepoint& baseline,
                                        const ResponseTimepoint& follow_up,
                                        const std::string& quantity, const LesionValue& value,
                                        const ComparisonPrecision& precision);
LesionResponse* find_row(std::vector<LesionResponse>& rows, const std::string& id);

// Ids of new lesions at the follow-up, in input order.
std::vector<std::string> new_lesion_ids(const ResponseTimepoint& follow_up);
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

// Units as written in the output.
inline constexpr const char* kSulUnit = "g/mL (SUL)";
inline constexpr const char* kSuvUnit = "g/mL (SUVbw)";
inline constexpr const char* kResearchUseOnlyText =
    "Research use only; not for diagnosis or treatment decisions.";

}  // namespace oncotrace::response_internal

#endif  // ONCOTRACE_RESPONSE_RESPONSE_INTERNAL_H_
