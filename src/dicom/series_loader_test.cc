#include "dicom/series_loader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "dicom/test_dicom_writer.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

namespace fs = std::filesystem;
using dicom::testing::SyntheticSlice;
using ::testing::AllOf;
using ::testing::HasSubstr;

ImageSeries load_folder(const fs::path& folder, const SeriesLoadOptions& options = {}) {
  const DiscoveryResult discovery = discover_dicom(folder);
  return load_series(select_series(discovery, "", folder.string()), options);
}

std::string load_error(const fs::path& folder) {
  try {
    load_folder(folder);
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

size_t count_near(const std::vector<float>& values, double target, double tolerance) {
  return static_cast<size_t>(std::count_if(values.begin(), values.end(), [&](float value) {
    return std::abs(value - target) <= tolerance;
  }));
}

bool has_note_containing(const SeriesHeader& header, const std::string& text) {
  return std::any_of(header.reader_notes.begin(), header.reader_notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

// ---------------------------------------------------------------------------------------------
// Reference data (test-data.md).

// §1: 20 slices of 256 x 256, 4 mm, origin 0; 3600 Bq/mL is SUV 1, so the cylinder (202 172
// voxels) is 3600, the hot and cold spheres (515 voxels each) 14 400 and 720, the rest 0.
TEST(SeriesLoaderTest, SuvDroBaselineGeometryAndValues) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0/PT");
  const ImageSeries series = load_folder(dro);
  ASSERT_EQ(series.frames.size(), 1u);
  const Geometry& grid = series.frames[0].image.geometry;
  EXPECT_EQ(grid.size, (Index3{256, 256, 20}));
  EXPECT_EQ(grid.spacing_mm, (Vec3{4.0, 4.0, 4.0}));
  EXPECT_EQ(grid.origin_mm, (Vec3{0.0, 0.0, 0.0}));
  EXPECT_EQ(grid.direction, (Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  ASSERT_EQ(series.frames[0].slices.size(), 20u);
  for (size_t k = 0; k < 20; ++k) {
    EXPECT_DOUBLE_EQ(series.frames[0].slices[k].position_mm[2], 4.0 * static_cast<double>(k));
  }
  const std::vector<float>& values = series.frames[0].image.values;
  EXPECT_EQ(count_near(values, 3600.0, 0.5), 202172u);
  EXPECT_EQ(count_near(values, 14400.0, 0.5), 515u);
  EXPECT_EQ(count_near(values, 720.0, 0.5), 515u);
  EXPECT_EQ(count_near(values, 0.0, 0.0), 256u * 256u * 20u - 203202u);
  EXPECT_EQ(*series.header.units, "BQML");
  EXPECT_DOUBLE_EQ(*series.frames[0].duration_s, 300.0);
  EXPECT_DOUBLE_EQ(*series.frames[0].start_s, 0.0);  // AcquisitionTime = SeriesTime
  EXPECT_EQ(series.files.size(), 20u);
}

// DRO_1_0: slope 3.0 on slices 8-11 and 4.0 elsewhere; applied per slice, the activity equals
// DRO_0_0 to within half a storage step (a single slope would give SUVmax 5.33 instead of 4).
TEST(SeriesLoaderTest, SuvDroPerSliceSlope) {
  ONCOTRACE_REQUIRE_TEST_DATA(varying, "suv-dro/DRO/DRO_1_0/PT");
  ONCOTRACE_REQUIRE_TEST_DATA(baseline, "suv-dro/DRO/DRO_0_0/PT");
  const ImageSeries series = load_folder(varying);
  const ImageSeries reference = load_folder(baseline);
  const auto& slices = series.frames[0].slices;
  ASSERT_EQ(slices.size(), 20u);
  for (size_t k = 0; k < slices.size(); ++k) {
    EXPECT_DOUBLE_EQ(slices[k].rescale_slope, k >= 8 && k <= 11 ? 3.0 : 4.0) << "slice " << k;
  }
  const auto& values = series.frames[0].image.values;
  const auto& expected = reference.frames[0].image.values;
  ASSERT_EQ(values.size(), expected.size());
  double max_difference = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    max_difference = std::max(max_difference, std::abs(double(values[i]) - double(expected[i])));
  }
  EXPECT_LE(max_difference, 2.0);
  EXPECT_FLOAT_EQ(*std::max_element(values.begin(), values.end()), 14400.0f);
}

// DRO_3_2: acquisition 11:02:30 (slices 0-9, FRT 450 s) and 11:05:00 (slices 10-19, FRT 600 s),
// SeriesTime 11:30:00, T = 603 s: one STATIC frame keeping every slice's timing.
TEST(SeriesLoaderTest, SuvDroPerSliceAcquisitionTimes) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_3_2/PT");
  const ImageSeries series = load_folder(dro);
  ASSERT_EQ(series.frames.size(), 1u);
  const auto& slices = series.frames[0].slices;
  ASSERT_EQ(slices.size(), 20u);
  for (size_t k = 0; k < slices.size(); ++k) {
    EXPECT_EQ(slices[k].acquisition_time, k < 10 ? "110230.000000" : "110500.000000");
    EXPECT_DOUBLE_EQ(*slices[k].frame_reference_time_ms, k < 10 ? 450000.0 : 600000.0);
    EXPECT_DOUBLE_EQ(*slices[k].actual_frame_duration_ms, 603000.0);
    EXPECT_DOUBLE_EQ(*slices[k].decay_factor, 1.0);
  }
  EXPECT_EQ(series.header.series_time, "113000.000000");
  // Earliest acquisition 11:02:30 relative to SeriesTime 11:30:00.
  EXPECT_DOUBLE_EQ(*series.frames[0].start_s, -1650.0);
  EXPECT_DOUBLE_EQ(*series.frames[0].duration_s, 603.0);
}

TEST(SeriesLoaderTest, SuvDroPhilipsAndGeFactorsReachTheSeries) {
  ONCOTRACE_REQUIRE_TEST_DATA(philips, "suv-dro/DRO/DRO_2_4/PT");
  ONCOTRACE_REQUIRE_TEST_DATA(ge, "suv-dro/DRO/DRO_3_3/PT");
  const ImageSeries philips_series = load_folder(philips);
  for (const SliceRecord& slice : philips_series.frames[0].slices) {
    ASSERT_TRUE(slice.philips_suv_scale_factor.has_value());
    EXPECT_DOUBLE_EQ(*slice.philips_suv_scale_factor, 0.0005);
  }
  EXPECT_TRUE(has_note_containing(philips_series.header, "without its private creator"));
  const ImageSeries ge_series = load_folder(ge);
  EXPECT_EQ(*ge_series.header.ge_scan_datetime, "20250101110000.000000");
  EXPECT_THAT(ge_series.header.ge_scan_datetime.source, HasSubstr("lenient"));
  EXPECT_TRUE(has_note_containing(ge_series.header, "GE scan date-time"));
}

// §2: STS_001 raw, 128 x 128 x 267, one slope per slice, 3.27 mm with bed-junction steps, z from
// -881.30 to -11.48 mm. S4: SUVmax of the field of view 66.52 with the SUVbw factor
// 2.429030e-4 g/Bq (S1), i.e. about 273 850 Bq/mL.
TEST(SeriesLoaderTest, Sts001RawWholeBody) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "sts001-fdg-petct/raw_fullfov/image");
  const ImageSeries series = load_folder(image);
  ASSERT_EQ(series.frames.size(), 1u);
  const Frame& frame = series.frames[0];
  const Geometry& grid = frame.image.geometry;
  EXPECT_EQ(grid.size, (Index3{128, 128, 267}));
  EXPECT_DOUBLE_EQ(grid.spacing_mm[0], 4.6875);
  EXPECT_NEAR(grid.spacing_mm[2], 3.27, 0.001);
  EXPECT_NEAR(grid.origin_mm[2], -881.30, 0.005);
  EXPECT_NEAR(frame.slices.back().position_mm[2], -11.48, 0.005);
  EXPECT_NEAR(grid.index_to_world(0, 0, 266)[2], -11.48, 0.1);
  std::set<double> slopes;
  for (const SliceRecord& slice : frame.slices) slopes.insert(slice.rescale_slope);
  EXPECT_EQ(slopes.size(), 267u);
  EXPECT_NEAR(*slopes.begin(), 0.209417, 1e-6);
  EXPECT_NEAR(*slopes.rbegin(), 8.35781, 1e-5);
  // Five bed junctions: 3.19 mm once, 3.29 mm four times.
  EXPECT_TRUE(has_note_containing(series.header, "5 of 266 gaps deviate, by at most 0.08 mm"));
  const SeriesHeader& header = series.header;
  EXPECT_DOUBLE_EQ(*header.patient_weight_kg, 71.0);
  EXPECT_DOUBLE_EQ(*header.radiopharmaceutical.total_dose, 3.88777472e8);
  EXPECT_EQ(header.radiopharmaceutical.start_time.value.value_or("").substr(0, 6), "103500");
  EXPECT_DOUBLE_EQ(*header.radiopharmaceutical.half_life_s, 6588.0);
  EXPECT_EQ(*header.units, "BQML");
  EXPECT_EQ(*header.decay_correction, "START");
  EXPECT_EQ(header.ge_scan_datetime.source, "(0009,100D) via GEMS_PETD_01");
  const float max_value = *std::max_element(frame.image.values.begin(), frame.image.values.end());
  EXPECT_NEAR(max_value * 2.429030e-4, 66.52, 0.006);
}

// Loading does not depend on the number of threads.
TEST(SeriesLoaderTest, ResultIsIndependentOfThreadCount) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "sts001-fdg-petct/raw_fullfov/image");
  const ImageSeries parallel = load_folder(image);
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  const ImageSeries serial = load_folder(image);
  EXPECT_EQ(parallel.frames[0].image.values, serial.frames[0].image.values);
  EXPECT_EQ(parallel.header.reader_notes, serial.header.reader_notes);
}

// Discovery keeps the parsed headers for the first load; a second load of the same record, and a
// discovery that keeps nothing, parse the files again. All three give the same series.
TEST(SeriesLoaderTest, HeadersKeptByDiscoveryGiveTheSameSeries) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "sts001-fdg-petct/raw_fullfov/image");
  const DiscoveryResult kept = discover_dicom(image);
  const DiscoveredSeries& series = select_series(kept, "", image.string());
  ASSERT_NE(series.parsed_files, nullptr);
  const ImageSeries first = load_series(series);   // from the kept headers
  const ImageSeries second = load_series(series);  // taken already: parsed again
  DiscoveryOptions keep_nothing;
  keep_nothing.keep_parsed_headers = false;
  const DiscoveryResult not_kept = discover_dicom(image, keep_nothing);
  const DiscoveredSeries& plain = select_series(not_kept, "", image.string());
  EXPECT_EQ(plain.parsed_files, nullptr);
  const ImageSeries third = load_series(plain);
  for (const ImageSeries* other : {&second, &third}) {
    EXPECT_EQ(first.frames[0].image.values, other->frames[0].image.values);
    EXPECT_TRUE(first.frames[0].image.geometry.same_grid_as(other->frames[0].image.geometry));
    EXPECT_EQ(first.header.reader_notes, other->header.reader_notes);
    EXPECT_EQ(first.frames[0].slices.size(), other->frames[0].slices.size());
  }
}

// §3: Lu-177 SPECT stored as PET, uint16 with slope 100; L1 = sum of U * V = 1.3506 GBq.
TEST(SeriesLoaderTest, Lu177SpectTotalActivity) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "lu177-spect/SCAN_001/image");
  const ImageSeries series = load_folder(image);
  ASSERT_EQ(series.frames.size(), 1u);
  const ImageVolume& volume = series.frames[0].image;
  EXPECT_EQ(volume.geometry.size, (Index3{256, 256, 199}));
  EXPECT_DOUBLE_EQ(series.frames[0].slices[0].rescale_slope, 100.0);
  double sum = 0.0;
  for (float value : volume.values) sum += value;
  const double total_bq = sum * volume.geometry.voxel_volume_ml();
  EXPECT_NEAR(total_bq / 1.3506e9, 1.0, 0.005);
  EXPECT_FLOAT_EQ(*std::max_element(volume.values.begin(), volume.values.end()), 2281200.0f);
}

// §4: NEMA IQ, 192 x 192 x 89 with no Units; MONOCHROME1 must not invert the values (the
// hottest voxel, 38 127, is noise in the last slice).
TEST(SeriesLoaderTest, NemaWithoutUnitsAndMonochrome1) {
  ONCOTRACE_REQUIRE_TEST_DATA(recon, "nema-iq-pet/data/pet_recon_1");
  const ImageSeries series = load_folder(recon);
  const ImageVolume& volume = series.frames[0].image;
  EXPECT_EQ(volume.geometry.size, (Index3{192, 192, 89}));
  EXPECT_NEAR(volume.geometry.spacing_mm[2], 2.78, 0.001);
  EXPECT_FALSE(series.header.units.has_value());
  EXPECT_EQ(series.header.units.source, "(0054,1001) Units");
  EXPECT_FALSE(series.header.patient_weight_kg.has_value());
  EXPECT_TRUE(has_note_containing(series.header, "MONOCHROME1"));
  const auto [min_value, max_value] =
      std::minmax_element(volume.values.begin(), volume.values.end());
  EXPECT_GE(*min_value, 0.0f);
  EXPECT_NEAR(*max_value, 38127.0, 1.0);
  size_t last_slice_hits = 0;
  const size_t plane = size_t{192} * 192;
  for (size_t i = 88 * plane; i < 89 * plane; ++i)
    last_slice_hits += volume.values[i] == *max_value;
  EXPECT_EQ(last_slice_hits, 1u);
}

// §5: IBSI CT phantom, 204 columns x 201 rows x 60 slices, 0.977 x 0.977 x 3 mm, 12-bit stored
// with intercept -1000; the NIfTI version spans -1000 ... 3065 HU.
TEST(SeriesLoaderTest, IbsiCtPhantomInHounsfieldUnits) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "ibsi1/ct_phantom/dicom/image");
  const ImageSeries series = load_folder(image);
  const ImageVolume& volume = series.frames[0].image;
  EXPECT_EQ(volume.geometry.size, (Index3{204, 201, 60}));
  EXPECT_NEAR(volume.geometry.spacing_mm[0], 0.977, 1e-6);
  EXPECT_NEAR(volume.geometry.spacing_mm[2], 3.0, 1e-3);
  EXPECT_DOUBLE_EQ(series.frames[0].slices[0].rescale_intercept, -1000.0);
  EXPECT_EQ(series.header.modality, "CT");
  const auto [min_value, max_value] =
      std::minmax_element(volume.values.begin(), volume.values.end());
  EXPECT_FLOAT_EQ(*min_value, -1000.0f);
  EXPECT_FLOAT_EQ(*max_value, 3065.0f);
}

// ---------------------------------------------------------------------------------------------
// Synthetic objects.

// Stored value of voxel (column, row) of stack slice k (test_dicom_writer.h).
double ramp(int k, int row, int column) { return 100.0 * k + 10.0 * row + column; }

TEST(SeriesLoaderTest, MultiFrameNmReconTomo) {
  testing::TemporaryDirectory folder;
  const dicom::testing::SyntheticNmTomo nm;
  dicom::testing::write_nm_tomo(nm, folder.path() / "spect.dcm");
  const ImageSeries series = load_folder(folder.path());
  ASSERT_EQ(series.frames.size(), 1u);
  const ImageVolume& volume = series.frames[0].image;
  EXPECT_EQ(volume.geometry.size, (Index3{nm.columns, nm.rows, nm.slices}));
  EXPECT_EQ(volume.geometry.spacing_mm, (Vec3{4.0, 4.0, 4.5}));
  EXPECT_EQ(volume.geometry.origin_mm, nm.first_position_mm);
  EXPECT_EQ(series.header.modality, "NM");
  EXPECT_EQ(series.header.real_world_value_units.value, "Bq/ml");
  for (int k = 0; k < nm.slices; ++k) {
    EXPECT_EQ(series.frames[0].slices[static_cast<size_t>(k)].frame_in_file, k);
    EXPECT_DOUBLE_EQ(series.frames[0].slices[static_cast<size_t>(k)].position_mm[2],
                     30.0 + 4.5 * k);
    for (int row = 0; row < nm.rows; ++row) {
      for (int column = 0; column < nm.columns; ++column) {
        EXPECT_FLOAT_EQ(volume.at(column, row, k), 0.5 * ramp(k, row, column));
      }
    }
  }
  EXPECT_TRUE(has_note_containing(series.header, "RealWorldValueMappingSequence"));
}

TEST(SeriesLoaderTest, EnhancedPetFunctionalGroups) {
  testing::TemporaryDirectory folder;
  const dicom::testing::SyntheticEnhancedPet pet;
  dicom::testing::write_enhanced_pet(pet, folder.path() / "enhanced.dcm");
  const ImageSeries series = load_folder(folder.path());
  ASSERT_EQ(series.frames.size(), static_cast<size_t>(pet.time_frames));
  EXPECT_EQ(*series.header.decay_corrected_flag, "YES");
  EXPECT_EQ(*series.header.attenuation_corrected_flag, "YES");
  EXPECT_EQ(*series.header.decay_correction_datetime, "20250101100000");
  EXPECT_TRUE(has_note_containing(series.header, "TemporalPositionIndex"));
  for (int t = 0; t < pet.time_frames; ++t) {
    const Frame& frame = series.frames[static_cast<size_t>(t)];
    const Geometry& grid = frame.image.geometry;
    EXPECT_EQ(grid.size, (Index3{pet.columns, pet.rows, pet.planes}));
    EXPECT_EQ(grid.origin_mm, (Vec3{-5.0, 7.0, 0.0}));
    EXPECT_DOUBLE_EQ(grid.spacing_mm[2], pet.plane_spacing_mm);
    EXPECT_DOUBLE_EQ(*frame.start_s, 60.0 * t);
    EXPECT_DOUBLE_EQ(*frame.duration_s, 60.0);
    for (int k = 0; k < pet.planes; ++k) {
      const int p = pet.planes - 1 - k;  // stored head first, sorted feet first
      const SliceRecord& slice = frame.slices[static_cast<size_t>(k)];
      EXPECT_EQ(slice.frame_in_file, t * pet.planes + p);
      EXPECT_DOUBLE_EQ(slice.rescale_slope, dicom::testing::enhanced_slope(t, p, pet.planes));
      EXPECT_EQ(slice.frame_reference_datetime, t == 0 ? "20250101100030" : "20250101100130");
      for (int row = 0; row < pet.rows; ++row) {
        for (int column = 0; column < pet.columns; ++column) {
          EXPECT_FLOAT_EQ(frame.image.at(column, row, k),
                          dicom::testing::enhanced_slope(t, p, pet.planes) *
                              dicom::testing::enhanced_stored_value(t, p, row, column));
        }
      }
    }
  }
}

// Dynamic PET, 3 frames x 4 slices, files named in no useful order.
std::vector<SyntheticSlice> dynamic_slices(bool with_image_index) {
  std::vector<SyntheticSlice> slices;
  for (int t = 0; t < 3; ++t) {
    for (int s = 0; s < 4; ++s) {
      SyntheticSlice slice;
      slice.instance_number = t * 4 + s + 1;
      slice.position_mm = {0.0, 0.0, 2.5 * s};
      slice.stored_values =
          dicom::testing::ramp_values(slice.rows, slice.columns, 1000 * t + 100 * s);
      slice.rescale_slope = 0.5 + t;
      slice.series_type = "DYNAMIC\\IMAGE";
      slice.acquisition_time = "1000" + std::to_string(2 * t) + "0";  // 10:00:00, :20, :40
      slice.frame_reference_time_ms = 20000.0 * t + 10000.0;
      slice.actual_frame_duration_ms = 20000.0;
      slice.number_of_slices = 4;
      slice.number_of_time_slices = 3;
      if (with_image_index) slice.image_index = t * 4 + s + 1;
      slices.push_back(slice);
    }
  }
  return slices;
}

void check_dynamic(const ImageSeries& series) {
  ASSERT_EQ(series.frames.size(), 3u);
  for (int t = 0; t < 3; ++t) {
    const Frame& frame = series.frames[static_cast<size_t>(t)];
    EXPECT_EQ(frame.image.geometry.size, (Index3{8, 8, 4}));
    EXPECT_DOUBLE_EQ(frame.image.geometry.spacing_mm[2], 2.5);
    EXPECT_DOUBLE_EQ(*frame.start_s, 20.0 * t);
    EXPECT_DOUBLE_EQ(*frame.duration_s, 20.0);
    for (int s = 0; s < 4; ++s) {
      EXPECT_FLOAT_EQ(frame.image.at(3, 2, s), (0.5 + t) * (1000 * t + 100 * s + 23));
    }
  }
}

TEST(SeriesLoaderTest, DynamicPetSplitByImageIndex) {
  testing::TemporaryDirectory folder;
  const auto slices = dynamic_slices(true);
  for (size_t i = 0; i < slices.size(); ++i) {
    dicom::testing::write_slice(slices[i], folder.path() / ("IM" + std::to_string((i * 7) % 12)));
  }
  const ImageSeries series = load_folder(folder.path());
  check_dynamic(series);
  EXPECT_TRUE(has_note_containing(series.header, "ImageIndex"));
}

TEST(SeriesLoaderTest, DynamicPetWithoutImageIndexGroupedByTime) {
  testing::TemporaryDirectory folder;
  dicom::testing::write_stack(dynamic_slices(false), folder.path());
  const ImageSeries series = load_folder(folder.path());
  check_dynamic(series);
  EXPECT_TRUE(has_note_containing(series.header, "grouped by FrameReferenceTime"));
}

std::string transfer_syntax_of(const fs::path& file) {
  DcmFileFormat format;
  EXPECT_TRUE(format.loadFile(file.c_str()).good());
  OFString uid;
  format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid);
  // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
  // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
  return uid.c_str();
}

// The same stack stored uncompressed, JPEG lossless (process 14 SV1), JPEG-LS lossless, RLE and
// deflated reads back identical values through DCMTK's codecs.
TEST(SeriesLoaderTest, CompressedTransferSyntaxesReadIdentically) {
  testing::TemporaryDirectory folder;
  auto slices = dicom::testing::make_stack(4, 2.0);
  for (auto& slice : slices) {  // negative values too: signed data through the codecs
    for (auto& value : slice.stored_values) value -= 150;
    slice.rescale_slope = 1.5;
  }
  const std::vector<std::pair<std::string, E_TransferSyntax>> syntaxes = {
      {"1.2.840.10008.1.2.1", EXS_LittleEndianExplicit},
      {"1.2.840.10008.1.2.4.70", EXS_JPEGProcess14SV1},
      {"1.2.840.10008.1.2.4.80", EXS_JPEGLSLossless},
      {"1.2.840.10008.1.2.5", EXS_RLELossless},
      {"1.2.840.10008.1.2.1.99", EXS_DeflatedLittleEndianExplicit}};
  std::vector<ImageSeries> loaded;
  for (const auto& [uid, syntax] : syntaxes) {
    const fs::path stack = folder.path() / uid;
    dicom::testing::write_stack(slices, stack, syntax);
    EXPECT_EQ(transfer_syntax_of(stack / "slice_0.dcm"), uid);
    loaded.push_back(load_folder(stack));
  }
  EXPECT_FLOAT_EQ(loaded[0].frames[0].image.at(2, 1, 3), 1.5 * (300 + 12 - 150));
  EXPECT_FLOAT_EQ(loaded[0].frames[0].image.at(0, 0, 0), 1.5 * -150);
  for (size_t i = 1; i < loaded.size(); ++i) {
    EXPECT_EQ(loaded[i].frames[0].image.values, loaded[0].frames[0].image.values)
        << syntaxes[i].first;
  }
}

TEST(SeriesLoaderTest, EightAndThirtyTwoBitPixels) {
  testing::TemporaryDirectory folder;
  auto eight_bit = dicom::testing::make_stack(2, 2.0);
  for (auto& slice : eight_bit) {
    slice.bits_allocated = slice.bits_stored = 8;
    slice.is_signed = false;
    for (auto& value : slice.stored_values) value = (value * 3) % 256;
  }
  dicom::testing::write_stack(eight_bit, folder.path() / "u8");
  const ImageSeries u8 = load_folder(folder.path() / "u8");
  EXPECT_FLOAT_EQ(u8.frames[0].image.at(7, 7, 1), static_cast<float>((177 * 3) % 256));

  auto wide = dicom::testing::make_stack(2, 2.0);
  for (auto& slice : wide) {
    slice.bits_allocated = slice.bits_stored = 32;
    for (auto& value : slice.stored_values) value = value * -100000;
  }
  dicom::testing::write_stack(wide, folder.path() / "s32");
  const ImageSeries s32 = load_folder(folder.path() / "s32");
  EXPECT_FLOAT_EQ(s32.frames[0].image.at(7, 7, 1), -17700000.0f);
}

// ---------------------------------------------------------------------------------------------
// Broken inputs.

TEST(SeriesLoaderTest, MissingMiddleSliceNamesTheGap) {
  testing::TemporaryDirectory folder;
  dicom::testing::write_stack(dicom::testing::make_stack(5, 2.0), folder.path());
  fs::remove(folder.path() / "slice_2.dcm");
  EXPECT_THAT(
      load_error(folder.path()),
      AllOf(HasSubstr("1.2.826.0.1.3680043.10.1153.1.1"), HasSubstr("gap of 4 mm"),
            HasSubstr("slice_1.dcm"), HasSubstr("slice_3.dcm"), HasSubstr("1 slice(s) missing")));
}

TEST(SeriesLoaderTest, DuplicatePositionsNameBothFiles) {
  testing::TemporaryDirectory folder;
  auto slices = dicom::testing::make_stack(4, 2.0);
  slices[3].position_mm = slices[1].position_mm;
  dicom::testing::write_stack(slices, folder.path());
  EXPECT_THAT(load_error(folder.path()), AllOf(HasSubstr("same position"), HasSubstr("slice_1.dcm"),
                                               HasSubstr("slice_3.dcm")));
}

TEST(SeriesLoaderTest, MixedSizesAreRefused) {
  testing::TemporaryDirectory folder;
  auto slices = dicom::testing::make_stack(3, 2.0);
  slices[2].rows = 10;
  slices[2].stored_values = dicom::testing::ramp_values(10, 8, 0);
  dicom::testing::write_stack(slices, folder.path());
  EXPECT_THAT(load_error(folder.path()),
              AllOf(HasSubstr("mixed image sizes"), HasSubstr("slice_2.dcm"), HasSubstr("8x10")));
}

TEST(SeriesLoaderTest, SeriesLevelDisagreementNamesTwoFiles) {
  testing::TemporaryDirectory folder;
  auto slices = dicom::testing::make_stack(3, 2.0);
  slices[2].patient_weight_kg = 71.0;
  dicom::testing::write_stack(slices, folder.path());
  EXPECT_THAT(load_error(folder.path()),
              AllOf(HasSubstr("(0010,1030) PatientWeight"), HasSubstr("slice_0.dcm"),
                    HasSubstr("slice_2.dcm"), HasSubstr("70"), HasSubstr("71")));
  auto half_lives = dicom::testing::make_stack(2, 2.0);
  half_lives[1].half_life_s = 6588.0;
  dicom::testing::write_stack(half_lives, folder.path() / "half_life");
  EXPECT_THAT(load_error(folder.path() / "half_life"), HasSubstr("RadionuclideHalfLife"));
}

// A DRO slice cut in half: discovery lists it as unreadable, and loading a series that names it
// fails with the file and the reason.
TEST(SeriesLoaderTest, TruncatedFileFailsWithItsName) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0/PT");
  testing::TemporaryDirectory folder;
  const fs::path source = dro / "pet_dro_0_0_slice_000.dcm";
  const fs::path truncated = folder.path() / "cut.dcm";
  {
    std::ifstream input(source, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    std::ofstream output(truncated, std::ios::binary);
    output.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  DiscoveredSeries series;
  series.header.series_instance_uid = "1.2.826.0.1.3680043.8.498.9552046624551246673304.1";
  series.files = {dro / "pet_dro_0_0_slice_001.dcm", truncated};
  try {
    load_series(series);
    FAIL() << "a truncated file loaded";
  } catch (const InvalidInputError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("cut.dcm"), HasSubstr("truncated")));
  }
}

TEST(SeriesLoaderTest, CheckSeriesAgreementAcceptsIdenticalValues) {
  std::vector<dicom::InstanceHeader> instances(3);
  for (auto& instance : instances) {
    instance.series.patient_weight_kg.value = 70.0;
    instance.series.units.value = "BQML";
  }
  EXPECT_NO_THROW(dicom::check_series_agreement(instances));
  instances[1].series.units.value.reset();
  instances[1].file = "b.dcm";
  EXPECT_THROW(dicom::check_series_agreement(instances), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
