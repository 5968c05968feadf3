// `analyze --radiomics` end to end (include/oncotrace/pipeline.h, AnalysisRequest::radiomics): on
// a simulated patient (phantom preset small, with noise), every detected lesion's IBSI features
// equal those of compute_features() on the lesion's mask (the computation behind `oncotrace
// radiomics --mask labels.nii.gz --label N`), do not depend on the thread count, and reach
// radiomics.csv, radiomics.json and the results store's measurements table.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dicom/derived_test_support.h"
#include "oncotrace/dicom_pmap.h"
#include "oncotrace/error.h"
#include "oncotrace/feature_map_dicom.h"
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

// The unit of the stored radiomics row of `tag` for lesion `label`.
std::string stored_unit(const std::filesystem::path& db, uint16_t label, const std::string& tag) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string unit = "(no row)";
  const std::string sql =
      "SELECT m.unit FROM measurements m JOIN lesions l ON l.lesion_key = m.lesion_key WHERE "
      "l.label = " +
      std::to_string(label) + " AND m.quantity = '" + tag +
      "' AND m.variant = 'radiomics:pet-default'";
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    unit = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return unit;
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
  // Units (UCUM) of the features: IBSI-1 units with the image's SUV unit.
  EXPECT_EQ(result.unit_ucum, "g/ml{SUVbw}");
  EXPECT_EQ(document["units"]["morph_volume"], "mm3");
  EXPECT_EQ(document["units"]["morph_area_mesh"], "mm2");
  EXPECT_EQ(document["units"]["stat_mean"], "g/ml{SUVbw}");
  EXPECT_EQ(document["units"]["stat_var"], "g2/ml2{SUVbw}");
  EXPECT_EQ(document["units"]["ivh_i10"], "g/ml{SUVbw}");
  EXPECT_EQ(document["units"]["cm_contrast_3D_comb"], "1");
  EXPECT_EQ(document["units"].size(), document["ibsi_codes"].size());
  EXPECT_EQ(document["provenance"]["settings"]["config"], "pet-default");
  EXPECT_EQ(document["provenance"]["settings"]["radiomics"]["name"], "pet-default");

  std::ifstream csv_stream(with.output_dir / "radiomics.csv");
  std::string line, header, first_row;
  while (std::getline(csv_stream, line)) {
    if (line.rfind('#', 0) == 0) continue;
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
  // Store rows carry the store's unit convention (uptake "g/mL", as the suv_* rows).
  const std::filesystem::path db = with.output_dir / "oncotrace.db";
  EXPECT_EQ(stored_unit(db, lesion.label, "cm_contrast_3D_comb"), "1");
  EXPECT_EQ(stored_unit(db, lesion.label, "morph_volume"), "mm3");
  EXPECT_EQ(stored_unit(db, lesion.label, "morph_integ_int"), "mm3.g/mL");
  EXPECT_EQ(stored_unit(db, lesion.label, "stat_mean"), "g/mL");
  EXPECT_EQ(stored_unit(db, lesion.label, "stat_var"), "g2/mL2");
  EXPECT_EQ(stored_unit(db, lesion.label, "stat_kurt"), "1");
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

// Feature maps of a simulated lesion as DICOM Parametric Maps (feature_map_dicom.h): written,
// read back with DCMTK, every voxel equal to the NIfTI map (NaN where the map has none, padding
// in the file), coded with the IBSI tag and the feature's unit, and valid for dciodvfy.
TEST_F(AnalyzeRadiomicsTest, FeatureMapDicomEqualsTheNiftiMapVoxelForVoxel) {
  AnalysisRequest analysis = request(0);
  analysis.radiomics.reset();
  analysis.keep_loaded_study = true;
  const AnalysisResult result = analyze_study(analysis);
  ASSERT_NE(result.loaded_study, nullptr);
  // The largest lesion: a textured ROI spanning several planes.
  const LesionResult* lesion = &result.lesions.front();
  for (const LesionResult& each : result.lesions) {
    if (each.metrics.voxel_count > lesion->metrics.voxel_count) lesion = &each;
  }
  const ImageVolume& suv = result.loaded_study->image;
  Mask roi(suv.geometry, 0);
  for (size_t v = 0; v < roi.values.size(); ++v) {
    roi.values[v] = result.labels.values[v] == lesion->label ? 1 : 0;
  }
  const radiomics::RadiomicsSettings settings = radiomics::radiomics_preset("pet-feature-map");
  radiomics::FeatureMapSettings map;
  map.features = {"stat_mean", "stat_var", "cm_joint_entr_3D_comb"};
  map.kernel_radius_voxels = 1;
  const std::vector<ImageVolume> maps = radiomics::compute_feature_maps(suv, roi, settings, map);
  ASSERT_EQ(maps.size(), 3u);
  const SeriesReference source = series_reference(result.loaded_study->pet);
  const IntensityUnitCode unit{result.unit_ucum, "Standardized Uptake Value body weight"};
  ASSERT_EQ(unit.ucum, "g/ml{SUVbw}");

  testing::TemporaryDirectory out;
  const char* expected_units[] = {"g/ml{SUVbw}", "g2/ml2{SUVbw}", "1"};
  const char* expected_labels[] = {"stat_mean", "stat_var", "TU9B 3D_comb"};
  for (size_t f = 0; f < maps.size(); ++f) {
    const std::string& tag = map.features[f];
    const auto nifti_path = out.path() / ("map_" + tag + ".nii.gz");
    write_nifti(nifti_path, maps[f]);
    const ImageVolume nifti = read_nifti(nifti_path);
    FeatureMapDicomOptions options;
    options.series_number = kFeatureMapFirstSeriesNumber + static_cast<int>(f);
    options.content_description = tag + ", sphere kernel R 1, pet-feature-map";
    const auto dicom_path = out.path() / ("map_" + tag + ".pm.dcm");
    const WrittenParametricMap written =
        write_feature_map_dicom(maps[f], tag, source, unit, settings, dicom_path, options);
    EXPECT_EQ(written.frame_count, static_cast<size_t>(maps[f].geometry.size[2]));

    const DicomParametricMap read = read_parametric_map(dicom_path);
    EXPECT_EQ(read.quantity.quantity.value, tag);
    EXPECT_EQ(read.quantity.quantity.scheme, "99IBSI");
    EXPECT_EQ(read.quantity.unit.value, expected_units[f]) << tag;
    EXPECT_EQ(read.quantity.label, expected_labels[f]) << tag;
    ASSERT_TRUE(read.float_pixel_padding_value.has_value());
    EXPECT_EQ(*read.float_pixel_padding_value, std::numeric_limits<float>::lowest());
    // Every voxel of the NIfTI map at its place in the Parametric Map; the rest of the planes
    // is padding (NaN once read).
    const Geometry& grid = read.values.geometry;
    size_t defined = 0, compared = 0, padding = 0;
    for (int64_t k = 0; k < nifti.geometry.size[2]; ++k) {
      for (int64_t j = 0; j < nifti.geometry.size[1]; ++j) {
        for (int64_t i = 0; i < nifti.geometry.size[0]; ++i) {
          const Index3 at = grid.world_to_nearest_index(nifti.geometry.index_to_world(i, j, k));
          ASSERT_TRUE(grid.contains(at));
          // The map as written to the NIfTI file; read_nifti() gives its defined values back
          // (it returns the file's NaN voxels as 0, so those are checked on the map itself).
          const float expected = maps[f].at(i, j, k);
          const float actual = read.values.at(at[0], at[1], at[2]);
          ++compared;
          if (std::isnan(expected)) {
            EXPECT_TRUE(std::isnan(actual)) << tag << " " << i << "," << j << "," << k;
          } else {
            ++defined;
            EXPECT_EQ(nifti.at(i, j, k), expected) << tag << " " << i << "," << j << "," << k;
            EXPECT_EQ(actual, expected) << tag << " " << i << "," << j << "," << k;
          }
        }
      }
    }
    for (const float value : read.values.values) padding += std::isnan(value) ? 1 : 0;
    EXPECT_GT(defined, 10u) << tag;
    EXPECT_EQ(padding, read.values.values.size() - defined) << tag;
    EXPECT_EQ(compared, nifti.values.size());

    if (!std::string(ONCOTRACE_DCIODVFY).empty()) {
      std::string output;
      EXPECT_TRUE(dicom::testing::dciodvfy_errors(dicom_path, &output).empty()) << tag << "\n"
                                                                                << output;
      if (f + 1 == maps.size()) std::cout << "dciodvfy on the feature map:\n" << output;
    }
  }
  // A voxel holding the padding value is refused, and nothing is written.
  ImageVolume clash = maps.front();
  FeatureMapDicomOptions options;
  for (const float value : clash.values) {
    if (!std::isnan(value)) {
      options.padding_value = value;
      break;
    }
  }
  const auto refused = out.path() / "refused.pm.dcm";
  EXPECT_THROW(
      write_feature_map_dicom(clash, "stat_mean", source, unit, settings, refused, options),
      InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(refused));
  // Without an intensity unit, a feature in that unit has none: refused.
  EXPECT_THROW(write_feature_map_dicom(maps.front(), "stat_mean", source, IntensityUnitCode{},
                                       settings, refused, {}),
               InvalidInputError);
}

TEST_F(AnalyzeRadiomicsTest, FilterResponseMapAsDicomEqualsTheMapAndRefusesInterpolatedGrids) {
  // A LoG response map of the simulated SUV image (no interpolation: the map is on the PET grid)
  // written as a Parametric Map reads back voxel for voxel, coded as the filter kind in 99IBSI
  // with the image's unit; the same settings with interpolation put the map on another grid,
  // which is refused before anything is written.
  AnalysisRequest analysis = request(0);
  analysis.radiomics.reset();
  analysis.keep_loaded_study = true;
  const AnalysisResult result = analyze_study(analysis);
  ASSERT_NE(result.loaded_study, nullptr);
  const ImageVolume& suv = result.loaded_study->image;
  radiomics::RadiomicsSettings settings;
  settings.name = "log-test";
  settings.interpolation.enabled = false;
  settings.filter.kind = radiomics::FilterKind::kLaplacianOfGaussian;
  settings.filter.log_sigma_mm = 5.0;
  const ImageVolume response = radiomics::filter_response_map(suv, settings);
  ASSERT_TRUE(response.geometry.same_grid_as(suv.geometry));
  const SeriesReference source = series_reference(result.loaded_study->pet);
  const IntensityUnitCode unit{result.unit_ucum, "Standardized Uptake Value body weight"};
  testing::TemporaryDirectory out;
  const auto path = out.path() / "log.pm.dcm";
  const WrittenParametricMap written =
      write_response_map_dicom(response, settings, source, unit, path);
  EXPECT_EQ(written.frame_count, static_cast<size_t>(suv.geometry.size[2]));
  const DicomParametricMap read = read_parametric_map(path);
  EXPECT_EQ(read.quantity.quantity.value, "laplacian_of_gaussian");
  EXPECT_EQ(read.quantity.quantity.scheme, "99IBSI");
  EXPECT_EQ(read.quantity.unit.value, "g/ml{SUVbw}");
  EXPECT_EQ(read.quantity.label, "laplacian_of_gau");
  ASSERT_TRUE(read.values.geometry.same_grid_as(suv.geometry));
  EXPECT_EQ(read.values.values, response.values);
  if (!std::string(ONCOTRACE_DCIODVFY).empty()) {
    std::string output;
    EXPECT_TRUE(dicom::testing::dciodvfy_errors(path, &output).empty()) << output;
  }

  settings.interpolation.enabled = true;
  settings.interpolation.spacing_mm = {2.0, 2.0, 2.0};
  const ImageVolume interpolated = radiomics::filter_response_map(suv, settings);
  EXPECT_FALSE(interpolated.geometry.same_grid_as(suv.geometry));
  const auto refused = out.path() / "interpolated.pm.dcm";
  EXPECT_THROW(write_response_map_dicom(interpolated, settings, source, unit, refused),
               InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(refused));
}

}  // namespace
}  // namespace oncotrace
