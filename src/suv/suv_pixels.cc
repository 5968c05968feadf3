// Units and pixel conversion (pet-quantification.md §3), and the checks every path shares.
#include "suv/suv_pixels.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "suv/suv_normalization.h"

namespace oncotrace::suv_detail {
namespace {

// DICOM PS3.3 C.8.9.1.1.3 defined terms with no path to SUV.
const std::set<std::string>& parametric_units() {
  static const std::set<std::string> kUnits = {"MLMING",  "MLG",   "UMOLMINML", "MGMINML",
                                               "MLMINML", "MLML",  "UMOLML",    "PCNT",
                                               "CM2",     "STDDEV"};
  return kUnits;
}

bool is_known_units_term(const std::string& units) {
  static const std::set<std::string> kQuantitative = {"BQML",     "CNTS",    "CPS", "GML", "CM2ML",
                                                      "PROPCNTS", "PROPCPS", "1CM", "NONE"};
  return kQuantitative.count(units) > 0 || parametric_units().count(units) > 0;
}

UnitsCategory classify_units(const std::string& units, PlanLog& log) {
  if (units == "BQML") return UnitsCategory::kActivity;
  if (units == "CNTS") return UnitsCategory::kCounts;
  if (units == "CPS") return UnitsCategory::kCountRate;
  if (units == "GML" || units == "CM2ML") return UnitsCategory::kStoredSuv;
  if (units == "PROPCNTS" || units == "PROPCPS") {
    log.unsupported("Units (0054,1001) = " + units +
                    ": values only proportional to counts have no defined conversion to Bq/mL "
                    "(Siemens writes PROPCPS for non-quantitative images); use the quantitative "
                    "(BQML) series, or give --units if the tag is wrong");
  }
  if (units == "1CM") {
    log.unsupported(
        "Units (0054,1001) = 1CM: this is an attenuation (mu) map, not an emission "
        "image; SUV is undefined for it");
  }
  if (parametric_units().count(units) > 0) {
    log.unsupported("Units (0054,1001) = " + units +
                    ": a parametric or derived image; SUV applies to activity images only");
  }
  log.unsupported("Units (0054,1001) = '" + units +
                  "' is not a DICOM Units term oncotrace can convert; give --units BQML if the "
                  "pixels are Bq/mL");
}

// A Philips factor that is present and non-zero on every plane; empty otherwise. A factor of 0
// means "not available" (§3.3).
std::vector<double> factor_on_every_plane(const Frame& frame,
                                          std::optional<double> SliceRecord::*member,
                                          const std::string& tag, PlanLog& log) {
  std::vector<double> factors;
  size_t present = 0;
  for (const SliceRecord& slice : frame.slices) {
    const std::optional<double>& value = slice.*member;
    if (value && std::isfinite(*value) && *value > 0.0) {
      factors.push_back(*value);
      ++present;
    }
  }
  if (present > 0 && present < frame.slices.size()) {
    log.warn(tag + " is present on only " + std::to_string(present) + " of " +
             std::to_string(frame.slices.size()) + " planes (or 0 on some); not used");
  }
  if (present != frame.slices.size()) factors.clear();
  return factors;
}

Json factor_range_json(const std::string& tag, const std::vector<double>& factors) {
  Json json;
  json["factor"] = tag;
  const auto [lowest, highest] = std::minmax_element(factors.begin(), factors.end());
  json["min"] = audit_number(*lowest);
  json["max"] = audit_number(*highest);
  return json;
}

PixelConversion stored_suv_conversion(const UnitsDecision& units, const SeriesHeader& header,
                                      size_t planes, PlanLog& log) {
  PixelConversion conversion;
  conversion.stored_suv = true;
  conversion.per_plane.assign(planes, 1.0);
  const std::string raw = header.suv_type.has_value() ? upper_trimmed(*header.suv_type) : "";
  Json stored;
  if (raw.empty()) {
    // An empty SUVType means BW for GML [IBSI-SUV]; CM2ML can only hold SUVbsa.
    conversion.stored =
        units.value == "GML" ? SuvNormalization::kBodyWeight : SuvNormalization::kBodySurfaceArea;
    stored["source"] = "assumed: SUVType (0054,1006) is empty";
    log.warn("SUVType (0054,1006) is empty; the " + units.value + " series is taken as " +
             normalization_info(conversion.stored).type_name +
             (units.value == "GML" ? " (some vendors' GML is SUVlbm: check the source)" : ""));
  } else {
    const auto parsed = normalization_from_suv_type(raw);
    if (!parsed) {
      log.invalid("SUVType (0054,1006) = '" + raw +
                  "' is not one of BW, LBM, LBMJAMES128, LBMJANMA, IBW, BSA; the stored SUV "
                  "cannot be converted (give --units BQML only if the pixels are really Bq/mL)");
    }
    const bool surface = *parsed == SuvNormalization::kBodySurfaceArea;
    if (surface != (units.value == "CM2ML")) {
      log.invalid("SUVType (0054,1006) = " + raw + " does not fit Units (0054,1001) = " +
                  units.value + " (BSA goes with CM2ML, the others with GML)");
    }
    conversion.stored = *parsed;
    stored["source"] = "(0054,1006) SUVType";
  }
  const NormalizationInfo& info = normalization_info(conversion.stored);
  conversion.path = units.value + "/" + info.dicom_suv_type;
  conversion.input_unit = info.ucum;
  stored["type"] = info.type_name;
  stored["suv_type"] = info.dicom_suv_type;
  stored["formula"] = info.formula;
  conversion.stored_json = stored;
  return conversion;
}

PixelConversion calibrated_counts_conversion(const UnitsDecision& units, const Frame& frame,
                                             const CountCalibration& calibration,
                                             const std::vector<PlaneTiming>& planes, PlanLog& log) {
  PixelConversion conversion;
  conversion.path = units.value + "+calibration";
  conversion.input_unit = units.value == "CPS" ? "{counts}/s" : "{counts}";
  Json& json = conversion.json;
  json["calibration"] = calibration.description;
  if (calibration.bq_per_ml_per_unit) {
    if (!(*calibration.bq_per_ml_per_unit > 0.0)) {
      log.invalid("--calibration " + number_text(*calibration.bq_per_ml_per_unit) +
                  " Bq/mL per unit is not positive");
    }
    conversion.per_plane.assign(frame.slices.size(), *calibration.bq_per_ml_per_unit);
    json["bq_per_ml_per_unit"] = audit_number(*calibration.bq_per_ml_per_unit);
    return conversion;
  }
  if (!calibration.sensitivity_cps_per_mbq || !(*calibration.sensitivity_cps_per_mbq > 0.0)) {
    log.invalid(
        "the count calibration gives neither a positive Bq/mL per unit nor a positive "
        "sensitivity; give --calibration BQ_PER_ML or --sensitivity CPS_PER_MBQ");
  }
  // C = counts / (t · S · V) for counts, C = cps / (S · V) for count rates (§11.2).
  const double sensitivity_cps_per_bq = *calibration.sensitivity_cps_per_mbq * 1e-6;
  const double voxel_ml = frame.image.geometry.voxel_volume_ml();
  if (!(voxel_ml > 0.0)) log.invalid("the voxel volume is not positive; cannot calibrate counts");
  json["sensitivity_cps_per_mbq"] = audit_number(*calibration.sensitivity_cps_per_mbq);
  json["voxel_volume_ml"] = audit_number(voxel_ml);
  for (size_t index = 0; index < planes.size(); ++index) {
    double duration_s = 1.0;
    if (units.value != "CPS") {
      const std::optional<double> plane_duration = calibration.acquisition_duration_s
                                                       ? calibration.acquisition_duration_s
                                                       : planes[index].duration_s;
      if (!plane_duration || !(*plane_duration > 0.0)) {
        log.missing("ActualFrameDuration (0018,1242) is missing on plane " + std::to_string(index) +
                    "; the counts-to-activity calibration needs the acquisition duration; give "
                    "--acquisition-duration S");
      }
      duration_s = *plane_duration;
    }
    conversion.per_plane.push_back(1.0 / (duration_s * sensitivity_cps_per_bq * voxel_ml));
  }
  json["acquisition_duration_s"] =
      units.value == "CPS"
          ? Json(nullptr)
          : audit_optional(calibration.acquisition_duration_s ? calibration.acquisition_duration_s
                                                              : planes.front().duration_s);
  return conversion;
}

}  // namespace

UnitsDecision decide_units(const SeriesHeader& header, const SuvOptions& options, PlanLog& log) {
  const std::string stored = header.units.has_value() ? upper_trimmed(*header.units) : "";
  UnitsDecision units;
  if (options.overrides.units) {
    units.value = upper_trimmed(*options.overrides.units);
    if (!is_known_units_term(units.value) || units.value == "NONE") {
      log.invalid("--units '" + *options.overrides.units +
                  "' is not a DICOM Units term (BQML, CNTS, CPS, GML, CM2ML, ...)");
    }
    log.record_override("Units (0054,1001)", "--units", units.value,
                        stored.empty() ? Json(nullptr) : Json(stored));
    units.source = "override --units";
  } else if (!stored.empty() && stored != "NONE") {
    units.value = stored;
    units.source = "(0054,1001) Units";
  } else if (header.real_world_value_units.has_value() &&
             upper_trimmed(*header.real_world_value_units) == "BQ/ML") {
    units.value = "BQML";
    units.source = "(0040,9096) RealWorldValueMapping, units Bq/ml (UCUM)";
  } else if (stored.empty() && header.modality == "NM") {
    // NM images have no Units attribute: their pixels are counts (§11.1).
    units.value = "CNTS";
    units.source = "NM image without Units (0054,1001): counts";
  } else {
    log.missing("Units (0054,1001) is " + std::string(stored.empty() ? "missing" : "NONE") +
                ", so the meaning of the pixel values is unknown; give --units BQML (or the "
                "units the pixels hold)");
  }
  units.category = classify_units(units.value, log);
  return units;
}

PixelConversion plan_pixel_conversion(const UnitsDecision& units, const SeriesHeader& header,
                                      const Frame& frame, const std::vector<PlaneTiming>& planes,
                                      const SuvOptions& options, PlanLog& log) {
  const size_t plane_count = frame.slices.size();
  if (units.category == UnitsCategory::kActivity) {
    PixelConversion conversion;
    conversion.path = "BQML";
    conversion.per_plane.assign(plane_count, 1.0);
    conversion.input_unit = "Bq/ml";
    return conversion;
  }
  if (units.category == UnitsCategory::kStoredSuv) {
    return stored_suv_conversion(units, header, plane_count, log);
  }
  std::vector<double> dose_calibration;
  for (const SliceRecord& slice : frame.slices) {
    if (slice.dose_calibration_factor) dose_calibration.push_back(*slice.dose_calibration_factor);
  }
  if (units.category == UnitsCategory::kCounts) {
    const std::vector<double> activity_factor =
        factor_on_every_plane(frame, &SliceRecord::philips_activity_concentration_scale_factor,
                              "Philips Activity Concentration Scale Factor (7053,1009)", log);
    const std::vector<double> suv_factor = factor_on_every_plane(
        frame, &SliceRecord::philips_suv_scale_factor, "Philips SUV Scale Factor (7053,1000)", log);
    const bool philips = upper_trimmed(header.manufacturer).find("PHILIPS") != std::string::npos;
    if ((!activity_factor.empty() || !suv_factor.empty()) && !philips) {
      log.warn(
          "Philips private scale factors (7053,10xx) found in a series whose Manufacturer "
          "(0008,0070) is '" +
          header.manufacturer + "'; used as Philips defines them");
    }
    if (!activity_factor.empty()) {
      // f_AC first: Bq/mL lets every normalisation and decay rule apply and be audited (§3.3).
      PixelConversion conversion;
      conversion.path = "CNTS+ACSF";
      conversion.per_plane = activity_factor;
      conversion.input_unit = "{counts}";
      conversion.json = factor_range_json("(7053,1009) Philips Activity Concentration Scale Factor",
                                          activity_factor);
      conversion.philips_suv_factor = suv_factor;
      return conversion;
    }
    if (!suv_factor.empty()) {
      PixelConversion conversion;
      conversion.path = "CNTS+SUVSF";
      conversion.per_plane = suv_factor;
      conversion.stored_suv = true;
      conversion.stored = SuvNormalization::kBodyWeight;
      conversion.input_unit = "{counts}";
      conversion.json =
          factor_range_json("(7053,1000) Philips SUV Scale Factor (gives SUVbw)", suv_factor);
      Json stored;
      stored["source"] = "(7053,1000) Philips SUV Scale Factor";
      stored["type"] = "SUVbw";
      stored["suv_type"] = "BW";
      stored["formula"] = "body weight";
      conversion.stored_json = stored;
      return conversion;
    }
  }
  if (options.count_calibration) {
    PixelConversion conversion =
        calibrated_counts_conversion(units, frame, *options.count_calibration, planes, log);
    if (!dose_calibration.empty()) {
      conversion.json["dose_calibration_factor_0054_1322"] = audit_number(dose_calibration.front());
    }
    return conversion;
  }
  if (units.value == "CPS") {
    log.unsupported(
        "Units (0054,1001) = CPS: counts per second need a calibration to become "
        "Bq/mL (DoseCalibrationFactor (0054,1322) alone is not trusted, and CPS images "
        "are often not fully corrected); give --calibration BQ_PER_ML or --sensitivity "
        "CPS_PER_MBQ");
  }
  log.unsupported("Units (0054,1001) = CNTS (source: " + units.source +
                  ") without Philips Activity Concentration Scale Factor (7053,1009) or SUV Scale "
                  "Factor (7053,1000): counts have no defined path to Bq/mL; give --calibration "
                  "BQ_PER_ML or --sensitivity CPS_PER_MBQ");
}

PixelConversion philips_suv_fallback(const PixelConversion& activity_conversion) {
  PixelConversion conversion;
  conversion.path = "CNTS+SUVSF";
  conversion.per_plane = activity_conversion.philips_suv_factor;
  conversion.stored_suv = true;
  conversion.stored = SuvNormalization::kBodyWeight;
  conversion.input_unit = "{counts}";
  conversion.json =
      factor_range_json("(7053,1000) Philips SUV Scale Factor (gives SUVbw)", conversion.per_plane);
  conversion.stored_json = Json{{"source", "(7053,1000) Philips SUV Scale Factor"},
                                {"type", "SUVbw"},
                                {"suv_type", "BW"},
                                {"formula", "body weight"}};
  return conversion;
}

Json check_rescale(const Frame& frame, const SuvOptions& options, PlanLog& log) {
  double slope_min = frame.slices.front().rescale_slope;
  double slope_max = slope_min;
  double intercept_min = frame.slices.front().rescale_intercept;
  double intercept_max = intercept_min;
  size_t first_nonzero = frame.slices.size();
  for (size_t index = 0; index < frame.slices.size(); ++index) {
    const SliceRecord& slice = frame.slices[index];
    slope_min = std::min(slope_min, slice.rescale_slope);
    slope_max = std::max(slope_max, slice.rescale_slope);
    intercept_min = std::min(intercept_min, slice.rescale_intercept);
    intercept_max = std::max(intercept_max, slice.rescale_intercept);
    if (slice.rescale_intercept != 0.0 && first_nonzero == frame.slices.size()) {
      first_nonzero = index;
    }
  }
  Json json;
  json["per_slice"] = slope_max - slope_min > kSameFactorTolerance * std::abs(slope_max);
  json["slope_min"] = audit_number(slope_min);
  json["slope_max"] = audit_number(slope_max);
  if (first_nonzero == frame.slices.size()) {
    json["intercept"] = 0;
    return json;
  }
  const SliceRecord& slice = frame.slices[first_nonzero];
  const std::string where =
      "RescaleIntercept (0028,1052) = " + number_text(slice.rescale_intercept) + " on plane " +
      std::to_string(first_nonzero) + (slice.file.empty() ? "" : " (" + slice.file + ")");
  if (!options.allow_rescale_intercept || options.strict) {
    log.invalid(where +
                ": the PET Image Module requires 0 and SUV conventions assume it "
                "(pet-quantification.md §3.1); give --allow-rescale-intercept to apply it" +
                (options.strict ? " (and drop --strict)" : ""));
  }
  log.record_override("RescaleIntercept (0028,1052)", "--allow-rescale-intercept",
                      "applied as U = m*SV + b", number_text(slice.rescale_intercept));
  log.warn(where + " applied (allowed by option)");
  Json intercept;
  intercept["min"] = audit_number(intercept_min);
  intercept["max"] = audit_number(intercept_max);
  intercept["applied"] = true;
  json["intercept"] = intercept;
  return json;
}

Json check_attenuation_correction(const SeriesHeader& header, PlanLog& log) {
  Json json;
  for (const std::string& value : header.corrected_image) {
    if (upper_trimmed(value) == "ATTN") {
      json["value"] = true;
      json["source"] = "(0028,0051) CorrectedImage contains ATTN";
      return json;
    }
  }
  if (header.attenuation_corrected_flag.has_value() &&
      upper_trimmed(*header.attenuation_corrected_flag) == "YES") {
    json["value"] = true;
    json["source"] = "(0018,9759) AttenuationCorrected YES";
    return json;
  }
  const std::string why =
      " Without attenuation correction the pixel values are not activity concentrations (they "
      "fall with depth in the body), so an SUV would be meaningless; use the "
      "attenuation-corrected series of the study.";
  if (header.corrected_image.empty()) {
    log.unsupported(
        "neither CorrectedImage (0028,0051) nor AttenuationCorrected (0018,9759) says "
        "the series is attenuation corrected (ATTN)." +
        why);
  }
  log.unsupported("CorrectedImage (0028,0051) = " + joined(header.corrected_image) +
                  " lacks ATTN: the series is not attenuation corrected." + why);
}

}  // namespace oncotrace::suv_detail
