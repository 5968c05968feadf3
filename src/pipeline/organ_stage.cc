// Default organ and reference-placement stages of analyze_study() (see organ_stage.h).
#include "pipeline/organ_stage.h"

#include "oncotrace/error.h"
#include "oncotrace/organs.h"

namespace oncotrace::pipeline_internal {

OrganMaps default_organ_maps(const AnalysisRequest& request, const LoadedStudy& study,
                             std::vector<std::string>& warnings) {
  OrganMaps maps;
  auto segmentation = std::make_shared<OrganSegmentation>();
  if (request.organ_labels) {
    OrganImportOptions options;
    options.pet_frame_of_reference_uid = study.pet.header.frame_of_reference_uid;
    try {
      *segmentation = import_organ_labels(*request.organ_labels, request.organ_table,
                                          study.image.geometry, options);
    } catch (const InvalidInputError& error) {
      throw InvalidInputError("--organs " + request.organ_labels->string() + ": " + error.what());
    }
    maps.source = "label map " + request.organ_labels->string() + " (" + segmentation->source + ")";
  } else if (request.suv.normalization == SuvNormalization::kNone ||
             request.suv.normalization == SuvNormalization::kBodySurfaceArea) {
    warnings.push_back(
        "organs: the heuristics need an SUVbw-like image (their thresholds are SUV); none with "
        "--normalization " +
        std::string(suv_normalization_name(request.suv.normalization)) +
        ": no physiological-uptake exclusion, no automatic reference regions (give --organs "
        "LABELS.nii.gz)");
    return maps;
  } else {
    const ImageVolume* ct = study.ct ? &study.ct->frames.at(0).image : nullptr;
    try {
      *segmentation = segment_organs(study.image, ct, {});
    } catch (const InvalidInputError& error) {
      warnings.push_back(std::string("organs: the heuristics failed (") + error.what() +
                         "); no physiological-uptake exclusion, no automatic reference regions");
      return maps;
    }
    maps.source = ct != nullptr ? "heuristics (PET + CT)" : "heuristics (PET only)";
  }
  for (const std::string& warning : segmentation->warnings)
    warnings.push_back("organs: " + warning);
  maps.excluded = physiological_exclusion_labels(*segmentation, request.extra_excluded_organs);
  maps.excluded_names = canonical_organ_names();
  maps.organs = segmentation->labels;
  maps.organ_names = canonical_organ_names();
  maps.segmentation = std::move(segmentation);
  return maps;
}

std::vector<PlacedRegion> place_default_regions(const LoadedStudy& study, const OrganMaps& organs) {
  std::vector<PlacedRegion> out;
  if (!organs.segmentation) return out;
  const ReferenceRegions regions = place_reference_regions(study.image, *organs.segmentation,
                                                           nullptr, ReferencePlacementOptions{});
  for (const ReferenceRegionPlacement* placement :
       {&regions.liver, &regions.blood_pool, &regions.spleen, &regions.muscle}) {
    PlacedRegion region;
    region.name = placement->region;
    if (placement->statistics) region.spec = placement->statistics->spec;
    region.method = placement_method_name(placement->method);
    region.explanation = placement->explanation;
    region.warnings = placement->warnings;
    out.push_back(std::move(region));
  }
  // Cross-region plausibility warnings go with the liver (the PERCIST reference).
  if (!out.empty()) {
    for (const std::string& warning : regions.warnings) out.front().warnings.push_back(warning);
  }
  return out;
}

std::string lesion_organ(const AnalysisRequest& request, const OrganMaps& organs,
                         const LabelMap& lesions, uint16_t label, const IndexBox& box) {
  if (!organs.segmentation) return "";
  BreastRuleOptions breast;
  breast.enabled = request.breast_rule;
  breast.min_depth_anterior_to_thorax_mm = request.breast_min_depth_mm;
  return organ_of_lesion(*organs.segmentation, lesions, label, box, breast);
}

}  // namespace oncotrace::pipeline_internal
