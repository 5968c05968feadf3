#include "pipeline/dicom_outputs.h"

namespace oncotrace::pipeline_internal {

namespace {

void add_statistics(const UptakeStatistics& statistics, const MapQuantity& quantity,
                    std::vector<SrNumericMeasurement>& measurements, bool all_statistics) {
  const std::optional<CodedConcept> no_method;
  measurements.push_back(
      {quantity.quantity, statistics.max, quantity.unit, sr_codes::maximum(), no_method});
  measurements.push_back(
      {quantity.quantity, statistics.mean, quantity.unit, sr_codes::mean(), no_method});
  if (all_statistics) {
    measurements.push_back(
        {quantity.quantity, statistics.min, quantity.unit, sr_codes::minimum(), no_method});
    measurements.push_back(
        {quantity.quantity, statistics.median, quantity.unit, sr_codes::median(), no_method});
    measurements.push_back({quantity.quantity, statistics.sd, quantity.unit,
                            sr_codes::standard_deviation(), no_method});
  }
  if (!statistics.peaks.empty()) {
    measurements.push_back({quantity.quantity, statistics.peaks.front().value, quantity.unit,
                            sr_codes::peak_value_within_roi(), no_method});
  }
}

}  // namespace

MapQuantity map_quantity(SuvNormalization normalization) {
  const SuvQuantityCoding coding = suv_quantity_coding(normalization);
  MapQuantity quantity;
  quantity.quantity = {coding.quantity_code, coding.quantity_scheme, coding.quantity_meaning};
  quantity.unit = sr_codes::ucum(coding.unit_ucum, coding.unit_meaning);
  if (!coding.method_code.empty()) {
    quantity.method = CodedConcept{coding.method_code, "DCM", coding.method_meaning};
  }
  quantity.label = coding.label.substr(0, 16);
  return quantity;
}

std::vector<SrMeasurementGroup> lesion_measurement_groups(
    const AnalysisResult& result, SuvNormalization primary,
    std::optional<SuvNormalization> sul_normalization,
    const std::map<uint16_t, SegmentTracking>& segments) {
  const MapQuantity primary_quantity = map_quantity(primary);
  std::vector<SrMeasurementGroup> groups;
  for (const LesionResult& lesion : result.lesions) {
    const auto segment = segments.find(lesion.label);
    if (segment == segments.end()) continue;  // no segment: wholly overlapped by an earlier ROI
    SrMeasurementGroup group;
    group.tracking_id = segment->second.tracking_id;
    group.tracking_uid = segment->second.tracking_uid;
    group.segment_number = segment->second.segment_number;
    const LesionMetrics& metrics = lesion.metrics;
    add_statistics(metrics.suv, primary_quantity, group.measurements, true);
    if (metrics.sul && sul_normalization) {
      add_statistics(*metrics.sul, map_quantity(*sul_normalization), group.measurements, false);
    }
    group.measurements.push_back({sr_codes::metabolic_volume(), metrics.volume_ml,
                                  sr_codes::ucum("ml", "milliliter"), std::nullopt,
                                  sr_codes::sum_of_segmented_voxels_method()});
    if (primary != SuvNormalization::kNone) {
      const bool per_area = primary == SuvNormalization::kBodySurfaceArea;
      group.measurements.push_back(
          {sr_codes::total_lesion_glycolysis(), metrics.tlg_g,
           per_area ? sr_codes::ucum("cm2", "square centimeter") : sr_codes::ucum("g", "gram"),
           std::nullopt, std::nullopt});
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace oncotrace::pipeline_internal
