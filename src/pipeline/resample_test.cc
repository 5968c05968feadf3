#include <gtest/gtest.h>

#include "oncotrace/pipeline.h"

namespace oncotrace {
namespace {

TEST(ResampleLabelsTest, SameGridIsACopy) {
  Geometry grid;
  grid.size = {4, 3, 2};
  LabelMap labels(grid, 0);
  labels.at(1, 2, 1) = 7;
  const LabelMap out = resample_labels_nearest(labels, grid);
  EXPECT_EQ(out.values, labels.values);
}

TEST(ResampleLabelsTest, FinerTargetTakesTheNearestSourceVoxel) {
  // Source: 2 mm voxels, 4 x 1 x 1, labels 1 2 3 4 at x = 0, 2, 4, 6 mm.
  Geometry source;
  source.size = {4, 1, 1};
  source.spacing_mm = {2.0, 1.0, 1.0};
  LabelMap labels(source, 0);
  for (int i = 0; i < 4; ++i) labels.at(i, 0, 0) = static_cast<uint16_t>(i + 1);
  // Target: 1 mm voxels from x = -1 to 8 mm.
  Geometry target;
  target.size = {10, 1, 1};
  target.origin_mm = {-1.0, 0.0, 0.0};
  const LabelMap out = resample_labels_nearest(labels, target);
  // x = -1 -> index -0.5 -> rounds away from zero to -1: outside -> 0; x = 1 -> 0.5 -> 1 (label 2);
  // x = 7 -> 3.5 -> 4: outside; x = 8 -> 4: outside.
  const std::vector<uint16_t> expected = {0, 1, 2, 2, 3, 3, 4, 4, 0, 0};
  EXPECT_EQ(out.values, expected);
}

TEST(ResampleLabelsTest, DisjointGridsGiveAnEmptyMap) {
  Geometry source;
  source.size = {2, 2, 2};
  LabelMap labels(source, 5);
  Geometry target = source;
  target.origin_mm = {100.0, 0.0, 0.0};
  const LabelMap out = resample_labels_nearest(labels, target);
  for (uint16_t value : out.values) EXPECT_EQ(value, 0);
}

}  // namespace
}  // namespace oncotrace
