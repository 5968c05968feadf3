#include <gtest/gtest.h>

#include <cmath>

#include "radiomics/first_order.h"
#include "radiomics/processing.h"

namespace oncotrace::radiomics::detail {
namespace {

TEST(InterpolationGrid, CentreAlignedSamplesOfTheCtPhantom) {
  // CT phantom: 204 x 201 x 60 voxels of 0.977 x 0.977 x 3 mm to 2 mm -> 100 x 99 x 90
  // (radiomics-ibsi.md §3.2).
  EXPECT_EQ(centre_aligned_samples(204, 0.977, 2.0).count, 100);
  EXPECT_EQ(centre_aligned_samples(201, 0.977, 2.0).count, 99);
  const AxisSamples z = centre_aligned_samples(60, 3.0, 2.0);
  EXPECT_EQ(z.count, 90);
  EXPECT_NEAR(z.step, 2.0 / 3.0, 1e-15);
  // first = ((n - 1) - step (count - 1)) / 2 = (59 - 89 * 2/3) / 2.
  EXPECT_NEAR(z.first, (59.0 - 89.0 * 2.0 / 3.0) / 2.0, 1e-12);
  // The grids share their centre: first + step (count - 1) / 2 = (n - 1) / 2.
  EXPECT_NEAR(z.first + z.step * (z.count - 1) / 2.0, 29.5, 1e-12);
}

TEST(Interpolation, LinearReproducesARampAndPadsWithTheEdgeValue) {
  const Index3 size{6, 1, 1};
  const std::vector<double> ramp{0, 10, 20, 30, 40, 50};
  const std::array<AxisSamples, 3> samples{AxisSamples{5, -0.5, 1.5}, AxisSamples{1, 0, 1},
                                           AxisSamples{1, 0, 1}};
  const std::vector<double> result = resample(ramp, size, samples, InterpolationMethod::kLinear);
  // Positions -0.5 (padded: 0), 1, 2.5, 4, 5.5 (padded: 50).
  const std::vector<double> expected{0, 10, 25, 40, 50};
  ASSERT_EQ(result.size(), expected.size());
  for (size_t v = 0; v < expected.size(); ++v) EXPECT_NEAR(result[v], expected[v], 1e-12);
}

TEST(Interpolation, CubicSplineInterpolatesAndReproducesQuadraticsInside) {
  const Index3 size{40, 1, 1};
  std::vector<double> quadratic(40);
  for (int x = 0; x < 40; ++x) quadratic[static_cast<size_t>(x)] = 0.5 * x * x - 3.0 * x + 2.0;
  // At the sample points themselves the interpolating spline returns the samples.
  const std::array<AxisSamples, 3> identity{AxisSamples{40, 0.0, 1.0 + 1e-15}, AxisSamples{1, 0, 1},
                                            AxisSamples{1, 0, 1}};
  const std::vector<double> same =
      resample(quadratic, size, identity, InterpolationMethod::kCubicSpline);
  for (size_t v = 0; v < 40; ++v) EXPECT_NEAR(same[v], quadratic[v], 1e-9);
  // Between samples, far from the boundary, a cubic spline reproduces a quadratic exactly.
  const std::array<AxisSamples, 3> between{AxisSamples{5, 15.25, 2.0}, AxisSamples{1, 0, 1},
                                           AxisSamples{1, 0, 1}};
  const std::vector<double> result =
      resample(quadratic, size, between, InterpolationMethod::kCubicSpline);
  for (int m = 0; m < 5; ++m) {
    const double x = 15.25 + 2.0 * m;
    // Up to the mirror boundary's influence, which decays as 0.27^distance.
    EXPECT_NEAR(result[static_cast<size_t>(m)], 0.5 * x * x - 3.0 * x + 2.0, 1e-6);
  }
}

TEST(Interpolation, SeparablePassesEqualTrilinearWeights) {
  const Index3 size{3, 3, 3};
  std::vector<double> values(27);
  for (size_t v = 0; v < 27; ++v) values[v] = static_cast<double>((v * 7) % 11);
  const std::array<AxisSamples, 3> samples{AxisSamples{1, 0.25, 1}, AxisSamples{1, 1.5, 1},
                                           AxisSamples{1, 0.75, 1}};
  const double result = resample(values, size, samples, InterpolationMethod::kLinear)[0];
  double expected = 0.0;
  const auto at = [&](int i, int j, int k) {
    return values[static_cast<size_t>(i) +
                  3 * (static_cast<size_t>(j) + 3 * static_cast<size_t>(k))];
  };
  for (int di = 0; di < 2; ++di) {
    for (int dj = 0; dj < 2; ++dj) {
      for (int dk = 0; dk < 2; ++dk) {
        const double w = (di ? 0.25 : 0.75) * 0.5 * (dk ? 0.75 : 0.25);  // j: 0.5 either way
        expected += w * at(di, 1 + dj, dk);
      }
    }
  }
  EXPECT_NEAR(result, expected, 1e-12);
}

TEST(Interpolation, ResampledGeometryIsCentred) {
  Geometry geometry;
  geometry.size = {10, 10, 4};
  geometry.spacing_mm = {1, 1, 3};
  geometry.origin_mm = {0, 0, 0};
  std::array<AxisSamples, 3> samples;
  for (size_t a = 0; a < 3; ++a) {
    samples[a] = centre_aligned_samples(geometry.size[a], geometry.spacing_mm[a], 2.0);
  }
  const Geometry result = resampled_geometry(geometry, samples);
  EXPECT_EQ(result.size, (Index3{5, 5, 6}));
  // Centres coincide: old centre (4.5, 4.5, 4.5 mm), new centre origin + 2 * (n - 1) / 2.
  EXPECT_NEAR(result.origin_mm[0] + 2.0 * 2.0, 4.5, 1e-12);
  EXPECT_NEAR(result.origin_mm[2] + 2.0 * 2.5, 4.5, 1e-12);
}

TEST(Resegmentation, RangeAndOutliersIntersect) {
  // Values 0..99 plus one outlier at 10000; range [10, 2000].
  std::vector<double> values;
  values.reserve(101);
  for (int v = 0; v < 100; ++v) values.push_back(v);
  values.push_back(10000.0);
  const std::vector<uint8_t> roi(values.size(), 1);
  ResegmentationSettings range_only;
  range_only.range_min = 10.0;
  range_only.range_max = 2000.0;
  const auto ranged = resegment(values, roi, range_only);
  EXPECT_EQ(std::count(ranged.begin(), ranged.end(), 1), 90);
  // mean = (4950 + 10000) / 101 = 148.0, SD ~ 985: mean + 3 SD ~ 3104 excludes nothing in range
  // except the outlier, which the range already removed; mean - 3 SD < 10.
  ResegmentationSettings both = range_only;
  both.outlier_filter = true;
  EXPECT_EQ(resegment(values, roi, both), ranged);
  // 1 SD: [148 - 985, 148 + 985] keeps 0..99 but not 10000.
  ResegmentationSettings outliers;
  outliers.outlier_filter = true;
  outliers.outlier_sigma = 1.0;
  const auto filtered = resegment(values, roi, outliers);
  EXPECT_EQ(std::count(filtered.begin(), filtered.end(), 1), 100);
  EXPECT_EQ(filtered.back(), 0);
}

RoiGrid line_roi(const std::vector<double>& values) {
  RoiGrid roi;
  roi.size = {static_cast<int64_t>(values.size()) + 2, 3, 3};
  roi.intensity.assign(roi.voxel_count(), 0.0);
  roi.intensity_mask.assign(roi.voxel_count(), 0);
  for (size_t v = 0; v < values.size(); ++v) {
    roi.intensity[roi.offset(static_cast<int64_t>(v) + 1, 1, 1)] = values[v];
    roi.intensity_mask[roi.offset(static_cast<int64_t>(v) + 1, 1, 1)] = 1;
  }
  roi.morphological_mask = roi.intensity_mask;
  return roi;
}

TEST(Discretisation, FixedBinSizeStartsAtTheRangeLowerBound) {
  // radiomics-ibsi.md §3.6: FBS 25 HU from -1000 puts 25 HU in bin floor(1025/25) + 1 = 42.
  const RoiGrid roi = line_roi({-1000, 25, 399});
  DiscretisationSettings settings;
  settings.method = DiscretisationMethod::kFixedBinSize;
  settings.bin_width = 25.0;
  ResegmentationSettings range;
  range.range_min = -1000.0;
  const GreyLevelGrid grid = discretise(roi, settings, range);
  EXPECT_EQ(grid.level[roi.offset(1, 1, 1)], 1);
  EXPECT_EQ(grid.level[roi.offset(2, 1, 1)], 42);
  EXPECT_EQ(grid.level[roi.offset(3, 1, 1)], 56);
  EXPECT_EQ(grid.n_levels, 56);
  EXPECT_EQ(grid.level[roi.offset(0, 0, 0)], 0);
}

TEST(Discretisation, FixedBinNumberMapsTheMaximumToTheLastBin) {
  const RoiGrid roi = line_roi({0.0, 0.5, 1.0, 2.0});
  DiscretisationSettings settings;
  settings.method = DiscretisationMethod::kFixedBinNumber;
  settings.bin_count = 4;
  const GreyLevelGrid grid = discretise(roi, settings, {});
  // floor(4 (x - 0) / 2) + 1: 0 -> 1, 0.5 -> 2, 1 -> 3, 2 (the maximum) -> 4.
  EXPECT_EQ(grid.level[roi.offset(1, 1, 1)], 1);
  EXPECT_EQ(grid.level[roi.offset(2, 1, 1)], 2);
  EXPECT_EQ(grid.level[roi.offset(3, 1, 1)], 3);
  EXPECT_EQ(grid.level[roi.offset(4, 1, 1)], 4);
  EXPECT_EQ(grid.n_levels, 4);
}

TEST(Percentiles, LinearInterpolationBetweenOrderStatistics) {
  const std::vector<double> sorted{1, 2, 3, 4, 10};
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 0.9), 4.0 + 0.6 * 6.0);
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 0.0), 1.0);
}

std::map<std::string, double> as_map(FeatureList& list) {
  std::map<std::string, double> values;
  for (const Feature& feature : list.features()) values[feature.tag] = feature.value;
  return values;
}

TEST(IntensityVolumeHistogram, DiscreteLevelsIncludeAbsentOnes) {
  // Levels 1 (x2), 3, 6 over G = [1, 6]: nu_1 = 1, nu_2 = nu_3 = 0.5, nu_4..6 = 0.25.
  IvhSettings settings;
  const IvhBins bins = discretise_for_ivh({1, 1, 3, 6}, settings, {});
  EXPECT_EQ(bins.bin_count, 6);
  FeatureList list;
  add_ivh_features(bins, list);
  auto values = as_map(list);
  // V10: first level with gamma >= 0.1 is 2 (gamma 0.2) -> 0.5; V90: level 6 -> 0.25.
  EXPECT_DOUBLE_EQ(values["ivh_v10"], 0.5);
  EXPECT_DOUBLE_EQ(values["ivh_v90"], 0.25);
  // I10: no level has nu <= 0.1 -> the maximum, 6; I90: first nu <= 0.9 is level 2.
  EXPECT_DOUBLE_EQ(values["ivh_i10"], 6.0);
  EXPECT_DOUBLE_EQ(values["ivh_i90"], 2.0);
}

TEST(IntensityVolumeHistogram, ContinuousBinsAreRepresentedByTheirCentres) {
  IvhSettings settings;
  settings.intensity_type = IntensityType::kContinuousCalibrated;
  settings.bin_width = 2.5;
  ResegmentationSettings range;
  range.range_min = -1000.0;
  range.range_max = 400.0;
  const IvhBins bins = discretise_for_ivh({-1000.0, 0.0, 399.0}, settings, range);
  EXPECT_EQ(bins.bin_count, 560);
  EXPECT_DOUBLE_EQ(bins.first_value, -998.75);
  EXPECT_EQ(bins.bin[1], 400);  // floor(1000 / 2.5)
  EXPECT_EQ(bins.bin[2], 559);
}

TEST(IntensityHistogram, ModeTiesGoToTheLevelNearestTheMean) {
  FeatureList list;
  // Levels 1, 1, 4, 4, 3: counts tie between 1 and 4; mean 2.6 -> 4 is nearer? |4-2.6| = 1.4,
  // |1-2.6| = 1.6 -> 4.
  add_intensity_histogram_features({1, 1, 4, 4, 3}, 4, list);
  EXPECT_EQ(as_map(list)["ih_mode"], 4.0);
}

}  // namespace
}  // namespace oncotrace::radiomics::detail
