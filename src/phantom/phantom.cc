// generate_phantom(): the patient, NEMA, cylinder and SPECT phantoms, and truth.json.
#include "oncotrace/phantom.h"
#include "oncotrace/source_dir.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/nuclide.h"
#include "oncotrace/version.h"
#include "phantom/anatomy.h"
#include "phantom/dicom_writer.h"
#include "phantom/image_physics.h"
#include "phantom/simulate.h"
#include "phantom/tracer_table.h"
#include "phantom/uid.h"

namespace oncotrace {
namespace {

using nlohmann::ordered_json;
using phantom::Tissue;

// CT precedes the emission scan; the study starts with the CT.
constexpr double kCtBeforeEmissionS = 600.0;

ordered_json vec3_json(const Vec3& v) { return ordered_json::array({v[0], v[1], v[2]}); }

ordered_json geometry_json(const Geometry& grid) {
  return {{"size", {grid.size[0], grid.size[1], grid.size[2]}},
          {"spacing_mm", vec3_json(grid.spacing_mm)},
          {"origin_lps_mm", vec3_json(grid.origin_mm)},
          {"direction", {1, 0, 0, 0, 1, 0, 0, 0, 1}}};
}

// Everything the simulation of one emission study needs besides the scene.
struct StudyContext {
  std::string id;
  std::string modality;  // PT or NM
  PhantomVendorStyle vendor = PhantomVendorStyle::kGe;
  const phantom::TracerInfo* tracer = nullptr;
  DateTime injection;
  DateTime scan_start;
  double injected_activity_bq = 0.0;
  double duration_s = 0.0;
  double reference_activity_bq = 0.0;  // injected activity decayed to scan start
  double suv_per_bq_per_ml = 0.0;      // W[g] / reference activity
  Vec3 shift_mm{0, 0, 0};
  std::string timepoint;
};

StudyContext make_context(const StudySpec& spec, const phantom::TracerInfo& tracer,
                          const PhantomRequest& request, double weight_kg) {
  if (spec.id.empty() || spec.id.find_first_of("/\\ ") != std::string::npos) {
    throw InvalidInputError("phantom study id \"" + spec.id +
                            "\" must be a non-empty folder name without spaces or slashes");
  }
  if (spec.injected_activity_bq <= 0.0 || spec.scan_duration_s <= 0.0 || spec.uptake_time_s < 0.0) {
    throw InvalidInputError("phantom study " + spec.id +
                            ": injected activity and scan duration must be > 0 and the uptake "
                            "time >= 0");
  }
  StudyContext context;
  context.id = spec.id;
  context.modality = tracer.modality;
  context.vendor = request.vendor_override.value_or(spec.vendor);
  context.tracer = &tracer;
  context.injection = spec.injection;
  // Whole seconds, as scanners write them.
  context.scan_start = spec.injection.plus_seconds(std::round(spec.uptake_time_s));
  context.injected_activity_bq = spec.injected_activity_bq;
  context.duration_s = spec.scan_duration_s;
  context.reference_activity_bq =
      decayed_activity(spec.injected_activity_bq, context.scan_start.seconds_since(spec.injection),
                       tracer.nuclide->half_life_s);
  context.suv_per_bq_per_ml = weight_kg * 1000.0 / context.reference_activity_bq;
  context.shift_mm = spec.rigid_shift_mm;
  context.timepoint = spec.timepoint;
  return context;
}

double emissions_per_decay(const Nuclide& nuclide, const std::string& modality) {
  if (modality == "PT") return nuclide.positron_fraction;
  double photons = 0.0;
  for (const PhotonLine& line : nuclide.main_photons) {
    if (line.energy_kev < 500.0) photons += line.yield_per_decay;
  }
  return photons;
}

// Noise level of an emission study (0 = noise-free).
double noise_counts_per_unit(const StudyContext& context, const Geometry& grid,
                             const PhantomPhysicsOptions& physics) {
  if (!physics.noise) return 0.0;
  const Nuclide& nuclide = *context.tracer->nuclide;
  const double per_emission =
      context.modality == "PT" ? physics.pet_counts_per_positron : physics.spect_counts_per_photon;
  return phantom::counts_per_bq_per_ml(grid, context.duration_s, nuclide.half_life_s,
                                       emissions_per_decay(nuclide, context.modality),
                                       per_emission);
}

double psf_fwhm(const StudyContext& context, const PhantomPhysicsOptions& physics) {
  return context.modality == "PT" ? physics.pet_psf_fwhm_mm : physics.spect_psf_fwhm_mm;
}

// Identity of the DICOM objects of one study; UIDs depend on the seed and the names only.
struct StudyIdentity {
  phantom::DicomStudyInfo study;
  phantom::DicomSeriesInfo emission;
  phantom::DicomSeriesInfo ct;
};

StudyIdentity make_identity(const PhantomRequest& request, const std::string& owner,
                            const StudyContext& context, size_t study_index) {
  const std::string base = owner + " study " + context.id;
  StudyIdentity identity;
  identity.study.study_uid = phantom::make_phantom_uid(request.seed, base);
  identity.study.study_id = "SIM" + std::to_string(study_index + 1);
  identity.study.accession_number = "ACC" + std::to_string(1000 + study_index);
  identity.study.description = context.tracer->display_name + " " +
                               (context.modality == "PT" ? "PET/CT" : "SPECT/CT") +
                               (context.timepoint.empty() ? "" : " " + context.timepoint);
  identity.study.study_datetime = context.scan_start.plus_seconds(-kCtBeforeEmissionS - 60.0);
  const std::string frame_of_reference =
      phantom::make_phantom_uid(request.seed, base + " frame of reference");

  identity.ct.series_uid = phantom::make_phantom_uid(request.seed, base + " series CT");
  identity.ct.frame_of_reference_uid = frame_of_reference;
  identity.ct.description = "CT for attenuation correction and localisation";
  identity.ct.series_number = 2;
  identity.ct.series_datetime = context.scan_start.plus_seconds(-kCtBeforeEmissionS);
  identity.ct.vendor = context.vendor;
  identity.ct.seed = request.seed;
  identity.ct.uid_purpose = base + " series CT";

  identity.emission.series_uid =
      phantom::make_phantom_uid(request.seed, base + " series " + context.modality);
  identity.emission.frame_of_reference_uid = frame_of_reference;
  identity.emission.description = context.tracer->display_name + " " +
                                  (context.modality == "PT" ? "PET AC" : "SPECT quantitative") +
                                  " (" + phantom_vendor_name(context.vendor) + " style)";
  identity.emission.series_number = 3;
  identity.emission.series_datetime = context.scan_start;
  identity.emission.vendor = context.vendor;
  identity.emission.seed = request.seed;
  identity.emission.uid_purpose = base + " series " + context.modality;
  return identity;
}

phantom::DicomPatientInfo dicom_patient(const PatientSpec& patient) {
  return {patient.patient_name, patient.patient_id, patient.sex,
          patient.birth_date,   patient.weight_kg,  patient.height_m};
}

phantom::IsotopeInfo isotope_info(const StudyContext& context) {
  phantom::IsotopeInfo isotope;
  isotope.radiopharmaceutical = context.tracer->radiopharmaceutical;
  isotope.radiopharmaceutical_code = context.tracer->radiopharmaceutical_code;
  isotope.nuclide = context.tracer->nuclide;
  isotope.injection = context.injection;
  isotope.injected_activity_bq = context.injected_activity_bq;
  isotope.frame_duration_s = context.duration_s;
  return isotope;
}

ordered_json study_json(const StudyContext& context, const StudyIdentity& identity,
                        const Geometry& emission, const std::optional<Geometry>& ct,
                        const PhantomPhysicsOptions& physics, double noise_counts) {
  const Nuclide& nuclide = *context.tracer->nuclide;
  ordered_json study = {
      {"id", context.id},
      {"folder", context.id},
      {"tracer", context.tracer->id},
      {"tracer_display_name", context.tracer->display_name},
      {"radiopharmaceutical", context.tracer->radiopharmaceutical},
      {"nuclide", nuclide.symbol},
      {"half_life_s", nuclide.half_life_s},
      {"modality", context.modality},
      {"timepoint", context.timepoint},
      {"vendor_style", phantom_vendor_name(context.vendor)},
      {"injection_datetime", context.injection.iso8601()},
      {"scan_start_datetime", context.scan_start.iso8601()},
      {"uptake_time_s", context.scan_start.seconds_since(context.injection)},
      {"scan_duration_s", context.duration_s},
      {"injected_activity_bq", context.injected_activity_bq},
      {"reference_activity_bq", context.reference_activity_bq},
      {"decay_factor_injection_to_scan",
       context.reference_activity_bq / context.injected_activity_bq},
      {"suvbw_per_bq_per_ml", context.suv_per_bq_per_ml},
      {"image_decay_correction", "START"},
      {"rigid_shift_mm", vec3_json(context.shift_mm)},
      {"study_instance_uid", identity.study.study_uid},
      {"frame_of_reference_uid", identity.emission.frame_of_reference_uid},
      {"emission",
       {{"folder", context.id + "/" + context.modality},
        {"series_instance_uid", identity.emission.series_uid},
        {"geometry", geometry_json(emission)},
        {"psf_fwhm_mm", psf_fwhm(context, physics)},
        {"noise", noise_counts > 0.0},
        {"noise_counts_per_bq_per_ml", noise_counts}}},
  };
  if (ct) {
    study["ct"] = {{"folder", context.id + "/CT"},
                   {"series_instance_uid", identity.ct.series_uid},
                   {"series_datetime", identity.ct.series_datetime.iso8601()},
                   {"geometry", geometry_json(*ct)},
                   {"noise_sd_hu", physics.noise ? physics.ct_noise_sd_hu : 0.0}};
  }
  return study;
}

// Writes the series and the label map of one emission study; returns what was written.
struct StudyImages {
  phantom::EmissionImages emission;
  LabelMap labels;
};

PhantomStudyOutput write_study(const PhantomRequest& request, const StudyContext& context,
                               const StudyIdentity& identity,
                               const phantom::DicomPatientInfo& patient,
                               const phantom::Scene& scene, const std::vector<double>& hu,
                               const StudyImages& images, const Geometry& ct, size_t study_index,
                               const std::filesystem::path& out_dir, ordered_json* study_truth,
                               std::vector<std::string>* warnings) {
  PhantomStudyOutput output;
  output.id = context.id;
  output.modality = context.modality;
  output.emission_folder = out_dir / context.id / context.modality;
  output.emission_series_uid = identity.emission.series_uid;
  const phantom::IsotopeInfo isotope = isotope_info(context);
  if (context.modality == "PT") {
    const phantom::WrittenSeries written =
        phantom::write_pet_series(images.emission.measured, patient, identity.study,
                                  identity.emission, isotope, output.emission_folder);
    output.files_written += written.files.size();
    (*study_truth)["emission"]["units"] = written.units;
    if (written.philips_activity_scale_factor) {
      (*study_truth)["emission"]["philips_activity_scale_factor"] =
          *written.philips_activity_scale_factor;
      (*study_truth)["emission"]["philips_suv_scale_factor"] = *written.philips_suv_scale_factor;
    }
  } else {
    const phantom::WrittenNm written =
        phantom::write_nm_tomo(images.emission.measured, patient, identity.study, identity.emission,
                               isotope, output.emission_folder / "NM000001.dcm");
    output.files_written += 1;
    (*study_truth)["emission"]["units"] = "counts";
    (*study_truth)["emission"]["real_world_value_slope_bq_per_ml"] =
        written.real_world_value_slope_bq_per_ml;
  }
  if (request.write_ct) {
    output.ct_folder = out_dir / context.id / "CT";
    output.ct_series_uid = identity.ct.series_uid;
    const ImageVolume ct_hu = phantom::simulate_ct(
        scene, hu, ct, request.physics.supersampling, request.physics.ct_psf_fwhm_mm,
        request.physics.noise ? request.physics.ct_noise_sd_hu : 0.0,
        phantom::mix_seed(request.seed, 2000 + study_index));
    output.files_written +=
        phantom::write_ct_series(ct_hu, patient, identity.study, identity.ct, output.ct_folder)
            .files.size();
  }
  const std::string labels_name = "truth_labels_" + context.id + ".nii.gz";
  if (phantom::write_label_map(out_dir / labels_name, images.labels)) {
    output.labels_file = out_dir / labels_name;
    (*study_truth)["labels_file"] = labels_name;
  } else {
    (*study_truth)["labels_file"] = nullptr;
    warnings->push_back("truth label map " + labels_name +
                        " not written: oncotrace was built without the io module (NIfTI)");
  }
  return output;
}

ordered_json receptor_json(const LesionSpec& lesion) {
  return {{"er", er_status_name(lesion.er)},
          {"her2", her2_status_name(lesion.her2)},
          {"fdg_avidity", fdg_avidity_name(lesion.fdg_avidity)}};
}

ordered_json lesion_static_json(const LesionSpec& lesion, uint16_t label) {
  ordered_json changes = ordered_json::array();
  for (const LesionChange& change : lesion.changes) {
    changes.push_back({{"timepoint", change.timepoint},
                       {"present", change.present},
                       {"volume_scale", change.volume_scale},
                       {"uptake_scale", change.uptake_scale},
                       {"response", change.response}});
  }
  ordered_json scales = ordered_json::object();
  for (const auto& [tracer, scale] : lesion.uptake_scale_per_tracer) scales[tracer] = scale;
  return {{"label", label},
          {"name", lesion.name},
          {"site", lesion.site},
          {"site_class", phantom::lesion_site_class(lesion.site)},
          {"shape", lesion_shape_name(lesion.shape)},
          {"baseline_centre_lps_mm", vec3_json(lesion.centre_mm)},
          {"semi_axes_mm", vec3_json(lesion.semi_axes_mm)},
          {"necrotic_core_fraction", lesion.necrotic_core_fraction},
          {"receptors", receptor_json(lesion)},
          {"uptake_scale_per_tracer", scales},
          {"first_timepoint", lesion.first_timepoint},
          {"designed_changes", changes},
          {"per_study", ordered_json::object()}};
}

ordered_json stats_json(const phantom::LabelStatistics& stats, double suv_factor) {
  return {{"mean_bq_per_ml", stats.mean},
          {"max_bq_per_ml", stats.max},
          {"mean_suvbw", stats.mean * suv_factor},
          {"max_suvbw", stats.max * suv_factor}};
}

// ---------------------------------------------------------------- patient

double tissue_suv_at(const phantom::TracerInfo& tracer, Tissue tissue, double uptake_h) {
  const double suv = tracer.tissue_suv[static_cast<size_t>(tissue)];
  if (!tracer.kinetics) return suv;
  const phantom::UptakeWashout& kinetics = tracer.kinetics->for_tissue(tissue);
  return suv * phantom::uptake_washout_shape(kinetics, uptake_h) /
         phantom::uptake_washout_shape(kinetics, tracer.kinetics->reference_time_h);
}

double lesion_kinetic_factor(const phantom::TracerInfo& tracer, double uptake_h) {
  if (!tracer.kinetics) return 1.0;
  return phantom::uptake_washout_shape(tracer.kinetics->lesions, uptake_h) /
         phantom::uptake_washout_shape(tracer.kinetics->lesions, tracer.kinetics->reference_time_h);
}

void check_lesions_in_view(const PatientSpec& patient, const Geometry& grid) {
  for (const LesionSpec& lesion : patient.lesions) {
    if (!grid.contains(grid.world_to_nearest_index(lesion.centre_mm))) {
      throw InvalidInputError(
          "lesion " + lesion.name + " at (" + std::to_string(lesion.centre_mm[0]) + ", " +
          std::to_string(lesion.centre_mm[1]) + ", " + std::to_string(lesion.centre_mm[2]) +
          ") mm lies outside the emission field of view " + grid.describe() +
          "; move it or enlarge the grid");
    }
  }
  if (patient.lesions.size() > 30000) throw InvalidInputError("too many lesions (max 30000)");
}

void check_patient(const PatientSpec& patient) {
  if (patient.weight_kg <= 0.0 || patient.height_m <= 0.0) {
    throw InvalidInputError("phantom patient: weight_kg and height_m must be > 0");
  }
  if (patient.studies.empty()) throw InvalidInputError("phantom patient: no studies");
  for (size_t a = 0; a < patient.lesions.size(); ++a) {
    for (size_t b = a + 1; b < patient.lesions.size(); ++b) {
      if (patient.lesions[a].name == patient.lesions[b].name) {
        throw InvalidInputError("phantom patient: two lesions are named " +
                                patient.lesions[a].name);
      }
    }
  }
  for (size_t a = 0; a < patient.studies.size(); ++a) {
    for (size_t b = a + 1; b < patient.studies.size(); ++b) {
      if (patient.studies[a].id == patient.studies[b].id) {
        throw InvalidInputError("phantom patient: two studies have the id " +
                                patient.studies[a].id);
      }
    }
  }
}

// Simulates every study of `patient` and returns the results; the truth is left in `truth` for
// the caller to complete and write. When `region_volumes_ml` is given, it receives per study the
// volume of every scene region inside the emission field of view (scene.h, region_volumes_ml).
PhantomResult simulate_patient(const PhantomRequest& request, const PatientSpec& patient,
                               const phantom::TracerCatalogue& catalogue,
                               const std::filesystem::path& out_dir, ordered_json* truth_out,
                               std::vector<std::vector<double>>* region_volumes_ml = nullptr) {
  check_patient(patient);
  const Geometry emission = phantom::emission_grid(
      request.grid, {0, 0, 0.5 * (phantom::kPatientModelZMinMm + phantom::kPatientModelZMaxMm)});
  const Geometry ct = phantom::ct_grid(emission, request.grid.ct_inplane_factor);
  check_lesions_in_view(patient, emission);
  const phantom::DicomPatientInfo dicom = dicom_patient(patient);
  const std::string owner = "patient " + patient.patient_id;

  PhantomResult result;
  ordered_json truth;
  truth["schema"] = "oncotrace-phantom-truth/1";
  truth["generator"] = {{"name", "oncotrace phantom"},
                        {"version", version_string()},
                        {"kind", phantom_kind_name(request.kind)},
                        {"seed", request.seed},
                        {"tracer_table", catalogue.file.filename().string()},
                        {"supersampling", request.physics.supersampling}};
  truth["patient"] = {{"patient_id", patient.patient_id},
                      {"patient_name", patient.patient_name},
                      {"birth_date", patient.birth_date.iso8601().substr(0, 10)},
                      {"sex", patient.sex},
                      {"weight_kg", patient.weight_kg},
                      {"height_m", patient.height_m}};
  truth["studies"] = ordered_json::array();
  ordered_json lesions = ordered_json::array();
  for (size_t l = 0; l < patient.lesions.size(); ++l) {
    lesions.push_back(lesion_static_json(patient.lesions[l], static_cast<uint16_t>(l + 1)));
  }
  ordered_json organs = ordered_json::object();

  for (size_t s = 0; s < patient.studies.size(); ++s) {
    const StudySpec& spec = patient.studies[s];
    const phantom::TracerInfo& tracer = catalogue.at(spec.tracer);
    const StudyContext context = make_context(spec, tracer, request, patient.weight_kg);
    spdlog::info("phantom: study {} ({}, {}): simulating", context.id, tracer.display_name,
                 context.modality);
    const phantom::PatientScene ps =
        phantom::build_patient_scene(patient, spec.timepoint, context.shift_mm);
    const double uptake_h = context.scan_start.seconds_since(context.injection) / 3600.0;
    const double bq_per_suv = 1.0 / context.suv_per_bq_per_ml;

    std::vector<double> suv(ps.scene.regions.size(), 0.0);
    std::vector<double> hu(ps.scene.regions.size(), -1000.0);
    std::vector<uint16_t> label(ps.scene.regions.size(), 0);
    std::vector<double> lesion_viable_suv(patient.lesions.size(), 0.0);
    for (size_t r = 0; r < ps.scene.regions.size(); ++r) {
      const phantom::Region& region = ps.scene.regions[r];
      if (region.lesion < 0) {
        const Tissue tissue = static_cast<Tissue>(region.tissue);
        suv[r] = tissue == Tissue::kAir || tissue == Tissue::kWater || tissue == Tissue::kAcrylic
                     ? 0.0
                     : tissue_suv_at(tracer, tissue, uptake_h);
        hu[r] = phantom::tissue_ct_number_hu(tissue);
        continue;
      }
      const LesionSpec& lesion = patient.lesions[static_cast<size_t>(region.lesion)];
      const phantom::LesionGeometry& geometry = ps.lesions[static_cast<size_t>(region.lesion)];
      const double viable = phantom::lesion_baseline_suv(tracer, lesion) * geometry.uptake_scale *
                            lesion_kinetic_factor(tracer, uptake_h);
      lesion_viable_suv[static_cast<size_t>(region.lesion)] = viable;
      suv[r] = region.lesion_core ? viable * lesion.necrotic_core_relative_uptake : viable;
      hu[r] = phantom::lesion_ct_number_hu(lesion.site, region.lesion_core);
      label[r] = static_cast<uint16_t>(region.lesion + 1);
    }
    std::vector<double> bq_per_ml(suv.size());
    for (size_t r = 0; r < suv.size(); ++r) bq_per_ml[r] = suv[r] * bq_per_suv;

    const double noise_counts = noise_counts_per_unit(context, emission, request.physics);
    StudyImages images;
    images.emission =
        phantom::simulate_emission(ps.scene, bq_per_ml, emission, request.physics.supersampling,
                                   psf_fwhm(context, request.physics), noise_counts,
                                   phantom::mix_seed(request.seed, 1000 + s));
    images.labels = phantom::region_label_map(images.emission.fractions, label);

    const StudyIdentity identity = make_identity(request, owner, context, s);
    ordered_json study_truth = study_json(
        context, identity, emission, request.write_ct ? std::optional<Geometry>(ct) : std::nullopt,
        request.physics, noise_counts);
    // Activity in the field of view at scan start: the partial-volume truth integrated over the
    // grid. The PSF blur conserves it (mirrored edges), so it is also the total of the image.
    const std::vector<double> volumes =
        phantom::region_volumes_ml(images.emission.fractions, ps.scene.regions.size());
    double total_bq = 0.0;
    for (size_t r = 0; r < volumes.size(); ++r) total_bq += volumes[r] * bq_per_ml[r];
    study_truth["emission"]["total_activity_in_field_of_view_bq"] = total_bq;
    if (region_volumes_ml != nullptr) region_volumes_ml->push_back(volumes);
    result.studies.push_back(write_study(request, context, identity, dicom, ps.scene, hu, images,
                                         ct, s, out_dir, &study_truth, &result.warnings));

    // Lesion truth for this study.
    const uint16_t max_label = static_cast<uint16_t>(patient.lesions.size());
    const auto blurred =
        phantom::statistics_per_label(images.emission.noise_free, images.labels, max_label);
    const auto unblurred = phantom::statistics_per_label(images.emission.partial_volume_truth,
                                                         images.labels, max_label);
    const auto measured =
        phantom::statistics_per_label(images.emission.measured, images.labels, max_label);
    for (size_t l = 0; l < patient.lesions.size(); ++l) {
      const LesionSpec& lesion = patient.lesions[l];
      const phantom::LesionGeometry& geometry = ps.lesions[l];
      ordered_json entry = {{"present", geometry.present}, {"response", geometry.response}};
      if (geometry.present) {
        const double viable_suv = lesion_viable_suv[l];
        const double core_suv = viable_suv * lesion.necrotic_core_relative_uptake;
        const double mean_suv = (viable_suv * (geometry.volume_ml - geometry.core_volume_ml) +
                                 core_suv * geometry.core_volume_ml) /
                                geometry.volume_ml;
        const size_t label_index = l + 1;
        entry["centre_lps_mm"] = vec3_json({lesion.centre_mm[0] + context.shift_mm[0],
                                            lesion.centre_mm[1] + context.shift_mm[1],
                                            lesion.centre_mm[2] + context.shift_mm[2]});
        entry["volume_ml"] = geometry.volume_ml;
        entry["necrotic_core_volume_ml"] = geometry.core_volume_ml;
        entry["uptake_class"] = phantom::lesion_uptake_class(tracer, lesion);
        entry["true"] = {{"viable_suvbw", viable_suv},
                         {"viable_bq_per_ml", viable_suv * bq_per_suv},
                         {"mean_suvbw", mean_suv},
                         {"mean_bq_per_ml", mean_suv * bq_per_suv}};
        entry["label_voxels"] = blurred[label_index].voxels;
        entry["label_volume_ml"] =
            static_cast<double>(blurred[label_index].voxels) * emission.voxel_volume_ml();
        entry["partial_volume_unblurred"] =
            stats_json(unblurred[label_index], context.suv_per_bq_per_ml);
        entry["noise_free_blurred"] = stats_json(blurred[label_index], context.suv_per_bq_per_ml);
        entry["measured"] = stats_json(measured[label_index], context.suv_per_bq_per_ml);
      }
      lesions[l]["per_study"][context.id] = entry;
    }
    // Organ truth for this study.
    for (const auto& [tissue, centre] : ps.organ_centres_mm) {
      const double organ_suv = tissue_suv_at(tracer, tissue, uptake_h);
      organs[phantom::tissue_name(tissue)][context.id] = {
          {"suvbw", organ_suv},
          {"bq_per_ml", organ_suv * bq_per_suv},
          {"hu", phantom::tissue_ct_number_hu(tissue)},
          {"reference_point_lps_mm", vec3_json(centre)},
          {"source", tracer.tissue_source[static_cast<size_t>(tissue)]}};
    }
    truth["studies"].push_back(study_truth);
  }
  truth["lesions"] = lesions;
  truth["organs"] = organs;
  truth["warnings"] = result.warnings;
  *truth_out = std::move(truth);
  return result;
}

PhantomResult generate_patient(const PhantomRequest& request,
                               const phantom::TracerCatalogue& catalogue,
                               const std::filesystem::path& out_dir) {
  ordered_json truth;
  PhantomResult result = simulate_patient(request, request.patient, catalogue, out_dir, &truth);
  result.truth_file = out_dir / "truth.json";
  write_file_atomically(result.truth_file, truth.dump(2) + "\n");
  return result;
}

// ---------------------------------------------------------------- SPECT dosimetry

// Time-integrated activity concentration (Bq s / mL) from injection to infinity of a region whose
// SUV follows suv_ref * f(t) / f(t_ref): (D / W) * suv_ref / f(t_ref) * integral f(t) e^(-λt) dt.
double time_integrated_bq_s_per_ml(double injected_bq, double weight_kg, double suv_at_reference,
                                   const phantom::UptakeWashout& kinetics, double reference_time_h,
                                   double half_life_s) {
  const double lambda_per_h = std::log(2.0) / (half_life_s / 3600.0);
  const double integral_h = phantom::uptake_washout_decayed_integral_h(kinetics, lambda_per_h);
  return injected_bq / (weight_kg * 1000.0) * suv_at_reference /
         phantom::uptake_washout_shape(kinetics, reference_time_h) * integral_h * 3600.0;
}

PhantomResult generate_spect(const PhantomRequest& request,
                             const phantom::TracerCatalogue& catalogue,
                             const std::filesystem::path& out_dir) {
  const SpectOptions& options = request.spect;
  const phantom::TracerInfo& tracer = catalogue.at(options.tracer);
  if (!tracer.kinetics) {
    throw InvalidInputError("phantom spect: tracer " + tracer.id +
                            " has no \"kinetics\" block in " + catalogue.file.string() +
                            "; choose a tracer with kinetics (e.g. lu177tras)");
  }
  if (options.scan_times_h.empty()) throw InvalidInputError("phantom spect: no scan times");
  PatientSpec patient = request.patient;
  patient.studies.clear();
  // Lesions keep their baseline state: one therapy cycle, imaged over a week.
  for (LesionSpec& lesion : patient.lesions) lesion.changes.clear();
  std::erase_if(patient.lesions,
                [](const LesionSpec& lesion) { return lesion.first_timepoint != "baseline"; });
  const DateTime injection = make_datetime(2024, 4, 8, 9, 30);
  for (double hours : options.scan_times_h) {
    StudySpec study;
    char id[48];
    std::snprintf(id, sizeof(id), "%s_%gh", tracer.id.c_str(), hours);
    study.id = id;
    study.tracer = tracer.id;
    study.timepoint = "baseline";
    study.injection = injection;
    study.uptake_time_s = hours * 3600.0;
    study.injected_activity_bq = options.injected_activity_bq;
    study.scan_duration_s = options.scan_duration_s;
    study.vendor = PhantomVendorStyle::kSiemens;
    patient.studies.push_back(study);
  }
  ordered_json truth;
  std::vector<std::vector<double>> region_volumes_ml;
  PhantomResult result =
      simulate_patient(request, patient, catalogue, out_dir, &truth, &region_volumes_ml);
  truth["generator"]["kind"] = "spect";
  // Every timepoint images the same scene (baseline lesions, no shift): one set of volumes.
  const phantom::PatientScene scene = phantom::build_patient_scene(patient, "baseline", {0, 0, 0});
  const std::vector<double>& volumes = region_volumes_ml.front();
  std::vector<double> tissue_volume_ml(static_cast<size_t>(Tissue::kCount), 0.0);
  std::vector<double> lesion_viable_ml(patient.lesions.size(), 0.0);
  std::vector<double> lesion_core_ml(patient.lesions.size(), 0.0);
  for (size_t r = 0; r < scene.scene.regions.size(); ++r) {
    const phantom::Region& region = scene.scene.regions[r];
    if (region.lesion < 0) {
      tissue_volume_ml[static_cast<size_t>(region.tissue)] += volumes[r];
    } else if (region.lesion_core) {
      lesion_core_ml[static_cast<size_t>(region.lesion)] += volumes[r];
    } else {
      lesion_viable_ml[static_cast<size_t>(region.lesion)] += volumes[r];
    }
  }

  const phantom::TracerKinetics& kinetics = *tracer.kinetics;
  const double half_life_s = tracer.nuclide->half_life_s;
  ordered_json organs = ordered_json::object();
  for (Tissue tissue : phantom::body_tissues()) {
    const phantom::UptakeWashout& curve = kinetics.for_tissue(tissue);
    organs[phantom::tissue_name(tissue)] = {
        {"uptake_half_time_h", curve.uptake_h},
        {"washout_half_time_h", curve.washout_h},
        {"suvbw_at_reference_time", tracer.tissue_suv[static_cast<size_t>(tissue)]},
        {"volume_in_field_of_view_ml", tissue_volume_ml[static_cast<size_t>(tissue)]},
        {"time_integrated_activity_bq_s_per_ml",
         time_integrated_bq_s_per_ml(options.injected_activity_bq, patient.weight_kg,
                                     tracer.tissue_suv[static_cast<size_t>(tissue)], curve,
                                     kinetics.reference_time_h, half_life_s)}};
  }
  ordered_json lesions = ordered_json::array();
  for (size_t l = 0; l < patient.lesions.size(); ++l) {
    const LesionSpec& lesion = patient.lesions[l];
    const phantom::LesionGeometry geometry =
        phantom::lesion_geometry(lesion, "baseline", {0, 0, 0});
    const double viable_suv = phantom::lesion_baseline_suv(tracer, lesion);
    const double per_ml =
        time_integrated_bq_s_per_ml(options.injected_activity_bq, patient.weight_kg, viable_suv,
                                    kinetics.lesions, kinetics.reference_time_h, half_life_s);
    const double viable_ml = geometry.volume_ml - geometry.core_volume_ml;
    lesions.push_back(
        {{"name", lesion.name},
         {"suvbw_at_reference_time", viable_suv},
         {"necrotic_core_relative_uptake", lesion.necrotic_core_relative_uptake},
         {"viable_volume_in_field_of_view_ml", lesion_viable_ml[l]},
         {"necrotic_core_volume_in_field_of_view_ml", lesion_core_ml[l]},
         {"time_integrated_activity_bq_s_per_ml", per_ml},
         {"time_integrated_activity_bq_s",
          per_ml * (viable_ml + lesion.necrotic_core_relative_uptake * geometry.core_volume_ml)}});
  }
  truth["time_activity"] = {
      {"model",
       "SUV(t) = suv_ref * f(t) / f(t_ref), f(t) = exp(-ln2 t / washout_h) - "
       "exp(-ln2 t / uptake_h) (or the washout term alone when uptake_h = 0); "
       "activity concentration at t = SUV(t) * injected activity * 2^(-t/T1/2) / W; "
       "time-integrated activity from injection to infinity, physical decay included"},
      {"source", kinetics.source},
      {"reference_time_h", kinetics.reference_time_h},
      {"injection_datetime", injection.iso8601()},
      {"injected_activity_bq", options.injected_activity_bq},
      {"half_life_s", half_life_s},
      {"scan_times_h", options.scan_times_h},
      {"lesion_kinetics",
       {{"uptake_half_time_h", kinetics.lesions.uptake_h},
        {"washout_half_time_h", kinetics.lesions.washout_h}}},
      {"organs", organs},
      {"lesions", lesions}};
  result.truth_file = out_dir / "truth.json";
  write_file_atomically(result.truth_file, truth.dump(2) + "\n");
  return result;
}

// ---------------------------------------------------------------- NEMA and cylinder

struct PhysicalPhantom {
  phantom::Scene scene;
  std::vector<double> bq_per_ml;  // per region
  std::vector<double> hu;         // per region
  std::vector<uint16_t> label;    // per region
  ordered_json objects = ordered_json::array();
};

uint16_t add_compartment(PhysicalPhantom* phantom, const std::string& name, Tissue tissue,
                         double bq_per_ml, uint16_t label) {
  phantom::Region region;
  region.name = name;
  region.tissue = static_cast<int>(tissue);
  const uint16_t index = phantom->scene.add_region(region);
  phantom->bq_per_ml.push_back(bq_per_ml);
  phantom->hu.push_back(phantom::tissue_ct_number_hu(tissue));
  phantom->label.push_back(label);
  return index;
}

PhysicalPhantom nema_phantom(const NemaOptions& options) {
  if (options.sphere_inner_diameters_mm.empty() || options.sphere_to_background <= 0.0 ||
      options.background_bq_per_ml <= 0.0) {
    throw InvalidInputError("nema: spheres, sphere_to_background > 0 and background > 0 needed");
  }
  PhysicalPhantom phantom;
  add_compartment(&phantom, "air", Tissue::kAir, 0.0, 0);
  constexpr double kWallMm = 3.0;
  constexpr double kHalfLengthMm = 90.0;  // interior length 180 mm
  const uint16_t wall = add_compartment(&phantom, "wall", Tissue::kAcrylic, 0.0, 0);
  const uint16_t background =
      add_compartment(&phantom, "background", Tissue::kWater, options.background_bq_per_ml, 0);
  // Outline: anterior half-circle of radius 147 mm (y < 0) on a posterior 294 x 77 mm rectangle
  // (0 <= y <= 77), inside a 3 mm acrylic wall. The circle's posterior part is cut away with air
  // and the posterior wall strip painted again.
  const double outer_radius = 147.0 + kWallMm, outer_back = 77.0 + kWallMm;
  const double outer_half_z = kHalfLengthMm + kWallMm;
  auto& scene = phantom.scene;
  scene.paint(
      phantom::make_z_cylinder(0, 0, outer_radius, outer_radius, -outer_half_z, outer_half_z),
      wall);
  scene.paint(
      phantom::make_box({0, 0.5 * outer_back, 0}, {outer_radius, 0.5 * outer_back, outer_half_z}),
      wall);
  scene.paint(phantom::make_z_cylinder(0, 0, 147, 147, -kHalfLengthMm, kHalfLengthMm), background);
  scene.paint(phantom::make_box({0, 38.5, 0}, {147, 38.5, kHalfLengthMm}), background);
  scene.paint(
      phantom::make_box({0, outer_back + 100, 0}, {outer_radius + 10, 100, outer_half_z + 10}), 0);
  scene.paint(phantom::make_box({0, 0.5 * (77 + outer_back), 0},
                                {outer_radius, 0.5 * kWallMm, outer_half_z}),
              wall);
  if (options.lung_insert) {
    const uint16_t lung = add_compartment(&phantom, "lung_insert", Tissue::kLung, 0.0, 0);
    phantom.scene.paint(phantom::make_z_cylinder(0, 0, 25, 25, -kHalfLengthMm, kHalfLengthMm),
                        lung);
  }
  constexpr double kRingRadiusMm = 57.2;  // spheres on a 114.4 mm diameter circle
  constexpr double kSpherePlaneZMm = kHalfLengthMm - 70.0;
  for (size_t i = 0; i < options.sphere_inner_diameters_mm.size(); ++i) {
    const double diameter = options.sphere_inner_diameters_mm[i];
    const double angle = std::numbers::pi / 3.0 * static_cast<double>(i);
    const Vec3 centre{kRingRadiusMm * std::cos(angle), kRingRadiusMm * std::sin(angle),
                      kSpherePlaneZMm};
    char name[32];
    std::snprintf(name, sizeof(name), "sphere_%gmm", diameter);
    const double activity = options.background_bq_per_ml * options.sphere_to_background;
    const uint16_t label = static_cast<uint16_t>(i + 1);
    const uint16_t region = add_compartment(&phantom, name, Tissue::kWater, activity, label);
    phantom.scene.paint(phantom::make_sphere(centre, 0.5 * diameter), region);
    phantom.objects.push_back(
        {{"label", label},
         {"name", name},
         {"inner_diameter_mm", diameter},
         {"centre_lps_mm", vec3_json(centre)},
         {"volume_ml", std::numbers::pi / 6.0 * diameter * diameter * diameter / 1000.0},
         {"true_bq_per_ml", activity}});
  }
  return phantom;
}

PhysicalPhantom cylinder_phantom(const CylinderOptions& options) {
  if (options.diameter_mm <= 0.0 || options.length_mm <= 0.0 || options.activity_bq_per_ml <= 0) {
    throw InvalidInputError("cylinder: diameter, length and activity must be > 0");
  }
  PhysicalPhantom phantom;
  add_compartment(&phantom, "air", Tissue::kAir, 0.0, 0);
  const uint16_t wall = add_compartment(&phantom, "wall", Tissue::kAcrylic, 0.0, 0);
  const uint16_t water =
      add_compartment(&phantom, "water", Tissue::kWater, options.activity_bq_per_ml, 1);
  const double r = 0.5 * options.diameter_mm, h = 0.5 * options.length_mm;
  phantom.scene.paint(phantom::make_z_cylinder(0, 0, r + 3, r + 3, -h - 3, h + 3), wall);
  phantom.scene.paint(phantom::make_z_cylinder(0, 0, r, r, -h, h), water);
  phantom.objects.push_back({{"label", 1},
                             {"name", "water"},
                             {"diameter_mm", options.diameter_mm},
                             {"length_mm", options.length_mm},
                             {"centre_lps_mm", vec3_json({0, 0, 0})},
                             {"volume_ml", std::numbers::pi * r * r * 2 * h / 1000.0},
                             {"true_bq_per_ml", options.activity_bq_per_ml}});
  return phantom;
}

PhantomResult generate_physical(const PhantomRequest& request,
                                const phantom::TracerCatalogue& catalogue,
                                const std::filesystem::path& out_dir) {
  const bool nema = request.kind == PhantomKind::kNema;
  PhysicalPhantom model = nema ? nema_phantom(request.nema) : cylinder_phantom(request.cylinder);
  const std::string tracer_id = nema ? request.nema.tracer : request.cylinder.tracer;
  const phantom::TracerInfo& tracer = catalogue.at(tracer_id);
  const Geometry emission = phantom::emission_grid(request.grid, {0, 0, 0});
  const Geometry ct = phantom::ct_grid(emission, request.grid.ct_inplane_factor);

  // A phantom "patient" of 70 kg filled at 08:00 and scanned at 09:00 with an activity that makes
  // the stated concentrations hold at scan start.
  PatientSpec patient;
  patient.patient_id = nema ? "ONCOTRACE-NEMA" : "ONCOTRACE-CYLINDER";
  patient.patient_name = nema ? "PHANTOM^NEMA^IEC" : "PHANTOM^CYLINDER";
  patient.sex = "O";
  patient.weight_kg = 70.0;
  patient.height_m = 1.75;
  patient.birth_date = make_datetime(2000, 1, 1);
  StudySpec spec;
  spec.id = nema ? "nema" : "cylinder";
  spec.tracer = tracer_id;
  spec.timepoint = "";
  spec.injection = make_datetime(2024, 6, 3, 8, 0);
  spec.uptake_time_s = 3600.0;
  spec.scan_duration_s = nema ? request.nema.scan_duration_s : request.cylinder.scan_duration_s;
  spec.vendor = PhantomVendorStyle::kGe;
  // Total activity in the phantom at scan start, decayed back to the "injection".
  double total_bq = 0.0;
  {
    const phantom::RegionFractions fine = phantom::rasterize_scene(model.scene, emission, 1);
    const ImageVolume values = phantom::region_values_image(fine, model.bq_per_ml);
    for (float v : values.values) total_bq += v;
    total_bq *= emission.voxel_volume_ml();
  }
  spec.injected_activity_bq =
      total_bq / decay_fraction(spec.uptake_time_s, tracer.nuclide->half_life_s);
  const StudyContext context = make_context(spec, tracer, request, patient.weight_kg);

  const double noise_counts = noise_counts_per_unit(context, emission, request.physics);
  StudyImages images;
  images.emission = phantom::simulate_emission(
      model.scene, model.bq_per_ml, emission, request.physics.supersampling,
      psf_fwhm(context, request.physics), noise_counts, phantom::mix_seed(request.seed, 1000));
  images.labels = phantom::region_label_map(images.emission.fractions, model.label);
  const StudyIdentity identity = make_identity(request, "phantom " + spec.id, context, 0);
  ordered_json study_truth = study_json(
      context, identity, emission, request.write_ct ? std::optional<Geometry>(ct) : std::nullopt,
      request.physics, noise_counts);
  PhantomResult result;
  result.studies.push_back(write_study(request, context, identity, dicom_patient(patient),
                                       model.scene, model.hu, images, ct, 0, out_dir, &study_truth,
                                       &result.warnings));

  const uint16_t max_label = static_cast<uint16_t>(model.objects.size());
  const auto blurred =
      phantom::statistics_per_label(images.emission.noise_free, images.labels, max_label);
  const auto measured =
      phantom::statistics_per_label(images.emission.measured, images.labels, max_label);
  const double background = nema ? request.nema.background_bq_per_ml : 0.0;
  for (size_t i = 0; i < model.objects.size(); ++i) {
    ordered_json& object = model.objects[i];
    const double true_bq = object["true_bq_per_ml"].get<double>();
    const size_t label = i + 1;
    object["label_voxels"] = blurred[label].voxels;
    object["noise_free_blurred"] = stats_json(blurred[label], context.suv_per_bq_per_ml);
    object["measured"] = stats_json(measured[label], context.suv_per_bq_per_ml);
    object["true_suvbw"] = true_bq * context.suv_per_bq_per_ml;
    object["recovery_coefficient_max"] = blurred[label].max / true_bq;
    object["recovery_coefficient_mean"] = blurred[label].mean / true_bq;
  }
  ordered_json truth;
  truth["schema"] = "oncotrace-phantom-truth/1";
  truth["generator"] = {{"name", "oncotrace phantom"},
                        {"version", version_string()},
                        {"kind", phantom_kind_name(request.kind)},
                        {"seed", request.seed},
                        {"supersampling", request.physics.supersampling}};
  truth["patient"] = {{"patient_id", patient.patient_id},
                      {"patient_name", patient.patient_name},
                      {"sex", patient.sex},
                      {"weight_kg", patient.weight_kg},
                      {"height_m", patient.height_m}};
  truth["phantom"] = {{"background_bq_per_ml", background},
                      {"background_suvbw", background * context.suv_per_bq_per_ml},
                      {"objects", model.objects}};
  if (nema) {
    truth["phantom"]["sphere_to_background"] = request.nema.sphere_to_background;
    truth["phantom"]["lung_insert"] = request.nema.lung_insert;
  }
  truth["studies"] = ordered_json::array({study_truth});
  truth["warnings"] = result.warnings;
  result.truth_file = out_dir / "truth.json";
  write_file_atomically(result.truth_file, truth.dump(2) + "\n");
  return result;
}

}  // namespace

std::filesystem::path phantom_data_dir() {
  if (const char* env = std::getenv("ONCOTRACE_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data";
}

PhantomResult generate_phantom(const PhantomRequest& request,
                               const std::filesystem::path& out_dir) {
  const phantom::TracerCatalogue catalogue = phantom::load_tracer_catalogue(
      request.data_dir.empty() ? phantom_data_dir() : request.data_dir);
  std::filesystem::create_directories(out_dir);
  switch (request.kind) {
    case PhantomKind::kPatient:
      return generate_patient(request, catalogue, out_dir);
    case PhantomKind::kNema:
    case PhantomKind::kCylinder:
      return generate_physical(request, catalogue, out_dir);
    case PhantomKind::kSpect:
      return generate_spect(request, catalogue, out_dir);
  }
  throw InternalError("generate_phantom: unknown kind");
}

}  // namespace oncotrace
