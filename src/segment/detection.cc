#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "measure/region_voxels.h"
#include "oncotrace/error.h"
#include "oncotrace/segment.h"
#include "segment/flood_fill.h"

namespace oncotrace {

const char* exclusion_reason_name(ExclusionReason reason) {
  switch (reason) {
    case ExclusionReason::kPhysiologicalUptake:
      return "physiological_uptake";
    case ExclusionReason::kBelowMinimumVolume:
      return "below_minimum_volume";
    case ExclusionReason::kEmptyAfterLocalThreshold:
      return "empty_after_local_threshold";
    case ExclusionReason::kBelowMinimumVolumeAfterLocalThreshold:
      return "below_minimum_volume_after_local_threshold";
  }
  return "physiological_uptake";
}

namespace {

using segment_internal::ComponentVoxels;

std::string format_number(double value) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.4g", value);
  return text;
}

void validate(const ImageVolume& image, const DetectionOptions& options,
              const LabelMap* excluded_organs) {
  segment_internal::require_consistent(image.geometry, image.values.size(), "image");
  if (options.threshold.is_relative()) {
    throw InvalidInputError("the detection threshold '" + options.threshold.description +
                            "' is relative to a lesion maximum; detect with an absolute rule "
                            "(fixed, PERCIST, liver multiple) and give the relative rule as the "
                            "per-lesion rule");
  }
  if (!(options.min_volume_ml >= 0.0)) {
    throw InvalidInputError("minimum lesion volume " + format_number(options.min_volume_ml) +
                            " mL is negative; give a volume >= 0 mL");
  }
  if (!(options.max_excluded_fraction > 0.0 && options.max_excluded_fraction <= 1.0)) {
    throw InvalidInputError("excluded-organ fraction " +
                            format_number(options.max_excluded_fraction) +
                            " is outside (0, 1]; give e.g. 0.5");
  }
  if (options.split_min_prominence &&
      !(*options.split_min_prominence > 0.0 && *options.split_min_prominence < 1.0)) {
    throw InvalidInputError("split prominence " + format_number(*options.split_min_prominence) +
                            " is outside (0, 1); give e.g. 0.3, or no splitting");
  }
  if (!(options.split_noise_cv >= 0.0) || !(options.split_noise_factor >= 0.0)) {
    throw InvalidInputError("split noise " + format_number(options.split_noise_cv) + " x factor " +
                            format_number(options.split_noise_factor) +
                            ": both must be >= 0 (0: no noise term)");
  }
  if (!(options.split_contour_fraction > 0.0 && options.split_contour_fraction < 1.0)) {
    throw InvalidInputError("split contour fraction " +
                            format_number(options.split_contour_fraction) +
                            " is outside (0, 1); give e.g. 0.5");
  }
  if (excluded_organs != nullptr) {
    measure_internal::require_same_grid(image.geometry, excluded_organs->geometry,
                                        "excluded-organ labels and image");
  }
}

std::string organ_name(const DetectionOptions& options, uint16_t label) {
  const auto found = options.organ_names.find(label);
  return found != options.organ_names.end() ? found->second
                                            : "organ label " + std::to_string(label);
}

// What a component overlaps, and what is left of it outside the excluded organs.
struct ComponentReview {
  double max_value = 0.0;
  size_t voxels_in_organs = 0;
  uint16_t main_organ = 0;
  std::vector<size_t> remaining;  // offsets outside the excluded organs
};

ComponentReview review_component(const ImageVolume& image, const ComponentVoxels& found,
                                 const LabelMap* excluded_organs) {
  ComponentReview review;
  review.max_value = image.values[found.offsets.front()];
  std::map<uint16_t, size_t> per_organ;
  for (const size_t at : found.offsets) {
    review.max_value = std::max(review.max_value, static_cast<double>(image.values[at]));
    const uint16_t organ = excluded_organs != nullptr ? excluded_organs->values[at] : 0;
    if (organ == 0) {
      review.remaining.push_back(at);
    } else {
      ++per_organ[organ];
      ++review.voxels_in_organs;
    }
  }
  size_t most = 0;
  for (const auto& [organ, count] : per_organ) {  // ascending labels: ties keep the lowest
    if (count > most) {
      most = count;
      review.main_organ = organ;
    }
  }
  return review;
}

struct Exclusion {
  size_t component_index = 0;  // for the raster order of the report
  ExcludedComponent excluded;
};

Exclusion make_exclusion(size_t index, const Component& component, ExclusionReason reason,
                         std::string explanation, const ComponentReview& review) {
  Exclusion exclusion;
  exclusion.component_index = index;
  exclusion.excluded.component = component;
  exclusion.excluded.component.label = 0;
  exclusion.excluded.reason = reason;
  exclusion.excluded.explanation = std::move(explanation);
  exclusion.excluded.max_value = review.max_value;
  exclusion.excluded.organ_label = review.main_organ;
  exclusion.excluded.excluded_fraction =
      static_cast<double>(review.voxels_in_organs) / static_cast<double>(component.voxel_count);
  return exclusion;
}

// A component made of the given sorted offsets (label 0).
ComponentVoxels component_of(const Geometry& grid, std::vector<size_t> offsets) {
  ComponentVoxels found;
  found.component.voxel_count = offsets.size();
  found.component.volume_ml = static_cast<double>(offsets.size()) * grid.voxel_volume_ml();
  for (const size_t at : offsets) {
    found.component.box.include(measure_internal::index_of_offset(grid, at));
  }
  found.component.first_voxel = measure_internal::index_of_offset(grid, offsets.front());
  found.offsets = std::move(offsets);
  return found;
}

// The part of a basin that split_at_saddles separated from physiological uptake that is kept as a
// lesion: the basin's voxels at or above `contour_fraction` of its hottest voxel, connected to that
// voxel (through the basin, `connectivity`). Empty when that contour lies below the detection
// threshold: such a part is not told apart from the uptake it is joined to.
std::vector<size_t> lesion_of_basin(const ImageVolume& image, const std::vector<size_t>& basin,
                                    Connectivity connectivity, double contour_fraction,
                                    double detection_threshold) {
  const Geometry& grid = image.geometry;
  size_t hottest = basin.front();
  IndexBox box;
  for (const size_t at : basin) {
    if (image.values[at] > image.values[hottest]) hottest = at;
    box.include(measure_internal::index_of_offset(grid, at));
  }
  const double contour = contour_fraction * image.values[hottest];
  if (contour < detection_threshold) return {};
  return segment_internal::flood_fill(
      grid, box, {measure_internal::index_of_offset(grid, hottest)}, connectivity, [&](size_t at) {
        return image.values[at] >= contour && std::binary_search(basin.begin(), basin.end(), at);
      });
}

// Hottest voxel of a sorted offset list (ties: lowest offset).
size_t hottest_offset(const ImageVolume& image, const std::vector<size_t>& offsets) {
  size_t best = offsets.front();
  for (const size_t at : offsets) {
    if (image.values[at] > image.values[best]) best = at;
  }
  return best;
}

}  // namespace

std::vector<std::vector<size_t>> split_at_saddles(const Geometry& grid,
                                                  const std::vector<size_t>& offsets,
                                                  const std::vector<double>& values,
                                                  Connectivity connectivity,
                                                  double min_prominence) {
  if (!(min_prominence > 0.0 && min_prominence < 1.0)) {
    throw InvalidInputError("split prominence " + format_number(min_prominence) +
                            " is outside (0, 1); give e.g. 0.3");
  }
  if (values.size() != offsets.size()) {
    throw InvalidInputError("split_at_saddles: " + std::to_string(values.size()) + " values for " +
                            std::to_string(offsets.size()) + " voxels");
  }
  if (offsets.empty()) return {};
  const size_t count = offsets.size();
  std::vector<Index3> indices(count);
  IndexBox box;
  for (size_t n = 0; n < count; ++n) {
    indices[n] = measure_internal::index_of_offset(grid, offsets[n]);
    box.include(indices[n]);
  }
  // Position in `offsets` of each voxel of the box (kOutside: not in the region); 4 bytes per
  // voxel of the region's box, not of the image.
  constexpr uint32_t kOutside = std::numeric_limits<uint32_t>::max();
  if (count >= kOutside) {
    throw UnsupportedDataError("split_at_saddles: a region of " + std::to_string(count) +
                               " voxels is too large");
  }
  const int64_t width = box.extent(0);
  const int64_t height = box.extent(1);
  const auto local = [&](const Index3& index) {
    return static_cast<size_t>(
        (index[0] - box.lower[0]) +
        width * ((index[1] - box.lower[1]) + height * (index[2] - box.lower[2])));
  };
  std::vector<uint32_t> position(box.voxel_count(), kOutside);
  for (size_t n = 0; n < count; ++n) position[local(indices[n])] = static_cast<uint32_t>(n);

  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  const auto value = [&](size_t n) { return values[n]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return value(a) > value(b); });

  // Union-find over positions; a root's peak is the value of the basin's first (hottest) voxel.
  constexpr size_t kUntaken = static_cast<size_t>(-1);
  std::vector<size_t> parent(count, kUntaken);
  std::vector<double> peak(count, 0.0);
  std::vector<size_t> peak_rank(count, 0);  // rank of the peak voxel in `order` (tie-break)
  const auto root_of = [&](size_t n) {
    while (parent[n] != n) {
      parent[n] = parent[parent[n]];
      n = parent[n];
    }
    return n;
  };
  const std::vector<Index3> steps = segment_internal::neighbour_steps(connectivity);
  std::vector<size_t> met;
  for (size_t rank = 0; rank < count; ++rank) {
    const size_t n = order[rank];
    met.clear();
    for (const Index3& step : steps) {
      const Index3 next{indices[n][0] + step[0], indices[n][1] + step[1], indices[n][2] + step[2]};
      if (!box.contains(next)) continue;
      const uint32_t neighbour = position[local(next)];
      if (neighbour == kOutside || parent[neighbour] == kUntaken) continue;
      const size_t root = root_of(neighbour);
      if (std::find(met.begin(), met.end(), root) == met.end()) met.push_back(root);
    }
    if (met.empty()) {
      parent[n] = n;
      peak[n] = value(n);
      peak_rank[n] = rank;
      continue;
    }
    size_t highest = met.front();
    for (const size_t root : met) {
      if (peak_rank[root] < peak_rank[highest]) highest = root;
    }
    for (const size_t root : met) {
      if (root == highest) continue;
      const bool prominent =
          peak[root] > 0.0 && (peak[root] - value(n)) >= min_prominence * peak[root];
      if (!prominent) parent[root] = highest;
    }
    parent[n] = highest;
  }

  // Basins in order of their first offset (offsets are sorted).
  std::map<size_t, size_t> basin_of_root;
  std::vector<std::vector<size_t>> basins;
  for (size_t n = 0; n < count; ++n) {
    const size_t root = root_of(n);
    const auto [it, inserted] = basin_of_root.emplace(root, basins.size());
    if (inserted) basins.emplace_back();
    basins[it->second].push_back(offsets[n]);
  }
  return basins;
}

LesionDetection detect_lesions(const ImageVolume& image, const DetectionOptions& options,
                               const LabelMap* excluded_organs) {
  validate(image, options, excluded_organs);
  const Geometry& grid = image.geometry;
  const double voxel_ml = grid.voxel_volume_ml();
  LesionDetection detection;
  detection.threshold_rule = options.threshold.description;
  detection.detection_threshold = options.threshold.value;
  detection.connectivity = options.connectivity;
  detection.min_volume_ml = options.min_volume_ml;
  // The prominence a split part needs: the option, or more on a noisy image (DetectionOptions).
  if (options.split_min_prominence) {
    const double prominence = std::max(*options.split_min_prominence,
                                       options.split_noise_factor * options.split_noise_cv);
    if (prominence < 1.0) detection.split_prominence = prominence;
  }
  if (options.per_lesion) detection.per_lesion_rule = options.per_lesion->rule.description;

  const std::vector<ComponentVoxels> components = segment_internal::find_components(
      threshold_image(image, detection.detection_threshold), options.connectivity);

  // 1. Classify the components; the kept ones get provisional labels 1..K in raster order.
  std::vector<Exclusion> exclusions;
  std::vector<size_t> kept_index;         // component index of provisional label n + 1
  std::vector<Component> kept_component;  // the component, or the part split off it
  std::vector<ComponentReview> kept_review;
  const auto excluded_fraction = [](const ComponentReview& review, const Component& component) {
    return static_cast<double>(review.voxels_in_organs) /
           static_cast<double>(component.voxel_count);
  };
  for (size_t n = 0; n < components.size(); ++n) {
    const Component& component = components[n].component;
    ComponentReview review = review_component(image, components[n], excluded_organs);
    const double fraction = excluded_fraction(review, component);
    const double remaining_ml = static_cast<double>(review.remaining.size()) * voxel_ml;
    if (review.voxels_in_organs > 0 && fraction >= options.max_excluded_fraction) {
      // Parts with their own peak that lie mostly outside the organs are lesions joined to the
      // organ's uptake by the blur: kept, the rest is dropped.
      size_t split_off = 0;
      if (detection.split_prominence) {
        std::vector<double> values(components[n].offsets.size());
        for (size_t v = 0; v < values.size(); ++v) {
          values[v] = image.values[components[n].offsets[v]];
        }
        const std::vector<std::vector<size_t>> basins = split_at_saddles(
            grid, components[n].offsets, values, options.connectivity, *detection.split_prominence);
        // Every basin, the hottest too: when the lesion is hotter than the organ it is joined to
        // (a node against a moderately avid myocardium), the organ is the shoulder that merged
        // into the lesion's basin, and the 50 % contour of that basin is the lesion. A single
        // organ's basin has its contour in the organ and stays dropped.
        for (size_t b = 0; b < basins.size(); ++b) {
          std::vector<size_t> lesion =
              lesion_of_basin(image, basins[b], options.connectivity,
                              options.split_contour_fraction, detection.detection_threshold);
          if (lesion.empty()) continue;
          ComponentVoxels part = component_of(grid, std::move(lesion));
          // A lesion's peak lies outside the organs: a part peaking in an organ is the organ's
          // own uptake (e.g. a hot organ whose mask is shifted against the PET).
          if (excluded_organs != nullptr &&
              excluded_organs->values[hottest_offset(image, part.offsets)] != 0) {
            continue;
          }
          ComponentReview part_review = review_component(image, part, excluded_organs);
          if (excluded_fraction(part_review, part.component) >= options.max_excluded_fraction ||
              static_cast<double>(part_review.remaining.size()) * voxel_ml <
                  options.min_volume_ml) {
            continue;
          }
          kept_index.push_back(n);
          kept_component.push_back(part.component);
          kept_review.push_back(std::move(part_review));
          ++split_off;
        }
      }
      std::string explanation =
          format_number(100.0 * fraction) + " % of its " + std::to_string(component.voxel_count) +
          " voxels lie in excluded organs (most in " + organ_name(options, review.main_organ) +
          "); the limit is " + format_number(100.0 * options.max_excluded_fraction) + " %";
      if (split_off > 0) {
        explanation +=
            "; " + std::to_string(split_off) +
            (split_off == 1 ? " part with its own peak" : " parts with their own peaks") +
            " (relative prominence >= " + format_number(*detection.split_prominence) + ", " +
            format_number(100.0 * options.split_contour_fraction) +
            " % contour above the threshold) lying mostly outside the organs kept as " +
            (split_off == 1 ? "a lesion" : "lesions");
      }
      exclusions.push_back(make_exclusion(n, component, ExclusionReason::kPhysiologicalUptake,
                                          std::move(explanation), review));
    } else if (remaining_ml < options.min_volume_ml) {
      exclusions.push_back(
          make_exclusion(n, component, ExclusionReason::kBelowMinimumVolume,
                         "volume " + format_number(remaining_ml) + " mL (" +
                             std::to_string(review.remaining.size()) +
                             " voxels outside excluded organs) is below the minimum " +
                             format_number(options.min_volume_ml) + " mL",
                         review));
    } else {
      kept_index.push_back(n);
      kept_component.push_back(component);
      kept_review.push_back(std::move(review));
    }
  }
  if (kept_index.size() > 65535) {
    throw UnsupportedDataError(
        "more than 65535 lesion candidates were found above " + detection.threshold_rule +
        "; a label map holds uint16 labels. Raise the threshold or the minimum volume");
  }
  LabelMap provisional(grid, 0);
  for (size_t n = 0; n < kept_index.size(); ++n) {
    for (const size_t at : kept_review[n].remaining) {
      provisional.values[at] = static_cast<uint16_t>(n + 1);
    }
  }

  // 2. Final voxels of each kept component: the component outside the organs, or the result of
  // the local threshold.
  std::vector<std::vector<size_t>> final_offsets(kept_index.size());
  std::vector<double> final_threshold(kept_index.size(), detection.detection_threshold);
  if (!options.per_lesion) {
    for (size_t n = 0; n < kept_index.size(); ++n) final_offsets[n] = kept_review[n].remaining;
  } else {
    const LocalSegmentation local =
        segment_lesions_locally(image, provisional, *options.per_lesion, excluded_organs);
    const std::vector<measure_internal::RegionVoxels> regions =
        measure_internal::collect_label_regions(local.labels);
    for (const measure_internal::RegionVoxels& region : regions) {
      final_offsets[region.label - 1] = region.offsets;
    }
    for (const LocalLesion& lesion : local.lesions)
      final_threshold[lesion.label - 1] = lesion.threshold;
    for (const LocalLesion& lesion : local.emptied) {
      const size_t n = lesion.label - 1;
      final_threshold[n] = lesion.threshold;
      const std::string why =
          lesion.voxels_ceded > 0
              ? "all its voxels above the local threshold went to hotter lesions"
              : "its hottest voxel (" + format_number(lesion.lesion_max) +
                    ") is below its local threshold " + format_number(lesion.threshold);
      exclusions.push_back(make_exclusion(kept_index[n], kept_component[n],
                                          ExclusionReason::kEmptyAfterLocalThreshold,
                                          why + " (" + local.rule + ")", kept_review[n]));
    }
  }

  // 3. Keep the non-empty lesions at or above the minimum volume, relabelled 1..N.
  detection.labels = LabelMap(grid, 0);
  for (size_t n = 0; n < kept_index.size(); ++n) {
    const std::vector<size_t>& offsets = final_offsets[n];
    if (offsets.empty()) continue;  // reported above
    const Component& component = kept_component[n];
    const double volume_ml = static_cast<double>(offsets.size()) * voxel_ml;
    if (volume_ml < options.min_volume_ml) {
      exclusions.push_back(make_exclusion(
          kept_index[n], component, ExclusionReason::kBelowMinimumVolumeAfterLocalThreshold,
          "volume after the local threshold " + format_number(volume_ml) +
              " mL is below the minimum " + format_number(options.min_volume_ml) + " mL",
          kept_review[n]));
      continue;
    }
    DetectedLesion lesion;
    lesion.label = static_cast<uint16_t>(detection.lesions.size() + 1);
    lesion.component = component;
    lesion.component.label = static_cast<uint16_t>(n + 1);
    const size_t hottest = hottest_offset(image, offsets);
    lesion.hottest_voxel = measure_internal::index_of_offset(grid, hottest);
    lesion.max_value = image.values[hottest];
    lesion.threshold = final_threshold[n];
    lesion.voxel_count = offsets.size();
    lesion.volume_ml = volume_ml;
    lesion.voxels_in_excluded_organs = kept_review[n].voxels_in_organs;
    for (const size_t at : offsets) detection.labels.values[at] = lesion.label;
    detection.lesions.push_back(lesion);
  }
  std::stable_sort(
      exclusions.begin(), exclusions.end(),
      [](const Exclusion& a, const Exclusion& b) { return a.component_index < b.component_index; });
  for (Exclusion& exclusion : exclusions)
    detection.excluded.push_back(std::move(exclusion.excluded));
  return detection;
}

LesionDetection detect_lesions(const ImageVolume& image, const DetectionOptions& options,
                               const Mask& excluded_region) {
  LabelMap organs(excluded_region.geometry, 0);
  segment_internal::require_consistent(excluded_region.geometry, excluded_region.values.size(),
                                       "excluded-region mask");
  for (size_t n = 0; n < organs.values.size(); ++n) {
    organs.values[n] = excluded_region.values[n] != 0 ? 1 : 0;
  }
  return detect_lesions(image, options, &organs);
}

}  // namespace oncotrace
