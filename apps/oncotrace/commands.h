// The subcommands of `oncotrace`, one file each. Each registers its flags on `app` and returns
// the function that runs it after parsing (returning the process exit code).
#ifndef ONCOTRACE_APPS_COMMANDS_H_
#define ONCOTRACE_APPS_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace oncotrace::cli {

using CommandRunner = std::function<int()>;

// `arguments` is the whole command line, for provenance.
CommandRunner register_info_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_suv_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_export_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_phantom_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_analyze_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_radiomics_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_patient_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_response_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_report_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_listen_command(CLI::App& app, const std::vector<std::string>& arguments);
CommandRunner register_send_command(CLI::App& app, const std::vector<std::string>& arguments);

}  // namespace oncotrace::cli

#endif  // ONCOTRACE_APPS_COMMANDS_H_
