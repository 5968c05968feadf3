// IBSI-2 filters on small synthetic images with hand-computed responses (the reference maps are
// checked in ibsi2_filter_test.cc).
#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace
}  // namespace oncotrace::radiomics
