#include "phantom/image_physics.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <numeric>

namespace oncotrace::phantom {
namespace {

ImageVolume make_image(Index3 size, double spacing_mm, float fill) {
  Geometry grid;
  grid.size = size;
  grid.spacing_mm = {spacing_mm, spacing_mm, spacing_mm};
  return ImageVolume(grid, fill);
}

double total(const ImageVolume& image) {
  return std::accumulate(image.values.begin(), image.values.end(), 0.0);
}

TEST(GaussianTest, SigmaFromFwhm) {
  // FWHM = 2 sqrt(2 ln 2) sigma = 2.35482 sigma.
  EXPECT_NEAR(gaussian_sigma_from_fwhm(2.354820045), 1.0, 1e-9);
}

TEST(GaussianTest, KernelIsNormalisedSymmetricAndTruncatedAtFourSigma) {
  const std::vector<double> kernel = gaussian_kernel(1.5);
  EXPECT_EQ(kernel.size(), 2u * 6 + 1);
  EXPECT_NEAR(std::accumulate(kernel.begin(), kernel.end(), 0.0), 1.0, 1e-14);
  for (size_t t = 0; t < kernel.size(); ++t) EXPECT_EQ(kernel[t], kernel[kernel.size() - 1 - t]);
  EXPECT_EQ(gaussian_kernel(0.0), std::vector<double>{1.0});
}

TEST(BlurTest, ConservesTheTotalEvenForASourceAtTheEdge) {
  ImageVolume image = make_image({20, 17, 9}, 4.0, 0.0f);
  image.at(0, 0, 0) = 1000.0f;  // corner: most of its blur falls outside without mirroring
  image.at(10, 8, 4) = 500.0f;
  image.at(19, 3, 8) = 250.0f;
  const ImageVolume blurred = gaussian_blur(image, 10.0);
  EXPECT_NEAR(total(blurred), 1750.0, 1750.0 * 1e-6);
  EXPECT_LT(blurred.at(10, 8, 4), 500.0f);  // it did blur
}

TEST(BlurTest, KeepsAUniformImageUniform) {
  const ImageVolume blurred = gaussian_blur(make_image({12, 9, 7}, 2.0, 42.0f), 6.0);
  for (float v : blurred.values) EXPECT_NEAR(v, 42.0f, 42.0f * 1e-6);
}

TEST(BlurTest, PointSourceHasTheRequestedWidth) {
  // A point source blurred with FWHM 8 mm on 1 mm voxels: its profile along x has the variance
  // sigma^2 = (8 / 2.35482)^2 = 11.54 mm^2.
  ImageVolume image = make_image({41, 41, 41}, 1.0, 0.0f);
  image.at(20, 20, 20) = 1.0f;
  const ImageVolume blurred = gaussian_blur(image, 8.0);
  double sum = 0.0, second = 0.0;
  for (int64_t i = 0; i < 41; ++i) {
    sum += blurred.at(i, 20, 20);
    second += blurred.at(i, 20, 20) * (i - 20.0) * (i - 20.0);
  }
  EXPECT_NEAR(second / sum, std::pow(8.0 / 2.354820045, 2), 0.01);
}

TEST(NoiseTest, SameSeedSameBytesWhateverTheThreadCount) {
  const ImageVolume clean = make_image({32, 32, 16}, 4.0, 5000.0f);
  ImageVolume single = clean, several = clean, other = clean;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    add_counting_noise(&single, 0.01, 77);
  }
  add_counting_noise(&several, 0.01, 77);
  add_counting_noise(&other, 0.01, 78);
  EXPECT_EQ(single.values, several.values);
  EXPECT_NE(single.values, other.values);
}

TEST(NoiseTest, VarianceFollowsTheCounts) {
  // N = C k = 5000 * 0.01 = 50 counts: relative sd 1/sqrt(50) = 14.1 %. With 65536 voxels the
  // sample sd is within 1 % of that (its relative standard error is 1/sqrt(2 * 65536)).
  ImageVolume image = make_image({64, 64, 16}, 4.0, 5000.0f);
  add_counting_noise(&image, 0.01, 5);
  double mean = 0.0;
  for (float v : image.values) mean += v;
  mean /= static_cast<double>(image.values.size());
  double variance = 0.0;
  for (float v : image.values) variance += (v - mean) * (v - mean);
  variance /= static_cast<double>(image.values.size() - 1);
  EXPECT_NEAR(mean, 5000.0, 5000.0 * 0.002);
  EXPECT_NEAR(std::sqrt(variance), std::sqrt(5000.0 / 0.01), std::sqrt(5000.0 / 0.01) * 0.015);
}

TEST(NoiseTest, ZeroActivityStaysZeroAndNothingIsNegative) {
  ImageVolume image = make_image({16, 16, 4}, 4.0, 0.0f);
  image.at(3, 3, 1) = 10.0f;  // one count expected: often clipped at 0
  add_counting_noise(&image, 0.1, 1);
  for (size_t v = 0; v < image.values.size(); ++v) {
    EXPECT_GE(image.values[v], 0.0f);
    if (v != image.geometry.offset(3, 3, 1)) {
      EXPECT_EQ(image.values[v], 0.0f);
    }
  }
}

TEST(SeedTest, MixingSeparatesStreams) {
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
  EXPECT_NE(mix_seed(1, 0), mix_seed(2, 0));
  EXPECT_EQ(mix_seed(9, 4), mix_seed(9, 4));
}

}  // namespace
}  // namespace oncotrace::phantom
