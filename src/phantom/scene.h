// The continuous phantom model: analytic shapes painted in order onto regions, and its
// rasterisation onto a voxel grid with partial volume.
//
// A scene is a list of shapes, each assigned to a region; a point belongs to the region of the
// LAST shape that contains it (painter's order), or to region 0 (air) when none does. Organs
// that are cut by others (the liver dome under the lung, the heart between the lungs) are made
// by painting order, not by boolean geometry.
#ifndef ONCOTRACE_PHANTOM_SCENE_H_
#define ONCOTRACE_PHANTOM_SCENE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace::phantom {

enum class ShapeKind { kEllipsoid, kCylinder, kBox };

// A solid in its own frame, placed at `centre_mm` with `rotation` (row-major; its COLUMNS are the
// shape's local axes in LPS). Local coordinates u = rotation^T (p - centre).
//   ellipsoid: sum (u_i / a_i)^2 <= 1, a = half_extent_mm
//   cylinder:  (u_0/a_0)^2 + (u_1/a_1)^2 <= 1 and |u_2| <= a_2 (elliptic cross-section, axis u_2)
//   box:       |u_i| <= a_i
struct Shape {
  ShapeKind kind = ShapeKind::kEllipsoid;
  Vec3 centre_mm{0, 0, 0};
  Vec3 half_extent_mm{1, 1, 1};
  Mat3 rotation{1, 0, 0, 0, 1, 0, 0, 0, 1};
};

Shape make_ellipsoid(const Vec3& centre_mm, const Vec3& semi_axes_mm, double rotation_z_deg = 0);
Shape make_sphere(const Vec3& centre_mm, double radius_mm);
// Elliptic cylinder along z from z_min to z_max.
Shape make_z_cylinder(double centre_x_mm, double centre_y_mm, double semi_axis_x_mm,
                      double semi_axis_y_mm, double z_min_mm, double z_max_mm);
Shape make_box(const Vec3& centre_mm, const Vec3& half_size_mm, double rotation_z_deg = 0);
// Rotation matrix for successive rotations about x, then y, then z (degrees).
Mat3 rotation_xyz_deg(double x_deg, double y_deg, double z_deg);

// Normalised level of p: <= 1 inside. It is Lipschitz with constant shape_level_lipschitz(), so
// a ball of radius r around p lies entirely on one side of the surface when
// |level - 1| > r * lipschitz.
double shape_level(const Shape& shape, const Vec3& point_mm);
double shape_level_lipschitz_per_mm(const Shape& shape);
// shape_level(shape, point_mm) <= 1, computed without the square root (the rasteriser's
// supersampling calls it for every point of every boundary voxel).
bool shape_contains(const Shape& shape, const Vec3& point_mm);
// Axis-aligned bounding box in LPS (conservative).
struct Bounds {
  Vec3 min_mm{0, 0, 0};
  Vec3 max_mm{0, 0, 0};
};
Bounds shape_bounds(const Shape& shape);
Shape translated(const Shape& shape, const Vec3& shift_mm);
// Exact volume for the ellipsoid, cylinder and box (mL).
double shape_volume_ml(const Shape& shape);

struct Region {
  std::string name;          // "liver", "lesion:primary_left_breast", "nema:sphere_37mm", ...
  int tissue = 0;            // Tissue (anatomy.h) for CT numbers and tracer uptake
  int lesion = -1;           // index into the lesion list, -1 when the region is no lesion
  bool lesion_core = false;  // necrotic core of `lesion`
};

struct PaintedShape {
  Shape shape;
  uint16_t region = 0;
};

struct Scene {
  std::vector<Region> regions;  // regions[0] is air
  std::vector<PaintedShape> shapes;

  uint16_t add_region(const Region& region);
  void paint(const Shape& shape, uint16_t region) { shapes.push_back({shape, region}); }
  // Region of a point (painter's order).
  uint16_t region_at(const Vec3& point_mm) const;
};

// Fractions of each region in each voxel of a grid. Pure voxels keep only `centre_region`; a
// voxel crossed by a region boundary has an entry in `mixed` with its (region, fraction) pairs.
struct RegionFractions {
  Geometry geometry;
  std::vector<uint16_t> centre_region;  // region of each voxel centre
  struct MixedVoxel {
    size_t offset = 0;   // voxel offset in the grid
    uint32_t first = 0;  // index of the first pair in `pairs`
    uint32_t count = 0;
  };
  std::vector<MixedVoxel> mixed;  // sorted by offset
  // Number of the supersampling points of the voxel (out of supersampling^3) in `region`; kept as
  // counts so that fractions are exact ratios.
  struct Pair {
    uint16_t region = 0;
    uint16_t count = 0;
  };
  std::vector<Pair> pairs;
  int supersampling = 1;
  double fraction(const Pair& pair) const {
    return static_cast<double>(pair.count) /
           static_cast<double>(supersampling * supersampling * supersampling);
  }
};

// Rasterises `scene` onto `grid` (identity direction required). `supersampling` points per axis
// are used in voxels that a region boundary may cross (at most 40); TBB parallel over slices,
// deterministic.
RegionFractions rasterize_scene(const Scene& scene, const Geometry& grid, int supersampling);

// Image with value_per_region[r] in region r, partial-volume weighted.
ImageVolume region_values_image(const RegionFractions& fractions,
                                const std::vector<double>& value_per_region);
// Volume (mL) of each region inside the grid's field of view, from the same supersampling
// counts as region_values_image (pure voxels count whole), so that
// sum_r volume[r] * value_per_region[r] is the integral of region_values_image over the grid up
// to float rounding. `region_count` sizes the result (regions beyond the scene's stay 0).
std::vector<double> region_volumes_ml(const RegionFractions& fractions, size_t region_count);
// Label map: label_per_region[r] for every voxel whose centre lies in region r.
LabelMap region_label_map(const RegionFractions& fractions,
                          const std::vector<uint16_t>& label_per_region);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_SCENE_H_
