// The radiomics stage of analyze_study() (internal to the pipeline module): IBSI features of
// every lesion (AnalysisRequest::radiomics) and the radiomics.csv / radiomics.json documents.
#ifndef ONCOTRACE_SRC_PIPELINE_RADIOMICS_STAGE_H_
#define ONCOTRACE_SRC_PIPELINE_RADIOMICS_STAGE_H_

#include <string>
#include <vector>

#include "oncotrace/pipeline.h"

namespace oncotrace::pipeline_internal {

// Fills LesionResult::radiomics (or radiomics_error) of every lesion of `result`, computed on
// `image` (the primary SUV image). `region_masks[n]` is the mask of lesion n when the lesions
// come from user masks (each region whole, as its metrics); empty: each lesion is its label of
// result.labels within its measure box. Lesions run in parallel (TBB), each into its own slot,
// so the result does not depend on the thread count. Failures of single lesions become
// radiomics_error and a warning (in lesion order).
void radiomics_stage(const AnalysisRequest& request, const ImageVolume& image,
                     const std::vector<const Mask*>& region_masks, AnalysisResult& result);

// radiomics.csv: "# " comment lines (what, settings, provenance), then one header row
// "label,lesion,<IBSI tags>" and one row per lesion with features (17 significant digits, NaN
// for undefined values).
std::string radiomics_csv(const AnalysisRequest& request, const AnalysisResult& result);

// radiomics.json: provenance (software, version, command, inputs, settings with the resolved
// radiomics settings, stage time), the IBSI code and the unit (UCUM, radiomics::feature_unit of
// the image unit) of every tag, and per lesion its label, name,
// features (null when undefined), diagnostic values and error ("" when computed).
std::string radiomics_json(const AnalysisRequest& request, const AnalysisResult& result);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_RADIOMICS_STAGE_H_
