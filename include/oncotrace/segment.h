// Segmentation of lesions on an uptake image: threshold rules, connected components, region
// growing, relative thresholds applied per lesion in a local region, and whole-body automatic
// detection with exclusion of physiological-uptake organs.
//
// Definitions follow pet-quantification.md §9.5 and §10 (docs/metrics.md states every rule):
//
//   fixed              t = value (e.g. SUV 2.5 or 4.0)
//   fraction of max    t = f x SUVmax of the lesion (EANM: 41 %; also 50 %)
//   background-        t = B + f x (SUVmax - B), f = 0.5: "A50" (EARL RCmean), B given
//   corrected
//   PERCIST liver      t = 1.5 x liver mean + 2 x liver SD          (on SUL images)
//   PERCIST blood pool t = 2.0 x blood-pool mean [+ 2 x SD]          (on SUL images)
//   liver multiple     t = m x liver mean
//
// A voxel is above threshold when value >= t. The threshold is in the unit of the image given
// (SUV or SUL); the caller keeps them consistent. Relative rules (fraction of max, A50) need a
// lesion: they are applied per lesion inside a local region (segment_lesions_locally). Every
// result records its rule as text and its numeric threshold.
//
// Connectivity: 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners); 26 is the
// default (§9.5). Labels are assigned in raster order (i fastest, then j, then k) of each
// component's first voxel, so the output does not depend on the thread count.
#ifndef ONCOTRACE_SEGMENT_H_
#define ONCOTRACE_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/measure.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Threshold rules

enum class ThresholdKind { kAbsolute, kFractionOfMax, kBackgroundCorrected };

struct ThresholdRule {
  ThresholdKind kind = ThresholdKind::kAbsolute;
  // kAbsolute: the threshold in image units. kFractionOfMax, kBackgroundCorrected: the fraction f.
  double value = 2.5;
  double background = 0.0;  // kBackgroundCorrected only, in image units
  // Provenance, e.g. "fixed 2.5", "41 % of lesion max", "A50: 1.2 + 0.5 x (max - 1.2)",
  // "PERCIST liver: 1.5 x 2 + 2 x 0.3 = 3.6".
  std::string description = "fixed 2.5";

  bool is_relative() const { return kind != ThresholdKind::kAbsolute; }
  // The threshold for a lesion whose maximum is `lesion_max` (ignored by absolute rules).
  double threshold_for(double lesion_max) const;
};

// The constructors check their arguments (fractions in (0, 1], finite values) and throw
// InvalidInputError naming the value.
ThresholdRule fixed_threshold(double value);
ThresholdRule fraction_of_max_threshold(double fraction);
ThresholdRule background_corrected_threshold(double background, double fraction = 0.5);
ThresholdRule percist_liver_threshold_rule(double liver_mean, double liver_sd);
ThresholdRule percist_liver_threshold_rule(const ReferenceRegionStatistics& liver);
ThresholdRule percist_blood_pool_threshold_rule(
    double blood_pool_mean, double blood_pool_sd,
    BloodPoolThresholdRule rule = BloodPoolThresholdRule::kMeanPlusTwoSd);
ThresholdRule percist_blood_pool_threshold_rule(
    const ReferenceRegionStatistics& blood_pool,
    BloodPoolThresholdRule rule = BloodPoolThresholdRule::kMeanPlusTwoSd);
ThresholdRule liver_multiple_threshold(double liver_mean, double multiple);

// 1 where value >= threshold.
Mask threshold_image(const ImageVolume& image, double threshold);

// ---------------------------------------------------------------------------------------------
// Connected components

enum class Connectivity { kFaces6 = 6, kEdges18 = 18, kVertices26 = 26 };
int neighbour_count(Connectivity connectivity);  // 6, 18, 26

struct Component {
  uint16_t label = 0;  // in the output label map; 0 for a component that was not kept
  size_t voxel_count = 0;
  double volume_ml = 0.0;
  IndexBox box;
  Index3 first_voxel{0, 0, 0};  // first in raster order
};

struct ComponentLabelling {
  LabelMap labels;                   // kept components 1..N, in raster order of first voxels
  std::vector<Component> kept;       // in label order
  std::vector<Component> too_small;  // volume < min_volume_ml, in raster order
  Connectivity connectivity = Connectivity::kVertices26;
  double min_volume_ml = 0.0;
};

// Components of the non-zero voxels of `mask`. Components with volume < min_volume_ml are
// dropped (listed in too_small). Throws UnsupportedDataError when more than 65535 components are
// kept (a label map holds uint16 labels): raise the threshold or the minimum volume. Hand-written
// (not itk::ConnectedComponentImageFilter) because ITK offers only 6 and 26 connectivity and an
// ITK-defined label order.
ComponentLabelling label_components(const Mask& mask,
                                    Connectivity connectivity = Connectivity::kVertices26,
                                    double min_volume_ml = 0.0);

// ---------------------------------------------------------------------------------------------
// Region growing

struct RegionGrowingOptions {
  ThresholdRule rule = fraction_of_max_threshold(0.41);
  Connectivity connectivity = Connectivity::kVertices26;
  // Growth stays inside this box (default: the whole image).
  std::optional<IndexBox> limit;
};

struct GrownRegion {
  Mask mask;
  std::string rule;          // ThresholdRule::description
  double reference_max = 0;  // maximum over the seed voxels: the "lesion max" of relative rules
  double threshold = 0;      // the value applied
  size_t voxel_count = 0;
  double volume_ml = 0.0;
  std::vector<Index3> seeds_below_threshold;  // seeds that could not start a region
};

// Voxels connected to at least one seed through voxels with value >= threshold. For relative
// rules the lesion maximum is the highest seed value (place seeds on the hottest voxel, as
// detect_lesions does). Throws InvalidInputError for no seeds or a seed outside the image or the
// limit box.
GrownRegion grow_region(const ImageVolume& image, const std::vector<Index3>& seeds,
                        const RegionGrowingOptions& options);

// ---------------------------------------------------------------------------------------------
// Relative thresholds per lesion, in a local region

struct LocalThresholdOptions {
  ThresholdRule rule = fraction_of_max_threshold(0.41);
  Connectivity connectivity = Connectivity::kVertices26;
  // The local region is the lesion's bounding box grown by this margin (dilate_box).
  double margin_mm = 10.0;
};

struct LocalLesion {
  uint16_t label = 0;       // the label of the initial region (kept)
  Index3 seed{0, 0, 0};     // hottest voxel of the initial region outside any barrier
  double lesion_max = 0.0;  // value at the seed
  double threshold = 0.0;   // rule.threshold_for(lesion_max)
  IndexBox local_box;
  size_t voxel_count = 0;  // after overlaps were resolved
  double volume_ml = 0.0;
  size_t voxels_ceded = 0;  // above threshold and connected, but given to a hotter lesion
};

struct LocalSegmentation {
  LabelMap labels;
  std::string rule;
  std::vector<LocalLesion> lesions;  // non-empty results, in label order
  std::vector<LocalLesion> emptied;  // lesions whose seed lies below its own threshold
};

// The rule, for each non-zero label L of `initial` (in parallel; deterministic):
//  1. seed = the hottest voxel of L that is not a barrier voxel (ties: lowest linear offset);
//     lesion max M = its value;
//  2. local region = the bounding box of L grown by margin_mm on every side, clipped to the image;
//  3. t = rule.threshold_for(M);
//  4. lesion = the voxels of the local region with value >= t that are connected to the seed
//     (connectivity) through such voxels, never through barrier voxels (non-zero in `barrier`,
//     e.g. excluded organs);
//  5. a voxel claimed by several lesions goes to the one with the higher M (ties: lower label).
// Absolute rules are accepted too (then M only chooses the seed). `barrier` may be null.
LocalSegmentation segment_lesions_locally(const ImageVolume& image, const LabelMap& initial,
                                          const LocalThresholdOptions& options,
                                          const LabelMap* barrier = nullptr);

// ---------------------------------------------------------------------------------------------
// Whole-body automatic lesion detection

struct DetectionOptions {
  // Must be absolute (fixed, PERCIST, liver multiple).
  ThresholdRule threshold = fixed_threshold(4.0);
  Connectivity connectivity = Connectivity::kVertices26;
  // Smaller components and lesions are dropped and reported. 0.5 mL (about a 1 cm sphere) is a
  // practical default against single noisy voxels, not a guideline value.
  double min_volume_ml = 0.5;
  // A component with at least this fraction of its voxels in excluded organs is physiological.
  double max_excluded_fraction = 0.5;
  // Before a physiological component is dropped it is split at the saddles of the image
  // (split_at_saddles): a part with its own peak P (the hottest part too, whose lower shoulders
  // merged into it), separated from any hotter rest by a saddle S with
  // (P - S) / P >= split_min_prominence, is delineated by its split_contour_fraction x P
  // contour (its voxels at or above it, connected to its hottest voxel); when that contour is at
  // or above the detection threshold, its hottest voxel lies outside the excluded organs and the
  // part lies mostly outside them (below
  // max_excluded_fraction) with at least min_volume_ml outside them, it is kept as a lesion. This
  // keeps a lesion that the blur joins to excluded uptake (a vertebral metastasis next to the FES
  // liver); the contour rule keeps noise peaks of a low-contrast plateau (peak below twice the
  // threshold) with the uptake. 0.3 and 0.5: practical defaults (0.3 well above the voxel noise of
  // clinical PET; 50 % of the maximum, a common PET delineation contour), not guideline values.
  // nullopt: the whole component is dropped.
  std::optional<double> split_min_prominence = 0.3;
  double split_contour_fraction = 0.5;
  // The image's relative voxel noise (a robust SD / mean in uniform uptake, e.g.
  // OrganSegmentation::noise_cv; 0 = unknown). A split also needs a relative prominence of
  // split_noise_factor x split_noise_cv: on a noisy image (89Zr at low counts, 0.30 on the
  // whole-body simulated patient) noise peaks rise 0.3 above their saddles by the dozen. When that
  // product reaches 1, nothing is split off. 3: a practical default (three noise SDs), not a
  // guideline value.
  double split_noise_cv = 0.0;
  double split_noise_factor = 3.0;
  // When set, each kept component is re-segmented with this (usually relative) rule in its local
  // region (segment_lesions_locally, excluded organs as barrier).
  std::optional<LocalThresholdOptions> per_lesion;
  // Names of the excluded-organ labels, for the reasons ("bladder"); unnamed labels print as
  // "organ label N".
  std::map<uint16_t, std::string> organ_names;
};

enum class ExclusionReason {
  kPhysiologicalUptake,
  kBelowMinimumVolume,
  kEmptyAfterLocalThreshold,
  kBelowMinimumVolumeAfterLocalThreshold,
};
// "physiological_uptake", "below_minimum_volume", "empty_after_local_threshold",
// "below_minimum_volume_after_local_threshold".
const char* exclusion_reason_name(ExclusionReason reason);

struct ExcludedComponent {
  Component component;  // label 0
  ExclusionReason reason = ExclusionReason::kPhysiologicalUptake;
  std::string explanation;  // one sentence naming the numbers
  double max_value = 0.0;
  // The excluded organ holding most of the component's voxels (0 when none), and the fraction
  // of the component's voxels in any excluded organ.
  uint16_t organ_label = 0;
  double excluded_fraction = 0.0;
};

struct DetectedLesion {
  uint16_t label = 0;
  // The detection component it came from, or the part split off a physiological-uptake component
  // (DetectionOptions::split_min_prominence); label = its provisional label.
  Component component;
  Index3 hottest_voxel{0, 0, 0};
  double max_value = 0.0;
  double threshold = 0.0;  // detection threshold, or the per-lesion threshold when applied
  size_t voxel_count = 0;
  double volume_ml = 0.0;
  size_t voxels_in_excluded_organs = 0;  // removed from the lesion
};

struct LesionDetection {
  LabelMap labels;                          // lesions 1..N
  std::vector<DetectedLesion> lesions;      // in label order
  std::vector<ExcludedComponent> excluded;  // in raster order of the components
  std::string threshold_rule;               // description of the detection rule
  double detection_threshold = 0.0;
  std::optional<std::string> per_lesion_rule;
  Connectivity connectivity = Connectivity::kVertices26;
  double min_volume_ml = 0.0;
  // The relative prominence a part split off excluded uptake needed (split_min_prominence, or
  // split_noise_factor x split_noise_cv when larger); nullopt when nothing could be split.
  std::optional<double> split_prominence;
};

// The basins of one connected region (`offsets`: sorted linear offsets of `grid`, connected with
// `connectivity`; `values`: the value of each, e.g. the image), by a persistence watershed: voxels
// are taken in decreasing value (ties: lower offset); a voxel without a taken neighbour starts a
// basin whose peak is its value; a voxel next to taken voxels joins the basin with the highest peak
// among them (ties: the basin whose peak voxel comes first), and every other basin met there whose
// relative prominence (peak - value) / peak is below `min_prominence` merges into that basin (noise
// bumps, the blurred rim of an organ), while basins with a higher prominence stay separate. Returns
// the basins as sorted offsets, in order of their first offset; one basin when nothing is
// separated. Throws InvalidInputError unless 0 < min_prominence < 1 and there is one value per
// voxel.
std::vector<std::vector<size_t>> split_at_saddles(const Geometry& grid,
                                                  const std::vector<size_t>& offsets,
                                                  const std::vector<double>& values,
                                                  Connectivity connectivity, double min_prominence);

// Threshold -> connected components -> exclusion of components lying mostly in excluded organs
// (`excluded_organs`: non-zero labels of physiological-uptake organs, may be null) and of
// components below the minimum volume (a physiological component first gives up the parts that
// split_at_saddles separates and that lie mostly outside the organs, see
// DetectionOptions::split_min_prominence) -> optional per-lesion local threshold. Voxels of
// excluded organs are never part of a lesion. Throws InvalidInputError for a relative detection
// rule or grids that differ.
LesionDetection detect_lesions(const ImageVolume& image, const DetectionOptions& options,
                               const LabelMap* excluded_organs = nullptr);
// The same with the excluded organs as one mask (its voxels count as organ label 1).
LesionDetection detect_lesions(const ImageVolume& image, const DetectionOptions& options,
                               const Mask& excluded_region);

}  // namespace oncotrace

#endif  // ONCOTRACE_SEGMENT_H_
