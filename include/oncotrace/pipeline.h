// Single-study lesion analysis: the engine behind `oncotrace analyze` (docs/cli.md, issue 5).
//
// analyze_study() runs these stages, in order, each a plain function over plain values, and
// records the wall time of each (AnalysisResult::timings):
//
//   load        PET/SPECT series (DICOM folder or NIfTI + sidecar), optional CT of the same
//               frame of reference (--ct UID|auto|none)
//   suv         SUV image with its SuvAudit (suv module); SUL (Janmahasatian) as well when the
//               primary image is SUVbw and height and sex are known (PERCIST thresholds use SUL)
//   organs      organ label map (label map or heuristics), physiological-exclusion map
//   reference   reference regions: PERCIST liver sphere (3 cm) and blood-pool cylinder
//               (1 x 2 cm, axis z) at user coordinates, else placed automatically in the organs
//               (also spleen and muscle spheres)
//   segment     user masks (RTSTRUCT ROIs, DICOM SEG segments, NIfTI label map) or automatic
//               detection
//               (detect_lesions, optionally a per-lesion local relative threshold)
//   metrics     measure_lesions / measure_region with every SUVpeak variant, tumour-to-
//               background ratios against the available reference regions, patient summary
//   radiomics   (AnalysisRequest::radiomics set) IBSI features of every lesion on the SUV image
//               and the lesion's mask, lesions in parallel (radiomics.h, docs/radiomics.md)
//   write       lesions.csv, lesions.json, labels.nii.gz (+ labels.json), reference_regions.json,
//               radiomics.csv and radiomics.json (with radiomics),
//               lesions.seg.dcm (DICOM input) into the output folder; every file goes to a
//               temporary name first and all are renamed only once every file was written, so a
//               failure leaves no outputs
//
// The organ, reference-placement and store stages use the organs module (organs.h) and the
// results store (store.h) by default; a caller can replace each with AnalysisHooks:
//   * organs: AnalysisHooks::organs returns the physiological-exclusion label map and an organ
//     map for lesion -> organ assignment; default: import_organ_labels (organ_labels) or
//     segment_organs (heuristics), physiological_exclusion_labels; AnalysisRequest::
//     excluded_organs takes a ready exclusion map (tests pass one built from the anatomy).
//   * reference placement: AnalysisHooks::place_reference_region is called for each region the
//     user did not place; default: place_reference_regions in the organs.
//   * results store: AnalysisHooks::store receives the finished result after the files were
//     written; default: replace_study_results into `db` (OUTDIR/oncotrace.db).
// Definitions of the metrics: measure.h and pet-quantification.md §9-§10; of the thresholds:
// segment.h and pet-quantification.md §9.5.
#ifndef ONCOTRACE_PIPELINE_H_
#define ONCOTRACE_PIPELINE_H_

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/measure.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/segment.h"
#include "oncotrace/series.h"
#include "oncotrace/suv.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Segmentation method (the `--method` strings)

enum class SegmentationMethodKind {
  kFixed,             // "fixed:T"           t = T in image units (SUV)
  kPercentMax,        // "percent-max:P"     t = P/100 x lesion max, per lesion in a local region
  kA50,               // "a50"               t = B + 0.5 (max - B), per lesion, B = background
  kPercistLiver,      // "percist-liver"     t = 1.5 x liver mean + 2 SD (on SUL when available)
  kPercistBloodPool,  // "percist-blood-pool" t = 2 x blood-pool mean + 2 SD (SUL when available)
  kLiverMultiple,     // "liver-multiple:K"  t = K x liver mean
};

struct SegmentationMethod {
  SegmentationMethodKind kind = SegmentationMethodKind::kFixed;
  double value = 4.0;  // T, P or K; unused for a50 and the PERCIST rules
  std::string text;    // the canonical string, e.g. "fixed:4"
  bool is_relative() const {
    return kind == SegmentationMethodKind::kPercentMax || kind == SegmentationMethodKind::kA50;
  }
};

// Parses a --method string. Throws InvalidInputError naming the string and listing the forms.
SegmentationMethod parse_segmentation_method(const std::string& text);

// ---------------------------------------------------------------------------------------------
// User masks

// Resamples a label map onto `grid` with the nearest-neighbour rule: each voxel of `grid` takes
// the label of the source voxel whose centre is nearest to its centre (world -> continuous source
// index, rounded half away from zero per axis), 0 when that index lies outside the source grid.
// Exact copy when the grids agree (Geometry::same_grid_as).
LabelMap resample_labels_nearest(const LabelMap& labels, const Geometry& grid);

// ---------------------------------------------------------------------------------------------
// Request

// CT selection: none, the CT of the same frame of reference found beside the PET, or one UID.
enum class CtSelection { kNone, kAuto, kSeriesUid };

struct LoadedStudy;        // below
struct AnalysisResult;     // below
struct OrganSegmentation;  // oncotrace/organs.h

// Results of the organ stage (filled by the organs module through AnalysisHooks::organs).
struct OrganMaps {
  // Physiological-uptake organs to exclude from detection (non-zero labels), on the PET grid.
  std::optional<LabelMap> excluded;
  std::map<uint16_t, std::string> excluded_names;
  // Organ label map for lesion -> organ assignment (majority label of the lesion's voxels).
  std::optional<LabelMap> organs;
  std::map<uint16_t, std::string> organ_names;
  std::string source;  // e.g. "TotalSegmentator labels.nii.gz", "CT heuristics"
  // The organ segmentation itself (organs module) when it came from there: used for automatic
  // reference-region placement and for lesion -> organ assignment (organ_of_region).
  std::shared_ptr<const OrganSegmentation> segmentation;
  // The image's relative voxel noise measured by the organ stage (OrganSegmentation::noise_cv; 0
  // when not measured): detection needs splits to rise above it (DetectionOptions).
  double noise_cv = 0.0;
};

struct AnalysisHooks {
  // Organ stage; called after the SUV stage when set.
  std::function<OrganMaps(const LoadedStudy&)> organs;
  // Automatic placement of a reference region ("liver", "blood_pool", "spleen", "muscle") the
  // user did not place; return nullopt when no placement was possible (then it is skipped).
  std::function<std::optional<ReferenceRegionSpec>(const std::string& region, const LoadedStudy&,
                                                   const OrganMaps*)>
      place_reference_region;
  // Results store; called after the output files were written.
  std::function<void(const AnalysisResult&)> store;
};

struct AnalysisRequest {
  std::filesystem::path study;  // DICOM folder (or file) or NIfTI image with sidecar
  std::string series_uid;       // when the folder holds several emission series
  CtSelection ct = CtSelection::kAuto;
  std::string ct_series_uid;  // for kSeriesUid

  SuvOptions suv;
  // Also compute SUL (Janmahasatian) when the primary normalisation is SUVbw (PERCIST).
  bool compute_sul = true;

  // Segmentation: user masks (RTSTRUCT with roi_names, DICOM SEG (all segments, or those whose
  // Segment Label is in roi_names), or NIfTI label map) or detection.
  std::optional<std::filesystem::path> masks;
  std::vector<std::string> roi_names;
  SegmentationMethod method = parse_segmentation_method("fixed:2.5");
  // Absolute threshold (image units) that finds the candidates of the relative methods before
  // each is re-segmented locally; nullopt = kDefaultSuvCandidateThreshold on SUV images, else
  // kDefaultCandidateFactor x the image background (the "from the image alone" rule of
  // docs/cli.md).
  std::optional<double> candidate_threshold;
  // Re-segment each lesion found by an absolute method with this relative rule.
  std::optional<SegmentationMethod> local_method;
  double local_margin_mm = 10.0;
  // A50 background B; nullopt = the image background: the median of the voxels above the Otsu
  // threshold of the positive voxels (the object without air), see docs/cli.md.
  std::optional<double> a50_background;
  double min_volume_ml = 0.5;
  // Detection: parts of a physiological-uptake component with their own peak (relative
  // prominence >= this) lying mostly outside the excluded organs are kept as lesions
  // (DetectionOptions::split_min_prominence); nullopt = the whole component is dropped.
  std::optional<double> split_min_prominence = 0.3;
  Connectivity connectivity = Connectivity::kVertices26;
  // Physiological-exclusion label map on the PET grid (non-zero = excluded), e.g. from an organ
  // segmentation; merged with the organ hook's map.
  std::optional<LabelMap> excluded_organs;
  std::map<uint16_t, std::string> excluded_organ_names;
  // Planes at each end of the axial field of view excluded from detection (label
  // kEndPlanesExclusionLabel, "axial end planes"): the end planes of 3D PET are noisy (low
  // sensitivity), e.g. nema-iq-pet (test-data.md §4).
  int excluded_end_planes = 0;

  // Organ stage, used when hooks.organs is unset (the default): a label map (organ_labels, with
  // its table "auto", "totalsegmentator" or "moose") or the CT/PET heuristics (segment_organs,
  // with the CT when one was loaded). The physiological-exclusion map is
  // physiological_exclusion_labels(organs, extra_excluded_organs) (brain, bladder, kidney, heart
  // + the extra canonical organs); reference regions the user did not place are placed in the
  // organs (place_reference_regions) unless hooks.place_reference_region is set; each lesion's
  // organ is organ_of_region(). use_organs = false disables all of it (--organs none).
  bool use_organs = true;
  std::optional<std::filesystem::path> organ_labels;
  std::string organ_table = "auto";
  std::vector<std::string> extra_excluded_organs;
  // The study's tracer: a catalogue id (oncotrace/tracers.h, docs/tracers.md), or empty to
  // identify it from the PET header. With tracer_organ_exclusion (default) the organ stage also
  // excludes the catalogue organs of the tracer that the organs module segments (e.g. the liver
  // for FES; tracers.h physiological_uptake and not_assessable_in); a tracer that cannot be
  // identified gives a warning and no extra organs. An id not in the catalogue is refused
  // (before anything is loaded, whether or not the organ stage runs).
  std::string tracer;
  bool tracer_organ_exclusion = true;
  // The breast rule of the lesion organ (organs.h BreastRuleOptions, docs/organs.md §6): a
  // lesion outside the organs ("unknown" or "muscle") whose centre lies at least
  // breast_min_depth_mm anterior to the lungs/heart of its axial slice is "breast" (the heuristics
  // and label tables have no breast). Off: such lesions keep "unknown"/"muscle".
  bool breast_rule = true;
  double breast_min_depth_mm = 20.0;

  // Results store, used when hooks.store is unset: the results go into the SQLite store `db`
  // (default OUTDIR/oncotrace.db; nothing when output_dir is empty and db is unset), replacing
  // the study's previous rows, after the output files were written.
  bool store_results = true;
  std::optional<std::filesystem::path> db;
  // OUTDIR/lesions.seg.dcm (DICOM SEG of the lesion labels) when the PET came from DICOM and at
  // least one lesion was found.
  bool write_seg = true;
  // OUTDIR/lesions.sr.dcm (DICOM SR TID 1500: per-lesion SUVmax/mean/min/median/SD/peak, MTV,
  // TLG, SUL statistics and tumour-to-reference ratios, referencing the SEG's segments) whenever
  // the SEG is written.
  bool write_sr = true;
  // OUTDIR/suv.pm.dcm (DICOM Parametric Map of the SUV image, Float32) for DICOM input. Off by
  // default: a whole-body map is as large as the PET series in floats (64 MB for 200x200x400).
  bool write_suv_map = false;
  // OUTDIR/lesions.rtstruct.dcm (DICOM RT Structure Set: each lesion's outline on every plane as
  // CLOSED_PLANAR contours along the voxel edges; include/oncotrace/dicom_rtstruct.h) for DICOM
  // input with at least one lesion. Off by default: for radiotherapy planning systems that read
  // contours rather than SEG.
  bool write_rtstruct = false;

  // Reference regions at user coordinates (LPS mm).
  std::optional<Vec3> liver_centre_mm;
  std::optional<Vec3> blood_pool_centre_mm;

  // Peaks to compute, the first being "the" SUVpeak (default: the five variants of measure.h).
  std::vector<PeakOptions> peaks{ibsi_global_peak(), ibsi_local_peak(),
                                 region_restricted_global_peak(), partial_volume_global_peak(),
                                 partial_volume_local_peak()};
  RatioNumerator ratio_numerator = RatioNumerator::kMax;

  // Phantoms: true activity concentrations (image units) for recovery coefficients.
  std::optional<double> true_sphere_value;
  std::optional<double> true_background_value;

  // IBSI radiomics of every lesion (`--radiomics CONFIG`): the settings (a preset or a settings
  // file, radiomics.h) and the CONFIG text as given, for provenance. Features are computed on
  // the primary image (SUV) inside each lesion's mask: the lesion's label of the label map for
  // detected lesions, the whole ROI for user masks (as its metrics). Lesions run in parallel; the
  // result does not depend on the thread count. A lesion whose features cannot be computed (e.g.
  // empty after interpolation) gets LesionResult::radiomics_error and a warning.
  std::optional<radiomics::RadiomicsSettings> radiomics;
  std::string radiomics_config;

  int threads = 0;  // 0 = TBB default

  // Keep the loaded images (PET, CT, SUV, SUL) in AnalysisResult::loaded_study, for callers that
  // go on working with them (`oncotrace patient`: registration, VOI transfer).
  bool keep_loaded_study = false;

  // Output folder; empty = nothing written (the API caller uses the result only).
  std::filesystem::path output_dir;
  // Provenance: the command line (CLI) or a description of the caller.
  std::string command = "analyze";
  std::vector<std::string> arguments;
  // Extra settings recorded in provenance (a JSON object as text, may be empty), e.g. the CLI's
  // SUV flags as given.
  std::string extra_settings_json;

  AnalysisHooks hooks;
};

// Candidates of the relative methods when no candidate threshold is given (see
// AnalysisRequest::candidate_threshold): SUV 2.5 on SUV images (also the default fixed
// threshold), else this multiple of the image background (activity images, phantoms).
inline constexpr double kDefaultSuvCandidateThreshold = 2.5;
inline constexpr uint16_t kEndPlanesExclusionLabel = 65535;
inline constexpr double kDefaultCandidateFactor = 2.0;

// ---------------------------------------------------------------------------------------------
// Stage results

// What the load and SUV stages produced; also the input of the organ and placement hooks.
struct LoadedStudy {
  ImageSeries pet;                // frames[0] is analysed (static series)
  std::optional<ImageSeries> ct;  // same frame of reference
  std::vector<std::string> notes;
  SuvPlan plan;       // primary image
  ImageVolume image;  // SUV (or Bq/mL with normalisation none)
  std::optional<SuvPlan> sul_plan;
  std::optional<ImageVolume> sul;  // SUL (Janmahasatian) when computed
  std::string sul_unavailable_reason;
};

struct StageTiming {
  // "load", "suv", "reference_regions", "segmentation", "metrics", "radiomics", "writing"
  std::string stage;
  double seconds = 0.0;
};

struct ReferenceRegionResult {
  std::string name;       // "liver", "blood_pool", "spleen", "muscle"
  std::string placement;  // "user coordinates", or the hook's description
  // "user", "label_map", "heuristic" (organs module), "hook" (a caller's hook)
  std::string placement_method;
  ReferenceRegionStatistics suv;  // on the primary image
  std::optional<ReferenceRegionStatistics> sul;
  std::vector<std::string> warnings;  // plausibility (e.g. liver SUL outside 1.0-3.5)
};

struct LesionResult {
  std::string name;    // ROI name, or "lesion_<label>"
  uint16_t label = 0;  // in the label map written
  LesionMetrics metrics;
  std::optional<double> detection_threshold;  // image units (automatic detection)
  std::string organ;                          // from the organ map, empty when unknown
  // Recovery coefficients (true_sphere_value given): max, mean, peak over the true value.
  std::optional<double> recovery_max, recovery_mean, recovery_peak;
  // IBSI features (AnalysisRequest::radiomics), or why they are missing.
  std::optional<radiomics::FeatureSet> radiomics;
  std::string radiomics_error;
};

struct AnalysisResult {
  std::string study_instance_uid, series_instance_uid, frame_of_reference_uid;
  std::string ct_series_uid;  // empty without CT
  std::string unit_ucum;      // of the primary image, e.g. "g/ml{SUVbw}"
  std::string unit_label;     // short form for column headers, e.g. "g/mL"
  std::string suv_audit_json;
  std::optional<std::string> sul_audit_json;
  // The study's tracer (catalogue id; empty when not identified or without the organ stage), how
  // it was identified, and the canonical organs excluded from detection for it (empty when no
  // exclusion map of the organ stage was used).
  std::string tracer_id;
  std::string tracer_identification;
  std::vector<std::string> tracer_excluded_organs;
  std::string segmentation;                  // "masks" or "detection"
  std::string method;                        // method text or the mask description
  std::optional<LesionDetection> detection;  // automatic detection (labels, excluded components)
  bool detection_on_sul = false;  // PERCIST rules detect on the SUL image (thresholds in SUL)
  double image_background = 0.0;  // relative methods only (image units), see docs/cli.md
  LabelMap labels;                // lesions 1..N on the PET grid
  std::vector<ReferenceRegionResult> reference_regions;
  std::vector<std::string> skipped_reference_metrics;  // why a reference metric is absent
  std::vector<LesionResult> lesions;
  PatientMetrics patient;
  std::vector<StageTiming> timings;
  std::vector<std::string> warnings;
  std::vector<std::filesystem::path> written_files;
  std::string lesions_json;  // the lesions.json document (also when nothing is written)
  // radiomics.json and radiomics.csv (AnalysisRequest::radiomics; also when nothing is written).
  std::string radiomics_json, radiomics_csv;
  // The loaded images, when AnalysisRequest::keep_loaded_study.
  std::shared_ptr<const LoadedStudy> loaded_study;
};

// Runs every stage. Throws InvalidInputError / MissingMetadataError / UnsupportedDataError
// (naming the file, value and remedy) before anything is written; outputs appear only when every
// stage succeeded.
AnalysisResult analyze_study(const AnalysisRequest& request);

// The writers (also used by analyze_study): the documents as text.
std::string lesions_csv(const AnalysisResult& result);
std::string reference_regions_json(const AnalysisResult& result);

}  // namespace oncotrace

#endif  // ONCOTRACE_PIPELINE_H_
