#include <gtest/gtest.h>

#include <cmath>

#include "oncotrace/error.h"
#include "oncotrace/nuclide.h"

namespace oncotrace {
namespace {

constexpr double kF18HalfLifeS = 6586.2;

TEST(DecayTest, FractionHalvesEveryHalfLife) {
  EXPECT_DOUBLE_EQ(decay_fraction(0.0, kF18HalfLifeS), 1.0);
  EXPECT_DOUBLE_EQ(decay_fraction(kF18HalfLifeS, kF18HalfLifeS), 0.5);
  EXPECT_DOUBLE_EQ(decay_fraction(-kF18HalfLifeS, kF18HalfLifeS), 2.0);
  // DRO_0_0: 368.08 MBq decays in 3600 s to 251.9997 MBq (test-data.md §1).
  EXPECT_NEAR(decayed_activity(368.08e6, 3600.0, kF18HalfLifeS), 251.9997e6, 50.0);
  // STS_001: 2^(-2711/6588) = 0.751838 (pet-quantification.md §6.6).
  EXPECT_NEAR(decay_fraction(2711.0, 6588.0), 0.751838, 5e-7);
  // Lu-177 one day: 2^(-24/159.53) = 0.9010 (§11.3; 159.53 h = 574 300.8 s).
  EXPECT_NEAR(decay_fraction(24.0 * 3600.0, 574300.8), 0.9010, 5e-5);
}

TEST(DecayTest, TimeOfAverageActivity) {
  // pet-quantification.md §4.2: F-18, T = 300 s -> Tave = 149.61 s (before the midpoint).
  EXPECT_NEAR(time_of_average_activity_s(300.0, kF18HalfLifeS), 149.61, 0.005);
  // DRO_3_2: T = 603 s -> 299.906 s, so 11:02:30 + 299.906 s - 450 s = 10:59:59.906.
  EXPECT_NEAR(time_of_average_activity_s(603.0, kF18HalfLifeS), 299.906, 0.0005);
  // STS_001 (GE, T½ 6588 s): Tave(240 s) = 119.75 s, the invariant of §4.2.
  EXPECT_NEAR(time_of_average_activity_s(240.0, 6588.0), 119.75, 0.005);
  EXPECT_DOUBLE_EQ(time_of_average_activity_s(0.0, kF18HalfLifeS), 0.0);
  // Very short frames: Tave = T/2 - lambda T^2 / 24 + ..., without cancellation error.
  const double lambda = std::log(2.0) / kF18HalfLifeS;
  EXPECT_NEAR(time_of_average_activity_s(1e-3, kF18HalfLifeS), 0.5e-3 - lambda * 1e-6 / 24.0,
              1e-18);
  // Just below lambda T = 0.01 the series agrees with the closed form, still accurate there.
  const double below_boundary_s = 0.0099 / lambda;
  EXPECT_NEAR(time_of_average_activity_s(below_boundary_s, kF18HalfLifeS),
              std::log(decay_during_frame_factor(below_boundary_s, kF18HalfLifeS)) / lambda, 1e-10);
}

TEST(DecayTest, DecayDuringFrameFactorIsExpOfLambdaTave) {
  // DRO_3_4 (§4.6): T = 603 s, F-18 -> 1.032066.
  EXPECT_NEAR(decay_during_frame_factor(603.0, kF18HalfLifeS), 1.032066, 5e-7);
  const double lambda = std::log(2.0) / kF18HalfLifeS;
  for (const double duration_s : {10.0, 300.0, 1800.0, 36000.0}) {
    EXPECT_NEAR(decay_during_frame_factor(duration_s, kF18HalfLifeS),
                std::exp(lambda * time_of_average_activity_s(duration_s, kF18HalfLifeS)), 1e-12);
  }
  EXPECT_DOUBLE_EQ(decay_during_frame_factor(0.0, kF18HalfLifeS), 1.0);
}

TEST(DecayTest, RefusesMeaninglessArguments) {
  EXPECT_THROW(decay_fraction(10.0, 0.0), InvalidInputError);
  EXPECT_THROW(decay_fraction(10.0, -5.0), InvalidInputError);
  EXPECT_THROW(decay_during_frame_factor(-1.0, kF18HalfLifeS), InvalidInputError);
  EXPECT_THROW(time_of_average_activity_s(300.0, std::nan("")), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
