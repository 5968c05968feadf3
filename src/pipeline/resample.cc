// Nearest-neighbour resampling of label maps (include/oncotrace/pipeline.h).
#include <cmath>

#include "oncotrace/pipeline.h"

namespace oncotrace {

LabelMap resample_labels_nearest(const LabelMap& labels, const Geometry& grid) {
  if (labels.geometry.same_grid_as(grid)) {
    LabelMap copy = labels;
    copy.geometry = grid;
    return copy;
  }
  LabelMap out(grid, 0);
  const Geometry& source = labels.geometry;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const Vec3 index = source.world_to_index(grid.index_to_world(i, j, k));
        // std::round rounds half away from zero: the documented tie rule.
        const Index3 nearest{static_cast<int64_t>(std::round(index[0])),
                             static_cast<int64_t>(std::round(index[1])),
                             static_cast<int64_t>(std::round(index[2]))};
        if (!source.contains(nearest)) continue;
        out.values[grid.offset(i, j, k)] =
            labels.values[source.offset(nearest[0], nearest[1], nearest[2])];
      }
    }
  }
  return out;
}

}  // namespace oncotrace
