// Binary morphology and geometry helpers of the organs module (internal).
//
// Erosion and dilation use the exact Euclidean distance transform (distance_to_background_mm in
// include/oncotrace/organs.h): erode(M, r) keeps the voxels of M whose centre is farther than r
// from every voxel centre outside M; dilate(M, r) adds the voxels whose centre is within r of a
// voxel centre of M. Both are therefore ball-shaped in mm whatever the voxel spacing.
#ifndef ONCOTRACE_ORGANS_MORPHOLOGY_H_
#define ONCOTRACE_ORGANS_MORPHOLOGY_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/measure.h"
#include "oncotrace/volume.h"

namespace oncotrace::organs_internal {

// Speed: the transforms run on the bounding box of the mask (grown by the radius for dilation),
// which gives bit for bit the whole-grid result (see squared_distance_to_background in
// morphology.cc), with the 1D lines in parallel (TBB; each line independent, so the result does
// not depend on the thread count). Hand-written rather than ITK (SignedMaurerDistanceMap,
// BinaryErodeImageFilter) because the results must stay those of this exact transform and the
// masks would need copies into ITK images.

// The bounding box of the non-zero voxels (empty when there are none).
IndexBox nonzero_box(const Mask& mask);

// Distance (mm) along the axes whose flag is set (the others are processed independently: a 2D
// transform per axial slice uses {true, true, false}).
std::vector<float> distance_transform_mm(const Mask& mask, bool outside_is_background,
                                         const std::array<bool, 3>& axes);

// distance_transform_mm(mask, true, axes) on the bounding box of the mask only (the distance is 0
// outside it), without a whole-grid buffer.
struct BoxedDistance {
  IndexBox box;
  std::vector<float> distance;  // mm, box-local, i fastest
  float at(int64_t i, int64_t j, int64_t k) const;
};
BoxedDistance distance_to_background_in_box(const Mask& mask, const std::array<bool, 3>& axes);

Mask erode_mm(const Mask& mask, double radius_mm);
Mask dilate_mm(const Mask& mask, double radius_mm);

// A mask held on a box of its grid only: zero outside `box`, `values` box-local (i fastest).
struct BoxedMask {
  IndexBox box;
  std::vector<uint8_t> values;
  uint8_t at(int64_t i, int64_t j, int64_t k) const;  // 0 outside the box
};
// `mask` held on the bounding box of its non-zero voxels (nonzero_box), values 0/1; an empty box
// and no values when the mask is empty.
BoxedMask boxed_region(const Mask& mask);
// dilate_mm of the mask that is `region` inside region.box and zero elsewhere, held on region.box
// grown by radius_mm / spacing + 1 voxels per axis (clipped to `grid`; the dilation is zero
// beyond). When region.box is the bounding box of the region's voxels (as nonzero_box gives it)
// the values are bit for bit those of dilate_mm on the whole grid, which uses this function; the
// cost is that of the grown box, not of the grid.
BoxedMask dilate_boxed_mm(const Geometry& grid, const BoxedMask& region, double radius_mm);
// Calls visit_row(grid offset, box-local offset) for the first voxel of every row (fixed j, k) of
// `box`, in raster order; each row has box.extent(0) voxels.
template <typename VisitRow>
void for_each_box_row(const Geometry& grid, const IndexBox& box, const VisitRow& visit_row) {
  size_t local = 0;
  for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j, local += box.extent(0)) {
      visit_row(grid.offset(box.lower[0], j, k), local);
    }
  }
}

// The part of `volume` inside `box` (a box of its grid) as a volume of its own: same spacing and
// axes, origin at the box's first voxel, values in the same raster order. An empty box gives an
// empty volume.
template <typename T>
Volume<T> crop_to_box(const Volume<T>& volume, const IndexBox& box) {
  if (box.empty()) return Volume<T>();
  Geometry grid = volume.geometry;
  grid.origin_mm = volume.geometry.index_to_world(box.lower[0], box.lower[1], box.lower[2]);
  grid.size = {box.extent(0), box.extent(1), box.extent(2)};
  Volume<T> out(grid);
  for_each_box_row(volume.geometry, box, [&](size_t offset, size_t local) {
    const auto row = volume.values.begin() + static_cast<std::ptrdiff_t>(offset);
    std::copy(row, row + box.extent(0), out.values.begin() + static_cast<std::ptrdiff_t>(local));
  });
  return out;
}
// Writes `part` (a crop_to_box of a volume of destination's grid) back into `destination` at
// `box`.
template <typename T>
void paste_box(const Volume<T>& part, const IndexBox& box, Volume<T>* destination) {
  if (box.empty()) return;
  for_each_box_row(destination->geometry, box, [&](size_t offset, size_t local) {
    const auto row = part.values.begin() + static_cast<std::ptrdiff_t>(local);
    std::copy(row, row + box.extent(0),
              destination->values.begin() + static_cast<std::ptrdiff_t>(offset));
  });
}
// Fills, in every axial slice (fixed k), the zero voxels not 4-connected to the slice border.
Mask fill_axial_holes(const Mask& mask);
// 26-connected components of a mask, numbered 0, 1, ... in the raster order of their first voxel
// (the order of label_components in src/segment, which numbers them from 1). Found by a flood
// fill over the bounding box of the mask with a one-voxel background ring (no bounds checks),
// without the per-component voxel lists and sorting of label_components.
struct Components {
  Geometry grid;
  IndexBox box;                      // bounding box of the mask
  std::vector<int32_t> ids;          // (box + 1-voxel ring), i fastest: component id, -1 outside
  std::vector<size_t> voxel_counts;  // per component id

  // The component id of grid voxel `offset` (-1 for a voxel outside the mask).
  int32_t id_at(size_t offset) const;
  // The mask of the components whose `selected` entry (indexed by id) is non-zero.
  Mask mask_of(const std::vector<uint8_t>& selected) const;
  // Calls visit(grid offset, id) for every mask voxel, in raster order.
  template <typename Visit>
  void for_each_voxel(const Visit& visit) const {
    if (box.empty()) return;
    const int64_t px = box.extent(0) + 2, py = box.extent(1) + 2;
    for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
      for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
        auto local =
            static_cast<size_t>(1 + px * ((j - box.lower[1] + 1) + py * (k - box.lower[2] + 1)));
        size_t offset = grid.offset(box.lower[0], j, k);
        for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++local, ++offset) {
          if (ids[local] >= 0) visit(offset, ids[local]);
        }
      }
    }
  }
};
Components find_components(const Mask& mask);

// The largest 26-connected component (empty mask when `mask` is empty); ties: first in raster
// order.
Mask largest_component(const Mask& mask);

size_t count_voxels(const Mask& mask);

// World position of voxel centres without a matrix product per voxel: origin + i a + j b + k c.
// For an axis-aligned grid (the usual axial PET) x depends on i only, y on j and z on k, so the
// positions come from three tables filled with that same expression (the terms with a zero
// direction component add 0, which leaves every coordinate unchanged but for the sign of a zero).
class VoxelPositions {
 public:
  explicit VoxelPositions(const Geometry& grid);
  Vec3 at(int64_t i, int64_t j, int64_t k) const {
    if (axis_aligned_) {
      return {x_[static_cast<size_t>(i)], y_[static_cast<size_t>(j)], z_[static_cast<size_t>(k)]};
    }
    return {origin_[0] + i * a_[0] + j * b_[0] + k * c_[0],
            origin_[1] + i * a_[1] + j * b_[1] + k * c_[1],
            origin_[2] + i * a_[2] + j * b_[2] + k * c_[2]};
  }
  Vec3 at_offset(size_t offset) const;

 private:
  Index3 size_;
  Vec3 origin_, a_, b_, c_;
  bool axis_aligned_ = false;
  std::vector<double> x_, y_, z_;  // per i, j, k when axis_aligned_
};

}  // namespace oncotrace::organs_internal

#endif  // ONCOTRACE_ORGANS_MORPHOLOGY_H_
