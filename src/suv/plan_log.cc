#include "suv/plan_log.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "oncotrace/error.h"

namespace oncotrace::suv_detail {

void PlanLog::warn(const std::string& message) { warnings_.push_back(message); }

void PlanLog::record_override(const std::string& field, const std::string& flag, const Json& value,
                              const Json& replaced) {
  Json entry;
  entry["field"] = field;
  entry["flag"] = flag;
  entry["value"] = value;
  entry["replaced_header_value"] = replaced;
  overrides_.push_back(entry);
}

void PlanLog::record_repair(const std::string& field, const Json& header_value,
                            const Json& repaired_value, const std::string& reason) {
  Json entry;
  entry["field"] = field;
  entry["header_value"] = header_value;
  entry["repaired_value"] = repaired_value;
  entry["reason"] = reason;
  repairs_.push_back(entry);
  warn(field + ": " + reason);
}

void PlanLog::missing(const std::string& message) const {
  throw MissingMetadataError(context_ + ": " + message);
}

void PlanLog::invalid(const std::string& message) const {
  throw InvalidInputError(context_ + ": " + message);
}

void PlanLog::unsupported(const std::string& message) const {
  throw UnsupportedDataError(context_ + ": " + message);
}

std::string series_context(const SeriesHeader& header, const Frame& frame) {
  std::string context = "series ";
  context += header.series_instance_uid.empty() ? std::string("(no SeriesInstanceUID)")
                                                : header.series_instance_uid;
  if (!frame.slices.empty() && !frame.slices.front().file.empty()) {
    context += " (" + frame.slices.front().file + ")";
  }
  return context;
}

double audit_number(double value) {
  if (!std::isfinite(value) || value == 0.0) return value;
  char text[40];
  std::snprintf(text, sizeof(text), "%.12g", value);
  return std::strtod(text, nullptr);
}

Json audit_optional(const std::optional<double>& value) {
  return value ? Json(audit_number(*value)) : Json(nullptr);
}

std::string slice_range(size_t first, size_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

std::string upper_trimmed(const std::string& text) {
  std::string result;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0 && c != '\0') {
      result += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return result;
}

std::string number_text(double value) {
  char text[40];
  std::snprintf(text, sizeof(text), "%.10g", value);
  return text;
}

std::string joined(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) text += (text.empty() ? "" : "\\") + value;
  return text;
}

}  // namespace oncotrace::suv_detail
