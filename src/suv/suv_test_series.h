// Test helper: series built by hand, shaped like the IBSI SUV reference objects (test-data.md §1)
// so that every number can be worked out on paper. No DICOM files are read.
//
// Baseline (DRO_0_0): F-18, T½ 6586.2 s, 368.08 MBq at 2025-01-01 10:00:00 (DT and TM), series and
// acquisition 11:00:00, 300 s frames with FrameReferenceTime 150 s, DecayFactor 1, BQML, START,
// CorrectedImage NORM\DTIM\ATTN\SCAT\DECY\RAN, 70 kg, 1.75 m, sex O.
#ifndef ONCOTRACE_SRC_SUV_SUV_TEST_SERIES_H_
#define ONCOTRACE_SRC_SUV_SUV_TEST_SERIES_H_

#include <nlohmann/json.hpp>
#include <string>

#include "oncotrace/series.h"
#include "oncotrace/suv.h"

namespace oncotrace::suv_test {

template <typename T>
Sourced<T> tagged(T value, const std::string& source) {
  return Sourced<T>{std::move(value), source};
}

inline SeriesHeader dro_header() {
  SeriesHeader header;
  header.series_instance_uid = "1.2.826.0.1.3680043.8.1055.1.0";
  header.modality = "PT";
  header.manufacturer = "Synthetic";
  header.series_date = "20250101";
  header.series_time = "110000.000000";
  header.study_date = "20250101";
  header.patient_weight_kg = tagged(70.0, "(0010,1030) PatientWeight");
  header.patient_size_m = tagged(1.75, "(0010,1020) PatientSize");
  header.patient_sex = tagged(std::string("O"), "(0010,0040) PatientSex");
  RadiopharmaceuticalInfo& info = header.radiopharmaceutical;
  info.radiopharmaceutical = tagged(std::string("Fluorodeoxyglucose"), "(0018,0031)");
  info.radionuclide_code = tagged(std::string("C-111A1"), "(0054,0300)");
  info.radionuclide_scheme = tagged(std::string("SRT"), "(0054,0300)");
  info.radionuclide_meaning = tagged(std::string("^18^Fluorine"), "(0054,0300)");
  info.start_time = tagged(std::string("100000.000000"), "(0018,1072)");
  info.start_datetime = tagged(std::string("20250101100000.000000"), "(0018,1078)");
  info.total_dose = tagged(368080000.0, "(0018,1074)");
  info.half_life_s = tagged(6586.2, "(0018,1075)");
  header.units = tagged(std::string("BQML"), "(0054,1001) Units");
  header.decay_correction = tagged(std::string("START"), "(0054,1102) DecayCorrection");
  header.corrected_image = {"NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN"};
  return header;
}

// `planes` planes of 2 x 2 voxels (4 mm cubes) holding `value` (already rescaled, U).
inline Frame dro_frame(size_t planes = 4, float value = 3600.0F) {
  Frame frame;
  frame.image.geometry.size = {2, 2, static_cast<int64_t>(planes)};
  frame.image.geometry.spacing_mm = {4.0, 4.0, 4.0};
  frame.image.values.assign(frame.image.geometry.voxel_count(), value);
  for (size_t k = 0; k < planes; ++k) {
    SliceRecord slice;
    slice.file = "dro/PT/pet_dro_slice_" + std::to_string(k) + ".dcm";
    slice.sop_instance_uid = "1.2.3." + std::to_string(k);
    slice.position_mm = {0.0, 0.0, 4.0 * static_cast<double>(k)};
    slice.acquisition_date = "20250101";
    slice.acquisition_time = "110000.000000";
    slice.frame_reference_time_ms = 150000.0;
    slice.actual_frame_duration_ms = 300000.0;
    slice.decay_factor = 1.0;
    frame.slices.push_back(slice);
  }
  return frame;
}

inline nlohmann::json audit_of(const SuvPlan& plan) {
  return nlohmann::json::parse(plan.audit.json);
}

inline bool mentions(const std::vector<std::string>& messages, const std::string& text) {
  for (const std::string& message : messages) {
    if (message.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace oncotrace::suv_test

#endif  // ONCOTRACE_SRC_SUV_SUV_TEST_SERIES_H_
