// Radiomics timing on the IBSI-1 CT phantom (configuration C: 3D, 2 mm trilinear, FBS 25 HU):
// the full chain, and the families separately to see where the time goes.
//   ONCOTRACE_TEST_DATA=/path/to/shared/data ./oncotrace_radiomics_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/source_dir.h"

namespace {

using oncotrace::radiomics::RadiomicsSettings;

std::filesystem::path data_root() {
  if (const char* root = std::getenv("ONCOTRACE_TEST_DATA"); root != nullptr && *root != '\0') {
    return root;
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / ".." / "shared" / "data";
}

struct CtPhantom {
  oncotrace::ImageVolume image;
  oncotrace::Mask mask;
};

const std::optional<CtPhantom>& ct_phantom() {
  static const std::optional<CtPhantom> kPhantom = []() -> std::optional<CtPhantom> {
    const auto folder = data_root() / "ibsi1" / "ct_phantom" / "nifti";
    if (!std::filesystem::exists(folder)) return std::nullopt;
    CtPhantom loaded;
    loaded.image = oncotrace::read_nifti(folder / "image" / "phantom.nii.gz");
    const oncotrace::LabelMap labels =
        oncotrace::read_nifti_labels(folder / "mask" / "mask.nii.gz");
    loaded.mask = oncotrace::Mask(labels.geometry, 0);
    for (size_t v = 0; v < labels.values.size(); ++v) loaded.mask.values[v] = labels.values[v] != 0;
    return loaded;
  }();
  return kPhantom;
}

void run(benchmark::State& state, const RadiomicsSettings& settings) {
  const auto& phantom = ct_phantom();
  if (!phantom) {
    state.SkipWithError("IBSI-1 CT phantom not found; set ONCOTRACE_TEST_DATA");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        oncotrace::radiomics::compute_features(phantom->image, phantom->mask, settings));
  }
}

RadiomicsSettings only(void (*choose)(oncotrace::radiomics::FeatureFamilies&)) {
  RadiomicsSettings settings = oncotrace::radiomics::radiomics_preset("ibsi1-config-c");
  oncotrace::radiomics::FeatureFamilies none;
  none = {false, false, false, false, false, false, false, false, false, false, false};
  choose(none);
  settings.families = none;
  settings.diagnostics = false;
  return settings;
}

// The preset as shipped: features plus the IBSI diagnostics, which interpolate the whole image
// for its statistics.
void BM_ConfigC_AllFeatures(benchmark::State& state) {
  run(state, oncotrace::radiomics::radiomics_preset("ibsi1-config-c"));
}
// Features only: interpolation restricted to the region around the ROI.
void BM_ConfigC_AllFeaturesNoDiagnostics(benchmark::State& state) {
  RadiomicsSettings settings = oncotrace::radiomics::radiomics_preset("ibsi1-config-c");
  settings.diagnostics = false;
  run(state, settings);
}
void BM_ConfigC_ProcessingOnly(benchmark::State& state) {
  run(state, only([](auto&) {}));
}
void BM_ConfigC_Morphology(benchmark::State& state) {
  run(state, only([](auto& f) { f.morphology = true; }));
}
void BM_ConfigC_LocalIntensity(benchmark::State& state) {
  run(state, only([](auto& f) { f.local_intensity = true; }));
}
void BM_ConfigC_FirstOrder(benchmark::State& state) {
  run(state, only([](auto& f) {
        f.statistics = f.intensity_histogram = f.intensity_volume_histogram = true;
      }));
}
void BM_ConfigC_Texture(benchmark::State& state) {
  run(state,
      only([](auto& f) { f.glcm = f.glrlm = f.glszm = f.gldzm = f.ngtdm = f.ngldm = true; }));
}

BENCHMARK(BM_ConfigC_AllFeatures)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_AllFeaturesNoDiagnostics)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_ProcessingOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_Morphology)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_LocalIntensity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_FirstOrder)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConfigC_Texture)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
