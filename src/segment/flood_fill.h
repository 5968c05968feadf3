// Flood fill and component search shared by the segmentation methods. Internal.
//
// Hand-written rather than ITK's ConnectedThreshold/ConnectedComponent filters: ITK offers only
// 6 and 26 connectivity, would need a copy of each box into an itk::Image, and does not define
// the label order we need for thread-count independent output.
#ifndef ONCOTRACE_SEGMENT_FLOOD_FILL_H_
#define ONCOTRACE_SEGMENT_FLOOD_FILL_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "oncotrace/segment.h"

namespace oncotrace::segment_internal {

// Neighbour steps of a connectivity, in a fixed order.
std::vector<Index3> neighbour_steps(Connectivity connectivity);

// Throws InvalidInputError when the buffer size does not match the grid.
void require_consistent(const Geometry& grid, size_t value_count, const std::string& what);

// The voxels of `box` reachable from `seeds` (image indices inside `box`; seeds that `accept`
// refuses start nothing) through voxels that `accept(offset)` admits. Returns sorted linear
// image offsets.
template <typename Accept>
std::vector<size_t> flood_fill(const Geometry& grid, const IndexBox& box,
                               const std::vector<Index3>& seeds, Connectivity connectivity,
                               Accept accept) {
  std::vector<size_t> region;
  if (box.empty()) return region;
  const std::vector<Index3> steps = neighbour_steps(connectivity);
  const int64_t width = box.extent(0);
  const int64_t height = box.extent(1);
  std::vector<uint8_t> visited(box.voxel_count(), 0);
  const auto local = [&](const Index3& index) {
    return static_cast<size_t>(
        (index[0] - box.lower[0]) +
        width * ((index[1] - box.lower[1]) + height * (index[2] - box.lower[2])));
  };
  std::vector<Index3> pending;
  for (const Index3& seed : seeds) {
    if (!box.contains(seed) || visited[local(seed)] != 0) continue;
    visited[local(seed)] = 1;
    if (!accept(grid.offset(seed[0], seed[1], seed[2]))) continue;
    pending.push_back(seed);
  }
  while (!pending.empty()) {
    const Index3 index = pending.back();
    pending.pop_back();
    region.push_back(grid.offset(index[0], index[1], index[2]));
    for (const Index3& step : steps) {
      const Index3 next{index[0] + step[0], index[1] + step[1], index[2] + step[2]};
      if (!box.contains(next)) continue;
      uint8_t& seen = visited[local(next)];
      if (seen != 0) continue;
      seen = 1;
      if (accept(grid.offset(next[0], next[1], next[2]))) pending.push_back(next);
    }
  }
  std::sort(region.begin(), region.end());
  return region;
}

// One connected component of a mask with its voxels (sorted linear offsets).
struct ComponentVoxels {
  Component component;
  std::vector<size_t> offsets;
};

// Every component of the non-zero voxels of `mask`, in raster order of the first voxels. The
// label field is left 0.
std::vector<ComponentVoxels> find_components(const Mask& mask, Connectivity connectivity);

}  // namespace oncotrace::segment_internal

#endif  // ONCOTRACE_SEGMENT_FLOOD_FILL_H_
