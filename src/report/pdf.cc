// PDF through headless Chromium's print-to-pdf (include/oncotrace/report.h).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/report.h"

namespace oncotrace {
namespace {

constexpr int kPrintTimeoutS = 120;

bool is_executable(const std::filesystem::path& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0 &&
         std::filesystem::is_regular_file(path);
}

// A file:// URL of an absolute path, percent-encoding everything but unreserved characters
// and '/'.
std::string file_url(const std::filesystem::path& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string url = "file://";
  for (const char c : std::filesystem::absolute(path).lexically_normal().string()) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      url += c;
    } else {
      url += '%';
      url += kHex[byte >> 4];
      url += kHex[byte & 15];
    }
  }
  return url;
}

// A fresh private folder below the temporary directory, removed by the destructor.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "oncotrace-pdf-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw InvalidInputError("cannot create a temporary folder below " +
                              std::filesystem::temp_directory_path().string() +
                              " for the browser profile");
    }
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string last_lines(const std::filesystem::path& file, size_t count) {
  std::ifstream stream(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  std::string text;
  for (size_t index = lines.size() > count ? lines.size() - count : 0; index < lines.size();
       ++index) {
    text += "\n  " + lines[index];
  }
  return text;
}

// Runs `arguments` with stdout and stderr into `log`; returns the exit status, or -1 after the
// timeout (the process is killed).
int run_process(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw InternalError("fork failed while starting the browser");
  if (child == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    ::setpgid(0, 0);  // the browser's helper processes share this group: killed together
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kPrintTimeoutS);
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-child, SIGKILL);
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::optional<std::filesystem::path> find_chromium() {
  if (const char* configured = std::getenv("ONCOTRACE_CHROMIUM")) {
    if (is_executable(configured)) return std::filesystem::path(configured);
    return std::nullopt;
  }
  const char* path_variable = std::getenv("PATH");
  const std::string search = path_variable ? path_variable : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::stringstream folders(search);
    std::string folder;
    while (std::getline(folders, folder, ':')) {
      const std::filesystem::path candidate = std::filesystem::path(folder) / name;
      if (is_executable(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

void print_html_to_pdf(const std::filesystem::path& html_path,
                       const std::filesystem::path& pdf_path) {
  const std::optional<std::filesystem::path> browser = find_chromium();
  if (!browser) {
    throw InvalidInputError(
        "--pdf " + pdf_path.string() +
        ": PDF output needs headless Chromium, and none was found (install the Debian package "
        "chromium, e.g. with scripts/setup-deps, or set ONCOTRACE_CHROMIUM to the browser); the "
        "HTML report " +
        html_path.string() + " prints to PDF from any browser");
  }
  if (!std::filesystem::exists(html_path)) {
    throw InvalidInputError(html_path.string() + ": no such HTML file to print");
  }
  const ScratchFolder scratch;
  AtomicOutput output(pdf_path);
  const std::filesystem::path log = scratch.path() / "chromium.log";
  const std::vector<std::string> arguments = {
      browser->string(),
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--no-default-browser-check",
      "--user-data-dir=" + (scratch.path() / "profile").string(),
      "--no-pdf-header-footer",
      "--print-to-pdf-no-header",
      "--print-to-pdf=" + output.temporary_path().string(),
      file_url(html_path)};
  const int status = run_process(arguments, log);
  std::error_code size_error;
  const auto size = std::filesystem::file_size(output.temporary_path(), size_error);
  if (status != 0 || size_error || size < 5) {
    throw InvalidInputError(
        browser->string() + " could not print " + html_path.string() + " to PDF (" +
        (status == -1 ? "no answer within " + std::to_string(kPrintTimeoutS) + " s"
                      : "exit status " + std::to_string(status)) +
        "); its last output:" + last_lines(log, 8));
  }
  output.commit();
}

}  // namespace oncotrace
