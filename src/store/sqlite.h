// A small RAII layer over the SQLite C API (https://sqlite.org/cintro.html): a connection, a
// prepared statement with typed binds and column reads, and a transaction that rolls back unless
// committed. Every failing call throws InvalidInputError with SQLite's message and the SQL or
// database path it concerned; nothing here retries (the busy timeout does the waiting).
#ifndef ONCOTRACE_STORE_SQLITE_H_
#define ONCOTRACE_STORE_SQLITE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace oncotrace::store {

class Database {
 public:
  // Opens (and creates, when `create` is true) the database file in SQLite's serialized
  // threading mode. Throws InvalidInputError naming the path.
  Database(const std::filesystem::path& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return handle_; }
  const std::filesystem::path& path() const { return path_; }

  // Runs one or more statements without results (sqlite3_exec).
  void execute(std::string_view sql);
  // The first column of the first row of a query returning one integer (PRAGMA user_version).
  int64_t query_integer(std::string_view sql);
  void set_busy_timeout(int milliseconds);
  // Rowid of the last row inserted through this connection.
  int64_t last_insert_rowid() const;

  // Throws InvalidInputError "<path>: <what>: <sqlite message>" for a failed call.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  sqlite3* handle_ = nullptr;
  std::filesystem::path path_;
};

class Statement {
 public:
  Statement(Database& database, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1 as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  // An empty string is bound as NULL (for optional text columns).
  Statement& bind_text_or_null(int index, std::string_view text);
  Statement& bind_null(int index);

  // Advances to the next row: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows, then resets it (binds are kept until rebound).
  void run();
  void reset();

  int64_t column_integer(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  bool column_is_null(int column) const;

 private:
  Database* database_;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
};

// A transaction: ROLLBACK in the destructor unless commit() ran. kWrite begins with BEGIN
// IMMEDIATE, which takes the write lock at once, so that two writers never deadlock on a lock
// upgrade (the busy timeout makes the second one wait); kRead with BEGIN DEFERRED, a consistent
// snapshot for a group of queries.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  Transaction(Database& database, Mode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database* database_;
  bool done_ = false;
};

}  // namespace oncotrace::store

#endif  // ONCOTRACE_STORE_SQLITE_H_
