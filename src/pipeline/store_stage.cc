// Default results-store stage of analyze_study() (see store_stage.h).
#include "pipeline/store_stage.h"

#include <cmath>

#include "oncotrace/store.h"

namespace oncotrace::pipeline_internal {

void store_study(const StoreRequest& request) {
  StudyResults results;
  results.patient_id = request.patient_id;
  results.study_instance_uid = request.study_instance_uid;
  results.study_date = request.study_date;
  results.study_time = request.study_time;
  results.study_description = request.study_description;
  for (const StoreSeries& series : request.series) {
    results.series.push_back(
        {series.uid, series.modality, series.tracer, series.role, series.description});
  }
  MeasurementUnits units;
  units.uptake = request.uptake_unit;
  units.total_uptake = request.total_uptake_unit;
  for (const StoreLesion& lesion : request.lesions) {
    oncotrace::StoredLesion row;
    row.label = lesion.label;
    row.name = lesion.name;
    row.organ = lesion.organ;
    row.measurements = lesion_measurements(*lesion.metrics, units);
    for (const StoreLesion::Feature& feature : lesion.radiomics_features) {
      if (std::isfinite(feature.value)) {
        row.measurements.push_back(
            {feature.tag, feature.value, feature.unit, lesion.radiomics_variant});
      }
    }
    results.lesions.push_back(std::move(row));
  }
  results.study_measurements = patient_measurements(request.patient, units);
  for (const StoreRegion& region : request.regions) {
    oncotrace::StoredReferenceRegion row;
    row.name = region.name;
    row.shape = region.shape;
    row.placement = region.placement;
    row.centre_mm = region.centre_mm;
    row.diameter_mm = region.diameter_mm;
    row.length_mm = region.length_mm;
    row.mean = region.mean;
    row.sd = region.sd;
    row.max = region.max;
    row.min = region.min;
    row.voxel_count = region.voxel_count;
    row.volume_ml = region.volume_ml;
    row.unit = region.unit;
    row.warning = region.warning;
    results.reference_regions.push_back(std::move(row));
  }
  results.provenance.software_version = request.software_version;
  results.provenance.command_line = request.command_line;
  results.provenance.settings_json = request.settings_json;
  results.provenance.inputs_json = request.inputs_json;
  results.provenance.suv_audit_json = request.suv_audit_json;
  ResultsStore store = ResultsStore::open(request.db);
  store.replace_study_results(results);
}

void store_response(const ResponseStoreRequest& request) {
  const ResponseReport& report = *request.report;
  PatientResponseResults results;
  results.patient_id = request.patient_id;
  for (size_t index = 0; index < report.timepoints.size(); ++index) {
    const ResponseTimepoint& timepoint = report.timepoints[index];
    StoredTimepoint row;
    row.label = timepoint.label;
    row.ordinal = static_cast<int>(index);
    if (index < request.study_instance_uids.size()) {
      row.study_instance_uid = request.study_instance_uids[index];
    }
    row.scan_date = timepoint.date;
    row.days_since_baseline = timepoint.days_since_baseline;
    row.cycles_completed = timepoint.cycles_completed;
    row.cycle = timepoint.cycle;
    row.cycle_day = timepoint.cycle_day;
    row.tracer = timepoint.tracer;
    row.uptake_time_min = timepoint.uptake_time_min;
    results.timepoints.push_back(std::move(row));
  }
  for (const ResponseAssessment& assessment : report.assessments) {
    results.responses.push_back({assessment.baseline_label, assessment.follow_up_label,
                                 assessment.criterion, assessment.title, assessment.category,
                                 assessment.category_text, assessment.decided_by,
                                 response_assessment_json(assessment)});
  }
  const auto add_change = [&](const ResponseChangeTable& table, const std::string& lesion,
                              const std::string& organ, const std::string& status,
                              const QuantityChange& change) {
    results.changes.push_back({table.baseline_label, table.follow_up_label, lesion, organ, status,
                               change.quantity, change.unit, change.baseline, change.follow_up,
                               change.absolute_change, change.percent_change});
  };
  for (const ResponseChangeTable& table : report.change_tables) {
    for (const LesionChangeRow& row : table.lesions) {
      for (const QuantityChange& change : row.changes) {
        add_change(table, row.id, row.organ, row.status, change);
      }
    }
    for (const QuantityChange& change : table.patient) add_change(table, "patient", "", "", change);
  }
  results.provenance.command_line = request.command_line;
  results.provenance.settings_json = request.settings_json;
  results.provenance.inputs_json = request.inputs_json;
  ResultsStore store = ResultsStore::open(request.db);
  store.replace_patient_response(results);
}

}  // namespace oncotrace::pipeline_internal
