#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/segment_test_phantoms.h"

namespace oncotrace {
namespace {

using segment_test::count_nonzero;
using segment_test::cube_grid;

// Two uniform balls (SUV 10 and 6, voxel-centre membership) in background 1, 2 mm voxels.
ImageVolume two_balls() {
  ImageVolume image(cube_grid(40, 2.0), 1.0f);
  for (int64_t k = 0; k < 40; ++k)
    for (int64_t j = 0; j < 40; ++j)
      for (int64_t i = 0; i < 40; ++i) {
        if ((i - 10) * (i - 10) + (j - 20) * (j - 20) + (k - 20) * (k - 20) <= 25)
          image.at(i, j, k) = 10.0f;
        if ((i - 28) * (i - 28) + (j - 20) * (j - 20) + (k - 20) * (k - 20) <= 16)
          image.at(i, j, k) = 6.0f;
      }
  return image;
}

size_t ball_voxels(int radius_voxels) {
  size_t count = 0;
  const int r2 = radius_voxels * radius_voxels;
  for (int z = -radius_voxels; z <= radius_voxels; ++z)
    for (int y = -radius_voxels; y <= radius_voxels; ++y)
      for (int x = -radius_voxels; x <= radius_voxels; ++x) count += x * x + y * y + z * z <= r2;
  return count;
}

TEST(RegionGrowingTest, GrowsOnlyTheSeededBall) {
  const ImageVolume image = two_balls();
  RegionGrowingOptions options;
  options.rule = fixed_threshold(2.5);
  const GrownRegion grown = grow_region(image, {{10, 20, 20}}, options);
  EXPECT_EQ(grown.voxel_count, ball_voxels(5));
  EXPECT_EQ(count_nonzero(grown.mask), grown.voxel_count);
  EXPECT_EQ(grown.mask.at(28, 20, 20), 0);
  EXPECT_DOUBLE_EQ(grown.threshold, 2.5);
  EXPECT_DOUBLE_EQ(grown.volume_ml, grown.voxel_count * 0.008);
  // Two seeds: both balls.
  const GrownRegion both = grow_region(image, {{10, 20, 20}, {28, 20, 20}}, options);
  EXPECT_EQ(both.voxel_count, ball_voxels(5) + ball_voxels(4));
}

TEST(RegionGrowingTest, RelativeRuleUsesTheHighestSeedValue) {
  const ImageVolume image = two_balls();
  RegionGrowingOptions options;
  options.rule = fraction_of_max_threshold(0.7);  // 7 with a seed in the SUV 10 ball
  const GrownRegion grown = grow_region(image, {{10, 20, 20}, {28, 20, 20}}, options);
  EXPECT_DOUBLE_EQ(grown.reference_max, 10.0);
  EXPECT_NEAR(grown.threshold, 7.0, 1e-12);
  EXPECT_EQ(grown.voxel_count, ball_voxels(5));  // the SUV 6 ball stays below 7
  ASSERT_EQ(grown.seeds_below_threshold.size(), 1u);
  EXPECT_EQ(grown.seeds_below_threshold[0], (Index3{28, 20, 20}));
}

TEST(RegionGrowingTest, LimitBoxAndConnectivity) {
  const ImageVolume image = two_balls();
  RegionGrowingOptions options;
  options.rule = fixed_threshold(2.5);
  options.limit = IndexBox{{10, 0, 0}, {39, 39, 39}};  // half of the first ball
  const GrownRegion half = grow_region(image, {{10, 20, 20}}, options);
  // Voxels of the radius-5 ball with x >= 0.
  size_t expected = 0;
  for (int z = -5; z <= 5; ++z)
    for (int y = -5; y <= 5; ++y)
      for (int x = 0; x <= 5; ++x) expected += x * x + y * y + z * z <= 25;
  EXPECT_EQ(half.voxel_count, expected);
  EXPECT_THROW(grow_region(image, {{5, 20, 20}}, options), InvalidInputError);  // outside limit
  EXPECT_THROW(grow_region(image, {}, options), InvalidInputError);
  EXPECT_THROW(grow_region(image, {{40, 0, 0}}, RegionGrowingOptions{}), InvalidInputError);
}

TEST(RegionGrowingTest, DiagonalChainNeeds26Connectivity) {
  ImageVolume image(cube_grid(6, 2.0), 0.0f);
  for (int64_t n = 0; n < 6; ++n) image.at(n, n, n) = 5.0f;
  RegionGrowingOptions options;
  options.rule = fixed_threshold(1.0);
  options.connectivity = Connectivity::kFaces6;
  EXPECT_EQ(grow_region(image, {{0, 0, 0}}, options).voxel_count, 1u);
  options.connectivity = Connectivity::kVertices26;
  EXPECT_EQ(grow_region(image, {{0, 0, 0}}, options).voxel_count, 6u);
}

}  // namespace
}  // namespace oncotrace
