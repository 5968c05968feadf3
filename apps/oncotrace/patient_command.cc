// `oncotrace patient STUDY... -o OUTDIR`: the studies of one patient (tracers, timepoints)
// registered, lesions matched, per-lesion receptor status and heterogeneity
// (include/oncotrace/patient.h, docs/cli.md); with --radiomics, each study's per-lesion IBSI
// features as `analyze --radiomics` writes them.
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "multi_study.h"
#include "oncotrace/error.h"
#include "oncotrace/patient.h"

namespace oncotrace::cli {

CommandRunner register_patient_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "patient",
      "Analyse the studies of one patient together (e.g. FDG, FES and 89Zr-trastuzumab): "
      "per-study analysis, registration to a reference study, lesion matching, per-lesion "
      "receptor status, heterogeneity and pathology comparison; writes patient.json, "
      "patient_lesions.csv and studies/<id>/ to OUTDIR");
  struct Flags {
    MultiStudyFlags common;
    std::string clinical;
    bool no_lesion_findings = false;
    std::string reference;
    std::string fdg_avidity = "percist-liver";
    std::vector<std::string> operators;
    double dominant_fraction = 0.5;
    bool no_report = false;
    std::string radiomics;
  };
  auto flags = std::make_shared<Flags>();
  add_multi_study_flags(*command, flags->common);
  command->add_option("--clinical", flags->clinical,
                      "Clinical JSON (docs/clinical.md): pathology, staging; a specimen's "
                      "location_lps_mm links it to an imaging lesion");
  command->add_flag("--no-lesion-findings", flags->no_lesion_findings,
                    "Do not add the baseline lesions found in distant organs (bone, liver, lung, "
                    "brain, spleen, kidney) to the clinical file's imaging findings for the "
                    "imaging-suspected upstaging");
  command->add_option("--reference", flags->reference,
                      "Id of the reference study (default: the first FDG study, else the first)");
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
  add_radiomics_option(*command, flags->radiomics, "to each OUTDIR/studies/<id>/");
  command->add_flag("--no-report", flags->no_report,
                    "Do not write report.html (studies, projections, lesion table, heterogeneity "
                    "figures, precision summary)");

  return [flags, arguments]() {
    PatientRequest request = patient_request_from_flags(flags->common);
    check_analysis_options_for_inputs(flags->common, request);
    if (!flags->clinical.empty()) request.clinical = flags->clinical;
    request.lesion_imaging_findings = !flags->no_lesion_findings;
    request.reference_study = flags->reference;
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
    request.command = "patient";
    request.arguments = arguments;
    apply_radiomics_option(flags->radiomics, request.analysis);

    const PatientResult result = analyze_patient(request);

    std::printf("patient: %zu studies, %zu lesions, reference %s\n", result.studies.size(),
                result.lesions.size(), result.reference_study.c_str());
    for (const PatientStudyResult& study : result.studies) {
      std::printf("  %-20s %-10s %3zu lesions  correlation %s -> %s  %s\n", study.input.id.c_str(),
                  study.tracer_id.c_str(), study.analysis.lesions.size(),
                  format_number(study.registration.quality_before, 3).c_str(),
                  format_number(study.registration.quality_after, 3).c_str(),
                  study.registration.method.c_str());
      print_radiomics_summary(request.analysis, study.analysis, "    ");
    }
    for (const HeterogeneitySummary& summary : result.heterogeneity) {
      std::printf("  %s (%s): %zu positive, %zu negative, %zu not assessable%s\n",
                  summary.tracer_id.c_str(), summary.target.c_str(), summary.positive,
                  summary.negative, summary.not_assessable,
                  summary.heterogeneous && *summary.heterogeneous ? "; heterogeneous" : "");
    }
    print_steps_and_files(result.timings, result.written_files);
    return refresh_report(request.output_dir, !flags->no_report, "patient");
  };
}

}  // namespace oncotrace::cli
