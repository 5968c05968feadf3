// The phantom read back through the project's own DICOM reader, NIfTI reader and SUV module:
// what the generator says is true must be what the pipeline measures.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "oncotrace/dicom.h"
#include "oncotrace/nifti.h"
#include "oncotrace/phantom.h"
#include "oncotrace/suv.h"
#include "phantom/test_support.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;
using oncotrace::testing::TemporaryDirectory;
namespace fs = std::filesystem;

json read_json(const fs::path& path) { return json::parse(phantom::testing::file_bytes(path)); }

ImageSeries load_only_series(const fs::path& folder) {
  const DiscoveryResult discovery = discover_dicom(folder);
  return load_series(select_series(discovery, "", folder.string()));
}

struct SuvImage {
  ImageSeries series;
  SuvPlan plan;
  ImageVolume suv;
  // SUV of one stored integer step in slice k: the quantisation of the stored image.
  double quantum(int64_t k) const {
    return series.frames[0].slices[static_cast<size_t>(k)].rescale_slope *
           plan.factor_per_slice[static_cast<size_t>(k)];
  }
};

SuvImage suv_image(const fs::path& folder) {
  SuvImage image;
  image.series = load_only_series(folder);
  image.plan = plan_suv(image.series.header, image.series.frames.at(0), SuvOptions{});
  image.suv = apply_suv(image.series.frames[0], image.plan);
  return image;
}

PhantomRequest noise_free_patient(PhantomVendorStyle vendor, bool with_ct) {
  PhantomRequest request;
  request.seed = 5;
  request.grid = *phantom_grid_preset("tiny");
  request.physics.noise = false;
  request.vendor_override = vendor;
  request.patient.studies.resize(1);  // FDG baseline
  request.write_ct = with_ct;
  return request;
}

Vec3 json_vec3(const json& value) { return {value[0], value[1], value[2]}; }

TEST(PhantomRoundTripTest, NoiseFreeSuvInTheLiverEqualsTheTruth) {
  TemporaryDirectory folder;
  generate_phantom(noise_free_patient(PhantomVendorStyle::kGe, false), folder.path());
  const json truth = read_json(folder.path() / "truth.json");
  const json& liver = truth.at("organs").at("liver").at("fdg_baseline");
  const SuvImage image = suv_image(folder.path() / "fdg_baseline" / "PT");
  const Index3 index =
      image.suv.geometry.world_to_nearest_index(json_vec3(liver.at("reference_point_lps_mm")));
  const double expected = liver.at("suvbw").get<double>();  // 2.3 from the tracer table
  EXPECT_NEAR(image.suv.at(index[0], index[1], index[2]), expected, expected * 1e-4);
  EXPECT_NEAR(image.suv.at(index[0], index[1], index[2]), expected,
              0.5 * image.quantum(index[2]) + expected * 1e-6);
}

TEST(PhantomRoundTripTest, NoiseFreeCylinderSuvIsExact) {
  PhantomRequest request;
  request.kind = PhantomKind::kCylinder;
  request.physics.noise = false;
  request.grid.emission_size = {64, 64, 20};
  request.write_ct = false;
  TemporaryDirectory folder;
  generate_phantom(request, folder.path());
  const json truth = read_json(folder.path() / "truth.json");
  const SuvImage image = suv_image(folder.path() / "cylinder" / "PT");
  const double expected = truth.at("phantom").at("objects")[0].at("true_suvbw").get<double>();
  EXPECT_NEAR(image.suv.at(32, 32, 10), expected, expected * 1e-5);
}

TEST(PhantomRoundTripTest, EveryVendorStyleGivesTheSameSuvImage) {
  std::vector<SuvImage> images;
  std::vector<std::unique_ptr<TemporaryDirectory>> folders;
  for (PhantomVendorStyle vendor : {PhantomVendorStyle::kGe, PhantomVendorStyle::kSiemens,
                                    PhantomVendorStyle::kPhilips, PhantomVendorStyle::kGml}) {
    folders.push_back(std::make_unique<TemporaryDirectory>());
    generate_phantom(noise_free_patient(vendor, false), folders.back()->path());
    images.push_back(suv_image(folders.back()->path() / "fdg_baseline" / "PT"));
  }
  const SuvImage& reference = images.front();
  const Geometry& grid = reference.suv.geometry;
  for (size_t v = 1; v < images.size(); ++v) {
    ASSERT_TRUE(images[v].suv.geometry.same_grid_as(grid));
    double worst = 0.0;
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      // Both images are stored with their own quantisation; they may differ by half a step each
      // (plus float rounding of the values before storage).
      const double steps = 0.5 * (reference.quantum(k) + images[v].quantum(k));
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          const double tolerance = steps + 1e-6 * std::abs(reference.suv.at(i, j, k));
          const double difference = std::abs(images[v].suv.at(i, j, k) - reference.suv.at(i, j, k));
          worst = std::max(worst, difference / tolerance);
        }
      }
    }
    EXPECT_LE(worst, 1.0) << "vendor style " << v << " differs by " << worst << " tolerances";
  }
}

TEST(PhantomRoundTripTest, PetCtAndTruthLabelsShareOneGeometry) {
  TemporaryDirectory folder;
  const PhantomResult result =
      generate_phantom(noise_free_patient(PhantomVendorStyle::kSiemens, true), folder.path());
  ASSERT_FALSE(result.studies.front().labels_file.empty());
  const ImageSeries pet = load_only_series(folder.path() / "fdg_baseline" / "PT");
  const ImageSeries ct = load_only_series(folder.path() / "fdg_baseline" / "CT");
  const LabelMap labels = read_nifti_labels(result.studies.front().labels_file);
  const Geometry& pet_grid = pet.frames[0].image.geometry;
  EXPECT_TRUE(pet_grid.same_grid_as(labels.geometry, 1e-3))
      << pet_grid.describe() << " vs " << labels.geometry.describe();
  EXPECT_EQ(pet.header.frame_of_reference_uid, ct.header.frame_of_reference_uid);
  // The CT covers the same field of view at twice the in-plane resolution.
  const Geometry& ct_grid = ct.frames[0].image.geometry;
  for (int axis = 0; axis < 3; ++axis) {
    const double pet_edge = pet_grid.origin_mm[axis] - 0.5 * pet_grid.spacing_mm[axis];
    const double ct_edge = ct_grid.origin_mm[axis] - 0.5 * ct_grid.spacing_mm[axis];
    EXPECT_NEAR(pet_edge, ct_edge, 1e-3) << axis;
  }
  // Every labelled voxel's centre lies inside its lesion as truth.json describes it: check the
  // centres of the spherical lesions.
  const json truth = read_json(folder.path() / "truth.json");
  for (const json& lesion : truth.at("lesions")) {
    const json& study = lesion.at("per_study").at("fdg_baseline");
    if (!study.at("present").get<bool>()) continue;
    const Index3 centre =
        labels.geometry.world_to_nearest_index(json_vec3(study.at("centre_lps_mm")));
    EXPECT_EQ(labels.at(centre[0], centre[1], centre[2]), lesion.at("label").get<int>())
        << lesion.at("name");
  }
  // CT numbers: liver 55 HU in the middle of the liver (noise-free).
  const json& liver = truth.at("organs").at("liver").at("fdg_baseline");
  const Index3 in_liver =
      ct_grid.world_to_nearest_index(json_vec3(liver.at("reference_point_lps_mm")));
  EXPECT_NEAR(ct.frames[0].image.at(in_liver[0], in_liver[1], in_liver[2]), 55.0, 0.5);
}

// Activity concentration (Bq/mL) at t hours after injection of a region with the truth's
// uptake-washout model (docs/truth-schema.md, "time_activity"): SUV(t) = suv_ref f(t) / f(t_ref),
// f(t) = exp(-ln2 t / washout_h) - exp(-ln2 t / uptake_h) (washout term alone when uptake_h = 0),
// C(t) = SUV(t) D 2^(-t / T1/2) / W. Evaluated here from the parameters only, independently of
// the generator's code.
double truth_bq_per_ml(const json& time_activity, double suv_ref, double uptake_h, double washout_h,
                       double t_h, double weight_kg) {
  const auto f = [&](double hours) {
    const double washout = std::exp(-std::log(2.0) * hours / washout_h);
    return uptake_h > 0.0 ? washout - std::exp(-std::log(2.0) * hours / uptake_h) : washout;
  };
  const double reference_h = time_activity.at("reference_time_h").get<double>();
  const double half_life_h = time_activity.at("half_life_s").get<double>() / 3600.0;
  const double injected_bq = time_activity.at("injected_activity_bq").get<double>();
  return suv_ref * f(t_h) / f(reference_h) * injected_bq * std::exp2(-t_h / half_life_h) /
         (weight_kg * 1000.0);
}

// Total activity (Bq) in the field of view at t hours: organs and lesions (viable part and
// necrotic core), each its volume in the field of view times its concentration.
double truth_total_activity_bq(const json& truth, double t_h) {
  const json& time_activity = truth.at("time_activity");
  const double weight_kg = truth.at("patient").at("weight_kg").get<double>();
  double total = 0.0;
  for (const auto& [name, organ] : time_activity.at("organs").items()) {
    total += organ.at("volume_in_field_of_view_ml").get<double>() *
             truth_bq_per_ml(time_activity, organ.at("suvbw_at_reference_time").get<double>(),
                             organ.at("uptake_half_time_h").get<double>(),
                             organ.at("washout_half_time_h").get<double>(), t_h, weight_kg);
  }
  const json& lesion_kinetics = time_activity.at("lesion_kinetics");
  for (const json& lesion : time_activity.at("lesions")) {
    const double viable =
        truth_bq_per_ml(time_activity, lesion.at("suvbw_at_reference_time").get<double>(),
                        lesion_kinetics.at("uptake_half_time_h").get<double>(),
                        lesion_kinetics.at("washout_half_time_h").get<double>(), t_h, weight_kg);
    total += viable * (lesion.at("viable_volume_in_field_of_view_ml").get<double>() +
                       lesion.at("necrotic_core_relative_uptake").get<double>() *
                           lesion.at("necrotic_core_volume_in_field_of_view_ml").get<double>());
  }
  return total;
}

// The NM series of the 177Lu SPECT phantom at 4, 24, 72 and 168 h, read back through the DICOM
// reader and the SUV module's units rule, with the total activity in the field of view checked
// against the truth's time-activity model after physical decay.
//
// What the reader does with the phantom's NM object (dicom_header.cc, read_nm_tomo_planes; NM
// has no Units (0054,1001), pet-quantification.md §11.1): the pixels are stored counts; with no
// RescaleSlope the Real World Value Mapping (0040,9096) slope and intercept become the per-plane
// rescale, so the loaded image is in Bq/mL (stored count * RealWorldValueSlope); its
// MeasurementUnitsCodeSequence `Bq/ml` (UCUM) is reported as the header's real-world units, and
// the SUV module (suv_pixels.cc, decide_units) then takes the series as BQML, so `oncotrace suv`
// with --normalization none gives the same Bq/mL and needs no counts calibration.
//
// Tolerance of the total: in noise-free mode the only differences from the truth are (1) the
// integer storage, at most half a count per voxel, i.e. N * slope / 2 * V over the N voxels (a
// hard bound, about 1e-4 of the total here), (2) float32 values (relative 6e-8 per voxel, well
// below 1e-6 of the sum), and (3) the PSF blur, which conserves the total because the scatter
// form reflects the weight falling outside the grid back inside (image_physics.h): activity
// near the FOV edge stays in the FOV. The test asserts that bound and, independently, the
// issue's 0.5 %.
TEST(PhantomRoundTripTest, SpectNmSeriesLoadsAsBqPerMlAndConservesTheTotalActivityPerTimepoint) {
  PhantomRequest request;
  request.kind = PhantomKind::kSpect;
  request.grid = *phantom_grid_preset("tiny");
  request.physics.noise = false;
  request.spect.scan_times_h = {4, 24, 72, 168};
  request.write_ct = false;
  TemporaryDirectory folder;
  const PhantomResult result = generate_phantom(request, folder.path());
  ASSERT_EQ(result.studies.size(), 4u);
  const json truth = read_json(folder.path() / "truth.json");
  const LabelMap labels = read_nifti_labels(result.studies.front().labels_file);

  std::vector<double> totals;
  for (size_t s = 0; s < result.studies.size(); ++s) {
    const double hours = request.spect.scan_times_h[s];
    const json& study = truth.at("studies")[s];
    ASSERT_EQ(study.at("id"), result.studies[s].id);
    const ImageSeries nm = load_only_series(result.studies[s].emission_folder);
    const Frame& frame = nm.frames.at(0);
    const Geometry& grid = frame.image.geometry;
    EXPECT_TRUE(grid.same_grid_as(labels.geometry, 1e-3)) << grid.describe();

    // Units as the reader reports them: no Units attribute, real-world units Bq/ml, and the
    // RealWorldValueSlope of truth.json as every plane's rescale slope.
    EXPECT_EQ(nm.header.modality, "NM");
    EXPECT_FALSE(nm.header.units.has_value());
    ASSERT_TRUE(nm.header.real_world_value_units.has_value());
    EXPECT_EQ(*nm.header.real_world_value_units, "Bq/ml");
    const double slope = study.at("emission").at("real_world_value_slope_bq_per_ml").get<double>();
    ASSERT_EQ(frame.slices.size(), static_cast<size_t>(grid.size[2]));
    for (const SliceRecord& slice : frame.slices) {
      EXPECT_DOUBLE_EQ(slice.rescale_slope, slope);
      EXPECT_EQ(slice.rescale_intercept, 0.0);
    }
    // The SUV module takes the mapping's Bq/ml as BQML: with no normalisation the factor is 1.
    SuvOptions options;
    options.normalization = SuvNormalization::kNone;
    const SuvPlan plan = plan_suv(nm.header, frame, options);
    const json audit = json::parse(plan.audit.json);
    EXPECT_EQ(audit.at("input_units").at("value"), "BQML");
    EXPECT_EQ(audit.at("conversion_path"), "BQML");
    for (double factor : plan.factor_per_slice) EXPECT_DOUBLE_EQ(factor, 1.0);

    // A point well inside the liver: the truth concentration within half a count.
    const json& liver = truth.at("organs").at("liver").at(study.at("id").get<std::string>());
    const Index3 index = grid.world_to_nearest_index(json_vec3(liver.at("reference_point_lps_mm")));
    EXPECT_NEAR(frame.image.at(index[0], index[1], index[2]), liver.at("bq_per_ml").get<double>(),
                0.5 * slope + 1e-6 * liver.at("bq_per_ml").get<double>());

    // Total activity in the field of view.
    double image_total = 0.0;
    for (float value : frame.image.values) image_total += value;
    image_total *= grid.voxel_volume_ml();
    const double expected = truth_total_activity_bq(truth, hours);
    EXPECT_NEAR(study.at("emission").at("total_activity_in_field_of_view_bq").get<double>(),
                expected, expected * 1e-9)
        << study.at("id");
    const double storage_bound =
        0.5 * slope * static_cast<double>(grid.voxel_count()) * grid.voxel_volume_ml();
    EXPECT_NEAR(image_total, expected, storage_bound + 1e-6 * expected) << study.at("id");
    EXPECT_NEAR(image_total, expected, 0.005 * expected) << study.at("id");
    totals.push_back(image_total);
  }
  // From 72 h to 168 h Lu-177 decay alone removes a third of the activity, and every tissue
  // washes out: the total must fall.
  EXPECT_GT(totals[3], 0.0);
  EXPECT_LT(totals[3], 0.7 * totals[2]);
}

// Independent calculation of a blurred sphere: a uniform sphere of radius R convolved with a 3D
// Gaussian of standard deviation s has, at distance r from its centre, the fraction
//   v(r) = 1/2 [erf((R-r)/(s sqrt2)) + erf((R+r)/(s sqrt2))]
//          - s / (r sqrt(2 pi)) [exp(-(R-r)^2/(2 s^2)) - exp(-(R+r)^2/(2 s^2))]
// of its activity (at r = 0: erf(R/(s sqrt2)) - sqrt(2/pi) (R/s) exp(-R^2/(2 s^2))).
double blurred_sphere_fraction(double r, double radius, double sigma) {
  const double root2 = std::sqrt(2.0);
  if (r < 1e-6) {
    return std::erf(radius / (sigma * root2)) -
           std::sqrt(2.0 / std::numbers::pi) * (radius / sigma) *
               std::exp(-radius * radius / (2 * sigma * sigma));
  }
  const double a = (radius - r) / (sigma * root2), b = (radius + r) / (sigma * root2);
  return 0.5 * (std::erf(a) + std::erf(b)) -
         sigma / (r * std::sqrt(2.0 * std::numbers::pi)) * (std::exp(-a * a) - std::exp(-b * b));
}

TEST(PhantomRoundTripTest, NemaRecoveryMatchesTheBlurredSphereProfile) {
  PhantomRequest request;
  request.kind = PhantomKind::kNema;
  request.physics.noise = false;
  request.physics.pet_psf_fwhm_mm = 6.0;
  request.grid.emission_size = {80, 80, 24};
  request.grid.emission_spacing_mm = {2.0, 2.0, 2.0};
  request.grid.centre_mm = Vec3{0, 0, 20};
  request.write_ct = false;
  TemporaryDirectory folder;
  const PhantomResult result = generate_phantom(request, folder.path());
  const json truth = read_json(folder.path() / "truth.json");
  const double suv_per_bq = truth.at("studies")[0].at("suvbw_per_bq_per_ml").get<double>();
  const double background = request.nema.background_bq_per_ml;
  const SuvImage image = suv_image(folder.path() / "nema" / "PT");
  const LabelMap labels = read_nifti_labels(result.studies.front().labels_file);
  const Geometry& grid = image.suv.geometry;
  const double sigma = 6.0 / (2.0 * std::sqrt(2.0 * std::log(2.0)));

  double previous_max = 0.0, previous_mean = 0.0;
  for (const json& sphere : truth.at("phantom").at("objects")) {
    const double radius = 0.5 * sphere.at("inner_diameter_mm").get<double>();
    const double activity = sphere.at("true_bq_per_ml").get<double>();
    const Vec3 centre = json_vec3(sphere.at("centre_lps_mm"));
    const uint16_t label = sphere.at("label").get<uint16_t>();
    double measured_max = 0.0, measured_sum = 0.0, expected_max = 0.0, expected_sum = 0.0;
    int64_t voxels = 0;
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          if (labels.at(i, j, k) != label) continue;
          const double measured = image.suv.at(i, j, k) / suv_per_bq / activity;
          // Expected: background everywhere plus the sphere's excess, blurred, averaged over the
          // voxel (4 x 4 x 4 points), as a fraction of the sphere activity.
          const Vec3 p = grid.index_to_world(i, j, k);
          double fraction = 0.0;
          for (int c = 0; c < 4; ++c) {
            for (int b = 0; b < 4; ++b) {
              for (int a = 0; a < 4; ++a) {
                const double dx = p[0] + 2.0 * ((a + 0.5) / 4 - 0.5) - centre[0];
                const double dy = p[1] + 2.0 * ((b + 0.5) / 4 - 0.5) - centre[1];
                const double dz = p[2] + 2.0 * ((c + 0.5) / 4 - 0.5) - centre[2];
                fraction +=
                    blurred_sphere_fraction(std::sqrt(dx * dx + dy * dy + dz * dz), radius, sigma) /
                    64.0;
              }
            }
          }
          const double expected = (background + (activity - background) * fraction) / activity;
          measured_max = std::max(measured_max, measured);
          expected_max = std::max(expected_max, expected);
          measured_sum += measured;
          expected_sum += expected;
          ++voxels;
        }
      }
    }
    ASSERT_GT(voxels, 0) << sphere.at("name");
    const double measured_mean = measured_sum / static_cast<double>(voxels);
    const double expected_mean = expected_sum / static_cast<double>(voxels);
    EXPECT_NEAR(measured_max, expected_max, 0.02) << sphere.at("name");
    EXPECT_NEAR(measured_mean, expected_mean, 0.02) << sphere.at("name");
    // RCmax saturates at 1 once the sphere is several PSF widths across (28 and 37 mm at 6 mm).
    EXPECT_GT(measured_max, previous_max - 1e-4) << sphere.at("name");
    EXPECT_GT(measured_mean, previous_mean) << sphere.at("name");
    previous_max = measured_max;
    previous_mean = measured_mean;
  }
  EXPECT_GT(previous_max, 0.95);  // the 37 mm sphere recovers nearly fully at 6 mm FWHM
}

}  // namespace
}  // namespace oncotrace
