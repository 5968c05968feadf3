// Builders for response test timepoints (tests only).
#ifndef ONCOTRACE_RESPONSE_RESPONSE_TEST_SUPPORT_H_
#define ONCOTRACE_RESPONSE_RESPONSE_TEST_SUPPORT_H_

#include <algorithm>
#include <optional>
#include <string>

#include "oncotrace/response.h"

namespace oncotrace::response_test {

inline ResponseLesion sul_lesion(const std::string& id, double sul_peak,
                                 const std::string& organ = "bone") {
  ResponseLesion lesion;
  lesion.id = id;
  lesion.organ = organ;
  lesion.sul_peak = sul_peak;
  lesion.tlg_sul_g = 10.0 * sul_peak;  // TLG moves with SULpeak (no TLG-rule PMD of its own)
  lesion.tlg_g = 12.0 * sul_peak;
  return lesion;
}

inline ResponseLesion suv_lesion(const std::string& id, double suv_max,
                                 const std::string& organ = "bone") {
  ResponseLesion lesion;
  lesion.id = id;
  lesion.organ = organ;
  lesion.suv_max = suv_max;
  return lesion;
}

// An FDG timepoint with a liver SUL reference (mean, SD), a blood-pool SUL reference and
// comparable acquisition data; 2 cycles completed at a follow-up.
inline ResponseTimepoint fdg_timepoint(const std::string& label, double liver_mean = 2.0,
                                       double liver_sd = 0.2) {
  ResponseTimepoint timepoint;
  timepoint.label = label;
  timepoint.tracer = "fdg";
  timepoint.uptake_time_min = 60.0;
  timepoint.scanner = "Vendor Model A";
  timepoint.reconstruction = "OSEM 3i21s";
  timepoint.sul_normalization = "g/ml{SUVlbm(Janma)}";
  timepoint.liver_sul = ReferenceStatistics{liver_mean, liver_sd};
  timepoint.blood_pool_sul = ReferenceStatistics{1.6, 0.2};  // CMR level 1.6 + 2 x 0.2 = 2.0
  timepoint.cycles_completed = label == "baseline" ? std::optional<int>(0) : std::optional<int>(2);
  return timepoint;
}

inline const ResponseNumber* find_number(const ResponseAssessment& a, const std::string& name) {
  for (const ResponseNumber& number : a.numbers) {
    if (number.name == name) return &number;
  }
  return nullptr;
}

inline const ResponseCheck* find_check(const ResponseAssessment& a, const std::string& name) {
  for (const ResponseCheck& check : a.checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

inline const LesionResponse* find_lesion_row(const ResponseAssessment& a, const std::string& id) {
  for (const LesionResponse& row : a.lesions) {
    if (row.id == id) return &row;
  }
  return nullptr;
}

inline bool has_role(const LesionResponse* row, const std::string& role) {
  return row && std::find(row->roles.begin(), row->roles.end(), role) != row->roles.end();
}

inline bool any_contains(const std::vector<std::string>& texts, const std::string& part) {
  return std::any_of(texts.begin(), texts.end(), [&part](const std::string& text) {
    return text.find(part) != std::string::npos;
  });
}

}  // namespace oncotrace::response_test

#endif  // ONCOTRACE_RESPONSE_RESPONSE_TEST_SUPPORT_H_
