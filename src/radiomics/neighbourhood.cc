// Neighbourhood grey tone difference (NGTDM, IBSI IPET) and neighbouring grey level dependence
// (NGLDM, REK0) matrices, both over the Chebyshev distance-1 neighbourhood (26 voxels in 3D, 8
// within a slice) restricted to the intensity mask.
#include <cmath>

#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {

namespace {

std::vector<int64_t> neighbour_steps(const GreyLevelGrid& grid, bool in_slice) {
  std::vector<int64_t> steps;
  for (const Displacement& d : chebyshev_neighbours(in_slice)) {
    steps.push_back(grid.step(d[0], d[1], d[2]));
  }
  return steps;
}

}  // namespace

void NeighbourhoodDifferences::add(const NeighbourhoodDifferences& other) {
  if (count.empty()) {
    *this = other;
    return;
  }
  for (size_t level = 0; level < count.size(); ++level) {
    count[level] += other.count[level];
    sum_abs_difference[level] += other.sum_abs_difference[level];
  }
}

bool NeighbourhoodDifferences::empty() const {
  for (const double n : count) {
    if (n > 0.0) return false;
  }
  return true;
}

NeighbourhoodDifferences count_neighbourhood_differences(const GreyLevelGrid& grid,
                                                         const RoiVoxels& voxels, int slice) {
  NeighbourhoodDifferences result;
  result.count.assign(static_cast<size_t>(grid.n_levels) + 1, 0.0);
  result.sum_abs_difference.assign(result.count.size(), 0.0);
  const std::vector<int64_t> steps = neighbour_steps(grid, slice >= 0);
  const auto [begin, end] = voxels.range(slice);
  for (size_t v = begin; v < end; ++v) {
    const int64_t offset = voxels.offsets[v];
    const int32_t level = grid.level[static_cast<size_t>(offset)];
    int64_t neighbour_sum = 0;
    int neighbour_count = 0;
    for (const int64_t step : steps) {
      const int32_t neighbour = grid.level[static_cast<size_t>(offset + step)];
      if (neighbour > 0) {
        neighbour_sum += neighbour;
        ++neighbour_count;
      }
    }
    // Voxels without any neighbour in the ROI have no neighbourhood and do not count.
    if (neighbour_count == 0) continue;
    const double mean = static_cast<double>(neighbour_sum) / neighbour_count;
    result.count[static_cast<size_t>(level)] += 1.0;
    result.sum_abs_difference[static_cast<size_t>(level)] += std::abs(level - mean);
  }
  return result;
}

std::array<double, kNgtdmFeatureCount> ngtdm_feature_values(const NeighbourhoodDifferences& d) {
  std::array<double, kNgtdmFeatureCount> values;
  values.fill(std::nan(""));
  double total = 0.0, sum_s = 0.0;
  std::vector<size_t> present;
  for (size_t level = 1; level < d.count.size(); ++level) {
    if (d.count[level] > 0.0) {
      present.push_back(level);
      total += d.count[level];
      sum_s += d.sum_abs_difference[level];
    }
  }
  if (total <= 0.0) return values;
  const auto p = [&](size_t level) { return d.count[level] / total; };
  const double n_present = static_cast<double>(present.size());

  double weighted_s = 0.0;
  for (const size_t i : present) weighted_s += p(i) * d.sum_abs_difference[i];
  double contrast_sum = 0.0, busyness_denominator = 0.0, complexity = 0.0, strength_sum = 0.0;
  for (const size_t i : present) {
    for (const size_t j : present) {
      const double gi = static_cast<double>(i), gj = static_cast<double>(j);
      contrast_sum += p(i) * p(j) * (gi - gj) * (gi - gj);
      busyness_denominator += std::abs(gi * p(i) - gj * p(j));
      complexity += std::abs(gi - gj) *
                    (p(i) * d.sum_abs_difference[i] + p(j) * d.sum_abs_difference[j]) /
                    (p(i) + p(j));
      strength_sum += (p(i) + p(j)) * (gi - gj) * (gi - gj);
    }
  }
  // IBSI: coarseness is set to 10^6 when the sum is 0 (a uniform ROI).
  values[0] = weighted_s > 0.0 ? 1.0 / weighted_s : 1.0e6;
  values[1] =
      n_present > 1.0 ? contrast_sum / (n_present * (n_present - 1.0)) * (sum_s / total) : 0.0;
  values[2] = busyness_denominator > 0.0 ? weighted_s / busyness_denominator : 0.0;
  values[3] = complexity / total;
  values[4] = sum_s > 0.0 ? strength_sum / sum_s : 0.0;
  return values;
}

SizeMatrix count_dependences(const GreyLevelGrid& grid, const RoiVoxels& voxels, int slice) {
  const std::vector<int64_t> steps = neighbour_steps(grid, slice >= 0);
  const auto [begin, end] = voxels.range(slice);
  std::vector<std::pair<int32_t, int64_t>> dependences;
  dependences.reserve(end - begin);
  for (size_t v = begin; v < end; ++v) {
    const int64_t offset = voxels.offsets[v];
    const int32_t level = grid.level[static_cast<size_t>(offset)];
    int64_t dependence = 1;  // the centre voxel counts (IBSI REK0)
    for (const int64_t step : steps) {
      if (grid.level[static_cast<size_t>(offset + step)] == level) ++dependence;
    }
    dependences.emplace_back(level, dependence);
  }
  return make_size_matrix(dependences, static_cast<double>(end - begin));
}

void add_ngtdm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out) {
  static const std::array<const char*, kNgtdmFeatureCount> kNames{
      "ngt_coarseness", "ngt_contrast", "ngt_busyness", "ngt_complexity", "ngt_strength"};
  const auto emit = [&out](const std::array<double, kNgtdmFeatureCount>& values,
                           const char* suffix) {
    for (size_t f = 0; f < kNames.size(); ++f) out.add(kNames[f], suffix, values[f]);
  };
  const RoiVoxels voxels = RoiVoxels::of(grid);
  if (aggregation.slice_2d || aggregation.merged_2_5d) {
    FeatureMean<kNgtdmFeatureCount> slice_mean;
    NeighbourhoodDifferences merged;
    for (int slice = 0; slice < static_cast<int>(grid.size[2]); ++slice) {
      const NeighbourhoodDifferences differences =
          count_neighbourhood_differences(grid, voxels, slice);
      if (differences.empty()) continue;
      slice_mean.add(ngtdm_feature_values(differences));
      merged.add(differences);
    }
    if (aggregation.slice_2d) emit(slice_mean.mean(), "_2D");
    if (aggregation.merged_2_5d) emit(ngtdm_feature_values(merged), "_2_5D");
  }
  if (aggregation.volume_3d) {
    emit(ngtdm_feature_values(count_neighbourhood_differences(grid, voxels, -1)), "_3D");
  }
}

void add_ngldm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out) {
  const RoiVoxels voxels = RoiVoxels::of(grid);
  const auto features_of = [](const SizeMatrix& matrix) {
    SizeValues values;
    values.fill(std::nan(""));
    return matrix.empty() ? values : size_matrix_feature_values(matrix);
  };
  if (aggregation.slice_2d || aggregation.merged_2_5d) {
    FeatureMean<kSizeFeatureCount> slice_mean;
    std::vector<SizeMatrix> slices;
    for (int slice = 0; slice < static_cast<int>(grid.size[2]); ++slice) {
      SizeMatrix matrix = count_dependences(grid, voxels, slice);
      if (matrix.empty()) continue;
      slice_mean.add(size_matrix_feature_values(matrix));
      slices.push_back(std::move(matrix));
    }
    if (aggregation.slice_2d) {
      emit_size_features(SizeFamily::kDependence, slice_mean.mean(), "_2D", out);
    }
    if (aggregation.merged_2_5d) {
      std::vector<const SizeMatrix*> parts;
      parts.reserve(slices.size());
      for (const SizeMatrix& matrix : slices) parts.push_back(&matrix);
      emit_size_features(SizeFamily::kDependence, features_of(merge_size_matrices(parts)), "_2_5D",
                         out);
    }
  }
  if (aggregation.volume_3d) {
    emit_size_features(SizeFamily::kDependence, features_of(count_dependences(grid, voxels, -1)),
                       "_3D", out);
  }
}

}  // namespace oncotrace::radiomics::detail
