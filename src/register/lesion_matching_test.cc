#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {
namespace {

// Brute force over all permutations (small n): the reference for the Hungarian solver.
double best_total_by_enumeration(const std::vector<double>& costs, size_t n) {
  std::vector<size_t> permutation(n);
  std::iota(permutation.begin(), permutation.end(), 0);
  double best = 1e300;
  do {
    double total = 0;
    for (size_t r = 0; r < n; ++r) total += costs[r * n + permutation[r]];
    best = std::min(best, total);
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  return best;
}

TEST(MinimumCostAssignmentTest, HandWorkedThreeByThree) {
  // Rows choose columns 1, 0, 2: total 1 + 2 + 2 = 5 (every other permutation costs more).
  const std::vector<double> costs{4, 1, 3,  //
                                  2, 0, 5,  //
                                  3, 2, 2};
  const auto assignment = minimum_cost_assignment(costs, 3, 3);
  EXPECT_EQ(assignment, (std::vector<int64_t>{1, 0, 2}));
}

TEST(MinimumCostAssignmentTest, MatchesEnumerationOnRandomMatrices) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> uniform(0.0, 100.0);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + static_cast<size_t>(trial % 6);
    std::vector<double> costs(n * n);
    for (double& c : costs) c = uniform(random);
    const auto assignment = minimum_cost_assignment(costs, n, n);
    double total = 0;
    std::vector<bool> used(n, false);
    for (size_t r = 0; r < n; ++r) {
      ASSERT_GE(assignment[r], 0);
      ASSERT_FALSE(used[static_cast<size_t>(assignment[r])]);
      used[static_cast<size_t>(assignment[r])] = true;
      total += costs[r * n + static_cast<size_t>(assignment[r])];
    }
    EXPECT_NEAR(total, best_total_by_enumeration(costs, n), 1e-9) << "trial " << trial;
  }
}

TEST(MinimumCostAssignmentTest, RectangularMatrices) {
  // Two rows, three columns: rows take columns 2 and 0.
  const auto wide = minimum_cost_assignment({5, 9, 1, 2, 8, 7}, 2, 3);
  EXPECT_EQ(wide, (std::vector<int64_t>{2, 0}));
  // Three rows, one column: only the cheapest row is assigned.
  const auto tall = minimum_cost_assignment({4, 1, 3}, 3, 1);
  EXPECT_EQ(tall, (std::vector<int64_t>{-1, 0, -1}));
  EXPECT_TRUE(minimum_cost_assignment({}, 0, 4).empty());
  EXPECT_THROW(minimum_cost_assignment({1, 2}, 2, 2), InternalError);
}

TEST(MatchLesionsTest, GlobalOptimumNotGreedy) {
  // Greedy nearest-first would pair first[0] with second[0] (1 mm) and leave first[1] 30 mm from
  // second[1] (beyond the gate); the optimum pairs crosswise (5 + 6 mm).
  const std::vector<Vec3> first{{0, 0, 0}, {10, 0, 0}};
  const std::vector<Vec3> second{{4, 3, 0}, {-6, 0, 0}};
  const LesionMatching matching = match_lesions(first, second, {.max_centroid_distance_mm = 8});
  ASSERT_EQ(matching.pairs.size(), 2u);
  EXPECT_EQ(matching.pairs[0].first, 0u);
  EXPECT_EQ(matching.pairs[0].second, 1u);
  EXPECT_DOUBLE_EQ(matching.pairs[0].centroid_distance_mm, 6.0);
  EXPECT_EQ(matching.pairs[1].second, 0u);
  EXPECT_NEAR(matching.pairs[1].centroid_distance_mm, std::hypot(6.0, 3.0), 1e-12);
  EXPECT_TRUE(matching.unmatched_first.empty());
  EXPECT_TRUE(matching.unmatched_second.empty());
}

TEST(MatchLesionsTest, GateLeavesFarLesionsUnmatched) {
  const std::vector<Vec3> first{{0, 0, 0}, {100, 0, 0}};
  const std::vector<Vec3> second{{1, 0, 0}, {0, 0, 150}, {100, 25, 0}};
  const LesionMatching matching = match_lesions(first, second, {.max_centroid_distance_mm = 20});
  ASSERT_EQ(matching.pairs.size(), 1u);
  EXPECT_EQ(matching.pairs[0].first, 0u);
  EXPECT_EQ(matching.pairs[0].second, 0u);
  EXPECT_EQ(matching.unmatched_first, (std::vector<size_t>{1}));
  EXPECT_EQ(matching.unmatched_second, (std::vector<size_t>{1, 2}));
  EXPECT_THROW(match_lesions(first, second, {.max_centroid_distance_mm = 0}), InvalidInputError);
}

TEST(MatchLesionsTest, EmptyLists) {
  const LesionMatching matching = match_lesions({}, {{0, 0, 0}});
  EXPECT_TRUE(matching.pairs.empty());
  EXPECT_EQ(matching.unmatched_second, (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace oncotrace
