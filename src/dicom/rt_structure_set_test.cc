// The RT Structure Set writer: outline tracing along voxel edges, the round trip through the
// RTSTRUCT reader's centre-in-polygon rasterisation, and dciodvfy.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "dicom/derived_test_support.h"
#include "dicom/rt_contours.h"
#include "oncotrace/dicom_rtstruct.h"
#include "oncotrace/error.h"
#include "oncotrace/rtstruct.h"

namespace oncotrace {
namespace {

using dicom::CornerLoop;
using dicom::trace_region_outlines;
using dicom::testing::dciodvfy_errors;
using dicom::testing::SyntheticSeries;

std::vector<uint8_t> plane_of(const std::vector<std::string>& rows) {
  // rows[0] is j = 0; '#' inside.
  std::vector<uint8_t> inside;
  for (const std::string& row : rows) {
    for (const char c : row) inside.push_back(c == '#' ? 1 : 0);
  }
  return inside;
}

TEST(OutlineTracingTest, SingleVoxelIsOneCounterClockwiseSquare) {
  const auto loops = trace_region_outlines(plane_of({"...", ".#.", "..."}), 3, 3);
  ASSERT_EQ(loops.size(), 1U);
  EXPECT_EQ(loops[0], (CornerLoop{{1, 1}, {2, 1}, {2, 2}, {1, 2}}));
}

TEST(OutlineTracingTest, StraightRunsKeepOnlyTheirEnds) {
  // An L shape: 6 corners.
  const auto loops = trace_region_outlines(plane_of({"###", "#..", "#.."}), 3, 3);
  ASSERT_EQ(loops.size(), 1U);
  EXPECT_EQ(loops[0], (CornerLoop{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 3}, {0, 3}}));
}

TEST(OutlineTracingTest, HoleIsASeparateClockwiseLoop) {
  const auto loops = trace_region_outlines(plane_of({"###", "#.#", "###"}), 3, 3);
  ASSERT_EQ(loops.size(), 2U);
  EXPECT_EQ(loops[0], (CornerLoop{{0, 0}, {3, 0}, {3, 3}, {0, 3}}));
  EXPECT_EQ(loops[1], (CornerLoop{{1, 1}, {1, 2}, {2, 2}, {2, 1}}));  // region on the left
}

TEST(OutlineTracingTest, DiagonalNeighboursGetSeparateLoops) {
  const auto loops = trace_region_outlines(plane_of({"#.", ".#"}), 2, 2);
  ASSERT_EQ(loops.size(), 2U);
  EXPECT_EQ(loops[0], (CornerLoop{{0, 0}, {1, 0}, {1, 1}, {0, 1}}));
  EXPECT_EQ(loops[1], (CornerLoop{{1, 1}, {2, 1}, {2, 2}, {1, 2}}));
  EXPECT_TRUE(trace_region_outlines(plane_of({"..", ".."}), 2, 2).empty());
}

// The fixture's two lesions (label 3 has many diagonal contacts on plane 1, label 7 touches the
// plane borders and skips plane 3) plus a ring with a hole (label 5, plane 0).
LabelMap test_labels(const Geometry& grid) {
  LabelMap labels = dicom::testing::two_lesions(grid);
  for (int64_t j = 0; j < 5; ++j) {
    for (int64_t i = 1; i <= 5; ++i) labels.at(i, j, 0) = (i == 3 && j == 2) ? 0 : 5;
  }
  return labels;
}

std::vector<RtStructureRoi> test_rois() {
  RtStructureRoi lesion;
  lesion.label = 3;
  lesion.name = "lesion 3";
  lesion.generation_description = "oncotrace fixed:2.5";
  RtStructureRoi liver;
  liver.label = 7;
  liver.name = "liver reference";
  liver.interpreted_type = "ORGAN";
  liver.generation_algorithm = "MANUAL";
  liver.display_colour = rtstruct_display_colour(1);
  RtStructureRoi ring;
  ring.label = 5;
  ring.name = "ring";
  return {lesion, liver, ring};
}

TEST(RtStructWriterTest, RoundTripThroughTheReaderIsIdenticalVoxelForVoxel) {
  SyntheticSeries source;
  const LabelMap labels = test_labels(source.reference.grid);
  const auto path = source.folder.path() / "rt" / "lesions.rtstruct.dcm";
  std::filesystem::create_directories(path.parent_path());
  const WrittenStructureSet written = write_rtstruct(labels, source.reference, test_rois(), path);
  EXPECT_GT(written.contour_count, 10U);

  const StructureSet read = read_rtstruct(path);
  EXPECT_EQ(read.sop_instance_uid, written.sop_instance_uid);
  EXPECT_EQ(read.study_instance_uid, source.reference.study_instance_uid);
  EXPECT_EQ(read.frame_of_reference_uid, source.reference.frame_of_reference_uid);
  EXPECT_EQ(read.referenced_series_uids,
            std::vector<std::string>{source.reference.series_instance_uid});
  ASSERT_EQ(read.roi_names(), (std::vector<std::string>{"lesion 3", "liver reference", "ring"}));
  EXPECT_EQ(read.roi("liver reference").interpreted_type, "ORGAN");
  EXPECT_EQ(read.roi("liver reference").generation_algorithm, "MANUAL");
  ASSERT_TRUE(read.roi("liver reference").display_color.has_value());
  const auto colour = rtstruct_display_colour(1);
  EXPECT_EQ((*read.roi("liver reference").display_color)[0], colour[0]);
  EXPECT_EQ(read.roi("lesion 3").generation_algorithm, "AUTOMATIC");

  RasterisationOptions options;
  options.image_frame_of_reference_uid = source.reference.frame_of_reference_uid;
  for (const RtStructureRoi& roi : test_rois()) {
    const Mask mask = rasterise_roi(read, roi.name, source.reference.grid, options);
    size_t differences = 0;
    size_t voxels = 0;
    for (size_t v = 0; v < labels.values.size(); ++v) {
      const bool expected = labels.values[v] == roi.label;
      voxels += expected ? 1 : 0;
      differences += (mask.values[v] != 0) != expected ? 1 : 0;
    }
    EXPECT_GT(voxels, 0U) << roi.name;
    EXPECT_EQ(differences, 0U) << roi.name;
  }
}

TEST(RtStructWriterTest, ValidatesWithDciodvfy) {
  if (std::string(ONCOTRACE_DCIODVFY).empty()) {
    GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  }
  SyntheticSeries source;
  const auto path = source.folder.path() / "lesions.rtstruct.dcm";
  write_rtstruct(test_labels(source.reference.grid), source.reference, test_rois(), path);
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(path, &output).empty()) << output;
  std::cout << "dciodvfy on the RT Structure Set:\n" << output;
}

TEST(RtStructWriterTest, RefusesBadRegionsAndLeavesNoFile) {
  SyntheticSeries source;
  const LabelMap labels = test_labels(source.reference.grid);
  const auto path = source.folder.path() / "bad.rtstruct.dcm";
  std::vector<RtStructureRoi> rois = test_rois();
  rois[0].label = 9;  // no voxel
  EXPECT_THROW(write_rtstruct(labels, source.reference, rois, path), InvalidInputError);
  rois = test_rois();
  rois[1].label = 3;  // described twice
  EXPECT_THROW(write_rtstruct(labels, source.reference, rois, path), InvalidInputError);
  rois = test_rois();
  rois[2].name.clear();
  EXPECT_THROW(write_rtstruct(labels, source.reference, rois, path), InvalidInputError);
  rois = test_rois();
  rois[0].label = 0;
  EXPECT_THROW(write_rtstruct(labels, source.reference, rois, path), InvalidInputError);
  Geometry other = source.reference.grid;
  other.spacing_mm[0] *= 2.0;
  EXPECT_THROW(write_rtstruct(LabelMap(other, 0), source.reference, test_rois(), path),
               InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace oncotrace
