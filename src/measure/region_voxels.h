// The voxels of one region (a label of a label map, or a mask) as sorted linear offsets plus their
// bounding box: the unit of per-lesion work, so that each lesion touches only its box
// (architecture.md, "Core types"). Internal to the measure and segment modules.
#ifndef ONCOTRACE_MEASURE_REGION_VOXELS_H_
#define ONCOTRACE_MEASURE_REGION_VOXELS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "oncotrace/measure.h"
#include "oncotrace/volume.h"

namespace oncotrace::measure_internal {

struct RegionVoxels {
  uint16_t label = 0;
  IndexBox box;
  std::vector<size_t> offsets;  // strictly increasing linear offsets into the image buffer
};

// One entry per non-zero label present, sorted by label. One sequential pass over the map.
std::vector<RegionVoxels> collect_label_regions(const LabelMap& labels);

// The non-zero voxels of a mask (label 0 in the result).
RegionVoxels collect_mask_region(const Mask& mask);

Index3 index_of_offset(const Geometry& grid, size_t offset);

// Throws InvalidInputError naming both grids when they differ; `what` names the pair
// ("lesion label map and SUV image").
void require_same_grid(const Geometry& image_grid, const Geometry& other_grid,
                       const std::string& what);

// A box-shaped scratch membership map: 1 where a region voxel lies.
class BoxMembership {
 public:
  BoxMembership(const Geometry& grid, const RegionVoxels& region);
  bool contains(const Index3& index) const;  // index in image coordinates

 private:
  IndexBox box_;
  std::vector<uint8_t> inside_;
};

}  // namespace oncotrace::measure_internal

#endif  // ONCOTRACE_MEASURE_REGION_VOXELS_H_
