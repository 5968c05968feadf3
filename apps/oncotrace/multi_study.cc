// Flags shared by `patient` and `response` (multi_study.h).
#include "multi_study.h"

#include <spdlog/spdlog.h>

#include <map>

#include "oncotrace/error.h"

namespace oncotrace::cli {

std::pair<std::string, std::string> split_assignment(const std::string& flag,
                                                     const std::string& text) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw InvalidInputError(flag + " '" + text + "': expected NAME=VALUE");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

void add_multi_study_flags(CLI::App& command, MultiStudyFlags& flags) {
  command.add_option("STUDY", flags.studies,
                     "DICOM folders, one per study (PET/SPECT + CT), or oncotrace analyze output "
                     "folders (with lesions.json: used as analysed, images re-loaded)");
  command.add_option("-o,--output", flags.output, "Output folder")->required();
  command.add_option("--manifest", flags.manifest,
                     "CSV with a header row: path (required), id, tracer, timepoint, date, "
                     "patient, cycles_completed, cycle_day; after the STUDY folders");
  command.add_option("--tracer", flags.tracers,
                     "ID=TRACER: catalogue tracer of a study (repeatable), when DICOM does not "
                     "name it");
  command.add_option("--cycles-completed", flags.cycles_completed,
                     "ID=N: treatment cycles completed before study ID (repeatable)");
  command.add_option("--cycle-day", flags.cycle_days,
                     "ID=C1D15: cycle and day in which study ID was acquired (repeatable)");
  command
      .add_option("--registration", flags.registration,
                  "affine (rigid then affine), rigid, or identity (studies already aligned); "
                  "studies sharing a frame of reference are never registered")
      ->capture_default_str();
  command
      .add_option("--min-registration-quality", flags.min_quality,
                  "Refuse a registration whose image correlation is below this")
      ->capture_default_str();
  command
      .add_option("--match-distance", flags.match_distance_mm,
                  "Lesions farther apart than this (mm, after registration) are never matched")
      ->capture_default_str();
  flags.analysis_options.push_back(
      command.add_flag("--no-tracer-exclusion", flags.no_tracer_exclusion,
                       "Do not exclude each tracer's catalogue organs (e.g. liver for FES) from "
                       "detection (study folders only)"));
  flags.analysis_options.push_back(
      command.add_option("--exclude-organ", flags.exclude_organs,
                         "Also exclude this canonical organ from detection in every study "
                         "(study folders only)"));
  flags.analysis_options.push_back(
      command
          .add_option("--method", flags.method,
                      "Detection method of every study (see analyze; study folders only)")
          ->capture_default_str());
  flags.analysis_options.push_back(
      command
          .add_option("--min-volume", flags.min_volume_ml,
                      "Minimum lesion volume in mL (study folders only)")
          ->capture_default_str());
  flags.analysis_options.push_back(
      command
          .add_option("--split-prominence", flags.split_prominence,
                      "Detection keeps a part of excluded physiological uptake with its own peak "
                      "at least this fraction above the saddle to the rest, lying mostly outside "
                      "the excluded organs, as a lesion (study folders only)")
          ->capture_default_str());
  flags.analysis_options.push_back(
      command.add_flag("--no-split", flags.no_split,
                       "Drop components of excluded physiological uptake whole, without keeping "
                       "the lesions joined to them (study folders only)"));
  flags.analysis_options.push_back(
      command
          .add_option("--breast-depth", flags.breast_depth_mm,
                      "Breast rule of the lesion organ: a lesion outside the organs whose centre "
                      "lies at least this far (mm) anterior to the lungs/heart is 'breast' "
                      "(study folders only)")
          ->capture_default_str());
  flags.analysis_options.push_back(
      command.add_flag("--no-breast-rule", flags.no_breast_rule,
                       "Do not call lesions anterior to the thorax 'breast' (study folders only)"));
  command.add_option("--threads", flags.threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  const size_t before_suv = command.get_options().size();
  add_suv_flags(command, flags.suv);
  const std::vector<CLI::Option*> options = command.get_options();
  for (size_t n = before_suv; n < options.size(); ++n) flags.analysis_options.push_back(options[n]);
}

void check_analysis_options_for_inputs(const MultiStudyFlags& flags,
                                       const PatientRequest& request) {
  std::string given;
  for (const CLI::Option* option : flags.analysis_options) {
    if (option->count() > 0) given += (given.empty() ? "" : ", ") + option->get_name();
  }
  std::string analysis_outputs;
  size_t studies = 0;
  for (const PatientStudyInput& input : request.studies) {
    if (patient_input_kind(input.path) == PatientInputKind::kAnalysisOutput) {
      analysis_outputs += (analysis_outputs.empty() ? "" : ", ") + input.path.string();
    } else {
      ++studies;
    }
  }
  if (given.empty() || analysis_outputs.empty()) return;
  if (studies == 0) {
    throw InvalidInputError(given +
                            ": analysis options apply to study folders, but every input is an "
                            "oncotrace analyze output folder (" +
                            analysis_outputs +
                            "), whose measurements are used as analysed; remove the options, or "
                            "run oncotrace analyze again with them");
  }
  spdlog::warn(
      "{}: applied to the study folders only; the analyze output folders ({}) are used as "
      "analysed with their own settings (lesions.json provenance.settings)",
      given, analysis_outputs);
}

PatientRequest patient_request_from_flags(const MultiStudyFlags& flags) {
  PatientRequest request;
  for (const std::string& study : flags.studies) {
    PatientStudyInput input;
    input.path = study;
    request.studies.push_back(input);
  }
  if (!flags.manifest.empty()) {
    for (PatientStudyInput& input : read_patient_manifest(flags.manifest)) {
      request.studies.push_back(std::move(input));
    }
  }
  if (request.studies.empty()) {
    throw InvalidInputError("give study folders or --manifest FILE.csv");
  }
  // Per-study values given as ID=VALUE; every ID must name a study.
  std::map<std::string, std::string> tracer_of, cycles_of, cycle_day_of;
  for (const std::string& text : flags.tracers)
    tracer_of.insert(split_assignment("--tracer", text));
  for (const std::string& text : flags.cycles_completed) {
    cycles_of.insert(split_assignment("--cycles-completed", text));
  }
  for (const std::string& text : flags.cycle_days) {
    cycle_day_of.insert(split_assignment("--cycle-day", text));
  }
  for (PatientStudyInput& input : request.studies) {
    const std::string id = patient_study_id(input);
    if (const auto found = tracer_of.find(id); found != tracer_of.end()) {
      input.tracer = found->second;
      tracer_of.erase(found);
    }
    if (const auto found = cycles_of.find(id); found != cycles_of.end()) {
      char* end = nullptr;
      const long value = std::strtol(found->second.c_str(), &end, 10);
      if (found->second.empty() || *end != '\0' || value < 0 || value > 1000) {
        throw InvalidInputError("--cycles-completed " + id + "=" + found->second +
                                ": must be a whole number >= 0");
      }
      input.cycles_completed = static_cast<int>(value);
      cycles_of.erase(found);
    }
    if (const auto found = cycle_day_of.find(id); found != cycle_day_of.end()) {
      const auto [cycle, day] = parse_cycle_day(found->second, "--cycle-day " + id);
      input.cycle = cycle;
      input.cycle_day = day;
      cycle_day_of.erase(found);
    }
  }
  for (const auto* left : {&tracer_of, &cycles_of, &cycle_day_of}) {
    if (!left->empty()) {
      throw InvalidInputError("study id '" + left->begin()->first +
                              "' names no study (ids are the folder names or the manifest's id "
                              "column)");
    }
  }
  const std::optional<RegistrationMode> mode = parse_registration_mode(flags.registration);
  if (!mode) {
    throw InvalidInputError("--registration " + flags.registration +
                            ": must be affine, rigid or identity");
  }
  request.registration.mode = *mode;
  request.registration.min_quality = flags.min_quality;
  if (!(flags.match_distance_mm > 0)) throw InvalidInputError("--match-distance must be > 0");
  request.matching.max_centroid_distance_mm = flags.match_distance_mm;
  request.tracer_organ_exclusion = !flags.no_tracer_exclusion;
  request.analysis.extra_excluded_organs = flags.exclude_organs;
  request.analysis.method = parse_segmentation_method(flags.method);
  if (!(flags.min_volume_ml >= 0.0)) throw InvalidInputError("--min-volume must be >= 0 mL");
  request.analysis.min_volume_ml = flags.min_volume_ml;
  request.analysis.split_min_prominence =
      parse_split_prominence(flags.split_prominence, flags.no_split);
  request.analysis.breast_rule = !flags.no_breast_rule;
  request.analysis.breast_min_depth_mm = parse_breast_depth(flags.breast_depth_mm);
  request.analysis.suv = suv_options_from_flags(flags.suv);
  request.analysis.extra_settings_json = suv_flags_json(flags.suv).dump();
  if (flags.threads < 0) throw InvalidInputError("--threads must be >= 0");
  request.threads = flags.threads;
  request.analysis.threads = flags.threads;
  request.output_dir = flags.output;
  return request;
}

}  // namespace oncotrace::cli
