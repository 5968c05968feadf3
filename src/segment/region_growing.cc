#include <algorithm>
#include <limits>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/flood_fill.h"

namespace oncotrace {

namespace {

std::string describe_index(const Index3& index) {
  return "(" + std::to_string(index[0]) + ", " + std::to_string(index[1]) + ", " +
         std::to_string(index[2]) + ")";
}

IndexBox growth_box(const Geometry& grid, const RegionGrowingOptions& options) {
  const IndexBox whole{{0, 0, 0}, {grid.size[0] - 1, grid.size[1] - 1, grid.size[2] - 1}};
  if (!options.limit) return whole;
  IndexBox box = *options.limit;
  for (int axis = 0; axis < 3; ++axis) {
    box.lower[axis] = std::max(box.lower[axis], whole.lower[axis]);
    box.upper[axis] = std::min(box.upper[axis], whole.upper[axis]);
  }
  return box;
}

}  // namespace

GrownRegion grow_region(const ImageVolume& image, const std::vector<Index3>& seeds,
                        const RegionGrowingOptions& options) {
  const Geometry& grid = image.geometry;
  segment_internal::require_consistent(grid, image.values.size(), "image");
  if (seeds.empty()) {
    throw InvalidInputError("region growing needs at least one seed voxel; give a seed point");
  }
  const IndexBox box = growth_box(grid, options);
  double reference_max = -std::numeric_limits<double>::infinity();
  for (const Index3& seed : seeds) {
    if (!grid.contains(seed) || !box.contains(seed)) {
      throw InvalidInputError("seed voxel " + describe_index(seed) + " lies outside the image " +
                              grid.describe() +
                              " or the growth limit box; give a seed inside both");
    }
    reference_max =
        std::max(reference_max, static_cast<double>(image.at(seed[0], seed[1], seed[2])));
  }
  GrownRegion grown;
  grown.rule = options.rule.description;
  grown.reference_max = reference_max;
  grown.threshold = options.rule.threshold_for(reference_max);
  for (const Index3& seed : seeds) {
    if (image.at(seed[0], seed[1], seed[2]) < grown.threshold) {
      grown.seeds_below_threshold.push_back(seed);
    }
  }
  const double threshold = grown.threshold;
  const std::vector<size_t> region =
      segment_internal::flood_fill(grid, box, seeds, options.connectivity,
                                   [&](size_t at) { return image.values[at] >= threshold; });
  grown.mask = Mask(grid, 0);
  for (const size_t at : region) grown.mask.values[at] = 1;
  grown.voxel_count = region.size();
  grown.volume_ml = static_cast<double>(region.size()) * grid.voxel_volume_ml();
  return grown;
}

}  // namespace oncotrace
