// build_report_html / write_report (include/oncotrace/report.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "report/report_internal.h"

namespace oncotrace {
namespace report_internal {

std::vector<FigurePanel> projection_panels(const StudyImages& images, bool fused) {
  std::vector<FigurePanel> panels;
  for (const ProjectionView view : {ProjectionView::kCoronal, ProjectionView::kSagittal}) {
    FigurePanel panel;
    panel.pet = maximum_intensity_projection(images.image, view);
    if (fused && images.ct) {
      panel.ct = ct_attenuation_projection(*images.ct, images.image.geometry, view);
    }
    if (images.labels) panel.outlines = project_labels(*images.labels, view);
    const std::string kind = view == ProjectionView::kCoronal ? "Coronal" : "Sagittal";
    panel.title = kind + (fused ? " PET/CT" : " MIP");
    panels.push_back(std::move(panel));
  }
  return panels;
}

FigureStyle report_figure_style(const ReportContext& context, const Projection& coronal_mip) {
  FigureStyle style;
  style.colormap = context.options.colormap;
  const nlohmann::json& units =
      context.lesions.contains("units") ? context.lesions["units"] : nlohmann::json(nullptr);
  const std::string ucum =
      units.is_object() && units.contains("uptake") && units["uptake"].is_string()
          ? units["uptake"].get<std::string>()
          : std::string();
  style.unit_label = uptake_unit_label(ucum);
  if (context.options.window_max) {
    style.window_max = *context.options.window_max;
  } else if (ucum.find("{SUV") != std::string::npos) {
    style.window_max = 10.0;
  } else {
    // Activity images: the 99.5th percentile of the positive MIP pixels.
    std::vector<float> positive;
    for (const float value : coronal_mip.values) {
      if (value > 0.0F) positive.push_back(value);
    }
    if (!positive.empty()) {
      const auto rank = static_cast<size_t>(0.995 * static_cast<double>(positive.size() - 1));
      std::nth_element(positive.begin(), positive.begin() + static_cast<ptrdiff_t>(rank),
                       positive.end());
      style.window_max = positive[rank];
    }
    if (!(style.window_max > 0.0)) style.window_max = 1.0;
  }
  return style;
}

}  // namespace report_internal

std::string build_report_html(const std::filesystem::path& results_dir,
                              const ReportOptions& options) {
  using report_internal::ReportContext;
  const std::filesystem::path lesions_file = results_dir / "lesions.json";
  if (!std::filesystem::exists(lesions_file)) {
    if (std::filesystem::exists(results_dir / "response.json")) {
      return report_internal::build_response_report_html(results_dir, options);
    }
    if (std::filesystem::exists(results_dir / "patient.json")) {
      return report_internal::build_patient_report_html(results_dir, options);
    }
    throw InvalidInputError(results_dir.string() +
                            ": no lesions.json, response.json or patient.json; RESULTS_DIR must "
                            "be the output folder of oncotrace analyze, response or patient");
  }
  if (options.window_max && !(*options.window_max > 0.0)) {
    throw InvalidInputError("--suv-window " + std::to_string(*options.window_max) +
                            ": the window maximum must be positive");
  }
  ReportContext context;
  context.results_dir = results_dir;
  context.options = options;
  context.lesions = report_internal::read_json_file(lesions_file);
  context.images = report_internal::load_study_images(results_dir, context.lesions, options);
  std::vector<report_internal::Section> sections;
  for (const report_internal::SectionSpec& spec : report_internal::report_sections()) {
    std::filesystem::path input;
    if (!spec.input_file.empty()) {
      input = results_dir / spec.input_file;
      if (!std::filesystem::exists(input)) continue;
    }
    if (auto section = spec.build(context, input)) sections.push_back(std::move(*section));
  }
  return report_internal::html_document("oncotrace report", sections);
}

void write_report(const std::filesystem::path& results_dir, const std::filesystem::path& html_path,
                  const ReportOptions& options) {
  const std::string html = build_report_html(results_dir, options);
  write_file_atomically(html_path, html);
  spdlog::debug("report: wrote {} ({} bytes)", html_path.string(), html.size());
}

}  // namespace oncotrace
