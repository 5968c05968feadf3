#include "oncotrace/geometry.h"

#include <cmath>
#include <cstdio>

namespace oncotrace {

Vec3 Geometry::index_to_world(const Vec3& continuous_index) const {
  Vec3 world = origin_mm;
  for (int row = 0; row < 3; ++row) {
    for (int axis = 0; axis < 3; ++axis) {
      world[row] += direction[row * 3 + axis] * spacing_mm[axis] * continuous_index[axis];
    }
  }
  return world;
}

Vec3 Geometry::world_to_index(const Vec3& world_mm) const {
  // The direction matrix is orthonormal, so its inverse is its transpose.
  const Vec3 offset{world_mm[0] - origin_mm[0], world_mm[1] - origin_mm[1],
                    world_mm[2] - origin_mm[2]};
  Vec3 index{0, 0, 0};
  for (int axis = 0; axis < 3; ++axis) {
    double projection = 0.0;
    for (int row = 0; row < 3; ++row) projection += direction[row * 3 + axis] * offset[row];
    index[axis] = projection / spacing_mm[axis];
  }
  return index;
}

Index3 Geometry::world_to_nearest_index(const Vec3& world_mm) const {
  const Vec3 index = world_to_index(world_mm);
  return {static_cast<int64_t>(std::llround(index[0])),
          static_cast<int64_t>(std::llround(index[1])),
          static_cast<int64_t>(std::llround(index[2]))};
}

bool Geometry::same_grid_as(const Geometry& other, double tolerance_mm) const {
  if (size != other.size) return false;
  for (int axis = 0; axis < 3; ++axis) {
    if (std::abs(spacing_mm[axis] - other.spacing_mm[axis]) > tolerance_mm) return false;
    if (std::abs(origin_mm[axis] - other.origin_mm[axis]) > tolerance_mm) return false;
  }
  for (int element = 0; element < 9; ++element) {
    if (std::abs(direction[element] - other.direction[element]) > 1e-4) return false;
  }
  return true;
}

std::string Geometry::describe() const {
  char text[256];
  std::snprintf(text, sizeof(text),
                "%lldx%lldx%lld voxels of %.4gx%.4gx%.4g mm, origin (%.2f, %.2f, %.2f) mm",
                static_cast<long long>(size[0]), static_cast<long long>(size[1]),
                static_cast<long long>(size[2]), spacing_mm[0], spacing_mm[1], spacing_mm[2],
                origin_mm[0], origin_mm[1], origin_mm[2]);
  return text;
}

}  // namespace oncotrace
