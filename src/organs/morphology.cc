#include "organs/morphology.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "oncotrace/segment.h"

namespace oncotrace::organs_internal {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012): out[q] = min_p f[p] +
// (x_q - x_p)^2 over the sites p with finite f, positions x = index x spacing. With
// virtual_background, sites at index -1 and n with f = 0 stand for the space beyond the grid.
void envelope_1d(const std::vector<float>& f, double spacing, bool virtual_background,
                 std::vector<float>* out, std::vector<double>* positions,
                 std::vector<double>* values, std::vector<double>* bounds) {
  const auto n = static_cast<int64_t>(f.size());
  positions->clear();
  values->clear();
  if (virtual_background) {
    positions->push_back(-spacing);
    values->push_back(0.0);
  }
  for (int64_t q = 0; q < n; ++q) {
    if (std::isfinite(f[static_cast<size_t>(q)])) {
      positions->push_back(static_cast<double>(q) * spacing);
      values->push_back(f[static_cast<size_t>(q)]);
    }
  }
  if (virtual_background) {
    positions->push_back(static_cast<double>(n) * spacing);
    values->push_back(0.0);
  }
  if (positions->empty()) {
    std::fill(out->begin(), out->end(), kInfinity);
    return;
  }
  const size_t sites = positions->size();
  std::vector<size_t> hull(sites);
  bounds->assign(sites + 1, 0.0);
  size_t k = 0;
  hull[0] = 0;
  (*bounds)[0] = -std::numeric_limits<double>::infinity();
  (*bounds)[1] = std::numeric_limits<double>::infinity();
  auto intersection = [&](size_t p, size_t r) {
    const double xp = (*positions)[p], xr = (*positions)[r];
    return ((*values)[p] + xp * xp - (*values)[r] - xr * xr) / (2.0 * (xp - xr));
  };
  for (size_t p = 1; p < sites; ++p) {
    double s = intersection(p, hull[k]);
    while (s <= (*bounds)[k]) {
      --k;
      s = intersection(p, hull[k]);
    }
    ++k;
    hull[k] = p;
    (*bounds)[k] = s;
    (*bounds)[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int64_t q = 0; q < n; ++q) {
    const double x = static_cast<double>(q) * spacing;
    while ((*bounds)[k + 1] < x) ++k;
    const double d = x - (*positions)[hull[k]];
    (*out)[static_cast<size_t>(q)] = static_cast<float>(d * d + (*values)[hull[k]]);
  }
}

}  // namespace

std::vector<float> distance_transform_mm(const Mask& mask, bool outside_is_background,
                                         const std::array<bool, 3>& axes) {
  const Geometry& g = mask.geometry;
  std::vector<float> squared(mask.size());
  for (size_t v = 0; v < mask.size(); ++v) squared[v] = mask.values[v] != 0 ? kInfinity : 0.0f;
  std::vector<float> line, result;
  std::vector<double> positions, values, bounds;
  for (int axis = 0; axis < 3; ++axis) {
    if (!axes[static_cast<size_t>(axis)]) continue;
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    const int64_t n = g.size[axis];
    line.resize(static_cast<size_t>(n));
    result.resize(static_cast<size_t>(n));
    Index3 index{0, 0, 0};
    for (int64_t u = 0; u < g.size[a1]; ++u) {
      for (int64_t w = 0; w < g.size[a2]; ++w) {
        index[a1] = u;
        index[a2] = w;
        for (int64_t q = 0; q < n; ++q) {
          index[axis] = q;
          line[static_cast<size_t>(q)] = squared[g.offset(index[0], index[1], index[2])];
        }
        envelope_1d(line, g.spacing_mm[axis], outside_is_background, &result, &positions, &values,
                    &bounds);
        for (int64_t q = 0; q < n; ++q) {
          index[axis] = q;
          squared[g.offset(index[0], index[1], index[2])] = result[static_cast<size_t>(q)];
        }
      }
    }
  }
  for (float& value : squared) value = std::isfinite(value) ? std::sqrt(value) : kInfinity;
  return squared;
}

Mask erode_mm(const Mask& mask, double radius_mm) {
  const std::vector<float> distance = distance_transform_mm(mask, true, {true, true, true});
  Mask out(mask.geometry, 0);
  for (size_t v = 0; v < mask.size(); ++v) {
    out.values[v] = mask.values[v] != 0 && distance[v] > radius_mm + 1e-6 ? 1 : 0;
  }
  return out;
}

Mask dilate_mm(const Mask& mask, double radius_mm) {
  Mask inverse(mask.geometry, 0);
  for (size_t v = 0; v < mask.size(); ++v) inverse.values[v] = mask.values[v] != 0 ? 0 : 1;
  const std::vector<float> distance = distance_transform_mm(inverse, false, {true, true, true});
  Mask out(mask.geometry, 0);
  for (size_t v = 0; v < mask.size(); ++v) {
    out.values[v] = mask.values[v] != 0 || distance[v] <= radius_mm + 1e-6 ? 1 : 0;
  }
  return out;
}

Mask fill_axial_holes(const Mask& mask) {
  const Geometry& g = mask.geometry;
  Mask out = mask;
  const int64_t nx = g.size[0], ny = g.size[1];
  std::vector<uint8_t> reached(static_cast<size_t>(nx * ny));
  std::vector<int64_t> stack;
  for (int64_t k = 0; k < g.size[2]; ++k) {
    std::fill(reached.begin(), reached.end(), 0);
    stack.clear();
    auto push = [&](int64_t i, int64_t j) {
      const auto p = static_cast<size_t>(i + nx * j);
      if (reached[p] == 0 && mask.at(i, j, k) == 0) {
        reached[p] = 1;
        stack.push_back(i + nx * j);
      }
    };
    for (int64_t i = 0; i < nx; ++i) {
      push(i, 0);
      push(i, ny - 1);
    }
    for (int64_t j = 0; j < ny; ++j) {
      push(0, j);
      push(nx - 1, j);
    }
    while (!stack.empty()) {
      const int64_t p = stack.back();
      stack.pop_back();
      const int64_t i = p % nx, j = p / nx;
      if (i > 0) push(i - 1, j);
      if (i + 1 < nx) push(i + 1, j);
      if (j > 0) push(i, j - 1);
      if (j + 1 < ny) push(i, j + 1);
    }
    for (int64_t j = 0; j < ny; ++j) {
      for (int64_t i = 0; i < nx; ++i) {
        if (reached[static_cast<size_t>(i + nx * j)] == 0) out.at(i, j, k) = 1;
      }
    }
  }
  return out;
}

Mask largest_component(const Mask& mask) {
  const ComponentLabelling labelling = label_components(mask, Connectivity::kVertices26, 0.0);
  Mask out(mask.geometry, 0);
  uint16_t best = 0;
  size_t best_count = 0;
  for (const Component& component : labelling.kept) {
    if (component.voxel_count > best_count) {
      best_count = component.voxel_count;
      best = component.label;
    }
  }
  if (best == 0) return out;
  for (size_t v = 0; v < mask.size(); ++v) out.values[v] = labelling.labels.values[v] == best;
  return out;
}

Mask component_containing(const Mask& mask, size_t offset) {
  Mask out(mask.geometry, 0);
  if (offset >= mask.size() || mask.values[offset] == 0) return out;
  const ComponentLabelling labelling = label_components(mask, Connectivity::kVertices26, 0.0);
  const uint16_t label = labelling.labels.values[offset];
  for (size_t v = 0; v < mask.size(); ++v) out.values[v] = labelling.labels.values[v] == label;
  return out;
}

size_t count_voxels(const Mask& mask) {
  return static_cast<size_t>(std::count_if(mask.values.begin(), mask.values.end(),
                                           [](uint8_t value) { return value != 0; }));
}

VoxelPositions::VoxelPositions(const Geometry& grid) : size_(grid.size), origin_(grid.origin_mm) {
  for (int r = 0; r < 3; ++r) {
    a_[r] = grid.direction[static_cast<size_t>(3 * r + 0)] * grid.spacing_mm[0];
    b_[r] = grid.direction[static_cast<size_t>(3 * r + 1)] * grid.spacing_mm[1];
    c_[r] = grid.direction[static_cast<size_t>(3 * r + 2)] * grid.spacing_mm[2];
  }
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
