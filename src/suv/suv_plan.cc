// plan_suv(): the rule set of pet-quantification.md §1-§8 and §11, turned into one factor per
// plane and an audit record.
//
// The plan runs in four steps:
//   1. units and pixel conversion (§3; suv_pixels.cc): what the rescaled value U of each plane
//      means, and the factor k_i that makes it Bq/mL (BQML, CNTS with Philips factors or a
//      calibration, CPS) or an SUV of a stored normalisation (GML, CM2ML, Philips SUV factor);
//   2. checks that apply to every path: RescaleIntercept, attenuation correction (§3.1, §3.6;
//      suv_pixels.cc);
//   3. decay (§4; suv_decay.cc): the multiplier m_i = D_adm / D_ref,i of each plane (START:
//      2^(Δt/T½); ADMIN: 1; NONE: λT/(1-e^(-λT)) · e^(λ(t_acq,i - t_adm)));
//   4. normalisation (§6; this file): SUV_i = U_i · k_i · N · m_i / D_adm, or N_target / N_stored
//      for stored SUVs, and the audit.
#include <algorithm>
#include <cmath>
#include <set>

#include "oncotrace/error.h"
#include "oncotrace/suv.h"
#include "oncotrace/version.h"
#include "suv/plan_log.h"
#include "suv/suv_decay.h"
#include "suv/suv_inputs.h"
#include "suv/suv_normalization.h"
#include "suv/suv_pixels.h"
#include "suv/suv_time.h"

namespace oncotrace {
namespace suv_detail {
namespace {

// Philips f_AC and f_SUV must give the same SUVbw within this fraction (§3.3).
constexpr double kPhilipsAgreementFraction = 0.005;

// Pieces of the audit a path produces; assembled in a fixed order at the end.
struct PlanPieces {
  std::vector<double> factors;
  Json decay_correction = nullptr;
  Json reference_time = nullptr;
  Json administration_time = nullptr;
  Json half_life = nullptr;
  Json administered_activity = nullptr;
  Json decay = Json::object();
  Json patient = Json{
      {"weight_kg", nullptr}, {"height_m", nullptr}, {"sex", nullptr}, {"sources", Json::object()}};
  Json normalisation = nullptr;
  Json normaliser_per_activity = nullptr;
  // For the Philips cross-check: N_target and the weight, when known.
  double target_normaliser = 0.0;
  std::optional<double> weight_kg;
  std::vector<double> activity_to_suv;  // N · m_i / D_adm per plane (g/Bq or cm²/Bq)
};

Json none_normalisation_json() {
  const NormalizationInfo& info = normalization_info(SuvNormalization::kNone);
  Json json;
  json["type"] = info.type_name;
  json["formula"] = "none: activity concentration";
  json["normaliser"] = nullptr;
  json["normaliser_unit"] = nullptr;
  json["dicom_code"] = nullptr;
  json["dicom_scheme"] = nullptr;
  json["ucum"] = info.ucum;
  return json;
}

Json suv_factor_json(const std::vector<double>& factors, const std::string& unit) {
  Json json;
  const auto [lowest, highest] = std::minmax_element(factors.begin(), factors.end());
  const bool per_slice = *highest - *lowest > kSameFactorTolerance * std::abs(*highest);
  json["per_slice"] = per_slice;
  if (per_slice) {
    Json values = Json::array();
    for (const double factor : factors) values.push_back(audit_number(factor));
    json["values"] = values;
  } else {
    json["value"] = audit_number(factors.front());
  }
  json["unit"] = unit;
  return json;
}

// The audit items the decay step produced.
void copy_decay_audit(const DecayStep& decay, PlanPieces& pieces) {
  pieces.half_life = decay.half_life;
  pieces.reference_time = decay.reference_time;
  pieces.administration_time = decay.administration_time;
}

PlanPieces activity_path(const PixelConversion& conversion, const SeriesHeader& header,
                         const Frame& frame, const SuvOptions& options, PlanLog& log) {
  PlanPieces pieces;
  const SuvNormalization target = options.normalization;
  if (target == SuvNormalization::kNone) {
    // Activity concentration as the scanner's decay correction left it: no dose, no time.
    pieces.factors = conversion.per_plane;
    Json decay;
    decay["value"] =
        header.decay_correction.has_value() ? Json(*header.decay_correction) : Json(nullptr);
    decay["source"] = "(0054,1102) DecayCorrection";
    decay["applied"] = "none: Bq/mL as stored (decay reference unchanged)";
    pieces.decay_correction = decay;
    pieces.normalisation = none_normalisation_json();
    return pieces;
  }
  PatientNeeds needs;
  needs.add(target);
  needs.purpose = normalization_info(target).type_name;
  const PatientValues patient = resolve_patient(header, options, needs, log);
  pieces.patient = patient.json;
  pieces.weight_kg = patient.weight_kg;
  const Normaliser normaliser = compute_normaliser(target, patient, options.ibw_formula, log);
  pieces.normalisation = normaliser.json;
  pieces.target_normaliser = normaliser.value;

  DecayStep decay = resolve_decay(header, frame, options, true, log);
  copy_decay_audit(decay, pieces);
  const AdministeredActivity activity = resolve_administered_activity(
      header, options, decay.inputs.half_life_s, decay.inputs.administration, log);
  pieces.administered_activity = activity.json;
  pieces.decay_correction = decay.decay_correction;
  if (!decay.alternative.is_null())
    pieces.decay_correction["alternative_reading"] = decay.alternative;
  pieces.decay = decay.multipliers.json;

  const std::vector<double>& multipliers = decay.multipliers.per_plane;
  const bool single_reference = decay.mode_used != DecayMode::kNone;
  if (single_reference) {
    const double reference_activity_bq = activity.net_bq / multipliers.front();
    pieces.decay["reference_activity_bq"] = audit_number(reference_activity_bq);
    Json per_activity;
    per_activity["value"] = audit_number(normaliser.value / reference_activity_bq);
    per_activity["unit"] = normalization_info(target).normaliser_unit + "/Bq";
    pieces.normaliser_per_activity = per_activity;
  } else {
    pieces.decay["reference_activity_bq"] = audit_number(activity.net_bq);
    pieces.decay["reference"] = "administration (NONE: each frame corrected back to it)";
  }
  for (size_t index = 0; index < multipliers.size(); ++index) {
    const double activity_to_suv = normaliser.value * multipliers[index] / activity.net_bq;
    pieces.activity_to_suv.push_back(activity_to_suv);
    pieces.factors.push_back(conversion.per_plane[index] * activity_to_suv);
  }
  return pieces;
}

PlanPieces stored_suv_path(const PixelConversion& conversion, const SeriesHeader& header,
                           const Frame& frame, const SuvOptions& options, PlanLog& log) {
  PlanPieces pieces;
  const SuvNormalization target = options.normalization;
  const SuvNormalization stored = conversion.stored;
  if (target != SuvNormalization::kNone) {
    // SUV to SUV needs no decay information: recorded for information only.
    Json decay;
    decay["value"] =
        header.decay_correction.has_value() ? Json(*header.decay_correction) : Json(nullptr);
    decay["source"] = "(0054,1102) DecayCorrection";
    decay["applied"] = "not needed: the stored SUV is rescaled by N_target / N_stored";
    pieces.decay_correction = decay;
  }
  if (target == stored) {
    // The stored normalisation is the one asked for: nothing about the patient is needed.
    pieces.factors = conversion.per_plane;
    Json normalisation;
    const NormalizationInfo& info = normalization_info(target);
    normalisation["type"] = info.type_name;
    normalisation["formula"] = info.formula + " (as stored)";
    normalisation["normaliser"] = nullptr;
    normalisation["normaliser_unit"] = info.normaliser_unit;
    normalisation["dicom_code"] = info.dicom_code;
    normalisation["dicom_scheme"] = "DCM";
    normalisation["ucum"] = info.ucum;
    pieces.normalisation = normalisation;
    return pieces;
  }
  PatientNeeds needs;
  needs.add(stored);
  needs.add(target);
  needs.purpose = "converting the stored " + normalization_info(stored).type_name + " to " +
                  normalization_info(target).type_name;
  const PatientValues patient = resolve_patient(header, options, needs, log);
  pieces.patient = patient.json;
  const Normaliser stored_normaliser =
      compute_normaliser(stored, patient, options.ibw_formula, log);
  Json stored_json = stored_normaliser.json;
  if (target == SuvNormalization::kNone) {
    // C = SUV_stored · D_ref / N_stored (§6.4).
    DecayStep decay = resolve_decay(header, frame, options, false, log);
    copy_decay_audit(decay, pieces);
    const AdministeredActivity activity = resolve_administered_activity(
        header, options, decay.inputs.half_life_s, decay.inputs.administration, log);
    pieces.administered_activity = activity.json;
    pieces.decay_correction = decay.decay_correction;
    pieces.decay = decay.multipliers.json;
    const double reference_activity_bq = activity.net_bq / decay.multipliers.per_plane.front();
    pieces.decay["reference_activity_bq"] = audit_number(reference_activity_bq);
    for (const double k : conversion.per_plane) {
      pieces.factors.push_back(k * reference_activity_bq / stored_normaliser.value);
    }
    pieces.normalisation = none_normalisation_json();
    pieces.normalisation["stored_normaliser"] = stored_json;
    return pieces;
  }
  // SUV_target = SUV_stored · N_target / N_stored (§6.4).
  const Normaliser target_normaliser =
      compute_normaliser(target, patient, options.ibw_formula, log);
  pieces.normalisation = target_normaliser.json;
  pieces.normalisation["stored_normaliser"] = stored_json;
  const double ratio = target_normaliser.value / stored_normaliser.value;
  pieces.normalisation["conversion_factor"] = audit_number(ratio);
  for (const double k : conversion.per_plane) pieces.factors.push_back(k * ratio);
  return pieces;
}

// Both Philips factors present: SUVbw via f_AC and the BQML rules must equal f_SUV (§3.3).
Json philips_cross_check(const PixelConversion& conversion, const PlanPieces& pieces,
                         PlanLog& log) {
  Json json;
  json["suv_scale_factor_present"] = true;
  if (!pieces.weight_kg || pieces.activity_to_suv.empty() || !(pieces.target_normaliser > 0.0)) {
    json["checked"] = false;
    json["reason"] = "the body weight is not part of this normalisation";
    return json;
  }
  const double to_body_weight = 1000.0 * *pieces.weight_kg / pieces.target_normaliser;
  double lowest_ratio = 0.0;
  double highest_ratio = 0.0;
  for (size_t index = 0; index < conversion.per_plane.size(); ++index) {
    const double suv_bw_via_activity =
        conversion.per_plane[index] * pieces.activity_to_suv[index] * to_body_weight;
    const double ratio = suv_bw_via_activity / conversion.philips_suv_factor[index];
    lowest_ratio = index == 0 ? ratio : std::min(lowest_ratio, ratio);
    highest_ratio = index == 0 ? ratio : std::max(highest_ratio, ratio);
  }
  json["checked"] = true;
  json["ratio_min"] = audit_number(lowest_ratio);
  json["ratio_max"] = audit_number(highest_ratio);
  const double deviation = std::max(std::abs(lowest_ratio - 1.0), std::abs(highest_ratio - 1.0));
  if (deviation > kPhilipsAgreementFraction) {
    log.warn(
        "Philips Activity Concentration Scale Factor (7053,1009) and SUV Scale Factor "
        "(7053,1000) give SUVbw differing by " +
        number_text(100.0 * deviation) + " % (ratio " + number_text(lowest_ratio) + " to " +
        number_text(highest_ratio) +
        "): weight or dose were probably edited after reconstruction; the activity factor "
        "is used");
  }
  return json;
}

size_t distinct_files(const Frame& frame) {
  std::set<std::string> files;
  for (const SliceRecord& slice : frame.slices) {
    files.insert(slice.file.empty() ? slice.sop_instance_uid : slice.file);
  }
  return files.size();
}

void check_frame_shape(const Frame& frame, PlanLog& log) {
  if (frame.slices.empty()) log.invalid("the frame has no planes; nothing to convert");
  const int64_t image_planes = frame.image.geometry.size[2];
  if (!frame.image.values.empty() && image_planes != static_cast<int64_t>(frame.slices.size())) {
    throw InternalError(log.context() + ": the frame image has " + std::to_string(image_planes) +
                        " planes but " + std::to_string(frame.slices.size()) +
                        " slice records (reader bug)");
  }
}

}  // namespace

SuvPlan plan_suv_impl(const SeriesHeader& header, const Frame& frame, const SuvOptions& options) {
  PlanLog log(series_context(header, frame));
  check_frame_shape(frame, log);
  const UnitsDecision units = decide_units(header, options, log);
  const Json rescale = check_rescale(frame, options, log);
  const Json attenuation = check_attenuation_correction(header, log);
  const std::vector<PlaneTiming> planes = plane_timings(header, frame);
  PixelConversion conversion = plan_pixel_conversion(units, header, frame, planes, options, log);

  PlanPieces pieces;
  Json philips = nullptr;
  if (conversion.stored_suv) {
    pieces = stored_suv_path(conversion, header, frame, options, log);
  } else {
    const PlanLog before = log;
    try {
      pieces = activity_path(conversion, header, frame, options, log);
      if (!conversion.philips_suv_factor.empty()) {
        philips = philips_cross_check(conversion, pieces, log);
      }
    } catch (const MissingMetadataError& error) {
      if (conversion.philips_suv_factor.empty()) throw;
      // f_SUV needs none of the activity path's inputs for SUVbw (§3.3 fallback).
      log = before;
      log.warn(std::string("the Activity Concentration Scale Factor path cannot be used (") +
               error.what() + "); falling back to the Philips SUV Scale Factor (7053,1000)");
      conversion = philips_suv_fallback(conversion);
      pieces = stored_suv_path(conversion, header, frame, options, log);
    }
  }

  const NormalizationInfo& target_info = normalization_info(options.normalization);
  Json audit;
  audit["series_instance_uid"] = header.series_instance_uid;
  audit["modality"] = header.modality;
  audit["manufacturer"] = header.manufacturer;
  audit["planes"] = frame.slices.size();
  audit["instances"] = distinct_files(frame);
  audit["input_units"] = Json{{"value", units.value}, {"source", units.source}};
  audit["conversion_path"] = conversion.path;
  audit["pixel_conversion"] = conversion.json;
  audit["rescale"] = rescale;
  audit["corrected_image"] = header.corrected_image;
  audit["attenuation_corrected"] = attenuation;
  audit["decay_correction"] = pieces.decay_correction;
  audit["reference_time"] = pieces.reference_time;
  audit["administration_time"] = pieces.administration_time;
  audit["half_life_s"] = pieces.half_life;
  audit["administered_activity_bq"] = pieces.administered_activity;
  audit["decay_interval_s"] =
      pieces.decay.contains("decay_interval_s") ? pieces.decay["decay_interval_s"] : Json(nullptr);
  audit["decay_factor"] =
      pieces.decay.contains("decay_factor") ? pieces.decay["decay_factor"] : Json(nullptr);
  audit["reference_activity_bq"] = pieces.decay.contains("reference_activity_bq")
                                       ? pieces.decay["reference_activity_bq"]
                                       : Json(nullptr);
  // ADMIN only: the uptake interval, checked for plausibility though the SUV does not use it.
  audit["interval_to_acquisition_s"] = pieces.decay.contains("interval_to_acquisition_s")
                                           ? pieces.decay["interval_to_acquisition_s"]
                                           : Json(nullptr);
  audit["patient"] = pieces.patient;
  audit["stored_normalisation"] = conversion.stored_json;
  audit["normalisation"] = pieces.normalisation;
  audit["suv_factor_per_activity"] = pieces.normaliser_per_activity;
  audit["suv_factor"] =
      suv_factor_json(pieces.factors, target_info.ucum + " per " + conversion.input_unit);
  audit["philips_cross_check"] = philips;
  audit["overrides"] = log.overrides();
  audit["repairs"] = log.repairs();
  audit["warnings"] = log.warnings();
  audit["reader_notes"] = header.reader_notes;
  audit["oncotrace_version"] = version_string();

  SuvPlan plan;
  plan.normalization = options.normalization;
  plan.unit_ucum = target_info.ucum;
  plan.factor_per_slice = std::move(pieces.factors);
  plan.audit.json = audit.dump(2);
  plan.audit.warnings = log.warnings();
  return plan;
}

}  // namespace suv_detail

SuvPlan plan_suv(const SeriesHeader& header, const Frame& frame, const SuvOptions& options) {
  return suv_detail::plan_suv_impl(header, frame, options);
}

}  // namespace oncotrace
