// Where tests find the shared reference data, and how they behave when it is absent.
//
// The data live outside the repository (../shared/data by default); ONCOTRACE_TEST_DATA points
// elsewhere. A test that needs a data set calls ONCOTRACE_REQUIRE_TEST_DATA("suv-dro"): when the
// folder is missing the test is skipped with a loud message, except under CI=true, where a
// missing folder fails the test (architecture.md, "Tests").
#ifndef ONCOTRACE_TESTING_TEST_DATA_H_
#define ONCOTRACE_TESTING_TEST_DATA_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace oncotrace::testing {

// Root of the shared data: $ONCOTRACE_TEST_DATA, else the default baked in by CMake.
std::filesystem::path test_data_root();

// Path of a data set below the root when it exists.
std::optional<std::filesystem::path> find_test_data(const std::string& relative);

// True when CI=true is set in the environment.
bool running_in_ci();

// A fresh empty folder below the system temporary directory, removed by the destructor.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace oncotrace::testing

// Declares `const std::filesystem::path& data_dir` for the named data set, or skips/fails.
// (The NOLINT below: bugprone-macro-parentheses reads the declared name as an expression.)
#define ONCOTRACE_REQUIRE_TEST_DATA(data_dir, relative)                                        \
  const auto data_dir##_found = ::oncotrace::testing::find_test_data(relative);                \
  if (!data_dir##_found) {                                                                     \
    if (::oncotrace::testing::running_in_ci()) {                                               \
      FAIL() << "test data '" << (relative) << "' missing below "                              \
             << ::oncotrace::testing::test_data_root() << " (CI=true makes this an error)";    \
    }                                                                                          \
    GTEST_SKIP() << "*** SKIPPED: test data '" << (relative) << "' not found below "           \
                 << ::oncotrace::testing::test_data_root() << "; set ONCOTRACE_TEST_DATA ***"; \
  }                                                                                            \
  const std::filesystem::path& data_dir = *data_dir##_found  // NOLINT(bugprone-macro-parentheses)

#endif  // ONCOTRACE_TESTING_TEST_DATA_H_
