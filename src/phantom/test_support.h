// Helpers shared by the phantom tests: running dciodvfy and reading DICOM values with DCMTK.
#ifndef ONCOTRACE_PHANTOM_TEST_SUPPORT_H_
#define ONCOTRACE_PHANTOM_TEST_SUPPORT_H_

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace oncotrace::phantom::testing {

// The "Error" lines dciodvfy prints for a file (empty when it validates). dciodvfy is the
// dicom3tools validator (David Clunie); its warnings are allowed.
inline std::vector<std::string> dciodvfy_errors(const std::string& program,
                                                const std::filesystem::path& file,
                                                std::string* full_output = nullptr) {
  const std::string command = "\"" + program + "\" \"" + file.string() + "\" 2>&1";
  std::vector<std::string> errors;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"cannot run " + command};
  std::array<char, 4096> buffer{};
  std::string output;
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    output += buffer.data();
  }
  pclose(pipe);
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Error", 0) == 0) errors.push_back(line);
  }
  if (full_output != nullptr) *full_output = output;
  return errors;
}

inline std::string read_string(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  item->findAndGetOFStringArray(tag, value);
  // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
  // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
  return value.c_str();
}

inline double read_double(DcmItem* item, const DcmTagKey& tag) {
  Float64 value = 0.0;
  item->findAndGetFloat64(tag, value);
  return value;
}

// Rescaled value (slope * stored + intercept) of pixel (i, j) of a single-frame int16 file.
inline double rescaled_pixel(DcmDataset* ds, int64_t i, int64_t j) {
  const Uint16* pixels = nullptr;
  unsigned long count = 0;
  ds->findAndGetUint16Array(DCM_PixelData, pixels, &count);
  Uint16 columns = 0;
  ds->findAndGetUint16(DCM_Columns, columns);
  const auto stored = static_cast<int16_t>(pixels[j * columns + i]);
  return read_double(ds, DCM_RescaleSlope) * stored + read_double(ds, DCM_RescaleIntercept);
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

}  // namespace oncotrace::phantom::testing

#endif  // ONCOTRACE_PHANTOM_TEST_SUPPORT_H_
