// Features of the size-type matrices. GLRLM (TP0I), GLSZM (9SAK), GLDZM (VMDZ) and NGLDM
// (REK0) define the same emphasis, non-uniformity, percentage, variance and entropy features on
// a (grey level i, size j) count matrix; only the meaning of j differs [IBSI-1 manual].
#include <algorithm>
#include <cmath>

#include "radiomics/texture.h"

namespace oncotrace::radiomics::detail {

namespace {

bool entry_order(const SizeMatrix::Entry& a, const SizeMatrix::Entry& b) {
  return a.level != b.level ? a.level < b.level : a.size < b.size;
}

// Sorts and sums duplicate (level, size) entries.
void compress(std::vector<SizeMatrix::Entry>& entries) {
  std::sort(entries.begin(), entries.end(), entry_order);
  size_t out = 0;
  for (size_t in = 0; in < entries.size(); ++in) {
    if (out > 0 && entries[out - 1].level == entries[in].level &&
        entries[out - 1].size == entries[in].size) {
      entries[out - 1].count += entries[in].count;
    } else {
      entries[out++] = entries[in];
    }
  }
  entries.resize(out);
}

}  // namespace

SizeMatrix make_size_matrix(const std::vector<std::pair<int32_t, int64_t>>& observations,
                            double voxel_count) {
  SizeMatrix matrix;
  matrix.voxel_count = voxel_count;
  matrix.entries.reserve(observations.size());
  for (const auto& [level, size] : observations) matrix.entries.push_back({level, size, 1.0});
  compress(matrix.entries);
  return matrix;
}

SizeMatrix merge_size_matrices(const std::vector<const SizeMatrix*>& matrices) {
  SizeMatrix merged;
  for (const SizeMatrix* matrix : matrices) {
    if (matrix->empty()) continue;
    merged.entries.insert(merged.entries.end(), matrix->entries.begin(), matrix->entries.end());
    merged.voxel_count += matrix->voxel_count;
  }
  compress(merged.entries);
  return merged;
}

SizeValues size_matrix_feature_values(const SizeMatrix& matrix) {
  SizeValues values;
  values.fill(std::nan(""));
  double total = 0.0;
  for (const auto& entry : matrix.entries) total += entry.count;
  if (total <= 0.0) return values;

  double short_emphasis = 0.0, long_emphasis = 0.0, low_grey = 0.0, high_grey = 0.0;
  double short_low = 0.0, short_high = 0.0, long_low = 0.0, long_high = 0.0;
  double mean_level = 0.0, mean_size = 0.0, entropy = 0.0, energy = 0.0;
  for (const auto& entry : matrix.entries) {
    const double i2 = static_cast<double>(entry.level) * entry.level;
    const double j2 = static_cast<double>(entry.size) * static_cast<double>(entry.size);
    const double c = entry.count;
    short_emphasis += c / j2;
    long_emphasis += c * j2;
    low_grey += c / i2;
    high_grey += c * i2;
    short_low += c / (i2 * j2);
    short_high += c * i2 / j2;
    long_low += c * j2 / i2;
    long_high += c * i2 * j2;
    const double p = c / total;
    mean_level += entry.level * p;
    mean_size += static_cast<double>(entry.size) * p;
    entropy -= p * std::log2(p);
    energy += p * p;
  }
  double level_variance = 0.0, size_variance = 0.0;
  for (const auto& entry : matrix.entries) {
    const double p = entry.count / total;
    level_variance += (entry.level - mean_level) * (entry.level - mean_level) * p;
    const double size_deviation = static_cast<double>(entry.size) - mean_size;
    size_variance += size_deviation * size_deviation * p;
  }

  // Grey-level marginal: entries are sorted by level, so equal levels are adjacent.
  double level_non_uniformity = 0.0;
  for (size_t e = 0; e < matrix.entries.size();) {
    double level_total = 0.0;
    const int32_t level = matrix.entries[e].level;
    for (; e < matrix.entries.size() && matrix.entries[e].level == level; ++e) {
      level_total += matrix.entries[e].count;
    }
    level_non_uniformity += level_total * level_total;
  }
  // Size marginal.
  std::vector<std::pair<int64_t, double>> by_size;
  by_size.reserve(matrix.entries.size());
  for (const auto& entry : matrix.entries) by_size.emplace_back(entry.size, entry.count);
  std::sort(by_size.begin(), by_size.end());
  double size_non_uniformity = 0.0;
  for (size_t e = 0; e < by_size.size();) {
    double size_total = 0.0;
    const int64_t size = by_size[e].first;
    for (; e < by_size.size() && by_size[e].first == size; ++e) size_total += by_size[e].second;
    size_non_uniformity += size_total * size_total;
  }

  values[0] = short_emphasis / total;
  values[1] = long_emphasis / total;
  values[2] = low_grey / total;
  values[3] = high_grey / total;
  values[4] = short_low / total;
  values[5] = short_high / total;
  values[6] = long_low / total;
  values[7] = long_high / total;
  values[8] = level_non_uniformity / total;
  values[9] = level_non_uniformity / (total * total);
  values[10] = size_non_uniformity / total;
  values[11] = size_non_uniformity / (total * total);
  values[12] = matrix.voxel_count > 0.0 ? total / matrix.voxel_count : std::nan("");
  values[13] = level_variance;
  values[14] = size_variance;
  values[15] = entropy;
  values[16] = energy;
  return values;
}

void emit_size_features(SizeFamily family, const SizeValues& values, const char* suffix,
                        FeatureList& out) {
  static const std::array<const char*, kSizeFeatureCount> kRunLength{
      "rlm_sre",    "rlm_lre",    "rlm_lgre",   "rlm_hgre",      "rlm_srlge", "rlm_srhge",
      "rlm_lrlge",  "rlm_lrhge",  "rlm_glnu",   "rlm_glnu_norm", "rlm_rlnu",  "rlm_rlnu_norm",
      "rlm_r_perc", "rlm_gl_var", "rlm_rl_var", "rlm_rl_entr",   nullptr};
  static const std::array<const char*, kSizeFeatureCount> kSizeZone{
      "szm_sze",    "szm_lze",    "szm_lgze",   "szm_hgze",      "szm_szlge", "szm_szhge",
      "szm_lzlge",  "szm_lzhge",  "szm_glnu",   "szm_glnu_norm", "szm_zsnu",  "szm_zsnu_norm",
      "szm_z_perc", "szm_gl_var", "szm_zs_var", "szm_zs_entr",   nullptr};
  static const std::array<const char*, kSizeFeatureCount> kDistanceZone{
      "dzm_sde",    "dzm_lde",    "dzm_lgze",   "dzm_hgze",      "dzm_sdlge", "dzm_sdhge",
      "dzm_ldlge",  "dzm_ldhge",  "dzm_glnu",   "dzm_glnu_norm", "dzm_zdnu",  "dzm_zdnu_norm",
      "dzm_z_perc", "dzm_gl_var", "dzm_zd_var", "dzm_zd_entr",   nullptr};
  static const std::array<const char*, kSizeFeatureCount> kDependence{
      "ngl_lde",     "ngl_hde",    "ngl_lgce",   "ngl_hgce",      "ngl_ldlge",    "ngl_ldhge",
      "ngl_hdlge",   "ngl_hdhge",  "ngl_glnu",   "ngl_glnu_norm", "ngl_dcnu",     "ngl_dcnu_norm",
      "ngl_dc_perc", "ngl_gl_var", "ngl_dc_var", "ngl_dc_entr",   "ngl_dc_energy"};
  const std::array<const char*, kSizeFeatureCount>* names = &kRunLength;
  switch (family) {
    case SizeFamily::kRunLength:
      names = &kRunLength;
      break;
    case SizeFamily::kSizeZone:
      names = &kSizeZone;
      break;
    case SizeFamily::kDistanceZone:
      names = &kDistanceZone;
      break;
    case SizeFamily::kDependence:
      names = &kDependence;
      break;
  }
  for (size_t f = 0; f < values.size(); ++f) {
    if ((*names)[f] != nullptr) out.add((*names)[f], suffix, values[f]);
  }
}

}  // namespace oncotrace::radiomics::detail
