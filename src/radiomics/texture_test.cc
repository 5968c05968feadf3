// Texture matrices on a hand-worked 3 x 3 slice (levels 1..3), every expected count derived by
// hand in the comments:
//
//          i=0 i=1 i=2
//   j=0:    1   1   2
//   j=1:    2   3   3
//   j=2:    1   2   3
#include <gtest/gtest.h>

#include <cmath>

#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {
namespace {

// The slice at k = 1 of a 5 x 5 x 3 grid whose border voxels are outside the ROI.
GreyLevelGrid example_grid() {
  GreyLevelGrid grid;
  grid.size = {5, 5, 3};
  grid.n_levels = 3;
  grid.level.assign(75, 0);
  const int slice[3][3] = {{1, 1, 2}, {2, 3, 3}, {1, 2, 3}};
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 3; ++i) grid.level[grid.offset(i + 1, j + 1, 1)] = slice[j][i];
  }
  return grid;
}

std::vector<uint8_t> roi_of(const GreyLevelGrid& grid) {
  std::vector<uint8_t> mask(grid.level.size(), 0);
  for (size_t v = 0; v < mask.size(); ++v) mask[v] = grid.level[v] > 0 ? 1 : 0;
  return mask;
}

double count_of(const SizeMatrix& matrix, int32_t level, int64_t size) {
  for (const auto& entry : matrix.entries) {
    if (entry.level == level && entry.size == size) return entry.count;
  }
  return 0.0;
}

TEST(Glcm, HorizontalCooccurrencesAreSymmetricCounts) {
  const GreyLevelGrid grid = example_grid();
  const LevelIndex levels = LevelIndex::of(grid);
  const RoiVoxels voxels = RoiVoxels::of(grid);
  // Horizontal pairs: (1,1), (1,2) | (2,3), (3,3) | (1,2), (2,3); each counted in both orders.
  const CooccurrenceMatrix matrix = count_cooccurrences(grid, voxels, levels, {1, 0, 0}, 1);
  const std::vector<double> expected{2, 2, 0,  //
                                     2, 0, 2,  //
                                     0, 2, 2};
  EXPECT_EQ(matrix.counts, expected);
  // The same direction over the whole volume sees the same pairs.
  EXPECT_EQ(count_cooccurrences(grid, voxels, levels, {1, 0, 0}, -1).counts, expected);
  // No pair crosses to another slice.
  EXPECT_EQ(count_cooccurrences(grid, voxels, levels, {0, 0, 1}, -1).total(), 0.0);
}

TEST(Glcm, FeaturesOfTheHandWorkedMatrix) {
  const GreyLevelGrid grid = example_grid();
  const LevelIndex levels = LevelIndex::of(grid);
  const CooccurrenceMatrix matrix =
      count_cooccurrences(grid, RoiVoxels::of(grid), levels, {1, 0, 0}, 1);
  const GlcmValues values = glcm_feature_values(matrix, levels, 3);
  // p = counts / 12: six cells of 1/6; marginals 1/3 each; mean 2; variance 2/3.
  EXPECT_NEAR(values[0], 1.0 / 6.0, 1e-12);       // joint maximum
  EXPECT_NEAR(values[1], 2.0, 1e-12);             // joint average
  EXPECT_NEAR(values[3], std::log2(6.0), 1e-12);  // joint entropy
  EXPECT_NEAR(values[10], 1.0 / 6.0, 1e-12);      // energy
  EXPECT_NEAR(values[11], 4.0 / 6.0, 1e-12);      // contrast: four cells |i-j| = 1
  EXPECT_NEAR(values[19], 26.0 / 6.0, 1e-12);     // autocorrelation
  EXPECT_NEAR(values[18], 0.5, 1e-12);            // (26/6 - 4) / (2/3)
  EXPECT_NEAR(values[14], (2.0 + 4.0 / (1.0 + 1.0 / 3.0)) / 6.0, 1e-12);  // inv. diff. norm.
  EXPECT_NEAR(values[17], 4.0 / 6.0, 1e-12);                              // inverse variance
}

TEST(Glrlm, HorizontalRuns) {
  const GreyLevelGrid grid = example_grid();
  // Runs: row 0: 1 (length 2), 2 (1); row 1: 2 (1), 3 (2); row 2: 1, 2, 3 (1 each).
  const SizeMatrix runs = count_runs(grid, RoiVoxels::of(grid), {1, 0, 0}, 1);
  EXPECT_EQ(count_of(runs, 1, 2), 1.0);
  EXPECT_EQ(count_of(runs, 1, 1), 1.0);
  EXPECT_EQ(count_of(runs, 2, 1), 3.0);
  EXPECT_EQ(count_of(runs, 3, 1), 1.0);
  EXPECT_EQ(count_of(runs, 3, 2), 1.0);
  EXPECT_EQ(runs.entries.size(), 5u);
  EXPECT_EQ(runs.voxel_count, 9.0);
  const SizeValues values = size_matrix_feature_values(runs);
  EXPECT_NEAR(values[0], (1 + 0.25 + 3 + 1 + 0.25) / 7.0, 1e-12);  // short run emphasis
  EXPECT_NEAR(values[8], (4.0 + 9.0 + 4.0) / 7.0, 1e-12);          // grey level non-uniformity
  EXPECT_NEAR(values[10], (25.0 + 4.0) / 7.0, 1e-12);              // run length non-uniformity
  EXPECT_NEAR(values[12], 7.0 / 9.0, 1e-12);                       // run percentage
  // Diagonal (1,1): (0,0)-(1,1) 1,3 | (1,0)-(2,1) 1,3 | (0,1)-(1,2) 2,2 -> one run of two 2s.
  const SizeMatrix diagonal = count_runs(grid, RoiVoxels::of(grid), {1, 1, 0}, 1);
  EXPECT_EQ(count_of(diagonal, 2, 2), 1.0);
}

TEST(SizeMatrices, MergingSumsCountsAndVoxels) {
  const SizeMatrix a = make_size_matrix({{1, 2}, {1, 2}, {3, 1}}, 5.0);
  const SizeMatrix b = make_size_matrix({{1, 2}, {2, 4}}, 6.0);
  const SizeMatrix merged = merge_size_matrices({&a, &b});
  EXPECT_EQ(count_of(merged, 1, 2), 3.0);
  EXPECT_EQ(count_of(merged, 3, 1), 1.0);
  EXPECT_EQ(count_of(merged, 2, 4), 1.0);
  EXPECT_EQ(merged.voxel_count, 11.0);
  EXPECT_NEAR(size_matrix_feature_values(merged)[12], 5.0 / 11.0, 1e-12);
}

TEST(Zones, SizesAndDistancesIn2DAnd3D) {
  const GreyLevelGrid grid = example_grid();
  const RoiVoxels voxels = RoiVoxels::of(grid);
  const std::vector<uint8_t> mask = roi_of(grid);
  // In-slice distance: the centre voxel is 2 steps from the edge, the others 1.
  const std::vector<int32_t> distance_2d = edge_distance_map(grid.size, mask, true);
  EXPECT_EQ(distance_2d[grid.offset(2, 2, 1)], 2);
  EXPECT_EQ(distance_2d[grid.offset(1, 1, 1)], 1);
  // In 3D the slice is one voxel thick, so every voxel touches the edge.
  const std::vector<int32_t> distance_3d = edge_distance_map(grid.size, mask, false);
  EXPECT_EQ(distance_3d[grid.offset(2, 2, 1)], 1);

  // 8-connected zones: level 1 {(0,0),(1,0)} and {(0,2)}; level 2 {(2,0)} and {(0,1),(1,2)}
  // (diagonal neighbours); level 3 {(1,1),(2,1),(2,2)}.
  const ZoneMatrices zones = count_zones(grid, voxels, distance_2d, 1);
  EXPECT_EQ(count_of(zones.size_zone, 1, 2), 1.0);
  EXPECT_EQ(count_of(zones.size_zone, 1, 1), 1.0);
  EXPECT_EQ(count_of(zones.size_zone, 2, 1), 1.0);
  EXPECT_EQ(count_of(zones.size_zone, 2, 2), 1.0);
  EXPECT_EQ(count_of(zones.size_zone, 3, 3), 1.0);
  // Every zone touches the edge (the level-3 zone includes edge voxels besides the centre).
  EXPECT_EQ(count_of(zones.distance_zone, 1, 1), 2.0);
  EXPECT_EQ(count_of(zones.distance_zone, 2, 1), 2.0);
  EXPECT_EQ(count_of(zones.distance_zone, 3, 1), 1.0);
}

TEST(Zones, DistanceMapOfASolidCube) {
  // A 5 x 5 x 5 cube padded to 7^3: distances 1 (surface), 2, 3 (centre), 6-connected.
  const Index3 size{7, 7, 7};
  std::vector<uint8_t> mask(343, 0);
  for (size_t k = 1; k <= 5; ++k) {
    for (size_t j = 1; j <= 5; ++j) {
      for (size_t i = 1; i <= 5; ++i) mask[i + 7 * (j + 7 * k)] = 1;
    }
  }
  const std::vector<int32_t> distance = edge_distance_map(size, mask, false);
  EXPECT_EQ(distance[static_cast<size_t>(3 + 7 * (3 + 7 * 3))], 3);
  EXPECT_EQ(distance[static_cast<size_t>(2 + 7 * (2 + 7 * 2))], 2);
  EXPECT_EQ(distance[static_cast<size_t>(1 + 7 * (3 + 7 * 3))], 1);
  // A corner-region voxel (2,2,3) is 2 steps from the edge along x or y.
  EXPECT_EQ(distance[static_cast<size_t>(2 + 7 * (2 + 7 * 3))], 2);
}

TEST(Ngtdm, DifferencesOfLevelOne) {
  const GreyLevelGrid grid = example_grid();
  const NeighbourhoodDifferences differences =
      count_neighbourhood_differences(grid, RoiVoxels::of(grid), 1);
  // Level-1 voxels: (0,0) neighbours 1,2,3 -> |1-2| = 1; (1,0) neighbours 1,2,2,3,3 -> 1.2;
  // (0,2) neighbours 2,3,2 -> 4/3.
  EXPECT_EQ(differences.count[1], 3.0);
  EXPECT_NEAR(differences.sum_abs_difference[1], 1.0 + 1.2 + 4.0 / 3.0, 1e-12);
  // The centre (level 3): neighbours 1,1,2,2,3,1,2,3 -> |3 - 15/8|, plus (2,1) and (2,2).
  EXPECT_EQ(differences.count[3], 3.0);
}

TEST(Ngtdm, UniformRoiHasMaximalCoarsenessAndZeroContrast) {
  NeighbourhoodDifferences uniform;
  uniform.count = {0, 0, 8};
  uniform.sum_abs_difference = {0, 0, 0};
  const auto values = ngtdm_feature_values(uniform);
  EXPECT_EQ(values[0], 1e6);
  EXPECT_EQ(values[1], 0.0);
  EXPECT_EQ(values[4], 0.0);
}

TEST(Ngldm, DependenceCountsIncludeTheCentre) {
  const GreyLevelGrid grid = example_grid();
  const SizeMatrix matrix = count_dependences(grid, RoiVoxels::of(grid), 1);
  // Centre (level 3) has two level-3 neighbours -> 3; (0,0) (level 1) has one -> 2;
  // (0,2) (level 1) has none -> 1.
  EXPECT_GE(count_of(matrix, 3, 3), 1.0);
  EXPECT_GE(count_of(matrix, 1, 2), 1.0);
  EXPECT_GE(count_of(matrix, 1, 1), 1.0);
  double total = 0.0;
  for (const auto& entry : matrix.entries) total += entry.count;
  EXPECT_EQ(total, 9.0);
  // Every voxel is a centre, so the dependence count percentage is 1.
  EXPECT_DOUBLE_EQ(size_matrix_feature_values(matrix)[12], 1.0);
}

TEST(Aggregation, FeatureMeanSkipsUndefinedValues) {
  FeatureMean<2> mean;
  mean.add({1.0, std::nan("")});
  mean.add({3.0, std::nan("")});
  const auto result = mean.mean();
  EXPECT_EQ(result[0], 2.0);
  EXPECT_TRUE(std::isnan(result[1]));
}

}  // namespace
}  // namespace oncotrace::radiomics::detail
