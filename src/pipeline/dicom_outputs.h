// The DICOM outputs of an analysis (internal to the pipeline module): the content of the TID 1500
// measurement report (lesions.sr.dcm) and the quantity of the SUV Parametric Map (suv.pm.dcm).
#ifndef ONCOTRACE_PIPELINE_DICOM_OUTPUTS_H_
#define ONCOTRACE_PIPELINE_DICOM_OUTPUTS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/dicom_pmap.h"
#include "oncotrace/dicom_sr.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/suv.h"
#include "oncotrace/suv_coding.h"

namespace oncotrace::pipeline_internal {

// The quantity of an image normalised with `normalization` (code, UCUM unit, method, label).
MapQuantity map_quantity(SuvNormalization normalization);

// Where a lesion went in the SEG: its segment number and tracking identifiers.
struct SegmentTracking {
  uint16_t segment_number = 0;
  std::string tracking_id;
  std::string tracking_uid;
};

// One TID 1411 group per lesion that has a segment (`segments` by lesion label): on the primary
// image SUVmax, SUVmean, SUVmin, SUVmedian, SD and "the" SUVpeak (the first peak variant); on the
// SUL image, when measured, SULmax, SULmean and SULpeak; MTV (126032, ml, sum of segmented
// voxels), for SUV images TLG (126033, in g, or cm2 for SUVbsa), and the tumour-to-reference
// ratios that were measured (126039, {ratio}, the reference region as modifier 126040).
std::vector<SrMeasurementGroup> lesion_measurement_groups(
    const AnalysisResult& result, SuvNormalization primary,
    std::optional<SuvNormalization> sul_normalization,
    const std::map<uint16_t, SegmentTracking>& segments);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_PIPELINE_DICOM_OUTPUTS_H_
