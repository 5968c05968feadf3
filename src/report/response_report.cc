// The HTML report of an `oncotrace response` output folder (src/report/report_internal.h).
// Built from response.json alone; every section appears only when its data exists.
#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "report/report_internal.h"

namespace oncotrace::report_internal {
namespace {

using Json = nlohmann::json;

std::optional<Section> timepoints_section(const Json& document, const ReportOptions& options) {
  const Json& timepoints = document["timepoints"];
  Section section{"response-timepoints", "Timepoints", ""};
  section.body += "<h1>oncotrace response assessment</h1>\n";
  section.body +=
      "<table>\n<tr><th>Timepoint</th><th>Date</th><th>Days since baseline</th><th>Cycle</th>"
      "<th>Tracer</th><th>Uptake time (min)</th><th>Lesions</th></tr>\n";
  for (const Json& timepoint : timepoints) {
    if (!timepoint.is_object()) continue;
    std::string cycle = "-";
    if (timepoint.value("cycle", Json()).is_number() &&
        timepoint.value("cycle_day", Json()).is_number()) {
      cycle = "C" + json_text(timepoint["cycle"]) + "D" + json_text(timepoint["cycle_day"]);
    } else if (timepoint.value("cycles_completed", Json()).is_number()) {
      cycle = json_text(timepoint["cycles_completed"]) + " completed";
    }
    section.body += "<tr>" + json_cell(timepoint.value("label", Json())) +
                    (options.anonymise ? std::string("<td>") + kHiddenIdentifier + "</td>"
                                       : json_cell(timepoint.value("date", Json()))) +
                    number_cell(timepoint.value("days_since_baseline", Json())) + "<td>" +
                    escape_html(cycle) + "</td>" + json_cell(timepoint.value("tracer", Json())) +
                    number_cell(timepoint.value("uptake_time_min", Json())) +
                    number_cell(timepoint.value("lesion_count", Json())) + "</tr>\n";
  }
  section.body += "</table>\n";
  section.body +=
      "<div class=\"disclaimer\">" +
      escape_html(text_of(document, "research_use_only") + " " + text_of(document, "disclaimer")) +
      "</div>\n";
  return section;
}

std::optional<Section> assessments_section(const Json& document) {
  const Json assessments = document.value("assessments", Json::array());
  if (!assessments.is_array() || assessments.empty()) return std::nullopt;
  Section section{"response-assessments", "Response categories", ""};
  section.body +=
      "<table>\n<tr><th>Follow-up</th><th>Criterion</th><th>Category</th><th>Decided by</th>"
      "</tr>\n";
  for (const Json& assessment : assessments) {
    if (!assessment.is_object()) continue;
    section.body += "<tr>" + json_cell(assessment.value("follow_up", Json())) +
                    json_cell(assessment.value("title", Json())) + "<td><b>" +
                    escape_html(text_of(assessment, "category")) + "</b> " +
                    escape_html(text_of(assessment, "category_text")) + "</td>" +
                    json_cell(assessment.value("decided_by", Json())) + "</tr>\n";
  }
  section.body += "</table>\n";
  for (const Json& assessment : assessments) {
    if (!assessment.is_object()) continue;
    const std::string warnings = messages_list(assessment.value("warnings", Json()), "warning");
    const std::string unverified = messages_list(assessment.value("unverified", Json()), "note");
    if (warnings.empty() && unverified.empty()) continue;
    section.body +=
        "<h3>" +
        escape_html(text_of(assessment, "title") + ", " + text_of(assessment, "follow_up")) +
        "</h3>\n" + warnings;
    if (!unverified.empty()) {
      section.body +=
          "<p class=\"note\">Reference values marked unverified that the rule used:"
          "</p>\n" +
          unverified;
    }
  }
  return section;
}

std::optional<Section> waterfall_section(const ResponsePlots& plots, const ReportOptions& options) {
  if (plots.waterfalls.empty()) return std::nullopt;
  Section section{"response-waterfall", "Waterfall plots of per-lesion change", ""};
  for (size_t index = 0; index < plots.waterfalls.size(); ++index) {
    const WaterfallPlot& plot = plots.waterfalls[index];
    const std::string png = render_waterfall_png(plot);
    section.body += figure_html(
        png, plot.title,
        plot.title + ": relative change per lesion, sorted; bars coloured by the PERCIST " +
            format_number(plot.band_percent) +
            " % band, hatched bars are new lesions (no baseline), disappeared lesions at "
            "-100 %. Lines: PERCIST (solid) and trial thresholds (dashed), as reference marks; "
            "each criterion's category is computed on its own quantity (table above).");
    if (options.figures_dir) {
      const std::string stem = "waterfall_" + std::to_string(index + 1);
      write_file_atomically(*options.figures_dir / (stem + ".png"), png);
      write_file_atomically(*options.figures_dir / (stem + ".svg"), render_waterfall_svg(plot));
    }
  }
  return section;
}

std::optional<Section> trajectory_section(const ResponsePlots& plots,
                                          const ReportOptions& options) {
  if (!plots.trajectory) return std::nullopt;
  Section section{"response-trajectory", "Per-lesion trajectories", ""};
  const std::string png = render_trajectory_png(*plots.trajectory);
  section.body += figure_html(
      png, plots.trajectory->title,
      plots.trajectory->title + "; a gap means the lesion was not measured at that timepoint.");
  if (options.figures_dir) {
    write_file_atomically(*options.figures_dir / "trajectory.png", png);
    write_file_atomically(*options.figures_dir / "trajectory.svg",
                          render_trajectory_svg(*plots.trajectory));
  }
  return section;
}

std::optional<Section> changes_section(const Json& document, const ResponsePlots& plots) {
  const Json& tables = document["change_tables"];
  if (!tables.is_array() || tables.empty()) return std::nullopt;
  const std::string quantity =
      plots.waterfalls.empty() ? std::string("SUVmax") : plots.waterfalls.front().quantity;
  Section section{"response-changes", "Change tables", ""};
  for (const Json& table : tables) {
    if (!table.is_object()) continue;
    section.body += "<h3>" +
                    escape_html(text_of(table, "baseline") + " to " + text_of(table, "follow_up")) +
                    "</h3>\n<table>\n<tr><th>Lesion</th><th>Organ</th><th>Status</th>"
                    "<th>Quantity</th><th>Unit</th><th>Baseline</th><th>Follow-up</th>"
                    "<th>Change</th><th>Change (%)</th></tr>\n";
    const auto row = [&](const std::string& id, const Json& organ, const Json& status,
                         const Json& change) {
      section.body += "<tr><td>" + escape_html(id) + "</td>" + json_cell(organ) +
                      json_cell(status) + json_cell(change.value("quantity", Json())) +
                      json_cell(change.value("unit", Json())) +
                      number_cell(change.value("baseline", Json())) +
                      number_cell(change.value("follow_up", Json())) +
                      number_cell(change.value("absolute_change", Json())) +
                      number_cell(change.value("percent_change", Json())) + "</tr>\n";
    };
    for (const Json& lesion : table.value("lesions", Json::array())) {
      if (!lesion.is_object() || !lesion.value("changes", Json()).is_array()) continue;
      for (const Json& change : lesion["changes"]) {
        if (!change.is_object()) continue;
        const std::string name = text_of(change, "quantity");
        if (name != quantity && name != "MTV" && name != "TLG") continue;
        row(text_of(lesion, "id"), lesion.value("organ", Json()), lesion.value("status", Json()),
            change);
      }
    }
    for (const Json& change : table.value("patient", Json::array())) {
      if (!change.is_object()) continue;
      row("patient", Json(), Json(), change);
    }
    section.body += "</table>\n";
  }
  section.body +=
      "<p class=\"note\">The plotted quantity, MTV and TLG; every quantity is in "
      "response_changes.csv and response.json.</p>\n";
  return section;
}

std::optional<Section> warnings_section(const Json& document) {
  const std::string list = messages_list(document.value("warnings", Json()), "warning");
  if (list.empty()) return std::nullopt;
  return Section{"response-warnings", "Warnings about the series", list};
}

Section provenance_section(const Json& document, const ReportOptions& options) {
  Section section{"response-provenance", "Provenance", ""};
  section.body += "<table class=\"kv\">\n";
  const Json& software = document.value("software", Json());
  section.body +=
      key_value_row("Software", text_of(software, "name") + " " + text_of(software, "version"));
  section.body += key_value_row("Report generated by", "oncotrace " + version_string());
  section.body += key_value_row("Schema", text_of(document, "schema"));
  section.body += "</table>\n";
  if (!options.anonymise) {
    section.body += "<h3>Options</h3>\n<pre>" +
                    escape_html(document.value("options", Json()).dump(2)) + "</pre>\n";
  }
  return section;
}

}  // namespace

std::string build_response_report_html(const std::filesystem::path& response_dir,
                                       const ReportOptions& options) {
  const std::filesystem::path file = response_dir / "response.json";
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw InvalidInputError(file.string() + ": cannot be read");
  const std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
  // response_plots checks the schema and the members the sections read.
  const ResponsePlots plots = response_plots(text, file.string());
  const Json document = Json::parse(text);
  if (options.figures_dir) std::filesystem::create_directories(*options.figures_dir);
  std::vector<Section> sections;
  for (std::optional<Section> section :
       {timepoints_section(document, options), assessments_section(document),
        waterfall_section(plots, options), trajectory_section(plots, options),
        changes_section(document, plots), warnings_section(document),
        std::optional<Section>(provenance_section(document, options))}) {
    if (section) sections.push_back(std::move(*section));
  }
  return html_document("oncotrace response report", sections);
}

}  // namespace oncotrace::report_internal
