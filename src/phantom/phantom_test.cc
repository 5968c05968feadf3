#include "oncotrace/phantom.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>

#include "oncotrace/error.h"
#include "phantom/anatomy.h"
#include "phantom/image_physics.h"
#include "phantom/simulate.h"
#include "phantom/test_support.h"
#include "phantom/tracer_table.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;
using oncotrace::testing::TemporaryDirectory;
namespace fs = std::filesystem;

PhantomRequest tiny_request(uint64_t seed) {
  PhantomRequest request;
  request.seed = seed;
  request.grid = *phantom_grid_preset("tiny");
  return request;
}

json read_json(const fs::path& path) { return json::parse(phantom::testing::file_bytes(path)); }

std::vector<fs::path> files_below(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), root));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------- the default patient model

TEST(DefaultPatientTest, HasAtLeastEightBaselineLesionsOfMixedReceptorStatus) {
  const PatientSpec patient = default_patient();
  std::set<ErStatus> er;
  std::set<Her2Status> her2;
  int baseline = 0, avid_receptor_negative = 0, fdg_negative_er_positive = 0, new_lesions = 0;
  for (const LesionSpec& lesion : patient.lesions) {
    if (lesion.first_timepoint != "baseline") {
      ++new_lesions;
      continue;
    }
    ++baseline;
    er.insert(lesion.er);
    her2.insert(lesion.her2);
    if (lesion.fdg_avidity == FdgAvidity::kHigh && lesion.er == ErStatus::kNegative &&
        lesion.her2 == Her2Status::kZero) {
      ++avid_receptor_negative;
    }
    if (lesion.fdg_avidity == FdgAvidity::kLow && lesion.er == ErStatus::kPositive) {
      ++fdg_negative_er_positive;
    }
  }
  EXPECT_GE(baseline, 8);
  EXPECT_EQ(er.size(), 2u);
  EXPECT_EQ(her2.size(), 3u);
  EXPECT_GE(avid_receptor_negative, 1);    // FDG+ / FES- / HER2-PET-
  EXPECT_GE(fdg_negative_er_positive, 1);  // FDG- / FES+
  EXPECT_GE(new_lesions, 1);
  std::set<std::string> sites;
  for (const LesionSpec& lesion : patient.lesions) sites.insert(lesion.site);
  for (const char* site :
       {"breast", "axillary_node", "supraclavicular_node", "liver", "bone", "lung", "adrenal"}) {
    EXPECT_TRUE(sites.count(site)) << site;
  }
  std::vector<std::string> studies;
  for (const StudySpec& study : patient.studies)
    studies.push_back(study.tracer + "/" + study.timepoint);
  EXPECT_EQ(studies, (std::vector<std::string>{"fdg/baseline", "fes/baseline", "zr89tras/baseline",
                                               "fdg/followup"}));
}

TEST(DefaultPatientTest, ThirdFdgTimepointContinuesEveryLesionsCourse) {
  PatientSpec two = default_patient();
  set_fdg_timepoints(two, 2);
  EXPECT_EQ(two.studies.size(), default_patient().studies.size());
  PatientSpec three = default_patient();
  set_fdg_timepoints(three, 3);
  ASSERT_EQ(three.studies.size(), two.studies.size() + 1);
  const StudySpec& added = three.studies.back();
  EXPECT_EQ(added.id, "fdg_followup2");
  EXPECT_EQ(added.tracer, "fdg");
  EXPECT_EQ(added.timepoint, "followup2");
  EXPECT_DOUBLE_EQ(added.injection.seconds_since(two.studies.back().injection), 84.0 * 86400.0);
  for (const LesionSpec& lesion : three.lesions) {
    SCOPED_TRACE(lesion.name);
    const phantom::LesionGeometry first = phantom::lesion_geometry(lesion, "followup", {0, 0, 0});
    const phantom::LesionGeometry second = phantom::lesion_geometry(lesion, "followup2", {0, 0, 0});
    EXPECT_EQ(second.present, first.present);
    if (lesion.name == "primary_left_breast") {  // 0.4 -> 0.16 volume, 0.5 -> 0.25 uptake
      EXPECT_NEAR(second.volume_ml / first.volume_ml, 0.4, 1e-9);
      EXPECT_DOUBLE_EQ(second.uptake_scale, 0.25);
    }
    if (lesion.first_timepoint == "followup") {
      EXPECT_NEAR(second.volume_ml / first.volume_ml, 1.5, 1e-9);
      EXPECT_EQ(second.response, "progression");
    }
  }
  EXPECT_THROW(set_fdg_timepoints(three, 3), InvalidInputError);  // followup2 exists
  PatientSpec four = default_patient();
  EXPECT_THROW(set_fdg_timepoints(four, 4), InvalidInputError);
  PatientSpec no_followup = default_patient();
  no_followup.studies.pop_back();
  EXPECT_THROW(set_fdg_timepoints(no_followup, 3), InvalidInputError);
}

TEST(DefaultPatientTest, LesionsLieInTheirOrgans) {
  const PatientSpec patient = default_patient();
  const phantom::PatientScene scene = phantom::build_patient_scene(patient, "baseline", {0, 0, 0});
  // Paint the anatomy alone (lesions absent) and look at each lesion centre.
  PatientSpec no_lesions = patient;
  no_lesions.lesions.clear();
  const phantom::PatientScene anatomy =
      phantom::build_patient_scene(no_lesions, "baseline", {0, 0, 0});
  const std::map<std::string, phantom::Tissue> expected{{"breast", phantom::Tissue::kBreast},
                                                        {"liver", phantom::Tissue::kLiver},
                                                        {"bone", phantom::Tissue::kBone},
                                                        {"lung", phantom::Tissue::kLung},
                                                        {"axillary_node", phantom::Tissue::kMuscle},
                                                        {"adrenal", phantom::Tissue::kMuscle}};
  for (const LesionSpec& lesion : patient.lesions) {
    auto found = expected.find(lesion.site);
    if (found == expected.end()) continue;
    EXPECT_EQ(anatomy.scene.region_at(lesion.centre_mm), static_cast<uint16_t>(found->second))
        << lesion.name;
  }
  EXPECT_EQ(scene.lesions.size(), patient.lesions.size());
}

TEST(TracerTableTest, EveryTracerHasEveryTissueAndAKnownNuclide) {
  const phantom::TracerCatalogue catalogue = phantom::load_tracer_catalogue(phantom_data_dir());
  for (const char* id : {"fdg", "fes", "flt", "naf", "fapi46", "zr89tras", "ga68aby025",
                         "tc99mnm02", "in111aby025", "lu177tras"}) {
    const phantom::TracerInfo& tracer = catalogue.at(id);
    ASSERT_NE(tracer.nuclide, nullptr) << id;
    for (phantom::Tissue tissue : phantom::body_tissues()) {
      EXPECT_GT(tracer.tissue_suv[static_cast<size_t>(tissue)], 0.0) << id;
      EXPECT_FALSE(tracer.tissue_source[static_cast<size_t>(tissue)].empty()) << id;
    }
    for (const LesionSpec& lesion : default_patient().lesions) {
      EXPECT_GT(phantom::lesion_baseline_suv(tracer, lesion), 0.0) << id << " " << lesion.name;
    }
  }
  EXPECT_THROW(catalogue.at("no-such-tracer"), InvalidInputError);
  // Biodistribution rationale: 89Zr-antibody liver and blood pool high; FES liver high; affibody
  // kidney highest.
  const auto suv = [&](const char* id, phantom::Tissue tissue) {
    return catalogue.at(id).tissue_suv[static_cast<size_t>(tissue)];
  };
  EXPECT_GT(suv("zr89tras", phantom::Tissue::kBloodPool), suv("fdg", phantom::Tissue::kBloodPool));
  EXPECT_GT(suv("fes", phantom::Tissue::kLiver), 3 * suv("fdg", phantom::Tissue::kLiver));
  for (phantom::Tissue tissue : phantom::body_tissues()) {
    if (tissue != phantom::Tissue::kKidney) {
      EXPECT_GT(suv("ga68aby025", phantom::Tissue::kKidney), suv("ga68aby025", tissue));
    }
  }
}

TEST(KineticsTest, DecayedIntegralMatchesNumericalIntegration) {
  const phantom::UptakeWashout kinetics{8.0, 120.0};
  const double lambda = std::log(2.0) / 159.53;  // Lu-177, per hour
  double numeric = 0.0;
  const double dt = 0.01;
  for (double t = 0.5 * dt; t < 8000.0; t += dt) {
    numeric += phantom::uptake_washout_shape(kinetics, t) * std::exp(-lambda * t) * dt;
  }
  EXPECT_NEAR(phantom::uptake_washout_decayed_integral_h(kinetics, lambda), numeric,
              numeric * 1e-6);
}

// ---------------------------------------------------------------- generated studies

void check_truth_fields(const json& truth) {
  EXPECT_EQ(truth.at("schema"), "oncotrace-phantom-truth/1");
  for (const char* key : {"generator", "patient", "studies", "lesions", "organs"}) {
    EXPECT_TRUE(truth.contains(key)) << key;
  }
  for (const json& study : truth.at("studies")) {
    for (const char* key :
         {"id", "folder", "tracer", "nuclide", "half_life_s", "modality", "timepoint",
          "vendor_style", "injection_datetime", "scan_start_datetime", "scan_duration_s",
          "injected_activity_bq", "reference_activity_bq", "suvbw_per_bq_per_ml", "rigid_shift_mm",
          "study_instance_uid", "emission", "ct", "labels_file"}) {
      EXPECT_TRUE(study.contains(key)) << key;
    }
  }
  int lesions_with_mixed_status = 0;
  std::set<std::string> er;
  for (const json& lesion : truth.at("lesions")) {
    for (const char* key :
         {"label", "name", "site", "shape", "receptors", "designed_changes", "per_study"}) {
      EXPECT_TRUE(lesion.contains(key)) << key;
    }
    er.insert(lesion.at("receptors").at("er").get<std::string>());
    const json& fdg = lesion.at("per_study").at("fdg_baseline");
    if (!fdg.at("present").get<bool>()) continue;
    ++lesions_with_mixed_status;
    for (const char* key : {"centre_lps_mm", "volume_ml", "true", "noise_free_blurred",
                            "partial_volume_unblurred", "measured", "label_voxels"}) {
      EXPECT_TRUE(fdg.contains(key)) << key;
    }
    // Blurring spreads activity out of a hot lesion: the blurred mean is below the true mean.
    EXPECT_LT(fdg.at("noise_free_blurred").at("mean_suvbw").get<double>(),
              fdg.at("true").at("viable_suvbw").get<double>() * 1.0001);
  }
  EXPECT_GE(lesions_with_mixed_status, 8);
  EXPECT_EQ(er.size(), 2u);
  EXPECT_EQ(truth.at("organs").at("liver").at("fes_baseline").at("suvbw"), 9.0);
}

void check_designed_changes(const json& truth) {
  for (const json& lesion : truth.at("lesions")) {
    const json& baseline = lesion.at("per_study").at("fdg_baseline");
    const json& followup = lesion.at("per_study").at("fdg_followup");
    const std::string name = lesion.at("name");
    if (name == "axillary_node_left") {
      EXPECT_FALSE(followup.at("present").get<bool>());
    } else if (name == "liver_new_segment6") {
      EXPECT_FALSE(baseline.at("present").get<bool>());
      EXPECT_TRUE(followup.at("present").get<bool>());
      EXPECT_EQ(followup.at("response"), "new");
    } else if (name == "primary_left_breast") {
      EXPECT_NEAR(followup.at("volume_ml").get<double>() / baseline.at("volume_ml").get<double>(),
                  0.4, 0.01);
      EXPECT_NEAR(followup.at("true").at("viable_suvbw").get<double>() /
                      baseline.at("true").at("viable_suvbw").get<double>(),
                  0.5, 1e-12);
    }
  }
}

void check_dciodvfy(const PhantomResult& result) {
  const std::string program = ONCOTRACE_DCIODVFY;
  if (program.empty()) {
    std::fprintf(stderr, "*** dciodvfy (dicom3tools) not installed: validation skipped ***\n");
    return;
  }
  for (const PhantomStudyOutput& study : result.studies) {
    for (const fs::path& folder : {study.emission_folder, study.ct_folder}) {
      for (const char* name : {"IM000001.dcm", "IM000050.dcm"}) {
        std::string output;
        EXPECT_TRUE(phantom::testing::dciodvfy_errors(program, folder / name, &output).empty())
            << folder / name << "\n"
            << output;
      }
    }
  }
}

// One generation of the default patient on the tiny grid serves the checks of its output; the
// tests run as separate processes under CTest, so fewer tests means fewer generations.
class GeneratedPatientTest : public ::testing::Test {
 protected:
  void SetUp() override { result_ = generate_phantom(tiny_request(7), folder_.path()); }
  TemporaryDirectory folder_;
  PhantomResult result_;
};

TEST_F(GeneratedPatientTest, WritesStudiesTruthAndValidDicom) {
  // One folder per study with PT and CT, and one truth.json.
  ASSERT_EQ(result_.studies.size(), 4u);
  for (const PhantomStudyOutput& study : result_.studies) {
    EXPECT_TRUE(fs::is_directory(folder_.path() / study.id / "PT")) << study.id;
    EXPECT_TRUE(fs::is_directory(folder_.path() / study.id / "CT")) << study.id;
    EXPECT_EQ(study.files_written, 200u);  // 100 PET + 100 CT slices
  }
  EXPECT_TRUE(fs::exists(folder_.path() / "truth.json"));
  check_truth_fields(read_json(folder_.path() / "truth.json"));
  check_designed_changes(read_json(folder_.path() / "truth.json"));
  check_dciodvfy(result_);
}

TEST_F(GeneratedPatientTest, SameSeedGivesTheSameBytes) {
  TemporaryDirectory again;
  generate_phantom(tiny_request(7), again.path());
  const std::vector<fs::path> files = files_below(folder_.path());
  ASSERT_EQ(files, files_below(again.path()));
  for (const fs::path& file : files) {
    ASSERT_EQ(phantom::testing::file_bytes(folder_.path() / file),
              phantom::testing::file_bytes(again.path() / file))
        << file;
  }
}

// The same request gives the same bytes with one thread and with two: every parallel stage
// (rasterisation, blur, noise, storage) splits work into independent lines, slices or files and
// seeds the noise per slice.
TEST(GeneratePhantomTest, OneAndTwoThreadsGiveTheSameBytes) {
  PhantomRequest request = tiny_request(11);
  request.patient.studies.resize(2);  // FDG (GE) and FES (Siemens), with PET noise and CT noise
  TemporaryDirectory one_thread, two_threads;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    generate_phantom(request, one_thread.path());
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    generate_phantom(request, two_threads.path());
  }
  const std::vector<fs::path> files = files_below(one_thread.path());
  ASSERT_EQ(files, files_below(two_threads.path()));
  ASSERT_GT(files.size(), 400u);
  for (const fs::path& file : files) {
    ASSERT_EQ(phantom::testing::file_bytes(one_thread.path() / file),
              phantom::testing::file_bytes(two_threads.path() / file))
        << file;
  }
}

// dciodvfy (dicom3tools) reports no error on the PET (every vendor style), CT and NM files of
// the "small" preset, the default size of `oncotrace phantom`: first, middle and last slices.
TEST(GeneratePhantomTest, SmallPresetPetCtAndNmFilesHaveNoDciodvfyErrors) {
  const std::string program = ONCOTRACE_DCIODVFY;
  if (program.empty()) GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  PhantomRequest request;
  request.grid = *phantom_grid_preset("small");
  request.patient.studies.resize(3);  // GE, Siemens and Philips styles, each with its CT
  TemporaryDirectory folder;
  const PhantomResult patient = generate_phantom(request, folder.path() / "patient");
  request.kind = PhantomKind::kSpect;
  request.spect.scan_times_h = {24};
  request.write_ct = false;
  const PhantomResult spect = generate_phantom(request, folder.path() / "spect");
  PhantomRequest gml_request;
  gml_request.grid = request.grid;
  gml_request.vendor_override = PhantomVendorStyle::kGml;
  gml_request.patient.studies.resize(1);
  gml_request.write_ct = false;
  const PhantomResult gml = generate_phantom(gml_request, folder.path() / "gml");

  std::vector<fs::path> files;
  for (const PhantomResult* result : {&patient, &gml}) {
    for (const PhantomStudyOutput& study : result->studies) {
      for (const fs::path& series : {study.emission_folder, study.ct_folder}) {
        if (series.empty()) continue;
        for (const char* name : {"IM000001.dcm", "IM000100.dcm", "IM000200.dcm"}) {
          files.push_back(series / name);
        }
      }
    }
  }
  ASSERT_EQ(spect.studies.size(), 1u);
  files.push_back(spect.studies[0].emission_folder / "NM000001.dcm");
  EXPECT_EQ(files.size(), 3u * 3u * 2u + 3u + 1u);
  for (const fs::path& file : files) {
    ASSERT_TRUE(fs::exists(file)) << file;
    std::string output;
    const std::vector<std::string> errors =
        phantom::testing::dciodvfy_errors(program, file, &output);
    EXPECT_TRUE(errors.empty()) << file << "\n" << output;
  }
}

TEST(GeneratePhantomTest, DifferentSeedsGiveDifferentNoise) {
  TemporaryDirectory a, b;
  PhantomRequest request = tiny_request(1);
  request.patient.studies.resize(1);
  request.write_ct = false;
  generate_phantom(request, a.path());
  request.seed = 2;
  generate_phantom(request, b.path());
  EXPECT_NE(phantom::testing::file_bytes(a.path() / "fdg_baseline/PT/IM000050.dcm"),
            phantom::testing::file_bytes(b.path() / "fdg_baseline/PT/IM000050.dcm"));
}

TEST(GeneratePhantomTest, NoiseFreeCylinderIsExactInItsUniformInterior) {
  // A 200 mm cylinder at 5000 Bq/mL, 4 mm voxels, 6 mm PSF: far from the wall every voxel is
  // 5000 Bq/mL; the slice maximum sets the slope, so the stored value is exact.
  PhantomRequest request;
  request.kind = PhantomKind::kCylinder;
  request.physics.noise = false;
  request.grid.emission_size = {64, 64, 20};
  request.write_ct = false;
  TemporaryDirectory folder;
  generate_phantom(request, folder.path());
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((folder.path() / "cylinder/PT/IM000010.dcm").c_str()).good());
  EXPECT_NEAR(phantom::testing::rescaled_pixel(file.getDataset(), 32, 32), 5000.0, 5000.0 * 1e-6);
  const json truth = read_json(folder.path() / "truth.json");
  EXPECT_NEAR(truth.at("phantom").at("objects")[0].at("true_suvbw").get<double>(),
              5000.0 * truth.at("studies")[0].at("suvbw_per_bq_per_ml").get<double>(), 1e-12);
}

TEST(GeneratePhantomTest, NoiseFreeLiverEqualsItsTruth) {
  PhantomRequest request = tiny_request(3);
  request.physics.noise = false;
  request.patient.studies.resize(1);
  request.write_ct = false;
  TemporaryDirectory folder;
  generate_phantom(request, folder.path());
  const json truth = read_json(folder.path() / "truth.json");
  const json& liver = truth.at("organs").at("liver").at("fdg_baseline");
  const Vec3 point{liver.at("reference_point_lps_mm")[0], liver.at("reference_point_lps_mm")[1],
                   liver.at("reference_point_lps_mm")[2]};
  const PhantomGridOptions grid_options = *phantom_grid_preset("tiny");
  const Geometry grid = phantom::emission_grid(grid_options, {0, 0, 400});
  const Index3 index = grid.world_to_nearest_index(point);
  char name[32];
  std::snprintf(name, sizeof(name), "IM%06lld.dcm", static_cast<long long>(index[2]) + 1);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((folder.path() / "fdg_baseline/PT" / name).c_str()).good());
  const double slope = phantom::testing::read_double(file.getDataset(), DCM_RescaleSlope);
  const double expected = liver.at("bq_per_ml").get<double>();
  EXPECT_NEAR(phantom::testing::rescaled_pixel(file.getDataset(), index[0], index[1]), expected,
              0.5 * slope + expected * 1e-6);
}

// Recovery at the centre of a blurred sphere: the centre voxel of the simulated image against an
// independent calculation, the voxel average of the analytic profile of a uniform sphere of
// radius R convolved with a 3D Gaussian of standard deviation s:
//   v(r) = 1/2 [erf((R-r)/(s sqrt2)) + erf((R+r)/(s sqrt2))]
//          - s / (r sqrt(2 pi)) [exp(-(R-r)^2/(2 s^2)) - exp(-(R+r)^2/(2 s^2))],
//   v(0) = erf(R/(s sqrt2)) - sqrt(2/pi) (R/s) exp(-R^2/(2 s^2)).
double blurred_sphere_profile(double r, double radius, double sigma) {
  const double a = (radius - r) / (sigma * std::sqrt(2.0));
  const double b = (radius + r) / (sigma * std::sqrt(2.0));
  if (r < 1e-9) {
    return std::erf(radius / (sigma * std::sqrt(2.0))) -
           std::sqrt(2.0 / std::numbers::pi) * (radius / sigma) *
               std::exp(-radius * radius / (2 * sigma * sigma));
  }
  return 0.5 * (std::erf(a) + std::erf(b)) -
         sigma / (r * std::sqrt(2.0 * std::numbers::pi)) * (std::exp(-a * a) - std::exp(-b * b));
}

TEST(RecoveryTest, CentreOfBlurredSpheresMatchesTheAnalyticProfile) {
  const double voxel_mm = 2.0, fwhm_mm = 7.0;
  const double sigma = phantom::gaussian_sigma_from_fwhm(fwhm_mm);
  double previous = 0.0;
  for (double diameter : {10.0, 13.0, 17.0, 22.0, 28.0, 37.0}) {
    phantom::Scene scene;
    scene.add_region({"air", 0, -1, false});
    const uint16_t sphere = scene.add_region({"sphere", 0, 0, false});
    scene.paint(phantom::make_sphere({0, 0, 0}, 0.5 * diameter), sphere);
    Geometry grid;
    grid.size = {41, 41, 41};
    grid.spacing_mm = {voxel_mm, voxel_mm, voxel_mm};
    grid.origin_mm = {-40, -40, -40};
    const phantom::EmissionImages images =
        phantom::simulate_emission(scene, {0.0, 1.0}, grid, 5, fwhm_mm, 0.0, 0);
    const double measured = images.noise_free.at(20, 20, 20);
    // Voxel average of v(r) over the centre voxel, 8 points per axis.
    double expected = 0.0;
    for (int c = 0; c < 8; ++c) {
      for (int b = 0; b < 8; ++b) {
        for (int a = 0; a < 8; ++a) {
          const double x = voxel_mm * ((a + 0.5) / 8 - 0.5), y = voxel_mm * ((b + 0.5) / 8 - 0.5),
                       z = voxel_mm * ((c + 0.5) / 8 - 0.5);
          expected +=
              blurred_sphere_profile(std::sqrt(x * x + y * y + z * z), 0.5 * diameter, sigma) /
              512.0;
        }
      }
    }
    EXPECT_NEAR(measured, expected, 0.01) << diameter << " mm";
    EXPECT_GT(measured, previous) << diameter << " mm";
    previous = measured;
  }
}

TEST(GeneratePhantomTest, NemaRecoveryIncreasesWithSphereSize) {
  PhantomRequest request;
  request.kind = PhantomKind::kNema;
  request.physics.noise = false;
  request.grid.emission_size = {80, 64, 16};
  request.grid.emission_spacing_mm = {4, 4, 4};
  request.grid.centre_mm = Vec3{0, 0, 20};
  request.write_ct = false;
  TemporaryDirectory folder;
  generate_phantom(request, folder.path());
  const json truth = read_json(folder.path() / "truth.json");
  const json& objects = truth.at("phantom").at("objects");
  ASSERT_EQ(objects.size(), 6u);
  for (size_t i = 1; i < objects.size(); ++i) {
    // RCmax saturates at 1 for spheres several PSF widths across.
    EXPECT_GT(objects[i].at("recovery_coefficient_max").get<double>(),
              objects[i - 1].at("recovery_coefficient_max").get<double>() - 1e-4);
    EXPECT_GT(objects[i].at("recovery_coefficient_mean").get<double>(),
              objects[i - 1].at("recovery_coefficient_mean").get<double>());
  }
  EXPECT_EQ(truth.at("phantom").at("sphere_to_background"), 4.0);
}

TEST(GeneratePhantomTest, SpectDosimetryHasKnownTimeActivityAndValidNmFiles) {
  PhantomRequest request = tiny_request(4);
  request.kind = PhantomKind::kSpect;
  request.physics.noise = false;
  request.spect.scan_times_h = {24, 72};
  request.write_ct = false;
  TemporaryDirectory folder;
  const PhantomResult result = generate_phantom(request, folder.path());
  ASSERT_EQ(result.studies.size(), 2u);
  const json truth = read_json(folder.path() / "truth.json");
  const json& liver_kinetics = truth.at("time_activity").at("organs").at("liver");
  // Liver: uptake 8 h, washout 120 h, SUV 6 at 72 h; activity at t (Lu-177 decay included):
  // C(t) = SUV(t) D 2^(-t/T) / W with SUV(t) = 6 f(t) / f(72 h).
  const auto f = [](double t) {
    return std::exp(-std::log(2.0) * t / 120) - std::exp(-std::log(2.0) * t / 8);
  };
  const double half_life_h = truth.at("time_activity").at("half_life_s").get<double>() / 3600.0;
  for (const double hours : {24.0, 72.0}) {
    char id[32];
    std::snprintf(id, sizeof(id), "lu177tras_%gh", hours);
    const json& liver = truth.at("organs").at("liver").at(id);
    const double expected =
        6.0 * f(hours) / f(72.0) * 7.4e9 * std::exp2(-hours / half_life_h) / (68.0 * 1000.0);
    EXPECT_NEAR(liver.at("bq_per_ml").get<double>(), expected, expected * 1e-9) << id;
    const fs::path nm = folder.path() / id / "NM" / "NM000001.dcm";
    ASSERT_TRUE(fs::exists(nm));
    const std::string program = ONCOTRACE_DCIODVFY;
    if (!program.empty()) {
      std::string output;
      EXPECT_TRUE(phantom::testing::dciodvfy_errors(program, nm, &output).empty()) << output;
    }
  }
  // Time-integrated activity per mL: (D/W) * 6 / f(72) * integral of f(t) 2^(-t/T) dt.
  const double a = std::log(2.0) / 120, b = std::log(2.0) / 8, l = std::log(2.0) / half_life_h;
  const double tia = 7.4e9 / 68000.0 * 6.0 / f(72.0) * (1 / (a + l) - 1 / (b + l)) * 3600.0;
  EXPECT_NEAR(liver_kinetics.at("time_integrated_activity_bq_s_per_ml").get<double>(), tia,
              tia * 1e-9);
}

// ---------------------------------------------------------------- configuration

TEST(ConfigTest, AppliesKnownKeysAndReplacesLesionLists) {
  PhantomRequest request;
  apply_phantom_config(R"({
    "seed": 11, "size": "tiny", "vendor": "philips",
    "physics": {"noise": false, "pet_psf_fwhm_mm": 5},
    "patient": {"weight_kg": 80, "sex": "F",
      "lesions": [{"name": "a", "site": "liver", "centre_mm": [-55, 0, 300], "diameter_mm": 20,
                   "er": "negative", "her2": "positive", "fdg_avidity": "low",
                   "changes": [{"timepoint": "followup", "volume_scale": 0.5}]}],
      "studies": [{"id": "x", "tracer": "fes", "injection": "2024-01-02T08:00:00",
                   "uptake_time_min": 80, "injected_activity_mbq": 200}]}
  })",
                       "test.json", &request);
  EXPECT_EQ(request.seed, 11u);
  EXPECT_EQ(request.grid.emission_size[0], 64);
  EXPECT_EQ(request.vendor_override, PhantomVendorStyle::kPhilips);
  EXPECT_FALSE(request.physics.noise);
  EXPECT_EQ(request.physics.pet_psf_fwhm_mm, 5.0);
  EXPECT_EQ(request.patient.weight_kg, 80.0);
  ASSERT_EQ(request.patient.lesions.size(), 1u);
  EXPECT_EQ(request.patient.lesions[0].semi_axes_mm[2], 10.0);
  EXPECT_EQ(request.patient.lesions[0].her2, Her2Status::kPositive);
  ASSERT_EQ(request.patient.studies.size(), 1u);
  EXPECT_EQ(request.patient.studies[0].uptake_time_s, 4800.0);
  EXPECT_EQ(request.patient.studies[0].injected_activity_bq, 200e6);
}

TEST(ConfigTest, RefusesUnknownKeysAndBadValuesNamingThem) {
  PhantomRequest request;
  try {
    apply_phantom_config(R"({"physics": {"nosie": false}})", "cfg.json", &request);
    FAIL() << "no error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("nosie"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("cfg.json"), std::string::npos);
  }
  EXPECT_THROW(apply_phantom_config(R"({"vendor": "acme"})", "cfg.json", &request),
               InvalidInputError);
  EXPECT_THROW(apply_phantom_config(R"({"seed": "x"})", "cfg.json", &request), InvalidInputError);
  EXPECT_THROW(apply_phantom_config("{", "cfg.json", &request), InvalidInputError);
}

TEST(ConfigTest, NamesRoundTrip) {
  for (const char* name : {"patient", "nema", "cylinder", "spect"}) {
    EXPECT_EQ(phantom_kind_name(*parse_phantom_kind(name)), name);
  }
  for (const char* name : {"ge", "siemens", "philips", "gml"}) {
    EXPECT_EQ(phantom_vendor_name(*parse_phantom_vendor(name)), name);
  }
  EXPECT_FALSE(parse_phantom_kind("brain").has_value());
  EXPECT_TRUE(phantom_grid_preset("wholebody").has_value());
}

TEST(GeneratePhantomTest, LesionOutsideTheFieldOfViewIsRefused) {
  PhantomRequest request = tiny_request(1);
  request.patient.lesions[0].centre_mm = {0, 0, 5000};
  TemporaryDirectory folder;
  EXPECT_THROW(generate_phantom(request, folder.path()), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
