// `oncotrace patient STUDY... -o OUTDIR`: the studies of one patient (tracers, timepoints)
// registered, lesions matched, per-lesion receptor status and heterogeneity
// (include/oncotrace/patient.h, docs/cli.md).
#include <cstdio>
#include <map>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/patient.h"

namespace oncotrace::cli {
namespace {

std::pair<std::string, std::string> split_assignment(const std::string& flag,
                                                     const std::string& text) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw InvalidInputError(flag + " '" + text + "': expected NAME=VALUE");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

}  // namespace

CommandRunner register_patient_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "patient",
      "Analyse the studies of one patient together (e.g. FDG, FES and 89Zr-trastuzumab): "
      "per-study analysis, registration to a reference study, lesion matching, per-lesion "
      "receptor status, heterogeneity and pathology comparison; writes patient.json, "
      "patient_lesions.csv and studies/<id>/ to OUTDIR");
  struct Flags {
    std::vector<std::string> studies;
    std::string output;
    std::string manifest;
    std::string clinical;
    std::string reference;
    std::vector<std::string> tracers;
    std::string registration = "affine";
    double min_quality = 0.5;
    double match_distance_mm = 20.0;
    std::string fdg_avidity = "percist-liver";
    std::vector<std::string> operators;
    double dominant_fraction = 0.5;
    bool no_tracer_exclusion = false;
    std::vector<std::string> exclude_organs;
    std::string method = "fixed:2.5";
    double min_volume_ml = 0.5;
    int threads = 0;
    SuvFlags suv;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("STUDY", flags->studies, "DICOM folders, one per study (PET/SPECT + CT)");
  command->add_option("-o,--output", flags->output, "Output folder")->required();
  command->add_option("--manifest", flags->manifest,
                      "CSV with a header row: path (required), id, tracer, timepoint, date, "
                      "patient; instead of or after the STUDY folders");
  command->add_option("--clinical", flags->clinical,
                      "Clinical JSON (docs/clinical.md): pathology, staging; a specimen's "
                      "location_lps_mm links it to an imaging lesion");
  command->add_option("--reference", flags->reference,
                      "Id of the reference study (default: the first FDG study, else the first)");
  command->add_option("--tracer", flags->tracers,
                      "ID=TRACER: catalogue tracer of a study (repeatable), when DICOM does not "
                      "name it");
  command
      ->add_option("--registration", flags->registration,
                   "affine (rigid then affine), rigid, or identity (studies already aligned); "
                   "studies sharing a frame of reference are never registered")
      ->capture_default_str();
  command
      ->add_option("--min-registration-quality", flags->min_quality,
                   "Refuse a registration whose image correlation is below this")
      ->capture_default_str();
  command
      ->add_option("--match-distance", flags->match_distance_mm,
                   "Lesions farther apart than this (mm, after registration) are never matched")
      ->capture_default_str();
  command
      ->add_option("--fdg-avidity", flags->fdg_avidity,
                   "FDG avidity rule: percist-liver (SULpeak >= 1.5 x liver SULmean + 2 SD), "
                   "suvmax:T, or detected")
      ->capture_default_str();
  command->add_option("--threshold-operator", flags->operators,
                      "OPTION=OP: operator of a catalogue rule, e.g. fes_threshold_operator=> "
                      "(repeatable)");
  command
      ->add_option("--dominant-fraction", flags->dominant_fraction,
                   "ZEPHIR-style category: HER2-positive fraction of the FDG-avid lesions above "
                   "which the patient is 'entire or dominant part'")
      ->capture_default_str();
  command->add_flag("--no-tracer-exclusion", flags->no_tracer_exclusion,
                    "Do not exclude each tracer's catalogue organs (e.g. liver for FES) from "
                    "detection");
  command->add_option("--exclude-organ", flags->exclude_organs,
                      "Also exclude this canonical organ from detection in every study");
  command->add_option("--method", flags->method, "Detection method of every study (see analyze)")
      ->capture_default_str();
  command->add_option("--min-volume", flags->min_volume_ml, "Minimum lesion volume in mL")
      ->capture_default_str();
  command->add_option("--threads", flags->threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  add_suv_flags(*command, flags->suv);

  return [flags, arguments]() {
    PatientRequest request;
    for (const std::string& study : flags->studies) {
      PatientStudyInput input;
      input.path = study;
      request.studies.push_back(input);
    }
    if (!flags->manifest.empty()) {
      for (PatientStudyInput& input : read_patient_manifest(flags->manifest)) {
        request.studies.push_back(std::move(input));
      }
    }
    if (request.studies.empty()) {
      throw InvalidInputError("oncotrace patient: give study folders or --manifest FILE.csv");
    }
    std::map<std::string, std::string> tracer_of;
    for (const std::string& text : flags->tracers) {
      tracer_of.insert(split_assignment("--tracer", text));
    }
    for (PatientStudyInput& input : request.studies) {
      std::filesystem::path path = input.path;
      if (path.filename().empty()) path = path.parent_path();
      const std::string id = input.id.empty() ? path.filename().string() : input.id;
      const auto found = tracer_of.find(id);
      if (found != tracer_of.end()) {
        input.tracer = found->second;
        tracer_of.erase(found);
      }
    }
    if (!tracer_of.empty()) {
      throw InvalidInputError("--tracer " + tracer_of.begin()->first +
                              "=...: no study has this id (ids are the folder names or the "
                              "manifest's id column)");
    }
    if (!flags->clinical.empty()) request.clinical = flags->clinical;
    request.reference_study = flags->reference;
    const std::optional<RegistrationMode> mode = parse_registration_mode(flags->registration);
    if (!mode) {
      throw InvalidInputError("--registration " + flags->registration +
                              ": must be affine, rigid or identity");
    }
    request.registration.mode = *mode;
    request.registration.min_quality = flags->min_quality;
    if (!(flags->match_distance_mm > 0)) throw InvalidInputError("--match-distance must be > 0");
    request.matching.max_centroid_distance_mm = flags->match_distance_mm;
    request.fdg_avidity = parse_fdg_avidity_rule(flags->fdg_avidity);
    for (const std::string& text : flags->operators) {
      auto [name, op] = split_assignment("--threshold-operator", text);
      if (op != ">=" && op != ">" && op != "<=" && op != "<") {
        throw InvalidInputError("--threshold-operator " + text +
                                ": operator must be >=, >, <= or <");
      }
      request.status.operator_overrides[name] = op;
    }
    if (!(flags->dominant_fraction >= 0 && flags->dominant_fraction < 1)) {
      throw InvalidInputError("--dominant-fraction must be in [0, 1)");
    }
    request.heterogeneity.dominant_fraction = flags->dominant_fraction;
    request.tracer_organ_exclusion = !flags->no_tracer_exclusion;
    request.analysis.extra_excluded_organs = flags->exclude_organs;
    request.analysis.method = parse_segmentation_method(flags->method);
    if (!(flags->min_volume_ml >= 0.0)) throw InvalidInputError("--min-volume must be >= 0 mL");
    request.analysis.min_volume_ml = flags->min_volume_ml;
    request.analysis.suv = suv_options_from_flags(flags->suv);
    request.analysis.extra_settings_json = suv_flags_json(flags->suv).dump();
    if (flags->threads < 0) throw InvalidInputError("--threads must be >= 0");
    request.threads = flags->threads;
    request.analysis.threads = flags->threads;
    request.output_dir = flags->output;
    request.command = "patient";
    request.arguments = arguments;

    const PatientResult result = analyze_patient(request);

    std::printf("patient: %zu studies, %zu lesions, reference %s\n", result.studies.size(),
                result.lesions.size(), result.reference_study.c_str());
    for (const PatientStudyResult& study : result.studies) {
      std::printf("  %-20s %-10s %3zu lesions  registration %s (correlation %s -> %s)\n",
                  study.input.id.c_str(), study.tracer_id.c_str(), study.analysis.lesions.size(),
                  study.registration.method.substr(0, 40).c_str(),
                  format_number(study.registration.quality_before, 3).c_str(),
                  format_number(study.registration.quality_after, 3).c_str());
    }
    for (const HeterogeneitySummary& summary : result.heterogeneity) {
      std::printf("  %s (%s): %zu positive, %zu negative, %zu not assessable%s\n",
                  summary.tracer_id.c_str(), summary.target.c_str(), summary.positive,
                  summary.negative, summary.not_assessable,
                  summary.heterogeneous && *summary.heterogeneous ? "; heterogeneous" : "");
    }
    std::string timing;
    for (const StageTiming& stage : result.timings) {
      timing += " " + stage.stage + " " + format_number(stage.seconds, 3) + " s;";
    }
    std::printf("  steps:%s\n", timing.c_str());
    for (const auto& path : result.written_files) std::printf("wrote %s\n", path.string().c_str());
    std::printf(
        "Research use only: measurements and annotations, not treatment recommendations.\n");
    return 0;
  };
}

}  // namespace oncotrace::cli
