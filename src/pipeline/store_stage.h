// The default results-store stage of analyze_study() (internal to the pipeline module): the
// results store (oncotrace/store.h) behind plain types. This header must not include
// oncotrace/pipeline.h: store.h has its own StoredLesion and StoredReferenceRegion.
#ifndef ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_
#define ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "oncotrace/measure.h"
#include "oncotrace/response.h"

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
  // IBSI radiomics features, stored as measurements with quantity = tag, unit = the feature's
  // unit (radiomics::feature_unit of the uptake unit) and variant = radiomics_variant
  // ("radiomics:<settings name>"); undefined (NaN) values are not stored.
  struct Feature {
    std::string tag;
    double value = 0.0;
    std::string unit;
  };
  std::vector<Feature> radiomics_features;
  std::string radiomics_variant;
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

// The response series of `oncotrace response`: one timepoint per ResponseReport timepoint (linked
// to the study of the same index in study_instance_uids), one responses row per assessment, one
// lesion_changes row per change-table entry (lesion rows, then the "patient" rows).
struct ResponseStoreRequest {
  std::filesystem::path db;
  std::string patient_id;
  std::vector<std::string> study_instance_uids;  // per timepoint
  const ResponseReport* report = nullptr;
  std::string command_line, settings_json, inputs_json;
};
// ResultsStore::open(db).replace_patient_response(...). Throws what the store throws.
void store_response(const ResponseStoreRequest& request);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_STORE_STAGE_H_
