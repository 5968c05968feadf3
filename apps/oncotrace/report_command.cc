// `oncotrace report RESULTS_DIR [-o report.html] [--pdf report.pdf]`: the self-contained HTML
// report of an analysis (include/oncotrace/report.h, docs/report.md).
#include <cstdio>

#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/report.h"

namespace oncotrace::cli {

CommandRunner register_report_command(CLI::App& app, const std::vector<std::string>&) {
  CLI::App* command = app.add_subcommand(
      "report",
      "Write one self-contained HTML report (figures embedded, no network needed) of an "
      "oncotrace analyze output folder: study header, SUV audit, PET MIPs with lesion contours "
      "(fused with CT when present), lesion table, reference regions, provenance; optionally "
      "PDF through headless Chromium");
  struct Flags {
    std::string results;
    std::string output;
    std::string pdf;
    std::string colormap = "inverse-grey";
    std::optional<double> window_max;
    bool anonymise = false;
    std::string study;
    std::string figures;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("RESULTS_DIR", flags->results, "Output folder of oncotrace analyze")
      ->required();
  command->add_option("-o,--output", flags->output, "HTML file (default RESULTS_DIR/report.html)");
  command->add_option("--pdf", flags->pdf,
                      "Also print the report to this PDF (needs the chromium package)");
  command->add_flag("--anonymise,--anonymize", flags->anonymise,
                    "Hide patient name and ID, dates, UIDs, input paths and the command line");
  command->add_option("--colormap", flags->colormap, "PET colour map: inverse-grey or hot-iron")
      ->capture_default_str();
  command->add_option("--suv-window", flags->window_max,
                      "Upper end of the PET window in image units (default 10 for SUV and SUL, "
                      "else the 99.5th percentile of the MIP)");
  command->add_option("--study", flags->study,
                      "The analysed study, when it moved since the analysis (default: the input "
                      "path recorded in lesions.json)");
  command->add_option("--figures", flags->figures,
                      "Also write the figures as PNG and SVG files into this folder");

  return [flags]() {
    ReportOptions options;
    options.anonymise = flags->anonymise;
    const std::optional<PetColormap> colormap = parse_pet_colormap(flags->colormap);
    if (!colormap) {
      throw InvalidInputError("--colormap " + flags->colormap +
                              ": must be inverse-grey or hot-iron");
    }
    options.colormap = *colormap;
    options.window_max = flags->window_max;
    if (!flags->study.empty()) options.study = flags->study;
    if (!flags->figures.empty()) options.figures_dir = flags->figures;
    const std::filesystem::path results = flags->results;
    const std::filesystem::path html =
        flags->output.empty() ? results / "report.html" : std::filesystem::path(flags->output);
    if (!flags->pdf.empty() && !find_chromium()) {
      // Fail before the (slower) HTML rendering.
      print_html_to_pdf(html, flags->pdf);
    }
    write_report(results, html, options);
    std::printf("wrote %s\n", html.string().c_str());
    if (!flags->pdf.empty()) {
      print_html_to_pdf(html, flags->pdf);
      std::printf("wrote %s\n", flags->pdf.c_str());
    }
    return 0;
  };
}

}  // namespace oncotrace::cli
