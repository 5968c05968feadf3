// Default organ and reference-placement stages of analyze_study() (see organ_stage.h).
#include "pipeline/organ_stage.h"

#include <algorithm>
#include <map>
#include <set>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"

namespace oncotrace::pipeline_internal {

OrganMaps default_organ_maps(const AnalysisRequest& request, const LoadedStudy& study,
                             std::vector<std::string>& warnings,
                             const std::vector<std::string>& tracer_organs) {
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
  std::vector<std::string> extra = request.extra_excluded_organs;
  for (const std::string& organ : tracer_organs) {
    if (std::find(extra.begin(), extra.end(), organ) == extra.end()) extra.push_back(organ);
  }
  maps.excluded = physiological_exclusion_labels(*segmentation, extra);
  maps.excluded_names = canonical_organ_names();
  maps.organs = segmentation->labels;
  maps.organ_names = canonical_organ_names();
  maps.noise_cv = segmentation->noise_cv;
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

TracerDicomFields tracer_fields(const SeriesHeader& header) {
  TracerDicomFields fields;
  const RadiopharmaceuticalInfo& info = header.radiopharmaceutical;
  fields.radiopharmaceutical = info.radiopharmaceutical.value.value_or("");
  fields.radiopharmaceutical_code_value = info.radiopharmaceutical_code.value.value_or("");
  fields.radiopharmaceutical_code_meaning = info.radiopharmaceutical_meaning.value.value_or("");
  fields.radionuclide_code_value = info.radionuclide_code.value.value_or("");
  fields.radionuclide_code_meaning = info.radionuclide_meaning.value.value_or("");
  fields.radionuclide_code_scheme = info.radionuclide_scheme.value.value_or("");
  return fields;
}

namespace {

// Catalogue organ names -> canonical organs of the organs module that detection can exclude.
// Organs absent here (bone, bone marrow, bowel, muscle, brown fat, biliary tree, uterus) are not
// excluded: they hold lesions (bone) or are not segmented; the warning says so.
const std::map<std::string, std::vector<std::string>>& catalogue_to_canonical_organs() {
  static const std::map<std::string, std::vector<std::string>> kMap{
      {"liver", {"liver"}},
      {"kidneys", {"kidney"}},
      {"kidney", {"kidney"}},
      {"urinary_tract", {"bladder"}},
      {"bladder", {"bladder"}},
      {"blood_pool", {"aorta"}},
      {"myocardium", {"heart"}},
      {"heart", {"heart"}},
      {"spleen", {"spleen"}},
      {"brain", {"brain"}},
      {"gallbladder", {"gallbladder"}},
  };
  return kMap;
}

}  // namespace

TracerOrganExclusion tracer_organ_exclusion(const Tracer& tracer) {
  TracerOrganExclusion result;
  std::set<std::string> organs;
  auto add = [&](const std::string& catalogue_organ) {
    const auto found = catalogue_to_canonical_organs().find(catalogue_organ);
    if (found == catalogue_to_canonical_organs().end()) {
      result.not_excluded.push_back(catalogue_organ);
      return;
    }
    organs.insert(found->second.begin(), found->second.end());
  };
  for (const TracerOrgan& organ : tracer.not_assessable_in) add(organ.organ);
  for (const TracerOrgan& organ : tracer.physiological_uptake) add(organ.organ);
  result.excluded.assign(organs.begin(), organs.end());
  if (!result.not_excluded.empty()) {
    std::string list;
    for (const std::string& organ : result.not_excluded) {
      list += (list.empty() ? "" : ", ") + organ;
    }
    result.warning = tracer.display_name +
                     ": physiological uptake in organs not excluded from detection (not "
                     "segmented, or they hold lesions): " +
                     list;
  }
  return result;
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
