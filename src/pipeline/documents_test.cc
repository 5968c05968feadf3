#include <gtest/gtest.h>

#include <sstream>

#include "oncotrace/pipeline.h"

namespace oncotrace {
namespace {

AnalysisResult one_lesion_result() {
  AnalysisResult result;
  result.unit_ucum = "g/ml{SUVbw}";
  result.unit_label = "g/mL";
  LesionResult lesion;
  lesion.label = 1;
  lesion.name = "GTV, \"mass\"";
  lesion.metrics.voxel_count = 10;
  lesion.metrics.volume_ml = 2.5;
  lesion.metrics.suv.max = 7.5;
  lesion.metrics.suv.mean = 3.25;
  PeakResult peak;
  peak.variant = "ibsi_global";
  peak.value = 6.0;
  lesion.metrics.suv.peaks.push_back(peak);
  lesion.metrics.tlg_g = 8.125;
  lesion.metrics.ratios.liver = 3.0;
  result.lesions.push_back(lesion);
  return result;
}

TEST(LesionsCsvTest, EveryMetricColumnCarriesItsUnit) {
  const std::string csv = lesions_csv(one_lesion_result());
  std::istringstream stream(csv);
  std::string header, row, extra;
  ASSERT_TRUE(std::getline(stream, header));
  ASSERT_TRUE(std::getline(stream, row));
  EXPECT_FALSE(std::getline(stream, extra));
  EXPECT_NE(header.find("suv_max [g/mL]"), std::string::npos) << header;
  EXPECT_NE(header.find("suv_peak_ibsi_global [g/mL]"), std::string::npos);
  EXPECT_NE(header.find("volume [mL]"), std::string::npos);
  EXPECT_NE(header.find("tlg [g]"), std::string::npos);
  EXPECT_NE(header.find("tbr_max_liver [1]"), std::string::npos);
  // The name with a comma and quotes is quoted; the values follow in header order.
  EXPECT_EQ(row.rfind("1,\"GTV, \"\"mass\"\"\",10,2.5,7.5,3.25,", 0), 0u) << row;
  // Same number of fields in header and row (the quoted comma does not count).
  auto fields = [](const std::string& line) {
    size_t count = 1;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++count;
    }
    return count;
  };
  EXPECT_EQ(fields(header), fields(row));
}

TEST(LesionsCsvTest, ActivityImagesUseBqPerMl) {
  AnalysisResult result = one_lesion_result();
  result.unit_label = "Bq/mL";
  const std::string csv = lesions_csv(result);
  EXPECT_NE(csv.find("activity_max [Bq/mL]"), std::string::npos);
  EXPECT_NE(csv.find("total_activity [Bq]"), std::string::npos);
  EXPECT_EQ(csv.find("suv_max"), std::string::npos);
}

}  // namespace
}  // namespace oncotrace
