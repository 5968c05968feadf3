// Physiological-uptake exclusion and the organ of a lesion (include/oncotrace/organs.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "organs/morphology.h"

namespace oncotrace {

const std::vector<std::string>& default_physiological_organs() {
  static const std::vector<std::string> organs{"brain", "bladder", "kidney", "heart"};
  return organs;
}

LabelMap physiological_exclusion_labels(const OrganSegmentation& organs,
                                        const std::vector<std::string>& extra_organs) {
  std::vector<uint8_t> excluded(65536, 0);
  std::vector<std::string> names = default_physiological_organs();
  names.insert(names.end(), extra_organs.begin(), extra_organs.end());
  for (const std::string& name : names) {
    const std::optional<uint16_t> label = canonical_organ_label(name);
    if (!label) {
      throw InvalidInputError("physiological exclusion: \"" + name +
                              "\" is not a canonical organ name");
    }
    excluded[*label] = 1;
  }
  LabelMap out(organs.labels.geometry, 0);
  for (size_t v = 0; v < out.size(); ++v) {
    const uint16_t label = organs.labels.values[v];
    if (excluded[label] != 0) out.values[v] = label;
  }
  return out;
}

Mask physiological_exclusion_mask(const OrganSegmentation& organs,
                                  const std::vector<std::string>& extra_organs) {
  const LabelMap labels = physiological_exclusion_labels(organs, extra_organs);
  Mask mask(labels.geometry, 0);
  for (size_t v = 0; v < mask.size(); ++v) mask.values[v] = labels.values[v] != 0;
  return mask;
}

std::string organ_of_region(const OrganSegmentation& organs, const Mask& region,
                            double dilation_mm) {
  if (!region.geometry.same_grid_as(organs.labels.geometry)) {
    throw InvalidInputError("organ_of_region: the region (" + region.geometry.describe() +
                            ") is not on the organ grid (" + organs.labels.geometry.describe() +
                            ")");
  }
  const Mask grown = dilation_mm > 0.0 ? organs_internal::dilate_mm(region, dilation_mm) : region;
  std::vector<size_t> counts(65536, 0);
  for (size_t v = 0; v < grown.size(); ++v) {
    if (grown.values[v] != 0) ++counts[organs.labels.values[v]];
  }
  uint16_t best = 0;
  for (size_t label = 1; label < counts.size(); ++label) {
    if (counts[label] > counts[best] || (best == 0 && counts[label] > 0)) {
      best = static_cast<uint16_t>(label);
    }
  }
  return best == 0 ? "unknown" : canonical_organ_name(best);
}

std::string organ_of_region(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, double dilation_mm) {
  Mask region(lesions.geometry, 0);
  for (size_t v = 0; v < region.size(); ++v) region.values[v] = lesions.values[v] == label;
  return organ_of_region(organs, region, dilation_mm);
}

bool lesion_anterior_to_thorax(const OrganSegmentation& organs, const LabelMap& lesions,
                               uint16_t label, const BreastRuleOptions& options) {
  if (!lesions.geometry.same_grid_as(organs.labels.geometry)) {
    throw InvalidInputError("lesion_anterior_to_thorax: the lesions (" +
                            lesions.geometry.describe() + ") are not on the organ grid (" +
                            organs.labels.geometry.describe() + ")");
  }
  const Geometry& grid = lesions.geometry;
  const Index3 size = grid.size;
  // Centre of the lesion's voxel centres (mean index).
  double sum[3] = {0.0, 0.0, 0.0};
  size_t count = 0;
  for (int64_t k = 0; k < size[2]; ++k) {
    for (int64_t j = 0; j < size[1]; ++j) {
      for (int64_t i = 0; i < size[0]; ++i) {
        if (lesions.at(i, j, k) != label) continue;
        sum[0] += static_cast<double>(i);
        sum[1] += static_cast<double>(j);
        sum[2] += static_cast<double>(k);
        ++count;
      }
    }
  }
  if (count == 0) return false;
  const double n = static_cast<double>(count);
  const Vec3 centre = grid.index_to_world(Vec3{sum[0] / n, sum[1] / n, sum[2] / n});
  const int64_t slice = std::clamp<int64_t>(std::llround(sum[2] / n), 0, size[2] - 1);
  const std::optional<uint16_t> lung = canonical_organ_label("lung");
  const std::optional<uint16_t> heart = canonical_organ_label("heart");
  std::optional<double> thorax_front_y;  // LPS: anterior is -y
  for (int64_t j = 0; j < size[1]; ++j) {
    for (int64_t i = 0; i < size[0]; ++i) {
      const uint16_t organ = organs.labels.at(i, j, slice);
      if (organ == 0 || (organ != lung && organ != heart)) continue;
      const Vec3 position = grid.index_to_world(i, j, slice);
      if (std::abs(position[0] - centre[0]) > options.column_half_width_mm) continue;
      if (!thorax_front_y || position[1] < *thorax_front_y) thorax_front_y = position[1];
    }
  }
  return thorax_front_y && centre[1] <= *thorax_front_y - options.min_depth_anterior_to_thorax_mm;
}

std::string organ_of_lesion(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const BreastRuleOptions& options) {
  const std::string organ = organ_of_region(organs, lesions, label);
  if (options.enabled && (organ == "unknown" || organ == "muscle") &&
      lesion_anterior_to_thorax(organs, lesions, label, options)) {
    return "breast";
  }
  return organ;
}

}  // namespace oncotrace
