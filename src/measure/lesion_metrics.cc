#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "measure/peak.h"
#include "measure/region_voxels.h"
#include "oncotrace/error.h"
#include "oncotrace/measure.h"

namespace oncotrace {

const char* ratio_numerator_name(RatioNumerator numerator) {
  switch (numerator) {
    case RatioNumerator::kMax:
      return "max";
    case RatioNumerator::kMean:
      return "mean";
    case RatioNumerator::kPeak:
      return "peak";
  }
  return "max";
}

namespace {

using measure_internal::RegionVoxels;
using measure_internal::SphereKernel;

double squared(double value) { return value * value; }

// Middle value of the region's values; the mean of the two middle values for an even count.
double median_of(std::vector<float> values) {
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return 0.5 * (lower + upper);
}

UptakeStatistics uptake_statistics(const ImageVolume& image, const RegionVoxels& region,
                                   const LesionMetricsOptions& options,
                                   const std::vector<SphereKernel>& kernels) {
  const Geometry& grid = image.geometry;
  UptakeStatistics stats;
  stats.sd_kind = options.sd_kind;
  std::vector<float> values;
  values.reserve(region.offsets.size());
  float maximum = image.values[region.offsets.front()];
  float minimum = maximum;
  size_t hottest_offset = region.offsets.front();
  double sum = 0.0;
  for (const size_t offset : region.offsets) {
    const float value = image.values[offset];
    values.push_back(value);
    sum += value;
    minimum = std::min(minimum, value);
    if (value > maximum) {
      maximum = value;
      hottest_offset = offset;
    }
  }
  const auto count = static_cast<double>(values.size());
  stats.max = maximum;
  stats.min = minimum;
  stats.mean = sum / count;
  double squared_deviations = 0.0;
  for (const float value : values) squared_deviations += squared(value - stats.mean);
  const double divisor =
      options.sd_kind == StandardDeviationKind::kSample ? std::max(1.0, count - 1.0) : count;
  stats.sd = values.size() > 1 ? std::sqrt(squared_deviations / divisor) : 0.0;
  stats.total_uptake = stats.mean * count * grid.voxel_volume_ml();
  stats.hottest_index = measure_internal::index_of_offset(grid, hottest_offset);
  stats.hottest_mm =
      grid.index_to_world(stats.hottest_index[0], stats.hottest_index[1], stats.hottest_index[2]);
  stats.median = median_of(std::move(values));
  for (size_t n = 0; n < options.peaks.size(); ++n) {
    stats.peaks.push_back(
        measure_internal::compute_region_peak(image, region, options.peaks[n], kernels[n]));
  }
  return stats;
}

Vec3 centroid_mm(const Geometry& grid, const RegionVoxels& region) {
  // Integer index sums are exact, so the centroid does not depend on summation order.
  int64_t sums[3] = {0, 0, 0};
  for (const size_t offset : region.offsets) {
    const Index3 index = measure_internal::index_of_offset(grid, offset);
    for (int axis = 0; axis < 3; ++axis) sums[axis] += index[axis];
  }
  const auto count = static_cast<double>(region.offsets.size());
  return grid.index_to_world(Vec3{static_cast<double>(sums[0]) / count,
                                  static_cast<double>(sums[1]) / count,
                                  static_cast<double>(sums[2]) / count});
}

// Voxels that can be vertices of the convex hull of the voxel centres: a voxel with both
// neighbours along some axis in the region is the midpoint of those two and so not a vertex.
std::vector<Vec3> hull_candidate_positions(const Geometry& grid, const RegionVoxels& region) {
  const measure_internal::BoxMembership membership(grid, region);
  std::vector<Vec3> positions;
  for (const size_t offset : region.offsets) {
    const Index3 index = measure_internal::index_of_offset(grid, offset);
    bool candidate = true;
    for (int axis = 0; axis < 3 && candidate; ++axis) {
      Index3 before = index;
      Index3 after = index;
      --before[axis];
      ++after[axis];
      if (membership.contains(before) && membership.contains(after)) candidate = false;
    }
    if (candidate) positions.push_back(grid.index_to_world(index[0], index[1], index[2]));
  }
  return positions;
}

// Largest distance between two voxel centres, exact. Pairs are visited in decreasing distance
// from the candidates' mean; |a - b| <= |a - c| + |b - c| bounds what the remaining pairs can
// reach, which ends the search early without changing the result. Hand-written because the
// project's libraries (Eigen, ITK) offer no 3D convex hull or diameter.
double longest_diameter_mm(const Geometry& grid, const RegionVoxels& region) {
  const std::vector<Vec3> positions = hull_candidate_positions(grid, region);
  if (positions.size() < 2) return 0.0;
  Vec3 centre{0.0, 0.0, 0.0};
  for (const Vec3& position : positions) {
    for (int axis = 0; axis < 3; ++axis) centre[axis] += position[axis];
  }
  for (int axis = 0; axis < 3; ++axis) centre[axis] /= static_cast<double>(positions.size());
  std::vector<double> reach(positions.size());
  for (size_t n = 0; n < positions.size(); ++n) {
    reach[n] =
        std::sqrt(squared(positions[n][0] - centre[0]) + squared(positions[n][1] - centre[1]) +
                  squared(positions[n][2] - centre[2]));
  }
  std::vector<size_t> order(positions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return reach[a] > reach[b]; });
  // Slack keeps the bound safe against rounding in `reach`.
  constexpr double kBoundSlackMm = 1e-9;
  double best_squared = 0.0;
  double best = 0.0;
  for (size_t a = 0; a + 1 < order.size(); ++a) {
    const Vec3& pa = positions[order[a]];
    if (reach[order[a]] + reach[order[a + 1]] < best - kBoundSlackMm) break;
    for (size_t b = a + 1; b < order.size(); ++b) {
      if (reach[order[a]] + reach[order[b]] < best - kBoundSlackMm) break;
      const Vec3& pb = positions[order[b]];
      const double distance_squared =
          squared(pa[0] - pb[0]) + squared(pa[1] - pb[1]) + squared(pa[2] - pb[2]);
      if (distance_squared > best_squared) {
        best_squared = distance_squared;
        best = std::sqrt(best_squared);
      }
    }
  }
  return best;
}

std::optional<double> ratio_to(double numerator, const std::optional<double>& reference,
                               const char* name) {
  if (!reference) return std::nullopt;
  if (!(*reference > 0.0) || !std::isfinite(*reference)) {
    throw InvalidInputError(std::string("reference mean for ") + name + " is " +
                            std::to_string(*reference) +
                            "; a tumour-to-background ratio needs a positive reference mean");
  }
  return numerator / *reference;
}

TumourToBackgroundRatios background_ratios(const UptakeStatistics& stats,
                                           const LesionMetricsOptions& options) {
  TumourToBackgroundRatios ratios;
  ratios.numerator = options.ratio_numerator;
  double numerator = stats.max;
  if (options.ratio_numerator == RatioNumerator::kMean) numerator = stats.mean;
  if (options.ratio_numerator == RatioNumerator::kPeak) {
    if (stats.peaks.empty()) {
      throw InvalidInputError(
          "tumour-to-background ratios on the peak need at least one SUVpeak variant in the "
          "options; add one or use the maximum as numerator");
    }
    numerator = stats.peaks.front().value;
  }
  ratios.liver = ratio_to(numerator, options.reference.liver, "liver");
  ratios.blood_pool = ratio_to(numerator, options.reference.blood_pool, "blood pool");
  ratios.spleen = ratio_to(numerator, options.reference.spleen, "spleen");
  ratios.muscle = ratio_to(numerator, options.reference.muscle, "muscle");
  return ratios;
}

LesionMetrics measure_one(const ImageVolume& suv, const ImageVolume* sul,
                          const RegionVoxels& region, const LesionMetricsOptions& options,
                          const std::vector<SphereKernel>& kernels) {
  const Geometry& grid = suv.geometry;
  LesionMetrics metrics;
  metrics.label = region.label;
  metrics.voxel_count = region.offsets.size();
  metrics.volume_ml = static_cast<double>(metrics.voxel_count) * grid.voxel_volume_ml();
  metrics.box = region.box;
  metrics.suv = uptake_statistics(suv, region, options, kernels);
  metrics.tlg_g = metrics.suv.total_uptake;
  if (sul != nullptr) {
    metrics.sul = uptake_statistics(*sul, region, options, kernels);
    metrics.tlg_sul_g = metrics.sul->total_uptake;
  }
  metrics.centroid_mm = centroid_mm(grid, region);
  if (options.compute_longest_diameter)
    metrics.longest_diameter_mm = longest_diameter_mm(grid, region);
  metrics.ratios = background_ratios(metrics.suv, options);
  return metrics;
}

std::vector<SphereKernel> make_kernels(const Geometry& grid, const LesionMetricsOptions& options) {
  std::vector<SphereKernel> kernels;
  for (const PeakOptions& peak : options.peaks) {
    kernels.push_back(measure_internal::make_sphere_kernel(grid.spacing_mm, peak));
  }
  return kernels;
}

void check_inputs(const ImageVolume& suv, const Geometry& region_grid, const ImageVolume* sul) {
  if (suv.values.size() != suv.geometry.voxel_count()) {
    throw InvalidInputError("image buffer holds " + std::to_string(suv.values.size()) +
                            " values but its grid " + suv.geometry.describe() + " needs " +
                            std::to_string(suv.geometry.voxel_count()));
  }
  measure_internal::require_same_grid(suv.geometry, region_grid, "lesion regions and SUV image");
  if (sul != nullptr) {
    measure_internal::require_same_grid(suv.geometry, sul->geometry, "SUL image and SUV image");
    if (sul->values.size() != suv.values.size()) {
      throw InvalidInputError("SUL image buffer size differs from the SUV image's");
    }
  }
}

}  // namespace

std::vector<LesionMetrics> measure_lesions(const ImageVolume& suv, const LabelMap& lesions,
                                           const LesionMetricsOptions& options,
                                           const ImageVolume* sul) {
  check_inputs(suv, lesions.geometry, sul);
  const std::vector<RegionVoxels> regions = measure_internal::collect_label_regions(lesions);
  const std::vector<SphereKernel> kernels = make_kernels(suv.geometry, options);
  std::vector<LesionMetrics> metrics(regions.size());
  // One task per lesion; each writes only its own slot, so the output order is the label order.
  tbb::parallel_for(tbb::blocked_range<size_t>(0, regions.size(), 1),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t n = range.begin(); n != range.end(); ++n) {
                        metrics[n] = measure_one(suv, sul, regions[n], options, kernels);
                      }
                    });
  return metrics;
}

LesionMetrics measure_region(const ImageVolume& suv, const Mask& region,
                             const LesionMetricsOptions& options, const ImageVolume* sul) {
  check_inputs(suv, region.geometry, sul);
  const RegionVoxels voxels = measure_internal::collect_mask_region(region);
  if (voxels.offsets.empty()) {
    throw InvalidInputError("the region mask on " + region.geometry.describe() +
                            " has no non-zero voxel; give a non-empty region");
  }
  return measure_one(suv, sul, voxels, options, make_kernels(suv.geometry, options));
}

PatientMetrics summarise_patient(const std::vector<LesionMetrics>& lesions) {
  PatientMetrics patient;
  patient.lesion_count = lesions.size();
  bool every_lesion_has_sul = !lesions.empty();
  double total_tlg_sul_g = 0.0;
  for (const LesionMetrics& lesion : lesions) {
    patient.total_mtv_ml += lesion.volume_ml;
    patient.total_tlg_g += lesion.tlg_g;
    if (lesion.tlg_sul_g) {
      total_tlg_sul_g += *lesion.tlg_sul_g;
    } else {
      every_lesion_has_sul = false;
    }
    // Ties keep the earlier lesion: the lowest label for the output of measure_lesions.
    if (&lesion == &lesions.front() || lesion.suv.max > patient.hottest_lesion_suv_max) {
      patient.hottest_lesion_label = lesion.label;
      patient.hottest_lesion_suv_max = lesion.suv.max;
    }
  }
  if (every_lesion_has_sul) patient.total_tlg_sul_g = total_tlg_sul_g;
  for (size_t a = 0; a < lesions.size(); ++a) {
    for (size_t b = a + 1; b < lesions.size(); ++b) {
      const Vec3& pa = lesions[a].centroid_mm;
      const Vec3& pb = lesions[b].centroid_mm;
      const double distance =
          std::sqrt(squared(pa[0] - pb[0]) + squared(pa[1] - pb[1]) + squared(pa[2] - pb[2]));
      if (distance > patient.dmax_mm) {
        patient.dmax_mm = distance;
        patient.dmax_label_a = lesions[a].label;
        patient.dmax_label_b = lesions[b].label;
      }
    }
  }
  return patient;
}

}  // namespace oncotrace
