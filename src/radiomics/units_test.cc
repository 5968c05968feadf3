// Units of the IBSI features (feature_unit, ucum_power, ucum_product).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics {
namespace {

constexpr const char* kSuv = "g/ml{SUVbw}";
constexpr const char* kHu = "[hnsf'U]";

TEST(FeatureUnits, UcumPowerMultipliesEveryExponent) {
  EXPECT_EQ(ucum_power(kSuv, 2), "g2/ml2{SUVbw}");
  EXPECT_EQ(ucum_power(kHu, 2), "[hnsf'U]2");
  EXPECT_EQ(ucum_power("Bq/ml", 2), "Bq2/ml2");
  EXPECT_EQ(ucum_power("cm2/ml{SUVbsa}", 2), "cm4/ml2{SUVbsa}");
  EXPECT_EQ(ucum_power("mm-1", 2), "mm-2");
  EXPECT_EQ(ucum_power("/mm", 3), "/mm3");
  EXPECT_EQ(ucum_power("10*3/ml", 2), "10*6/ml2");
  EXPECT_EQ(ucum_power("1", 2), "1");
  EXPECT_EQ(ucum_power("{ratio}", 2), "{ratio}");
  EXPECT_EQ(ucum_power("", 2), "");
  EXPECT_EQ(ucum_power("(g/ml)", 2), "");  // parentheses: not handled, unknown
}

TEST(FeatureUnits, UcumProductJoinsTerms) {
  EXPECT_EQ(ucum_product("mm3", kSuv), "mm3.g/ml{SUVbw}");
  EXPECT_EQ(ucum_product("mm3", "/mm"), "mm3/mm");
  EXPECT_EQ(ucum_product("1", kHu), kHu);
  EXPECT_EQ(ucum_product(kHu, "1"), kHu);
  EXPECT_EQ(ucum_product("mm3", ""), "");
}

TEST(FeatureUnits, Morphology) {
  EXPECT_EQ(feature_unit("morph_volume", kSuv), "mm3");
  EXPECT_EQ(feature_unit("morph_vol_approx", kSuv), "mm3");
  EXPECT_EQ(feature_unit("morph_area_mesh", kSuv), "mm2");
  EXPECT_EQ(feature_unit("morph_av", kSuv), "/mm");
  EXPECT_EQ(feature_unit("morph_diam", kSuv), "mm");
  EXPECT_EQ(feature_unit("morph_com", kSuv), "mm");
  EXPECT_EQ(feature_unit("morph_pca_maj_axis", kSuv), "mm");
  EXPECT_EQ(feature_unit("morph_pca_least_axis", kSuv), "mm");
  EXPECT_EQ(feature_unit("morph_integ_int", kSuv), "mm3.g/ml{SUVbw}");
  EXPECT_EQ(feature_unit("morph_integ_int", kHu), "mm3.[hnsf'U]");
  for (const char* ratio :
       {"morph_comp_1", "morph_comp_2", "morph_sph_dispr", "morph_sphericity", "morph_asphericity",
        "morph_pca_elongation", "morph_pca_flatness", "morph_vol_dens_aabb",
        "morph_area_dens_conv_hull", "morph_moran_i", "morph_geary_c"}) {
    EXPECT_EQ(feature_unit(ratio, kSuv), "1") << ratio;
  }
}

TEST(FeatureUnits, LocalIntensityAndStatistics) {
  EXPECT_EQ(feature_unit("loc_peak_loc", kSuv), kSuv);
  EXPECT_EQ(feature_unit("loc_peak_glob", kHu), kHu);
  for (const char* tag :
       {"stat_mean", "stat_median", "stat_min", "stat_max", "stat_p10", "stat_p90", "stat_iqr",
        "stat_range", "stat_mad", "stat_rmad", "stat_medad", "stat_rms"}) {
    EXPECT_EQ(feature_unit(tag, kSuv), kSuv) << tag;
  }
  EXPECT_EQ(feature_unit("stat_var", kSuv), "g2/ml2{SUVbw}");
  EXPECT_EQ(feature_unit("stat_energy", kHu), "[hnsf'U]2");
  for (const char* tag : {"stat_skew", "stat_kurt", "stat_cov", "stat_qcod"}) {
    EXPECT_EQ(feature_unit(tag, kSuv), "1") << tag;
  }
}

TEST(FeatureUnits, HistogramsByIntensityType) {
  EXPECT_EQ(feature_unit("ih_mean", kSuv), "1");
  EXPECT_EQ(feature_unit("ih_var", kSuv), "1");
  EXPECT_EQ(feature_unit("ih_entropy", kSuv), "1");
  EXPECT_EQ(feature_unit("ivh_v10", kSuv), "1");
  EXPECT_EQ(feature_unit("ivh_diff_v10_v90", kSuv), "1");
  EXPECT_EQ(feature_unit("ivh_auc", kSuv), "1");
  EXPECT_EQ(feature_unit("ivh_i10", kSuv, IntensityType::kContinuousCalibrated), kSuv);
  EXPECT_EQ(feature_unit("ivh_diff_i10_i90", kHu, IntensityType::kDiscreteCalibrated), kHu);
  EXPECT_EQ(feature_unit("ivh_i90", kHu, IntensityType::kArbitraryUnits), "1");
}

TEST(FeatureUnits, TextureFamiliesAreDimensionlessWithAnyAggregation) {
  for (const char* tag :
       {"cm_contrast_3D_comb", "cm_joint_max_2D_avg", "cm_energy_2_5D_d_mrg", "rlm_sre_3D_avg",
        "rlm_rlnu_2D_s_mrg", "szm_sze_3D", "szm_lze_2_5D", "dzm_sde_3D", "ngt_coarseness_3D",
        "ngt_strength_2D", "ngl_lde_3D", "ngl_dc_energy_2_5D"}) {
    EXPECT_EQ(feature_unit(tag, kSuv), "1") << tag;
  }
}

TEST(FeatureUnits, IbsiCodeOfATagWithOrWithoutAggregation) {
  EXPECT_EQ(feature_ibsi_code("cm_joint_entr_3D_comb"), "TU9B");
  EXPECT_EQ(feature_ibsi_code("cm_joint_entr"), "TU9B");
  EXPECT_EQ(feature_ibsi_code("morph_volume"), "RNU0");
  EXPECT_EQ(feature_ibsi_code("not_a_feature_3D"), "");
}

TEST(FeatureUnits, UnknownIntensityUnitAndUnknownTags) {
  EXPECT_EQ(feature_unit("stat_mean", ""), "");
  EXPECT_EQ(feature_unit("stat_var", ""), "");
  EXPECT_EQ(feature_unit("morph_integ_int", ""), "");
  EXPECT_EQ(feature_unit("morph_volume", ""), "mm3");
  EXPECT_EQ(feature_unit("cm_contrast_3D_comb", ""), "1");
  EXPECT_THROW(feature_unit("stat_meen", kSuv), InvalidInputError);
  EXPECT_THROW(feature_unit("", kSuv), InvalidInputError);
}

// Every feature compute_features emits (all families, all aggregations) has a unit.
TEST(FeatureUnits, EveryComputedFeatureHasAUnit) {
  Geometry grid;
  grid.size = {9, 9, 6};
  grid.spacing_mm = {2.0, 2.0, 3.0};
  ImageVolume image(grid, 0.0F);
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uptake(0.5F, 8.0F);
  for (float& value : image.values) value = uptake(random);
  Mask roi(grid, 0);
  for (int64_t k = 1; k < 5; ++k) {
    for (int64_t j = 2; j < 7; ++j) {
      for (int64_t i = 2; i < 7; ++i) roi.values[grid.offset(i, j, k)] = 1;
    }
  }
  RadiomicsSettings settings = radiomics_preset("pet-default");
  settings.interpolation.enabled = false;
  settings.aggregation.slice_2d = settings.aggregation.merged_2_5d = true;
  const FeatureSet features = compute_features(image, roi, settings);
  ASSERT_GT(features.features.size(), 170U);
  for (const Feature& feature : features.features) {
    EXPECT_FALSE(feature_unit(feature.tag, kSuv).empty()) << feature.tag;
  }
}

}  // namespace
}  // namespace oncotrace::radiomics
