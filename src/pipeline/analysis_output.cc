// Re-loading the study of an `oncotrace analyze` output folder (analysis_output.h).
#include "pipeline/analysis_output.h"

#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/suv.h"

namespace oncotrace::pipeline_internal {
namespace {

const nlohmann::json& member(const nlohmann::json& object, const std::string& key,
                             const std::filesystem::path& file) {
  if (!object.is_object() || !object.contains(key)) {
    throw InvalidInputError(file.string() + ": no \"" + key +
                            "\" (not an oncotrace analyze lesions.json; run oncotrace analyze "
                            "again)");
  }
  return object.at(key);
}

// The per-plane factors of the audit's suv_factor.
std::vector<double> audit_factors(const nlohmann::json& audit, int64_t planes,
                                  const std::filesystem::path& file) {
  const nlohmann::json& factor = member(audit, "suv_factor", file);
  std::vector<double> factors;
  if (factor.value("per_slice", false)) {
    for (const auto& value : member(factor, "values", file)) factors.push_back(value.get<double>());
  } else {
    factors.assign(static_cast<size_t>(planes), member(factor, "value", file).get<double>());
  }
  if (static_cast<int64_t>(factors.size()) != planes) {
    throw InvalidInputError(file.string() + ": the SUV audit has " +
                            std::to_string(factors.size()) + " plane factors but the study has " +
                            std::to_string(planes) +
                            " planes; the study changed since the analysis (run analyze again)");
  }
  return factors;
}

}  // namespace

bool is_analysis_output(const std::filesystem::path& folder) {
  std::error_code ignored;
  return std::filesystem::is_directory(folder, ignored) &&
         std::filesystem::is_regular_file(folder / "lesions.json", ignored);
}

AnalysisOutputImages load_analysis_output_images(
    const std::filesystem::path& results_dir, const nlohmann::json& lesions,
    const std::optional<std::filesystem::path>& study_override, const std::string& study_option) {
  const std::filesystem::path lesions_file = results_dir / "lesions.json";
  const nlohmann::json& provenance = member(lesions, "provenance", lesions_file);
  const nlohmann::json& inputs = member(provenance, "inputs", lesions_file);
  AnalysisOutputImages images;
  images.study_path =
      study_override
          ? *study_override
          : std::filesystem::path(member(inputs, "study", lesions_file).get<std::string>());
  if (!std::filesystem::exists(images.study_path)) {
    throw InvalidInputError(
        lesions_file.string() + " names the study " + images.study_path.string() +
        ", which does not exist here; the analysed images are re-loaded from it, so " +
        (study_option.empty()
             ? std::string("restore the study at that path or run oncotrace analyze again")
             : "give the study's current location with " + study_option));
  }
  const nlohmann::json& study = member(lesions, "study", lesions_file);
  const std::string series_uid =
      member(study, "series_instance_uid", lesions_file).get<std::string>();
  const nlohmann::json& ct_uid = member(study, "ct_series_instance_uid", lesions_file);

  if (is_nifti_path(images.study_path)) {
    images.pet = read_nifti_series(images.study_path);
    if (!ct_uid.is_null()) images.notes.emplace_back("CT not loaded: NIfTI study");
  } else {
    const DiscoveryResult discovery = discover_dicom(images.study_path);
    images.pet = load_series(select_series(discovery, series_uid, images.study_path.string()));
    if (ct_uid.is_string()) {
      const std::string wanted = ct_uid.get<std::string>();
      for (const DiscoveredSeries& series : discovery.series) {
        if (series.header.series_instance_uid != wanted) continue;
        try {
          images.ct = load_series(series);
        } catch (const Error& error) {
          images.notes.push_back(std::string("CT not loaded: ") + error.what());
        }
      }
      if (!images.ct && images.notes.empty()) {
        images.notes.push_back("CT not loaded: series " + wanted + " not found below " +
                               images.study_path.string());
      }
    }
  }
  if (!images.pet.header.series_instance_uid.empty() &&
      images.pet.header.series_instance_uid != series_uid) {
    throw InvalidInputError(images.study_path.string() + " holds series " +
                            images.pet.header.series_instance_uid + ", but " +
                            lesions_file.string() + " analysed " + series_uid +
                            (study_option.empty() ? std::string("; run oncotrace analyze again")
                                                  : "; give the right study with " + study_option));
  }
  if (images.pet.frames.empty()) {
    throw InvalidInputError(images.study_path.string() + ": the series has no image");
  }
  Frame frame = std::move(images.pet.frames.front());
  images.pet.frames.clear();
  SuvPlan plan;
  plan.factor_per_slice = audit_factors(member(provenance, "suv_audit", lesions_file),
                                        frame.image.geometry.size[2], lesions_file);
  images.image = apply_suv(std::move(frame), plan);

  const std::filesystem::path labels_file = results_dir / "labels.nii.gz";
  if (std::filesystem::exists(labels_file)) {
    LabelMap labels = read_nifti_labels(labels_file);
    if (labels.geometry.same_grid_as(images.image.geometry, 1e-2)) {
      // The NIfTI header stores the affine in single precision: the PET grid is the exact one.
      labels.geometry = images.image.geometry;
      images.labels = std::move(labels);
    } else {
      images.notes.push_back("lesion labels not used: " + labels_file.string() + " (" +
                             labels.geometry.describe() + ") is not on the PET grid (" +
                             images.image.geometry.describe() + ")");
    }
  } else {
    images.notes.push_back("lesion labels not used: no labels.nii.gz in " + results_dir.string());
  }
  return images;
}

}  // namespace oncotrace::pipeline_internal
