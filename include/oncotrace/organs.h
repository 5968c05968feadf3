// Organs on the PET grid and the reference regions placed in them: import of TotalSegmentator and
// MOOSE label maps, CT/PET heuristics when no label map is given, automatic placement of the
// PERCIST liver sphere, the blood-pool cylinder and spleen and muscle regions, the
// physiological-uptake exclusion mask for detect_lesions, and the organ of a lesion.
//
// Canonical organs. Every source (label map, heuristic) is reduced to one label map of canonical
// oncotrace organs (canonical_organs(): liver 1, spleen 2, kidney 3, bladder 4, brain 5, heart 6,
// aorta 7, lung 8, bone 9, muscle 10, ...). The label tables of the external tools are data files,
// data/organs/totalsegmentator.json (TotalSegmentator v2 task "total", 117 labels) and
// data/organs/moose.json (MOOSE models clin_ct_organs, clin_ct_cardiac, clin_ct_muscles), each
// citing its source (interoperability.md §3). They are found like data/tracers.json:
// $ONCOTRACE_DATA_DIR/organs/<file> when that variable is set, else <source tree>/data/organs.
//
// Resampling rule. A label map on another grid is resampled to the PET grid by nearest neighbour
// at the PET voxel centre: PET voxel v takes the label of the label-map voxel whose centre is
// nearest to the centre of v (world_to_nearest_index: continuous index rounded half away from
// zero per axis, the tie rule of the pipeline's resample_labels_nearest); 0 when that index is
// outside the label map. This is the voxel-centre membership rule of pet-quantification.md §9.1
// applied across grids. A label map on another frame of reference, or one none of whose labelled
// voxels lies in the PET field of view, is refused (InvalidInputError).
//
// Reference regions follow pet-quantification.md §10 (PERCIST, Wahl et al., J Nucl Med 2009;50
// Suppl 1:122S): liver sphere 3 cm in normal right-lobe parenchyma, whole sphere inside the liver,
// away from lesions, edges and large vessels; blood pool 1 cm x 2 cm cylinder along the
// descending thoracic aorta. Placement rules and defaults are stated with the options below and
// in docs/organs.md.
#ifndef ONCOTRACE_ORGANS_H_
#define ONCOTRACE_ORGANS_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/measure.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Canonical organs

struct CanonicalOrgan {
  uint16_t label = 0;
  const char* name = "";
};
// liver 1, spleen 2, kidney 3, bladder 4, brain 5, heart 6, aorta 7, lung 8, bone 9, muscle 10,
// gallbladder 11, stomach 12, pancreas 13, adrenal_gland 14, esophagus 15, trachea 16, thyroid 17,
// bowel 18, prostate 19, vein 20 (large veins), artery 21 (arteries other than the aorta),
// spinal_cord 22.
const std::vector<CanonicalOrgan>& canonical_organs();
// Label of a canonical organ name; nullopt for an unknown name.
std::optional<uint16_t> canonical_organ_label(const std::string& name);
// Name of a canonical label; "unknown" for 0 or an unknown label.
std::string canonical_organ_name(uint16_t label);
// label -> name for every canonical organ (e.g. DetectionOptions::organ_names).
std::map<uint16_t, std::string> canonical_organ_names();

// ---------------------------------------------------------------------------------------------
// Label tables (data files)

struct OrganLabelEntry {
  uint16_t value = 0;
  std::string name;   // the tool's class name, e.g. "kidney_right"
  std::string organ;  // canonical organ, e.g. "kidney"
};

struct OrganLabelTable {
  std::string name;  // "totalsegmentator", "moose", "moose_cardiac", "moose_muscles"
  std::string tool;
  std::string task;
  std::string tool_version;
  std::string source;  // citation of the table
  std::vector<OrganLabelEntry> labels;
  // Canonical label of a tool label; 0 when the table does not have it.
  uint16_t canonical_label(uint16_t value) const;
};

// The folder holding the organ tables: $ONCOTRACE_DATA_DIR/organs, else <source tree>/data/organs.
std::filesystem::path default_organ_table_dir();
// Every table of the shipped files (totalsegmentator.json, moose.json) in `dir`. Throws
// InvalidInputError naming the file for an unreadable or malformed file, a duplicate value or an
// organ that is not canonical.
std::vector<OrganLabelTable> load_organ_label_tables(
    const std::filesystem::path& dir = default_organ_table_dir());
// One table by name (InvalidInputError listing the known names).
OrganLabelTable organ_label_table(const std::string& name,
                                  const std::filesystem::path& dir = default_organ_table_dir());

// ---------------------------------------------------------------------------------------------
// Organ segmentation (the result of import and heuristics)

struct OrganProvenance {
  std::string method;  // "label map totalsegmentator: liver (5)" or the heuristic rule with numbers
  size_t voxel_count = 0;
  double volume_ml = 0.0;
};

struct OrganSegmentation {
  LabelMap labels;     // canonical organ labels on the PET grid
  Mask body;           // body outline on the PET grid; empty (size 0) when not determined
  std::string source;  // "heuristic", or the table name of an imported label map
  std::map<std::string, OrganProvenance> organs;  // per canonical organ present
  std::vector<std::string> warnings;
  // The image's relative voxel noise as the heuristics measure it: 1.4826 x the median absolute
  // deviation / the median (a robust SD / mean) of the core of liver uptake used for the liver
  // level (0 when not measured, e.g. label maps).
  double noise_cv = 0.0;

  bool has(const std::string& organ) const;
  // 1 where the organ is (all zero when absent).
  Mask mask_of(const std::string& organ) const;
};

// Options of the label-map import.
struct OrganImportOptions {
  // When both are set and differ, the import is refused (NIfTI carries no frame of reference;
  // the caller passes what it knows, e.g. the CT's and the PET's FrameOfReferenceUID).
  std::string label_map_frame_of_reference_uid;
  std::string pet_frame_of_reference_uid;
  // A warning is recorded when less than this fraction of the labelled voxels of the label map
  // lies in the PET field of view.
  double min_overlap_fraction_for_no_warning = 0.5;
  std::filesystem::path table_dir = default_organ_table_dir();
};

// "auto" detection of the table from the label values present: any value above 19 means
// TotalSegmentator (MOOSE organs stops at 19); otherwise the table under which the label called
// "liver" is the largest non-lung label present (TotalSegmentator liver = 5, MOOSE liver = 8).
// Returns the table name; throws InvalidInputError when neither rule decides.
std::string detect_organ_table(const LabelMap& tool_labels,
                               const std::filesystem::path& table_dir = default_organ_table_dir());

// Relabels a tool label map with a table (name or "auto") and resamples it to `pet_grid` by the
// nearest-neighbour rule above. Labels missing from the table are dropped with a warning.
OrganSegmentation organ_segmentation_from_labels(const LabelMap& tool_labels,
                                                 const std::string& table, const Geometry& pet_grid,
                                                 const OrganImportOptions& options = {});
// The same, reading the label map from a NIfTI file (read_nifti_labels).
OrganSegmentation import_organ_labels(const std::filesystem::path& label_map_path,
                                      const std::string& table, const Geometry& pet_grid,
                                      const OrganImportOptions& options = {});

// Nearest-neighbour resampling of any label map to `grid` (the rule above). Throws
// InvalidInputError when no non-zero voxel of `labels` falls in `grid` (no overlap).
LabelMap nearest_neighbour_labels(const LabelMap& labels, const Geometry& grid);
// Nearest-neighbour resampling of an image (e.g. CT for the heuristics) to `grid`: each grid voxel
// takes the value of the image voxel whose centre is nearest to its centre; outside_value where
// that voxel is outside the image. Throws InvalidInputError when no grid voxel centre maps into
// the image (no overlap).
ImageVolume nearest_neighbour_image(const ImageVolume& image, const Geometry& grid,
                                    float outside_value);

// ---------------------------------------------------------------------------------------------
// Heuristics without a label map
//
// Every threshold is an option with a default; the rule actually applied (with its numbers) is
// recorded in OrganSegmentation::organs[organ].method. Axes: +x patient left, +y posterior, +z
// head (LPS). "Cranial end" is the top of the body's z extent.
//
// From CT (when given; resampled to the PET grid by nearest neighbour):
//   body   largest 26-connected component of HU > body_min_hu, axial holes filled;
//   lung   components of HU < lung_max_hu inside the body (>= lung_min_volume_ml);
//   bone   components of HU > bone_min_hu (>= bone_min_volume_ml).
// Without CT, body = largest component of SUV > body_min_suv with axial holes filled; no lung or
// bone.
// From PET SUV, in this order; a voxel already given to an organ is not a candidate for the later
// ones ("free" voxels below):
//   brain   in the cranial brain_search_length_mm of the body: free voxels >= max(brain_min_suv,
//           brain_fraction_of_max x M), largest component, where M is first the window maximum
//           and then the maximum of that first component (a hotter lesion does not set the
//           threshold); dropped below brain_min_volume_ml;
//   bladder the same in the caudal bladder_search_length_mm with the bladder options;
//   liver level L: the median SUV of the largest component, eroded by liver_opening_mm, of free
//           voxels with SUV >= liver_min_suv on the patient's right (x < body centre) in the
//           liver window (CT: 200 mm below to 60 mm above the right lung base, HU in
//           [liver_min_hu, liver_max_hu]; PET only: 50 mm above the bladder to 150 mm below the
//           brain);
//   kidneys on each side of the midline, posterior half (y > body centre), between the bladder
//           top and the middle of the liver window: the largest component of
//           kidney_min_volume_ml..kidney_max_volume_ml with SUV >= kidney_fraction_of_liver x L;
//   liver   free voxels with SUV in [0.75 L, liver_hot_limit_factor x L] (and the CT band) up
//           to 50 mm left of the body centre, in the liver window widened by 50 mm: the largest
//           component of the opening (erosion then dilation by liver_opening_mm), restricted to
//           the candidates (hot lesions stay outside: holes in the liver);
//   heart   stage 1: the largest component of free voxels >= heart_min_suv in the heart window
//           (CT: lower heart_lung_fraction of the lungs' z range, not anterior to the lungs;
//           PET only: 40 mm below to 150 mm above the liver dome, anterior to body centre +
//           20 mm; both within heart_max_distance_from_midline_mm of the midline); its myocardial
//           level M is the heart_level_percentile-th percentile of its SUV (not the maximum, which
//           a hot lesion touching the myocardium would set); stage 2: among the components of
//           SUV >= max(heart_min_suv, heart_fraction_of_level x M) in the window's z range
//           widened by 50 mm, the one holding most stage-1 voxels, axial holes (chambers)
//           filled, less the voxels hotter than heart_hot_limit_factor x M and those within
//           heart_hot_margin_mm of them (lesions in or against the myocardium, or in a hole of
//           the liver below it, stay outside the heart with their blurred rim, for detection to
//           keep);
//           heart_min/max_volume_ml;
//   aorta   free voxels with SUV >= max(aorta_min_suv, aorta_fraction_of_liver x L) within
//           aorta_max_distance_from_midline_mm of the midline, from the liver's lower end to
//           the top of the lungs (PET only: 150 mm above the liver dome): the component with
//           the largest z extent (>= aorta_min_length_mm);
//   spleen  free voxels with SUV in [0.6 L, liver_hot_limit_factor x L] on the patient's left
//           in the liver window: the largest component of the opening by liver_opening_mm / 2,
//           spleen_min/max_volume_ml;
//   muscle  (CT only) free body voxels with SUV <= muscle_max_suv and HU in [muscle_min_hu,
//           muscle_max_hu], eroded by muscle_erosion_mm.
// The order matters: the kidneys and the heart are found before they could join the liver, and
// the aorta after the heart (chambers). Measured Dice on the simulated patient: docs/organs.md.

struct OrganHeuristicOptions {
  // Body and CT organs.
  double body_min_hu = -500.0;
  double body_min_suv = 0.1;
  double lung_max_hu = -400.0;
  double lung_min_volume_ml = 50.0;
  double bone_min_hu = 200.0;
  double bone_min_volume_ml = 5.0;
  // Brain: SUV >= max(min, fraction x max in the search window).
  double brain_search_length_mm = 300.0;
  double brain_min_suv = 3.0;
  double brain_fraction_of_max = 0.5;
  double brain_min_volume_ml = 200.0;
  // Bladder (urinary excretion; FDG and most small-molecule tracers).
  double bladder_search_length_mm = 250.0;
  double bladder_min_suv = 3.0;
  double bladder_fraction_of_max = 0.5;
  double bladder_min_volume_ml = 10.0;
  // Heart (FDG myocardium).
  bool detect_heart = true;
  double heart_min_suv = 2.0;
  double heart_level_percentile = 90.0;  // of the stage-1 component's SUV: the myocardial level M
  double heart_fraction_of_level = 0.5;
  // x M: hotter voxels are lesions, not myocardium. 1.5 and 8 mm (about the 6 mm PSF FWHM plus
  // a voxel) are practical defaults measured on the simulated patients (docs/organs.md), not
  // guideline values.
  double heart_hot_limit_factor = 1.5;
  double heart_hot_margin_mm = 8.0;
  double heart_max_distance_from_midline_mm = 90.0;
  double heart_lung_fraction = 0.6;  // lower part of the lungs' z range searched
  double heart_min_volume_ml = 50.0;
  double heart_max_volume_ml = 1500.0;
  // Liver.
  double liver_min_suv = 1.0;
  double liver_hot_limit_factor = 1.3;  // x liver level: hotter voxels are not liver candidates
  // When the noise of the liver-level core (OrganSegmentation::noise_cv) exceeds this, the liver
  // and spleen bands are taken on the SUV averaged over 3 x 3 x 3 voxels: the noise otherwise
  // riddles the band with holes that the opening removes whole. Measured on the small simulated
  // patient (liver Dice, raw / averaged): noise 0.05: 0.92 / 0.80; 0.15: 0.62 / 0.80; 0.24:
  // liver not found / 0.82. Whole-body simulated patient: FDG 0.10, FES 0.06, 89Zr 0.30. A
  // practical default from these figures, not a guideline value.
  double liver_smoothing_min_cv = 0.15;
  double liver_opening_mm = 8.0;
  double liver_min_volume_ml = 500.0;
  double liver_min_hu = 20.0;
  double liver_max_hu = 100.0;
  // Kidneys (relative to the liver level found first).
  double kidney_fraction_of_liver = 1.04;
  double kidney_min_volume_ml = 60.0;
  double kidney_max_volume_ml = 600.0;
  // Spleen.
  double spleen_min_volume_ml = 50.0;
  double spleen_max_volume_ml = 1500.0;
  // Aorta (blood pool).
  double aorta_min_suv = 1.2;
  double aorta_fraction_of_liver = 0.7;  // threshold = max(aorta_min_suv, this x liver level)
  double aorta_max_distance_from_midline_mm = 60.0;
  double aorta_min_length_mm = 60.0;
  // Muscle.
  double muscle_max_suv = 1.5;
  double muscle_min_hu = 10.0;
  double muscle_max_hu = 100.0;
  double muscle_erosion_mm = 8.0;
};

// Organs from SUV (required) and CT (optional, any grid in the same frame of reference). Throws
// InvalidInputError when the CT does not overlap the PET.
OrganSegmentation segment_organs(const ImageVolume& suv, const ImageVolume* ct,
                                 const OrganHeuristicOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Reference regions

enum class PlacementMethod { kLabelMap, kHeuristic, kUser, kNotPlaced };
const char* placement_method_name(PlacementMethod method);  // "label_map", "heuristic", ...

struct UserRegion {
  Vec3 centre_mm{0.0, 0.0, 0.0};
  std::optional<double> diameter_mm;  // default: the region's default
  std::optional<Vec3> axis;           // cylinder only
};

struct ReferencePlacementOptions {
  // User coordinates override automatic placement.
  std::optional<UserRegion> liver_user;
  std::optional<UserRegion> blood_pool_user;
  std::optional<UserRegion> spleen_user;
  std::optional<UserRegion> muscle_user;

  // Sphere diameters (liver: PERCIST 30 mm).
  double liver_diameter_mm = kPercistLiverSphereDiameterMm;
  double spleen_diameter_mm = 20.0;
  double muscle_diameter_mm = 20.0;
  // Sphere placement: the candidate centres are the voxel centres of the usable organ part (organ
  // minus dilated lesions and hot spots) at least radius + edge_margin_mm from its edge (exact
  // Euclidean distance transform); in decreasing distance order, the first whose sphere has
  // SD / mean <= max_coefficient_of_variation wins (without one: the deepest voxel, warning).
  double edge_margin_mm = 4.0;
  // Lesion voxels, dilated by this margin, count as outside the organ.
  double lesion_margin_mm = 10.0;
  // Hot spots: organ voxels above hot_spot_factor x the organ median count as outside. Large
  // vessels carry their own canonical labels ("vein", "artery", "aorta"), so they are outside
  // the organ and the edge margin keeps spheres away from them.
  double hot_spot_factor = 1.5;
  // A candidate sphere is accepted when its SD / mean is at most this (homogeneity).
  double max_coefficient_of_variation = 0.3;
  // Liver: "right lobe" = the part of the liver on the patient's right of its centroid
  // (x <= centroid x); when no candidate fits there, the whole liver is searched (warning).
  bool liver_prefer_right_lobe = true;
  // Blood pool: cylinder axis along z, centre in the descending thoracic aorta: aorta voxels
  // above the liver (when known) and at least blood_pool_below_arch_mm below the top of the
  // aorta, in the most posterior aortic cross-section of their axial slice.
  double blood_pool_below_arch_mm = 30.0;
  StandardDeviationKind sd_kind = StandardDeviationKind::kPopulation;

  // Plausibility (warnings only). Ranges in the unit of the image (SUVbw or SUL); the defaults
  // are broad FDG ranges (not from the project's references; see docs/organs.md).
  // FDG relations: blood pool and muscle below liver, spleen at most 1.2 x liver.
  bool fdg = true;
  double liver_mean_min = 1.0;
  double liver_mean_max = 3.5;
  double blood_pool_mean_min = 0.7;
  double blood_pool_mean_max = 3.0;
  double max_reference_coefficient_of_variation = 0.3;
};

struct ReferenceRegionPlacement {
  std::string region;  // "liver", "blood_pool", "spleen", "muscle"
  PlacementMethod method = PlacementMethod::kNotPlaced;
  std::string organ_source;  // OrganSegmentation::source of the organ used ("" for user)
  std::optional<ReferenceRegionStatistics> statistics;  // with the spec (placed_automatically)
  std::string explanation;                              // how it was placed, or why not
  // Distance of the centre to the organ edge (mm), and rasterised voxels outside the organ.
  double centre_distance_to_edge_mm = 0.0;
  size_t voxels_outside_organ = 0;
  std::vector<std::string> warnings;

  bool placed() const { return statistics.has_value(); }
};

struct ReferenceRegions {
  ReferenceRegionPlacement liver;
  ReferenceRegionPlacement blood_pool;
  ReferenceRegionPlacement spleen;
  ReferenceRegionPlacement muscle;
  std::vector<std::string> warnings;  // cross-region plausibility (e.g. blood pool > liver)

  ReferenceMeans means() const;  // for LesionMetricsOptions::reference
};

// Places and measures the four regions on `suv` (the image measured: SUV or SUL). `lesions`
// (optional, same grid) are avoided. Organs must be on the SUV grid.
ReferenceRegions place_reference_regions(const ImageVolume& suv, const OrganSegmentation& organs,
                                         const LabelMap* lesions,
                                         const ReferencePlacementOptions& options = {});

// JSON text (pretty-printed, deterministic) for reference_regions.json.
std::string reference_regions_json(const ReferenceRegions& regions);

// ---------------------------------------------------------------------------------------------
// Physiological uptake and lesion organs

// The default organs with physiological uptake: brain, bladder, kidney, heart.
const std::vector<std::string>& default_physiological_organs();

// Canonical organ labels of the default organs plus `extra_organs` (canonical names, e.g.
// {"liver"} for FES, from the tracer catalogue), other labels 0: pass to detect_lesions with
// organ_names = canonical_organ_names(). Unknown names are an InvalidInputError.
LabelMap physiological_exclusion_labels(const OrganSegmentation& organs,
                                        const std::vector<std::string>& extra_organs = {});
// The same as a mask.
Mask physiological_exclusion_mask(const OrganSegmentation& organs,
                                  const std::vector<std::string>& extra_organs = {});

// The canonical organ holding most voxels of `region` dilated by dilation_mm (ellipsoidal
// structuring element in mm; voxels of the region itself included); ties go to the lower label;
// "unknown" when no dilated voxel is in an organ. Grids must match.
std::string organ_of_region(const OrganSegmentation& organs, const Mask& region,
                            double dilation_mm = 5.0);
// The same for label `label` of a lesion label map.
std::string organ_of_region(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, double dilation_mm = 5.0);
// The same reading only `box` of `lesions` (clipped to the grid), which must hold every voxel of
// `label` (e.g. LesionMetrics::box); voxels of the label outside it are not seen. The result is
// that of the whole-grid version; the cost is that of the label's bounding box grown by the
// dilation, not of the grid (a whole-body grid costs about 50 ms per lesion otherwise).
std::string organ_of_region(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const IndexBox& box, double dilation_mm = 5.0);

// Breast: no heuristic and no label table here segments the breast, so a breast lesion is
// recognised by an anatomical rule (docs/organs.md §6, "Breast rule"): a lesion is "breast" when
// organ_of_region() gives "unknown" or "muscle" (soft tissue outside the organs) and the centre
// of its voxels lies anterior to the thorax: in the lesion's axial slice, the anterior-most
// voxel centre of lung or heart within `column_half_width_mm` (in x) of the lesion's centre is
// at least `min_depth_anterior_to_thorax_mm` posterior to the lesion's centre (the chest wall,
// ribs and pectoral muscles lie between the pleura and the breast). Limits: needs the lungs
// (CT) or the heart in that slice and column (a lesion above, below or lateral to the lungs, e.g.
// in the axillary tail, is not called breast); a chest-wall or skin lesion anterior to the thorax
// is called breast too; grids are assumed axial (k along the patient axis), as for the
// heuristics.
struct BreastRuleOptions {
  bool enabled = true;
  double min_depth_anterior_to_thorax_mm = 20.0;
  double column_half_width_mm = 20.0;
};
// True when label `label` of `lesions` (same grid as the organs) satisfies the breast rule's
// position condition (the organ condition is organ_of_lesion's).
bool lesion_anterior_to_thorax(const OrganSegmentation& organs, const LabelMap& lesions,
                               uint16_t label, const BreastRuleOptions& options = {});
// The same reading only `box` of `lesions`, which must hold every voxel of `label` (as above).
bool lesion_anterior_to_thorax(const OrganSegmentation& organs, const LabelMap& lesions,
                               uint16_t label, const IndexBox& box,
                               const BreastRuleOptions& options = {});
// organ_of_region(), then the breast rule: "breast" in place of "unknown" or "muscle" when the
// lesion lies anterior to the thorax.
std::string organ_of_lesion(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const BreastRuleOptions& options = {});
// The same reading only `box` of `lesions`, which must hold every voxel of `label` (e.g.
// LesionMetrics::box): the cost of the lesion's neighbourhood, not of the grid.
std::string organ_of_lesion(const OrganSegmentation& organs, const LabelMap& lesions,
                            uint16_t label, const IndexBox& box,
                            const BreastRuleOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Helpers shared with tests

// Exact Euclidean distance (mm) from each voxel centre to the nearest voxel centre where `mask`
// is zero (0 outside the mask); voxels beyond the grid count as outside the mask when
// outside_is_background, else are ignored. Felzenszwalb & Huttenlocher (Theory Comput 2012;
// 8:415), separable, anisotropic spacing.
std::vector<float> distance_to_background_mm(const Mask& mask, bool outside_is_background = true);

// Dice coefficient 2|A n B| / (|A| + |B|) of two masks on one grid (1 when both are empty).
double dice_coefficient(const Mask& a, const Mask& b);

}  // namespace oncotrace

#endif  // ONCOTRACE_ORGANS_H_
