// Organ heuristics from CT (HU) and PET (SUV) without a label map. The rules and their options
// are stated in include/oncotrace/organs.h (OrganHeuristicOptions) and docs/organs.md.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "measure/region_voxels.h"
#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "oncotrace/segment.h"
#include "organs/morphology.h"

namespace oncotrace {
namespace {

using organs_internal::Components;
using organs_internal::count_voxels;
using organs_internal::crop_to_box;
using organs_internal::dilate_mm;
using organs_internal::erode_mm;
using organs_internal::fill_axial_holes;
using organs_internal::find_components;
using organs_internal::largest_component;
using organs_internal::paste_box;
using organs_internal::VoxelPositions;

// printf-style formatting of the numbers (and C strings) of explanations; the format attribute
// lets the compiler check every pattern against its arguments.
__attribute__((format(printf, 1, 2))) std::string format(const char* pattern, ...) {
  char buffer[768];
  va_list arguments;
  va_start(arguments, pattern);
  std::vsnprintf(buffer, sizeof(buffer), pattern, arguments);
  va_end(arguments);
  return buffer;
}

struct Extent {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  bool empty() const { return min > max; }
  void include(double value) {
    min = std::min(min, value);
    max = std::max(max, value);
  }
};

// The mean of each voxel's 3 x 3 x 3 neighbourhood within the grid (fewer neighbours at its
// edges), as three separable 3-tap passes: sums of at most three values per pass in a fixed order,
// so the result does not depend on the thread count. Hand-written: ITK's BoxMeanImageFilter
// would need the volume copied into and out of an ITK image for a 27-voxel mean.
ImageVolume box_mean_3x3x3(const ImageVolume& image) {
  const Geometry& grid = image.geometry;
  const std::array<int64_t, 3> size = grid.size;
  const std::array<int64_t, 3> stride{1, size[0], size[0] * size[1]};
  ImageVolume sums = image;
  ImageVolume counts(grid, 1.0f);
  for (int axis = 0; axis < 3; ++axis) {
    ImageVolume next_sums(grid, 0.0f), next_counts(grid, 0.0f);
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, size[2]),
                      [&](const tbb::blocked_range<int64_t>& range) {
                        for (int64_t k = range.begin(); k < range.end(); ++k) {
                          for (int64_t j = 0; j < size[1]; ++j) {
                            for (int64_t i = 0; i < size[0]; ++i) {
                              const std::array<int64_t, 3> index{i, j, k};
                              const size_t v = grid.offset(i, j, k);
                              float sum = sums.values[v], count = counts.values[v];
                              if (index[axis] > 0) {
                                sum += sums.values[v - stride[axis]];
                                count += counts.values[v - stride[axis]];
                              }
                              if (index[axis] + 1 < size[axis]) {
                                sum += sums.values[v + stride[axis]];
                                count += counts.values[v + stride[axis]];
                              }
                              next_sums.values[v] = sum;
                              next_counts.values[v] = count;
                            }
                          }
                        }
                      });
    sums = std::move(next_sums);
    counts = std::move(next_counts);
  }
  for (size_t v = 0; v < sums.values.size(); ++v) sums.values[v] /= counts.values[v];
  return sums;
}

class Heuristics {
 public:
  Heuristics(const ImageVolume& suv, const ImageVolume* ct, const OrganHeuristicOptions& options)
      : input_suv_(suv),
        suv_(&suv),
        options_(options),
        grid_(suv.geometry),
        positions_(suv.geometry) {
    if (ct != nullptr) {
      ct_ = nearest_neighbour_image(*ct, grid_, -1000.0f);
      has_ct_ = true;
    }
  }

  OrganSegmentation run() {
    find_body();
    if (has_ct_) {
      find_lungs();
      find_bone();
    }
    find_brain();
    find_bladder();
    estimate_liver_level();
    if (liver_level_ > 0.0) {
      find_kidneys();
      find_liver();
      liver_z_ = organ_z("liver");
    }
    if (options_.detect_heart) find_heart();
    if (liver_level_ > 0.0) {
      find_aorta();
      find_spleen();
    }
    if (has_ct_) find_muscle();
    OrganSegmentation result;
    result.labels = LabelMap(input_grid(), 0);
    paste_box(labels_, body_box_, &result.labels);
    result.body = std::move(full_body_);
    result.source = "heuristic";
    result.noise_cv = liver_cv_;
    result.organs = std::move(provenance_);
    result.warnings = std::move(warnings_);
    return result;
  }

 private:
  // Every organ lies in the body, so once the body is found (on the whole grid) the other steps run
  // on the bounding box of the body: the images are cropped to it, positions come from the whole
  // grid's tables (so every coordinate is the one of the whole grid) and the labels are pasted
  // back at the end. The results are those of whole-grid steps (each mask is zero outside the
  // body; components, erosion, dilation and hole filling work on the box of their mask), at the
  // cost of the body box rather than the grid.
  const ImageVolume& input_suv_;
  const ImageVolume* suv_;  // the input, then its crop to the body box (suv_crop_)
  ImageVolume suv_crop_;
  const OrganHeuristicOptions& options_;
  Geometry grid_;             // the input grid, then the body box (same spacing and axes)
  VoxelPositions positions_;  // of the input grid
  Index3 shift_{0, 0, 0};     // input-grid index of grid_'s voxel (0, 0, 0)
  IndexBox body_box_;
  ImageVolume ct_;  // on grid_
  bool has_ct_ = false;
  LabelMap labels_;
  Mask body_;       // on grid_
  Mask full_body_;  // on the input grid
  std::map<std::string, OrganProvenance> provenance_;
  std::vector<std::string> warnings_;
  Extent body_z_;
  double body_centre_x_ = 0.0;
  double body_centre_y_ = 0.0;
  Extent lung_z_;
  Extent right_lung_z_;
  double lung_min_y_ = 0.0;
  Extent liver_z_;
  double liver_level_ = 0.0;
  double liver_cv_ = 0.0;                // relative noise of the liver-level core (robust)
  std::optional<ImageVolume> band_suv_;  // the averaged SUV of noisy images (band_candidates)
  std::string band_note_;                // says so in the liver and spleen methods

  const Geometry& input_grid() const { return full_body_.geometry; }
  Vec3 position(int64_t i, int64_t j, int64_t k) const {
    return positions_.at(i + shift_[0], j + shift_[1], k + shift_[2]);
  }

  // Moves the work to the body's bounding box (see the members).
  void crop_to_body() {
    body_box_ = organs_internal::nonzero_box(full_body_);
    body_ = crop_to_box(full_body_, body_box_);
    suv_crop_ = crop_to_box(*suv_, body_box_);
    suv_ = &suv_crop_;
    if (has_ct_) ct_ = crop_to_box(ct_, body_box_);
    grid_ = body_.geometry;
    shift_ = body_box_.lower;
    labels_ = LabelMap(grid_, 0);
  }

  // box_mean_3x3x3 of the input SUV, on the body box: computed on the box grown by one voxel
  // (clipped to the input grid), so that the voxels on the box's faces average the same
  // neighbours as on the whole grid.
  ImageVolume box_mean_on_body_box() const {
    IndexBox grown = body_box_;
    for (int axis = 0; axis < 3; ++axis) {
      grown.lower[axis] = std::max<int64_t>(0, grown.lower[axis] - 1);
      grown.upper[axis] =
          std::min<int64_t>(input_suv_.geometry.size[axis] - 1, grown.upper[axis] + 1);
    }
    IndexBox inner;
    for (int axis = 0; axis < 3; ++axis) {
      inner.lower[axis] = body_box_.lower[axis] - grown.lower[axis];
      inner.upper[axis] = inner.lower[axis] + body_box_.extent(axis) - 1;
    }
    return crop_to_box(box_mean_3x3x3(crop_to_box(input_suv_, grown)), inner);
  }

  size_t size() const { return grid_.voxel_count(); }
  Vec3 pos(size_t v) const {
    const Index3 index = measure_internal::index_of_offset(grid_, v);
    return position(index[0], index[1], index[2]);
  }
  bool free_body_voxel(size_t v) const { return body_.values[v] != 0 && labels_.values[v] == 0; }

  // Calls visit(offset, position) for every voxel, axial slices in parallel (TBB): only for loops
  // that write nothing but the voxel's own entries, so the result is that of a serial loop.
  template <typename Visit>
  void parallel_for_voxels(const Visit& visit) const {
    const int64_t nx = grid_.size[0], ny = grid_.size[1];
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, grid_.size[2]),
                      [&](const tbb::blocked_range<int64_t>& range) {
                        for (int64_t k = range.begin(); k < range.end(); ++k) {
                          size_t v = grid_.offset(0, 0, k);
                          for (int64_t j = 0; j < ny; ++j) {
                            for (int64_t i = 0; i < nx; ++i, ++v) visit(v, position(i, j, k));
                          }
                        }
                      });
  }

  // The mask of the voxels where predicate(offset, position) holds (parallel, as above). The
  // predicates test the position (z window, side) before reading the images: same result, less
  // memory traffic.
  template <typename Predicate>
  Mask mask_where(const Predicate& predicate) const {
    Mask mask(grid_, 0);
    parallel_for_voxels([&](size_t v, const Vec3& p) { mask.values[v] = predicate(v, p) ? 1 : 0; });
    return mask;
  }

  // Per axial slice, in parallel: slice_result[k] = visit_slice(k, first offset of slice k,
  // past-the-end offset). For results that do not depend on the order of the voxels (maxima,
  // extents, counts), or that the caller combines in slice order.
  template <typename Result, typename VisitSlice>
  std::vector<Result> per_slice(const VisitSlice& visit_slice) const {
    std::vector<Result> slice_results(static_cast<size_t>(grid_.size[2]));
    const auto slice_size = static_cast<size_t>(grid_.size[0] * grid_.size[1]);
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, grid_.size[2]),
                      [&](const tbb::blocked_range<int64_t>& range) {
                        for (int64_t k = range.begin(); k < range.end(); ++k) {
                          const size_t first = static_cast<size_t>(k) * slice_size;
                          slice_results[static_cast<size_t>(k)] =
                              visit_slice(k, first, first + slice_size);
                        }
                      });
    return slice_results;
  }

  // max(0, the largest SUV of the voxels where selected(offset) holds); NaN values are skipped as
  // by std::max(running, value). Exact whatever the order, so the slices run in parallel.
  template <typename Selected>
  double max_suv_where(const Selected& selected) const {
    const std::vector<double> slice_max = per_slice<double>([&](int64_t, size_t first, size_t end) {
      double slice_value = 0.0;
      for (size_t v = first; v < end; ++v) {
        if (selected(v)) slice_value = std::max(slice_value, static_cast<double>(suv_->values[v]));
      }
      return slice_value;
    });
    double result = 0.0;
    for (const double value : slice_max) result = std::max(result, value);
    return result;
  }

  // The SUVs of the voxels of `mask`, slice by slice (for order statistics, which do not depend
  // on the order of the values).
  std::vector<float> values_in(const Mask& mask) const {
    const std::vector<std::vector<float>> slice_values =
        per_slice<std::vector<float>>([&](int64_t, size_t first, size_t end) {
          std::vector<float> slice;
          for (size_t v = first; v < end; ++v) {
            if (mask.values[v] != 0) slice.push_back(suv_->values[v]);
          }
          return slice;
        });
    std::vector<float> values;
    for (const std::vector<float>& slice : slice_values) {
      values.insert(values.end(), slice.begin(), slice.end());
    }
    return values;
  }

  // The value of rank floor(fraction x n) (0-based, increasing order) of n > 0 values: fraction
  // 0.5 gives the median (the upper one for even n); 0.9 a 90th percentile (the largest value
  // for fewer than 10 values).
  static double value_at_fraction(std::vector<float> values, double fraction) {
    const double position = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(values.size());
    const auto rank = std::min(values.size() - 1, static_cast<size_t>(position));
    std::nth_element(values.begin(), values.begin() + static_cast<int64_t>(rank), values.end());
    return values[rank];
  }

  // Calls visit(offset, position) for every voxel of `mask`, serially in raster order (sums whose
  // rounding depends on the order).
  template <typename Visit>
  void for_each_in(const Mask& mask, const Visit& visit) const {
    const int64_t nx = grid_.size[0], ny = grid_.size[1];
    size_t v = 0;
    for (int64_t k = 0; k < grid_.size[2]; ++k) {
      for (int64_t j = 0; j < ny; ++j) {
        for (int64_t i = 0; i < nx; ++i, ++v) {
          if (mask.values[v] != 0) visit(v, position(i, j, k));
        }
      }
    }
  }

  // The components of at least min_volume_ml (volume as label_components computes it).
  std::vector<uint8_t> components_of_volume(const Components& components,
                                            double min_volume_ml) const {
    std::vector<uint8_t> kept(components.voxel_counts.size(), 0);
    for (size_t id = 0; id < kept.size(); ++id) {
      kept[id] = static_cast<double>(components.voxel_counts[id]) * grid_.voxel_volume_ml() >=
                 min_volume_ml;
    }
    return kept;
  }

  void assign(const std::string& organ, const Mask& mask, const std::string& method) {
    const uint16_t label = *canonical_organ_label(organ);
    // Each slice writes its own voxels and returns its count (integers: exact in any order).
    const std::vector<size_t> slice_counts =
        per_slice<size_t>([&](int64_t, size_t first, size_t end) {
          size_t assigned = 0;
          for (size_t v = first; v < end; ++v) {
            if (mask.values[v] != 0 && labels_.values[v] == 0) {
              labels_.values[v] = label;
              ++assigned;
            }
          }
          return assigned;
        });
    size_t count = 0;
    for (const size_t slice_count : slice_counts) count += slice_count;
    if (count == 0) {
      warnings_.push_back(organ + " not found: " + method);
      return;
    }
    OrganProvenance provenance;
    provenance.method = method;
    provenance.voxel_count = count;
    provenance.volume_ml = static_cast<double>(count) * grid_.voxel_volume_ml();
    provenance_[organ] = provenance;
  }

  double volume_ml(const Mask& mask) const {
    return static_cast<double>(count_voxels(mask)) * grid_.voxel_volume_ml();
  }

  void find_body() {
    const Mask above = mask_where([&](size_t v, const Vec3&) {
      return has_ct_ ? ct_.values[v] > options_.body_min_hu
                     : suv_->values[v] > options_.body_min_suv;
    });
    full_body_ = fill_axial_holes(largest_component(above));
    crop_to_body();
    double sum_x = 0.0, sum_y = 0.0;
    size_t count = 0;
    for_each_in(body_, [&](size_t, const Vec3& p) {
      body_z_.include(p[2]);
      sum_x += p[0];
      sum_y += p[1];
      ++count;
    });
    if (count == 0) {
      throw InvalidInputError("segment_organs: no body found (no voxel above the body threshold)");
    }
    body_centre_x_ = sum_x / static_cast<double>(count);
    body_centre_y_ = sum_y / static_cast<double>(count);
  }

  void find_lungs() {
    const Mask air = mask_where([&](size_t v, const Vec3&) {
      return free_body_voxel(v) && ct_.values[v] < options_.lung_max_hu;
    });
    const Components components = find_components(air);
    const Mask lungs =
        components.mask_of(components_of_volume(components, options_.lung_min_volume_ml));
    lung_min_y_ = std::numeric_limits<double>::infinity();
    for_each_in(lungs, [&](size_t, const Vec3& p) {
      lung_z_.include(p[2]);
      lung_min_y_ = std::min(lung_min_y_, p[1]);
      if (p[0] < body_centre_x_) right_lung_z_.include(p[2]);
    });
    assign("lung", lungs,
           format("CT: air (HU < %g) inside the body, components >= %g mL", options_.lung_max_hu,
                  options_.lung_min_volume_ml));
  }

  void find_bone() {
    const Mask dense = mask_where([&](size_t v, const Vec3&) {
      return body_.values[v] != 0 && ct_.values[v] > options_.bone_min_hu;
    });
    const Components components = find_components(dense);
    const Mask bone =
        components.mask_of(components_of_volume(components, options_.bone_min_volume_ml));
    assign("bone", bone,
           format("CT: HU > %g, components >= %g mL", options_.bone_min_hu,
                  options_.bone_min_volume_ml));
  }

  // The largest component of free voxels in `window` with SUV >= max(min_suv, fraction x max),
  // the maximum taken first over the window and then over the first component (so that a hotter
  // lesion elsewhere in the window does not set the threshold).
  Mask hot_organ(const Mask& window, double min_suv, double fraction, double min_volume_ml,
                 double* threshold_used) const {
    const double window_max =
        max_suv_where([&](size_t v) { return window.values[v] != 0 && free_body_voxel(v); });
    auto segment = [&](double level) {
      const double threshold = std::max(min_suv, fraction * level);
      const Mask above = mask_where([&](size_t v, const Vec3&) {
        return window.values[v] != 0 && free_body_voxel(v) && suv_->values[v] >= threshold;
      });
      *threshold_used = threshold;
      return largest_component(above);
    };
    Mask first = segment(window_max);
    const double organ_max = max_suv_where([&](size_t v) { return first.values[v] != 0; });
    Mask organ = organ_max > 0.0 ? segment(organ_max) : first;
    if (volume_ml(organ) < min_volume_ml) return Mask(grid_, 0);
    return organ;
  }

  Mask z_window(double z_low, double z_high) const {
    return mask_where([&](size_t, const Vec3& p) { return p[2] >= z_low && p[2] <= z_high; });
  }

  void find_brain() {
    const double z_low = body_z_.max - options_.brain_search_length_mm;
    double threshold = 0.0;
    const Mask brain =
        hot_organ(z_window(z_low, body_z_.max), options_.brain_min_suv,
                  options_.brain_fraction_of_max, options_.brain_min_volume_ml, &threshold);
    assign("brain", brain,
           format("PET: largest component with SUV >= %.3g (max(%g, %g x max)) in the cranial "
                  "%g mm of the body",
                  threshold, options_.brain_min_suv, options_.brain_fraction_of_max,
                  options_.brain_search_length_mm));
  }

  void find_bladder() {
    const double z_high = body_z_.min + options_.bladder_search_length_mm;
    double threshold = 0.0;
    const Mask bladder =
        hot_organ(z_window(body_z_.min, z_high), options_.bladder_min_suv,
                  options_.bladder_fraction_of_max, options_.bladder_min_volume_ml, &threshold);
    assign("bladder", bladder,
           format("PET: largest component with SUV >= %.3g (max(%g, %g x max)) in the caudal "
                  "%g mm of the body",
                  threshold, options_.bladder_min_suv, options_.bladder_fraction_of_max,
                  options_.bladder_search_length_mm));
  }

  Extent organ_z(const char* organ) const {
    Extent z;
    if (provenance_.find(organ) == provenance_.end()) return z;
    const uint16_t label = *canonical_organ_label(organ);
    // Extents are exact whatever the order: slices in parallel.
    const std::vector<Extent> slice_z = per_slice<Extent>([&](int64_t k, size_t first, size_t) {
      Extent extent;
      size_t v = first;
      for (int64_t j = 0; j < grid_.size[1]; ++j) {
        for (int64_t i = 0; i < grid_.size[0]; ++i, ++v) {
          if (labels_.values[v] == label) extent.include(position(i, j, k)[2]);
        }
      }
      return extent;
    });
    for (const Extent& extent : slice_z) {
      if (extent.empty()) continue;
      z.include(extent.min);
      z.include(extent.max);
    }
    return z;
  }

  // Heart window. With lungs: the lower heart_lung_fraction of the lungs' z range, within
  // heart_max_distance_from_midline_mm of the mid-sagittal plane, not anterior to the lungs.
  // Without lungs: from 40 mm below to 150 mm above the liver dome, same distance from the
  // midline, anterior to body centre + 20 mm.
  bool in_heart_window(const Vec3& p) const {
    if (std::abs(p[0] - body_centre_x_) > options_.heart_max_distance_from_midline_mm) return false;
    if (!lung_z_.empty()) {
      const double top = lung_z_.min + options_.heart_lung_fraction * (lung_z_.max - lung_z_.min);
      return p[2] >= lung_z_.min && p[2] <= top && p[1] >= lung_min_y_;
    }
    return p[2] >= liver_z_.max - 40.0 && p[2] <= liver_z_.max + 150.0 &&
           p[1] <= body_centre_y_ + 20.0;
  }

  // Stage 1: the largest component of free voxels >= heart_min_suv in the heart window (lesions
  // are smaller than the myocardium); its myocardial level M is a high percentile of its SUV
  // rather than its maximum, which a hot lesion touching the myocardium would set (the heart was
  // then the lesion alone). Stage 2: threshold max(heart_min_suv, fraction x M) within the heart
  // window's z range widened by 50 mm, the component holding most stage-1 voxels, axial holes
  // (chambers) filled, less the voxels hotter than heart_hot_limit_factor x M grown by
  // heart_hot_margin_mm (their blurred rim): lesions inside or against the myocardium, or in a
  // hole of the liver below it, stay outside the heart, so detection keeps them.
  void find_heart() {
    if (lung_z_.empty() && liver_z_.empty()) {
      warnings_.emplace_back("heart not searched: neither lungs (CT) nor liver found to locate it");
      return;
    }
    const Mask window = mask_where(
        [&](size_t v, const Vec3& p) { return in_heart_window(p) && free_body_voxel(v); });
    Extent window_z;
    for_each_in(window, [&](size_t, const Vec3& p) { window_z.include(p[2]); });
    const Mask candidates = mask_where([&](size_t v, const Vec3&) {
      return window.values[v] != 0 && suv_->values[v] >= options_.heart_min_suv;
    });
    const Mask core = largest_component(candidates);
    const std::vector<float> values = values_in(core);
    if (values.empty()) {
      warnings_.push_back(
          format("heart not found: no voxel >= %g in the heart window", options_.heart_min_suv));
      return;
    }
    const double level = value_at_fraction(values, options_.heart_level_percentile / 100.0);
    const double threshold =
        std::max(options_.heart_min_suv, options_.heart_fraction_of_level * level);
    const double hot_limit = options_.heart_hot_limit_factor * level;
    const Mask above = mask_where([&](size_t v, const Vec3& p) {
      const double z = p[2];
      return z >= window_z.min - 50.0 && z <= window_z.max + 50.0 && free_body_voxel(v) &&
             suv_->values[v] >= threshold;
    });
    // The component of `above` holding most core voxels (ties: the first in raster order).
    const Components components = find_components(above);
    std::vector<size_t> core_voxels(components.voxel_counts.size(), 0);
    components.for_each_voxel([&](size_t v, int32_t id) {
      if (core.values[v] != 0) ++core_voxels[static_cast<size_t>(id)];
    });
    std::vector<uint8_t> selected(core_voxels.size(), 0);
    const auto most = std::max_element(core_voxels.begin(), core_voxels.end());
    if (most != core_voxels.end() && *most > 0) {
      selected[static_cast<size_t>(most - core_voxels.begin())] = 1;
    }
    Mask heart = fill_axial_holes(components.mask_of(selected));
    const Mask hot = mask_where(
        [&](size_t v, const Vec3&) { return heart.values[v] != 0 && suv_->values[v] > hot_limit; });
    const Mask hot_grown =
        options_.heart_hot_margin_mm > 0.0 ? dilate_mm(hot, options_.heart_hot_margin_mm) : hot;
    parallel_for_voxels([&](size_t v, const Vec3&) {
      heart.values[v] = heart.values[v] && free_body_voxel(v) && hot_grown.values[v] == 0;
    });
    const double volume = volume_ml(heart);
    if (volume < options_.heart_min_volume_ml || volume > options_.heart_max_volume_ml) {
      warnings_.push_back(
          format("heart not found: the hot component in the heart window has %.0f "
                 "mL, outside %g..%g mL",
                 volume, options_.heart_min_volume_ml, options_.heart_max_volume_ml));
      return;
    }
    assign(
        "heart", heart,
        format(
            "PET: largest component >= %g in the heart window (%s), myocardial level M = "
            "%.3g (its %gth percentile), then the component with SUV >= %.3g (max(%g, %g "
            "x M)) holding most of it, axial holes filled, voxels > %.3g (%g x M) and %g mm around "
            "them left out",
            options_.heart_min_suv,
            lung_z_.empty() ? "above the liver dome" : "lower part of the lungs' z range", level,
            options_.heart_level_percentile, threshold, options_.heart_min_suv,
            options_.heart_fraction_of_level, hot_limit, options_.heart_hot_limit_factor,
            options_.heart_hot_margin_mm));
  }

  // z window for the liver: from 200 mm below to 60 mm above the right lung base with CT; without
  // lungs, from 50 mm above the bladder to 150 mm below the brain (the body's ends when they were
  // not found).
  Extent liver_z() const {
    Extent z;
    if (!right_lung_z_.empty()) {
      z.include(right_lung_z_.min - 200.0);
      z.include(right_lung_z_.min + 60.0);
      return z;
    }
    const Extent bladder = organ_z("bladder");
    const Extent brain = organ_z("brain");
    z.include(bladder.empty() ? body_z_.min : bladder.max + 50.0);
    z.include(brain.empty() ? body_z_.max : brain.min - 150.0);
    return z;
  }

  bool liver_ct_ok(size_t v) const {
    return !has_ct_ ||
           (ct_.values[v] >= options_.liver_min_hu && ct_.values[v] <= options_.liver_max_hu);
  }

  // Stage 1: the largest opened component of moderately uptaking voxels in the right upper
  // abdomen; the liver level is the median SUV of that component.
  void estimate_liver_level() {
    const Extent z = liver_z();
    const Mask candidates = mask_where([&](size_t v, const Vec3& p) {
      return p[0] < body_centre_x_ && p[2] >= z.min && p[2] <= z.max && free_body_voxel(v) &&
             suv_->values[v] >= options_.liver_min_suv && liver_ct_ok(v);
    });
    const Mask core = largest_component(erode_mm(candidates, options_.liver_opening_mm));
    const std::vector<float> values = values_in(core);
    if (values.empty()) {
      warnings_.emplace_back(
          "liver not found: no moderately uptaking region in the right upper abdomen; kidneys, "
          "aorta and spleen (found relative to the liver) are not searched either");
      return;
    }
    liver_level_ = value_at_fraction(values, 0.5);
    // The core's relative noise, robust to other tissue in the core (kidney, vessels, a PET-only
    // core reaching beyond the liver): 1.4826 x the median absolute deviation / the median.
    std::vector<float> deviations(values.size());
    for (size_t n = 0; n < values.size(); ++n) {
      deviations[n] = static_cast<float>(std::abs(values[n] - liver_level_));
    }
    liver_cv_ = liver_level_ > 0.0
                    ? 1.4826 * value_at_fraction(std::move(deviations), 0.5) / liver_level_
                    : 0.0;
    if (liver_cv_ > options_.liver_smoothing_min_cv) {
      band_suv_ = box_mean_on_body_box();
      band_note_ = format(" (on the SUV averaged over 3 x 3 x 3 voxels: liver noise %.2f > %g)",
                          liver_cv_, options_.liver_smoothing_min_cv);
    }
  }

  void find_kidneys() {
    const double threshold = options_.kidney_fraction_of_liver * liver_level_;
    const Extent liver = liver_z();
    const double z_high = (liver.min + liver.max) / 2.0;
    double z_low = body_z_.min;
    if (const auto it = provenance_.find("bladder"); it != provenance_.end()) {
      z_low = organ_z("bladder").max;
    }
    Mask kidneys(grid_, 0);
    for (const int side : {-1, 1}) {
      const Mask candidates = mask_where([&](size_t v, const Vec3& p) {
        const bool on_side = side < 0 ? p[0] < body_centre_x_ : p[0] >= body_centre_x_;
        return on_side && p[1] > body_centre_y_ && p[2] > z_low && p[2] < z_high &&
               free_body_voxel(v) && suv_->values[v] >= threshold;
      });
      const Components components = find_components(candidates);
      const std::vector<uint8_t> kept =
          components_of_volume(components, options_.kidney_min_volume_ml);
      size_t best = 0, best_count = 0;
      for (size_t id = 0; id < kept.size(); ++id) {
        const size_t voxel_count = components.voxel_counts[id];
        if (kept[id] != 0 &&
            static_cast<double>(voxel_count) * grid_.voxel_volume_ml() <=
                options_.kidney_max_volume_ml &&
            voxel_count > best_count) {
          best = id;
          best_count = voxel_count;
        }
      }
      if (best_count == 0) continue;
      std::vector<uint8_t> selected(kept.size(), 0);
      selected[best] = 1;
      const Mask side_kidney = components.mask_of(selected);
      parallel_for_voxels([&](size_t v, const Vec3&) {
        if (side_kidney.values[v] != 0) kidneys.values[v] = 1;
      });
    }
    assign("kidney", kidneys,
           format("PET: on each side, the largest component of %g..%g mL with SUV >= %.3g (%g x "
                  "liver level %.3g), posterior half, between the bladder and the liver centre",
                  options_.kidney_min_volume_ml, options_.kidney_max_volume_ml, threshold,
                  options_.kidney_fraction_of_liver, liver_level_));
  }

  // Moderately uptaking candidates (band around the level) in the z window of the liver.
  // On noisy images (liver SD/mean above liver_smoothing_min_cv) the band is taken on the SUV
  // averaged over 3 x 3 x 3 voxels, so that noise does not riddle the organ with holes.
  Mask band_candidates(double low, double high, bool right_side) const {
    const Extent z = liver_z();
    const ImageVolume& image = band_suv_ ? *band_suv_ : *suv_;
    return mask_where([&](size_t v, const Vec3& p) {
      const bool side = right_side ? p[0] < body_centre_x_ + 50.0 : p[0] > body_centre_x_;
      return side && p[2] >= z.min - 50.0 && p[2] <= z.max + 50.0 && free_body_voxel(v) &&
             image.values[v] >= low && image.values[v] <= high && liver_ct_ok(v);
    });
  }

  void find_liver() {
    const double low = 0.75 * liver_level_;
    const double high = options_.liver_hot_limit_factor * liver_level_;
    const Mask candidates = band_candidates(low, high, true);
    const Mask opened =
        dilate_mm(largest_component(erode_mm(candidates, options_.liver_opening_mm)),
                  options_.liver_opening_mm);
    Mask liver(grid_, 0);
    parallel_for_voxels(
        [&](size_t v, const Vec3&) { liver.values[v] = opened.values[v] && candidates.values[v]; });
    liver = largest_component(liver);
    if (volume_ml(liver) < options_.liver_min_volume_ml) {
      warnings_.push_back(
          format("liver not found: the largest candidate region has %.0f mL < %g mL",
                 volume_ml(liver), options_.liver_min_volume_ml));
      return;
    }
    assign("liver", liver,
           format("PET%s: largest component, opened by %g mm, of SUV in [%.3g, %.3g] (0.75..%g x "
                  "liver level %.3g) in the right upper abdomen",
                  has_ct_ ? " + CT" : "", options_.liver_opening_mm, low, high,
                  options_.liver_hot_limit_factor, liver_level_) +
               (has_ct_ ? format(", HU in [%g, %g]", options_.liver_min_hu, options_.liver_max_hu)
                        : std::string()) +
               band_note_);
  }

  void find_aorta() {
    // From the liver's lower end (abdominal aorta) to the top of the thorax (lungs, or 150 mm
    // above the liver dome without lungs).
    Extent thorax;
    thorax.include(liver_z_.empty() ? body_z_.min : liver_z_.min);
    thorax.include(!lung_z_.empty() ? lung_z_.max
                                    : (liver_z_.empty() ? body_z_.max : liver_z_.max + 150.0));
    const double threshold =
        std::max(options_.aorta_min_suv, options_.aorta_fraction_of_liver * liver_level_);
    const Mask candidates = mask_where([&](size_t v, const Vec3& p) {
      return p[2] >= thorax.min && p[2] <= thorax.max &&
             std::abs(p[0] - body_centre_x_) <= options_.aorta_max_distance_from_midline_mm &&
             free_body_voxel(v) && suv_->values[v] >= threshold;
    });
    const Components components = find_components(candidates);
    std::vector<Extent> z_extent(components.voxel_counts.size());
    components.for_each_voxel(
        [&](size_t v, int32_t id) { z_extent[static_cast<size_t>(id)].include(pos(v)[2]); });
    size_t best = 0;
    bool found = false;
    double best_length = 0.0;
    for (size_t id = 0; id < z_extent.size(); ++id) {
      const double length = z_extent[id].max - z_extent[id].min;
      if (length > best_length) {
        best_length = length;
        best = id;
        found = true;
      }
    }
    if (!found || best_length < options_.aorta_min_length_mm) {
      warnings_.push_back(
          format("aorta not found: no tube of SUV >= %.3g at least %g mm long in "
                 "the thorax",
                 threshold, options_.aorta_min_length_mm));
      return;
    }
    std::vector<uint8_t> selected(z_extent.size(), 0);
    selected[best] = 1;
    const Mask aorta = components.mask_of(selected);
    assign("aorta", aorta,
           format("PET: the longest (z) component with SUV >= %.3g (max(%g, %g x liver level)) "
                  "within %g mm of the mid-sagittal plane, liver bottom to thorax top",
                  threshold, options_.aorta_min_suv, options_.aorta_fraction_of_liver,
                  options_.aorta_max_distance_from_midline_mm));
  }

  void find_spleen() {
    const double low = 0.6 * liver_level_;
    const double high = options_.liver_hot_limit_factor * liver_level_;
    const Mask candidates = band_candidates(low, high, false);
    const Mask opened =
        dilate_mm(largest_component(erode_mm(candidates, options_.liver_opening_mm / 2.0)),
                  options_.liver_opening_mm / 2.0);
    Mask spleen(grid_, 0);
    parallel_for_voxels([&](size_t v, const Vec3&) {
      spleen.values[v] = opened.values[v] && candidates.values[v];
    });
    spleen = largest_component(spleen);
    const double volume = volume_ml(spleen);
    if (volume < options_.spleen_min_volume_ml || volume > options_.spleen_max_volume_ml) {
      warnings_.push_back(
          format("spleen not found: the largest candidate region has %.0f mL, "
                 "outside %g..%g mL",
                 volume, options_.spleen_min_volume_ml, options_.spleen_max_volume_ml));
      return;
    }
    assign("spleen", spleen,
           format("PET: largest component, opened by %g mm, of SUV in [%.3g, %.3g] (0.6..%g x "
                  "liver level) in the left upper abdomen",
                  options_.liver_opening_mm / 2.0, low, high, options_.liver_hot_limit_factor) +
               band_note_);
  }

  void find_muscle() {
    const Mask candidates = mask_where([&](size_t v, const Vec3&) {
      return free_body_voxel(v) && suv_->values[v] <= options_.muscle_max_suv &&
             ct_.values[v] >= options_.muscle_min_hu && ct_.values[v] <= options_.muscle_max_hu;
    });
    assign("muscle", erode_mm(candidates, options_.muscle_erosion_mm),
           format("PET + CT: body voxels in no other organ with SUV <= %g and HU in [%g, %g], "
                  "eroded by %g mm",
                  options_.muscle_max_suv, options_.muscle_min_hu, options_.muscle_max_hu,
                  options_.muscle_erosion_mm));
  }
};

}  // namespace

OrganSegmentation segment_organs(const ImageVolume& suv, const ImageVolume* ct,
                                 const OrganHeuristicOptions& options) {
  if (suv.size() == 0) throw InvalidInputError("segment_organs: empty SUV image");
  if (!(options.heart_level_percentile > 0.0 && options.heart_level_percentile <= 100.0) ||
      !(options.heart_fraction_of_level > 0.0) || !(options.heart_hot_limit_factor > 1.0) ||
      !(options.heart_hot_margin_mm >= 0.0) || !(options.liver_smoothing_min_cv >= 0.0)) {
    throw InvalidInputError(
        "segment_organs: heart_level_percentile must lie in (0, 100], heart_fraction_of_level "
        "> 0, heart_hot_limit_factor > 1, heart_hot_margin_mm >= 0 and liver_smoothing_min_cv "
        ">= 0 (defaults 90, 0.5, 1.5, 8, 0.15)");
  }
  return Heuristics(suv, ct, options).run();
}

}  // namespace oncotrace
