// IBSI-compliant radiomics: image processing chain and feature computation.
//
// Definitions follow the Image Biomarker Standardisation Initiative reference manual
// [Zwanenburg A et al., "The Image Biomarker Standardization Initiative", Radiology
// 2020;295:328-338; manual arXiv:1612.07003, living version at ibsi.readthedocs.io]. Feature
// tags are those of the IBSI reference-value tables (e.g. "morph_volume",
// "cm_joint_max_3D_avg", "szm_sze_2_5D"); every feature also carries its 4-character IBSI code.
//
// The processing chain (IBSI-1 manual, chapter 2) is, in order:
//   1. interpolation of image and ROI mask to a new grid, grid centres aligned (3WE3),
//      nearest-value padding outside the original grid; CT intensities rounded (68QD); the ROI
//      is interpolated as a float and binarised with a partial-volume threshold (E8H9, >= 0.5);
//   2. the ROI is split into an intensity mask and a morphological mask (ECJF);
//   3. re-segmentation of the intensity mask by range (USB3) and/or outliers (7ACA,
//      mean +- 3 SD), both together meaning the intersection of the two ranges;
//   4. discretisation of the intensity mask for the intensity histogram and the texture
//      families (fixed bin number K15C or fixed bin size Q3RU), and a separate discretisation
//      for the intensity-volume histogram chosen by intensity type (P88C);
//   5. features: morphology (HCUG), local intensity (9ST6), intensity statistics (UHIW),
//      intensity histogram (ZVCW), intensity-volume histogram (P88C), GLCM (LFYI), GLRLM
//      (TP0I), GLSZM (9SAK), GLDZM (VMDZ), NGTDM (IPET), NGLDM (REK0), with the aggregations
//      2D (per slice, averaged), 2.5D (slices merged) and 3D.
//
// Slices are the k axis of the grid (axial for an axial series). Positions and distances are
// in millimetres in the grid's own axes (spacing only; direction cosines do not change any
// feature). Results do not depend on the number of threads.
#ifndef ONCOTRACE_RADIOMICS_H_
#define ONCOTRACE_RADIOMICS_H_

#include <array>
#include <filesystem>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace::radiomics {

// Interpolation kernels (IBSI VTM2). Cubic spline is the interpolating cubic B-spline (with the
// prefilter), as in scipy.ndimage.map_coordinates(order=3) used by the IBSI reference
// implementation (MIRP).
enum class InterpolationMethod { kNearest, kLinear, kCubicSpline };

// Discretisation of the intensity histogram and texture families (IBSI 4R0B).
//   kNone            intensities are already grey levels (integers >= 1), e.g. the IBSI
//                    digital phantom; N_g = the highest level.
//   kFixedBinNumber  K15C: X_d = floor(N_g (X - X_min)/(X_max - X_min)) + 1, X_max -> N_g.
//   kFixedBinSize    Q3RU: X_d = floor((X - X_min)/w) + 1 with X_min = the lower bound of the
//                    re-segmentation range when set, else the ROI minimum.
enum class DiscretisationMethod { kNone, kFixedBinNumber, kFixedBinSize };

// Intensity type, which decides the discretisation of the intensity-volume histogram (P88C).
//   kDiscreteCalibrated    (CT HU) no discretisation, unit steps over the re-segmentation range
//                          (open ends -> data extremes).
//   kContinuousCalibrated  (PET SUV) fixed bin size ivh_bin_width from the range lower bound;
//                          values are bin centres.
//   kArbitraryUnits        fixed bin number ivh_bin_count (1000) over the data range.
enum class IntensityType { kDiscreteCalibrated, kContinuousCalibrated, kArbitraryUnits };

struct InterpolationSettings {
  bool enabled = false;
  // Target spacing (mm) along i, j, k; with in_plane_only the k entry is ignored.
  Vec3 spacing_mm{1.0, 1.0, 1.0};
  // 2D interpolation: resample i and j only; the slices stay as they are.
  bool in_plane_only = false;
  InterpolationMethod image_method = InterpolationMethod::kLinear;
  InterpolationMethod mask_method = InterpolationMethod::kLinear;
  // Interpolated ROI values >= this threshold are inside (E8H9).
  double mask_partial_volume_threshold = 0.5;
};

struct ResegmentationSettings {
  // Closed range [range_min, range_max]; either end may be open.
  std::optional<double> range_min;
  std::optional<double> range_max;
  // Keep voxels within mean +- outlier_sigma * SD (population SD of the ROI after the range).
  bool outlier_filter = false;
  double outlier_sigma = 3.0;
};

struct DiscretisationSettings {
  DiscretisationMethod method = DiscretisationMethod::kFixedBinSize;
  int bin_count = 32;       // kFixedBinNumber
  double bin_width = 25.0;  // kFixedBinSize, intensity units
};

struct IvhSettings {
  IntensityType intensity_type = IntensityType::kDiscreteCalibrated;
  double bin_width = 2.5;  // kContinuousCalibrated
  int bin_count = 1000;    // kArbitraryUnits
};

// Which families to compute. Morphology and local intensity are the slow ones on large ROIs
// (mesh, Moran's I); the rest scale linearly with the ROI.
struct FeatureFamilies {
  bool morphology = true;
  bool local_intensity = true;
  bool statistics = true;
  bool intensity_histogram = true;
  bool intensity_volume_histogram = true;
  bool glcm = true;
  bool glrlm = true;
  bool glszm = true;
  bool gldzm = true;
  bool ngtdm = true;
  bool ngldm = true;
};

// Aggregations of the texture families (IBSI 5QB6): "2D" = per slice, features averaged over
// slices (BTW3, SUJT, 8QNN); "2.5D" = slices merged (JJUI, ZW7Z, 62GR); "3D" = 3D matrices
// (ITBB, IAZD, KOBO). IBSI 2D configurations compute 2D and 2.5D, 3D configurations 3D only.
struct AggregationSettings {
  bool slice_2d = false;
  bool merged_2_5d = false;
  bool volume_3d = true;
};

// --- IBSI-2 convolutional filters --------------------------------------------------------
//
// Response maps of the IBSI-2 filters [Depeursinge A et al., "Standardised convolutional
// filtering for radiomics", arXiv:2006.05470; Whybra P et al., Radiology 2024]. A map has the
// size of the input; filters run on the whole image (before ROI masking), in double precision,
// as convolutions out(p) = sum_q h(q) img(p - q) with the kernel centred on the voxel. "In
// plane" filters run slice by slice (i, j). Implemented: mean (S60F), Laplacian of Gaussian
// (L6PA), Laws (JTXT), undecimated separable wavelets (25BO), Gabor (Q88H), the Simoncelli
// non-separable wavelet (LODD) and Riesz transforms of LoG and Simoncelli responses.
// Steered (structure-tensor aligned) Riesz transforms are not implemented.

// Padding beyond the image (IBSI-2 names): zero; nearest (edge value); periodic (wrap);
// mirror = the edge voxel repeated, "b a [a b c d] d c" (scipy.ndimage "reflect").
enum class FilterBoundary { kZero, kNearest, kPeriodic, kMirror };

// Mean over a cube (square in plane) of support_voxels (odd) per axis.
ImageVolume mean_filter(const ImageVolume& image, int support_voxels, bool in_plane,
                        FilterBoundary boundary);

// LoG(r) = G(r) (|r|^2 - D sigma^2) / sigma^4 with the normalised Gaussian G, sigma in voxels
// (sigma_mm over the smallest spacing), support |r_d| <= floor(truncate_sigmas sigma + 0.5),
// computed as a sum of D separable terms.
ImageVolume laplacian_of_gaussian_filter(const ImageVolume& image, double sigma_mm,
                                         double truncate_sigmas, bool in_plane,
                                         FilterBoundary boundary);

struct LawsFilterSettings {
  // 1D kernels along i, j (, k), e.g. "E5L5S5" (3D) or "L5S5" (in plane); each normalised to
  // unit L2 norm.
  std::string kernels = "L5E5E5";
  bool in_plane = false;
  // Max over the 24 right-angle rotations in 3D (4 in plane) [IBSI-2 pseudo-rotational
  // invariance].
  bool rotation_invariant = false;
  // > 0: energy map, the mean |response| over a (2 d + 1)^D box, after pooling.
  int energy_distance = 0;
  FilterBoundary boundary = FilterBoundary::kMirror;
};
ImageVolume laws_filter(const ImageVolume& image, const LawsFilterSettings& settings);

// Undecimated (stationary, "a trous") separable wavelet (IBSI-2 25BO): the decomposition filters
// of PyWavelets (dec_lo, and dec_hi[k] = (-1)^(k+1) dec_lo[L-1-k]), unnormalised; tap k of a
// filter of length L sits at offset (k - floor(L/2)) * 2^(level-1). Level j >= 2 filters the
// all-low-pass output of level j - 1 with the dilated filters.
struct WaveletFilterSettings {
  std::string wavelet = "haar";  // haar (= db1), db2, coif1
  // Band per axis i, j (, k): "L" low pass, "H" high pass, e.g. "LHL" (3D) or "HL" (in plane).
  std::string bands = "LLL";
  int level = 1;
  bool in_plane = false;
  // Mean over the 24 right-angle rotations in 3D (4 in plane) of the whole filter set of every
  // level [IBSI-2 pseudo-rotational invariance].
  bool rotation_invariant = false;
  FilterBoundary boundary = FilterBoundary::kMirror;
};
ImageVolume separable_wavelet_filter(const ImageVolume& image,
                                     const WaveletFilterSettings& settings);

// 2D Gabor filter (IBSI-2 Q88H), modulus of the complex response, in each plane:
//   x' = x cos(theta) + y sin(theta), y' = -x sin(theta) + y cos(theta),
//   g(x, y) = exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)) exp(i 2 pi x' / lambda)
// without normalising constant; x, y are the in-plane voxel offsets along the plane's first and
// second axis (i, j for the slice plane), sigma and lambda in voxels of the smaller in-plane
// spacing. The kernel is as large as the plane (odd size 2 floor(max(n_x, n_y)/2) + 1), as in
// the reference implementation (MIRP), and applied by FFT to the boundary-padded planes.
struct GaborFilterSettings {
  double sigma_mm = 10.0;
  double wavelength_mm = 4.0;
  double spatial_aspect_ratio = 0.5;  // gamma
  double orientation_rad = 0.0;       // theta
  // Rotation invariance: mean over theta = orientation + k step, k = 0 .. round(2 pi/step) - 1.
  bool rotation_invariant = false;
  double orientation_step_rad = std::numbers::pi / 4.0;
  // Also filter in the (i, k) and (j, k) planes and take the mean over the three planes.
  bool orthogonal_planes = false;
  // > 0: the kernel is cut to |x|, |y| <= ceil(truncate_sigmas sigma / min(1, gamma)) voxels
  // (7 leaves out envelope values below 1e-10 of the peak); 0: as large as the plane (MIRP).
  double truncate_sigmas = 0.0;
  FilterBoundary boundary = FilterBoundary::kZero;
};
ImageVolume gabor_filter(const ImageVolume& image, const GaborFilterSettings& settings);

// Fourier-domain filters (Simoncelli, Riesz). The transfer function is sampled on the frequency
// grid of the IBSI reference implementation (MIRP): along an axis of n samples, FFT bin k has
// the normalised frequency w = (c - (n-1)/2) / ((n-1)/2) with c = (k + floor(n/2)) mod n, so
// that w runs from -1 to +1 (1 = Nyquist). For even n this is (2f + 1)/(n - 1) for the signed
// bin f, not the usual 2f/n (shifted by half a bin, stretched by n/(n-1)); the IBSI-2 consensus
// maps 8.a.1-8.a.3 follow this grid (the usual grid misses 8.a.3 by 8 % of its range). The response
// is the real part of the inverse FFT. Boundaries: periodic is the FFT itself (no padding); any
// other rule pads each side of every filtered axis by floor(n/2) voxels with that rule before the
// FFT (the periodic copies then lie one image width away) and crops the result. Memory: a complex
// double buffer of the padded image (16 bytes per voxel periodic, 128 bytes per image voxel
// otherwise in 3D), twice for the LoG base.

// Simoncelli non-separable wavelet (IBSI-2 LODD), an isotropic band-pass:
//   d = |w| (Euclidean norm over the filtered axes), d_max = 2^-(level-1),
//   H(d) = cos(pi/2 log2(2 d / d_max)) for d_max/4 <= d <= d_max, else 0.
struct SimoncelliFilterSettings {
  int level = 1;  // decomposition level, 1..8
  bool in_plane = false;
  FilterBoundary boundary = FilterBoundary::kPeriodic;
};
ImageVolume simoncelli_wavelet_filter(const ImageVolume& image,
                                      const SimoncelliFilterSettings& settings);

// Riesz transform (IBSI-2) of order l = (l_i, l_j, l_k), |l| = l_i + l_j + l_k, applied to
// the response of a base filter: the Fourier multiplier
//   R^l(w) = (-i)^|l| sqrt(|l|! / (l_i! l_j! l_k!)) w_i^l_i w_j^l_j w_k^l_k / |w|^|l|
// (0 where |w| = 0) on the grid above. Order (1, 0, 0) is the first-order transform along i;
// (0, 2, 0) the second-order one along j. The base filter runs on the padded image: the LoG
// kernel of laplacian_of_gaussian_filter applied by FFT (the padding is at least its half-width,
// so this equals the convolution with the same boundary rule), Simoncelli as a second multiplier.
enum class RieszBaseFilter { kLaplacianOfGaussian, kSimoncelli };
struct RieszFilterSettings {
  RieszBaseFilter base_filter = RieszBaseFilter::kLaplacianOfGaussian;
  double log_sigma_mm = 3.0;         // kLaplacianOfGaussian
  double log_truncate_sigmas = 4.0;  // kLaplacianOfGaussian
  int simoncelli_level = 1;          // kSimoncelli
  // Orders along i, j, k; 1 <= |l| <= 6; in plane, l_k must be 0.
  std::array<int, 3> order{1, 0, 0};
  bool in_plane = false;
  FilterBoundary boundary = FilterBoundary::kZero;
  // Aligned (steered) Riesz transform [IBSI-2 reference manual, Riesz transform section, the
  // "aligned" configurations 9.b.2 and 10.b.2; Depeursinge A et al., "Rotation-covariant texture
  // learning using steerable Riesz wavelets", IEEE Trans Image Process 2014;23:898-908]: at each
  // voxel x the axes i, j, k of the order are replaced by the local frame (e_1, e_2, e_3) of the
  // structure tensor J(x) = G_sigma * (grad g grad g^T) of the base response g, e_1 the
  // eigenvector of the largest eigenvalue (the dominant gradient direction), e_2 of the middle
  // one, e_3 = e_1 x e_2 (in plane: J is 2 x 2 over i, j, e_2 = e_1 turned by +90 degrees, e_3 =
  // k):
  //   R_aligned^l(x) = F^-1[ (-i)^|l| sqrt(|l|!/(l_i! l_j! l_k!))
  //                          prod_a (e_a(x) . w)^l_a / |w|^|l| . base . F image ](x),
  // computed by expanding the product into the monomials w^m (|m| = |l|) and summing the
  // unaligned components R^m with the coefficients of x. Order (1, 0, 0) aligned is thus the
  // first-order transform along the local dominant gradient direction, (2, 0, 0) the second
  // order one. The gradient is by central differences in mm (the boundary rule beyond the edge),
  // G_sigma a Gaussian of standard deviation structure_tensor_sigma_mm cut at 4 sigma (0: no
  // smoothing). Each eigenvector's sign makes its largest component positive (odd orders change
  // sign with it); where J vanishes (trace <= 1e-12 of the largest) the grid axes are used.
  // IBSI-2 has no reference values for it (property-tested). Memory: one float volume per
  // monomial ((|l| + 1)(|l| + 2)/2 in 3D) and a 9-double frame per voxel.
  bool aligned = false;
  double structure_tensor_sigma_mm = 2.0;
};
ImageVolume riesz_filter(const ImageVolume& image, const RieszFilterSettings& settings);

// The filter of a settings file (IBSI-2 phase 2): the response map of one filter replaces the
// image intensities for the features. Order [IBSI-2 manual; radiomics-ibsi.md §3.1, §8.4]:
// interpolate (and round) the image, re-segment the ROI on the unfiltered image, filter, then
// compute the features of the response map inside the intensity mask. The filter runs on the
// interpolated image restricted to the ROI bounding box plus a margin of the filter's reach
// (kernel half-width; for Laws energy maps and wavelet levels the sum of the stages; for Gabor
// 7 sigma / min(1, gamma), beyond which the envelope is below 1e-10, and the kernel is cut
// there): within that margin the
// response of every ROI voxel equals its response on the whole image, and where the margin meets
// the image edge the boundary rule applies there, as on the whole image. Fourier-domain filters
// (Simoncelli, Riesz) sample their transfer function on the grid of the filtered array, so they
// run on the whole interpolated image. Only the intensity statistics (UHIW) are defined on
// response maps here (IBSI-2 phase 2 uses exactly these); other families are rejected.
enum class FilterKind {
  kNone,
  kMean,
  kLaplacianOfGaussian,
  kLaws,
  kGabor,
  kWavelet,
  kSimoncelli,
  kRiesz
};
struct FilterSettings {
  FilterKind kind = FilterKind::kNone;
  // Applied to every kind below (their own in_plane and boundary fields are overwritten).
  bool in_plane = false;
  FilterBoundary boundary = FilterBoundary::kMirror;
  int mean_support_voxels = 5;  // kMean
  double log_sigma_mm = 1.5;    // kLaplacianOfGaussian
  double log_truncate_sigmas = 4.0;
  LawsFilterSettings laws;              // kLaws
  GaborFilterSettings gabor;            // kGabor
  WaveletFilterSettings wavelet;        // kWavelet
  SimoncelliFilterSettings simoncelli;  // kSimoncelli
  RieszFilterSettings riesz;            // kRiesz
};

// The name of a filter kind in settings files ("mean", "laplacian_of_gaussian", "laws", ...).
const char* filter_kind_name(FilterKind kind);

// The response map of `filter` on `image` (the whole image).
ImageVolume apply_filter(const ImageVolume& image, const FilterSettings& filter);

// Voxels per axis beyond which the response of a voxel does not depend on the image (see
// FilterSettings); nullopt for the Fourier-domain filters, which need the whole image.
std::optional<Index3> filter_reach_voxels(const FilterSettings& filter, const Vec3& spacing_mm);

// Every setting of the processing chain. Neighbourhood settings are fixed to the IBSI values:
// Chebyshev distance 1 for GLCM/NGTDM/NGLDM, linkage distance 1 for GLSZM/GLDZM, NGLDM
// coarseness alpha 0, symmetric GLCM, no distance weighting.
struct RadiomicsSettings {
  std::string name = "custom";
  std::string description;
  InterpolationSettings interpolation;
  // Round intensities to the nearest integer after interpolation (CT; IBSI 68QD).
  bool round_intensities = false;
  ResegmentationSettings resegmentation;
  DiscretisationSettings discretisation;
  IvhSettings ivh;
  AggregationSettings aggregation;
  FeatureFamilies families;
  // Emit the IBSI diagnostic values (image and ROI state after each step).
  bool diagnostics = true;
  // IBSI-2: features of a filter response map instead of the image (kind kNone: no filter).
  FilterSettings filter;
};

// The names of the presets shipped in data/radiomics/ (compiled into the library):
// "ibsi1-digital-phantom", "ibsi1-config-a" ... "ibsi1-config-e".
std::vector<std::string> radiomics_preset_names();
// A preset by name; throws InvalidInputError listing the known names.
RadiomicsSettings radiomics_preset(std::string_view name);
// Settings from JSON text (the format of data/radiomics/*.json, documented in
// docs/radiomics.md). Unknown keys are errors, so a typo never silently falls back to a
// default. `source` names the text in error messages.
RadiomicsSettings radiomics_settings_from_json(std::string_view json_text,
                                               std::string_view source = "settings");
// A preset name or the path of a JSON file.
RadiomicsSettings load_radiomics_settings(const std::string& preset_name_or_path);
// Settings as JSON (round-trips through radiomics_settings_from_json).
std::string radiomics_settings_to_json(const RadiomicsSettings& settings);

struct Feature {
  std::string tag;        // IBSI table tag with aggregation suffix, e.g. "cm_energy_3D_comb"
  double value = 0.0;     // NaN when undefined for this ROI (e.g. variance of one voxel zone)
  std::string ibsi_code;  // feature code, e.g. "8ZQL"; empty for diagnostics
};

struct FeatureSet {
  std::string settings_name;
  // Features in the order of the IBSI tables (families, then aggregations, then features).
  std::vector<Feature> features;
  // Diagnostic values (IBSI "diagnostic features"), e.g. "int_mask_vox_count_reseg_roi".
  std::vector<Feature> diagnostics;

  // The value of a feature or diagnostic tag.
  std::optional<double> value(std::string_view tag) const;
};

// The response map that the features of filtered settings see, on the whole image: the image
// interpolated to the processing grid (settings.interpolation; the original grid when disabled)
// and rounded when the settings say so, then filtered with settings.filter (the order of the
// IBSI-2 chain, radiomics-ibsi.md §3.1). Throws InvalidInputError when the settings have no
// filter.
ImageVolume filter_response_map(const ImageVolume& image, const RadiomicsSettings& settings);

// Runs the processing chain and computes the features of one ROI (with settings.filter: the
// intensity statistics of the response map, see FilterSettings). `roi` must share the image
// grid (any non-zero value is inside). Throws InvalidInputError when the grids differ or the
// ROI is empty (before or after re-segmentation).
FeatureSet compute_features(const ImageVolume& image, const Mask& roi,
                            const RadiomicsSettings& settings);
// The same for the ROI "voxels of `labels` equal to `label`" (one lesion of a label map), whose
// voxels all lie in the index box [box_lower, box_upper] (corners inclusive, e.g. a lesion's
// measure box): identical to compute_features() with that label's mask, without a whole-image
// mask per ROI. Unless the settings need the whole image (diagnostics, cubic-spline
// interpolation, Fourier-domain filters), both read only the image block around the ROI, so the
// cost follows the ROI, not the image. Throws InvalidInputError when the grids differ, label is
// 0, or the box is outside the grid or holds no voxel of the label.
FeatureSet compute_features(const ImageVolume& image, const LabelMap& labels, uint16_t label,
                            const Index3& box_lower, const Index3& box_upper,
                            const RadiomicsSettings& settings);

// --- Feature units --------------------------------------------------------------------------
//
// The unit of an IBSI feature as a UCUM expression [IBSI-1 manual, chapter 3: morphological
// features in mm (HCUG), intensity-based features in the unit of the image intensities,
// discretised-level, probability, count and ratio features dimensionless], given the unit of the
// image intensities `intensity_unit` (UCUM, e.g. "g/ml{SUVbw}", "[hnsf'U]", "Bq/ml", or a label
// of the same syntax such as "g/mL"). `tag` is a feature tag with or without aggregation suffix
// ("morph_volume", "cm_contrast_3D_comb"):
//   - morphology: morph_volume, morph_vol_approx "mm3"; morph_area_mesh "mm2"; morph_av "/mm";
//     morph_com, morph_diam and the PCA axis lengths "mm"; morph_integ_int (volume x mean
//     intensity) "mm3.<I>"; compactness, sphericity, asphericity, spherical disproportion,
//     elongation, flatness, volume and area densities, Moran's I, Geary's C "1";
//   - local intensity (loc_*): I;
//   - intensity statistics: stat_var and stat_energy (sums of squared intensities) I^2;
//     stat_skew, stat_kurt, stat_cov, stat_qcod "1"; every other stat_* I;
//   - intensity-volume histogram: ivh_v10, ivh_v90, ivh_diff_v10_v90 (volume fractions) and
//     ivh_auc (over the intensity fraction) "1"; ivh_i10, ivh_i90, ivh_diff_i10_i90 I for
//     calibrated intensity types, "1" (bin numbers) for arbitrary units;
//   - intensity histogram (ih_*) and the texture families (cm_, rlm_, szm_, dzm_, ngt_, ngl_):
//     computed on discretised grey levels, voxel counts and probabilities, "1".
// I is `intensity_unit`; with a filter (FilterSettings), the statistics are those of the response
// map, which for the linear filters with dimensionless weights here (and the moduli and energies
// of their responses) is also in I. Features that depend on I are "" (unknown) when
// intensity_unit is empty or a term with parentheses. Throws InvalidInputError for a tag that is
// not an IBSI feature.
std::string feature_unit(std::string_view tag, std::string_view intensity_unit,
                         IntensityType ivh_intensity_type = IntensityType::kContinuousCalibrated);
// The 4-character IBSI code of a feature tag with or without aggregation suffix
// ("cm_joint_entr_3D_comb" -> "TU9B"); empty when the tag is not an IBSI feature.
std::string feature_ibsi_code(std::string_view tag);
// UCUM arithmetic on terms of components joined by '.' and '/' (no parentheses): `unit` to the
// power `exponent` (each component's exponent multiplied: "g/ml{SUVbw}" squared is
// "g2/ml2{SUVbw}"), and the product of two terms ("mm3" and "g/ml" give "mm3.g/ml"). Unity "1"
// is neutral; "" (unknown) gives "".
std::string ucum_power(std::string_view unit, int exponent);
std::string ucum_product(std::string_view first, std::string_view second);

// --- Voxel-wise feature maps ----------------------------------------------------------------
//
// For every voxel v of one ROI, the features of the kernel ROI K(v) = {v + d : d in the kernel}
// intersected with the ROI, computed exactly as compute_features(image, K(v), settings) computes
// them: re-segmentation and discretisation (fixed bin number over K(v)'s own range, fixed bin
// size from the range's lower bound or K(v)'s minimum) and the features of the intensity
// statistics (UHIW, `stat_*`) and GLCM (LFYI, `cm_*`, with the settings' aggregations) families.
// The kernel is a cube (|d|_inf <= R) or a sphere (|d|_2 <= R) in voxel units. Maps are on the
// image grid without interpolation (settings with interpolation or a filter are refused), one
// volume per requested tag covering the ROI's bounding box (origin at its first voxel); voxels
// outside the ROI, and features undefined for K(v) (e.g. nothing left after re-segmentation),
// are NaN. Voxels run in parallel, each into its own slot: the maps do not depend on the thread
// count. Throws InvalidInputError for an unknown tag (listing the known ones), a radius outside
// 1..10, an empty ROI or grids that differ.
enum class KernelShape { kCube, kSphere };
struct FeatureMapSettings {
  std::vector<std::string> features;  // e.g. {"stat_mean", "cm_contrast_3D_comb"}
  int kernel_radius_voxels = 1;
  KernelShape kernel = KernelShape::kSphere;
};
std::vector<ImageVolume> compute_feature_maps(const ImageVolume& image, const Mask& roi,
                                              const RadiomicsSettings& settings,
                                              const FeatureMapSettings& map);

// Writers. Long format: one row per feature, "tag,value,ibsi_code" (diagnostics included as
// rows with an empty code when `include_diagnostics`). Wide format: one header row of tags and
// one row per feature set, the first column `label`. Numbers are printed with 17 significant
// digits (round-trip exact); NaN as "NaN". Output is deterministic.
std::string features_to_csv_long(const FeatureSet& features, bool include_diagnostics = true);
std::string features_to_csv_wide(const std::vector<FeatureSet>& feature_sets,
                                 const std::vector<std::string>& labels);
std::string features_to_json(const FeatureSet& features);
// Atomic file writers; the extension chooses nothing, the functions do.
void write_features_csv_long(const std::filesystem::path& path, const FeatureSet& features);
void write_features_json(const std::filesystem::path& path, const FeatureSet& features);

}  // namespace oncotrace::radiomics

#endif  // ONCOTRACE_RADIOMICS_H_
