// SUVpeak benchmark: 20 spherical lesions of radius 4-40 mm (0.3-268 mL) in a 200 x 200 x 400
// volume of 2 mm voxels (the 1 mL sphere then holds 123 voxel centres), the lesion metrics of
// measure_lesions with the default IBSI global peak, with all five peak variants, and with the
// longest diameter. Goal: < 100 ms for the default peak. Run:
//   build/bench/oncotrace_measure_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <random>
#include <vector>

#include "oncotrace/measure.h"

namespace {

constexpr int64_t kColumns = 200;
constexpr int64_t kRows = 200;
constexpr int64_t kSlices = 400;
constexpr int kLesions = 20;

struct Scene {
  oncotrace::ImageVolume image;
  oncotrace::LabelMap lesions;
  size_t lesion_voxels = 0;
};

// Lesion n sits on a 2 x 2 x 5 lattice 80 voxels (160 mm) apart, radius 4 + 36 n / 19 mm.
const Scene& scene() {
  static const Scene kBuilt = [] {
    oncotrace::Geometry grid;
    grid.size = {kColumns, kRows, kSlices};
    grid.spacing_mm = {2.0, 2.0, 2.0};
    grid.origin_mm = {-200.0, -200.0, -800.0};
    Scene made{oncotrace::ImageVolume(grid, 0.0f), oncotrace::LabelMap(grid, 0), 0};
    std::mt19937 random(2024);
    std::uniform_real_distribution<float> noise(0.6f, 1.4f);
    for (float& value : made.image.values) value = noise(random);
    for (int n = 0; n < kLesions; ++n) {
      const oncotrace::Index3 centre{50 + 100 * (n % 2), 50 + 100 * ((n / 2) % 2),
                                     40 + 80 * (n / 4)};
      const double radius_mm = 4.0 + 36.0 * n / (kLesions - 1);
      const auto reach = static_cast<int64_t>(radius_mm / 2.0);
      const float uptake = 4.0f + static_cast<float>(n % 7);
      for (int64_t k = centre[2] - reach; k <= centre[2] + reach; ++k) {
        for (int64_t j = centre[1] - reach; j <= centre[1] + reach; ++j) {
          for (int64_t i = centre[0] - reach; i <= centre[0] + reach; ++i) {
            const double dx = 2.0 * static_cast<double>(i - centre[0]);
            const double dy = 2.0 * static_cast<double>(j - centre[1]);
            const double dz = 2.0 * static_cast<double>(k - centre[2]);
            if (dx * dx + dy * dy + dz * dz > radius_mm * radius_mm) continue;
            made.image.at(i, j, k) = uptake * noise(random);
            made.lesions.at(i, j, k) = static_cast<uint16_t>(n + 1);
            ++made.lesion_voxels;
          }
        }
      }
    }
    return made;
  }();
  return kBuilt;
}

// state.range(0): the number of TBB threads (1 gives a figure that a busy machine distorts
// less; CPU time then counts all the work).
void run(benchmark::State& state, const oncotrace::LesionMetricsOptions& options) {
  const Scene& data = scene();
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                    static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::vector<oncotrace::LesionMetrics> metrics =
        oncotrace::measure_lesions(data.image, data.lesions, options);
    benchmark::DoNotOptimize(metrics.data());
  }
  state.counters["lesions"] = kLesions;
  state.counters["lesion_voxels"] = static_cast<double>(data.lesion_voxels);
}

void BM_SuvPeakIbsiGlobal(benchmark::State& state) {
  oncotrace::LesionMetricsOptions options;
  options.compute_longest_diameter = false;
  run(state, options);
}

void BM_SuvPeakAllVariants(benchmark::State& state) {
  oncotrace::LesionMetricsOptions options;
  options.compute_longest_diameter = false;
  options.peaks = {oncotrace::ibsi_global_peak(), oncotrace::ibsi_local_peak(),
                   oncotrace::region_restricted_global_peak(),
                   oncotrace::partial_volume_global_peak(), oncotrace::partial_volume_local_peak()};
  run(state, options);
}

void BM_LesionMetricsWithDiameter(benchmark::State& state) {
  run(state, oncotrace::LesionMetricsOptions{});
}

BENCHMARK(BM_SuvPeakIbsiGlobal)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SuvPeakAllVariants)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LesionMetricsWithDiameter)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
