// compute_features(): the IBSI-1 processing chain followed by every feature family.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <tuple>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"
#include "radiomics/feature_list.h"
#include "radiomics/first_order.h"
#include "radiomics/morphology.h"
#include "radiomics/processing.h"
#include "radiomics/roi_grid.h"
#include "radiomics/texture.h"

namespace oncotrace::radiomics {

namespace {

using detail::FeatureList;

// The image and masks on the processing grid, restricted to a region around the ROI: its
// bounding box plus the reach of the local-intensity sphere, so that every feature equals its
// value on the whole grid while interpolation touches only that region.
struct ProcessedRoi {
  Index3 grid_size{0, 0, 0};  // the whole processing grid
  Geometry geometry;          // the region (origin at its first voxel)
  std::vector<double> image;
  std::vector<uint8_t> morphological_mask;
  std::vector<uint8_t> intensity_mask;
};

std::vector<uint8_t> threshold(const std::vector<double>& values, double level) {
  std::vector<uint8_t> mask(values.size(), 0);
  // The tolerance keeps a value meant to be exactly the threshold (0.5 for a voxel half inside)
  // from being lost to floating-point rounding (radiomics-ibsi.md §3.3).
  for (size_t v = 0; v < values.size(); ++v) mask[v] = values[v] >= level - 1e-9 ? 1 : 0;
  return mask;
}

size_t count_of(const std::vector<uint8_t>& mask) {
  return static_cast<size_t>(
      std::count_if(mask.begin(), mask.end(), [](uint8_t v) { return v != 0; }));
}

// Index bounding box [low, high] of a mask on a grid of `size`; high < low when empty.
std::pair<Index3, Index3> bounding_box(const Index3& size, const std::vector<uint8_t>& mask) {
  Index3 low{size[0], size[1], size[2]}, high{-1, -1, -1};
  for (int64_t k = 0; k < size[2]; ++k) {
    for (int64_t j = 0; j < size[1]; ++j) {
      for (int64_t i = 0; i < size[0]; ++i) {
        if (mask[static_cast<size_t>(i + size[0] * (j + size[1] * k))] == 0) continue;
        const Index3 at{i, j, k};
        for (size_t a = 0; a < 3; ++a) {
          low[a] = std::min(low[a], at[a]);
          high[a] = std::max(high[a], at[a]);
        }
      }
    }
  }
  return {low, high};
}

// Samples [begin, end) of an axis as samples of their own.
detail::AxisSamples sub_samples(const detail::AxisSamples& samples, int64_t begin, int64_t end) {
  return {end - begin, samples.first + static_cast<double>(begin) * samples.step, samples.step};
}

std::array<detail::AxisSamples, 3> sub_samples(const std::array<detail::AxisSamples, 3>& samples,
                                               const Index3& begin, const Index3& end) {
  std::array<detail::AxisSamples, 3> result;
  for (size_t a = 0; a < 3; ++a) result[a] = sub_samples(samples[a], begin[a], end[a]);
  return result;
}

// Copies the region [begin, end) of a volume of `size`; voxels beyond the volume are `fill`.
template <typename T>
std::vector<T> copy_region(const std::vector<T>& values, const Index3& size, const Index3& begin,
                           const Index3& end, T fill) {
  const Index3 extent{end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]};
  std::vector<T> region(static_cast<size_t>(extent[0] * extent[1] * extent[2]), fill);
  for (int64_t k = 0; k < extent[2]; ++k) {
    for (int64_t j = 0; j < extent[1]; ++j) {
      for (int64_t i = 0; i < extent[0]; ++i) {
        const Index3 at{begin[0] + i, begin[1] + j, begin[2] + k};
        if (at[0] < 0 || at[1] < 0 || at[2] < 0 || at[0] >= size[0] || at[1] >= size[1] ||
            at[2] >= size[2]) {
          continue;
        }
        region[static_cast<size_t>(i + extent[0] * (j + extent[1] * k))] =
            values[static_cast<size_t>(at[0] + size[0] * (at[1] + size[1] * at[2]))];
      }
    }
  }
  return region;
}

// The ROI on the original grid: a mask (non-zero = inside) or one label of a label map, and its
// bounding box [low, high].
struct OriginalRoi {
  const uint8_t* mask = nullptr;
  const uint16_t* labels = nullptr;
  uint16_t label = 0;
  Index3 low{0, 0, 0}, high{-1, -1, -1};
  bool inside(size_t offset) const {
    return mask != nullptr ? mask[offset] != 0 : labels[offset] == label;
  }
};

// The ROI membership of the block [begin, begin + extent) of a grid of `size`.
std::vector<uint8_t> roi_block(const OriginalRoi& roi, const Index3& size, const Index3& begin,
                               const Index3& extent) {
  std::vector<uint8_t> block(static_cast<size_t>(extent[0] * extent[1] * extent[2]), 0);
  for (int64_t k = 0; k < extent[2]; ++k) {
    for (int64_t j = 0; j < extent[1]; ++j) {
      const auto from =
          static_cast<size_t>(begin[0] + size[0] * (begin[1] + j + size[1] * (begin[2] + k)));
      const auto to = static_cast<size_t>(extent[0] * (j + extent[1] * k));
      for (int64_t i = 0; i < extent[0]; ++i) {
        block[to + static_cast<size_t>(i)] = roi.inside(from + static_cast<size_t>(i)) ? 1 : 0;
      }
    }
  }
  return block;
}

// The processing grid: the IBSI centre-aligned grid, or the original grid.
std::array<detail::AxisSamples, 3> processing_samples(const Geometry& original,
                                                      const InterpolationSettings& interpolation) {
  std::array<detail::AxisSamples, 3> samples;
  for (size_t axis = 0; axis < 3; ++axis) {
    const bool resampled = interpolation.enabled && !(axis == 2 && interpolation.in_plane_only);
    samples[axis] =
        resampled ? detail::centre_aligned_samples(original.size[axis], original.spacing_mm[axis],
                                                   interpolation.spacing_mm[axis])
                  : detail::AxisSamples{original.size[axis], 0.0, 1.0};
  }
  return samples;
}

ProcessedRoi process(const ImageVolume& image, const OriginalRoi& roi,
                     const RadiomicsSettings& settings, FeatureList& diagnostics) {
  const Geometry& original = image.geometry;
  const Index3 roi_low = roi.low, roi_high = roi.high;
  if (roi_high[0] < roi_low[0]) {
    throw InvalidInputError("radiomics: the ROI mask is empty (" + original.describe() +
                            "); give a mask with at least one non-zero voxel");
  }

  const InterpolationSettings& interpolation = settings.interpolation;
  const std::array<detail::AxisSamples, 3> samples = processing_samples(original, interpolation);
  ProcessedRoi processed;
  const Geometry grid = detail::resampled_geometry(original, samples);
  processed.grid_size = grid.size;

  // The interpolated ROI can be non-zero only within two original voxels of the ROI.
  Index3 mask_begin{}, mask_end{};
  for (size_t a = 0; a < 3; ++a) {
    const double low = static_cast<double>(roi_low[a]) - 2.0,
                 high = static_cast<double>(roi_high[a]) + 2.0;
    mask_begin[a] = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil((low - samples[a].first) / samples[a].step)), 0,
        grid.size[a] - 1);
    mask_end[a] = std::clamp<int64_t>(
        static_cast<int64_t>(std::floor((high - samples[a].first) / samples[a].step)) + 1,
        mask_begin[a] + 1, grid.size[a]);
  }
  // The region around the ROI (below): its box plus the local-intensity sphere's reach (and one
  // voxel), or the reach of the filter when larger (the whole grid for Fourier-domain filters).
  const double radius_mm = 10.0 * std::cbrt(3.0 / (4.0 * std::numbers::pi));
  const std::optional<Index3> filter_reach = filter_reach_voxels(settings.filter, grid.spacing_mm);
  Index3 margin{};
  for (size_t a = 0; a < 3; ++a) {
    margin[a] = std::max(static_cast<int64_t>(std::ceil(radius_mm / grid.spacing_mm[a])) + 1,
                         filter_reach ? (*filter_reach)[a] : grid.size[a]);
  }
  // The original voxels read: the whole image for the diagnostics (whole-image statistics), the
  // cubic spline (its coefficients depend on whole lines) and Fourier-domain filters; otherwise
  // only the block that the largest possible region (the interpolated ROI's range [mask_begin,
  // mask_end) plus the margin) reads, two voxels wider than the interpolation kernels need. The
  // sample positions stay those of the whole grid, so the features are the same either way.
  const bool whole_image =
      settings.diagnostics || !filter_reach ||
      (interpolation.enabled && (interpolation.image_method == InterpolationMethod::kCubicSpline ||
                                 interpolation.mask_method == InterpolationMethod::kCubicSpline));
  Index3 block_begin{0, 0, 0}, block_size = original.size;
  if (!whole_image) {
    for (size_t a = 0; a < 3; ++a) {
      const int64_t first = std::max<int64_t>(0, mask_begin[a] - margin[a]);
      const int64_t last = std::min<int64_t>(grid.size[a], mask_end[a] + margin[a]) - 1;
      const double low = samples[a].first + static_cast<double>(first) * samples[a].step;
      const double high = samples[a].first + static_cast<double>(last) * samples[a].step;
      const int64_t begin = std::max<int64_t>(0, static_cast<int64_t>(std::floor(low)) - 2);
      const int64_t end =
          std::min<int64_t>(original.size[a], static_cast<int64_t>(std::ceil(high)) + 3);
      block_begin[a] = begin;
      block_size[a] = end - begin;
    }
  }
  std::vector<double> values(static_cast<size_t>(block_size[0] * block_size[1] * block_size[2]));
  for (int64_t k = 0; k < block_size[2]; ++k) {
    for (int64_t j = 0; j < block_size[1]; ++j) {
      const size_t from = original.offset(block_begin[0], block_begin[1] + j, block_begin[2] + k);
      const auto to = static_cast<size_t>(block_size[0] * (j + block_size[1] * k));
      std::copy_n(image.values.begin() + static_cast<std::ptrdiff_t>(from), block_size[0],
                  values.begin() + static_cast<std::ptrdiff_t>(to));
    }
  }
  const std::vector<uint8_t> original_mask = roi_block(roi, original.size, block_begin, block_size);
  if (settings.diagnostics) {
    detail::add_image_diagnostics(original, values, "init_img", diagnostics);
  }
  const auto shifted = [&](const Index3& index) {
    return Index3{index[0] - block_begin[0], index[1] - block_begin[1], index[2] - block_begin[2]};
  };

  std::vector<uint8_t> mask_region;
  if (interpolation.enabled) {
    const std::vector<double> mask_as_double(original_mask.begin(), original_mask.end());
    mask_region = threshold(
        detail::resample(mask_as_double, original.size, sub_samples(samples, mask_begin, mask_end),
                         interpolation.mask_method, block_begin, block_size),
        interpolation.mask_partial_volume_threshold);
  } else {
    mask_region =
        copy_region(original_mask, block_size, shifted(mask_begin), shifted(mask_end), uint8_t{0});
  }
  const Index3 mask_extent{mask_end[0] - mask_begin[0], mask_end[1] - mask_begin[1],
                           mask_end[2] - mask_begin[2]};
  const auto [low, high] = bounding_box(mask_extent, mask_region);
  if (high[0] < low[0]) {
    throw InvalidInputError("radiomics: the ROI is empty on the " + grid.describe() +
                            " grid after interpolation; use a finer spacing or a larger ROI");
  }
  Index3 begin{}, end{};
  for (size_t a = 0; a < 3; ++a) {
    begin[a] = std::max<int64_t>(0, mask_begin[a] + low[a] - margin[a]);
    end[a] = std::min<int64_t>(grid.size[a], mask_begin[a] + high[a] + 1 + margin[a]);
  }
  processed.geometry = grid;
  processed.geometry.size = {end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]};
  processed.geometry.origin_mm = grid.index_to_world(Vec3{
      static_cast<double>(begin[0]), static_cast<double>(begin[1]), static_cast<double>(begin[2])});
  processed.image = interpolation.enabled
                        ? detail::resample(values, original.size, sub_samples(samples, begin, end),
                                           interpolation.image_method, block_begin, block_size)
                        : copy_region(values, block_size, shifted(begin), shifted(end), 0.0);
  // Rounding (68QD): CT intensities are integers on the new grid too.
  if (settings.round_intensities) {
    for (double& value : processed.image) value = std::nearbyint(value);
  }
  const Index3 offset{mask_begin[0] - begin[0], mask_begin[1] - begin[1], mask_begin[2] - begin[2]};
  processed.morphological_mask = copy_region(
      mask_region, mask_extent, Index3{-offset[0], -offset[1], -offset[2]},
      Index3{processed.geometry.size[0] - offset[0], processed.geometry.size[1] - offset[1],
             processed.geometry.size[2] - offset[2]},
      uint8_t{0});

  if (settings.diagnostics) {
    // The whole interpolated image is needed only for its diagnostic statistics (the block is
    // the whole image here).
    std::vector<double> whole =
        interpolation.enabled
            ? detail::resample(values, original.size, samples, interpolation.image_method)
            : values;
    if (settings.round_intensities) {
      for (double& value : whole) value = std::nearbyint(value);
    }
    detail::add_image_diagnostics(grid, whole, "interp_img", diagnostics);
    detail::add_roi_diagnostics(original.size, original, values, original_mask, original_mask,
                                "init_roi", diagnostics);
    detail::add_roi_diagnostics(grid.size, processed.geometry, processed.image,
                                processed.morphological_mask, processed.morphological_mask,
                                "interp_roi", diagnostics);
  }
  processed.intensity_mask =
      detail::resegment(processed.image, processed.morphological_mask, settings.resegmentation);
  if (settings.diagnostics) {
    detail::add_roi_diagnostics(grid.size, processed.geometry, processed.image,
                                processed.intensity_mask, processed.morphological_mask, "reseg_roi",
                                diagnostics);
  }
  if (count_of(processed.intensity_mask) == 0) {
    throw InvalidInputError(
        "radiomics: no ROI voxel is left after re-segmentation (range and outlier filter of "
        "settings \"" +
        settings.name + "\"); widen the re-segmentation range");
  }
  return processed;
}

// Crops to the bounding box of the morphological mask plus one background voxel per side.
detail::RoiGrid crop(const ProcessedRoi& processed) {
  const Index3& size = processed.geometry.size;
  const auto [low, high] = bounding_box(size, processed.morphological_mask);
  detail::RoiGrid roi;
  roi.spacing_mm = processed.geometry.spacing_mm;
  const Index3 begin{low[0] - 1, low[1] - 1, low[2] - 1};
  const Index3 end{high[0] + 2, high[1] + 2, high[2] + 2};
  for (size_t a = 0; a < 3; ++a) roi.size[a] = end[a] - begin[a];
  roi.intensity = copy_region(processed.image, size, begin, end, 0.0);
  roi.intensity_mask = copy_region(processed.intensity_mask, size, begin, end, uint8_t{0});
  roi.morphological_mask = copy_region(processed.morphological_mask, size, begin, end, uint8_t{0});
  return roi;
}

std::vector<double> intensities_of(const detail::RoiGrid& roi) {
  std::vector<double> values;
  for (size_t v = 0; v < roi.voxel_count(); ++v) {
    if (roi.intensity_mask[v] != 0) values.push_back(roi.intensity[v]);
  }
  return values;
}

}  // namespace

ImageVolume filter_response_map(const ImageVolume& image, const RadiomicsSettings& settings) {
  if (settings.filter.kind == FilterKind::kNone) {
    throw InvalidInputError("radiomics settings \"" + settings.name +
                            "\" have no filter, so there is no response map; choose settings "
                            "with a \"filter\" section (e.g. an ibsi2-phase2 preset)");
  }
  const std::array<detail::AxisSamples, 3> samples =
      processing_samples(image.geometry, settings.interpolation);
  const std::vector<double> values(image.values.begin(), image.values.end());
  std::vector<double> processed = settings.interpolation.enabled
                                      ? detail::resample(values, image.geometry.size, samples,
                                                         settings.interpolation.image_method)
                                      : values;
  if (settings.round_intensities) {
    for (double& value : processed) value = std::nearbyint(value);
  }
  ImageVolume grid_image(detail::resampled_geometry(image.geometry, samples), 0.0f);
  for (size_t v = 0; v < processed.size(); ++v) {
    grid_image.values[v] = static_cast<float>(processed[v]);
  }
  return apply_filter(grid_image, settings.filter);
}

std::optional<double> FeatureSet::value(std::string_view tag) const {
  for (const auto* list : {&features, &diagnostics}) {
    for (const Feature& feature : *list) {
      if (feature.tag == tag) return feature.value;
    }
  }
  return std::nullopt;
}

namespace {

FeatureSet compute_roi_features(const ImageVolume& image, const OriginalRoi& roi,
                                const RadiomicsSettings& settings) {
  const FeatureFamilies& requested = settings.families;
  if (settings.filter.kind != FilterKind::kNone &&
      (requested.morphology || requested.local_intensity || requested.intensity_histogram ||
       requested.intensity_volume_histogram || requested.glcm || requested.glrlm ||
       requested.glszm || requested.gldzm || requested.ngtdm || requested.ngldm ||
       !requested.statistics)) {
    throw InvalidInputError("radiomics settings \"" + settings.name +
                            "\": with a filter, \"families\" must be [\"statistics\"] (the "
                            "features IBSI-2 defines on response maps)");
  }
  FeatureSet result;
  result.settings_name = settings.name;
  FeatureList diagnostics, features;
  const ProcessedRoi processed = process(image, roi, settings, diagnostics);
  const detail::RoiGrid box = crop(processed);
  const std::vector<double> intensities = intensities_of(box);
  const FeatureFamilies& families = settings.families;
  if (settings.filter.kind != FilterKind::kNone) {
    // IBSI-2: the intensity statistics of the response map inside the intensity mask, which
    // was re-segmented on the unfiltered image.
    ImageVolume region(processed.geometry, 0.0f);
    for (size_t v = 0; v < region.values.size(); ++v) {
      region.values[v] = static_cast<float>(processed.image[v]);
    }
    const ImageVolume response = apply_filter(region, settings.filter);
    std::vector<double> filtered;
    filtered.reserve(intensities.size());
    for (size_t v = 0; v < response.values.size(); ++v) {
      if (processed.intensity_mask[v] != 0) filtered.push_back(response.values[v]);
    }
    detail::add_statistics_features(filtered, features);
    result.features = std::move(features.features());
    result.diagnostics = std::move(diagnostics.features());
    return result;
  }

  if (families.morphology) detail::add_morphology_features(box, features);
  if (families.local_intensity) {
    detail::add_local_intensity_features(processed.geometry, processed.image,
                                         processed.intensity_mask, features);
  }
  if (families.statistics) detail::add_statistics_features(intensities, features);
  const bool needs_levels = families.intensity_histogram || families.glcm || families.glrlm ||
                            families.glszm || families.gldzm || families.ngtdm || families.ngldm;
  if (needs_levels) {
    const detail::GreyLevelGrid levels =
        detail::discretise(box, settings.discretisation, settings.resegmentation);
    if (families.intensity_histogram) {
      std::vector<int32_t> roi_levels;
      roi_levels.reserve(intensities.size());
      for (const int32_t level : levels.level) {
        if (level > 0) roi_levels.push_back(level);
      }
      detail::add_intensity_histogram_features(roi_levels, levels.n_levels, features);
    }
    if (families.intensity_volume_histogram) {
      detail::add_ivh_features(
          detail::discretise_for_ivh(intensities, settings.ivh, settings.resegmentation), features);
    }
    if (families.glcm) detail::add_glcm_features(levels, settings.aggregation, features);
    if (families.glrlm) detail::add_glrlm_features(levels, settings.aggregation, features);
    if (families.glszm || families.gldzm) {
      detail::add_zone_features(levels, box.morphological_mask, settings.aggregation,
                                families.glszm, families.gldzm, features);
    }
    if (families.ngtdm) detail::add_ngtdm_features(levels, settings.aggregation, features);
    if (families.ngldm) detail::add_ngldm_features(levels, settings.aggregation, features);
  } else if (families.intensity_volume_histogram) {
    detail::add_ivh_features(
        detail::discretise_for_ivh(intensities, settings.ivh, settings.resegmentation), features);
  }
  result.features = std::move(features.features());
  result.diagnostics = std::move(diagnostics.features());
  return result;
}

}  // namespace

FeatureSet compute_features(const ImageVolume& image, const Mask& roi,
                            const RadiomicsSettings& settings) {
  if (!image.geometry.same_grid_as(roi.geometry)) {
    throw InvalidInputError("radiomics: the mask grid (" + roi.geometry.describe() +
                            ") differs from the image grid (" + image.geometry.describe() +
                            "); resample the mask onto the image first");
  }
  if (image.values.size() != image.geometry.voxel_count() ||
      roi.values.size() != roi.geometry.voxel_count()) {
    throw InvalidInputError("radiomics: image or mask buffer size does not match its geometry");
  }
  OriginalRoi original;
  original.mask = roi.values.data();
  std::tie(original.low, original.high) = bounding_box(roi.geometry.size, roi.values);
  return compute_roi_features(image, original, settings);
}

FeatureSet compute_features(const ImageVolume& image, const LabelMap& labels, uint16_t label,
                            const Index3& box_lower, const Index3& box_upper,
                            const RadiomicsSettings& settings) {
  if (!image.geometry.same_grid_as(labels.geometry)) {
    throw InvalidInputError("radiomics: the label map grid (" + labels.geometry.describe() +
                            ") differs from the image grid (" + image.geometry.describe() +
                            "); resample the label map onto the image first");
  }
  if (image.values.size() != image.geometry.voxel_count() ||
      labels.values.size() != labels.geometry.voxel_count()) {
    throw InvalidInputError(
        "radiomics: image or label map buffer size does not match its "
        "geometry");
  }
  if (label == 0) {
    throw InvalidInputError("radiomics: label 0 is the background; give a lesion label >= 1");
  }
  const Index3& size = labels.geometry.size;
  for (size_t a = 0; a < 3; ++a) {
    if (box_lower[a] < 0 || box_upper[a] >= size[a] || box_upper[a] < box_lower[a]) {
      throw InvalidInputError("radiomics: the box of label " + std::to_string(label) +
                              " lies outside the " + labels.geometry.describe() + " grid");
    }
  }
  OriginalRoi original;
  original.labels = labels.values.data();
  original.label = label;
  original.low = size;
  original.high = {-1, -1, -1};
  for (int64_t k = box_lower[2]; k <= box_upper[2]; ++k) {
    for (int64_t j = box_lower[1]; j <= box_upper[1]; ++j) {
      for (int64_t i = box_lower[0]; i <= box_upper[0]; ++i) {
        if (labels.values[labels.geometry.offset(i, j, k)] != label) continue;
        const Index3 at{i, j, k};
        for (size_t a = 0; a < 3; ++a) {
          original.low[a] = std::min(original.low[a], at[a]);
          original.high[a] = std::max(original.high[a], at[a]);
        }
      }
    }
  }
  if (original.high[0] < original.low[0]) {
    throw InvalidInputError("radiomics: label " + std::to_string(label) +
                            " has no voxel in the given box; the ROI is empty");
  }
  return compute_roi_features(image, original, settings);
}

}  // namespace oncotrace::radiomics
