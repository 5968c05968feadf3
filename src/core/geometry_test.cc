#include "oncotrace/geometry.h"

#include <gtest/gtest.h>

namespace oncotrace {
namespace {

TEST(GeometryTest, IndexToWorldAppliesSpacingOriginAndDirection) {
  Geometry grid;
  grid.size = {10, 20, 30};
  grid.spacing_mm = {2.0, 3.0, 4.0};
  grid.origin_mm = {-100.0, 50.0, 7.0};
  const Vec3 world = grid.index_to_world(1, 2, 3);
  EXPECT_DOUBLE_EQ(world[0], -98.0);
  EXPECT_DOUBLE_EQ(world[1], 56.0);
  EXPECT_DOUBLE_EQ(world[2], 19.0);
}

TEST(GeometryTest, WorldToIndexInvertsObliqueGrid) {
  Geometry grid;
  grid.size = {5, 5, 5};
  grid.spacing_mm = {1.5, 2.5, 3.5};
  grid.origin_mm = {10, 20, 30};
  // Rotation of 30 degrees about z: columns are the axis directions.
  const double c = 0.8660254037844387;
  const double s = 0.5;
  grid.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  const Vec3 index{1.25, 3.5, 2.0};
  const Vec3 back = grid.world_to_index(grid.index_to_world(index));
  for (int axis = 0; axis < 3; ++axis) EXPECT_NEAR(back[axis], index[axis], 1e-12);
}

TEST(GeometryTest, VoxelVolumeInMillilitres) {
  Geometry grid;
  grid.spacing_mm = {4.6875, 4.6875, 3.27};
  EXPECT_NEAR(grid.voxel_volume_ml(), 0.0718506, 1e-7);
}

TEST(GeometryTest, SameGridRespectsTolerance) {
  Geometry a;
  a.size = {2, 2, 2};
  Geometry b = a;
  b.origin_mm[2] += 0.0005;
  EXPECT_TRUE(a.same_grid_as(b));
  b.origin_mm[2] += 0.01;
  EXPECT_FALSE(a.same_grid_as(b));
}

}  // namespace
}  // namespace oncotrace
