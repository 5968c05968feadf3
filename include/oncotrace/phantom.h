// Simulated studies with known ground truth: the `oncotrace phantom` generator.
//
// A phantom is a continuous model made of analytic shapes (ellipsoids, elliptic cylinders, boxes)
// in DICOM patient coordinates (LPS, mm). Each shape belongs to a region (a tissue, a lesion, a
// phantom compartment) whose activity concentration and CT number are known. For each study the
// model is turned into images the way a scanner would see it:
//
//   1. partial volume: every voxel gets the volume-weighted mean of the regions it overlaps,
//      found by supersampling n x n x n points per voxel where a region boundary crosses the
//      voxel (voxels whose centre is farther than half a voxel diagonal from every boundary are
//      pure and need no supersampling; the result is identical to supersampling everywhere);
//   2. resolution: a separable 3D Gaussian point-spread function (FWHM per modality), with
//      mirrored edges so that the total activity in the field of view is conserved;
//   3. noise: Gaussian with the variance of counting statistics, var(C) = C / (V t s e), where
//      C is the activity concentration, V the voxel volume, t the scan duration, s the detected
//      counts per emitted positron or photon, e the mean decay over the frame; drawn from one
//      std::mt19937_64 per slice seeded from (seed, study, slice), so that the output does not
//      depend on the number of threads; negative values are set to zero as OSEM images are;
//   4. decay: the activity present during the scan decays from the injection; the stored image
//      is decay-corrected to the scan start (DecayCorrection START), as scanners store it.
//
// The output folder holds one subfolder per study (PT/ or NM/, and CT/), one truth.json for all
// studies (schema: docs/truth-schema.md) and one lesion label map per study geometry
// (truth_labels_<study>.nii.gz on the emission grid; voxel v has label L when the centre of v is
// inside lesion L, the rule of pet-quantification.md §9.1).
//
// Organ and lesion uptake per tracer come from data/phantom/tracer_uptake.json (SUVbw at the
// nominal imaging time, with the source or rationale of every value). The file is found through
// ONCOTRACE_DATA_DIR or, by default, the source tree's data/ folder.
#ifndef ONCOTRACE_PHANTOM_H_
#define ONCOTRACE_PHANTOM_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/datetime.h"
#include "oncotrace/geometry.h"

namespace oncotrace {

// What to simulate. CLI names: patient, nema, cylinder, spect.
enum class PhantomKind {
  kPatient,   // digital breast-cancer patient, several tracers and timepoints
  kNema,      // NEMA NU-2 / IEC 61675-1 body phantom with six spheres and a lung insert
  kCylinder,  // uniform cylinder (calibration)
  kSpect,     // quantitative Lu-177 SPECT/CT at several timepoints (dosimetry)
};
std::optional<PhantomKind> parse_phantom_kind(const std::string& name);
std::string phantom_kind_name(PhantomKind kind);

// How the PET series is written, so that each vendor path of the SUV module is exercised
// (pet-quantification.md §2-§4). CLI names: ge, siemens, philips, gml.
enum class PhantomVendorStyle {
  kGe,       // Units BQML; private GEMS_PETD_01 (0009,100D) scan and (0009,103B) injection DT;
             // FrameReferenceTime = frame start (0), as GE whole-body series do
  kSiemens,  // Units BQML; private (0071,1022) decay-correction DT; FrameReferenceTime = Tave
  kPhilips,  // Units CNTS with (7053,1000) SUV and (7053,1009) activity scale factors
  kGml,      // pre-converted SUVbw: Units GML, SUVType BW
};
std::optional<PhantomVendorStyle> parse_phantom_vendor(const std::string& name);
std::string phantom_vendor_name(PhantomVendorStyle vendor);

// Image grids. The emission (PET/SPECT) grid and the CT grid share the same centre, slices and
// orientation (axial, identity direction); the CT is `ct_inplane_factor` times finer in-plane.
struct PhantomGridOptions {
  Index3 emission_size{128, 96, 200};
  Vec3 emission_spacing_mm{4.0, 4.0, 4.0};
  int ct_inplane_factor = 2;
  // Centre of the field of view (LPS mm). The patient model spans z = 0..800 mm around the
  // body axis x = y = 0; the NEMA and cylinder phantoms are centred on the origin.
  std::optional<Vec3> centre_mm;
};
// Presets (CLI --size): "small" (default, 128x96x200 at 4 mm: fast tests and demos),
// "wholebody" (200x200x400 at 2.6x2.6x2 mm), "tiny" (64x48x100 at 8 mm, for unit tests).
std::optional<PhantomGridOptions> phantom_grid_preset(const std::string& name);

struct PhantomPhysicsOptions {
  // Points per axis per voxel used at region boundaries (partial volume).
  int supersampling = 3;
  // Reconstructed resolution, FWHM of the Gaussian point-spread function (mm); 0 = none.
  double pet_psf_fwhm_mm = 6.0;
  double spect_psf_fwhm_mm = 12.0;
  double ct_psf_fwhm_mm = 0.0;
  // false: noise-free images (exact values, for tests).
  bool noise = true;
  // Counts in the reconstructed image per positron emitted in a voxel during the scan
  // ("noise-equivalent" sensitivity that folds in detection and reconstruction). 1.5e-3 gives
  // about 12 % voxel noise in an FDG liver at 4 mm voxels, 15 min, 250 MBq.
  double pet_counts_per_positron = 1.5e-3;
  // The same for SPECT, per emitted photon of the imaging lines (nuclide table).
  double spect_counts_per_photon = 2.0e-4;
  // Standard deviation of the CT noise (HU).
  double ct_noise_sd_hu = 10.0;
};

// Receptor status drives uptake of receptor tracers; FDG avidity is independent of it so that
// discordant lesions (FDG+/FES-, FDG-/FES+, FDG+/HER2-PET-) occur.
enum class ErStatus { kPositive, kNegative };
enum class Her2Status { kZero, kLow, kPositive };
enum class FdgAvidity { kHigh, kModerate, kLow };
enum class LesionShape { kSphere, kEllipsoid, kLobulated };

std::string er_status_name(ErStatus status);       // "positive", "negative"
std::string her2_status_name(Her2Status status);   // "zero", "low", "positive"
std::string fdg_avidity_name(FdgAvidity avidity);  // "high", "moderate", "low"
std::string lesion_shape_name(LesionShape shape);  // "sphere", "ellipsoid", "lobulated"

// A lesion's state at one timepoint, relative to its baseline definition.
struct LesionChange {
  std::string timepoint;      // e.g. "followup"
  bool present = true;        // false: the lesion has disappeared
  double volume_scale = 1.0;  // volume relative to baseline (axes scale by the cube root)
  double uptake_scale = 1.0;  // uptake of every tracer relative to baseline
  std::string response;       // designed response, e.g. "partial_response", "progression"
};

struct LesionSpec {
  std::string name;  // unique, e.g. "primary_left_breast"
  // Anatomical site: "breast", "axillary_node", "supraclavicular_node", "mediastinal_node",
  // "liver", "bone", "lung", "adrenal", ... ; "bone" makes the NaF site class "bone".
  std::string site;
  Vec3 centre_mm{0, 0, 0};  // LPS, in the patient model (before a study's rigid shift)
  LesionShape shape = LesionShape::kSphere;
  Vec3 semi_axes_mm{5, 5, 5};  // a sphere uses semi_axes_mm[0]
  // Rotation of an ellipsoid about the z axis (degrees).
  double rotation_z_deg = 0.0;
  // Necrotic core: an ellipsoid with the lesion's axes times this fraction (0 = none), whose
  // uptake is `necrotic_core_relative_uptake` times the lesion's.
  double necrotic_core_fraction = 0.0;
  double necrotic_core_relative_uptake = 0.15;
  ErStatus er = ErStatus::kPositive;
  Her2Status her2 = Her2Status::kZero;
  FdgAvidity fdg_avidity = FdgAvidity::kHigh;
  // Per-tracer multiplier of the table uptake (inter-lesion heterogeneity), default 1.
  std::map<std::string, double> uptake_scale_per_tracer;
  // Timepoint of first appearance ("baseline"; a later timepoint makes a new lesion).
  std::string first_timepoint = "baseline";
  std::vector<LesionChange> changes;
};

// One imaging session: tracer, times, dose, scanner style and patient position.
struct StudySpec {
  std::string id;         // folder name and key in truth.json, e.g. "fdg_baseline"
  std::string tracer;     // key in tracer_uptake.json, e.g. "fdg", "fes", "zr89tras"
  std::string timepoint;  // "baseline", "followup", ... (lesion changes are keyed by it)
  DateTime injection;
  double uptake_time_s = 3600.0;  // injection -> scan start
  double injected_activity_bq = 250e6;
  double scan_duration_s = 900.0;
  Vec3 rigid_shift_mm{0, 0, 0};  // patient position relative to the scanner
  PhantomVendorStyle vendor = PhantomVendorStyle::kGe;
};

struct PatientSpec {
  std::string patient_id = "ONCOTRACE-SIM-001";
  std::string patient_name = "SIMULATED^PATIENT";
  DateTime birth_date = make_datetime(1968, 5, 14);
  std::string sex = "F";
  double weight_kg = 68.0;
  double height_m = 1.65;
  std::vector<LesionSpec> lesions;
  std::vector<StudySpec> studies;
};

// The default patient: 9 baseline lesions of mixed ER/HER2 status (FDG-avid receptor-negative
// ones among them) and one new lesion at follow-up; FDG, FES and [89Zr]trastuzumab PET/CT at
// baseline (days apart, with small rigid shifts) and FDG PET/CT at follow-up.
PatientSpec default_patient();

// The number of FDG PET/CT timepoints of `patient` (CLI `--fdg-timepoints`): 2 leaves it as it
// is (baseline and follow-up); 3 adds a second follow-up "fdg_followup2" (timepoint
// "followup2", 12 weeks after the FDG study of timepoint "followup", which must exist, with its
// injection, dose, duration and vendor and another rigid shift) on which every lesion continues
// its course: a lesion with a follow-up change gets the same change again relative to the
// follow-up (volume and uptake scales squared, same designed response; a disappeared lesion
// stays absent) and a lesion new at follow-up grows by 1.5 in volume and 1.2 in uptake
// ("progression"). Throws InvalidInputError for other counts, without an FDG follow-up study,
// or when a "followup2" study exists already.
void set_fdg_timepoints(PatientSpec& patient, int count);

// NEMA NU-2 / IEC 61675-1 body phantom (NEMA NU 2-2018 §7): interior length 180 mm; the outline
// is approximated by a half-circle of radius 147 mm (anterior) on a 294 x 77 mm rectangle
// (posterior); a 50 mm diameter lung insert (no activity, lung CT number) along the axis; six
// spheres centred on a 114.4 mm diameter circle in the plane 70 mm from the end wall (z = +20 mm;
// the phantom is centred on the origin). Sphere walls are not modelled.
struct NemaOptions {
  std::vector<double> sphere_inner_diameters_mm{10, 13, 17, 22, 28, 37};
  double sphere_to_background = 4.0;
  double background_bq_per_ml = 5300.0;  // about 5.3 kBq/mL at scan start (NEMA NU-2 2018)
  bool lung_insert = true;
  double scan_duration_s = 300.0;
  std::string tracer = "fdg";  // nuclide and radiopharmaceutical only; uptake table not used
};

struct CylinderOptions {
  double diameter_mm = 200.0;
  double length_mm = 200.0;
  double activity_bq_per_ml = 5000.0;  // at scan start
  double scan_duration_s = 600.0;
  std::string tracer = "fdg";
};

// Quantitative SPECT for dosimetry: scans at these times after one therapeutic injection.
struct SpectOptions {
  std::string tracer = "lu177tras";
  std::vector<double> scan_times_h{4, 24, 72, 168};
  double injected_activity_bq = 7.4e9;
  double scan_duration_s = 1800.0;
};

struct PhantomRequest {
  PhantomKind kind = PhantomKind::kPatient;
  uint64_t seed = 1;
  PhantomGridOptions grid;
  PhantomPhysicsOptions physics;
  // When set, every PET study is written in this style (CLI --vendor).
  std::optional<PhantomVendorStyle> vendor_override;
  PatientSpec patient = default_patient();
  NemaOptions nema;
  CylinderOptions cylinder;
  SpectOptions spect;
  bool write_ct = true;
  // Folder holding phantom/tracer_uptake.json; empty = phantom_data_dir().
  std::filesystem::path data_dir;
};

struct PhantomStudyOutput {
  std::string id;
  std::string modality;                   // "PT" or "NM"
  std::filesystem::path emission_folder;  // <out>/<id>/PT or NM
  std::filesystem::path ct_folder;        // <out>/<id>/CT (empty without CT)
  std::filesystem::path labels_file;      // <out>/truth_labels_<id>.nii.gz (empty if not written)
  std::string emission_series_uid;
  std::string ct_series_uid;
  size_t files_written = 0;
};

struct PhantomResult {
  std::filesystem::path truth_file;  // <out>/truth.json
  std::vector<PhantomStudyOutput> studies;
  std::vector<std::string> warnings;
};

// Writes the studies of `request` below `out_dir` (created if needed). Same request and seed give
// the same bytes whatever the number of threads. Throws InvalidInputError for an inconsistent
// request (unknown tracer, lesion outside the field of view, ...).
PhantomResult generate_phantom(const PhantomRequest& request, const std::filesystem::path& out_dir);

// The folder with the project's data files: $ONCOTRACE_DATA_DIR, else <source tree>/data.
std::filesystem::path phantom_data_dir();

// Applies a JSON configuration (docs/truth-schema.md, "Configuration") on top of `request`:
// only the keys present change; "patient.lesions" and "patient.studies" replace the defaults when
// given. Unknown keys are an InvalidInputError naming the key and `source_name`.
void apply_phantom_config(const std::string& json_text, const std::string& source_name,
                          PhantomRequest* request);
// Reads FILE.json and applies it (InvalidInputError naming the file when it cannot be read).
void apply_phantom_config_file(const std::filesystem::path& path, PhantomRequest* request);

}  // namespace oncotrace

#endif  // ONCOTRACE_PHANTOM_H_
