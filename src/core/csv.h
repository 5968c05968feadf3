// CSV field quoting shared by the CSV writers (lesions.csv, patient_lesions.csv,
// response_changes.csv, radiomics tables). Header-only.
#ifndef ONCOTRACE_SRC_CORE_CSV_H_
#define ONCOTRACE_SRC_CORE_CSV_H_

#include <string>

namespace oncotrace {

// Quotes a CSV field when it holds a separator, quote or line break (RFC 4180).
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace oncotrace

#endif  // ONCOTRACE_SRC_CORE_CSV_H_
