// ResultsStore: opening (schema creation and version check) and the study-level write and reads.
// docs/results-store.md describes the schema and the locking choices.
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "oncotrace/datetime.h"
#include "oncotrace/error.h"
#include "oncotrace/store.h"
#include "oncotrace/version.h"
#include "store/schema.h"
#include "store/sqlite.h"

namespace oncotrace {

struct ResultsStore::Connection {
  explicit Connection(const std::filesystem::path& file) : path(file), database(file, true) {}
  std::filesystem::path path;
  store::Database database;
  int schema_version = 0;
};

namespace {

using store::Database;
using store::Statement;
using store::Transaction;

// Sets PRAGMA user_version and adds the schema_version row of `version`.
void record_schema_version(Database& database, int version) {
  database.execute("PRAGMA user_version = " + std::to_string(version));
  Statement record(database,
                   "INSERT INTO schema_version (version, applied_at, software_version) "
                   "VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)");
  record.bind(1, static_cast<int64_t>(version)).bind(2, version_string());
  record.run();
}

// Creates the schema in an empty database, or checks the version of an existing one. Runs under
// BEGIN IMMEDIATE, so that processes opening a new file at the same time create it once: the
// first takes the write lock, the others wait (busy timeout) and then find the current version.
// An older version is migrated in the same transaction.
int create_or_check_schema(Database& database) {
  Transaction transaction(database, Transaction::Mode::kWrite);
  const int64_t version = database.query_integer("PRAGMA user_version");
  const int64_t application_id = database.query_integer("PRAGMA application_id");
  const std::string where = "results store " + database.path().string();
  if (version == 0) {
    const int64_t objects = database.query_integer("SELECT count(*) FROM sqlite_schema");
    if (objects != 0 || application_id != 0) {
      throw InvalidInputError(where + ": not an oncotrace results store (an SQLite database with " +
                              std::to_string(objects) +
                              " schema objects and no oncotrace schema version); give a new "
                              "file name");
    }
    // A new store: version 1, then every migration, so that new and migrated stores agree.
    database.execute(store::kSchemaVersion1);
    database.execute(store::kMigrationVersion1To2);
    database.execute("PRAGMA application_id = " + std::to_string(store::kApplicationId));
    record_schema_version(database, kResultsStoreSchemaVersion);
    transaction.commit();
    return kResultsStoreSchemaVersion;
  }
  if (application_id != store::kApplicationId) {
    throw InvalidInputError(where + ": not an oncotrace results store (application_id " +
                            std::to_string(application_id) + ", user_version " +
                            std::to_string(version) + ")");
  }
  if (version > kResultsStoreSchemaVersion) {
    throw UnsupportedDataError(
        where + ": schema version " + std::to_string(version) + " is newer than version " +
        std::to_string(kResultsStoreSchemaVersion) + " supported by oncotrace " + version_string() +
        "; use a newer oncotrace or another --db file");
  }
  if (version < 1) {
    throw InvalidInputError(where + ": invalid schema version " + std::to_string(version));
  }
  if (version == 1) {
    // Migration 1 -> 2 in this transaction: the version-1 rows stay as they are.
    database.execute(store::kMigrationVersion1To2);
    record_schema_version(database, 2);
  }
  transaction.commit();
  return kResultsStoreSchemaVersion;
}

// "YYYY-MM-DDTHH:MM:SS" from DICOM DA and TM (midnight when the time is absent), "" when the date
// is absent or malformed.
std::string study_datetime(const std::string& date, const std::string& time) {
  const auto combined = combine_date_time(date, time.empty() ? std::string("000000") : time);
  return combined ? combined->iso8601() : std::string();
}

void check_finite(double value, const std::string& what) {
  if (!std::isfinite(value)) {
    throw InvalidInputError(what + " is not a finite number (" + std::to_string(value) + ")");
  }
}

int64_t select_key(Database& database, const char* sql, const std::string& identifier) {
  Statement select(database, sql);
  select.bind(1, identifier);
  if (!select.step())
    throw InternalError("row for " + identifier + " vanished inside a transaction");
  return select.column_integer(0);
}

void insert_rows(Database& database, int64_t study_key, const StudyResults& results) {
  Statement series(database,
                   "INSERT INTO series (study_key, series_instance_uid, modality, tracer, role, "
                   "series_description) VALUES (?, ?, ?, ?, ?, ?)");
  for (const SeriesResult& item : results.series) {
    if (item.series_instance_uid.empty()) {
      throw InvalidInputError("a series without a Series Instance UID");
    }
    series.bind(1, study_key).bind(2, item.series_instance_uid);
    series.bind_text_or_null(3, item.modality).bind_text_or_null(4, item.tracer);
    series.bind_text_or_null(5, item.role).bind_text_or_null(6, item.description);
    series.run();
  }

  Statement lesion(database,
                   "INSERT INTO lesions (study_key, label, name, organ, tracking_id, tracking_uid) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  Statement measurement(database,
                        "INSERT INTO measurements (lesion_key, quantity, value, unit, variant) "
                        "VALUES (?, ?, ?, ?, ?)");
  for (const StoredLesion& item : results.lesions) {
    lesion.bind(1, study_key).bind(2, static_cast<int64_t>(item.label));
    lesion.bind_text_or_null(3, item.name).bind_text_or_null(4, item.organ);
    lesion.bind_text_or_null(5, item.tracking_id).bind_text_or_null(6, item.tracking_uid);
    lesion.run();
    const int64_t lesion_key = database.last_insert_rowid();
    for (const Measurement& value : item.measurements) {
      check_finite(value.value, "lesion " + std::to_string(item.label) + " " + value.quantity);
      measurement.bind(1, lesion_key).bind(2, value.quantity).bind(3, value.value);
      measurement.bind(4, value.unit).bind(5, value.variant);
      measurement.run();
    }
  }

  Statement study_measurement(database,
                              "INSERT INTO study_measurements (study_key, quantity, value, unit, "
                              "variant) VALUES (?, ?, ?, ?, ?)");
  for (const Measurement& value : results.study_measurements) {
    check_finite(value.value, "study measurement " + value.quantity);
    study_measurement.bind(1, study_key).bind(2, value.quantity).bind(3, value.value);
    study_measurement.bind(4, value.unit).bind(5, value.variant);
    study_measurement.run();
  }

  Statement region(database,
                   "INSERT INTO reference_regions (study_key, name, shape, placement, centre_x_mm, "
                   "centre_y_mm, centre_z_mm, diameter_mm, length_mm, mean, sd, max, min, "
                   "voxel_count, volume_ml, unit, warning) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const StoredReferenceRegion& item : results.reference_regions) {
    const std::string what = "reference region " + item.name;
    for (double value : {item.centre_mm[0], item.centre_mm[1], item.centre_mm[2], item.diameter_mm,
                         item.length_mm, item.mean, item.sd, item.max, item.min, item.volume_ml}) {
      check_finite(value, what);
    }
    region.bind(1, study_key).bind(2, item.name).bind_text_or_null(3, item.shape);
    region.bind_text_or_null(4, item.placement);
    region.bind(5, item.centre_mm[0]).bind(6, item.centre_mm[1]).bind(7, item.centre_mm[2]);
    region.bind(8, item.diameter_mm).bind(9, item.length_mm).bind(10, item.mean);
    region.bind(11, item.sd).bind(12, item.max).bind(13, item.min).bind(14, item.voxel_count);
    region.bind(15, item.volume_ml).bind(16, item.unit).bind_text_or_null(17, item.warning);
    region.run();
  }

  const ProvenanceRecord& provenance = results.provenance;
  Statement insert_provenance(
      database,
      "INSERT INTO provenance (study_key, software_version, command_line, settings_json, "
      "inputs_json, suv_audit_json, created_at) VALUES (?, ?, ?, ?, ?, ?, "
      "COALESCE(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))");
  insert_provenance.bind(1, study_key);
  insert_provenance.bind(
      2, provenance.software_version.empty() ? version_string() : provenance.software_version);
  insert_provenance.bind_text_or_null(3, provenance.command_line);
  insert_provenance.bind_text_or_null(4, provenance.settings_json);
  insert_provenance.bind_text_or_null(5, provenance.inputs_json);
  insert_provenance.bind_text_or_null(6, provenance.suv_audit_json);
  insert_provenance.bind_text_or_null(7, provenance.created_at);
  insert_provenance.run();
}

Statement& bind_optional(Statement& statement, int index, const std::optional<double>& value,
                         const std::string& what) {
  if (!value) return statement.bind_null(index);
  check_finite(*value, what);
  return statement.bind(index, *value);
}

Statement& bind_optional(Statement& statement, int index, const std::optional<int>& value) {
  if (!value) return statement.bind_null(index);
  return statement.bind(index, static_cast<int64_t>(*value));
}

std::optional<double> column_optional_double(const Statement& statement, int column) {
  if (statement.column_is_null(column)) return std::nullopt;
  return statement.column_double(column);
}

std::optional<int> column_optional_int(const Statement& statement, int column) {
  if (statement.column_is_null(column)) return std::nullopt;
  return static_cast<int>(statement.column_integer(column));
}

}  // namespace

ResultsStore::ResultsStore(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {}
ResultsStore::ResultsStore(ResultsStore&&) noexcept = default;
ResultsStore& ResultsStore::operator=(ResultsStore&&) noexcept = default;
ResultsStore::~ResultsStore() = default;

ResultsStore ResultsStore::open(const std::filesystem::path& path, int busy_timeout_ms) {
  auto connection = std::make_unique<Connection>(path);
  Database& database = connection->database;
  database.set_busy_timeout(busy_timeout_ms);
  database.execute("PRAGMA foreign_keys = ON");
  connection->schema_version = create_or_check_schema(database);
  return ResultsStore(std::move(connection));
}

const std::filesystem::path& ResultsStore::path() const { return connection_->path; }

int ResultsStore::schema_version() const { return connection_->schema_version; }

void ResultsStore::replace_study_results(const StudyResults& results) {
  if (results.patient_id.empty() || results.study_instance_uid.empty()) {
    throw InvalidInputError("results store " + path().string() +
                            ": study results need a Patient ID and a Study Instance UID (got \"" +
                            results.patient_id + "\", \"" + results.study_instance_uid + "\")");
  }
  Database& database = connection_->database;
  try {
    Transaction transaction(database, Transaction::Mode::kWrite);
    Statement patient(database,
                      "INSERT INTO patients (patient_id) VALUES (?) ON CONFLICT (patient_id) DO "
                      "NOTHING");
    patient.bind(1, results.patient_id).run();
    const int64_t patient_key = select_key(
        database, "SELECT patient_key FROM patients WHERE patient_id = ?", results.patient_id);

    Statement study(database,
                    "INSERT INTO studies (patient_key, study_instance_uid, study_date, study_time, "
                    "study_datetime, study_description) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (study_instance_uid) DO UPDATE SET "
                    "patient_key = excluded.patient_key, study_date = excluded.study_date, "
                    "study_time = excluded.study_time, study_datetime = excluded.study_datetime, "
                    "study_description = excluded.study_description");
    study.bind(1, patient_key).bind(2, results.study_instance_uid);
    study.bind_text_or_null(3, results.study_date).bind_text_or_null(4, results.study_time);
    study.bind_text_or_null(5, study_datetime(results.study_date, results.study_time));
    study.bind_text_or_null(6, results.study_description);
    study.run();
    const int64_t study_key =
        select_key(database, "SELECT study_key FROM studies WHERE study_instance_uid = ?",
                   results.study_instance_uid);

    // The study's previous results; measurements go with their lesions (ON DELETE CASCADE).
    for (const char* table :
         {"series", "lesions", "study_measurements", "reference_regions", "provenance"}) {
      Statement erase(database, std::string("DELETE FROM ") + table + " WHERE study_key = ?");
      erase.bind(1, study_key).run();
    }
    insert_rows(database, study_key, results);
    transaction.commit();
  } catch (const Error& error) {
    const std::string prefix = "results store " + path().string() + ": study " +
                               results.study_instance_uid +
                               " not written (previous results kept): ";
    if (error.kind() == ErrorKind::kInternal) throw InternalError(prefix + error.what());
    throw InvalidInputError(prefix + error.what());
  }
}

std::vector<StudySummary> ResultsStore::list_studies(const std::string& patient_id) const {
  Database& database = connection_->database;
  Statement query(database,
                  "SELECT s.study_instance_uid, s.study_date, s.study_time, s.study_datetime, "
                  "s.study_description, (SELECT count(*) FROM lesions l WHERE l.study_key = "
                  "s.study_key) FROM studies s JOIN patients p ON p.patient_key = s.patient_key "
                  "WHERE p.patient_id = ? "
                  "ORDER BY s.study_datetime IS NULL, s.study_datetime, s.study_instance_uid");
  query.bind(1, patient_id);
  std::vector<StudySummary> studies;
  while (query.step()) {
    StudySummary summary;
    summary.study_instance_uid = query.column_text(0);
    summary.study_date = query.column_text(1);
    summary.study_time = query.column_text(2);
    summary.study_datetime = query.column_text(3);
    summary.study_description = query.column_text(4);
    summary.lesion_count = query.column_integer(5);
    studies.push_back(std::move(summary));
  }
  return studies;
}

std::optional<StudyResults> ResultsStore::load_study_results(
    const std::string& study_instance_uid) const {
  Database& database = connection_->database;
  Transaction snapshot(database, Transaction::Mode::kRead);
  Statement study(database,
                  "SELECT s.study_key, p.patient_id, s.study_date, s.study_time, "
                  "s.study_description FROM studies s JOIN patients p ON p.patient_key = "
                  "s.patient_key WHERE s.study_instance_uid = ?");
  study.bind(1, study_instance_uid);
  if (!study.step()) return std::nullopt;
  StudyResults results;
  const int64_t study_key = study.column_integer(0);
  results.study_instance_uid = study_instance_uid;
  results.patient_id = study.column_text(1);
  results.study_date = study.column_text(2);
  results.study_time = study.column_text(3);
  results.study_description = study.column_text(4);

  Statement series(database,
                   "SELECT series_instance_uid, modality, tracer, role, series_description FROM "
                   "series WHERE study_key = ? ORDER BY series_key");
  series.bind(1, study_key);
  while (series.step()) {
    results.series.push_back({series.column_text(0), series.column_text(1), series.column_text(2),
                              series.column_text(3), series.column_text(4)});
  }

  Statement lesions(database,
                    "SELECT lesion_key, label, name, organ, tracking_id, tracking_uid FROM lesions "
                    "WHERE study_key = ? ORDER BY label");
  Statement measurements(database,
                         "SELECT quantity, value, unit, variant FROM measurements WHERE "
                         "lesion_key = ? ORDER BY measurement_key");
  lesions.bind(1, study_key);
  while (lesions.step()) {
    StoredLesion lesion;
    lesion.label = static_cast<uint16_t>(lesions.column_integer(1));
    lesion.name = lesions.column_text(2);
    lesion.organ = lesions.column_text(3);
    lesion.tracking_id = lesions.column_text(4);
    lesion.tracking_uid = lesions.column_text(5);
    measurements.bind(1, lesions.column_integer(0));
    while (measurements.step()) {
      lesion.measurements.push_back({measurements.column_text(0), measurements.column_double(1),
                                     measurements.column_text(2), measurements.column_text(3)});
    }
    measurements.reset();
    results.lesions.push_back(std::move(lesion));
  }

  Statement study_measurements(database,
                               "SELECT quantity, value, unit, variant FROM study_measurements "
                               "WHERE study_key = ? ORDER BY study_measurement_key");
  study_measurements.bind(1, study_key);
  while (study_measurements.step()) {
    results.study_measurements.push_back(
        {study_measurements.column_text(0), study_measurements.column_double(1),
         study_measurements.column_text(2), study_measurements.column_text(3)});
  }

  Statement regions(database,
                    "SELECT name, shape, placement, centre_x_mm, centre_y_mm, centre_z_mm, "
                    "diameter_mm, length_mm, mean, sd, max, min, voxel_count, volume_ml, unit, "
                    "warning FROM reference_regions WHERE study_key = ? "
                    "ORDER BY reference_region_key");
  regions.bind(1, study_key);
  while (regions.step()) {
    StoredReferenceRegion region;
    region.name = regions.column_text(0);
    region.shape = regions.column_text(1);
    region.placement = regions.column_text(2);
    region.centre_mm = {regions.column_double(3), regions.column_double(4),
                        regions.column_double(5)};
    region.diameter_mm = regions.column_double(6);
    region.length_mm = regions.column_double(7);
    region.mean = regions.column_double(8);
    region.sd = regions.column_double(9);
    region.max = regions.column_double(10);
    region.min = regions.column_double(11);
    region.voxel_count = regions.column_integer(12);
    region.volume_ml = regions.column_double(13);
    region.unit = regions.column_text(14);
    region.warning = regions.column_text(15);
    results.reference_regions.push_back(std::move(region));
  }

  Statement provenance(database,
                       "SELECT software_version, command_line, settings_json, inputs_json, "
                       "suv_audit_json, created_at FROM provenance WHERE study_key = ?");
  provenance.bind(1, study_key);
  if (provenance.step()) {
    results.provenance = {provenance.column_text(0), provenance.column_text(1),
                          provenance.column_text(2), provenance.column_text(3),
                          provenance.column_text(4), provenance.column_text(5)};
  }
  snapshot.commit();
  return results;
}

void ResultsStore::replace_patient_response(const PatientResponseResults& results) {
  const std::string where = "results store " + path().string() + ": response series of patient " +
                            results.patient_id + " not written (previous series kept): ";
  if (results.patient_id.empty()) {
    throw InvalidInputError("results store " + path().string() +
                            ": a response series needs a Patient ID");
  }
  Database& database = connection_->database;
  try {
    Transaction transaction(database, Transaction::Mode::kWrite);
    Statement patient(database,
                      "INSERT INTO patients (patient_id) VALUES (?) ON CONFLICT (patient_id) DO "
                      "NOTHING");
    patient.bind(1, results.patient_id).run();
    const int64_t patient_key = select_key(
        database, "SELECT patient_key FROM patients WHERE patient_id = ?", results.patient_id);
    // The previous series: responses and changes go with their timepoints (ON DELETE CASCADE),
    // studies keep their rows (timepoint_key ON DELETE SET NULL).
    for (const char* table : {"timepoints", "response_provenance"}) {
      Statement erase(database, std::string("DELETE FROM ") + table + " WHERE patient_key = ?");
      erase.bind(1, patient_key).run();
    }

    std::map<std::string, int64_t> timepoint_keys;
    Statement timepoint(database,
                        "INSERT INTO timepoints (patient_key, label, ordinal, study_key, "
                        "study_instance_uid, scan_date, days_since_baseline, cycles_completed, "
                        "cycle, cycle_day, tracer, uptake_time_min) VALUES (?, ?, ?, (SELECT "
                        "study_key FROM studies WHERE study_instance_uid = ? AND patient_key = "
                        "?), ?, ?, ?, ?, ?, ?, ?, ?)");
    // A study is linked only when it is this patient's (the same UID stored under another
    // PatientID is another patient's record).
    Statement link(database,
                   "UPDATE studies SET timepoint_key = ? WHERE study_instance_uid = ? AND "
                   "patient_key = ?");
    for (const StoredTimepoint& item : results.timepoints) {
      if (item.label.empty()) throw InvalidInputError("a timepoint without a label");
      if (timepoint_keys.count(item.label) != 0) {
        throw InvalidInputError("timepoint label '" + item.label + "' given twice");
      }
      const std::string what = "timepoint " + item.label;
      timepoint.bind(1, patient_key)
          .bind(2, item.label)
          .bind(3, static_cast<int64_t>(item.ordinal));
      timepoint.bind_text_or_null(4, item.study_instance_uid);
      timepoint.bind(5, patient_key);
      timepoint.bind_text_or_null(6, item.study_instance_uid);
      timepoint.bind_text_or_null(7, item.scan_date);
      bind_optional(timepoint, 8, item.days_since_baseline, what + " days_since_baseline");
      bind_optional(timepoint, 9, item.cycles_completed);
      bind_optional(timepoint, 10, item.cycle);
      bind_optional(timepoint, 11, item.cycle_day);
      timepoint.bind_text_or_null(12, item.tracer);
      bind_optional(timepoint, 13, item.uptake_time_min, what + " uptake_time_min");
      timepoint.run();
      const int64_t key = database.last_insert_rowid();
      timepoint_keys[item.label] = key;
      if (!item.study_instance_uid.empty()) {
        link.bind(1, key).bind(2, item.study_instance_uid).bind(3, patient_key).run();
      }
    }
    const auto key_of = [&](const std::string& label, const std::string& what) {
      const auto found = timepoint_keys.find(label);
      if (found == timepoint_keys.end()) {
        throw InvalidInputError(what + " names timepoint '" + label +
                                "', which is not among the series' timepoints");
      }
      return found->second;
    };

    Statement response(database,
                       "INSERT INTO responses (baseline_timepoint_key, follow_up_timepoint_key, "
                       "criterion, title, category, category_text, decided_by, assessment_json) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const StoredResponse& item : results.responses) {
      const std::string what = "response " + item.criterion + " at " + item.follow_up_label;
      response.bind(1, key_of(item.baseline_label, what));
      response.bind(2, key_of(item.follow_up_label, what));
      response.bind(3, item.criterion).bind(4, item.title).bind(5, item.category);
      response.bind_text_or_null(6, item.category_text).bind_text_or_null(7, item.decided_by);
      response.bind(8, item.assessment_json);
      response.run();
    }

    Statement change(database,
                     "INSERT INTO lesion_changes (baseline_timepoint_key, follow_up_timepoint_key, "
                     "lesion_id, organ, status, quantity, unit, baseline_value, follow_up_value, "
                     "absolute_change, percent_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const StoredLesionChange& item : results.changes) {
      const std::string what =
          "change of " + item.lesion_id + " " + item.quantity + " at " + item.follow_up_label;
      change.bind(1, key_of(item.baseline_label, what));
      change.bind(2, key_of(item.follow_up_label, what));
      change.bind(3, item.lesion_id).bind_text_or_null(4, item.organ);
      change.bind_text_or_null(5, item.status).bind(6, item.quantity).bind(7, item.unit);
      bind_optional(change, 8, item.baseline, what);
      bind_optional(change, 9, item.follow_up, what);
      bind_optional(change, 10, item.absolute_change, what);
      bind_optional(change, 11, item.percent_change, what);
      change.run();
    }

    const ProvenanceRecord& provenance = results.provenance;
    Statement insert_provenance(
        database,
        "INSERT INTO response_provenance (patient_key, software_version, command_line, "
        "settings_json, inputs_json, created_at) VALUES (?, ?, ?, ?, ?, "
        "COALESCE(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))");
    insert_provenance.bind(1, patient_key);
    insert_provenance.bind(
        2, provenance.software_version.empty() ? version_string() : provenance.software_version);
    insert_provenance.bind_text_or_null(3, provenance.command_line);
    insert_provenance.bind_text_or_null(4, provenance.settings_json);
    insert_provenance.bind_text_or_null(5, provenance.inputs_json);
    insert_provenance.bind_text_or_null(6, provenance.created_at);
    insert_provenance.run();
    transaction.commit();
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kInternal) throw InternalError(where + error.what());
    throw InvalidInputError(where + error.what());
  }
}

std::optional<PatientResponseResults> ResultsStore::load_patient_response(
    const std::string& patient_id) const {
  Database& database = connection_->database;
  Transaction snapshot(database, Transaction::Mode::kRead);
  Statement provenance(database,
                       "SELECT r.software_version, r.command_line, r.settings_json, "
                       "r.inputs_json, r.created_at, p.patient_key FROM response_provenance r "
                       "JOIN patients p ON p.patient_key = r.patient_key WHERE p.patient_id = ?");
  provenance.bind(1, patient_id);
  if (!provenance.step()) return std::nullopt;
  PatientResponseResults results;
  results.patient_id = patient_id;
  results.provenance = {provenance.column_text(0),
                        provenance.column_text(1),
                        provenance.column_text(2),
                        provenance.column_text(3),
                        "",
                        provenance.column_text(4)};
  const int64_t patient_key = provenance.column_integer(5);

  Statement timepoints(database,
                       "SELECT label, ordinal, study_instance_uid, scan_date, "
                       "days_since_baseline, cycles_completed, cycle, cycle_day, tracer, "
                       "uptake_time_min FROM timepoints WHERE patient_key = ? "
                       "ORDER BY ordinal, timepoint_key");
  timepoints.bind(1, patient_key);
  while (timepoints.step()) {
    StoredTimepoint item;
    item.label = timepoints.column_text(0);
    item.ordinal = static_cast<int>(timepoints.column_integer(1));
    item.study_instance_uid = timepoints.column_text(2);
    item.scan_date = timepoints.column_text(3);
    item.days_since_baseline = column_optional_double(timepoints, 4);
    item.cycles_completed = column_optional_int(timepoints, 5);
    item.cycle = column_optional_int(timepoints, 6);
    item.cycle_day = column_optional_int(timepoints, 7);
    item.tracer = timepoints.column_text(8);
    item.uptake_time_min = column_optional_double(timepoints, 9);
    results.timepoints.push_back(std::move(item));
  }

  Statement responses(database,
                      "SELECT b.label, f.label, r.criterion, r.title, r.category, "
                      "r.category_text, r.decided_by, r.assessment_json FROM responses r "
                      "JOIN timepoints b ON b.timepoint_key = r.baseline_timepoint_key "
                      "JOIN timepoints f ON f.timepoint_key = r.follow_up_timepoint_key "
                      "WHERE f.patient_key = ? ORDER BY r.response_key");
  responses.bind(1, patient_key);
  while (responses.step()) {
    results.responses.push_back({responses.column_text(0), responses.column_text(1),
                                 responses.column_text(2), responses.column_text(3),
                                 responses.column_text(4), responses.column_text(5),
                                 responses.column_text(6), responses.column_text(7)});
  }

  Statement changes(database,
                    "SELECT b.label, f.label, c.lesion_id, c.organ, c.status, c.quantity, c.unit, "
                    "c.baseline_value, c.follow_up_value, c.absolute_change, c.percent_change "
                    "FROM lesion_changes c "
                    "JOIN timepoints b ON b.timepoint_key = c.baseline_timepoint_key "
                    "JOIN timepoints f ON f.timepoint_key = c.follow_up_timepoint_key "
                    "WHERE f.patient_key = ? ORDER BY c.lesion_change_key");
  changes.bind(1, patient_key);
  while (changes.step()) {
    StoredLesionChange item;
    item.baseline_label = changes.column_text(0);
    item.follow_up_label = changes.column_text(1);
    item.lesion_id = changes.column_text(2);
    item.organ = changes.column_text(3);
    item.status = changes.column_text(4);
    item.quantity = changes.column_text(5);
    item.unit = changes.column_text(6);
    item.baseline = column_optional_double(changes, 7);
    item.follow_up = column_optional_double(changes, 8);
    item.absolute_change = column_optional_double(changes, 9);
    item.percent_change = column_optional_double(changes, 10);
    results.changes.push_back(std::move(item));
  }
  snapshot.commit();
  return results;
}

}  // namespace oncotrace
