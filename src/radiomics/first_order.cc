#include "radiomics/first_order.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace oncotrace::radiomics::detail {

double percentile_of_sorted(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return std::nan("");
  const double position = fraction * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  return sorted[lower] + (position - static_cast<double>(lower)) * (sorted[upper] - sorted[lower]);
}

namespace {

// The statistics shared by the intensity statistics and the intensity histogram families.
struct Description {
  double mean = 0, variance = 0, skewness = 0, kurtosis = 0, median = 0, minimum = 0;
  double p10 = 0, p25 = 0, p75 = 0, p90 = 0, maximum = 0;
  double mean_absolute_deviation = 0, robust_mean_absolute_deviation = 0;
  double median_absolute_deviation = 0, energy = 0;
};

Description describe(std::vector<double> values) {
  Description d;
  const auto n = static_cast<double>(values.size());
  std::sort(values.begin(), values.end());
  double sum = 0.0, energy = 0.0;
  for (const double x : values) {
    sum += x;
    energy += x * x;
  }
  d.mean = sum / n;
  d.energy = energy;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0, absolute = 0.0;
  for (const double x : values) {
    const double deviation = x - d.mean;
    m2 += deviation * deviation;
    m3 += deviation * deviation * deviation;
    m4 += deviation * deviation * deviation * deviation;
    absolute += std::abs(deviation);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  d.variance = m2;
  // Skewness and kurtosis are 0 for a constant ROI [IBSI KE2A, IPH6].
  d.skewness = m2 > 0.0 ? m3 / std::pow(m2, 1.5) : 0.0;
  d.kurtosis = m2 > 0.0 ? m4 / (m2 * m2) - 3.0 : 0.0;
  d.mean_absolute_deviation = absolute / n;
  d.minimum = values.front();
  d.maximum = values.back();
  d.median = percentile_of_sorted(values, 0.5);
  d.p10 = percentile_of_sorted(values, 0.10);
  d.p25 = percentile_of_sorted(values, 0.25);
  d.p75 = percentile_of_sorted(values, 0.75);
  d.p90 = percentile_of_sorted(values, 0.90);
  double median_absolute = 0.0;
  for (const double x : values) median_absolute += std::abs(x - d.median);
  d.median_absolute_deviation = median_absolute / n;
  // Robust MAD: the voxels with P10 <= x <= P90 only.
  double robust_sum = 0.0;
  size_t robust_count = 0;
  for (const double x : values) {
    if (x >= d.p10 && x <= d.p90) {
      robust_sum += x;
      ++robust_count;
    }
  }
  const double robust_mean = robust_sum / static_cast<double>(robust_count);
  double robust_absolute = 0.0;
  for (const double x : values) {
    if (x >= d.p10 && x <= d.p90) robust_absolute += std::abs(x - robust_mean);
  }
  d.robust_mean_absolute_deviation = robust_absolute / static_cast<double>(robust_count);
  return d;
}

}  // namespace

void add_statistics_features(const std::vector<double>& intensities, FeatureList& out) {
  const Description d = describe(intensities);
  const auto n = static_cast<double>(intensities.size());
  out.add("stat_mean", d.mean);
  out.add("stat_var", d.variance);
  out.add("stat_skew", d.skewness);
  out.add("stat_kurt", d.kurtosis);
  out.add("stat_median", d.median);
  out.add("stat_min", d.minimum);
  out.add("stat_p10", d.p10);
  out.add("stat_p90", d.p90);
  out.add("stat_max", d.maximum);
  out.add("stat_iqr", d.p75 - d.p25);
  out.add("stat_range", d.maximum - d.minimum);
  out.add("stat_mad", d.mean_absolute_deviation);
  out.add("stat_rmad", d.robust_mean_absolute_deviation);
  out.add("stat_medad", d.median_absolute_deviation);
  out.add("stat_cov", std::sqrt(d.variance) / d.mean);
  out.add("stat_qcod", (d.p75 - d.p25) / (d.p75 + d.p25));
  out.add("stat_energy", d.energy);
  out.add("stat_rms", std::sqrt(d.energy / n));
}

void add_intensity_histogram_features(const std::vector<int32_t>& levels, int n_levels,
                                      FeatureList& out) {
  const std::vector<double> values(levels.begin(), levels.end());
  const Description d = describe(values);
  const auto n = static_cast<double>(values.size());
  // Histogram over all levels 1..N_g; index 0 unused.
  std::vector<double> histogram(static_cast<size_t>(n_levels) + 1, 0.0);
  for (const int32_t level : levels) histogram[static_cast<size_t>(level)] += 1.0;

  // Mode: the most frequent level; ties go to the level closest to the mean, then the lower.
  int mode = 1;
  for (int level = 2; level <= n_levels; ++level) {
    const double count = histogram[static_cast<size_t>(level)];
    const double best = histogram[static_cast<size_t>(mode)];
    if (count > best || (count == best && std::abs(level - d.mean) < std::abs(mode - d.mean))) {
      mode = level;
    }
  }
  double entropy = 0.0, uniformity = 0.0;
  for (int level = 1; level <= n_levels; ++level) {
    const double p = histogram[static_cast<size_t>(level)] / n;
    if (p > 0.0) entropy -= p * std::log2(p);
    uniformity += p * p;
  }
  // Gradient: forward difference at the first level, backward at the last, central inside.
  double max_gradient = std::nan(""), min_gradient = std::nan("");
  int max_gradient_level = 0, min_gradient_level = 0;
  if (n_levels >= 2) {
    for (int level = 1; level <= n_levels; ++level) {
      double gradient = 0.0;
      const auto at = [&histogram](int l) { return histogram[static_cast<size_t>(l)]; };
      if (level == 1) {
        gradient = at(2) - at(1);
      } else if (level == n_levels) {
        gradient = at(n_levels) - at(n_levels - 1);
      } else {
        gradient = (at(level + 1) - at(level - 1)) / 2.0;
      }
      if (max_gradient_level == 0 || gradient > max_gradient) {
        max_gradient = gradient;
        max_gradient_level = level;
      }
      if (min_gradient_level == 0 || gradient < min_gradient) {
        min_gradient = gradient;
        min_gradient_level = level;
      }
    }
  }
  out.add("ih_mean", d.mean);
  out.add("ih_var", d.variance);
  out.add("ih_skew", d.skewness);
  out.add("ih_kurt", d.kurtosis);
  out.add("ih_median", d.median);
  out.add("ih_min", d.minimum);
  out.add("ih_p10", d.p10);
  out.add("ih_p90", d.p90);
  out.add("ih_max", d.maximum);
  out.add("ih_mode", mode);
  out.add("ih_iqr", d.p75 - d.p25);
  out.add("ih_range", d.maximum - d.minimum);
  out.add("ih_mad", d.mean_absolute_deviation);
  out.add("ih_rmad", d.robust_mean_absolute_deviation);
  out.add("ih_medad", d.median_absolute_deviation);
  out.add("ih_cov", std::sqrt(d.variance) / d.mean);
  out.add("ih_qcod", (d.p75 - d.p25) / (d.p75 + d.p25));
  out.add("ih_entropy", entropy);
  out.add("ih_uniformity", uniformity);
  out.add("ih_max_grad", max_gradient);
  out.add("ih_max_grad_g", max_gradient_level > 0 ? max_gradient_level : std::nan(""));
  out.add("ih_min_grad", min_gradient);
  out.add("ih_min_grad_g", min_gradient_level > 0 ? min_gradient_level : std::nan(""));
}

IvhBins discretise_for_ivh(const std::vector<double>& intensities, const IvhSettings& settings,
                           const ResegmentationSettings& resegmentation) {
  IvhBins bins;
  const auto [min_it, max_it] = std::minmax_element(intensities.begin(), intensities.end());
  const double data_min = *min_it, data_max = *max_it;
  bins.bin.resize(intensities.size());
  switch (settings.intensity_type) {
    case IntensityType::kDiscreteCalibrated: {
      // Unit steps over the re-segmentation range (open ends: the data extremes).
      const double lower = resegmentation.range_min.value_or(data_min);
      const double upper = resegmentation.range_max.value_or(data_max);
      bins.first_value = lower;
      bins.step = 1.0;
      bins.bin_count = static_cast<int64_t>(std::floor(upper - lower)) + 1;
      for (size_t v = 0; v < intensities.size(); ++v) {
        bins.bin[v] = static_cast<int64_t>(std::floor(intensities[v] - lower));
      }
      break;
    }
    case IntensityType::kContinuousCalibrated: {
      // Fixed bin size from the range lower bound; bins are represented by their centres.
      const double lower = resegmentation.range_min.value_or(data_min);
      const double upper = resegmentation.range_max.value_or(data_max);
      const double width = settings.bin_width;
      bins.first_value = lower + width / 2.0;
      bins.step = width;
      bins.bin_count =
          std::max<int64_t>(1, static_cast<int64_t>(std::ceil((upper - lower) / width)));
      for (size_t v = 0; v < intensities.size(); ++v) {
        bins.bin[v] =
            std::clamp<int64_t>(static_cast<int64_t>(std::floor((intensities[v] - lower) / width)),
                                0, bins.bin_count - 1);
      }
      break;
    }
    case IntensityType::kArbitraryUnits: {
      // Fixed bin number over the data range; the bin numbers 1..N are the intensities.
      const int64_t count = settings.bin_count;
      bins.first_value = 1.0;
      bins.step = 1.0;
      bins.bin_count = count;
      for (size_t v = 0; v < intensities.size(); ++v) {
        int64_t bin = count / 2;
        if (data_max > data_min) {
          bin = static_cast<int64_t>(std::floor(
              static_cast<double>(count) * (intensities[v] - data_min) / (data_max - data_min)));
        }
        bins.bin[v] = std::clamp<int64_t>(bin, 0, count - 1);
      }
      break;
    }
  }
  return bins;
}

void add_ivh_features(const IvhBins& bins, FeatureList& out) {
  const auto n = static_cast<double>(bins.bin.size());
  const int64_t count = std::max<int64_t>(bins.bin_count, 1);
  // at_least[t] = number of voxels with bin >= t (bins outside [0, count) clamp to the ends).
  std::vector<double> at_least(static_cast<size_t>(count) + 1, 0.0);
  for (const int64_t bin : bins.bin) {
    at_least[static_cast<size_t>(std::clamp<int64_t>(bin, 0, count - 1))] += 1.0;
  }
  for (int64_t t = count - 1; t >= 0; --t) {
    at_least[static_cast<size_t>(t)] += at_least[static_cast<size_t>(t) + 1];
  }
  const auto volume_fraction = [&](int64_t t) { return at_least[static_cast<size_t>(t)] / n; };
  const auto intensity_fraction = [&](int64_t t) {
    return count > 1 ? static_cast<double>(t) / static_cast<double>(count - 1) : 0.0;
  };
  const auto value_of = [&](int64_t t) {
    return bins.first_value + static_cast<double>(t) * bins.step;
  };
  // V_x: the volume fraction at the lowest intensity with intensity fraction >= x (the
  // largest such fraction, the IVH being non-increasing).
  const auto volume_at = [&](double x) {
    for (int64_t t = 0; t < count; ++t) {
      if (intensity_fraction(t) >= x) return volume_fraction(t);
    }
    return 0.0;
  };
  // I_x: the lowest intensity whose volume fraction is <= x; the highest intensity otherwise.
  int64_t max_bin = 0;
  for (const int64_t bin : bins.bin) max_bin = std::max(max_bin, bin);
  const auto intensity_at = [&](double x) {
    for (int64_t t = 0; t < count; ++t) {
      if (volume_fraction(t) <= x) return value_of(t);
    }
    return value_of(max_bin);
  };
  double area = 0.0;
  for (int64_t t = 0; t + 1 < count; ++t) {
    area += 0.5 * (volume_fraction(t) + volume_fraction(t + 1)) *
            (intensity_fraction(t + 1) - intensity_fraction(t));
  }
  const double v10 = volume_at(0.10), v90 = volume_at(0.90);
  const double i10 = intensity_at(0.10), i90 = intensity_at(0.90);
  out.add("ivh_v10", v10);
  out.add("ivh_v90", v90);
  out.add("ivh_i10", i10);
  out.add("ivh_i90", i90);
  out.add("ivh_diff_v10_v90", v10 - v90);
  out.add("ivh_diff_i10_i90", i10 - i90);
  out.add("ivh_auc", area);
}

namespace {

// Offsets (voxels) of the voxel centres within the 1 cm^3 sphere.
std::vector<std::array<int64_t, 3>> sphere_offsets(const Vec3& spacing_mm) {
  const double radius_mm = 10.0 * std::cbrt(3.0 / (4.0 * std::numbers::pi));
  std::vector<std::array<int64_t, 3>> offsets;
  Index3 half{};
  for (int axis = 0; axis < 3; ++axis) {
    half[axis] = static_cast<int64_t>(std::floor(radius_mm / spacing_mm[axis]));
  }
  for (int64_t dk = -half[2]; dk <= half[2]; ++dk) {
    for (int64_t dj = -half[1]; dj <= half[1]; ++dj) {
      for (int64_t di = -half[0]; di <= half[0]; ++di) {
        const double x = di * spacing_mm[0], y = dj * spacing_mm[1], z = dk * spacing_mm[2];
        if (x * x + y * y + z * z <= radius_mm * radius_mm) offsets.push_back({di, dj, dk});
      }
    }
  }
  return offsets;
}

double sphere_mean(const Geometry& geometry, const std::vector<double>& image,
                   const std::vector<std::array<int64_t, 3>>& offsets, const Index3& centre) {
  double sum = 0.0;
  int64_t count = 0;
  for (const auto& offset : offsets) {
    const Index3 at{centre[0] + offset[0], centre[1] + offset[1], centre[2] + offset[2]};
    if (!geometry.contains(at)) continue;
    sum += image[geometry.offset(at[0], at[1], at[2])];
    ++count;
  }
  return sum / static_cast<double>(count);
}

}  // namespace

void add_local_intensity_features(const Geometry& geometry, const std::vector<double>& image,
                                  const std::vector<uint8_t>& intensity_mask, FeatureList& out) {
  const auto offsets = sphere_offsets(geometry.spacing_mm);
  const Index3& size = geometry.size;
  std::vector<Index3> roi_voxels;
  double max_intensity = -std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < size[2]; ++k) {
    for (int64_t j = 0; j < size[1]; ++j) {
      for (int64_t i = 0; i < size[0]; ++i) {
        const size_t offset = geometry.offset(i, j, k);
        if (intensity_mask[offset] == 0) continue;
        roi_voxels.push_back({i, j, k});
        max_intensity = std::max(max_intensity, image[offset]);
      }
    }
  }
  // The maximum of per-voxel means is exact whatever the split, so the result does not depend
  // on the thread count.
  using Peaks = std::pair<double, double>;  // (local peak candidate, global peak)
  const Peaks peaks = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, roi_voxels.size(), 1024),
      Peaks{-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()},
      [&](const tbb::blocked_range<size_t>& range, Peaks best) {
        for (size_t v = range.begin(); v != range.end(); ++v) {
          const Index3& at = roi_voxels[v];
          const double mean = sphere_mean(geometry, image, offsets, at);
          best.second = std::max(best.second, mean);
          if (image[geometry.offset(at[0], at[1], at[2])] == max_intensity) {
            best.first = std::max(best.first, mean);
          }
        }
        return best;
      },
      [](const Peaks& a, const Peaks& b) {
        return Peaks{std::max(a.first, b.first), std::max(a.second, b.second)};
      });
  out.add("loc_peak_loc", peaks.first);
  out.add("loc_peak_glob", peaks.second);
}

}  // namespace oncotrace::radiomics::detail
