// STS_001 golden values (test-data.md §2, S5-S10 and S12; pet-quantification.md §9.3): the
// IBSI-cropped PET (stored in SUVbw) and the GTV_Mass mask, read through the io module.
#include <gtest/gtest.h>

#include <cstdio>

#include "oncotrace/measure.h"
#include "oncotrace/nifti.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

Mask mask_of(const LabelMap& labels) {
  Mask mask(labels.geometry, 0);
  for (size_t n = 0; n < labels.values.size(); ++n) mask.values[n] = labels.values[n] != 0;
  return mask;
}

// Relative tolerances suggested by test-data.md: S6-S9 0.1 %, S12 0.5 %.
void expect_relative(double actual, double expected, double tolerance, const char* what) {
  EXPECT_NEAR(actual, expected, tolerance * expected) << what;
}

TEST(Sts001Test, GtvMassMetricsMatchGoldenValues) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "sts001-fdg-petct");
  const auto nifti = data / "ibsi_cropped" / "PET" / "nifti";
  const ImageVolume suv = read_nifti(nifti / "image" / "image.nii.gz");
  const Mask gtv = mask_of(read_nifti_labels(nifti / "mask" / "mask.nii.gz"));

  LesionMetricsOptions options;
  options.peaks = {ibsi_global_peak(), ibsi_local_peak(), region_restricted_global_peak(),
                   partial_volume_global_peak(), partial_volume_local_peak()};
  const LesionMetrics lesion = measure_region(suv, gtv, options);

  EXPECT_EQ(lesion.voxel_count, 5095u);                             // S5
  expect_relative(lesion.volume_ml, 366.08, 1e-3, "volume");        // S6
  expect_relative(lesion.suv.max, 7.9107, 1e-4, "SUVmax");          // S7
  expect_relative(lesion.suv.mean, 2.5551, 1e-3, "SUVmean");        // S8
  expect_relative(lesion.tlg_g, 935.4, 1e-3, "TLG");                // S9
  expect_relative(lesion.suv.min, 0.1686, 1e-3, "SUVmin");          // S10
  expect_relative(lesion.suv.median, 2.4868, 1e-3, "median");       // S10
  expect_relative(lesion.suv.sd, 1.3320, 1e-3, "SD (population)");  // S10
  EXPECT_EQ(lesion.suv.sd_kind, StandardDeviationKind::kPopulation);

  ASSERT_EQ(lesion.suv.peaks.size(), 5u);  // S12, each within 0.5 %
  expect_relative(lesion.suv.peaks[0].value, 6.078, 5e-3, "IBSI global peak");
  expect_relative(lesion.suv.peaks[1].value, 5.313, 5e-3, "IBSI local peak");
  expect_relative(lesion.suv.peaks[2].value, 6.227, 5e-3, "region-restricted global peak");
  expect_relative(lesion.suv.peaks[3].value, 5.987, 5e-3, "partial-volume global peak");
  expect_relative(lesion.suv.peaks[4].value, 5.246, 5e-3, "partial-volume local peak");
  EXPECT_EQ(lesion.suv.peaks[0].kernel_voxel_count, 15u);  // the centre-inclusion sphere
  EXPECT_NEAR(lesion.suv.peaks[0].radius_mm, 6.2035, 1e-4);
  for (const PeakResult& peak : lesion.suv.peaks) {
    std::printf("%-32s %.4f  centre (%lld, %lld, %lld)  voxels %zu  weight %.4f\n",
                peak.variant.c_str(), peak.value, static_cast<long long>(peak.centre_index[0]),
                static_cast<long long>(peak.centre_index[1]),
                static_cast<long long>(peak.centre_index[2]), peak.contributing_voxel_count,
                peak.contributing_weight);
  }
  // The hottest voxel is the local peak's centre.
  EXPECT_EQ(lesion.suv.peaks[1].centre_index, lesion.suv.hottest_index);
}

TEST(Sts001Test, LabelMapPathGivesTheSameLesion) {
  ONCOTRACE_REQUIRE_TEST_DATA(data, "sts001-fdg-petct");
  const auto nifti = data / "ibsi_cropped" / "PET" / "nifti";
  const ImageVolume suv = read_nifti(nifti / "image" / "image.nii.gz");
  const LabelMap labels = read_nifti_labels(nifti / "mask" / "mask.nii.gz");
  const std::vector<LesionMetrics> lesions = measure_lesions(suv, labels);
  ASSERT_EQ(lesions.size(), 1u);
  EXPECT_EQ(lesions[0].voxel_count, 5095u);
  EXPECT_NEAR(lesions[0].suv.peaks[0].value, 6.078, 5e-3 * 6.078);
  const PatientMetrics patient = summarise_patient(lesions);
  EXPECT_NEAR(patient.total_tlg_g, 935.4, 1e-3 * 935.4);
  EXPECT_DOUBLE_EQ(patient.dmax_mm, 0.0);
}

}  // namespace
}  // namespace oncotrace
