// SUVpeak machinery shared by measure_lesions and compute_peak: the spherical kernel and its
// evaluation at a region's candidate centres (see include/oncotrace/measure.h for definitions).
#ifndef ONCOTRACE_MEASURE_PEAK_H_
#define ONCOTRACE_MEASURE_PEAK_H_

#include <vector>

#include "measure/region_voxels.h"
#include "oncotrace/measure.h"

namespace oncotrace::measure_internal {

// Weights of the voxel offsets (di, dj, dk) around a centre voxel, in a fixed order (dk, then dj,
// then di increasing) so that every weighted sum is the same whatever the thread count.
struct SphereKernel {
  double radius_mm = 0.0;
  Index3 half_extent{0, 0, 0};  // |d_axis| <= half_extent[axis] for every entry
  std::vector<Index3> offsets;
  std::vector<double> weights;  // in (0, 1]
  double total_weight = 0.0;
  // The entries of weight 1 grouped into runs along i (di_first..di_last at fixed dj, dk), summed
  // as differences of prefix sums along the rows of the padded box: a sphere of 123 voxels on a
  // 2 mm grid costs 29 runs instead of 123 products. The entries of weight < 1 (partial-volume
  // surface voxels) are summed one by one. Runs and entries keep the kernel order.
  struct UnitRun {
    int64_t dj = 0;
    int64_t dk = 0;
    int64_t di_first = 0;
    int64_t di_last = 0;
  };
  std::vector<UnitRun> unit_runs;
  std::vector<size_t> fractional_entries;  // indices into offsets/weights
};

// The kernel for a grid's voxel spacing. Distances are measured with the spacing along each
// index axis, which equals the LPS distance for the orthonormal direction matrices oncotrace
// supports (Geometry::world_to_index makes the same assumption).
SphereKernel make_sphere_kernel(const Vec3& spacing_mm, const PeakOptions& options);

// The peak of one region. `kernel` must come from make_sphere_kernel with the same options and
// the image's spacing. The region must not be empty.
PeakResult compute_region_peak(const ImageVolume& image, const RegionVoxels& region,
                               const PeakOptions& options, const SphereKernel& kernel);

}  // namespace oncotrace::measure_internal

#endif  // ONCOTRACE_MEASURE_PEAK_H_
