// Interpolation is written here rather than taken from ITK's ResampleImageFilter because IBSI
// defines the sample positions in the original voxel-index space (centre-aligned grids) and the
// ROI threshold >= 0.5 is sensitive to rounding: separable 1D passes in double precision keep
// the positions exact and the result identical for any thread count.
#include "radiomics/processing.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace oncotrace::radiomics::detail {

AxisSamples centre_aligned_samples(int64_t size, double spacing_mm, double new_spacing_mm) {
  AxisSamples samples;
  samples.step = new_spacing_mm / spacing_mm;
  // A tiny tolerance keeps exact multiples (e.g. 3 mm -> 1.5 mm) from gaining a sample through
  // rounding of the division.
  samples.count = std::max<int64_t>(
      1, static_cast<int64_t>(
             std::ceil(static_cast<double>(size) * spacing_mm / new_spacing_mm - 1e-9)));
  samples.first =
      (static_cast<double>(size - 1) - samples.step * static_cast<double>(samples.count - 1)) / 2.0;
  return samples;
}

namespace {

int64_t mirror_index(int64_t k, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  k %= period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

// Cubic B-spline coefficients of one line (in place), mirror boundaries.
void cubic_spline_prefilter(std::vector<double>& line) {
  const size_t n = line.size();
  if (n < 2) return;
  const double pole = std::sqrt(3.0) - 2.0;
  const double gain = (1.0 - pole) * (1.0 - 1.0 / pole);
  for (double& value : line) value *= gain;
  // Causal initialisation: the mirrored signal summed until the pole's powers vanish.
  const auto horizon = static_cast<int64_t>(std::ceil(std::log(1e-16) / std::log(std::abs(pole))));
  double sum = 0.0;
  double power = 1.0;
  for (int64_t k = 0; k < horizon; ++k) {
    sum += power * line[static_cast<size_t>(mirror_index(k, static_cast<int64_t>(n)))];
    power *= pole;
  }
  line[0] = sum;
  for (size_t k = 1; k < n; ++k) line[k] += pole * line[k - 1];
  line[n - 1] = (pole / (pole * pole - 1.0)) * (line[n - 1] + pole * line[n - 2]);
  for (size_t k = n - 1; k-- > 0;) line[k] = pole * (line[k + 1] - line[k]);
}

// The sample position of output m, with nearest-value padding beyond the grid.
double position_of(const AxisSamples& samples, int64_t m, int64_t size) {
  return std::clamp(samples.first + static_cast<double>(m) * samples.step, 0.0,
                    static_cast<double>(size - 1));
}

// The input indices (full-grid numbering) that the samples read.
std::pair<int64_t, int64_t> support_of(const AxisSamples& samples, int64_t size,
                                       InterpolationMethod method) {
  int64_t low = size - 1, high = 0;
  for (int64_t m = 0; m < samples.count; ++m) {
    const double x = position_of(samples, m, size);
    const auto base = static_cast<int64_t>(std::floor(x));
    switch (method) {
      case InterpolationMethod::kNearest: {
        const int64_t index =
            std::min<int64_t>(size - 1, static_cast<int64_t>(std::floor(x + 0.5)));
        low = std::min(low, index);
        high = std::max(high, index);
        break;
      }
      case InterpolationMethod::kLinear:
        low = std::min(low, std::min(base, size - 1));
        high = std::max(high, std::min(base + 1, size - 1));
        break;
      case InterpolationMethod::kCubicSpline:
        for (int64_t tap = -1; tap <= 2; ++tap) {
          const int64_t index = mirror_index(base + tap, size);
          low = std::min(low, index);
          high = std::max(high, index);
        }
        break;
    }
  }
  return {low, high};
}

// Interpolates one line. `input` holds the full-grid indices first_index .. first_index +
// input.size() - 1 of a line of `size` samples (already B-spline coefficients for the cubic
// spline).
void resample_line(const std::vector<double>& input, int64_t size, int64_t first_index,
                   const AxisSamples& samples, InterpolationMethod method,
                   std::vector<double>& output) {
  const auto at = [&](int64_t index) { return input[static_cast<size_t>(index - first_index)]; };
  output.resize(static_cast<size_t>(samples.count));
  for (int64_t m = 0; m < samples.count; ++m) {
    const double x = position_of(samples, m, size);
    double value = 0.0;
    switch (method) {
      case InterpolationMethod::kNearest:
        value = at(std::min<int64_t>(size - 1, static_cast<int64_t>(std::floor(x + 0.5))));
        break;
      case InterpolationMethod::kLinear: {
        const auto lower = std::min<int64_t>(static_cast<int64_t>(std::floor(x)), size - 1);
        const int64_t upper = std::min<int64_t>(lower + 1, size - 1);
        const double fraction = x - static_cast<double>(lower);
        value = (1.0 - fraction) * at(lower) + fraction * at(upper);
        break;
      }
      case InterpolationMethod::kCubicSpline: {
        const auto base = static_cast<int64_t>(std::floor(x));
        const double t = x - static_cast<double>(base);
        const double weights[4] = {
            (1 - t) * (1 - t) * (1 - t) / 6.0, (4.0 - 6.0 * t * t + 3.0 * t * t * t) / 6.0,
            (1.0 + 3.0 * t + 3.0 * t * t - 3.0 * t * t * t) / 6.0, t * t * t / 6.0};
        for (int64_t tap = 0; tap < 4; ++tap)
          value += weights[tap] * at(mirror_index(base - 1 + tap, size));
        break;
      }
    }
    output[static_cast<size_t>(m)] = value;
  }
}

int64_t stride_of(const Index3& size, int axis) {
  return axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
}

// Applies `transform` to every line of `values` along `axis` (lines in parallel; each line is
// independent, so the result does not depend on the thread count).
template <typename Transform>
void for_each_line(const Index3& size, int axis, Transform transform) {
  const int64_t length = size[static_cast<size_t>(axis)];
  const int64_t stride = stride_of(size, axis);
  const int64_t lines = size[0] * size[1] * size[2] / std::max<int64_t>(length, 1);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, lines, 64),
                    [&](const tbb::blocked_range<int64_t>& range) {
                      for (int64_t l = range.begin(); l != range.end(); ++l) {
                        const int64_t inner = l % stride, outer = l / stride;
                        transform(l, inner + outer * stride * length, stride);
                      }
                    });
}

// Cubic B-spline coefficients of a whole volume (in place), one axis at a time.
void cubic_spline_coefficients(std::vector<double>& values, const Index3& size) {
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t length = size[static_cast<size_t>(axis)];
    for_each_line(size, axis, [&](int64_t, int64_t start, int64_t stride) {
      std::vector<double> line(static_cast<size_t>(length));
      for (int64_t n = 0; n < length; ++n)
        line[static_cast<size_t>(n)] = values[static_cast<size_t>(start + n * stride)];
      cubic_spline_prefilter(line);
      for (int64_t n = 0; n < length; ++n)
        values[static_cast<size_t>(start + n * stride)] = line[static_cast<size_t>(n)];
    });
  }
}

}  // namespace

std::vector<double> resample(const std::vector<double>& values, const Index3& size,
                             const std::array<AxisSamples, 3>& samples, InterpolationMethod method,
                             const Index3& values_origin,
                             const std::optional<Index3>& values_size) {
  const Index3 source_size = values_size.value_or(size);
  if (values.size() != static_cast<size_t>(source_size[0] * source_size[1] * source_size[2])) {
    throw std::logic_error("radiomics resample: the value block does not match its size");
  }
  const bool whole_grid = values_origin == Index3{0, 0, 0} && source_size == size;
  // The spline coefficients depend on whole lines, so they are computed on the full volume;
  // the evaluation then reads only the block that the samples touch.
  std::vector<double> coefficients;
  const std::vector<double>* source = &values;
  if (method == InterpolationMethod::kCubicSpline) {
    if (!whole_grid) {
      throw std::logic_error("radiomics resample: the cubic spline needs the whole grid");
    }
    coefficients = values;
    cubic_spline_coefficients(coefficients, size);
    source = &coefficients;
  }
  Index3 low{}, block{};
  for (size_t axis = 0; axis < 3; ++axis) {
    const auto [first, last] = support_of(samples[axis], size[axis], method);
    low[axis] = first;
    block[axis] = last - first + 1;
    if (first < values_origin[axis] || last >= values_origin[axis] + source_size[axis]) {
      throw std::logic_error("radiomics resample: the value block misses voxels the samples read");
    }
  }
  std::vector<double> current(static_cast<size_t>(block[0] * block[1] * block[2]));
  for (int64_t k = 0; k < block[2]; ++k) {
    for (int64_t j = 0; j < block[1]; ++j) {
      const auto from =
          static_cast<size_t>((low[0] - values_origin[0]) +
                              source_size[0] * ((low[1] + j - values_origin[1]) +
                                                source_size[1] * (low[2] + k - values_origin[2])));
      std::copy_n(source->begin() + static_cast<std::ptrdiff_t>(from), block[0],
                  current.begin() + static_cast<std::ptrdiff_t>(block[0] * (j + block[1] * k)));
    }
  }
  Index3 current_size = block;
  for (int axis = 0; axis < 3; ++axis) {
    const auto a = static_cast<size_t>(axis);
    Index3 next_size = current_size;
    next_size[a] = samples[a].count;
    std::vector<double> next(static_cast<size_t>(next_size[0] * next_size[1] * next_size[2]));
    const int64_t length = current_size[a];
    const int64_t out_stride = stride_of(next_size, axis);
    const int64_t in_stride = stride_of(current_size, axis);
    for_each_line(current_size, axis, [&](int64_t line_index, int64_t start, int64_t stride) {
      std::vector<double> line(static_cast<size_t>(length)), output;
      for (int64_t n = 0; n < length; ++n)
        line[static_cast<size_t>(n)] = current[static_cast<size_t>(start + n * stride)];
      // The spline coefficients are already there: evaluate the basis only.
      resample_line(line, size[a], low[a], samples[a], method, output);
      const int64_t inner = line_index % in_stride, outer = line_index / in_stride;
      const int64_t out_start = inner + outer * out_stride * samples[a].count;
      for (int64_t m = 0; m < samples[a].count; ++m) {
        next[static_cast<size_t>(out_start + m * out_stride)] = output[static_cast<size_t>(m)];
      }
    });
    current = std::move(next);
    current_size = next_size;
  }
  return current;
}

Geometry resampled_geometry(const Geometry& geometry, const std::array<AxisSamples, 3>& samples) {
  Geometry result = geometry;
  for (size_t axis = 0; axis < 3; ++axis) {
    result.size[axis] = samples[axis].count;
    result.spacing_mm[axis] = geometry.spacing_mm[axis] * samples[axis].step;
  }
  result.origin_mm =
      geometry.index_to_world(Vec3{samples[0].first, samples[1].first, samples[2].first});
  return result;
}

std::vector<uint8_t> resegment(const std::vector<double>& intensities,
                               const std::vector<uint8_t>& roi,
                               const ResegmentationSettings& settings) {
  double lower = settings.range_min.value_or(-std::numeric_limits<double>::infinity());
  double upper = settings.range_max.value_or(std::numeric_limits<double>::infinity());
  if (settings.outlier_filter) {
    double sum = 0.0, squares = 0.0;
    size_t count = 0;
    for (size_t v = 0; v < roi.size(); ++v) {
      if (roi[v] == 0) continue;
      sum += intensities[v];
      ++count;
    }
    const double mean = sum / static_cast<double>(count);
    for (size_t v = 0; v < roi.size(); ++v) {
      if (roi[v] != 0) squares += (intensities[v] - mean) * (intensities[v] - mean);
    }
    const double sd = std::sqrt(squares / static_cast<double>(count));
    lower = std::max(lower, mean - settings.outlier_sigma * sd);
    upper = std::min(upper, mean + settings.outlier_sigma * sd);
  }
  std::vector<uint8_t> mask(roi.size(), 0);
  for (size_t v = 0; v < roi.size(); ++v) {
    mask[v] = roi[v] != 0 && intensities[v] >= lower && intensities[v] <= upper ? 1 : 0;
  }
  return mask;
}

GreyLevelGrid discretise(const RoiGrid& roi, const DiscretisationSettings& settings,
                         const ResegmentationSettings& resegmentation) {
  GreyLevelGrid grid;
  grid.size = roi.size;
  grid.level.assign(roi.voxel_count(), 0);
  double minimum = std::numeric_limits<double>::infinity(), maximum = -minimum;
  for (size_t v = 0; v < roi.voxel_count(); ++v) {
    if (roi.intensity_mask[v] == 0) continue;
    minimum = std::min(minimum, roi.intensity[v]);
    maximum = std::max(maximum, roi.intensity[v]);
  }
  int32_t highest = 1;
  for (size_t v = 0; v < roi.voxel_count(); ++v) {
    if (roi.intensity_mask[v] == 0) continue;
    const double x = roi.intensity[v];
    int32_t level = 1;
    switch (settings.method) {
      case DiscretisationMethod::kNone:
        level = static_cast<int32_t>(std::lround(x));
        break;
      case DiscretisationMethod::kFixedBinNumber: {
        const int32_t bins = settings.bin_count;
        if (maximum > minimum) {
          level = static_cast<int32_t>(std::floor(bins * (x - minimum) / (maximum - minimum))) + 1;
        } else {
          level = (bins + 1) / 2;  // a constant ROI sits in the middle bin
        }
        level = std::clamp(level, 1, bins);
        break;
      }
      case DiscretisationMethod::kFixedBinSize: {
        // Bins start at the re-segmentation lower bound when there is one (Q3RU).
        const double origin = resegmentation.range_min.value_or(minimum);
        level =
            std::max(1, static_cast<int32_t>(std::floor((x - origin) / settings.bin_width)) + 1);
        break;
      }
    }
    grid.level[v] = level;
    highest = std::max(highest, level);
  }
  // N_g: the bin count for FBN, otherwise the highest level in the ROI.
  grid.n_levels =
      settings.method == DiscretisationMethod::kFixedBinNumber ? settings.bin_count : highest;
  return grid;
}

void add_image_diagnostics(const Geometry& geometry, const std::vector<double>& values,
                           const char* stage, FeatureList& out) {
  const std::string suffix = std::string("_") + stage;
  out.add("img_dim_x", suffix, static_cast<double>(geometry.size[0]));
  out.add("img_dim_y", suffix, static_cast<double>(geometry.size[1]));
  out.add("img_dim_z", suffix, static_cast<double>(geometry.size[2]));
  out.add("vox_dim_x", suffix, geometry.spacing_mm[0]);
  out.add("vox_dim_y", suffix, geometry.spacing_mm[1]);
  out.add("vox_dim_z", suffix, geometry.spacing_mm[2]);
  double sum = 0.0, minimum = std::numeric_limits<double>::infinity(), maximum = -minimum;
  for (const double value : values) {
    sum += value;
    minimum = std::min(minimum, value);
    maximum = std::max(maximum, value);
  }
  out.add("mean_int", suffix, sum / static_cast<double>(values.size()));
  out.add("min_int", suffix, minimum);
  out.add("max_int", suffix, maximum);
}

namespace {

Index3 bounding_box_size(const Geometry& geometry, const std::vector<uint8_t>& mask) {
  Index3 low{geometry.size[0], geometry.size[1], geometry.size[2]};
  Index3 high{-1, -1, -1};
  for (int64_t k = 0; k < geometry.size[2]; ++k) {
    for (int64_t j = 0; j < geometry.size[1]; ++j) {
      for (int64_t i = 0; i < geometry.size[0]; ++i) {
        if (mask[geometry.offset(i, j, k)] == 0) continue;
        const Index3 at{i, j, k};
        for (size_t a = 0; a < 3; ++a) {
          low[a] = std::min(low[a], at[a]);
          high[a] = std::max(high[a], at[a]);
        }
      }
    }
  }
  Index3 extent{0, 0, 0};
  for (size_t a = 0; a < 3; ++a) extent[a] = high[a] >= low[a] ? high[a] - low[a] + 1 : 0;
  return extent;
}

}  // namespace

void add_roi_diagnostics(const Index3& grid_size, const Geometry& geometry,
                         const std::vector<double>& values,
                         const std::vector<uint8_t>& intensity_mask,
                         const std::vector<uint8_t>& morphological_mask, const char* stage,
                         FeatureList& out) {
  const std::string suffix = std::string("_") + stage;
  out.add("int_mask_dim_x", suffix, static_cast<double>(grid_size[0]));
  out.add("int_mask_dim_y", suffix, static_cast<double>(grid_size[1]));
  out.add("int_mask_dim_z", suffix, static_cast<double>(grid_size[2]));
  const Index3 intensity_box = bounding_box_size(geometry, intensity_mask);
  const Index3 morphological_box = bounding_box_size(geometry, morphological_mask);
  out.add("int_mask_bb_dim_x", suffix, static_cast<double>(intensity_box[0]));
  out.add("int_mask_bb_dim_y", suffix, static_cast<double>(intensity_box[1]));
  out.add("int_mask_bb_dim_z", suffix, static_cast<double>(intensity_box[2]));
  out.add("morph_mask_bb_dim_x", suffix, static_cast<double>(morphological_box[0]));
  out.add("morph_mask_bb_dim_y", suffix, static_cast<double>(morphological_box[1]));
  out.add("morph_mask_bb_dim_z", suffix, static_cast<double>(morphological_box[2]));
  double sum = 0.0, minimum = std::numeric_limits<double>::infinity(), maximum = -minimum;
  size_t intensity_count = 0, morphological_count = 0;
  for (size_t v = 0; v < values.size(); ++v) {
    if (morphological_mask[v] != 0) ++morphological_count;
    if (intensity_mask[v] == 0) continue;
    ++intensity_count;
    sum += values[v];
    minimum = std::min(minimum, values[v]);
    maximum = std::max(maximum, values[v]);
  }
  out.add("int_mask_vox_count", suffix, static_cast<double>(intensity_count));
  out.add("morph_mask_vox_count", suffix, static_cast<double>(morphological_count));
  out.add("int_mask_mean_int", suffix, sum / static_cast<double>(intensity_count));
  out.add("int_mask_min_int", suffix, minimum);
  out.add("int_mask_max_int", suffix, maximum);
}

}  // namespace oncotrace::radiomics::detail
