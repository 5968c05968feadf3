// Test-only: tiny synthetic DICOM objects written with DCMTK, so that the reader's tests can
// exercise IODs and transfer syntaxes that the shared data sets lack (multi-frame NM, Enhanced
// PET, dynamic PET, compressed files) and make broken inputs on purpose.
//
// Linked only into test_dicom. Stored values default to a ramp (distinct per voxel and slice), so
// a misplaced slice or transposed plane shows up as a value mismatch.
#ifndef ONCOTRACE_DICOM_TEST_DICOM_WRITER_H_
#define ONCOTRACE_DICOM_TEST_DICOM_WRITER_H_

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"

namespace oncotrace::dicom::testing {

// One classic single-frame image (PET by default).
struct SyntheticSlice {
  std::string study_uid = "1.2.826.0.1.3680043.10.1153.1";
  std::string series_uid = "1.2.826.0.1.3680043.10.1153.1.1";
  std::string sop_uid;  // empty: series_uid + "." + instance_number
  std::string sop_class_uid = "1.2.840.10008.5.1.4.1.1.128";  // PET Image Storage
  std::string modality = "PT";
  std::string series_description = "synthetic PET";
  std::string series_number = "1";
  int instance_number = 1;
  int rows = 8;
  int columns = 8;
  Vec3 position_mm{0.0, 0.0, 0.0};
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  double row_spacing_mm = 2.0;     // PixelSpacing[0]
  double column_spacing_mm = 3.0;  // PixelSpacing[1]
  double slice_thickness_mm = 2.5;
  int bits_allocated = 16;
  int bits_stored = 16;
  bool is_signed = true;
  std::vector<int64_t> stored_values;  // rows * columns; empty: ramp_values(rows, columns, 0)
  std::optional<double> rescale_slope = 1.0;
  std::optional<double> rescale_intercept = 0.0;
  std::string photometric = "MONOCHROME2";

  // Patient, PET series and isotope attributes.
  std::optional<double> patient_weight_kg = 70.0;
  std::string series_type = "STATIC\\IMAGE";
  std::string units = "BQML";
  std::string decay_correction = "START";
  std::string series_date = "20250101";
  std::string series_time = "100000";
  std::string acquisition_date = "20250101";
  std::string acquisition_time = "100000";
  std::optional<double> total_dose_bq = 3.7e8;
  std::string injection_time = "090000";
  std::optional<double> half_life_s = 6586.2;
  std::optional<double> frame_reference_time_ms;
  std::optional<double> actual_frame_duration_ms = 300000.0;
  std::optional<int> image_index;
  std::optional<int> number_of_slices;
  std::optional<int> number_of_time_slices;
};

// Stored values rows x columns: offset + 10 * row + column.
std::vector<int64_t> ramp_values(int rows, int columns, int64_t offset);

// Writes `slice` to `path` in the given transfer syntax (encoded with DCMTK's JPEG/RLE encoders
// or deflated as needed).
void write_slice(const SyntheticSlice& slice, const std::filesystem::path& path,
                 E_TransferSyntax transfer_syntax = EXS_LittleEndianExplicit);

// A stack of `count` slices along +z starting at z = 0 with spacing `spacing_mm`, stored values
// ramp_values(..., 100 * k) for slice k, files "slice_<k>.dcm" in `folder`.
std::vector<SyntheticSlice> make_stack(int count, double spacing_mm);
void write_stack(const std::vector<SyntheticSlice>& slices, const std::filesystem::path& folder,
                 E_TransferSyntax transfer_syntax = EXS_LittleEndianExplicit);

// NM Image Storage, ImageType ORIGINAL\PRIMARY\RECON TOMO\EMISSION: `slices` frames of
// rows x columns, first slice at `first_position_mm` (Detector Information Sequence),
// SpacingBetweenSlices `spacing_mm`, stored value ramp_values(..., 100 * k) for frame k, and a
// Real World Value Mapping to Bq/ml with slope `real_world_slope`.
struct SyntheticNmTomo {
  int rows = 8;
  int columns = 6;
  int slices = 5;
  double pixel_spacing_mm = 4.0;
  double spacing_mm = 4.5;
  Vec3 first_position_mm{-10.0, -20.0, 30.0};
  double real_world_slope = 0.5;
};
void write_nm_tomo(const SyntheticNmTomo& nm, const std::filesystem::path& path);

// Enhanced PET Image Storage with `time_frames` x `planes` frames (time-major), per-frame
// PlanePosition, PixelValueTransformation (slope 1 + 0.25 * frame index) and FrameContent
// (FrameAcquisitionDateTime 20250101100000 + 60 s per time frame, FrameReferenceDateTime,
// FrameAcquisitionDuration 60000 ms, TemporalPositionIndex), shared PlaneOrientation and
// PixelMeasures, and DecayCorrected/AttenuationCorrected YES with DecayCorrectionDateTime.
struct SyntheticEnhancedPet {
  int rows = 6;
  int columns = 7;
  int planes = 3;
  int time_frames = 2;
  double plane_spacing_mm = 3.0;
  double pixel_spacing_mm = 2.0;
};
void write_enhanced_pet(const SyntheticEnhancedPet& pet, const std::filesystem::path& path);
// Stored value of (time frame t, plane p, row, column) in write_enhanced_pet and its slope.
int64_t enhanced_stored_value(int t, int p, int row, int column);
double enhanced_slope(int t, int p, int planes);

}  // namespace oncotrace::dicom::testing

#endif  // ONCOTRACE_DICOM_TEST_DICOM_WRITER_H_
