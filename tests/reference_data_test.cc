// End-to-end checks of ingest + SUV against real studies with golden numbers
// (../shared/reference/test-data.md §2 STS_001, §3 Lu-177, §4 NEMA IQ, §5 IBSI CT phantom).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/suv.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

ImageSeries load_single_series(const std::filesystem::path& folder) {
  const DiscoveryResult discovery = discover_dicom(folder);
  return load_series(select_series(discovery, "", folder.string()));
}

ImageVolume suv_of(const ImageSeries& series, const SuvOptions& options, SuvPlan* plan_out) {
  const SuvPlan plan = plan_suv(series.header, series.frames.at(0), options);
  if (plan_out != nullptr) *plan_out = plan;
  return apply_suv(series.frames.at(0), plan);
}

// S1 and S2: SUVbw from the raw full-field-of-view GE BQML series reproduces the IBSI-cropped GML
// series voxel for voxel at the same world positions. This checks geometry and SUV together.
TEST(Sts001Test, RawBqmlSuvReproducesCroppedGmlSeries) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "sts001-fdg-petct");
  const ImageSeries raw = load_single_series(data / "raw_fullfov" / "image");
  const ImageSeries crop = load_single_series(data / "ibsi_cropped" / "PET" / "dicom" / "image");
  SuvPlan raw_plan;
  const ImageVolume raw_suv = suv_of(raw, SuvOptions{}, &raw_plan);
  const ImageVolume crop_suv = suv_of(crop, SuvOptions{}, nullptr);

  // S1: 71 000 g / (3.88777472e8 Bq × 2^(−2711/6588)) = 2.429030e-4 g/Bq, the same on every slice.
  for (const double factor : raw_plan.factor_per_slice) {
    EXPECT_NEAR(factor, 2.429030e-4, 2.429030e-4 * 1e-6);
  }
  // S4: SUVmax of the raw field of view.
  EXPECT_NEAR(*std::max_element(raw_suv.values.begin(), raw_suv.values.end()), 66.52, 0.01);

  // S2: compare at the same world positions (the crop lies on the raw pixel grid).
  const Geometry& crop_grid = crop_suv.geometry;
  size_t compared = 0;
  double largest_deviation = 0.0;
  for (int64_t k = 0; k < crop_grid.size[2]; ++k) {
    for (int64_t j = 0; j < crop_grid.size[1]; ++j) {
      for (int64_t i = 0; i < crop_grid.size[0]; ++i) {
        const float crop_value = crop_suv.at(i, j, k);
        if (crop_value < 1.0F) continue;
        const Vec3 world = crop_grid.index_to_world(i, j, k);
        const Vec3 raw_index = raw_suv.geometry.world_to_index(world);
        const Index3 nearest = raw_suv.geometry.world_to_nearest_index(world);
        ASSERT_TRUE(raw_suv.geometry.contains(nearest));
        for (int axis = 0; axis < 3; ++axis) {
          ASSERT_NEAR(raw_index[axis], static_cast<double>(nearest[axis]), 0.05)
              << "crop voxel (" << i << "," << j << "," << k << ") is not on the raw grid";
        }
        const double ratio = raw_suv.at(nearest[0], nearest[1], nearest[2]) / crop_value;
        largest_deviation = std::max(largest_deviation, std::abs(ratio - 1.0));
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 19034U);  // test-data.md S2: 19 034 voxels with crop SUV >= 1
  EXPECT_LE(largest_deviation, 1e-3);
}

// The S3 maximum of the cropped series (GML, SUVType BW, ADMIN: no time information needed).
TEST(Sts001Test, CroppedGmlSeriesMaximum) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "sts001-fdg-petct");
  const ImageSeries crop = load_single_series(data / "ibsi_cropped" / "PET" / "dicom" / "image");
  const ImageVolume suv = suv_of(crop, SuvOptions{}, nullptr);
  EXPECT_EQ(suv.values.size(), 104017U);
  EXPECT_NEAR(*std::max_element(suv.values.begin(), suv.values.end()), 25.4123, 1e-3);
}

// L1: total activity in the field of view of the two Lu-177 SPECT scans (stored as PET, BQML,
// ADMIN), and the times after injection.
TEST(Lu177SpectTest, TotalActivityAndTimeAfterInjection) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "lu177-spect");
  struct Expected {
    const char* scan;
    double total_activity_bq;
    double hours_after_injection;
  };
  for (const Expected& expected :
       {Expected{"SCAN_001", 1.3506e9, 3.7411}, Expected{"SCAN_002", 0.9961e9, 27.7253}}) {
    const ImageSeries series = load_single_series(data / expected.scan / "image");
    SuvOptions options;
    options.normalization = SuvNormalization::kNone;
    SuvPlan plan;
    const ImageVolume concentration = suv_of(series, options, &plan);
    EXPECT_EQ(plan.unit_ucum, "Bq/ml");
    double total = 0.0;
    for (const float value : concentration.values) total += value;
    total *= concentration.geometry.voxel_volume_ml();
    EXPECT_NEAR(total, expected.total_activity_bq, expected.total_activity_bq * 0.005)
        << expected.scan;
    const auto injection = parse_dicom_datetime(*series.header.radiopharmaceutical.start_datetime);
    const auto scan = combine_date_time(series.header.series_date, series.header.series_time);
    ASSERT_TRUE(injection && scan);
    EXPECT_NEAR(scan->seconds_since(*injection) / 3600.0, expected.hours_after_injection, 1e-3);
    // SUVbw is available too: the long-lived nuclide has a full administration date-time.
    EXPECT_NO_THROW(plan_suv(series.header, series.frames.at(0), SuvOptions{}));
  }
}

// The NEMA IQ series has no Units, weight, radiopharmaceutical or times: it loads, SUV is refused
// with a message naming what is missing and the overrides, and activity concentration is refused
// unless the user states the units.
TEST(NemaIqTest, LoadsButRefusesSuvWithoutMetadata) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "nema-iq-pet");
  const ImageSeries series = load_single_series(data / "data" / "pet_recon_1");
  EXPECT_EQ(series.frames.at(0).image.geometry.size, (Index3{192, 192, 89}));
  try {
    plan_suv(series.header, series.frames.at(0), SuvOptions{});
    FAIL() << "SUV of the NEMA series must be refused";
  } catch (const MissingMetadataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("(0054,1001)"), std::string::npos) << message;
    EXPECT_NE(message.find("--units"), std::string::npos) << message;
  }
  SuvOptions concentration;
  concentration.normalization = SuvNormalization::kNone;
  EXPECT_THROW(plan_suv(series.header, series.frames.at(0), concentration), MissingMetadataError);
  concentration.overrides.units = "BQML";
  concentration.overrides.decay_correction = "NONE";
  SuvPlan plan;
  EXPECT_NO_THROW(plan = plan_suv(series.header, series.frames.at(0), concentration));
}

// IBSI-1 CT phantom: the DICOM series and the NIfTI give identical values and geometry.
TEST(IbsiCtPhantomTest, DicomAndNiftiAgree) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "ibsi1/ct_phantom");
  const ImageSeries dicom = load_single_series(data / "dicom" / "image");
  const ImageVolume nifti = read_nifti(data / "nifti" / "image" / "phantom.nii.gz");
  const ImageVolume& image = dicom.frames.at(0).image;
  EXPECT_EQ(image.geometry.size, (Index3{204, 201, 60}));
  EXPECT_TRUE(image.geometry.same_grid_as(nifti.geometry, 1e-3))
      << image.geometry.describe() << " vs " << nifti.geometry.describe();
  ASSERT_EQ(image.values.size(), nifti.values.size());
  size_t differing = 0;
  for (size_t index = 0; index < image.values.size(); ++index) {
    if (image.values[index] != nifti.values[index]) ++differing;
  }
  EXPECT_EQ(differing, 0U);
}

// A study exported to NIfTI with its sidecar re-enters the pipeline: the SUV factors planned from
// the sidecar equal those planned from the DICOM headers, slice by slice.
TEST(NiftiRoundTripTest, SidecarCarriesEverySuvInput) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "sts001-fdg-petct");
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO");
  testing::TemporaryDirectory folder;
  for (const auto& source : {data / "raw_fullfov" / "image", dro / "DRO_3_2" / "PT",
                             dro / "DRO_3_4" / "PT", dro / "DRO_2_1" / "PT"}) {
    const ImageSeries dicom = load_single_series(source);
    const auto image_path = folder.path() / "image.nii.gz";
    std::vector<ImageVolume> volumes;
    for (const Frame& frame : dicom.frames) volumes.push_back(frame.image);
    if (volumes.size() == 1) {
      write_nifti(image_path, volumes.front());
    } else {
      write_nifti(image_path, volumes);
    }
    std::ofstream(sidecar_path_for(image_path))
        << make_sidecar_json(dicom.header, dicom.frames, "");
    const ImageSeries nifti = read_nifti_series(image_path);
    const SuvPlan from_dicom = plan_suv(dicom.header, dicom.frames.at(0), SuvOptions{});
    const SuvPlan from_nifti = plan_suv(nifti.header, nifti.frames.at(0), SuvOptions{});
    ASSERT_EQ(from_dicom.factor_per_slice.size(), from_nifti.factor_per_slice.size()) << source;
    for (size_t slice = 0; slice < from_dicom.factor_per_slice.size(); ++slice) {
      EXPECT_NEAR(from_nifti.factor_per_slice[slice], from_dicom.factor_per_slice[slice],
                  1e-12 * from_dicom.factor_per_slice[slice])
          << source << " slice " << slice;
    }
  }
}

}  // namespace
}  // namespace oncotrace
