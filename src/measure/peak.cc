#include "measure/peak.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "oncotrace/error.h"

namespace oncotrace {

namespace {

// A voxel centre exactly on the sphere surface (possible for special spacings) counts as inside;
// the tolerance absorbs rounding in the spacing.
constexpr double kSurfaceToleranceMm = 1e-6;

void validate_peak_options(const PeakOptions& options) {
  if (!(options.sphere_volume_ml > 0.0) || !std::isfinite(options.sphere_volume_ml)) {
    throw InvalidInputError("SUVpeak sphere volume " + std::to_string(options.sphere_volume_ml) +
                            " mL is not a positive number; use 1 mL (the default)");
  }
  if (options.weighting == PeakWeighting::kPartialVolume &&
      (options.partial_volume_subdivisions < 1 || options.partial_volume_subdivisions > 1000)) {
    throw InvalidInputError("partial-volume subdivisions " +
                            std::to_string(options.partial_volume_subdivisions) +
                            " outside 1..1000; use 64 (the default)");
  }
}

}  // namespace

PeakOptions ibsi_global_peak() { return PeakOptions{}; }

PeakOptions ibsi_local_peak() {
  PeakOptions options;
  options.centre = PeakCentre::kHottestVoxel;
  return options;
}

PeakOptions region_restricted_global_peak() {
  PeakOptions options;
  options.region_restricted = true;
  return options;
}

PeakOptions partial_volume_global_peak() {
  PeakOptions options;
  options.weighting = PeakWeighting::kPartialVolume;
  return options;
}

PeakOptions partial_volume_local_peak() {
  PeakOptions options = partial_volume_global_peak();
  options.centre = PeakCentre::kHottestVoxel;
  return options;
}

std::string peak_variant_name(const PeakOptions& options) {
  std::string name;
  if (options.region_restricted) name += "region_restricted_";
  if (options.weighting == PeakWeighting::kPartialVolume) {
    name += "partial_volume_";
  } else if (!options.region_restricted) {
    name += "ibsi_";
  }
  name += options.centre == PeakCentre::kHottestVoxel ? "local" : "global";
  if (options.outside_image == PeakOutsideImage::kExclude) name += "_inside_image_only";
  return name;
}

double sphere_radius_mm(double volume_ml) {
  return std::cbrt(3.0 * volume_ml * 1000.0 / (4.0 * std::numbers::pi));
}

namespace measure_internal {

namespace {

double squared(double value) { return value * value; }

// Fraction of the voxel at offset `d` inside the sphere: exact 0 or 1 when the voxel lies wholly
// outside or inside. For a voxel cut by the surface, the voxel is split into n x n columns along
// the k axis; in each column (at its centre x, y) the length of the sphere's chord
// [-h, h], h = sqrt(r^2 - x^2 - y^2), inside the voxel's k extent is exact, and the fraction is
// the mean chord length over the columns divided by the voxel's k size. With the default n = 64
// the weights of the STS_001 kernel add up to the sphere volume within 3e-5 (n = 10 sub-voxel
// points per axis in 3D would leave 2e-3).
double partial_volume_weight(const Index3& d, const Vec3& spacing_mm, double radius_mm,
                             int subdivisions) {
  double nearest_squared = 0.0;
  double farthest_squared = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    const double centre = std::abs(static_cast<double>(d[axis])) * spacing_mm[axis];
    const double half = 0.5 * spacing_mm[axis];
    nearest_squared += squared(std::max(0.0, centre - half));
    farthest_squared += squared(centre + half);
  }
  const double radius_squared = squared(radius_mm);
  if (nearest_squared >= radius_squared) return 0.0;
  if (farthest_squared <= radius_squared) return 1.0;
  const double z_low = (static_cast<double>(d[2]) - 0.5) * spacing_mm[2];
  const double z_high = (static_cast<double>(d[2]) + 0.5) * spacing_mm[2];
  double chord_sum_mm = 0.0;
  for (int b = 0; b < subdivisions; ++b) {
    const double y = (static_cast<double>(d[1]) + (b + 0.5) / subdivisions - 0.5) * spacing_mm[1];
    for (int a = 0; a < subdivisions; ++a) {
      const double x = (static_cast<double>(d[0]) + (a + 0.5) / subdivisions - 0.5) * spacing_mm[0];
      const double remaining = radius_squared - x * x - y * y;
      if (remaining <= 0.0) continue;
      const double half_chord = std::sqrt(remaining);
      chord_sum_mm += std::max(0.0, std::min(half_chord, z_high) - std::max(-half_chord, z_low));
    }
  }
  return chord_sum_mm / (static_cast<double>(subdivisions) * subdivisions * spacing_mm[2]);
}

void add_kernel_entry(const Index3& d, double weight, SphereKernel* kernel) {
  const size_t index = kernel->offsets.size();
  kernel->offsets.push_back(d);
  kernel->weights.push_back(weight);
  kernel->total_weight += weight;
  if (weight != 1.0) {
    kernel->fractional_entries.push_back(index);
    return;
  }
  std::vector<SphereKernel::UnitRun>& runs = kernel->unit_runs;
  if (!runs.empty() && runs.back().dj == d[1] && runs.back().dk == d[2] &&
      runs.back().di_last + 1 == d[0]) {
    runs.back().di_last = d[0];
  } else {
    runs.push_back({d[1], d[2], d[0], d[0]});
  }
}

}  // namespace

SphereKernel make_sphere_kernel(const Vec3& spacing_mm, const PeakOptions& options) {
  validate_peak_options(options);
  for (int axis = 0; axis < 3; ++axis) {
    if (!(spacing_mm[axis] > 0.0)) {
      throw InvalidInputError("voxel spacing " + std::to_string(spacing_mm[axis]) +
                              " mm along axis " + std::to_string(axis) +
                              " is not positive; the image geometry is broken");
    }
  }
  SphereKernel kernel;
  kernel.radius_mm = sphere_radius_mm(options.sphere_volume_ml);
  const bool partial_volume = options.weighting == PeakWeighting::kPartialVolume;
  for (int axis = 0; axis < 3; ++axis) {
    const double reach = kernel.radius_mm / spacing_mm[axis];
    kernel.half_extent[axis] =
        static_cast<int64_t>(partial_volume ? std::ceil(reach + 0.5) : std::floor(reach + 1e-6));
  }
  const double centre_limit_squared = squared(kernel.radius_mm + kSurfaceToleranceMm);
  const Index3& h = kernel.half_extent;
  for (int64_t dk = -h[2]; dk <= h[2]; ++dk) {
    for (int64_t dj = -h[1]; dj <= h[1]; ++dj) {
      for (int64_t di = -h[0]; di <= h[0]; ++di) {
        const Index3 d{di, dj, dk};
        double weight = 0.0;
        if (partial_volume) {
          weight = partial_volume_weight(d, spacing_mm, kernel.radius_mm,
                                         options.partial_volume_subdivisions);
        } else {
          const double distance_squared = squared(di * spacing_mm[0]) +
                                          squared(dj * spacing_mm[1]) + squared(dk * spacing_mm[2]);
          weight = distance_squared <= centre_limit_squared ? 1.0 : 0.0;
        }
        if (weight <= 0.0) continue;
        add_kernel_entry(d, weight, &kernel);
      }
    }
  }
  return kernel;
}

namespace {

// The region's padded box: the bounding box grown by the kernel's half extent, possibly
// reaching outside the image. `values` holds the image values that count (0 elsewhere, and 0
// outside the image), `counted` flags positions that enter the denominator.
struct PaddedBox {
  Index3 lower{0, 0, 0};
  Index3 extent{0, 0, 0};
  std::vector<float> values;
  std::vector<uint8_t> counted;
  bool constant_denominator = true;
  // Per row (fixed j, k) of the box, extent[0] + 1 running sums from the row start: of `values`
  // (in double), and of `counted` when the denominator varies.
  std::vector<double> value_prefix;
  std::vector<int32_t> count_prefix;

  size_t prefix_row(int64_t local_j, int64_t local_k) const {
    return static_cast<size_t>((local_j + extent[1] * local_k) * (extent[0] + 1));
  }

  int64_t local_offset(const Index3& index) const {
    return (index[0] - lower[0]) +
           extent[0] * ((index[1] - lower[1]) + extent[1] * (index[2] - lower[2]));
  }
  int64_t local_offset_of_delta(const Index3& d) const {
    return d[0] + extent[0] * (d[1] + extent[1] * d[2]);
  }
};

void fill_prefix_sums(PaddedBox* padded) {
  const int64_t width = padded->extent[0];
  const int64_t rows = padded->extent[1] * padded->extent[2];
  padded->value_prefix.assign(static_cast<size_t>(rows * (width + 1)), 0.0);
  if (!padded->constant_denominator) padded->count_prefix.assign(padded->value_prefix.size(), 0);
  for (int64_t row = 0; row < rows; ++row) {
    const auto source = static_cast<size_t>(row * width);
    const auto target = static_cast<size_t>(row * (width + 1));
    double value_sum = 0.0;
    int32_t count_sum = 0;
    for (int64_t i = 0; i < width; ++i) {
      value_sum += static_cast<double>(padded->values[source + static_cast<size_t>(i)]);
      padded->value_prefix[target + static_cast<size_t>(i) + 1] = value_sum;
      if (padded->constant_denominator) continue;
      count_sum += padded->counted[source + static_cast<size_t>(i)];
      padded->count_prefix[target + static_cast<size_t>(i) + 1] = count_sum;
    }
  }
}

PaddedBox make_padded_box(const ImageVolume& image, const RegionVoxels& region,
                          const PeakOptions& options, const SphereKernel& kernel) {
  const Geometry& grid = image.geometry;
  PaddedBox padded;
  for (int axis = 0; axis < 3; ++axis) {
    padded.lower[axis] = region.box.lower[axis] - kernel.half_extent[axis];
    padded.extent[axis] = region.box.extent(axis) + 2 * kernel.half_extent[axis];
  }
  const size_t count = static_cast<size_t>(padded.extent[0]) *
                       static_cast<size_t>(padded.extent[1]) *
                       static_cast<size_t>(padded.extent[2]);
  padded.values.assign(count, 0.0f);
  const bool exclude_outside = options.outside_image == PeakOutsideImage::kExclude;
  padded.constant_denominator = !options.region_restricted && !exclude_outside;
  // Unrestricted: every image voxel counts, positions outside the image count only for kZero.
  // Restricted: only region voxels count (all of them are inside the image).
  const uint8_t outside_flag = exclude_outside ? 0 : 1;
  padded.counted.assign(count, options.region_restricted ? 0 : outside_flag);
  if (options.region_restricted) {
    for (const size_t offset : region.offsets) {
      const auto local = static_cast<size_t>(padded.local_offset(index_of_offset(grid, offset)));
      padded.values[local] = image.values[offset];
      padded.counted[local] = 1;
    }
    fill_prefix_sums(&padded);
    return padded;
  }
  // Copy the part of the padded box that lies inside the image, row by row.
  Index3 first{0, 0, 0};
  Index3 last{0, 0, 0};
  for (int axis = 0; axis < 3; ++axis) {
    first[axis] = std::max<int64_t>(0, padded.lower[axis]);
    last[axis] =
        std::min<int64_t>(grid.size[axis] - 1, padded.lower[axis] + padded.extent[axis] - 1);
  }
  for (int64_t k = first[2]; k <= last[2]; ++k) {
    for (int64_t j = first[1]; j <= last[1]; ++j) {
      const size_t source = grid.offset(first[0], j, k);
      const auto target = static_cast<size_t>(padded.local_offset({first[0], j, k}));
      const auto row = static_cast<size_t>(last[0] - first[0] + 1);
      std::copy_n(image.values.begin() + static_cast<std::ptrdiff_t>(source), row,
                  padded.values.begin() + static_cast<std::ptrdiff_t>(target));
      std::fill_n(padded.counted.begin() + static_cast<std::ptrdiff_t>(target), row, uint8_t{1});
    }
  }
  fill_prefix_sums(&padded);
  return padded;
}

struct Candidate {
  double mean = -std::numeric_limits<double>::infinity();
  size_t offset = std::numeric_limits<size_t>::max();
  bool found = false;
};

// Higher mean wins; equal means go to the lower linear offset, so the choice is independent of
// the order in which candidates are visited.
Candidate better_of(const Candidate& a, const Candidate& b) {
  if (!a.found) return b;
  if (!b.found) return a;
  if (a.mean != b.mean) return a.mean > b.mean ? a : b;
  return a.offset < b.offset ? a : b;
}

}  // namespace

PeakResult compute_region_peak(const ImageVolume& image, const RegionVoxels& region,
                               const PeakOptions& options, const SphereKernel& kernel) {
  if (region.offsets.empty()) {
    throw InvalidInputError("SUVpeak of an empty region (label " + std::to_string(region.label) +
                            "); the region has no voxel");
  }
  const Geometry& grid = image.geometry;
  const PaddedBox padded = make_padded_box(image, region, options, kernel);

  std::vector<int64_t> kernel_local(kernel.offsets.size());
  for (size_t n = 0; n < kernel.offsets.size(); ++n) {
    kernel_local[n] = padded.local_offset_of_delta(kernel.offsets[n]);
  }

  // Candidate centres: every region voxel (global), or the voxels at the region maximum (local).
  std::vector<size_t> centres;
  if (options.centre == PeakCentre::kHottestVoxel) {
    float maximum = -std::numeric_limits<float>::infinity();
    for (const size_t offset : region.offsets) maximum = std::max(maximum, image.values[offset]);
    for (const size_t offset : region.offsets) {
      if (image.values[offset] == maximum) centres.push_back(offset);
    }
  }
  const std::vector<size_t>& candidates =
      options.centre == PeakCentre::kHottestVoxel ? centres : region.offsets;

  // The convolution at one centre: unit runs from the prefix sums, then the fractional entries.
  const auto sphere_sums = [&](size_t image_offset, double* weighted_sum, double* weight_sum) {
    const Index3 index = index_of_offset(grid, image_offset);
    const Index3 local{index[0] - padded.lower[0], index[1] - padded.lower[1],
                       index[2] - padded.lower[2]};
    double numerator = 0.0;
    double denominator = 0.0;
    int64_t run_count = 0;
    for (const SphereKernel::UnitRun& run : kernel.unit_runs) {
      const size_t row = padded.prefix_row(local[1] + run.dj, local[2] + run.dk);
      const auto first = row + static_cast<size_t>(local[0] + run.di_first);
      const auto past_last = row + static_cast<size_t>(local[0] + run.di_last + 1);
      numerator += padded.value_prefix[past_last] - padded.value_prefix[first];
      if (!padded.constant_denominator) {
        run_count += padded.count_prefix[past_last] - padded.count_prefix[first];
      }
    }
    denominator = static_cast<double>(run_count);
    const int64_t centre = padded.local_offset(index);
    for (const size_t n : kernel.fractional_entries) {
      const auto at = static_cast<size_t>(centre + kernel_local[n]);
      numerator += kernel.weights[n] * static_cast<double>(padded.values[at]);
      if (!padded.constant_denominator && padded.counted[at] != 0) {
        denominator += kernel.weights[n];
      }
    }
    *weighted_sum = numerator;
    *weight_sum = padded.constant_denominator ? kernel.total_weight : denominator;
  };

  const Candidate best = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, candidates.size(), 256), Candidate{},
      [&](const tbb::blocked_range<size_t>& range, Candidate running) {
        for (size_t n = range.begin(); n != range.end(); ++n) {
          double weighted_sum = 0.0;
          double weight_sum = 0.0;
          sphere_sums(candidates[n], &weighted_sum, &weight_sum);
          // A restricted or inside-only sphere always holds its centre voxel, so weight_sum > 0.
          running = better_of(running, Candidate{weighted_sum / weight_sum, candidates[n], true});
        }
        return running;
      },
      better_of);

  PeakResult result;
  result.variant = peak_variant_name(options);
  result.options = options;
  result.value = best.mean;
  result.radius_mm = kernel.radius_mm;
  result.kernel_voxel_count = kernel.offsets.size();
  result.kernel_weight = kernel.total_weight;
  result.centre_index = index_of_offset(grid, best.offset);
  result.centre_mm =
      grid.index_to_world(result.centre_index[0], result.centre_index[1], result.centre_index[2]);
  const int64_t centre = padded.local_offset(result.centre_index);
  for (size_t n = 0; n < kernel_local.size(); ++n) {
    if (padded.counted[static_cast<size_t>(centre + kernel_local[n])] == 0) continue;
    ++result.contributing_voxel_count;
    result.contributing_weight += kernel.weights[n];
  }
  return result;
}

}  // namespace measure_internal

PeakResult compute_peak(const ImageVolume& image, const Mask& region, const PeakOptions& options) {
  measure_internal::require_same_grid(image.geometry, region.geometry, "region mask and image");
  const measure_internal::RegionVoxels voxels = measure_internal::collect_mask_region(region);
  if (voxels.offsets.empty()) {
    throw InvalidInputError("SUVpeak: the region mask on " + region.geometry.describe() +
                            " has no non-zero voxel; give a non-empty region");
  }
  const measure_internal::SphereKernel kernel =
      measure_internal::make_sphere_kernel(image.geometry.spacing_mm, options);
  return measure_internal::compute_region_peak(image, voxels, options, kernel);
}

}  // namespace oncotrace
