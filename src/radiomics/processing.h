// The IBSI-1 image processing chain before feature extraction: interpolation (VTM2) on the
// centre-aligned grid (3WE3), rounding (68QD), ROI partial-volume threshold (E8H9),
// re-segmentation (IF9H), discretisation (4R0B) and the diagnostic values of each step.
#ifndef ONCOTRACE_RADIOMICS_PROCESSING_H_
#define ONCOTRACE_RADIOMICS_PROCESSING_H_

#include <array>
#include <optional>
#include <vector>

#include "oncotrace/radiomics.h"
#include "oncotrace/volume.h"
#include "radiomics/feature_list.h"
#include "radiomics/roi_grid.h"

namespace oncotrace::radiomics::detail {

// Sample positions of one axis of the new grid, in original voxel-index units:
// first + m * step for m = 0 .. count-1 [IBSI UMPJ, 026Q, QCY4]:
//   count = ceil(n * s / s_new), step = s_new / s,
//   first = ((n - 1) - step * (count - 1)) / 2     (grid centres aligned).
struct AxisSamples {
  int64_t count = 0;
  double first = 0.0;
  double step = 1.0;
};
AxisSamples centre_aligned_samples(int64_t size, double spacing_mm, double new_spacing_mm);

// Separable resampling of a volume at the given sample positions per axis (positions beyond the
// grid take the nearest edge value). Cubic spline: the interpolating cubic B-spline (prefilter
// with pole sqrt(3) - 2 and mirror boundaries [Unser M, IEEE Signal Process Mag 1999]).
// Computed in double precision. `values` holds the block of `values_size` voxels that starts at
// `values_origin` of the grid of `size` (default: the whole grid); positions stay in whole-grid
// numbering, so a block that contains every voxel the samples read gives the same result as the
// whole grid. The cubic spline needs the whole grid (its coefficients depend on whole lines).
// Throws std::logic_error when the block misses a voxel the samples read.
std::vector<double> resample(const std::vector<double>& values, const Index3& size,
                             const std::array<AxisSamples, 3>& samples, InterpolationMethod method,
                             const Index3& values_origin = {0, 0, 0},
                             const std::optional<Index3>& values_size = std::nullopt);
// The geometry of the resampled grid (same direction, origin at the first sample).
Geometry resampled_geometry(const Geometry& geometry, const std::array<AxisSamples, 3>& samples);

// Re-segmentation of the ROI (IF9H): the closed range and the mean +- sigma * SD interval, the
// latter computed on the ROI before re-segmentation; both together keep the intersection.
std::vector<uint8_t> resegment(const std::vector<double>& intensities,
                               const std::vector<uint8_t>& roi,
                               const ResegmentationSettings& settings);

// Discretises the intensity-mask voxels of the ROI box (4R0B). Returns the grid with levels
// 1..N_g and 0 outside.
GreyLevelGrid discretise(const RoiGrid& roi, const DiscretisationSettings& settings,
                         const ResegmentationSettings& resegmentation);

// IBSI diagnostic values of an image ("init_img", "interp_img") and of a ROI stage
// ("init_roi", "interp_roi", "reseg_roi").
void add_image_diagnostics(const Geometry& geometry, const std::vector<double>& values,
                           const char* stage, FeatureList& out);
// `grid_size` is the size of the whole grid (reported as the mask dimensions); `geometry`,
// `values` and the masks may cover only a region of it that contains the ROI.
void add_roi_diagnostics(const Index3& grid_size, const Geometry& geometry,
                         const std::vector<double>& values,
                         const std::vector<uint8_t>& intensity_mask,
                         const std::vector<uint8_t>& morphological_mask, const char* stage,
                         FeatureList& out);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_PROCESSING_H_
