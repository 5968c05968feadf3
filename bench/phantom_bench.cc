// Phantom generator benchmark: one study of the digital patient on the "wholebody" grid
// (200 x 200 x 400 PET voxels of 2.6 x 2.6 x 2 mm, CT 400 x 400 x 400), whole and by stage:
// rasterisation with partial volume (PET and CT grids), Gaussian PSF blur, counting noise, CT
// noise, and DICOM writing of the PET and CT series. Goal (issue 4): one PET/CT study in
// seconds on 2 cores. Run with a thread count of your choice:
//   build/bench/oncotrace_phantom_bench --benchmark_min_time=1x
//   build/bench/oncotrace_phantom_bench --threads=1 --benchmark_min_time=1x
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_support.h"
#include "oncotrace/phantom.h"
#include "phantom/anatomy.h"
#include "phantom/dicom_writer.h"
#include "phantom/image_physics.h"
#include "phantom/scene.h"
#include "phantom/simulate.h"
#include "phantom/uid.h"

namespace {

using namespace oncotrace;  // NOLINT(build/namespaces): benchmark file

// Output below a fresh scratch folder, removed at exit.
const BenchScratchFolder& scratch() {
  static const BenchScratchFolder kFolder("phantom", /*create=*/true);
  return kFolder;
}

PhantomRequest wholebody_request() {
  PhantomRequest request;
  request.grid = *phantom_grid_preset("wholebody");
  request.patient.studies.resize(1);  // FDG baseline, GE style
  return request;
}

// The inputs of the stages: the patient scene and the grids of the FDG baseline study.
struct Stages {
  PhantomRequest request = wholebody_request();
  phantom::PatientScene scene;
  Geometry emission;
  Geometry ct;
  std::vector<double> bq_per_ml;
  std::vector<double> hu;
  ImageVolume truth;
  ImageVolume blurred;
  ImageVolume ct_hu;
};

const Stages& stages() {
  static const Stages kBuilt = [] {
    Stages s;
    s.scene = phantom::build_patient_scene(s.request.patient, "baseline", {0, 0, 0});
    s.emission = phantom::emission_grid(s.request.grid, {0, 0, 400});
    s.ct = phantom::ct_grid(s.emission, s.request.grid.ct_inplane_factor);
    // Plausible values per region (the stage timings do not depend on them).
    for (size_t r = 0; r < s.scene.scene.regions.size(); ++r) {
      s.bq_per_ml.push_back(r == 0 ? 0.0 : 5000.0 + 100.0 * static_cast<double>(r));
      s.hu.push_back(r == 0 ? -1000.0 : -100.0 + 10.0 * static_cast<double>(r));
    }
    const phantom::RegionFractions fractions =
        phantom::rasterize_scene(s.scene.scene, s.emission, s.request.physics.supersampling);
    s.truth = phantom::region_values_image(fractions, s.bq_per_ml);
    s.blurred = phantom::gaussian_blur(s.truth, s.request.physics.pet_psf_fwhm_mm);
    const phantom::RegionFractions ct_fractions =
        phantom::rasterize_scene(s.scene.scene, s.ct, s.request.physics.supersampling);
    s.ct_hu = phantom::region_values_image(ct_fractions, s.hu);
    return s;
  }();
  return kBuilt;
}

// Runs the benchmark under a TBB thread limit (the "threads" argument, 0 = TBB default).
std::unique_ptr<tbb::global_control> limit_threads(const benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  if (threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<size_t>(threads));
}

void BM_WholeBodyStudyWithCt(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const PhantomRequest request = wholebody_request();
  for (auto _ : state) {
    const PhantomResult result = generate_phantom(request, scratch().path() / "study");
    benchmark::DoNotOptimize(result.studies.size());
  }
}

void BM_RasterisePet(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    const phantom::RegionFractions fractions =
        phantom::rasterize_scene(s.scene.scene, s.emission, s.request.physics.supersampling);
    benchmark::DoNotOptimize(fractions.mixed.size());
  }
}

void BM_RasteriseCt(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    const phantom::RegionFractions fractions =
        phantom::rasterize_scene(s.scene.scene, s.ct, s.request.physics.supersampling);
    benchmark::DoNotOptimize(fractions.mixed.size());
  }
}

void BM_PsfBlurPet(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    const ImageVolume blurred = phantom::gaussian_blur(s.truth, s.request.physics.pet_psf_fwhm_mm);
    benchmark::DoNotOptimize(blurred.values.data());
  }
}

void BM_CountingNoisePet(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    ImageVolume noisy = s.blurred;
    phantom::add_counting_noise(&noisy, 0.5, 7);
    benchmark::DoNotOptimize(noisy.values.data());
  }
}

void BM_GaussianNoiseCt(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    ImageVolume noisy = s.ct_hu;
    phantom::add_gaussian_noise(&noisy, 10.0, 7);
    benchmark::DoNotOptimize(noisy.values.data());
  }
}

phantom::DicomPatientInfo bench_patient() {
  return {"BENCH^PHANTOM", "BENCH1", "F", make_datetime(1968, 5, 14), 68.0, 1.65};
}

phantom::DicomStudyInfo bench_study() {
  return {phantom::make_phantom_uid(1, "bench study"), "B1", "ACC1", "bench",
          make_datetime(2024, 3, 4, 9, 30)};
}

phantom::DicomSeriesInfo bench_series(const std::string& purpose) {
  phantom::DicomSeriesInfo series;
  series.series_uid = phantom::make_phantom_uid(1, purpose);
  series.frame_of_reference_uid = phantom::make_phantom_uid(1, "bench frame");
  series.description = purpose;
  series.series_datetime = make_datetime(2024, 3, 4, 9, 42);
  series.seed = 1;
  series.uid_purpose = purpose;
  return series;
}

void BM_WritePetSeries(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  phantom::IsotopeInfo isotope;
  isotope.radiopharmaceutical = "Fluorodeoxyglucose";
  isotope.nuclide = find_nuclide_by_name("F-18");
  isotope.injection = make_datetime(2024, 3, 4, 8, 40);
  isotope.injected_activity_bq = 245e6;
  isotope.frame_duration_s = 900.0;
  for (auto _ : state) {
    const phantom::WrittenSeries written =
        phantom::write_pet_series(s.blurred, bench_patient(), bench_study(),
                                  bench_series("bench PT"), isotope, scratch().path() / "PT");
    benchmark::DoNotOptimize(written.files.size());
  }
}

void BM_WriteCtSeries(benchmark::State& state) {
  const auto limit = limit_threads(state);
  const Stages& s = stages();
  for (auto _ : state) {
    const phantom::WrittenSeries written = phantom::write_ct_series(
        s.ct_hu, bench_patient(), bench_study(), bench_series("bench CT"), scratch().path() / "CT");
    benchmark::DoNotOptimize(written.files.size());
  }
}

// Argument: TBB threads (1, 2; 0 = TBB default).
#define PHANTOM_BENCH(name) \
  BENCHMARK(name)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()

PHANTOM_BENCH(BM_WholeBodyStudyWithCt);
PHANTOM_BENCH(BM_RasterisePet);
PHANTOM_BENCH(BM_RasteriseCt);
PHANTOM_BENCH(BM_PsfBlurPet);
PHANTOM_BENCH(BM_CountingNoisePet);
PHANTOM_BENCH(BM_GaussianNoiseCt);
PHANTOM_BENCH(BM_WritePetSeries);
PHANTOM_BENCH(BM_WriteCtSeries);

}  // namespace

BENCHMARK_MAIN();
