// compute_feature_maps(): intensity statistics and GLCM features in a sliding kernel.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"
#include "radiomics/feature_list.h"
#include "radiomics/first_order.h"
#include "radiomics/processing.h"
#include "radiomics/roi_grid.h"
#include "radiomics/texture.h"

namespace oncotrace::radiomics {

namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// The kernel offsets: |d|_inf <= R (cube) or d_i^2 + d_j^2 + d_k^2 <= R^2 (sphere), in voxels.
std::vector<Index3> kernel_offsets(const FeatureMapSettings& map) {
  const int64_t radius = map.kernel_radius_voxels;
  std::vector<Index3> offsets;
  for (int64_t k = -radius; k <= radius; ++k) {
    for (int64_t j = -radius; j <= radius; ++j) {
      for (int64_t i = -radius; i <= radius; ++i) {
        if (map.kernel == KernelShape::kSphere && i * i + j * j + k * k > radius * radius) continue;
        offsets.push_back({i, j, k});
      }
    }
  }
  return offsets;
}

// The tags the settings emit for the statistics and GLCM families (the valid map features).
std::vector<std::string> available_tags(const RadiomicsSettings& settings) {
  detail::FeatureList list;
  detail::add_statistics_features({1.0, 2.0, 4.0}, list);
  detail::GreyLevelGrid grid;
  grid.size = {3, 3, 3};
  grid.level.assign(27, 0);
  grid.level[grid.offset(1, 1, 1)] = 1;
  grid.n_levels = 1;
  detail::add_glcm_features(grid, settings.aggregation, list);
  std::vector<std::string> tags;
  for (const Feature& feature : list.features()) tags.push_back(feature.tag);
  return tags;
}

// Throws unless `tag` is one of the `known` feature tags of `settings`, listing them.
void check_feature_map_tag(const std::string& tag, const std::vector<std::string>& known,
                           const RadiomicsSettings& settings) {
  if (std::find(known.begin(), known.end(), tag) != known.end()) return;
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
  throw InvalidInputError("radiomics feature maps: \"" + tag +
                          "\" is not an intensity-statistics or GLCM feature of settings \"" +
                          settings.name + "\"; known: " + list);
}

}  // namespace

std::vector<ImageVolume> compute_feature_maps(const ImageVolume& image, const Mask& roi,
                                              const RadiomicsSettings& settings,
                                              const FeatureMapSettings& map) {
  if (!image.geometry.same_grid_as(roi.geometry) || image.values.size() != roi.values.size()) {
    throw InvalidInputError("radiomics feature maps: the mask grid (" + roi.geometry.describe() +
                            ") differs from the image grid (" + image.geometry.describe() + ")");
  }
  if (map.kernel_radius_voxels < 1 || map.kernel_radius_voxels > 10) {
    throw InvalidInputError("radiomics feature maps: kernel radius " +
                            std::to_string(map.kernel_radius_voxels) + " voxels; give 1 ... 10");
  }
  if (settings.interpolation.enabled) {
    throw InvalidInputError("radiomics settings \"" + settings.name +
                            "\": feature maps are computed on the image grid; disable "
                            "interpolation (\"interpolation\": {\"enabled\": false})");
  }
  if (settings.filter.kind != FilterKind::kNone) {
    throw InvalidInputError("radiomics settings \"" + settings.name +
                            "\": feature maps take no filter section");
  }
  if (map.features.empty()) {
    throw InvalidInputError(
        "radiomics feature maps: no feature named; give tags such as "
        "stat_mean or cm_contrast_3D_comb");
  }
  const std::vector<std::string> known = available_tags(settings);
  bool needs_glcm = false;
  for (const std::string& tag : map.features) {
    check_feature_map_tag(tag, known, settings);
    needs_glcm = needs_glcm || starts_with(tag, "cm_");
  }

  // The ROI voxels and their bounding box.
  const Geometry& grid = image.geometry;
  Index3 low = grid.size, high{-1, -1, -1};
  std::vector<Index3> voxels;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        if (roi.values[grid.offset(i, j, k)] == 0) continue;
        voxels.push_back({i, j, k});
        for (size_t a = 0; a < 3; ++a) {
          low[a] = std::min(low[a], voxels.back()[a]);
          high[a] = std::max(high[a], voxels.back()[a]);
        }
      }
    }
  }
  if (voxels.empty()) {
    throw InvalidInputError(
        "radiomics feature maps: the ROI mask is empty; give a mask with at "
        "least one non-zero voxel");
  }

  const std::vector<Index3> offsets = kernel_offsets(map);
  const int64_t radius = map.kernel_radius_voxels;
  // Kernel box: the kernel plus one background voxel on every side (roi_grid.h).
  const int64_t side = 2 * radius + 3;
  const size_t box_voxels = static_cast<size_t>(side * side * side);
  // values[f][n]: feature f at ROI voxel n.
  std::vector<std::vector<double>> values(
      map.features.size(),
      std::vector<double>(voxels.size(), std::numeric_limits<double>::quiet_NaN()));
  tbb::parallel_for(size_t{0}, voxels.size(), [&](size_t n) {
    const Index3& centre = voxels[n];
    detail::RoiGrid box;
    box.size = {side, side, side};
    box.spacing_mm = grid.spacing_mm;
    box.intensity.assign(box_voxels, 0.0);
    box.morphological_mask.assign(box_voxels, 0);
    for (const Index3& d : offsets) {
      const Index3 at{centre[0] + d[0], centre[1] + d[1], centre[2] + d[2]};
      if (at[0] < 0 || at[1] < 0 || at[2] < 0 || at[0] >= grid.size[0] || at[1] >= grid.size[1] ||
          at[2] >= grid.size[2]) {
        continue;
      }
      const size_t source = grid.offset(at[0], at[1], at[2]);
      if (roi.values[source] == 0) continue;
      const size_t target = box.offset(d[0] + radius + 1, d[1] + radius + 1, d[2] + radius + 1);
      const double value = image.values[source];
      // Rounding (68QD) as compute_features does it (CT).
      box.intensity[target] = settings.round_intensities ? std::nearbyint(value) : value;
      box.morphological_mask[target] = 1;
    }
    box.intensity_mask =
        detail::resegment(box.intensity, box.morphological_mask, settings.resegmentation);
    std::vector<double> intensities;
    for (size_t v = 0; v < box_voxels; ++v) {
      if (box.intensity_mask[v] != 0) intensities.push_back(box.intensity[v]);
    }
    if (intensities.empty()) return;  // nothing left after re-segmentation: NaN
    detail::FeatureList list;
    detail::add_statistics_features(intensities, list);
    if (needs_glcm) {
      const detail::GreyLevelGrid levels =
          detail::discretise(box, settings.discretisation, settings.resegmentation);
      detail::add_glcm_features(levels, settings.aggregation, list);
    }
    for (size_t f = 0; f < map.features.size(); ++f) {
      for (const Feature& feature : list.features()) {
        if (feature.tag == map.features[f]) values[f][n] = feature.value;
      }
    }
  });

  // Maps on the ROI's bounding box.
  Geometry box_grid = grid;
  box_grid.size = {high[0] - low[0] + 1, high[1] - low[1] + 1, high[2] - low[2] + 1};
  box_grid.origin_mm = grid.index_to_world(
      Vec3{static_cast<double>(low[0]), static_cast<double>(low[1]), static_cast<double>(low[2])});
  std::vector<ImageVolume> maps;
  for (size_t f = 0; f < map.features.size(); ++f) {
    ImageVolume volume(box_grid, std::numeric_limits<float>::quiet_NaN());
    for (size_t n = 0; n < voxels.size(); ++n) {
      volume.at(voxels[n][0] - low[0], voxels[n][1] - low[1], voxels[n][2] - low[2]) =
          static_cast<float>(values[f][n]);
    }
    maps.push_back(std::move(volume));
  }
  return maps;
}

}  // namespace oncotrace::radiomics
