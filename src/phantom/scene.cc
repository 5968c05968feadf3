#include "phantom/scene.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "oncotrace/error.h"

namespace oncotrace::phantom {
namespace {

Vec3 to_local(const Shape& shape, const Vec3& point_mm) {
  const Vec3 d{point_mm[0] - shape.centre_mm[0], point_mm[1] - shape.centre_mm[1],
               point_mm[2] - shape.centre_mm[2]};
  const Mat3& r = shape.rotation;
  // u = R^T d; the columns of R are the local axes.
  return {r[0] * d[0] + r[3] * d[1] + r[6] * d[2], r[1] * d[0] + r[4] * d[1] + r[7] * d[2],
          r[2] * d[0] + r[5] * d[1] + r[8] * d[2]};
}

double min_half_extent(const Shape& shape) {
  return std::min({shape.half_extent_mm[0], shape.half_extent_mm[1], shape.half_extent_mm[2]});
}

Mat3 multiply(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double sum = 0.0;
      for (int k = 0; k < 3; ++k) sum += a[i * 3 + k] * b[k * 3 + j];
      c[i * 3 + j] = sum;
    }
  }
  return c;
}

bool ranges_overlap(double a_min, double a_max, double b_min, double b_max) {
  return a_min <= b_max && b_min <= a_max;
}

// Region counts of one supersampled voxel; a handful of regions at most, so a flat list.
struct RegionCount {
  uint16_t region;
  uint32_t count;
};

// Region of a point given the shapes that cut its voxel (painting order) and the region of the
// voxel below them.
uint16_t region_of(const Scene& scene, const std::vector<uint32_t>& cutting_shapes,
                   uint16_t base_region, const Vec3& point_mm) {
  for (auto it = cutting_shapes.rbegin(); it != cutting_shapes.rend(); ++it) {
    const PaintedShape& painted = scene.shapes[*it];
    if (shape_contains(painted.shape, point_mm)) return painted.region;
  }
  return base_region;
}

// A shape that meets the current row: the voxels its bounds overlap, and what is known of its
// level without evaluating it again.
struct RowShape {
  uint32_t shape = 0;
  int64_t first = 0;
  int64_t last = -1;
  int64_t known_until = -1;  // voxels up to here are known to be inside/outside, not boundary
  bool inside = false;
};

struct SliceResult {
  std::vector<RegionFractions::MixedVoxel> mixed;
  std::vector<RegionFractions::Pair> pairs;
};

}  // namespace

Mat3 rotation_xyz_deg(double x_deg, double y_deg, double z_deg) {
  const double to_rad = std::numbers::pi / 180.0;
  const double cx = std::cos(x_deg * to_rad), sx = std::sin(x_deg * to_rad);
  const double cy = std::cos(y_deg * to_rad), sy = std::sin(y_deg * to_rad);
  const double cz = std::cos(z_deg * to_rad), sz = std::sin(z_deg * to_rad);
  const Mat3 rx{1, 0, 0, 0, cx, -sx, 0, sx, cx};
  const Mat3 ry{cy, 0, sy, 0, 1, 0, -sy, 0, cy};
  const Mat3 rz{cz, -sz, 0, sz, cz, 0, 0, 0, 1};
  return multiply(rz, multiply(ry, rx));
}

Shape make_ellipsoid(const Vec3& centre_mm, const Vec3& semi_axes_mm, double rotation_z_deg) {
  return {ShapeKind::kEllipsoid, centre_mm, semi_axes_mm, rotation_xyz_deg(0, 0, rotation_z_deg)};
}

Shape make_sphere(const Vec3& centre_mm, double radius_mm) {
  return make_ellipsoid(centre_mm, {radius_mm, radius_mm, radius_mm});
}

Shape make_z_cylinder(double centre_x_mm, double centre_y_mm, double semi_axis_x_mm,
                      double semi_axis_y_mm, double z_min_mm, double z_max_mm) {
  Shape shape;
  shape.kind = ShapeKind::kCylinder;
  shape.centre_mm = {centre_x_mm, centre_y_mm, 0.5 * (z_min_mm + z_max_mm)};
  shape.half_extent_mm = {semi_axis_x_mm, semi_axis_y_mm, 0.5 * (z_max_mm - z_min_mm)};
  return shape;
}

Shape make_box(const Vec3& centre_mm, const Vec3& half_size_mm, double rotation_z_deg) {
  return {ShapeKind::kBox, centre_mm, half_size_mm, rotation_xyz_deg(0, 0, rotation_z_deg)};
}

double shape_level(const Shape& shape, const Vec3& point_mm) {
  const Vec3 u = to_local(shape, point_mm);
  const Vec3& a = shape.half_extent_mm;
  switch (shape.kind) {
    case ShapeKind::kEllipsoid: {
      const double x = u[0] / a[0], y = u[1] / a[1], z = u[2] / a[2];
      return std::sqrt(x * x + y * y + z * z);
    }
    case ShapeKind::kCylinder: {
      const double x = u[0] / a[0], y = u[1] / a[1];
      return std::max(std::sqrt(x * x + y * y), std::abs(u[2]) / a[2]);
    }
    case ShapeKind::kBox:
      return std::max({std::abs(u[0]) / a[0], std::abs(u[1]) / a[1], std::abs(u[2]) / a[2]});
  }
  throw InternalError("shape_level: unknown shape kind");
}

bool shape_contains(const Shape& shape, const Vec3& point_mm) {
  const Vec3 u = to_local(shape, point_mm);
  const Vec3& a = shape.half_extent_mm;
  // sqrt is correctly rounded, so sqrt(q) <= 1 exactly when q <= 1 + epsilon (the next double
  // above 1): the same answer as shape_level() <= 1, bit for bit.
  constexpr double kNextAboveOne = 1.0 + std::numeric_limits<double>::epsilon();
  switch (shape.kind) {
    case ShapeKind::kEllipsoid: {
      const double x = u[0] / a[0], y = u[1] / a[1], z = u[2] / a[2];
      return x * x + y * y + z * z <= kNextAboveOne;
    }
    case ShapeKind::kCylinder: {
      const double x = u[0] / a[0], y = u[1] / a[1];
      return x * x + y * y <= kNextAboveOne && std::abs(u[2]) / a[2] <= 1.0;
    }
    case ShapeKind::kBox:
      return std::abs(u[0]) / a[0] <= 1.0 && std::abs(u[1]) / a[1] <= 1.0 &&
             std::abs(u[2]) / a[2] <= 1.0;
  }
  throw InternalError("shape_contains: unknown shape kind");
}

double shape_level_lipschitz_per_mm(const Shape& shape) { return 1.0 / min_half_extent(shape); }

Bounds shape_bounds(const Shape& shape) {
  Bounds bounds;
  const Mat3& r = shape.rotation;
  const Vec3& a = shape.half_extent_mm;
  for (int i = 0; i < 3; ++i) {
    double half = 0.0;
    if (shape.kind == ShapeKind::kEllipsoid) {
      // Support function of an ellipsoid along world axis i.
      for (int j = 0; j < 3; ++j) half += (r[i * 3 + j] * a[j]) * (r[i * 3 + j] * a[j]);
      half = std::sqrt(half);
    } else {
      for (int j = 0; j < 3; ++j) half += std::abs(r[i * 3 + j]) * a[j];
    }
    bounds.min_mm[i] = shape.centre_mm[i] - half;
    bounds.max_mm[i] = shape.centre_mm[i] + half;
  }
  return bounds;
}

Shape translated(const Shape& shape, const Vec3& shift_mm) {
  Shape moved = shape;
  for (int i = 0; i < 3; ++i) moved.centre_mm[i] += shift_mm[i];
  return moved;
}

double shape_volume_ml(const Shape& shape) {
  const Vec3& a = shape.half_extent_mm;
  const double product_mm3 = a[0] * a[1] * a[2];
  switch (shape.kind) {
    case ShapeKind::kEllipsoid:
      return 4.0 / 3.0 * std::numbers::pi * product_mm3 / 1000.0;
    case ShapeKind::kCylinder:
      return 2.0 * std::numbers::pi * product_mm3 / 1000.0;
    case ShapeKind::kBox:
      return 8.0 * product_mm3 / 1000.0;
  }
  throw InternalError("shape_volume_ml: unknown shape kind");
}

uint16_t Scene::add_region(const Region& region) {
  if (regions.size() >= 65535) throw InternalError("phantom scene: too many regions");
  regions.push_back(region);
  return static_cast<uint16_t>(regions.size() - 1);
}

uint16_t Scene::region_at(const Vec3& point_mm) const {
  for (auto it = shapes.rbegin(); it != shapes.rend(); ++it) {
    if (shape_contains(it->shape, point_mm)) return it->region;
  }
  return 0;
}

RegionFractions rasterize_scene(const Scene& scene, const Geometry& grid, int supersampling) {
  const Mat3 identity{1, 0, 0, 0, 1, 0, 0, 0, 1};
  if (grid.direction != identity) {
    throw InternalError("phantom rasterisation needs an axial grid with identity direction");
  }
  if (supersampling < 1 || supersampling > 40) {
    throw InvalidInputError("phantom supersampling " + std::to_string(supersampling) +
                            " is outside 1..40; give --supersampling N with N in 1..40");
  }

  RegionFractions result;
  result.geometry = grid;
  result.supersampling = supersampling;
  result.centre_region.assign(grid.voxel_count(), 0);

  std::vector<Bounds> bounds;
  std::vector<double> lipschitz;
  for (const PaintedShape& painted : scene.shapes) {
    bounds.push_back(shape_bounds(painted.shape));
    lipschitz.push_back(shape_level_lipschitz_per_mm(painted.shape));
  }
  const Vec3& h = grid.spacing_mm;
  // Every point of a voxel lies within this distance of its centre.
  const double half_diagonal_mm = 0.5 * std::sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
  const int n = supersampling;

  std::vector<SliceResult> slices(static_cast<size_t>(grid.size[2]));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, grid.size[2]), [&](const auto& range) {
    std::vector<uint32_t> slice_candidates, voxel_candidates;
    std::vector<RowShape> row_shapes;
    std::vector<RegionCount> counts;
    for (int64_t k = range.begin(); k != range.end(); ++k) {
      SliceResult& out = slices[static_cast<size_t>(k)];
      const double z = grid.origin_mm[2] + h[2] * static_cast<double>(k);
      slice_candidates.clear();
      for (uint32_t s = 0; s < scene.shapes.size(); ++s) {
        if (ranges_overlap(bounds[s].min_mm[2], bounds[s].max_mm[2], z - 0.5 * h[2],
                           z + 0.5 * h[2])) {
          slice_candidates.push_back(s);
        }
      }
      for (int64_t j = 0; j < grid.size[1]; ++j) {
        const double y = grid.origin_mm[1] + h[1] * static_cast<double>(j);
        // Shapes whose bounds meet this row, with the range of voxels their bounds overlap.
        row_shapes.clear();
        for (uint32_t s : slice_candidates) {
          if (!ranges_overlap(bounds[s].min_mm[1], bounds[s].max_mm[1], y - 0.5 * h[1],
                              y + 0.5 * h[1])) {
            continue;
          }
          RowShape row_shape;
          row_shape.shape = s;
          row_shape.first = std::max<int64_t>(
              0, static_cast<int64_t>(
                     std::ceil((bounds[s].min_mm[0] - 0.5 * h[0] - grid.origin_mm[0]) / h[0])));
          row_shape.last = std::min<int64_t>(
              grid.size[0] - 1,
              static_cast<int64_t>(
                  std::floor((bounds[s].max_mm[0] + 0.5 * h[0] - grid.origin_mm[0]) / h[0])));
          if (row_shape.first <= row_shape.last) row_shapes.push_back(row_shape);
        }
        for (int64_t i = 0; i < grid.size[0]; ++i) {
          const double x = grid.origin_mm[0] + h[0] * static_cast<double>(i);
          const Vec3 centre{x, y, z};
          // Shapes that may cut this voxel, painted after the last shape known to contain all
          // of it: only they can change the region of a supersampling point.
          uint16_t base_region = 0;
          voxel_candidates.clear();
          uint16_t centre_region = 0;
          bool boundary = false;
          for (RowShape& row_shape : row_shapes) {  // in painting order
            if (i < row_shape.first || i > row_shape.last) continue;
            const uint32_t s = row_shape.shape;
            bool cuts_voxel = false;
            if (i > row_shape.known_until) {
              // The level changes by at most lipschitz * h per voxel along the row, so after
              // one evaluation the next voxels are known to lie on the same side of the surface,
              // outside the boundary band, until that budget is spent.
              const double level = shape_level(scene.shapes[s].shape, centre);
              row_shape.inside = level <= 1.0;
              const double budget = std::abs(level - 1.0) - half_diagonal_mm * lipschitz[s];
              if (budget <= 0.0) {
                cuts_voxel = true;
                row_shape.known_until = i;
              } else {
                row_shape.known_until =
                    i + static_cast<int64_t>(std::floor(budget / (lipschitz[s] * h[0]) - 1e-9));
              }
            }
            if (row_shape.inside) centre_region = scene.shapes[s].region;
            if (cuts_voxel) {
              boundary = true;
              voxel_candidates.push_back(s);
            } else if (row_shape.inside) {
              base_region = scene.shapes[s].region;
              voxel_candidates.clear();
            }
          }
          const size_t offset = grid.offset(i, j, k);
          result.centre_region[offset] = centre_region;
          if (!boundary) {
            // Until a shape's bounds begin or end, or a shape's level must be evaluated again,
            // nothing above changes: the next voxels are pure and of the same region.
            int64_t span_end = grid.size[0] - 1;
            for (const RowShape& row_shape : row_shapes) {
              if (i < row_shape.first) {
                span_end = std::min(span_end, row_shape.first - 1);
              } else if (i <= row_shape.last) {
                span_end = std::min({span_end, row_shape.known_until, row_shape.last});
              }
            }
            if (span_end > i) {
              std::fill(result.centre_region.begin() + static_cast<std::ptrdiff_t>(offset) + 1,
                        result.centre_region.begin() + static_cast<std::ptrdiff_t>(offset) +
                            (span_end - i) + 1,
                        centre_region);
              i = span_end;
            }
            continue;
          }

          counts.clear();
          for (int c = 0; c < n; ++c) {
            const double pz = z + h[2] * ((c + 0.5) / n - 0.5);
            for (int b = 0; b < n; ++b) {
              const double py = y + h[1] * ((b + 0.5) / n - 0.5);
              for (int a = 0; a < n; ++a) {
                const double px = x + h[0] * ((a + 0.5) / n - 0.5);
                const uint16_t region =
                    region_of(scene, voxel_candidates, base_region, {px, py, pz});
                auto found = std::find_if(counts.begin(), counts.end(), [&](const RegionCount& rc) {
                  return rc.region == region;
                });
                if (found == counts.end()) {
                  counts.push_back({region, 1});
                } else {
                  ++found->count;
                }
              }
            }
          }
          if (counts.size() == 1 && counts[0].region == centre_region) continue;
          std::sort(counts.begin(), counts.end(),
                    [](const RegionCount& p, const RegionCount& q) { return p.region < q.region; });
          RegionFractions::MixedVoxel mixed;
          mixed.offset = offset;
          mixed.first = static_cast<uint32_t>(out.pairs.size());
          mixed.count = static_cast<uint32_t>(counts.size());
          for (const RegionCount& rc : counts) {
            out.pairs.push_back({rc.region, static_cast<uint16_t>(rc.count)});
          }
          out.mixed.push_back(mixed);
        }
      }
    }
  });

  for (SliceResult& slice : slices) {
    const uint32_t base = static_cast<uint32_t>(result.pairs.size());
    for (RegionFractions::MixedVoxel mixed : slice.mixed) {
      mixed.first += base;
      result.mixed.push_back(mixed);
    }
    result.pairs.insert(result.pairs.end(), slice.pairs.begin(), slice.pairs.end());
  }
  return result;
}

ImageVolume region_values_image(const RegionFractions& fractions,
                                const std::vector<double>& value_per_region) {
  ImageVolume image(fractions.geometry, 0.0f);
  const size_t voxels = image.values.size();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, voxels), [&](const auto& range) {
    for (size_t v = range.begin(); v != range.end(); ++v) {
      image.values[v] = static_cast<float>(value_per_region.at(fractions.centre_region[v]));
    }
  });
  tbb::parallel_for(tbb::blocked_range<size_t>(0, fractions.mixed.size()), [&](const auto& range) {
    for (size_t m = range.begin(); m != range.end(); ++m) {
      const RegionFractions::MixedVoxel& mixed = fractions.mixed[m];
      double sum = 0.0;
      for (uint32_t p = mixed.first; p < mixed.first + mixed.count; ++p) {
        const RegionFractions::Pair& pair = fractions.pairs[p];
        sum += fractions.fraction(pair) * value_per_region.at(pair.region);
      }
      image.values[mixed.offset] = static_cast<float>(sum);
    }
  });
  return image;
}

std::vector<double> region_volumes_ml(const RegionFractions& fractions, size_t region_count) {
  // Integer counts of supersampling points, exact whatever the order of summation.
  const int64_t points_per_voxel = static_cast<int64_t>(fractions.supersampling) *
                                   fractions.supersampling * fractions.supersampling;
  std::vector<int64_t> points(region_count, 0);
  for (uint16_t region : fractions.centre_region) points.at(region) += points_per_voxel;
  for (const RegionFractions::MixedVoxel& mixed : fractions.mixed) {
    points.at(fractions.centre_region[mixed.offset]) -= points_per_voxel;
    for (uint32_t p = mixed.first; p < mixed.first + mixed.count; ++p) {
      points.at(fractions.pairs[p].region) += fractions.pairs[p].count;
    }
  }
  const double ml_per_point =
      fractions.geometry.voxel_volume_ml() / static_cast<double>(points_per_voxel);
  std::vector<double> volumes(region_count);
  for (size_t r = 0; r < region_count; ++r) {
    volumes[r] = static_cast<double>(points[r]) * ml_per_point;
  }
  return volumes;
}

LabelMap region_label_map(const RegionFractions& fractions,
                          const std::vector<uint16_t>& label_per_region) {
  LabelMap labels(fractions.geometry, 0);
  for (size_t v = 0; v < labels.values.size(); ++v) {
    labels.values[v] = label_per_region.at(fractions.centre_region[v]);
  }
  return labels;
}

}  // namespace oncotrace::phantom
