// IBSI-2 convolutional filters: mean (S60F), Laplacian of Gaussian (L6PA), Laws (JTXT) and
// undecimated separable wavelets (25BO), Gabor (Q88H), Simoncelli wavelet (LODD) and Riesz
// transforms [Depeursinge A et al., "Standardised convolutional filtering for radiomics",
// arXiv:2006.05470; radiomics-ibsi.md §8]. Separable filters: 1D passes along i, j, k in double
// precision, out(p) = sum_q h(q) img(p - q), taps centred at floor(L/2); Gabor by FFT of the
// boundary-padded planes; Simoncelli and Riesz as transfer functions in the Fourier domain.
//
// FFT: Eigen's unsupported FFT module (kissfft backend, double precision, any length) rather than
// FFTW (libfftw3-dev, not installed): it is header-only and already used here (Gabor), it is an
// exact DFT up to double rounding like FFTW, so the choice does not change a response map beyond
// float32 output rounding, and it needs no extra package or planner state. FFTW would be faster
// on large, awkward sizes (kissfft is O(n^2) for large prime factors of an axis length).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <complex>
#include <functional>
#include <map>
#include <numbers>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Dense>
#include <unsupported/Eigen/FFT>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics {

namespace {

using Kernel = std::vector<double>;  // tap t sits at offset t - size/2

// Index of a position beyond [0, n) under the boundary rule (-1 = zero padding).
int64_t boundary_index(int64_t index, int64_t n, FilterBoundary boundary) {
  if (index >= 0 && index < n) return index;
  switch (boundary) {
    case FilterBoundary::kZero:
      return -1;
    case FilterBoundary::kNearest:
      return std::clamp<int64_t>(index, 0, n - 1);
    case FilterBoundary::kPeriodic:
      return ((index % n) + n) % n;
    case FilterBoundary::kMirror: {
      // Edge sample repeated: b a [a b c d] d c (scipy "reflect").
      const int64_t period = 2 * n;
      int64_t folded = ((index % period) + period) % period;
      return folded < n ? folded : period - 1 - folded;
    }
  }
  return -1;
}

// Convolves every line along `axis` with `kernel`.
std::vector<double> convolve_axis(const std::vector<double>& values, const Index3& size, int axis,
                                  const Kernel& kernel, FilterBoundary boundary) {
  const auto a = static_cast<size_t>(axis);
  const int64_t length = size[a];
  const int64_t stride = axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
  const int64_t lines = static_cast<int64_t>(values.size()) / length;
  const auto centre = static_cast<int64_t>(kernel.size() / 2);
  std::vector<double> result(values.size(), 0.0);
  std::vector<double> line(static_cast<size_t>(length));
  for (int64_t l = 0; l < lines; ++l) {
    const int64_t start = (l % stride) + (l / stride) * stride * length;
    for (int64_t n = 0; n < length; ++n)
      line[static_cast<size_t>(n)] = values[static_cast<size_t>(start + n * stride)];
    for (int64_t p = 0; p < length; ++p) {
      double sum = 0.0;
      for (size_t t = 0; t < kernel.size(); ++t) {
        const int64_t source =
            boundary_index(p - (static_cast<int64_t>(t) - centre), length, boundary);
        if (source >= 0) sum += kernel[t] * line[static_cast<size_t>(source)];
      }
      result[static_cast<size_t>(start + p * stride)] = sum;
    }
  }
  return result;
}

// Separable filtering: kernels[axis] along each axis (an empty kernel leaves the axis alone).
std::vector<double> convolve_separable(const std::vector<double>& values, const Index3& size,
                                       const std::array<Kernel, 3>& kernels,
                                       FilterBoundary boundary) {
  std::vector<double> current = values;
  for (int axis = 0; axis < 3; ++axis) {
    if (kernels[static_cast<size_t>(axis)].empty()) continue;
    current = convolve_axis(current, size, axis, kernels[static_cast<size_t>(axis)], boundary);
  }
  return current;
}

ImageVolume as_image(const Geometry& geometry, const std::vector<double>& values) {
  ImageVolume image(geometry, 0.0f);
  for (size_t v = 0; v < values.size(); ++v) image.values[v] = static_cast<float>(values[v]);
  return image;
}

const std::map<std::string, Kernel>& laws_kernels() {
  static const std::map<std::string, Kernel> kKernels = [] {
    std::map<std::string, Kernel> table{{"L3", {1, 2, 1}},         {"E3", {-1, 0, 1}},
                                        {"S3", {-1, 2, -1}},       {"L5", {1, 4, 6, 4, 1}},
                                        {"E5", {-1, -2, 0, 2, 1}}, {"S5", {-1, 0, 2, 0, -1}},
                                        {"W5", {-1, 2, 0, -2, 1}}, {"R5", {1, -4, 6, -4, 1}}};
    // Unit L2 norm (radiomics-ibsi.md §8.2).
    for (auto& [name, kernel] : table) {
      double norm = 0.0;
      for (const double tap : kernel) norm += tap * tap;
      for (double& tap : kernel) tap /= std::sqrt(norm);
    }
    return table;
  }();
  return kKernels;
}

Kernel reversed(Kernel kernel) {
  std::reverse(kernel.begin(), kernel.end());
  return kernel;
}

// The orientations of a separable kernel (k_x, k_y, k_z) under the right-angle rotations: all
// axis permutations with kernel flips whose rotation matrix has determinant +1 (24 in 3D; the 4
// in-plane rotations in 2D).
std::vector<std::array<Kernel, 3>> rotated_kernels(const std::array<Kernel, 3>& kernels,
                                                   bool in_plane) {
  std::vector<std::array<Kernel, 3>> rotations;
  if (in_plane) {
    const Kernel& a = kernels[0];
    const Kernel& b = kernels[1];
    rotations.push_back({a, b, {}});
    rotations.push_back({reversed(b), a, {}});
    rotations.push_back({reversed(a), reversed(b), {}});
    rotations.push_back({b, reversed(a), {}});
    return rotations;
  }
  std::array<int, 3> permutation{0, 1, 2};
  do {
    // Sign of the permutation.
    int inversions = 0;
    for (int p = 0; p < 3; ++p) {
      for (int q = p + 1; q < 3; ++q)
        inversions +=
            permutation[static_cast<size_t>(p)] > permutation[static_cast<size_t>(q)] ? 1 : 0;
    }
    const int permutation_sign = inversions % 2 == 0 ? 1 : -1;
    for (int flips = 0; flips < 8; ++flips) {
      const int flip_sign = (std::popcount(static_cast<unsigned>(flips)) % 2 == 0) ? 1 : -1;
      if (permutation_sign * flip_sign != 1) continue;
      std::array<Kernel, 3> rotated;
      for (size_t d = 0; d < 3; ++d) {
        const Kernel& kernel = kernels[d];
        rotated[static_cast<size_t>(permutation[d])] =
            ((flips >> d) & 1) != 0 ? reversed(kernel) : kernel;
      }
      rotations.push_back(rotated);
    }
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  return rotations;
}

// Decomposition low-pass taps as tabulated by PyWavelets (dec_lo, unnormalised: sum = sqrt 2).
const std::map<std::string, Kernel>& wavelet_low_pass_taps() {
  static const std::map<std::string, Kernel> kTaps = [] {
    const double root2 = std::numbers::sqrt2;
    const double root3 = std::numbers::sqrt3;
    std::map<std::string, Kernel> table;
    table["haar"] = {1.0 / root2, 1.0 / root2};
    table["db1"] = table["haar"];
    table["db2"] = {(1.0 - root3) / (4.0 * root2), (3.0 - root3) / (4.0 * root2),
                    (3.0 + root3) / (4.0 * root2), (1.0 + root3) / (4.0 * root2)};
    // db3 dec_lo (PyWavelets).
    table["db3"] = {0.035226291882100656, -0.08544127388224149, -0.13501102001039084,
                    0.4598775021193313,   0.8068915093133388,   0.3326705529509569};
    table["coif1"] = {-0.015655728135791993, -0.07273261951252645, 0.3848648468648578,
                      0.8525720202116004,    0.3378976624574818,   -0.07273261951252645};
    return table;
  }();
  return kTaps;
}

// Quadrature mirror high-pass: hi[k] = (-1)^(k+1) lo[L-1-k] (PyWavelets dec_hi).
Kernel wavelet_high_pass_taps(const Kernel& low_pass) {
  Kernel high(low_pass.size());
  for (size_t k = 0; k < low_pass.size(); ++k) {
    high[k] = (k % 2 == 0 ? -1.0 : 1.0) * low_pass[low_pass.size() - 1 - k];
  }
  return high;
}

// The taps of a wavelet filter at decomposition level `level` as a centred kernel: tap k of a
// filter of length L sits at offset (k - floor(L/2)) * 2^(level-1) (a trous dilation).
Kernel dilated_wavelet_kernel(const Kernel& taps, int level) {
  const size_t step = size_t{1} << static_cast<unsigned>(level - 1);
  const size_t centre = (taps.size() / 2) * step;
  Kernel kernel(2 * centre + 1, 0.0);
  for (size_t k = 0; k < taps.size(); ++k) kernel[k * step] = taps[k];
  return kernel;
}

using ComplexPlane = std::vector<std::complex<double>>;

// In-place discrete Fourier transform along the first `axes` axes of a buffer of `size` (i
// fastest); the inverse includes the 1/n factor of each axis (Eigen's default). Lines are
// transformed in parallel, each on its own, so the result does not depend on the thread count.
void fourier_transform(ComplexPlane& data, const Index3& size, int axes, bool inverse) {
  for (int axis = 0; axis < axes; ++axis) {
    const int64_t length = size[static_cast<size_t>(axis)];
    if (length < 2) continue;
    const int64_t stride = axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
    const int64_t lines = static_cast<int64_t>(data.size()) / length;
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, lines, 256), [&](const tbb::blocked_range<int64_t>& range) {
          Eigen::FFT<double> fft;
          std::vector<std::complex<double>> line(static_cast<size_t>(length));
          std::vector<std::complex<double>> result;
          for (int64_t l = range.begin(); l < range.end(); ++l) {
            const int64_t start = (l % stride) + (l / stride) * stride * length;
            for (int64_t n = 0; n < length; ++n) {
              line[static_cast<size_t>(n)] = data[static_cast<size_t>(start + n * stride)];
            }
            inverse ? fft.inv(result, line) : fft.fwd(result, line);
            for (int64_t n = 0; n < length; ++n) {
              data[static_cast<size_t>(start + n * stride)] = result[static_cast<size_t>(n)];
            }
          }
        });
  }
}

// The smallest n' >= n whose only prime factors are 2, 3 and 5.
int64_t smooth_fft_length(int64_t n) {
  for (int64_t candidate = std::max<int64_t>(n, 1);; ++candidate) {
    int64_t rest = candidate;
    for (const int64_t factor : {2, 3, 5}) {
      while (rest % factor == 0) rest /= factor;
    }
    if (rest == 1) return candidate;
  }
}

// In-place 2D FFT of a width x height plane (x fastest).
void fft_2d(ComplexPlane& plane, size_t width, size_t height, bool inverse) {
  fourier_transform(plane, {static_cast<int64_t>(width), static_cast<int64_t>(height), 1}, 2,
                    inverse);
}

// Normalised frequency of FFT bin `bin` on an axis of n samples, on the grid of the IBSI
// reference implementation (MIRP builds the transfer function on a centred grid running from -1
// to +1 and moves it to FFT order with ifftshift): c = (bin + floor(n/2)) mod n is the centred
// index and w = (c - (n-1)/2) / ((n-1)/2).
double centred_frequency(int64_t bin, int64_t n) {
  if (n < 2) return 0.0;
  const double half = static_cast<double>(n - 1) / 2.0;
  const int64_t centred = (bin + n / 2) % n;
  return (static_cast<double>(centred) - half) / half;
}

// The values of `image` padded by margin[a] voxels on both sides of axis a under `boundary`.
std::vector<double> padded_values(const ImageVolume& image, const Index3& margin,
                                  FilterBoundary boundary, Index3& padded_size) {
  const Index3& size = image.geometry.size;
  for (size_t a = 0; a < 3; ++a) padded_size[a] = size[a] + 2 * margin[a];
  std::vector<double> padded(static_cast<size_t>(padded_size[0] * padded_size[1] * padded_size[2]),
                             0.0);
  for (int64_t k = 0; k < padded_size[2]; ++k) {
    const int64_t source_k = boundary_index(k - margin[2], size[2], boundary);
    for (int64_t j = 0; j < padded_size[1]; ++j) {
      const int64_t source_j = boundary_index(j - margin[1], size[1], boundary);
      for (int64_t i = 0; i < padded_size[0]; ++i) {
        const int64_t source_i = boundary_index(i - margin[0], size[0], boundary);
        if (source_i < 0 || source_j < 0 || source_k < 0) continue;
        padded[static_cast<size_t>(i + padded_size[0] * (j + padded_size[1] * k))] =
            image.values[image.geometry.offset(source_i, source_j, source_k)];
      }
    }
  }
  return padded;
}

// The sampled 1D Gaussian and its second-derivative term of the LoG (see
// laplacian_of_gaussian_filter): taps at offsets -h..h, h = floor(truncate sigma + 0.5).
struct LogKernels {
  Kernel gaussian;
  Kernel second;
};

LogKernels log_kernels(const Vec3& spacing, double sigma_mm, double truncate_sigmas,
                       bool in_plane) {
  if (!(sigma_mm > 0.0)) throw InvalidInputError("LoG filter: sigma must be > 0 mm");
  if (!(truncate_sigmas > 0.0)) throw InvalidInputError("LoG filter: the truncation must be > 0");
  // One sigma in voxels for all axes (the largest per-axis value), as the reference
  // implementation does; resample to isotropic voxels first for anisotropic images.
  const double sigma =
      sigma_mm / std::min({spacing[0], spacing[1], in_plane ? spacing[0] : spacing[2]});
  const auto half = static_cast<int64_t>(std::floor(truncate_sigmas * sigma + 0.5));
  LogKernels kernels;
  for (int64_t r = -half; r <= half; ++r) {
    const double g = std::exp(-static_cast<double>(r * r) / (2.0 * sigma * sigma)) /
                     std::sqrt(2.0 * std::numbers::pi * sigma * sigma);
    kernels.gaussian.push_back(g);
    kernels.second.push_back(g * (static_cast<double>(r * r) - sigma * sigma) /
                             (sigma * sigma * sigma * sigma));
  }
  return kernels;
}

// A kernel sampled at offsets -half[a]..half[a] along each axis a, i fastest.
struct SpatialKernel {
  Index3 half{0, 0, 0};
  std::vector<double> taps;
};

// The LoG as one kernel: sum over axes d of (second-derivative term along d) x (Gaussian along
// the others), the same sum as the separable passes of laplacian_of_gaussian_filter.
SpatialKernel log_kernel(const Vec3& spacing, double sigma_mm, double truncate_sigmas,
                         bool in_plane) {
  const LogKernels kernels = log_kernels(spacing, sigma_mm, truncate_sigmas, in_plane);
  const auto half = static_cast<int64_t>(kernels.gaussian.size() / 2);
  SpatialKernel kernel;
  kernel.half = {half, half, in_plane ? 0 : half};
  const Index3 width{2 * half + 1, 2 * half + 1, 2 * kernel.half[2] + 1};
  kernel.taps.assign(static_cast<size_t>(width[0] * width[1] * width[2]), 0.0);
  const Kernel unit{1.0};
  for (int d = 0; d < (in_plane ? 2 : 3); ++d) {
    std::array<const Kernel*, 3> along{&kernels.gaussian, &kernels.gaussian,
                                       in_plane ? &unit : &kernels.gaussian};
    along[static_cast<size_t>(d)] = &kernels.second;
    for (int64_t z = 0; z < width[2]; ++z) {
      for (int64_t y = 0; y < width[1]; ++y) {
        for (int64_t x = 0; x < width[0]; ++x) {
          kernel.taps[static_cast<size_t>(x + width[0] * (y + width[1] * z))] +=
              (*along[0])[static_cast<size_t>(x)] * (*along[1])[static_cast<size_t>(y)] *
              (*along[2])[static_cast<size_t>(z)];
        }
      }
    }
  }
  return kernel;
}

using Frequency = std::array<double, 3>;

using Transfer = std::function<std::complex<double>(const Frequency&)>;

// Fourier-domain filtering on the IBSI frequency grid: pads the filtered axes by floor(n/2) per
// side under `boundary` (none when periodic; at least the kernel half-width), multiplies the
// spectrum by that of `kernel` (if any taps; a circular convolution, equal to the convolution of
// the padded image wherever the result is kept), then for each of `transfers` by transfer(w)
// (w_k = 0 in plane), and returns the real parts of the inverse transforms, cropped to the image:
// one response per transfer, from one forward transform of the image.
std::vector<ImageVolume> fourier_filter_bank(const ImageVolume& image, bool in_plane,
                                             FilterBoundary boundary, const SpatialKernel& kernel,
                                             const std::vector<Transfer>& transfers) {
  const Index3& size = image.geometry.size;
  const int axes = in_plane ? 2 : 3;
  Index3 margin{0, 0, 0};
  if (boundary != FilterBoundary::kPeriodic) {
    for (size_t a = 0; a < static_cast<size_t>(axes); ++a) {
      margin[a] = std::max(size[a] / 2, kernel.half[a]);
    }
  }
  Index3 padded_size{};
  const std::vector<double> values = padded_values(image, margin, boundary, padded_size);
  ComplexPlane spectrum(values.begin(), values.end());
  fourier_transform(spectrum, padded_size, axes, false);
  if (!kernel.taps.empty()) {
    // Tap at offset q goes to index q mod n (folded when the kernel exceeds a periodic image).
    ComplexPlane kernel_spectrum(spectrum.size(), {0.0, 0.0});
    const Index3 width{2 * kernel.half[0] + 1, 2 * kernel.half[1] + 1, 2 * kernel.half[2] + 1};
    const auto wrap = [](int64_t offset, int64_t n) { return ((offset % n) + n) % n; };
    for (int64_t z = 0; z < width[2]; ++z) {
      const int64_t k = wrap(z - kernel.half[2], padded_size[2]);
      for (int64_t y = 0; y < width[1]; ++y) {
        const int64_t j = wrap(y - kernel.half[1], padded_size[1]);
        for (int64_t x = 0; x < width[0]; ++x) {
          const int64_t i = wrap(x - kernel.half[0], padded_size[0]);
          kernel_spectrum[static_cast<size_t>(i + padded_size[0] * (j + padded_size[1] * k))] +=
              kernel.taps[static_cast<size_t>(x + width[0] * (y + width[1] * z))];
        }
      }
    }
    fourier_transform(kernel_spectrum, padded_size, axes, false);
    for (size_t n = 0; n < spectrum.size(); ++n) spectrum[n] *= kernel_spectrum[n];
  }
  std::vector<ImageVolume> responses;
  ComplexPlane filtered;
  for (size_t t = 0; t < transfers.size(); ++t) {
    // The last transfer works in place: one spectrum less in memory for a single transfer.
    const bool last = t + 1 == transfers.size();
    if (!last) filtered = spectrum;
    ComplexPlane& product = last ? spectrum : filtered;
    for (int64_t k = 0; k < padded_size[2]; ++k) {
      const double w_k = in_plane ? 0.0 : centred_frequency(k, padded_size[2]);
      for (int64_t j = 0; j < padded_size[1]; ++j) {
        const double w_j = centred_frequency(j, padded_size[1]);
        for (int64_t i = 0; i < padded_size[0]; ++i) {
          product[static_cast<size_t>(i + padded_size[0] * (j + padded_size[1] * k))] *=
              transfers[t]({centred_frequency(i, padded_size[0]), w_j, w_k});
        }
      }
    }
    fourier_transform(product, padded_size, axes, true);
    ImageVolume response(image.geometry, 0.0f);
    for (int64_t k = 0; k < size[2]; ++k) {
      for (int64_t j = 0; j < size[1]; ++j) {
        for (int64_t i = 0; i < size[0]; ++i) {
          const auto source = static_cast<size_t>(
              (i + margin[0]) +
              padded_size[0] * ((j + margin[1]) + padded_size[1] * (k + margin[2])));
          response.at(i, j, k) = static_cast<float>(product[source].real());
        }
      }
    }
    responses.push_back(std::move(response));
  }
  return responses;
}

// The same with one transfer.
ImageVolume fourier_filter(const ImageVolume& image, bool in_plane, FilterBoundary boundary,
                           const SpatialKernel& kernel, const Transfer& transfer) {
  return std::move(fourier_filter_bank(image, in_plane, boundary, kernel, {transfer}).front());
}

// Simoncelli band-pass H(d) at decomposition level `level` (see radiomics.h).
double simoncelli_transfer(const Frequency& w, int level) {
  const double distance = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  const double maximum = std::ldexp(1.0, 1 - level);
  if (distance < maximum / 4.0 || distance > maximum) return 0.0;
  return std::cos(std::numbers::pi / 2.0 * std::log2(2.0 * distance / maximum));
}

// Riesz multiplier of order l (see radiomics.h) as a function of w; 0 at |w| = 0.
std::function<std::complex<double>(const Frequency&)> riesz_transfer(
    const std::array<int, 3>& order) {
  const int total = order[0] + order[1] + order[2];
  const auto factorial = [](int n) { return std::tgamma(static_cast<double>(n) + 1.0); };
  // (-i)^|l| sqrt(|l|! / (l_i! l_j! l_k!))
  static constexpr std::array<std::complex<double>, 4> kPowersOfMinusI{
      std::complex<double>{1.0, 0.0}, std::complex<double>{0.0, -1.0},
      std::complex<double>{-1.0, 0.0}, std::complex<double>{0.0, 1.0}};
  const std::complex<double> prefactor =
      kPowersOfMinusI[static_cast<size_t>(total % 4)] *
      std::sqrt(factorial(total) /
                (factorial(order[0]) * factorial(order[1]) * factorial(order[2])));
  return [order, prefactor](const Frequency& w) -> std::complex<double> {
    const double norm = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    if (norm == 0.0) return 0.0;
    double value = 1.0;
    for (size_t a = 0; a < 3; ++a) {
      for (int power = 0; power < order[a]; ++power) value *= w[a] / norm;
    }
    return prefactor * value;
  };
}

void require_simoncelli_level(int level, const char* filter) {
  if (level < 1 || level > 8) {
    throw InvalidInputError(std::string(filter) + ": the Simoncelli level must lie in 1..8, not " +
                            std::to_string(level));
  }
}

void require_3d_image(const ImageVolume& image, const char* filter) {
  if (image.values.size() != image.geometry.voxel_count() || image.values.empty()) {
    throw InvalidInputError(std::string(filter) +
                            ": the image is empty or its buffer does not "
                            "match its geometry");
  }
}

}  // namespace

ImageVolume mean_filter(const ImageVolume& image, int support_voxels, bool in_plane,
                        FilterBoundary boundary) {
  require_3d_image(image, "mean filter");
  if (support_voxels < 1 || support_voxels % 2 == 0) {
    throw InvalidInputError("mean filter: the support must be an odd number of voxels, not " +
                            std::to_string(support_voxels));
  }
  const Kernel box(static_cast<size_t>(support_voxels), 1.0 / support_voxels);
  const std::vector<double> values(image.values.begin(), image.values.end());
  return as_image(image.geometry,
                  convolve_separable(values, image.geometry.size,
                                     {box, box, in_plane ? Kernel{} : box}, boundary));
}

ImageVolume laplacian_of_gaussian_filter(const ImageVolume& image, double sigma_mm,
                                         double truncate_sigmas, bool in_plane,
                                         FilterBoundary boundary) {
  require_3d_image(image, "LoG filter");
  const LogKernels kernels =
      log_kernels(image.geometry.spacing_mm, sigma_mm, truncate_sigmas, in_plane);
  // LoG = sum over axes d of (second derivative term along d) x (Gaussian along the others).
  const std::vector<double> values(image.values.begin(), image.values.end());
  const int dimensions = in_plane ? 2 : 3;
  std::vector<double> sum(values.size(), 0.0);
  for (int d = 0; d < dimensions; ++d) {
    std::array<Kernel, 3> separable{kernels.gaussian, kernels.gaussian,
                                    in_plane ? Kernel{} : kernels.gaussian};
    separable[static_cast<size_t>(d)] = kernels.second;
    const std::vector<double> term =
        convolve_separable(values, image.geometry.size, separable, boundary);
    for (size_t v = 0; v < sum.size(); ++v) sum[v] += term[v];
  }
  return as_image(image.geometry, sum);
}

ImageVolume laws_filter(const ImageVolume& image, const LawsFilterSettings& settings) {
  require_3d_image(image, "Laws filter");
  const std::string& name = settings.kernels;
  const size_t expected = settings.in_plane ? 4 : 6;
  if (name.size() != expected) {
    throw InvalidInputError("Laws filter: kernel name \"" + name + "\" must name " +
                            (settings.in_plane ? "2" : "3") + " 1D kernels, e.g. " +
                            (settings.in_plane ? "L5S5" : "E5L5S5"));
  }
  std::array<Kernel, 3> kernels;
  for (size_t axis = 0; axis < expected / 2; ++axis) {
    const std::string part = name.substr(2 * axis, 2);
    const auto found = laws_kernels().find(part);
    if (found == laws_kernels().end()) {
      throw InvalidInputError("Laws filter: unknown 1D kernel \"" + part +
                              "\" (use L3 E3 S3 L5 E5 S5 W5 R5)");
    }
    kernels[axis] = found->second;
  }
  const std::vector<double> values(image.values.begin(), image.values.end());
  const Index3& size = image.geometry.size;
  std::vector<double> response;
  if (settings.rotation_invariant) {
    // Max pooling over the orientations.
    for (const auto& rotated : rotated_kernels(kernels, settings.in_plane)) {
      const std::vector<double> term = convolve_separable(values, size, rotated, settings.boundary);
      if (response.empty()) {
        response = term;
      } else {
        for (size_t v = 0; v < response.size(); ++v) response[v] = std::max(response[v], term[v]);
      }
    }
  } else {
    response = convolve_separable(values, size, kernels, settings.boundary);
  }
  if (settings.energy_distance > 0) {
    // Energy: mean of |response| over a (2 delta + 1)^D box, same boundary rule.
    for (double& value : response) value = std::abs(value);
    const int width = 2 * settings.energy_distance + 1;
    const Kernel box(static_cast<size_t>(width), 1.0 / width);
    response = convolve_separable(response, size, {box, box, settings.in_plane ? Kernel{} : box},
                                  settings.boundary);
  }
  return as_image(image.geometry, response);
}

ImageVolume separable_wavelet_filter(const ImageVolume& image,
                                     const WaveletFilterSettings& settings) {
  require_3d_image(image, "wavelet filter");
  const auto found = wavelet_low_pass_taps().find(settings.wavelet);
  if (found == wavelet_low_pass_taps().end()) {
    throw InvalidInputError("wavelet filter: unknown wavelet \"" + settings.wavelet +
                            "\" (use haar, db1, db2, db3 or coif1)");
  }
  const size_t dimensions = settings.in_plane ? 2 : 3;
  if (settings.bands.size() != dimensions ||
      settings.bands.find_first_not_of("LH") != std::string::npos) {
    throw InvalidInputError("wavelet filter: band \"" + settings.bands + "\" must be " +
                            std::to_string(dimensions) + " letters L or H, one per axis");
  }
  if (settings.level < 1 || settings.level > 8) {
    throw InvalidInputError("wavelet filter: the level must lie in 1..8, not " +
                            std::to_string(settings.level));
  }
  const Kernel& low_taps = found->second;
  const Kernel high_taps = wavelet_high_pass_taps(low_taps);
  // Per level: the low-pass set (for the approximation passed to the next level) and, at the
  // last level, the requested band; each rotated with the same orientation list.
  std::vector<std::vector<std::array<Kernel, 3>>> low_pass_by_level;
  for (int level = 1; level < settings.level; ++level) {
    const Kernel low = dilated_wavelet_kernel(low_taps, level);
    low_pass_by_level.push_back(
        rotated_kernels({low, low, settings.in_plane ? Kernel{} : low}, settings.in_plane));
  }
  std::array<Kernel, 3> band_kernels;
  for (size_t axis = 0; axis < dimensions; ++axis) {
    band_kernels[axis] =
        dilated_wavelet_kernel(settings.bands[axis] == 'L' ? low_taps : high_taps, settings.level);
  }
  const std::vector<std::array<Kernel, 3>> band_by_rotation =
      rotated_kernels(band_kernels, settings.in_plane);
  // Without rotation invariance only the first orientation (the identity) is used.
  const size_t rotations = settings.rotation_invariant ? band_by_rotation.size() : 1;
  const std::vector<double> values(image.values.begin(), image.values.end());
  const Index3& size = image.geometry.size;
  std::vector<double> mean(values.size(), 0.0);
  for (size_t rotation = 0; rotation < rotations; ++rotation) {
    std::vector<double> approximation = values;
    for (const auto& low_pass : low_pass_by_level) {
      approximation =
          convolve_separable(approximation, size, low_pass[rotation], settings.boundary);
    }
    const std::vector<double> response =
        convolve_separable(approximation, size, band_by_rotation[rotation], settings.boundary);
    for (size_t v = 0; v < mean.size(); ++v)
      mean[v] += response[v] / static_cast<double>(rotations);
  }
  return as_image(image.geometry, mean);
}

ImageVolume gabor_filter(const ImageVolume& image, const GaborFilterSettings& settings) {
  require_3d_image(image, "Gabor filter");
  if (!(settings.sigma_mm > 0.0) || !(settings.wavelength_mm > 0.0) ||
      !(settings.spatial_aspect_ratio > 0.0)) {
    throw InvalidInputError("Gabor filter: sigma, wavelength and aspect ratio must be > 0");
  }
  std::vector<double> angles{settings.orientation_rad};
  if (settings.rotation_invariant) {
    if (!(settings.orientation_step_rad > 0.0)) {
      throw InvalidInputError("Gabor filter: the orientation step must be > 0");
    }
    const auto count =
        static_cast<int>(std::lround(2.0 * std::numbers::pi / settings.orientation_step_rad));
    angles.clear();
    for (int k = 0; k < std::max(count, 1); ++k) {
      angles.push_back(settings.orientation_rad + k * settings.orientation_step_rad);
    }
  }
  const Index3& size = image.geometry.size;
  const Vec3& spacing = image.geometry.spacing_mm;
  // Planes as (x axis, y axis): the slice plane (i, j), then (i, k) and (j, k).
  std::vector<std::array<size_t, 2>> planes{{0, 1}};
  if (settings.orthogonal_planes) {
    planes.push_back({0, 2});
    planes.push_back({1, 2});
  }
  const double weight = 1.0 / static_cast<double>(angles.size() * planes.size());
  std::vector<double> response(image.values.size(), 0.0);
  const std::array<int64_t, 3> stride{1, size[0], size[0] * size[1]};
  for (const auto& [axis_x, axis_y] : planes) {
    const size_t axis_z = 3 - axis_x - axis_y;
    const int64_t nx = size[axis_x];
    const int64_t ny = size[axis_y];
    const int64_t nz = size[axis_z];
    // Kernel as large as the plane (odd size), as the reference implementation (MIRP), or cut
    // at truncate_sigmas.
    int64_t half = std::max(nx, ny) / 2;
    if (settings.truncate_sigmas > 0.0) {
      const double reach = settings.truncate_sigmas * settings.sigma_mm /
                           std::min(spacing[axis_x], spacing[axis_y]) /
                           std::min(1.0, settings.spatial_aspect_ratio);
      half = std::min(half, static_cast<int64_t>(std::ceil(reach)));
    }
    // The padded plane is at least nx + 2 half wide, so that no wrapped term of the circular
    // convolution reaches an image voxel; it is enlarged with more padding to a length whose
    // prime factors are 2, 3 and 5 (kissfft is quadratic in a large prime factor).
    const auto width = static_cast<size_t>(smooth_fft_length(nx + 2 * half));
    const auto height = static_cast<size_t>(smooth_fft_length(ny + 2 * half));
    const double voxel_mm = std::min(spacing[axis_x], spacing[axis_y]);
    const double sigma = settings.sigma_mm / voxel_mm;
    const double wavelength = settings.wavelength_mm / voxel_mm;
    const double gamma = settings.spatial_aspect_ratio;
    std::vector<ComplexPlane> kernel_spectra;
    for (const double theta : angles) {
      ComplexPlane kernel(width * height, {0.0, 0.0});
      for (int64_t y = -half; y <= half; ++y) {
        for (int64_t x = -half; x <= half; ++x) {
          const double rotated_x = x * std::cos(theta) + y * std::sin(theta);
          const double rotated_y = -x * std::sin(theta) + y * std::cos(theta);
          const double envelope =
              std::exp(-(rotated_x * rotated_x + gamma * gamma * rotated_y * rotated_y) /
                       (2.0 * sigma * sigma));
          const double phase = 2.0 * std::numbers::pi * rotated_x / wavelength;
          const auto column =
              static_cast<size_t>((x + static_cast<int64_t>(width)) % static_cast<int64_t>(width));
          const auto row = static_cast<size_t>((y + static_cast<int64_t>(height)) %
                                               static_cast<int64_t>(height));
          kernel[row * width + column] = std::polar(envelope, phase);
        }
      }
      fft_2d(kernel, width, height, false);
      kernel_spectra.push_back(std::move(kernel));
    }
    ComplexPlane padded(width * height);
    ComplexPlane product(width * height);
    for (int64_t z = 0; z < nz; ++z) {
      for (size_t row = 0; row < height; ++row) {
        const int64_t y = boundary_index(static_cast<int64_t>(row) - half, ny, settings.boundary);
        for (size_t column = 0; column < width; ++column) {
          const int64_t x =
              boundary_index(static_cast<int64_t>(column) - half, nx, settings.boundary);
          double value = 0.0;
          if (x >= 0 && y >= 0) {
            value = image.values[static_cast<size_t>(x * stride[axis_x] + y * stride[axis_y] +
                                                     z * stride[axis_z])];
          }
          padded[row * width + column] = {value, 0.0};
        }
      }
      fft_2d(padded, width, height, false);
      for (const ComplexPlane& spectrum : kernel_spectra) {
        for (size_t n = 0; n < product.size(); ++n) product[n] = padded[n] * spectrum[n];
        fft_2d(product, width, height, true);
        // Circular convolution of the padded plane: the image voxel (x, y) sits at
        // (x + half, y + half), and no wrapped term reaches it.
        for (int64_t y = 0; y < ny; ++y) {
          for (int64_t x = 0; x < nx; ++x) {
            const size_t source =
                static_cast<size_t>(y + half) * width + static_cast<size_t>(x + half);
            response[static_cast<size_t>(x * stride[axis_x] + y * stride[axis_y] +
                                         z * stride[axis_z])] += weight * std::abs(product[source]);
          }
        }
      }
    }
  }
  return as_image(image.geometry, response);
}

ImageVolume simoncelli_wavelet_filter(const ImageVolume& image,
                                      const SimoncelliFilterSettings& settings) {
  require_3d_image(image, "Simoncelli filter");
  require_simoncelli_level(settings.level, "Simoncelli filter");
  const int level = settings.level;
  return fourier_filter(image, settings.in_plane, settings.boundary, SpatialKernel{},
                        [level](const Frequency& w) { return simoncelli_transfer(w, level); });
}

namespace {

// The Riesz transforms of the orders `orders` of the base response (no alignment), on the padded
// image, from one forward transform; with `with_base`, the base response itself first.
std::vector<ImageVolume> riesz_components(const ImageVolume& image,
                                          const RieszFilterSettings& settings,
                                          const std::vector<std::array<int, 3>>& orders,
                                          bool with_base) {
  const bool simoncelli = settings.base_filter == RieszBaseFilter::kSimoncelli;
  const int level = settings.simoncelli_level;
  std::vector<Transfer> transfers;
  if (with_base) {
    transfers.emplace_back([simoncelli, level](const Frequency& w) -> std::complex<double> {
      return simoncelli ? simoncelli_transfer(w, level) : 1.0;
    });
  }
  for (const std::array<int, 3>& order : orders) {
    transfers.emplace_back([simoncelli, level, riesz = riesz_transfer(order)](const Frequency& w) {
      return simoncelli ? simoncelli_transfer(w, level) * riesz(w) : riesz(w);
    });
  }
  // The LoG as a convolution kernel applied by FFT together with the Riesz multiplier: on the
  // padded image this equals laplacian_of_gaussian_filter with the same boundary rule.
  const SpatialKernel kernel = simoncelli
                                   ? SpatialKernel{}
                                   : log_kernel(image.geometry.spacing_mm, settings.log_sigma_mm,
                                                settings.log_truncate_sigmas, settings.in_plane);
  return fourier_filter_bank(image, settings.in_plane, settings.boundary, kernel, transfers);
}

// Normalised Gaussian taps of standard deviation `sigma` voxels, cut at 4 sigma.
Kernel gaussian_taps(double sigma) {
  const auto half = static_cast<int64_t>(std::ceil(4.0 * sigma));
  Kernel taps(static_cast<size_t>(2 * half + 1));
  double sum = 0.0;
  for (int64_t t = -half; t <= half; ++t) {
    const double value = std::exp(-0.5 * static_cast<double>(t * t) / (sigma * sigma));
    taps[static_cast<size_t>(t + half)] = value;
    sum += value;
  }
  for (double& tap : taps) tap /= sum;
  return taps;
}

// A unit vector with its largest-magnitude component made positive (first axis on ties).
Vec3 oriented(Vec3 axis) {
  size_t largest = 0;
  for (size_t a = 1; a < 3; ++a) {
    if (std::abs(axis[a]) > std::abs(axis[largest]) + 1e-12) largest = a;
  }
  if (axis[largest] < 0.0) {
    for (double& component : axis) component = -component;
  }
  return axis;
}

// Per voxel, the frame (e_1, e_2, e_3) of the structure tensor of `base` (see
// RieszFilterSettings::aligned): eigenvectors by decreasing eigenvalue.
std::vector<std::array<Vec3, 3>> structure_tensor_frames(const ImageVolume& base, double sigma_mm,
                                                         bool in_plane, FilterBoundary boundary) {
  const Geometry& grid = base.geometry;
  const Index3& size = grid.size;
  const size_t count = base.values.size();
  const int axes = in_plane ? 2 : 3;
  // Central differences in mm along each filtered axis, beyond the edge by the boundary rule.
  std::array<std::vector<double>, 3> gradient;
  for (int a = 0; a < axes; ++a) {
    gradient[static_cast<size_t>(a)].assign(count, 0.0);
  }
  for (int64_t k = 0; k < size[2]; ++k) {
    for (int64_t j = 0; j < size[1]; ++j) {
      for (int64_t i = 0; i < size[0]; ++i) {
        const Index3 at{i, j, k};
        for (int a = 0; a < axes; ++a) {
          const auto axis = static_cast<size_t>(a);
          Index3 before = at, after = at;
          before[axis] = boundary_index(at[axis] - 1, size[axis], boundary);
          after[axis] = boundary_index(at[axis] + 1, size[axis], boundary);
          const double low = before[axis] < 0 ? 0.0 : base.at(before[0], before[1], before[2]);
          const double high = after[axis] < 0 ? 0.0 : base.at(after[0], after[1], after[2]);
          gradient[axis][grid.offset(i, j, k)] = (high - low) / (2.0 * grid.spacing_mm[axis]);
        }
      }
    }
  }
  // Tensor components J_ab = G_sigma * (g_a g_b), a <= b.
  std::array<Kernel, 3> smoothing;
  if (sigma_mm > 0.0) {
    for (int a = 0; a < axes; ++a) {
      smoothing[static_cast<size_t>(a)] =
          gaussian_taps(sigma_mm / grid.spacing_mm[static_cast<size_t>(a)]);
    }
  }
  std::array<std::array<std::vector<double>, 3>, 3> tensor;
  double largest_trace = 0.0;
  for (int a = 0; a < axes; ++a) {
    for (int b = a; b < axes; ++b) {
      std::vector<double> product(count);
      const auto& ga = gradient[static_cast<size_t>(a)];
      const auto& gb = gradient[static_cast<size_t>(b)];
      for (size_t v = 0; v < count; ++v) product[v] = ga[v] * gb[v];
      tensor[static_cast<size_t>(a)][static_cast<size_t>(b)] =
          convolve_separable(product, size, smoothing, boundary);
    }
  }
  for (size_t v = 0; v < count; ++v) {
    double trace = 0.0;
    for (size_t a = 0; a < static_cast<size_t>(axes); ++a) trace += tensor[a][a][v];
    largest_trace = std::max(largest_trace, trace);
  }
  const std::array<Vec3, 3> grid_axes{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
  std::vector<std::array<Vec3, 3>> frames(count, grid_axes);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, count), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t v = r.begin(); v != r.end(); ++v) {
      double trace = 0.0;
      for (size_t a = 0; a < static_cast<size_t>(axes); ++a) trace += tensor[a][a][v];
      // No structure (flat region): the grid axes.
      if (!(trace > 1e-12 * largest_trace) || largest_trace <= 0.0) continue;
      if (in_plane) {
        Eigen::Matrix2d matrix;
        matrix << tensor[0][0][v], tensor[0][1][v], tensor[0][1][v], tensor[1][1][v];
        const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> solver(matrix);
        const Eigen::Vector2d major = solver.eigenvectors().col(1);
        const Vec3 first = oriented({major[0], major[1], 0.0});
        frames[v] = {first, Vec3{-first[1], first[0], 0.0}, Vec3{0.0, 0.0, 1.0}};
      } else {
        Eigen::Matrix3d matrix;
        matrix << tensor[0][0][v], tensor[0][1][v], tensor[0][2][v], tensor[0][1][v],
            tensor[1][1][v], tensor[1][2][v], tensor[0][2][v], tensor[1][2][v], tensor[2][2][v];
        const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(matrix);
        const Eigen::Vector3d major = solver.eigenvectors().col(2);
        const Eigen::Vector3d middle = solver.eigenvectors().col(1);
        const Vec3 first = oriented({major[0], major[1], major[2]});
        const Vec3 second = oriented({middle[0], middle[1], middle[2]});
        const Vec3 third{first[1] * second[2] - first[2] * second[1],
                         first[2] * second[0] - first[0] * second[2],
                         first[0] * second[1] - first[1] * second[0]};
        frames[v] = {first, second, third};
      }
    }
  });
  return frames;
}

// Coefficients of the homogeneous polynomial prod_a (e_a . w)^l_a in the monomials w^m,
// indexed [m_i][m_j][m_k] (degree <= 6).
using Polynomial = std::array<std::array<std::array<double, 7>, 7>, 7>;
Polynomial steered_polynomial(const std::array<Vec3, 3>& frame, const std::array<int, 3>& order) {
  Polynomial polynomial{};
  polynomial[0][0][0] = 1.0;
  int degree = 0;
  for (size_t a = 0; a < 3; ++a) {
    for (int power = 0; power < order[a]; ++power) {
      Polynomial next{};
      for (int mi = 0; mi <= degree; ++mi) {
        for (int mj = 0; mi + mj <= degree; ++mj) {
          const auto i = static_cast<size_t>(mi);
          const auto j = static_cast<size_t>(mj);
          const auto k = static_cast<size_t>(degree - mi - mj);
          const double c = polynomial[i][j][k];
          if (c == 0.0) continue;
          next[i + 1][j][k] += c * frame[a][0];
          next[i][j + 1][k] += c * frame[a][1];
          next[i][j][k + 1] += c * frame[a][2];
        }
      }
      polynomial = next;
      ++degree;
    }
  }
  return polynomial;
}

double factorial(int n) { return std::tgamma(static_cast<double>(n) + 1.0); }

// The aligned (steered) Riesz transform (see RieszFilterSettings::aligned).
ImageVolume aligned_riesz(const ImageVolume& image, const RieszFilterSettings& settings) {
  const std::array<int, 3>& order = settings.order;
  const int total = order[0] + order[1] + order[2];
  const double weight = std::sqrt(
      factorial(total) / (factorial(order[0]) * factorial(order[1]) * factorial(order[2])));
  // Response = sum over the monomials m of degree |l| of c_m(x) U_m(x), U_m = R^m / sqrt(|l|!/m!):
  // the base response and every component from one forward transform, then one polynomial per
  // voxel.
  std::vector<std::array<int, 3>> monomials;
  for (int mi = 0; mi <= total; ++mi) {
    for (int mj = 0; mi + mj <= total; ++mj) {
      const int mk = total - mi - mj;
      if (settings.in_plane && mk != 0) continue;
      monomials.push_back({mi, mj, mk});
    }
  }
  std::vector<ImageVolume> components = riesz_components(image, settings, monomials, true);
  const std::vector<std::array<Vec3, 3>> frames = structure_tensor_frames(
      components.front(), settings.structure_tensor_sigma_mm, settings.in_plane, settings.boundary);
  components.erase(components.begin());
  for (size_t m = 0; m < monomials.size(); ++m) {
    const auto& [mi, mj, mk] = monomials[m];
    const double scale =
        1.0 / std::sqrt(factorial(total) / (factorial(mi) * factorial(mj) * factorial(mk)));
    for (float& value : components[m].values) value = static_cast<float>(value * scale);
  }
  std::vector<double> response(image.values.size(), 0.0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, response.size()),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t v = r.begin(); v != r.end(); ++v) {
                        const Polynomial polynomial = steered_polynomial(frames[v], order);
                        double sum = 0.0;
                        for (size_t m = 0; m < monomials.size(); ++m) {
                          const auto& [mi, mj, mk] = monomials[m];
                          sum += polynomial[static_cast<size_t>(mi)][static_cast<size_t>(mj)]
                                           [static_cast<size_t>(mk)] *
                                 components[m].values[v];
                        }
                        response[v] = weight * sum;
                      }
                    });
  return as_image(image.geometry, response);
}

}  // namespace

ImageVolume riesz_filter(const ImageVolume& image, const RieszFilterSettings& settings) {
  require_3d_image(image, "Riesz filter");
  const std::array<int, 3>& order = settings.order;
  const int total = order[0] + order[1] + order[2];
  if (*std::min_element(order.begin(), order.end()) < 0 || total < 1 || total > 6) {
    throw InvalidInputError(
        "Riesz filter: the orders along i, j, k must be >= 0 with a sum in "
        "1..6, not (" +
        std::to_string(order[0]) + ", " + std::to_string(order[1]) + ", " +
        std::to_string(order[2]) + ")");
  }
  if (settings.in_plane && order[2] != 0) {
    throw InvalidInputError("Riesz filter: an in-plane transform has no order along k");
  }
  if (settings.base_filter == RieszBaseFilter::kSimoncelli) {
    require_simoncelli_level(settings.simoncelli_level, "Riesz filter");
  }
  if (settings.aligned) {
    if (!(settings.structure_tensor_sigma_mm >= 0.0)) {
      throw InvalidInputError("Riesz filter: the structure tensor sigma must be >= 0 mm, not " +
                              std::to_string(settings.structure_tensor_sigma_mm));
    }
    return aligned_riesz(image, settings);
  }
  return std::move(riesz_components(image, settings, {order}, false).front());
}

// The Gabor envelope exp(-r^2 / (2 sigma^2)) at 7 sigma: 2e-11.
constexpr double kGaborTruncateSigmas = 7.0;

ImageVolume apply_filter(const ImageVolume& image, const FilterSettings& filter) {
  switch (filter.kind) {
    case FilterKind::kNone:
      return image;
    case FilterKind::kMean:
      return mean_filter(image, filter.mean_support_voxels, filter.in_plane, filter.boundary);
    case FilterKind::kLaplacianOfGaussian:
      return laplacian_of_gaussian_filter(image, filter.log_sigma_mm, filter.log_truncate_sigmas,
                                          filter.in_plane, filter.boundary);
    case FilterKind::kLaws: {
      LawsFilterSettings laws = filter.laws;
      laws.in_plane = filter.in_plane;
      laws.boundary = filter.boundary;
      return laws_filter(image, laws);
    }
    case FilterKind::kGabor: {
      GaborFilterSettings gabor = filter.gabor;
      gabor.boundary = filter.boundary;
      // In plane: the slice plane only; 3D: the three orthogonal planes (IBSI-2 phase 2).
      gabor.orthogonal_planes = !filter.in_plane;
      // Cut where the envelope is below 1e-10 of its peak (the reach of filter_reach_voxels).
      gabor.truncate_sigmas = kGaborTruncateSigmas;
      return gabor_filter(image, gabor);
    }
    case FilterKind::kWavelet: {
      WaveletFilterSettings wavelet = filter.wavelet;
      wavelet.in_plane = filter.in_plane;
      wavelet.boundary = filter.boundary;
      return separable_wavelet_filter(image, wavelet);
    }
    case FilterKind::kSimoncelli: {
      SimoncelliFilterSettings simoncelli = filter.simoncelli;
      simoncelli.in_plane = filter.in_plane;
      simoncelli.boundary = filter.boundary;
      return simoncelli_wavelet_filter(image, simoncelli);
    }
    case FilterKind::kRiesz: {
      RieszFilterSettings riesz = filter.riesz;
      riesz.in_plane = filter.in_plane;
      riesz.boundary = filter.boundary;
      return riesz_filter(image, riesz);
    }
  }
  return image;
}

std::optional<Index3> filter_reach_voxels(const FilterSettings& filter, const Vec3& spacing_mm) {
  const double in_plane_voxel_mm = std::min(spacing_mm[0], spacing_mm[1]);
  const double smallest_voxel_mm =
      filter.in_plane ? in_plane_voxel_mm : std::min(in_plane_voxel_mm, spacing_mm[2]);
  int64_t reach = 0;
  switch (filter.kind) {
    case FilterKind::kNone:
      break;
    case FilterKind::kMean:
      reach = filter.mean_support_voxels / 2;
      break;
    case FilterKind::kLaplacianOfGaussian:
      reach = static_cast<int64_t>(
                  std::ceil(filter.log_truncate_sigmas * filter.log_sigma_mm / smallest_voxel_mm)) +
              1;
      break;
    case FilterKind::kLaws: {
      // Half-width of the longest 1D kernel (5 taps) plus the energy box.
      reach = 2 + std::max(0, filter.laws.energy_distance);
      break;
    }
    case FilterKind::kGabor: {
      const double voxel_mm =
          filter.in_plane ? in_plane_voxel_mm : std::min(in_plane_voxel_mm, spacing_mm[2]);
      const double gamma = filter.gabor.spatial_aspect_ratio;
      reach = static_cast<int64_t>(std::ceil(kGaborTruncateSigmas * filter.gabor.sigma_mm /
                                             voxel_mm / std::min(1.0, gamma > 0 ? gamma : 1.0)));
      break;
    }
    case FilterKind::kWavelet: {
      const auto found = wavelet_low_pass_taps().find(filter.wavelet.wavelet);
      const int64_t taps =
          found == wavelet_low_pass_taps().end() ? 0 : static_cast<int64_t>(found->second.size());
      for (int level = 1; level <= filter.wavelet.level; ++level) {
        reach += taps << static_cast<unsigned>(level - 1);
      }
      break;
    }
    case FilterKind::kSimoncelli:
    case FilterKind::kRiesz:
      return std::nullopt;
  }
  return Index3{reach, reach, filter.in_plane ? 0 : reach};
}

}  // namespace oncotrace::radiomics
