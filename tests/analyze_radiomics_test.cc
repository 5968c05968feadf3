// `analyze --radiomics` end to end (include/oncotrace/pipeline.h, AnalysisRequest::radiomics): on
// a simulated patient (phantom preset small, with noise), every detected lesion's IBSI features
// equal those of compute_features() on the lesion's mask (the computation behind `oncotrace
// radiomics --mask labels.nii.gz --label N`), do not depend on the thread count, and reach
// radiomics.csv, radiomics.json and the results store's measurements table.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/phantom.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/radiomics.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;

class AnalyzeRadiomicsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = new testing::TemporaryDirectory();
    PhantomRequest phantom;
    phantom.kind = PhantomKind::kPatient;
    phantom.seed = 11;
    phantom.grid = *phantom_grid_preset("small");
    phantom.write_ct = false;
    phantom.patient.studies.resize(1);  // fdg_baseline, with noise: textured lesions
    result_ = new PhantomResult(generate_phantom(phantom, folder_->path()));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete folder_;
  }

  static AnalysisRequest request(int threads) {
    AnalysisRequest request;
    request.study = result_->studies.front().emission_folder;
    request.use_organs = false;
    request.store_results = false;
    request.write_seg = false;
    request.threads = threads;
    request.radiomics = radiomics::radiomics_preset("pet-default");
    request.radiomics_config = "pet-default";
    return request;
  }

  static testing::TemporaryDirectory* folder_;
  static PhantomResult* result_;
};

testing::TemporaryDirectory* AnalyzeRadiomicsTest::folder_ = nullptr;
PhantomResult* AnalyzeRadiomicsTest::result_ = nullptr;

void expect_same_features(const radiomics::FeatureSet& a, const radiomics::FeatureSet& b,
                          const std::string& what) {
  ASSERT_EQ(a.features.size(), b.features.size()) << what;
  for (size_t f = 0; f < a.features.size(); ++f) {
    ASSERT_EQ(a.features[f].tag, b.features[f].tag) << what;
    const double x = a.features[f].value, y = b.features[f].value;
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(y)) << what << " " << a.features[f].tag;
    } else {
      EXPECT_EQ(x, y) << what << " " << a.features[f].tag;
    }
  }
}

TEST_F(AnalyzeRadiomicsTest, LesionFeaturesEqualThoseOfTheLesionMaskForAnyThreadCount) {
  AnalysisRequest one_thread = request(1);
  one_thread.keep_loaded_study = true;
  const AnalysisResult first = analyze_study(one_thread);
  const AnalysisResult second = analyze_study(request(2));
  ASSERT_GE(first.lesions.size(), 3u) << "the simulated patient has several FDG-avid lesions";
  ASSERT_EQ(first.lesions.size(), second.lesions.size());
  ASSERT_NE(first.loaded_study, nullptr);
  const ImageVolume& suv = first.loaded_study->image;
  const radiomics::RadiomicsSettings settings = radiomics::radiomics_preset("pet-default");
  size_t computed = 0;
  for (size_t n = 0; n < first.lesions.size(); ++n) {
    const LesionResult& lesion = first.lesions[n];
    ASSERT_EQ(lesion.radiomics.has_value(), second.lesions[n].radiomics.has_value()) << lesion.name;
    if (!lesion.radiomics) {
      EXPECT_FALSE(lesion.radiomics_error.empty()) << lesion.name;
      continue;
    }
    ++computed;
    expect_same_features(*lesion.radiomics, *second.lesions[n].radiomics,
                         lesion.name + " (1 vs 2 threads)");
    Mask mask(first.labels.geometry, 0);
    for (size_t v = 0; v < mask.values.size(); ++v) {
      mask.values[v] = first.labels.values[v] == lesion.label ? 1 : 0;
    }
    expect_same_features(*lesion.radiomics, radiomics::compute_features(suv, mask, settings),
                         lesion.name + " (analyze vs the lesion mask)");
    // The volume feature agrees with the lesion's voxel volume (3 mm grid: within 35 %).
    const double morph_volume_ml = *lesion.radiomics->value("morph_volume") / 1000.0;
    EXPECT_NEAR(morph_volume_ml, lesion.metrics.volume_ml, 0.35 * lesion.metrics.volume_ml + 0.3)
        << lesion.name;
  }
  EXPECT_GE(computed, 3u);
}

double stored_feature(const std::filesystem::path& db, uint16_t label, const std::string& tag,
                      int64_t* radiomics_rows) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  double value = std::nan("");
  const auto run = [&](const std::string& sql, auto&& row) {
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(statement) == SQLITE_ROW) row(statement);
    sqlite3_finalize(statement);
  };
  run("SELECT m.value FROM measurements m JOIN lesions l ON l.lesion_key = m.lesion_key WHERE "
      "l.label = " +
          std::to_string(label) + " AND m.quantity = '" + tag +
          "' AND m.variant = 'radiomics:pet-default'",
      [&](sqlite3_stmt* s) { value = sqlite3_column_double(s, 0); });
  run("SELECT COUNT(*) FROM measurements WHERE variant = 'radiomics:pet-default'",
      [&](sqlite3_stmt* s) { *radiomics_rows = sqlite3_column_int64(s, 0); });
  sqlite3_close(handle);
  return value;
}

TEST_F(AnalyzeRadiomicsTest, WritesCsvJsonAndStoreRowsAndRemovesThemWithoutRadiomics) {
  testing::TemporaryDirectory out;
  AnalysisRequest with = request(0);
  with.output_dir = out.path() / "result";
  with.store_results = true;
  with.arguments = {"oncotrace", "analyze", "--radiomics", "pet-default"};
  const AnalysisResult result = analyze_study(with);
  ASSERT_FALSE(result.lesions.empty());
  const LesionResult& lesion = result.lesions.front();
  ASSERT_TRUE(lesion.radiomics.has_value()) << lesion.radiomics_error;

  std::ifstream json_stream(with.output_dir / "radiomics.json");
  const json document = json::parse(json_stream);
  ASSERT_EQ(document["lesions"].size(), result.lesions.size());
  EXPECT_EQ(document["lesions"][0]["label"], lesion.label);
  EXPECT_EQ(document["lesions"][0]["features"]["stat_mean"].get<double>(),
            *lesion.radiomics->value("stat_mean"));
  EXPECT_EQ(document["ibsi_codes"]["morph_volume"], "RNU0");
  EXPECT_EQ(document["provenance"]["settings"]["config"], "pet-default");
  EXPECT_EQ(document["provenance"]["settings"]["radiomics"]["name"], "pet-default");

  std::ifstream csv_stream(with.output_dir / "radiomics.csv");
  std::string line, header, first_row;
  while (std::getline(csv_stream, line)) {
    if (line.rfind("#", 0) == 0) continue;
    if (header.empty()) {
      header = line;
    } else if (first_row.empty()) {
      first_row = line;
    }
  }
  EXPECT_EQ(header.rfind("label,lesion,morph_volume,", 0), 0u) << header;
  EXPECT_EQ(first_row.rfind(std::to_string(lesion.label) + "," + lesion.name + ",", 0), 0u)
      << first_row;

  int64_t rows = 0;
  const double stored =
      stored_feature(with.output_dir / "oncotrace.db", lesion.label, "cm_contrast_3D_comb", &rows);
  EXPECT_EQ(stored, *lesion.radiomics->value("cm_contrast_3D_comb"));
  size_t finite = 0;
  for (const LesionResult& item : result.lesions) {
    if (!item.radiomics) continue;
    for (const radiomics::Feature& feature : item.radiomics->features) {
      finite += std::isfinite(feature.value) ? 1 : 0;
    }
  }
  EXPECT_EQ(rows, static_cast<int64_t>(finite));

  // A later run without --radiomics leaves no features of the earlier lesions behind.
  AnalysisRequest without = with;
  without.radiomics.reset();
  without.radiomics_config.clear();
  analyze_study(without);
  EXPECT_FALSE(std::filesystem::exists(with.output_dir / "radiomics.csv"));
  EXPECT_FALSE(std::filesystem::exists(with.output_dir / "radiomics.json"));
  stored_feature(with.output_dir / "oncotrace.db", lesion.label, "cm_contrast_3D_comb", &rows);
  EXPECT_EQ(rows, 0);
}

}  // namespace
}  // namespace oncotrace
