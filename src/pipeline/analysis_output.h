// An `oncotrace analyze` output folder (a folder holding lesions.json) used as an input: the
// report draws its images, `oncotrace patient` and `oncotrace response` reuse its measurements.
//
// `analyze` does not copy the image into its output folder; lesions.json records the input path,
// the series and the SUV audit, whose suv_factor (SUV = U * factor, per plane when the factors
// differ) reproduces the analysed image exactly from the stored values U.
#ifndef ONCOTRACE_SRC_PIPELINE_ANALYSIS_OUTPUT_H_
#define ONCOTRACE_SRC_PIPELINE_ANALYSIS_OUTPUT_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/series.h"
#include "oncotrace/volume.h"

namespace oncotrace::pipeline_internal {

// True for a folder holding a lesions.json file (an `oncotrace analyze` output folder).
bool is_analysis_output(const std::filesystem::path& folder);

// The images of an analysis, re-loaded from the analysed study.
struct AnalysisOutputImages {
  std::filesystem::path study_path;  // where the study was loaded from
  ImageSeries pet;                   // header and files; its frames were converted into `image`
  ImageVolume image;                 // the primary image (SUV), as analysed
  // The CT series of the analysis (lesions.json ct_series_instance_uid), when found and
  // loadable; else a note says why it is absent.
  std::optional<ImageSeries> ct;
  // labels.nii.gz of the folder on the PET grid (given the PET image's geometry, so that it is
  // bit-identical to the analysis's label map); absent (with a note) when missing or on another
  // grid.
  std::optional<LabelMap> labels;
  std::vector<std::string> notes;
};

// Loads the study named by lesions.json's provenance (or `study_override`) and converts it with
// the SUV factors of the recorded audit. Throws InvalidInputError naming the file and the remedy
// (`study_option` names the option that gives another study location, e.g. "--study PATH").
AnalysisOutputImages load_analysis_output_images(
    const std::filesystem::path& results_dir, const nlohmann::json& lesions,
    const std::optional<std::filesystem::path>& study_override, const std::string& study_option);

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_ANALYSIS_OUTPUT_H_
