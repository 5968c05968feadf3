// End-to-end `analyze` of a whole-body simulated patient (issue 5, "Benchmark"): phantom preset
// `wholebody` (200 x 200 x 400 PET voxels at 2.6 x 2.6 x 2 mm, CT 400 x 400 x 400), the default
// patient plus 11 extra lesions (20 lesions), FDG baseline, with noise. The study is generated
// once (first benchmark set-up) below $ONCOTRACE_BENCH_DIR or the system temporary folder and
// removed at exit.
//
// Reported per iteration (counters, seconds): every stage of analyze_study (load, suv,
// reference_regions, segmentation, metrics, writing) and `peaks_s`, the time of the five SUVpeak
// variants for all lesions (measure_lesions with the five peaks minus measure_lesions without
// peaks on the same label map), and `radiomics_s`, the radiomics stage with --radiomics pet-default
// (BM_RadiomicsAllLesions). Goals: total < 3 s on 2 cores; SUVpeak for all lesions < 100 ms;
// radiomics of all lesions < 1 s.
//
//   build-analyze/bench/oncotrace_analyze_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "bench_support.h"
#include "oncotrace/dicom.h"
#include "oncotrace/measure.h"
#include "oncotrace/phantom.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/suv.h"

namespace oncotrace {
namespace {

struct GeneratedStudy {
  BenchScratchFolder scratch{"analyze"};
  const std::filesystem::path& folder = scratch.path();
  PhantomResult phantom;
};

const GeneratedStudy& wholebody_study() {
  static const std::unique_ptr<GeneratedStudy> kStudy = [] {
    auto out = std::make_unique<GeneratedStudy>();
    PhantomRequest request;
    request.kind = PhantomKind::kPatient;
    request.seed = 11;
    request.grid = *phantom_grid_preset("wholebody");
    request.patient.studies.resize(1);  // fdg_baseline
    // 11 more FDG-avid spheres in the trunk: 20 lesions.
    const struct {
      Vec3 centre;
      double radius;
    } extra[] = {{{60, -20, 380}, 7}, {{-60, -10, 400}, 6}, {{30, 40, 350}, 8}, {{-40, 50, 200}, 9},
                 {{70, 20, 250}, 6},  {{-20, -60, 430}, 7}, {{100, 0, 340}, 6}, {{-110, 0, 380}, 8},
                 {{20, 0, 180}, 7},   {{-50, -40, 500}, 6}, {{0, -40, 240}, 8}};
    int index = 0;
    for (const auto& item : extra) {
      LesionSpec lesion;
      lesion.name = "bench_extra_" + std::to_string(++index);
      lesion.site = "soft_tissue";
      lesion.centre_mm = item.centre;
      lesion.semi_axes_mm = {item.radius, item.radius, item.radius};
      lesion.fdg_avidity = index % 2 == 0 ? FdgAvidity::kModerate : FdgAvidity::kHigh;
      request.patient.lesions.push_back(lesion);
    }
    const auto start = std::chrono::steady_clock::now();
    out->phantom = generate_phantom(request, out->folder);
    std::fprintf(stderr, "generated the whole-body study in %.1f s (%zu lesions) below %s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                 request.patient.lesions.size(), out->folder.string().c_str());
    return out;
  }();
  return *kStudy;
}

AnalysisRequest bench_request(const GeneratedStudy& study, const std::filesystem::path& out) {
  AnalysisRequest request;
  request.study = study.phantom.studies.front().emission_folder.parent_path();  // PT + CT
  request.ct = CtSelection::kAuto;
  request.output_dir = out;
  return request;
}

void BM_AnalyzeWholeBody(benchmark::State& state) {
  const GeneratedStudy& study = wholebody_study();
  const std::filesystem::path out = study.folder / "analysis";
  std::map<std::string, double> stage_seconds;
  size_t lesions = 0;
  for (auto _ : state) {
    const AnalysisResult result = analyze_study(bench_request(study, out));
    add_stage_seconds(result.timings, stage_seconds);
    lesions = result.lesions.size();
  }
  report_stage_seconds(state, stage_seconds);
  state.counters["lesions"] = static_cast<double>(lesions);
}
BENCHMARK(BM_AnalyzeWholeBody)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// SUVpeak (five variants) for every lesion of the default detection: measure_lesions with the
// five peaks minus measure_lesions without peaks, on the same SUV image and label map.
void BM_PeaksAllLesions(benchmark::State& state) {
  const GeneratedStudy& study = wholebody_study();
  AnalysisRequest request = bench_request(study, {});
  request.ct = CtSelection::kNone;
  const AnalysisResult analysis = analyze_study(request);
  const DiscoveryResult discovery = discover_dicom(study.phantom.studies.front().emission_folder);
  const ImageSeries pet = load_series(select_series(discovery, "", "bench"));
  const ImageVolume suv =
      apply_suv(pet.frames.front(), plan_suv(pet.header, pet.frames.front(), SuvOptions{}));
  LesionMetricsOptions with_peaks;
  with_peaks.peaks = AnalysisRequest{}.peaks;
  with_peaks.compute_longest_diameter = false;
  LesionMetricsOptions without_peaks = with_peaks;
  without_peaks.peaks = {};
  double peak_seconds = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(measure_lesions(suv, analysis.labels, with_peaks));
    const auto middle = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(measure_lesions(suv, analysis.labels, without_peaks));
    const auto end = std::chrono::steady_clock::now();
    peak_seconds += std::chrono::duration<double>(middle - start).count() -
                    std::chrono::duration<double>(end - middle).count();
  }
  state.counters["peaks_s"] = benchmark::Counter(peak_seconds, benchmark::Counter::kAvgIterations);
  state.counters["lesions"] = static_cast<double>(analysis.lesions.size());
}
BENCHMARK(BM_PeaksAllLesions)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// IBSI radiomics of every lesion (`analyze --radiomics pet-default`, issue 9: goal < 1 s on 2
// cores): the radiomics stage of analyze_study with the default organ stage (brain, bladder,
// kidneys and heart excluded: without it they are "lesions" of 0.1-1.5 L), without CT.
void BM_RadiomicsAllLesions(benchmark::State& state) {
  const GeneratedStudy& study = wholebody_study();
  AnalysisRequest request = bench_request(study, {});
  request.ct = CtSelection::kNone;
  request.radiomics = radiomics::radiomics_preset("pet-default");
  request.radiomics_config = "pet-default";
  double radiomics_seconds = 0.0;
  size_t lesions = 0, computed = 0;
  for (auto _ : state) {
    const AnalysisResult result = analyze_study(request);
    for (const StageTiming& timing : result.timings) {
      if (timing.stage == "radiomics") radiomics_seconds += timing.seconds;
    }
    lesions = result.lesions.size();
    computed = 0;
    for (const LesionResult& lesion : result.lesions) computed += lesion.radiomics ? 1 : 0;
  }
  state.counters["radiomics_s"] =
      benchmark::Counter(radiomics_seconds, benchmark::Counter::kAvgIterations);
  state.counters["lesions"] = static_cast<double>(lesions);
  state.counters["with_features"] = static_cast<double>(computed);
}
BENCHMARK(BM_RadiomicsAllLesions)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace oncotrace

BENCHMARK_MAIN();
