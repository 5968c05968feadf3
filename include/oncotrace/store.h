// The results store: one SQLite database that keeps the measurements of every analysed study
// (docs/results-store.md gives the schema, the version rule and the locking choices).
//
// A study's results are written as a whole: replace_study_results() deletes what the store held
// for that study (series, lesions and their measurements, reference regions, study-level
// measurements, provenance) and inserts the new rows in ONE transaction, so that re-running a
// study replaces its rows and a failed run leaves the previous rows untouched (issue 5). The
// patient and study rows themselves are kept (updated in place), so that rows of later issues
// that point at them (timepoints, cohorts) survive a re-run.
//
// Measurements are stored in long format, one row per (lesion, quantity, variant): the quantity
// name ("suv_max", "mtv", "suv_peak", ...), the value as an IEEE double (SQLite REAL, bit-exact
// on the round trip), its unit (UCUM where one exists: "g/mL", "mL", "mm", "g", "1") and the
// variant or method that produced it ("ibsi_global" for a peak, "population" for an SD, "" when
// the quantity has a single definition). lesion_measurements() below turns LesionMetrics
// (measure.h) into that form.
#ifndef ONCOTRACE_STORE_H_
#define ONCOTRACE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/measure.h"

namespace oncotrace {

// The schema version this build writes and reads (PRAGMA user_version and table schema_version).
// Version 2 added the response tables (docs/results-store.md §3 lists the migrations).
inline constexpr int kResultsStoreSchemaVersion = 2;

// One measured value. `variant` is "" when the quantity has one definition.
struct Measurement {
  std::string quantity;
  double value = 0.0;
  std::string unit;
  std::string variant;

  friend bool operator==(const Measurement&, const Measurement&) = default;
};

// One image series that entered the analysis.
struct SeriesResult {
  std::string series_instance_uid;
  std::string modality;     // PT, NM, CT, SEG, ...
  std::string tracer;       // catalogue name or radiopharmaceutical text, "" for CT
  std::string role;         // "emission", "ct", "mask", ...
  std::string description;  // SeriesDescription

  friend bool operator==(const SeriesResult&, const SeriesResult&) = default;
};

struct StoredLesion {
  uint16_t label = 0;        // value in the lesion label map, unique within a study
  std::string name;          // human label, e.g. "lesion 3"
  std::string organ;         // location, "" when unknown
  std::string tracking_id;   // DICOM SEG / SR Tracking ID, "" until lesions are matched
  std::string tracking_uid;  // DICOM SEG / SR Tracking UID
  std::vector<Measurement> measurements;

  friend bool operator==(const StoredLesion&, const StoredLesion&) = default;
};

// A reference region (liver sphere, blood-pool cylinder, spleen, muscle) and its statistics, in
// the unit of the image it was measured on.
struct StoredReferenceRegion {
  std::string name;       // "liver", "blood_pool", "spleen", "muscle"; unique within a study
  std::string shape;      // "sphere", "cylinder", "label"
  std::string placement;  // "automatic", "user", "organ_label_map"
  Vec3 centre_mm{0.0, 0.0, 0.0};
  double diameter_mm = 0.0;
  double length_mm = 0.0;
  double mean = 0.0;
  double sd = 0.0;
  double max = 0.0;
  double min = 0.0;
  int64_t voxel_count = 0;
  double volume_ml = 0.0;
  std::string unit;     // "g/mL" for SUV, ...
  std::string warning;  // plausibility warning, "" when none

  friend bool operator==(const StoredReferenceRegion&, const StoredReferenceRegion&) = default;
};

// How the results came about. JSON members are stored as given (text); the store does not parse
// them.
struct ProvenanceRecord {
  std::string software_version;  // version_string()
  std::string command_line;
  std::string settings_json;
  std::string inputs_json;     // input files / series
  std::string suv_audit_json;  // the SuvAudit record
  std::string created_at;      // ISO 8601; "" = the store fills in the current UTC time

  friend bool operator==(const ProvenanceRecord&, const ProvenanceRecord&) = default;
};

// Everything the store keeps for one study.
struct StudyResults {
  std::string patient_id;          // (0010,0020), required
  std::string study_instance_uid;  // (0020,000D), required
  std::string study_date;          // DICOM DA "YYYYMMDD" as read, "" when absent
  std::string study_time;          // DICOM TM as read, "" when absent
  std::string study_description;
  std::vector<SeriesResult> series;
  std::vector<StoredLesion> lesions;
  std::vector<Measurement> study_measurements;  // per-patient summary: TMTV, TLG, Dmax, ...
  std::vector<StoredReferenceRegion> reference_regions;
  ProvenanceRecord provenance;

  friend bool operator==(const StudyResults&, const StudyResults&) = default;
};

// One row of list_studies().
struct StudySummary {
  std::string study_instance_uid;
  std::string study_date;  // as given (DICOM DA)
  std::string study_time;
  // ISO 8601 date-time built from date and time ("YYYY-MM-DDTHH:MM:SS"), "" when the date is
  // absent or malformed; the sort key.
  std::string study_datetime;
  std::string study_description;
  int64_t lesion_count = 0;
};

// Units of the image the lesions were measured on, for lesion_measurements(). The defaults are
// those of SUV normalised to body weight (and SUL to lean body mass): uptake in g/mL, total
// uptake (mean x volume) in g. For SUVbsa use "cm2/mL" and "cm2".
struct MeasurementUnits {
  std::string uptake = "g/mL";
  std::string total_uptake = "g";
  std::string sul_uptake = "g/mL";
  std::string sul_total_uptake = "g";
};

// The measurements of one lesion in long format, in this order:
//   voxel_count (1), mtv (mL), suv_max, suv_mean, suv_min, suv_median (uptake unit), suv_sd
//   (variant "population"/"sample"), per peak suv_peak (uptake unit) and suv_peak_radius (mm)
//   with variant peak_variant_name(), tlg (total-uptake unit), the same sul_* and tlg_sul when SUL
//   statistics exist, centroid_x/y/z and hottest_x/y/z (mm, variant "LPS"), longest_diameter
//   (mm), and tbr_liver/blood_pool/spleen/muscle (1, variant ratio_numerator_name()) when the
//   reference means were given.
std::vector<Measurement> lesion_measurements(const LesionMetrics& metrics,
                                             const MeasurementUnits& units = {});
// One StoredLesion per LesionMetrics (label from the metrics, name "lesion <label>").
std::vector<StoredLesion> lesion_results(const std::vector<LesionMetrics>& metrics,
                                         const MeasurementUnits& units = {});
// Per-patient summary as study measurements: lesion_count (1), total_mtv (mL), total_tlg and
// total_tlg_sul when present (total-uptake unit), dmax (mm), and hottest_lesion_suv_max (uptake
// unit) and hottest_lesion_label (1) when there is a lesion.
std::vector<Measurement> patient_measurements(const PatientMetrics& patient,
                                              const MeasurementUnits& units = {});

// One timepoint of a patient's response series (`oncotrace response`). Labels are unique per
// patient; the ordinal is the position in the series (0 = baseline).
struct StoredTimepoint {
  std::string label;
  int ordinal = 0;
  // The study scanned at this timepoint; linked to its studies row (studies.timepoint_key) when
  // the store holds that study. "" when unknown.
  std::string study_instance_uid;
  std::string scan_date;  // ISO 8601 date, "" when unknown
  std::optional<double> days_since_baseline;
  std::optional<int> cycles_completed;
  std::optional<int> cycle;
  std::optional<int> cycle_day;
  std::string tracer;  // catalogue id, "" when unknown
  std::optional<double> uptake_time_min;

  friend bool operator==(const StoredTimepoint&, const StoredTimepoint&) = default;
};

// One assessment: a criterion applied to a follow-up against the baseline (response.h
// ResponseAssessment; the whole assessment as JSON in assessment_json).
struct StoredResponse {
  std::string baseline_label;   // a StoredTimepoint label
  std::string follow_up_label;  // a StoredTimepoint label; (follow-up, criterion) is unique
  std::string criterion;        // "percist", "eortc", "tbcrc026", "phergain", "flt"
  std::string title;
  std::string category;  // "CMR", "PMR", "responder", "not_evaluable", ...
  std::string category_text;
  std::string decided_by;
  std::string assessment_json;

  friend bool operator==(const StoredResponse&, const StoredResponse&) = default;
};

// One row of a change table (response.h ResponseChangeTable): a lesion (or "patient" for the
// per-patient rows) and a quantity between the baseline and a follow-up.
struct StoredLesionChange {
  std::string baseline_label;
  std::string follow_up_label;
  std::string lesion_id;  // matched lesion id, or "patient"
  std::string organ;
  std::string status;    // "tracked", "new", "disappeared", "follow_up_only", "" for patient rows
  std::string quantity;  // "SULpeak", "SUVmax", "MTV", ...
  std::string unit;
  std::optional<double> baseline;
  std::optional<double> follow_up;
  std::optional<double> absolute_change;
  std::optional<double> percent_change;

  friend bool operator==(const StoredLesionChange&, const StoredLesionChange&) = default;
};

// A patient's response series: everything replace_patient_response writes.
struct PatientResponseResults {
  std::string patient_id;                   // required
  std::vector<StoredTimepoint> timepoints;  // in series order, baseline first
  std::vector<StoredResponse> responses;    // in the order given
  std::vector<StoredLesionChange> changes;  // in the order given
  ProvenanceRecord provenance;              // suv_audit_json is not kept (each study has its own)

  friend bool operator==(const PatientResponseResults&, const PatientResponseResults&) = default;
};

// An open results store. Not copyable; one object per thread (each holds its own connection).
class ResultsStore {
 public:
  // Opens the database at `path`, creating the file and the schema when it does not exist.
  // Foreign keys are on and a busy timeout (`busy_timeout_ms`) lets concurrent writers wait for
  // each other. Throws InvalidInputError when the file cannot be opened or is not an oncotrace
  // store, and UnsupportedDataError when its schema version is newer than this build's.
  static ResultsStore open(const std::filesystem::path& path, int busy_timeout_ms = 10000);

  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;
  ~ResultsStore();

  const std::filesystem::path& path() const;
  int schema_version() const;

  // Replaces everything stored for results.study_instance_uid in one transaction (see the file
  // comment). Throws InvalidInputError for missing identifiers or rows the schema refuses
  // (duplicate lesion labels, duplicate (quantity, variant) within a lesion, non-finite values),
  // after rolling back: the previous rows remain.
  void replace_study_results(const StudyResults& results);

  // The studies of a patient ordered by study date-time (then study UID); empty when unknown.
  std::vector<StudySummary> list_studies(const std::string& patient_id) const;

  // The stored results of a study (lesions by label, measurements in insertion order), or
  // nullopt when the study is not in the store.
  std::optional<StudyResults> load_study_results(const std::string& study_instance_uid) const;

  // Replaces the patient's response series (timepoints with their responses and change rows,
  // and the response provenance) in one transaction: the previous series of the patient is
  // deleted first, so re-running `oncotrace response` replaces it and a failed write leaves it
  // untouched. Study rows are kept; a timepoint whose study is in the store is linked to it.
  // Throws InvalidInputError for a missing patient id, empty or duplicate timepoint labels, a
  // response or change naming an unknown timepoint, duplicate (follow-up, criterion) or
  // (follow-up, lesion, quantity) rows and non-finite values, after rolling back.
  void replace_patient_response(const PatientResponseResults& results);

  // The patient's response series (timepoints by ordinal, responses and changes in insertion
  // order), or nullopt when the store has no series for the patient.
  std::optional<PatientResponseResults> load_patient_response(const std::string& patient_id) const;

 private:
  struct Connection;
  explicit ResultsStore(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
};

}  // namespace oncotrace

#endif  // ONCOTRACE_STORE_H_
