#include "organs/morphology.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "oncotrace/segment.h"

namespace oncotrace::organs_internal {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Scratch buffers of one 1D transform (one set per TBB task, reused over its lines).
struct EnvelopeScratch {
  std::vector<float> line, result;
  std::vector<double> positions, values, bounds;
  std::vector<size_t> hull;
};

// Lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012): out[q] = min_p f[p] +
// (x_q - x_p)^2 over the sites p with finite f, positions x = (first + index) x spacing, so that
// a line cut out of a bounding box gives bit for bit the values of the whole grid line (same
// positions, same arithmetic). With boundary_background, sites at index -1 and n with f = 0 stand
// for the voxels just outside the line: background voxels of the grid or the space beyond it.
void envelope_1d(const std::vector<float>& f, int64_t first, double spacing,
                 bool boundary_background, EnvelopeScratch* scratch) {
  const auto n = static_cast<int64_t>(f.size());
  std::vector<double>& positions = scratch->positions;
  std::vector<double>& values = scratch->values;
  std::vector<double>& bounds = scratch->bounds;
  std::vector<float>& out = scratch->result;
  out.resize(f.size());
  positions.clear();
  values.clear();
  if (boundary_background) {
    positions.push_back(static_cast<double>(first - 1) * spacing);
    values.push_back(0.0);
  }
  for (int64_t q = 0; q < n; ++q) {
    if (std::isfinite(f[static_cast<size_t>(q)])) {
      positions.push_back(static_cast<double>(first + q) * spacing);
      values.push_back(f[static_cast<size_t>(q)]);
    }
  }
  if (boundary_background) {
    positions.push_back(static_cast<double>(first + n) * spacing);
    values.push_back(0.0);
  }
  if (positions.empty()) {
    std::fill(out.begin(), out.end(), kInfinity);
    return;
  }
  const size_t sites = positions.size();
  std::vector<size_t>& hull = scratch->hull;
  hull.resize(sites);
  bounds.assign(sites + 1, 0.0);
  size_t k = 0;
  hull[0] = 0;
  bounds[0] = -std::numeric_limits<double>::infinity();
  bounds[1] = std::numeric_limits<double>::infinity();
  auto intersection = [&](size_t p, size_t r) {
    const double xp = positions[p], xr = positions[r];
    return (values[p] + xp * xp - values[r] - xr * xr) / (2.0 * (xp - xr));
  };
  for (size_t p = 1; p < sites; ++p) {
    double s = intersection(p, hull[k]);
    while (s <= bounds[k]) {
      --k;
      s = intersection(p, hull[k]);
    }
    ++k;
    hull[k] = p;
    bounds[k] = s;
    bounds[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int64_t q = 0; q < n; ++q) {
    const double x = static_cast<double>(first + q) * spacing;
    while (bounds[k + 1] < x) ++k;
    const double d = x - positions[hull[k]];
    out[static_cast<size_t>(q)] = static_cast<float>(d * d + values[hull[k]]);
  }
}

// The separable squared transform, in place, of `squared` (box-local buffer, i fastest, f = 0 on
// sites of distance 0 and infinity elsewhere) along the flagged axes. Lines are independent, so
// they run in parallel (TBB) with identical results whatever the thread count. Lines with nothing
// to do are skipped: all zero with boundary background (the transform is 0), or without a finite
// site without it (the transform is infinite).
void squared_transform_in_box(const Geometry& grid, const IndexBox& box, bool boundary_background,
                              const std::array<bool, 3>& axes, std::vector<float>* squared) {
  const Index3 extent{box.extent(0), box.extent(1), box.extent(2)};
  const std::array<int64_t, 3> stride{1, extent[0], extent[0] * extent[1]};
  for (int axis = 0; axis < 3; ++axis) {
    if (!axes[static_cast<size_t>(axis)]) continue;
    // Lines along `axis`, indexed by the two other axes: `outer` runs in parallel, `inner` is the
    // fastest-varying of them (contiguous lines next to each other in memory).
    const int inner = axis == 0 ? 1 : 0;
    const int outer = axis == 2 ? 1 : 2;
    const int64_t n = extent[axis];
    const double spacing = grid.spacing_mm[axis];
    const int64_t first = box.lower[axis];
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, extent[outer]),
        [&](const tbb::blocked_range<int64_t>& range) {
          EnvelopeScratch scratch;
          scratch.line.resize(static_cast<size_t>(n));
          for (int64_t w = range.begin(); w < range.end(); ++w) {
            for (int64_t u = 0; u < extent[inner]; ++u) {
              const int64_t start = w * stride[outer] + u * stride[inner];
              bool work = false;
              for (int64_t q = 0; q < n; ++q) {
                const float value = (*squared)[static_cast<size_t>(start + q * stride[axis])];
                scratch.line[static_cast<size_t>(q)] = value;
                work = work || (boundary_background ? value != 0.0f : std::isfinite(value));
              }
              if (!work) continue;
              envelope_1d(scratch.line, first, spacing, boundary_background, &scratch);
              for (int64_t q = 0; q < n; ++q) {
                (*squared)[static_cast<size_t>(start + q * stride[axis])] =
                    scratch.result[static_cast<size_t>(q)];
              }
            }
          }
        });
  }
}

// Calls visit(offset in grid, offset in box) for every voxel of `box`, slices in parallel.
template <typename Visit>
void for_each_in_box(const Geometry& grid, const IndexBox& box, const Visit& visit) {
  const int64_t nx = box.extent(0), ny = box.extent(1);
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(box.lower[2], box.upper[2] + 1),
      [&](const tbb::blocked_range<int64_t>& range) {
        for (int64_t k = range.begin(); k < range.end(); ++k) {
          for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
            size_t local = static_cast<size_t>(nx * ((j - box.lower[1]) + ny * (k - box.lower[2])));
            size_t offset = grid.offset(box.lower[0], j, k);
            for (int64_t i = 0; i < nx; ++i, ++local, ++offset) visit(offset, local);
          }
        }
      });
}

// Squared distances (box-local) from the voxels of `box` to the voxels where `mask` is zero.
// Exact (bit for bit the whole-grid transform) when `mask` is zero outside `box`: the voxels
// just outside the box are then background sites (or the space beyond the grid), and the sites
// farther out are never nearer to a voxel of the box than they are.
std::vector<float> squared_distance_to_background(const Mask& mask, const IndexBox& box,
                                                  const std::array<bool, 3>& axes) {
  std::vector<float> squared(box.voxel_count());
  for_each_in_box(mask.geometry, box, [&](size_t offset, size_t local) {
    squared[local] = mask.values[offset] != 0 ? kInfinity : 0.0f;
  });
  squared_transform_in_box(mask.geometry, box, true, axes, &squared);
  return squared;
}

// Index of the first non-zero byte of row[0, n), n when there is none; and of the last one, -1
// when there is none. Eight bytes at a time: most rows of an organ mask are all zero.
int64_t first_nonzero(const uint8_t* row, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, row + i, sizeof(word));
    if (word != 0) break;
  }
  for (; i < n; ++i) {
    if (row[i] != 0) return i;
  }
  return n;
}

int64_t last_nonzero(const uint8_t* row, int64_t n) {
  int64_t i = n;
  for (; i >= 8; i -= 8) {
    uint64_t word = 0;
    std::memcpy(&word, row + i - 8, sizeof(word));
    if (word != 0) break;
  }
  for (; i > 0; --i) {
    if (row[i - 1] != 0) return i - 1;
  }
  return -1;
}

}  // namespace

IndexBox nonzero_box(const Mask& mask) {
  const Geometry& grid = mask.geometry;
  const int64_t nx = grid.size[0], ny = grid.size[1];
  std::vector<IndexBox> slices(static_cast<size_t>(grid.size[2]));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, grid.size[2]),
                    [&](const tbb::blocked_range<int64_t>& range) {
                      for (int64_t k = range.begin(); k < range.end(); ++k) {
                        IndexBox& box = slices[static_cast<size_t>(k)];
                        for (int64_t j = 0; j < ny; ++j) {
                          const uint8_t* row = &mask.values[grid.offset(0, j, k)];
                          const int64_t first = first_nonzero(row, nx);
                          if (first == nx) continue;
                          const int64_t last = last_nonzero(row, nx);
                          if (box.empty()) {
                            box.lower = {first, j, k};
                            box.upper = {last, j, k};
                          } else {
                            box.lower[0] = std::min(box.lower[0], first);
                            box.upper[0] = std::max(box.upper[0], last);
                            box.upper[1] = j;
                          }
                        }
                      }
                    });
  IndexBox box;
  for (const IndexBox& slice : slices) {
    if (slice.empty()) continue;
    if (box.empty()) {
      box = slice;
      continue;
    }
    for (int axis = 0; axis < 3; ++axis) {
      box.lower[axis] = std::min(box.lower[axis], slice.lower[axis]);
      box.upper[axis] = std::max(box.upper[axis], slice.upper[axis]);
    }
  }
  return box;
}

BoxedDistance distance_to_background_in_box(const Mask& mask, const std::array<bool, 3>& axes) {
  BoxedDistance result;
  result.box = nonzero_box(mask);
  if (result.box.empty()) return result;
  result.distance = squared_distance_to_background(mask, result.box, axes);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, result.distance.size()),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t local = range.begin(); local < range.end(); ++local) {
                        float& value = result.distance[local];
                        value = std::isfinite(value) ? std::sqrt(value) : kInfinity;
                      }
                    });
  return result;
}

float BoxedDistance::at(int64_t i, int64_t j, int64_t k) const {
  if (!box.contains({i, j, k})) return 0.0f;
  return distance[static_cast<size_t>(
      (i - box.lower[0]) +
      box.extent(0) * ((j - box.lower[1]) + box.extent(1) * (k - box.lower[2])))];
}

std::vector<float> distance_transform_mm(const Mask& mask, bool outside_is_background,
                                         const std::array<bool, 3>& axes) {
  const Geometry& g = mask.geometry;
  if (outside_is_background) {
    // Outside the bounding box of the mask every distance is 0.
    std::vector<float> distance(mask.size(), 0.0f);
    const BoxedDistance boxed = distance_to_background_in_box(mask, axes);
    if (boxed.box.empty()) return distance;
    for_each_in_box(g, boxed.box,
                    [&](size_t offset, size_t local) { distance[offset] = boxed.distance[local]; });
    return distance;
  }
  IndexBox whole;
  whole.lower = {0, 0, 0};
  whole.upper = {g.size[0] - 1, g.size[1] - 1, g.size[2] - 1};
  std::vector<float> squared(mask.size());
  for_each_in_box(g, whole, [&](size_t offset, size_t) {
    squared[offset] = mask.values[offset] != 0 ? kInfinity : 0.0f;
  });
  squared_transform_in_box(g, whole, false, axes, &squared);
  for (float& value : squared) value = std::isfinite(value) ? std::sqrt(value) : kInfinity;
  return squared;
}

Mask erode_mm(const Mask& mask, double radius_mm) {
  Mask out(mask.geometry, 0);
  const IndexBox box = nonzero_box(mask);
  if (box.empty()) return out;
  const std::vector<float> squared = squared_distance_to_background(mask, box, {true, true, true});
  for_each_in_box(mask.geometry, box, [&](size_t offset, size_t local) {
    const float value = squared[local];
    const float distance = std::isfinite(value) ? std::sqrt(value) : kInfinity;
    out.values[offset] = mask.values[offset] != 0 && distance > radius_mm + 1e-6 ? 1 : 0;
  });
  return out;
}

uint8_t BoxedMask::at(int64_t i, int64_t j, int64_t k) const {
  if (!box.contains({i, j, k})) return 0;
  return values[static_cast<size_t>((i - box.lower[0]) +
                                    box.extent(0) *
                                        ((j - box.lower[1]) + box.extent(1) * (k - box.lower[2])))];
}

BoxedMask dilate_boxed_mm(const Geometry& g, const BoxedMask& region, double radius_mm) {
  BoxedMask out;
  if (region.box.empty()) return out;
  // Voxels more than radius_mm / spacing + 1 voxels away along some axis from region.box are
  // farther than radius_mm from the region; inside the grown box the transform of the inverse
  // mask has no site outside the box (the region is zero there), so it is exact.
  IndexBox& box = out.box;
  box = region.box;
  for (int axis = 0; axis < 3; ++axis) {
    const auto reach = static_cast<int64_t>(std::ceil(radius_mm / g.spacing_mm[axis])) + 1;
    box.lower[axis] = std::max<int64_t>(0, box.lower[axis] - reach);
    box.upper[axis] = std::min<int64_t>(g.size[axis] - 1, box.upper[axis] + reach);
  }
  const int64_t nx = box.extent(0), ny = box.extent(1);
  // Calls visit(region value, local offset in `box`) for every voxel of `box`, slices in
  // parallel (each voxel written by its own iteration only).
  auto for_each_voxel = [&](const auto& visit) {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(box.lower[2], box.upper[2] + 1),
        [&](const tbb::blocked_range<int64_t>& range) {
          for (int64_t k = range.begin(); k < range.end(); ++k) {
            for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
              auto local = static_cast<size_t>(nx * ((j - box.lower[1]) + ny * (k - box.lower[2])));
              for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++local) {
                visit(region.at(i, j, k), local);
              }
            }
          }
        });
  };
  std::vector<float> squared(box.voxel_count());
  for_each_voxel(
      [&](uint8_t inside, size_t local) { squared[local] = inside != 0 ? 0.0f : kInfinity; });
  squared_transform_in_box(g, box, false, {true, true, true}, &squared);
  out.values.assign(box.voxel_count(), 0);
  for_each_voxel([&](uint8_t inside, size_t local) {
    const float value = squared[local];
    const float distance = std::isfinite(value) ? std::sqrt(value) : kInfinity;
    out.values[local] = inside != 0 || distance <= radius_mm + 1e-6 ? 1 : 0;
  });
  return out;
}

BoxedMask boxed_region(const Mask& mask) {
  BoxedMask region;
  region.box = nonzero_box(mask);
  if (region.box.empty()) return region;
  region.values.resize(region.box.voxel_count());
  for_each_in_box(mask.geometry, region.box, [&](size_t offset, size_t local) {
    region.values[local] = mask.values[offset] != 0 ? 1 : 0;
  });
  return region;
}

Mask dilate_mm(const Mask& mask, double radius_mm) {
  const Geometry& g = mask.geometry;
  Mask out(g, 0);
  const BoxedMask region = boxed_region(mask);
  if (region.box.empty()) return out;
  const BoxedMask grown = dilate_boxed_mm(g, region, radius_mm);
  for_each_in_box(g, grown.box,
                  [&](size_t offset, size_t local) { out.values[offset] = grown.values[local]; });
  return out;
}

Mask fill_axial_holes(const Mask& mask) {
  const Geometry& g = mask.geometry;
  Mask out = mask;
  const int64_t nx = g.size[0], ny = g.size[1];
  // Slices are independent (parallel). Within a slice the flood from the border runs only over
  // the bounding box of the slice's mask grown by one voxel: the zero voxels outside it are all
  // reached, and so is that one-voxel ring, which is zero and touches them.
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, g.size[2]),
                    [&](const tbb::blocked_range<int64_t>& range) {
                      std::vector<uint8_t> reached;
                      std::vector<int64_t> stack;
                      for (int64_t k = range.begin(); k < range.end(); ++k) {
                        const uint8_t* slice = &mask.values[g.offset(0, 0, k)];
                        int64_t i_low = nx, i_high = -1, j_low = ny, j_high = -1;
                        for (int64_t j = 0; j < ny; ++j) {
                          for (int64_t i = 0; i < nx; ++i) {
                            if (slice[i + nx * j] == 0) continue;
                            i_low = std::min(i_low, i);
                            i_high = std::max(i_high, i);
                            j_low = std::min(j_low, j);
                            j_high = std::max(j_high, j);
                          }
                        }
                        if (i_high < 0) continue;
                        i_low = std::max<int64_t>(0, i_low - 1);
                        j_low = std::max<int64_t>(0, j_low - 1);
                        i_high = std::min<int64_t>(nx - 1, i_high + 1);
                        j_high = std::min<int64_t>(ny - 1, j_high + 1);
                        const int64_t bx = i_high - i_low + 1, by = j_high - j_low + 1;
                        reached.assign(static_cast<size_t>(bx * by), 0);
                        stack.clear();
                        auto push = [&](int64_t i, int64_t j) {
                          const auto p = static_cast<size_t>(i + bx * j);
                          if (reached[p] == 0 && slice[(i + i_low) + nx * (j + j_low)] == 0) {
                            reached[p] = 1;
                            stack.push_back(i + bx * j);
                          }
                        };
                        for (int64_t i = 0; i < bx; ++i) {
                          push(i, 0);
                          push(i, by - 1);
                        }
                        for (int64_t j = 0; j < by; ++j) {
                          push(0, j);
                          push(bx - 1, j);
                        }
                        while (!stack.empty()) {
                          const int64_t p = stack.back();
                          stack.pop_back();
                          const int64_t i = p % bx, j = p / bx;
                          if (i > 0) push(i - 1, j);
                          if (i + 1 < bx) push(i + 1, j);
                          if (j > 0) push(i, j - 1);
                          if (j + 1 < by) push(i, j + 1);
                        }
                        for (int64_t j = 0; j < by; ++j) {
                          for (int64_t i = 0; i < bx; ++i) {
                            if (reached[static_cast<size_t>(i + bx * j)] == 0)
                              out.at(i + i_low, j + j_low, k) = 1;
                          }
                        }
                      }
                    });
  return out;
}

Components find_components(const Mask& mask) {
  const Geometry& g = mask.geometry;
  Components result;
  result.grid = g;
  result.box = nonzero_box(mask);
  if (result.box.empty()) return result;
  const IndexBox& box = result.box;
  // Box-local ids with a one-voxel ring of background around the box, so that the 26 neighbour
  // steps need no bounds checks. -2: mask voxel not yet visited, -1: background.
  const int64_t px = box.extent(0) + 2, py = box.extent(1) + 2, pz = box.extent(2) + 2;
  std::vector<int32_t>& ids = result.ids;
  ids.assign(static_cast<size_t>(px * py * pz), -1);
  for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      size_t local =
          static_cast<size_t>(1 + px * ((j - box.lower[1] + 1) + py * (k - box.lower[2] + 1)));
      size_t offset = g.offset(box.lower[0], j, k);
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++local, ++offset) {
        if (mask.values[offset] != 0) ids[local] = -2;
      }
    }
  }
  std::vector<int64_t> steps;
  for (int64_t dk = -1; dk <= 1; ++dk) {
    for (int64_t dj = -1; dj <= 1; ++dj) {
      for (int64_t di = -1; di <= 1; ++di) {
        if (di != 0 || dj != 0 || dk != 0) steps.push_back(di + px * (dj + py * dk));
      }
    }
  }
  // Raster scan: components are numbered in the raster order of their first voxel, as
  // label_components (src/segment) numbers them.
  std::vector<int64_t> pending;
  for (int64_t local = 0; local < px * py * pz; ++local) {
    if (ids[static_cast<size_t>(local)] != -2) continue;
    const auto id = static_cast<int32_t>(result.voxel_counts.size());
    size_t count = 0;
    ids[static_cast<size_t>(local)] = id;
    pending.push_back(local);
    while (!pending.empty()) {
      const int64_t at = pending.back();
      pending.pop_back();
      ++count;
      for (const int64_t step : steps) {
        int32_t& next = ids[static_cast<size_t>(at + step)];
        if (next != -2) continue;
        next = id;
        pending.push_back(at + step);
      }
    }
    result.voxel_counts.push_back(count);
  }
  return result;
}

Mask Components::mask_of(const std::vector<uint8_t>& selected) const {
  Mask out(grid, 0);
  if (box.empty()) return out;
  const int64_t px = box.extent(0) + 2, py = box.extent(1) + 2;
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(box.lower[2], box.upper[2] + 1),
      [&](const tbb::blocked_range<int64_t>& range) {
        for (int64_t k = range.begin(); k < range.end(); ++k) {
          for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
            size_t local = static_cast<size_t>(
                1 + px * ((j - box.lower[1] + 1) + py * (k - box.lower[2] + 1)));
            size_t offset = grid.offset(box.lower[0], j, k);
            for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++local, ++offset) {
              const int32_t id = ids[local];
              out.values[offset] = id >= 0 && selected[static_cast<size_t>(id)] != 0 ? 1 : 0;
            }
          }
        }
      });
  return out;
}

int32_t Components::id_at(size_t offset) const {
  const auto o = static_cast<int64_t>(offset);
  const Index3 index{o % grid.size[0], (o / grid.size[0]) % grid.size[1],
                     o / (grid.size[0] * grid.size[1])};
  if (!box.contains(index)) return -1;
  const int64_t px = box.extent(0) + 2, py = box.extent(1) + 2;
  return ids[static_cast<size_t>(
      (index[0] - box.lower[0] + 1) +
      px * ((index[1] - box.lower[1] + 1) + py * (index[2] - box.lower[2] + 1)))];
}

Mask largest_component(const Mask& mask) {
  const Components components = find_components(mask);
  std::vector<uint8_t> selected(components.voxel_counts.size(), 0);
  size_t best = 0, best_count = 0;
  for (size_t id = 0; id < components.voxel_counts.size(); ++id) {
    if (components.voxel_counts[id] > best_count) {
      best_count = components.voxel_counts[id];
      best = id;
    }
  }
  if (best_count > 0) selected[best] = 1;
  return components.mask_of(selected);
}

size_t count_voxels(const Mask& mask) {
  // Integer sums: exact in any order, so the blocks run in parallel.
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, mask.values.size(), size_t{1} << 16), size_t{0},
      [&](const tbb::blocked_range<size_t>& range, size_t count) {
        for (size_t v = range.begin(); v < range.end(); ++v) count += mask.values[v] != 0 ? 1 : 0;
        return count;
      },
      [](size_t a, size_t b) { return a + b; });
}

VoxelPositions::VoxelPositions(const Geometry& grid) : size_(grid.size), origin_(grid.origin_mm) {
  for (size_t r = 0; r < 3; ++r) {
    a_[r] = grid.direction[3 * r + 0] * grid.spacing_mm[0];
    b_[r] = grid.direction[3 * r + 1] * grid.spacing_mm[1];
    c_[r] = grid.direction[3 * r + 2] * grid.spacing_mm[2];
  }
  axis_aligned_ =
      a_[1] == 0.0 && a_[2] == 0.0 && b_[0] == 0.0 && b_[2] == 0.0 && c_[0] == 0.0 && c_[1] == 0.0;
  if (!axis_aligned_) return;
  // The general expression with the other two indices 0 (their terms are zero whatever they are).
  for (int64_t i = 0; i < size_[0]; ++i)
    x_.push_back(origin_[0] + i * a_[0] + 0 * b_[0] + 0 * c_[0]);
  for (int64_t j = 0; j < size_[1]; ++j)
    y_.push_back(origin_[1] + 0 * a_[1] + j * b_[1] + 0 * c_[1]);
  for (int64_t k = 0; k < size_[2]; ++k)
    z_.push_back(origin_[2] + 0 * a_[2] + 0 * b_[2] + k * c_[2]);
}

Vec3 VoxelPositions::at_offset(size_t offset) const {
  const auto o = static_cast<int64_t>(offset);
  const int64_t i = o % size_[0];
  const int64_t j = (o / size_[0]) % size_[1];
  const int64_t k = o / (size_[0] * size_[1]);
  return at(i, j, k);
}

}  // namespace oncotrace::organs_internal

namespace oncotrace {

std::vector<float> distance_to_background_mm(const Mask& mask, bool outside_is_background) {
  return organs_internal::distance_transform_mm(mask, outside_is_background, {true, true, true});
}

double dice_coefficient(const Mask& a, const Mask& b) {
  if (!a.geometry.same_grid_as(b.geometry)) {
    throw InvalidInputError("dice_coefficient: the masks are on different grids (" +
                            a.geometry.describe() + " vs " + b.geometry.describe() + ")");
  }
  size_t both = 0, count_a = 0, count_b = 0;
  for (size_t v = 0; v < a.size(); ++v) {
    const bool in_a = a.values[v] != 0, in_b = b.values[v] != 0;
    count_a += in_a;
    count_b += in_b;
    both += in_a && in_b;
  }
  if (count_a + count_b == 0) return 1.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(count_a + count_b);
}

}  // namespace oncotrace
