#include "phantom/dicom_writer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "phantom/test_support.h"
#include "phantom/uid.h"
#include "testing/test_data.h"

namespace oncotrace::phantom {
namespace {

using oncotrace::testing::TemporaryDirectory;
using testing::dciodvfy_errors;
using testing::read_double;
using testing::read_string;

struct SeriesFixture {
  ImageVolume image;
  DicomPatientInfo patient{"TEST^PHANTOM", "PID1", "F", make_datetime(1970, 1, 2), 70.0, 1.7};
  DicomStudyInfo study{make_phantom_uid(1, "study"), "S1", "A1", "test study",
                       make_datetime(2024, 1, 2, 9, 50)};
  DicomSeriesInfo series;
  IsotopeInfo isotope;

  explicit SeriesFixture(PhantomVendorStyle vendor) {
    Geometry grid;
    grid.size = {8, 6, 4};
    grid.spacing_mm = {4.0, 4.0, 3.0};
    grid.origin_mm = {-14.0, -10.0, 20.0};
    image = ImageVolume(grid, 0.0f);
    for (size_t v = 0; v < image.values.size(); ++v) {
      image.values[v] = static_cast<float>(1000.0 + 37.5 * static_cast<double>(v));
    }
    series.series_uid = make_phantom_uid(1, "series");
    series.frame_of_reference_uid = make_phantom_uid(1, "for");
    series.description = "test";
    series.series_datetime = make_datetime(2024, 1, 2, 10, 0);
    series.vendor = vendor;
    series.seed = 1;
    series.uid_purpose = "series";
    isotope.radiopharmaceutical = "Fludeoxyglucose F^18^";
    isotope.radiopharmaceutical_code = CodedConcept{"C-B1031", "SRT", "Fluorodeoxyglucose F^18^"};
    isotope.nuclide = find_nuclide_by_name("F-18");
    isotope.injection = make_datetime(2024, 1, 2, 9, 0);
    isotope.injected_activity_bq = 250e6;
    isotope.frame_duration_s = 600.0;
  }
  // SUVbw factor (g/Bq) for the series: W / (D decayed to the series start).
  double suv_per_bq_per_ml() const {
    return 70000.0 / decayed_activity(250e6, 3600.0, isotope.nuclide->half_life_s);
  }
};

TEST(DecimalStringTest, FitsSixteenCharactersAndKeepsPrecision) {
  for (double value : {0.0, 1.0, -1024.0, 0.123456789012345678, 123456789.987654321, 6586.2, 1.0e-7,
                       3.14159265358979e12}) {
    const std::string text = format_decimal_string(value);
    EXPECT_LE(text.size(), 16u) << text;
    EXPECT_NEAR(std::stod(text), value, std::abs(value) * 1e-11) << text;
  }
}

TEST(PhantomUidTest, IsAValidDeterministicUuidDerivedUid) {
  const std::string uid = make_phantom_uid(42, "study 1");
  EXPECT_EQ(uid.rfind("2.25.", 0), 0u);
  EXPECT_LE(uid.size(), 64u);
  EXPECT_EQ(uid.find_first_not_of("0123456789", 5), std::string::npos);
  EXPECT_NE(uid[5], '0');  // no leading zero in a UID component
  EXPECT_EQ(uid, make_phantom_uid(42, "study 1"));
  EXPECT_NE(uid, make_phantom_uid(43, "study 1"));
  EXPECT_NE(uid, make_phantom_uid(42, "study 2"));
}

class PetWriterTest : public ::testing::TestWithParam<PhantomVendorStyle> {};

TEST_P(PetWriterTest, StoresValuesThatRescaleBackToTheImage) {
  SeriesFixture fixture(GetParam());
  TemporaryDirectory folder;
  const WrittenSeries written = write_pet_series(fixture.image, fixture.patient, fixture.study,
                                                 fixture.series, fixture.isotope, folder.path());
  ASSERT_EQ(written.files.size(), 4u);
  // Expected unit conversion per vendor: BQML 1; CNTS 1 / f_AC; GML the SUV factor.
  double unit_per_bq_per_ml = 1.0;
  if (GetParam() == PhantomVendorStyle::kPhilips) {
    unit_per_bq_per_ml = 1.0 / *written.philips_activity_scale_factor;
    // Both Philips factors describe the same image: f_SUV / f_AC is the SUV factor.
    EXPECT_NEAR(*written.philips_suv_scale_factor / *written.philips_activity_scale_factor,
                fixture.suv_per_bq_per_ml(), fixture.suv_per_bq_per_ml() * 1e-9);
  } else if (GetParam() == PhantomVendorStyle::kGml) {
    unit_per_bq_per_ml = fixture.suv_per_bq_per_ml();
  }
  for (int64_t k = 0; k < 4; ++k) {
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(written.files[static_cast<size_t>(k)].c_str()).good());
    DcmDataset* ds = file.getDataset();
    EXPECT_EQ(read_string(ds, DCM_Units), written.units);
    EXPECT_EQ(read_string(ds, DCM_DecayCorrection), "START");
    EXPECT_EQ(read_string(ds, DCM_CorrectedImage), "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM");
    EXPECT_DOUBLE_EQ(read_double(ds, DCM_ImagePositionPatient), -14.0);
    // The slice maximum uses the full int16 range (within rounding of the DS slope).
    double slice_max = 0.0;
    for (int64_t j = 0; j < 6; ++j) {
      for (int64_t i = 0; i < 8; ++i) {
        const double expected = fixture.image.at(i, j, k) * unit_per_bq_per_ml;
        slice_max = std::max(slice_max, expected);
        EXPECT_NEAR(testing::rescaled_pixel(ds, i, j), expected,
                    0.5 * read_double(ds, DCM_RescaleSlope) + expected * 1e-12);
      }
    }
    EXPECT_NEAR(read_double(ds, DCM_RescaleSlope) * 32767.0, slice_max, slice_max * 1e-6);
    DcmItem* drug = nullptr;
    ASSERT_TRUE(
        ds->findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, drug).good());
    EXPECT_EQ(read_string(drug, DCM_RadiopharmaceuticalStartDateTime), "20240102090000.000000");
    EXPECT_EQ(read_string(drug, DCM_RadiopharmaceuticalStartTime), "090000.000000");
    EXPECT_DOUBLE_EQ(read_double(drug, DCM_RadionuclideTotalDose), 250e6);
    EXPECT_NEAR(read_double(drug, DCM_RadionuclideHalfLife), 6586.2, 0.1);
    // DecayFactor: decay during the 600 s frame, λT / (1 - e^(-λT)) (DICOM PS3.3 C.8.9.4.1.5).
    const double lambda_t = std::log(2.0) / 6586.2 * 600.0;
    EXPECT_NEAR(read_double(ds, DCM_DecayFactor), lambda_t / (1.0 - std::exp(-lambda_t)), 1e-4);
    if (GetParam() == PhantomVendorStyle::kGe) {
      EXPECT_EQ(read_string(ds, DcmTagKey(0x0009, 0x0010)), "GEMS_PETD_01");
      EXPECT_EQ(read_string(ds, DcmTagKey(0x0009, 0x100D)), "20240102100000.000000");
      EXPECT_EQ(read_string(ds, DcmTagKey(0x0009, 0x103B)), "20240102090000.000000");
      EXPECT_EQ(read_double(ds, DCM_FrameReferenceTime), 0.0);
    } else {
      // Time of average activity within the frame, slightly before the midpoint:
      // Tave = ln(λT / (1 - e^(-λT))) / λ = 298.42 s for T = 600 s of F-18.
      const double lambda = std::log(2.0) / 6586.2;
      EXPECT_NEAR(read_double(ds, DCM_FrameReferenceTime),
                  1000.0 * std::log(lambda_t / (1.0 - std::exp(-lambda_t))) / lambda, 1.0);
    }
    if (GetParam() == PhantomVendorStyle::kSiemens) {
      EXPECT_EQ(read_string(ds, DcmTagKey(0x0071, 0x1022)), "20240102100000.000000");
    }
    if (GetParam() == PhantomVendorStyle::kGml) {
      EXPECT_EQ(read_string(ds, DCM_SUVType), "BW");
    }
  }
}

TEST_P(PetWriterTest, FilesValidateWithDciodvfy) {
  const std::string program = ONCOTRACE_DCIODVFY;
  if (program.empty()) GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  SeriesFixture fixture(GetParam());
  TemporaryDirectory folder;
  const WrittenSeries written = write_pet_series(fixture.image, fixture.patient, fixture.study,
                                                 fixture.series, fixture.isotope, folder.path());
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(program, written.files.front(), &output).empty()) << output;
}

INSTANTIATE_TEST_SUITE_P(Vendors, PetWriterTest,
                         ::testing::Values(PhantomVendorStyle::kGe, PhantomVendorStyle::kSiemens,
                                           PhantomVendorStyle::kPhilips, PhantomVendorStyle::kGml),
                         [](const ::testing::TestParamInfo<PhantomVendorStyle>& vendor) {
                           return phantom_vendor_name(vendor.param);
                         });

TEST(CtWriterTest, StoresHounsfieldUnitsWithIntercept1024AndValidates) {
  SeriesFixture fixture(PhantomVendorStyle::kGe);
  for (size_t v = 0; v < fixture.image.values.size(); ++v) {
    fixture.image.values[v] = static_cast<float>(-1000.0 + 40.0 * static_cast<double>(v));
  }
  TemporaryDirectory folder;
  const WrittenSeries written =
      write_ct_series(fixture.image, fixture.patient, fixture.study, fixture.series, folder.path());
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(written.files[1].c_str()).good());
  DcmDataset* ds = file.getDataset();
  EXPECT_EQ(read_double(ds, DCM_RescaleIntercept), -1024.0);
  EXPECT_EQ(testing::rescaled_pixel(ds, 3, 2), fixture.image.at(3, 2, 1));
  const std::string program = ONCOTRACE_DCIODVFY;
  if (program.empty()) return;
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(program, written.files.front(), &output).empty()) << output;
}

TEST(NmWriterTest, WritesOneReconTomoObjectThatValidates) {
  SeriesFixture fixture(PhantomVendorStyle::kSiemens);
  fixture.isotope.nuclide = find_nuclide_by_name("Lu-177");
  TemporaryDirectory folder;
  const WrittenNm written =
      write_nm_tomo(fixture.image, fixture.patient, fixture.study, fixture.series, fixture.isotope,
                    folder.path() / "NM" / "NM000001.dcm");
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(written.file.c_str()).good());
  DcmDataset* ds = file.getDataset();
  EXPECT_EQ(read_string(ds, DCM_ImageType), "ORIGINAL\\PRIMARY\\RECON TOMO\\EMISSION");
  EXPECT_EQ(read_string(ds, DCM_NumberOfFrames), "4");
  // Pixel (3, 2) of frame 1: counts * slope gives Bq/mL within half a count.
  const Uint16* pixels = nullptr;
  ds->findAndGetUint16Array(DCM_PixelData, pixels);
  const double value = pixels[48 + 2 * 8 + 3] * written.real_world_value_slope_bq_per_ml;
  EXPECT_NEAR(value, fixture.image.at(3, 2, 1), 0.5 * written.real_world_value_slope_bq_per_ml);
  const std::string program = ONCOTRACE_DCIODVFY;
  if (program.empty()) return;
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(program, written.file, &output).empty()) << output;
}

}  // namespace
}  // namespace oncotrace::phantom
