// The default organ and reference-placement stages of analyze_study() (internal to the pipeline
// module): the organs module (oncotrace/organs.h) behind plain types.
#ifndef ONCOTRACE_SRC_PIPELINE_ORGAN_STAGE_H_
#define ONCOTRACE_SRC_PIPELINE_ORGAN_STAGE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/dicom.h"
#include "oncotrace/measure.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/tracers.h"

namespace oncotrace::pipeline_internal {

// Organ maps from a label map or the heuristics (AnalysisRequest::organ_labels, organ_table,
// extra_excluded_organs, and `tracer_organs`, the canonical organs of the study's tracer).
// Heuristic failures become a warning and no organs; label-map errors are thrown (the user gave
// the file).
OrganMaps default_organ_maps(const AnalysisRequest& request, const LoadedStudy& study,
                             std::vector<std::string>& warnings,
                             const std::vector<std::string>& tracer_organs = {});

// The tracer fields of a PET header, as the tracer catalogue identifies them.
TracerDicomFields tracer_fields(const SeriesHeader& header);

// The organs of a tracer's catalogue entry (physiological_uptake and not_assessable_in) that
// detection excludes, as canonical organs, and those it cannot exclude (not segmented, or
// holding lesions: bone, bone marrow, bowel, muscle, brown fat, biliary tree, uterus, ...), with
// the warning that names them.
struct TracerOrganExclusion {
  std::vector<std::string> excluded;      // canonical organ names, sorted
  std::vector<std::string> not_excluded;  // catalogue organ names
  std::optional<std::string> warning;     // when not_excluded is not empty
};
TracerOrganExclusion tracer_organ_exclusion(const Tracer& tracer);

// One automatically placed reference region.
struct PlacedRegion {
  std::string name;  // "liver", "blood_pool", "spleen", "muscle"
  std::optional<ReferenceRegionSpec> spec;
  std::string method;       // "label_map", "heuristic", "not_placed"
  std::string explanation;  // how, or why not
  std::vector<std::string> warnings;
};
// place_reference_regions() on the primary image; the four regions in that order.
std::vector<PlacedRegion> place_default_regions(const LoadedStudy& study, const OrganMaps& organs);

// organ_of_lesion() (organ_of_region() and the breast rule of the request) for a lesion label
// whose voxels all lie in `box` (its LesionMetrics::box); "" without a segmentation.
std::string lesion_organ(const AnalysisRequest& request, const OrganMaps& organs,
                         const LabelMap& lesions, uint16_t label, const IndexBox& box);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_ORGAN_STAGE_H_
