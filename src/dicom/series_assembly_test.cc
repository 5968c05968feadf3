#include "dicom/series_assembly.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Planes of 4 x 3 pixels, spacing 2 (rows) x 3 (columns) mm, one file per plane, identity
// orientation, at the given z positions.
std::vector<InstanceHeader> stack_at(const std::vector<double>& z_mm) {
  std::vector<InstanceHeader> instances;
  for (size_t k = 0; k < z_mm.size(); ++k) {
    InstanceHeader instance;
    instance.file = "slice_" + std::to_string(k) + ".dcm";
    instance.pixels.rows = 3;
    instance.pixels.columns = 4;
    PlaneHeader plane;
    plane.record.file = instance.file;
    plane.record.position_mm = {-10.0, 20.0, z_mm[k]};
    plane.has_position = plane.has_orientation = true;
    plane.row_spacing_mm = 2.0;
    plane.column_spacing_mm = 3.0;
    instance.planes.push_back(plane);
    instances.push_back(instance);
  }
  return instances;
}

SeriesHeader series_header(const std::string& series_type = "STATIC\\IMAGE") {
  SeriesHeader header;
  header.series_instance_uid = "1.2.3";
  if (!series_type.empty()) header.series_type = {series_type.substr(0, series_type.find('\\'))};
  header.series_date = "20250101";
  header.series_time = "100000";
  return header;
}

std::vector<double> planned_z(const SeriesPlan& plan, const std::vector<InstanceHeader>& instances,
                              size_t frame = 0) {
  std::vector<double> z;
  for (const PlaneRef& ref : plan.frames[frame].planes) {
    z.push_back(instances[ref.instance].planes[ref.plane].record.position_mm[2]);
  }
  return z;
}

std::string error_of(const std::vector<InstanceHeader>& instances,
                     const SeriesHeader& header = series_header(),
                     const SeriesLoadOptions& options = {}) {
  try {
    plan_series(instances, header, options);
  } catch (const InvalidInputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SeriesAssemblyTest, SortsAlongTheNormalAndBuildsTheGrid) {
  const auto instances = stack_at({8.0, 0.0, 12.0, 4.0});
  const SeriesPlan plan = plan_series(instances, series_header(), {});
  ASSERT_EQ(plan.frames.size(), 1u);
  EXPECT_EQ(planned_z(plan, instances), (std::vector<double>{0.0, 4.0, 8.0, 12.0}));
  const Geometry& grid = plan.geometry;
  EXPECT_EQ(grid.size, (Index3{4, 3, 4}));
  EXPECT_EQ(grid.spacing_mm, (Vec3{3.0, 2.0, 4.0}));  // columns, rows, slices
  EXPECT_EQ(grid.origin_mm, (Vec3{-10.0, 20.0, 0.0}));
  EXPECT_EQ(grid.direction, (Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_TRUE(plan.notes.empty());
  // The last voxel centre lands on the last plane.
  const Vec3 last = grid.index_to_world(3, 2, 3);
  EXPECT_DOUBLE_EQ(last[0], -10.0 + 3 * 3.0);
  EXPECT_DOUBLE_EQ(last[1], 20.0 + 2 * 2.0);
  EXPECT_DOUBLE_EQ(last[2], 12.0);
}

// Feet-first or a flipped orientation: the normal r x c points down, so the planes sort by
// descending z and the third direction column is (0, 0, -1).
TEST(SeriesAssemblyTest, NormalFollowsTheCrossProductOfTheOrientation) {
  auto instances = stack_at({0.0, 5.0, 10.0});
  for (auto& instance : instances) instance.planes[0].column_direction = {0.0, -1.0, 0.0};
  const SeriesPlan plan = plan_series(instances, series_header(), {});
  EXPECT_EQ(planned_z(plan, instances), (std::vector<double>{10.0, 5.0, 0.0}));
  EXPECT_EQ(plan.geometry.origin_mm[2], 10.0);
  EXPECT_EQ(plan.geometry.direction, (Mat3{1, 0, 0, 0, -1, 0, 0, 0, -1}));
  EXPECT_DOUBLE_EQ(plan.geometry.spacing_mm[2], 5.0);
}

TEST(SeriesAssemblyTest, ObliqueStack) {
  const double c = std::sqrt(0.5);
  std::vector<InstanceHeader> instances = stack_at({0, 0, 0});
  for (size_t k = 0; k < instances.size(); ++k) {
    PlaneHeader& plane = instances[k].planes[0];
    plane.row_direction = {c, c, 0.0};
    plane.column_direction = {0.0, 0.0, -1.0};
    // normal = r x c = (-c, c, 0)
    plane.record.position_mm = {-c * 2.5 * k, c * 2.5 * k, 0.0};
  }
  std::swap(instances[0], instances[2]);
  const SeriesPlan plan = plan_series(instances, series_header(), {});
  EXPECT_NEAR(plan.geometry.spacing_mm[2], 2.5, 1e-12);
  EXPECT_NEAR(plan.geometry.origin_mm[0], 0.0, 1e-12);
  EXPECT_NEAR(plan.geometry.direction[0 * 3 + 2], -c, 1e-12);
  EXPECT_NEAR(plan.geometry.direction[1 * 3 + 2], c, 1e-12);
}

// STS_001 raw: 3.27 mm with 3.19 mm / 3.29 mm at bed junctions (test-data.md §2).
TEST(SeriesAssemblyTest, SmallStepsAtBedJunctionsAreAbsorbedAndReported) {
  std::vector<double> z{0.0};
  for (int k = 1; k < 12; ++k) z.push_back(z.back() + (k == 4 ? 3.19 : k == 8 ? 3.29 : 3.27));
  const auto instances = stack_at(z);
  const SeriesPlan plan = plan_series(instances, series_header(), {});
  EXPECT_NEAR(plan.geometry.spacing_mm[2], 3.27, 1e-9);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_THAT(plan.notes[0], AllOf(HasSubstr("median gap 3.27 mm"), HasSubstr("2 of 11 gaps"),
                                   HasSubstr("0.08 mm")));
  SeriesLoadOptions strict;
  strict.slice_spacing_tolerance_mm = 0.05;
  EXPECT_THAT(error_of(instances, series_header(), strict),
              AllOf(HasSubstr("non-uniform slice spacing"), HasSubstr("slice_3.dcm"),
                    HasSubstr("slice_4.dcm"), HasSubstr("1.2.3")));
}

TEST(SeriesAssemblyTest, MissingSliceIsReportedAsAGap) {
  EXPECT_THAT(error_of(stack_at({0.0, 2.0, 6.0, 8.0, 10.0})),
              AllOf(HasSubstr("series 1.2.3"), HasSubstr("gap of 4 mm"), HasSubstr("slice_1.dcm"),
                    HasSubstr("slice_2.dcm"), HasSubstr("1 slice(s) missing")));
}

TEST(SeriesAssemblyTest, DuplicatePositionsAreRefused) {
  EXPECT_THAT(error_of(stack_at({0.0, 2.0, 2.0, 4.0})),
              AllOf(HasSubstr("two planes at the same position 2 mm"), HasSubstr("slice_1.dcm"),
                    HasSubstr("slice_2.dcm")));
}

TEST(SeriesAssemblyTest, MixedSizesOrientationsAndSpacingsAreRefused) {
  auto sizes = stack_at({0, 2, 4});
  sizes[2].pixels.rows = 5;
  EXPECT_THAT(error_of(sizes),
              AllOf(HasSubstr("mixed image sizes"), HasSubstr("slice_2.dcm"), HasSubstr("4x5")));
  auto orientations = stack_at({0, 2, 4});
  orientations[1].planes[0].row_direction = {0.0, 1.0, 0.0};
  orientations[1].planes[0].column_direction = {1.0, 0.0, 0.0};
  EXPECT_THAT(error_of(orientations),
              AllOf(HasSubstr("mixed orientations"), HasSubstr("slice_1.dcm")));
  auto spacings = stack_at({0, 2, 4});
  spacings[1].planes[0].row_spacing_mm = 2.5;
  EXPECT_THAT(error_of(spacings), AllOf(HasSubstr("mixed PixelSpacing"), HasSubstr("slice_1.dcm")));
}

TEST(SeriesAssemblyTest, ShearedStackIsRefused) {
  auto instances = stack_at({0, 2, 4});
  instances[2].planes[0].record.position_mm[0] += 1.0;  // a tilted gantry shifts x with z
  EXPECT_THAT(error_of(instances), AllOf(HasSubstr("shifted in-plane"), HasSubstr("slice_2.dcm")));
}

TEST(SeriesAssemblyTest, MissingGeometryIsMissingMetadata) {
  auto instances = stack_at({0, 2});
  instances[1].planes[0].has_position = false;
  EXPECT_THROW(plan_series(instances, series_header(), {}), MissingMetadataError);
}

TEST(SeriesAssemblyTest, SinglePlaneTakesTheSliceThickness) {
  auto instances = stack_at({7.0});
  instances[0].planes[0].slice_thickness_mm = 3.5;
  const SeriesPlan plan = plan_series(instances, series_header(), {});
  EXPECT_EQ(plan.geometry.size[2], 1);
  EXPECT_DOUBLE_EQ(plan.geometry.spacing_mm[2], 3.5);
}

// Dynamic PET, 3 frames x 4 slices: ImageIndex = (TimeSliceIndex - 1) * NumberOfSlices +
// SliceIndex [PS3.3 C.8.9.4.1.9].
std::vector<InstanceHeader> dynamic_series(bool with_image_index) {
  std::vector<double> z;
  for (int t = 0; t < 3; ++t) {
    for (int s = 0; s < 4; ++s) z.push_back(3.0 * s);
  }
  auto instances = stack_at(z);
  for (int t = 0; t < 3; ++t) {
    for (int s = 0; s < 4; ++s) {
      SliceRecord& record =
          instances[static_cast<size_t>(t) * 4 + static_cast<size_t>(s)].planes[0].record;
      if (with_image_index) record.image_index = t * 4 + s + 1;
      record.frame_reference_time_ms = 60000.0 * t + 30000.0;
      record.actual_frame_duration_ms = 60000.0;
      record.acquisition_date = "20250101";
      record.acquisition_time = "1000" + std::to_string(t) + "0";  // 10:00:00, 10:00:10, ...
    }
  }
  std::reverse(instances.begin(), instances.end());
  return instances;
}

TEST(SeriesAssemblyTest, DynamicFramesFromImageIndex) {
  const auto instances = dynamic_series(true);
  SeriesHeader header = series_header("DYNAMIC\\IMAGE");
  header.number_of_slices.value = 4;
  const SeriesPlan plan = plan_series(instances, header, {});
  ASSERT_EQ(plan.frames.size(), 3u);
  for (size_t f = 0; f < 3; ++f) {
    EXPECT_EQ(planned_z(plan, instances, f), (std::vector<double>{0, 3, 6, 9}));
    for (const PlaneRef& ref : plan.frames[f].planes) {
      EXPECT_EQ((*instances[ref.instance].planes[ref.plane].record.image_index - 1) / 4,
                static_cast<int64_t>(f));
    }
    EXPECT_DOUBLE_EQ(*plan.frames[f].start_s, 10.0 * f);  // acquisition time minus series time
    EXPECT_DOUBLE_EQ(*plan.frames[f].duration_s, 60.0);
  }
  EXPECT_THAT(plan.notes[0], HasSubstr("ImageIndex"));
}

TEST(SeriesAssemblyTest, DynamicFramesWithoutImageIndexGroupByFrameReferenceTime) {
  const auto instances = dynamic_series(false);
  const SeriesPlan plan = plan_series(instances, series_header("DYNAMIC\\IMAGE"), {});
  ASSERT_EQ(plan.frames.size(), 3u);
  EXPECT_EQ(planned_z(plan, instances, 2), (std::vector<double>{0, 3, 6, 9}));
  EXPECT_THAT(plan.notes[0], HasSubstr("grouped by FrameReferenceTime"));
  EXPECT_DOUBLE_EQ(*plan.frames[1].start_s, 10.0);
}

// Without distinct acquisition times, the frame start falls back to FrameReferenceTime.
TEST(SeriesAssemblyTest, FrameStartFallsBackToFrameReferenceTime) {
  auto instances = dynamic_series(false);
  for (auto& instance : instances) instance.planes[0].record.acquisition_time = "100000";
  const SeriesPlan plan = plan_series(instances, series_header("DYNAMIC\\IMAGE"), {});
  ASSERT_EQ(plan.frames.size(), 3u);
  EXPECT_DOUBLE_EQ(*plan.frames[2].start_s, 150.0);
  EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(), [](const std::string& note) {
    return note.find("frame start taken from FrameReferenceTime") != std::string::npos;
  }));
}

// A STATIC series never splits into frames: repeated positions are duplicates.
TEST(SeriesAssemblyTest, StaticSeriesWithRepeatedPositionsIsRefused) {
  EXPECT_THAT(error_of(dynamic_series(false), series_header("STATIC\\IMAGE")),
              HasSubstr("two planes at the same position"));
}

// STS_001: GE writes NumberOfTimeSlices 6 (the beds) for a STATIC whole-body series, with
// ImageIndex 1..267 = NumberOfSlices: one frame.
TEST(SeriesAssemblyTest, WholeBodyImageIndexWithinOneFrame) {
  std::vector<double> z;
  z.reserve(10);
  for (int k = 0; k < 10; ++k) z.push_back(3.27 * k);
  auto instances = stack_at(z);
  for (size_t k = 0; k < instances.size(); ++k) {
    instances[k].planes[0].record.image_index = static_cast<int64_t>(10 - k);
    const size_t bed = k / 4;  // four instances per bed position
    instances[k].planes[0].record.frame_reference_time_ms = 243000.0 * static_cast<double>(bed);
  }
  SeriesHeader header = series_header("STATIC\\IMAGE");
  header.number_of_slices.value = 10;
  header.number_of_time_slices.value = 3;
  const SeriesPlan plan = plan_series(instances, header, {});
  EXPECT_EQ(plan.frames.size(), 1u);
  EXPECT_EQ(plan.geometry.size[2], 10);
}

TEST(SeriesAssemblyTest, FramesMustShareThePositions) {
  auto instances = dynamic_series(true);
  for (auto& instance : instances) {  // frame 3 shifted by half a slice
    if (*instance.planes[0].record.image_index > 8) instance.planes[0].record.position_mm[2] += 1.5;
  }
  SeriesHeader header = series_header("DYNAMIC\\IMAGE");
  header.number_of_slices.value = 4;
  EXPECT_THAT(error_of(instances, header), HasSubstr("is not at the position of frame 1"));
}

}  // namespace
}  // namespace oncotrace::dicom
