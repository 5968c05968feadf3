// The HTML report of an `oncotrace patient` output folder (src/report/report_internal.h).
// Tables and figures come from patient.json; the projections of each study from its analyze
// folder studies/<id>/ (lesions.json and labels.nii.gz) and the study it names.
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "report/report_internal.h"

namespace oncotrace::report_internal {
namespace {

using Json = nlohmann::json;

const Json& array_or_empty(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  const Json& value = at_or_null(object, key);
  return value.is_array() ? value : kEmpty;
}

std::string registration_text(const Json& study, const std::string& reference) {
  if (text_of(study, "id") == reference) return "reference study";
  const Json& registration = at_or_null(study, "registration");
  if (!registration.is_object()) return "-";
  std::string text = text_of(registration, "method");
  if (at_or_null(registration, "quality_after").is_number()) {
    text += "; image correlation " + format_json_number(registration["quality_before"], 3) +
            " -> " + format_json_number(registration["quality_after"], 3);
  }
  return text;
}

Section studies_section(const Json& document, const ReportOptions& options) {
  Section section{"patient-studies", "Studies", ""};
  std::string& html = section.body;
  html += "<h1>oncotrace patient report</h1>\n";
  const std::string reference = text_of(document, "reference_study");
  html +=
      "<table>\n<tr><th>Study</th><th>Tracer</th><th>Target</th><th>Timepoint</th><th>Date</th>"
      "<th>Lesions detected</th><th>Excluded organs</th><th>Registration to the reference</th>"
      "</tr>\n";
  for (const Json& study : array_or_empty(document, "studies")) {
    html += "<tr>" + json_cell(at_or_null(study, "id")) + json_cell(at_or_null(study, "tracer")) +
            json_cell(at_or_null(study, "target")) + json_cell(at_or_null(study, "timepoint")) +
            (options.anonymise ? std::string("<td>") + kHiddenIdentifier + "</td>"
                               : json_cell(at_or_null(study, "date"))) +
            number_cell(at_or_null(study, "lesions_detected")) +
            json_cell(at_or_null(study, "excluded_organs")) +
            text_cell(registration_text(study, reference)) + "</tr>\n";
  }
  html += "</table>\n";
  html += "<p class=\"note\">Lesions are matched in the space of the reference study (" +
          escape_html(reference) +
          "); each study's own analysis (lesions.csv, lesions.json, DICOM SEG and SR) is in "
          "studies/&lt;id&gt;/.</p>\n";
  html += "<div class=\"disclaimer\">" + escape_html(text_of(document, "disclaimer")) + "</div>\n";
  return section;
}

// Coronal and sagittal maximum-intensity projections of every study, with its lesion contours
// and the study's own lesion numbers (the lesion table maps them to patient lesions).
std::optional<Section> images_section(const std::filesystem::path& patient_dir,
                                      const Json& document, const ReportOptions& options) {
  Section section{"patient-images", "Maximum-intensity projections", ""};
  for (const Json& study : array_or_empty(document, "studies")) {
    const std::string id = text_of(study, "id");
    const std::string folder = text_of(study, "results_folder");
    const std::filesystem::path results = patient_dir / (folder.empty() ? "studies/" + id : folder);
    try {
      ReportContext context;
      context.results_dir = results;
      context.options = options;
      context.options.study.reset();  // each study is found through its own provenance
      context.lesions = read_json_file(results / "lesions.json");
      context.images = load_study_images(results, context.lesions, context.options);
      const std::vector<FigurePanel> panels = projection_panels(context.images, false);
      const FigureStyle style = report_figure_style(context, panels.front().pet);
      const std::string png = render_figure_png(panels, style);
      section.body +=
          figure_html(png, id + " maximum-intensity projections",
                      id + " (" + text_of(study, "tracer") + "): coronal and sagittal MIP, " +
                          style.unit_label + " window " + format_number(style.window_min, 3) +
                          " to " + format_number(style.window_max, 3) +
                          "; contours and numbers are the study's own lesion labels.");
      if (options.figures_dir) {
        write_file_atomically(*options.figures_dir / ("mip_" + id + ".png"), png);
        write_file_atomically(*options.figures_dir / ("mip_" + id + ".svg"),
                              render_figure_svg(panels, style));
      }
    } catch (const InvalidInputError& error) {
      spdlog::warn("report: {}: projections not drawn: {}", id, error.what());
      section.body += "<p class=\"warning\">" + escape_html(id) +
                      ": projections not drawn: " + escape_html(error.what()) + "</p>\n";
    }
  }
  return section;
}

// "5.1 (#1)" for a detected lesion, "2.3 (VOI)" for a value measured in the carried-over VOI,
// "outside FOV" when the study does not cover the lesion.
std::string study_value_text(const Json& value) {
  if (!value.is_object()) return "-";
  if (at_or_null(value, "in_field_of_view").is_boolean() &&
      !value["in_field_of_view"].get<bool>()) {
    return "outside FOV";
  }
  std::string text = format_json_number(at_or_null(value, "suv_max"), 3);
  const Json& label = at_or_null(value, "detected_label");
  text += label.is_number() ? " (#" + json_text(label) + ")" : " (VOI)";
  return text;
}

std::optional<Section> lesions_section(const Json& document) {
  const Json& lesions = array_or_empty(document, "lesions");
  if (lesions.empty()) return std::nullopt;
  const Json& studies = array_or_empty(document, "studies");
  const Json& heterogeneity = array_or_empty(document, "heterogeneity");
  Section section{"patient-lesions", "Patient lesions", ""};
  std::string& html = section.body;
  html +=
      "<table>\n<tr><th>Lesion</th><th>Organ</th><th>Longest diameter (mm)</th>"
      "<th>FDG-avid</th>";
  for (const Json& study : studies) {
    html += "<th>" + escape_html(text_of(study, "id")) + " SUVmax</th>";
  }
  for (const Json& summary : heterogeneity) {
    html += "<th>" + escape_html(text_of(summary, "target") + " (" + text_of(summary, "tracer")) +
            ")</th>";
  }
  html += "</tr>\n";
  for (const Json& lesion : lesions) {
    html += "<tr>" + json_cell(at_or_null(lesion, "id")) + json_cell(at_or_null(lesion, "organ")) +
            number_cell(at_or_null(lesion, "longest_diameter_mm"), 3) + "<td title=\"" +
            escape_html(text_of(lesion, "fdg_avidity_reason")) + "\">" +
            escape_html(json_text(at_or_null(lesion, "fdg_avid"))) + "</td>";
    for (const Json& study : studies) {
      const Json* found = nullptr;
      for (const Json& value : array_or_empty(lesion, "per_study")) {
        if (text_of(value, "study") == text_of(study, "id")) found = &value;
      }
      html += "<td class=\"num\">" + escape_html(found ? study_value_text(*found) : "-") + "</td>";
    }
    for (const Json& summary : heterogeneity) {
      std::string status = "-";
      std::string reason;
      for (const Json& call : array_or_empty(lesion, "status")) {
        if (text_of(call, "study") != text_of(summary, "study")) continue;
        status = text_of(call, "status");
        reason = text_of(call, "reason");
      }
      html += "<td title=\"" + escape_html(reason) + "\">" + escape_html(status) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n";
  html +=
      "<p class=\"note\">SUVmax per study: (#n) detected as lesion n of that study, (VOI) measured "
      "in the lesion's volume carried over from the study that found it. FDG-avid and receptor "
      "status: hover for the rule and values; every value is in patient.json and "
      "patient_lesions.csv.</p>\n";
  return section;
}

std::optional<Section> heterogeneity_section(const Json& document, const std::string& text,
                                             const std::string& source,
                                             const ReportOptions& options) {
  const Json& summaries = array_or_empty(document, "heterogeneity");
  if (summaries.empty()) return std::nullopt;
  const std::vector<HeterogeneityPlot> plots = heterogeneity_plots(text, source);
  Section section{"patient-heterogeneity", "Inter-lesion heterogeneity (multi-tracer)", ""};
  std::string& html = section.body;
  for (const HeterogeneityPlot& plot : plots) {
    if (plot.points.empty()) continue;
    const std::string png = render_heterogeneity_png(plot);
    html += figure_html(
        png, plot.title,
        plot.title + ": each point is a patient lesion; dashed lines at the FDG avidity and the " +
            plot.tracer +
            " positivity thresholds; the shaded lower-right quadrant holds FDG-avid "
            "lesions without " +
            plot.target + " uptake (discordant).");
    html += messages_list(Json(plot.notes), "note");
    if (!plot.not_plotted.empty()) {
      html +=
          "<p class=\"note\">Not plotted:</p>\n" + messages_list(Json(plot.not_plotted), "note");
    }
    if (options.figures_dir) {
      const std::string stem = "heterogeneity_" + plot.tracer;
      write_file_atomically(*options.figures_dir / (stem + ".png"), png);
      write_file_atomically(*options.figures_dir / (stem + ".svg"), render_heterogeneity_svg(plot));
    }
  }
  html +=
      "<table>\n<tr><th>Tracer</th><th>Target</th><th>Lesions</th><th>Positive</th>"
      "<th>Negative</th><th>Not assessable</th><th>Positive fraction</th><th>Heterogeneous</th>"
      "<th>FDG+/T+</th><th>FDG+/T-</th><th>FDG-/T+</th><th>FDG-/T-</th><th>ZEPHIR-style "
      "category</th></tr>\n";
  for (const Json& summary : summaries) {
    const Json& quadrants = at_or_null(summary, "quadrants");
    html += "<tr>" + json_cell(at_or_null(summary, "tracer")) +
            json_cell(at_or_null(summary, "target")) + number_cell(at_or_null(summary, "lesions")) +
            number_cell(at_or_null(summary, "positive")) +
            number_cell(at_or_null(summary, "negative")) +
            number_cell(at_or_null(summary, "not_assessable")) +
            number_cell(at_or_null(summary, "positive_fraction"), 3) +
            json_cell(at_or_null(summary, "heterogeneous")) +
            number_cell(at_or_null(quadrants, "fdg_positive_target_positive")) +
            number_cell(at_or_null(quadrants, "fdg_positive_target_negative")) +
            number_cell(at_or_null(quadrants, "fdg_negative_target_positive")) +
            number_cell(at_or_null(quadrants, "fdg_negative_target_negative")) +
            json_cell(at_or_null(summary, "zephir_category")) + "</tr>\n";
  }
  html += "</table>\n";
  for (const Json& summary : summaries) {
    const Json& discordant = at_or_null(summary, "discordant_lesions");
    if (discordant.is_array() && !discordant.empty()) {
      html += "<p>Discordant lesions (" + escape_html(text_of(summary, "tracer")) + "):</p>\n" +
              messages_list(discordant, "warning");
    }
    html += messages_list(at_or_null(summary, "notes"), "note");
  }
  return section;
}

std::optional<Section> precision_section(const Json& document) {
  const Json& summary = at_or_null(document, "clinical_summary");
  const Json& comparisons = array_or_empty(document, "pathology_comparison");
  if (!summary.is_object() && comparisons.empty()) return std::nullopt;
  Section section{"patient-precision", "Precision summary (pathology and imaging)", ""};
  std::string& html = section.body;
  const Json& specimens = array_or_empty(summary, "specimens");
  if (!specimens.empty()) {
    html +=
        "<h3>Specimens</h3>\n<table>\n<tr><th>Specimen</th><th>Site</th><th>Date</th>"
        "<th>HER2</th><th>HER2 expression</th><th>ER (%)</th><th>PR (%)</th><th>Ki-67 (%)</th>"
        "<th>Subtype</th></tr>\n";
    for (const Json& specimen : specimens) {
      const Json& her2 = at_or_null(specimen, "her2");
      const Json& er = at_or_null(specimen, "er");
      const Json& pr = at_or_null(specimen, "pr");
      html += "<tr>" + json_cell(at_or_null(specimen, "id")) +
              json_cell(at_or_null(specimen, "site")) + json_cell(at_or_null(specimen, "date")) +
              "<td title=\"" + escape_html(text_of(her2, "rule")) + "\">" +
              escape_html(text_of(her2, "status")) + "</td>" +
              json_cell(at_or_null(at_or_null(her2, "expression"), "category")) + "<td>" +
              escape_html(text_of(er, "status") + " (" +
                          format_json_number(at_or_null(er, "percent_nuclei"), 3) + ")") +
              "</td><td>" +
              escape_html(text_of(pr, "status") + " (" +
                          format_json_number(at_or_null(pr, "percent_nuclei"), 3) + ")") +
              "</td>" + number_cell(at_or_null(specimen, "ki67_percent"), 3) +
              json_cell(at_or_null(at_or_null(specimen, "subtype"), "label")) + "</tr>\n";
    }
    html += "</table>\n";
  }
  const Json& biomarkers = array_or_empty(summary, "biomarkers");
  if (!biomarkers.empty()) {
    html +=
        "<h3>Biomarkers</h3>\n<table>\n<tr><th>Biomarker</th><th>Value</th><th>Source</th>"
        "<th>Specimen</th><th>Roles</th><th>Trial use</th><th>Rule</th></tr>\n";
    for (const Json& biomarker : biomarkers) {
      html +=
          "<tr>" + json_cell(at_or_null(biomarker, "name")) +
          json_cell(at_or_null(biomarker, "value")) + json_cell(at_or_null(biomarker, "source")) +
          json_cell(at_or_null(biomarker, "specimen")) + json_cell(at_or_null(biomarker, "roles")) +
          json_cell(at_or_null(biomarker, "trial_use")) + json_cell(at_or_null(biomarker, "rule")) +
          "</tr>\n";
    }
    html += "</table>\n";
  }
  const Json& discordance = array_or_empty(summary, "discordance_between_specimens");
  if (!discordance.empty()) {
    html += "<h3>Discordance between specimens</h3>\n<ul class=\"warning\">\n";
    for (const Json& item : discordance) {
      html += "<li>" + escape_html(text_of(item, "biomarker") + ": positive in " +
                                   json_text(at_or_null(item, "positive_in")) + ", negative in " +
                                   json_text(at_or_null(item, "negative_in")));
      for (const Json& annotation : array_or_empty(item, "annotations")) {
        html += "<br><span class=\"note\">" +
                escape_html(text_of(annotation, "text") + " " + text_of(annotation, "citation")) +
                "</span>";
      }
      html += "</li>\n";
    }
    html += "</ul>\n";
  }
  const Json& staging = at_or_null(summary, "staging");
  if (staging.is_object()) {
    const Json& anatomic = at_or_null(staging, "anatomic");
    const Json& prognostic = at_or_null(staging, "clinical_prognostic");
    const Json& extent = at_or_null(staging, "disease_extent");
    html += "<h3>Staging (AJCC 8th)</h3>\n<table class=\"kv\">\n";
    html += key_value_row("Anatomic stage", json_text(at_or_null(anatomic, "stage")) + " \u2014 " +
                                                text_of(anatomic, "rule"));
    html +=
        key_value_row("Clinical prognostic stage", json_text(at_or_null(prognostic, "stage")) +
                                                       " (" + text_of(prognostic, "status") +
                                                       ") \u2014 " + text_of(prognostic, "rule"));
    html += key_value_row("Disease extent", json_text(at_or_null(extent, "extent")));
    html += "</table>\n";
    html += messages_list(at_or_null(extent, "notes"), "note");
  }
  if (!comparisons.empty()) {
    html +=
        "<h3>Biopsy sites against imaging</h3>\n<table>\n<tr><th>Specimen</th><th>Site</th>"
        "<th>Lesion</th><th>Distance (mm)</th><th>Findings</th></tr>\n";
    for (const Json& comparison : comparisons) {
      html += "<tr>" + json_cell(at_or_null(comparison, "specimen")) +
              json_cell(at_or_null(comparison, "site")) +
              json_cell(at_or_null(comparison, "lesion")) +
              number_cell(at_or_null(comparison, "distance_mm"), 3) + "<td>" +
              messages_list(at_or_null(comparison, "findings"), "plain") + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (summary.is_object()) {
    html += "<div class=\"disclaimer\">" + escape_html(text_of(summary, "disclaimer")) + "</div>\n";
  }
  return section;
}

std::optional<Section> warnings_section(const Json& document) {
  std::string html = messages_list(at_or_null(document, "warnings"), "warning");
  for (const Json& study : array_or_empty(document, "studies")) {
    const std::string list = messages_list(at_or_null(study, "warnings"), "warning");
    if (!list.empty()) html += "<h3>" + escape_html(text_of(study, "id")) + "</h3>\n" + list;
  }
  if (html.empty()) return std::nullopt;
  return Section{"patient-warnings", "Warnings", html};
}

Section provenance_section(const Json& document, const ReportOptions& options) {
  Section section{"patient-provenance", "Provenance", ""};
  const Json& software = at_or_null(document, "software");
  section.body += "<table class=\"kv\">\n";
  section.body +=
      key_value_row("Software", text_of(software, "name") + " " + text_of(software, "version"));
  section.body += key_value_row("Report generated by", "oncotrace " + version_string());
  section.body += key_value_row("Schema", text_of(document, "schema"));
  if (options.anonymise) {
    section.body += "<tr><th>Command</th><td>" + std::string(kHiddenIdentifier) + "</td></tr>\n";
  } else {
    section.body += key_value_row("Command", json_text(at_or_null(document, "arguments")));
  }
  section.body += "</table>\n<h3>Settings</h3>\n<pre>" +
                  escape_html(at_or_null(document, "settings").dump(2)) + "</pre>\n";
  return section;
}

}  // namespace

std::string build_patient_report_html(const std::filesystem::path& patient_dir,
                                      const ReportOptions& options) {
  const std::filesystem::path file = patient_dir / "patient.json";
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw InvalidInputError(file.string() + ": cannot be read");
  const std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::exception& error) {
    throw InvalidInputError(file.string() + ": not valid JSON (" + error.what() + ")");
  }
  if (text_of(document, "schema").rfind("oncotrace.patient/", 0) != 0) {
    throw InvalidInputError(file.string() + ": not a patient.json of oncotrace patient (schema \"" +
                            text_of(document, "schema") + "\")");
  }
  if (options.figures_dir) std::filesystem::create_directories(*options.figures_dir);
  std::vector<Section> sections;
  for (std::optional<Section> section :
       {std::optional<Section>(studies_section(document, options)),
        images_section(patient_dir, document, options), lesions_section(document),
        heterogeneity_section(document, text, file.string(), options), precision_section(document),
        warnings_section(document),
        std::optional<Section>(provenance_section(document, options))}) {
    if (section) sections.push_back(std::move(*section));
  }
  return html_document("oncotrace patient report", sections);
}

}  // namespace oncotrace::report_internal
