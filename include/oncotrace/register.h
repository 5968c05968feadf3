// Registration of the studies of one patient and lesion matching between them.
//
// Every study of a patient (tracers, timepoints) is brought into the space of one reference
// study. A spatial transform here maps a point of the REFERENCE study's patient coordinates (LPS,
// mm) to the same anatomical point in another study's coordinates:
//
//   y_study = A x_reference + t
//
// (the ITK convention: a registration transform maps fixed-image points to moving-image points,
// with the reference study as the fixed image).
//
// Registration (register_studies):
//   * identity when both studies share a FrameOfReferenceUID (DICOM PS3.3 C.7.4.1: images of
//     one frame of reference are spatially related without registration);
//   * otherwise image registration with ITK's v4 framework: Mattes mutual information
//     [Mattes et al., IEEE TMI 22(1):120-128, 2003] between the two CTs (PET-to-PET when a study
//     has no CT), a centre-of-mass initialisation, a rigid (Euler 3D) stage and, by default, an
//     affine stage, each multi-resolution (shrink 4, 2, 1 with Gaussian smoothing of 2, 1, 0
//     voxels) on images first averaged to `working_spacing_mm`, regular-step gradient descent.
//     ITK runs on one thread with a seeded random sample, so the result is the same bit for
//     bit whatever the machine's thread count (studies are registered in parallel instead; see
//     registration_itk.cc for why ITK's threads are off).
//   * a quality figure: the Pearson correlation (normalised cross-correlation) between the
//     reference image and the transformed study image over the reference's body voxels, before
//     and after registration. A correlation below `min_quality` after registration is a failure
//     (UnsupportedDataError naming both studies and the remedies), never a silent result.
//
// Lesion matching (match_lesions): optimal one-to-one assignment of lesions of two studies in the
// reference space, minimising the summed centroid distance (Hungarian / Kuhn-Munkres algorithm
// [Kuhn, Naval Research Logistics Quarterly 2:83-97, 1955; Munkres, J. SIAM 5:32-38, 1957]) under
// a distance gate; each pair also reports the overlap (Dice) of the two label regions. Lesions
// left unassigned are reported as present in one study only.
#ifndef ONCOTRACE_REGISTER_H_
#define ONCOTRACE_REGISTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// y = linear * x + translation_mm (linear is row-major).
struct SpatialTransform {
  Mat3 linear{1, 0, 0, 0, 1, 0, 0, 0, 1};
  Vec3 translation_mm{0, 0, 0};

  static SpatialTransform identity() { return {}; }
  Vec3 apply(const Vec3& point_mm) const;
  // The inverse map (throws InvalidInputError when `linear` is singular).
  SpatialTransform inverse() const;
  // (this o first)(x) = this(first(x)).
  SpatialTransform after(const SpatialTransform& first) const;
  bool is_identity() const;
  bool operator==(const SpatialTransform&) const = default;
  // Rotation angle (degrees) of the closest rotation to `linear` (polar decomposition).
  double rotation_deg() const;
};

enum class RegistrationMode {
  kIdentity,     // no registration: the studies are assumed aligned (user override)
  kRigid,        // rigid only
  kRigidAffine,  // rigid, then affine (default)
};
// "identity", "rigid", "affine" (= rigid then affine).
std::optional<RegistrationMode> parse_registration_mode(const std::string& text);
const char* registration_mode_name(RegistrationMode mode);

struct RegistrationOptions {
  RegistrationMode mode = RegistrationMode::kRigidAffine;
  // Both images are block-averaged to about this spacing before registration (the PET voxel size
  // of a whole-body study): fast, and fine enough for lesion matching.
  double working_spacing_mm = 6.0;
  int histogram_bins = 50;
  double sampling_fraction = 0.1;  // random fraction of the fixed voxels used by the metric
  int sampling_seed = 20240301;
  int max_iterations_per_level = 100;
  double initial_step_mm = 4.0;   // first step of the gradient descent (physical mm)
  double minimum_step_mm = 0.02;  // convergence: step length below this
  // Failure threshold on the correlation between the reference and the registered image.
  double min_quality = 0.5;
  // Voxels of the reference image at or above this value form the body region of the quality
  // figure (CT: HU; set per modality by the caller; PET: SUV).
  float body_threshold = -300.0f;
};

struct RegistrationResult {
  SpatialTransform reference_to_study;
  std::string method;  // e.g. "identity: shared FrameOfReferenceUID", "CT-to-CT rigid + affine"
  double quality_before = 0.0;  // correlation with the identity transform
  double quality_after = 0.0;   // correlation with the result
  double translation_mm = 0.0;  // |t| of the transform at the reference image centre
  double rotation_deg = 0.0;
  std::vector<std::string> stages;  // one line per stage: iterations, stop reason, metric value
};

// Registers `study` to `reference` (both on their own grids, same modality). `what` names the
// pair in messages ("fes_baseline CT to fdg_baseline CT"). Throws UnsupportedDataError when the
// quality after registration is below options.min_quality, InvalidInputError for empty images.
RegistrationResult register_images(const ImageVolume& reference, const ImageVolume& study,
                                   const RegistrationOptions& options, const std::string& what);

// Pearson correlation between `reference` and `study` sampled (trilinear) at the transformed
// positions of the reference voxels whose value is >= body_threshold and which map inside the
// study grid. 0 when fewer than 100 voxels qualify.
double registration_correlation(const ImageVolume& reference, const ImageVolume& study,
                                const SpatialTransform& reference_to_study, float body_threshold);

// Label map of `source` (on its own grid) carried onto `target_grid`: each target voxel takes the
// label of the source voxel nearest to target_to_source(voxel centre) (0 outside the source grid).
LabelMap transfer_labels(const LabelMap& source, const Geometry& target_grid,
                         const SpatialTransform& target_to_source);

struct LesionMatchOptions {
  // A pair whose centroids (in reference space) lie farther apart than this is never matched,
  // even when it would be the cheapest assignment.
  double max_centroid_distance_mm = 20.0;
};

struct LesionMatchPair {
  size_t first = 0;   // index into the first list
  size_t second = 0;  // index into the second list
  double centroid_distance_mm = 0.0;
};

struct LesionMatching {
  std::vector<LesionMatchPair> pairs;    // sorted by `first`
  std::vector<size_t> unmatched_first;   // ascending
  std::vector<size_t> unmatched_second;  // ascending
};

// Optimal assignment of two lists of centroids (both in the same space) minimising the summed
// distance among pairs within the gate. Deterministic (ties resolved by index order).
LesionMatching match_lesions(const std::vector<Vec3>& first_centroids_mm,
                             const std::vector<Vec3>& second_centroids_mm,
                             const LesionMatchOptions& options = {});

// The minimum-cost assignment of a rectangular cost matrix (rows x columns, row-major): for each
// row the assigned column or -1 (when rows > columns). Kuhn-Munkres in O(n^3).
std::vector<int64_t> minimum_cost_assignment(const std::vector<double>& costs, size_t rows,
                                             size_t columns);

// Dice overlap 2|A n B| / (|A| + |B|) of label `first_label` in `first` and `second_label` in
// `second` (same grid). 0 when both are empty.
double label_dice(const LabelMap& first, uint16_t first_label, const LabelMap& second,
                  uint16_t second_label);

}  // namespace oncotrace

#endif  // ONCOTRACE_REGISTER_H_
