// lesions.csv, lesions.json, labels.json and reference_regions.json of an AnalysisResult.
#include "pipeline/documents.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/json_values.h"
#include "oncotrace/version.h"

namespace oncotrace {
namespace pipeline_internal {
namespace {

using Json = nlohmann::ordered_json;

Json peak_options_json(const PeakOptions& options) {
  Json out;
  out["centre"] =
      options.centre == PeakCentre::kAnyRegionVoxel ? "any_region_voxel" : "hottest_voxel";
  out["region_restricted"] = options.region_restricted;
  out["weighting"] =
      options.weighting == PeakWeighting::kVoxelCentre ? "voxel_centre" : "partial_volume";
  out["outside_image"] = options.outside_image == PeakOutsideImage::kZero ? "zero" : "exclude";
  out["sphere_volume_ml"] = options.sphere_volume_ml;
  out["radius_mm"] = sphere_radius_mm(options.sphere_volume_ml);
  if (options.weighting == PeakWeighting::kPartialVolume) {
    out["partial_volume_subdivisions"] = options.partial_volume_subdivisions;
  }
  return out;
}

Json statistics_json(const UptakeStatistics& stats) {
  Json out;
  out["max"] = stats.max;
  out["mean"] = stats.mean;
  out["min"] = stats.min;
  out["median"] = stats.median;
  out["sd"] = stats.sd;
  out["sd_kind"] = standard_deviation_kind_name(stats.sd_kind);
  Json peaks = Json::array();
  for (const PeakResult& peak : stats.peaks) {
    Json item;
    item["variant"] = peak.variant;
    item["value"] = peak.value;
    item["centre_lps_mm"] = vec3_json(peak.centre_mm);
    item["contributing_voxels"] = peak.contributing_voxel_count;
    peaks.push_back(item);
  }
  out["peaks"] = peaks;
  out["hottest_voxel_lps_mm"] = vec3_json(stats.hottest_mm);
  return out;
}

Json region_statistics_json(const ReferenceRegionStatistics& stats) {
  Json out;
  out["mean"] = stats.mean;
  out["sd"] = stats.sd;
  out["sd_kind"] = standard_deviation_kind_name(stats.sd_kind);
  out["max"] = stats.max;
  out["min"] = stats.min;
  out["voxel_count"] = stats.voxel_count;
  out["volume_ml"] = stats.volume_ml;
  out["nominal_volume_ml"] = stats.nominal_volume_ml;
  return out;
}

Json reference_regions_array(const AnalysisResult& result) {
  Json regions = Json::array();
  for (const ReferenceRegionResult& region : result.reference_regions) {
    Json item;
    item["name"] = region.name;
    item["placement"] = region.placement;
    item["placement_method"] = region.placement_method;
    item["shape"] = region.suv.spec.shape == RegionShape::kSphere ? "sphere" : "cylinder";
    item["centre_lps_mm"] = vec3_json(region.suv.spec.centre_mm);
    item["diameter_mm"] = region.suv.spec.diameter_mm;
    if (region.suv.spec.shape == RegionShape::kCylinder) {
      item["length_mm"] = region.suv.spec.length_mm;
      item["axis_lps"] = vec3_json(region.suv.spec.axis);
    }
    item["unit"] = result.unit_ucum;
    item["statistics"] = region_statistics_json(region.suv);
    if (region.sul) item["sul"] = region_statistics_json(*region.sul);
    item["warnings"] = region.warnings;
    regions.push_back(item);
  }
  return regions;
}

bool any_sul(const AnalysisResult& result) {
  for (const LesionResult& lesion : result.lesions) {
    if (lesion.metrics.sul) return true;
  }
  return false;
}

bool any_recovery(const AnalysisResult& result) {
  for (const LesionResult& lesion : result.lesions) {
    if (lesion.recovery_max) return true;
  }
  return false;
}

bool is_activity(const AnalysisResult& result) { return result.unit_label == "Bq/mL"; }

std::string format(double value) {
  if (!std::isfinite(value)) return "";
  char text[40];
  std::snprintf(text, sizeof(text), "%.10g", value);
  return text;
}

}  // namespace

std::string unit_label(SuvNormalization normalization) {
  switch (normalization) {
    case SuvNormalization::kNone:
      return "Bq/mL";
    case SuvNormalization::kBodySurfaceArea:
      return "cm2/mL";
    default:
      return "g/mL";
  }
}

Json software_provenance(const AnalysisRequest& request) {
  Json provenance;
  provenance["software"] = "oncotrace";
  provenance["version"] = version_string();
  provenance["command"] = request.command;
  provenance["arguments"] = request.arguments;
  return provenance;
}

std::string lesions_json(const AnalysisRequest& request, const AnalysisResult& result,
                         const LoadedStudy& study) {
  Json document;
  document["schema"] = "oncotrace-lesions/1";
  Json identity;
  identity["study_instance_uid"] = result.study_instance_uid;
  identity["series_instance_uid"] = result.series_instance_uid;
  identity["frame_of_reference_uid"] = result.frame_of_reference_uid;
  identity["ct_series_instance_uid"] =
      result.ct_series_uid.empty() ? Json(nullptr) : Json(result.ct_series_uid);
  identity["grid"] = study.image.geometry.describe();
  document["study"] = identity;

  Json units;
  units["uptake"] = result.unit_ucum;
  units["sul"] = study.sul_plan ? Json(study.sul_plan->unit_ucum) : Json(nullptr);
  units["volume"] = "mL";
  units["total_uptake"] =
      is_activity(result) ? "Bq" : (result.unit_label == "cm2/mL" ? "cm2" : "g");
  units["positions"] = "mm, DICOM patient coordinates (LPS)";
  units["ratios"] = "1";
  document["units"] = units;

  Json segmentation;
  segmentation["kind"] = result.segmentation;
  segmentation["method"] = result.method;
  if (result.detection) {
    const LesionDetection& detection = *result.detection;
    segmentation["threshold_rule"] = detection.threshold_rule;
    segmentation["detection_threshold"] = detection.detection_threshold;
    segmentation["detection_image"] = result.detection_on_sul ? "sul" : "primary";
    segmentation["per_lesion_rule"] =
        detection.per_lesion_rule ? Json(*detection.per_lesion_rule) : Json(nullptr);
    segmentation["connectivity"] = static_cast<int>(detection.connectivity);
    segmentation["min_volume_ml"] = detection.min_volume_ml;
    segmentation["split_prominence"] = optional_number_json(detection.split_prominence);
    if (result.image_background > 0.0) segmentation["image_background"] = result.image_background;
    Json excluded = Json::array();
    for (const ExcludedComponent& component : detection.excluded) {
      Json item;
      item["reason"] = exclusion_reason_name(component.reason);
      item["explanation"] = component.explanation;
      item["voxel_count"] = component.component.voxel_count;
      item["volume_ml"] = component.component.volume_ml;
      item["max"] = component.max_value;
      item["organ_label"] = component.organ_label;
      excluded.push_back(item);
    }
    segmentation["excluded_components"] = excluded;
  }
  document["segmentation"] = segmentation;
  Json tracer;
  tracer["id"] = result.tracer_id.empty() ? Json(nullptr) : Json(result.tracer_id);
  tracer["identification"] = result.tracer_identification;
  tracer["excluded_organs"] = result.tracer_excluded_organs;
  document["tracer"] = tracer;
  document["reference_regions"] = reference_regions_array(result);
  document["skipped_reference_metrics"] = result.skipped_reference_metrics;

  Json lesions = Json::array();
  for (const LesionResult& lesion : result.lesions) {
    const LesionMetrics& metrics = lesion.metrics;
    Json item;
    item["label"] = lesion.label;
    item["name"] = lesion.name;
    item["voxel_count"] = metrics.voxel_count;
    item["volume_ml"] = metrics.volume_ml;
    item["uptake"] = statistics_json(metrics.suv);
    item["total_uptake"] = metrics.tlg_g;
    if (metrics.sul) {
      item["sul"] = statistics_json(*metrics.sul);
      item["total_uptake_sul"] = optional_number_json(metrics.tlg_sul_g);
    }
    item["centroid_lps_mm"] = vec3_json(metrics.centroid_mm);
    item["longest_diameter_mm"] = metrics.longest_diameter_mm;
    Json ratios;
    ratios["numerator"] = ratio_numerator_name(metrics.ratios.numerator);
    ratios["liver"] = optional_number_json(metrics.ratios.liver);
    ratios["blood_pool"] = optional_number_json(metrics.ratios.blood_pool);
    item["tumour_to_background"] = ratios;
    item["detection_threshold"] = optional_number_json(lesion.detection_threshold);
    item["organ"] = lesion.organ.empty() ? Json(nullptr) : Json(lesion.organ);
    if (lesion.recovery_max) {
      Json recovery;
      recovery["max"] = *lesion.recovery_max;
      recovery["mean"] = optional_number_json(lesion.recovery_mean);
      recovery["peak"] = optional_number_json(lesion.recovery_peak);
      item["recovery_coefficients"] = recovery;
    }
    lesions.push_back(item);
  }
  document["lesions"] = lesions;

  Json patient;
  patient["lesion_count"] = result.patient.lesion_count;
  patient["total_mtv_ml"] = result.patient.total_mtv_ml;
  patient["total_uptake"] = result.patient.total_tlg_g;
  patient["total_uptake_sul"] = optional_number_json(result.patient.total_tlg_sul_g);
  patient["hottest_lesion_label"] = result.patient.hottest_lesion_label;
  patient["hottest_lesion_max"] = result.patient.hottest_lesion_suv_max;
  patient["dmax_mm"] = result.patient.dmax_mm;
  patient["dmax_labels"] = Json::array({result.patient.dmax_label_a, result.patient.dmax_label_b});
  document["patient"] = patient;

  if (request.true_sphere_value) {
    Json recovery;
    recovery["definition"] =
        "recovery coefficient = lesion statistic / true sphere value (image units); mean over "
        "the segmented region of the method used (A50 with --method a50)";
    recovery["true_sphere_value"] = *request.true_sphere_value;
    recovery["true_background_value"] = optional_number_json(request.true_background_value);
    if (request.true_background_value && result.image_background > 0.0) {
      recovery["measured_background_over_true"] =
          result.image_background / *request.true_background_value;
    }
    document["recovery"] = recovery;
  }
  document["warnings"] = result.warnings;

  Json provenance = software_provenance(request);
  Json inputs;
  inputs["study"] = request.study.string();
  inputs["series_instance_uid"] = result.series_instance_uid;
  inputs["files"] = study.pet.files.size();
  inputs["ct_series_instance_uid"] =
      result.ct_series_uid.empty() ? Json(nullptr) : Json(result.ct_series_uid);
  inputs["masks"] = request.masks ? Json(request.masks->string()) : Json(nullptr);
  inputs["rois"] = request.roi_names;
  inputs["excluded_organs"] =
      request.excluded_organs ? Json("label map given by the caller") : Json(nullptr);
  provenance["inputs"] = inputs;
  Json settings;
  settings["normalization"] = suv_normalization_name(request.suv.normalization);
  settings["method"] = request.method.text;
  settings["candidate_threshold"] = optional_number_json(request.candidate_threshold);
  settings["local_method"] =
      request.local_method ? Json(request.local_method->text) : Json(nullptr);
  settings["local_margin_mm"] = request.local_margin_mm;
  settings["a50_background"] = optional_number_json(request.a50_background);
  settings["min_volume_ml"] = request.min_volume_ml;
  settings["split_min_prominence"] = optional_number_json(request.split_min_prominence);
  settings["excluded_end_planes"] = request.excluded_end_planes;
  settings["extra_excluded_organs"] = request.extra_excluded_organs;
  settings["tracer"] = request.tracer.empty() ? Json(nullptr) : Json(request.tracer);
  settings["tracer_organ_exclusion"] = request.tracer_organ_exclusion;
  settings["connectivity"] = static_cast<int>(request.connectivity);
  settings["liver_centre_lps_mm"] =
      request.liver_centre_mm ? vec3_json(*request.liver_centre_mm) : Json(nullptr);
  settings["blood_pool_centre_lps_mm"] =
      request.blood_pool_centre_mm ? vec3_json(*request.blood_pool_centre_mm) : Json(nullptr);
  settings["ratio_numerator"] = ratio_numerator_name(request.ratio_numerator);
  settings["breast_rule_min_depth_mm"] =
      request.breast_rule ? Json(request.breast_min_depth_mm) : Json(nullptr);
  settings["threads"] = request.threads;
  settings["radiomics"] = request.radiomics ? Json(request.radiomics_config) : Json(nullptr);
  if (!request.extra_settings_json.empty()) {
    settings["command_line"] = Json::parse(request.extra_settings_json);
  }
  provenance["settings"] = settings;
  Json peaks = Json::array();
  for (const PeakOptions& options : request.peaks) {
    Json item;
    item["variant"] = peak_variant_name(options);
    item["parameters"] = peak_options_json(options);
    peaks.push_back(item);
  }
  provenance["suv_peak"] = {
      {"primary_variant",
       request.peaks.empty() ? Json(nullptr) : Json(peak_variant_name(request.peaks[0]))},
      {"variants", peaks}};
  provenance["suv_audit"] = Json::parse(result.suv_audit_json);
  provenance["sul_audit"] =
      result.sul_audit_json ? Json::parse(*result.sul_audit_json) : Json(nullptr);
  provenance["sul_unavailable"] = study.sul ? Json(nullptr) : Json(study.sul_unavailable_reason);
  Json timings = Json::object();
  for (const StageTiming& timing : result.timings) timings[timing.stage + "_s"] = timing.seconds;
  provenance["stage_timings"] = timings;
  provenance["stage_timings_note"] =
      "wall time per stage; writing is not included (this file is written in that stage)";
  provenance["research_use_only"] =
      "oncotrace reports measurements for research; it does not prescribe treatment.";
  document["provenance"] = provenance;
  return document.dump(2) + "\n";
}

std::string labels_sidecar_json(const AnalysisResult& result, const LoadedStudy& study) {
  Json document;
  document["Description"] = "oncotrace analyze lesion label map (0 = background)";
  Json labels = Json::object();
  for (const LesionResult& lesion : result.lesions) {
    labels[std::to_string(lesion.label)] = lesion.name;
  }
  document["Labels"] = labels;
  document["Segmentation"] = result.method;
  Json inner;
  inner["SeriesInstanceUID"] = study.pet.header.series_instance_uid;
  inner["StudyInstanceUID"] = study.pet.header.study_instance_uid;
  inner["FrameOfReferenceUID"] = study.pet.header.frame_of_reference_uid;
  document["oncotrace"] = inner;
  return document.dump(2) + "\n";
}

}  // namespace pipeline_internal

namespace {

// A column name of lesions.csv: prefix_quantity and the unit, e.g. "suv_max [g/mL]".
std::string column_name(const std::string& prefix, const std::string& quantity,
                        const std::string& unit) {
  return prefix + "_" + quantity + " " + unit;
}

}  // namespace

std::string lesions_csv(const AnalysisResult& result) {
  using pipeline_internal::any_recovery;
  using pipeline_internal::any_sul;
  using pipeline_internal::format;
  const std::string unit = "[" + result.unit_label + "]";
  const bool activity = pipeline_internal::is_activity(result);
  const std::string prefix = activity ? "activity" : "suv";
  const std::string total =
      activity ? "total_activity [Bq]" : (result.unit_label == "cm2/mL" ? "tlg [cm2]" : "tlg [g]");
  const bool sul = any_sul(result);
  const bool recovery = any_recovery(result);
  std::vector<std::string> peak_names;
  if (!result.lesions.empty()) {
    for (const PeakResult& peak : result.lesions.front().metrics.suv.peaks) {
      peak_names.push_back(peak.variant);
    }
  }
  std::vector<std::string> header = {"label", "name", "voxel_count", "volume [mL]"};
  for (const char* statistic : {"max", "mean", "min", "median", "sd"}) {
    header.push_back(column_name(prefix, statistic, unit));
  }
  for (const std::string& name : peak_names)
    header.push_back(column_name(prefix, "peak_" + name, unit));
  header.push_back(total);
  if (sul) {
    for (const char* statistic : {"max", "mean"}) {
      header.push_back(std::string("sul_") + statistic + " [g/mL]");
    }
    if (!peak_names.empty()) header.push_back("sul_peak_" + peak_names.front() + " [g/mL]");
    header.emplace_back("tlg_sul [g]");
  }
  for (const char* axis : {"x", "y", "z"})
    header.push_back(std::string("centroid_") + axis + " [mm]");
  for (const char* axis : {"x", "y", "z"})
    header.push_back(std::string("hottest_") + axis + " [mm]");
  header.emplace_back("longest_diameter [mm]");
  const std::string numerator =
      result.lesions.empty()
          ? "max"
          : ratio_numerator_name(result.lesions.front().metrics.ratios.numerator);
  header.push_back("tbr_" + numerator + "_liver [1]");
  header.push_back("tbr_" + numerator + "_blood_pool [1]");
  header.push_back(result.detection_on_sul ? "detection_threshold_sul [g/mL]"
                                           : "detection_threshold " + unit);
  header.emplace_back("organ");
  if (recovery) {
    header.emplace_back("rc_max [1]");
    header.emplace_back("rc_mean [1]");
    header.emplace_back("rc_peak [1]");
  }
  std::string text;
  for (size_t n = 0; n < header.size(); ++n) text += (n ? "," : "") + csv_field(header[n]);
  text += "\n";
  auto optional_text = [](const std::optional<double>& value) {
    return value ? format(*value) : std::string();
  };
  for (const LesionResult& lesion : result.lesions) {
    const LesionMetrics& m = lesion.metrics;
    std::vector<std::string> row = {std::to_string(lesion.label),
                                    csv_field(lesion.name),
                                    std::to_string(m.voxel_count),
                                    format(m.volume_ml),
                                    format(m.suv.max),
                                    format(m.suv.mean),
                                    format(m.suv.min),
                                    format(m.suv.median),
                                    format(m.suv.sd)};
    for (size_t index = 0; index < peak_names.size(); ++index) {
      row.push_back(index < m.suv.peaks.size() ? format(m.suv.peaks[index].value) : "");
    }
    row.push_back(format(m.tlg_g));
    if (sul) {
      row.push_back(m.sul ? format(m.sul->max) : "");
      row.push_back(m.sul ? format(m.sul->mean) : "");
      if (!peak_names.empty()) {
        row.push_back(m.sul && !m.sul->peaks.empty() ? format(m.sul->peaks.front().value) : "");
      }
      row.push_back(optional_text(m.tlg_sul_g));
    }
    for (int axis = 0; axis < 3; ++axis) row.push_back(format(m.centroid_mm[axis]));
    for (int axis = 0; axis < 3; ++axis) row.push_back(format(m.suv.hottest_mm[axis]));
    row.push_back(format(m.longest_diameter_mm));
    row.push_back(optional_text(m.ratios.liver));
    row.push_back(optional_text(m.ratios.blood_pool));
    row.push_back(optional_text(lesion.detection_threshold));
    row.push_back(csv_field(lesion.organ));
    if (recovery) {
      row.push_back(optional_text(lesion.recovery_max));
      row.push_back(optional_text(lesion.recovery_mean));
      row.push_back(optional_text(lesion.recovery_peak));
    }
    for (size_t n = 0; n < row.size(); ++n) text += (n ? "," : "") + row[n];
    text += "\n";
  }
  return text;
}

std::string reference_regions_json(const AnalysisResult& result) {
  nlohmann::ordered_json document;
  document["schema"] = "oncotrace-reference-regions/1";
  document["series_instance_uid"] = result.series_instance_uid;
  document["unit"] = result.unit_ucum;
  document["regions"] = pipeline_internal::reference_regions_array(result);
  document["skipped"] = result.skipped_reference_metrics;
  return document.dump(2) + "\n";
}

}  // namespace oncotrace
