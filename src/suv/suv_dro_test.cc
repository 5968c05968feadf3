// The 17 IBSI SUV digital reference objects (test-data.md §1), read through the DICOM reader and
// the NIfTI mask reader, converted with the default options: SUVbw min / median / max inside the
// mask must be 0.20 / 1.00 / 4.00 ± 0.005, except DRO_2_3, whose stored SUVbsa values were rounded
// to 0.01 by its authors: with Du Bois it gives 0.1894 / 0.9848 / 3.9770 (± 0.001).
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "oncotrace/dicom.h"
#include "oncotrace/nifti.h"
#include "oncotrace/suv.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

struct DroCase {
  const char* id;
  // The IBSI targets and their tolerance.
  double min;
  double median;
  double max;
  double tolerance;
  // The exact values of the reference rule set (4 decimals), which this implementation follows.
  double exact_min;
  double exact_median;
  double exact_max;
};

// test-data.md §1, "Golden values": IBSI targets 0.20 / 1.00 / 4.00 ± 0.005 (DRO_2_3: Du Bois
// values ± 0.001), and the exact results of the rule set of pet-quantification.md.
constexpr DroCase kDroCases[] = {
    {"DRO_0_0", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_1_0", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_2_0", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_2_1", 0.20, 1.00, 4.00, 0.005, 0.1994, 0.9995, 3.9991},
    {"DRO_2_2", 0.20, 1.00, 4.00, 0.005, 0.1997, 0.9985, 4.0000},
    {"DRO_2_3", 0.1894, 0.9848, 3.9770, 0.001, 0.1894, 0.9848, 3.9770},
    {"DRO_2_4", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_2_5", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_3_0", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_3_1", 0.20, 1.00, 4.00, 0.005, 0.1999, 0.9999, 4.0000},
    {"DRO_3_2", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_3_3", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_3_4", 0.20, 1.00, 4.00, 0.005, 0.1997, 1.0000, 3.9998},
    {"DRO_4_0", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_4_1", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_4_2", 0.20, 1.00, 4.00, 0.005, 0.2000, 1.0000, 4.0000},
    {"DRO_5_0", 0.20, 1.00, 4.00, 0.005, 0.1998, 1.0000, 4.0001},
};
// Readable test names in ctest ("DRO_2_3" instead of the bytes of the struct).
void PrintTo(const DroCase& dro_case, std::ostream* stream) { *stream << dro_case.id; }

// The exact values are rounded to 4 decimals; the stored pixels are float.
constexpr double kExactTolerance = 2e-4;

// The NIfTI mask holds 203 202 voxels on slices 1-18, 11 289 per slice (test-data.md §1).
constexpr size_t kMaskVoxels = 203202;
constexpr size_t kMaskVoxelsPerSlice = 11289;

struct Statistics {
  double min = 0.0;
  double median = 0.0;
  double max = 0.0;
};

// Median as numpy computes it: the mean of the two middle values for an even count.
Statistics min_median_max(std::vector<float> values) {
  Statistics statistics;
  const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
  statistics.min = *lowest;
  statistics.max = *highest;
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) {
    statistics.median = upper;
  } else {
    const double lower =
        *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
    statistics.median = 0.5 * (lower + upper);
  }
  return statistics;
}

class SuvDroTest : public ::testing::TestWithParam<DroCase> {};

TEST_P(SuvDroTest, SuvStatisticsInsideTheMask) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro_root, "suv-dro/DRO");
  const DroCase& expected = GetParam();
  const std::filesystem::path folder = dro_root / expected.id;

  const DiscoveryResult discovery = discover_dicom(folder / "PT");
  const DiscoveredSeries& chosen = select_series(discovery, "", (folder / "PT").string());
  const ImageSeries series = load_series(chosen);
  ASSERT_EQ(series.frames.size(), 1u);
  const Frame& frame = series.frames.front();
  ASSERT_EQ(frame.slices.size(), 20u);

  const SuvPlan plan = plan_suv(series.header, frame, SuvOptions{});
  const ImageVolume suv = apply_suv(frame, plan);
  EXPECT_EQ(plan.unit_ucum, "g/ml{SUVbw}");

  // The mask's affine is diag(-4, -4, 4) with origin 0 (RAS), i.e. diag(4, 4, 4) in LPS: NIfTI
  // index (i, j, k) is DICOM (column i, row j, slice k) only if both grids are the same. Check it
  // rather than assume it.
  const LabelMap mask = read_nifti_labels(folder / "mask" / "DRO_mask.nii.gz");
  ASSERT_TRUE(mask.geometry.same_grid_as(suv.geometry))
      << "mask " << mask.geometry.describe() << " vs image " << suv.geometry.describe();
  const Vec3 last_voxel = suv.geometry.index_to_world(255, 255, 19);
  EXPECT_NEAR(last_voxel[0], 1020.0, 1e-6);  // column 255 × 4 mm along +x (patient left)
  EXPECT_NEAR(last_voxel[1], 1020.0, 1e-6);  // row 255 × 4 mm along +y (posterior)
  EXPECT_NEAR(last_voxel[2], 76.0, 1e-6);    // slice 19 at z = 4·19 mm

  std::vector<float> inside;
  std::vector<size_t> per_slice(static_cast<size_t>(mask.geometry.size[2]), 0);
  for (int64_t k = 0; k < mask.geometry.size[2]; ++k) {
    for (int64_t j = 0; j < mask.geometry.size[1]; ++j) {
      for (int64_t i = 0; i < mask.geometry.size[0]; ++i) {
        if (mask.at(i, j, k) == 0) continue;
        inside.push_back(suv.at(i, j, k));
        ++per_slice[static_cast<size_t>(k)];
      }
    }
  }
  ASSERT_EQ(inside.size(), kMaskVoxels);
  EXPECT_EQ(per_slice.front(), 0u);
  EXPECT_EQ(per_slice.back(), 0u);
  EXPECT_EQ(per_slice[1], kMaskVoxelsPerSlice);

  const Statistics statistics = min_median_max(inside);
  EXPECT_NEAR(statistics.min, expected.min, expected.tolerance) << plan.audit.json;
  EXPECT_NEAR(statistics.median, expected.median, expected.tolerance) << plan.audit.json;
  EXPECT_NEAR(statistics.max, expected.max, expected.tolerance) << plan.audit.json;
  EXPECT_NEAR(statistics.min, expected.exact_min, kExactTolerance);
  EXPECT_NEAR(statistics.median, expected.exact_median, kExactTolerance);
  EXPECT_NEAR(statistics.max, expected.exact_max, kExactTolerance);
}

INSTANTIATE_TEST_SUITE_P(IbsiSuv, SuvDroTest, ::testing::ValuesIn(kDroCases),
                         [](const ::testing::TestParamInfo<DroCase>& param_info) {
                           return std::string(param_info.param.id);
                         });

}  // namespace
}  // namespace oncotrace
