#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"

namespace oncotrace {
namespace {

Mask empty_mask(int64_t n, double spacing_mm = 2.0) {
  Geometry grid;
  grid.size = {n, n, n};
  grid.spacing_mm = {spacing_mm, spacing_mm, spacing_mm};
  return Mask(grid, 0);
}

TEST(ComponentsTest, CornerTouchingVoxelsJoinOnlyWith26) {
  Mask mask = empty_mask(5);
  mask.at(1, 1, 1) = 1;
  mask.at(2, 2, 2) = 1;  // shares only a corner with (1, 1, 1)
  EXPECT_EQ(label_components(mask, Connectivity::kFaces6).kept.size(), 2u);
  EXPECT_EQ(label_components(mask, Connectivity::kEdges18).kept.size(), 2u);
  const ComponentLabelling joined = label_components(mask, Connectivity::kVertices26);
  ASSERT_EQ(joined.kept.size(), 1u);
  EXPECT_EQ(joined.kept[0].voxel_count, 2u);
  EXPECT_EQ(joined.labels.at(2, 2, 2), 1);
  EXPECT_EQ(joined.connectivity, Connectivity::kVertices26);
}

TEST(ComponentsTest, EdgeTouchingVoxelsJoinWith18And26) {
  Mask mask = empty_mask(5);
  mask.at(1, 1, 1) = 1;
  mask.at(2, 2, 1) = 1;  // shares an edge
  EXPECT_EQ(label_components(mask, Connectivity::kFaces6).kept.size(), 2u);
  EXPECT_EQ(label_components(mask, Connectivity::kEdges18).kept.size(), 1u);
  EXPECT_EQ(label_components(mask, Connectivity::kVertices26).kept.size(), 1u);
  EXPECT_EQ(neighbour_count(Connectivity::kEdges18), 18);
}

TEST(ComponentsTest, LabelsInRasterOrderWithBoxes) {
  Mask mask = empty_mask(6);
  mask.at(4, 0, 3) = 1;  // first voxel in raster order is at k = 3 ...
  mask.at(0, 5, 0) = 1;  // ... this one at k = 0 comes first
  mask.at(1, 5, 0) = 1;
  const ComponentLabelling labelling = label_components(mask);
  ASSERT_EQ(labelling.kept.size(), 2u);
  EXPECT_EQ(labelling.labels.at(0, 5, 0), 1);
  EXPECT_EQ(labelling.labels.at(4, 0, 3), 2);
  EXPECT_EQ(labelling.kept[0].first_voxel, (Index3{0, 5, 0}));
  EXPECT_EQ(labelling.kept[0].box.lower, (Index3{0, 5, 0}));
  EXPECT_EQ(labelling.kept[0].box.upper, (Index3{1, 5, 0}));
  EXPECT_DOUBLE_EQ(labelling.kept[0].volume_ml, 2 * 0.008);
}

TEST(ComponentsTest, MinimumVolumeFilter) {
  // Components of 1, 4 and 27 voxels of 8 mm^3: 0.008, 0.032 and 0.216 mL. A minimum of
  // 0.03 mL keeps the last two.
  Mask mask = empty_mask(10);
  mask.at(0, 0, 0) = 1;
  for (int64_t i = 3; i < 7; ++i) mask.at(i, 0, 0) = 1;
  for (int64_t k = 5; k < 8; ++k)
    for (int64_t j = 5; j < 8; ++j)
      for (int64_t i = 5; i < 8; ++i) mask.at(i, j, k) = 1;
  const ComponentLabelling filtered = label_components(mask, Connectivity::kVertices26, 0.03);
  ASSERT_EQ(filtered.kept.size(), 2u);
  EXPECT_EQ(filtered.kept[0].voxel_count, 4u);
  EXPECT_EQ(filtered.kept[1].voxel_count, 27u);
  ASSERT_EQ(filtered.too_small.size(), 1u);
  EXPECT_EQ(filtered.too_small[0].voxel_count, 1u);
  EXPECT_EQ(filtered.too_small[0].label, 0);
  EXPECT_EQ(filtered.labels.at(0, 0, 0), 0);
  EXPECT_EQ(filtered.labels.at(3, 0, 0), 1);
  EXPECT_EQ(filtered.labels.at(6, 6, 6), 2);
  EXPECT_EQ(label_components(mask, Connectivity::kVertices26, 0.0321).kept.size(), 1u);
  EXPECT_THROW(label_components(mask, Connectivity::kVertices26, -1.0), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
