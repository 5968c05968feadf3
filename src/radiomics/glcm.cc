// Grey-level co-occurrence matrix features [IBSI-1 manual, "Grey level co-occurrence based
// features", LFYI]: symmetric matrices at Chebyshev distance 1, entropies in log2.
#include <algorithm>
#include <cmath>

#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {

LevelIndex LevelIndex::of(const GreyLevelGrid& grid) {
  LevelIndex index;
  std::vector<uint8_t> present(static_cast<size_t>(grid.n_levels) + 1, 0);
  for (const int32_t level : grid.level) {
    if (level > 0) present[static_cast<size_t>(level)] = 1;
  }
  index.index_of_level.assign(present.size(), -1);
  for (int32_t level = 1; level <= grid.n_levels; ++level) {
    if (present[static_cast<size_t>(level)] != 0) {
      index.index_of_level[static_cast<size_t>(level)] = static_cast<int32_t>(index.levels.size());
      index.levels.push_back(level);
    }
  }
  return index;
}

RoiVoxels RoiVoxels::of(const GreyLevelGrid& grid) {
  RoiVoxels voxels;
  const int64_t slice_size = grid.size[0] * grid.size[1];
  voxels.slice_begin.assign(static_cast<size_t>(grid.size[2]) + 1, 0);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    voxels.slice_begin[static_cast<size_t>(k)] = voxels.offsets.size();
    for (int64_t offset = k * slice_size; offset < (k + 1) * slice_size; ++offset) {
      if (grid.level[static_cast<size_t>(offset)] > 0) voxels.offsets.push_back(offset);
    }
  }
  voxels.slice_begin[static_cast<size_t>(grid.size[2])] = voxels.offsets.size();
  return voxels;
}

double CooccurrenceMatrix::total() const {
  double sum = 0.0;
  for (const double count : counts) sum += count;
  return sum;
}

void CooccurrenceMatrix::add(const CooccurrenceMatrix& other) {
  if (counts.empty()) {
    *this = other;
    return;
  }
  for (size_t cell = 0; cell < counts.size(); ++cell) counts[cell] += other.counts[cell];
}

CooccurrenceMatrix count_cooccurrences(const GreyLevelGrid& grid, const RoiVoxels& voxels,
                                       const LevelIndex& levels, const Displacement& d, int slice) {
  CooccurrenceMatrix matrix;
  matrix.size = levels.size();
  matrix.counts.assign(static_cast<size_t>(matrix.size) * static_cast<size_t>(matrix.size), 0.0);
  const int64_t step = grid.step(d[0], d[1], d[2]);
  const auto [begin, end] = voxels.range(slice);
  for (size_t v = begin; v < end; ++v) {
    const int64_t offset = voxels.offsets[v];
    const int32_t neighbour_level = grid.level[static_cast<size_t>(offset + step)];
    if (neighbour_level == 0) continue;
    const auto a = static_cast<size_t>(
        levels.index_of_level[static_cast<size_t>(grid.level[static_cast<size_t>(offset)])]);
    const auto b = static_cast<size_t>(levels.index_of_level[static_cast<size_t>(neighbour_level)]);
    const auto size = static_cast<size_t>(matrix.size);
    matrix.counts[a * size + b] += 1.0;
    matrix.counts[b * size + a] += 1.0;
  }
  return matrix;
}

const std::array<const char*, kGlcmFeatureCount>& glcm_feature_names() {
  static const std::array<const char*, kGlcmFeatureCount> kNames{
      "cm_joint_max",         "cm_joint_avg",   "cm_joint_var",     "cm_joint_entr",
      "cm_diff_avg",          "cm_diff_var",    "cm_diff_entr",     "cm_sum_avg",
      "cm_sum_var",           "cm_sum_entr",    "cm_energy",        "cm_contrast",
      "cm_dissimilarity",     "cm_inv_diff",    "cm_inv_diff_norm", "cm_inv_diff_mom",
      "cm_inv_diff_mom_norm", "cm_inv_var",     "cm_corr",          "cm_auto_corr",
      "cm_clust_tend",        "cm_clust_shade", "cm_clust_prom",    "cm_info_corr1",
      "cm_info_corr2"};
  return kNames;
}

namespace {

double entropy_term(double p) { return p > 0.0 ? -p * std::log2(p) : 0.0; }

}  // namespace

GlcmValues glcm_feature_values(const CooccurrenceMatrix& matrix, const LevelIndex& levels,
                               int n_levels) {
  GlcmValues values;
  values.fill(std::nan(""));
  const double total = matrix.total();
  if (total <= 0.0) return values;
  const auto size = static_cast<size_t>(matrix.size);
  const double ng = static_cast<double>(n_levels);

  // Marginal (symmetric matrix: p_i = p_j), diagonal p_{i-j} and cross-diagonal p_{i+j}.
  std::vector<double> marginal(size, 0.0);
  std::vector<double> difference(static_cast<size_t>(n_levels), 0.0);
  std::vector<double> sum(2 * static_cast<size_t>(n_levels) + 1, 0.0);
  double joint_max = 0.0, joint_entropy = 0.0, energy = 0.0, contrast = 0.0;
  double dissimilarity = 0.0, inv_diff = 0.0, inv_diff_norm = 0.0, inv_diff_mom = 0.0;
  double inv_diff_mom_norm = 0.0, auto_corr = 0.0;
  for (size_t a = 0; a < size; ++a) {
    const double i = levels.levels[a];
    for (size_t b = 0; b < size; ++b) {
      const double p = matrix.counts[a * size + b] / total;
      if (p == 0.0) continue;
      const double j = levels.levels[b];
      const double distance = std::abs(i - j);
      marginal[a] += p;
      difference[static_cast<size_t>(distance)] += p;
      sum[static_cast<size_t>(i + j)] += p;
      joint_max = std::max(joint_max, p);
      joint_entropy += entropy_term(p);
      energy += p * p;
      contrast += distance * distance * p;
      dissimilarity += distance * p;
      inv_diff += p / (1.0 + distance);
      inv_diff_norm += p / (1.0 + distance / ng);
      inv_diff_mom += p / (1.0 + distance * distance);
      inv_diff_mom_norm += p / (1.0 + distance * distance / (ng * ng));
      auto_corr += i * j * p;
    }
  }

  double mean = 0.0;
  for (size_t a = 0; a < size; ++a) mean += levels.levels[a] * marginal[a];
  double variance = 0.0, joint_variance = 0.0;
  double cluster_tendency = 0.0, cluster_shade = 0.0, cluster_prominence = 0.0;
  double hxy1 = 0.0;
  for (size_t a = 0; a < size; ++a) {
    const double i = levels.levels[a];
    variance += (i - mean) * (i - mean) * marginal[a];
    for (size_t b = 0; b < size; ++b) {
      const double p = matrix.counts[a * size + b] / total;
      if (p == 0.0) continue;
      const double j = levels.levels[b];
      joint_variance += (i - mean) * (i - mean) * p;
      const double cluster = i + j - 2.0 * mean;
      cluster_tendency += cluster * cluster * p;
      cluster_shade += cluster * cluster * cluster * p;
      cluster_prominence += cluster * cluster * cluster * cluster * p;
      hxy1 -= p * std::log2(marginal[a] * marginal[b]);
    }
  }
  double hx = 0.0, hxy2 = 0.0;
  for (size_t a = 0; a < size; ++a) {
    hx += entropy_term(marginal[a]);
    for (size_t b = 0; b < size; ++b) {
      const double product = marginal[a] * marginal[b];
      if (product > 0.0) hxy2 -= product * std::log2(product);
    }
  }

  double diff_mean = 0.0, diff_entropy = 0.0, inv_var = 0.0;
  for (size_t k = 0; k < difference.size(); ++k) {
    diff_mean += static_cast<double>(k) * difference[k];
    diff_entropy += entropy_term(difference[k]);
    if (k > 0) inv_var += difference[k] / static_cast<double>(k * k);
  }
  double diff_variance = 0.0;
  for (size_t k = 0; k < difference.size(); ++k) {
    diff_variance +=
        (static_cast<double>(k) - diff_mean) * (static_cast<double>(k) - diff_mean) * difference[k];
  }
  double sum_mean = 0.0, sum_entropy = 0.0;
  for (size_t k = 0; k < sum.size(); ++k) {
    sum_mean += static_cast<double>(k) * sum[k];
    sum_entropy += entropy_term(sum[k]);
  }
  double sum_variance = 0.0;
  for (size_t k = 0; k < sum.size(); ++k) {
    sum_variance +=
        (static_cast<double>(k) - sum_mean) * (static_cast<double>(k) - sum_mean) * sum[k];
  }

  values[0] = joint_max;
  values[1] = mean;
  values[2] = joint_variance;
  values[3] = joint_entropy;
  values[4] = diff_mean;
  values[5] = diff_variance;
  values[6] = diff_entropy;
  values[7] = sum_mean;
  values[8] = sum_variance;
  values[9] = sum_entropy;
  values[10] = energy;
  values[11] = contrast;
  values[12] = dissimilarity;
  values[13] = inv_diff;
  values[14] = inv_diff_norm;
  values[15] = inv_diff_mom;
  values[16] = inv_diff_mom_norm;
  values[17] = inv_var;
  // Correlation is undefined for a single grey level (zero variance).
  values[18] = variance > 0.0 ? (auto_corr - mean * mean) / variance : std::nan("");
  values[19] = auto_corr;
  values[20] = cluster_tendency;
  values[21] = cluster_shade;
  values[22] = cluster_prominence;
  values[23] = hx > 0.0 ? (joint_entropy - hxy1) / hx : std::nan("");
  values[24] = std::sqrt(std::max(0.0, 1.0 - std::exp(-2.0 * (hxy2 - joint_entropy))));
  return values;
}

namespace {

void emit(const GlcmValues& values, const char* suffix, FeatureList& out) {
  const auto& names = glcm_feature_names();
  for (int f = 0; f < kGlcmFeatureCount; ++f)
    out.add(names[static_cast<size_t>(f)], suffix, values[static_cast<size_t>(f)]);
}

}  // namespace

void add_glcm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                       FeatureList& out) {
  const LevelIndex levels = LevelIndex::of(grid);
  const RoiVoxels voxels = RoiVoxels::of(grid);
  if (aggregation.slice_2d || aggregation.merged_2_5d) {
    const auto& directions = unique_directions_2d();
    FeatureMean<kGlcmFeatureCount> per_slice_direction, per_slice;
    std::vector<CooccurrenceMatrix> per_direction(directions.size());
    CooccurrenceMatrix all;
    for (int slice = 0; slice < static_cast<int>(grid.size[2]); ++slice) {
      CooccurrenceMatrix slice_merged;
      for (size_t d = 0; d < directions.size(); ++d) {
        const CooccurrenceMatrix matrix =
            count_cooccurrences(grid, voxels, levels, directions[d], slice);
        if (matrix.total() == 0.0) continue;
        if (aggregation.slice_2d) {
          per_slice_direction.add(glcm_feature_values(matrix, levels, grid.n_levels));
        }
        slice_merged.add(matrix);
        per_direction[d].add(matrix);
        all.add(matrix);
      }
      if (aggregation.slice_2d && !slice_merged.counts.empty()) {
        per_slice.add(glcm_feature_values(slice_merged, levels, grid.n_levels));
      }
    }
    if (aggregation.slice_2d) {
      emit(per_slice_direction.mean(), "_2D_avg", out);
      emit(per_slice.mean(), "_2D_comb", out);
    }
    if (aggregation.merged_2_5d) {
      FeatureMean<kGlcmFeatureCount> direction_mean;
      for (const CooccurrenceMatrix& matrix : per_direction) {
        if (!matrix.counts.empty())
          direction_mean.add(glcm_feature_values(matrix, levels, grid.n_levels));
      }
      emit(direction_mean.mean(), "_2_5D_avg", out);
      GlcmValues merged;
      merged.fill(std::nan(""));
      if (!all.counts.empty()) merged = glcm_feature_values(all, levels, grid.n_levels);
      emit(merged, "_2_5D_comb", out);
    }
  }
  if (aggregation.volume_3d) {
    FeatureMean<kGlcmFeatureCount> direction_mean;
    CooccurrenceMatrix all;
    for (const Displacement& d : unique_directions_3d()) {
      const CooccurrenceMatrix matrix = count_cooccurrences(grid, voxels, levels, d, -1);
      if (matrix.total() == 0.0) continue;
      direction_mean.add(glcm_feature_values(matrix, levels, grid.n_levels));
      all.add(matrix);
    }
    emit(direction_mean.mean(), "_3D_avg", out);
    GlcmValues merged;
    merged.fill(std::nan(""));
    if (!all.counts.empty()) merged = glcm_feature_values(all, levels, grid.n_levels);
    emit(merged, "_3D_comb", out);
  }
}

}  // namespace oncotrace::radiomics::detail
