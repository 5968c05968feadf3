#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "oncotrace/error.h"
#include "oncotrace/measure.h"

namespace oncotrace {
namespace {

Geometry cube_grid(int64_t n, double spacing_mm) {
  Geometry grid;
  grid.size = {n, n, n};
  grid.spacing_mm = {spacing_mm, spacing_mm, spacing_mm};
  grid.origin_mm = {-50.0, -60.0, -70.0};
  return grid;
}

size_t count_nonzero(const Mask& mask) {
  size_t count = 0;
  for (const uint8_t value : mask.values) count += value != 0 ? 1 : 0;
  return count;
}

TEST(ReferenceRegionTest, NominalVolumesOfPercistRegions) {
  // pet-quantification.md §10 / §13: liver sphere 3 cm = 14.137 mL; blood pool 1 x 2 cm
  // cylinder = pi 0.5^2 2 = 1.571 mL.
  EXPECT_NEAR(nominal_volume_ml(percist_liver_sphere({0, 0, 0})), 14.137, 5e-4);
  EXPECT_NEAR(nominal_volume_ml(percist_blood_pool_cylinder({0, 0, 0})), 1.5708, 5e-5);
}

TEST(ReferenceRegionTest, SphereRasterisationByVoxelCentre) {
  // 1 mm voxels: the voxel-centre count of a 30 mm sphere centred on a voxel centre is the number
  // of integer points with x^2 + y^2 + z^2 <= 225, counted here directly.
  const Geometry grid = cube_grid(41, 1.0);
  const Vec3 centre = grid.index_to_world(20, 20, 20);
  size_t expected = 0;
  for (int x = -15; x <= 15; ++x)
    for (int y = -15; y <= 15; ++y)
      for (int z = -15; z <= 15; ++z)
        if (x * x + y * y + z * z <= 225) ++expected;
  const Mask mask = rasterise_region(grid, percist_liver_sphere(centre));
  // Includes the points exactly on the surface, such as (15, 0, 0) and (9, 12, 0).
  EXPECT_EQ(count_nonzero(mask), expected);
  EXPECT_NEAR(count_nonzero(mask) * 0.001, 14.137, 0.01 * 14.137);
}

TEST(ReferenceRegionTest, CylinderAlongAnAxis) {
  // 1 x 2 cm cylinder along z on 1 mm voxels, centre between voxel centres in z so that 20 slices
  // (z = -9.5 .. 9.5 mm) lie inside; per slice the integer points with x^2 + y^2 <= 25 (81).
  Geometry grid = cube_grid(30, 1.0);
  const Vec3 centre = grid.index_to_world(Vec3{15.0, 15.0, 15.5});
  const Mask along_z = rasterise_region(grid, percist_blood_pool_cylinder(centre));
  EXPECT_EQ(count_nonzero(along_z), 20u * 81u);
  // The same cylinder along x gives the same count by symmetry of the lattice.
  const Vec3 centre_x = grid.index_to_world(Vec3{15.5, 15.0, 15.0});
  const Mask along_x = rasterise_region(grid, percist_blood_pool_cylinder(centre_x, {2.0, 0, 0}));
  EXPECT_EQ(count_nonzero(along_x), 20u * 81u);
  EXPECT_EQ(along_x.at(6, 15, 15), 1);   // x = -9.5 mm from the centre
  EXPECT_EQ(along_x.at(5, 15, 15), 0);   // x = -10.5 mm
  EXPECT_EQ(along_x.at(15, 20, 15), 1);  // radius 5 mm, on the surface
  EXPECT_EQ(along_x.at(15, 21, 15), 0);
}

TEST(ReferenceRegionTest, StatisticsOfLiverSphere) {
  // Alternate 2 and 4 by slice parity; the sphere (2 mm voxels, centred on a voxel) is symmetric
  // about its centre slice, which has value 2.
  const Geometry grid = cube_grid(30, 2.0);
  ImageVolume image(grid, 0.0f);
  for (int64_t k = 0; k < 30; ++k)
    for (int64_t j = 0; j < 30; ++j)
      for (int64_t i = 0; i < 30; ++i) image.at(i, j, k) = (k % 2 == 0) ? 2.0f : 4.0f;
  const Vec3 centre = grid.index_to_world(14, 14, 14);
  const ReferenceRegionStatistics stats =
      measure_reference_region(image, percist_liver_sphere(centre));
  const Mask mask = rasterise_region(grid, percist_liver_sphere(centre));
  size_t even = 0;
  size_t odd = 0;
  for (int64_t k = 0; k < 30; ++k)
    for (int64_t j = 0; j < 30; ++j)
      for (int64_t i = 0; i < 30; ++i)
        if (mask.at(i, j, k) != 0) ++(k % 2 == 0 ? even : odd);
  const double n = static_cast<double>(even + odd);
  const double mean = (2.0 * even + 4.0 * odd) / n;
  const double sd = std::sqrt((even * std::pow(2.0 - mean, 2) + odd * std::pow(4.0 - mean, 2)) / n);
  EXPECT_EQ(stats.voxel_count, even + odd);
  EXPECT_DOUBLE_EQ(stats.volume_ml, n * 0.008);
  EXPECT_NEAR(stats.nominal_volume_ml, 14.137, 5e-4);
  EXPECT_NEAR(stats.mean, mean, 1e-12);
  EXPECT_NEAR(stats.sd, sd, 1e-12);
  EXPECT_DOUBLE_EQ(stats.max, 4.0);
  EXPECT_DOUBLE_EQ(stats.min, 2.0);
  EXPECT_EQ(stats.spec.centre_mm, centre);
  EXPECT_FALSE(stats.spec.placed_automatically);
}

TEST(ReferenceRegionTest, RegionOutsideImageIsAnError) {
  const Geometry grid = cube_grid(10, 2.0);
  ImageVolume image(grid, 1.0f);
  EXPECT_THROW(measure_reference_region(image, percist_liver_sphere({500.0, 0.0, 0.0})),
               InvalidInputError);
  ReferenceRegionSpec broken = percist_blood_pool_cylinder({0, 0, 0}, {0, 0, 0});
  EXPECT_THROW(rasterise_region(grid, broken), InvalidInputError);
}

TEST(ReferenceRegionTest, PercistThresholdsByHand) {
  // Liver SULmean 2.0, SD 0.3: 1.5 x 2.0 + 2 x 0.3 = 3.6.
  EXPECT_DOUBLE_EQ(percist_liver_threshold(2.0, 0.3), 3.6);
  // Blood pool SULmean 1.6, SD 0.2: 2.0 x 1.6 + 2 x 0.2 = 3.6 (default), 2.0 x 1.6 = 3.2.
  EXPECT_DOUBLE_EQ(percist_blood_pool_threshold(1.6, 0.2), 3.6);
  EXPECT_DOUBLE_EQ(percist_blood_pool_threshold(1.6, 0.2, BloodPoolThresholdRule::kMeanOnly), 3.2);
}

}  // namespace
}  // namespace oncotrace
