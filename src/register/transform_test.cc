#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {
namespace {

SpatialTransform rotation_z(double degrees, Vec3 translation) {
  const double a = degrees * std::numbers::pi / 180.0;
  SpatialTransform t;
  t.linear = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
  t.translation_mm = translation;
  return t;
}

TEST(SpatialTransformTest, ApplyInverseCompose) {
  const SpatialTransform t = rotation_z(30, {1, 2, 3});
  const Vec3 p{10, 0, 5};
  const Vec3 y = t.apply(p);
  EXPECT_NEAR(y[0], 10 * std::cos(std::numbers::pi / 6) + 1, 1e-12);
  EXPECT_NEAR(y[1], 10 * std::sin(std::numbers::pi / 6) + 2, 1e-12);
  EXPECT_NEAR(y[2], 8, 1e-12);
  const Vec3 back = t.inverse().apply(y);
  for (size_t a = 0; a < 3; ++a) EXPECT_NEAR(back[a], p[a], 1e-12);
  const SpatialTransform both = t.inverse().after(t);
  const Vec3 same = both.apply(p);
  for (size_t a = 0; a < 3; ++a) EXPECT_NEAR(same[a], p[a], 1e-12);
  EXPECT_NEAR(t.rotation_deg(), 30.0, 1e-9);
  EXPECT_TRUE(SpatialTransform::identity().is_identity());
  EXPECT_FALSE(t.is_identity());
  SpatialTransform singular;
  singular.linear = {1, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_THROW(static_cast<void>(singular.inverse()), InvalidInputError);
}

TEST(SpatialTransformTest, ModeNames) {
  EXPECT_EQ(parse_registration_mode("affine"), RegistrationMode::kRigidAffine);
  EXPECT_EQ(parse_registration_mode("rigid"), RegistrationMode::kRigid);
  EXPECT_EQ(parse_registration_mode("identity"), RegistrationMode::kIdentity);
  EXPECT_FALSE(parse_registration_mode("bspline"));
  EXPECT_STREQ(registration_mode_name(RegistrationMode::kRigidAffine), "affine");
}

TEST(TransferLabelsTest, TranslationByWholeVoxels) {
  Geometry grid;
  grid.size = {10, 10, 10};
  grid.spacing_mm = {2, 2, 2};
  LabelMap source(grid, 0);
  source.at(4, 5, 6) = 3;
  // Target point x maps to source point x + (2, 0, -4): the label moves to (3, 5, 8).
  SpatialTransform target_to_source;
  target_to_source.translation_mm = {2, 0, -4};
  const LabelMap moved = transfer_labels(source, grid, target_to_source);
  EXPECT_EQ(moved.at(3, 5, 8), 3);
  size_t labelled = 0;
  for (uint16_t v : moved.values) labelled += v != 0 ? 1 : 0;
  EXPECT_EQ(labelled, 1u);
  EXPECT_DOUBLE_EQ(label_dice(source, 3, source, 3), 1.0);
  EXPECT_DOUBLE_EQ(label_dice(source, 3, moved, 3), 0.0);
}

TEST(RegistrationCorrelationTest, PerfectAndShifted) {
  Geometry grid;
  grid.size = {20, 20, 20};
  ImageVolume image(grid);
  for (int64_t k = 0; k < 20; ++k) {
    for (int64_t j = 0; j < 20; ++j) {
      for (int64_t i = 0; i < 20; ++i) {
        image.at(i, j, k) = static_cast<float>(std::sin(0.5 * i) + std::cos(0.3 * j) + 0.1 * k);
      }
    }
  }
  EXPECT_NEAR(registration_correlation(image, image, SpatialTransform::identity(), -10.0f), 1.0,
              1e-9);
  SpatialTransform shift;
  shift.translation_mm = {3, 0, 0};
  EXPECT_LT(registration_correlation(image, image, shift, -10.0f), 0.9);
}

}  // namespace
}  // namespace oncotrace
