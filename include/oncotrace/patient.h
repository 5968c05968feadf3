// Several studies of one patient: the engine behind `oncotrace patient` (issue 6, docs/cli.md).
//
// analyze_patient() runs, in order:
//   1. identify each study's tracer from its DICOM header (tracers.h; a manifest or `--tracer`
//      override wins) and warn when the scan falls outside the tracer's imaging window;
//   2. analyze_study() on each study (pipeline.h) with the shared settings, into
//      OUTDIR/studies/<id>/ and one results store OUTDIR/oncotrace.db. An analyze output folder
//      (PatientInputKind) is not analysed again: its lesions.json and labels.nii.gz are read and
//      its images re-loaded; its study rows are copied into OUTDIR/oncotrace.db from the store
//      the analysis wrote (the folder's oncotrace.db, or that of the patient/response output
//      folder holding it as studies/<id>), else only the study's identity is stored (warned).
//      Detection also excludes the organs where the tracer's positivity rule does not apply or
//      whose physiological uptake would be detected as lesions (catalogue `not_assessable_in`, and
//      `physiological_uptake` mapped onto organs the organs module segments: liver, kidneys,
//      bladder, blood pool -> aorta, myocardium -> heart, spleen, brain); each exclusion is
//      reported;
//   3. register every study to the reference study (register.h): identity for a shared
//      FrameOfReferenceUID, else CT-to-CT (PET-to-PET without CT);
//   4. match lesions across studies in the reference space (register.h), in input order: each
//      study's lesions are assigned to the patient lesions found so far; lesions left unassigned
//      become new patient lesions. A patient lesion is defined by the study where it was first
//      found;
//   5. measure each patient lesion on every study: the matched lesion's metrics when it was
//      detected there, else the defining lesion's VOI carried over by the registrations (SUVmax
//      and SUVmean of the carried-over voxels; nearest-neighbour label transfer);
//   6. FDG avidity (on the reference FDG study), per-lesion status for each receptor tracer and
//      the heterogeneity summary per tracer (receptor.h); discordance with pathology when the
//      clinical file gives a specimen location; the clinical precision summary (clinical.h);
//   7. write OUTDIR/patient.json, OUTDIR/patient_lesions.csv (atomically, after everything
//      succeeded).
//
// Research use only: measurements and literature-referenced annotations, never treatment
// recommendations.
#ifndef ONCOTRACE_PATIENT_H_
#define ONCOTRACE_PATIENT_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/pipeline.h"
#include "oncotrace/receptor.h"
#include "oncotrace/register.h"
#include "oncotrace/response.h"

namespace oncotrace {

// What a study input is. A folder holding lesions.json is an `oncotrace analyze` output folder:
// its measurements are used as they are (no re-analysis; the analysis settings of the request do
// not apply to it), and the images it analysed are re-loaded from the study path its lesions.json
// records, converted with the SUV factors of its audit (for registration and the carried-over
// VOIs). Anything else is a study (DICOM folder, or NIfTI with sidecar) analysed here.
enum class PatientInputKind { kStudy, kAnalysisOutput };
const char* patient_input_kind_name(PatientInputKind kind);  // "study", "analyze_output"
// kAnalysisOutput for a folder holding a lesions.json file, else kStudy.
PatientInputKind patient_input_kind(const std::filesystem::path& path);

struct PatientStudyInput {
  // DICOM folder of one PET/SPECT study (+ CT), or an `oncotrace analyze` output folder
  std::filesystem::path path;
  std::string id;         // default: the folder name
  std::string tracer;     // catalogue id; empty: identified from DICOM
  std::string timepoint;  // e.g. "baseline"; empty: "baseline"
  std::string date;       // informational (manifest)
  // Treatment timing for response rules (manifest columns `cycles_completed` and `cycle_day`,
  // e.g. "C1D15"): cycles completed before the scan; cycle and day in which it was taken.
  std::optional<int> cycles_completed;
  std::optional<int> cycle;
  std::optional<int> cycle_day;
};

// The study's id: PatientStudyInput::id, else the name of its folder.
std::string patient_study_id(const PatientStudyInput& input);

// Parses "C1D15" (cycle 1, day 15). Throws InvalidInputError naming `what`.
std::pair<int, int> parse_cycle_day(const std::string& text, const std::string& what);

// Reads a manifest CSV with a header row naming its columns: `path` (required; relative paths
// are relative to the manifest's folder), optional `id`, `tracer`, `timepoint`, `date`, `patient`
// (when given, all rows must name the same patient), `cycles_completed`, `cycle_day` ("C1D15").
// Throws InvalidInputError naming the file, line and column.
std::vector<PatientStudyInput> read_patient_manifest(const std::filesystem::path& manifest);

struct PatientRequest {
  std::vector<PatientStudyInput> studies;
  std::optional<std::filesystem::path> clinical;  // clinical JSON (docs/clinical.md)
  std::string reference_study;  // study id; default: the first FDG study, else the first study
  RegistrationOptions registration;
  LesionMatchOptions matching;
  StatusOptions status;
  FdgAvidityRule fdg_avidity;
  HeterogeneityOptions heterogeneity;
  // Exclude each tracer's catalogue organs from detection (see step 2).
  bool tracer_organ_exclusion = true;
  // With a clinical file that stages the patient: add every lesion found on a baseline study in a
  // distant organ (bone, liver, lung, brain, spleen, kidney) to the file's imaging findings, so
  // the precision summary shows the imaging-suspected upstaging (docs/patient.md, step 6).
  bool lesion_imaging_findings = true;
  AnalysisRequest analysis;  // shared settings of every study (study, output_dir are set per study)
  std::filesystem::path output_dir;
  int threads = 0;
  std::string command = "patient";
  std::vector<std::string> arguments;
};

struct PatientStudyResult {
  PatientStudyInput input;
  PatientInputKind input_kind = PatientInputKind::kStudy;
  // The study's analyze output folder: OUTDIR/studies/<id> for a study, the input folder itself
  // for an analyze output.
  std::filesystem::path results_folder;
  std::string tracer_id;
  std::string tracer_identification;  // how it was identified
  std::string target;
  std::vector<std::string> excluded_organs;
  std::vector<std::string> warnings;
  AnalysisResult analysis;
  RegistrationResult registration;  // to the reference study
};

struct PatientLesionStudyValue {
  std::string study_id;
  std::optional<uint16_t> detected_label;  // label in that study's analysis, when detected
  LesionUptake uptake;
  std::optional<Vec3> centre_mm;  // in that study's coordinates (detected lesions)
};

struct PatientLesion {
  std::string id;  // "L1", ...
  std::string defining_study;
  uint16_t defining_label = 0;
  std::string organ;
  double longest_diameter_mm = 0.0;
  Vec3 reference_centre_mm{0, 0, 0};
  std::vector<PatientLesionStudyValue> per_study;  // one per study, in input order
  FdgAvidityCall fdg_avidity;  // on the reference FDG study; reason "no FDG study" without one
  std::vector<LesionStatusCall> status;  // one per receptor tracer study
};

struct PathologyComparison {
  std::string specimen;
  std::string site;
  std::string lesion_id;  // nearest patient lesion within the matching gate; empty when none
  double distance_mm = 0.0;
  std::vector<std::string> findings;  // "ER: pathology positive, FES imaging positive (concordant)"
};

struct PatientResult {
  std::string reference_study;
  std::vector<PatientStudyResult> studies;
  std::vector<PatientLesion> lesions;
  std::vector<HeterogeneitySummary> heterogeneity;
  std::vector<PathologyComparison> pathology;
  std::string clinical_summary_json;  // empty without a clinical file
  std::vector<std::string> warnings;
  std::vector<StageTiming> timings;
  std::string patient_json;
  std::vector<std::filesystem::path> written_files;
};

// Response across timepoints (`oncotrace response`): the studies of `patient` in time order, the
// first being the baseline (PatientRequest::reference_study is set to it). Each study's lesions
// (from its lesions.json) get the patient lesion ids of the matching; a follow-up lesion not
// detected at baseline is new when its region was below its detection threshold at baseline
// (else it was present but excluded there: it is left out with a warning); response.h's rules
// run on every follow-up against the baseline.
struct PatientResponse {
  PatientResult patient;
  ResponseReport report;
  std::string report_json;
  std::vector<std::string> warnings;  // also in report.warnings
  std::vector<std::filesystem::path> written_files;
};
PatientResponse analyze_response(PatientRequest request, const ResponseOptions& options);

// Runs every step. Throws InvalidInputError / MissingMetadataError / UnsupportedDataError naming
// the study, file or value and the remedy; nothing is written at OUTDIR's top level unless every
// step succeeded.
PatientResult analyze_patient(const PatientRequest& request);

}  // namespace oncotrace

#endif  // ONCOTRACE_PATIENT_H_
