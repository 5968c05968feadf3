// oncotrace: quantitative molecular imaging for breast-cancer precision oncology.
// Research use only: it reports measurements and literature-referenced annotations and never
// prescribes treatment.
//
// Exit codes (docs/exit-codes.md): 0 ok, 1 internal error, 2 invalid input or missing
// metadata (also bad command-line usage), 3 unsupported data.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"

namespace {

void configure_logging(int verbosity, bool quiet) {
  auto logger = spdlog::stderr_color_mt("oncotrace");
  logger->set_pattern("oncotrace: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  if (quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (verbosity >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (verbosity == 1) {
    spdlog::set_level(spdlog::level::debug);
  } else {
    spdlog::set_level(spdlog::level::info);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv, argv + argc);
  CLI::App app{"oncotrace " + oncotrace::version_string() +
               ": quantitative PET/SPECT for breast-cancer precision oncology (research use only)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", oncotrace::version_string());
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More log output on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");

  std::map<std::string, oncotrace::cli::CommandRunner> runners;
  runners["info"] = oncotrace::cli::register_info_command(app, arguments);
  runners["suv"] = oncotrace::cli::register_suv_command(app, arguments);
  runners["export"] = oncotrace::cli::register_export_command(app, arguments);
  runners["phantom"] = oncotrace::cli::register_phantom_command(app, arguments);
  runners["analyze"] = oncotrace::cli::register_analyze_command(app, arguments);
  runners["patient"] = oncotrace::cli::register_patient_command(app, arguments);
  runners["response"] = oncotrace::cli::register_response_command(app, arguments);
  runners["radiomics"] = oncotrace::cli::register_radiomics_command(app, arguments);
  runners["report"] = oncotrace::cli::register_report_command(app, arguments);
  runners["listen"] = oncotrace::cli::register_listen_command(app, arguments);
  runners["send"] = oncotrace::cli::register_send_command(app, arguments);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  configure_logging(verbosity, quiet);

  for (const auto& [name, run] : runners) {
    if (app.got_subcommand(name)) {
      try {
        return run();
      } catch (const oncotrace::Error& error) {
        std::fprintf(stderr, "oncotrace %s: error (%s): %s\n", name.c_str(),
                     oncotrace::error_kind_name(error.kind()), error.what());
        return oncotrace::exit_code_for(error.kind());
      } catch (const std::exception& error) {
        std::fprintf(stderr,
                     "oncotrace %s: internal error: %s\n(please report this with the command "
                     "line and, if possible, the input)\n",
                     name.c_str(), error.what());
        return 1;
      }
    }
  }
  return 1;
}
