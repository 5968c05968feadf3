// Tracing the outline of a region in one plane along voxel edges (used by the RTSTRUCT writer,
// include/oncotrace/dicom_rtstruct.h); exposed for unit tests.
#ifndef ONCOTRACE_DICOM_RT_CONTOURS_H_
#define ONCOTRACE_DICOM_RT_CONTOURS_H_

#include <array>
#include <cstdint>
#include <vector>

namespace oncotrace::dicom {

// A corner of the voxel lattice: corner (a, b) is the point (a - 0.5, b - 0.5) in continuous
// index coordinates of the plane (voxel centres at integers).
using LatticeCorner = std::array<int64_t, 2>;
using CornerLoop = std::vector<LatticeCorner>;  // closed: the last corner joins the first

// The boundary loops of the region {(i, j) : inside[i + j * size_i] != 0}: every edge between an
// inside voxel and an outside one (or the plane's border) appears in exactly one loop, directed
// with the region on its left (counter-clockwise around outer boundaries in (i, j), clockwise
// around holes). At a corner shared by two diagonal voxels the trace turns left, towards the
// region it follows. Collinear corners are dropped. Loops start at their lowest (b, a) corner and
// come in order of their start, so the result is deterministic.
std::vector<CornerLoop> trace_region_outlines(const std::vector<uint8_t>& inside, int64_t size_i,
                                              int64_t size_j);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_RT_CONTOURS_H_
