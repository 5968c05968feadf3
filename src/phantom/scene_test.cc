#include "phantom/scene.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace oncotrace::phantom {
namespace {

Geometry cube_grid(int64_t n, double spacing_mm) {
  Geometry grid;
  grid.size = {n, n, n};
  grid.spacing_mm = {spacing_mm, spacing_mm, spacing_mm};
  const double origin = -0.5 * static_cast<double>(n - 1) * spacing_mm;
  grid.origin_mm = {origin, origin, origin};
  return grid;
}

TEST(ShapeTest, LevelIsOneOnTheSurfaceOfEveryKind) {
  const Shape ellipsoid = make_ellipsoid({1, 2, 3}, {10, 5, 4});
  EXPECT_NEAR(shape_level(ellipsoid, {11, 2, 3}), 1.0, 1e-12);
  EXPECT_NEAR(shape_level(ellipsoid, {1, 2, -1}), 1.0, 1e-12);
  const Shape cylinder = make_z_cylinder(0, 0, 10, 20, -5, 5);
  EXPECT_NEAR(shape_level(cylinder, {0, 20, 0}), 1.0, 1e-12);
  EXPECT_NEAR(shape_level(cylinder, {0, 0, 5}), 1.0, 1e-12);
  EXPECT_TRUE(shape_contains(cylinder, {7, 7, 0}));    // 0.49 + 0.1225 < 1
  EXPECT_FALSE(shape_contains(cylinder, {9, 10, 0}));  // 0.81 + 0.25 > 1
  const Shape box = make_box({0, 0, 0}, {1, 2, 3}, 90);
  // Rotated by 90 degrees about z: the 1 mm half-size now lies along y.
  EXPECT_TRUE(shape_contains(box, {1.9, 0.9, 0}));
  EXPECT_FALSE(shape_contains(box, {0.5, 1.1, 0}));
}

TEST(ShapeTest, BoundsContainEverySurfacePointOfARotatedEllipsoid) {
  const Shape shape = make_ellipsoid({5, -3, 2}, {20, 6, 9}, 35);
  const Bounds bounds = shape_bounds(shape);
  // Sample the surface in local coordinates and map it to LPS.
  for (int a = 0; a < 36; ++a) {
    for (int b = 0; b < 18; ++b) {
      const double theta = a * std::numbers::pi / 18, phi = b * std::numbers::pi / 17;
      const Vec3 u{20 * std::sin(phi) * std::cos(theta), 6 * std::sin(phi) * std::sin(theta),
                   9 * std::cos(phi)};
      Vec3 p{};
      for (int i = 0; i < 3; ++i) {
        p[i] = shape.centre_mm[i];
        for (int j = 0; j < 3; ++j) p[i] += shape.rotation[i * 3 + j] * u[j];
      }
      EXPECT_NEAR(shape_level(shape, p), 1.0, 1e-9);
      for (int i = 0; i < 3; ++i) {
        EXPECT_GE(p[i], bounds.min_mm[i] - 1e-9);
        EXPECT_LE(p[i], bounds.max_mm[i] + 1e-9);
      }
    }
  }
}

TEST(SceneTest, LaterShapesWinAndAirIsRegionZero) {
  Scene scene;
  scene.add_region({"air", 0, -1, false});
  const uint16_t outer = scene.add_region({"outer", 1, -1, false});
  const uint16_t inner = scene.add_region({"inner", 2, -1, false});
  scene.paint(make_sphere({0, 0, 0}, 10), outer);
  scene.paint(make_sphere({0, 0, 0}, 5), inner);
  EXPECT_EQ(scene.region_at({0, 0, 0}), inner);
  EXPECT_EQ(scene.region_at({7, 0, 0}), outer);
  EXPECT_EQ(scene.region_at({11, 0, 0}), 0);
}

// The boundary test only skips supersampling where it cannot matter: the adaptive result must be
// identical to supersampling every voxel by brute force.
TEST(RasterizeTest, AdaptiveSupersamplingEqualsBruteForce) {
  Scene scene;
  scene.add_region({"air", 0, -1, false});
  const uint16_t a = scene.add_region({"a", 1, -1, false});
  const uint16_t b = scene.add_region({"b", 2, -1, false});
  scene.paint(make_ellipsoid({1.3, -0.7, 0.4}, {17, 11, 13}, 25), a);
  scene.paint(make_box({4, 2, -3}, {5, 7, 4}, 10), b);
  const Geometry grid = cube_grid(16, 3.0);
  const int n = 4;
  const RegionFractions fractions = rasterize_scene(scene, grid, n);
  const std::vector<double> values{0.0, 1.0, 1000.0};
  const ImageVolume image = region_values_image(fractions, values);
  for (int64_t k = 0; k < 16; ++k) {
    for (int64_t j = 0; j < 16; ++j) {
      for (int64_t i = 0; i < 16; ++i) {
        const Vec3 centre = grid.index_to_world(i, j, k);
        double sum = 0.0;
        for (int c = 0; c < n; ++c) {
          for (int bb = 0; bb < n; ++bb) {
            for (int aa = 0; aa < n; ++aa) {
              const Vec3 p{centre[0] + 3.0 * ((aa + 0.5) / n - 0.5),
                           centre[1] + 3.0 * ((bb + 0.5) / n - 0.5),
                           centre[2] + 3.0 * ((c + 0.5) / n - 0.5)};
              sum += values[scene.region_at(p)];
            }
          }
        }
        ASSERT_NEAR(image.at(i, j, k), sum / (n * n * n), 1e-3) << i << " " << j << " " << k;
      }
    }
  }
}

TEST(RasterizeTest, PartialVolumeConservesTheTotalActivityOfASphere) {
  // Sphere of radius 21 mm, 1 Bq/mL, off-centre on a 4 mm grid: the voxel sum times the voxel
  // volume approaches the analytic 4/3 pi r^3 as supersampling grows.
  Scene scene;
  scene.add_region({"air", 0, -1, false});
  const uint16_t sphere = scene.add_region({"sphere", 1, -1, false});
  scene.paint(make_sphere({1.1, -0.6, 0.9}, 21.0), sphere);
  const Geometry grid = cube_grid(16, 4.0);
  const double analytic_ml = 4.0 / 3.0 * std::numbers::pi * 21.0 * 21.0 * 21.0 / 1000.0;
  double error_without = 0.0;
  for (int n : {1, 3, 7}) {
    const ImageVolume image = region_values_image(rasterize_scene(scene, grid, n), {0.0, 1.0});
    double total_ml = 0.0;
    for (float v : image.values) total_ml += v * grid.voxel_volume_ml();
    const double relative_error = std::abs(total_ml - analytic_ml) / analytic_ml;
    if (n == 1) error_without = relative_error;
    if (n == 3) {
      EXPECT_LT(relative_error, 0.01) << "supersampling 3";
    }
    if (n == 7) {
      EXPECT_LT(relative_error, 0.003) << "supersampling 7";
    }
  }
  EXPECT_GT(error_without, 0.0);
}

TEST(RasterizeTest, LabelMapUsesTheVoxelCentre) {
  Scene scene;
  scene.add_region({"air", 0, -1, false});
  const uint16_t sphere = scene.add_region({"sphere", 1, 0, false});
  scene.paint(make_sphere({0, 0, 0}, 5.0), sphere);
  const Geometry grid = cube_grid(5, 4.0);  // centres at -8, -4, 0, 4, 8
  const LabelMap labels = region_label_map(rasterize_scene(scene, grid, 3), {0, 7});
  int64_t labelled = 0;
  for (uint16_t v : labels.values) labelled += v == 7 ? 1 : 0;
  // Centres within 5 mm of the origin: (0,0,0) and the 6 face neighbours at 4 mm.
  EXPECT_EQ(labelled, 7);
  EXPECT_EQ(labels.at(2, 2, 2), 7);
  EXPECT_EQ(labels.at(3, 3, 2), 0);  // 5.66 mm
}

TEST(RasterizeTest, ResultDoesNotDependOnTheTranslationOfPureRegions) {
  // A uniform region far from any boundary is exactly its value.
  Scene scene;
  scene.add_region({"air", 0, -1, false});
  const uint16_t big = scene.add_region({"big", 1, -1, false});
  scene.paint(make_z_cylinder(0, 0, 100, 100, -100, 100), big);
  const ImageVolume image =
      region_values_image(rasterize_scene(scene, cube_grid(20, 4.0), 3), {0.0, 3456.5});
  EXPECT_EQ(image.at(10, 10, 10), 3456.5f);
}

}  // namespace
}  // namespace oncotrace::phantom
