// Geometry of a voxel grid in DICOM patient coordinates (LPS: +x towards the patient's left,
// +y posterior, +z head).
//
// A grid has size (i, j, k) with i fastest in memory, spacing in mm along each axis, the world
// position of the centre of voxel (0,0,0) ("origin", DICOM ImagePositionPatient of the first
// slice), and a direction matrix whose COLUMNS are the unit vectors of the i, j and k axes in
// LPS. For a DICOM series, column 0 is the row direction (ImageOrientationPatient[0..2], along
// which the column index i grows), column 1 the column direction (IOP[3..5]) and column 2 the
// slice normal pointing towards increasing slice index [DICOM PS3.3 C.7.6.2.1.1].
//
//   world = origin + direction * diag(spacing) * (i, j, k)^T
//
// Index <-> world transforms live here and nowhere else. NIfTI (RAS) is converted at the I/O
// edge (src/io/nifti.cc) by negating the first two world axes.
#ifndef ONCOTRACE_GEOMETRY_H_
#define ONCOTRACE_GEOMETRY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace oncotrace {

using Vec3 = std::array<double, 3>;
using Index3 = std::array<int64_t, 3>;
// Row-major 3x3 matrix; columns are the axis directions (see above).
using Mat3 = std::array<double, 9>;

struct Geometry {
  Index3 size{0, 0, 0};
  Vec3 spacing_mm{1.0, 1.0, 1.0};
  Vec3 origin_mm{0.0, 0.0, 0.0};
  Mat3 direction{1, 0, 0, 0, 1, 0, 0, 0, 1};

  size_t voxel_count() const {
    return static_cast<size_t>(size[0]) * static_cast<size_t>(size[1]) *
           static_cast<size_t>(size[2]);
  }
  double voxel_volume_ml() const { return spacing_mm[0] * spacing_mm[1] * spacing_mm[2] / 1000.0; }
  // Linear offset of voxel (i, j, k) in a buffer with i fastest.
  size_t offset(int64_t i, int64_t j, int64_t k) const {
    return static_cast<size_t>(i + size[0] * (j + size[1] * k));
  }
  bool contains(const Index3& index) const {
    return index[0] >= 0 && index[1] >= 0 && index[2] >= 0 && index[0] < size[0] &&
           index[1] < size[1] && index[2] < size[2];
  }

  // Continuous index (voxel centres at integers) -> LPS world position in mm.
  Vec3 index_to_world(const Vec3& continuous_index) const;
  Vec3 index_to_world(int64_t i, int64_t j, int64_t k) const {
    return index_to_world(
        Vec3{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
  }
  // LPS world position in mm -> continuous index. Requires an orthonormal direction matrix.
  Vec3 world_to_index(const Vec3& world_mm) const;
  // Nearest voxel index of a world position (may lie outside the grid; check contains()).
  Index3 world_to_nearest_index(const Vec3& world_mm) const;

  // True when both grids have the same size and their origin, spacing and direction agree
  // within tolerance_mm (positions) and 1e-4 (direction cosines).
  bool same_grid_as(const Geometry& other, double tolerance_mm = 1e-3) const;

  // "128x128x267 @ 4.6875x4.6875x3.27 mm, origin (..)" for messages and logs.
  std::string describe() const;
};

}  // namespace oncotrace

#endif  // ONCOTRACE_GEOMETRY_H_
