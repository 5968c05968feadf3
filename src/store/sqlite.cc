#include "store/sqlite.h"

#include <sqlite3.h>

#include <string>

#include "oncotrace/error.h"

namespace oncotrace::store {

Database::Database(const std::filesystem::path& path, bool create) : path_(path) {
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int status = sqlite3_open_v2(path.c_str(), &handle_, flags, nullptr);
  if (status != SQLITE_OK) {
    const std::string message =
        handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(status);
    sqlite3_close(handle_);
    handle_ = nullptr;
    throw InvalidInputError("results store " + path.string() + ": cannot open: " + message);
  }
  sqlite3_extended_result_codes(handle_, 1);
}

Database::~Database() { sqlite3_close(handle_); }

void Database::fail(std::string_view what) const {
  throw InvalidInputError("results store " + path_.string() + ": " + std::string(what) + ": " +
                          sqlite3_errmsg(handle_));
}

void Database::execute(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errmsg(handle_);
    sqlite3_free(error);
    throw InvalidInputError("results store " + path_.string() + ": " + message + " (in \"" +
                            text.substr(0, 80) + "\")");
  }
}

int64_t Database::query_integer(std::string_view sql) {
  Statement statement(*this, sql);
  if (!statement.step()) {
    throw InvalidInputError("results store " + path_.string() + ": no row from \"" +
                            std::string(sql) + "\"");
  }
  return statement.column_integer(0);
}

void Database::set_busy_timeout(int milliseconds) {
  if (sqlite3_busy_timeout(handle_, milliseconds) != SQLITE_OK) fail("busy timeout");
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_); }

Statement::Statement(Database& database, std::string_view sql) : database_(&database), sql_(sql) {
  if (sqlite3_prepare_v2(database.handle(), sql_.c_str(), static_cast<int>(sql_.size()),
                         &statement_, nullptr) != SQLITE_OK) {
    database.fail("cannot prepare \"" + sql_ + "\"");
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) database_->fail("bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) database_->fail("bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    database_->fail("bind");
  }
  return *this;
}

Statement& Statement::bind_text_or_null(int index, std::string_view text) {
  return text.empty() ? bind_null(index) : bind(index, text);
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) database_->fail("bind");
  return *this;
}

bool Statement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  database_->fail("\"" + sql_ + "\" failed");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() { sqlite3_reset(statement_); }

int64_t Statement::column_integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Transaction::Transaction(Database& database, Mode mode) : database_(&database) {
  database.execute(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(database_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  database_->execute("COMMIT");
  done_ = true;
}

}  // namespace oncotrace::store
