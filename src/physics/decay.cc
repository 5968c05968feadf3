// Radioactive decay helpers (see oncotrace/nuclide.h for the definitions).
#include <cmath>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/nuclide.h"

namespace oncotrace {
namespace {

void require_positive_half_life(double half_life_s) {
  if (!(half_life_s > 0.0) || !std::isfinite(half_life_s)) {
    throw InvalidInputError("half-life " + std::to_string(half_life_s) +
                            " s is not a positive number; give --half-life S");
  }
}

void require_non_negative_duration(double frame_duration_s) {
  if (!(frame_duration_s >= 0.0) || !std::isfinite(frame_duration_s)) {
    throw InvalidInputError("frame duration " + std::to_string(frame_duration_s) +
                            " s is negative or not a number (ActualFrameDuration (0018,1242))");
  }
}

}  // namespace

double decay_fraction(double elapsed_s, double half_life_s) {
  require_positive_half_life(half_life_s);
  return std::exp2(-elapsed_s / half_life_s);
}

double decayed_activity(double activity_bq, double elapsed_s, double half_life_s) {
  return activity_bq * decay_fraction(elapsed_s, half_life_s);
}

double decay_during_frame_factor(double frame_duration_s, double half_life_s) {
  require_positive_half_life(half_life_s);
  require_non_negative_duration(frame_duration_s);
  const double lambda_t = std::log(2.0) / half_life_s * frame_duration_s;
  if (lambda_t == 0.0) return 1.0;
  // -expm1(-x) = 1 - e^(-x) without cancellation for short frames.
  return lambda_t / -std::expm1(-lambda_t);
}

double time_of_average_activity_s(double frame_duration_s, double half_life_s) {
  require_positive_half_life(half_life_s);
  require_non_negative_duration(frame_duration_s);
  const double lambda = std::log(2.0) / half_life_s;
  const double lambda_t = lambda * frame_duration_s;
  if (lambda_t == 0.0) return 0.0;
  // ln(x / (1 - e^-x)) loses digits to cancellation for short frames; there its Taylor series
  // x/2 - x^2/24 + x^4/2880 is exact to double precision (next term x^6/181440).
  if (lambda_t < 1e-2) {
    const double x2 = lambda_t * lambda_t;
    return (lambda_t / 2.0 - x2 / 24.0 + x2 * x2 / 2880.0) / lambda;
  }
  return std::log(decay_during_frame_factor(frame_duration_s, half_life_s)) / lambda;
}

}  // namespace oncotrace
