// The clinical JSON file (schema "oncotrace.clinical/1", docs/clinical.md) read into plain values.
#ifndef ONCOTRACE_CLINICAL_CLINICAL_INPUT_H_
#define ONCOTRACE_CLINICAL_CLINICAL_INPUT_H_

#include <optional>
#include <string>
#include <vector>

#include "oncotrace/clinical.h"
#include "oncotrace/geometry.h"

namespace oncotrace::clinical_internal {

struct SpecimenInput {
  std::string id;
  std::string site;
  std::string site_type;  // primary, regional_node, distant_metastasis, other
  std::string date;       // ISO 8601 date as given
  std::string procedure;
  bool her2_given = false;
  Her2Tests her2;
  std::optional<double> er_percent;
  std::optional<double> pr_percent;
  std::optional<double> ki67_percent;
  std::optional<HistologicGrade> grade;
  // Position of the biopsied lesion in the reference study of `oncotrace patient` (LPS mm), to
  // compare pathology with the imaging status of that lesion.
  std::optional<Vec3> location_lps_mm;
};

struct StagingInput {
  std::optional<TValue> t;
  std::optional<NValue> n;
  std::optional<MValue> m;
  std::optional<HistologicGrade> grade;
  std::string staging_specimen;
  std::optional<int> distant_site_count;
  std::string distant_sites_counted_as;  // organs or lesions
  ImagingTiming imaging_timing;
};

struct ImagingBiomarkerInput {
  std::string name;
  std::string tracer;      // catalogue id (data/tracers.json) or free text
  std::string value_json;  // the value as JSON text (number or string), echoed unchanged
  std::string unit;
  std::string lesion;
  std::vector<std::string> roles;  // prognostic, predictive
  std::string trial_use;           // integral, integrated (empty: default of the context file)
  std::string annotation;
  std::string citation;
};

struct ClinicalOptions {
  SubtypeOptions subtype;
  OligometastaticOptions oligometastatic;
  AnatomicStageOptions anatomic;
  bool report_unverified_prognostic_cells = true;
};

struct ClinicalInput {
  std::string origin;
  std::string patient_id;
  std::string menopausal_status;
  std::vector<SpecimenInput> specimens;
  StagingInput staging;
  bool staging_given = false;
  std::vector<ImagingFinding> imaging_findings;
  std::vector<ImagingBiomarkerInput> imaging_biomarkers;
  ClinicalOptions options;
};

// Parses and checks the file; throws InvalidInputError naming `origin`, the JSON path and the
// remedy.
ClinicalInput parse_clinical_input(const std::string& json_text, const std::string& origin);

}  // namespace oncotrace::clinical_internal

#endif  // ONCOTRACE_CLINICAL_CLINICAL_INPUT_H_
