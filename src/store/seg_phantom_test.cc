// DICOM SEG on a simulated PET series written by the phantom module (built after the dicom
// module, hence this test lives here): round trip voxel for voxel, dciodvfy on the SEG, and
// dcentvfy on the SEG together with a source instance (patient and study attributes copied
// verbatim, interoperability.md §1.0 rules 1 and 8).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "oncotrace/dicom.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/phantom.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

// The output of a dicom3tools program and its error and warning lines (the phantom's series is
// complete, so that the SEG must not add even a warning).
std::vector<std::string> run_validator(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"cannot run " + command};
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    *output += buffer.data();
  }
  pclose(pipe);
  std::vector<std::string> errors;
  std::istringstream lines(*output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("Error") != std::string::npos || line.find("Warning") != std::string::npos) {
      errors.push_back(line);
    }
  }
  return errors;
}

TEST(DicomSegPhantomTest, CylinderSegmentationRoundTripsAndValidates) {
  PhantomRequest request;
  request.kind = PhantomKind::kCylinder;
  request.physics.noise = false;
  request.grid.emission_size = {40, 36, 12};  // 1440 pixels per plane
  request.write_ct = false;
  testing::TemporaryDirectory folder;
  const PhantomResult phantom = generate_phantom(request, folder.path() / "phantom");
  ASSERT_EQ(phantom.studies.size(), 1U);
  const auto& emission_folder = phantom.studies[0].emission_folder;
  const DiscoveryResult discovery = discover_dicom(emission_folder);
  const ImageSeries series = load_series(select_series(discovery, "", emission_folder.string()));
  const SeriesReference reference = series_reference(series);
  ASSERT_EQ(reference.planes.size(), 12U);

  // Label 1: the hot cylinder (above half its maximum); label 2: a box inside it on planes 4-6.
  const ImageVolume& image = series.frames[0].image;
  float maximum = 0.0F;
  for (float value : image.values) maximum = std::max(maximum, value);
  LabelMap labels(image.geometry, 0);
  for (size_t voxel = 0; voxel < image.values.size(); ++voxel) {
    if (image.values[voxel] > 0.5F * maximum) labels.values[voxel] = 1;
  }
  for (int64_t k = 4; k <= 6; ++k) {
    for (int64_t j = 15; j < 20; ++j) {
      for (int64_t i = 18; i < 23; ++i) labels.at(i, j, k) = 2;
    }
  }
  size_t cylinder_voxels = 0;
  for (uint16_t value : labels.values) cylinder_voxels += value == 1 ? 1 : 0;
  ASSERT_GT(cylinder_voxels, 1000U);

  SegmentDescription cylinder;
  cylinder.label = 1;
  cylinder.segment_label = "cylinder";
  cylinder.category = {"260787004", "SCT", "Physical object"};
  cylinder.type = {"122485", "DCM", "Sphere"};
  cylinder.algorithm_name = "oncotrace 50% of maximum";
  SegmentDescription lesion;
  lesion.label = 2;
  lesion.segment_label = "lesion 2";
  lesion.algorithm_type = SegmentAlgorithmType::kManual;
  const auto seg_path = folder.path() / "seg" / "cylinder_seg.dcm";
  const WrittenSegmentation written =
      write_dicom_seg(labels, reference, {cylinder, lesion}, seg_path);
  EXPECT_EQ(written.frame_count, 12U + 3U);

  const DicomSegmentation read = read_dicom_seg(seg_path, reference);
  ASSERT_TRUE(read.labels.geometry.same_grid_as(image.geometry));
  EXPECT_EQ(read.labels.values, labels.values);  // segment numbers equal the labels here
  EXPECT_EQ(read.referenced_series_uids, std::vector<std::string>{reference.series_instance_uid});

  // The SEG is a new series of the same patient and study.
  const DiscoveryResult with_seg = discover_dicom(folder.path());
  size_t series_in_study = 0;
  for (const DiscoveredSeries& found : with_seg.series) {
    EXPECT_EQ(found.header.study_instance_uid, reference.study_instance_uid);
    EXPECT_EQ(found.header.patient_id, reference.patient_id);
    ++series_in_study;
  }
  EXPECT_EQ(series_in_study, 2U);

  const std::string dciodvfy = ONCOTRACE_DCIODVFY;
  const std::string dcentvfy = ONCOTRACE_DCENTVFY;
  if (dciodvfy.empty() || dcentvfy.empty()) {
    GTEST_SKIP() << "*** SKIPPED: dciodvfy/dcentvfy (dicom3tools) not installed ***";
  }
  std::string iod_output;
  EXPECT_TRUE(
      run_validator("\"" + dciodvfy + "\" \"" + seg_path.string() + "\"", &iod_output).empty())
      << iod_output;
  std::cout << "dciodvfy on the SEG:\n" << iod_output;
  std::string entity_output;
  EXPECT_TRUE(run_validator("\"" + dcentvfy + "\" \"" + seg_path.string() + "\" \"" +
                                series.frames[0].slices[0].file + "\"",
                            &entity_output)
                  .empty())
      << entity_output;
  std::cout << "dcentvfy on SEG + source instance:\n" << entity_output;
}

}  // namespace
}  // namespace oncotrace
