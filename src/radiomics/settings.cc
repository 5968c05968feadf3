// RadiomicsSettings <-> JSON, and the presets of data/radiomics/ (compiled in by CMake, so the
// library needs no data folder at run time).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"
#include "radiomics/presets.h"

namespace oncotrace::radiomics {

namespace {

using nlohmann::json;

[[noreturn]] void fail(std::string_view source, const std::string& message) {
  throw InvalidInputError("radiomics settings " + std::string(source) + ": " + message +
                          "; see docs/radiomics.md for the format");
}

void reject_unknown_keys(const json& object, const std::set<std::string>& known,
                         std::string_view source, const std::string& where) {
  if (!object.is_object()) fail(source, where + " must be a JSON object");
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) {
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      std::string message = "unknown key \"" + key + "\" in ";
      message += where;
      message += " (known: " + list + ")";
      fail(source, message);
    }
  }
}

template <typename T>
T get(const json& object, const char* key, T fallback, std::string_view source) {
  if (!object.contains(key) || object.at(key).is_null()) return fallback;
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& error) {
    fail(source, std::string("\"") + key + "\": " + error.what());
  }
}

InterpolationMethod interpolation_method_from(const std::string& name, std::string_view source) {
  if (name == "nearest") return InterpolationMethod::kNearest;
  if (name == "linear") return InterpolationMethod::kLinear;
  if (name == "cubic_spline") return InterpolationMethod::kCubicSpline;
  fail(source, "interpolation method \"" + name + "\" (use nearest, linear or cubic_spline)");
}

const char* interpolation_method_name(InterpolationMethod method) {
  switch (method) {
    case InterpolationMethod::kNearest:
      return "nearest";
    case InterpolationMethod::kLinear:
      return "linear";
    case InterpolationMethod::kCubicSpline:
      return "cubic_spline";
  }
  return "linear";
}

const std::vector<std::string>& family_names() {
  static const std::vector<std::string> kNames{"morphology",
                                               "local_intensity",
                                               "statistics",
                                               "intensity_histogram",
                                               "intensity_volume_histogram",
                                               "glcm",
                                               "glrlm",
                                               "glszm",
                                               "gldzm",
                                               "ngtdm",
                                               "ngldm"};
  return kNames;
}

bool* family_flag(FeatureFamilies& families, const std::string& name) {
  if (name == "morphology") return &families.morphology;
  if (name == "local_intensity") return &families.local_intensity;
  if (name == "statistics") return &families.statistics;
  if (name == "intensity_histogram") return &families.intensity_histogram;
  if (name == "intensity_volume_histogram") return &families.intensity_volume_histogram;
  if (name == "glcm") return &families.glcm;
  if (name == "glrlm") return &families.glrlm;
  if (name == "glszm") return &families.glszm;
  if (name == "gldzm") return &families.gldzm;
  if (name == "ngtdm") return &families.ngtdm;
  if (name == "ngldm") return &families.ngldm;
  return nullptr;
}

}  // namespace

RadiomicsSettings radiomics_settings_from_json(std::string_view json_text,
                                               std::string_view source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& error) {
    fail(source, std::string("not valid JSON: ") + error.what());
  }
  reject_unknown_keys(
      root,
      {"name", "description", "interpolation", "round_intensities", "resegmentation",
       "discretisation", "ivh", "aggregation", "families", "diagnostics"},
      source, "the settings");
  RadiomicsSettings settings;
  settings.name = get<std::string>(root, "name", settings.name, source);
  settings.description = get<std::string>(root, "description", "", source);
  settings.round_intensities = get<bool>(root, "round_intensities", false, source);
  settings.diagnostics = get<bool>(root, "diagnostics", true, source);

  if (root.contains("interpolation")) {
    const json& node = root.at("interpolation");
    reject_unknown_keys(
        node, {"enabled", "spacing_mm", "in_plane_only", "image", "mask", "mask_threshold"}, source,
        "\"interpolation\"");
    InterpolationSettings& interpolation = settings.interpolation;
    interpolation.enabled = get<bool>(node, "enabled", true, source);
    if (interpolation.enabled) {
      const auto spacing = get<std::vector<double>>(node, "spacing_mm", {}, source);
      if (spacing.size() != 3 || *std::min_element(spacing.begin(), spacing.end()) <= 0.0) {
        fail(source, "\"interpolation.spacing_mm\" must hold three positive spacings in mm");
      }
      interpolation.spacing_mm = {spacing[0], spacing[1], spacing[2]};
    }
    interpolation.in_plane_only = get<bool>(node, "in_plane_only", false, source);
    interpolation.image_method =
        interpolation_method_from(get<std::string>(node, "image", "linear", source), source);
    interpolation.mask_method =
        interpolation_method_from(get<std::string>(node, "mask", "linear", source), source);
    interpolation.mask_partial_volume_threshold = get<double>(node, "mask_threshold", 0.5, source);
  }
  if (root.contains("resegmentation")) {
    const json& node = root.at("resegmentation");
    reject_unknown_keys(node, {"range", "outlier_sigma"}, source, "\"resegmentation\"");
    if (node.contains("range")) {
      const json& range = node.at("range");
      if (!range.is_array() || range.size() != 2) {
        fail(source, "\"resegmentation.range\" must be [lower, upper] (null for an open end)");
      }
      if (!range[0].is_null()) settings.resegmentation.range_min = range[0].get<double>();
      if (!range[1].is_null()) settings.resegmentation.range_max = range[1].get<double>();
    }
    if (node.contains("outlier_sigma") && !node.at("outlier_sigma").is_null()) {
      settings.resegmentation.outlier_filter = true;
      settings.resegmentation.outlier_sigma = node.at("outlier_sigma").get<double>();
    }
  }
  if (root.contains("discretisation")) {
    const json& node = root.at("discretisation");
    reject_unknown_keys(node, {"method", "bin_width", "bin_count"}, source, "\"discretisation\"");
    const auto method = get<std::string>(node, "method", "fixed_bin_size", source);
    DiscretisationSettings& discretisation = settings.discretisation;
    if (method == "none") {
      discretisation.method = DiscretisationMethod::kNone;
    } else if (method == "fixed_bin_number") {
      discretisation.method = DiscretisationMethod::kFixedBinNumber;
      discretisation.bin_count = get<int>(node, "bin_count", 32, source);
      if (discretisation.bin_count < 1) fail(source, "\"discretisation.bin_count\" must be >= 1");
    } else if (method == "fixed_bin_size") {
      discretisation.method = DiscretisationMethod::kFixedBinSize;
      discretisation.bin_width = get<double>(node, "bin_width", 25.0, source);
      if (!(discretisation.bin_width > 0.0))
        fail(source, "\"discretisation.bin_width\" must be > 0");
    } else {
      fail(source, "discretisation method \"" + method +
                       "\" (use none, fixed_bin_number or fixed_bin_size)");
    }
  }
  if (root.contains("ivh")) {
    const json& node = root.at("ivh");
    reject_unknown_keys(node, {"intensity_type", "bin_width", "bin_count"}, source, "\"ivh\"");
    const auto type = get<std::string>(node, "intensity_type", "discrete_calibrated", source);
    if (type == "discrete_calibrated") {
      settings.ivh.intensity_type = IntensityType::kDiscreteCalibrated;
    } else if (type == "continuous_calibrated") {
      settings.ivh.intensity_type = IntensityType::kContinuousCalibrated;
    } else if (type == "arbitrary_units") {
      settings.ivh.intensity_type = IntensityType::kArbitraryUnits;
    } else {
      fail(source, "IVH intensity type \"" + type +
                       "\" (use discrete_calibrated, continuous_calibrated or arbitrary_units)");
    }
    settings.ivh.bin_width = get<double>(node, "bin_width", settings.ivh.bin_width, source);
    settings.ivh.bin_count = get<int>(node, "bin_count", settings.ivh.bin_count, source);
  }
  if (root.contains("aggregation")) {
    const auto names = get<std::vector<std::string>>(root, "aggregation", {}, source);
    settings.aggregation = {false, false, false};
    for (const auto& name : names) {
      if (name == "2D") {
        settings.aggregation.slice_2d = true;
      } else if (name == "2.5D") {
        settings.aggregation.merged_2_5d = true;
      } else if (name == "3D") {
        settings.aggregation.volume_3d = true;
      } else {
        fail(source, "aggregation \"" + name + "\" (use \"2D\", \"2.5D\", \"3D\")");
      }
    }
  }
  if (root.contains("families")) {
    const auto names = get<std::vector<std::string>>(root, "families", {}, source);
    FeatureFamilies none;
    for (const auto& name : family_names()) *family_flag(none, name) = false;
    settings.families = none;
    for (const auto& name : names) {
      bool* flag = family_flag(settings.families, name);
      if (flag == nullptr) fail(source, "unknown feature family \"" + name + "\"");
      *flag = true;
    }
  }
  return settings;
}

std::string radiomics_settings_to_json(const RadiomicsSettings& settings) {
  json root;
  root["name"] = settings.name;
  root["description"] = settings.description;
  json interpolation;
  interpolation["enabled"] = settings.interpolation.enabled;
  if (settings.interpolation.enabled) {
    interpolation["spacing_mm"] = std::vector<double>(settings.interpolation.spacing_mm.begin(),
                                                      settings.interpolation.spacing_mm.end());
    interpolation["in_plane_only"] = settings.interpolation.in_plane_only;
    interpolation["image"] = interpolation_method_name(settings.interpolation.image_method);
    interpolation["mask"] = interpolation_method_name(settings.interpolation.mask_method);
    interpolation["mask_threshold"] = settings.interpolation.mask_partial_volume_threshold;
  }
  root["interpolation"] = interpolation;
  root["round_intensities"] = settings.round_intensities;
  json resegmentation = json::object();
  if (settings.resegmentation.range_min || settings.resegmentation.range_max) {
    json range = json::array();
    range.push_back(settings.resegmentation.range_min ? json(*settings.resegmentation.range_min)
                                                      : json());
    range.push_back(settings.resegmentation.range_max ? json(*settings.resegmentation.range_max)
                                                      : json());
    resegmentation["range"] = range;
  }
  if (settings.resegmentation.outlier_filter) {
    resegmentation["outlier_sigma"] = settings.resegmentation.outlier_sigma;
  }
  root["resegmentation"] = resegmentation;
  json discretisation;
  switch (settings.discretisation.method) {
    case DiscretisationMethod::kNone:
      discretisation["method"] = "none";
      break;
    case DiscretisationMethod::kFixedBinNumber:
      discretisation["method"] = "fixed_bin_number";
      discretisation["bin_count"] = settings.discretisation.bin_count;
      break;
    case DiscretisationMethod::kFixedBinSize:
      discretisation["method"] = "fixed_bin_size";
      discretisation["bin_width"] = settings.discretisation.bin_width;
      break;
  }
  root["discretisation"] = discretisation;
  json ivh;
  switch (settings.ivh.intensity_type) {
    case IntensityType::kDiscreteCalibrated:
      ivh["intensity_type"] = "discrete_calibrated";
      break;
    case IntensityType::kContinuousCalibrated:
      ivh["intensity_type"] = "continuous_calibrated";
      ivh["bin_width"] = settings.ivh.bin_width;
      break;
    case IntensityType::kArbitraryUnits:
      ivh["intensity_type"] = "arbitrary_units";
      ivh["bin_count"] = settings.ivh.bin_count;
      break;
  }
  root["ivh"] = ivh;
  json aggregation = json::array();
  if (settings.aggregation.slice_2d) aggregation.push_back("2D");
  if (settings.aggregation.merged_2_5d) aggregation.push_back("2.5D");
  if (settings.aggregation.volume_3d) aggregation.push_back("3D");
  root["aggregation"] = aggregation;
  json families = json::array();
  FeatureFamilies copy = settings.families;
  for (const auto& name : family_names()) {
    if (*family_flag(copy, name)) families.push_back(name);
  }
  root["families"] = families;
  root["diagnostics"] = settings.diagnostics;
  return root.dump(2) + "\n";
}

std::vector<std::string> radiomics_preset_names() {
  std::vector<std::string> names;
  for (const auto& preset : detail::compiled_presets()) names.emplace_back(preset.name);
  return names;
}

RadiomicsSettings radiomics_preset(std::string_view name) {
  for (const auto& preset : detail::compiled_presets()) {
    if (preset.name == name) {
      return radiomics_settings_from_json(preset.json_text, "preset " + std::string(name));
    }
  }
  std::string list;
  for (const auto& preset_name : radiomics_preset_names())
    list += (list.empty() ? "" : ", ") + preset_name;
  throw InvalidInputError("unknown radiomics preset \"" + std::string(name) + "\" (known: " + list +
                          "); give a preset name or the path of a JSON settings file");
}

RadiomicsSettings load_radiomics_settings(const std::string& preset_name_or_path) {
  for (const auto& preset : detail::compiled_presets()) {
    if (preset.name == preset_name_or_path) return radiomics_preset(preset_name_or_path);
  }
  std::ifstream file(preset_name_or_path);
  if (!file) {
    std::string list;
    for (const auto& name : radiomics_preset_names()) list += (list.empty() ? "" : ", ") + name;
    throw InvalidInputError("radiomics settings \"" + preset_name_or_path +
                            "\" is neither a preset (" + list + ") nor a readable JSON file");
  }
  std::stringstream text;
  text << file.rdbuf();
  return radiomics_settings_from_json(text.str(), preset_name_or_path);
}

}  // namespace oncotrace::radiomics
