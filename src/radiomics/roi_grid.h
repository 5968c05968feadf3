// The ROI as the feature families see it: cropped to the bounding box of the morphological
// mask plus one background voxel on every side, so that neighbour look-ups at distance 1 never
// leave the box and marching cubes sees a closed surface (IBSI: mesh on the zero-padded mask).
#ifndef ONCOTRACE_RADIOMICS_ROI_GRID_H_
#define ONCOTRACE_RADIOMICS_ROI_GRID_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "oncotrace/geometry.h"

namespace oncotrace::radiomics::detail {

struct RoiGrid {
  Index3 size{0, 0, 0};
  Vec3 spacing_mm{1.0, 1.0, 1.0};
  // Processed intensities of every box voxel (inside or outside the masks).
  std::vector<double> intensity;
  // After re-segmentation (IBSI SEFI).
  std::vector<uint8_t> intensity_mask;
  // The delineated shape, never re-segmented (IBSI G5KJ).
  std::vector<uint8_t> morphological_mask;

  size_t voxel_count() const {
    return static_cast<size_t>(size[0]) * static_cast<size_t>(size[1]) *
           static_cast<size_t>(size[2]);
  }
  size_t offset(int64_t i, int64_t j, int64_t k) const {
    return static_cast<size_t>(i + size[0] * (j + size[1] * k));
  }
  // Position (mm) of a voxel centre in the box frame.
  Vec3 position_mm(int64_t i, int64_t j, int64_t k) const {
    return {static_cast<double>(i) * spacing_mm[0], static_cast<double>(j) * spacing_mm[1],
            static_cast<double>(k) * spacing_mm[2]};
  }
};

// Discretised grey levels of the intensity mask on the RoiGrid box: level 1..n_levels inside
// the intensity mask, 0 outside. n_levels is N_g, the number of discretisation levels
// including absent ones (IBSI 4R0B; the reference values need it, radiomics-ibsi.md §3.6).
struct GreyLevelGrid {
  Index3 size{0, 0, 0};
  std::vector<int32_t> level;
  int n_levels = 0;

  size_t offset(int64_t i, int64_t j, int64_t k) const {
    return static_cast<size_t>(i + size[0] * (j + size[1] * k));
  }
  // Linear offset step of a displacement (di, dj, dk).
  int64_t step(int di, int dj, int dk) const { return di + size[0] * (dj + size[1] * dk); }
};

// Neighbour displacements. "Unique" sets contain one of each +-d pair, in the IBSI order
// (2D: (1,0), (1,1), (0,1), (-1,1); 3D: the 13 directions with a non-negative first non-zero
// component taken from the end, as listed in the manual).
using Displacement = std::array<int, 3>;
const std::vector<Displacement>& unique_directions_2d();
const std::vector<Displacement>& unique_directions_3d();
// All 8 (2D, in-slice) or 26 (3D) neighbours at Chebyshev distance 1.
const std::vector<Displacement>& chebyshev_neighbours(bool in_slice);
// The 4 (2D) or 6 (3D) face neighbours.
const std::vector<Displacement>& face_neighbours(bool in_slice);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_ROI_GRID_H_
