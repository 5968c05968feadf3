// Flags shared by the commands that take several studies of one patient (`patient`,
// `response`): inputs, registration, matching, detection, SUV.
#ifndef ONCOTRACE_APPS_MULTI_STUDY_H_
#define ONCOTRACE_APPS_MULTI_STUDY_H_

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli_common.h"
#include "oncotrace/patient.h"

namespace oncotrace::cli {

struct MultiStudyFlags {
  std::vector<std::string> studies;
  std::string output;
  std::string manifest;
  std::vector<std::string> tracers;
  std::vector<std::string> cycles_completed;  // ID=N
  std::vector<std::string> cycle_days;        // ID=C1D15
  std::string registration = "affine";
  double min_quality = 0.5;
  double match_distance_mm = 20.0;
  bool no_tracer_exclusion = false;
  std::vector<std::string> exclude_organs;
  std::string method = "fixed:2.5";
  double min_volume_ml = 0.5;
  double split_prominence = 0.3;
  bool no_split = false;
  double breast_depth_mm = 20.0;
  bool no_breast_rule = false;
  int threads = 0;
  SuvFlags suv;
  // The options that configure the analysis of study folders (detection, SUV, organ exclusion):
  // they do not apply to `oncotrace analyze` output folders, which are used as analysed.
  std::vector<const CLI::Option*> analysis_options;
};

// Registers the shared flags on `command`.
void add_multi_study_flags(CLI::App& command, MultiStudyFlags& flags);
// The request those flags describe (studies, registration, matching, detection, SUV, threads).
PatientRequest patient_request_from_flags(const MultiStudyFlags& flags);
// Analysis options given with analyze output inputs: an error when every input is an analyze
// output folder (the options would change nothing), a warning naming the folders when inputs
// are mixed (the options apply to the study folders only).
void check_analysis_options_for_inputs(const MultiStudyFlags& flags, const PatientRequest& request);
// "NAME=VALUE" -> (NAME, VALUE); throws InvalidInputError naming the flag.
std::pair<std::string, std::string> split_assignment(const std::string& flag,
                                                     const std::string& text);

}  // namespace oncotrace::cli

#endif  // ONCOTRACE_APPS_MULTI_STUDY_H_
