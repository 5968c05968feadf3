#include "testing/test_data.h"
#include "oncotrace/source_dir.h"

#include <cstdlib>
#include <random>
#include <sstream>

namespace oncotrace::testing {

std::filesystem::path test_data_root() {
  if (const char* explicit_root = std::getenv("ONCOTRACE_TEST_DATA");
      explicit_root != nullptr && *explicit_root != '\0') {
    return explicit_root;
  }
  if (const char* default_root = std::getenv("ONCOTRACE_DEFAULT_TEST_DATA");
      default_root != nullptr && *default_root != '\0') {
    return default_root;
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / ".." / "shared" / "data";
}

std::optional<std::filesystem::path> find_test_data(const std::string& relative) {
  const std::filesystem::path candidate = test_data_root() / relative;
  std::error_code ignored;
  if (std::filesystem::exists(candidate, ignored)) return candidate;
  return std::nullopt;
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

TemporaryDirectory::TemporaryDirectory() {
  std::random_device device;
  std::ostringstream name;
  name << "oncotrace-test-" << std::hex << device() << device();
  path_ = std::filesystem::temp_directory_path() / name.str();
  std::filesystem::create_directories(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace oncotrace::testing
