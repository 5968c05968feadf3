#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <random>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/segment_test_phantoms.h"

namespace oncotrace {
namespace {

using segment_test::add_partial_volume_sphere;
using segment_test::cube_grid;
using segment_test::sphere_volume_ml;

size_t count_label(const LabelMap& labels, uint16_t label) {
  size_t count = 0;
  for (const uint16_t value : labels.values) count += value == label ? 1 : 0;
  return count;
}

TEST(LocalThresholdTest, FortyOnePercentRecoversSphereVolume) {
  // Uniform SUV 10 sphere (r = 15 mm, 14.137 mL) in background 1 on 2 mm voxels, with the
  // partial-volume effect of the voxel grid. A 41 % threshold (4.1) keeps voxels more than 34 %
  // inside the sphere; the volume error must stay within 5 %.
  ImageVolume image(cube_grid(32, 2.0), 1.0f);
  add_partial_volume_sphere(&image, {15.3, 16.1, 15.7}, 15.0, 10.0, 1.0);
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.per_lesion =
      LocalThresholdOptions{fraction_of_max_threshold(0.41), Connectivity::kVertices26, 10.0};
  const LesionDetection detection = detect_lesions(image, options);
  ASSERT_EQ(detection.lesions.size(), 1u);
  const DetectedLesion& lesion = detection.lesions[0];
  EXPECT_FLOAT_EQ(static_cast<float>(lesion.max_value), 10.0f);
  EXPECT_NEAR(lesion.threshold, 4.1, 1e-6);
  const double error = lesion.volume_ml / sphere_volume_ml(15.0) - 1.0;
  EXPECT_LT(std::abs(error), 0.05) << "volume " << lesion.volume_ml << " mL";
  // The detection component at 2.5 (17 % inside) is larger than the 41 % lesion.
  EXPECT_GT(lesion.component.voxel_count, lesion.voxel_count);
  EXPECT_EQ(detection.per_lesion_rule, "41 % of lesion max");
}

TEST(LocalThresholdTest, A50WithBackground) {
  // Sphere SUV 10 in background 2: A50 = 2 + 0.5 x (10 - 2) = 6, i.e. voxels at least half
  // inside the sphere; the volume of those is the sphere volume within 3 %.
  ImageVolume image(cube_grid(32, 2.0), 2.0f);
  add_partial_volume_sphere(&image, {16.2, 15.6, 15.9}, 12.0, 10.0, 2.0);
  LabelMap initial(image.geometry, 0);
  initial.at(16, 16, 16) = 7;  // a rough seed region is enough: the local box grows by 20 mm
  const LocalSegmentation segmentation = segment_lesions_locally(
      image, initial,
      LocalThresholdOptions{background_corrected_threshold(2.0), Connectivity::kVertices26, 20.0});
  ASSERT_EQ(segmentation.lesions.size(), 1u);
  const LocalLesion& lesion = segmentation.lesions[0];
  EXPECT_EQ(lesion.label, 7);
  EXPECT_NEAR(lesion.threshold, 6.0, 1e-5);
  EXPECT_NEAR(lesion.volume_ml / sphere_volume_ml(12.0), 1.0, 0.03);
  EXPECT_EQ(count_label(segmentation.labels, 7), lesion.voxel_count);
  // The local box: one voxel grown by ceil(20 / 2) = 10 voxels per side.
  EXPECT_EQ(lesion.local_box.lower, (Index3{6, 6, 6}));
  EXPECT_EQ(lesion.local_box.upper, (Index3{26, 26, 26}));
}

TEST(LocalThresholdTest, HotterLesionClaimsSharedVoxels) {
  // Two touching blobs: a hot one (max 10) and a cooler one (max 6). At 41 % each grows into the
  // other; shared voxels go to the hotter lesion.
  ImageVolume image(cube_grid(20, 2.0), 0.5f);
  for (int64_t i = 2; i < 10; ++i) image.at(i, 10, 10) = 10.0f;
  for (int64_t i = 10; i < 18; ++i) image.at(i, 10, 10) = 6.0f;
  LabelMap initial(image.geometry, 0);
  initial.at(3, 10, 10) = 1;
  initial.at(15, 10, 10) = 2;
  const LocalSegmentation segmentation = segment_lesions_locally(
      image, initial,
      LocalThresholdOptions{fraction_of_max_threshold(0.41), Connectivity::kFaces6, 30.0});
  ASSERT_EQ(segmentation.lesions.size(), 1u);  // label 2 lost every voxel to label 1
  EXPECT_EQ(segmentation.lesions[0].label, 1);
  EXPECT_EQ(segmentation.lesions[0].voxel_count, 16u);
  ASSERT_EQ(segmentation.emptied.size(), 1u);
  EXPECT_EQ(segmentation.emptied[0].label, 2);
  EXPECT_EQ(segmentation.emptied[0].voxels_ceded, 16u);  // 41 % of 6 admits the 10s and the 6s
}

TEST(DetectionTest, ExcludesPhysiologicalUptakeAndSmallComponents) {
  ImageVolume image(cube_grid(40, 4.0), 1.0f);
  LabelMap organs(image.geometry, 0);
  // Bladder: organ label 3, a hot 6 x 6 x 6 block wholly inside its organ mask.
  for (int64_t k = 2; k < 8; ++k)
    for (int64_t j = 2; j < 8; ++j)
      for (int64_t i = 2; i < 8; ++i) {
        image.at(i, j, k) = 30.0f;
        organs.at(i, j, k) = 3;
      }
  // Tumour: 4 x 4 x 4 block of SUV 8 (4.1 mL) whose last slab touches the kidney mask (label 5).
  for (int64_t k = 20; k < 24; ++k)
    for (int64_t j = 20; j < 24; ++j)
      for (int64_t i = 20; i < 24; ++i) image.at(i, j, k) = 8.0f;
  for (int64_t j = 20; j < 24; ++j)
    for (int64_t i = 20; i < 24; ++i) organs.at(i, j, 23) = 5;
  // A single hot voxel (0.064 mL): below the 0.5 mL minimum.
  image.at(35, 35, 35) = 12.0f;
  DetectionOptions options;
  options.threshold = fixed_threshold(4.0);
  options.organ_names = {{3, "bladder"}};
  const LesionDetection detection = detect_lesions(image, options, &organs);
  ASSERT_EQ(detection.lesions.size(), 1u);
  const DetectedLesion& tumour = detection.lesions[0];
  EXPECT_EQ(tumour.label, 1);
  EXPECT_EQ(tumour.voxel_count, 48u);  // 64 voxels minus the 16 in the kidney mask
  EXPECT_EQ(tumour.voxels_in_excluded_organs, 16u);
  EXPECT_EQ(count_label(detection.labels, 1), 48u);
  EXPECT_EQ(detection.labels.at(21, 21, 23), 0);
  EXPECT_DOUBLE_EQ(tumour.max_value, 8.0);
  EXPECT_DOUBLE_EQ(tumour.threshold, 4.0);

  ASSERT_EQ(detection.excluded.size(), 2u);
  const ExcludedComponent& bladder = detection.excluded[0];  // raster order: bladder first
  EXPECT_EQ(bladder.reason, ExclusionReason::kPhysiologicalUptake);
  EXPECT_EQ(bladder.organ_label, 3);
  EXPECT_DOUBLE_EQ(bladder.excluded_fraction, 1.0);
  EXPECT_DOUBLE_EQ(bladder.max_value, 30.0);
  EXPECT_NE(bladder.explanation.find("bladder"), std::string::npos) << bladder.explanation;
  const ExcludedComponent& speck = detection.excluded[1];
  EXPECT_EQ(speck.reason, ExclusionReason::kBelowMinimumVolume);
  EXPECT_EQ(speck.component.voxel_count, 1u);
  EXPECT_STREQ(exclusion_reason_name(speck.reason), "below_minimum_volume");
  EXPECT_EQ(detection.threshold_rule, "fixed 4");

  // The same organs as one mask: the bladder is still excluded, now as organ label 1.
  Mask organ_mask(image.geometry, 0);
  for (size_t n = 0; n < organs.values.size(); ++n) organ_mask.values[n] = organs.values[n] != 0;
  const LesionDetection from_mask = detect_lesions(image, options, organ_mask);
  EXPECT_EQ(from_mask.labels.values, detection.labels.values);
  ASSERT_EQ(from_mask.excluded.size(), 2u);
  EXPECT_EQ(from_mask.excluded[0].organ_label, 1);
}

// An excluded organ (SUV 9) with its blurred rim outside the organ mask (4, then 3) and a noise
// bump on the rim (4.5), joined at threshold 2.5 through a bridge (3.5) to a lesion (4 x 4 x 4
// voxels of `lesion_value`) outside the organ: one component, 79 % in the organ. The lesion's peak
// 6 rises (6 - 3) / 6 = 50 % above the saddle (the rim voxel 3.0 where the bridge meets the
// organ's basin); the bump only (4.5 - 4) / 4.5 = 11 %.
struct OrganWithJoinedLesion {
  ImageVolume image{cube_grid(24, 4.0), 1.0f};
  LabelMap organs{cube_grid(24, 4.0), 0};
  explicit OrganWithJoinedLesion(float lesion_value = 6.0f) {
    for (int64_t k = 2; k < 12; ++k)
      for (int64_t j = 2; j < 12; ++j) {
        for (int64_t i = 2; i < 12; ++i) {
          image.at(i, j, k) = 9.0f;
          organs.at(i, j, k) = 1;
        }
        image.at(12, j, k) = 4.0f;
        image.at(13, j, k) = 3.0f;
      }
    image.at(13, 3, 3) = 4.5f;
    image.at(14, 6, 6) = 3.5f;
    image.at(15, 6, 6) = 3.5f;
    for (int64_t k = 5; k < 9; ++k)
      for (int64_t j = 5; j < 9; ++j)
        for (int64_t i = 16; i < 20; ++i) image.at(i, j, k) = lesion_value;
  }
};

TEST(DetectionTest, KeepsALesionJoinedToExcludedUptake) {
  const OrganWithJoinedLesion phantom;
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.organ_names = {{1, "liver"}};
  ASSERT_TRUE(options.split_min_prominence.has_value());
  EXPECT_DOUBLE_EQ(*options.split_min_prominence, 0.3);  // the documented default
  const LesionDetection detection = detect_lesions(phantom.image, options, &phantom.organs);
  ASSERT_EQ(detection.lesions.size(), 1u);
  const DetectedLesion& lesion = detection.lesions[0];
  EXPECT_EQ(lesion.voxel_count, 66u);  // the 64 lesion voxels and the bridge, not the rim
  EXPECT_DOUBLE_EQ(lesion.max_value, 6.0);
  EXPECT_EQ(lesion.voxels_in_excluded_organs, 0u);
  EXPECT_EQ(lesion.component.voxel_count, 66u);
  EXPECT_EQ(detection.labels.at(17, 6, 6), 1);
  EXPECT_EQ(detection.labels.at(14, 6, 6), 1);
  EXPECT_EQ(detection.labels.at(13, 6, 6), 0);  // the saddle belongs to the organ's basin
  EXPECT_EQ(detection.labels.at(12, 6, 6), 0);
  EXPECT_EQ(detection.labels.at(13, 3, 3), 0);  // the noise bump stays with the rim
  ASSERT_EQ(detection.excluded.size(), 1u);
  const ExcludedComponent& liver = detection.excluded[0];
  EXPECT_EQ(liver.reason, ExclusionReason::kPhysiologicalUptake);
  EXPECT_EQ(liver.component.voxel_count, 1266u);
  EXPECT_NE(liver.explanation.find("1 part with its own peak"), std::string::npos)
      << liver.explanation;

  // Prominence required above the lesion's 50 %, or no splitting: the whole component is dropped.
  options.split_min_prominence = 0.6;
  EXPECT_TRUE(detect_lesions(phantom.image, options, &phantom.organs).lesions.empty());
  options.split_min_prominence = std::nullopt;
  const LesionDetection whole = detect_lesions(phantom.image, options, &phantom.organs);
  EXPECT_TRUE(whole.lesions.empty());
  ASSERT_EQ(whole.excluded.size(), 1u);
  EXPECT_EQ(whole.excluded[0].explanation.find("own peak"), std::string::npos);
  options.split_min_prominence = 1.0;
  EXPECT_THROW(detect_lesions(phantom.image, options, &phantom.organs), InvalidInputError);
  options.split_min_prominence = 0.3;
  options.split_contour_fraction = 0.0;
  EXPECT_THROW(detect_lesions(phantom.image, options, &phantom.organs), InvalidInputError);

  // A lesion of 4.5: prominent enough ((4.5 - 3) / 4.5 = 33 %), but its 50 % contour (2.25) lies
  // below the threshold 2.5, so it is not told apart from the uptake and stays with it; with a
  // 60 % contour (2.7) it is kept.
  const OrganWithJoinedLesion faint(4.5f);
  options.split_contour_fraction = 0.5;
  EXPECT_TRUE(detect_lesions(faint.image, options, &faint.organs).lesions.empty());
  options.split_contour_fraction = 0.6;
  const LesionDetection kept = detect_lesions(faint.image, options, &faint.organs);
  ASSERT_EQ(kept.lesions.size(), 1u);
  EXPECT_EQ(kept.lesions[0].voxel_count, 66u);
}

// A lesion hotter than the organ it touches (a node against a moderately avid myocardium): the
// organ's plateau merges into the lesion's basin (no prominence of its own), so the component is
// one basin; its 50 % contour is the lesion, outside the organ, and is kept. The organ alone is
// one basin whose contour lies in the organ: dropped.
TEST(DetectionTest, KeepsALesionHotterThanTheExcludedUptakeItTouches) {
  ImageVolume image(cube_grid(24, 4.0), 1.0f);
  LabelMap organs(image.geometry, 0);
  for (int64_t k = 2; k < 12; ++k) {
    for (int64_t j = 2; j < 12; ++j) {
      for (int64_t i = 2; i < 12; ++i) {
        image.at(i, j, k) = 3.0f;
        organs.at(i, j, k) = 1;
      }
    }
  }
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.organ_names = {{1, "heart"}};
  EXPECT_TRUE(detect_lesions(image, options, &organs).lesions.empty());
  for (int64_t k = 5; k < 9; ++k) {
    for (int64_t j = 5; j < 9; ++j) {
      for (int64_t i = 12; i < 16; ++i) image.at(i, j, k) = 9.0f;
    }
  }
  const LesionDetection detection = detect_lesions(image, options, &organs);
  ASSERT_EQ(detection.lesions.size(), 1u);
  EXPECT_EQ(detection.lesions[0].voxel_count, 64u);
  EXPECT_DOUBLE_EQ(detection.lesions[0].max_value, 9.0);
  ASSERT_EQ(detection.excluded.size(), 1u);
  EXPECT_NE(detection.excluded[0].explanation.find("1 part with its own peak"), std::string::npos)
      << detection.excluded[0].explanation;
  // A part whose peak lies in the organ is the organ's uptake (e.g. a hot organ whose mask is
  // shifted against the image), even when most of its contour lies outside: dropped.
  image.at(11, 6, 6) = 9.5f;
  EXPECT_TRUE(detect_lesions(image, options, &organs).lesions.empty());
}

// On a noisy image a split needs a prominence of split_noise_factor x split_noise_cv as well: the
// joined lesion (peak 6, saddle 3.5 across its bridge: prominence 0.42) is kept with noise 0.1
// (3 x 0.1 = 0.3) and stays with the organ with noise 0.2 (0.6); from 1 on nothing is split.
TEST(DetectionTest, NoisyImagesNeedAProminenceAboveTheNoise) {
  const OrganWithJoinedLesion phantom;
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.organ_names = {{1, "liver"}};
  EXPECT_DOUBLE_EQ(options.split_noise_factor, 3.0);  // the documented default
  options.split_noise_cv = 0.1;
  const LesionDetection kept = detect_lesions(phantom.image, options, &phantom.organs);
  ASSERT_EQ(kept.lesions.size(), 1u);
  EXPECT_NE(kept.excluded[0].explanation.find("relative prominence >= 0.3"), std::string::npos)
      << kept.excluded[0].explanation;
  EXPECT_DOUBLE_EQ(*kept.split_prominence, 0.3);
  options.split_noise_cv = 0.2;
  const LesionDetection noisy = detect_lesions(phantom.image, options, &phantom.organs);
  EXPECT_TRUE(noisy.lesions.empty());
  EXPECT_NEAR(*noisy.split_prominence, 0.6, 1e-12);
  options.split_noise_cv = 0.4;
  const LesionDetection too_noisy = detect_lesions(phantom.image, options, &phantom.organs);
  EXPECT_TRUE(too_noisy.lesions.empty());
  EXPECT_FALSE(too_noisy.split_prominence.has_value());
  options.split_noise_cv = -0.1;
  EXPECT_THROW(detect_lesions(phantom.image, options, &phantom.organs), InvalidInputError);
}

TEST(DetectionTest, SplitAtSaddlesSeparatesProminentPeaksOnly) {
  // A 1-D profile 2 5 3 8 7.5 8.2 1: the peak 5 is (5 - 3) / 5 = 40 % above its saddle, the dip
  // between 8 and 8.2 is 6 % deep.
  const Geometry grid = cube_grid(8, 2.0);
  const std::vector<double> profile{2.0, 5.0, 3.0, 8.0, 7.5, 8.2, 1.0};
  std::vector<size_t> offsets;
  for (int64_t i = 0; i < 7; ++i) offsets.push_back(grid.offset(i, 0, 0));
  const auto split = [&](double prominence) {
    return split_at_saddles(grid, offsets, profile, Connectivity::kFaces6, prominence);
  };
  const std::vector<std::vector<size_t>> basins = split(0.3);
  ASSERT_EQ(basins.size(), 2u);
  EXPECT_EQ(basins[0], (std::vector<size_t>{offsets[0], offsets[1]}));
  EXPECT_EQ(basins[1],
            (std::vector<size_t>{offsets[2], offsets[3], offsets[4], offsets[5], offsets[6]}));
  EXPECT_EQ(split(0.45).size(), 1u);
  EXPECT_EQ(split(0.05).size(), 3u);
  EXPECT_THROW(split(0.0), InvalidInputError);
  EXPECT_THROW(split_at_saddles(grid, offsets, {1.0}, Connectivity::kFaces6, 0.3),
               InvalidInputError);
}

TEST(DetectionTest, RefusesRelativeDetectionRule) {
  ImageVolume image(cube_grid(4, 2.0), 1.0f);
  DetectionOptions options;
  options.threshold = fraction_of_max_threshold(0.41);
  EXPECT_THROW(detect_lesions(image, options), InvalidInputError);
  options.threshold = fixed_threshold(2.5);
  LabelMap organs(cube_grid(5, 2.0), 0);
  EXPECT_THROW(detect_lesions(image, options, &organs), InvalidInputError);
}

TEST(DetectionTest, BitIdenticalForOneAndTwoThreads) {
  ImageVolume image(cube_grid(48, 3.0), 0.0f);
  std::mt19937 random(5);
  std::uniform_real_distribution<float> noise(0.5f, 1.5f);
  for (float& value : image.values) value = noise(random);
  for (int lesion = 0; lesion < 10; ++lesion) {
    const Vec3 centre{6.0 + 4.0 * lesion, 10.0 + 3.0 * (lesion % 4), 8.0 + 3.0 * lesion};
    add_partial_volume_sphere(&image, centre, 4.0 + lesion, 5.0 + lesion, 0.0);
  }
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.min_volume_ml = 0.1;
  options.per_lesion = LocalThresholdOptions{};
  const auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return detect_lesions(image, options);
  };
  const LesionDetection one = run(1);
  const LesionDetection two = run(2);
  EXPECT_GE(one.lesions.size(), 5u);
  EXPECT_EQ(one.labels.values, two.labels.values);
  ASSERT_EQ(one.lesions.size(), two.lesions.size());
  for (size_t n = 0; n < one.lesions.size(); ++n) {
    EXPECT_EQ(one.lesions[n].voxel_count, two.lesions[n].voxel_count);
    EXPECT_EQ(one.lesions[n].threshold, two.lesions[n].threshold);
  }
  EXPECT_EQ(one.excluded.size(), two.excluded.size());
}

}  // namespace
}  // namespace oncotrace
