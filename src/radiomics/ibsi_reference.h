// Reading the IBSI-1 reference-value tables and comparing computed features with them
// (test support; radiomics-ibsi.md §7).
#ifndef ONCOTRACE_RADIOMICS_IBSI_REFERENCE_H_
#define ONCOTRACE_RADIOMICS_IBSI_REFERENCE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics::testing {

// One row of "reference value;tolerance;tag". Rows without a value have no reference.
struct ReferenceRow {
  std::string tag;
  std::string value_text;
  std::optional<double> value;
  double tolerance = 0.0;
};
std::vector<ReferenceRow> read_reference_csv(const std::filesystem::path& path);

// Significant digits written in a number ("0.0946" -> 3, "125256" -> 6, "1200" -> 2,
// "6.98E-05" -> 3).
int significant_digits(const std::string& text);
double round_to_significant(double value, int digits);

// The pass rule of radiomics-ibsi.md §7.2 (MIRP's rule, extended to exact large integers):
// round the computed value to max(3, digits of the reference) significant digits, then
// |rounded - reference| <= tolerance (+ a relative 1e-12 for binary representation).
bool within_tolerance(double computed, const ReferenceRow& row);

enum class Outcome { kPass, kFail, kMissing, kNoReference };
struct Comparison {
  ReferenceRow row;
  std::optional<double> computed;
  Outcome outcome = Outcome::kNoReference;
};
std::vector<Comparison> compare(const FeatureSet& features, const std::vector<ReferenceRow>& rows);

// The family of a tag ("morph", "cm", "diag" for diagnostics, ...).
std::string family_of(const std::string& tag);

// Markdown compliance table: one row per tag of any data set, one column per data set
// (pass / FAIL / no reference / not computed), and a per-family summary.
struct DataSetResult {
  std::string name;
  std::vector<Comparison> comparisons;
};
std::string compliance_markdown(const std::vector<DataSetResult>& results);

}  // namespace oncotrace::radiomics::testing

#endif  // ONCOTRACE_RADIOMICS_IBSI_REFERENCE_H_
