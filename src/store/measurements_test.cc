#include <gtest/gtest.h>

#include <map>
#include <string>

#include "oncotrace/measure.h"
#include "oncotrace/store.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

const Measurement& find(const std::vector<Measurement>& measurements, const std::string& quantity,
                        const std::string& variant = "") {
  for (const Measurement& measurement : measurements) {
    if (measurement.quantity == quantity && measurement.variant == variant) return measurement;
  }
  ADD_FAILURE() << "no measurement " << quantity << " / " << variant;
  static const Measurement kNone{};
  return kNone;
}

// A 10x10x10 grid of 2 mm voxels with two lesions: label 1 a 2x2x2 cube of SUV 4, with one voxel
// at 6, and label 2 a single voxel of SUV 3. Background SUV 1.
struct TwoLesions {
  ImageVolume suv;
  LabelMap labels;
  TwoLesions() {
    Geometry grid;
    grid.size = {10, 10, 10};
    grid.spacing_mm = {2.0, 2.0, 2.0};
    suv = ImageVolume(grid, 1.0F);
    labels = LabelMap(grid, 0);
    for (int k = 3; k < 5; ++k) {
      for (int j = 3; j < 5; ++j) {
        for (int i = 3; i < 5; ++i) {
          suv.at(i, j, k) = 4.0F;
          labels.at(i, j, k) = 1;
        }
      }
    }
    suv.at(4, 4, 4) = 6.0F;
    suv.at(8, 8, 8) = 3.0F;
    labels.at(8, 8, 8) = 2;
  }
};

TEST(LesionMeasurementsTest, ConvertsMetricsWithUnitsAndVariants) {
  TwoLesions data;
  LesionMetricsOptions options;
  options.peaks = {ibsi_global_peak(), ibsi_local_peak()};
  options.reference.liver = 2.0;
  const auto metrics = measure_lesions(data.suv, data.labels, options);
  ASSERT_EQ(metrics.size(), 2U);
  const auto measurements = lesion_measurements(metrics[0]);

  EXPECT_EQ(find(measurements, "voxel_count").value, 8.0);
  EXPECT_EQ(find(measurements, "voxel_count").unit, "1");
  EXPECT_DOUBLE_EQ(find(measurements, "mtv").value, 8 * 0.008);
  EXPECT_EQ(find(measurements, "mtv").unit, "mL");
  EXPECT_EQ(find(measurements, "suv_max").value, 6.0);
  EXPECT_EQ(find(measurements, "suv_max").unit, "g/mL");
  EXPECT_DOUBLE_EQ(find(measurements, "suv_mean").value, (7 * 4.0 + 6.0) / 8);
  EXPECT_EQ(find(measurements, "suv_min").value, 4.0);
  EXPECT_EQ(find(measurements, "suv_sd", "population").value, metrics[0].suv.sd);
  EXPECT_EQ(find(measurements, "suv_peak", "ibsi_global").value, metrics[0].suv.peaks[0].value);
  EXPECT_EQ(find(measurements, "suv_peak", "ibsi_local").value, metrics[0].suv.peaks[1].value);
  EXPECT_NEAR(find(measurements, "suv_peak_radius", "ibsi_global").value, 6.2035, 1e-4);
  EXPECT_EQ(find(measurements, "suv_peak_radius", "ibsi_global").unit, "mm");
  EXPECT_EQ(find(measurements, "tlg").value, metrics[0].tlg_g);
  EXPECT_EQ(find(measurements, "tlg").unit, "g");
  EXPECT_DOUBLE_EQ(find(measurements, "centroid_x", "LPS").value, 7.0);  // mean of i 3..4, x2mm
  EXPECT_DOUBLE_EQ(find(measurements, "hottest_z", "LPS").value, 8.0);
  EXPECT_EQ(find(measurements, "longest_diameter").unit, "mm");
  EXPECT_DOUBLE_EQ(find(measurements, "tbr_liver", "max").value, 3.0);
  EXPECT_EQ(find(measurements, "tbr_liver", "max").unit, "1");
  // Absent reference means and SUL give no rows.
  for (const Measurement& measurement : measurements) {
    EXPECT_NE(measurement.quantity, "tbr_spleen");
    EXPECT_NE(measurement.quantity.substr(0, 3), "sul");
  }
  // (quantity, variant) is unique, as the store requires.
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const Measurement& measurement : measurements) {
    const std::pair<std::string, std::string> key{measurement.quantity, measurement.variant};
    EXPECT_EQ(++seen[key], 1) << measurement.quantity;
  }

  MeasurementUnits bsa;
  bsa.uptake = "cm2/mL";
  bsa.total_uptake = "cm2";
  const auto bsa_measurements = lesion_measurements(metrics[0], bsa);
  EXPECT_EQ(find(bsa_measurements, "suv_max").unit, "cm2/mL");
  EXPECT_EQ(find(bsa_measurements, "tlg").unit, "cm2");

  const auto lesions = lesion_results(metrics);
  ASSERT_EQ(lesions.size(), 2U);
  EXPECT_EQ(lesions[1].label, 2);
  EXPECT_EQ(lesions[1].name, "lesion 2");
  EXPECT_EQ(find(lesions[1].measurements, "suv_max").value, 3.0);
}

TEST(LesionMeasurementsTest, SulStatisticsAndPatientSummary) {
  TwoLesions data;
  ImageVolume sul = data.suv;
  for (float& value : sul.values) value *= 0.5F;
  const auto metrics = measure_lesions(data.suv, data.labels, {}, &sul);
  const auto measurements = lesion_measurements(metrics[0]);
  EXPECT_EQ(find(measurements, "sul_max").value, 3.0);
  EXPECT_EQ(find(measurements, "sul_peak", "ibsi_global").unit, "g/mL");
  EXPECT_EQ(find(measurements, "tlg_sul").value, *metrics[0].tlg_sul_g);

  const auto summary = patient_measurements(summarise_patient(metrics));
  EXPECT_EQ(find(summary, "lesion_count").value, 2.0);
  EXPECT_DOUBLE_EQ(find(summary, "total_mtv").value, 9 * 0.008);
  EXPECT_EQ(find(summary, "hottest_lesion_suv_max").value, 6.0);
  EXPECT_EQ(find(summary, "hottest_lesion_label").value, 1.0);
  EXPECT_EQ(find(summary, "total_tlg_sul").unit, "g");
  EXPECT_GT(find(summary, "dmax").value, 0.0);
}

}  // namespace
}  // namespace oncotrace
