// `oncotrace response BASELINE FOLLOWUP... -o OUTDIR`: metabolic response across timepoints
// (PERCIST 1.0, EORTC 1999, TBCRC026, PHERGain, FLT) after registration and lesion matching
// (include/oncotrace/patient.h analyze_response, include/oncotrace/response.h, docs/response.md).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "multi_study.h"
#include "oncotrace/error.h"
#include "oncotrace/patient.h"
#include "oncotrace/report.h"
#include "oncotrace/response.h"

namespace oncotrace::cli {

CommandRunner register_response_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "response",
      "Response across timepoints: the first study is the baseline, the others follow-ups; "
      "analysis, registration and lesion matching as in `patient`, then PERCIST 1.0, EORTC "
      "1999, TBCRC026, PHERGain and FLT; writes response.json, response_changes.csv, "
      "patient.json, studies/<id>/, the series into OUTDIR/oncotrace.db, waterfall and "
      "trajectory figures and report.html");
  struct Flags {
    MultiStudyFlags common;
    std::string criteria = "percist,eortc,tbcrc026,phergain,flt";
    std::string primary_lesion;
    bool percist_strict = false;
    bool eortc_sum = false;
    bool no_report = false;
    double flt_cut_point = 52.9;
  };
  auto flags = std::make_shared<Flags>();
  add_multi_study_flags(*command, flags->common);
  command->add_option("--criteria", flags->criteria, "Comma-separated criteria")
      ->capture_default_str();
  command->add_option("--primary-lesion", flags->primary_lesion,
                      "Patient lesion id (L1, L2, ... of patient.json) of the primary breast "
                      "tumour (TBCRC026, FLT, PHERGain eligibility); default: the hottest breast "
                      "lesion (organ 'breast' by the breast rule, see --breast-depth)");
  command->add_flag("--percist-strict", flags->percist_strict,
                    "PERCIST partial response with '> 30 %' instead of the default '>= 30 %'");
  command->add_flag("--eortc-sum", flags->eortc_sum,
                    "EORTC on the sum of up to 5 lesions (2 per organ) instead of the hottest "
                    "baseline lesion");
  command
      ->add_option("--flt-cut-point", flags->flt_cut_point,
                   "FLT: relative SUVmax decrease of the primary tumour (percent, between 0 and "
                   "100 exclusive) at or above which a follow-up is flagged 'FLT response per "
                   "Crippa 2015' (published split point 52.9)")
      ->capture_default_str();
  command->add_flag("--no-report", flags->no_report,
                    "Do not write the figures (waterfall_<n>, trajectory; PNG and SVG) and "
                    "report.html");

  return [flags, arguments]() {
    PatientRequest request = patient_request_from_flags(flags->common);
    check_analysis_options_for_inputs(flags->common, request);
    request.command = "response";
    request.arguments = arguments;
    ResponseOptions options;
    options.criteria.clear();
    std::stringstream list(flags->criteria);
    std::string name;
    while (std::getline(list, name, ',')) {
      const std::optional<ResponseCriterion> criterion = parse_response_criterion(name);
      if (!criterion) {
        throw InvalidInputError("--criteria: unknown criterion '" + name +
                                "' (percist, eortc, tbcrc026, phergain, flt)");
      }
      options.criteria.push_back(*criterion);
    }
    if (!std::isfinite(flags->flt_cut_point) || flags->flt_cut_point <= 0.0 ||
        flags->flt_cut_point >= 100.0) {
      std::ostringstream given;
      given << flags->flt_cut_point;
      throw InvalidInputError("--flt-cut-point " + given.str() +
                              ": must be a percent decrease between 0 and 100 (exclusive), e.g. "
                              "52.9 (Crippa 2015) for a 52.9 % decrease of SUVmax");
    }
    options.flt.cut_point_percent = -flags->flt_cut_point;
    options.primary_tumour_id = flags->primary_lesion;
    if (flags->percist_strict) options.percist.pmr_operator = ComparisonOperator::kMoreThan;
    if (flags->eortc_sum) options.eortc.aggregation = EortcAggregation::kSumOfTargets;

    const PatientResponse result = analyze_response(request, options);
    std::printf("response: baseline %s, %zu follow-up%s, %zu lesions\n",
                result.patient.reference_study.c_str(), result.patient.studies.size() - 1,
                result.patient.studies.size() == 2 ? "" : "s", result.patient.lesions.size());
    for (const ResponseAssessment& assessment : result.report.assessments) {
      std::printf("  %-18s %-30s %s\n", assessment.follow_up_label.c_str(),
                  assessment.title.c_str(), assessment.category.c_str());
    }
    print_steps_and_files(result.patient.timings, result.written_files);
    // Figures of an earlier run would contradict the new results: replaced, or removed with
    // --no-report (refresh_report does the same for report.html).
    const std::filesystem::path output = request.output_dir;
    std::error_code ignored;
    std::vector<std::filesystem::path> stale;
    for (const auto& entry : std::filesystem::directory_iterator(output, ignored)) {
      const std::string file_name = entry.path().filename().string();
      if (file_name.rfind("waterfall_", 0) == 0 || file_name.rfind("trajectory.", 0) == 0) {
        stale.push_back(entry.path());
      }
    }
    for (const auto& file : stale) std::filesystem::remove(file, ignored);
    return refresh_report(output, !flags->no_report, "response",
                          [&] { return write_response_figures(output, output); });
  };
}

}  // namespace oncotrace::cli
