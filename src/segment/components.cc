#include <algorithm>
#include <cstdlib>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/flood_fill.h"

namespace oncotrace {

int neighbour_count(Connectivity connectivity) { return static_cast<int>(connectivity); }

namespace segment_internal {

std::vector<Index3> neighbour_steps(Connectivity connectivity) {
  // Steps that change 1 (faces), up to 2 (edges) or up to 3 (corners) coordinates.
  const int max_changed = connectivity == Connectivity::kFaces6    ? 1
                          : connectivity == Connectivity::kEdges18 ? 2
                                                                   : 3;
  std::vector<Index3> steps;
  for (int64_t dk = -1; dk <= 1; ++dk) {
    for (int64_t dj = -1; dj <= 1; ++dj) {
      for (int64_t di = -1; di <= 1; ++di) {
        const int changed = (di != 0) + (dj != 0) + (dk != 0);
        if (changed >= 1 && changed <= max_changed) steps.push_back({di, dj, dk});
      }
    }
  }
  return steps;
}

void require_consistent(const Geometry& grid, size_t value_count, const std::string& what) {
  if (value_count == grid.voxel_count()) return;
  throw InvalidInputError(what + " buffer holds " + std::to_string(value_count) +
                          " values but its grid " + grid.describe() + " needs " +
                          std::to_string(grid.voxel_count()));
}

std::vector<ComponentVoxels> find_components(const Mask& mask, Connectivity connectivity) {
  const Geometry& grid = mask.geometry;
  require_consistent(grid, mask.values.size(), "mask");
  const std::vector<Index3> steps = neighbour_steps(connectivity);
  // One visited map for the whole scan (flood_fill's per-call map would cost a full-image
  // allocation per component).
  std::vector<uint8_t> taken(mask.values.size(), 0);
  std::vector<ComponentVoxels> components;
  std::vector<Index3> pending;
  size_t offset = 0;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i, ++offset) {
        if (mask.values[offset] == 0 || taken[offset] != 0) continue;
        ComponentVoxels found;
        found.component.first_voxel = {i, j, k};
        taken[offset] = 1;
        pending.push_back({i, j, k});
        while (!pending.empty()) {
          const Index3 index = pending.back();
          pending.pop_back();
          found.offsets.push_back(grid.offset(index[0], index[1], index[2]));
          found.component.box.include(index);
          for (const Index3& step : steps) {
            const Index3 next{index[0] + step[0], index[1] + step[1], index[2] + step[2]};
            if (!grid.contains(next)) continue;
            const size_t at = grid.offset(next[0], next[1], next[2]);
            if (mask.values[at] == 0 || taken[at] != 0) continue;
            taken[at] = 1;
            pending.push_back(next);
          }
        }
        std::sort(found.offsets.begin(), found.offsets.end());
        found.component.voxel_count = found.offsets.size();
        found.component.volume_ml =
            static_cast<double>(found.offsets.size()) * grid.voxel_volume_ml();
        components.push_back(std::move(found));
      }
    }
  }
  return components;
}

}  // namespace segment_internal

ComponentLabelling label_components(const Mask& mask, Connectivity connectivity,
                                    double min_volume_ml) {
  if (!(min_volume_ml >= 0.0)) {
    throw InvalidInputError("minimum component volume " + std::to_string(min_volume_ml) +
                            " mL is negative; give a volume >= 0 mL");
  }
  std::vector<segment_internal::ComponentVoxels> components =
      segment_internal::find_components(mask, connectivity);
  ComponentLabelling result;
  result.labels = LabelMap(mask.geometry, 0);
  result.connectivity = connectivity;
  result.min_volume_ml = min_volume_ml;
  for (segment_internal::ComponentVoxels& found : components) {
    if (found.component.volume_ml < min_volume_ml) {
      result.too_small.push_back(found.component);
      continue;
    }
    if (result.kept.size() == 65535) {
      throw UnsupportedDataError(
          "more than 65535 connected components were kept; a label map holds uint16 labels. "
          "Raise the threshold or the minimum volume");
    }
    found.component.label = static_cast<uint16_t>(result.kept.size() + 1);
    for (const size_t at : found.offsets) result.labels.values[at] = found.component.label;
    result.kept.push_back(found.component);
  }
  return result;
}

}  // namespace oncotrace
