// IBSI-2 convolutional filters: mean (S60F), Laplacian of Gaussian (L6PA), Laws (JTXT)
// [Depeursinge A et al., "Standardised convolutional filtering for radiomics",
// arXiv:2006.05470; radiomics-ibsi.md §8]. All separable: 1D passes along i, j, k in double
// precision, out(p) = sum_q h(q) img(p - q), taps centred at floor(L/2).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <numbers>

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
  static const std::map<std::string, Kernel> kernels = [] {
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
  return kernels;
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
  if (!(sigma_mm > 0.0)) throw InvalidInputError("LoG filter: sigma must be > 0 mm");
  // One sigma in voxels for all axes (the largest per-axis value), as the reference
  // implementation does; resample to isotropic voxels first for anisotropic images.
  const Vec3& spacing = image.geometry.spacing_mm;
  const double sigma =
      sigma_mm / std::min({spacing[0], spacing[1], in_plane ? spacing[0] : spacing[2]});
  const auto half = static_cast<int64_t>(std::floor(truncate_sigmas * sigma + 0.5));
  Kernel gaussian, second;
  for (int64_t r = -half; r <= half; ++r) {
    const double g = std::exp(-static_cast<double>(r * r) / (2.0 * sigma * sigma)) /
                     std::sqrt(2.0 * std::numbers::pi * sigma * sigma);
    gaussian.push_back(g);
    second.push_back(g * (static_cast<double>(r * r) - sigma * sigma) /
                     (sigma * sigma * sigma * sigma));
  }
  // LoG = sum over axes d of (second derivative term along d) x (Gaussian along the others).
  const std::vector<double> values(image.values.begin(), image.values.end());
  const int dimensions = in_plane ? 2 : 3;
  std::vector<double> sum(values.size(), 0.0);
  for (int d = 0; d < dimensions; ++d) {
    std::array<Kernel, 3> kernels{gaussian, gaussian, in_plane ? Kernel{} : gaussian};
    kernels[static_cast<size_t>(d)] = second;
    const std::vector<double> term =
        convolve_separable(values, image.geometry.size, kernels, boundary);
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

}  // namespace oncotrace::radiomics
