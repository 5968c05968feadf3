// The public API: presets and JSON settings, the pipeline on synthetic volumes (tag set,
// invariances, determinism across thread counts, errors) and the writers.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <set>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"
#include "radiomics/feature_list.h"

namespace oncotrace::radiomics {
namespace {

TEST(Presets, AllShippedPresetsParseAndRoundTrip) {
  const std::vector<std::string> names = radiomics_preset_names();
  for (const char* expected : {"ibsi1-digital-phantom", "ibsi1-config-a", "ibsi1-config-b",
                               "ibsi1-config-c", "ibsi1-config-d", "ibsi1-config-e"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const std::string& name : names) {
    const RadiomicsSettings settings = radiomics_preset(name);
    EXPECT_EQ(settings.name, name);
    const std::string json = radiomics_settings_to_json(settings);
    EXPECT_EQ(radiomics_settings_to_json(radiomics_settings_from_json(json)), json) << name;
  }
}

TEST(Presets, ConfigurationsMatchTheIbsiTable) {
  // radiomics-ibsi.md §6.
  const RadiomicsSettings a = radiomics_preset("ibsi1-config-a");
  EXPECT_FALSE(a.interpolation.enabled);
  EXPECT_EQ(a.resegmentation.range_min, -500.0);
  EXPECT_EQ(a.discretisation.method, DiscretisationMethod::kFixedBinSize);
  EXPECT_TRUE(a.aggregation.slice_2d && a.aggregation.merged_2_5d && !a.aggregation.volume_3d);
  const RadiomicsSettings b = radiomics_preset("ibsi1-config-b");
  EXPECT_TRUE(b.interpolation.in_plane_only);
  EXPECT_EQ(b.discretisation.bin_count, 32);
  const RadiomicsSettings e = radiomics_preset("ibsi1-config-e");
  EXPECT_EQ(e.interpolation.image_method, InterpolationMethod::kCubicSpline);
  EXPECT_TRUE(e.resegmentation.outlier_filter);
  EXPECT_EQ(e.resegmentation.range_max, 400.0);
  EXPECT_EQ(e.ivh.intensity_type, IntensityType::kArbitraryUnits);
  EXPECT_EQ(radiomics_preset("ibsi1-config-c").ivh.intensity_type,
            IntensityType::kContinuousCalibrated);
  EXPECT_FALSE(radiomics_preset("ibsi1-config-d").resegmentation.range_min.has_value());
}

TEST(Presets, UnknownNamesAndKeysAreErrorsThatSayWhatIsKnown) {
  try {
    radiomics_preset("ibsi1-config-z");
    FAIL() << "expected an error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("ibsi1-config-a"), std::string::npos);
  }
  try {
    radiomics_settings_from_json(
        R"({"discretisation": {"method": "fixed_bin_size", "bin_widht": 5}})");
    FAIL() << "expected an error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("bin_widht"), std::string::npos);
  }
  EXPECT_THROW(radiomics_settings_from_json("{not json"), InvalidInputError);
  EXPECT_THROW(radiomics_settings_from_json(R"({"aggregation": ["4D"]})"), InvalidInputError);
  EXPECT_THROW(load_radiomics_settings("/nonexistent/settings.json"), InvalidInputError);
}

TEST(FeatureCodes, EveryEmittedFeatureHasItsIbsiCode) {
  EXPECT_EQ(detail::ibsi_feature_code("cm_energy"), "8ZQL");
  EXPECT_EQ(detail::ibsi_feature_code("szm_sze"), "5QRC");
  EXPECT_EQ(detail::ibsi_feature_code("morph_volume"), "RNU0");
  EXPECT_EQ(detail::ibsi_feature_code("ngl_dc_energy"), "CAS9");
  EXPECT_TRUE(detail::ibsi_feature_code("no_such_feature").empty());
}

// A 12 x 10 x 6 image with a smooth gradient and noise, ROI an ellipsoid.
std::pair<ImageVolume, Mask> synthetic_study(unsigned seed) {
  Geometry geometry;
  geometry.size = {16, 14, 10};
  geometry.spacing_mm = {1.5, 1.5, 2.5};
  ImageVolume image(geometry, 0.0f);
  Mask mask(geometry, 0);
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0.0f, 20.0f);
  for (int64_t k = 0; k < geometry.size[2]; ++k) {
    for (int64_t j = 0; j < geometry.size[1]; ++j) {
      for (int64_t i = 0; i < geometry.size[0]; ++i) {
        const int64_t ci = i, cj = j, ck = k;
        image.at(i, j, k) =
            std::round(static_cast<float>(10 * ci - 5 * cj + 30 * ck) + noise(random));
        const double x = (ci - 6.0) / 4.5, y = (cj - 5.5) / 3.5, z = (ck - 4.0) / 2.5;
        mask.at(i, j, k) = x * x + y * y + z * z <= 1.0 ? 1 : 0;
      }
    }
  }
  return {image, mask};
}

RadiomicsSettings all_aggregations() {
  RadiomicsSettings settings = radiomics_preset("ibsi1-config-a");
  settings.aggregation = {true, true, true};
  settings.resegmentation = {};
  settings.discretisation = {DiscretisationMethod::kFixedBinNumber, 16, 0.0};
  return settings;
}

TEST(ComputeFeatures, EmitsTheFullIbsiTagSet) {
  const auto [image, mask] = synthetic_study(1);
  const FeatureSet features = compute_features(image, mask, all_aggregations());
  // 29 morphology + 2 local + 18 statistics + 23 IH + 7 IVH + 6 x 25 GLCM + 6 x 16 GLRLM
  // + 3 x (16 + 16 + 5 + 17): the 487 tags of the digital-phantom table.
  EXPECT_EQ(features.features.size(), 487u);
  std::set<std::string> tags;
  for (const Feature& feature : features.features) {
    EXPECT_TRUE(tags.insert(feature.tag).second) << "duplicate " << feature.tag;
    EXPECT_EQ(feature.ibsi_code.size(), 4u) << feature.tag;
  }
  EXPECT_TRUE(tags.count("cm_joint_max_2D_avg"));
  EXPECT_TRUE(tags.count("rlm_sre_2_5D_comb"));
  EXPECT_TRUE(tags.count("szm_sze_3D"));
  EXPECT_TRUE(tags.count("ngl_dc_energy_2D"));
  EXPECT_EQ(features.diagnostics.size(), 60u);
  EXPECT_EQ(features.value("int_mask_vox_count_init_roi"),
            features.value("morph_mask_vox_count_reseg_roi"));
}

TEST(ComputeFeatures, TranslatingTheStudyChangesNothing) {
  const auto [image, mask] = synthetic_study(2);
  // The same study one voxel further along i and k and two along j.
  ImageVolume moved(image.geometry, -1000.0f);
  Mask moved_mask(mask.geometry, 0);
  for (int64_t k = 0; k + 1 < image.geometry.size[2]; ++k) {
    for (int64_t j = 0; j + 2 < image.geometry.size[1]; ++j) {
      for (int64_t i = 0; i + 1 < image.geometry.size[0]; ++i) {
        moved.at(i + 1, j + 2, k + 1) = image.at(i, j, k);
        moved_mask.at(i + 1, j + 2, k + 1) = mask.at(i, j, k);
      }
    }
  }
  RadiomicsSettings settings = all_aggregations();
  settings.families.local_intensity = false;  // the sphere reaches the image border
  const FeatureSet original = compute_features(image, mask, settings);
  const FeatureSet translated = compute_features(moved, moved_mask, settings);
  ASSERT_EQ(original.features.size(), translated.features.size());
  for (size_t f = 0; f < original.features.size(); ++f) {
    const double a = original.features[f].value, b = translated.features[f].value;
    if (std::isnan(a)) {
      EXPECT_TRUE(std::isnan(b)) << original.features[f].tag;
    } else {
      EXPECT_NEAR(a, b, 1e-9 * std::max(1.0, std::abs(a))) << original.features[f].tag;
    }
  }
}

TEST(ComputeFeatures, SameBytesForOneAndTwoThreads) {
  const auto [image, mask] = synthetic_study(3);
  RadiomicsSettings settings = radiomics_preset("ibsi1-config-e");
  settings.interpolation.spacing_mm = {1.0, 1.0, 1.0};
  std::string one, two;
  {
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
    one = features_to_csv_long(compute_features(image, mask, settings));
  }
  {
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
    two = features_to_csv_long(compute_features(image, mask, settings));
  }
  EXPECT_EQ(one, two);
}

TEST(ComputeFeatures, InterpolationFollowsTheCentreAlignedGrid) {
  const auto [image, mask] = synthetic_study(4);
  RadiomicsSettings settings = radiomics_preset("ibsi1-config-c");
  settings.resegmentation = {};
  const FeatureSet features = compute_features(image, mask, settings);
  // 16 x 1.5 / 2 = 12, 14 x 1.5 / 2 = 10.5 -> 11, 10 x 2.5 / 2 = 12.5 -> 13.
  EXPECT_EQ(features.value("img_dim_x_interp_img"), 12.0);
  EXPECT_EQ(features.value("img_dim_y_interp_img"), 11.0);
  EXPECT_EQ(features.value("img_dim_z_interp_img"), 13.0);
  EXPECT_EQ(features.value("vox_dim_z_interp_img"), 2.0);
  // Rounded intensities.
  const double mean = *features.value("stat_mean");
  EXPECT_TRUE(std::isfinite(mean));
  EXPECT_EQ(*features.value("stat_min"), std::round(*features.value("stat_min")));
}

TEST(Presets, Ibsi2Phase2PresetsMatchTheReferenceConfigurations) {
  // radiomics-ibsi.md §8.4: A = 2D without interpolation, B = 3D at 1 mm (tricubic spline).
  for (int id = 1; id <= 11; ++id) {
    for (const char variant : {'a', 'b'}) {
      const std::string name = "ibsi2-phase2-" + std::to_string(id) + variant;
      const RadiomicsSettings settings = radiomics_preset(name);
      EXPECT_EQ(settings.resegmentation.range_min, -1000.0) << name;
      EXPECT_EQ(settings.resegmentation.range_max, 400.0) << name;
      EXPECT_EQ(settings.interpolation.enabled, variant == 'b') << name;
      EXPECT_TRUE(settings.families.statistics && !settings.families.glcm) << name;
      if (id > 1) {
        EXPECT_EQ(settings.filter.in_plane, variant == 'a') << name;
      }
    }
  }
  EXPECT_EQ(radiomics_preset("ibsi2-phase2-1a").filter.kind, FilterKind::kNone);
  const FilterSettings laws = radiomics_preset("ibsi2-phase2-4b").filter;
  EXPECT_EQ(laws.laws.kernels, "L5E5E5");
  EXPECT_EQ(laws.laws.energy_distance, 7);
  EXPECT_TRUE(laws.laws.rotation_invariant);
  EXPECT_EQ(laws.boundary, FilterBoundary::kMirror);
  const FilterSettings gabor = radiomics_preset("ibsi2-phase2-5a").filter;
  EXPECT_NEAR(gabor.gabor.orientation_step_rad, std::numbers::pi / 8.0, 1e-15);
  EXPECT_EQ(gabor.gabor.spatial_aspect_ratio, 1.5);
  const FilterSettings wavelet = radiomics_preset("ibsi2-phase2-7a").filter;
  EXPECT_EQ(wavelet.wavelet.wavelet, "db3");
  EXPECT_EQ(wavelet.wavelet.bands, "HH");
  EXPECT_EQ(wavelet.wavelet.level, 2);
  EXPECT_EQ(radiomics_preset("ibsi2-phase2-9b").filter.simoncelli.level, 2);
  // 10 and 11 (no reference values): Riesz of Simoncelli level 1, 11 aligned.
  for (const char* name : {"ibsi2-phase2-10a", "ibsi2-phase2-11b"}) {
    const FilterSettings riesz = radiomics_preset(name).filter;
    EXPECT_EQ(riesz.kind, FilterKind::kRiesz) << name;
    EXPECT_EQ(riesz.riesz.base_filter, RieszBaseFilter::kSimoncelli) << name;
    EXPECT_EQ(riesz.riesz.simoncelli_level, 1) << name;
    EXPECT_EQ(riesz.riesz.aligned, std::string(name) == "ibsi2-phase2-11b") << name;
  }
}

TEST(FilterSettings, UnknownKindsKeysAndFamiliesAreErrors) {
  const auto error_of = [](const std::string& json) -> std::string {
    try {
      radiomics_settings_from_json(json, "test.json");
    } catch (const InvalidInputError& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_NE(error_of(R"({"filter": {"kind": "sobel"}})").find("laplacian_of_gaussian"),
            std::string::npos);
  // A parameter of another kind is an unknown key.
  EXPECT_NE(error_of(R"({"filter": {"kind": "mean", "sigma_mm": 2}})").find("support_voxels"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"filter": {"kind": "mean", "boundary": "reflect"}})").find("mirror"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"filter": {"kind": "mean", "support_voxels": 4}})").find("odd"),
            std::string::npos);
  // With a filter only the intensity statistics are computed.
  const auto [image, mask] = synthetic_study(6);
  RadiomicsSettings settings = all_aggregations();
  settings.filter.kind = FilterKind::kMean;
  EXPECT_THROW(compute_features(image, mask, settings), InvalidInputError);
}

// A 40 x 36 x 24 study at 1 mm whose ROI (a box) lies 2 voxels from the i = 0 face and far from
// the others, so that the filtered region meets the image edge on one side only.
std::pair<ImageVolume, Mask> edge_study() {
  Geometry geometry;
  geometry.size = {40, 36, 24};
  geometry.spacing_mm = {1.0, 1.0, 1.0};
  ImageVolume image(geometry, 0.0f);
  Mask mask(geometry, 0);
  std::mt19937 random(11);
  std::uniform_real_distribution<float> noise(-200.0f, 200.0f);
  for (float& value : image.values) value = std::round(noise(random));
  for (int64_t k = 9; k < 15; ++k) {
    for (int64_t j = 12; j < 20; ++j) {
      for (int64_t i = 2; i < 10; ++i) mask.at(i, j, k) = 1;
    }
  }
  return {image, mask};
}

TEST(ComputeFeatures, FilteredStatisticsEqualThoseOfTheWholeImageResponse) {
  // compute_features filters the ROI box plus the filter's reach; the statistics must equal
  // those of the whole-image response over the ROI voxels whose unfiltered value lies in the
  // re-segmentation range.
  const auto [image, mask] = edge_study();
  RadiomicsSettings settings;
  settings.families = {false, false, true, false, false, false, false, false, false, false, false};
  settings.resegmentation.range_min = -150.0;
  settings.resegmentation.range_max = 180.0;
  settings.diagnostics = false;
  std::vector<FilterSettings> filters;
  FilterSettings filter;
  filter.kind = FilterKind::kMean;
  filter.mean_support_voxels = 5;
  filters.push_back(filter);
  filter = {};
  filter.kind = FilterKind::kLaplacianOfGaussian;
  filter.log_sigma_mm = 1.5;
  filters.push_back(filter);
  filter = {};
  filter.kind = FilterKind::kLaws;
  filter.laws = {"L5E5E5", false, true, 3, FilterBoundary::kMirror};
  filters.push_back(filter);
  filter = {};
  filter.kind = FilterKind::kWavelet;
  filter.wavelet.wavelet = "db3";
  filter.wavelet.bands = "HHH";
  filter.wavelet.level = 2;
  filter.boundary = FilterBoundary::kZero;
  filters.push_back(filter);
  filter = {};
  filter.kind = FilterKind::kGabor;
  filter.in_plane = true;
  filter.gabor.sigma_mm = 2.0;
  filter.gabor.wavelength_mm = 2.0;
  filter.gabor.spatial_aspect_ratio = 1.5;
  filter.gabor.rotation_invariant = true;
  filter.gabor.orientation_step_rad = std::numbers::pi / 4.0;
  filters.push_back(filter);
  filter = {};
  filter.kind = FilterKind::kSimoncelli;
  filter.boundary = FilterBoundary::kPeriodic;
  filters.push_back(filter);
  for (const FilterSettings& tested : filters) {
    settings.filter = tested;
    const FeatureSet features = compute_features(image, mask, settings);
    const ImageVolume response = apply_filter(image, tested);
    std::vector<double> values;
    for (size_t v = 0; v < image.values.size(); ++v) {
      if (mask.values[v] != 0 && image.values[v] >= -150.0f && image.values[v] <= 180.0f) {
        values.push_back(response.values[v]);
      }
    }
    ASSERT_FALSE(values.empty());
    double sum = 0.0;
    for (const double value : values) sum += value;
    const double mean = sum / static_cast<double>(values.size());
    const double scale = *std::max_element(values.begin(), values.end()) -
                         *std::min_element(values.begin(), values.end());
    const int kind = static_cast<int>(tested.kind);
    EXPECT_NEAR(*features.value("stat_mean"), mean, 1e-6 * scale) << "filter kind " << kind;
    EXPECT_NEAR(*features.value("stat_max"), *std::max_element(values.begin(), values.end()),
                1e-6 * scale)
        << "filter kind " << kind;
    EXPECT_NEAR(*features.value("stat_min"), *std::min_element(values.begin(), values.end()),
                1e-6 * scale)
        << "filter kind " << kind;
    EXPECT_EQ(features.features.size(), 18u);
  }
}

TEST(FilterResponseMap, InterpolatesRoundsThenFiltersTheWholeImage) {
  // A ramp along i (value = world x in mm) on a 1 mm grid, interpolated to 2 mm (trilinear, IBSI
  // centre-aligned grid) then mean-filtered over 3 voxels: trilinear interpolation and the mean
  // reproduce a linear ramp, so every voxel away from the edges holds its own x coordinate.
  Geometry geometry;
  geometry.size = {21, 9, 9};
  geometry.spacing_mm = {1.0, 1.0, 1.0};
  geometry.origin_mm = {-10.0, 4.0, 2.0};
  ImageVolume image(geometry, 0.0f);
  for (int64_t k = 0; k < 9; ++k) {
    for (int64_t j = 0; j < 9; ++j) {
      for (int64_t i = 0; i < 21; ++i) {
        image.values[geometry.offset(i, j, k)] =
            static_cast<float>(geometry.index_to_world(i, j, k)[0]);
      }
    }
  }
  RadiomicsSettings settings;
  settings.interpolation.enabled = true;
  settings.interpolation.image_method = InterpolationMethod::kLinear;
  settings.interpolation.spacing_mm = {2.0, 2.0, 2.0};
  settings.filter.kind = FilterKind::kMean;
  settings.filter.mean_support_voxels = 3;
  const ImageVolume response = filter_response_map(image, settings);
  // ceil(21 * 1 / 2) = 11 samples along i, centred: first sample at index (20 - 2 * 10) / 2 = 0.
  EXPECT_EQ(response.geometry.size[0], 11);
  EXPECT_EQ(response.geometry.size[1], 5);
  EXPECT_DOUBLE_EQ(response.geometry.spacing_mm[0], 2.0);
  size_t checked = 0;
  for (int64_t k = 0; k < response.geometry.size[2]; ++k) {
    for (int64_t j = 0; j < response.geometry.size[1]; ++j) {
      for (int64_t i = 1; i + 1 < response.geometry.size[0]; ++i) {
        const double x = response.geometry.index_to_world(i, j, k)[0];
        EXPECT_NEAR(response.values[response.geometry.offset(i, j, k)], x, 1e-4) << i;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);

  // Without interpolation: exactly apply_filter on the image; with rounding, 0.4 becomes 0.
  settings.interpolation.enabled = false;
  const ImageVolume direct = apply_filter(image, settings.filter);
  EXPECT_EQ(filter_response_map(image, settings).values, direct.values);
  settings.round_intensities = true;
  const ImageVolume rounded = filter_response_map(ImageVolume(geometry, 0.4f), settings);
  EXPECT_EQ(*std::max_element(rounded.values.begin(), rounded.values.end()), 0.0f);

  settings.filter.kind = FilterKind::kNone;
  EXPECT_THROW(filter_response_map(image, settings), InvalidInputError);
}

TEST(FilterSettings, MeanOfAConstantImageIsTheConstant) {
  // Hand-computed: every boundary rule but zero pads a constant image with the constant, so a
  // 5-voxel mean returns it; with zero padding a voxel on a face keeps 3/5 of it per face axis.
  Geometry geometry;
  geometry.size = {9, 9, 9};
  geometry.spacing_mm = {1.0, 1.0, 1.0};
  const ImageVolume image(geometry, 10.0f);
  Mask mask(geometry, 0);
  mask.at(0, 4, 4) = 1;  // a face voxel
  RadiomicsSettings settings;
  settings.families = {false, false, true, false, false, false, false, false, false, false, false};
  settings.diagnostics = false;
  settings.filter.kind = FilterKind::kMean;
  settings.filter.boundary = FilterBoundary::kNearest;
  EXPECT_NEAR(*compute_features(image, mask, settings).value("stat_mean"), 10.0, 1e-6);
  settings.filter.boundary = FilterBoundary::kZero;
  EXPECT_NEAR(*compute_features(image, mask, settings).value("stat_mean"), 6.0, 1e-6);
}

TEST(ComputeFeatures, RejectsMismatchedGridsAndEmptyRois) {
  const auto [image, mask] = synthetic_study(5);
  Mask small(Geometry{}, 0);
  EXPECT_THROW(compute_features(image, small, all_aggregations()), InvalidInputError);
  Mask empty(mask.geometry, 0);
  EXPECT_THROW(compute_features(image, empty, all_aggregations()), InvalidInputError);
  RadiomicsSettings impossible = all_aggregations();
  impossible.resegmentation.range_min = 1e6;
  EXPECT_THROW(compute_features(image, mask, impossible), InvalidInputError);
}

TEST(Writers, LongWideAndJson) {
  FeatureSet set;
  set.settings_name = "test";
  set.features = {{"stat_mean", 0.1, "Q4LE"}, {"cm_corr_3D_avg", std::nan(""), "NI2N"}};
  set.diagnostics = {{"img_dim_x_init_img", 204, ""}};
  EXPECT_EQ(features_to_csv_long(set),
            "tag,value,ibsi_code\nstat_mean,0.10000000000000001,Q4LE\ncm_corr_3D_avg,NaN,NI2N\n"
            "img_dim_x_init_img,204,\n");
  EXPECT_EQ(features_to_csv_long(set, false),
            "tag,value,ibsi_code\nstat_mean,0.10000000000000001,Q4LE\ncm_corr_3D_avg,NaN,NI2N\n");
  FeatureSet other = set;
  other.features = {{"stat_mean", 2.0, "Q4LE"}, {"stat_var", 3.0, "ECT3"}};
  EXPECT_EQ(features_to_csv_wide({set, other}, {"a", "b,c"}),
            "label,stat_mean,cm_corr_3D_avg,stat_var\na,0.10000000000000001,NaN,\n\"b,c\",2,,3\n");
  const std::string json = features_to_json(set);
  EXPECT_NE(json.find("\"value\": null"), std::string::npos);
  EXPECT_NE(json.find("\"ibsi_code\": \"Q4LE\""), std::string::npos);
  EXPECT_THROW(features_to_csv_wide({set}, {}), InternalError);
}

// A 48 x 40 x 36 image with noise and two ellipsoidal ROIs (labels 1 and 2), one in the middle
// and one touching the image edge along i: the ROIs are much smaller than the image, so the
// features are computed from the block around the ROI.
std::pair<ImageVolume, LabelMap> two_lesion_study(unsigned seed) {
  Geometry geometry;
  geometry.size = {48, 40, 36};
  geometry.spacing_mm = {2.6, 2.6, 2.0};
  geometry.origin_mm = {-60.0, 10.0, 300.0};
  ImageVolume image(geometry, 0.0f);
  LabelMap labels(geometry, 0);
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0.0f, 0.4f);
  for (int64_t k = 0; k < geometry.size[2]; ++k) {
    for (int64_t j = 0; j < geometry.size[1]; ++j) {
      for (int64_t i = 0; i < geometry.size[0]; ++i) {
        const double x1 = (i - 22.0) / 4.2, y1 = (j - 19.0) / 3.4, z1 = (k - 17.0) / 5.1;
        const double x2 = (i - 1.0) / 3.0, y2 = (j - 30.0) / 2.6, z2 = (k - 8.0) / 3.2;
        const bool first = x1 * x1 + y1 * y1 + z1 * z1 <= 1.0;
        const bool second = x2 * x2 + y2 * y2 + z2 * z2 <= 1.0;
        image.at(i, j, k) = std::max(0.0f, (first    ? 6.0f
                                            : second ? 4.0f
                                                     : 1.0f) +
                                               0.02f * static_cast<float>(k) + noise(random));
        labels.at(i, j, k) = first ? 1 : (second ? 2 : 0);
      }
    }
  }
  return {image, labels};
}

Mask mask_of(const LabelMap& labels, uint16_t label) {
  Mask mask(labels.geometry, 0);
  for (size_t v = 0; v < mask.values.size(); ++v) mask.values[v] = labels.values[v] == label;
  return mask;
}

void expect_identical(const FeatureSet& a, const FeatureSet& b, const std::string& what) {
  ASSERT_EQ(a.features.size(), b.features.size()) << what;
  for (size_t f = 0; f < a.features.size(); ++f) {
    const double x = a.features[f].value, y = b.features[f].value;
    EXPECT_EQ(a.features[f].tag, b.features[f].tag) << what;
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(y)) << what << " " << a.features[f].tag;
    } else {
      EXPECT_EQ(x, y) << what << " " << a.features[f].tag;
    }
  }
}

// Without diagnostics (and without cubic splines or Fourier filters) only the block around the
// ROI is read; with diagnostics the whole image. Both give the same bytes, for masks and for
// labels of a label map, for every interpolation that reads a block.
TEST(ComputeFeatures, BlockAroundTheRoiGivesTheWholeImageFeatures) {
  const auto [image, labels] = two_lesion_study(11);
  std::vector<RadiomicsSettings> variants;
  variants.push_back(radiomics_preset("pet-default"));
  RadiomicsSettings nearest = radiomics_preset("pet-default");
  nearest.interpolation.image_method = InterpolationMethod::kNearest;
  nearest.interpolation.mask_method = InterpolationMethod::kNearest;
  nearest.interpolation.spacing_mm = {2.0, 2.0, 2.0};
  variants.push_back(nearest);
  RadiomicsSettings native = radiomics_preset("pet-default");
  native.interpolation.enabled = false;
  variants.push_back(native);
  RadiomicsSettings in_plane = radiomics_preset("pet-default");
  in_plane.interpolation.in_plane_only = true;
  in_plane.aggregation = {true, true, false};
  variants.push_back(in_plane);
  RadiomicsSettings mean_filter = radiomics_preset("ibsi2-phase2-2b");
  mean_filter.resegmentation = {};
  mean_filter.interpolation.spacing_mm = {2.0, 2.0, 2.0};
  mean_filter.interpolation.image_method = InterpolationMethod::kLinear;
  mean_filter.round_intensities = false;
  variants.push_back(mean_filter);
  for (RadiomicsSettings block : variants) {
    for (const uint16_t label : {uint16_t{1}, uint16_t{2}}) {
      const std::string what = block.name + " label " + std::to_string(label) +
                               (block.interpolation.in_plane_only ? " in plane" : "");
      const Mask mask = mask_of(labels, label);
      block.diagnostics = false;
      RadiomicsSettings whole = block;
      whole.diagnostics = true;
      const FeatureSet from_block = compute_features(image, mask, block);
      expect_identical(compute_features(image, mask, whole), from_block, what);
      // The label-map form, with a box larger than the ROI.
      expect_identical(
          compute_features(image, labels, label, Index3{0, 0, 0}, Index3{47, 39, 35}, block),
          from_block, what + " (label map)");
    }
  }
}

TEST(ComputeFeatures, LabelMapFormRejectsBadLabelsAndBoxes) {
  const auto [image, labels] = two_lesion_study(12);
  const RadiomicsSettings settings = radiomics_preset("pet-default");
  EXPECT_THROW(compute_features(image, labels, 0, Index3{0, 0, 0}, Index3{47, 39, 35}, settings),
               InvalidInputError);
  EXPECT_THROW(compute_features(image, labels, 1, Index3{0, 0, 0}, Index3{48, 39, 35}, settings),
               InvalidInputError);
  // A box that holds no voxel of label 1.
  EXPECT_THROW(compute_features(image, labels, 1, Index3{0, 0, 0}, Index3{5, 5, 5}, settings),
               InvalidInputError);
  EXPECT_THROW(compute_features(image, labels, 3, Index3{0, 0, 0}, Index3{47, 39, 35}, settings),
               InvalidInputError);
}

// Voxel-wise maps: the value at a voxel is the feature of its kernel neighbourhood (kernel
// intersected with the ROI) computed by compute_features as an ROI of its own; both kernel shapes;
// the same bytes for one and two threads; NaN outside the ROI.
TEST(FeatureMaps, EachVoxelIsTheFeatureOfItsKernelAsAnRoi) {
  const auto [image, labels] = two_lesion_study(13);
  const Mask roi = mask_of(labels, 1);
  RadiomicsSettings settings = radiomics_preset("pet-default");
  settings.interpolation.enabled = false;
  settings.discretisation = {DiscretisationMethod::kFixedBinNumber, 8, 0.0};
  settings.aggregation = {false, true, true};
  FeatureMapSettings map;
  map.features = {"stat_mean", "stat_var", "cm_contrast_3D_comb", "cm_joint_entr_3D_avg",
                  "cm_corr_2_5D_comb"};
  map.kernel_radius_voxels = 2;
  RadiomicsSettings direct = settings;
  direct.families = {};
  direct.families.morphology = direct.families.local_intensity = false;
  direct.families.intensity_histogram = direct.families.intensity_volume_histogram = false;
  direct.families.glrlm = direct.families.glszm = direct.families.gldzm = false;
  direct.families.ngtdm = direct.families.ngldm = false;
  direct.diagnostics = false;
  const Geometry& grid = image.geometry;
  for (const KernelShape shape : {KernelShape::kSphere, KernelShape::kCube}) {
    map.kernel = shape;
    std::vector<ImageVolume> maps, two_threads;
    {
      tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
      maps = compute_feature_maps(image, roi, settings, map);
    }
    {
      tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
      two_threads = compute_feature_maps(image, roi, settings, map);
    }
    ASSERT_EQ(maps.size(), map.features.size());
    for (size_t f = 0; f < maps.size(); ++f) {
      ASSERT_EQ(maps[f].values.size(), two_threads[f].values.size());
      EXPECT_EQ(std::memcmp(maps[f].values.data(), two_threads[f].values.data(),
                            maps[f].values.size() * sizeof(float)),
                0)
          << map.features[f];
    }
    // The map covers the ROI's bounding box: i 18..26, j 16..22, k 12..22 for label 1.
    const Geometry& box = maps.front().geometry;
    const Vec3 first = box.origin_mm;
    const Index3 low{static_cast<int64_t>(std::lround((first[0] - grid.origin_mm[0]) / 2.6)),
                     static_cast<int64_t>(std::lround((first[1] - grid.origin_mm[1]) / 2.6)),
                     static_cast<int64_t>(std::lround((first[2] - grid.origin_mm[2]) / 2.0))};
    size_t checked = 0, outside = 0;
    for (int64_t k = 0; k < box.size[2]; ++k) {
      for (int64_t j = 0; j < box.size[1]; ++j) {
        for (int64_t i = 0; i < box.size[0]; ++i) {
          const Index3 at{low[0] + i, low[1] + j, low[2] + k};
          if (roi.at(at[0], at[1], at[2]) == 0) {
            EXPECT_TRUE(std::isnan(maps.front().at(i, j, k)));
            ++outside;
            continue;
          }
          if ((i + 3 * j + 7 * k) % 11 != 0) continue;  // a sample of the ROI voxels
          Mask kernel(grid, 0);
          const int64_t r = map.kernel_radius_voxels;
          for (int64_t dk = -r; dk <= r; ++dk) {
            for (int64_t dj = -r; dj <= r; ++dj) {
              for (int64_t di = -r; di <= r; ++di) {
                if (shape == KernelShape::kSphere && di * di + dj * dj + dk * dk > r * r) continue;
                kernel.at(at[0] + di, at[1] + dj, at[2] + dk) =
                    roi.at(at[0] + di, at[1] + dj, at[2] + dk);
              }
            }
          }
          const FeatureSet features = compute_features(image, kernel, direct);
          for (size_t f = 0; f < maps.size(); ++f) {
            const double expected = *features.value(map.features[f]);
            const float value = maps[f].at(i, j, k);
            if (std::isnan(expected)) {
              EXPECT_TRUE(std::isnan(value)) << map.features[f];
            } else {
              EXPECT_EQ(value, static_cast<float>(expected))
                  << map.features[f] << " at " << at[0] << "," << at[1] << "," << at[2];
            }
          }
          ++checked;
        }
      }
    }
    EXPECT_GT(checked, 10u);
    EXPECT_GT(outside, 0u);
  }
}

TEST(FeatureMaps, RejectsUnknownTagsInterpolationAndBadRadii) {
  const auto [image, labels] = two_lesion_study(14);
  const Mask roi = mask_of(labels, 2);
  RadiomicsSettings settings = radiomics_preset("pet-default");
  FeatureMapSettings map;
  map.features = {"stat_mean"};
  EXPECT_THROW(compute_feature_maps(image, roi, settings, map),
               InvalidInputError);  // interpolation
  settings.interpolation.enabled = false;
  EXPECT_EQ(compute_feature_maps(image, roi, settings, map).size(), 1u);
  map.kernel_radius_voxels = 0;
  EXPECT_THROW(compute_feature_maps(image, roi, settings, map), InvalidInputError);
  map.kernel_radius_voxels = 1;
  map.features = {"morph_volume"};
  try {
    compute_feature_maps(image, roi, settings, map);
    FAIL() << "expected an error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("cm_contrast_3D_comb"), std::string::npos);
  }
}

}  // namespace
}  // namespace oncotrace::radiomics
