#include <cmath>
#include <cstdio>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/segment.h"

namespace oncotrace {

namespace {

std::string format_number(double value) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

void require_finite(double value, const char* what) {
  if (!std::isfinite(value)) {
    throw InvalidInputError(std::string(what) + " " + format_number(value) +
                            " is not a finite number");
  }
}

void require_fraction(double fraction, const char* what) {
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    throw InvalidInputError(std::string(what) + " " + format_number(fraction) +
                            " is outside (0, 1]; give e.g. 0.41 for 41 %");
  }
}

void require_non_negative(double value, const char* what) {
  require_finite(value, what);
  if (value < 0.0) {
    throw InvalidInputError(std::string(what) + " " + format_number(value) +
                            " is negative; reference statistics must be >= 0");
  }
}

ThresholdRule absolute_rule(double value, std::string description) {
  ThresholdRule rule;
  rule.kind = ThresholdKind::kAbsolute;
  rule.value = value;
  rule.description = std::move(description);
  return rule;
}

}  // namespace

double ThresholdRule::threshold_for(double lesion_max) const {
  switch (kind) {
    case ThresholdKind::kAbsolute:
      return value;
    case ThresholdKind::kFractionOfMax:
      return value * lesion_max;
    case ThresholdKind::kBackgroundCorrected:
      return background + value * (lesion_max - background);
  }
  return value;
}

ThresholdRule fixed_threshold(double value) {
  require_finite(value, "fixed threshold");
  return absolute_rule(value, "fixed " + format_number(value));
}

ThresholdRule fraction_of_max_threshold(double fraction) {
  require_fraction(fraction, "fraction of the lesion maximum");
  ThresholdRule rule;
  rule.kind = ThresholdKind::kFractionOfMax;
  rule.value = fraction;
  rule.description = format_number(100.0 * fraction) + " % of lesion max";
  return rule;
}

ThresholdRule background_corrected_threshold(double background, double fraction) {
  require_finite(background, "background for the background-corrected threshold");
  require_fraction(fraction, "fraction of the background-corrected maximum");
  ThresholdRule rule;
  rule.kind = ThresholdKind::kBackgroundCorrected;
  rule.value = fraction;
  rule.background = background;
  const std::string name = "A" + format_number(100.0 * fraction);
  rule.description = name + ": " + format_number(background) + " + " + format_number(fraction) +
                     " x (lesion max - " + format_number(background) + ")";
  return rule;
}

ThresholdRule percist_liver_threshold_rule(double liver_mean, double liver_sd) {
  require_non_negative(liver_mean, "liver mean");
  require_non_negative(liver_sd, "liver SD");
  const double value = percist_liver_threshold(liver_mean, liver_sd);
  return absolute_rule(value, "PERCIST liver: 1.5 x " + format_number(liver_mean) + " + 2 x " +
                                  format_number(liver_sd) + " = " + format_number(value));
}

ThresholdRule percist_liver_threshold_rule(const ReferenceRegionStatistics& liver) {
  return percist_liver_threshold_rule(liver.mean, liver.sd);
}

ThresholdRule percist_blood_pool_threshold_rule(double blood_pool_mean, double blood_pool_sd,
                                                BloodPoolThresholdRule rule) {
  require_non_negative(blood_pool_mean, "blood-pool mean");
  require_non_negative(blood_pool_sd, "blood-pool SD");
  const double value = percist_blood_pool_threshold(blood_pool_mean, blood_pool_sd, rule);
  std::string description = "PERCIST blood pool: 2 x " + format_number(blood_pool_mean);
  if (rule == BloodPoolThresholdRule::kMeanPlusTwoSd) {
    description += " + 2 x " + format_number(blood_pool_sd);
  }
  return absolute_rule(value, description + " = " + format_number(value));
}

ThresholdRule percist_blood_pool_threshold_rule(const ReferenceRegionStatistics& blood_pool,
                                                BloodPoolThresholdRule rule) {
  return percist_blood_pool_threshold_rule(blood_pool.mean, blood_pool.sd, rule);
}

ThresholdRule liver_multiple_threshold(double liver_mean, double multiple) {
  require_non_negative(liver_mean, "liver mean");
  require_finite(multiple, "liver multiple");
  if (!(multiple > 0.0)) {
    throw InvalidInputError("liver multiple " + format_number(multiple) +
                            " is not positive; give e.g. 1.5");
  }
  const double value = multiple * liver_mean;
  return absolute_rule(value, format_number(multiple) + " x liver mean " +
                                  format_number(liver_mean) + " = " + format_number(value));
}

Mask threshold_image(const ImageVolume& image, double threshold) {
  Mask mask(image.geometry, 0);
  for (size_t n = 0; n < image.values.size(); ++n) {
    mask.values[n] = image.values[n] >= threshold ? 1 : 0;
  }
  return mask;
}

}  // namespace oncotrace
