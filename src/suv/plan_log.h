// Internal to the suv module: what a plan decided, and errors that name the series.
//
// Every refusal of the SUV module names the series (UID and first file), the DICOM tag or value,
// and the remedy (an override flag), as error.h asks. PlanLog builds those messages and collects
// the warnings, overrides and repairs that go into the SuvAudit (pet-quantification.md §7, §8).
#ifndef ONCOTRACE_SRC_SUV_PLAN_LOG_H_
#define ONCOTRACE_SRC_SUV_PLAN_LOG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrace/series.h"

namespace oncotrace::suv_detail {

using Json = nlohmann::ordered_json;

class PlanLog {
 public:
  explicit PlanLog(std::string series_context) : context_(std::move(series_context)) {}

  // "series 1.2.3 (/data/pet/IM0001.dcm)": the prefix of every message.
  const std::string& context() const { return context_; }

  void warn(const std::string& message);
  // A value the user supplied in place of the header's (`replaced` is null when absent).
  void record_override(const std::string& field, const std::string& flag, const Json& value,
                       const Json& replaced);
  // A header value oncotrace corrected (e.g. a dose written in MBq).
  void record_repair(const std::string& field, const Json& header_value, const Json& repaired_value,
                     const std::string& reason);

  [[noreturn]] void missing(const std::string& message) const;
  [[noreturn]] void invalid(const std::string& message) const;
  [[noreturn]] void unsupported(const std::string& message) const;

  const std::vector<std::string>& warnings() const { return warnings_; }
  const Json& overrides() const { return overrides_; }
  const Json& repairs() const { return repairs_; }

 private:
  std::string context_;
  std::vector<std::string> warnings_;
  Json overrides_ = Json::array();
  Json repairs_ = Json::array();
};

// "series <uid> (<first file>)" for messages.
std::string series_context(const SeriesHeader& header, const Frame& frame);

// A number for the audit, rounded to 12 significant digits so that the JSON text does not carry
// the last-bit noise of floating point (same input, same bytes; architecture.md).
double audit_number(double value);
// An optional number for the audit (null when absent).
Json audit_optional(const std::optional<double>& value);
// A slice range "3" or "0-9" for messages and the audit.
std::string slice_range(size_t first, size_t last);

// Text helpers for messages: upper case without spaces ("bqml " -> "BQML"), a number with 10
// significant digits, and multi-valued CS joined with DICOM's backslash.
std::string upper_trimmed(const std::string& text);
std::string number_text(double value);
std::string joined(const std::vector<std::string>& values);

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_PLAN_LOG_H_
