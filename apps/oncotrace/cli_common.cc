#include "cli_common.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/report.h"
#include "oncotrace/version.h"

namespace oncotrace::cli {

ImageSeries read_input_series(const std::filesystem::path& path, const std::string& series_uid) {
  if (!std::filesystem::exists(path)) {
    throw InvalidInputError(path.string() + ": no such file or folder");
  }
  if (is_nifti_path(path)) return read_nifti_series(path);
  const DiscoveryResult discovery = discover_dicom(path);
  // A DICOM file that cannot be parsed may belong to the series: refuse rather than silently
  // computing on an incomplete volume.
  if (!discovery.unreadable.empty()) {
    std::string listing;
    for (const std::string& problem : discovery.unreadable) listing += "\n  " + problem;
    throw InvalidInputError(path.string() + ": " + std::to_string(discovery.unreadable.size()) +
                            " DICOM file(s) cannot be read (truncated or corrupt); repair or "
                            "remove them:" +
                            listing);
  }
  const DiscoveredSeries& chosen = select_series(discovery, series_uid, path.string());
  return load_series(chosen);
}

nlohmann::ordered_json make_provenance(const std::string& command,
                                       const std::vector<std::string>& arguments,
                                       const nlohmann::ordered_json& inputs,
                                       const nlohmann::ordered_json& settings) {
  nlohmann::ordered_json provenance;
  provenance["software"] = "oncotrace";
  provenance["version"] = version_string();
  provenance["command"] = command;
  provenance["arguments"] = arguments;
  provenance["inputs"] = inputs;
  provenance["settings"] = settings;
  provenance["research_use_only"] =
      "oncotrace reports measurements for research; it does not prescribe treatment.";
  return provenance;
}

void add_suv_flags(CLI::App& command, SuvFlags& flags) {
  command
      .add_option("--normalization", flags.normalization,
                  "bw (default), lbm-janma, lbm-james128, lbm-james120, bsa, ibw, or none "
                  "(activity concentration, Bq/mL)")
      ->capture_default_str();
  command.add_option("--weight", flags.weight_kg, "Patient weight in kg (overrides (0010,1030))");
  command.add_option("--height", flags.height_m, "Patient height in m (overrides (0010,1020))");
  command.add_option("--sex", flags.sex, "Patient sex M, F or O (overrides (0010,0040))");
  command.add_option("--dose", flags.dose_bq,
                     "Administered activity in Bq (overrides (0018,1074))");
  command.add_option("--residual-dose", flags.residual_dose_bq,
                     "Residual activity left in syringe and line, in Bq");
  command.add_option("--residual-time", flags.residual_time,
                     "When the residual was measured (ISO 8601; default: injection time)");
  command.add_option("--injection-time", flags.injection_time,
                     "Administration date-time, ISO 8601 (overrides (0018,1078)/(0018,1072))");
  command.add_option("--half-life", flags.half_life_s,
                     "Radionuclide half-life in s (overrides (0018,1075))");
  command.add_option("--scan-reference-time", flags.scan_reference_time,
                     "Reference time of the scanner's decay correction, ISO 8601");
  command.add_option("--units", flags.units,
                     "Assert the pixel units when (0054,1001) is absent or wrong (e.g. BQML)");
  command.add_option("--decay-correction", flags.decay_correction,
                     "Assert DecayCorrection (0054,1102): START, ADMIN or NONE");
  command.add_option("--calibration", flags.calibration_bq_per_ml,
                     "Count images: Bq/mL per stored unit (counts or counts/s)");
  command.add_option("--sensitivity", flags.sensitivity_cps_per_mbq,
                     "Count images: system volume sensitivity in cps/MBq");
  command.add_option("--acquisition-duration", flags.acquisition_duration_s,
                     "Count images: acquisition duration in s (default: ActualFrameDuration)");
  command.add_flag("--strict", flags.strict,
                   "Refuse instead of repairing (dose in MBq, weight in g, height in cm)");
  command.add_flag("--allow-earliest-acquisition", flags.allow_earliest_acquisition,
                   "Allow rule R4 (earliest AcquisitionTime) as the decay reference time");
  command.add_flag("--allow-rescale-intercept", flags.allow_rescale_intercept,
                   "Apply a non-zero RescaleIntercept instead of refusing the series");
  command.add_flag("--trust-decay-factor", flags.trust_decay_factor,
                   "Where DecayCorrection and DecayFactor disagree, trust DecayFactor");
  command.add_option("--ibw-formula", flags.ibw_formula, "sugawara (default) or devine")
      ->capture_default_str();
}

namespace {

DateTime parse_time_flag(const std::string& flag, const std::string& text) {
  const auto value = parse_iso8601(text);
  if (!value) {
    throw InvalidInputError(flag + " '" + text +
                            "' is not an ISO 8601 date-time; write e.g. 2025-01-01T10:00:00");
  }
  return *value;
}

}  // namespace

SuvOptions suv_options_from_flags(const SuvFlags& flags) {
  SuvOptions options;
  const auto normalization = parse_suv_normalization(flags.normalization);
  if (!normalization) {
    throw InvalidInputError("--normalization '" + flags.normalization +
                            "' is unknown; use bw, lbm-janma, lbm-james128, lbm-james120, bsa, "
                            "ibw or none");
  }
  options.normalization = *normalization;
  SuvOverrides& overrides = options.overrides;
  overrides.weight_kg = flags.weight_kg;
  overrides.height_m = flags.height_m;
  overrides.sex = flags.sex;
  overrides.injected_dose_bq = flags.dose_bq;
  overrides.residual_dose_bq = flags.residual_dose_bq;
  overrides.half_life_s = flags.half_life_s;
  overrides.units = flags.units;
  overrides.decay_correction = flags.decay_correction;
  if (flags.injection_time) {
    overrides.injection_time = parse_time_flag("--injection-time", *flags.injection_time);
  }
  if (flags.residual_time) {
    overrides.residual_time = parse_time_flag("--residual-time", *flags.residual_time);
  }
  if (flags.scan_reference_time) {
    overrides.scan_reference_time =
        parse_time_flag("--scan-reference-time", *flags.scan_reference_time);
  }
  if (flags.calibration_bq_per_ml || flags.sensitivity_cps_per_mbq) {
    CountCalibration calibration;
    calibration.bq_per_ml_per_unit = flags.calibration_bq_per_ml;
    calibration.sensitivity_cps_per_mbq = flags.sensitivity_cps_per_mbq;
    calibration.acquisition_duration_s = flags.acquisition_duration_s;
    calibration.description = "command line";
    options.count_calibration = calibration;
  }
  options.strict = flags.strict;
  options.allow_earliest_acquisition_rule = flags.allow_earliest_acquisition;
  options.allow_rescale_intercept = flags.allow_rescale_intercept;
  options.trust_decay_factor = flags.trust_decay_factor;
  if (flags.ibw_formula == "sugawara") {
    options.ibw_formula = IbwFormula::kSugawara;
  } else if (flags.ibw_formula == "devine") {
    options.ibw_formula = IbwFormula::kDevine;
  } else {
    throw InvalidInputError("--ibw-formula '" + flags.ibw_formula +
                            "' is unknown; use sugawara or devine");
  }
  return options;
}

nlohmann::ordered_json suv_flags_json(const SuvFlags& flags) {
  nlohmann::ordered_json settings;
  settings["normalization"] = flags.normalization;
  auto put = [&settings](const char* key, const auto& optional_value) {
    if (optional_value) settings[key] = *optional_value;
  };
  put("weight_kg", flags.weight_kg);
  put("height_m", flags.height_m);
  put("sex", flags.sex);
  put("dose_bq", flags.dose_bq);
  put("residual_dose_bq", flags.residual_dose_bq);
  put("residual_time", flags.residual_time);
  put("injection_time", flags.injection_time);
  put("half_life_s", flags.half_life_s);
  put("scan_reference_time", flags.scan_reference_time);
  put("units", flags.units);
  put("decay_correction", flags.decay_correction);
  put("calibration_bq_per_ml", flags.calibration_bq_per_ml);
  put("sensitivity_cps_per_mbq", flags.sensitivity_cps_per_mbq);
  put("acquisition_duration_s", flags.acquisition_duration_s);
  settings["strict"] = flags.strict;
  settings["allow_earliest_acquisition"] = flags.allow_earliest_acquisition;
  settings["allow_rescale_intercept"] = flags.allow_rescale_intercept;
  settings["trust_decay_factor"] = flags.trust_decay_factor;
  settings["ibw_formula"] = flags.ibw_formula;
  return settings;
}

void write_image_outputs(const std::filesystem::path& image_path,
                         const std::vector<ImageVolume>& volumes, const std::string& sidecar_json,
                         const std::vector<ExtraOutputFile>& extra_files) {
  if (volumes.empty()) throw InternalError("write_image_outputs: no volume to write");
  std::vector<std::filesystem::path> written;
  auto remove_written = [&written]() {
    std::error_code ignored;
    for (const auto& path : written) std::filesystem::remove(path, ignored);
  };
  try {
    write_file_atomically(sidecar_path_for(image_path), sidecar_json);
    written.push_back(sidecar_path_for(image_path));
    for (const ExtraOutputFile& extra : extra_files) {
      write_file_atomically(extra.path, extra.contents);
      written.push_back(extra.path);
    }
    if (volumes.size() == 1) {
      write_nifti(image_path, volumes.front());
    } else {
      write_nifti(image_path, volumes);
    }
  } catch (...) {
    remove_written();
    throw;
  }
}

nlohmann::ordered_json describe_input(const std::string& path, const ImageSeries& series) {
  nlohmann::ordered_json inputs;
  inputs["path"] = path;
  inputs["series_instance_uid"] = series.header.series_instance_uid;
  inputs["files"] = series.files.size();
  return inputs;
}

std::string format_number(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*g", digits, value);
  return text;
}

void print_steps_and_files(const std::vector<StageTiming>& steps,
                           const std::vector<std::filesystem::path>& files) {
  std::string timing;
  for (const StageTiming& step : steps) {
    timing += " " + step.stage + " " + format_number(step.seconds, 3) + " s;";
  }
  std::printf("  steps:%s\n", timing.c_str());
  for (const auto& path : files) std::printf("wrote %s\n", path.string().c_str());
  std::printf("Research use only: measurements and annotations, not treatment recommendations.\n");
}

int refresh_report(const std::filesystem::path& output_dir, bool write, const std::string& command,
                   const std::function<std::vector<std::filesystem::path>()>& write_figures) {
  const std::filesystem::path report = output_dir / "report.html";
  std::error_code ignored;
  std::filesystem::remove(report, ignored);
  if (!write) return 0;
  try {
    if (write_figures) {
      for (const auto& file : write_figures()) std::printf("wrote %s\n", file.string().c_str());
    }
    write_report(output_dir, report);
  } catch (const Error& error) {
    std::filesystem::remove(report, ignored);
    std::fprintf(stderr, "oncotrace %s: the results were written, but not the report (%s): %s\n",
                 command.c_str(), error_kind_name(error.kind()), error.what());
    return exit_code_for(error.kind());
  }
  std::printf("wrote %s\n", report.string().c_str());
  return 0;
}

double parse_breast_depth(double millimetres) {
  if (!std::isfinite(millimetres) || millimetres < 0.0) {
    std::ostringstream given;
    given << millimetres;
    throw InvalidInputError("--breast-depth " + given.str() +
                            ": must be a distance in mm >= 0 (default 20)");
  }
  return millimetres;
}

std::optional<double> parse_split_prominence(double fraction, bool no_split) {
  if (no_split) return std::nullopt;
  if (!(fraction > 0.0 && fraction < 1.0)) {
    std::ostringstream given;
    given << fraction;
    throw InvalidInputError("--split-prominence " + given.str() +
                            ": must be a fraction of the peak between 0 and 1 (default 0.3); "
                            "--no-split turns splitting off");
  }
  return fraction;
}

void add_radiomics_option(CLI::App& command, std::string& config, const std::string& what) {
  command.add_option("--radiomics", config,
                     "IBSI radiomics features of every lesion on the SUV image: a preset "
                     "(pet-default, ibsi1-config-a ... -e, ...) or a settings FILE.json; writes "
                     "radiomics.csv and radiomics.json " +
                         what + " and stores the features");
}

void apply_radiomics_option(const std::string& config, AnalysisRequest& request) {
  if (config.empty()) return;
  request.radiomics = radiomics::load_radiomics_settings(config);
  request.radiomics_config = config;
}

void print_radiomics_summary(const AnalysisRequest& request, const AnalysisResult& result,
                             const std::string& indent) {
  if (!request.radiomics) return;
  size_t computed = 0;
  for (const LesionResult& lesion : result.lesions) computed += lesion.radiomics ? 1 : 0;
  std::printf("%sradiomics: %zu of %zu lesions (settings %s)\n", indent.c_str(), computed,
              result.lesions.size(), request.radiomics->name.c_str());
}

}  // namespace oncotrace::cli
