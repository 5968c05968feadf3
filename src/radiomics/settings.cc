// RadiomicsSettings <-> JSON, and the presets of data/radiomics/ (compiled in by CMake, so the
// library needs no data folder at run time).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <numbers>
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

FilterBoundary boundary_from(const std::string& name, std::string_view source) {
  if (name == "zero") return FilterBoundary::kZero;
  if (name == "nearest") return FilterBoundary::kNearest;
  if (name == "periodic") return FilterBoundary::kPeriodic;
  if (name == "mirror") return FilterBoundary::kMirror;
  fail(source, "filter boundary \"" + name + "\" (use zero, nearest, periodic or mirror)");
}

const char* boundary_name(FilterBoundary boundary) {
  switch (boundary) {
    case FilterBoundary::kZero:
      return "zero";
    case FilterBoundary::kNearest:
      return "nearest";
    case FilterBoundary::kPeriodic:
      return "periodic";
    case FilterBoundary::kMirror:
      return "mirror";
  }
  return "mirror";
}

// Filter kinds by their JSON name, with the parameter keys each accepts.
struct FilterKindEntry {
  FilterKind kind;
  const char* name;
  std::set<std::string> parameters;
};
const std::vector<FilterKindEntry>& filter_kinds() {
  static const std::vector<FilterKindEntry> kKinds{
      {FilterKind::kNone, "none", {}},
      {FilterKind::kMean, "mean", {"support_voxels"}},
      {FilterKind::kLaplacianOfGaussian, "laplacian_of_gaussian", {"sigma_mm", "truncate_sigmas"}},
      {FilterKind::kLaws, "laws", {"kernels", "rotation_invariant", "energy_distance"}},
      {FilterKind::kGabor,
       "gabor",
       {"sigma_mm", "wavelength_mm", "spatial_aspect_ratio", "orientation_deg",
        "rotation_invariant", "orientation_step_deg"}},
      {FilterKind::kWavelet, "wavelet", {"wavelet", "bands", "level", "rotation_invariant"}},
      {FilterKind::kSimoncelli, "simoncelli", {"level"}},
      {FilterKind::kRiesz,
       "riesz",
       {"base_filter", "sigma_mm", "truncate_sigmas", "level", "order", "aligned",
        "structure_tensor_sigma_mm"}},
  };
  return kKinds;
}

constexpr double kDegree = std::numbers::pi / 180.0;

FilterSettings filter_from(const json& node, std::string_view source) {
  if (!node.is_object()) fail(source, "\"filter\" must be a JSON object");
  const auto kind_name = get<std::string>(node, "kind", "none", source);
  const auto entry = std::find_if(filter_kinds().begin(), filter_kinds().end(),
                                  [&](const FilterKindEntry& e) { return e.name == kind_name; });
  if (entry == filter_kinds().end()) {
    std::string list;
    for (const auto& e : filter_kinds()) list += (list.empty() ? "" : ", ") + std::string(e.name);
    fail(source, "filter kind \"" + kind_name + "\" (use " + list + ")");
  }
  std::set<std::string> known = entry->parameters;
  known.insert({"kind", "in_plane", "boundary"});
  reject_unknown_keys(node, known, source, "\"filter\" of kind " + kind_name);
  FilterSettings filter;
  filter.kind = entry->kind;
  filter.in_plane = get<bool>(node, "in_plane", false, source);
  filter.boundary = boundary_from(get<std::string>(node, "boundary", "mirror", source), source);
  switch (filter.kind) {
    case FilterKind::kNone:
      break;
    case FilterKind::kMean:
      filter.mean_support_voxels = get<int>(node, "support_voxels", 5, source);
      if (filter.mean_support_voxels < 1 || filter.mean_support_voxels % 2 == 0) {
        fail(source, "\"filter.support_voxels\" must be an odd number of voxels >= 1");
      }
      break;
    case FilterKind::kLaplacianOfGaussian:
      filter.log_sigma_mm = get<double>(node, "sigma_mm", 1.5, source);
      filter.log_truncate_sigmas = get<double>(node, "truncate_sigmas", 4.0, source);
      if (!(filter.log_sigma_mm > 0.0) || !(filter.log_truncate_sigmas > 0.0)) {
        fail(source, "\"filter.sigma_mm\" and \"filter.truncate_sigmas\" must be > 0");
      }
      break;
    case FilterKind::kLaws:
      filter.laws.kernels = get<std::string>(node, "kernels", filter.laws.kernels, source);
      filter.laws.rotation_invariant = get<bool>(node, "rotation_invariant", false, source);
      filter.laws.energy_distance = get<int>(node, "energy_distance", 0, source);
      if (filter.laws.energy_distance < 0) {
        fail(source, "\"filter.energy_distance\" must be >= 0 (0: no energy map)");
      }
      break;
    case FilterKind::kGabor: {
      GaborFilterSettings& gabor = filter.gabor;
      gabor.sigma_mm = get<double>(node, "sigma_mm", gabor.sigma_mm, source);
      gabor.wavelength_mm = get<double>(node, "wavelength_mm", gabor.wavelength_mm, source);
      gabor.spatial_aspect_ratio =
          get<double>(node, "spatial_aspect_ratio", gabor.spatial_aspect_ratio, source);
      gabor.orientation_rad = get<double>(node, "orientation_deg", 0.0, source) * kDegree;
      gabor.rotation_invariant = get<bool>(node, "rotation_invariant", false, source);
      gabor.orientation_step_rad =
          get<double>(node, "orientation_step_deg", 45.0, source) * kDegree;
      if (!(gabor.sigma_mm > 0.0) || !(gabor.wavelength_mm > 0.0) ||
          !(gabor.spatial_aspect_ratio > 0.0) || !(gabor.orientation_step_rad > 0.0)) {
        fail(source,
             "\"filter.sigma_mm\", \"wavelength_mm\", \"spatial_aspect_ratio\" and "
             "\"orientation_step_deg\" must be > 0");
      }
      break;
    }
    case FilterKind::kWavelet:
      filter.wavelet.wavelet = get<std::string>(node, "wavelet", filter.wavelet.wavelet, source);
      filter.wavelet.bands = get<std::string>(node, "bands", filter.wavelet.bands, source);
      filter.wavelet.level = get<int>(node, "level", 1, source);
      filter.wavelet.rotation_invariant = get<bool>(node, "rotation_invariant", false, source);
      break;
    case FilterKind::kSimoncelli:
      filter.simoncelli.level = get<int>(node, "level", 1, source);
      break;
    case FilterKind::kRiesz: {
      const auto base = get<std::string>(node, "base_filter", "laplacian_of_gaussian", source);
      if (base == "laplacian_of_gaussian") {
        filter.riesz.base_filter = RieszBaseFilter::kLaplacianOfGaussian;
      } else if (base == "simoncelli") {
        filter.riesz.base_filter = RieszBaseFilter::kSimoncelli;
      } else {
        fail(source,
             "Riesz base filter \"" + base + "\" (use laplacian_of_gaussian or simoncelli)");
      }
      filter.riesz.log_sigma_mm = get<double>(node, "sigma_mm", filter.riesz.log_sigma_mm, source);
      filter.riesz.log_truncate_sigmas =
          get<double>(node, "truncate_sigmas", filter.riesz.log_truncate_sigmas, source);
      filter.riesz.simoncelli_level = get<int>(node, "level", 1, source);
      const auto order = get<std::vector<int>>(node, "order", {1, 0, 0}, source);
      if (order.size() != 3) fail(source, "\"filter.order\" must hold three orders (i, j, k)");
      filter.riesz.order = {order[0], order[1], order[2]};
      filter.riesz.aligned = get<bool>(node, "aligned", false, source);
      filter.riesz.structure_tensor_sigma_mm = get<double>(
          node, "structure_tensor_sigma_mm", filter.riesz.structure_tensor_sigma_mm, source);
      break;
    }
  }
  return filter;
}

json filter_to_json(const FilterSettings& filter) {
  json node;
  node["kind"] = filter_kind_name(filter.kind);
  if (filter.kind == FilterKind::kNone) return node;
  node["in_plane"] = filter.in_plane;
  node["boundary"] = boundary_name(filter.boundary);
  switch (filter.kind) {
    case FilterKind::kNone:
      break;
    case FilterKind::kMean:
      node["support_voxels"] = filter.mean_support_voxels;
      break;
    case FilterKind::kLaplacianOfGaussian:
      node["sigma_mm"] = filter.log_sigma_mm;
      node["truncate_sigmas"] = filter.log_truncate_sigmas;
      break;
    case FilterKind::kLaws:
      node["kernels"] = filter.laws.kernels;
      node["rotation_invariant"] = filter.laws.rotation_invariant;
      node["energy_distance"] = filter.laws.energy_distance;
      break;
    case FilterKind::kGabor:
      node["sigma_mm"] = filter.gabor.sigma_mm;
      node["wavelength_mm"] = filter.gabor.wavelength_mm;
      node["spatial_aspect_ratio"] = filter.gabor.spatial_aspect_ratio;
      node["orientation_deg"] = filter.gabor.orientation_rad / kDegree;
      node["rotation_invariant"] = filter.gabor.rotation_invariant;
      node["orientation_step_deg"] = filter.gabor.orientation_step_rad / kDegree;
      break;
    case FilterKind::kWavelet:
      node["wavelet"] = filter.wavelet.wavelet;
      node["bands"] = filter.wavelet.bands;
      node["level"] = filter.wavelet.level;
      node["rotation_invariant"] = filter.wavelet.rotation_invariant;
      break;
    case FilterKind::kSimoncelli:
      node["level"] = filter.simoncelli.level;
      break;
    case FilterKind::kRiesz:
      node["base_filter"] = filter.riesz.base_filter == RieszBaseFilter::kSimoncelli
                                ? "simoncelli"
                                : "laplacian_of_gaussian";
      node["sigma_mm"] = filter.riesz.log_sigma_mm;
      node["truncate_sigmas"] = filter.riesz.log_truncate_sigmas;
      node["level"] = filter.riesz.simoncelli_level;
      node["order"] = std::vector<int>(filter.riesz.order.begin(), filter.riesz.order.end());
      node["aligned"] = filter.riesz.aligned;
      node["structure_tensor_sigma_mm"] = filter.riesz.structure_tensor_sigma_mm;
      break;
  }
  return node;
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
       "discretisation", "ivh", "aggregation", "families", "diagnostics", "filter"},
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
  if (root.contains("filter")) settings.filter = filter_from(root.at("filter"), source);
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
  if (settings.filter.kind != FilterKind::kNone) root["filter"] = filter_to_json(settings.filter);
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

const char* filter_kind_name(FilterKind kind) {
  const auto entry = std::find_if(filter_kinds().begin(), filter_kinds().end(),
                                  [&](const FilterKindEntry& e) { return e.kind == kind; });
  return entry->name;
}

}  // namespace oncotrace::radiomics
