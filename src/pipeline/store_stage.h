// The default results-store stage of analyze_study() (internal to the pipeline module): the
// results store (oncotrace/store.h) behind plain types. This header must not include
// oncotrace/pipeline.h: store.h has its own StoredLesion and StoredReferenceRegion.
#ifndef ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_
#define ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/measure.h"

namespace oncotrace::pipeline_internal {

// The results-store rows of one study.
struct StoreRegion {
  std::string name, shape, placement, unit, warning;
  Vec3 centre_mm{0.0, 0.0, 0.0};
  double diameter_mm = 0.0, length_mm = 0.0, mean = 0.0, sd = 0.0, max = 0.0, min = 0.0;
  int64_t voxel_count = 0;
  double volume_ml = 0.0;
};
struct StoreLesion {
  uint16_t label = 0;
  std::string name, organ;
  const LesionMetrics* metrics = nullptr;
};
struct StoreSeries {
  std::string uid, modality, tracer, role, description;
};
struct StoreRequest {
  std::filesystem::path db;
  std::string patient_id, study_instance_uid, study_date, study_time, study_description;
  std::vector<StoreSeries> series;
  std::vector<StoreLesion> lesions;
  PatientMetrics patient;
  std::string uptake_unit = "g/mL", total_uptake_unit = "g";
  std::vector<StoreRegion> regions;
  std::string software_version, command_line, settings_json, inputs_json, suv_audit_json;
};
// ResultsStore::open(db).replace_study_results(...): the study's rows replaced in one
// transaction. Throws what the store throws.
void store_study(const StoreRequest& request);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_
