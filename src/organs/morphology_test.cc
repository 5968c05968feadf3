// Tests of the organs module's morphology helpers (morphology.h) against brute-force definitions
// on small hand-made masks: sparse masks in a larger grid, so that the bounding-box cropping of
// the transforms is exercised, including blobs touching the grid border.
#include "organs/morphology.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "oncotrace/organs.h"
#include "oncotrace/segment.h"

namespace oncotrace::organs_internal {
namespace {

Geometry anisotropic_grid() {
  Geometry grid;
  grid.size = {23, 19, 17};
  grid.spacing_mm = {1.5, 2.0, 3.0};
  return grid;
}

// Two blobs: a solid box inside the grid and a random one touching the i = 0, j = 0 and k = 0
// faces.
Mask sparse_mask(unsigned seed) {
  const Geometry grid = anisotropic_grid();
  Mask mask(grid, 0);
  std::mt19937 random(seed);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const bool inner = i >= 9 && i <= 17 && j >= 7 && j <= 14 && k >= 6 && k <= 12;
        const bool corner = i <= 5 && j <= 4 && k <= 3;
        if (inner || (corner && random() % 6 != 0)) mask.at(i, j, k) = 1;
      }
    }
  }
  return mask;
}

// Brute-force distance (mm) from voxel (i, j, k) to the nearest voxel centre where `mask` is
// `value`, the one-voxel shell beyond the grid counting as 0 when shell_is_zero.
double brute_distance(const Mask& mask, int64_t i, int64_t j, int64_t k, uint8_t value,
                      bool shell_is_zero) {
  const Geometry& grid = mask.geometry;
  double best = std::numeric_limits<double>::infinity();
  for (int64_t c = -1; c <= grid.size[2]; ++c) {
    for (int64_t b = -1; b <= grid.size[1]; ++b) {
      for (int64_t a = -1; a <= grid.size[0]; ++a) {
        const bool inside = grid.contains({a, b, c});
        const uint8_t here = inside ? (mask.at(a, b, c) != 0 ? 1 : 0) : 0;
        if (!inside && !shell_is_zero) continue;
        if (here != value) continue;
        const double dx = static_cast<double>(a - i) * grid.spacing_mm[0];
        const double dy = static_cast<double>(b - j) * grid.spacing_mm[1];
        const double dz = static_cast<double>(c - k) * grid.spacing_mm[2];
        best = std::min(best, std::sqrt(dx * dx + dy * dy + dz * dz));
      }
    }
  }
  return best;
}

TEST(OrganMorphology, NonzeroBoxIsTheBoundingBox) {
  Mask mask(anisotropic_grid(), 0);
  EXPECT_TRUE(nonzero_box(mask).empty());
  mask.at(3, 17, 2) = 1;
  mask.at(20, 4, 9) = 1;
  const IndexBox box = nonzero_box(mask);
  EXPECT_EQ(box.lower, (Index3{3, 4, 2}));
  EXPECT_EQ(box.upper, (Index3{20, 17, 9}));
}

// Random masks of every density (rows of 23 voxels: the 8-byte scan has a 7-voxel tail), one
// voxel at the last index of a row, and rows with one voxel only.
TEST(OrganMorphology, NonzeroBoxEqualsBruteForceOnRandomMasks) {
  std::mt19937 random(5);
  for (const unsigned one_in : {2u, 40u, 400u, 4000u}) {
    Mask mask(anisotropic_grid(), 0);
    const Geometry& grid = mask.geometry;
    for (uint8_t& value : mask.values) value = random() % one_in == 0 ? 1 : 0;
    if (one_in == 4000u) mask.at(grid.size[0] - 1, 3, 5) = 1;
    IndexBox expected;
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          if (mask.at(i, j, k) != 0) expected.include({i, j, k});
        }
      }
    }
    const IndexBox box = nonzero_box(mask);
    EXPECT_EQ(box.lower, expected.lower) << one_in;
    EXPECT_EQ(box.upper, expected.upper) << one_in;
  }
}

TEST(OrganMorphology, DistanceOnSparseMaskEqualsBruteForce) {
  const Mask mask = sparse_mask(3);
  const Geometry& grid = mask.geometry;
  const std::vector<float> distance = distance_transform_mm(mask, true, {true, true, true});
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const double expected =
            mask.at(i, j, k) == 0 ? 0.0 : brute_distance(mask, i, j, k, 0, true);
        EXPECT_NEAR(distance[grid.offset(i, j, k)], expected, 1e-4) << i << " " << j << " " << k;
      }
    }
  }
}

// Radii chosen away from every voxel-centre distance (2.25 a^2 + 4 b^2 + 9 c^2 mm^2), so that
// the brute force and the transform cannot fall on different sides of a tie.
TEST(OrganMorphology, ErosionAndDilationEqualBruteForce) {
  const Mask mask = sparse_mask(7);
  const Geometry& grid = mask.geometry;
  for (const double radius : {3.3, 4.7}) {
    const Mask eroded = erode_mm(mask, radius);
    const Mask dilated = dilate_mm(mask, radius);
    size_t eroded_count = 0, dilated_count = 0;
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          const bool in = mask.at(i, j, k) != 0;
          const bool keep = in && brute_distance(mask, i, j, k, 0, true) > radius;
          const bool grow = in || brute_distance(mask, i, j, k, 1, false) <= radius;
          EXPECT_EQ(eroded.at(i, j, k) != 0, keep) << radius << ": " << i << " " << j << " " << k;
          EXPECT_EQ(dilated.at(i, j, k) != 0, grow) << radius << ": " << i << " " << j << " " << k;
          eroded_count += keep;
          dilated_count += grow;
        }
      }
    }
    EXPECT_GT(eroded_count, 0u);
    EXPECT_LT(dilated_count, grid.voxel_count());
  }
}

// dilate_boxed_mm on the bounding box of a mask equals dilate_mm on the whole grid (which is built
// on it) and the brute-force dilation; the grown box is clipped at the grid border (the corner
// blob touches i = j = k = 0).
TEST(OrganMorphology, BoxedDilationEqualsWholeGridDilation) {
  const Mask mask = sparse_mask(13);
  const Geometry& grid = mask.geometry;
  BoxedMask region;
  region.box = nonzero_box(mask);
  for (int64_t k = region.box.lower[2]; k <= region.box.upper[2]; ++k) {
    for (int64_t j = region.box.lower[1]; j <= region.box.upper[1]; ++j) {
      for (int64_t i = region.box.lower[0]; i <= region.box.upper[0]; ++i) {
        region.values.push_back(mask.at(i, j, k));
      }
    }
  }
  for (const double radius : {3.3, 4.7}) {
    const BoxedMask grown = dilate_boxed_mm(grid, region, radius);
    EXPECT_EQ(grown.box.lower, (Index3{0, 0, 0}));
    EXPECT_EQ(grown.values.size(), grown.box.voxel_count());
    const Mask whole = dilate_mm(mask, radius);
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          const bool in = mask.at(i, j, k) != 0;
          const bool grow = in || brute_distance(mask, i, j, k, 1, false) <= radius;
          EXPECT_EQ(grown.at(i, j, k) != 0, grow) << radius << ": " << i << " " << j << " " << k;
          EXPECT_EQ(whole.at(i, j, k), grown.at(i, j, k));
        }
      }
    }
  }
  EXPECT_TRUE(dilate_boxed_mm(grid, BoxedMask{}, 3.3).box.empty());
}

// Axis-aligned grids take positions from per-axis tables: equal (==) to origin + i a + j b + k c
// evaluated per voxel, as for other grids, whose positions are the geometry's index_to_world.
TEST(OrganMorphology, VoxelPositionsEqualThePerVoxelExpression) {
  Geometry grid = anisotropic_grid();
  grid.origin_mm = {-301.3, 17.71, -0.9};
  grid.direction = {-1, 0, 0, 0, 1, 0, 0, 0, -1};  // flipped axes are still axis-aligned
  const VoxelPositions positions(grid);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const Vec3 p = positions.at(i, j, k);
        for (size_t r = 0; r < 3; ++r) {
          const double expected = grid.origin_mm[r] +
                                  i * (grid.direction[3 * r + 0] * grid.spacing_mm[0]) +
                                  j * (grid.direction[3 * r + 1] * grid.spacing_mm[1]) +
                                  k * (grid.direction[3 * r + 2] * grid.spacing_mm[2]);
          ASSERT_EQ(p[r], expected) << i << " " << j << " " << k << " axis " << r;
        }
      }
    }
  }
  Geometry oblique = anisotropic_grid();
  const double c = std::cos(0.3), s = std::sin(0.3);
  oblique.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  const VoxelPositions rotated(oblique);
  const Vec3 p = rotated.at(5, 7, 3);
  const Vec3 expected = oblique.index_to_world(5, 7, 3);
  for (size_t r = 0; r < 3; ++r) EXPECT_NEAR(p[r], expected[r], 1e-9);
}

TEST(OrganMorphology, ResultsDoNotDependOnTheThreadCount) {
  const Mask mask = sparse_mask(11);
  auto run = [&] {
    std::vector<float> distance = distance_transform_mm(mask, true, {true, true, false});
    const Mask opened = dilate_mm(erode_mm(mask, 3.3), 3.3);
    for (size_t v = 0; v < opened.size(); ++v) distance.push_back(opened.values[v]);
    const Mask filled = fill_axial_holes(largest_component(mask));
    for (size_t v = 0; v < filled.size(); ++v) distance.push_back(filled.values[v]);
    return distance;
  };
  std::vector<float> serial;
  {
    const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    serial = run();
  }
  EXPECT_EQ(run(), serial);
}

TEST(OrganMorphology, ComponentsMatchLabelComponents) {
  const Geometry grid = anisotropic_grid();
  Mask mask(grid, 0);
  std::mt19937 random(13);
  for (uint8_t& value : mask.values) value = random() % 12 == 0;
  const Components components = find_components(mask);
  const ComponentLabelling reference = label_components(mask, Connectivity::kVertices26, 0.0);
  ASSERT_EQ(components.voxel_counts.size(), reference.kept.size());
  ASSERT_GT(reference.kept.size(), 2u);
  for (size_t id = 0; id < reference.kept.size(); ++id) {
    EXPECT_EQ(components.voxel_counts[id], reference.kept[id].voxel_count) << id;
  }
  for (size_t v = 0; v < mask.size(); ++v) {
    EXPECT_EQ(components.id_at(v) + 1, static_cast<int32_t>(reference.labels.values[v])) << v;
  }
  // The largest component, ties to the first in raster order.
  size_t best = 0;
  for (size_t id = 1; id < reference.kept.size(); ++id) {
    if (reference.kept[id].voxel_count > reference.kept[best].voxel_count) best = id;
  }
  const Mask largest = largest_component(mask);
  for (size_t v = 0; v < mask.size(); ++v) {
    EXPECT_EQ(largest.values[v] != 0, static_cast<size_t>(reference.labels.values[v]) == best + 1)
        << v;
  }
}

TEST(OrganMorphology, CropToBoxAndPasteBack) {
  const Geometry grid = anisotropic_grid();
  ImageVolume image(grid, 0.0f);
  std::mt19937 random(5);
  for (float& value : image.values) value = static_cast<float>(random() % 1000);
  IndexBox box;
  box.lower = {2, 1, 3};
  box.upper = {grid.size[0] - 3, grid.size[1] - 2, grid.size[2] - 1};
  const ImageVolume part = crop_to_box(image, box);
  EXPECT_EQ(part.geometry.size, (Index3{box.extent(0), box.extent(1), box.extent(2)}));
  EXPECT_EQ(part.geometry.spacing_mm, grid.spacing_mm);
  const Vec3 origin = grid.index_to_world(box.lower[0], box.lower[1], box.lower[2]);
  for (int axis = 0; axis < 3; ++axis)
    EXPECT_DOUBLE_EQ(part.geometry.origin_mm[axis], origin[axis]);
  ImageVolume pasted(grid, -1.0f);
  paste_box(part, box, &pasted);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        if (box.contains({i, j, k})) {
          ASSERT_EQ(part.at(i - box.lower[0], j - box.lower[1], k - box.lower[2]),
                    image.at(i, j, k));
          ASSERT_EQ(pasted.at(i, j, k), image.at(i, j, k));
        } else {
          ASSERT_EQ(pasted.at(i, j, k), -1.0f);
        }
      }
    }
  }
  EXPECT_EQ(crop_to_box(image, IndexBox{}).values.size(), 0u);
}

TEST(OrganMorphology, AxialHolesAreFilled) {
  Geometry grid;
  grid.size = {9, 8, 3};
  grid.spacing_mm = {1.0, 1.0, 1.0};
  Mask mask(grid, 0);
  // Slice 0: a closed ring around (3..5, 3..4) in the middle; slice 1: a ring whose hole opens to
  // the i = 0 border; slice 2: a closed ring touching the i = 8 and j = 0 borders.
  for (int64_t j = 2; j <= 5; ++j) {
    for (int64_t i = 2; i <= 6; ++i) {
      const bool edge = i == 2 || i == 6 || j == 2 || j == 5;
      if (edge) mask.at(i, j, 0) = 1;
      if (edge && !(j == 3 && i == 2)) mask.at(i - 2, j, 1) = 1;
    }
  }
  mask.at(0, 3, 1) = 0;  // the gap to the border
  for (int64_t j = 0; j <= 3; ++j) {
    for (int64_t i = 5; i <= 8; ++i) {
      if (i == 5 || i == 8 || j == 0 || j == 3) mask.at(i, j, 2) = 1;
    }
  }
  const Mask filled = fill_axial_holes(mask);
  for (int64_t j = 0; j < grid.size[1]; ++j) {
    for (int64_t i = 0; i < grid.size[0]; ++i) {
      const bool hole0 = i >= 3 && i <= 5 && j >= 3 && j <= 4;
      const bool hole2 = i >= 6 && i <= 7 && j >= 1 && j <= 2;
      EXPECT_EQ(filled.at(i, j, 0) != 0, mask.at(i, j, 0) != 0 || hole0) << i << " " << j;
      EXPECT_EQ(filled.at(i, j, 1), mask.at(i, j, 1)) << i << " " << j;
      EXPECT_EQ(filled.at(i, j, 2) != 0, mask.at(i, j, 2) != 0 || hole2) << i << " " << j;
    }
  }
}

}  // namespace
}  // namespace oncotrace::organs_internal
