// Binary morphology and geometry helpers of the organs module (internal).
//
// Erosion and dilation use the exact Euclidean distance transform (distance_to_background_mm in
// include/oncotrace/organs.h): erode(M, r) keeps the voxels of M whose centre is farther than r
// from every voxel centre outside M; dilate(M, r) adds the voxels whose centre is within r of a
// voxel centre of M. Both are therefore ball-shaped in mm whatever the voxel spacing.
#ifndef ONCOTRACE_ORGANS_MORPHOLOGY_H_
#define ONCOTRACE_ORGANS_MORPHOLOGY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace::organs_internal {

// Squared EDT along the axes whose flag is set (the others are processed independently: a 2D
// transform per axial slice uses {true, true, false}).
std::vector<float> distance_transform_mm(const Mask& mask, bool outside_is_background,
                                         const std::array<bool, 3>& axes);

Mask erode_mm(const Mask& mask, double radius_mm);
Mask dilate_mm(const Mask& mask, double radius_mm);
// Fills, in every axial slice (fixed k), the zero voxels not 4-connected to the slice border.
Mask fill_axial_holes(const Mask& mask);
// The largest 26-connected component (empty mask when `mask` is empty); ties: first in raster
// order.
Mask largest_component(const Mask& mask);
// The 26-connected component holding voxel `offset` (empty when that voxel is zero).
Mask component_containing(const Mask& mask, size_t offset);

size_t count_voxels(const Mask& mask);

// World position of voxel centres without a matrix product per voxel: origin + i a + j b + k c.
class VoxelPositions {
 public:
  explicit VoxelPositions(const Geometry& grid);
  Vec3 at(int64_t i, int64_t j, int64_t k) const {
    return {origin_[0] + i * a_[0] + j * b_[0] + k * c_[0],
            origin_[1] + i * a_[1] + j * b_[1] + k * c_[1],
            origin_[2] + i * a_[2] + j * b_[2] + k * c_[2]};
  }
  Vec3 at_offset(size_t offset) const;

 private:
  Index3 size_;
  Vec3 origin_, a_, b_, c_;
};

}  // namespace oncotrace::organs_internal

#endif  // ONCOTRACE_ORGANS_MORPHOLOGY_H_
