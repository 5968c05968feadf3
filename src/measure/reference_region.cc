#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/measure.h"

namespace oncotrace {

namespace {

// A voxel centre on the surface of the shape (within rounding) counts as inside.
constexpr double kSurfaceToleranceMm = 1e-6;

double squared(double value) { return value * value; }

std::string describe_position(const Vec3& position_mm) {
  char text[96];
  std::snprintf(text, sizeof(text), "(%.2f, %.2f, %.2f) mm", position_mm[0], position_mm[1],
                position_mm[2]);
  return text;
}

std::string describe_spec(const ReferenceRegionSpec& spec) {
  const std::string shape = spec.shape == RegionShape::kSphere
                                ? "sphere of diameter " + std::to_string(spec.diameter_mm) + " mm"
                                : "cylinder of diameter " + std::to_string(spec.diameter_mm) +
                                      " mm and length " + std::to_string(spec.length_mm) + " mm";
  return "reference " + shape + " at " + describe_position(spec.centre_mm);
}

Vec3 unit_axis(const ReferenceRegionSpec& spec) {
  const double norm =
      std::sqrt(squared(spec.axis[0]) + squared(spec.axis[1]) + squared(spec.axis[2]));
  if (!(norm > 0.0) || !std::isfinite(norm)) {
    throw InvalidInputError(describe_spec(spec) + ": the cylinder axis " +
                            describe_position(spec.axis) +
                            " has no direction; give a non-zero "
                            "axis in LPS");
  }
  return {spec.axis[0] / norm, spec.axis[1] / norm, spec.axis[2] / norm};
}

void validate_spec(const ReferenceRegionSpec& spec) {
  if (!(spec.diameter_mm > 0.0) || !std::isfinite(spec.diameter_mm)) {
    throw InvalidInputError(describe_spec(spec) + ": the diameter must be a positive number of mm");
  }
  if (spec.shape == RegionShape::kCylinder) {
    if (!(spec.length_mm > 0.0) || !std::isfinite(spec.length_mm)) {
      throw InvalidInputError(describe_spec(spec) +
                              ": the cylinder length must be a positive number of mm");
    }
    unit_axis(spec);
  }
}

// Half-size, per LPS axis, of the world box that encloses the shape.
Vec3 world_half_extent(const ReferenceRegionSpec& spec) {
  const double radius = 0.5 * spec.diameter_mm;
  if (spec.shape == RegionShape::kSphere) return {radius, radius, radius};
  const Vec3 axis = unit_axis(spec);
  Vec3 half{0.0, 0.0, 0.0};
  for (int row = 0; row < 3; ++row) {
    // A disc of radius r perpendicular to `axis` reaches r * sqrt(1 - axis_row^2) along `row`.
    half[row] = 0.5 * spec.length_mm * std::abs(axis[row]) +
                radius * std::sqrt(std::max(0.0, 1.0 - squared(axis[row])));
  }
  return half;
}

// The index box (clipped to the grid) of every voxel whose centre can lie in the shape.
IndexBox candidate_box(const Geometry& grid, const ReferenceRegionSpec& spec) {
  const Vec3 half = world_half_extent(spec);
  IndexBox box;
  for (int corner = 0; corner < 8; ++corner) {
    Vec3 world = spec.centre_mm;
    for (int axis = 0; axis < 3; ++axis) {
      world[axis] += ((corner >> axis) & 1) ? half[axis] : -half[axis];
    }
    const Vec3 index = grid.world_to_index(world);
    Index3 low{0, 0, 0};
    Index3 high{0, 0, 0};
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = static_cast<int64_t>(std::floor(index[axis]));
      high[axis] = static_cast<int64_t>(std::ceil(index[axis]));
    }
    box.include(low);
    box.include(high);
  }
  for (int axis = 0; axis < 3; ++axis) {
    box.lower[axis] = std::max<int64_t>(0, box.lower[axis]);
    box.upper[axis] = std::min<int64_t>(grid.size[axis] - 1, box.upper[axis]);
  }
  return box;
}

bool centre_inside(const ReferenceRegionSpec& spec, const Vec3& axis, const Vec3& position_mm) {
  const Vec3 d{position_mm[0] - spec.centre_mm[0], position_mm[1] - spec.centre_mm[1],
               position_mm[2] - spec.centre_mm[2]};
  const double radius = 0.5 * spec.diameter_mm + kSurfaceToleranceMm;
  const double distance_squared = squared(d[0]) + squared(d[1]) + squared(d[2]);
  if (spec.shape == RegionShape::kSphere) return distance_squared <= squared(radius);
  const double along = d[0] * axis[0] + d[1] * axis[1] + d[2] * axis[2];
  if (std::abs(along) > 0.5 * spec.length_mm + kSurfaceToleranceMm) return false;
  return distance_squared - squared(along) <= squared(radius);
}

}  // namespace

ReferenceRegionSpec percist_liver_sphere(const Vec3& centre_mm) {
  ReferenceRegionSpec spec;
  spec.shape = RegionShape::kSphere;
  spec.centre_mm = centre_mm;
  spec.diameter_mm = kPercistLiverSphereDiameterMm;
  return spec;
}

ReferenceRegionSpec percist_blood_pool_cylinder(const Vec3& centre_mm, const Vec3& axis) {
  ReferenceRegionSpec spec;
  spec.shape = RegionShape::kCylinder;
  spec.centre_mm = centre_mm;
  spec.diameter_mm = kPercistBloodPoolDiameterMm;
  spec.length_mm = kPercistBloodPoolLengthMm;
  spec.axis = axis;
  return spec;
}

double nominal_volume_ml(const ReferenceRegionSpec& spec) {
  const double radius_mm = 0.5 * spec.diameter_mm;
  const double volume_mm3 = spec.shape == RegionShape::kSphere
                                ? 4.0 / 3.0 * std::numbers::pi * radius_mm * radius_mm * radius_mm
                                : std::numbers::pi * radius_mm * radius_mm * spec.length_mm;
  return volume_mm3 / 1000.0;
}

std::vector<size_t> region_voxel_offsets(const Geometry& grid, const ReferenceRegionSpec& spec) {
  validate_spec(spec);
  std::vector<size_t> offsets;
  const Vec3 axis = spec.shape == RegionShape::kCylinder ? unit_axis(spec) : Vec3{0.0, 0.0, 1.0};
  const IndexBox box = candidate_box(grid, spec);
  if (box.empty()) return offsets;
  for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i) {
        if (centre_inside(spec, axis, grid.index_to_world(i, j, k))) {
          offsets.push_back(grid.offset(i, j, k));
        }
      }
    }
  }
  return offsets;
}

Mask rasterise_region(const Geometry& grid, const ReferenceRegionSpec& spec) {
  Mask mask(grid, 0);
  for (const size_t offset : region_voxel_offsets(grid, spec)) mask.values[offset] = 1;
  return mask;
}

ReferenceRegionStatistics measure_reference_region(const ImageVolume& image,
                                                   const ReferenceRegionSpec& spec,
                                                   StandardDeviationKind sd_kind) {
  // The region's voxels in raster order: the sums below are those of a whole-grid scan.
  const std::vector<size_t> offsets = region_voxel_offsets(image.geometry, spec);
  if (offsets.empty()) {
    throw InvalidInputError(describe_spec(spec) + " contains no voxel centre of the image grid " +
                            image.geometry.describe() +
                            "; place the region inside the image (centre in LPS mm)");
  }
  ReferenceRegionStatistics stats;
  stats.spec = spec;
  stats.sd_kind = sd_kind;
  stats.voxel_count = offsets.size();
  stats.volume_ml = static_cast<double>(stats.voxel_count) * image.geometry.voxel_volume_ml();
  stats.nominal_volume_ml = nominal_volume_ml(spec);
  double sum = 0.0;
  stats.max = image.values[offsets.front()];
  stats.min = stats.max;
  for (const size_t offset : offsets) {
    const double value = image.values[offset];
    sum += value;
    stats.max = std::max(stats.max, value);
    stats.min = std::min(stats.min, value);
  }
  const auto count = static_cast<double>(stats.voxel_count);
  stats.mean = sum / count;
  double squared_deviations = 0.0;
  for (const size_t offset : offsets) {
    squared_deviations += squared(image.values[offset] - stats.mean);
  }
  const double divisor =
      sd_kind == StandardDeviationKind::kSample ? std::max(1.0, count - 1.0) : count;
  stats.sd = stats.voxel_count > 1 ? std::sqrt(squared_deviations / divisor) : 0.0;
  return stats;
}

const char* blood_pool_threshold_rule_name(BloodPoolThresholdRule rule) {
  return rule == BloodPoolThresholdRule::kMeanOnly ? "2.0 x mean" : "2.0 x mean + 2 x SD";
}

double percist_liver_threshold(double liver_mean, double liver_sd) {
  return 1.5 * liver_mean + 2.0 * liver_sd;
}

double percist_blood_pool_threshold(double blood_pool_mean, double blood_pool_sd,
                                    BloodPoolThresholdRule rule) {
  const double threshold = 2.0 * blood_pool_mean;
  return rule == BloodPoolThresholdRule::kMeanOnly ? threshold : threshold + 2.0 * blood_pool_sd;
}

}  // namespace oncotrace
