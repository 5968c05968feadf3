#include "dicom/derived_test_support.h"

#include <cstdio>
#include <sstream>

#include "dicom/segmentation.h"
#include "dicom/test_dicom_writer.h"

namespace oncotrace::dicom::testing {

SyntheticSeries::SyntheticSeries(int planes, std::array<double, 6> orientation, Vec3 step_mm) {
  auto slices = make_stack(planes, 2.5);
  for (size_t k = 0; k < slices.size(); ++k) {
    slices[k].rows = 5;
    slices[k].columns = 7;
    slices[k].orientation = orientation;
    const double kk = static_cast<double>(k);
    slices[k].position_mm = {-30.0 + kk * step_mm[0], 12.5 + kk * step_mm[1],
                             -400.0 + kk * step_mm[2]};
    slices[k].stored_values = dicom::testing::ramp_values(5, 7, 100 * static_cast<int64_t>(k));
  }
  write_stack(slices, folder.path() / "pet");
  const DiscoveryResult discovery = discover_dicom(folder.path() / "pet");
  series = load_series(select_series(discovery, "", (folder.path() / "pet").string()));
  reference = series_reference(series);
}

LabelMap two_lesions(const Geometry& grid) {
  LabelMap labels(grid, 0);
  for (int64_t j = 0; j < grid.size[1]; ++j) {
    for (int64_t i = 0; i < grid.size[0]; ++i) {
      if ((i + 2 * j) % 3 == 0) labels.at(i, j, 1) = 3;
      if (i < 3 && j > 0) labels.at(i, j, 2) = 3;
      if (i >= 4 && j != 2) labels.at(i, j, 2) = 7;
    }
  }
  labels.at(6, 4, 4) = 7;
  labels.at(0, 0, 4) = 7;
  return labels;
}

std::vector<SegmentDescription> two_segments() {
  SegmentDescription first;
  first.label = 3;
  first.segment_label = "lesion 3";
  first.algorithm_type = SegmentAlgorithmType::kSemiautomatic;
  first.algorithm_name = "oncotrace 41% SUVmax";
  first.tracking_id = "L3";
  first.tracking_uid = dicom::new_uuid_uid();
  SegmentDescription second;
  second.label = 7;
  second.segment_label = "liver reference";
  second.category = anatomical_structure();
  second.type = {"10200004", "SCT", "Liver"};
  second.algorithm_type = SegmentAlgorithmType::kManual;
  return {first, second};
}

std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file, std::string* output) {
  const std::string command =
      std::string("\"") + ONCOTRACE_DCIODVFY + "\" \"" + file.string() + "\" 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"cannot run " + command};
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    *output += buffer.data();
  }
  const int status = pclose(pipe);
  std::vector<std::string> errors;
  std::istringstream lines(*output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Error", 0) == 0) errors.push_back(line);
  }
  if (status != 0 && errors.empty()) errors.push_back("exit status " + std::to_string(status));
  return errors;
}

}  // namespace oncotrace::dicom::testing
