// Internals of the report module: the HTML helpers, the study images a report draws, and the
// list of report sections (include/oncotrace/report.h).
#ifndef ONCOTRACE_REPORT_REPORT_INTERNAL_H_
#define ONCOTRACE_REPORT_REPORT_INTERNAL_H_

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/report.h"
#include "oncotrace/series.h"
#include "oncotrace/volume.h"

namespace oncotrace::report_internal {

// ---------------------------------------------------------------------------------------------
// HTML helpers

std::string base64_encode(const std::string& bytes);
// A number with `significant` significant digits ("-" for null / non-finite).
std::string format_number(double value, int significant = 4);
std::string format_json_number(const nlohmann::json& value, int significant = 4);
// "<tr><th>key</th><td>value</td></tr>" with both escaped.
std::string key_value_row(const std::string& key, const std::string& value);
// A JSON value as short text: strings as is, numbers formatted, arrays joined, null as "-".
std::string json_text(const nlohmann::json& value);
// Shown in place of an identifier with --anonymise.
inline constexpr const char* kHiddenIdentifier =
    "<span class=\"hidden-id\">hidden (--anonymise)</span>";
// object[key], or null when `object` is not an object or has no such member.
const nlohmann::json& at_or_null(const nlohmann::json& object, const std::string& key);
// object[key] when it is a string, else "".
std::string text_of(const nlohmann::json& object, const char* key);
// Table cells: escaped text, a JSON value as json_text, a number right-aligned ("-" if not one).
std::string text_cell(const std::string& text);
std::string json_cell(const nlohmann::json& value);
std::string number_cell(const nlohmann::json& value, int significant = 4);
// A <ul class="css_class"> of the items (json_text each); "" for an empty or non-array value.
std::string messages_list(const nlohmann::json& messages, const char* css_class);
// The JSON of a results file; InvalidInputError naming the file when unreadable or malformed.
nlohmann::json read_json_file(const std::filesystem::path& file);
// The display name of a UCUM uptake unit: "g/ml{SUVbw}" -> "SUVbw (g/mL)", "Bq/ml" -> "Bq/mL".
std::string uptake_unit_label(const std::string& ucum);

// ---------------------------------------------------------------------------------------------
// Inputs

// The images a report draws, re-loaded from the analysed study.
struct StudyImages {
  SeriesHeader pet_header;
  std::optional<SeriesHeader> ct_header;
  ImageVolume image;  // the primary image (SUV), as analysed
  std::optional<ImageVolume> ct;
  std::optional<LabelMap> labels;  // labels.nii.gz on the PET grid
  std::filesystem::path study_path;
  std::vector<std::string> notes;  // e.g. why the CT is absent
};

// Loads the study named by lesions.json's provenance (or options.study) and converts it with the
// SUV factors of the recorded audit. Throws InvalidInputError naming the file and the remedy.
StudyImages load_study_images(const std::filesystem::path& results_dir,
                              const nlohmann::json& lesions, const ReportOptions& options);

struct ReportContext {
  std::filesystem::path results_dir;
  ReportOptions options;
  nlohmann::json lesions;  // lesions.json
  StudyImages images;
};

// ---------------------------------------------------------------------------------------------
// Sections

struct Section {
  std::string id;     // HTML id, e.g. "lesions"
  std::string title;  // heading
  std::string body;   // HTML
};

// One entry of the report: built when its input file exists in the results folder (an empty
// input_file means always). Sections of later analyses are added as entries.
struct SectionSpec {
  std::string id;
  std::string input_file;
  std::function<std::optional<Section>(const ReportContext&, const std::filesystem::path& input)>
      build;
};

// The sections in document order.
const std::vector<SectionSpec>& report_sections();

// A <figure> with the PNG embedded as a data URI, its alt text and caption.
std::string figure_html(const std::string& png, const std::string& alt, const std::string& caption);

// The report of an `oncotrace response` output folder (response.json): timepoints, assessments,
// waterfall and trajectory plots, change table, warnings, provenance; a section appears only
// when its data exists (build_report_html calls this for a folder without lesions.json).
std::string build_response_report_html(const std::filesystem::path& response_dir,
                                       const ReportOptions& options);

// The report of an `oncotrace patient` output folder (patient.json and studies/<id>/): studies,
// coronal projections of each study, the patient lesion table, heterogeneity figures and
// summaries, pathology comparison and precision summary, warnings, provenance; a section appears
// only when its data exists. A study whose images cannot be loaded gets a note instead of its
// projection (the tables come from patient.json alone).
std::string build_patient_report_html(const std::filesystem::path& patient_dir,
                                      const ReportOptions& options);

// The whole HTML document: inline CSS, the title, the sections in order.
std::string html_document(const std::string& title, const std::vector<Section>& sections);

// The PET figure panels (coronal and sagittal; fused with CT when `fused`).
std::vector<FigurePanel> projection_panels(const StudyImages& images, bool fused);
// The figure style of a report: colour map, window, unit label.
FigureStyle report_figure_style(const ReportContext& context, const Projection& coronal_mip);

}  // namespace oncotrace::report_internal

#endif  // ONCOTRACE_REPORT_REPORT_INTERNAL_H_
