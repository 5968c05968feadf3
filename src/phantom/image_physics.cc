#include "phantom/image_physics.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <numbers>
#include <random>

namespace oncotrace::phantom {
namespace {

// Mirror an index into [0, n): -1 -> 0, -2 -> 1, n -> n-1 (half-sample symmetric).
int64_t mirror_index(int64_t index, int64_t n) {
  while (index < 0 || index >= n) {
    if (index < 0) index = -index - 1;
    if (index >= n) index = 2 * n - index - 1;
  }
  return index;
}

// Blurs every line along `axis` in place. Lines are independent, so the result does not depend
// on how TBB splits the work.
void blur_axis(ImageVolume* image, int axis, const std::vector<double>& kernel) {
  if (kernel.size() <= 1) return;
  const Index3& size = image->geometry.size;
  const int64_t n = size[axis];
  const int64_t radius = static_cast<int64_t>(kernel.size() / 2);
  const int a1 = axis == 0 ? 1 : 0;
  const int a2 = axis == 2 ? 1 : 2;
  const int64_t lines = size[a1] * size[a2];
  const Index3 unit{axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0};
  const int64_t stride = static_cast<int64_t>(image->geometry.offset(unit[0], unit[1], unit[2]));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, lines), [&](const auto& range) {
    std::vector<double> input(static_cast<size_t>(n)), output(static_cast<size_t>(n));
    for (int64_t line = range.begin(); line != range.end(); ++line) {
      Index3 start{0, 0, 0};
      start[a1] = line % size[a1];
      start[a2] = line / size[a1];
      const size_t base = image->geometry.offset(start[0], start[1], start[2]);
      for (int64_t m = 0; m < n; ++m) {
        input[static_cast<size_t>(m)] = image->values[base + static_cast<size_t>(m * stride)];
      }
      std::fill(output.begin(), output.end(), 0.0);
      for (int64_t m = 0; m < n; ++m) {
        const double value = input[static_cast<size_t>(m)];
        if (value == 0.0) continue;
        for (int64_t t = -radius; t <= radius; ++t) {
          const int64_t target = mirror_index(m + t, n);
          output[static_cast<size_t>(target)] += kernel[static_cast<size_t>(t + radius)] * value;
        }
      }
      for (int64_t m = 0; m < n; ++m) {
        image->values[base + static_cast<size_t>(m * stride)] =
            static_cast<float>(output[static_cast<size_t>(m)]);
      }
    }
  });
}

// Uniform double in (0, 1] from the top 53 bits of one engine draw.
double uniform_open_closed(std::mt19937_64& engine) {
  return (static_cast<double>(engine() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

// Standard normal deviates by Box-Muller, both of each pair used. Written by hand because the
// algorithm behind std::normal_distribution is implementation-defined, and the phantom must give
// the same bytes with any standard library.
class StandardNormal {
 public:
  explicit StandardNormal(uint64_t seed) : engine_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform_open_closed(engine_)));
    const double angle = 2.0 * std::numbers::pi * uniform_open_closed(engine_);
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

template <typename PerVoxel>
void for_each_slice_seeded(ImageVolume* image, uint64_t seed, PerVoxel per_voxel) {
  const Index3& size = image->geometry.size;
  const size_t slice_voxels = static_cast<size_t>(size[0] * size[1]);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, size[2]), [&](const auto& range) {
    for (int64_t k = range.begin(); k != range.end(); ++k) {
      StandardNormal normal(mix_seed(seed, static_cast<uint64_t>(k)));
      float* slice = image->values.data() + static_cast<size_t>(k) * slice_voxels;
      for (size_t v = 0; v < slice_voxels; ++v) per_voxel(&slice[v], normal);
    }
  });
}

}  // namespace

double gaussian_sigma_from_fwhm(double fwhm_mm) {
  return fwhm_mm / (2.0 * std::sqrt(2.0 * std::log(2.0)));
}

std::vector<double> gaussian_kernel(double sigma_voxels) {
  if (sigma_voxels <= 0.0) return {1.0};
  const int64_t radius = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(4.0 * sigma_voxels)));
  std::vector<double> kernel(static_cast<size_t>(2 * radius + 1));
  double sum = 0.0;
  for (int64_t t = -radius; t <= radius; ++t) {
    const double x = static_cast<double>(t) / sigma_voxels;
    kernel[static_cast<size_t>(t + radius)] = std::exp(-0.5 * x * x);
    sum += kernel[static_cast<size_t>(t + radius)];
  }
  for (double& weight : kernel) weight /= sum;
  return kernel;
}

ImageVolume gaussian_blur(const ImageVolume& image, double fwhm_mm) {
  ImageVolume blurred = image;
  if (fwhm_mm <= 0.0) return blurred;
  const double sigma_mm = gaussian_sigma_from_fwhm(fwhm_mm);
  for (int axis = 0; axis < 3; ++axis) {
    blur_axis(&blurred, axis, gaussian_kernel(sigma_mm / image.geometry.spacing_mm[axis]));
  }
  return blurred;
}

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void add_counting_noise(ImageVolume* image, double counts_per_unit, uint64_t seed) {
  if (counts_per_unit <= 0.0) return;
  for_each_slice_seeded(image, seed, [&](float* value, StandardNormal& normal) {
    // Draw for every voxel, so that a voxel's deviate does not depend on its neighbours' values.
    const double z = normal();
    if (*value <= 0.0f) return;
    const double noisy = *value + std::sqrt(*value / counts_per_unit) * z;
    *value = static_cast<float>(std::max(0.0, noisy));
  });
}

void add_gaussian_noise(ImageVolume* image, double sd, uint64_t seed) {
  if (sd <= 0.0) return;
  for_each_slice_seeded(image, seed, [&](float* value, StandardNormal& normal) {
    *value = static_cast<float>(*value + sd * normal());
  });
}

}  // namespace oncotrace::phantom
