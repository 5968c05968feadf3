// The SQL schema of the results store, version kResultsStoreSchemaVersion (store.h). The same
// text, table by table, is documented in docs/results-store.md; schema_test checks that every
// table named there exists.
#ifndef ONCOTRACE_STORE_SCHEMA_H_
#define ONCOTRACE_STORE_SCHEMA_H_

namespace oncotrace::store {

// PRAGMA application_id of an oncotrace results store: "ONCT" as a big-endian 32-bit integer
// (https://sqlite.org/pragma.html#pragma_application_id), so that `file` and tools can tell the
// database from other SQLite files.
inline constexpr int kApplicationId = 0x4F4E4354;

// CREATE TABLE / CREATE INDEX statements of schema version 1, run in one transaction.
extern const char* const kSchemaVersion1;

// The statements that turn a version-1 schema into version 2 (response assessment: timepoint
// details, responses, lesion changes, response provenance). A new store runs version 1 and then
// this, so that a migrated store and a new one have the same schema.
extern const char* const kMigrationVersion1To2;

}  // namespace oncotrace::store

#endif  // ONCOTRACE_STORE_SCHEMA_H_
