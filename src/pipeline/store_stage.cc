// Default results-store stage of analyze_study() (see store_stage.h).
#include "pipeline/store_stage.h"

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

}  // namespace oncotrace::pipeline_internal
