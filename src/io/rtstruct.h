// Internal pieces of RTSTRUCT rasterisation, exposed for unit tests.
#ifndef ONCOTRACE_IO_RTSTRUCT_H_
#define ONCOTRACE_IO_RTSTRUCT_H_

#include <array>
#include <cstdint>
#include <vector>

namespace oncotrace::io_internal {

// A polygon in one image plane, vertices in continuous index coordinates (i, j) of that plane
// (voxel centres at integers); the last vertex joins the first.
using PlanePoint = std::array<double, 2>;
using PlanePolygon = std::vector<PlanePoint>;

// Sets to 1 every voxel (i, j) of a plane of size_i x size_j (i fastest) whose centre lies
// inside an odd number of `polygons` (even-odd rule over all of them together), and leaves the
// others unchanged. The crossing test is PNPOLY's (W. R. Franklin): an edge crosses the row y = j
// when exactly one end lies strictly above it, and the centre is inside when an odd number of
// crossings lie strictly to its right. Scanline form: each row sorts its crossings and fills
// i in [x_0, x_1), [x_2, x_3), ...
void fill_even_odd(const std::vector<PlanePolygon>& polygons, int64_t size_i, int64_t size_j,
                   uint8_t* plane);

}  // namespace oncotrace::io_internal

#endif  // ONCOTRACE_IO_RTSTRUCT_H_
