// `patient` on a whole-body simulated patient (issue 6, "Benchmark"): phantom preset `wholebody`
// (200 x 200 x 400 PET voxels at 2.6 x 2.6 x 2 mm, CT 400 x 400 x 400), FDG, FES and
// 89Zr-trastuzumab baseline studies with different patient positions and frames of reference
// (two CT-to-CT registrations). The studies are generated once below $ONCOTRACE_BENCH_DIR or the
// system temporary folder and removed at exit.
//
// Reported per iteration (counters, seconds): each step of analyze_patient (analyze_studies,
// registration, matching, measure_across_studies, writing). Goal: total < 20 s on 2 cores.
// BM_ResponseWholeBodyTwoTimepoints: `response` on the FDG baseline and follow-up (issue 7;
// goal < 10 s with registration; from study folders; three timepoints from analyze outputs:
// bench/response_bench.cc).
//
//   build/bench/oncotrace_patient_bench --benchmark_repetitions=3
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

struct GeneratedPatient {
  BenchScratchFolder scratch{"patient"};
  const std::filesystem::path& folder = scratch.path();
  PhantomResult phantom;
};

const GeneratedPatient& wholebody_patient() {
  static const std::unique_ptr<GeneratedPatient> kPatient = [] {
    auto out = std::make_unique<GeneratedPatient>();
    PhantomRequest request;
    request.kind = PhantomKind::kPatient;
    request.seed = 11;
    request.grid = *phantom_grid_preset("wholebody");
    // fdg_baseline, fes_baseline, zr89tras_baseline, fdg_followup
    request.patient.studies.resize(4);
    out->phantom = generate_phantom(request, out->folder / "phantom");
    return out;
  }();
  return *kPatient;
}

// The generated studies with these ids, in this order.
std::vector<PatientStudyInput> study_inputs(const GeneratedPatient& patient,
                                            const std::vector<std::string>& ids) {
  std::vector<PatientStudyInput> inputs;
  for (const std::string& id : ids) {
    for (const PhantomStudyOutput& study : patient.phantom.studies) {
      if (study.id != id) continue;
      PatientStudyInput input;
      input.path = study.emission_folder.parent_path();
      inputs.push_back(input);
    }
  }
  return inputs;
}

void BM_PatientWholeBodyThreeStudies(benchmark::State& state) {
  const GeneratedPatient& patient = wholebody_patient();
  PatientRequest request;
  request.studies = study_inputs(patient, {"fdg_baseline", "fes_baseline", "zr89tras_baseline"});
  request.output_dir = patient.folder / "out";
  request.analysis.store_results = false;
  std::map<std::string, double> totals;
  for (auto _ : state) {
    const PatientResult result = analyze_patient(request);
    add_stage_seconds(result.timings, totals);
    benchmark::DoNotOptimize(result.lesions.size());
  }
  report_stage_seconds(state, totals);
}
BENCHMARK(BM_PatientWholeBodyThreeStudies)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// `response` on the FDG baseline and follow-up (one registration), all five criteria.
void BM_ResponseWholeBodyTwoTimepoints(benchmark::State& state) {
  const GeneratedPatient& patient = wholebody_patient();
  PatientRequest request;
  request.studies = study_inputs(patient, {"fdg_baseline", "fdg_followup"});
  request.output_dir = patient.folder / "response";
  request.analysis.store_results = false;
  std::map<std::string, double> totals;
  for (auto _ : state) {
    const PatientResponse result = analyze_response(request, ResponseOptions{});
    add_stage_seconds(result.patient.timings, totals);
    benchmark::DoNotOptimize(result.report.assessments.size());
  }
  report_stage_seconds(state, totals);
}
BENCHMARK(BM_ResponseWholeBodyTwoTimepoints)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace oncotrace

BENCHMARK_MAIN();
