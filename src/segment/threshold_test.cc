#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"

namespace oncotrace {
namespace {

TEST(ThresholdTest, FixedAndRelativeRules) {
  EXPECT_DOUBLE_EQ(fixed_threshold(2.5).threshold_for(100.0), 2.5);
  EXPECT_FALSE(fixed_threshold(4.0).is_relative());
  EXPECT_EQ(fixed_threshold(4.0).description, "fixed 4");
  // 41 % of SUVmax 12 = 4.92; 50 % = 6.
  EXPECT_DOUBLE_EQ(fraction_of_max_threshold(0.41).threshold_for(12.0), 0.41 * 12.0);
  EXPECT_DOUBLE_EQ(fraction_of_max_threshold(0.5).threshold_for(12.0), 6.0);
  EXPECT_TRUE(fraction_of_max_threshold(0.5).is_relative());
  EXPECT_EQ(fraction_of_max_threshold(0.41).description, "41 % of lesion max");
}

TEST(ThresholdTest, BackgroundCorrectedA50) {
  // A50 with background 2 and SUVmax 10: 2 + 0.5 x (10 - 2) = 6.
  const ThresholdRule a50 = background_corrected_threshold(2.0);
  EXPECT_DOUBLE_EQ(a50.threshold_for(10.0), 6.0);
  EXPECT_EQ(a50.description, "A50: 2 + 0.5 x (lesion max - 2)");
  // A max below the background puts the threshold above the max.
  EXPECT_GT(a50.threshold_for(1.0), 1.0);
}

TEST(ThresholdTest, PercistNumbersByHand) {
  // Liver SULmean 1.8, SD 0.25: 1.5 x 1.8 + 2 x 0.25 = 2.7 + 0.5 = 3.2.
  EXPECT_DOUBLE_EQ(percist_liver_threshold_rule(1.8, 0.25).threshold_for(0.0), 3.2);
  EXPECT_EQ(percist_liver_threshold_rule(1.8, 0.25).description,
            "PERCIST liver: 1.5 x 1.8 + 2 x 0.25 = 3.2");
  ReferenceRegionStatistics liver;
  liver.mean = 2.0;
  liver.sd = 0.3;
  EXPECT_DOUBLE_EQ(percist_liver_threshold_rule(liver).value, 3.6);
  // Blood pool SULmean 1.5, SD 0.2: 2 x 1.5 + 2 x 0.2 = 3.4 (default); 2 x 1.5 = 3.0.
  EXPECT_DOUBLE_EQ(percist_blood_pool_threshold_rule(1.5, 0.2).value, 3.4);
  EXPECT_DOUBLE_EQ(
      percist_blood_pool_threshold_rule(1.5, 0.2, BloodPoolThresholdRule::kMeanOnly).value, 3.0);
  EXPECT_EQ(
      percist_blood_pool_threshold_rule(1.5, 0.2, BloodPoolThresholdRule::kMeanOnly).description,
      "PERCIST blood pool: 2 x 1.5 = 3");
  // Liver multiple: 1.5 x 2.2 = 3.3.
  EXPECT_DOUBLE_EQ(liver_multiple_threshold(2.2, 1.5).value, 1.5 * 2.2);
}

TEST(ThresholdTest, RejectsImpossibleArguments) {
  EXPECT_THROW(fraction_of_max_threshold(0.0), InvalidInputError);
  EXPECT_THROW(fraction_of_max_threshold(41.0), InvalidInputError);
  EXPECT_THROW(background_corrected_threshold(1.0, 1.5), InvalidInputError);
  EXPECT_THROW(percist_liver_threshold_rule(-1.0, 0.2), InvalidInputError);
  EXPECT_THROW(liver_multiple_threshold(2.0, 0.0), InvalidInputError);
  EXPECT_THROW(fixed_threshold(std::numeric_limits<double>::quiet_NaN()), InvalidInputError);
}

TEST(ThresholdTest, ThresholdImageIncludesEqualValues) {
  Geometry grid;
  grid.size = {4, 1, 1};
  ImageVolume image(grid, 0.0f);
  image.values = {1.0f, 2.5f, 2.4999f, 7.0f};
  const Mask mask = threshold_image(image, 2.5);
  EXPECT_EQ(mask.values, (std::vector<uint8_t>{0, 1, 0, 1}));
}

}  // namespace
}  // namespace oncotrace
