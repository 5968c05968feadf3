// `oncotrace send FILES_OR_FOLDERS... --to AET@HOST:PORT`: C-STORE of DICOM files to a PACS or
// viewer (include/oncotrace/pacs.h, docs/pacs.md).
#include <cstdio>

#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/pacs.h"

namespace oncotrace::cli {
namespace {

// Exit code when the destination was reached but refused or failed at least one instance
// (docs/exit-codes.md); an unreachable destination is invalid input (2).
constexpr int kExitSendFailed = 4;

}  // namespace

CommandRunner register_send_command(CLI::App& app, const std::vector<std::string>& /*arguments*/) {
  CLI::App* command = app.add_subcommand(
      "send",
      "Send DICOM files (folders are searched recursively) to a DICOM node with C-STORE; "
      "prints one status line per file; exit 4 when any instance was not accepted");
  struct Flags {
    std::vector<std::string> inputs;
    std::string to;
    std::string ae_title = "ONCOTRACE";
    int timeout_s = 60;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("FILES", flags->inputs, "DICOM files or folders")->required();
  command->add_option("--to", flags->to, "Destination AET@HOST:PORT, e.g. ORTHANC@127.0.0.1:4242")
      ->required();
  command->add_option("--aet", flags->ae_title, "Calling AE title")->capture_default_str();
  command->add_option("--timeout", flags->timeout_s, "Network timeout in seconds")
      ->capture_default_str();

  return [flags]() {
    SendOptions options;
    options.peer = parse_dicom_peer(flags->to, "--to");
    options.calling_ae_title = flags->ae_title;
    if (flags->timeout_s < 1) throw InvalidInputError("--timeout must be at least 1 second");
    options.acse_timeout_s = flags->timeout_s;
    options.dimse_timeout_s = flags->timeout_s;
    std::vector<std::filesystem::path> inputs(flags->inputs.begin(), flags->inputs.end());
    const std::vector<std::filesystem::path> files = collect_files(inputs);
    if (files.empty()) {
      throw InvalidInputError("no files found in the inputs given; name DICOM files or folders");
    }
    const SendReport report = send_dicom_files(files, options);
    for (const SendFileResult& file : report.files) {
      std::printf("%s %s %s\n", file.ok() ? "ok    " : "FAILED", file.file.string().c_str(),
                  file.message.c_str());
    }
    std::printf("send: %zu of %zu instance(s) accepted by %s\n",
                report.files.size() - report.failed(), report.files.size(),
                options.peer.text().c_str());
    return report.failed() == 0 ? 0 : kExitSendFailed;
  };
}

}  // namespace oncotrace::cli
