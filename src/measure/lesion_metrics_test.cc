#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

#include "oncotrace/error.h"
#include "oncotrace/measure.h"

namespace oncotrace {
namespace {

Geometry grid_of(const Index3& size, const Vec3& spacing_mm) {
  Geometry grid;
  grid.size = size;
  grid.spacing_mm = spacing_mm;
  grid.origin_mm = {-100.0, -50.0, -800.0};
  return grid;
}

// Paints a ball of voxel centres within radius_mm of voxel `centre` with `value` and `label`.
void paint_ball(ImageVolume* image, LabelMap* labels, const Index3& centre, double radius_mm,
                float value, uint16_t label) {
  const Geometry& grid = image->geometry;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const double dx = (i - centre[0]) * grid.spacing_mm[0];
        const double dy = (j - centre[1]) * grid.spacing_mm[1];
        const double dz = (k - centre[2]) * grid.spacing_mm[2];
        if (dx * dx + dy * dy + dz * dz > radius_mm * radius_mm) continue;
        image->at(i, j, k) = value;
        if (labels != nullptr) labels->at(i, j, k) = label;
      }
    }
  }
}

TEST(LesionMetricsTest, UniformSphereStatisticsVolumeAndTlg) {
  // SUV 10 sphere, r = 15 mm, in background 1, 2 mm voxels.
  const Geometry grid = grid_of({32, 32, 32}, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  LabelMap labels(grid, 0);
  paint_ball(&image, &labels, {16, 16, 16}, 15.0, 10.0f, 1);
  size_t expected_voxels = 0;
  for (const uint16_t label : labels.values) expected_voxels += label == 1 ? 1 : 0;

  const std::vector<LesionMetrics> lesions = measure_lesions(image, labels);
  ASSERT_EQ(lesions.size(), 1u);
  const LesionMetrics& lesion = lesions[0];
  EXPECT_EQ(lesion.label, 1);
  EXPECT_EQ(lesion.voxel_count, expected_voxels);
  EXPECT_DOUBLE_EQ(lesion.volume_ml, expected_voxels * 0.008);
  // The voxelised ball approximates 4/3 pi 15^3 mm^3 = 14.137 mL within 2 %.
  EXPECT_NEAR(lesion.volume_ml, 4.0 / 3.0 * std::numbers::pi * 3.375, 0.02 * 14.137);
  EXPECT_DOUBLE_EQ(lesion.suv.max, 10.0);
  EXPECT_DOUBLE_EQ(lesion.suv.mean, 10.0);
  EXPECT_DOUBLE_EQ(lesion.suv.min, 10.0);
  EXPECT_DOUBLE_EQ(lesion.suv.median, 10.0);
  EXPECT_DOUBLE_EQ(lesion.suv.sd, 0.0);
  EXPECT_DOUBLE_EQ(lesion.tlg_g, 10.0 * lesion.volume_ml);
  ASSERT_EQ(lesion.suv.peaks.size(), 1u);
  EXPECT_EQ(lesion.suv.peaks[0].variant, "ibsi_global");
  EXPECT_DOUBLE_EQ(lesion.suv.peaks[0].value, 10.0);
  // Symmetric ball: centroid at the centre voxel.
  const Vec3 centre_mm = grid.index_to_world(16, 16, 16);
  for (int axis = 0; axis < 3; ++axis) EXPECT_NEAR(lesion.centroid_mm[axis], centre_mm[axis], 1e-9);
  // Longest diameter: all pairs of voxel centres by brute force. It lies between the axis
  // extremes (2 x 14 mm; 16 mm is outside r = 15 mm) and the sphere diameter 30 mm.
  double brute_force = 0.0;
  std::vector<Index3> voxels;
  for (int64_t k = 0; k < 32; ++k)
    for (int64_t j = 0; j < 32; ++j)
      for (int64_t i = 0; i < 32; ++i)
        if (labels.at(i, j, k) == 1) voxels.push_back({i, j, k});
  for (size_t a = 0; a < voxels.size(); ++a) {
    for (size_t b = a + 1; b < voxels.size(); ++b) {
      double d2 = 0.0;
      for (int axis = 0; axis < 3; ++axis) {
        const double d = 2.0 * static_cast<double>(voxels[a][axis] - voxels[b][axis]);
        d2 += d * d;
      }
      brute_force = std::max(brute_force, std::sqrt(d2));
    }
  }
  EXPECT_DOUBLE_EQ(lesion.longest_diameter_mm, brute_force);
  EXPECT_GE(lesion.longest_diameter_mm, 28.0);
  EXPECT_LE(lesion.longest_diameter_mm, 30.0);
}

TEST(LesionMetricsTest, StatisticsOfKnownValues) {
  // Five voxels 1, 2, 3, 4, 10 in a row: mean 4, median 3, population SD sqrt(10),
  // sample SD sqrt(12.5), hottest voxel the last.
  const Geometry grid = grid_of({7, 3, 3}, {3.0, 4.0, 5.0});
  ImageVolume image(grid, 0.5f);
  Mask region(grid, 0);
  const float values[5] = {1.0f, 2.0f, 3.0f, 4.0f, 10.0f};
  for (int64_t i = 0; i < 5; ++i) {
    image.at(i + 1, 1, 1) = values[i];
    region.at(i + 1, 1, 1) = 1;
  }
  LesionMetricsOptions options;
  options.peaks.clear();
  LesionMetrics lesion = measure_region(image, region, options);
  EXPECT_EQ(lesion.voxel_count, 5u);
  EXPECT_DOUBLE_EQ(lesion.volume_ml, 5 * 0.06);
  EXPECT_DOUBLE_EQ(lesion.suv.mean, 4.0);
  EXPECT_DOUBLE_EQ(lesion.suv.median, 3.0);
  EXPECT_DOUBLE_EQ(lesion.suv.sd, std::sqrt(10.0));
  EXPECT_EQ(lesion.suv.sd_kind, StandardDeviationKind::kPopulation);
  EXPECT_EQ(lesion.suv.hottest_index, (Index3{5, 1, 1}));
  const Vec3 hottest = grid.index_to_world(5, 1, 1);
  for (int axis = 0; axis < 3; ++axis) EXPECT_DOUBLE_EQ(lesion.suv.hottest_mm[axis], hottest[axis]);
  EXPECT_DOUBLE_EQ(lesion.tlg_g, 4.0 * 0.3);
  EXPECT_DOUBLE_EQ(lesion.longest_diameter_mm, 12.0);  // 4 voxels x 3 mm
  const Vec3 centroid = grid.index_to_world(3, 1, 1);
  for (int axis = 0; axis < 3; ++axis) EXPECT_DOUBLE_EQ(lesion.centroid_mm[axis], centroid[axis]);

  options.sd_kind = StandardDeviationKind::kSample;
  lesion = measure_region(image, region, options);
  EXPECT_DOUBLE_EQ(lesion.suv.sd, std::sqrt(12.5));
  EXPECT_EQ(lesion.suv.sd_kind, StandardDeviationKind::kSample);

  // Even count: the median is the mean of the two middle values (2 and 3).
  region.at(5, 1, 1) = 0;
  lesion = measure_region(image, region, options);
  EXPECT_DOUBLE_EQ(lesion.suv.median, 2.5);
}

TEST(LesionMetricsTest, SulStatisticsAndRatios) {
  const Geometry grid = grid_of({20, 20, 20}, {4.0, 4.0, 4.0});
  ImageVolume suv(grid, 1.0f);
  LabelMap labels(grid, 0);
  paint_ball(&suv, &labels, {10, 10, 10}, 10.0, 8.0f, 3);
  ImageVolume sul = suv;
  for (float& value : sul.values) value *= 0.75f;
  LesionMetricsOptions options;
  options.reference.liver = 2.0;
  options.reference.muscle = 0.5;
  const std::vector<LesionMetrics> lesions = measure_lesions(suv, labels, options, &sul);
  ASSERT_EQ(lesions.size(), 1u);
  const LesionMetrics& lesion = lesions[0];
  ASSERT_TRUE(lesion.sul.has_value());
  EXPECT_DOUBLE_EQ(lesion.sul->max, 6.0);
  EXPECT_DOUBLE_EQ(*lesion.tlg_sul_g, 6.0 * lesion.volume_ml);
  EXPECT_EQ(lesion.ratios.numerator, RatioNumerator::kMax);
  EXPECT_DOUBLE_EQ(*lesion.ratios.liver, 4.0);
  EXPECT_DOUBLE_EQ(*lesion.ratios.muscle, 16.0);
  EXPECT_FALSE(lesion.ratios.blood_pool.has_value());
  EXPECT_FALSE(lesion.ratios.spleen.has_value());

  options.reference.liver = 0.0;
  EXPECT_THROW(measure_lesions(suv, labels, options), InvalidInputError);
}

TEST(LesionMetricsTest, PatientSummary) {
  const Geometry grid = grid_of({40, 30, 30}, {4.0, 4.0, 4.0});
  ImageVolume image(grid, 1.0f);
  LabelMap labels(grid, 0);
  paint_ball(&image, &labels, {8, 10, 10}, 8.0, 6.0f, 1);
  paint_ball(&image, &labels, {30, 20, 12}, 8.0, 9.0f, 2);
  paint_ball(&image, &labels, {20, 8, 24}, 5.0, 4.0f, 5);
  const std::vector<LesionMetrics> lesions = measure_lesions(image, labels);
  ASSERT_EQ(lesions.size(), 3u);
  EXPECT_EQ(lesions[2].label, 5);
  const PatientMetrics patient = summarise_patient(lesions);
  EXPECT_EQ(patient.lesion_count, 3u);
  EXPECT_DOUBLE_EQ(patient.total_mtv_ml,
                   lesions[0].volume_ml + lesions[1].volume_ml + lesions[2].volume_ml);
  EXPECT_DOUBLE_EQ(patient.total_tlg_g, lesions[0].tlg_g + lesions[1].tlg_g + lesions[2].tlg_g);
  EXPECT_FALSE(patient.total_tlg_sul_g.has_value());
  EXPECT_EQ(patient.hottest_lesion_label, 2);
  EXPECT_DOUBLE_EQ(patient.hottest_lesion_suv_max, 9.0);
  // Centroids are the ball centres (balls are symmetric and inside the grid). Distances:
  // 1-2: 4 x (22, 10, 2) mm, 1-5: 4 x (12, -2, 14), 2-5: 4 x (-10, -12, 12).
  const double d12 = 4.0 * std::sqrt(22.0 * 22 + 10 * 10 + 2 * 2);
  EXPECT_NEAR(patient.dmax_mm, d12, 1e-9);
  EXPECT_EQ(patient.dmax_label_a, 1);
  EXPECT_EQ(patient.dmax_label_b, 2);
  EXPECT_EQ(summarise_patient({}).lesion_count, 0u);
  EXPECT_EQ(summarise_patient({}).hottest_lesion_label, 0);
}

TEST(LesionMetricsTest, BitIdenticalForOneAndTwoThreads) {
  const Geometry grid = grid_of({48, 40, 36}, {2.5, 2.5, 3.0});
  ImageVolume image(grid, 0.0f);
  std::mt19937 random(99);
  std::uniform_real_distribution<float> noise(0.5f, 2.0f);
  for (float& value : image.values) value = noise(random);
  LabelMap labels(grid, 0);
  for (uint16_t label = 1; label <= 8; ++label) {
    const Index3 centre{6 + 5 * (label - 1), 8 + 3 * (label % 5), 6 + 3 * label};
    paint_ball(&image, &labels, centre, 3.0 + label, 4.0f + label, label);
  }
  for (float& value : image.values) value += noise(random);  // noise inside the lesions too
  LesionMetricsOptions options;
  options.peaks = {ibsi_global_peak(), ibsi_local_peak(), region_restricted_global_peak(),
                   partial_volume_global_peak(), partial_volume_local_peak()};
  const auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return measure_lesions(image, labels, options);
  };
  const std::vector<LesionMetrics> one = run(1);
  const std::vector<LesionMetrics> two = run(2);
  ASSERT_EQ(one.size(), 8u);
  ASSERT_EQ(two.size(), one.size());
  const auto same_bits = [](double a, double b) {
    return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
  };
  for (size_t n = 0; n < one.size(); ++n) {
    EXPECT_TRUE(same_bits(one[n].suv.mean, two[n].suv.mean));
    EXPECT_TRUE(same_bits(one[n].suv.sd, two[n].suv.sd));
    EXPECT_TRUE(same_bits(one[n].tlg_g, two[n].tlg_g));
    EXPECT_TRUE(same_bits(one[n].longest_diameter_mm, two[n].longest_diameter_mm));
    for (int axis = 0; axis < 3; ++axis) {
      EXPECT_TRUE(same_bits(one[n].centroid_mm[axis], two[n].centroid_mm[axis]));
    }
    for (size_t p = 0; p < options.peaks.size(); ++p) {
      EXPECT_TRUE(same_bits(one[n].suv.peaks[p].value, two[n].suv.peaks[p].value));
      EXPECT_EQ(one[n].suv.peaks[p].centre_index, two[n].suv.peaks[p].centre_index);
    }
  }
}

TEST(LesionMetricsTest, RejectsMismatchedGrids) {
  const Geometry grid = grid_of({5, 5, 5}, {2.0, 2.0, 2.0});
  ImageVolume image(grid, 1.0f);
  Geometry shifted = grid;
  shifted.origin_mm[2] += 5.0;
  EXPECT_THROW(measure_lesions(image, LabelMap(shifted, 1)), InvalidInputError);
  EXPECT_THROW(measure_region(image, Mask(grid, 0)), InvalidInputError);
  ImageVolume sul(shifted, 1.0f);
  EXPECT_THROW(measure_lesions(image, LabelMap(grid, 1), {}, &sul), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
