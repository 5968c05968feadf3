#include "measure/region_voxels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "oncotrace/error.h"

namespace oncotrace {

void IndexBox::include(const Index3& index) {
  if (empty()) {
    lower = index;
    upper = index;
    return;
  }
  for (int axis = 0; axis < 3; ++axis) {
    lower[axis] = std::min(lower[axis], index[axis]);
    upper[axis] = std::max(upper[axis], index[axis]);
  }
}

IndexBox dilate_box(const IndexBox& box, double margin_mm, const Geometry& grid) {
  if (box.empty()) return box;
  if (!(margin_mm >= 0.0)) {
    throw InvalidInputError("local-region margin " + std::to_string(margin_mm) +
                            " mm is negative; give a margin >= 0 mm");
  }
  IndexBox dilated;
  for (int axis = 0; axis < 3; ++axis) {
    const auto margin_voxels =
        static_cast<int64_t>(std::ceil(margin_mm / grid.spacing_mm[axis] - 1e-9));
    dilated.lower[axis] = std::max<int64_t>(0, box.lower[axis] - margin_voxels);
    dilated.upper[axis] = std::min<int64_t>(grid.size[axis] - 1, box.upper[axis] + margin_voxels);
  }
  return dilated;
}

const char* standard_deviation_kind_name(StandardDeviationKind kind) {
  return kind == StandardDeviationKind::kSample ? "sample" : "population";
}

namespace measure_internal {

namespace {

// Whole-body label maps are mostly empty: testing four labels per 64-bit word skips empty rows
// several times faster than a voxel-by-voxel scan.
bool row_has_label(const uint16_t* row, size_t width) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 4 <= width; i += 4) {
    uint64_t word = 0;
    std::memcpy(&word, row + i, sizeof word);
    any |= word;
  }
  for (; i < width; ++i) any |= row[i];
  return any != 0;
}

}  // namespace

std::vector<RegionVoxels> collect_label_regions(const LabelMap& labels) {
  const Geometry& grid = labels.geometry;
  if (labels.values.size() != grid.voxel_count()) {
    throw InvalidInputError("label map buffer holds " + std::to_string(labels.values.size()) +
                            " values but its grid " + grid.describe() + " needs " +
                            std::to_string(grid.voxel_count()));
  }
  // Slot of each label in `regions`, -1 while unseen; regions are sorted by label at the end.
  std::vector<int32_t> slot_of_label(65536, -1);
  std::vector<RegionVoxels> regions;
  const auto width = static_cast<size_t>(grid.size[0]);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      const size_t row_start = grid.offset(0, j, k);
      if (!row_has_label(labels.values.data() + row_start, width)) continue;
      size_t offset = row_start;
      for (int64_t i = 0; i < grid.size[0]; ++i, ++offset) {
        const uint16_t label = labels.values[offset];
        if (label == 0) continue;
        int32_t& slot = slot_of_label[label];
        if (slot < 0) {
          slot = static_cast<int32_t>(regions.size());
          regions.push_back(RegionVoxels{label, IndexBox{}, {}});
        }
        RegionVoxels& region = regions[static_cast<size_t>(slot)];
        region.offsets.push_back(offset);
        region.box.include({i, j, k});
      }
    }
  }
  std::sort(regions.begin(), regions.end(),
            [](const RegionVoxels& a, const RegionVoxels& b) { return a.label < b.label; });
  return regions;
}

RegionVoxels collect_mask_region(const Mask& mask) {
  const Geometry& grid = mask.geometry;
  if (mask.values.size() != grid.voxel_count()) {
    throw InvalidInputError("mask buffer holds " + std::to_string(mask.values.size()) +
                            " values but its grid " + grid.describe() + " needs " +
                            std::to_string(grid.voxel_count()));
  }
  RegionVoxels region;
  size_t offset = 0;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i, ++offset) {
        if (mask.values[offset] == 0) continue;
        region.offsets.push_back(offset);
        region.box.include({i, j, k});
      }
    }
  }
  return region;
}

Index3 index_of_offset(const Geometry& grid, size_t offset) {
  const auto linear = static_cast<int64_t>(offset);
  const int64_t slice_size = grid.size[0] * grid.size[1];
  const int64_t k = linear / slice_size;
  const int64_t in_slice = linear - k * slice_size;
  return {in_slice % grid.size[0], in_slice / grid.size[0], k};
}

void require_same_grid(const Geometry& image_grid, const Geometry& other_grid,
                       const std::string& what) {
  if (image_grid.same_grid_as(other_grid)) return;
  throw InvalidInputError("the grids of the " + what + " differ (" + other_grid.describe() +
                          " against " + image_grid.describe() +
                          "); resample the label map or mask onto the image grid");
}

BoxMembership::BoxMembership(const Geometry& grid, const RegionVoxels& region)
    : box_(region.box), inside_(region.box.voxel_count(), 0) {
  const int64_t width = box_.extent(0);
  const int64_t height = box_.extent(1);
  for (const size_t offset : region.offsets) {
    const Index3 index = index_of_offset(grid, offset);
    const int64_t local =
        (index[0] - box_.lower[0]) +
        width * ((index[1] - box_.lower[1]) + height * (index[2] - box_.lower[2]));
    inside_[static_cast<size_t>(local)] = 1;
  }
}

bool BoxMembership::contains(const Index3& index) const {
  if (!box_.contains(index)) return false;
  const int64_t local =
      (index[0] - box_.lower[0]) +
      box_.extent(0) * ((index[1] - box_.lower[1]) + box_.extent(1) * (index[2] - box_.lower[2]));
  return inside_[static_cast<size_t>(local)] != 0;
}

}  // namespace measure_internal
}  // namespace oncotrace
