// Pieces shared by the subcommands of the `oncotrace` command-line tool.
#ifndef ONCOTRACE_APPS_CLI_COMMON_H_
#define ONCOTRACE_APPS_CLI_COMMON_H_

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/nifti.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/series.h"
#include "oncotrace/suv.h"

namespace oncotrace::cli {

// Reads the image series named on the command line: a NIfTI (+ sidecar), or a DICOM folder or
// file, picking `series_uid` when the folder holds several series. Throws InvalidInputError
// when the path does not exist.
ImageSeries read_input_series(const std::filesystem::path& path, const std::string& series_uid);

// The provenance object every output carries: software version, the command line, the inputs
// (paths and series UID) and the settings. No wall-clock time, so that the same inputs and
// settings give the same bytes.
nlohmann::ordered_json make_provenance(const std::string& command,
                                       const std::vector<std::string>& arguments,
                                       const nlohmann::ordered_json& inputs,
                                       const nlohmann::ordered_json& settings);

// Options of the SUV conversion as command-line flags (normalisation, overrides, calibration,
// rule options). Shared by `suv` and later the analysis commands.
struct SuvFlags {
  std::string normalization = "bw";
  std::optional<double> weight_kg, height_m, dose_bq, residual_dose_bq, half_life_s;
  std::optional<std::string> sex, injection_time, residual_time, scan_reference_time, units,
      decay_correction;
  std::optional<double> calibration_bq_per_ml, sensitivity_cps_per_mbq, acquisition_duration_s;
  bool strict = false;
  bool allow_earliest_acquisition = false;
  bool allow_rescale_intercept = false;
  bool trust_decay_factor = false;
  std::string ibw_formula = "sugawara";
};
void add_suv_flags(CLI::App& command, SuvFlags& flags);
// Converts the flags to SuvOptions; a malformed date-time or name is an InvalidInputError that
// names the flag.
SuvOptions suv_options_from_flags(const SuvFlags& flags);
// The flags as JSON (for provenance).
nlohmann::ordered_json suv_flags_json(const SuvFlags& flags);

// Writes the image (3D for one volume, else 4D), its sidecar and any extra JSON files. The small
// files are written first and removed again if the image cannot be written, so that a failure
// leaves no partial set of outputs (each file itself is written atomically).
struct ExtraOutputFile {
  std::filesystem::path path;
  std::string contents;
};
void write_image_outputs(const std::filesystem::path& image_path,
                         const std::vector<ImageVolume>& volumes, const std::string& sidecar_json,
                         const std::vector<ExtraOutputFile>& extra_files = {});

// `--radiomics CONFIG` of the commands that run analyze_study() (`analyze`, `patient`): per-lesion
// IBSI features of every analysed study. add_radiomics_option registers the flag (the command's
// `what` names where the outputs go); apply_radiomics_option loads CONFIG (a preset name or a
// settings FILE.json, radiomics::load_radiomics_settings) into the request, nothing when empty.
void add_radiomics_option(CLI::App& command, std::string& config, const std::string& what);
void apply_radiomics_option(const std::string& config, AnalysisRequest& request);
// "  radiomics: N of M lesions (settings NAME)" after an analysis with radiomics.
void print_radiomics_summary(const AnalysisRequest& request, const AnalysisResult& result,
                             const std::string& indent = "  ");

// Input description for provenance: the path and the series read from it.
nlohmann::ordered_json describe_input(const std::string& path, const ImageSeries& series);

// Formats a number with `digits` significant digits for tables.
std::string format_number(double value, int digits = 6);

// "  steps: load 0.8 s; ..." then one "wrote PATH" line per file and the research-use line.
void print_steps_and_files(const std::vector<StageTiming>& steps,
                           const std::vector<std::filesystem::path>& files);

// Replaces OUTPUT_DIR/report.html with the report of the new results (a report of an earlier
// run would contradict them), or only removes it when `write` is false. `write_figures` writes
// further report files first (e.g. figures) and returns them. Returns the exit code: 0, or the
// error's code after saying on stderr that the results were written but not the report.
int refresh_report(const std::filesystem::path& output_dir, bool write, const std::string& command,
                   const std::function<std::vector<std::filesystem::path>()>& write_figures = {});

// The --breast-depth value (mm, finite and >= 0); InvalidInputError otherwise.
double parse_breast_depth(double millimetres);

// The --split-prominence fraction (0 < F < 1), or nullopt with --no-split; InvalidInputError
// otherwise.
std::optional<double> parse_split_prominence(double fraction, bool no_split);

}  // namespace oncotrace::cli

#endif  // ONCOTRACE_APPS_CLI_COMMON_H_
