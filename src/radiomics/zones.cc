// Grey-level size zone (GLSZM, IBSI 9SAK) and distance zone (GLDZM, VMDZ) matrices. A zone is
// a group of connected voxels of one grey level (26-connected in 3D, 8-connected within a
// slice); its distance is the smallest edge distance of its voxels, measured on the
// morphological mask with face connectivity (6 in 3D, 4 in a slice), edge voxels at 1.
#include <deque>

#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {

namespace {

std::vector<int64_t> steps_of(const GreyLevelGrid& grid, const std::vector<Displacement>& set) {
  std::vector<int64_t> steps;
  steps.reserve(set.size());
  for (const Displacement& d : set) steps.push_back(grid.step(d[0], d[1], d[2]));
  return steps;
}

}  // namespace

std::vector<int32_t> edge_distance_map(const Index3& size, const std::vector<uint8_t>& mask,
                                       bool in_slice) {
  GreyLevelGrid shape;
  shape.size = size;
  const std::vector<int64_t> steps = steps_of(shape, face_neighbours(in_slice));
  std::vector<int32_t> distance(mask.size(), 0);
  std::deque<int64_t> queue;
  // Multi-source breadth-first search from the voxels that touch the outside.
  for (int64_t k = 1; k + 1 < size[2]; ++k) {
    for (int64_t j = 1; j + 1 < size[1]; ++j) {
      for (int64_t i = 1; i + 1 < size[0]; ++i) {
        const auto offset = static_cast<int64_t>(shape.offset(i, j, k));
        if (mask[static_cast<size_t>(offset)] == 0) continue;
        for (const int64_t step : steps) {
          if (mask[static_cast<size_t>(offset + step)] == 0) {
            distance[static_cast<size_t>(offset)] = 1;
            queue.push_back(offset);
            break;
          }
        }
      }
    }
  }
  while (!queue.empty()) {
    const int64_t offset = queue.front();
    queue.pop_front();
    for (const int64_t step : steps) {
      const auto next = static_cast<size_t>(offset + step);
      if (mask[next] != 0 && distance[next] == 0) {
        distance[next] = distance[static_cast<size_t>(offset)] + 1;
        queue.push_back(static_cast<int64_t>(next));
      }
    }
  }
  return distance;
}

ZoneMatrices count_zones(const GreyLevelGrid& grid, const RoiVoxels& voxels,
                         const std::vector<int32_t>& edge_distance, int slice) {
  const std::vector<int64_t> steps = steps_of(grid, chebyshev_neighbours(slice >= 0));
  const auto [begin, end] = voxels.range(slice);
  std::vector<uint8_t> visited(grid.level.size(), 0);
  std::vector<std::pair<int32_t, int64_t>> sizes, distances;
  std::vector<int64_t> stack;
  for (size_t v = begin; v < end; ++v) {
    const int64_t seed = voxels.offsets[v];
    if (visited[static_cast<size_t>(seed)] != 0) continue;
    const int32_t level = grid.level[static_cast<size_t>(seed)];
    int64_t zone_size = 0;
    int32_t zone_distance = edge_distance[static_cast<size_t>(seed)];
    visited[static_cast<size_t>(seed)] = 1;
    stack.assign(1, seed);
    while (!stack.empty()) {
      const int64_t offset = stack.back();
      stack.pop_back();
      ++zone_size;
      zone_distance = std::min(zone_distance, edge_distance[static_cast<size_t>(offset)]);
      for (const int64_t step : steps) {
        const auto next = static_cast<size_t>(offset + step);
        if (visited[next] == 0 && grid.level[next] == level) {
          visited[next] = 1;
          stack.push_back(static_cast<int64_t>(next));
        }
      }
    }
    sizes.emplace_back(level, zone_size);
    distances.emplace_back(level, zone_distance);
  }
  const auto voxel_count = static_cast<double>(end - begin);
  return {make_size_matrix(sizes, voxel_count), make_size_matrix(distances, voxel_count)};
}

void add_zone_features(const GreyLevelGrid& grid, const std::vector<uint8_t>& morphological_mask,
                       const AggregationSettings& aggregation, bool glszm, bool gldzm,
                       FeatureList& out) {
  const RoiVoxels voxels = RoiVoxels::of(grid);
  // Results per aggregation: [0] size zone, [1] distance zone.
  std::vector<std::pair<std::string, std::array<SizeValues, 2>>> results;
  const auto features_of = [](const SizeMatrix& matrix) {
    SizeValues values;
    values.fill(std::nan(""));
    return matrix.empty() ? values : size_matrix_feature_values(matrix);
  };
  if (aggregation.slice_2d || aggregation.merged_2_5d) {
    const std::vector<int32_t> distance = edge_distance_map(grid.size, morphological_mask, true);
    FeatureMean<kSizeFeatureCount> size_mean, distance_mean;
    std::vector<ZoneMatrices> slices;
    for (int slice = 0; slice < static_cast<int>(grid.size[2]); ++slice) {
      ZoneMatrices zones = count_zones(grid, voxels, distance, slice);
      if (zones.size_zone.empty()) continue;
      size_mean.add(size_matrix_feature_values(zones.size_zone));
      distance_mean.add(size_matrix_feature_values(zones.distance_zone));
      slices.push_back(std::move(zones));
    }
    if (aggregation.slice_2d) results.push_back({"_2D", {size_mean.mean(), distance_mean.mean()}});
    if (aggregation.merged_2_5d) {
      std::vector<const SizeMatrix*> size_parts, distance_parts;
      for (const ZoneMatrices& zones : slices) {
        size_parts.push_back(&zones.size_zone);
        distance_parts.push_back(&zones.distance_zone);
      }
      results.push_back({"_2_5D",
                         {features_of(merge_size_matrices(size_parts)),
                          features_of(merge_size_matrices(distance_parts))}});
    }
  }
  if (aggregation.volume_3d) {
    const std::vector<int32_t> distance = edge_distance_map(grid.size, morphological_mask, false);
    const ZoneMatrices zones = count_zones(grid, voxels, distance, -1);
    results.push_back({"_3D", {features_of(zones.size_zone), features_of(zones.distance_zone)}});
  }
  // Table order: all GLSZM aggregations, then all GLDZM aggregations.
  if (glszm) {
    for (const auto& [suffix, values] : results) {
      emit_size_features(SizeFamily::kSizeZone, values[0], suffix.c_str(), out);
    }
  }
  if (gldzm) {
    for (const auto& [suffix, values] : results) {
      emit_size_features(SizeFamily::kDistanceZone, values[1], suffix.c_str(), out);
    }
  }
}

}  // namespace oncotrace::radiomics::detail
