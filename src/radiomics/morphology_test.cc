#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <random>

#include "radiomics/mesh.h"
#include "radiomics/morphology.h"

namespace oncotrace::radiomics::detail {
namespace {

constexpr double kPi = std::numbers::pi;

struct PaddedMask {
  Index3 size;
  std::vector<uint8_t> values;
  size_t offset(int64_t i, int64_t j, int64_t k) const {
    return static_cast<size_t>(i + size[0] * (j + size[1] * k));
  }
};

PaddedMask box_mask(int a, int b, int c) {
  PaddedMask mask{{a + 2, b + 2, c + 2}, {}};
  mask.values.assign(
      static_cast<size_t>(a + 2) * static_cast<size_t>(b + 2) * static_cast<size_t>(c + 2), 0);
  for (int k = 1; k <= c; ++k) {
    for (int j = 1; j <= b; ++j) {
      for (int i = 1; i <= a; ++i) mask.values[mask.offset(i, j, k)] = 1;
    }
  }
  return mask;
}

PaddedMask random_mask(int n, unsigned seed) {
  PaddedMask mask{{n + 2, n + 2, n + 2}, {}};
  mask.values.assign(
      static_cast<size_t>(n + 2) * static_cast<size_t>(n + 2) * static_cast<size_t>(n + 2), 0);
  std::mt19937 random(seed);
  for (int k = 1; k <= n; ++k) {
    for (int j = 1; j <= n; ++j) {
      for (int i = 1; i <= n; ++i) mask.values[mask.offset(i, j, k)] = (random() % 2) != 0;
    }
  }
  return mask;
}

TEST(MarchingCubes, SingleVoxelIsAnOctahedron) {
  const PaddedMask mask = box_mask(1, 1, 1);
  const TriangleMesh mesh = marching_cubes(mask.size, {1, 1, 1}, mask.values);
  EXPECT_EQ(mesh.vertices.size(), 6u);
  EXPECT_EQ(mesh.faces.size(), 8u);
  // Octahedron with vertices 0.5 from the centre: V = (4/3) r^3, A = 8 * (sqrt(3)/4) (r sqrt 2)^2.
  EXPECT_NEAR(mesh_volume(mesh), 1.0 / 6.0, 1e-12);
  EXPECT_NEAR(mesh_area(mesh), std::sqrt(3.0), 1e-12);
}

TEST(MarchingCubes, BoxVolumeLosesItsChamfers) {
  // A box of a x b x c unit voxels: flat faces on the voxel boundaries, each edge chamfered by
  // a prism of cross-section 1/8 over (length - 1), each corner cut by 5/48:
  //   V = abc - (a + b + c - 3)/2 - 5/6.
  const PaddedMask mask = box_mask(3, 4, 5);
  const TriangleMesh mesh = marching_cubes(mask.size, {1, 1, 1}, mask.values);
  EXPECT_NEAR(mesh_volume(mesh), 60.0 - 4.5 - 5.0 / 6.0, 1e-9);
  // Anisotropic spacing scales the volume by the voxel volume.
  const TriangleMesh scaled = marching_cubes(mask.size, {2, 0.5, 3}, mask.values);
  EXPECT_NEAR(mesh_volume(scaled), 3.0 * (60.0 - 4.5 - 5.0 / 6.0), 1e-9);
}

TEST(MarchingCubes, RandomMasksGiveClosedConsistentlyOrientedSurfaces) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const PaddedMask mask = random_mask(6, seed);
    const TriangleMesh mesh = marching_cubes(mask.size, {1, 1, 1}, mask.values);
    // Every directed edge appears once and its reverse once: closed and oriented.
    std::map<std::pair<int32_t, int32_t>, int> directed;
    for (const auto& face : mesh.faces) {
      for (int e = 0; e < 3; ++e) ++directed[{face[e], face[(e + 1) % 3]}];
    }
    for (const auto& [edge, count] : directed) {
      ASSERT_EQ(count, 1) << "seed " << seed;
      ASSERT_EQ(directed.count({edge.second, edge.first}), 1u) << "seed " << seed;
    }
    // Outward orientation: the signed volume is positive.
    double six_volume = 0.0;
    for (const auto& face : mesh.faces) {
      const Vec3& a = mesh.vertices[static_cast<size_t>(face[0])];
      const Vec3& b = mesh.vertices[static_cast<size_t>(face[1])];
      const Vec3& c = mesh.vertices[static_cast<size_t>(face[2])];
      six_volume += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                    a[2] * (b[0] * c[1] - b[1] * c[0]);
    }
    EXPECT_GT(six_volume, 0.0);
  }
}

TEST(MarchingCubes, VoxelisedBallApproachesTheSphere) {
  const int radius = 12;
  const int n = 2 * radius + 3;
  PaddedMask mask{{n, n, n}, std::vector<uint8_t>(static_cast<size_t>(n * n * n), 0)};
  const double centre = (n - 1) / 2.0;
  for (int k = 0; k < n; ++k) {
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < n; ++i) {
        const double d2 =
            (i - centre) * (i - centre) + (j - centre) * (j - centre) + (k - centre) * (k - centre);
        mask.values[mask.offset(i, j, k)] = d2 <= radius * radius ? 1 : 0;
      }
    }
  }
  const TriangleMesh mesh = marching_cubes(mask.size, {1, 1, 1}, mask.values);
  const double sphere_volume = 4.0 / 3.0 * kPi * radius * radius * radius;
  EXPECT_NEAR(mesh_volume(mesh) / sphere_volume, 1.0, 0.03);
  // Marching cubes on a voxelised surface overestimates the area by several per cent.
  EXPECT_NEAR(mesh_area(mesh) / (4.0 * kPi * radius * radius), 1.0, 0.08);
}

TEST(ConvexHull, UnitCube) {
  std::vector<Vec3> points;
  points.reserve(8);
  for (int corner = 0; corner < 8; ++corner) {
    points.push_back({static_cast<double>(corner & 1), static_cast<double>((corner >> 1) & 1),
                      static_cast<double>((corner >> 2) & 1)});
  }
  points.push_back({0.5, 0.5, 0.5});  // interior point, not a hull vertex
  const ConvexHull hull = convex_hull(points);
  ASSERT_TRUE(hull.valid);
  EXPECT_NEAR(hull.volume, 1.0, 1e-12);
  EXPECT_NEAR(hull.area, 6.0, 1e-12);
  EXPECT_EQ(hull.vertex_indices.size(), 8u);
}

TEST(ConvexHull, FlatPointSetIsReportedInvalid) {
  const std::vector<Vec3> points{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 0}, {0.5, 0.5, 0}};
  EXPECT_FALSE(convex_hull(points).valid);
}

TEST(EllipsoidArea, SphereAndTheIbsiSeries) {
  EXPECT_NEAR(ellipsoid_area(3, 3, 3), 4.0 * kPi * 9.0, 1e-9);
  // a = 2, b = c = 1: alpha = beta = sqrt(3/4), the Legendre argument is 1 and P_nu(1) = 1, so
  // the IBSI series is 4 pi a b sum_{nu=0}^{20} (3/4)^nu / (1 - 4 nu^2). (The truncated series
  // is what the IBSI reference values use; it is not the exact spheroid area.)
  double series = 0.0;
  for (int nu = 0; nu <= 20; ++nu) series += std::pow(0.75, nu) / (1.0 - 4.0 * nu * nu);
  EXPECT_NEAR(ellipsoid_area(2, 1, 1), 8.0 * kPi * series, 1e-9);
}

RoiGrid random_roi(unsigned seed) {
  RoiGrid roi;
  roi.size = {9, 8, 7};
  roi.spacing_mm = {0.8, 1.1, 2.5};
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> intensity(-100.0, 300.0);
  roi.intensity.resize(roi.voxel_count());
  roi.intensity_mask.assign(roi.voxel_count(), 0);
  for (int64_t k = 1; k + 1 < roi.size[2]; ++k) {
    for (int64_t j = 1; j + 1 < roi.size[1]; ++j) {
      for (int64_t i = 1; i + 1 < roi.size[0]; ++i) {
        const size_t offset = roi.offset(i, j, k);
        roi.intensity[offset] = intensity(random);
        roi.intensity_mask[offset] = (random() % 4) != 0;
      }
    }
  }
  roi.morphological_mask = roi.intensity_mask;
  return roi;
}

TEST(SpatialAutocorrelation, FftSumsEqualTheDirectDoubleSum) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const RoiGrid roi = random_roi(seed);
    const SpatialAutocorrelation direct = spatial_autocorrelation_direct(roi);
    const SpatialAutocorrelation fast = spatial_autocorrelation_fft(roi);
    EXPECT_NEAR(fast.morans_i, direct.morans_i, 1e-10);
    EXPECT_NEAR(fast.gearys_c, direct.gearys_c, 1e-10);
  }
}

TEST(SpatialAutocorrelation, CheckerboardIsPerfectlyDispersed) {
  // Alternating values along x in one row: neighbours always differ, so Moran's I < 0 and
  // Geary's C > 1.
  RoiGrid roi;
  roi.size = {8, 3, 3};
  roi.intensity.assign(roi.voxel_count(), 0.0);
  roi.intensity_mask.assign(roi.voxel_count(), 0);
  for (int64_t i = 1; i < 7; ++i) {
    roi.intensity[roi.offset(i, 1, 1)] = i % 2 == 0 ? 1.0 : -1.0;
    roi.intensity_mask[roi.offset(i, 1, 1)] = 1;
  }
  roi.morphological_mask = roi.intensity_mask;
  const SpatialAutocorrelation result = spatial_autocorrelation_direct(roi);
  EXPECT_LT(result.morans_i, 0.0);
  EXPECT_GT(result.gearys_c, 1.0);
}

TEST(Morphology, BoxFeaturesFollowFromTheMesh) {
  const PaddedMask mask = box_mask(4, 4, 4);
  RoiGrid roi;
  roi.size = mask.size;
  roi.spacing_mm = {2, 2, 2};
  roi.morphological_mask = mask.values;
  roi.intensity_mask = mask.values;
  roi.intensity.assign(mask.values.size(), 0.0);
  for (size_t v = 0; v < mask.values.size(); ++v)
    roi.intensity[v] = mask.values[v] != 0 ? 5.0 : 0.0;
  FeatureList list;
  add_morphology_features(roi, list);
  std::map<std::string, double> value;
  for (const Feature& feature : list.features()) value[feature.tag] = feature.value;
  EXPECT_EQ(list.features().size(), 29u);
  const double volume = 8.0 * (64.0 - 4.5 - 5.0 / 6.0);
  EXPECT_NEAR(value["morph_volume"], volume, 1e-9);
  EXPECT_NEAR(value["morph_vol_approx"], 512.0, 1e-9);
  EXPECT_NEAR(value["morph_integ_int"], 5.0 * volume, 1e-9);
  // Uniform intensity: the weighted centre is the geometric centre.
  EXPECT_NEAR(value["morph_com"], 0.0, 1e-9);
  // Cube: three equal principal axes, elongation and flatness 1.
  EXPECT_NEAR(value["morph_pca_elongation"], 1.0, 1e-9);
  EXPECT_NEAR(value["morph_pca_flatness"], 1.0, 1e-9);
  // Mesh extends from voxel boundary to voxel boundary: AABB 8 mm per side; the OMBB of a cube
  // is its AABB.
  EXPECT_NEAR(value["morph_vol_dens_aabb"], volume / 512.0, 1e-9);
  EXPECT_NEAR(value["morph_vol_dens_ombb"], volume / 512.0, 1e-9);
  // The mesh is convex: hull volume = mesh volume.
  EXPECT_NEAR(value["morph_vol_dens_conv_hull"], 1.0, 1e-9);
  // Diameter: between opposite corner-chamfer vertices, e.g. (0.5,1,1) to (4.5,4,4) voxels.
  EXPECT_NEAR(value["morph_diam"], 2.0 * std::sqrt(16.0 + 9.0 + 9.0), 1e-9);
  // Moran's I of a constant ROI is undefined.
  EXPECT_TRUE(std::isnan(value["morph_moran_i"]));
}

}  // namespace
}  // namespace oncotrace::radiomics::detail
