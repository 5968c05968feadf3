// Projections of volumes onto coronal and sagittal planes (include/oncotrace/report.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "oncotrace/error.h"
#include "oncotrace/report.h"

namespace oncotrace {
namespace {

// How the grid axes of a volume map onto the rows, columns and depth of a projection.
struct ViewAxes {
  int column_axis = 0;           // grid axis along the displayed horizontal world axis
  int row_axis = 2;              // grid axis along z
  int depth_axis = 1;            // grid axis projected away
  bool column_reversed = false;  // column 0 is the last index along column_axis
  bool row_reversed = false;     // row 0 is the last index along row_axis
};

// Component `world` of the direction of grid axis `axis` (row-major matrix, columns = axes).
double direction_cosine(const Geometry& grid, int world, int axis) {
  return grid.direction[static_cast<size_t>(world) * 3 + static_cast<size_t>(axis)];
}

// The LPS world axis each grid axis is closest to, with the sign of its direction cosine.
ViewAxes view_axes(const Geometry& grid, ProjectionView view) {
  std::array<int, 3> grid_axis_of_world{-1, -1, -1};
  std::array<double, 3> cosine_of_grid_axis{0, 0, 0};
  for (int axis = 0; axis < 3; ++axis) {
    int best = 0;
    for (int world = 1; world < 3; ++world) {
      if (std::fabs(direction_cosine(grid, world, axis)) >
          std::fabs(direction_cosine(grid, best, axis))) {
        best = world;
      }
    }
    if (grid_axis_of_world[static_cast<size_t>(best)] >= 0) {
      throw UnsupportedDataError("grid " + grid.describe() +
                                 ": two image axes point along the same patient axis; an "
                                 "oblique grid cannot be projected (resample it first)");
    }
    grid_axis_of_world[static_cast<size_t>(best)] = axis;
    cosine_of_grid_axis[static_cast<size_t>(axis)] = direction_cosine(grid, best, axis);
  }
  const int column_world = view == ProjectionView::kCoronal ? 0 : 1;
  const int depth_world = view == ProjectionView::kCoronal ? 1 : 0;
  ViewAxes axes;
  axes.column_axis = grid_axis_of_world[static_cast<size_t>(column_world)];
  axes.depth_axis = grid_axis_of_world[static_cast<size_t>(depth_world)];
  axes.row_axis = grid_axis_of_world[2];
  // Columns grow along +x (coronal, towards the patient's left) or +y (sagittal, posterior).
  axes.column_reversed = cosine_of_grid_axis[static_cast<size_t>(axes.column_axis)] < 0.0;
  // Row 0 is the most superior plane (largest z).
  axes.row_reversed = cosine_of_grid_axis[static_cast<size_t>(axes.row_axis)] > 0.0;
  return axes;
}

// An empty projection with the size, spacing and world coordinates of `grid` seen in `view`.
Projection empty_projection(const Geometry& grid, ProjectionView view, const ViewAxes& axes) {
  Projection out;
  out.view = view;
  out.width = grid.size[static_cast<size_t>(axes.column_axis)];
  out.height = grid.size[static_cast<size_t>(axes.row_axis)];
  out.column_spacing_mm = grid.spacing_mm[static_cast<size_t>(axes.column_axis)];
  out.row_spacing_mm = grid.spacing_mm[static_cast<size_t>(axes.row_axis)];
  Vec3 first_column{0, 0, 0};
  first_column[static_cast<size_t>(axes.column_axis)] =
      axes.column_reversed ? static_cast<double>(out.width - 1) : 0.0;
  Vec3 first_row{0, 0, 0};
  first_row[static_cast<size_t>(axes.row_axis)] =
      axes.row_reversed ? static_cast<double>(out.height - 1) : 0.0;
  out.column_origin_mm =
      grid.index_to_world(first_column)[view == ProjectionView::kCoronal ? 0 : 1];
  out.row_origin_mm = grid.index_to_world(first_row)[2];
  out.values.assign(static_cast<size_t>(out.width * out.height), 0.0F);
  return out;
}

// Calls visit(offset, pixel) for every voxel of `grid` in memory order, with the row-major pixel
// index of the projection it falls on.
template <typename Visit>
void for_each_voxel(const Geometry& grid, const ViewAxes& axes, const Projection& projection,
                    Visit&& visit) {
  size_t offset = 0;
  Index3 index{0, 0, 0};
  for (index[2] = 0; index[2] < grid.size[2]; ++index[2]) {
    for (index[1] = 0; index[1] < grid.size[1]; ++index[1]) {
      for (index[0] = 0; index[0] < grid.size[0]; ++index[0], ++offset) {
        const int64_t along_column = index[static_cast<size_t>(axes.column_axis)];
        const int64_t along_row = index[static_cast<size_t>(axes.row_axis)];
        const int64_t column =
            axes.column_reversed ? projection.width - 1 - along_column : along_column;
        const int64_t row = axes.row_reversed ? projection.height - 1 - along_row : along_row;
        visit(offset, static_cast<size_t>(row * projection.width + column), index);
      }
    }
  }
}

}  // namespace

std::array<char, 4> projection_edge_letters(ProjectionView view) {
  if (view == ProjectionView::kCoronal) return {'R', 'L', 'S', 'I'};
  return {'A', 'P', 'S', 'I'};
}

Projection maximum_intensity_projection(const ImageVolume& image, ProjectionView view) {
  const Geometry& grid = image.geometry;
  if (image.values.size() != grid.voxel_count() || grid.voxel_count() == 0) {
    throw InvalidInputError("maximum-intensity projection of an empty image " + grid.describe());
  }
  const ViewAxes axes = view_axes(grid, view);
  Projection out = empty_projection(grid, view, axes);
  std::fill(out.values.begin(), out.values.end(), std::numeric_limits<float>::lowest());
  for_each_voxel(grid, axes, out, [&](size_t offset, size_t pixel, const Index3&) {
    const float value = image.values[offset];
    if (value > out.values[pixel]) out.values[pixel] = value;
  });
  return out;
}

Projection ct_attenuation_projection(const ImageVolume& ct_hu, const Geometry& grid,
                                     ProjectionView view) {
  const ViewAxes axes = view_axes(grid, view);
  Projection out = empty_projection(grid, view, axes);
  // CT continuous index = base + sum_a index[a] * step[a] (both grids are affine).
  const Vec3 base = ct_hu.geometry.world_to_index(grid.index_to_world(0, 0, 0));
  std::array<Vec3, 3> step{};
  for (size_t axis = 0; axis < 3; ++axis) {
    Vec3 unit{0, 0, 0};
    unit[axis] = 1.0;
    const Vec3 moved = ct_hu.geometry.world_to_index(grid.index_to_world(unit));
    for (size_t c = 0; c < 3; ++c) step[axis][c] = moved[c] - base[c];
  }
  std::vector<double> sums(out.values.size(), 0.0);
  for_each_voxel(grid, axes, out, [&](size_t, size_t pixel, const Index3& index) {
    Index3 ct_index{0, 0, 0};
    for (size_t c = 0; c < 3; ++c) {
      const double continuous = base[c] + static_cast<double>(index[0]) * step[0][c] +
                                static_cast<double>(index[1]) * step[1][c] +
                                static_cast<double>(index[2]) * step[2][c];
      ct_index[c] = static_cast<int64_t>(std::floor(continuous + 0.5));
    }
    if (!ct_hu.geometry.contains(ct_index)) return;  // air
    const double hu = ct_hu.values[ct_hu.geometry.offset(ct_index[0], ct_index[1], ct_index[2])];
    sums[pixel] += std::max(0.0, (hu + 1000.0) / 1000.0);
  });
  const double depth = static_cast<double>(grid.size[static_cast<size_t>(axes.depth_axis)]);
  for (size_t pixel = 0; pixel < sums.size(); ++pixel) {
    out.values[pixel] = static_cast<float>(sums[pixel] / depth);
  }
  return out;
}

bool LabelFootprint::contains(int64_t column, int64_t row) const {
  const int64_t x = column - column0;
  const int64_t y = row - row0;
  if (x < 0 || y < 0 || x >= width || y >= height) return false;
  return inside[static_cast<size_t>(y * width + x)] != 0;
}

std::vector<LabelFootprint> project_labels(const LabelMap& labels, ProjectionView view) {
  const Geometry& grid = labels.geometry;
  const ViewAxes axes = view_axes(grid, view);
  const Projection frame = [&] {
    Projection empty = empty_projection(grid, view, axes);
    empty.values.clear();  // only the size is used
    return empty;
  }();
  struct Box {
    int64_t column_min = std::numeric_limits<int64_t>::max(), column_max = -1;
    int64_t row_min = std::numeric_limits<int64_t>::max(), row_max = -1;
  };
  std::map<uint16_t, Box> boxes;
  const auto width = static_cast<size_t>(frame.width);
  for_each_voxel(grid, axes, frame, [&](size_t offset, size_t pixel, const Index3&) {
    const uint16_t label = labels.values[offset];
    if (label == 0) return;
    Box& box = boxes[label];
    const auto column = static_cast<int64_t>(pixel % width);
    const auto row = static_cast<int64_t>(pixel / width);
    box.column_min = std::min(box.column_min, column);
    box.column_max = std::max(box.column_max, column);
    box.row_min = std::min(box.row_min, row);
    box.row_max = std::max(box.row_max, row);
  });
  std::vector<LabelFootprint> footprints;
  std::map<uint16_t, size_t> index_of;
  for (const auto& [label, box] : boxes) {
    LabelFootprint footprint;
    footprint.label = label;
    footprint.column0 = box.column_min;
    footprint.row0 = box.row_min;
    footprint.width = box.column_max - box.column_min + 1;
    footprint.height = box.row_max - box.row_min + 1;
    footprint.inside.assign(static_cast<size_t>(footprint.width * footprint.height), 0);
    index_of[label] = footprints.size();
    footprints.push_back(std::move(footprint));
  }
  for_each_voxel(grid, axes, frame, [&](size_t offset, size_t pixel, const Index3&) {
    const uint16_t label = labels.values[offset];
    if (label == 0) return;
    LabelFootprint& footprint = footprints[index_of[label]];
    const auto column = static_cast<int64_t>(pixel % width) - footprint.column0;
    const auto row = static_cast<int64_t>(pixel / width) - footprint.row0;
    footprint.inside[static_cast<size_t>(row * footprint.width + column)] = 1;
  });
  return footprints;
}

}  // namespace oncotrace
