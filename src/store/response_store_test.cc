// The response tables of the results store (schema version 2): write, read back, replace on
// re-run, refusal with rollback, and the migration of a version-1 store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <limits>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/store.h"
#include "store/schema.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

int64_t query_integer(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &handle), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(handle);
  int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

void execute(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &handle), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(handle);
  sqlite3_close(handle);
}

StudyResults study(const std::string& uid, const std::string& date) {
  StudyResults results;
  results.patient_id = "PAT-R";
  results.study_instance_uid = uid;
  results.study_date = date;
  StoredLesion lesion;
  lesion.label = 1;
  lesion.name = "lesion 1";
  lesion.measurements.push_back({"suv_max", 8.25, "g/mL", ""});
  results.lesions.push_back(lesion);
  results.provenance.created_at = "2026-01-01T00:00:00Z";
  return results;
}

PatientResponseResults series(double follow_up_sul_peak) {
  PatientResponseResults results;
  results.patient_id = "PAT-R";
  StoredTimepoint baseline;
  baseline.label = "baseline";
  baseline.ordinal = 0;
  baseline.study_instance_uid = "1.2.3.1";
  baseline.scan_date = "2026-01-05";
  baseline.days_since_baseline = 0.0;
  baseline.tracer = "fdg";
  baseline.uptake_time_min = 61.5;
  StoredTimepoint follow_up;
  follow_up.label = "C1D15";
  follow_up.ordinal = 1;
  follow_up.study_instance_uid = "1.2.3.2";
  follow_up.scan_date = "2026-01-19";
  follow_up.days_since_baseline = 14.0;
  follow_up.cycles_completed = 0;
  follow_up.cycle = 1;
  follow_up.cycle_day = 15;
  follow_up.tracer = "fdg";
  results.timepoints = {baseline, follow_up};
  const double percent = (follow_up_sul_peak - 5.0) / 5.0 * 100.0;
  results.responses.push_back({"baseline", "C1D15", "percist", "PERCIST 1.0",
                               percent <= -30.0 ? "PMR" : "SMD", "partial metabolic response",
                               "SULpeak change", "{\"criterion\":\"percist\"}"});
  results.responses.push_back(
      {"baseline", "C1D15", "tbcrc026", "TBCRC026", "reduction_ge_40", "", "", "{}"});
  results.changes.push_back({"baseline", "C1D15", "L1", "breast", "tracked", "SULpeak",
                             "g/mL (SUL)", 5.0, follow_up_sul_peak, follow_up_sul_peak - 5.0,
                             percent});
  results.changes.push_back({"baseline", "C1D15", "L2", "bone", "new", "SULpeak", "g/mL (SUL)",
                             std::nullopt, 2.5, std::nullopt, std::nullopt});
  results.changes.push_back(
      {"baseline", "C1D15", "patient", "", "", "lesions", "1", 1.0, 2.0, 1.0, 100.0});
  results.provenance.software_version = "test";
  results.provenance.command_line = "oncotrace response a b -o out";
  results.provenance.settings_json = "{\"criteria\":[\"percist\"]}";
  results.provenance.inputs_json = "[\"a\",\"b\"]";
  results.provenance.created_at = "2026-02-01T10:00:00Z";
  return results;
}

TEST(ResponseStoreTest, WritesAndReadsBackASeriesLinkedToItsStudies) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  ResultsStore store = ResultsStore::open(path);
  store.replace_study_results(study("1.2.3.1", "20260105"));
  store.replace_study_results(study("1.2.3.2", "20260119"));
  const PatientResponseResults written = series(3.0);
  store.replace_patient_response(written);
  const std::optional<PatientResponseResults> read = store.load_patient_response("PAT-R");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, written);
  EXPECT_EQ(read->responses[0].category, "PMR");
  ASSERT_TRUE(read->changes[1].follow_up.has_value());
  EXPECT_FALSE(read->changes[1].baseline.has_value());  // NULL, not 0
  // Each study row points at its timepoint.
  EXPECT_EQ(query_integer(path,
                          "SELECT count(*) FROM studies s JOIN timepoints t ON "
                          "t.timepoint_key = s.timepoint_key AND t.study_key = s.study_key"),
            2);
  EXPECT_EQ(query_integer(path, "SELECT ordinal FROM timepoints WHERE label = 'C1D15'"), 1);
  EXPECT_FALSE(store.load_patient_response("OTHER").has_value());
}

TEST(ResponseStoreTest, ReRunReplacesTheSeriesAndKeepsTheStudies) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  ResultsStore store = ResultsStore::open(path);
  store.replace_study_results(study("1.2.3.1", "20260105"));
  store.replace_patient_response(series(3.0));
  PatientResponseResults second = series(4.5);
  second.responses.pop_back();
  store.replace_patient_response(second);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM timepoints"), 2);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM responses"), 1);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM lesion_changes"), 3);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM response_provenance"), 1);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM studies"), 1);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM lesions"), 1);
  const auto read = store.load_patient_response("PAT-R");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, second);
  EXPECT_EQ(read->responses.front().category, "SMD");
}

TEST(ResponseStoreTest, RefusedSeriesLeavesThePreviousOne) {
  testing::TemporaryDirectory folder;
  ResultsStore store = ResultsStore::open(folder.path() / "oncotrace.db");
  const PatientResponseResults first = series(3.0);
  store.replace_patient_response(first);

  PatientResponseResults unknown_label = series(2.0);
  unknown_label.responses[0].follow_up_label = "C2D1";
  PatientResponseResults duplicate_criterion = series(2.0);
  duplicate_criterion.responses[1].criterion = "percist";
  PatientResponseResults not_finite = series(2.0);
  not_finite.changes[0].percent_change = std::numeric_limits<double>::infinity();
  PatientResponseResults duplicate_label = series(2.0);
  duplicate_label.timepoints[1].label = "baseline";
  for (const auto& [bad, expected] :
       {std::pair{unknown_label, "names timepoint 'C2D1'"},
        std::pair{duplicate_criterion, "UNIQUE"}, std::pair{not_finite, "not a finite number"},
        std::pair{duplicate_label, "'baseline' given twice"}}) {
    try {
      store.replace_patient_response(bad);
      ADD_FAILURE() << "expected InvalidInputError for " << expected;
    } catch (const InvalidInputError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(expected), std::string::npos) << message;
      EXPECT_NE(message.find("previous series kept"), std::string::npos) << message;
    }
    const auto read = store.load_patient_response("PAT-R");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, first);
  }
  PatientResponseResults no_patient = series(2.0);
  no_patient.patient_id.clear();
  EXPECT_THROW(store.replace_patient_response(no_patient), InvalidInputError);
}

TEST(ResponseStoreTest, MigratesAVersionOneStoreKeepingItsRows) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "version1.db";
  // A version-1 store as an earlier oncotrace wrote it, with one study and lesion.
  execute(path, std::string("BEGIN;") + store::kSchemaVersion1 +
                    "PRAGMA application_id = " + std::to_string(store::kApplicationId) +
                    ";PRAGMA user_version = 1;"
                    "INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00Z', 'old');"
                    "INSERT INTO patients (patient_id) VALUES ('PAT-R');"
                    "INSERT INTO studies (patient_key, study_instance_uid, study_date) VALUES "
                    "(1, '1.2.3.1', '20260105');"
                    "INSERT INTO lesions (study_key, label, name) VALUES (1, 1, 'lesion 1');"
                    "INSERT INTO measurements (lesion_key, quantity, value, unit) VALUES "
                    "(1, 'suv_max', 8.25, 'g/mL');"
                    "COMMIT;");
  ASSERT_EQ(query_integer(path, "PRAGMA user_version"), 1);
  {
    ResultsStore store = ResultsStore::open(path);
    EXPECT_EQ(store.schema_version(), 2);
    const auto old_study = store.load_study_results("1.2.3.1");
    ASSERT_TRUE(old_study.has_value());
    ASSERT_EQ(old_study->lesions.size(), 1U);
    EXPECT_EQ(old_study->lesions[0].measurements[0].value, 8.25);
    store.replace_patient_response(series(3.0));
    EXPECT_TRUE(store.load_patient_response("PAT-R").has_value());
  }
  EXPECT_EQ(query_integer(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM schema_version"), 2);
  EXPECT_EQ(query_integer(path, "SELECT max(version) FROM schema_version"), 2);
  // The migrated schema has the same tables and columns as a new store.
  const auto fresh = folder.path() / "fresh.db";
  { ResultsStore::open(fresh); }
  const std::string columns =
      "SELECT count(*) FROM sqlite_schema m, pragma_table_info(m.name) WHERE m.type = 'table'";
  EXPECT_EQ(query_integer(path, columns), query_integer(fresh, columns));
  EXPECT_EQ(query_integer(path, "SELECT count(*) FROM sqlite_schema"),
            query_integer(fresh, "SELECT count(*) FROM sqlite_schema"));
}

}  // namespace
}  // namespace oncotrace
