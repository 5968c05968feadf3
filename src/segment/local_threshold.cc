#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "measure/region_voxels.h"
#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/flood_fill.h"

namespace oncotrace {

namespace {

using measure_internal::RegionVoxels;

struct LocalCandidate {
  LocalLesion lesion;
  std::vector<size_t> offsets;  // before overlaps are resolved
};

bool is_barrier(const LabelMap* barrier, size_t offset) {
  return barrier != nullptr && barrier->values[offset] != 0;
}

LocalCandidate segment_one(const ImageVolume& image, const RegionVoxels& region,
                           const LocalThresholdOptions& options, const LabelMap* barrier) {
  const Geometry& grid = image.geometry;
  LocalCandidate candidate;
  LocalLesion& lesion = candidate.lesion;
  lesion.label = region.label;
  lesion.local_box = dilate_box(region.box, options.margin_mm, grid);
  // Hottest non-barrier voxel; strict > keeps the lowest offset among equal values.
  bool found = false;
  size_t seed_offset = 0;
  for (const size_t offset : region.offsets) {
    if (is_barrier(barrier, offset)) continue;
    if (!found || image.values[offset] > image.values[seed_offset]) {
      seed_offset = offset;
      found = true;
    }
  }
  if (!found) return candidate;
  lesion.seed = measure_internal::index_of_offset(grid, seed_offset);
  lesion.lesion_max = image.values[seed_offset];
  lesion.threshold = options.rule.threshold_for(lesion.lesion_max);
  const double threshold = lesion.threshold;
  candidate.offsets = segment_internal::flood_fill(
      grid, lesion.local_box, {lesion.seed}, options.connectivity,
      [&](size_t at) { return image.values[at] >= threshold && !is_barrier(barrier, at); });
  return candidate;
}

}  // namespace

LocalSegmentation segment_lesions_locally(const ImageVolume& image, const LabelMap& initial,
                                          const LocalThresholdOptions& options,
                                          const LabelMap* barrier) {
  const Geometry& grid = image.geometry;
  segment_internal::require_consistent(grid, image.values.size(), "image");
  measure_internal::require_same_grid(grid, initial.geometry, "initial lesion labels and image");
  if (barrier != nullptr) {
    measure_internal::require_same_grid(grid, barrier->geometry, "barrier labels and image");
  }
  if (!(options.margin_mm >= 0.0)) {
    throw InvalidInputError("local-region margin " + std::to_string(options.margin_mm) +
                            " mm is negative; give a margin >= 0 mm");
  }
  const std::vector<RegionVoxels> regions = measure_internal::collect_label_regions(initial);
  std::vector<LocalCandidate> candidates(regions.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, regions.size(), 1),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t n = range.begin(); n != range.end(); ++n) {
                        candidates[n] = segment_one(image, regions[n], options, barrier);
                      }
                    });

  // Resolve overlaps sequentially: hotter lesions claim first (ties: lower label).
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return candidates[a].lesion.lesion_max > candidates[b].lesion.lesion_max;
  });
  LocalSegmentation result;
  result.labels = LabelMap(grid, 0);
  result.rule = options.rule.description;
  for (const size_t n : order) {
    LocalCandidate& candidate = candidates[n];
    for (const size_t at : candidate.offsets) {
      uint16_t& label = result.labels.values[at];
      if (label == 0) {
        label = candidate.lesion.label;
        ++candidate.lesion.voxel_count;
      } else {
        ++candidate.lesion.voxels_ceded;
      }
    }
    candidate.lesion.volume_ml =
        static_cast<double>(candidate.lesion.voxel_count) * grid.voxel_volume_ml();
  }
  for (const LocalCandidate& candidate : candidates) {  // label order
    (candidate.lesion.voxel_count > 0 ? result.lesions : result.emptied)
        .push_back(candidate.lesion);
  }
  return result;
}

}  // namespace oncotrace
