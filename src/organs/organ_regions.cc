// Physiological-uptake exclusion and the organ of a lesion (include/oncotrace/organs.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "organs/morphology.h"

namespace oncotrace {

const std::vector<std::string>& default_physiological_organs() {
  static const std::vector<std::string> kOrgans{"brain", "bladder", "kidney", "heart"};
  return kOrgans;
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

namespace {

using organs_internal::BoxedMask;

// `what`: "region" or "lesions" (the error names the input and the two grids).
void require_organ_grid(const char* function, const std::string& what, const Geometry& grid,
                        const OrganSegmentation& organs) {
  if (!grid.same_grid_as(organs.labels.geometry)) {
    throw InvalidInputError(std::string(function) + ": the " + what + " (" + grid.describe() +
                            (what == "lesions" ? ") are" : ") is") + " not on the organ grid (" +
                            organs.labels.geometry.describe() + ")");
  }
}

// `box` clipped to the grid.
IndexBox clipped_to(const IndexBox& box, const Geometry& grid) {
  IndexBox clipped = box;
  for (int axis = 0; axis < 3; ++axis) {
    clipped.lower[axis] = std::max<int64_t>(0, box.lower[axis]);
    clipped.upper[axis] = std::min<int64_t>(grid.size[axis] - 1, box.upper[axis]);
  }
  return clipped;
}

// The bounding box of the voxels of `label` within `box` (empty when there are none).
IndexBox label_box_within(const LabelMap& lesions, uint16_t label, const IndexBox& box) {
  IndexBox tight;
  if (box.empty()) return tight;
  for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      size_t offset = lesions.geometry.offset(box.lower[0], j, k);
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++offset) {
        if (lesions.values[offset] == label) tight.include({i, j, k});
      }
    }
  }
  return tight;
}

// The whole grid as a box.
IndexBox grid_box(const Geometry& grid) {
  IndexBox box;
  box.upper = {grid.size[0] - 1, grid.size[1] - 1, grid.size[2] - 1};
  return box;
}

// The organ rule of organ_of_region on a region held on its bounding box.
std::string organ_of_boxed_region(const OrganSegmentation& organs, const BoxedMask& region,
                                  double dilation_mm) {
  const Geometry& grid = organs.labels.geometry;
  const BoxedMask grown =
      dilation_mm > 0.0 ? organs_internal::dilate_boxed_mm(grid, region, dilation_mm) : region;
  std::vector<size_t> counts(65536, 0);
  const IndexBox& box = grown.box;
  size_t local = 0;
  for (int64_t k = box.lower[2]; k <= box.upper[2] && !box.empty(); ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      size_t offset = grid.offset(box.lower[0], j, k);
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++offset, ++local) {
        if (grown.values[local] != 0) ++counts[organs.labels.values[offset]];
      }
    }
  }
  uint16_t best = 0;
  for (size_t label = 1; label < counts.size(); ++label) {
    if (counts[label] > counts[best] || (best == 0 && counts[label] > 0)) {
      best = static_cast<uint16_t>(label);
    }
  }
  return best == 0 ? "unknown" : canonical_organ_name(best);
}

// The voxels of `label` on their bounding box within `box`.
BoxedMask boxed_label(const LabelMap& lesions, uint16_t label, const IndexBox& box) {
  BoxedMask region;
  region.box = label_box_within(lesions, label, clipped_to(box, lesions.geometry));
  if (region.box.empty()) return region;
  region.values.reserve(region.box.voxel_count());
  for (int64_t k = region.box.lower[2]; k <= region.box.upper[2]; ++k) {
    for (int64_t j = region.box.lower[1]; j <= region.box.upper[1]; ++j) {
      size_t offset = lesions.geometry.offset(region.box.lower[0], j, k);
      for (int64_t i = region.box.lower[0]; i <= region.box.upper[0]; ++i, ++offset) {
        region.values.push_back(lesions.values[offset] == label ? 1 : 0);
      }
    }
  }
  return region;
}

}  // namespace

std::string organ_of_region(const OrganSegmentation& organs, const Mask& region,
                            double dilation_mm) {
  require_organ_grid("organ_of_region", "region", region.geometry, organs);
  return organ_of_boxed_region(organs, organs_internal::boxed_region(region), dilation_mm);
}

std::string organ_of_region(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, double dilation_mm) {
  return organ_of_region(organs, lesions, label, grid_box(lesions.geometry), dilation_mm);
}

std::string organ_of_region(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const IndexBox& box, double dilation_mm) {
  require_organ_grid("organ_of_region", "lesions", lesions.geometry, organs);
  return organ_of_boxed_region(organs, boxed_label(lesions, label, box), dilation_mm);
}

bool lesion_anterior_to_thorax(const OrganSegmentation& organs, const LabelMap& lesions,
                               uint16_t label, const BreastRuleOptions& options) {
  return lesion_anterior_to_thorax(organs, lesions, label, grid_box(lesions.geometry), options);
}

bool lesion_anterior_to_thorax(const OrganSegmentation& organs, const LabelMap& lesions,
                               uint16_t label, const IndexBox& box,
                               const BreastRuleOptions& options) {
  require_organ_grid("lesion_anterior_to_thorax", "lesions", lesions.geometry, organs);
  const Geometry& grid = lesions.geometry;
  const Index3 size = grid.size;
  // Centre of the lesion's voxel centres (mean index), summed in raster order.
  const IndexBox within = clipped_to(box, grid);
  double sum[3] = {0.0, 0.0, 0.0};
  size_t count = 0;
  for (int64_t k = within.lower[2]; k <= within.upper[2] && !within.empty(); ++k) {
    for (int64_t j = within.lower[1]; j <= within.upper[1]; ++j) {
      size_t offset = grid.offset(within.lower[0], j, k);
      for (int64_t i = within.lower[0]; i <= within.upper[0]; ++i, ++offset) {
        if (lesions.values[offset] != label) continue;
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
  return organ_of_lesion(organs, lesions, label, grid_box(lesions.geometry), options);
}

std::string organ_of_lesion(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const IndexBox& box, const BreastRuleOptions& options) {
  std::string organ = organ_of_region(organs, lesions, label, box);
  if (options.enabled && (organ == "unknown" || organ == "muscle") &&
      lesion_anterior_to_thorax(organs, lesions, label, box, options)) {
    return "breast";
  }
  return organ;
}

}  // namespace oncotrace
