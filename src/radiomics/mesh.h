// Triangle meshes of ROI masks (marching cubes) and the geometry built on them.
#ifndef ONCOTRACE_RADIOMICS_MESH_H_
#define ONCOTRACE_RADIOMICS_MESH_H_

#include <array>
#include <cstdint>
#include <vector>

#include "oncotrace/geometry.h"

namespace oncotrace::radiomics::detail {

struct TriangleMesh {
  std::vector<Vec3> vertices;                 // mm
  std::vector<std::array<int32_t, 3>> faces;  // counter-clockwise seen from outside
};

// Marching cubes [Lorensen WE, Cline HE, SIGGRAPH 1987] on a binary mask at iso-level 0.5, the
// mesh the IBSI morphology features are defined on (HCUG: the mask padded with zeros, vertices
// in world millimetres). The mask must have a border of zeros on every side, as RoiGrid has;
// vertex (i, j, k) sits at (i * spacing, j * spacing, k * spacing).
//
// Why hand-written: the cube-configuration table is generated here from two rules instead of
// being copied as the usual 256-entry table. The first traces the iso-line on the cube faces
// and makes the surface closed and consistently oriented, which the signed-volume formula
// needs; on faces whose corners alternate (the ambiguous case; for a binary mask the face
// centre lies exactly on the iso-level) inside corners are kept separate, as in Lorensen's
// table. The second triangulates each polygon as the classic table does (see fan_start in
// mesh.cc): the result equals scikit-image's Lorensen marching cubes, the mesh behind the IBSI
// reference values. ITK's BinaryMask3DMeshSource guarantees neither orientation nor this
// triangulation.
TriangleMesh marching_cubes(const Index3& size, const Vec3& spacing_mm,
                            const std::vector<uint8_t>& mask);

// Enclosed volume |sum a.(b x c)| / 6 (IBSI RNU0) and area sum |ab x ac| / 2 (C0JK).
double mesh_volume(const TriangleMesh& mesh);
double mesh_area(const TriangleMesh& mesh);

// Convex hull (Qhull) of a point set: volume, area and the indices of the hull vertices.
struct ConvexHull {
  double volume = 0.0;
  double area = 0.0;
  std::vector<int32_t> vertex_indices;
  // Outward unit normals of the hull facets (for the oriented minimum bounding box).
  std::vector<Vec3> facet_normals;
  bool valid = false;  // false for degenerate (flat) point sets
};
ConvexHull convex_hull(const std::vector<Vec3>& points);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_MESH_H_
