// Serialisation of an AnalysisResult (internal to the pipeline module): lesions.json, the
// label-map sidecar and short unit labels. The public writers lesions_csv() and
// reference_regions_json() are declared in include/oncotrace/pipeline.h.
#ifndef ONCOTRACE_PIPELINE_DOCUMENTS_H_
#define ONCOTRACE_PIPELINE_DOCUMENTS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "oncotrace/pipeline.h"

namespace oncotrace::pipeline_internal {

// Unit of the primary image for column headers: "g/mL" (SUVbw, SUL, SUVibw), "cm2/mL" (SUVbsa),
// "Bq/mL" (none).
std::string unit_label(SuvNormalization normalization);

// The head of every provenance block an analysis writes: software, version, command, arguments.
nlohmann::ordered_json software_provenance(const AnalysisRequest& request);

// lesions.json: study, units, segmentation, reference regions, lesions, patient summary,
// warnings, provenance (software version, inputs, settings, SUV audit, peak variants and their
// parameters, stage timings of load..metrics).
std::string lesions_json(const AnalysisRequest& request, const AnalysisResult& result,
                         const LoadedStudy& study);

// labels.json beside labels.nii.gz: label -> lesion name, the PET series and frame of reference
// (under "oncotrace" so that the map can be given back as --masks), the segmentation.
std::string labels_sidecar_json(const AnalysisResult& result, const LoadedStudy& study);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_PIPELINE_DOCUMENTS_H_
