// Ingest benchmark: discovery + load + SUV of a whole-body-sized PET series, against the time
// to just read the same bytes from the page cache (the limit).
//
// The series is generated on the fly (default 400 slices of 200 × 200 int16, BQML, START, with a
// per-slice RescaleSlope, as GE writes it), so the benchmark needs no external data. Run:
//   build/bench/oncotrace_bench --benchmark_filter=Ingest --benchmark_repetitions=5
// Figures reported: files/s and MB/s of pixel data (bytes_per_second counts pixel bytes only).
#include <benchmark/benchmark.h>
#include <dcmtk/dcmdata/dctk.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/large_buffer.h"
#include "oncotrace/dicom.h"
#include "oncotrace/suv.h"

namespace {

constexpr int kColumns = 200;
constexpr int kRows = 200;
constexpr int kSlices = 400;

// Writes the synthetic series once per process into a temporary folder.
const std::filesystem::path& synthetic_series_folder() {
  static const std::filesystem::path kFolder = [] {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / "oncotrace-bench-ingest-400x200x200-v2";
    if (std::filesystem::exists(path / "done")) return path;
    std::filesystem::create_directories(path);
    char study_uid[100];
    char series_uid[100];
    char frame_uid[100];
    dcmGenerateUniqueIdentifier(study_uid, SITE_STUDY_UID_ROOT);
    dcmGenerateUniqueIdentifier(series_uid, SITE_SERIES_UID_ROOT);
    dcmGenerateUniqueIdentifier(frame_uid, SITE_UID_ROOT);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> noise(0, 32000);
    std::vector<Sint16> pixels(static_cast<size_t>(kColumns) * kRows);
    for (int slice = 0; slice < kSlices; ++slice) {
      DcmFileFormat file;
      DcmDataset* data = file.getDataset();
      char instance_uid[100];
      dcmGenerateUniqueIdentifier(instance_uid, SITE_INSTANCE_UID_ROOT);
      data->putAndInsertString(DCM_SOPClassUID, UID_PositronEmissionTomographyImageStorage);
      data->putAndInsertString(DCM_SOPInstanceUID, instance_uid);
      data->putAndInsertString(DCM_StudyInstanceUID, study_uid);
      data->putAndInsertString(DCM_SeriesInstanceUID, series_uid);
      data->putAndInsertString(DCM_FrameOfReferenceUID, frame_uid);
      data->putAndInsertString(DCM_Modality, "PT");
      data->putAndInsertString(DCM_PatientID, "BENCH");
      data->putAndInsertString(DCM_PatientWeight, "70");
      data->putAndInsertString(DCM_PatientSex, "F");
      data->putAndInsertString(DCM_SeriesDate, "20250101");
      data->putAndInsertString(DCM_SeriesTime, "110000");
      data->putAndInsertString(DCM_AcquisitionDate, "20250101");
      data->putAndInsertString(DCM_AcquisitionTime, "110000");
      data->putAndInsertString(DCM_Units, "BQML");
      data->putAndInsertString(DCM_DecayCorrection, "START");
      data->putAndInsertString(DCM_CorrectedImage, "ATTN\\DECY\\SCAT");
      data->putAndInsertString(DCM_SeriesType, "WHOLE BODY\\IMAGE");
      data->putAndInsertString(DCM_ActualFrameDuration, "120000");
      data->putAndInsertString(DCM_FrameReferenceTime, "0");
      data->putAndInsertString(DCM_DecayFactor, "1");
      DcmItem* radiopharmaceutical = nullptr;
      data->findOrCreateSequenceItem(DCM_RadiopharmaceuticalInformationSequence,
                                     radiopharmaceutical);
      radiopharmaceutical->putAndInsertString(DCM_Radiopharmaceutical, "FDG");
      radiopharmaceutical->putAndInsertString(DCM_RadiopharmaceuticalStartDateTime,
                                              "20250101100000");
      radiopharmaceutical->putAndInsertString(DCM_RadionuclideTotalDose, "350000000");
      radiopharmaceutical->putAndInsertString(DCM_RadionuclideHalfLife, "6586.2");
      data->putAndInsertString(DCM_InstanceNumber, std::to_string(slice + 1).c_str());
      const std::string position = "-400\\-400\\" + std::to_string(-1600 + 4 * slice);
      data->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
      data->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
      data->putAndInsertString(DCM_PixelSpacing, "4\\4");
      data->putAndInsertString(DCM_SliceThickness, "4");
      data->putAndInsertUint16(DCM_Rows, kRows);
      data->putAndInsertUint16(DCM_Columns, kColumns);
      data->putAndInsertUint16(DCM_SamplesPerPixel, 1);
      data->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
      data->putAndInsertUint16(DCM_BitsAllocated, 16);
      data->putAndInsertUint16(DCM_BitsStored, 16);
      data->putAndInsertUint16(DCM_HighBit, 15);
      data->putAndInsertUint16(DCM_PixelRepresentation, 1);
      data->putAndInsertString(DCM_RescaleSlope, std::to_string(0.5 + slice * 0.01).c_str());
      data->putAndInsertString(DCM_RescaleIntercept, "0");
      for (auto& pixel : pixels) pixel = static_cast<Sint16>(noise(random));
      // PixelData has VR OW: store the two's-complement bit pattern as unsigned 16-bit words.
      std::vector<Uint16> words(pixels.size());
      std::memcpy(words.data(), pixels.data(), pixels.size() * sizeof(Sint16));
      data->putAndInsertUint16Array(DCM_PixelData, words.data(),
                                    static_cast<unsigned long>(words.size()));
      char name[64];
      std::snprintf(name, sizeof(name), "IM%05d.dcm", slice);
      file.saveFile((path / name).c_str(), EXS_LittleEndianExplicit);
    }
    std::ofstream(path / "done") << "ok";
    return path;
  }();
  return kFolder;
}

constexpr double kPixelBytes = 2.0 * kColumns * kRows * kSlices;

// The limit: read every file's bytes from the page cache.
void BM_IngestReadBytesOnly(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  std::vector<char> buffer(1 << 20);
  for (auto _ : state) {
    size_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      std::ifstream stream(entry.path(), std::ios::binary);
      while (stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
             stream.gcount() > 0) {
        total += static_cast<size_t>(stream.gcount());
      }
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPixelBytes));
  state.SetItemsProcessed(state.iterations() * kSlices);
}

// A second, higher floor: what any reader must do to turn these files into a fresh float SUV
// volume, without parsing DICOM at all: read each file, take its last 80 000 bytes as the int16
// pixels (PixelData is the last element of these files), and write stored value x slope x SUV
// factor into a newly allocated 64 MB float volume (allocated as the loader does). The difference
// to BM_IngestReadBytesOnly is the cost of producing the output (fresh pages the kernel must zero,
// the conversion); the difference between this and BM_IngestDiscoverLoadSuv/1 is the cost of DICOM
// parsing, checks and bookkeeping.
void BM_IngestReadAndConvertFloor(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".dcm") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const size_t plane_voxels = static_cast<size_t>(kColumns) * kRows;
  std::vector<char> buffer(1 << 20);
  std::vector<Sint16> stored(plane_voxels);
  for (auto _ : state) {
    std::vector<float> suv;
    oncotrace::assign_large_buffer(suv, plane_voxels * files.size());  // as the loader allocates
    for (size_t slice = 0; slice < files.size(); ++slice) {
      std::ifstream stream(files[slice], std::ios::binary);
      stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto size = static_cast<size_t>(stream.gcount());
      std::memcpy(stored.data(), buffer.data() + size - plane_voxels * sizeof(Sint16),
                  plane_voxels * sizeof(Sint16));
      const float scale = static_cast<float>((0.5 + static_cast<double>(slice) * 0.01) * 2e-4);
      float* output = suv.data() + slice * plane_voxels;
      for (size_t v = 0; v < plane_voxels; ++v) output[v] = static_cast<float>(stored[v]) * scale;
    }
    benchmark::DoNotOptimize(suv.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPixelBytes));
  state.SetItemsProcessed(state.iterations() * kSlices);
}

void BM_IngestDiscover(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  for (auto _ : state) {
    const auto discovery = oncotrace::discover_dicom(folder);
    benchmark::DoNotOptimize(discovery.series.size());
  }
  state.SetItemsProcessed(state.iterations() * kSlices);
}

// state.range(0) = number of threads allowed (the goal is stated for one core).
void BM_IngestDiscoverLoadSuv(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                    static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    const auto discovery = oncotrace::discover_dicom(folder);
    auto series = oncotrace::load_series(discovery.series.front());
    const auto plan =
        oncotrace::plan_suv(series.header, series.frames.front(), oncotrace::SuvOptions{});
    // As the CLI does: the loaded frame is not needed after SUV, so its buffer is reused.
    const auto suv = oncotrace::apply_suv(std::move(series.frames.front()), plan);
    benchmark::DoNotOptimize(suv.values.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPixelBytes));
  state.SetItemsProcessed(state.iterations() * kSlices);
}

// The stages alone, one core: load (discovery done once outside the loop) and SUV.
void BM_IngestLoadOnly(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto discovery = oncotrace::discover_dicom(folder);
  for (auto _ : state) {
    const auto series = oncotrace::load_series(discovery.series.front());
    benchmark::DoNotOptimize(series.frames.front().image.values.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPixelBytes));
  state.SetItemsProcessed(state.iterations() * kSlices);
}

void BM_IngestSuvOnly(benchmark::State& state) {
  const auto& folder = synthetic_series_folder();
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto discovery = oncotrace::discover_dicom(folder);
  const auto series = oncotrace::load_series(discovery.series.front());
  for (auto _ : state) {
    const auto plan =
        oncotrace::plan_suv(series.header, series.frames.front(), oncotrace::SuvOptions{});
    const auto suv = oncotrace::apply_suv(series.frames.front(), plan);
    benchmark::DoNotOptimize(suv.values.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPixelBytes));
}

BENCHMARK(BM_IngestReadBytesOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestReadAndConvertFloor)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestDiscover)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestLoadOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestSuvOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestDiscoverLoadSuv)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
