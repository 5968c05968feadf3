#include "dicom/dicom_header.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dicom/dicom_file.h"
#include "testing/test_data.h"

namespace oncotrace::dicom {
namespace {

using ::testing::HasSubstr;

InstanceHeader read_file(const std::filesystem::path& path, bool lenient = true) {
  const auto file = open_dicom_file(path);
  return read_instance_header(*file->getDataset(), path.string(), HeaderReadOptions{lenient});
}

bool has_note_containing(const std::vector<std::string>& notes, const std::string& text) {
  for (const std::string& note : notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DicomHeaderTest, TagLabelUsesUpperCaseHexAndKeyword) {
  EXPECT_EQ(tag_label(DCM_PatientWeight), "(0010,1030) PatientWeight");
  EXPECT_EQ(tag_label(DCM_SeriesDescription), "(0008,103E) SeriesDescription");
}

// test-data.md §1: DRO_2_4 carries the Philips SUV scale factor 0.0005 in (7053,1000) without
// its private creator (7053,0010).
TEST(DicomHeaderTest, PhilipsFactorWithoutCreatorIsReadLeniently) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_2_4/PT");
  const InstanceHeader lenient = read_file(dro / "pet_dro_2_4_slice_000.dcm");
  ASSERT_EQ(lenient.planes.size(), 1u);
  ASSERT_TRUE(lenient.planes[0].record.philips_suv_scale_factor.has_value());
  EXPECT_DOUBLE_EQ(*lenient.planes[0].record.philips_suv_scale_factor, 0.0005);
  EXPECT_FALSE(lenient.planes[0].record.philips_activity_concentration_scale_factor.has_value());
  EXPECT_TRUE(has_note_containing(lenient.series.reader_notes,
                                  "Philips SUV Scale Factor read from (7053,1000) without its "
                                  "private creator"));
  EXPECT_EQ(lenient.series.units.value, "CNTS");

  const InstanceHeader strict = read_file(dro / "pet_dro_2_4_slice_000.dcm", false);
  EXPECT_FALSE(strict.planes[0].record.philips_suv_scale_factor.has_value());
  EXPECT_TRUE(strict.series.reader_notes.empty());
}

TEST(DicomHeaderTest, PhilipsActivityConcentrationFactor) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_2_5/PT");
  const InstanceHeader header = read_file(dro / "pet_dro_2_5_slice_007.dcm");
  ASSERT_TRUE(header.planes[0].record.philips_activity_concentration_scale_factor.has_value());
  EXPECT_DOUBLE_EQ(*header.planes[0].record.philips_activity_concentration_scale_factor, 0.5);
}

// test-data.md §1: DRO_3_3 has the GE scan date-time (0009,100D) = 2025-01-01 11:00:00 without
// the creator (0009,0010) GEMS_PETD_01.
TEST(DicomHeaderTest, GeScanDateTimeWithoutCreatorIsReadLeniently) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_3_3/PT");
  const InstanceHeader header = read_file(dro / "pet_dro_3_3_slice_000.dcm");
  ASSERT_TRUE(header.series.ge_scan_datetime.has_value());
  EXPECT_EQ(*header.series.ge_scan_datetime, "20250101110000.000000");
  EXPECT_EQ(header.series.ge_scan_datetime.source, "(0009,100D) without private creator (lenient)");
  EXPECT_TRUE(has_note_containing(header.series.reader_notes, "GE scan date-time"));
  EXPECT_FALSE(header.series.ge_administration_datetime.has_value());
  EXPECT_EQ(header.series.series_time, "110000.000000");
  EXPECT_EQ(header.planes[0].record.acquisition_time, "113000.000000");

  const InstanceHeader strict = read_file(dro / "pet_dro_3_3_slice_000.dcm", false);
  EXPECT_FALSE(strict.series.ge_scan_datetime.has_value());
  EXPECT_EQ(strict.series.ge_scan_datetime.source, "(0009,100D) GEMS_PETD_01");
}

// test-data.md §2: the raw STS_001 header values.
TEST(DicomHeaderTest, Sts001SeriesValuesAndSources) {
  ONCOTRACE_REQUIRE_TEST_DATA(image, "sts001-fdg-petct/raw_fullfov/image");
  const InstanceHeader header = read_file(image / "1-001.dcm");
  const SeriesHeader& series = header.series;
  EXPECT_EQ(series.modality, "PT");
  EXPECT_EQ(series.manufacturer, "GE MEDICAL SYSTEMS");
  EXPECT_EQ(series.series_description, "PET AC");
  EXPECT_EQ(series.series_type, (std::vector<std::string>{"STATIC", "IMAGE"}));
  EXPECT_DOUBLE_EQ(*series.patient_weight_kg, 71.0);
  EXPECT_EQ(series.patient_weight_kg.source, "(0010,1030) PatientWeight");
  EXPECT_DOUBLE_EQ(*series.patient_size_m, 1.63);
  EXPECT_EQ(*series.patient_sex, "M");
  EXPECT_EQ(*series.patient_age, "059Y");
  EXPECT_DOUBLE_EQ(*series.radiopharmaceutical.total_dose, 3.88777472e8);
  EXPECT_EQ(series.radiopharmaceutical.total_dose.source, "(0018,1074) RadionuclideTotalDose");
  EXPECT_EQ(*series.radiopharmaceutical.start_time, "103500.00");
  EXPECT_FALSE(series.radiopharmaceutical.start_datetime.has_value());
  EXPECT_DOUBLE_EQ(*series.radiopharmaceutical.half_life_s, 6588.0);
  EXPECT_DOUBLE_EQ(*series.radiopharmaceutical.positron_fraction, 0.97);
  EXPECT_EQ(*series.radiopharmaceutical.radiopharmaceutical, "FDG -- fluorodeoxyglucose");
  EXPECT_EQ(*series.units, "BQML");
  EXPECT_EQ(*series.decay_correction, "START");
  EXPECT_EQ(series.corrected_image.size(), 9u);
  EXPECT_EQ(*series.number_of_slices, 267);
  EXPECT_EQ(*series.number_of_time_slices, 6);
  // The creators survive de-identification, the elements do not (test-data.md §2).
  EXPECT_FALSE(series.ge_scan_datetime.has_value());
  EXPECT_EQ(series.ge_scan_datetime.source, "(0009,100D) via GEMS_PETD_01");
  EXPECT_FALSE(series.units.source.empty());

  ASSERT_EQ(header.planes.size(), 1u);
  const SliceRecord& record = header.planes[0].record;
  EXPECT_DOUBLE_EQ(record.rescale_slope, 1.7141);
  EXPECT_EQ(record.image_index, 267);
  EXPECT_DOUBLE_EQ(*record.frame_reference_time_ms, 1215000.0);
  EXPECT_DOUBLE_EQ(*record.decay_factor, 1.15077);
  EXPECT_DOUBLE_EQ(*record.actual_frame_duration_ms, 240000.0);
  EXPECT_DOUBLE_EQ(record.position_mm[2], -11.479994);
  EXPECT_DOUBLE_EQ(header.planes[0].row_spacing_mm, 4.6875);
}

// A creator that reserves block 11 moves the element to (0009,110D); the bare (0009,100D) then
// belongs to another creator and must not be taken, even leniently [PS3.5 §7.8.1].
TEST(DicomHeaderTest, PrivateLookupFollowsTheCreatorBlock) {
  DcmDataset dataset;
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0009, 0x0010, EVR_LO), "OTHER VENDOR").good());
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0009, 0x0011, EVR_LO), "GEMS_PETD_01").good());
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0009, 0x100D, EVR_DT), "19990101").good());
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0009, 0x110D, EVR_DT), "20250101110000").good());
  std::string source;
  EXPECT_EQ(find_private_text(dataset, 0x0009, 0x100D, {"GEMS_PETD_01"}, true, &source),
            "20250101110000");
  EXPECT_EQ(source, "(0009,110D) via GEMS_PETD_01");
  EXPECT_FALSE(
      find_private_text(dataset, 0x0009, 0x103B, {"GEMS_PETD_01"}, true, &source).has_value());
  EXPECT_FALSE(
      find_private_text(dataset, 0x0071, 0x1022, {"SIEMENS MED PT"}, true, &source).has_value());
  EXPECT_EQ(source, "(0071,1022) SIEMENS MED PT");
}

TEST(DicomHeaderTest, SiemensDecayCorrectionDateTimeViaCreator) {
  DcmDataset dataset;
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0071, 0x0010, EVR_LO), "SIEMENS MED PT").good());
  ASSERT_TRUE(dataset.putAndInsertString(DcmTag(0x0071, 0x1022, EVR_DT), "20250101110000").good());
  const SeriesHeader header = read_series_header(dataset, HeaderReadOptions{});
  EXPECT_EQ(header.siemens_decay_correction_datetime.value, "20250101110000");
  EXPECT_EQ(header.siemens_decay_correction_datetime.source, "(0071,1022) via SIEMENS MED PT");
  EXPECT_TRUE(header.reader_notes.empty());
}

TEST(DicomHeaderTest, AbsentValuesNameTheTagLookedFor) {
  DcmDataset dataset;
  const SeriesHeader header = read_series_header(dataset, HeaderReadOptions{});
  EXPECT_FALSE(header.patient_weight_kg.has_value());
  EXPECT_EQ(header.patient_weight_kg.source, "(0010,1030) PatientWeight");
  EXPECT_FALSE(header.units.has_value());
  EXPECT_EQ(header.units.source, "(0054,1001) Units");
  EXPECT_THAT(header.radiopharmaceutical.radionuclide_code.source,
              HasSubstr("(0054,0300) RadionuclideCodeSequence"));
}

}  // namespace
}  // namespace oncotrace::dicom
