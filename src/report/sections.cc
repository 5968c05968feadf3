// The sections of the HTML report, in document order (src/report/report_internal.h).
//
// Each entry names the file of the results folder it is built from; the report contains the
// section only when that file exists. A later analysis adds its section here (for example the
// multi-tracer heterogeneity figure from its own results file) without touching the others.
#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "report/report_internal.h"

namespace oncotrace::report_internal {
namespace {

using Json = nlohmann::json;

// A row whose value is an identifier: hidden with --anonymise.
std::string identifier_row(const ReportContext& context, const std::string& key,
                           const std::string& value) {
  if (context.options.anonymise) {
    return "<tr><th>" + escape_html(key) + "</th><td>" + kHiddenIdentifier + "</td></tr>\n";
  }
  return key_value_row(key, value.empty() ? "-" : value);
}

// A DICOM DA "20250101" as "2025-01-01".
std::string dicom_date(const std::string& date) {
  if (date.size() != 8) return date;
  return date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
}

// An audit item {value, source|rule, ...} as "value - source".
std::string audit_text(const Json& item) {
  if (!item.is_object()) return json_text(item);
  std::string text = item.contains("value") ? json_text(item["value"]) : std::string();
  for (const char* key : {"rule", "source"}) {
    if (item.contains(key) && item[key].is_string()) {
      text += (text.empty() ? "" : " \u2014 ") + item[key].get<std::string>();
      break;
    }
  }
  return text.empty() ? item.dump() : text;
}

// The normalisation record: "SUVbw: body weight, normaliser 68000 g".
std::string normalisation_text(const Json& item) {
  if (!item.is_object()) return json_text(item);
  std::string text =
      json_text(at_or_null(item, "type")) + ": " + json_text(at_or_null(item, "formula"));
  if (at_or_null(item, "normaliser").is_number()) {
    text += ", normaliser " + json_text(item["normaliser"]) + " " +
            json_text(at_or_null(item, "normaliser_unit"));
  }
  return text;
}

// ---------------------------------------------------------------------------------------------

std::optional<Section> header_section(const ReportContext& context, const std::filesystem::path&) {
  const SeriesHeader& pet = context.images.pet_header;
  const Json& study = at_or_null(context.lesions, "study");
  Section section{"study", "", ""};
  std::string tracer = pet.radiopharmaceutical.radiopharmaceutical.value.value_or("");
  if (tracer.empty())
    tracer = pet.radiopharmaceutical.radiopharmaceutical_meaning.value.value_or("");
  std::string& html = section.body;
  html += "<h1>oncotrace report: " + escape_html(tracer.empty() ? pet.modality : tracer) + " " +
          escape_html(pet.modality) + "</h1>\n<table class=\"kv\">\n";
  html += identifier_row(context, "Patient name", pet.patient_name);
  html += identifier_row(context, "Patient ID", pet.patient_id);
  html += key_value_row("Sex", pet.patient_sex.value.value_or("-"));
  html += key_value_row("Age", pet.patient_age.value.value_or("-"));
  html += key_value_row("Weight (kg)", pet.patient_weight_kg.value
                                           ? format_number(*pet.patient_weight_kg.value, 4)
                                           : "-");
  html += key_value_row(
      "Height (m)", pet.patient_size_m.value ? format_number(*pet.patient_size_m.value, 3) : "-");
  html += identifier_row(context, "Study date", dicom_date(pet.study_date));
  html += key_value_row("Modality", pet.modality);
  html += key_value_row("Tracer", tracer.empty() ? "-" : tracer);
  html += key_value_row("Series", pet.series_description.empty() ? "-" : pet.series_description);
  html += key_value_row("Scanner", pet.manufacturer + " " + pet.manufacturer_model);
  html += identifier_row(context, "Study UID", json_text(at_or_null(study, "study_instance_uid")));
  html +=
      identifier_row(context, "Series UID", json_text(at_or_null(study, "series_instance_uid")));
  html += key_value_row("Image grid", json_text(at_or_null(study, "grid")));
  html += key_value_row("CT", context.images.ct_header
                                  ? (context.images.ct_header->series_description.empty()
                                         ? std::string("same frame of reference")
                                         : context.images.ct_header->series_description)
                                  : std::string("none"));
  html += "</table>\n";
  return section;
}

std::optional<Section> disclaimer_section(const ReportContext&, const std::filesystem::path&) {
  return Section{"disclaimer", "",
                 "<p class=\"disclaimer\">Research use only; measurements and "
                 "literature-referenced annotations, not treatment recommendations. oncotrace is "
                 "not a medical device and does not diagnose.</p>\n"};
}

std::optional<Section> suv_audit_section(const ReportContext& context,
                                         const std::filesystem::path&) {
  const Json& provenance = at_or_null(context.lesions, "provenance");
  const Json& audit = at_or_null(provenance, "suv_audit");
  if (audit.is_null()) return std::nullopt;
  Section section{"suv-audit", "SUV audit", ""};
  std::string& html = section.body;
  html += "<table class=\"kv\">\n";
  html += key_value_row(
      "Image unit",
      uptake_unit_label(json_text(at_or_null(at_or_null(context.lesions, "units"), "uptake"))));
  html += key_value_row("Stored units", audit_text(at_or_null(audit, "input_units")));
  html += key_value_row("Conversion", json_text(at_or_null(audit, "conversion_path")));
  html += key_value_row("Normalisation", normalisation_text(at_or_null(audit, "normalisation")));
  html += key_value_row("Decay correction", audit_text(at_or_null(audit, "decay_correction")));
  html += key_value_row("Reference time", audit_text(at_or_null(audit, "reference_time")));
  html +=
      key_value_row("Administration time", audit_text(at_or_null(audit, "administration_time")));
  html += key_value_row("Half-life (s)", audit_text(at_or_null(audit, "half_life_s")));
  html += key_value_row("Administered activity (Bq)",
                        audit_text(at_or_null(audit, "administered_activity_bq")));
  html += key_value_row("Decay interval (s)", audit_text(at_or_null(audit, "decay_interval_s")));
  html += key_value_row("Decay factor", audit_text(at_or_null(audit, "decay_factor")));
  const Json& patient = at_or_null(audit, "patient");
  const Json& sources = at_or_null(patient, "sources");
  const std::array<std::array<const char*, 3>, 3> patient_items{
      {{"weight_kg", "weight", "Patient weight (kg)"},
       {"height_m", "height", "Patient height (m)"},
       {"sex", "sex", "Patient sex"}}};
  for (const auto& [key, source_key, title] : patient_items) {
    const Json& value = at_or_null(patient, key);
    if (value.is_null()) continue;
    const Json& source = at_or_null(sources, source_key);
    html += key_value_row(
        title,
        json_text(value) + (source.is_string() ? " \u2014 " + source.get<std::string>() : ""));
  }
  const Json& factor = at_or_null(audit, "suv_factor");
  if (factor.is_object()) {
    html += key_value_row(
        "SUV factor",
        (factor.value("per_slice", false) ? std::string("per plane, ") : std::string()) +
            (factor.contains("value") ? json_text(factor["value"])
                                      : std::string("see lesions.json")) +
            " " + json_text(at_or_null(factor, "unit")));
  }
  html += "</table>\n";
  const Json& overrides = at_or_null(audit, "overrides");
  const Json& repairs = at_or_null(audit, "repairs");
  const Json& warnings = at_or_null(audit, "warnings");
  if (overrides.is_array() && !overrides.empty()) {
    html += "<h3>Overrides</h3>\n" + messages_list(overrides, "note");
  }
  if (repairs.is_array() && !repairs.empty()) {
    html += "<h3>Repairs</h3>\n" + messages_list(repairs, "warning");
  }
  if (warnings.is_array() && !warnings.empty()) {
    html += "<h3>Warnings</h3>\n" + messages_list(warnings, "warning");
  }
  html +=
      "<p class=\"note\">Every factor with the DICOM attribute it came from: "
      "lesions.json, provenance.suv_audit.</p>\n";
  return section;
}

std::optional<Section> figures_section(const ReportContext& context, const std::filesystem::path&) {
  const StudyImages& images = context.images;
  Section section{"figures", "Maximum-intensity projections", ""};
  std::vector<FigurePanel> panels = projection_panels(images, false);
  const FigureStyle style = report_figure_style(context, panels.front().pet);
  const std::string window = format_number(style.window_min, 3) + " to " +
                             format_number(style.window_max, 3) + " " + style.unit_label;
  const std::string pet_png = render_figure_png(panels, style);
  section.body +=
      figure_html(pet_png, "Coronal and sagittal PET maximum-intensity projections",
                  "PET maximum-intensity projections, " + pet_colormap_name(style.colormap) +
                      ", window " + window +
                      ". Lesion outlines are the projected label map, numbered as in the lesion "
                      "table.");
  std::optional<std::string> fused_png;
  if (images.ct) {
    const std::vector<FigurePanel> fused = projection_panels(images, true);
    fused_png = render_figure_png(fused, style);
    section.body += figure_html(
        *fused_png, "PET maximum-intensity projections fused over CT",
        "PET (hot iron, window " + window + ") over the CT mean attenuation projection.");
    if (context.options.figures_dir) {
      write_file_atomically(*context.options.figures_dir / "fused_mip.png", *fused_png);
      write_file_atomically(*context.options.figures_dir / "fused_mip.svg",
                            render_figure_svg(fused, style));
    }
  }
  if (context.options.figures_dir) {
    write_file_atomically(*context.options.figures_dir / "pet_mip.png", pet_png);
    write_file_atomically(*context.options.figures_dir / "pet_mip.svg",
                          render_figure_svg(panels, style));
  }
  for (const std::string& note : images.notes) {
    section.body += "<p class=\"note\">" + escape_html(note) + "</p>\n";
  }
  return section;
}

std::optional<Section> lesions_section(const ReportContext& context, const std::filesystem::path&) {
  const Json& lesions = at_or_null(context.lesions, "lesions");
  const Json& units = at_or_null(context.lesions, "units");
  const std::string unit = uptake_unit_label(json_text(at_or_null(units, "uptake")));
  const Json& segmentation = at_or_null(context.lesions, "segmentation");
  Section section{"lesions", "Lesions", ""};
  std::string& html = section.body;
  html += "<p>Segmentation: " + escape_html(json_text(at_or_null(segmentation, "kind"))) + ", " +
          escape_html(json_text(at_or_null(segmentation, "method"))) + ". Uptake in " +
          escape_html(unit) +
          "; volumes in mL; positions in mm (DICOM patient coordinates, LPS).</p>\n";
  if (!lesions.is_array() || lesions.empty()) {
    html += "<p>No lesion was found.</p>\n";
  }
  bool any_sul = false;
  std::string peak_variant;
  for (const Json& lesion : lesions) {
    if (lesion.contains("sul")) any_sul = true;
    const Json& peaks = at_or_null(at_or_null(lesion, "uptake"), "peaks");
    if (peak_variant.empty() && peaks.is_array() && !peaks.empty()) {
      peak_variant = json_text(at_or_null(peaks[0], "variant"));
    }
  }
  const std::string total_unit = json_text(at_or_null(units, "total_uptake"));
  html +=
      "<table id=\"lesion-table\">\n<thead><tr><th>#</th><th>Name</th><th>Organ</th>"
      "<th>Volume (mL)</th><th>Max</th><th>Mean</th><th>Peak" +
      std::string(peak_variant.empty() ? "" : " (" + escape_html(peak_variant) + ")") +
      "</th><th>Total uptake (" + escape_html(total_unit) + ")</th>";
  if (any_sul) html += "<th>SULmax</th><th>SULpeak</th>";
  html +=
      "<th>TBR liver</th><th>TBR blood pool</th><th>Longest diameter (mm)</th>"
      "<th>Centroid x, y, z (mm)</th></tr></thead>\n<tbody>\n";
  for (const Json& lesion : lesions) {
    const Json& uptake = at_or_null(lesion, "uptake");
    const Json& peaks = at_or_null(uptake, "peaks");
    const Json& ratios = at_or_null(lesion, "tumour_to_background");
    const Json& centroid = at_or_null(lesion, "centroid_lps_mm");
    html += "<tr class=\"lesion\">" + text_cell(json_text(at_or_null(lesion, "label"))) +
            text_cell(json_text(at_or_null(lesion, "name"))) +
            text_cell(json_text(at_or_null(lesion, "organ"))) +
            number_cell(at_or_null(lesion, "volume_ml")) + number_cell(at_or_null(uptake, "max")) +
            number_cell(at_or_null(uptake, "mean")) +
            number_cell(peaks.is_array() && !peaks.empty() ? at_or_null(peaks[0], "value")
                                                           : Json(nullptr)) +
            number_cell(at_or_null(lesion, "total_uptake"));
    if (any_sul) {
      const Json& sul = at_or_null(lesion, "sul");
      const Json& sul_peaks = at_or_null(sul, "peaks");
      html +=
          number_cell(at_or_null(sul, "max")) +
          number_cell(sul_peaks.is_array() && !sul_peaks.empty() ? at_or_null(sul_peaks[0], "value")
                                                                 : Json(nullptr));
    }
    std::string position = "-";
    if (centroid.is_array() && centroid.size() == 3) {
      position = format_json_number(centroid[0], 4) + ", " + format_json_number(centroid[1], 4) +
                 ", " + format_json_number(centroid[2], 4);
    }
    html += number_cell(at_or_null(ratios, "liver"), 3) +
            number_cell(at_or_null(ratios, "blood_pool"), 3) +
            number_cell(at_or_null(lesion, "longest_diameter_mm"), 3) + text_cell(position) +
            "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  const Json& patient = at_or_null(context.lesions, "patient");
  if (patient.is_object()) {
    html += "<table class=\"kv\">\n";
    html += key_value_row("Lesions", json_text(at_or_null(patient, "lesion_count")));
    html +=
        key_value_row("Total MTV (mL)", format_json_number(at_or_null(patient, "total_mtv_ml")));
    html += key_value_row("Total uptake (" + total_unit + ")",
                          format_json_number(at_or_null(patient, "total_uptake")));
    html += key_value_row("Dmax (mm)", format_json_number(at_or_null(patient, "dmax_mm")));
    html += "</table>\n";
  }
  html += messages_list(at_or_null(context.lesions, "warnings"), "warning");
  return section;
}

std::optional<Section> reference_regions_section(const ReportContext&,
                                                 const std::filesystem::path& input) {
  const Json document = read_json_file(input);
  const Json& regions = at_or_null(document, "regions");
  Section section{"reference-regions", "Reference regions", ""};
  std::string& html = section.body;
  const std::string unit = uptake_unit_label(json_text(at_or_null(document, "unit")));
  html += "<p>Uptake in " + escape_html(unit) + ".</p>\n";
  html +=
      "<table id=\"reference-table\">\n<thead><tr><th>Region</th><th>Placement</th>"
      "<th>Shape</th><th>Centre x, y, z (mm)</th><th>Mean</th><th>SD</th><th>Max</th>"
      "<th>Volume (mL)</th><th>SUL mean</th><th>Notes</th></tr></thead>\n<tbody>\n";
  for (const Json& region : regions) {
    const Json& stats = at_or_null(region, "statistics");
    const Json& centre = at_or_null(region, "centre_lps_mm");
    std::string position = "-";
    if (centre.is_array() && centre.size() == 3) {
      position = format_json_number(centre[0], 4) + ", " + format_json_number(centre[1], 4) + ", " +
                 format_json_number(centre[2], 4);
    }
    std::string notes;
    for (const Json& warning : at_or_null(region, "warnings")) {
      notes += (notes.empty() ? "" : "; ") + json_text(warning);
    }
    html += "<tr class=\"region\">" + text_cell(json_text(at_or_null(region, "name"))) +
            text_cell(json_text(at_or_null(region, "placement_method"))) +
            text_cell(json_text(at_or_null(region, "shape"))) + text_cell(position) +
            number_cell(at_or_null(stats, "mean")) + number_cell(at_or_null(stats, "sd")) +
            number_cell(at_or_null(stats, "max")) + number_cell(at_or_null(stats, "volume_ml")) +
            number_cell(at_or_null(at_or_null(region, "sul"), "mean")) +
            text_cell(notes.empty() ? "" : notes) + "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  html += messages_list(at_or_null(document, "skipped"), "note");
  return section;
}

std::optional<Section> provenance_section(const ReportContext& context,
                                          const std::filesystem::path&) {
  const Json& provenance = at_or_null(context.lesions, "provenance");
  Section section{"provenance", "Provenance", ""};
  std::string& html = section.body;
  html += "<table class=\"kv\">\n";
  html += key_value_row("Analysis software", json_text(at_or_null(provenance, "software")) + " " +
                                                 json_text(at_or_null(provenance, "version")));
  html += key_value_row("Report software", "oncotrace " + version_string());
  std::string command_line;
  for (const Json& argument : at_or_null(provenance, "arguments")) {
    command_line += (command_line.empty() ? "" : " ") + json_text(argument);
  }
  html += identifier_row(context, "Command line", command_line);
  html += identifier_row(context, "Study input", context.images.study_path.string());
  const Json& inputs = at_or_null(provenance, "inputs");
  for (const auto& [key, value] : inputs.items()) {
    if (key == "study") continue;
    if (key.find("uid") != std::string::npos || key == "masks") {
      html += identifier_row(context, "Input " + key, json_text(value));
    } else {
      html += key_value_row("Input " + key, json_text(value));
    }
  }
  html += "</table>\n<h3>Settings</h3>\n<table class=\"kv\">\n";
  for (const auto& [key, value] : at_or_null(provenance, "settings").items()) {
    if (key == "command_line") {
      for (const auto& [flag, given] : value.items()) {
        html += key_value_row("Command-line " + flag, json_text(given));
      }
    } else {
      html += key_value_row(key, json_text(value));
    }
  }
  const Json& peak = at_or_null(provenance, "suv_peak");
  html += key_value_row("SUVpeak variant (table)", json_text(at_or_null(peak, "primary_variant")));
  html += "</table>\n";
  const Json& timings = at_or_null(provenance, "stage_timings");
  if (timings.is_object() && !timings.empty()) {
    html += "<h3>Stage timings (s)</h3>\n<table class=\"kv\">\n";
    for (const auto& [key, value] : timings.items()) {
      html += key_value_row(key, format_json_number(value, 3));
    }
    html += "</table>\n";
  }
  html += "<p class=\"note\">" +
          escape_html(json_text(at_or_null(provenance, "research_use_only"))) + "</p>\n";
  return section;
}

}  // namespace

std::string figure_html(const std::string& png, const std::string& alt,
                        const std::string& caption) {
  return "<figure><img alt=\"" + escape_html(alt) + "\" src=\"data:image/png;base64," +
         base64_encode(png) + "\"><figcaption>" + escape_html(caption) + "</figcaption></figure>\n";
}

const std::vector<SectionSpec>& report_sections() {
  static const std::vector<SectionSpec> kSections = {
      {"study", "", header_section},
      {"disclaimer", "", disclaimer_section},
      {"suv-audit", "", suv_audit_section},
      {"figures", "", figures_section},
      {"lesions", "", lesions_section},
      {"reference-regions", "reference_regions.json", reference_regions_section},
      {"provenance", "", provenance_section},
  };
  return kSections;
}

}  // namespace oncotrace::report_internal
