#include "phantom/image_physics.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
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

// Spreads `input` (n lines of `width` values, line m at input[m * width]) along the line index
// with `kernel`, mirrored at both ends, into `output` (same layout). For every output value the
// contributions are added in the order m = 0..n-1, t = -R..R, whatever `width` is, so that
// blurring lines one at a time (width 1) or as rows of a plane gives the same bits.
void scatter_lines(const std::vector<double>& kernel, int64_t n, int64_t width, const double* input,
                   double* output) {
  const int64_t radius = static_cast<int64_t>(kernel.size() / 2);
  std::fill(output, output + n * width, 0.0);
  for (int64_t m = 0; m < n; ++m) {
    const double* source = input + m * width;
    for (int64_t t = -radius; t <= radius; ++t) {
      const double weight = kernel[static_cast<size_t>(t + radius)];
      double* target = output + mirror_index(m + t, n) * width;
      for (int64_t i = 0; i < width; ++i) {
        // A zero adds nothing; skipping it keeps the sums of the per-line form.
        if (source[i] != 0.0) target[i] += weight * source[i];
      }
    }
  }
}

// Blurs every line along `axis` in place. Along x the lines are contiguous and blurred one by
// one; along y and z whole rows of x are blurred together (one plane per task), so that memory
// is read row by row instead of one value per cache line. Planes and lines are independent, so
// the result does not depend on how TBB splits the work.
void blur_axis(ImageVolume* image, int axis, const std::vector<double>& kernel) {
  if (kernel.size() <= 1) return;
  const Index3& size = image->geometry.size;
  const int64_t n = size[axis];
  float* values = image->values.data();
  if (axis == 0) {
    const int64_t lines = size[1] * size[2];
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, lines), [&](const auto& range) {
      std::vector<double> input(static_cast<size_t>(n)), output(static_cast<size_t>(n));
      for (int64_t line = range.begin(); line != range.end(); ++line) {
        float* row = values + line * n;
        std::copy(row, row + n, input.begin());
        scatter_lines(kernel, n, 1, input.data(), output.data());
        for (int64_t m = 0; m < n; ++m) row[m] = static_cast<float>(output[static_cast<size_t>(m)]);
      }
    });
    return;
  }
  // Rows of x along `axis`: row m of plane p starts at p * plane_stride + m * row_stride.
  const int64_t width = size[0];
  const int64_t row_stride = axis == 1 ? size[0] : size[0] * size[1];
  const int64_t plane_stride = axis == 1 ? size[0] * size[1] : size[0];
  const int64_t planes = axis == 1 ? size[2] : size[1];
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, planes), [&](const auto& range) {
    std::vector<double> input(static_cast<size_t>(n * width)), output(input.size());
    for (int64_t plane = range.begin(); plane != range.end(); ++plane) {
      float* base = values + plane * plane_stride;
      for (int64_t m = 0; m < n; ++m) {
        std::copy(base + m * row_stride, base + m * row_stride + width, input.begin() + m * width);
      }
      scatter_lines(kernel, n, width, input.data(), output.data());
      for (int64_t m = 0; m < n; ++m) {
        float* row = base + m * row_stride;
        const double* blurred = output.data() + m * width;
        for (int64_t i = 0; i < width; ++i) row[i] = static_cast<float>(blurred[i]);
      }
    }
  });
}

// Uniform double in (0, 1] from the top 53 bits of one engine draw.
double uniform_open_closed(std::mt19937_64& engine) {
  return (static_cast<double>(engine() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

// Standard normal deviates by Marsaglia's polar method (Marsaglia & Bray, SIAM Review 1964;6:260),
// both of each pair used: (u, v) uniform in the unit disc, s = u^2 + v^2, then u sqrt(-2 ln s / s)
// and v sqrt(-2 ln s / s) are independent standard normals. It needs one log and one sqrt per
// pair instead of Box-Muller's log, sqrt, sin and cos (the CT noise of a whole-body study is 64
// million deviates). Written by hand because the algorithm behind std::normal_distribution is
// implementation-defined, and the phantom must give the same bytes with any standard library.
class StandardNormal {
 public:
  explicit StandardNormal(uint64_t seed) : engine_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0.0, v = 0.0, s = 0.0;
    do {
      u = 2.0 * uniform_open_closed(engine_) - 1.0;
      v = 2.0 * uniform_open_closed(engine_) - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
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
