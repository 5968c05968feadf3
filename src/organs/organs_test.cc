// Tests of the organs module on the simulated patient of the phantom module (noise-free FDG PET
// and CT built in memory with the phantom's scene API, so that the organ truth is exact), on
// hand-made volumes, and on the shipped label tables.
#include "oncotrace/organs.h"
#include "oncotrace/source_dir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/phantom.h"
#include "oncotrace/segment.h"
#include "phantom/anatomy.h"
#include "phantom/scene.h"
#include "phantom/simulate.h"
#include "phantom/tracer_table.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using phantom::Tissue;

// ---------------------------------------------------------------------------------------------
// The simulated patient

struct SimulatedPatient {
  Geometry pet_grid;
  Geometry ct_grid;
  ImageVolume suv;           // noise-free FDG SUVbw (6 mm PSF)
  ImageVolume ct;            // HU on the CT grid (2 x finer in-plane, 10 HU noise)
  LabelMap truth_organs;     // canonical organ labels on the PET grid (organ model without lesions)
  LabelMap truth_organs_ct;  // the same on the CT grid
  LabelMap truth_lesions;    // lesion labels 1..N on the PET grid
  double liver_suv = 0.0;
  double blood_pool_suv = 0.0;
  double muscle_suv = 0.0;
  std::vector<std::string> lesion_names;
};

uint16_t label_of(const char* organ) { return *canonical_organ_label(organ); }

// Canonical label of each tissue of the model; the heart is myocardium plus the blood in its
// chambers (fixed below), "blood_pool" elsewhere is the aorta. Fat and breast have no organ.
uint16_t canonical_label_of_tissue(Tissue tissue) {
  switch (tissue) {
    case Tissue::kMuscle:
      return label_of("muscle");
    case Tissue::kLung:
      return label_of("lung");
    case Tissue::kMyocardium:
      return label_of("heart");
    case Tissue::kBloodPool:
      return label_of("aorta");
    case Tissue::kLiver:
      return label_of("liver");
    case Tissue::kSpleen:
      return label_of("spleen");
    case Tissue::kKidney:
      return label_of("kidney");
    case Tissue::kBladder:
      return label_of("bladder");
    case Tissue::kBrain:
      return label_of("brain");
    case Tissue::kBone:
      return label_of("bone");
    case Tissue::kBowel:
      return label_of("bowel");
    default:
      return 0;
  }
}

// Organ truth on a grid: the organ model without lesions, voxel-centre rule; blood-pool voxels
// inside the heart's outer ellipsoid (as painted in src/phantom/anatomy.cc) are heart chambers.
LabelMap organ_truth(const Geometry& grid) {
  PatientSpec patient = default_patient();
  patient.lesions.clear();
  const phantom::PatientScene ps = phantom::build_patient_scene(patient, "baseline", {0, 0, 0});
  std::vector<uint16_t> label(ps.scene.regions.size(), 0);
  for (size_t r = 0; r < label.size(); ++r) {
    label[r] = canonical_label_of_tissue(static_cast<Tissue>(ps.scene.regions[r].tissue));
  }
  LabelMap truth = phantom::region_label_map(phantom::rasterize_scene(ps.scene, grid, 1), label);
  const phantom::Shape heart = phantom::make_ellipsoid({15, -25, 385}, {55, 45, 52}, 30);
  const uint16_t aorta_label = label_of("aorta"), heart_label = label_of("heart");
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        uint16_t& value = truth.at(i, j, k);
        if (value == aorta_label && phantom::shape_contains(heart, grid.index_to_world(i, j, k))) {
          value = heart_label;
        }
      }
    }
  }
  return truth;
}

// noise: 0 for noise-free images; 1 for the phantom's default counting noise (FDG, 245 MBq,
// 62 min uptake, 15 min, 1.5e-3 counts per positron: about 12 % in the liver at 4 mm before the
// 6 mm PSF, about 5 % after it as OrganSegmentation::noise_cv measures it); f for f times that
// noise SD (1 / f^2 of the counts).
SimulatedPatient make_patient(const std::string& preset, double noise = 0.0) {
  SimulatedPatient patient;
  const PhantomGridOptions grid_options = *phantom_grid_preset(preset);
  patient.pet_grid = phantom::emission_grid(grid_options, {0, 0, 400});
  patient.ct_grid = phantom::ct_grid(patient.pet_grid, grid_options.ct_inplane_factor);
  const phantom::TracerCatalogue catalogue = phantom::load_tracer_catalogue(phantom_data_dir());
  const phantom::TracerInfo& fdg = catalogue.at("fdg");
  const PatientSpec spec = default_patient();
  const phantom::PatientScene ps = phantom::build_patient_scene(spec, "baseline", {0, 0, 0});
  std::vector<double> suv(ps.scene.regions.size(), 0.0);
  std::vector<double> hu(ps.scene.regions.size(), -1000.0);
  std::vector<uint16_t> lesion_label(ps.scene.regions.size(), 0);
  for (size_t r = 0; r < ps.scene.regions.size(); ++r) {
    const phantom::Region& region = ps.scene.regions[r];
    if (region.lesion < 0) {
      const auto tissue = static_cast<Tissue>(region.tissue);
      suv[r] = tissue == Tissue::kAir ? 0.0 : fdg.tissue_suv[static_cast<size_t>(tissue)];
      hu[r] = phantom::tissue_ct_number_hu(tissue);
      continue;
    }
    const LesionSpec& lesion = spec.lesions[static_cast<size_t>(region.lesion)];
    const double viable = phantom::lesion_baseline_suv(fdg, lesion);
    suv[r] = region.lesion_core ? viable * lesion.necrotic_core_relative_uptake : viable;
    hu[r] = phantom::lesion_ct_number_hu(lesion.site, region.lesion_core);
    lesion_label[r] = static_cast<uint16_t>(region.lesion + 1);
  }
  for (const LesionSpec& lesion : spec.lesions) patient.lesion_names.push_back(lesion.name);
  double noise_counts_per_suv = 0.0;
  if (noise > 0.0) {
    // var(C) = C / k for activity C (Bq/mL); for SUV = f C, var(SUV) = f SUV / k.
    const double half_life_s = fdg.nuclide->half_life_s;
    const double reference_bq = 245e6 * std::exp2(-3720.0 / half_life_s);
    const double suv_per_bq_per_ml = 68000.0 / reference_bq;
    const double counts_per_bq_per_ml = phantom::counts_per_bq_per_ml(
        patient.pet_grid, 900.0, half_life_s, fdg.nuclide->positron_fraction, 1.5e-3);
    noise_counts_per_suv = counts_per_bq_per_ml / suv_per_bq_per_ml / (noise * noise);
  }
  const phantom::EmissionImages emission =
      phantom::simulate_emission(ps.scene, suv, patient.pet_grid, 3, 6.0, noise_counts_per_suv, 1);
  patient.suv = emission.measured;
  patient.truth_lesions = phantom::region_label_map(emission.fractions, lesion_label);
  patient.ct = phantom::simulate_ct(ps.scene, hu, patient.ct_grid, 3, 0.0, 10.0, 7);
  patient.truth_organs = organ_truth(patient.pet_grid);
  patient.truth_organs_ct = organ_truth(patient.ct_grid);
  patient.liver_suv = fdg.tissue_suv[static_cast<size_t>(Tissue::kLiver)];
  patient.blood_pool_suv = fdg.tissue_suv[static_cast<size_t>(Tissue::kBloodPool)];
  patient.muscle_suv = fdg.tissue_suv[static_cast<size_t>(Tissue::kMuscle)];
  return patient;
}

const SimulatedPatient& small_patient() {
  static const SimulatedPatient kPatient = make_patient("small");
  return kPatient;
}

// The heuristic organs of the small patient (with CT), computed once.
const OrganSegmentation& small_patient_organs() {
  static const OrganSegmentation kOrgans = segment_organs(small_patient().suv, &small_patient().ct);
  return kOrgans;
}

Mask truth_mask(const LabelMap& truth, const char* organ) {
  Mask mask(truth.geometry, 0);
  const uint16_t label = label_of(organ);
  for (size_t v = 0; v < mask.size(); ++v) mask.values[v] = truth.values[v] == label;
  return mask;
}

// TotalSegmentator v2 "total" values for the canonical truth: kidneys and lungs split by side
// (x < 0 is the patient's right), muscle as the autochthonous muscles, bone as the sacrum.
LabelMap to_totalsegmentator(const LabelMap& canonical) {
  std::vector<std::string> names;
  for (size_t label = 0; label <= canonical_organs().size(); ++label) {
    names.push_back(canonical_organ_name(static_cast<uint16_t>(label)));
  }
  LabelMap out(canonical.geometry, 0);
  const Geometry& grid = canonical.geometry;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const bool right = grid.index_to_world(i, j, k)[0] < 0.0;
        const std::string& organ = names.at(canonical.at(i, j, k));
        uint16_t value = 0;
        if (organ == "spleen") value = 1;
        if (organ == "kidney") value = right ? 2 : 3;
        if (organ == "liver") value = 5;
        if (organ == "lung") value = right ? 14 : 11;
        if (organ == "bowel") value = 18;
        if (organ == "bladder") value = 21;
        if (organ == "bone") value = 25;
        if (organ == "heart") value = 51;
        if (organ == "aorta") value = 52;
        if (organ == "muscle") value = right ? 87 : 86;
        if (organ == "brain") value = 90;
        out.at(i, j, k) = value;
      }
    }
  }
  return out;
}

// Voxels of a placed region that are not `organ` in the truth.
size_t voxels_outside_truth(const SimulatedPatient& patient, const ReferenceRegionPlacement& p,
                            const char* organ) {
  const Mask region = rasterise_region(patient.pet_grid, p.statistics->spec);
  const uint16_t label = label_of(organ);
  size_t outside = 0;
  for (size_t v = 0; v < region.size(); ++v) {
    outside += region.values[v] != 0 && patient.truth_organs.values[v] != label;
  }
  return outside;
}

// ---------------------------------------------------------------------------------------------
// Label tables

TEST(OrganTables, TotalSegmentatorV2TotalHas117LabelsWithKnownValues) {
  const OrganLabelTable table = organ_label_table("totalsegmentator");
  ASSERT_EQ(table.labels.size(), 117u);
  EXPECT_EQ(table.labels.front().value, 1);
  EXPECT_EQ(table.labels.back().value, 117);
  const std::vector<std::pair<uint16_t, std::string>> expected{
      {1, "spleen"}, {2, "kidney"}, {3, "kidney"}, {5, "liver"}, {21, "bladder"},
      {25, "bone"},  {51, "heart"}, {52, "aorta"}, {63, "vein"}, {80, "muscle"},
      {90, "brain"}, {91, "bone"},  {117, "bone"}, {10, "lung"}, {14, "lung"}};
  for (const auto& [value, organ] : expected) {
    EXPECT_EQ(canonical_organ_name(table.canonical_label(value)), organ) << value;
  }
  EXPECT_EQ(table.labels[89].name, "brain");
  EXPECT_EQ(table.labels[4].name, "liver");
  EXPECT_NE(table.source.find("map_to_binary.py"), std::string::npos);
  EXPECT_EQ(table.canonical_label(118), 0);
}

TEST(OrganTables, MooseOrgansCardiacAndMuscles) {
  const OrganLabelTable organs = organ_label_table("moose");
  ASSERT_EQ(organs.labels.size(), 19u);
  EXPECT_EQ(canonical_organ_name(organs.canonical_label(3)), "bladder");
  EXPECT_EQ(canonical_organ_name(organs.canonical_label(4)), "brain");
  EXPECT_EQ(canonical_organ_name(organs.canonical_label(8)), "liver");
  EXPECT_EQ(canonical_organ_name(organs.canonical_label(15)), "spleen");
  const OrganLabelTable cardiac = organ_label_table("moose_cardiac");
  EXPECT_EQ(canonical_organ_name(cardiac.canonical_label(6)), "aorta");
  EXPECT_EQ(canonical_organ_name(cardiac.canonical_label(1)), "heart");
  const OrganLabelTable muscles = organ_label_table("moose_muscles");
  EXPECT_EQ(canonical_organ_name(muscles.canonical_label(3)), "muscle");
  EXPECT_NE(organs.source.find("moose_snomed_mapping.csv"), std::string::npos);
}

TEST(OrganTables, UnknownTableAndMissingFolderAreClearErrors) {
  try {
    organ_label_table("nnunet");
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("totalsegmentator"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_organ_label_tables("/nonexistent/organs"), InvalidInputError);
}

TEST(OrganTables, DataDirectoryFollowsOncotraceDataDir) {
  const char* previous = std::getenv("ONCOTRACE_DATA_DIR");
  const std::string saved = previous ? previous : "";
  ::setenv("ONCOTRACE_DATA_DIR", "/some/where", 1);
  EXPECT_EQ(default_organ_table_dir(), std::filesystem::path("/some/where/organs"));
  ::unsetenv("ONCOTRACE_DATA_DIR");
  EXPECT_EQ(default_organ_table_dir(),
            std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "organs");
  if (previous) ::setenv("ONCOTRACE_DATA_DIR", saved.c_str(), 1);
}

TEST(OrganTables, AutoDetection) {
  Geometry grid;
  grid.size = {10, 10, 10};
  LabelMap labels(grid, 0);
  // Liver (the largest) coded 5: TotalSegmentator.
  for (int64_t i = 0; i < 500; ++i) labels.values[static_cast<size_t>(i)] = 5;
  for (int64_t i = 500; i < 600; ++i) labels.values[static_cast<size_t>(i)] = 8;
  EXPECT_EQ(detect_organ_table(labels), "totalsegmentator");
  // Liver coded 8: MOOSE.
  for (int64_t i = 0; i < 500; ++i) labels.values[static_cast<size_t>(i)] = 8;
  for (int64_t i = 500; i < 600; ++i) labels.values[static_cast<size_t>(i)] = 5;
  EXPECT_EQ(detect_organ_table(labels), "moose");
  // A value above 19: TotalSegmentator.
  labels.values[999] = 90;
  EXPECT_EQ(detect_organ_table(labels), "totalsegmentator");
  LabelMap empty(grid, 0);
  EXPECT_THROW(detect_organ_table(empty), InvalidInputError);
}

// ---------------------------------------------------------------------------------------------
// Helpers

TEST(OrganHelpers, DistanceTransformEqualsBruteForce) {
  Geometry grid;
  grid.size = {9, 7, 6};
  grid.spacing_mm = {1.5, 2.0, 3.0};
  Mask mask(grid, 0);
  std::mt19937 random(5);
  for (uint8_t& value : mask.values) value = (random() % 5) != 0;
  for (const bool outside_is_background : {true, false}) {
    const std::vector<float> distance = distance_to_background_mm(mask, outside_is_background);
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          double best = mask.at(i, j, k) == 0 ? 0.0 : 1e30;
          for (int64_t c = -1; c <= grid.size[2]; ++c) {
            for (int64_t b = -1; b <= grid.size[1]; ++b) {
              for (int64_t a = -1; a <= grid.size[0]; ++a) {
                const bool inside = grid.contains({a, b, c});
                if (inside ? mask.at(a, b, c) != 0 : !outside_is_background) continue;
                if (!inside && a != -1 && a != grid.size[0] && b != -1 && b != grid.size[1] &&
                    c != -1 && c != grid.size[2]) {
                  continue;
                }
                const double dx = (a - i) * 1.5, dy = (b - j) * 2.0, dz = (c - k) * 3.0;
                // Beyond the grid, the nearest outside point is straight across one face.
                double d = std::sqrt(dx * dx + dy * dy + dz * dz);
                if (!inside) {
                  d = 1e30;
                  if (a == -1) d = std::min(d, (i + 1) * 1.5);
                  if (a == grid.size[0]) d = std::min(d, (grid.size[0] - i) * 1.5);
                  if (b == -1) d = std::min(d, (j + 1) * 2.0);
                  if (b == grid.size[1]) d = std::min(d, (grid.size[1] - j) * 2.0);
                  if (c == -1) d = std::min(d, (k + 1) * 3.0);
                  if (c == grid.size[2]) d = std::min(d, (grid.size[2] - k) * 3.0);
                }
                best = std::min(best, d);
              }
            }
          }
          const float got = distance[grid.offset(i, j, k)];
          if (best > 1e29) {
            EXPECT_TRUE(std::isinf(got));
          } else {
            EXPECT_NEAR(got, best, 1e-4) << i << " " << j << " " << k;
          }
        }
      }
    }
  }
}

TEST(OrganHelpers, DiceCoefficient) {
  Geometry grid;
  grid.size = {4, 1, 1};
  Mask a(grid, 0), b(grid, 0);
  EXPECT_DOUBLE_EQ(dice_coefficient(a, b), 1.0);
  a.values = {1, 1, 0, 0};
  b.values = {0, 1, 1, 0};
  EXPECT_DOUBLE_EQ(dice_coefficient(a, b), 0.5);
}

// ---------------------------------------------------------------------------------------------
// Heuristics on the simulated patient

TEST(OrganHeuristics, FindTheOrgansOfTheSimulatedPatient) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  EXPECT_EQ(organs.source, "heuristic");
  struct Expectation {
    const char* organ;
    double min_dice;
  };
  // Thresholds: the measured Dice (docs/organs.md) less a margin of about 0.05.
  const std::vector<Expectation> expectations{{"liver", 0.93},   {"lung", 0.95},   {"brain", 0.95},
                                              {"bladder", 0.95}, {"kidney", 0.72}, {"heart", 0.93},
                                              {"bone", 0.9},     {"spleen", 0.92}, {"aorta", 0.6}};
  for (const Expectation& e : expectations) {
    const double dice =
        dice_coefficient(organs.mask_of(e.organ), truth_mask(patient.truth_organs, e.organ));
    std::printf("[organs] heuristic Dice %-8s %.3f\n", e.organ, dice);
    RecordProperty(std::string("dice_") + e.organ, std::to_string(dice));
    EXPECT_GE(dice, e.min_dice) << e.organ << ": "
                                << (organs.has(e.organ) ? organs.organs.at(e.organ).method
                                                        : "absent");
  }
  for (const auto& [organ, provenance] : organs.organs) {
    std::printf("[organs] %s: %.1f mL; %s\n", organ.c_str(), provenance.volume_ml,
                provenance.method.c_str());
  }
  for (const std::string& warning : organs.warnings)
    std::printf("[organs] warning: %s\n", warning.c_str());
}

TEST(OrganHeuristics, PetOnlyFindsTheHotOrgans) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation organs = segment_organs(patient.suv, nullptr);
  EXPECT_FALSE(organs.has("lung"));
  EXPECT_FALSE(organs.has("bone"));
  for (const char* organ : {"brain", "bladder", "heart", "liver", "kidney"}) {
    const double dice =
        dice_coefficient(organs.mask_of(organ), truth_mask(patient.truth_organs, organ));
    std::printf("[organs] PET-only Dice %-8s %.3f\n", organ, dice);
    EXPECT_GE(dice, std::string(organ) == "kidney" ? 0.72 : 0.93) << organ;
  }
}

TEST(OrganHeuristics, NoisyPatient) {
  const SimulatedPatient patient = make_patient("small", 1.0);
  const OrganSegmentation organs = segment_organs(patient.suv, &patient.ct);
  std::printf("[organs] noisy: noise %.3f\n", organs.noise_cv);
  EXPECT_NEAR(organs.noise_cv, 0.05, 0.02);  // the liver noise of the default counts
  EXPECT_EQ(organs.organs.at("liver").method.find("averaged"), std::string::npos);
  struct Expectation {
    const char* organ;
    double min_dice;
  };
  // Measured (docs/organs.md) less a margin; kidneys (SUV 2.5 next to a 2.3 liver) and the
  // aorta suffer most from the noise.
  const std::vector<Expectation> expectations{{"liver", 0.88},   {"lung", 0.95},  {"brain", 0.95},
                                              {"bladder", 0.95}, {"heart", 0.93}, {"kidney", 0.55},
                                              {"spleen", 0.9},   {"aorta", 0.4}};
  for (const Expectation& e : expectations) {
    const double dice =
        dice_coefficient(organs.mask_of(e.organ), truth_mask(patient.truth_organs, e.organ));
    std::printf("[organs] noisy Dice %-8s %.3f\n", e.organ, dice);
    EXPECT_GE(dice, e.min_dice) << e.organ;
  }
  const ReferenceRegions regions =
      place_reference_regions(patient.suv, organs, &patient.truth_lesions);
  ASSERT_TRUE(regions.liver.placed()) << regions.liver.explanation;
  EXPECT_EQ(voxels_outside_truth(patient, regions.liver, "liver"), 0u);
  EXPECT_NEAR(regions.liver.statistics->mean, patient.liver_suv, 0.05 * patient.liver_suv);
  ASSERT_TRUE(regions.blood_pool.placed()) << regions.blood_pool.explanation;
  EXPECT_EQ(voxels_outside_truth(patient, regions.blood_pool, "aorta"), 0u);
  std::printf("[organs] noisy: liver sphere mean %.3f SD %.3f; blood pool %s\n",
              regions.liver.statistics->mean, regions.liver.statistics->sd,
              regions.blood_pool.placed()
                  ? std::to_string(regions.blood_pool.statistics->mean).c_str()
                  : regions.blood_pool.explanation.c_str());
  for (const std::string& warning : organs.warnings) {
    std::printf("[organs] noisy warning: %s\n", warning.c_str());
  }
}

// A hot lesion against the myocardium (as in the whole-body benchmark patient): the heart is still
// found, because its level is a percentile of the myocardium and not the lesion's maximum (which
// gave a threshold of half the lesion's SUV and a 2 mL "heart"), and the lesion with its rim stays
// outside the heart, so detection at SUV 2.5 keeps it.
TEST(OrganHeuristics, LesionAgainstTheMyocardiumStaysOutsideTheHeart) {
  const SimulatedPatient& patient = small_patient();
  ImageVolume suv = patient.suv;
  const Vec3 centre{60.0, -20.0, 380.0};  // lateral wall of the heart (centre x 15, semi-axis 55)
  const Geometry& grid = suv.geometry;
  Mask lesion(grid, 0);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const Vec3 p = grid.index_to_world(i, j, k);
        const double d2 = (p[0] - centre[0]) * (p[0] - centre[0]) +
                          (p[1] - centre[1]) * (p[1] - centre[1]) +
                          (p[2] - centre[2]) * (p[2] - centre[2]);
        if (d2 <= 9.0 * 9.0) {
          suv.at(i, j, k) = 9.0f;
          lesion.at(i, j, k) = 1;
        }
      }
    }
  }
  ASSERT_GT(std::count(lesion.values.begin(), lesion.values.end(), 1), 20);
  const OrganSegmentation organs = segment_organs(suv, &patient.ct);
  ASSERT_TRUE(organs.has("heart")) << ::testing::PrintToString(organs.warnings);
  const double dice =
      dice_coefficient(organs.mask_of("heart"), truth_mask(patient.truth_organs, "heart"));
  std::printf("[organs] heart Dice with a lesion against the myocardium %.3f\n", dice);
  EXPECT_GE(dice, 0.9);
  const uint16_t heart = label_of("heart");
  for (size_t v = 0; v < lesion.size(); ++v) {
    if (lesion.values[v] != 0) {
      ASSERT_NE(organs.labels.values[v], heart) << "lesion voxel " << v;
    }
  }
  DetectionOptions options;
  options.threshold = fixed_threshold(2.5);
  options.organ_names = canonical_organ_names();
  const LabelMap excluded = physiological_exclusion_labels(organs);
  const LesionDetection detection = detect_lesions(suv, options, &excluded);
  bool found = false;
  for (const DetectedLesion& detected : detection.lesions) {
    const Index3 h = detected.hottest_voxel;
    found = found || lesion.at(h[0], h[1], h[2]) != 0;
  }
  EXPECT_TRUE(found) << "the lesion against the myocardium was not detected";
}

// The noise of the liver core is reported (robust SD / mean); on a very noisy image (5 x the
// default noise SD: 0.24, like 89Zr at low counts) the liver band is taken on the 3 x 3 x 3
// average, without which the noise riddles the band with holes and the liver is not found.
TEST(OrganHeuristics, VeryNoisyLiverIsFoundOnTheAveragedImage) {
  EXPECT_EQ(small_patient_organs().noise_cv, 0.0);  // noise-free
  const SimulatedPatient patient = make_patient("small", 5.0);
  const OrganSegmentation organs = segment_organs(patient.suv, &patient.ct);
  std::printf("[organs] very noisy: noise %.3f\n", organs.noise_cv);
  EXPECT_GT(organs.noise_cv, 0.15);  // liver_smoothing_min_cv
  EXPECT_LT(organs.noise_cv, 0.35);
  ASSERT_TRUE(organs.has("liver")) << ::testing::PrintToString(organs.warnings);
  EXPECT_NE(organs.organs.at("liver").method.find("averaged over 3 x 3 x 3"), std::string::npos);
  const double dice =
      dice_coefficient(organs.mask_of("liver"), truth_mask(patient.truth_organs, "liver"));
  std::printf("[organs] very noisy: liver Dice %.3f on the averaged image\n", dice);
  EXPECT_GE(dice, 0.78);
  OrganHeuristicOptions raw;
  raw.liver_smoothing_min_cv = 1.0;
  const OrganSegmentation without = segment_organs(patient.suv, &patient.ct, raw);
  const double raw_dice =
      without.has("liver")
          ? dice_coefficient(without.mask_of("liver"), truth_mask(patient.truth_organs, "liver"))
          : 0.0;
  std::printf("[organs] very noisy: liver Dice %.3f on the raw image\n", raw_dice);
  EXPECT_LT(raw_dice, dice - 0.1);
}

TEST(OrganHeuristics, CtNotOverlappingThePetIsRefused) {
  const SimulatedPatient& patient = small_patient();
  ImageVolume far_ct = patient.ct;
  far_ct.geometry.origin_mm[2] += 5000.0;
  EXPECT_THROW(segment_organs(patient.suv, &far_ct), InvalidInputError);
}

// ---------------------------------------------------------------------------------------------
// Reference regions

void expect_placements_in_truth(const SimulatedPatient& patient, const ReferenceRegions& regions,
                                const std::string& what) {
  ASSERT_TRUE(regions.liver.placed()) << what << ": " << regions.liver.explanation;
  EXPECT_TRUE(regions.liver.statistics->spec.placed_automatically);
  EXPECT_EQ(voxels_outside_truth(patient, regions.liver, "liver"), 0u) << what;
  EXPECT_NEAR(regions.liver.statistics->mean, patient.liver_suv, 0.02 * patient.liver_suv) << what;
  // Right lobe: centre on the patient's right of the liver centre (x < -55 mm in the model).
  EXPECT_LT(regions.liver.statistics->spec.centre_mm[0], -55.0 + 1e-6) << what;
  ASSERT_TRUE(regions.blood_pool.placed()) << what << ": " << regions.blood_pool.explanation;
  EXPECT_EQ(regions.blood_pool.statistics->spec.shape, RegionShape::kCylinder);
  EXPECT_EQ(voxels_outside_truth(patient, regions.blood_pool, "aorta"), 0u) << what;
  // Descending thoracic aorta of the model: x = 22, y = 35, z 180..455 (above the liver here).
  const Vec3 centre = regions.blood_pool.statistics->spec.centre_mm;
  EXPECT_NEAR(centre[0], 22.0, 8.0) << what;
  EXPECT_NEAR(centre[1], 35.0, 8.0) << what;
  EXPECT_NEAR(regions.blood_pool.statistics->mean, patient.blood_pool_suv,
              0.05 * patient.blood_pool_suv)
      << what;
  if (regions.spleen.placed()) {
    EXPECT_EQ(voxels_outside_truth(patient, regions.spleen, "spleen"), 0u) << what;
  }
  if (regions.muscle.placed()) {
    EXPECT_EQ(voxels_outside_truth(patient, regions.muscle, "muscle"), 0u) << what;
    EXPECT_NEAR(regions.muscle.statistics->mean, patient.muscle_suv, 0.05 * patient.muscle_suv)
        << what;
  }
  std::printf(
      "[organs] %s: liver centre (%.1f, %.1f, %.1f) mean %.4f (truth %.2f); blood pool "
      "centre (%.1f, %.1f, %.1f) mean %.4f (truth %.2f)\n",
      what.c_str(), regions.liver.statistics->spec.centre_mm[0],
      regions.liver.statistics->spec.centre_mm[1], regions.liver.statistics->spec.centre_mm[2],
      regions.liver.statistics->mean, patient.liver_suv, centre[0], centre[1], centre[2],
      regions.blood_pool.statistics->mean, patient.blood_pool_suv);
}

TEST(ReferenceRegions, HeuristicPlacementsLieInTheTrueOrgans) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  const ReferenceRegions regions =
      place_reference_regions(patient.suv, organs, &patient.truth_lesions);
  expect_placements_in_truth(patient, regions, "heuristic");
  EXPECT_EQ(regions.liver.method, PlacementMethod::kHeuristic);
  EXPECT_TRUE(regions.warnings.empty());
  EXPECT_TRUE(regions.liver.warnings.empty());
  const ReferenceMeans means = regions.means();
  ASSERT_TRUE(means.liver.has_value());
  EXPECT_DOUBLE_EQ(*means.liver, regions.liver.statistics->mean);
}

TEST(ReferenceRegions, HeuristicPlacementWithoutLesionMapAvoidsHotSpots) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  const ReferenceRegions regions = place_reference_regions(patient.suv, organs, nullptr);
  expect_placements_in_truth(patient, regions, "heuristic, no lesion map");
}

TEST(ReferenceRegions, TotalSegmentatorLabelMapOnThePetGridGivesTheTruthPlacements) {
  const SimulatedPatient& patient = small_patient();
  testing::TemporaryDirectory folder;
  const std::filesystem::path path = folder.path() / "totalseg.nii.gz";
  write_nifti(path, to_totalsegmentator(patient.truth_organs));
  const OrganSegmentation imported = import_organ_labels(path, "auto", patient.pet_grid);
  EXPECT_EQ(imported.source, "totalsegmentator");
  // The import reproduces the canonical truth for every organ the table has.
  for (const char* organ : {"liver", "spleen", "kidney", "bladder", "brain", "heart", "aorta",
                            "lung", "bone", "muscle", "bowel"}) {
    EXPECT_DOUBLE_EQ(
        dice_coefficient(imported.mask_of(organ), truth_mask(patient.truth_organs, organ)), 1.0)
        << organ;
  }
  const ReferenceRegions regions =
      place_reference_regions(patient.suv, imported, &patient.truth_lesions);
  expect_placements_in_truth(patient, regions, "TotalSegmentator map on the PET grid");
  EXPECT_EQ(regions.liver.method, PlacementMethod::kLabelMap);
  EXPECT_EQ(regions.liver.organ_source, "totalsegmentator");
  // The same placements as from the heuristic organs (within one voxel) ...
  const ReferenceRegions heuristic =
      place_reference_regions(patient.suv, small_patient_organs(), &patient.truth_lesions);
  for (int a = 0; a < 3; ++a) {
    EXPECT_NEAR(regions.liver.statistics->spec.centre_mm[a],
                heuristic.liver.statistics->spec.centre_mm[a], 2.0 * patient.pet_grid.spacing_mm[a])
        << a;
  }
  EXPECT_NEAR(regions.liver.statistics->mean, heuristic.liver.statistics->mean,
              0.005 * patient.liver_suv);
  // ... and the JSON carries them.
  const nlohmann::json json = nlohmann::json::parse(reference_regions_json(regions));
  EXPECT_EQ(json["liver"]["method"], "label_map");
  EXPECT_EQ(json["liver"]["shape"], "sphere");
  EXPECT_EQ(json["liver"]["placed_automatically"], true);
  EXPECT_DOUBLE_EQ(json["liver"]["mean"].get<double>(), regions.liver.statistics->mean);
  EXPECT_EQ(json["blood_pool"]["shape"], "cylinder");
  EXPECT_DOUBLE_EQ(json["blood_pool"]["length_mm"].get<double>(), 20.0);
}

TEST(ReferenceRegions, TotalSegmentatorLabelMapOnTheCtGridIsResampled) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation imported = organ_segmentation_from_labels(
      to_totalsegmentator(patient.truth_organs_ct), "totalsegmentator", patient.pet_grid);
  EXPECT_GT(dice_coefficient(imported.mask_of("liver"), truth_mask(patient.truth_organs, "liver")),
            0.97);
  const ReferenceRegions regions =
      place_reference_regions(patient.suv, imported, &patient.truth_lesions);
  expect_placements_in_truth(patient, regions, "TotalSegmentator map on the CT grid");
}

TEST(ReferenceRegions, UserCoordinatesOverride) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  ReferencePlacementOptions options;
  options.liver_user = UserRegion{{-70.0, -20.0, 280.0}, std::nullopt, std::nullopt};
  options.blood_pool_user = UserRegion{{22.0, 35.0, 400.0}, std::nullopt, std::nullopt};
  const ReferenceRegions regions = place_reference_regions(patient.suv, organs, nullptr, options);
  EXPECT_EQ(regions.liver.method, PlacementMethod::kUser);
  EXPECT_FALSE(regions.liver.statistics->spec.placed_automatically);
  EXPECT_DOUBLE_EQ(regions.liver.statistics->spec.centre_mm[0], -70.0);
  EXPECT_DOUBLE_EQ(regions.liver.statistics->spec.diameter_mm, 30.0);
  EXPECT_EQ(regions.blood_pool.method, PlacementMethod::kUser);
  EXPECT_DOUBLE_EQ(regions.blood_pool.statistics->spec.length_mm, 20.0);
  // A liver sphere put in the lung is flagged.
  options.liver_user = UserRegion{{-75.0, 10.0, 450.0}, std::nullopt, std::nullopt};
  const ReferenceRegions wrong = place_reference_regions(patient.suv, organs, nullptr, options);
  EXPECT_FALSE(wrong.liver.warnings.empty());
  bool implausible = false;
  for (const std::string& w : wrong.liver.warnings) {
    implausible = implausible || w.find("implausible liver mean") != std::string::npos;
  }
  EXPECT_TRUE(implausible);
  EXPECT_FALSE(wrong.warnings.empty());  // blood pool above liver: implausible for FDG
}

TEST(ReferenceRegions, GridMismatchIsRefused) {
  const SimulatedPatient& patient = small_patient();
  OrganSegmentation organs;
  Geometry other = patient.pet_grid;
  other.size[0] -= 1;
  organs.labels = LabelMap(other, 0);
  EXPECT_THROW(place_reference_regions(patient.suv, organs, nullptr), InvalidInputError);
}

// ---------------------------------------------------------------------------------------------
// Import errors

TEST(OrganImport, NonOverlappingLabelMapIsAClearError) {
  const SimulatedPatient& patient = small_patient();
  LabelMap far = to_totalsegmentator(patient.truth_organs_ct);
  far.geometry.origin_mm[2] += 2000.0;
  try {
    organ_segmentation_from_labels(far, "totalsegmentator", patient.pet_grid);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("does not overlap"), std::string::npos) << e.what();
  }
}

TEST(OrganImport, DifferentFrameOfReferenceIsRefused) {
  const SimulatedPatient& patient = small_patient();
  OrganImportOptions options;
  options.label_map_frame_of_reference_uid = "1.2.3";
  options.pet_frame_of_reference_uid = "1.2.4";
  try {
    organ_segmentation_from_labels(to_totalsegmentator(patient.truth_organs), "totalsegmentator",
                                   patient.pet_grid, options);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("frame of reference"), std::string::npos) << e.what();
  }
}

TEST(OrganImport, PartialOverlapWarnsAndUnknownLabelsAreReported) {
  const SimulatedPatient& patient = small_patient();
  LabelMap shifted = to_totalsegmentator(patient.truth_organs);
  shifted.geometry.origin_mm[2] += 600.0;  // most of the body is now above the PET field of view
  shifted.values[0] = 200;                 // not a TotalSegmentator v2 label
  const OrganSegmentation organs =
      organ_segmentation_from_labels(shifted, "totalsegmentator", patient.pet_grid);
  ASSERT_EQ(organs.warnings.size(), 2u);
  EXPECT_NE(organs.warnings[0].find("200"), std::string::npos) << organs.warnings[0];
  EXPECT_NE(organs.warnings[1].find("field of view"), std::string::npos) << organs.warnings[1];
}

TEST(OrganImport, EmptyLabelMapIsAClearError) {
  Geometry grid;
  grid.size = {4, 4, 4};
  try {
    organ_segmentation_from_labels(LabelMap(grid, 0), "moose", grid);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("no labelled voxel"), std::string::npos) << e.what();
  }
}

TEST(OrganImport, MooseLabelsAreRelabelled) {
  Geometry grid;
  grid.size = {6, 6, 6};
  LabelMap moose(grid, 0);
  for (size_t v = 0; v < 100; ++v) moose.values[v] = 8;    // liver
  for (size_t v = 100; v < 120; ++v) moose.values[v] = 3;  // bladder
  const OrganSegmentation organs = organ_segmentation_from_labels(moose, "auto", grid);
  EXPECT_EQ(organs.source, "moose");
  EXPECT_EQ(organs.labels.values[5], label_of("liver"));
  EXPECT_EQ(organs.labels.values[110], label_of("bladder"));
  EXPECT_EQ(organs.organs.at("liver").voxel_count, 100u);
}

// ---------------------------------------------------------------------------------------------
// Physiological uptake and lesion organs

TEST(PhysiologicalUptake, ExclusionMaskRemovesOnlyPhysiologicalDetections) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  const LabelMap excluded = physiological_exclusion_labels(organs);
  for (size_t v = 0; v < excluded.size(); ++v) {
    const std::string organ = canonical_organ_name(excluded.values[v]);
    if (excluded.values[v] != 0) {
      ASSERT_TRUE(organ == "brain" || organ == "bladder" || organ == "kidney" || organ == "heart")
          << organ;
    }
  }
  DetectionOptions options;
  options.threshold = fixed_threshold(4.0);
  options.organ_names = canonical_organ_names();
  const LesionDetection detection = detect_lesions(patient.suv, options, &excluded);
  // Every detection is a true lesion; brain and bladder were excluded as physiological.
  for (const DetectedLesion& lesion : detection.lesions) {
    const Index3 h = lesion.hottest_voxel;
    EXPECT_NE(patient.truth_lesions.at(h[0], h[1], h[2]), 0)
        << "false positive at " << h[0] << " " << h[1] << " " << h[2];
  }
  std::vector<std::string> excluded_organs;
  for (const ExcludedComponent& component : detection.excluded) {
    if (component.reason == ExclusionReason::kPhysiologicalUptake) {
      excluded_organs.push_back(canonical_organ_name(component.organ_label));
    }
  }
  EXPECT_NE(std::find(excluded_organs.begin(), excluded_organs.end(), "brain"),
            excluded_organs.end());
  EXPECT_NE(std::find(excluded_organs.begin(), excluded_organs.end(), "bladder"),
            excluded_organs.end());
  // Tracer-specific organs (FES: liver) and unknown names.
  const Mask with_liver = physiological_exclusion_mask(organs, {"liver"});
  const Mask liver = organs.mask_of("liver");
  for (size_t v = 0; v < liver.size(); ++v) {
    if (liver.values[v] != 0) {
      ASSERT_EQ(with_liver.values[v], 1);
    }
  }
  EXPECT_THROW(physiological_exclusion_mask(organs, {"livr"}), InvalidInputError);
}

// Breast rule: a 50 x 40 x 6 grid at 4 mm; lungs fill j 15..30 (y 60..120 mm) for i 5..34
// (x 20..136 mm), a rib (bone) row lies in front of them at j 13; lesions are 2 x 2 x 2 voxel
// cubes.
TEST(LesionOrgan, BreastRuleCallsSoftTissueAnteriorToTheThoraxBreast) {
  Geometry grid;
  grid.size = {50, 40, 6};
  grid.spacing_mm = {4.0, 4.0, 4.0};
  OrganSegmentation organs;
  organs.labels = LabelMap(grid, 0);
  for (int64_t k = 0; k < 6; ++k) {
    for (int64_t j = 15; j <= 30; ++j) {
      for (int64_t i = 5; i <= 34; ++i) organs.labels.at(i, j, k) = label_of("lung");
    }
    for (int64_t i = 5; i <= 34; ++i) organs.labels.at(i, 13, k) = label_of("bone");
  }
  const auto organ_of_cube = [&](int64_t i0, int64_t j0, const BreastRuleOptions& options = {}) {
    LabelMap lesions(grid, 0);
    for (int64_t k = 2; k <= 3; ++k) {
      for (int64_t j = j0; j <= j0 + 1; ++j) {
        for (int64_t i = i0; i <= i0 + 1; ++i) lesions.at(i, j, k) = 1;
      }
    }
    return organ_of_lesion(organs, lesions, 1, options);
  };
  // Centre y = 4 x 3.5 = 14 mm, lung front 60 mm: 46 mm anterior -> breast.
  EXPECT_EQ(organ_of_cube(10, 3), "breast");
  // Centre y = 42 mm: 18 mm anterior (< 20 mm; the 5 mm dilation reaches no organ) -> unknown.
  EXPECT_EQ(organ_of_cube(10, 10), "unknown");
  BreastRuleOptions shallow;
  shallow.min_depth_anterior_to_thorax_mm = 15.0;
  EXPECT_EQ(organ_of_cube(10, 3, shallow), "breast");
  // Touching the rib: the organ map says bone, the rule does not override an organ.
  EXPECT_EQ(organ_of_cube(10, 12), "bone");
  // Lateral to the lungs: centre x = 170 mm, the lungs end at x = 136 mm, beyond the +-20 mm
  // column -> unknown.
  EXPECT_EQ(organ_of_cube(42, 3), "unknown");
  // Posterior to the lungs: not anterior -> unknown.
  EXPECT_EQ(organ_of_cube(10, 35), "unknown");
  BreastRuleOptions off;
  off.enabled = false;
  EXPECT_EQ(organ_of_cube(10, 3, off), "unknown");
  // Exactly at the depth: centre y 14 mm, front 60 mm, depth 46 mm -> breast at 46, not at 46.1.
  BreastRuleOptions at;
  at.min_depth_anterior_to_thorax_mm = 46.0;
  EXPECT_EQ(organ_of_cube(10, 3, at), "breast");
  at.min_depth_anterior_to_thorax_mm = 46.1;
  EXPECT_EQ(organ_of_cube(10, 3, at), "unknown");
}

TEST(LesionOrgan, PhantomBreastPrimaryIsBreastAndNodesAreNot) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  size_t checked = 0;
  for (size_t l = 0; l < patient.lesion_names.size(); ++l) {
    const std::string& name = patient.lesion_names[l];
    const std::string organ =
        organ_of_lesion(organs, patient.truth_lesions, static_cast<uint16_t>(l + 1));
    if (name == "primary_left_breast") {
      EXPECT_EQ(organ, "breast");
      ++checked;
    } else {
      EXPECT_NE(organ, "breast") << name;
    }
  }
  EXPECT_EQ(checked, 1U);
}

TEST(LesionOrgan, LesionsAreAssignedToTheirOrgans) {
  const SimulatedPatient& patient = small_patient();
  const OrganSegmentation& organs = small_patient_organs();
  const std::map<std::string, std::string> expected{{"liver_segment7", "liver"},
                                                    {"liver_segment4", "liver"},
                                                    {"lung_right_upper", "lung"},
                                                    {"bone_t12", "bone"},
                                                    {"bone_right_ilium", "bone"}};
  for (size_t l = 0; l < patient.lesion_names.size(); ++l) {
    const auto it = expected.find(patient.lesion_names[l]);
    if (it == expected.end()) continue;
    EXPECT_EQ(organ_of_region(organs, patient.truth_lesions, static_cast<uint16_t>(l + 1)),
              it->second)
        << it->first;
  }
  Mask nowhere(patient.pet_grid, 0);
  nowhere.values[0] = 1;  // a corner voxel in the air
  EXPECT_EQ(organ_of_region(organs, nowhere), "unknown");
}

}  // namespace
}  // namespace oncotrace
