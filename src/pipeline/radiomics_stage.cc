// The radiomics stage of analyze_study() (see radiomics_stage.h).
#include "pipeline/radiomics_stage.h"
#include "pipeline/documents.h"

#include <tbb/parallel_for.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/version.h"

namespace oncotrace::pipeline_internal {

namespace {

using Json = nlohmann::ordered_json;

Json value_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(); }

Json radiomics_provenance(const AnalysisRequest& request, const AnalysisResult& result) {
  Json provenance = software_provenance(request);
  Json inputs;
  inputs["study"] = request.study.string();
  inputs["study_instance_uid"] = result.study_instance_uid;
  inputs["series_instance_uid"] = result.series_instance_uid;
  inputs["image"] = "primary image of the analysis (" + result.unit_ucum + ")";
  inputs["masks"] = request.masks ? Json(request.masks->string()) : Json(nullptr);
  inputs["segmentation"] = result.segmentation;
  inputs["method"] = result.method;
  provenance["inputs"] = inputs;
  Json settings;
  settings["config"] = request.radiomics_config;
  settings["radiomics"] =
      request.radiomics ? Json::parse(radiomics::radiomics_settings_to_json(*request.radiomics))
                        : Json(nullptr);
  settings["roi"] = result.segmentation == "masks" ? "each user ROI whole (as its metrics)"
                                                   : "each lesion's label of labels.nii.gz";
  settings["threads"] = request.threads;
  provenance["settings"] = settings;
  for (const StageTiming& timing : result.timings) {
    if (timing.stage == "radiomics") provenance["radiomics_stage_s"] = timing.seconds;
  }
  return provenance;
}

}  // namespace

void radiomics_stage(const AnalysisRequest& request, const ImageVolume& image,
                     const std::vector<const Mask*>& region_masks, AnalysisResult& result) {
  if (!request.radiomics) return;
  const radiomics::RadiomicsSettings& settings = *request.radiomics;
  std::vector<LesionResult>& lesions = result.lesions;
  if (!region_masks.empty() && region_masks.size() != lesions.size()) {
    throw InternalError("radiomics stage: " + std::to_string(region_masks.size()) +
                        " region masks for " + std::to_string(lesions.size()) + " lesions");
  }
  // One lesion per task: each writes its own slot only.
  tbb::parallel_for(size_t{0}, lesions.size(), [&](size_t index) {
    LesionResult& lesion = lesions[index];
    try {
      if (!region_masks.empty()) {
        lesion.radiomics = radiomics::compute_features(image, *region_masks[index], settings);
      } else {
        const IndexBox& box = lesion.metrics.box;
        lesion.radiomics = radiomics::compute_features(image, result.labels, lesion.label,
                                                       box.lower, box.upper, settings);
      }
    } catch (const InvalidInputError& error) {
      lesion.radiomics.reset();
      lesion.radiomics_error = error.what();
    }
  });
  for (const LesionResult& lesion : lesions) {
    if (!lesion.radiomics_error.empty()) {
      result.warnings.push_back("radiomics of " + lesion.name +
                                " not computed: " + lesion.radiomics_error);
    }
  }
}

std::string radiomics_csv(const AnalysisRequest& request, const AnalysisResult& result) {
  std::vector<radiomics::FeatureSet> sets;
  std::vector<std::string> names;
  std::vector<uint16_t> labels;
  for (const LesionResult& lesion : result.lesions) {
    if (!lesion.radiomics) continue;
    sets.push_back(*lesion.radiomics);
    names.push_back(lesion.name);
    labels.push_back(lesion.label);
  }
  const Json provenance = radiomics_provenance(request, result);
  std::string csv = "# oncotrace analyze: IBSI radiomics features, one row per lesion (" +
                    std::to_string(sets.size()) + " of " + std::to_string(result.lesions.size()) +
                    " lesions; see radiomics.json for those not computed)\n";
  csv += "# settings: " + provenance["settings"].dump() + "\n";
  csv += "# provenance: " + provenance.dump() + "\n";
  // The library's table starts each row with the lesion name; the label goes in front.
  const std::string table = radiomics::features_to_csv_wide(sets, names);
  size_t line_start = 0;
  for (size_t row = 0; line_start < table.size(); ++row) {
    const size_t line_end = table.find('\n', line_start);
    const std::string line = table.substr(line_start, line_end - line_start);
    if (row == 0) {
      const size_t comma = line.find(',');
      csv +=
          "label,lesion" + (comma == std::string::npos ? std::string() : line.substr(comma)) + "\n";
    } else {
      csv += std::to_string(labels[row - 1]) + "," + line + "\n";
    }
    if (line_end == std::string::npos) break;
    line_start = line_end + 1;
  }
  return csv;
}

std::string radiomics_json(const AnalysisRequest& request, const AnalysisResult& result) {
  Json document;
  document["description"] =
      "oncotrace analyze: IBSI radiomics features of every lesion on the " + result.unit_ucum +
      " image (tags and codes of the IBSI reference tables; null = undefined for the ROI)";
  document["settings_name"] = request.radiomics ? Json(request.radiomics->name) : Json(nullptr);
  Json codes = Json::object();
  Json units = Json::object();
  const radiomics::IntensityType ivh_type = request.radiomics
                                                ? request.radiomics->ivh.intensity_type
                                                : radiomics::IntensityType::kContinuousCalibrated;
  Json lesions = Json::array();
  for (const LesionResult& lesion : result.lesions) {
    Json item;
    item["label"] = lesion.label;
    item["lesion"] = lesion.name;
    Json features = Json::object();
    Json diagnostics = Json::object();
    if (lesion.radiomics) {
      for (const radiomics::Feature& feature : lesion.radiomics->features) {
        features[feature.tag] = value_or_null(feature.value);
        codes[feature.tag] = feature.ibsi_code;
        if (!units.contains(feature.tag)) {
          units[feature.tag] = radiomics::feature_unit(feature.tag, result.unit_ucum, ivh_type);
        }
      }
      for (const radiomics::Feature& feature : lesion.radiomics->diagnostics) {
        diagnostics[feature.tag] = value_or_null(feature.value);
      }
    }
    item["features"] = features;
    item["diagnostics"] = diagnostics;
    item["error"] = lesion.radiomics_error;
    lesions.push_back(item);
  }
  document["ibsi_codes"] = codes;
  document["units"] = units;
  document["lesions"] = lesions;
  document["provenance"] = radiomics_provenance(request, result);
  return document.dump(2) + "\n";
}

}  // namespace oncotrace::pipeline_internal
