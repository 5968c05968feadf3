// Small JSON value helpers shared by the writers of JSON documents (lesions.json, patient.json,
// response.json): one spelling of a 3-vector and of an absent number. Header-only; the users link
// nlohmann_json themselves.
#ifndef ONCOTRACE_SRC_CORE_JSON_VALUES_H_
#define ONCOTRACE_SRC_CORE_JSON_VALUES_H_

#include <nlohmann/json.hpp>
#include <optional>

#include "oncotrace/geometry.h"

namespace oncotrace {

// [x, y, z]
inline nlohmann::ordered_json vec3_json(const Vec3& value) {
  return nlohmann::ordered_json::array({value[0], value[1], value[2]});
}

// The number, or null when absent.
inline nlohmann::ordered_json optional_number_json(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace oncotrace

#endif  // ONCOTRACE_SRC_CORE_JSON_VALUES_H_
