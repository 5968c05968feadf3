// Synthetic images shared by the segmentation tests.
#ifndef ONCOTRACE_SEGMENT_SEGMENT_TEST_PHANTOMS_H_
#define ONCOTRACE_SEGMENT_SEGMENT_TEST_PHANTOMS_H_

#include <cmath>
#include <numbers>

#include "oncotrace/volume.h"

namespace oncotrace::segment_test {

inline Geometry cube_grid(int64_t n, double spacing_mm) {
  Geometry grid;
  grid.size = {n, n, n};
  grid.spacing_mm = {spacing_mm, spacing_mm, spacing_mm};
  grid.origin_mm = {-120.0, 30.0, -500.0};
  return grid;
}

// Adds a sphere of uptake `sphere_value` over `background` (centre in continuous index units),
// each voxel weighted by the fraction of its volume inside the sphere (8^3 sub-voxel points):
// the partial-volume effect of a perfect scanner on a uniform sphere.
inline void add_partial_volume_sphere(ImageVolume* image, const Vec3& centre_index,
                                      double radius_mm, double sphere_value, double background) {
  const Geometry& grid = image->geometry;
  constexpr int kSub = 8;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const double cx = (i - centre_index[0]) * grid.spacing_mm[0];
        const double cy = (j - centre_index[1]) * grid.spacing_mm[1];
        const double cz = (k - centre_index[2]) * grid.spacing_mm[2];
        const double reach = radius_mm + grid.spacing_mm[0];
        if (cx * cx + cy * cy + cz * cz > reach * reach) continue;
        int inside = 0;
        for (int c = 0; c < kSub; ++c)
          for (int b = 0; b < kSub; ++b)
            for (int a = 0; a < kSub; ++a) {
              const double x = cx + ((a + 0.5) / kSub - 0.5) * grid.spacing_mm[0];
              const double y = cy + ((b + 0.5) / kSub - 0.5) * grid.spacing_mm[1];
              const double z = cz + ((c + 0.5) / kSub - 0.5) * grid.spacing_mm[2];
              if (x * x + y * y + z * z <= radius_mm * radius_mm) ++inside;
            }
        const double fraction = inside / static_cast<double>(kSub * kSub * kSub);
        image->at(i, j, k) += static_cast<float>(fraction * (sphere_value - background));
      }
    }
  }
}

inline double sphere_volume_ml(double radius_mm) {
  return 4.0 / 3.0 * std::numbers::pi * radius_mm * radius_mm * radius_mm / 1000.0;
}

inline size_t count_nonzero(const Mask& mask) {
  size_t count = 0;
  for (const uint8_t value : mask.values) count += value != 0 ? 1 : 0;
  return count;
}

}  // namespace oncotrace::segment_test

#endif  // ONCOTRACE_SEGMENT_SEGMENT_TEST_PHANTOMS_H_
