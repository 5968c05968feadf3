// Writing the DICOM outputs of a whole-body analysis (issue 8): the lesion SEG plus the TID 1500
// SR for 50 lesions on a whole-body PET grid (200 x 200 x 400 voxels of 4 mm), and the SUV
// Parametric Map of that grid. Goal (SEG + SR): median under 1 s and peak memory under 200 MB.
//
// Run: build/bench/oncotrace_dicom_outputs_bench --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
// The peak resident memory of the process (getrusage, which includes the 32 MB label map and
// 64 MB SUV image the benchmark itself holds) is printed as the counter peak_rss_MB.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/dicom_pmap.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/dicom_sr.h"

namespace oncotrace {
namespace {

constexpr int kLesionCount = 50;

// A whole-body grid and a source reference without files (the writers then take patient and
// study from the reference's fields).
SeriesReference whole_body_reference() {
  SeriesReference reference;
  reference.patient_id = "BENCH";
  reference.patient_name = "Bench^Patient";
  reference.study_instance_uid = new_uuid_uid();
  reference.series_instance_uid = new_uuid_uid();
  reference.sop_class_uid = "1.2.840.10008.5.1.4.1.1.128";  // PET Image Storage
  reference.frame_of_reference_uid = new_uuid_uid();
  reference.study_date = "20260101";
  reference.study_time = "120000";
  reference.grid.size = {200, 200, 400};
  reference.grid.spacing_mm = {4.0, 4.0, 4.0};
  reference.grid.origin_mm = {-398.0, -398.0, -1598.0};
  for (int k = 0; k < 400; ++k) reference.planes.push_back({new_uuid_uid(), 0});
  return reference;
}

// 50 spheres of radius 4-16 mm spread over the body.
LabelMap fifty_lesions(const Geometry& grid) {
  LabelMap labels(grid, 0);
  for (int lesion = 0; lesion < kLesionCount; ++lesion) {
    const double ci = 40.0 + (lesion * 37) % 120;
    const double cj = 40.0 + (lesion * 53) % 120;
    const double ck = 10.0 + (lesion * 7.5);
    const double radius = 1.0 + (lesion % 4);  // voxels
    for (int64_t k = static_cast<int64_t>(ck - radius); k <= static_cast<int64_t>(ck + radius);
         ++k) {
      for (int64_t j = static_cast<int64_t>(cj - radius); j <= static_cast<int64_t>(cj + radius);
           ++j) {
        for (int64_t i = static_cast<int64_t>(ci - radius); i <= static_cast<int64_t>(ci + radius);
             ++i) {
          const double d = std::hypot(i - ci, j - cj, k - ck);
          if (d <= radius && grid.contains({i, j, k})) {
            labels.at(i, j, k) = static_cast<uint16_t>(lesion + 1);
          }
        }
      }
    }
  }
  return labels;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_SegAndSrFiftyLesionsWholeBody(benchmark::State& state) {
  const SeriesReference reference = whole_body_reference();
  const LabelMap labels = fifty_lesions(reference.grid);
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("oncotrace_bench_dicom_" + new_uuid_uid());
  std::filesystem::create_directories(folder);
  std::vector<SegmentDescription> segments;
  std::vector<SrMeasurementGroup> groups;
  const CodedConcept suvbw{"126401", "DCM", "SUVbw"};
  const CodedConcept unit = sr_codes::ucum("g/ml{SUVbw}", "Standardized Uptake Value body weight");
  for (int lesion = 1; lesion <= kLesionCount; ++lesion) {
    SegmentDescription segment;
    segment.label = static_cast<uint16_t>(lesion);
    segment.segment_label = "lesion_" + std::to_string(lesion);
    segment.algorithm_name = "oncotrace fixed:2.5";
    segment.tracking_id = segment.segment_label;
    segment.tracking_uid = new_uuid_uid();
    SrMeasurementGroup group;
    group.tracking_id = segment.tracking_id;
    group.tracking_uid = segment.tracking_uid;
    group.segment_number = static_cast<uint16_t>(lesion);
    for (const CodedConcept& statistic :
         {sr_codes::maximum(), sr_codes::mean(), sr_codes::minimum(), sr_codes::median(),
          sr_codes::standard_deviation(), sr_codes::peak_value_within_roi()}) {
      group.measurements.push_back({suvbw, 3.0 + lesion * 0.1, unit, statistic, std::nullopt});
    }
    group.measurements.push_back({sr_codes::metabolic_volume(), 1.5 * lesion,
                                  sr_codes::ucum("ml", "milliliter"), std::nullopt,
                                  sr_codes::sum_of_segmented_voxels_method()});
    group.measurements.push_back({sr_codes::total_lesion_glycolysis(), 4.5 * lesion,
                                  sr_codes::ucum("g", "gram"), std::nullopt, std::nullopt});
    segments.push_back(std::move(segment));
    groups.push_back(std::move(group));
  }
  for (auto _ : state) {
    write_dicom_seg(labels, reference, segments, folder / "lesions.seg.dcm");
    write_measurement_report(reference, folder / "lesions.seg.dcm", groups,
                             folder / "lesions.sr.dcm");
  }
  state.counters["peak_rss_MB"] = peak_rss_mb();
  state.counters["seg_MB"] =
      static_cast<double>(std::filesystem::file_size(folder / "lesions.seg.dcm")) / 1e6;
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_SegAndSrFiftyLesionsWholeBody)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SuvParametricMapWholeBody(benchmark::State& state) {
  const SeriesReference reference = whole_body_reference();
  ImageVolume suv(reference.grid, 0.0F);
  for (size_t index = 0; index < suv.values.size(); ++index) {
    suv.values[index] = static_cast<float>(index % 1000) * 0.01F;
  }
  MapQuantity quantity;
  quantity.quantity = {"126401", "DCM", "SUVbw"};
  quantity.unit = sr_codes::ucum("g/ml{SUVbw}", "Standardized Uptake Value body weight");
  quantity.label = "SUVbw";
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("oncotrace_bench_pmap_" + new_uuid_uid());
  std::filesystem::create_directories(folder);
  for (auto _ : state) write_parametric_map(suv, reference, quantity, folder / "suv.pm.dcm");
  state.counters["peak_rss_MB"] = peak_rss_mb();
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_SuvParametricMapWholeBody)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace oncotrace

BENCHMARK_MAIN();
