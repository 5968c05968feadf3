// Registration of a synthetic CT-like body with known motion (slow under sanitizers: labelled
// integration).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {
namespace {

// HU of a synthetic torso at world point p (LPS mm) after the body moved by `body_to_world`:
// air outside an elliptic body, two lungs, a spine and a few bony and soft-tissue blobs, so that
// every direction is constrained.
float synthetic_hu(const Vec3& world, const SpatialTransform& world_to_body) {
  const Vec3 p = world_to_body.apply(world);
  auto inside = [&](Vec3 centre, Vec3 radii) {
    double s = 0;
    for (size_t a = 0; a < 3; ++a) {
      const double d = (p[a] - centre[a]) / radii[a];
      s += d * d;
    }
    return s <= 1.0;
  };
  if (!inside({0, 0, 0}, {150, 100, 180})) return -1000.0f;
  if (inside({0, 60, 0}, {15, 15, 170})) return 600.0f;  // spine
  if (inside({-70, 0, 60}, {45, 55, 90})) return -800.0f;
  if (inside({70, 0, 50}, {40, 50, 80})) return -820.0f;
  if (inside({30, -20, -80}, {40, 30, 35})) return 60.0f;  // liver-like
  if (inside({-90, 40, -120}, {20, 20, 20})) return 450.0f;
  return 10.0f;
}

ImageVolume synthetic_ct(const SpatialTransform& world_to_body) {
  Geometry grid;
  grid.size = {96, 64, 96};
  grid.spacing_mm = {4, 4, 4};
  grid.origin_mm = {-190, -126, -190};
  ImageVolume image(grid);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        // Average of 2x2x2 sub-samples: partial volume, so sub-voxel motion changes the image.
        double sum = 0;
        for (int s = 0; s < 8; ++s) {
          const Vec3 index{static_cast<double>(i) + ((s & 1) ? 0.25 : -0.25),
                           static_cast<double>(j) + ((s & 2) ? 0.25 : -0.25),
                           static_cast<double>(k) + ((s & 4) ? 0.25 : -0.25)};
          sum += synthetic_hu(grid.index_to_world(index), world_to_body);
        }
        image.at(i, j, k) = static_cast<float>(sum / 8.0);
      }
    }
  }
  return image;
}

SpatialTransform rotation_z_then_shift(double degrees, Vec3 translation) {
  const double a = degrees * std::numbers::pi / 180.0;
  SpatialTransform t;
  t.linear = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
  t.translation_mm = translation;
  return t;
}

double max_error_mm(const SpatialTransform& found, const SpatialTransform& truth) {
  double worst = 0;
  for (const Vec3& p : {Vec3{0, 0, 0}, Vec3{-90, 40, -120}, Vec3{70, 0, 50}, Vec3{30, -20, -80},
                        Vec3{100, 50, 150}}) {
    const Vec3 a = found.apply(p);
    const Vec3 b = truth.apply(p);
    worst = std::max(worst, std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
  }
  return worst;
}

TEST(RegisterImagesTest, RecoversRigidMotion) {
  // The study's body is the reference body moved by `motion`: a reference point x is found at
  // motion(x) in the study, so reference_to_study must equal motion.
  const SpatialTransform motion = rotation_z_then_shift(3.0, {5.0, -3.0, 7.0});
  const ImageVolume reference = synthetic_ct(SpatialTransform::identity());
  const ImageVolume study = synthetic_ct(motion.inverse());
  RegistrationOptions options;
  options.mode = RegistrationMode::kRigid;
  const RegistrationResult result = register_images(reference, study, options, "synthetic");
  EXPECT_LT(max_error_mm(result.reference_to_study, motion), 1.0) << result.stages.front();
  EXPECT_GT(result.quality_after, result.quality_before);
  EXPECT_GT(result.quality_after, 0.85);
  EXPECT_NEAR(result.rotation_deg, 3.0, 0.3);

  options.mode = RegistrationMode::kRigidAffine;
  const RegistrationResult affine = register_images(reference, study, options, "synthetic");
  EXPECT_LT(max_error_mm(affine.reference_to_study, motion), 1.5) << affine.stages.back();

  // Deterministic: the same inputs give the same transform bit for bit.
  const RegistrationResult again = register_images(reference, study, options, "synthetic");
  EXPECT_EQ(again.reference_to_study, affine.reference_to_study);
}

TEST(RegisterImagesTest, DeterministicRigid) {
  const SpatialTransform motion = rotation_z_then_shift(3.0, {5.0, -3.0, 7.0});
  const ImageVolume reference = synthetic_ct(SpatialTransform::identity());
  const ImageVolume study = synthetic_ct(motion.inverse());
  RegistrationOptions options;
  options.mode = RegistrationMode::kRigid;
  const RegistrationResult a = register_images(reference, study, options, "synthetic");
  const RegistrationResult b = register_images(reference, study, options, "synthetic");
  EXPECT_EQ(a.reference_to_study, b.reference_to_study) << a.stages[0] << "\n" << b.stages[0];
}

TEST(RegisterImagesTest, RefusesUnrelatedImages) {
  const ImageVolume reference = synthetic_ct(SpatialTransform::identity());
  ImageVolume noise = reference;
  uint32_t state = 12345;
  for (float& v : noise.values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2000.0f - 1000.0f;
  }
  RegistrationOptions options;
  options.mode = RegistrationMode::kRigid;
  EXPECT_THROW(register_images(reference, noise, options, "unrelated"), UnsupportedDataError);
}

}  // namespace
}  // namespace oncotrace
