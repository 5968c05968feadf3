// Re-loading the analysed study for the report's figures (src/report/report_internal.h) through
// the loader that `oncotrace patient` and `response` use for analyze output folders
// (src/pipeline/analysis_output.h).
#include <spdlog/spdlog.h>

#include "pipeline/analysis_output.h"
#include "report/report_internal.h"

namespace oncotrace::report_internal {

StudyImages load_study_images(const std::filesystem::path& results_dir,
                              const nlohmann::json& lesions, const ReportOptions& options) {
  pipeline_internal::AnalysisOutputImages loaded = pipeline_internal::load_analysis_output_images(
      results_dir, lesions, options.study, "--study PATH");
  StudyImages images;
  images.study_path = std::move(loaded.study_path);
  images.pet_header = std::move(loaded.pet.header);
  images.image = std::move(loaded.image);
  if (loaded.ct) {
    images.ct_header = std::move(loaded.ct->header);
    images.ct = std::move(loaded.ct->frames.front().image);
  }
  images.labels = std::move(loaded.labels);
  images.notes = std::move(loaded.notes);
  for (const std::string& note : images.notes) spdlog::warn("report: {}", note);
  return images;
}

}  // namespace oncotrace::report_internal
