// Projections: positions follow the geometry whatever the axis order and signs.
#include <gtest/gtest.h>

#include <cmath>

#include "oncotrace/error.h"
#include "oncotrace/report.h"

namespace oncotrace {
namespace {

// 40 x 30 x 50 voxels of 2 x 3 x 4 mm, value 1, with a sphere of radius 9 mm (value 5) around
// voxel (25, 10, 35) whose centre voxel holds 12.
ImageVolume sphere_volume(const Mat3& direction) {
  Geometry grid;
  grid.size = {40, 30, 50};
  grid.spacing_mm = {2.0, 3.0, 4.0};
  grid.origin_mm = {-40.0, -45.0, -100.0};
  grid.direction = direction;
  ImageVolume image(grid, 1.0F);
  const Vec3 centre = grid.index_to_world(25, 10, 35);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const Vec3 p = grid.index_to_world(i, j, k);
        const double d = std::hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
        if (d <= 9.0) image.at(i, j, k) = 5.0F;
      }
    }
  }
  image.at(25, 10, 35) = 12.0F;
  return image;
}

const Mat3 kIdentity{1, 0, 0, 0, 1, 0, 0, 0, 1};
const Mat3 kFlippedXZ{-1, 0, 0, 0, 1, 0, 0, 0, -1};  // i towards the right, k towards the feet

// Projection pixel of a world position.
std::array<double, 2> pixel_of(const Projection& projection, const Vec3& world) {
  const double along = projection.view == ProjectionView::kCoronal ? world[0] : world[1];
  return {(along - projection.column_origin_mm) / projection.column_spacing_mm,
          (projection.row_origin_mm - world[2]) / projection.row_spacing_mm};
}

TEST(ProjectionTest, CoronalMipOfIdentityGridHasTheSphereWhereItMustBe) {
  const ImageVolume image = sphere_volume(kIdentity);
  const Projection mip = maximum_intensity_projection(image, ProjectionView::kCoronal);
  ASSERT_EQ(mip.width, 40);
  ASSERT_EQ(mip.height, 50);
  EXPECT_DOUBLE_EQ(mip.column_spacing_mm, 2.0);
  EXPECT_DOUBLE_EQ(mip.row_spacing_mm, 4.0);
  EXPECT_DOUBLE_EQ(mip.column_origin_mm, -40.0);         // x of i = 0
  EXPECT_DOUBLE_EQ(mip.row_origin_mm, -100.0 + 49 * 4);  // z of the top plane
  // Hand-computed: column = i = 25, row = 49 - k = 14.
  EXPECT_FLOAT_EQ(mip.at(25, 14), 12.0F);
  EXPECT_FLOAT_EQ(mip.at(25, 14 + 3), 1.0F);  // 12 mm from the centre in z: outside (r = 9)
  EXPECT_FLOAT_EQ(mip.at(25, 14 + 2), 5.0F);  // 8 mm: inside
  EXPECT_FLOAT_EQ(mip.at(0, 0), 1.0F);
  float highest = 0.0F;
  size_t where = 0;
  for (size_t n = 0; n < mip.values.size(); ++n) {
    if (mip.values[n] > highest) highest = mip.values[n], where = n;
  }
  EXPECT_EQ(where, static_cast<size_t>(14 * 40 + 25));
}

TEST(ProjectionTest, SagittalMipRunsAnteriorToPosterior) {
  const ImageVolume image = sphere_volume(kIdentity);
  const Projection mip = maximum_intensity_projection(image, ProjectionView::kSagittal);
  ASSERT_EQ(mip.width, 30);
  ASSERT_EQ(mip.height, 50);
  EXPECT_DOUBLE_EQ(mip.column_spacing_mm, 3.0);
  EXPECT_DOUBLE_EQ(mip.column_origin_mm, -45.0);
  EXPECT_FLOAT_EQ(mip.at(10, 14), 12.0F);
  const std::array<char, 4> letters = projection_edge_letters(ProjectionView::kSagittal);
  EXPECT_EQ(letters[0], 'A');
  EXPECT_EQ(letters[1], 'P');
}

TEST(ProjectionTest, FlippedAxesKeepRightOnTheLeftAndHeadOnTop) {
  for (const Mat3& direction : {kIdentity, kFlippedXZ}) {
    const ImageVolume image = sphere_volume(direction);
    const Vec3 hot = image.geometry.index_to_world(25, 10, 35);
    for (const ProjectionView view : {ProjectionView::kCoronal, ProjectionView::kSagittal}) {
      const Projection mip = maximum_intensity_projection(image, view);
      const std::array<double, 2> pixel = pixel_of(mip, hot);
      EXPECT_NEAR(pixel[0], std::round(pixel[0]), 1e-9);
      EXPECT_NEAR(pixel[1], std::round(pixel[1]), 1e-9);
      EXPECT_FLOAT_EQ(mip.at(std::lround(pixel[0]), std::lround(pixel[1])), 12.0F);
      // Column coordinates increase to the right, rows go down towards the feet.
      EXPECT_GT(mip.column_spacing_mm, 0.0);
    }
  }
  // With x flipped, the voxel i = 0 is the patient's leftmost: the last column.
  const ImageVolume flipped = sphere_volume(kFlippedXZ);
  const Projection mip = maximum_intensity_projection(flipped, ProjectionView::kCoronal);
  EXPECT_DOUBLE_EQ(mip.column_origin_mm, -40.0 - 39 * 2.0);
  EXPECT_DOUBLE_EQ(mip.row_origin_mm, -100.0);  // k = 0 is the top plane
  EXPECT_FLOAT_EQ(mip.at(39 - 25, 35), 12.0F);
}

TEST(ProjectionTest, PermutedAxesAreProjectedAlongThePatientAxes) {
  // i along z (head), j along x, k along y: a grid of sagittal-like slices.
  Geometry grid;
  grid.size = {20, 10, 8};
  grid.spacing_mm = {1.0, 2.0, 3.0};
  grid.direction = {0, 1, 0, 0, 0, 1, 1, 0, 0};
  ImageVolume image(grid, 0.0F);
  image.at(15, 3, 5) = 7.0F;
  const Vec3 hot = grid.index_to_world(15, 3, 5);
  const Projection coronal = maximum_intensity_projection(image, ProjectionView::kCoronal);
  EXPECT_EQ(coronal.width, 10);   // x from j
  EXPECT_EQ(coronal.height, 20);  // z from i
  const std::array<double, 2> pixel = pixel_of(coronal, hot);
  EXPECT_FLOAT_EQ(coronal.at(std::lround(pixel[0]), std::lround(pixel[1])), 7.0F);
  EXPECT_EQ(std::lround(pixel[0]), 3);
  EXPECT_EQ(std::lround(pixel[1]), 19 - 15);
}

TEST(ProjectionTest, GridWithTwoAxesAlongOnePatientAxisIsRefused) {
  Geometry grid;
  grid.size = {4, 4, 4};
  const double c = std::sqrt(0.5);
  grid.direction = {c, 0.6, 0, c, 0.8, 0, 0, 0, 1};
  ImageVolume image(grid, 0.0F);
  // Axis 0 is nearest x (tie resolved to x), axis 1 nearest y: accepted.
  EXPECT_NO_THROW(maximum_intensity_projection(image, ProjectionView::kCoronal));
  grid.direction = {1, 1, 0, 0, 0, 0, 0, 0, 1};
  image.geometry = grid;
  EXPECT_THROW(maximum_intensity_projection(image, ProjectionView::kCoronal), UnsupportedDataError);
}

TEST(ProjectionTest, LabelFootprintsAreTheProjectedLesions) {
  const ImageVolume image = sphere_volume(kIdentity);
  LabelMap labels(image.geometry, 0);
  for (size_t n = 0; n < labels.values.size(); ++n) {
    if (image.values[n] >= 5.0F) labels.values[n] = 3;
  }
  labels.at(2, 2, 2) = 1;
  const std::vector<LabelFootprint> footprints = project_labels(labels, ProjectionView::kCoronal);
  ASSERT_EQ(footprints.size(), 2u);
  EXPECT_EQ(footprints[0].label, 1);
  EXPECT_EQ(footprints[1].label, 3);
  EXPECT_TRUE(footprints[0].contains(2, 47));
  EXPECT_EQ(footprints[0].width, 1);
  // Brute force: a pixel (i, row) is inside when some j has the label.
  const LabelFootprint& sphere = footprints[1];
  size_t expected = 0, found = 0;
  for (int64_t k = 0; k < 50; ++k) {
    for (int64_t i = 0; i < 40; ++i) {
      bool any = false;
      for (int64_t j = 0; j < 30; ++j) any = any || labels.at(i, j, k) == 3;
      expected += any ? 1 : 0;
      EXPECT_EQ(sphere.contains(i, 49 - k), any) << i << "," << k;
      found += sphere.contains(i, 49 - k) ? 1 : 0;
    }
  }
  EXPECT_EQ(found, expected);
  EXPECT_GT(found, 10u);
  EXPECT_TRUE(sphere.contains(25, 14));
}

TEST(ProjectionTest, CtAttenuationProjectionIsTheMeanRelativeAttenuation) {
  const ImageVolume pet = sphere_volume(kIdentity);
  // Water CT at 1 mm covering the PET's whole y range, then only its anterior half.
  Geometry ct_grid;
  ct_grid.size = {80, 90, 200};
  ct_grid.spacing_mm = {1.0, 1.0, 1.0};
  ct_grid.origin_mm = {-41.0, -46.5, -102.0};
  ImageVolume ct(ct_grid, 0.0F);
  Projection projection = ct_attenuation_projection(ct, pet.geometry, ProjectionView::kCoronal);
  ASSERT_EQ(projection.values.size(), 40u * 50u);
  EXPECT_FLOAT_EQ(projection.at(20, 10), 1.0F);
  // Bone (+1000 HU) in the posterior half of y: PET planes j = 15..29 sample y >= 0.
  for (int64_t k = 0; k < ct_grid.size[2]; ++k) {
    for (int64_t j = 0; j < ct_grid.size[1]; ++j) {
      for (int64_t i = 0; i < ct_grid.size[0]; ++i) {
        if (ct_grid.index_to_world(i, j, k)[1] >= -0.25) ct.at(i, j, k) = 1000.0F;
      }
    }
  }
  projection = ct_attenuation_projection(ct, pet.geometry, ProjectionView::kCoronal);
  EXPECT_FLOAT_EQ(projection.at(20, 10), (15 * 1.0F + 15 * 2.0F) / 30.0F);
  // Air outside the CT: a CT that misses the PET gives zero.
  ct.geometry.origin_mm = {500.0, 500.0, 500.0};
  projection = ct_attenuation_projection(ct, pet.geometry, ProjectionView::kCoronal);
  EXPECT_FLOAT_EQ(projection.at(20, 10), 0.0F);
}

}  // namespace
}  // namespace oncotrace
