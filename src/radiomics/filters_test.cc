// IBSI-2 filters on small synthetic images with hand-computed responses (the reference maps are
// checked in ibsi2_filter_test.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics {
namespace {

ImageVolume image_of(Index3 size, float fill = 0.0f) {
  Geometry geometry;
  geometry.size = size;
  geometry.spacing_mm = {2.0, 2.0, 2.0};
  return ImageVolume(geometry, fill);
}

TEST(MeanFilter, BoundaryRulesOnARow) {
  // Row a b c d = 1 2 3 4, support 5, value at the first voxel (the single row makes the j pass
  // a no-op except for zero padding, which keeps 1/5 of it).
  ImageVolume row = image_of({4, 1, 1});
  row.values = {1, 2, 3, 4};
  // mirror: b a [a b c] -> (2 + 1 + 1 + 2 + 3) / 5.
  EXPECT_NEAR(mean_filter(row, 5, true, FilterBoundary::kMirror).values[0], 9.0 / 5.0, 1e-6);
  // nearest: a a [a b c] -> (1 + 1 + 1 + 2 + 3) / 5.
  EXPECT_NEAR(mean_filter(row, 5, true, FilterBoundary::kNearest).values[0], 8.0 / 5.0, 1e-6);
  // periodic: c d [a b c] -> (3 + 4 + 1 + 2 + 3) / 5.
  EXPECT_NEAR(mean_filter(row, 5, true, FilterBoundary::kPeriodic).values[0], 13.0 / 5.0, 1e-6);
  // zero: (1 + 2 + 3) / 5 along i, then only the centre of the five j taps is inside.
  EXPECT_NEAR(mean_filter(row, 5, true, FilterBoundary::kZero).values[0], 6.0 / 25.0, 1e-6);
  EXPECT_THROW(mean_filter(row, 4, true, FilterBoundary::kZero), InvalidInputError);
}

TEST(MeanFilter, ImpulseSpreadsOverTheSupportCube) {
  ImageVolume impulse = image_of({9, 9, 9});
  impulse.at(4, 4, 4) = 27.0f;
  const ImageVolume response = mean_filter(impulse, 3, false, FilterBoundary::kZero);
  EXPECT_NEAR(response.at(3, 5, 4), 1.0, 1e-6);
  EXPECT_NEAR(response.at(2, 4, 4), 0.0, 1e-6);
  double total = 0.0;
  for (const float value : response.values) total += value;
  EXPECT_NEAR(total, 27.0, 1e-4);
}

TEST(LaplacianOfGaussian, ImpulseCentreValue) {
  // sigma 3 mm at 2 mm: sigma_v = 1.5; centre = G(0) * (-3 sigma^2) / sigma^4
  // = -3 / (sigma^2 (2 pi sigma^2)^(3/2)) = -0.025084 (radiomics-ibsi.md §8.2, test 2.a).
  ImageVolume impulse = image_of({15, 15, 15});
  impulse.at(7, 7, 7) = 1.0f;
  const ImageVolume response =
      laplacian_of_gaussian_filter(impulse, 3.0, 4.0, false, FilterBoundary::kZero);
  const double sigma = 1.5;
  const double expected = -3.0 / (sigma * sigma * std::pow(2.0 * M_PI * sigma * sigma, 1.5));
  EXPECT_NEAR(response.at(7, 7, 7), expected, 1e-7);
  EXPECT_NEAR(expected, -0.025084, 1e-6);
  // Radially symmetric.
  EXPECT_NEAR(response.at(9, 7, 7), response.at(7, 7, 5), 1e-9);
}

TEST(LawsFilter, ImpulseReturnsTheKernel) {
  ImageVolume impulse = image_of({9, 9, 9});
  impulse.at(4, 4, 4) = 1.0f;
  LawsFilterSettings settings;
  settings.kernels = "E5L5S5";
  settings.boundary = FilterBoundary::kZero;
  const ImageVolume response = laws_filter(impulse, settings);
  // out(c + q) = E5(q_x) L5(q_y) S5(q_z); unit-norm E5 = (-1,-2,0,2,1)/sqrt(10),
  // L5 = (1,4,6,4,1)/sqrt(70), S5 = (-1,0,2,0,-1)/sqrt(6).
  EXPECT_NEAR(response.at(5, 4, 4),
              (2 / std::sqrt(10.0)) * (6 / std::sqrt(70.0)) * (2 / std::sqrt(6.0)), 1e-6);
  EXPECT_NEAR(response.at(3, 5, 6),
              (-2 / std::sqrt(10.0)) * (4 / std::sqrt(70.0)) * (-1 / std::sqrt(6.0)), 1e-6);
  settings.kernels = "E5X5S5";
  EXPECT_THROW(laws_filter(impulse, settings), InvalidInputError);
}

TEST(LawsFilter, RotationInvariantResponseCommutesWithRightAngleRotations) {
  ImageVolume image = image_of({7, 7, 7});
  std::mt19937 random(7);
  std::uniform_real_distribution<float> value(0.0f, 100.0f);
  for (float& v : image.values) v = value(random);
  // The image rotated by 90 degrees about k: (i, j) -> (6 - j, i).
  ImageVolume rotated = image;
  for (int64_t k = 0; k < 7; ++k) {
    for (int64_t j = 0; j < 7; ++j) {
      for (int64_t i = 0; i < 7; ++i) rotated.at(6 - j, i, k) = image.at(i, j, k);
    }
  }
  LawsFilterSettings settings;
  settings.kernels = "E3W5R5";
  settings.rotation_invariant = true;
  settings.boundary = FilterBoundary::kPeriodic;
  const ImageVolume a = laws_filter(image, settings);
  const ImageVolume b = laws_filter(rotated, settings);
  for (int64_t k = 0; k < 7; ++k) {
    for (int64_t j = 0; j < 7; ++j) {
      for (int64_t i = 0; i < 7; ++i) EXPECT_NEAR(b.at(6 - j, i, k), a.at(i, j, k), 1e-3);
    }
  }
}

TEST(SeparableWavelet, HaarImpulseResponseSitsAtTheDilatedTapOffsets) {
  // An impulse returns the kernel: out(p) = h(p - c). Haar taps 1/sqrt2 (L) and -1/sqrt2, 1/sqrt2
  // (H) sit at offsets -1 and 0 at level 1, -2 and 0 at level 2.
  ImageVolume impulse = image_of({7, 7, 7});
  impulse.at(3, 3, 3) = 1.0f;
  WaveletFilterSettings settings;
  settings.wavelet = "haar";
  settings.bands = "HLL";
  settings.boundary = FilterBoundary::kZero;
  const double tap = 1.0 / std::sqrt(2.0);
  const ImageVolume level_one = separable_wavelet_filter(impulse, settings);
  EXPECT_NEAR(level_one.at(2, 3, 3), -tap * tap * tap, 1e-6);
  EXPECT_NEAR(level_one.at(3, 3, 3), tap * tap * tap, 1e-6);
  EXPECT_NEAR(level_one.at(3, 2, 2), tap * tap * tap, 1e-6);
  EXPECT_NEAR(level_one.at(4, 3, 3), 0.0, 1e-9);
  // Level 2 on the level-1 approximation (LLL): the approximation spreads the impulse over
  // offsets {-1, 0}^3, then the dilated H puts -tap at -2 and +tap at 0 along i, so along i
  // the response is -, -, +, + at offsets -3 .. 0 and zero beyond.
  settings.level = 2;
  const ImageVolume level_two = separable_wavelet_filter(impulse, settings);
  EXPECT_NEAR(level_two.at(3, 3, 3), std::pow(tap, 6), 1e-6);
  EXPECT_NEAR(level_two.at(1, 3, 3), -std::pow(tap, 6), 1e-6);
  EXPECT_NEAR(level_two.at(2, 3, 3), std::pow(tap, 6), 1e-6);
  EXPECT_NEAR(level_two.at(0, 3, 3), -std::pow(tap, 6), 1e-6);
  EXPECT_NEAR(level_two.at(4, 3, 3), 0.0, 1e-6);
  // Constant image, periodic boundary: the high-pass band vanishes, LLL scales by (sqrt2)^3 per
  // level; the rotation-invariant mean keeps both.
  ImageVolume constant = image_of({6, 6, 6}, 2.0f);
  settings.boundary = FilterBoundary::kPeriodic;
  settings.rotation_invariant = true;
  EXPECT_NEAR(separable_wavelet_filter(constant, settings).values[17], 0.0, 1e-5);
  settings.bands = "LLL";
  EXPECT_NEAR(separable_wavelet_filter(constant, settings).values[17], 2.0 * 8.0, 1e-4);
  settings.bands = "LX";
  EXPECT_THROW(separable_wavelet_filter(constant, settings), InvalidInputError);
  settings.bands = "LLL";
  settings.wavelet = "sym9";
  EXPECT_THROW(separable_wavelet_filter(constant, settings), InvalidInputError);
}

TEST(GaborFilter, ImpulseResponseIsTheRotatedGaussianEnvelope) {
  // |g| = exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)); spacing 2 mm, so sigma 4 mm = 2 voxels.
  ImageVolume impulse = image_of({9, 7, 2});
  impulse.at(4, 3, 1) = 3.0f;
  GaborFilterSettings settings;
  settings.sigma_mm = 4.0;
  settings.wavelength_mm = 6.0;
  settings.spatial_aspect_ratio = 0.5;
  settings.orientation_rad = std::numbers::pi / 2.0;  // x' = y, y' = -x
  const ImageVolume response = gabor_filter(impulse, settings);
  const auto envelope = [](double x, double y) {
    const double rotated_x = y, rotated_y = -x;
    return 3.0 * std::exp(-(rotated_x * rotated_x + 0.25 * rotated_y * rotated_y) / 8.0);
  };
  EXPECT_NEAR(response.at(4, 3, 1), envelope(0, 0), 1e-5);
  EXPECT_NEAR(response.at(6, 3, 1), envelope(2, 0), 1e-5);
  EXPECT_NEAR(response.at(4, 5, 1), envelope(0, 2), 1e-5);
  EXPECT_NEAR(response.at(1, 0, 1), envelope(-3, -3), 1e-5);
  // Slices are filtered separately: the other slice stays zero.
  EXPECT_NEAR(response.at(4, 3, 0), 0.0, 1e-6);
  // With the orthogonal planes, the impulse also spreads to the other slice (mean of 3 planes).
  settings.orthogonal_planes = true;
  EXPECT_GT(gabor_filter(impulse, settings).at(4, 3, 0), 0.01);
  settings.sigma_mm = 0.0;
  EXPECT_THROW(gabor_filter(impulse, settings), InvalidInputError);
}

// A plane wave cos(2 pi f i / n) along i on an n x 3 x 3 grid. With n odd the IBSI frequency
// grid is symmetric and the wave's two FFT bins sit at w_i = +-f / ((n - 1) / 2), w_j = w_k = 0.
ImageVolume plane_wave_along_i(int64_t n, int64_t f) {
  ImageVolume image = image_of({n, 3, 3});
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t i = 0; i < n; ++i) {
        image.at(i, j, k) = static_cast<float>(
            std::cos(2.0 * std::numbers::pi * static_cast<double>(f * i) / static_cast<double>(n)));
      }
    }
  }
  return image;
}

TEST(SimoncelliFilter, PlaneWavesAreScaledByTheRadialProfile) {
  // n = 17: bin f has |w| = f / 8. H(d) = cos(pi/2 log2(2 d / d_max)), d_max = 2^-(level-1).
  SimoncelliFilterSettings settings;
  settings.boundary = FilterBoundary::kPeriodic;
  const auto gain = [&settings](int64_t f) {
    const ImageVolume wave = plane_wave_along_i(17, f);
    const ImageVolume response = simoncelli_wavelet_filter(wave, settings);
    double dot = 0.0, norm = 0.0;
    for (size_t v = 0; v < wave.values.size(); ++v) {
      dot += static_cast<double>(response.values[v]) * wave.values[v];
      norm += static_cast<double>(wave.values[v]) * wave.values[v];
    }
    // The response is the same wave: the residual after removing the scaled wave vanishes.
    double residual = 0.0;
    for (size_t v = 0; v < wave.values.size(); ++v) {
      residual = std::max(residual, std::abs(response.values[v] - dot / norm * wave.values[v]));
    }
    EXPECT_LT(residual, 1e-5) << "f = " << f;
    return dot / norm;
  };
  // Level 1: d = 1/2 is the peak (H = 1), d = 1/4 the lower edge (H = 0), d = 3/4 in between.
  EXPECT_NEAR(gain(4), 1.0, 1e-6);
  EXPECT_NEAR(gain(2), 0.0, 1e-6);
  EXPECT_NEAR(gain(6), std::cos(std::numbers::pi / 2.0 * std::log2(1.5)), 1e-6);
  EXPECT_NEAR(gain(1), 0.0, 1e-6);
  // Level 2 halves the band: the peak moves to d = 1/4.
  settings.level = 2;
  EXPECT_NEAR(gain(2), 1.0, 1e-6);
  EXPECT_NEAR(gain(4), 0.0, 1e-6);
  // A constant image has no band-pass content.
  settings.level = 1;
  const ImageVolume constant = image_of({9, 9, 9}, 5.0f);
  for (const float value : simoncelli_wavelet_filter(constant, settings).values) {
    EXPECT_NEAR(value, 0.0, 1e-5);
  }
  settings.level = 0;
  EXPECT_THROW(simoncelli_wavelet_filter(constant, settings), InvalidInputError);
}

TEST(SimoncelliFilter, InPlaneFilteringIgnoresTheSliceAxis) {
  // The wave along i on a 17 x 3 x 3 grid, and the same wave laid along k (3 x 3 x 17): in
  // plane, the first is kept whole (|w| = 1/2, H = 1) and the second is constant in every slice,
  // so it vanishes; in 3D both are kept.
  const ImageVolume along_i = plane_wave_along_i(17, 4);
  ImageVolume along_k = image_of({3, 3, 17});
  for (int64_t k = 0; k < 17; ++k) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t i = 0; i < 3; ++i) along_k.at(i, j, k) = along_i.at(k, 0, 0);
    }
  }
  SimoncelliFilterSettings settings;
  settings.in_plane = true;
  const ImageVolume kept = simoncelli_wavelet_filter(along_i, settings);
  const ImageVolume removed = simoncelli_wavelet_filter(along_k, settings);
  settings.in_plane = false;
  const ImageVolume kept_3d = simoncelli_wavelet_filter(along_k, settings);
  for (size_t v = 0; v < along_i.values.size(); ++v) {
    EXPECT_NEAR(kept.values[v], along_i.values[v], 1e-5);
    EXPECT_NEAR(removed.values[v], 0.0, 1e-5);
    EXPECT_NEAR(kept_3d.values[v], along_k.values[v], 1e-5);
  }
}

TEST(RieszFilter, FirstOrderTurnsACosineIntoASineAlongItsAxis) {
  // R^(1,0,0) multiplies bin +w by -i and bin -w by +i: cos -> sin (the Hilbert transform along
  // i); a transform along j sees w_j = 0 and returns 0; the second order along i gives
  // (-i)^2 = -1 times the wave. The Simoncelli base at |w| = 1/2 (f = 4 of 17) has gain 1.
  const ImageVolume wave = plane_wave_along_i(17, 4);
  RieszFilterSettings settings;
  settings.base_filter = RieszBaseFilter::kSimoncelli;
  settings.boundary = FilterBoundary::kPeriodic;
  settings.order = {1, 0, 0};
  const ImageVolume first_i = riesz_filter(wave, settings);
  settings.order = {0, 1, 0};
  const ImageVolume first_j = riesz_filter(wave, settings);
  settings.order = {2, 0, 0};
  const ImageVolume second_i = riesz_filter(wave, settings);
  for (int64_t i = 0; i < 17; ++i) {
    const double phase = 2.0 * std::numbers::pi * 4.0 * static_cast<double>(i) / 17.0;
    EXPECT_NEAR(first_i.at(i, 1, 1), std::sin(phase), 1e-5) << i;
    EXPECT_NEAR(first_j.at(i, 1, 1), 0.0, 1e-5) << i;
    EXPECT_NEAR(second_i.at(i, 2, 0), -std::cos(phase), 1e-5) << i;
  }
}

TEST(RieszFilter, SecondOrderTransformsSumToMinusTheLaplacianOfGaussian) {
  // sum_a R^(2 e_a)(w) = (-i)^2 sum_a w_a^2 / |w|^2 = -1 except at w = 0, so on an odd periodic
  // grid the three second-order transforms of the LoG response add up to -(LoG - mean(LoG)).
  ImageVolume image = image_of({11, 11, 11});
  std::mt19937 random(11);
  std::uniform_real_distribution<float> value(0.0f, 100.0f);
  for (float& v : image.values) v = value(random);
  RieszFilterSettings settings;
  settings.log_sigma_mm = 3.0;
  settings.boundary = FilterBoundary::kPeriodic;
  const ImageVolume log =
      laplacian_of_gaussian_filter(image, 3.0, 4.0, false, FilterBoundary::kPeriodic);
  double mean = 0.0;
  for (const float v : log.values) mean += v;
  mean /= static_cast<double>(log.values.size());
  std::vector<double> sum(image.values.size(), 0.0);
  for (size_t axis = 0; axis < 3; ++axis) {
    settings.order = {0, 0, 0};
    settings.order[axis] = 2;
    const ImageVolume term = riesz_filter(image, settings);
    for (size_t v = 0; v < sum.size(); ++v) sum[v] += term.values[v];
  }
  for (size_t v = 0; v < sum.size(); ++v) EXPECT_NEAR(sum[v], -(log.values[v] - mean), 1e-4);
}

TEST(RieszFilter, ZeroPaddedImpulseResponseIsOddAlongTheTransformAxis) {
  // First-order transform along i of the LoG of a centred impulse: odd in i, even in j and k,
  // zero on the plane i = centre (zero boundary; the 9^3 image is padded to 17^3, an odd grid).
  ImageVolume impulse = image_of({9, 9, 9});
  impulse.at(4, 4, 4) = 100.0f;
  RieszFilterSettings settings;
  settings.order = {1, 0, 0};
  settings.boundary = FilterBoundary::kZero;
  const ImageVolume response = riesz_filter(impulse, settings);
  EXPECT_GT(std::abs(response.at(5, 4, 4)), 0.1);
  for (int64_t k = 0; k < 9; ++k) {
    for (int64_t j = 0; j < 9; ++j) {
      EXPECT_NEAR(response.at(4, j, k), 0.0, 1e-5);
      for (int64_t r = 1; r <= 4; ++r) {
        EXPECT_NEAR(response.at(4 + r, j, k), -response.at(4 - r, j, k), 1e-5);
        EXPECT_NEAR(response.at(4 + r, j, k), response.at(4 + r, 8 - j, k), 1e-5);
        EXPECT_NEAR(response.at(4 + r, j, k), response.at(4 + r, j, 8 - k), 1e-5);
      }
    }
  }
  settings.order = {0, 0, 1};
  settings.in_plane = true;
  EXPECT_THROW(riesz_filter(impulse, settings), InvalidInputError);
  settings.in_plane = false;
  settings.order = {0, 0, 0};
  EXPECT_THROW(riesz_filter(impulse, settings), InvalidInputError);
}

// A plane wave cos(2 pi (a i + b j) / n) on an n x n x 3 grid (constant along k), exactly periodic.
ImageVolume plane_wave(int64_t n, int64_t a, int64_t b) {
  ImageVolume image = image_of({n, n, 3});
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < n; ++i) {
        image.at(i, j, k) = static_cast<float>(std::cos(
            2.0 * std::numbers::pi * static_cast<double>(a * i + b * j) / static_cast<double>(n)));
      }
    }
  }
  return image;
}

RieszFilterSettings aligned_simoncelli(std::array<int, 3> order) {
  RieszFilterSettings settings;
  settings.base_filter = RieszBaseFilter::kSimoncelli;
  settings.simoncelli_level = 3;  // band |w| in [1/16, 1/4]: the waves below sit inside it
  settings.boundary = FilterBoundary::kPeriodic;
  settings.order = order;
  settings.aligned = true;
  settings.structure_tensor_sigma_mm = 2.0;
  return settings;
}

// For a plane wave along d the structure tensor's dominant direction is d, so the aligned
// second-order transform multiplies the wave's frequencies by -(d . w)^2/|w|^2 = -1 at every
// orientation: minus the base response. The unaligned (2, 0, 0) gives -(d_i)^2 times it.
TEST(AlignedRieszFilter, SecondOrderOfAPlaneWaveIsMinusTheBaseAtAnyOrientation) {
  const int64_t n = 33;
  for (const auto& [a, b] : std::vector<std::pair<int64_t, int64_t>>{
           {2, 0}, {0, 2}, {1, 2}, {2, 1}, {2, -1}, {-1, 2}, {2, 2}}) {
    const ImageVolume wave = plane_wave(n, a, b);
    SimoncelliFilterSettings base_settings;
    base_settings.level = 3;
    const ImageVolume base = simoncelli_wavelet_filter(wave, base_settings);
    float amplitude = 0.0f;
    for (const float v : base.values) amplitude = std::max(amplitude, std::abs(v));
    ASSERT_GT(amplitude, 0.1f) << a << "," << b;
    RieszFilterSettings settings = aligned_simoncelli({2, 0, 0});
    const ImageVolume aligned = riesz_filter(wave, settings);
    // In plane (2 x 2 tensor over i, j) the wave, constant along k, gives the same response.
    settings.in_plane = true;
    const ImageVolume aligned_in_plane = riesz_filter(wave, settings);
    settings.in_plane = false;
    settings.aligned = false;
    const ImageVolume fixed = riesz_filter(wave, settings);
    const double cos_squared = static_cast<double>(a * a) / static_cast<double>(a * a + b * b);
    double aligned_error = 0.0, fixed_error = 0.0, fixed_model_error = 0.0;
    double in_plane_error = 0.0;
    for (size_t v = 0; v < wave.values.size(); ++v) {
      in_plane_error =
          std::max(in_plane_error, std::abs(double{aligned_in_plane.values[v]} + base.values[v]));
      aligned_error = std::max(aligned_error, std::abs(double{aligned.values[v]} + base.values[v]));
      fixed_error = std::max(fixed_error, std::abs(double{fixed.values[v]} + base.values[v]));
      fixed_model_error =
          std::max(fixed_model_error, std::abs(fixed.values[v] + cos_squared * base.values[v]));
    }
    // Central differences turn the direction by < 1 degree at these frequencies.
    EXPECT_LT(aligned_error, 0.01 * amplitude) << a << "," << b;
    EXPECT_LT(in_plane_error, 0.01 * amplitude) << a << "," << b << " in plane";
    EXPECT_LT(fixed_model_error, 1e-4 * amplitude) << a << "," << b;
    if (b != 0) {
      EXPECT_GT(fixed_error, 0.1 * amplitude) << a << "," << b;
    }
  }
}

// The aligned first-order transform is the first-order Riesz vector (R_i, R_j, R_k) projected
// on the dominant direction; for a plane wave that vector is parallel to it, so the aligned
// response has its full length |R| at every voxel and orientation.
TEST(AlignedRieszFilter, FirstOrderOfAPlaneWaveIsTheRieszVectorLength) {
  const int64_t n = 33;
  for (const auto& [a, b] :
       std::vector<std::pair<int64_t, int64_t>>{{2, 0}, {1, 2}, {2, -1}, {2, 2}}) {
    const ImageVolume wave = plane_wave(n, a, b);
    RieszFilterSettings settings = aligned_simoncelli({1, 0, 0});
    const ImageVolume aligned = riesz_filter(wave, settings);
    settings.aligned = false;
    std::array<ImageVolume, 3> components;
    for (size_t axis = 0; axis < 3; ++axis) {
      settings.order = {0, 0, 0};
      settings.order[axis] = 1;
      components[axis] = riesz_filter(wave, settings);
    }
    double largest = 0.0, error = 0.0;
    for (size_t v = 0; v < wave.values.size(); ++v) {
      const double length =
          std::sqrt(std::pow(components[0].values[v], 2) + std::pow(components[1].values[v], 2) +
                    std::pow(components[2].values[v], 2));
      largest = std::max(largest, length);
      error = std::max(error, std::abs(std::abs(aligned.values[v]) - length));
    }
    ASSERT_GT(largest, 0.1) << a << "," << b;
    EXPECT_LT(error, 0.01 * largest) << a << "," << b;
  }
}

// Rotating a pattern by 90 degrees in plane (exact on an odd periodic grid, whose frequency
// samples are symmetric) rotates the aligned responses with it: the frame turns with the
// structure. Two crossing waves give a structure tensor with distinct eigenvalues almost
// everywhere; the sign of odd orders follows the eigenvector sign convention, so first order is
// compared in magnitude. An unaligned (1, 0, 0) is not rotation covariant (it becomes (0, 1, 0)).
TEST(AlignedRieszFilter, RightAngleRotationRotatesTheAlignedResponse) {
  const int64_t n = 33;
  ImageVolume pattern = plane_wave(n, 1, 2);
  const ImageVolume second_wave = plane_wave(n, 3, -1);
  for (size_t v = 0; v < pattern.values.size(); ++v) {
    pattern.values[v] += 0.5f * second_wave.values[v];
  }
  ImageVolume rotated = pattern;
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < n; ++i) rotated.at(i, j, k) = pattern.at(n - 1 - j, i, k);
    }
  }
  for (const bool aligned : {true, false}) {
    for (const std::array<int, 3> order :
         {std::array<int, 3>{1, 0, 0}, std::array<int, 3>{2, 0, 0}}) {
      RieszFilterSettings settings = aligned_simoncelli(order);
      settings.aligned = aligned;
      const ImageVolume response = riesz_filter(pattern, settings);
      const ImageVolume response_of_rotated = riesz_filter(rotated, settings);
      double largest = 0.0;
      for (const float v : response.values) largest = std::max(largest, std::abs(double{v}));
      ASSERT_GT(largest, 0.01);
      size_t agreeing = 0;
      for (int64_t k = 0; k < 3; ++k) {
        for (int64_t j = 0; j < n; ++j) {
          for (int64_t i = 0; i < n; ++i) {
            double expected = response.at(n - 1 - j, i, k);
            double actual = response_of_rotated.at(i, j, k);
            if (order[0] == 1) {
              expected = std::abs(expected);
              actual = std::abs(actual);
            }
            agreeing += std::abs(actual - expected) <= 1e-3 * largest ? 1 : 0;
          }
        }
      }
      const double fraction = static_cast<double>(agreeing) / static_cast<double>(n * n * 3);
      if (aligned) {
        EXPECT_GT(fraction, 0.99) << "order " << order[0];
      } else {
        EXPECT_LT(fraction, 0.9) << "order " << order[0];
      }
    }
  }
}

TEST(AlignedRieszFilter, SettingsJsonAndErrors) {
  const RadiomicsSettings settings = radiomics_settings_from_json(
      R"({"families": ["statistics"], "filter": {"kind": "riesz", "base_filter": "simoncelli",
          "level": 2, "order": [0, 2, 0], "aligned": true, "structure_tensor_sigma_mm": 3.5}})");
  EXPECT_TRUE(settings.filter.riesz.aligned);
  EXPECT_EQ(settings.filter.riesz.structure_tensor_sigma_mm, 3.5);
  const RadiomicsSettings again =
      radiomics_settings_from_json(radiomics_settings_to_json(settings));
  EXPECT_TRUE(again.filter.riesz.aligned);
  EXPECT_EQ(again.filter.riesz.structure_tensor_sigma_mm, 3.5);
  EXPECT_FALSE(
      radiomics_settings_from_json(R"({"families": ["statistics"], "filter": {"kind": "riesz"}})")
          .filter.riesz.aligned);
  RieszFilterSettings bad = aligned_simoncelli({1, 0, 0});
  bad.structure_tensor_sigma_mm = -1.0;
  EXPECT_THROW(riesz_filter(plane_wave(9, 1, 0), bad), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace::radiomics
