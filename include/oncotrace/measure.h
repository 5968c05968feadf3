// Lesion and patient metrics on an uptake image (SUV, SUL, or any other per-voxel quantity), and
// reference regions for PERCIST.
//
// Definitions follow pet-quantification.md §9-§10 (the project's reference) and, through it, the
// IBSI reference manual (Zwanenburg et al., Radiology 2020;295:328; arXiv:1612.07003), PERCIST
// (Wahl et al., J Nucl Med 2009;50 Suppl 1:122S) and Larson et al. (Clin Positron Imaging
// 1999;2:159). docs/metrics.md states every rule in prose.
//
// Region membership. A voxel belongs to a region when its centre is inside the region: for a
// label map or mask, when its label is non-zero / equals the lesion label. Volume = voxel count x
// voxel volume. Partial-volume membership is not offered for regions (§9.1).
//
// Statistics. SUVmax, SUVmean, SUVmin, median (the middle value; the mean of the two middle values
// for an even count) and SD over the region voxels. SD is the population SD (divide by N) unless
// the options ask for the sample SD (divide by N - 1); the result records which. Every sum is in
// double and runs in a fixed order (increasing linear voxel offset), so results do not depend on
// the thread count.
//
// SUVpeak. The mean uptake in a sphere of 1 cm^3 (r = (3/(4 pi))^(1/3) cm = 6.2035 mm, reported
// with every peak), in one of the variants of §9.3:
//
//   centre            kAnyRegionVoxel: the maximum over sphere centres placed on every region
//                     voxel centre (IBSI "global intensity peak", 0F91). kHottestVoxel: the
//                     centre is the region's hottest voxel; with several voxels at the maximum,
//                     the one giving the highest mean (IBSI "local intensity peak", VJGA).
//   region_restricted only voxels inside the region contribute (several tools); otherwise every
//                     image voxel in the sphere contributes, inside or outside the region (IBSI).
//   weighting         kVoxelCentre: a voxel contributes with weight 1 when its centre lies within
//                     r (IBSI, MIRP). kPartialVolume: weight = the fraction of the voxel's volume
//                     inside the sphere (Vanderhoek et al., J Nucl Med 2012;53:4): exact 0 or 1
//                     for voxels wholly outside or inside; for voxels the sphere surface cuts,
//                     the mean over n x n columns along k of the exact chord length inside the
//                     voxel (2D midpoint rule, exact in the third direction).
//   outside_image     kZero: positions outside the image count as value 0 and stay in the
//                     denominator (MIRP for PET). kExclude: the mean is over positions inside
//                     the image only.
//
// The mean is sum(w * value) / sum(w). PERCIST's "1 cm^3 sphere anywhere in the hottest part of
// the tumour" is the IBSI global peak on the voxel grid; it is the default. The peak is one
// convolution of the lesion's bounding box (padded by the kernel radius, zero or flagged outside
// the image) with the normalised spherical kernel, evaluated at the candidate centres (every
// region voxel for the global forms, the hottest voxels for the local forms); the maximum wins,
// ties go to the lowest linear offset.
//
// Positions (centroid, hottest voxel, peak centre) are in DICOM patient coordinates (LPS, mm) via
// Geometry::index_to_world.
#ifndef ONCOTRACE_MEASURE_H_
#define ONCOTRACE_MEASURE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// An axis-aligned box of voxel indices, both corners inclusive.
struct IndexBox {
  Index3 lower{0, 0, 0};
  Index3 upper{-1, -1, -1};

  bool empty() const { return upper[0] < lower[0] || upper[1] < lower[1] || upper[2] < lower[2]; }
  int64_t extent(int axis) const { return upper[axis] - lower[axis] + 1; }
  size_t voxel_count() const {
    return empty() ? 0
                   : static_cast<size_t>(extent(0)) * static_cast<size_t>(extent(1)) *
                         static_cast<size_t>(extent(2));
  }
  bool contains(const Index3& index) const {
    return index[0] >= lower[0] && index[1] >= lower[1] && index[2] >= lower[2] &&
           index[0] <= upper[0] && index[1] <= upper[1] && index[2] <= upper[2];
  }
  // Grows the box to include `index` (an empty box becomes the single voxel).
  void include(const Index3& index);
};

// The box grown by margin_mm on every side (ceil(margin_mm / spacing) voxels per axis) and
// clipped to the grid. This is the "local region" of the relative segmentation thresholds.
IndexBox dilate_box(const IndexBox& box, double margin_mm, const Geometry& grid);

enum class StandardDeviationKind { kPopulation, kSample };
const char* standard_deviation_kind_name(StandardDeviationKind kind);  // "population", "sample"

// ---------------------------------------------------------------------------------------------
// SUVpeak

enum class PeakCentre { kAnyRegionVoxel, kHottestVoxel };
enum class PeakWeighting { kVoxelCentre, kPartialVolume };
enum class PeakOutsideImage { kZero, kExclude };

struct PeakOptions {
  PeakCentre centre = PeakCentre::kAnyRegionVoxel;
  bool region_restricted = false;
  PeakWeighting weighting = PeakWeighting::kVoxelCentre;
  PeakOutsideImage outside_image = PeakOutsideImage::kZero;
  // 1 cm^3 (pet-quantification.md §9.3). PERCIST's "1.2 cm diameter" would be 0.905 mL.
  double sphere_volume_ml = 1.0;
  // Columns per axis (n x n) for kPartialVolume. With 64 the kernel weights add up to the
  // sphere volume within about 3e-5 (STS_001 grid); 1..1000.
  int partial_volume_subdivisions = 64;
};

// The named variants of pet-quantification.md §9.3.
PeakOptions ibsi_global_peak();  // default; also PERCIST on the voxel grid
PeakOptions ibsi_local_peak();
PeakOptions region_restricted_global_peak();
PeakOptions partial_volume_global_peak();
PeakOptions partial_volume_local_peak();

// Machine-readable variant name for provenance: "ibsi_global", "ibsi_local",
// "region_restricted_global", "partial_volume_global", "partial_volume_local", and compositions
// such as "region_restricted_partial_volume_local"; "_inside_image_only" is appended for
// PeakOutsideImage::kExclude.
std::string peak_variant_name(const PeakOptions& options);

// Radius of a sphere of the given volume: (3 V / (4 pi))^(1/3); 6.2035 mm for 1 mL.
double sphere_radius_mm(double volume_ml);

struct PeakResult {
  std::string variant;  // peak_variant_name(options)
  PeakOptions options;
  double value = 0.0;
  double radius_mm = 0.0;
  // Voxels with non-zero weight in the full kernel (15 for the STS_001 grid, centre inclusion).
  size_t kernel_voxel_count = 0;
  // sum of kernel weights: the effective sphere volume in voxels (= kernel_voxel_count for
  // centre inclusion).
  double kernel_weight = 0.0;
  // At the chosen centre: the voxels that entered the mean, and the denominator sum(w).
  size_t contributing_voxel_count = 0;
  double contributing_weight = 0.0;
  Index3 centre_index{0, 0, 0};
  Vec3 centre_mm{0.0, 0.0, 0.0};
};

// SUVpeak of the voxels of `image` where `region` is non-zero. Throws InvalidInputError for an
// empty region or grids that differ.
PeakResult compute_peak(const ImageVolume& image, const Mask& region, const PeakOptions& options);

// ---------------------------------------------------------------------------------------------
// Lesion metrics

// Mean uptake of reference regions, in the unit of the image measured (optional each).
struct ReferenceMeans {
  std::optional<double> liver;
  std::optional<double> blood_pool;
  std::optional<double> spleen;
  std::optional<double> muscle;
};

// Which lesion statistic is divided by the reference mean.
enum class RatioNumerator { kMax, kMean, kPeak };
const char* ratio_numerator_name(RatioNumerator numerator);  // "max", "mean", "peak"

struct TumourToBackgroundRatios {
  RatioNumerator numerator = RatioNumerator::kMax;
  std::optional<double> liver;
  std::optional<double> blood_pool;
  std::optional<double> spleen;
  std::optional<double> muscle;
};

struct LesionMetricsOptions {
  StandardDeviationKind sd_kind = StandardDeviationKind::kPopulation;
  // The peaks to compute, in order; the first is "the" peak (ratios with kPeak use it).
  std::vector<PeakOptions> peaks{ibsi_global_peak()};
  ReferenceMeans reference;
  RatioNumerator ratio_numerator = RatioNumerator::kMax;
  bool compute_longest_diameter = true;
};

// Statistics of one image over one region.
struct UptakeStatistics {
  double max = 0.0;
  double mean = 0.0;
  double min = 0.0;
  double median = 0.0;
  double sd = 0.0;
  StandardDeviationKind sd_kind = StandardDeviationKind::kPopulation;
  // mean x volume: TLG in g for SUVbw, "total lesion uptake" for other tracers.
  double total_uptake = 0.0;
  std::vector<PeakResult> peaks;
  Index3 hottest_index{0, 0, 0};  // ties: the lowest linear offset
  Vec3 hottest_mm{0.0, 0.0, 0.0};
};

struct LesionMetrics {
  uint16_t label = 0;  // 0 for a single region given as a Mask
  size_t voxel_count = 0;
  double volume_ml = 0.0;  // MTV
  IndexBox box;
  UptakeStatistics suv;                 // on the primary image
  std::optional<UptakeStatistics> sul;  // on the SUL image when one was given
  double tlg_g = 0.0;                   // suv.total_uptake (SUVmean x MTV)
  std::optional<double> tlg_sul_g;      // sul->total_uptake
  // Mean of voxel-centre positions: index_to_world(mean index).
  Vec3 centroid_mm{0.0, 0.0, 0.0};
  // Largest distance between two voxel centres of the lesion (0 for one voxel). Exact: the
  // farthest pair are vertices of the convex hull, which are among the voxels that end a run of
  // lesion voxels along each of the three axes; all pairs of those are compared (with a bound
  // that skips pairs that cannot beat the best so far).
  double longest_diameter_mm = 0.0;
  TumourToBackgroundRatios ratios;  // suv statistic / reference mean
};

// Metrics of every non-zero label of `lesions` on `suv` (and on `sul` when given, same grid),
// sorted by label. Lesions are measured in parallel (TBB); results are bit-identical for any
// thread count. Throws InvalidInputError when the grids differ.
std::vector<LesionMetrics> measure_lesions(const ImageVolume& suv, const LabelMap& lesions,
                                           const LesionMetricsOptions& options = {},
                                           const ImageVolume* sul = nullptr);

// Metrics of one region (non-zero voxels of `region`). Throws InvalidInputError when empty.
LesionMetrics measure_region(const ImageVolume& suv, const Mask& region,
                             const LesionMetricsOptions& options = {},
                             const ImageVolume* sul = nullptr);

// Whole-patient summary (pet-quantification.md §9.4).
struct PatientMetrics {
  size_t lesion_count = 0;
  double total_mtv_ml = 0.0;              // TMTV: sum of lesion MTVs (label maps cannot overlap)
  double total_tlg_g = 0.0;               // TTLG
  std::optional<double> total_tlg_sul_g;  // when every lesion has SUL statistics
  // Lesion with the highest SUVmax (ties: the earlier in the list, i.e. the lowest label for the
  // output of measure_lesions); 0 when there is no lesion.
  uint16_t hottest_lesion_label = 0;
  double hottest_lesion_suv_max = 0.0;
  // Largest distance between two lesion centroids (0 with fewer than two lesions), and the pair.
  double dmax_mm = 0.0;
  uint16_t dmax_label_a = 0;
  uint16_t dmax_label_b = 0;
};

PatientMetrics summarise_patient(const std::vector<LesionMetrics>& lesions);

// ---------------------------------------------------------------------------------------------
// Reference regions (pet-quantification.md §10): geometry and statistics. Placement is the
// caller's; a region is rasterised with voxel-centre inclusion (a voxel centre on the surface,
// within 1e-6 mm, counts as inside).

// PERCIST liver sphere: 3 cm diameter (14.137 mL).
inline constexpr double kPercistLiverSphereDiameterMm = 30.0;
// PERCIST blood-pool cylinder: 1 cm diameter x 2 cm long (1.571 mL), axis along the vessel.
inline constexpr double kPercistBloodPoolDiameterMm = 10.0;
inline constexpr double kPercistBloodPoolLengthMm = 20.0;

enum class RegionShape { kSphere, kCylinder };

struct ReferenceRegionSpec {
  RegionShape shape = RegionShape::kSphere;
  Vec3 centre_mm{0.0, 0.0, 0.0};  // LPS
  double diameter_mm = kPercistLiverSphereDiameterMm;
  double length_mm = 0.0;             // cylinder only
  Vec3 axis{0.0, 0.0, 1.0};           // cylinder only, LPS; normalised on use
  bool placed_automatically = false;  // recorded for provenance
};

ReferenceRegionSpec percist_liver_sphere(const Vec3& centre_mm);
// Axis default: z (head-feet), as PERCIST describes it for the descending aorta.
ReferenceRegionSpec percist_blood_pool_cylinder(const Vec3& centre_mm,
                                                const Vec3& axis = Vec3{0.0, 0.0, 1.0});

// Nominal (continuous) volume of the shape in mL.
double nominal_volume_ml(const ReferenceRegionSpec& spec);

// Voxels of `grid` whose centre lies in the region. Throws InvalidInputError for a non-positive
// diameter or length or a zero axis.
Mask rasterise_region(const Geometry& grid, const ReferenceRegionSpec& spec);
// The same voxels as grid offsets in raster order, found by visiting only the region's bounding
// box (no whole-grid mask). Same errors.
std::vector<size_t> region_voxel_offsets(const Geometry& grid, const ReferenceRegionSpec& spec);

struct ReferenceRegionStatistics {
  ReferenceRegionSpec spec;
  double mean = 0.0;
  double sd = 0.0;
  StandardDeviationKind sd_kind = StandardDeviationKind::kPopulation;
  double max = 0.0;
  double min = 0.0;
  size_t voxel_count = 0;
  double volume_ml = 0.0;          // voxel_count x voxel volume
  double nominal_volume_ml = 0.0;  // of the continuous shape
};

// Rasterises the region on the image grid and measures it. Throws InvalidInputError when no
// voxel centre falls inside (region outside the image, or smaller than a voxel).
ReferenceRegionStatistics measure_reference_region(
    const ImageVolume& image, const ReferenceRegionSpec& spec,
    StandardDeviationKind sd_kind = StandardDeviationKind::kPopulation);

// PERCIST measurability thresholds (pet-quantification.md §10; clinical-context.md §6.1), in
// the unit of the reference statistics (SUL for PERCIST).
//   liver:      1.5 x mean + 2 x SD
//   blood pool: 2.0 x mean + 2 x SD (kMeanPlusTwoSd; PMOD and later summaries, the project
//               default) or 2.0 x mean (kMeanOnly; Wahl 2009 as commonly quoted)
enum class BloodPoolThresholdRule { kMeanPlusTwoSd, kMeanOnly };
const char* blood_pool_threshold_rule_name(BloodPoolThresholdRule rule);

double percist_liver_threshold(double liver_mean, double liver_sd);
double percist_blood_pool_threshold(
    double blood_pool_mean, double blood_pool_sd,
    BloodPoolThresholdRule rule = BloodPoolThresholdRule::kMeanPlusTwoSd);

}  // namespace oncotrace

#endif  // ONCOTRACE_MEASURE_H_
