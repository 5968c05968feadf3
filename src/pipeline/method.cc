// Parsing of the --method strings (include/oncotrace/pipeline.h).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/pipeline.h"

namespace oncotrace {
namespace {

constexpr const char* kMethodForms =
    "use fixed:T (SUV, e.g. fixed:4.0), percent-max:P (e.g. percent-max:41), a50, "
    "percist-liver, percist-blood-pool or liver-multiple:K (e.g. liver-multiple:1.5)";

double parse_parameter(const std::string& text, const std::string& parameter) {
  if (parameter.empty()) {
    throw InvalidInputError("--method '" + text + "': the value after ':' is missing; " +
                            kMethodForms);
  }
  char* end = nullptr;
  const double value = std::strtod(parameter.c_str(), &end);
  if (end == parameter.c_str() || *end != '\0' || !std::isfinite(value) || value <= 0.0) {
    throw InvalidInputError("--method '" + text + "': '" + parameter +
                            "' is not a positive number; " + kMethodForms);
  }
  return value;
}

std::string format_parameter(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

}  // namespace

SegmentationMethod parse_segmentation_method(const std::string& text) {
  const size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const bool has_parameter = colon != std::string::npos;
  const std::string parameter = has_parameter ? text.substr(colon + 1) : std::string();
  SegmentationMethod method;
  auto without_parameter = [&](SegmentationMethodKind kind) {
    if (has_parameter) {
      throw InvalidInputError("--method '" + text + "': " + name + " takes no value; " +
                              kMethodForms);
    }
    method.kind = kind;
    method.value = 0.0;
    method.text = name;
    return method;
  };
  if (name == "fixed") {
    method.kind = SegmentationMethodKind::kFixed;
    method.value = parse_parameter(text, parameter);
  } else if (name == "percent-max") {
    method.kind = SegmentationMethodKind::kPercentMax;
    method.value = parse_parameter(text, parameter);
    if (method.value > 100.0) {
      throw InvalidInputError("--method '" + text + "': the percentage must be in (0, 100]");
    }
  } else if (name == "liver-multiple") {
    method.kind = SegmentationMethodKind::kLiverMultiple;
    method.value = parse_parameter(text, parameter);
  } else if (name == "a50") {
    return without_parameter(SegmentationMethodKind::kA50);
  } else if (name == "percist-liver") {
    return without_parameter(SegmentationMethodKind::kPercistLiver);
  } else if (name == "percist-blood-pool") {
    return without_parameter(SegmentationMethodKind::kPercistBloodPool);
  } else {
    throw InvalidInputError("--method '" + text + "' is unknown; " + kMethodForms);
  }
  method.text = name + ":" + format_parameter(method.value);
  return method;
}

}  // namespace oncotrace
