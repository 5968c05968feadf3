// Tests of the organ of a lesion (organ_regions.cc): the box-restricted organ_of_region,
// lesion_anterior_to_thorax and organ_of_lesion against the whole-grid versions and a brute-force
// definition, on small synthetic organ and lesion maps (fast; the simulated-patient cases are in
// organs_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"

namespace oncotrace {
namespace {

uint16_t label_of(const char* organ) { return *canonical_organ_label(organ); }

// 30 x 26 x 14 voxels of 1.5 x 2 x 3 mm: liver, lung, bone and muscle slabs with a random
// speckle of spleen in the free voxels of slices k >= 6, and lesions 1..6: cubes at organ
// borders, one touching the grid corner, one 6 mm from the nearest organ, and one of a single
// voxel. Label 7 has no voxel.
struct SyntheticCase {
  OrganSegmentation organs;
  LabelMap lesions;
  static constexpr uint16_t kLabels = 7;
};

SyntheticCase synthetic_case() {
  Geometry grid;
  grid.size = {30, 26, 14};
  grid.spacing_mm = {1.5, 2.0, 3.0};
  SyntheticCase out;
  out.organs.labels = LabelMap(grid, 0);
  out.lesions = LabelMap(grid, 0);
  std::mt19937 random(17);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        uint16_t organ = 0;
        if (i < 12 && j < 13) organ = label_of("liver");
        if (i >= 14 && j < 10) organ = label_of("lung");
        if (j >= 16 && j < 19) organ = label_of("bone");
        if (j >= 19 && i < 20) organ = label_of("muscle");
        if (organ == 0 && k >= 6 && random() % 7 == 0) organ = label_of("spleen");
        out.organs.labels.at(i, j, k) = organ;
      }
    }
  }
  auto cube = [&](uint16_t label, Index3 lower, Index3 upper) {
    for (int64_t k = lower[2]; k <= upper[2]; ++k) {
      for (int64_t j = lower[1]; j <= upper[1]; ++j) {
        for (int64_t i = lower[0]; i <= upper[0]; ++i) out.lesions.at(i, j, k) = label;
      }
    }
  };
  cube(1, {10, 11, 5}, {14, 14, 8});    // liver / lung / gap border
  cube(2, {0, 0, 0}, {2, 2, 1});        // in the liver, at the grid corner
  cube(3, {15, 14, 6}, {17, 17, 7});    // bone and spleen speckle
  cube(4, {22, 12, 2}, {24, 13, 3});    // 6 mm from the lung and the bone
  cube(5, {18, 20, 10}, {21, 23, 13});  // muscle edge, touching the k = 13 face
  out.lesions.at(27, 24, 12) = 6;       // one voxel in the speckle
  return out;
}

// Brute force of organ_of_region: the region's voxels and every voxel centre within dilation_mm of
// one, counted per organ; the most frequent organ, ties to the lower label, "unknown" for none.
std::string brute_force_organ(const SyntheticCase& data, uint16_t label, double dilation_mm) {
  const Geometry& grid = data.lesions.geometry;
  std::vector<Index3> region;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        if (data.lesions.at(i, j, k) == label) region.push_back({i, j, k});
      }
    }
  }
  std::vector<size_t> counts(65536, 0);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        bool grown = false;
        for (const Index3& voxel : region) {
          const double dx = static_cast<double>(voxel[0] - i) * grid.spacing_mm[0];
          const double dy = static_cast<double>(voxel[1] - j) * grid.spacing_mm[1];
          const double dz = static_cast<double>(voxel[2] - k) * grid.spacing_mm[2];
          if (std::sqrt(dx * dx + dy * dy + dz * dz) <= dilation_mm + 1e-6) grown = true;
        }
        if (grown) ++counts[data.organs.labels.at(i, j, k)];
      }
    }
  }
  size_t best = 0;
  for (size_t organ = 1; organ < counts.size(); ++organ) {
    if (counts[organ] > counts[best] || (best == 0 && counts[organ] > 0)) best = organ;
  }
  return best == 0 ? "unknown" : canonical_organ_name(static_cast<uint16_t>(best));
}

// The bounding box of `label` (empty when it has no voxel).
IndexBox label_box(const LabelMap& lesions, uint16_t label) {
  IndexBox box;
  const Geometry& grid = lesions.geometry;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        if (lesions.at(i, j, k) == label) box.include({i, j, k});
      }
    }
  }
  return box;
}

// Radii away from every voxel-centre distance (2.25 a^2 + 4 b^2 + 9 c^2 mm^2), and 0 (no
// dilation).
TEST(LesionOrganBox, BoxRestrictedOrganEqualsWholeGridAndBruteForce) {
  const SyntheticCase data = synthetic_case();
  const Geometry& grid = data.lesions.geometry;
  IndexBox whole;
  whole.upper = {grid.size[0] - 1, grid.size[1] - 1, grid.size[2] - 1};
  std::vector<std::string> seen;
  for (const double dilation : {0.0, 3.3, 4.7, 7.1}) {
    for (uint16_t label = 1; label <= SyntheticCase::kLabels; ++label) {
      const std::string expected = brute_force_organ(data, label, dilation);
      const IndexBox tight = label_box(data.lesions, label);
      IndexBox loose = dilate_box(tight, 6.0, grid);
      // A box reaching beyond the grid is clipped.
      IndexBox beyond = tight;
      for (int axis = 0; axis < 3; ++axis) {
        beyond.lower[axis] -= 3;
        beyond.upper[axis] += 3;
      }
      Mask region(grid, 0);
      for (size_t v = 0; v < region.size(); ++v) region.values[v] = data.lesions.values[v] == label;
      const std::string message =
          "label " + std::to_string(label) + ", " + std::to_string(dilation) + " mm";
      EXPECT_EQ(organ_of_region(data.organs, data.lesions, label, dilation), expected) << message;
      EXPECT_EQ(organ_of_region(data.organs, region, dilation), expected) << message;
      EXPECT_EQ(organ_of_region(data.organs, data.lesions, label, whole, dilation), expected)
          << message;
      if (!tight.empty()) {
        EXPECT_EQ(organ_of_region(data.organs, data.lesions, label, tight, dilation), expected)
            << message;
        EXPECT_EQ(organ_of_region(data.organs, data.lesions, label, loose, dilation), expected)
            << message;
        EXPECT_EQ(organ_of_region(data.organs, data.lesions, label, beyond, dilation), expected)
            << message;
      }
      seen.push_back(expected);
    }
  }
  // The case covers several organs and "unknown" (so that the comparison can fail).
  for (const char* organ : {"liver", "bone", "muscle", "unknown"}) {
    EXPECT_NE(std::find(seen.begin(), seen.end(), organ), seen.end()) << organ;
  }
}

TEST(LesionOrganBox, GridMismatchIsRefused) {
  const SyntheticCase data = synthetic_case();
  Geometry other = data.lesions.geometry;
  other.size[2] += 1;
  const LabelMap lesions(other, 0);
  IndexBox box;
  box.upper = {1, 1, 1};
  EXPECT_THROW(organ_of_region(data.organs, lesions, 1, box), InvalidInputError);
  EXPECT_THROW(lesion_anterior_to_thorax(data.organs, lesions, 1, box), InvalidInputError);
}

// Breast rule: a 50 x 40 x 6 grid at 4 mm with lungs at j 15..30 for i 5..34 (as in
// organs_test.cc); 2 x 2 x 2 cubes at every (i, j) step of 4 voxels: the box-restricted rule
// equals the whole-grid rule, and both answers occur.
TEST(LesionOrganBox, BoxRestrictedBreastRuleEqualsWholeGrid) {
  Geometry grid;
  grid.size = {50, 40, 6};
  grid.spacing_mm = {4.0, 4.0, 4.0};
  OrganSegmentation organs;
  organs.labels = LabelMap(grid, 0);
  for (int64_t k = 0; k < 6; ++k) {
    for (int64_t j = 15; j <= 30; ++j) {
      for (int64_t i = 5; i <= 34; ++i) organs.labels.at(i, j, k) = label_of("lung");
    }
  }
  size_t breast = 0, not_breast = 0;
  for (int64_t j0 = 0; j0 < 38; j0 += 4) {
    for (int64_t i0 = 0; i0 < 48; i0 += 4) {
      LabelMap lesions(grid, 0);
      IndexBox box;
      for (int64_t k = 2; k <= 3; ++k) {
        for (int64_t j = j0; j <= j0 + 1; ++j) {
          for (int64_t i = i0; i <= i0 + 1; ++i) {
            lesions.at(i, j, k) = 3;
            box.include({i, j, k});
          }
        }
      }
      const bool whole = lesion_anterior_to_thorax(organs, lesions, 3);
      EXPECT_EQ(lesion_anterior_to_thorax(organs, lesions, 3, box), whole) << i0 << " " << j0;
      EXPECT_EQ(organ_of_lesion(organs, lesions, 3, box), organ_of_lesion(organs, lesions, 3))
          << i0 << " " << j0;
      (whole ? breast : not_breast) += 1;
    }
  }
  EXPECT_GT(breast, 0U);
  EXPECT_GT(not_breast, 0U);
}

}  // namespace
}  // namespace oncotrace
