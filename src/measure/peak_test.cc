// SUVpeak variants against values computed here by brute force: every voxel of a cube around
// each candidate centre is tested explicitly for sphere membership (centre distance, or the
// volume fraction for partial-volume weighting, with no shortcut for voxels wholly inside or
// outside), without the module's kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/measure.h"

namespace oncotrace {
namespace {

constexpr double kOneMlRadiusMm = 6.203504908994;  // (3 / (4 pi))^(1/3) cm

Geometry cube_grid(int64_t n, const Vec3& spacing_mm) {
  Geometry grid;
  grid.size = {n, n, n};
  grid.spacing_mm = spacing_mm;
  grid.origin_mm = {-40.0, 25.0, -300.0};
  return grid;
}

// Sphere of SUV 10 in background 1 plus reproducible noise, so that peak variants differ.
struct NoisySphere {
  ImageVolume image;
  Mask region;
};

NoisySphere noisy_sphere(const Geometry& grid, const Index3& centre, double radius_mm) {
  NoisySphere phantom{ImageVolume(grid, 0.0f), Mask(grid, 0)};
  std::mt19937 random(12345);
  std::uniform_real_distribution<float> noise(0.0f, 4.0f);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const double dx = (i - centre[0]) * grid.spacing_mm[0];
        const double dy = (j - centre[1]) * grid.spacing_mm[1];
        const double dz = (k - centre[2]) * grid.spacing_mm[2];
        const bool inside = dx * dx + dy * dy + dz * dz <= radius_mm * radius_mm;
        phantom.image.at(i, j, k) = (inside ? 10.0f : 1.0f) + noise(random);
        phantom.region.at(i, j, k) = inside ? 1 : 0;
      }
    }
  }
  return phantom;
}

// Brute-force sphere weights of the voxel offsets in a cube of +-6 voxels (generous for r = 6.2 mm
// and spacing >= 2 mm): 1/0 by centre distance (subdivisions 0), or the voxel's volume fraction
// inside the sphere by the definition of measure.h (n x n columns along k, exact chord length in
// each), evaluated for every voxel with no shortcut for voxels wholly inside or outside.
constexpr int kReach = 6;
using WeightCube = std::vector<double>;  // (2 kReach + 1)^3, di fastest

double column_fraction(const Index3& d, const Vec3& s, double radius_mm, int n) {
  double chords = 0.0;
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      const double x = (d[0] - 0.5 + (a + 0.5) / n) * s[0];
      const double y = (d[1] - 0.5 + (b + 0.5) / n) * s[1];
      const double h2 = radius_mm * radius_mm - x * x - y * y;
      if (h2 <= 0.0) continue;
      const double h = std::sqrt(h2);
      const double low = std::max(-h, (d[2] - 0.5) * s[2]);
      const double high = std::min(h, (d[2] + 0.5) * s[2]);
      if (high > low) chords += high - low;
    }
  }
  return chords / (n * n * s[2]);
}

WeightCube brute_force_weights(const Vec3& spacing_mm, double radius_mm, int subdivisions) {
  WeightCube weights;
  for (int64_t dk = -kReach; dk <= kReach; ++dk) {
    for (int64_t dj = -kReach; dj <= kReach; ++dj) {
      for (int64_t di = -kReach; di <= kReach; ++di) {
        if (subdivisions == 0) {
          const double x = di * spacing_mm[0];
          const double y = dj * spacing_mm[1];
          const double z = dk * spacing_mm[2];
          weights.push_back(x * x + y * y + z * z <= radius_mm * radius_mm ? 1.0 : 0.0);
        } else {
          weights.push_back(column_fraction({di, dj, dk}, spacing_mm, radius_mm, subdivisions));
        }
      }
    }
  }
  return weights;
}

// Sphere mean at voxel `c`. Outside-image positions count as 0 with their weight in the
// denominator (zero_outside) or are skipped; `restrict_to` limits contributors to a mask.
double brute_force_sphere_mean(const ImageVolume& image, const Index3& c, const WeightCube& weights,
                               bool zero_outside, const Mask* restrict_to) {
  const Geometry& grid = image.geometry;
  double weighted_sum = 0.0;
  double weight_sum = 0.0;
  size_t n = 0;
  for (int64_t dk = -kReach; dk <= kReach; ++dk) {
    for (int64_t dj = -kReach; dj <= kReach; ++dj) {
      for (int64_t di = -kReach; di <= kReach; ++di) {
        const double weight = weights[n++];
        if (weight == 0.0) continue;
        const Index3 v{c[0] + di, c[1] + dj, c[2] + dk};
        if (!grid.contains(v)) {
          if (zero_outside && restrict_to == nullptr) weight_sum += weight;
          continue;
        }
        if (restrict_to != nullptr && restrict_to->at(v[0], v[1], v[2]) == 0) continue;
        weighted_sum += weight * image.at(v[0], v[1], v[2]);
        weight_sum += weight;
      }
    }
  }
  return weighted_sum / weight_sum;
}

struct BruteForcePeak {
  double global = -std::numeric_limits<double>::infinity();
  double local = -std::numeric_limits<double>::infinity();
};

BruteForcePeak brute_force_peak(const ImageVolume& image, const Mask& region, int subdivisions,
                                bool zero_outside, bool restricted) {
  const Geometry& grid = image.geometry;
  float maximum = -std::numeric_limits<float>::infinity();
  for (size_t n = 0; n < image.values.size(); ++n) {
    if (region.values[n] != 0) maximum = std::max(maximum, image.values[n]);
  }
  const WeightCube weights = brute_force_weights(grid.spacing_mm, kOneMlRadiusMm, subdivisions);
  BruteForcePeak peak;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        if (region.at(i, j, k) == 0) continue;
        const double mean = brute_force_sphere_mean(image, {i, j, k}, weights, zero_outside,
                                                    restricted ? &region : nullptr);
        peak.global = std::max(peak.global, mean);
        if (image.at(i, j, k) == maximum) peak.local = std::max(peak.local, mean);
      }
    }
  }
  return peak;
}

TEST(PeakTest, SphereRadiusOfOneMillilitre) {
  EXPECT_NEAR(sphere_radius_mm(1.0), kOneMlRadiusMm, 1e-9);
  // 4/3 pi r^3 = V for another volume.
  const double r = sphere_radius_mm(14.137);
  EXPECT_NEAR(4.0 / 3.0 * std::numbers::pi * r * r * r / 1000.0, 14.137, 1e-9);
}

TEST(PeakTest, VariantNamesForProvenance) {
  EXPECT_EQ(peak_variant_name(ibsi_global_peak()), "ibsi_global");
  EXPECT_EQ(peak_variant_name(ibsi_local_peak()), "ibsi_local");
  EXPECT_EQ(peak_variant_name(region_restricted_global_peak()), "region_restricted_global");
  EXPECT_EQ(peak_variant_name(partial_volume_global_peak()), "partial_volume_global");
  EXPECT_EQ(peak_variant_name(partial_volume_local_peak()), "partial_volume_local");
  PeakOptions edge = ibsi_global_peak();
  edge.outside_image = PeakOutsideImage::kExclude;
  EXPECT_EQ(peak_variant_name(edge), "ibsi_global_inside_image_only");
}

TEST(PeakTest, UniformSphereHasPeakEqualToItsValue) {
  // SUV 10 sphere (r = 15 mm) in background 1 on 2 mm voxels: a 1 mL sphere around the centre
  // lies wholly in the lesion, so every variant gives 10.
  const Geometry grid = cube_grid(32, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  Mask region(grid, 0);
  for (int64_t k = 0; k < 32; ++k) {
    for (int64_t j = 0; j < 32; ++j) {
      for (int64_t i = 0; i < 32; ++i) {
        const double d2 = 4.0 * ((i - 16) * (i - 16) + (j - 16) * (j - 16) + (k - 16) * (k - 16));
        if (d2 <= 225.0) {
          image.at(i, j, k) = 10.0f;
          region.at(i, j, k) = 1;
        }
      }
    }
  }
  for (const PeakOptions& options :
       {ibsi_global_peak(), ibsi_local_peak(), region_restricted_global_peak(),
        partial_volume_global_peak(), partial_volume_local_peak()}) {
    EXPECT_DOUBLE_EQ(compute_peak(image, region, options).value, 10.0)
        << peak_variant_name(options);
  }
}

TEST(PeakTest, VoxelCentreKernelCountsOnAnisotropicGrid) {
  // STS_001 spacing: 1 + 2 + 2 + 2 + 4 + 4 = 15 voxel centres within 6.2035 mm (test-data.md
  // S12): (+-1,0,0) at 4.69 mm, (0,0,+-1) at 3.27 mm, (+-1,0,+-1) at 5.72 mm; (+-1,+-1,0) at
  // 6.63 mm and (0,0,+-2) at 6.54 mm are outside.
  Geometry grid = cube_grid(9, {4.6875, 4.6875, 3.27});
  ImageVolume image(grid, 2.0f);
  Mask region(grid, 0);
  region.at(4, 4, 4) = 1;
  const PeakResult peak = compute_peak(image, region, ibsi_global_peak());
  EXPECT_EQ(peak.kernel_voxel_count, 15u);
  EXPECT_EQ(peak.contributing_voxel_count, 15u);
  EXPECT_DOUBLE_EQ(peak.kernel_weight, 15.0);
  EXPECT_NEAR(peak.radius_mm, kOneMlRadiusMm, 1e-9);
  EXPECT_DOUBLE_EQ(peak.value, 2.0);
  const Vec3 expected_mm = grid.index_to_world(4, 4, 4);
  for (int axis = 0; axis < 3; ++axis) EXPECT_DOUBLE_EQ(peak.centre_mm[axis], expected_mm[axis]);
}

TEST(PeakTest, PartialVolumeKernelWeighsOneMillilitre) {
  // The partial-volume weights add up to the sphere volume in voxels: 1000 mm^3 / 8 mm^3 = 125
  // (the column rule is accurate to about 1e-4 here).
  const Geometry grid = cube_grid(9, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  Mask region(grid, 0);
  region.at(4, 4, 4) = 1;
  const PeakResult peak = compute_peak(image, region, partial_volume_global_peak());
  EXPECT_NEAR(peak.kernel_weight, 125.0, 0.0125);
  EXPECT_GT(peak.kernel_voxel_count, 125u);
}

TEST(PeakTest, PartialVolumeSphereInsideOneLargeVoxel) {
  // 20 mm voxels: the 1 mL sphere (r = 6.2 mm) lies inside the centre voxel and reaches no
  // neighbour, so the only weight is 1000 / 8000 = 0.125. A centre-inclusion kernel holds the
  // centre voxel alone.
  const Geometry grid = cube_grid(3, {20.0, 20.0, 20.0});
  ImageVolume image(grid, 3.0f);
  image.at(1, 1, 1) = 5.0f;
  Mask region(grid, 0);
  region.at(1, 1, 1) = 1;
  const PeakResult weighted = compute_peak(image, region, partial_volume_global_peak());
  EXPECT_EQ(weighted.kernel_voxel_count, 1u);
  EXPECT_NEAR(weighted.kernel_weight, 0.125, 0.125 * 1e-4);
  EXPECT_DOUBLE_EQ(weighted.value, 5.0);
  EXPECT_EQ(compute_peak(image, region, ibsi_global_peak()).kernel_voxel_count, 1u);
}

class NoisySpherePeakTest : public ::testing::Test {
 protected:
  // r = 9 mm lesion on 2 x 2.5 x 3 mm voxels, off-centre so that spheres reach the image edge.
  NoisySpherePeakTest() : phantom_(noisy_sphere(cube_grid(14, {2.0, 2.5, 3.0}), {5, 6, 4}, 9.0)) {}
  NoisySphere phantom_;
};

TEST_F(NoisySpherePeakTest, IbsiGlobalAndLocalMatchBruteForce) {
  const BruteForcePeak expected = brute_force_peak(phantom_.image, phantom_.region, 0, true, false);
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, ibsi_global_peak()).value,
              expected.global, 1e-9);
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, ibsi_local_peak()).value,
              expected.local, 1e-9);
  EXPECT_GT(expected.global, expected.local);  // the variants really differ here
}

TEST_F(NoisySpherePeakTest, RegionRestrictedMatchesBruteForce) {
  const BruteForcePeak expected = brute_force_peak(phantom_.image, phantom_.region, 0, true, true);
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, region_restricted_global_peak()).value,
              expected.global, 1e-9);
  PeakOptions restricted_local = region_restricted_global_peak();
  restricted_local.centre = PeakCentre::kHottestVoxel;
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, restricted_local).value, expected.local,
              1e-9);
}

TEST_F(NoisySpherePeakTest, PartialVolumeMatchesBruteForce) {
  const BruteForcePeak expected =
      brute_force_peak(phantom_.image, phantom_.region, 64, true, false);
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, partial_volume_global_peak()).value,
              expected.global, 1e-9);
  EXPECT_NEAR(compute_peak(phantom_.image, phantom_.region, partial_volume_local_peak()).value,
              expected.local, 1e-9);
}

TEST_F(NoisySpherePeakTest, OutsideImageZeroOrExcluded) {
  // A region on the k = 0 face: every sphere reaches outside the image, where the two edge rules
  // differ (zeros in the denominator, or the mean over the inside positions only).
  Mask face(phantom_.image.geometry, 0);
  for (int64_t j = 3; j < 10; ++j)
    for (int64_t i = 3; i < 10; ++i) face.at(i, j, 0) = 1;
  const BruteForcePeak zero = brute_force_peak(phantom_.image, face, 0, true, false);
  const BruteForcePeak inside = brute_force_peak(phantom_.image, face, 0, false, false);
  EXPECT_LT(zero.global, inside.global);
  PeakOptions exclude = ibsi_global_peak();
  exclude.outside_image = PeakOutsideImage::kExclude;
  const PeakResult excluded = compute_peak(phantom_.image, face, exclude);
  EXPECT_NEAR(excluded.value, inside.global, 1e-9);
  EXPECT_LT(excluded.contributing_voxel_count, excluded.kernel_voxel_count);
  const PeakResult zeroed = compute_peak(phantom_.image, face, ibsi_global_peak());
  EXPECT_NEAR(zeroed.value, zero.global, 1e-9);
  EXPECT_EQ(zeroed.contributing_voxel_count, zeroed.kernel_voxel_count);
}

TEST(PeakTest, LocalPeakTieGoesToHighestMean) {
  // Two voxels share the maximum 5; the one with hotter neighbours gives the higher mean.
  const Geometry grid = cube_grid(20, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  Mask region(grid, 0);
  for (int64_t i = 4; i <= 15; ++i) region.at(i, 10, 10) = 1;
  image.at(5, 10, 10) = 5.0f;
  image.at(14, 10, 10) = 5.0f;
  image.at(14, 11, 10) = 3.0f;  // neighbour of the second maximum
  const PeakResult peak = compute_peak(image, region, ibsi_local_peak());
  EXPECT_EQ(peak.centre_index, (Index3{14, 10, 10}));
  // 1 mL at 2 mm spacing: 4/3 pi (6.2035/2)^3 ~ 125 points; count the kernel and check the sum.
  const double expected =
      (5.0 + 3.0 + (peak.kernel_voxel_count - 2) * 1.0) / peak.kernel_voxel_count;
  EXPECT_DOUBLE_EQ(peak.value, expected);
}

TEST(PeakTest, RejectsEmptyRegionAndGridMismatch) {
  const Geometry grid = cube_grid(5, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  EXPECT_THROW(compute_peak(image, Mask(grid, 0), ibsi_global_peak()), InvalidInputError);
  Geometry other = grid;
  other.spacing_mm[0] = 3.0;
  Mask region(other, 1);
  EXPECT_THROW(compute_peak(image, region, ibsi_global_peak()), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
