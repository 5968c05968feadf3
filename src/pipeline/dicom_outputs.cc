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

// Tumour-to-reference ratios: (126039, DCM) in {ratio}, the numerator statistic as Derivation
// and the reference region as the (126040, DCM) "Background" modifier (interoperability.md §1.2).
// Region codes: liver 10200004, spleen 78961009 and aorta 15825003 (the blood-pool cylinder lies
// in the descending thoracic aorta) from the TotalSegmentator table of interoperability.md §3;
// muscle (71616004, SCT, "Muscle") from its tissue-class table.
void add_ratios(const TumourToBackgroundRatios& ratios,
                std::vector<SrNumericMeasurement>& measurements) {
  CodedConcept statistic = sr_codes::maximum();
  if (ratios.numerator == RatioNumerator::kMean) statistic = sr_codes::mean();
  if (ratios.numerator == RatioNumerator::kPeak) statistic = sr_codes::peak_value_within_roi();
  const std::pair<const std::optional<double>*, CodedConcept> regions[] = {
      {&ratios.liver, {"10200004", "SCT", "Liver"}},
      {&ratios.blood_pool, {"15825003", "SCT", "Aorta"}},
      {&ratios.spleen, {"78961009", "SCT", "Spleen"}},
      {&ratios.muscle, {"71616004", "SCT", "Muscle"}},
  };
  for (const auto& [ratio, region] : regions) {
    if (!*ratio) continue;
    SrNumericMeasurement measurement{sr_codes::lesion_to_background_ratio(), **ratio,
                                     sr_codes::ucum("{ratio}", "ratio"), statistic, std::nullopt};
    measurement.modifiers.emplace_back(sr_codes::background_for_ratio(), region);
    measurements.push_back(std::move(measurement));
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
    add_ratios(metrics.ratios, group.measurements);
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
