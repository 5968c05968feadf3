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
// features and the IBSI diagnostic values, and the unit of every feature). Either is written
// atomically, and nothing is written unless every ROI succeeded. With --feature-map, voxel-wise
// maps of one ROI as NIfTI and/or DICOM Parametric Maps (--feature-map-format,
// oncotrace/feature_map_dicom.h).
#include <spdlog/spdlog.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/feature_map_dicom.h"
#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/rtstruct.h"
#include "oncotrace/suv.h"
#include "oncotrace/suv_coding.h"

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
  std::string feature_map_format = "nifti";
  double feature_map_padding = -static_cast<double>(std::numeric_limits<float>::max());
  std::vector<std::string> response_maps;
  SuvFlags suv;
};

// Refuses, before any computation, --response-map files the run cannot write: an unfiltered
// configuration, a file name that is neither NIfTI nor DICOM, DICOM from a NIfTI image.
void check_response_map_flags(const RadiomicsFlags& flags,
                              const radiomics::RadiomicsSettings& settings) {
  if (flags.response_maps.empty()) return;
  if (!flags.feature_map.empty()) {
    throw InvalidInputError(
        "--response-map and --feature-map: run them separately (feature maps take an "
        "unfiltered configuration)");
  }
  if (settings.filter.kind == radiomics::FilterKind::kNone) {
    throw InvalidInputError("--response-map: the settings \"" + settings.name + "\" of --config " +
                            flags.config +
                            " have no filter; choose a filtered configuration (e.g. "
                            "ibsi2-phase2-2a) or a settings file with a \"filter\" section");
  }
  for (const std::string& file : flags.response_maps) {
    if (!is_nifti_path(file) && !has_extension(file, ".dcm")) {
      throw InvalidInputError("--response-map " + file +
                              ": the file must end in .nii.gz, .nii (NIfTI) or .dcm (DICOM "
                              "Parametric Map)");
    }
    if (has_extension(file, ".dcm") && is_nifti_path(flags.image)) {
      throw InvalidInputError("--response-map " + file + ": IMAGE " + flags.image +
                              " is a NIfTI image, and a DICOM Parametric Map must reference the "
                              "DICOM instances of its source series; write the map as NIfTI");
    }
  }
}

// `--response-map FILE`: the IBSI-2 filter response map of the settings on the whole image
// (radiomics::filter_response_map): FILE.nii(.gz) as NIfTI with its FILE.json sidecar
// (provenance), FILE.dcm as a DICOM Parametric Map (oncotrace/feature_map_dicom.h). Every file
// is written under a temporary name and renamed only when all were written. The flags were
// checked by check_response_map_flags().
void write_response_maps(const RadiomicsFlags& flags, const std::vector<std::string>& arguments,
                         const radiomics::RadiomicsSettings& settings, const ImageSeries& series,
                         const ImageVolume& image, const IntensityUnitCode& intensity_unit,
                         const nlohmann::ordered_json& suv_audit, bool quantitative_emission) {
  const ImageVolume response = radiomics::filter_response_map(image, settings);
  nlohmann::ordered_json inputs;
  inputs["image"] = describe_input(flags.image, series);
  inputs["image"]["modality"] = series.header.modality;
  inputs["image"]["intensity_unit"] =
      intensity_unit.ucum.empty() ? std::string("as stored") : intensity_unit.ucum;
  nlohmann::ordered_json settings_json;
  settings_json["config"] = flags.config;
  settings_json["radiomics"] =
      nlohmann::ordered_json::parse(radiomics::radiomics_settings_to_json(settings));
  if (quantitative_emission) settings_json["suv"] = suv_flags_json(flags.suv);
  nlohmann::ordered_json provenance =
      make_provenance("radiomics", arguments, inputs, settings_json);
  if (quantitative_emission) provenance["suv_audit"] = suv_audit;

  std::vector<std::unique_ptr<AtomicOutput>> outputs;
  for (const std::string& file : flags.response_maps) {
    if (is_nifti_path(file)) {
      outputs.push_back(std::make_unique<AtomicOutput>(file));
      write_nifti(outputs.back()->temporary_path(), response);
      nlohmann::ordered_json sidecar;
      sidecar["description"] =
          std::string("oncotrace radiomics: IBSI-2 ") +
          radiomics::filter_kind_name(settings.filter.kind) +
          " filter response map of the whole image on the processing grid (docs/radiomics.md)";
      sidecar["unit"] = inputs["image"]["intensity_unit"];
      sidecar["provenance"] = provenance;
      outputs.push_back(std::make_unique<AtomicOutput>(sidecar_path_for(file)));
      write_file_atomically(outputs.back()->temporary_path(), sidecar.dump(2) + "\n");
    } else {
      outputs.push_back(std::make_unique<AtomicOutput>(file));
      write_response_map_dicom(response, settings, series_reference(series), intensity_unit,
                               outputs.back()->temporary_path(),
                               series.header.modality.empty() ? "OT" : series.header.modality);
    }
  }
  for (const auto& output : outputs) {
    output->commit();
    std::printf("wrote %s\n", output->destination().string().c_str());
  }
}

// OUT_<tag><extension>, the file of one feature map.
std::string map_file_name(const std::string& stem, const std::string& tag,
                          const std::string& extension) {
  return stem + "_" + tag + extension;
}

// `--feature-map`: the maps of one ROI, OUT_<tag>.nii.gz (--feature-map-format nifti, both) and
// OUT_<tag>.pm.dcm (dicom, both) per tag and OUT.json (provenance, settings, kernel, files), all
// computed and written under temporary names before any is renamed.
int write_feature_maps(const RadiomicsFlags& flags, const std::vector<std::string>& arguments,
                       const radiomics::RadiomicsSettings& settings, const ImageSeries& series,
                       const ImageVolume& image, const IntensityUnitCode& intensity_unit,
                       const std::vector<RoiMask>& rois, const nlohmann::ordered_json& suv_audit,
                       bool quantitative_emission) {
  if (rois.size() != 1) {
    throw InvalidInputError("--feature-map needs exactly one ROI, the mask has " +
                            std::to_string(rois.size()) + "; choose one with --label or --roi");
  }
  const bool write_nifti_maps = flags.feature_map_format != "dicom";
  const bool write_dicom_maps = flags.feature_map_format != "nifti";
  radiomics::FeatureMapSettings map;
  map.features = flags.feature_map;
  map.kernel_radius_voxels = flags.kernel_radius;
  map.kernel =
      flags.kernel == "cube" ? radiomics::KernelShape::kCube : radiomics::KernelShape::kSphere;
  std::optional<SeriesReference> source;
  if (write_dicom_maps) {
    // Checked before the (longer) computation: a tag without a unit, a source without UIDs.
    for (const std::string& tag : map.features) {
      if (radiomics::feature_ibsi_code(tag).empty()) break;  // compute_feature_maps names it
      try {
        feature_map_quantity(tag, intensity_unit, settings.ivh.intensity_type);
      } catch (const InvalidInputError& error) {
        throw InvalidInputError("--feature-map-format " + flags.feature_map_format + ": " +
                                error.what() + "; use --feature-map-format nifti");
      }
    }
    source = series_reference(series);
  }
  std::vector<ImageVolume> volumes;
  try {
    volumes = radiomics::compute_feature_maps(image, rois.front().mask, settings, map);
  } catch (const InvalidInputError& error) {
    throw InvalidInputError("ROI '" + rois.front().name + "': " + error.what());
  }
  // OUT.nii.gz (or OUT.nii, OUT.pm.dcm, OUT.dcm) -> OUT_<tag>.nii.gz / OUT_<tag>.pm.dcm, OUT.json.
  const std::filesystem::path output(flags.output);
  std::string stem = output.filename().string();
  std::string extension = ".nii";
  for (const char* known : {".nii.gz", ".nii", ".pm.dcm", ".dcm"}) {
    if (has_extension(output, known)) {
      extension = known;
      break;
    }
  }
  stem.resize(stem.size() - extension.size());
  if (extension == ".pm.dcm" || extension == ".dcm") extension = ".nii.gz";
  const std::filesystem::path folder = output.parent_path();
  const float padding = static_cast<float>(flags.feature_map_padding);
  nlohmann::ordered_json inputs;
  inputs["image"] = describe_input(flags.image, series);
  inputs["image"]["modality"] = series.header.modality;
  inputs["image"]["intensity_unit"] =
      intensity_unit.ucum.empty() ? std::string("as stored") : intensity_unit.ucum;
  inputs["mask"]["path"] = flags.mask;
  inputs["mask"]["roi"] = rois.front().name;
  nlohmann::ordered_json settings_json;
  settings_json["config"] = flags.config;
  settings_json["radiomics"] =
      nlohmann::ordered_json::parse(radiomics::radiomics_settings_to_json(settings));
  settings_json["feature_map"] = {{"features", map.features},
                                  {"kernel_radius_voxels", map.kernel_radius_voxels},
                                  {"kernel", flags.kernel},
                                  {"format", flags.feature_map_format}};
  if (write_dicom_maps) settings_json["feature_map"]["dicom_padding_value"] = padding;
  if (quantitative_emission) settings_json["suv"] = suv_flags_json(flags.suv);
  nlohmann::ordered_json provenance =
      make_provenance("radiomics", arguments, inputs, settings_json);
  if (quantitative_emission) provenance["suv_audit"] = suv_audit;

  // Every map under a temporary name first, renamed together with the sidecar: a failure leaves
  // no map without its provenance.
  std::vector<std::unique_ptr<AtomicOutput>> map_outputs;
  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  nlohmann::ordered_json dicom_files = nlohmann::ordered_json::object();
  for (size_t f = 0; f < volumes.size(); ++f) {
    const std::string& tag = map.features[f];
    if (write_nifti_maps) {
      const std::string name = map_file_name(stem, tag, extension);
      map_outputs.push_back(std::make_unique<AtomicOutput>(folder / name));
      write_nifti(map_outputs.back()->temporary_path(), volumes[f]);
      files[tag] = name;
    }
    if (write_dicom_maps) {
      const std::string name = map_file_name(stem, tag, ".pm.dcm");
      FeatureMapDicomOptions options;
      options.series_number = kFeatureMapFirstSeriesNumber + static_cast<int>(f);
      options.modality = series.header.modality.empty() ? "OT" : series.header.modality;
      options.content_description = tag + ", " + flags.kernel + " kernel R " +
                                    std::to_string(map.kernel_radius_voxels) + ", " + settings.name;
      options.padding_value = padding;
      map_outputs.push_back(std::make_unique<AtomicOutput>(folder / name));
      WrittenParametricMap written;
      try {
        written = write_feature_map_dicom(volumes[f], tag, *source, intensity_unit, settings,
                                          map_outputs.back()->temporary_path(), options);
      } catch (const InvalidInputError& error) {
        throw InvalidInputError(std::string(error.what()) +
                                " (--feature-map-padding chooses the padding value)");
      }
      dicom_files[tag] = {
          {"file", name},
          {"series_number", options.series_number},
          {"series_instance_uid", written.series_instance_uid},
          {"sop_instance_uid", written.sop_instance_uid},
          {"unit", radiomics::feature_unit(tag, intensity_unit.ucum, settings.ivh.intensity_type)},
          {"frames", written.frame_count}};
    }
  }
  nlohmann::ordered_json document;
  document["description"] =
      "oncotrace radiomics voxel-wise feature maps: each ROI voxel holds the feature of its "
      "kernel neighbourhood (kernel within the ROI) as an ROI; NaN outside the ROI and where "
      "undefined (DICOM: the padding value); NIfTI maps cover the ROI's bounding box, DICOM "
      "Parametric Maps the source planes it spans (docs/radiomics.md)";
  document["files"] = files;
  if (write_dicom_maps) document["dicom_files"] = dicom_files;
  document["provenance"] = provenance;
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
  command
      ->add_option("--feature-map-format", flags->feature_map_format,
                   "Feature maps: nifti (OUT_<tag>.nii.gz), dicom (OUT_<tag>.pm.dcm, a DICOM "
                   "Parametric Map referencing the DICOM source series, series 910, 911, ...) "
                   "or both")
      ->check(CLI::IsMember({"nifti", "dicom", "both"}))
      ->capture_default_str();
  command
      ->add_option("--feature-map-padding", flags->feature_map_padding,
                   "Feature maps as DICOM: the value written where a map has none (outside the "
                   "ROI, undefined), declared as Float Pixel Padding Value; default: the lowest "
                   "Float32, -3.4028235e38")
      ->capture_default_str();
  command
      ->add_option("--response-map", flags->response_maps,
                   "With a filtered configuration (IBSI-2): also write the filter response map "
                   "of the whole image (interpolated as the settings say, then filtered) to "
                   "FILE.nii.gz/.nii (NIfTI + FILE.json provenance) or FILE.dcm (DICOM "
                   "Parametric Map on the source grid, series 909; settings without "
                   "interpolation); repeatable")
      ->allow_extra_args(false);
  add_suv_flags(*command, flags->suv);
  return [flags, arguments]() {
    const std::filesystem::path output(flags->output);
    const bool maps = !flags->feature_map.empty();
    const bool json_output = has_extension(output, ".json");
    const bool nifti_output = has_extension(output, ".nii.gz") || has_extension(output, ".nii");
    const bool dicom_output = has_extension(output, ".dcm");
    if (maps && flags->feature_map_format != "dicom" && !nifti_output) {
      throw InvalidInputError("-o " + flags->output + ": with --feature-map and " +
                              "--feature-map-format " + flags->feature_map_format +
                              " the output must end in .nii.gz or .nii");
    }
    if (maps && flags->feature_map_format == "dicom" && !nifti_output && !dicom_output) {
      throw InvalidInputError("-o " + flags->output +
                              ": with --feature-map the output must end in .nii.gz, .nii or "
                              ".dcm (OUT.pm.dcm names OUT_<tag>.pm.dcm)");
    }
    if (!maps && flags->feature_map_format != "nifti") {
      throw InvalidInputError("--feature-map-format " + flags->feature_map_format +
                              " applies to voxel-wise feature maps; give --feature-map TAGS");
    }
    if (maps && flags->feature_map_format != "nifti" && is_nifti_path(flags->image)) {
      throw InvalidInputError(
          "--feature-map-format " + flags->feature_map_format + ": IMAGE " + flags->image +
          " is a NIfTI image, and a DICOM Parametric Map must reference the DICOM instances of "
          "its source series; give the DICOM series as IMAGE or use --feature-map-format nifti");
    }
    if (maps && flags->feature_map_format != "nifti" &&
        !std::isfinite(static_cast<float>(flags->feature_map_padding))) {
      throw InvalidInputError("--feature-map-padding " +
                              std::to_string(flags->feature_map_padding) +
                              " is not a finite Float32 value");
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
    check_response_map_flags(*flags, settings);

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
    IntensityUnitCode unit;  // unknown unless PET/SPECT (SUV, Bq/ml) or CT (HU)
    nlohmann::ordered_json suv_audit;
    if (quantitative_emission) {
      const SuvPlan plan =
          plan_suv(series.header, series.frames.front(), suv_options_from_flags(flags->suv));
      for (const std::string& warning : plan.audit.warnings) spdlog::warn("{}", warning);
      image = apply_suv(series.frames.front(), plan);
      intensity_unit = plan.unit_ucum;
      unit = {plan.unit_ucum, suv_quantity_coding(plan.normalization).unit_meaning};
      suv_audit = nlohmann::ordered_json::parse(plan.audit.json);
    } else {
      image = series.frames.front().image;
      if (modality == "CT") {
        intensity_unit = "[hnsf'U]";
        unit = {intensity_unit, "Hounsfield unit"};
      }
    }

    const std::vector<RoiMask> rois =
        mask_is_nifti ? masks_from_label_map(flags->mask, image.geometry, flags->labels)
                      : masks_from_rtstruct(flags->mask, series, flags->roi_names);
    if (maps) {
      return write_feature_maps(*flags, arguments, settings, series, image, unit, rois, suv_audit,
                                quantitative_emission);
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
      nlohmann::ordered_json units = nlohmann::ordered_json::object();
      nlohmann::ordered_json roi_array = nlohmann::ordered_json::array();
      for (size_t index = 0; index < rois.size(); ++index) {
        nlohmann::ordered_json item;
        item["roi"] = rois[index].name;
        item["label"] = rois[index].label;
        nlohmann::ordered_json features = nlohmann::ordered_json::object();
        for (const radiomics::Feature& feature : feature_sets[index].features) {
          features[feature.tag] = value_or_null(feature.value);
          codes[feature.tag] = feature.ibsi_code;
          if (!units.contains(feature.tag)) {
            // UCUM; "" where the feature depends on an unknown intensity unit.
            units[feature.tag] =
                radiomics::feature_unit(feature.tag, unit.ucum, settings.ivh.intensity_type);
          }
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
      root["units"] = units;
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
    // The response maps (when asked) once every ROI's features are known, then the features.
    if (!flags->response_maps.empty()) {
      write_response_maps(*flags, arguments, settings, series, image, unit, suv_audit,
                          quantitative_emission);
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
