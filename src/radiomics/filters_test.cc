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

}  // namespace
}  // namespace oncotrace::radiomics
