#include <gtest/gtest.h>
#include <sqlite3.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/store.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

// Direct access to the database file, independent of the code under test.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &handle_), SQLITE_OK);
  }
  ~RawDatabase() { sqlite3_close(handle_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  int64_t integer(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(handle_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(handle_);
    int64_t value = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }
  void execute(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(handle_);
  }

 private:
  sqlite3* handle_ = nullptr;
};

StudyResults example_study(const std::string& study_uid, const std::string& date, int lesions,
                           double scale) {
  StudyResults results;
  results.patient_id = "PAT-001";
  results.study_instance_uid = study_uid;
  results.study_date = date;
  results.study_time = "093000";
  results.study_description = "PET/CT whole body";
  results.series.push_back({study_uid + ".1", "PT", "FDG", "emission", "PET AC"});
  results.series.push_back({study_uid + ".2", "CT", "", "ct", "CT 3mm"});
  for (int index = 1; index <= lesions; ++index) {
    StoredLesion lesion;
    lesion.label = static_cast<uint16_t>(index);
    lesion.name = "lesion " + std::to_string(index);
    lesion.organ = index == 1 ? "liver" : "";
    lesion.measurements = {{"suv_max", scale * index + 0.1, "g/mL", ""},
                           {"mtv", scale / 3.0 * index, "mL", ""},
                           {"suv_peak", scale * index / 7.0, "g/mL", "ibsi_global"},
                           {"suv_peak", scale * index / 9.0, "g/mL", "ibsi_local"}};
    results.lesions.push_back(lesion);
  }
  results.study_measurements = {{"total_mtv", scale * 2.0 / 3.0, "mL", ""}};
  StoredReferenceRegion liver;
  liver.name = "liver";
  liver.shape = "sphere";
  liver.placement = "automatic";
  liver.centre_mm = {-80.25, 30.5, -410.125};
  liver.diameter_mm = 30.0;
  liver.mean = 2.1 * scale;
  liver.sd = 0.31;
  liver.max = 3.3;
  liver.min = 1.2;
  liver.voxel_count = 515;
  liver.volume_ml = 14.2;
  liver.unit = "g/mL";
  results.reference_regions.push_back(liver);
  results.provenance = {"0.1.0",        "oncotrace analyze in -o out", "{\"method\":\"41%\"}",
                        "[\"in/PET\"]", "{\"suv_factor\":1.5e-4}",     "2026-12-02T05:00:00Z"};
  return results;
}

uint64_t bits(double value) { return std::bit_cast<uint64_t>(value); }

TEST(ResultsStoreTest, CreatesTheDocumentedSchema) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  {
    ResultsStore store = ResultsStore::open(path);
    EXPECT_EQ(store.schema_version(), kResultsStoreSchemaVersion);
    EXPECT_EQ(store.path(), path);
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  RawDatabase raw(path);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), kResultsStoreSchemaVersion);
  EXPECT_EQ(raw.integer("PRAGMA application_id"), 0x4F4E4354);
  // A new store records the version it was created at.
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_version WHERE version = " +
                        std::to_string(kResultsStoreSchemaVersion)),
            1);
  for (const char* table :
       {"patients", "studies", "series", "lesions", "measurements", "study_measurements",
        "reference_regions", "provenance", "timepoints", "cohorts", "cohort_members", "responses",
        "lesion_changes", "response_provenance"}) {
    EXPECT_EQ(raw.integer(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                      "AND name = '") +
                          table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = "
                        "'studies_by_patient_and_date'"),
            1);
  // Opening again finds the schema and leaves it alone.
  ResultsStore again = ResultsStore::open(path);
  EXPECT_EQ(again.schema_version(), kResultsStoreSchemaVersion);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_version"), 1);
}

TEST(ResultsStoreTest, RoundTripKeepsEveryValueBitExact) {
  testing::TemporaryDirectory folder;
  ResultsStore store = ResultsStore::open(folder.path() / "oncotrace.db");
  StudyResults results = example_study("1.2.3.4", "20250301", 2, 1.0);
  // Values that do not survive a decimal text round trip at default precision, a subnormal, the
  // extremes of double and an integral value (SQLite may store those as integers on disk).
  const std::vector<double> awkward = {0.1,
                                       1.0 / 3.0,
                                       2.0 / 3.0 * 1e-300,
                                       std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::lowest(),
                                       123456789.123456789,
                                       -7.0,
                                       9007199254740993.0};
  for (size_t index = 0; index < awkward.size(); ++index) {
    results.lesions[1].measurements.push_back(
        {"q" + std::to_string(index), awkward[index], "1", "v"});
  }
  store.replace_study_results(results);

  const auto loaded = store.load_study_results("1.2.3.4");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, results);  // every field, lesions in label order, measurements in order
  const auto& measurements = loaded->lesions[1].measurements;
  ASSERT_EQ(measurements.size(), 4 + awkward.size());
  for (size_t index = 0; index < awkward.size(); ++index) {
    EXPECT_EQ(bits(measurements[4 + index].value), bits(awkward[index])) << index;
  }
  EXPECT_EQ(bits(loaded->reference_regions[0].centre_mm[2]), bits(-410.125));
  EXPECT_FALSE(store.load_study_results("9.9.9").has_value());
}

TEST(ResultsStoreTest, FillsCreationTimeAndSoftwareVersionWhenNotGiven) {
  testing::TemporaryDirectory folder;
  ResultsStore store = ResultsStore::open(folder.path() / "oncotrace.db");
  StudyResults results = example_study("1.2.3.5", "20250301", 1, 1.0);
  results.provenance.created_at.clear();
  results.provenance.software_version.clear();
  store.replace_study_results(results);
  const auto loaded = store.load_study_results("1.2.3.5");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->provenance.created_at.size(), 20U) << loaded->provenance.created_at;
  EXPECT_EQ(loaded->provenance.created_at.back(), 'Z');
  EXPECT_FALSE(loaded->provenance.software_version.empty());
}

TEST(ResultsStoreTest, ReRunReplacesTheStudyRows) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  ResultsStore store = ResultsStore::open(path);
  store.replace_study_results(example_study("1.2.3.4", "20250301", 3, 1.0));
  store.replace_study_results(example_study("1.2.3.9", "20250601", 2, 5.0));  // other study
  const StudyResults rerun = example_study("1.2.3.4", "20250301", 1, 2.0);
  store.replace_study_results(rerun);

  const auto loaded = store.load_study_results("1.2.3.4");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, rerun);
  // The other study is untouched, and no orphan rows remain anywhere.
  EXPECT_EQ(*store.load_study_results("1.2.3.9"), example_study("1.2.3.9", "20250601", 2, 5.0));
  RawDatabase raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM studies"), 2);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM patients"), 1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM lesions"), 1 + 2);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM measurements"), 4 * (1 + 2));
  EXPECT_EQ(raw.integer("SELECT count(*) FROM series"), 4);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM reference_regions"), 2);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM provenance"), 2);
  EXPECT_EQ(raw.integer("PRAGMA foreign_key_check"), -1);  // no row: no violation
}

TEST(ResultsStoreTest, FailureMidInsertRollsBackAndKeepsThePreviousRows) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  ResultsStore store = ResultsStore::open(path);
  const StudyResults original = example_study("1.2.3.4", "20250301", 3, 1.0);
  store.replace_study_results(original);

  // Lesion 3 of the new run repeats a (quantity, variant): the UNIQUE constraint fails after the
  // old rows were deleted and lesions 1-2 of the new run were inserted.
  StudyResults broken = example_study("1.2.3.4", "20250302", 3, 4.0);
  broken.lesions[2].measurements.push_back({"suv_max", 1.0, "g/mL", ""});
  try {
    store.replace_study_results(broken);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("1.2.3.4"), std::string::npos) << message;
    EXPECT_NE(message.find("previous results kept"), std::string::npos) << message;
    EXPECT_NE(message.find("UNIQUE"), std::string::npos) << message;
  }
  EXPECT_EQ(*store.load_study_results("1.2.3.4"), original);

  // A non-finite value in the last reference region field: refused inside the transaction.
  StudyResults not_finite = example_study("1.2.3.4", "20250302", 2, 4.0);
  not_finite.reference_regions[0].volume_ml = std::nan("");
  EXPECT_THROW(store.replace_study_results(not_finite), InvalidInputError);
  EXPECT_EQ(*store.load_study_results("1.2.3.4"), original);

  // The store is still usable afterwards (no transaction left open).
  const StudyResults fixed = example_study("1.2.3.4", "20250302", 2, 4.0);
  store.replace_study_results(fixed);
  EXPECT_EQ(*store.load_study_results("1.2.3.4"), fixed);
}

TEST(ResultsStoreTest, RefusesMissingIdentifiers) {
  testing::TemporaryDirectory folder;
  ResultsStore store = ResultsStore::open(folder.path() / "oncotrace.db");
  StudyResults results = example_study("1.2.3.4", "20250301", 1, 1.0);
  results.patient_id.clear();
  EXPECT_THROW(store.replace_study_results(results), InvalidInputError);
}

TEST(ResultsStoreTest, RefusesANewerSchemaVersion) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "oncotrace.db";
  { ResultsStore::open(path); }
  {
    RawDatabase raw(path);
    raw.execute("PRAGMA user_version = 7");
  }
  try {
    ResultsStore::open(path);
    FAIL() << "expected UnsupportedDataError";
  } catch (const UnsupportedDataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("schema version 7 is newer than version " +
                           std::to_string(kResultsStoreSchemaVersion)),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  }
}

TEST(ResultsStoreTest, RefusesADatabaseThatIsNotAResultsStore) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "other.db";
  {
    RawDatabase raw(path);
    raw.execute("CREATE TABLE notes (text TEXT)");
  }
  EXPECT_THROW(ResultsStore::open(path), InvalidInputError);
  RawDatabase raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_schema"), 1);  // left as it was

  const auto text_file = folder.path() / "notes.txt";
  std::ofstream(text_file) << "this is not an SQLite database, but long enough to be read as one"
                           << std::string(200, 'x');
  EXPECT_THROW(ResultsStore::open(text_file), InvalidInputError);
}

TEST(ResultsStoreTest, ConcurrentOpenAndWriteOfOneFile) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "shared.db";
  constexpr int kWriters = 4;
  std::vector<std::string> failures(kWriters);
  std::vector<std::thread> threads;
  threads.reserve(kWriters);
  for (int writer = 0; writer < kWriters; ++writer) {
    threads.emplace_back([&, writer] {
      try {
        ResultsStore store = ResultsStore::open(path);
        for (int run = 0; run < 3; ++run) {
          store.replace_study_results(example_study("1.2.3." + std::to_string(writer),
                                                    "2025030" + std::to_string(writer + 1), 1 + run,
                                                    1.0 + writer));
        }
      } catch (const std::exception& error) {
        failures[static_cast<size_t>(writer)] = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
  ResultsStore store = ResultsStore::open(path);
  const auto studies = store.list_studies("PAT-001");
  ASSERT_EQ(studies.size(), static_cast<size_t>(kWriters));
  for (const StudySummary& study : studies) EXPECT_EQ(study.lesion_count, 3);
  RawDatabase raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_version"), 1);
}

TEST(ResultsStoreTest, ListsAPatientsStudiesByDate) {
  testing::TemporaryDirectory folder;
  ResultsStore store = ResultsStore::open(folder.path() / "oncotrace.db");
  store.replace_study_results(example_study("1.9", "20250601", 1, 1.0));
  store.replace_study_results(example_study("1.8", "", 0, 1.0));  // no date: last
  store.replace_study_results(example_study("1.7", "20240115", 2, 1.0));
  StudyResults later_same_day = example_study("1.6", "20250601", 1, 1.0);
  later_same_day.study_time = "150000";
  store.replace_study_results(later_same_day);
  StudyResults other_patient = example_study("2.1", "20200101", 1, 1.0);
  other_patient.patient_id = "PAT-002";
  store.replace_study_results(other_patient);

  const auto studies = store.list_studies("PAT-001");
  ASSERT_EQ(studies.size(), 4U);
  EXPECT_EQ(studies[0].study_instance_uid, "1.7");
  EXPECT_EQ(studies[0].study_datetime, "2024-01-15T09:30:00");
  EXPECT_EQ(studies[0].lesion_count, 2);
  EXPECT_EQ(studies[1].study_instance_uid, "1.9");
  EXPECT_EQ(studies[2].study_instance_uid, "1.6");
  EXPECT_EQ(studies[3].study_instance_uid, "1.8");
  EXPECT_EQ(studies[3].study_datetime, "");
  EXPECT_TRUE(store.list_studies("nobody").empty());
  EXPECT_EQ(store.list_studies("PAT-002").size(), 1U);
}

}  // namespace
}  // namespace oncotrace
