// `response` on three FDG timepoints of the whole-body simulated patient, starting from `analyze`
// output folders (issue 7, "Benchmark"; goal < 10 s with registration). Phantom preset
// `wholebody` (200 x 200 x 400 PET voxels at 2.6 x 2.6 x 2 mm, CT 400 x 400 x 400) with
// `--fdg-timepoints 3` (set_fdg_timepoints): FDG baseline, follow-up and second follow-up with
// different patient positions and frames of reference, so two CT-to-CT registrations. Setup
// (not timed): the studies are generated once below $ONCOTRACE_BENCH_DIR or the system temporary
// folder and analysed once by `response` on the study folders, whose studies/<id>/ are the
// analyze output folders of the timed runs; everything is removed at exit.
//
// Timed: analyze_response on the three analyze output folders (lesions.json and labels.nii.gz
// read, PET and CT re-loaded from DICOM, registration, matching, carried-over VOIs, all five
// criteria, response.json and CSV written; results store off). Counters: seconds per step of
// analyze_patient (analyze_studies is the re-loading here).
//
//   nice build/bench/oncotrace_response_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "bench_support.h"
#include "oncotrace/patient.h"
#include "oncotrace/phantom.h"

namespace oncotrace {
namespace {

struct AnalysedSeries {
  BenchScratchFolder scratch{"response"};
  const std::filesystem::path& folder = scratch.path();
  std::vector<PatientStudyInput> analyze_outputs;  // baseline, follow-up, second follow-up
};

const AnalysedSeries& analysed_series() {
  static const std::unique_ptr<AnalysedSeries> kSeries = [] {
    auto out = std::make_unique<AnalysedSeries>();
    PhantomRequest phantom;
    phantom.kind = PhantomKind::kPatient;
    phantom.seed = 11;
    phantom.grid = *phantom_grid_preset("wholebody");
    set_fdg_timepoints(phantom.patient, 3);
    std::vector<StudySpec> fdg;
    for (const StudySpec& study : phantom.patient.studies) {
      if (study.tracer == "fdg") fdg.push_back(study);
    }
    phantom.patient.studies = fdg;  // fdg_baseline, fdg_followup, fdg_followup2
    const PhantomResult generated = generate_phantom(phantom, out->folder / "phantom");
    PatientRequest from_studies;
    for (const PhantomStudyOutput& study : generated.studies) {
      PatientStudyInput input;
      input.path = study.emission_folder.parent_path();
      from_studies.studies.push_back(input);
    }
    from_studies.output_dir = out->folder / "analysed";
    from_studies.analysis.store_results = false;
    const PatientResponse analysed = analyze_response(from_studies, ResponseOptions{});
    for (const PatientStudyResult& study : analysed.patient.studies) {
      PatientStudyInput input;
      input.path = from_studies.output_dir / "studies" / study.input.id;
      out->analyze_outputs.push_back(input);
    }
    return out;
  }();
  return *kSeries;
}

void BM_ResponseWholeBodyThreeTimepointsFromAnalyzeOutputs(benchmark::State& state) {
  const AnalysedSeries& series = analysed_series();
  PatientRequest request;
  request.studies = series.analyze_outputs;
  request.output_dir = series.folder / "response";
  request.analysis.store_results = false;
  std::map<std::string, double> totals;
  for (auto _ : state) {
    const PatientResponse result = analyze_response(request, ResponseOptions{});
    add_stage_seconds(result.patient.timings, totals);
    benchmark::DoNotOptimize(result.report.assessments.size());
  }
  report_stage_seconds(state, totals);
}
BENCHMARK(BM_ResponseWholeBodyThreeTimepointsFromAnalyzeOutputs)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace oncotrace

BENCHMARK_MAIN();
