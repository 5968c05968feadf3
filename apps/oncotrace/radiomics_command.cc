// `oncotrace radiomics IMAGE --mask MASK -o OUT.csv|OUT.json`: IBSI-1 features of every ROI, or
// the IBSI-2 intensity statistics of a filter response map when the settings have a filter.
//
// The image is a DICOM series or a NIfTI (+ sidecar); PET and quantitative SPECT are converted
// to SUV (or Bq/mL with --normalization none) with the audited SUV rules, every other modality
// (CT: HU) is used as stored. The mask is a NIfTI label map on the image grid (one ROI per
// non-zero label, or the --label values) or an RTSTRUCT rasterised on the image grid with the
// centre-in-polygon rule (one ROI per structure, or the --roi names). Features follow the
// chosen configuration (presets ibsi1-config-a ... -e, ibsi2-phase2-1a ... -9b, or a JSON
// settings file, with or without a "filter" section) and are
// named by their IBSI reference tags (e.g. "morph_volume", "cm_joint_max_3D_comb").
//
// Output: a wide CSV (one row per ROI; the settings and the provenance as "# " comment lines
// before the header) or a JSON document (provenance, settings, IBSI codes and per ROI the
// features and the IBSI diagnostic values). Either is written atomically, and nothing is
// written unless every ROI succeeded.
#include <spdlog/spdlog.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/rtstruct.h"
#include "oncotrace/suv.h"

namespace oncotrace::cli {

namespace {

struct RoiMask {
  std::string name;  // ROI name (RTSTRUCT) or "label_N" (label map)
  int label = 0;     // label value or ROI Number
  Mask mask;
};

bool has_extension(const std::filesystem::path& path, const std::string& extension) {
  std::string name = path.filename().string();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name.size() >= extension.size() &&
         name.compare(name.size() - extension.size(), extension.size(), extension) == 0;
}

// Short preset names: "A" ... "E" (either case) stand for "ibsi1-config-a" ... "-e".
std::string expand_config_name(const std::string& config) {
  if (config.size() == 1) {
    const char letter = static_cast<char>(std::tolower(static_cast<unsigned char>(config[0])));
    if (letter >= 'a' && letter <= 'e') return std::string("ibsi1-config-") + letter;
  }
  return config;
}

radiomics::RadiomicsSettings load_settings(const std::string& config) {
  const std::string name = expand_config_name(config);
  if (!has_extension(name, ".json")) {
    for (const std::string& preset : radiomics::radiomics_preset_names()) {
      if (preset == name) return radiomics::radiomics_preset(name);
    }
    std::string list;
    for (const std::string& preset : radiomics::radiomics_preset_names()) list += ", " + preset;
    throw InvalidInputError("--config '" + config + "' is not a preset (A, B, C, D, E" + list +
                            ") nor a settings file ending in .json");
  }
  if (!std::filesystem::is_regular_file(name)) {
    throw InvalidInputError("--config " + name + ": no such settings file");
  }
  return radiomics::load_radiomics_settings(name);
}

// The RTSTRUCT file named by MASK: the file itself, or the only file in a folder.
std::filesystem::path rtstruct_file(const std::filesystem::path& mask_path) {
  if (!std::filesystem::is_directory(mask_path)) return mask_path;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(mask_path)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (files.size() != 1) {
    throw InvalidInputError("--mask " + mask_path.string() + ": the folder holds " +
                            std::to_string(files.size()) + " files; name the RTSTRUCT file itself");
  }
  return files.front();
}

std::vector<RoiMask> masks_from_label_map(const std::filesystem::path& mask_path,
                                          const Geometry& image_grid,
                                          const std::vector<int>& wanted_labels) {
  const LabelMap labels = read_nifti_labels(mask_path);
  if (!labels.geometry.same_grid_as(image_grid)) {
    throw InvalidInputError("--mask " + mask_path.string() +
                            ": the label map grid differs from the image grid and radiomics does "
                            "not resample masks; image " +
                            image_grid.describe() + ", mask " + labels.geometry.describe());
  }
  std::set<int> present;
  for (const uint16_t value : labels.values) {
    if (value != 0) present.insert(value);
  }
  std::vector<int> chosen = wanted_labels;
  if (chosen.empty()) chosen.assign(present.begin(), present.end());
  if (chosen.empty()) {
    throw InvalidInputError("--mask " + mask_path.string() +
                            ": the label map is empty (no "
                            "non-zero voxel)");
  }
  std::vector<RoiMask> rois;
  for (const int label : chosen) {
    if (label <= 0 || label > 65535) {
      throw InvalidInputError("--label " + std::to_string(label) + " must lie in 1..65535");
    }
    if (present.count(label) == 0) {
      throw InvalidInputError("--label " + std::to_string(label) +
                              ": the ROI is empty, no voxel "
                              "of " +
                              mask_path.string() + " has this label");
    }
    RoiMask roi{"label_" + std::to_string(label), label, Mask(labels.geometry, 0)};
    for (size_t index = 0; index < labels.values.size(); ++index) {
      roi.mask.values[index] = labels.values[index] == label ? 1 : 0;
    }
    rois.push_back(std::move(roi));
  }
  return rois;
}

std::vector<RoiMask> masks_from_rtstruct(const std::filesystem::path& mask_path,
                                         const ImageSeries& series,
                                         const std::vector<std::string>& wanted_names) {
  const StructureSet structure_set = read_rtstruct(rtstruct_file(mask_path));
  std::vector<std::string> names = wanted_names;
  if (names.empty()) {
    for (const StructureSetRoi& roi : structure_set.rois) names.push_back(roi.name);
  }
  if (names.empty()) {
    throw InvalidInputError("--mask " + mask_path.string() + ": the structure set has no ROI");
  }
  RasterisationOptions options;
  options.image_frame_of_reference_uid = series.header.frame_of_reference_uid;
  for (const SliceRecord& slice : series.frames.front().slices) {
    options.plane_positions_mm.push_back(slice.position_mm);
  }
  const Geometry& grid = series.frames.front().image.geometry;
  std::vector<RoiMask> rois;
  for (const std::string& name : names) {
    RoiMask roi{name, static_cast<int>(structure_set.roi(name).number),
                rasterise_roi(structure_set, name, grid, options)};
    rois.push_back(std::move(roi));
  }
  return rois;
}

nlohmann::ordered_json value_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json();
}

struct RadiomicsFlags {
  std::string image;
  std::string mask;
  std::string output;
  std::vector<std::string> roi_names;
  std::vector<int> labels;
  std::string config;
  std::string series_uid;
  std::vector<std::string> feature_map;
  int kernel_radius = 1;
  std::string kernel = "sphere";
  SuvFlags suv;
};

// `--feature-map`: the maps of one ROI, OUT_<tag>.nii.gz per tag and OUT.json (provenance,
// settings, kernel, files), all computed before any file is written.
int write_feature_maps(const RadiomicsFlags& flags, const std::vector<std::string>& arguments,
                       const radiomics::RadiomicsSettings& settings, const ImageSeries& series,
                       const ImageVolume& image, const std::string& intensity_unit,
                       const std::vector<RoiMask>& rois, const nlohmann::ordered_json& suv_audit,
                       bool quantitative_emission) {
  if (rois.size() != 1) {
    throw InvalidInputError("--feature-map needs exactly one ROI, the mask has " +
                            std::to_string(rois.size()) + "; choose one with --label or --roi");
  }
  radiomics::FeatureMapSettings map;
  map.features = flags.feature_map;
  map.kernel_radius_voxels = flags.kernel_radius;
  map.kernel =
      flags.kernel == "cube" ? radiomics::KernelShape::kCube : radiomics::KernelShape::kSphere;
  std::vector<ImageVolume> volumes;
  try {
    volumes = radiomics::compute_feature_maps(image, rois.front().mask, settings, map);
  } catch (const InvalidInputError& error) {
    throw InvalidInputError("ROI '" + rois.front().name + "': " + error.what());
  }
  // OUT.nii.gz -> OUT_<tag>.nii.gz and OUT.json.
  const std::filesystem::path output(flags.output);
  std::string stem = output.filename().string();
  const std::string extension = has_extension(output, ".nii.gz") ? ".nii.gz" : ".nii";
  stem.resize(stem.size() - extension.size());
  const std::filesystem::path folder = output.parent_path();
  nlohmann::ordered_json inputs;
  inputs["image"] = describe_input(flags.image, series);
  inputs["image"]["modality"] = series.header.modality;
  inputs["image"]["intensity_unit"] = intensity_unit;
  inputs["mask"]["path"] = flags.mask;
  inputs["mask"]["roi"] = rois.front().name;
  nlohmann::ordered_json settings_json;
  settings_json["config"] = flags.config;
  settings_json["radiomics"] =
      nlohmann::ordered_json::parse(radiomics::radiomics_settings_to_json(settings));
  settings_json["feature_map"] = {{"features", map.features},
                                  {"kernel_radius_voxels", map.kernel_radius_voxels},
                                  {"kernel", flags.kernel}};
  if (quantitative_emission) settings_json["suv"] = suv_flags_json(flags.suv);
  nlohmann::ordered_json provenance =
      make_provenance("radiomics", arguments, inputs, settings_json);
  if (quantitative_emission) provenance["suv_audit"] = suv_audit;
  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  for (size_t f = 0; f < volumes.size(); ++f) {
    files[map.features[f]] = stem + "_" + map.features[f] + extension;
  }
  nlohmann::ordered_json document;
  document["description"] =
      "oncotrace radiomics voxel-wise feature maps: each ROI voxel holds the feature of its "
      "kernel neighbourhood (kernel within the ROI) as an ROI; NaN outside the ROI and where "
      "undefined; maps cover the ROI's bounding box (docs/radiomics.md)";
  document["files"] = files;
  document["provenance"] = provenance;
  // Every map under a temporary name first, renamed together with the sidecar: a failure leaves
  // no map without its provenance.
  std::vector<std::unique_ptr<AtomicOutput>> map_outputs;
  for (size_t f = 0; f < volumes.size(); ++f) {
    map_outputs.push_back(
        std::make_unique<AtomicOutput>(folder / (stem + "_" + map.features[f] + extension)));
    write_nifti(map_outputs.back()->temporary_path(), volumes[f]);
  }
  const std::filesystem::path sidecar = folder / (stem + ".json");
  write_file_atomically(sidecar, document.dump(2) + "\n");
  for (const auto& map_output : map_outputs) {
    map_output->commit();
    std::printf("wrote %s\n", map_output->destination().string().c_str());
  }
  std::printf("wrote %s (%zu feature map%s of ROI '%s', kernel %s radius %d, settings %s)\n",
              sidecar.string().c_str(), volumes.size(), volumes.size() == 1 ? "" : "s",
              rois.front().name.c_str(), flags.kernel.c_str(), map.kernel_radius_voxels,
              settings.name.c_str());
  return 0;
}

}  // namespace

CommandRunner register_radiomics_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "radiomics",
      "IBSI-1 radiomics features of every ROI of a mask (NIfTI label map or RTSTRUCT) on a PET "
      "(SUV), SPECT or CT image; writes a wide CSV or a JSON with settings and provenance");
  auto flags = std::make_shared<RadiomicsFlags>();
  command->add_option("IMAGE", flags->image, "DICOM folder or file, or NIfTI with sidecar")
      ->required();
  command
      ->add_option("--mask", flags->mask,
                   "NIfTI label map on the image grid, or RTSTRUCT file (or a folder holding "
                   "only it)")
      ->required();
  command->add_option("-o,--output", flags->output, "Output .csv (wide) or .json")->required();
  command
      ->add_option("--roi", flags->roi_names, "RTSTRUCT ROI name (repeatable; default: every ROI)")
      ->allow_extra_args(false);
  command
      ->add_option("--label", flags->labels,
                   "Label value of a NIfTI label map (repeatable; default: every non-zero "
                   "label)")
      ->allow_extra_args(false);
  command
      ->add_option("--config", flags->config,
                   "IBSI-1 configuration: A, B, C, D, E (ibsi1-config-a ... -e), another preset "
                   "name (ibsi1-digital-phantom, IBSI-2 phase 2: ibsi2-phase2-1a ... -9b) or a "
                   "settings FILE.json (with an optional filter section)")
      ->required();
  command->add_option("--series", flags->series_uid,
                      "SeriesInstanceUID, when IMAGE holds several series");
  command
      ->add_option("--feature-map", flags->feature_map,
                   "Voxel-wise maps of these intensity-statistics or GLCM tags (comma-separated "
                   "or repeatable, e.g. stat_mean,cm_contrast_3D_comb) in a sliding kernel over "
                   "one ROI; -o OUT.nii.gz then names OUT_<tag>.nii.gz per tag and OUT.json")
      ->delimiter(',')
      ->allow_extra_args(false);
  command
      ->add_option("--kernel-radius", flags->kernel_radius,
                   "Feature maps: kernel radius R in voxels (1..10)")
      ->capture_default_str();
  command->add_option("--kernel", flags->kernel, "Feature maps: kernel shape, sphere or cube")
      ->check(CLI::IsMember({"sphere", "cube"}))
      ->capture_default_str();
  add_suv_flags(*command, flags->suv);
  return [flags, arguments]() {
    const std::filesystem::path output(flags->output);
    const bool maps = !flags->feature_map.empty();
    const bool json_output = has_extension(output, ".json");
    if (maps && !has_extension(output, ".nii.gz") && !has_extension(output, ".nii")) {
      throw InvalidInputError("-o " + flags->output +
                              ": with --feature-map the output must end in .nii.gz or .nii");
    }
    if (!maps && !json_output && !has_extension(output, ".csv")) {
      throw InvalidInputError("-o " + flags->output + ": the output must end in .csv or .json");
    }
    const bool mask_is_nifti = is_nifti_path(flags->mask);
    if (mask_is_nifti && !flags->roi_names.empty()) {
      throw InvalidInputError("--roi names an RTSTRUCT structure; use --label with a NIfTI mask");
    }
    if (!mask_is_nifti && !flags->labels.empty()) {
      throw InvalidInputError("--label selects a NIfTI label value; use --roi with an RTSTRUCT");
    }
    if (!std::filesystem::exists(flags->mask)) {
      throw InvalidInputError("--mask " + flags->mask + ": no such file or folder");
    }
    const radiomics::RadiomicsSettings settings = load_settings(flags->config);

    const ImageSeries series = read_input_series(flags->image, flags->series_uid);
    if (series.frames.empty()) {
      throw InvalidInputError(flags->image + ": the series has no image frames");
    }
    if (series.frames.size() > 1) {
      throw UnsupportedDataError(flags->image + ": " + std::to_string(series.frames.size()) +
                                 " frames (dynamic or gated); radiomics needs one static volume");
    }
    const std::string& modality = series.header.modality;
    const bool quantitative_emission = modality == "PT" || modality == "NM";
    ImageVolume image;
    std::string intensity_unit = "as stored";
    nlohmann::ordered_json suv_audit;
    if (quantitative_emission) {
      const SuvPlan plan =
          plan_suv(series.header, series.frames.front(), suv_options_from_flags(flags->suv));
      for (const std::string& warning : plan.audit.warnings) spdlog::warn("{}", warning);
      image = apply_suv(series.frames.front(), plan);
      intensity_unit = plan.unit_ucum;
      suv_audit = nlohmann::ordered_json::parse(plan.audit.json);
    } else {
      image = series.frames.front().image;
      if (modality == "CT") intensity_unit = "[hnsf'U]";
    }

    const std::vector<RoiMask> rois =
        mask_is_nifti ? masks_from_label_map(flags->mask, image.geometry, flags->labels)
                      : masks_from_rtstruct(flags->mask, series, flags->roi_names);
    if (maps) {
      return write_feature_maps(*flags, arguments, settings, series, image, intensity_unit, rois,
                                suv_audit, quantitative_emission);
    }
    std::vector<radiomics::FeatureSet> feature_sets;
    std::vector<std::string> roi_names;
    for (const RoiMask& roi : rois) {
      size_t voxel_count = 0;
      for (const uint8_t value : roi.mask.values) voxel_count += value != 0 ? 1 : 0;
      if (voxel_count == 0) {
        throw InvalidInputError("ROI '" + roi.name + "' of " + flags->mask +
                                " is empty on the image grid (no voxel centre inside)");
      }
      try {
        feature_sets.push_back(radiomics::compute_features(image, roi.mask, settings));
      } catch (const InvalidInputError& error) {
        throw InvalidInputError("ROI '" + roi.name + "': " + error.what());
      }
      roi_names.push_back(roi.name);
    }

    nlohmann::ordered_json inputs;
    inputs["image"] = describe_input(flags->image, series);
    inputs["image"]["modality"] = modality;
    inputs["image"]["intensity_unit"] = intensity_unit;
    inputs["mask"]["path"] = flags->mask;
    inputs["mask"]["kind"] = mask_is_nifti ? "nifti-label-map" : "rtstruct";
    nlohmann::ordered_json settings_json;
    settings_json["config"] = flags->config;
    settings_json["radiomics"] =
        nlohmann::ordered_json::parse(radiomics::radiomics_settings_to_json(settings));
    if (quantitative_emission) settings_json["suv"] = suv_flags_json(flags->suv);
    nlohmann::ordered_json provenance =
        make_provenance("radiomics", arguments, inputs, settings_json);
    if (quantitative_emission) provenance["suv_audit"] = suv_audit;

    std::string contents;
    if (json_output) {
      nlohmann::ordered_json root;
      root["provenance"] = provenance;
      nlohmann::ordered_json codes = nlohmann::ordered_json::object();
      nlohmann::ordered_json roi_array = nlohmann::ordered_json::array();
      for (size_t index = 0; index < rois.size(); ++index) {
        nlohmann::ordered_json item;
        item["roi"] = rois[index].name;
        item["label"] = rois[index].label;
        nlohmann::ordered_json features = nlohmann::ordered_json::object();
        for (const radiomics::Feature& feature : feature_sets[index].features) {
          features[feature.tag] = value_or_null(feature.value);
          codes[feature.tag] = feature.ibsi_code;
        }
        nlohmann::ordered_json diagnostics = nlohmann::ordered_json::object();
        for (const radiomics::Feature& feature : feature_sets[index].diagnostics) {
          diagnostics[feature.tag] = value_or_null(feature.value);
        }
        item["features"] = features;
        item["diagnostics"] = diagnostics;
        roi_array.push_back(item);
      }
      root["ibsi_codes"] = codes;
      root["rois"] = roi_array;
      contents = root.dump(2) + "\n";
    } else {
      // Comment lines first (read with e.g. pandas.read_csv(path, comment='#')), then the wide
      // table with the ROI name in the first column.
      contents = "# oncotrace radiomics: IBSI-1 features, one row per ROI\n";
      contents += "# settings: " + settings_json.dump() + "\n";
      contents += "# provenance: " + provenance.dump() + "\n";
      const std::string table = radiomics::features_to_csv_wide(feature_sets, roi_names);
      // The library's first column is "label"; here it holds the ROI name.
      contents += "roi" + table.substr(table.find(','));
    }
    write_file_atomically(output, contents);
    std::printf("wrote %s (%zu ROI%s, %zu features, settings %s)\n", output.string().c_str(),
                rois.size(), rois.size() == 1 ? "" : "s",
                feature_sets.empty() ? size_t{0} : feature_sets.front().features.size(),
                settings.name.c_str());
    return 0;
  };
}

}  // namespace oncotrace::cli
