// Grey-level run-length matrix features [IBSI-1 manual, TP0I]: runs of equal grey level along
// each direction inside the intensity mask; the run percentage normalises by N_v, summed over
// merged matrices.
#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {

SizeMatrix count_runs(const GreyLevelGrid& grid, const RoiVoxels& voxels, const Displacement& d,
                      int slice) {
  const int64_t step = grid.step(d[0], d[1], d[2]);
  const auto [begin, end] = voxels.range(slice);
  std::vector<std::pair<int32_t, int64_t>> runs;
  for (size_t v = begin; v < end; ++v) {
    const int64_t offset = voxels.offsets[v];
    const int32_t level = grid.level[static_cast<size_t>(offset)];
    // Only the first voxel of a run starts a walk; the one-voxel border of level 0 ends it.
    if (grid.level[static_cast<size_t>(offset - step)] == level) continue;
    int64_t length = 1;
    while (grid.level[static_cast<size_t>(offset + length * step)] == level) ++length;
    runs.emplace_back(level, length);
  }
  return make_size_matrix(runs, static_cast<double>(end - begin));
}

void add_glrlm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out) {
  const RoiVoxels voxels = RoiVoxels::of(grid);
  const auto emit = [&out](const SizeValues& values, const char* suffix) {
    emit_size_features(SizeFamily::kRunLength, values, suffix, out);
  };
  const auto features_of = [](const SizeMatrix& matrix) {
    SizeValues values;
    values.fill(std::nan(""));
    return matrix.empty() ? values : size_matrix_feature_values(matrix);
  };
  if (aggregation.slice_2d || aggregation.merged_2_5d) {
    const auto& directions = unique_directions_2d();
    FeatureMean<kSizeFeatureCount> per_slice_direction, per_slice;
    std::vector<std::vector<SizeMatrix>> by_direction(directions.size());
    for (int slice = 0; slice < static_cast<int>(grid.size[2]); ++slice) {
      std::vector<SizeMatrix> slice_matrices;
      for (size_t d = 0; d < directions.size(); ++d) {
        SizeMatrix matrix = count_runs(grid, voxels, directions[d], slice);
        if (matrix.empty()) continue;
        if (aggregation.slice_2d) per_slice_direction.add(size_matrix_feature_values(matrix));
        slice_matrices.push_back(matrix);
        by_direction[d].push_back(std::move(matrix));
      }
      if (aggregation.slice_2d && !slice_matrices.empty()) {
        std::vector<const SizeMatrix*> parts;
        parts.reserve(slice_matrices.size());
        for (const SizeMatrix& matrix : slice_matrices) parts.push_back(&matrix);
        per_slice.add(size_matrix_feature_values(merge_size_matrices(parts)));
      }
    }
    if (aggregation.slice_2d) {
      emit(per_slice_direction.mean(), "_2D_avg");
      emit(per_slice.mean(), "_2D_comb");
    }
    if (aggregation.merged_2_5d) {
      FeatureMean<kSizeFeatureCount> direction_mean;
      std::vector<const SizeMatrix*> all;
      std::vector<SizeMatrix> direction_merged;
      direction_merged.reserve(directions.size());
      for (const auto& matrices : by_direction) {
        std::vector<const SizeMatrix*> parts;
        for (const SizeMatrix& matrix : matrices) {
          parts.push_back(&matrix);
          all.push_back(&matrix);
        }
        direction_merged.push_back(merge_size_matrices(parts));
        if (!direction_merged.back().empty()) {
          direction_mean.add(size_matrix_feature_values(direction_merged.back()));
        }
      }
      emit(direction_mean.mean(), "_2_5D_avg");
      emit(features_of(merge_size_matrices(all)), "_2_5D_comb");
    }
  }
  if (aggregation.volume_3d) {
    FeatureMean<kSizeFeatureCount> direction_mean;
    std::vector<SizeMatrix> matrices;
    for (const Displacement& d : unique_directions_3d()) {
      SizeMatrix matrix = count_runs(grid, voxels, d, -1);
      if (matrix.empty()) continue;
      direction_mean.add(size_matrix_feature_values(matrix));
      matrices.push_back(std::move(matrix));
    }
    std::vector<const SizeMatrix*> parts;
    parts.reserve(matrices.size());
    for (const SizeMatrix& matrix : matrices) parts.push_back(&matrix);
    emit(direction_mean.mean(), "_3D_avg");
    emit(features_of(merge_size_matrices(parts)), "_3D_comb");
  }
}

}  // namespace oncotrace::radiomics::detail
