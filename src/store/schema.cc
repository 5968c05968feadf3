#include "store/schema.h"

namespace oncotrace::store {

// Keys are INTEGER PRIMARY KEY (the rowid); identifiers from DICOM are UNIQUE text columns.
// Child rows go with their parent (ON DELETE CASCADE). Text columns that may be unknown are NULL
// rather than "" so that later queries can tell "absent" from "empty".
const char* const kSchemaVersion1 = R"sql(
CREATE TABLE schema_version (
  version          INTEGER NOT NULL PRIMARY KEY,
  applied_at       TEXT NOT NULL,
  software_version TEXT NOT NULL
);

CREATE TABLE patients (
  patient_key INTEGER PRIMARY KEY,
  patient_id  TEXT NOT NULL UNIQUE
);

-- Later issues: longitudinal time points (baseline, follow-up n) of a patient.
CREATE TABLE timepoints (
  timepoint_key INTEGER PRIMARY KEY,
  patient_key   INTEGER NOT NULL REFERENCES patients(patient_key) ON DELETE CASCADE,
  label         TEXT NOT NULL,
  ordinal       INTEGER,
  UNIQUE (patient_key, label)
);

CREATE TABLE studies (
  study_key          INTEGER PRIMARY KEY,
  patient_key        INTEGER NOT NULL REFERENCES patients(patient_key) ON DELETE CASCADE,
  study_instance_uid TEXT NOT NULL UNIQUE,
  study_date         TEXT,
  study_time         TEXT,
  study_datetime     TEXT,
  study_description  TEXT,
  timepoint_key      INTEGER REFERENCES timepoints(timepoint_key) ON DELETE SET NULL
);
CREATE INDEX studies_by_patient_and_date ON studies(patient_key, study_datetime);
CREATE INDEX studies_by_timepoint ON studies(timepoint_key);

CREATE TABLE series (
  series_key          INTEGER PRIMARY KEY,
  study_key           INTEGER NOT NULL REFERENCES studies(study_key) ON DELETE CASCADE,
  series_instance_uid TEXT NOT NULL,
  modality            TEXT,
  tracer              TEXT,
  role                TEXT,
  series_description  TEXT,
  UNIQUE (study_key, series_instance_uid)
);

CREATE TABLE lesions (
  lesion_key   INTEGER PRIMARY KEY,
  study_key    INTEGER NOT NULL REFERENCES studies(study_key) ON DELETE CASCADE,
  label        INTEGER NOT NULL CHECK (label BETWEEN 1 AND 65535),
  name         TEXT,
  organ        TEXT,
  tracking_id  TEXT,
  tracking_uid TEXT,
  UNIQUE (study_key, label)
);
CREATE INDEX lesions_by_tracking_uid ON lesions(tracking_uid);

CREATE TABLE measurements (
  measurement_key INTEGER PRIMARY KEY,
  lesion_key      INTEGER NOT NULL REFERENCES lesions(lesion_key) ON DELETE CASCADE,
  quantity        TEXT NOT NULL,
  value           REAL NOT NULL,
  unit            TEXT NOT NULL,
  variant         TEXT NOT NULL DEFAULT '',
  UNIQUE (lesion_key, quantity, variant)
);
CREATE INDEX measurements_by_quantity ON measurements(quantity, variant);

CREATE TABLE study_measurements (
  study_measurement_key INTEGER PRIMARY KEY,
  study_key             INTEGER NOT NULL REFERENCES studies(study_key) ON DELETE CASCADE,
  quantity              TEXT NOT NULL,
  value                 REAL NOT NULL,
  unit                  TEXT NOT NULL,
  variant               TEXT NOT NULL DEFAULT '',
  UNIQUE (study_key, quantity, variant)
);

CREATE TABLE reference_regions (
  reference_region_key INTEGER PRIMARY KEY,
  study_key            INTEGER NOT NULL REFERENCES studies(study_key) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  shape                TEXT,
  placement            TEXT,
  centre_x_mm          REAL,
  centre_y_mm          REAL,
  centre_z_mm          REAL,
  diameter_mm          REAL,
  length_mm            REAL,
  mean                 REAL NOT NULL,
  sd                   REAL NOT NULL,
  max                  REAL NOT NULL,
  min                  REAL NOT NULL,
  voxel_count          INTEGER NOT NULL,
  volume_ml            REAL NOT NULL,
  unit                 TEXT NOT NULL,
  warning              TEXT,
  UNIQUE (study_key, name)
);

CREATE TABLE provenance (
  provenance_key   INTEGER PRIMARY KEY,
  study_key        INTEGER NOT NULL UNIQUE REFERENCES studies(study_key) ON DELETE CASCADE,
  software_version TEXT NOT NULL,
  command_line     TEXT,
  settings_json    TEXT,
  inputs_json      TEXT,
  suv_audit_json   TEXT,
  created_at       TEXT NOT NULL
);

-- Later issues: named cohorts of patients.
CREATE TABLE cohorts (
  cohort_key  INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT
);
CREATE TABLE cohort_members (
  cohort_key  INTEGER NOT NULL REFERENCES cohorts(cohort_key) ON DELETE CASCADE,
  patient_key INTEGER NOT NULL REFERENCES patients(patient_key) ON DELETE CASCADE,
  PRIMARY KEY (cohort_key, patient_key)
);
CREATE INDEX cohort_members_by_patient ON cohort_members(patient_key);
)sql";

// Version 2: the response series of a patient (`oncotrace response`, docs/response.md). The
// timepoints of version 1 gain the scan's details; responses hold one assessment per follow-up
// and criterion, lesion_changes the criterion-independent change table (one row per follow-up,
// lesion or "patient", and quantity), response_provenance how the series was computed. A
// patient's series is replaced as a whole (ResultsStore::replace_patient_response).
const char* const kMigrationVersion1To2 = R"sql(
ALTER TABLE timepoints ADD COLUMN study_key INTEGER REFERENCES studies(study_key)
  ON DELETE SET NULL;
ALTER TABLE timepoints ADD COLUMN study_instance_uid TEXT;
ALTER TABLE timepoints ADD COLUMN scan_date TEXT;
ALTER TABLE timepoints ADD COLUMN days_since_baseline REAL;
ALTER TABLE timepoints ADD COLUMN cycles_completed INTEGER;
ALTER TABLE timepoints ADD COLUMN cycle INTEGER;
ALTER TABLE timepoints ADD COLUMN cycle_day INTEGER;
ALTER TABLE timepoints ADD COLUMN tracer TEXT;
ALTER TABLE timepoints ADD COLUMN uptake_time_min REAL;
CREATE INDEX timepoints_by_patient ON timepoints(patient_key, ordinal);

CREATE TABLE responses (
  response_key            INTEGER PRIMARY KEY,
  baseline_timepoint_key  INTEGER NOT NULL REFERENCES timepoints(timepoint_key) ON DELETE CASCADE,
  follow_up_timepoint_key INTEGER NOT NULL REFERENCES timepoints(timepoint_key) ON DELETE CASCADE,
  criterion               TEXT NOT NULL,
  title                   TEXT NOT NULL,
  category                TEXT NOT NULL,
  category_text           TEXT,
  decided_by              TEXT,
  assessment_json         TEXT NOT NULL,
  UNIQUE (follow_up_timepoint_key, criterion)
);
CREATE INDEX responses_by_category ON responses(criterion, category);

CREATE TABLE lesion_changes (
  lesion_change_key       INTEGER PRIMARY KEY,
  baseline_timepoint_key  INTEGER NOT NULL REFERENCES timepoints(timepoint_key) ON DELETE CASCADE,
  follow_up_timepoint_key INTEGER NOT NULL REFERENCES timepoints(timepoint_key) ON DELETE CASCADE,
  lesion_id               TEXT NOT NULL,
  organ                   TEXT,
  status                  TEXT,
  quantity                TEXT NOT NULL,
  unit                    TEXT NOT NULL,
  baseline_value          REAL,
  follow_up_value         REAL,
  absolute_change         REAL,
  percent_change          REAL,
  UNIQUE (follow_up_timepoint_key, lesion_id, quantity)
);
CREATE INDEX lesion_changes_by_lesion ON lesion_changes(lesion_id, quantity);

CREATE TABLE response_provenance (
  response_provenance_key INTEGER PRIMARY KEY,
  patient_key             INTEGER NOT NULL UNIQUE REFERENCES patients(patient_key)
                            ON DELETE CASCADE,
  software_version        TEXT NOT NULL,
  command_line            TEXT,
  settings_json           TEXT,
  inputs_json             TEXT,
  created_at              TEXT NOT NULL
);
)sql";

}  // namespace oncotrace::store
