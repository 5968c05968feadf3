// Automatic placement of the reference regions (PERCIST liver sphere, blood-pool cylinder, spleen
// and muscle spheres) inside organs; the rules are stated in include/oncotrace/organs.h
// (ReferencePlacementOptions) and docs/organs.md.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>

#include "oncotrace/error.h"
#include "oncotrace/organs.h"
#include "organs/morphology.h"

namespace oncotrace {
namespace {

using organs_internal::BoxedDistance;
using organs_internal::dilate_mm;
using organs_internal::distance_to_background_in_box;
using organs_internal::VoxelPositions;

// printf-style formatting of the numbers (and C strings) of explanations; the format attribute
// lets the compiler check every pattern against its arguments.
__attribute__((format(printf, 1, 2))) std::string format(const char* pattern, ...) {
  char buffer[768];
  va_list arguments;
  va_start(arguments, pattern);
  std::vsnprintf(buffer, sizeof(buffer), pattern, arguments);
  va_end(arguments);
  return buffer;
}

// Offsets (di, dj, dk) of the voxel centres within `radius_mm` of a voxel centre. Valid for any
// orthonormal direction matrix (distances in index space scaled by the spacing are world
// distances).
std::vector<Index3> sphere_offsets(const Geometry& grid, double radius_mm) {
  std::vector<Index3> offsets;
  Index3 reach{};
  for (int a = 0; a < 3; ++a) {
    reach[a] = static_cast<int64_t>(std::floor(radius_mm / grid.spacing_mm[a] + 1e-9));
  }
  for (int64_t dk = -reach[2]; dk <= reach[2]; ++dk) {
    for (int64_t dj = -reach[1]; dj <= reach[1]; ++dj) {
      for (int64_t di = -reach[0]; di <= reach[0]; ++di) {
        const double x = di * grid.spacing_mm[0], y = dj * grid.spacing_mm[1],
                     z = dk * grid.spacing_mm[2];
        if (x * x + y * y + z * z <= radius_mm * radius_mm + 1e-6) offsets.push_back({di, dj, dk});
      }
    }
  }
  return offsets;
}

Index3 index_of(const Geometry& grid, size_t offset) {
  const auto o = static_cast<int64_t>(offset);
  return {o % grid.size[0], (o / grid.size[0]) % grid.size[1], o / (grid.size[0] * grid.size[1])};
}

// Calls visit(offset) for every voxel of `box`, in raster order.
template <typename Visit>
void for_each_in_box(const Geometry& grid, const IndexBox& box, const Visit& visit) {
  for (int64_t k = box.lower[2]; k <= box.upper[2] && !box.empty(); ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      size_t offset = grid.offset(box.lower[0], j, k);
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++offset) visit(offset);
    }
  }
}

// The median of `image` over `mask`, whose voxels all lie in `box`.
double median_in(const ImageVolume& image, const Mask& mask, const IndexBox& box) {
  std::vector<float> values;
  for_each_in_box(mask.geometry, box, [&](size_t v) {
    if (mask.values[v] != 0) values.push_back(image.values[v]);
  });
  if (values.empty()) return 0.0;
  std::nth_element(values.begin(), values.begin() + static_cast<int64_t>(values.size() / 2),
                   values.end());
  return values[values.size() / 2];
}

// Organ voxels usable for a reference region: the organ minus dilated lesions and hot spots.
// Large vessels (canonical vein, artery, aorta) carry their own labels, so they are outside the
// organ already and the distance transform keeps the region away from them. Only the organ's
// bounding box is visited.
Mask usable_part(const ImageVolume& suv, const Mask& organ, const Mask* lesions_dilated,
                 const ReferencePlacementOptions& options, double* organ_median) {
  const IndexBox box = organs_internal::nonzero_box(organ);
  *organ_median = median_in(suv, organ, box);
  const double hot = options.hot_spot_factor * *organ_median;
  Mask usable(organ.geometry, 0);
  for_each_in_box(organ.geometry, box, [&](size_t v) {
    if (organ.values[v] == 0) return;
    if (lesions_dilated != nullptr && lesions_dilated->values[v] != 0) return;
    if (suv.values[v] > hot) return;
    usable.values[v] = 1;
  });
  return usable;
}

struct SphereCandidate {
  size_t offset = 0;
  double distance_mm = 0.0;
  double cv = 0.0;
};

// The rasterised voxels of `spec` outside `organ` (only the region's bounding box is visited).
size_t voxels_outside(const Mask& organ, const ReferenceRegionSpec& spec) {
  size_t outside = 0;
  for (const size_t v : region_voxel_offsets(organ.geometry, spec)) outside += organ.values[v] == 0;
  return outside;
}

void finish(const ImageVolume& suv, const Mask* organ, const ReferenceRegionSpec& spec,
            const ReferencePlacementOptions& options, ReferenceRegionPlacement* placement) {
  placement->statistics = measure_reference_region(suv, spec, options.sd_kind);
  if (organ != nullptr) {
    placement->voxels_outside_organ = voxels_outside(*organ, spec);
    if (placement->voxels_outside_organ > 0) {
      placement->warnings.push_back(
          std::to_string(placement->voxels_outside_organ) +
          " voxels of the region lie outside the " +
          (placement->region == "blood_pool" ? std::string("aorta") : placement->region));
    }
  }
  const ReferenceRegionStatistics& stats = *placement->statistics;
  if (stats.mean > 0.0 && stats.sd / stats.mean > options.max_reference_coefficient_of_variation) {
    placement->warnings.push_back(format("inhomogeneous region: SD/mean = %.2f > %.2f",
                                         stats.sd / stats.mean,
                                         options.max_reference_coefficient_of_variation));
  }
}

// Places a sphere of `diameter_mm` in `organ`: candidate centres are voxel centres of the usable
// part at least radius + edge margin from its edge, in decreasing distance order; the first whose
// sphere has SD/mean <= max_coefficient_of_variation wins. `preferred` (optional) restricts the
// search first (liver right lobe); without a fitting candidate there, the whole organ is searched.
void place_sphere(const ImageVolume& suv, const Mask& organ, const Mask* lesions_dilated,
                  double diameter_mm, const std::function<bool(const Vec3&)>& preferred,
                  const std::string& preference, const ReferencePlacementOptions& options,
                  ReferenceRegionPlacement* placement) {
  const Geometry& grid = suv.geometry;
  double organ_median = 0.0;
  const Mask usable = usable_part(suv, organ, lesions_dilated, options, &organ_median);
  // The distance within the bounding box of the usable part only (0 outside it, where no
  // candidate lies), in raster order as the whole-grid loop visited it.
  const BoxedDistance distance = distance_to_background_in_box(usable, {true, true, true});
  const double radius = diameter_mm / 2.0;
  const std::vector<Index3> kernel = sphere_offsets(grid, radius);
  const VoxelPositions positions(grid);
  auto homogeneity = [&](size_t offset) {
    const Index3 c = index_of(grid, offset);
    double sum = 0.0, sum_squares = 0.0;
    size_t n = 0;
    for (const Index3& d : kernel) {
      const Index3 p{c[0] + d[0], c[1] + d[1], c[2] + d[2]};
      if (!grid.contains(p)) continue;
      const double value = suv.at(p[0], p[1], p[2]);
      sum += value;
      sum_squares += value * value;
      ++n;
    }
    const double mean = sum / static_cast<double>(n);
    const double variance = std::max(0.0, sum_squares / static_cast<double>(n) - mean * mean);
    return mean > 0.0 ? std::sqrt(variance) / mean : 0.0;
  };
  auto search = [&](bool use_preference, double min_distance, SphereCandidate* found) {
    struct Candidate {
      size_t offset;
      float distance;
    };
    std::vector<Candidate> candidates;
    const IndexBox& box = distance.box;
    size_t local = 0;
    for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
      for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
        size_t v = grid.offset(box.lower[0], j, k);
        for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i, ++v, ++local) {
          const float d = distance.distance[local];
          if (usable.values[v] == 0 || d < min_distance) continue;
          if (use_preference && !preferred(positions.at(i, j, k))) continue;
          candidates.push_back({v, d});
        }
      }
    }
    std::stable_sort(
        candidates.begin(), candidates.end(),
        [](const Candidate& a, const Candidate& b) { return a.distance > b.distance; });
    for (const Candidate& candidate : candidates) {
      const double cv = homogeneity(candidate.offset);
      if (cv <= options.max_coefficient_of_variation) {
        *found = {candidate.offset, candidate.distance, cv};
        return true;
      }
    }
    return false;
  };
  SphereCandidate found;
  const double required = radius + options.edge_margin_mm;
  std::string where;
  bool ok = false;
  if (preferred) {
    ok = search(true, required, &found);
    where = preference;
    if (!ok) {
      placement->warnings.push_back("no place with the required margin in the " + preference +
                                    "; searched the whole " + placement->region);
    }
  }
  if (!ok) {
    ok = search(false, required, &found);
    where = "whole " + placement->region;
  }
  if (!ok) {
    // Relaxed: the deepest usable voxel whatever its margin.
    ok = search(false, 0.0, &found);
    if (ok) {
      placement->warnings.push_back(
          format("the %g mm sphere does not fit with a %g mm margin: "
                 "centre only %.1f mm from the edge",
                 diameter_mm, options.edge_margin_mm, found.distance_mm));
    }
  }
  if (!ok) {
    placement->explanation = "not placed: no homogeneous usable voxel in the " + placement->region;
    return;
  }
  ReferenceRegionSpec spec;
  spec.shape = RegionShape::kSphere;
  spec.diameter_mm = diameter_mm;
  spec.centre_mm = positions.at_offset(found.offset);
  spec.placed_automatically = true;
  placement->centre_distance_to_edge_mm = found.distance_mm;
  placement->explanation =
      format(
          "sphere %g mm at the voxel centre of the %s farthest from its usable edge (%.1f mm; "
          "required radius + margin %.1f mm) whose sphere is homogeneous (SD/mean %.3f <= "
          "%.2f); organ median %.3f; not usable: voxels > %.2f x median",
          diameter_mm, placement->region.c_str(), found.distance_mm, required, found.cv,
          options.max_coefficient_of_variation, organ_median, options.hot_spot_factor) +
      (lesions_dilated != nullptr ? format(", lesions dilated by %g mm", options.lesion_margin_mm)
                                  : std::string()) +
      "; searched: " + where;
  finish(suv, &organ, spec, options, placement);
}

// The blood-pool cylinder in the descending thoracic aorta: see ReferencePlacementOptions.
void place_blood_pool(const ImageVolume& suv, const OrganSegmentation& organs,
                      const ReferencePlacementOptions& options,
                      ReferenceRegionPlacement* placement) {
  const Geometry& grid = suv.geometry;
  const Mask aorta = organs.mask_of("aorta");
  const VoxelPositions positions(grid);
  double z_top = -1e300, z_liver_top = -1e300;
  for (size_t v = 0; v < aorta.size(); ++v) {
    if (aorta.values[v] != 0) z_top = std::max(z_top, positions.at_offset(v)[2]);
  }
  const bool has_liver = organs.has("liver");
  if (has_liver) {
    const uint16_t liver = *canonical_organ_label("liver");
    for (size_t v = 0; v < aorta.size(); ++v) {
      if (organs.labels.values[v] == liver) {
        z_liver_top = std::max(z_liver_top, positions.at_offset(v)[2]);
      }
    }
  }
  const double z_high = z_top - options.blood_pool_below_arch_mm;
  // In each axial slice, the most posterior (largest mean y) 4-connected aortic cross-section.
  Mask descending(grid, 0);
  const int64_t nx = grid.size[0], ny = grid.size[1];
  std::vector<int32_t> component(static_cast<size_t>(nx * ny));
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    const double z = positions.at(0, 0, k)[2];
    if (z > z_high || (has_liver && z < z_liver_top)) continue;
    std::fill(component.begin(), component.end(), -1);
    std::vector<double> sum_y;
    std::vector<size_t> count;
    for (int64_t j = 0; j < ny; ++j) {
      for (int64_t i = 0; i < nx; ++i) {
        const auto p = static_cast<size_t>(i + nx * j);
        if (aorta.at(i, j, k) == 0 || component[p] >= 0) continue;
        const auto id = static_cast<int32_t>(sum_y.size());
        sum_y.push_back(0.0);
        count.push_back(0);
        std::vector<int64_t> stack{i + nx * j};
        component[p] = id;
        while (!stack.empty()) {
          const int64_t q = stack.back();
          stack.pop_back();
          const int64_t qi = q % nx, qj = q / nx;
          sum_y[static_cast<size_t>(id)] += positions.at(qi, qj, k)[1];
          ++count[static_cast<size_t>(id)];
          const int64_t neighbours[4][2] = {{qi - 1, qj}, {qi + 1, qj}, {qi, qj - 1}, {qi, qj + 1}};
          for (const auto& n : neighbours) {
            if (n[0] < 0 || n[1] < 0 || n[0] >= nx || n[1] >= ny) continue;
            const auto r = static_cast<size_t>(n[0] + nx * n[1]);
            if (aorta.at(n[0], n[1], k) != 0 && component[r] < 0) {
              component[r] = id;
              stack.push_back(n[0] + nx * n[1]);
            }
          }
        }
      }
    }
    if (sum_y.empty()) continue;
    int32_t best = 0;
    for (size_t c = 1; c < sum_y.size(); ++c) {
      if (sum_y[c] / static_cast<double>(count[c]) >
          sum_y[static_cast<size_t>(best)] /
              static_cast<double>(count[static_cast<size_t>(best)])) {
        best = static_cast<int32_t>(c);
      }
    }
    for (int64_t j = 0; j < ny; ++j) {
      for (int64_t i = 0; i < nx; ++i) {
        if (component[static_cast<size_t>(i + nx * j)] == best) descending.at(i, j, k) = 1;
      }
    }
  }
  // In-plane distance to the aortic wall; the cylinder's score is the smallest in-plane distance
  // over the slices it spans, all of which must be in the descending segment.
  const BoxedDistance in_plane = distance_to_background_in_box(aorta, {true, true, false});
  const double radius = kPercistBloodPoolDiameterMm / 2.0;
  const auto half_slices =
      static_cast<int64_t>(std::ceil(kPercistBloodPoolLengthMm / 2.0 / grid.spacing_mm[2] - 1e-9));
  size_t best = aorta.size();
  double best_score = 0.0;
  double window_middle = 0.0;
  {
    double low = 1e300, high = -1e300;
    for (size_t v = 0; v < descending.size(); ++v) {
      if (descending.values[v] == 0) continue;
      low = std::min(low, positions.at_offset(v)[2]);
      high = std::max(high, positions.at_offset(v)[2]);
    }
    window_middle = (low + high) / 2.0;
  }
  for (size_t v = 0; v < descending.size(); ++v) {
    if (descending.values[v] == 0) continue;
    const Index3 c = index_of(grid, v);
    double score = 1e300;
    for (int64_t dk = -half_slices; dk <= half_slices && score > 0.0; ++dk) {
      const int64_t k = c[2] + dk;
      if (k < 0 || k >= grid.size[2] || descending.at(c[0], c[1], k) == 0) {
        score = 0.0;
        break;
      }
      score = std::min(score, static_cast<double>(in_plane.at(c[0], c[1], k)));
    }
    const bool better =
        score > best_score + 1e-6 || (std::abs(score - best_score) <= 1e-6 && best < aorta.size() &&
                                      std::abs(positions.at_offset(v)[2] - window_middle) <
                                          std::abs(positions.at_offset(best)[2] - window_middle));
    if (score > 0.0 && better) {
      best_score = score;
      best = v;
    }
  }
  if (best == aorta.size()) {
    placement->explanation =
        "not placed: no 20 mm long stretch of the descending thoracic aorta found";
    return;
  }
  if (best_score < radius + 1e-6) {
    placement->warnings.push_back(
        format("the aorta is narrow: the cylinder axis is only %.1f mm "
               "from the wall (radius %.1f mm)",
               best_score, radius));
  }
  ReferenceRegionSpec spec = percist_blood_pool_cylinder(positions.at_offset(best));
  spec.placed_automatically = true;
  placement->centre_distance_to_edge_mm = best_score;
  placement->explanation =
      format(
          "cylinder 10 mm x 20 mm along z in the descending thoracic aorta (most posterior "
          "aortic cross-section of each slice, %g mm below the top of the aorta",
          options.blood_pool_below_arch_mm) +
      (has_liver ? ", above the liver" : "") +
      format("), centre farthest from the wall over its length (%.1f mm)", best_score);
  finish(suv, &aorta, spec, options, placement);
}

ReferenceRegionSpec user_spec(const UserRegion& user, RegionShape shape, double diameter_mm) {
  ReferenceRegionSpec spec;
  spec.shape = shape;
  spec.centre_mm = user.centre_mm;
  spec.diameter_mm = user.diameter_mm.value_or(diameter_mm);
  if (shape == RegionShape::kCylinder) {
    spec.length_mm = kPercistBloodPoolLengthMm;
    spec.axis = user.axis.value_or(Vec3{0.0, 0.0, 1.0});
  }
  spec.placed_automatically = false;
  return spec;
}

void place_user(const ImageVolume& suv, const OrganSegmentation& organs, const std::string& organ,
                const ReferenceRegionSpec& spec, const ReferencePlacementOptions& options,
                ReferenceRegionPlacement* placement) {
  placement->method = PlacementMethod::kUser;
  placement->explanation = "user coordinates";
  if (organs.has(organ)) {
    const Mask mask = organs.mask_of(organ);
    finish(suv, &mask, spec, options, placement);
  } else {
    finish(suv, nullptr, spec, options, placement);
  }
}

PlacementMethod method_of(const OrganSegmentation& organs) {
  return organs.source == "heuristic" ? PlacementMethod::kHeuristic : PlacementMethod::kLabelMap;
}

void check_range(ReferenceRegionPlacement* placement, double low, double high) {
  if (!placement->placed()) return;
  const double mean = placement->statistics->mean;
  if (mean < low || mean > high) {
    placement->warnings.push_back(format("implausible %s mean %.3f: outside the usual %.2f..%.2f",
                                         placement->region.c_str(), mean, low, high));
  }
}

}  // namespace

const char* placement_method_name(PlacementMethod method) {
  switch (method) {
    case PlacementMethod::kLabelMap:
      return "label_map";
    case PlacementMethod::kHeuristic:
      return "heuristic";
    case PlacementMethod::kUser:
      return "user";
    case PlacementMethod::kNotPlaced:
      return "not_placed";
  }
  return "not_placed";
}

ReferenceMeans ReferenceRegions::means() const {
  ReferenceMeans means;
  if (liver.placed()) means.liver = liver.statistics->mean;
  if (blood_pool.placed()) means.blood_pool = blood_pool.statistics->mean;
  if (spleen.placed()) means.spleen = spleen.statistics->mean;
  if (muscle.placed()) means.muscle = muscle.statistics->mean;
  return means;
}

ReferenceRegions place_reference_regions(const ImageVolume& suv, const OrganSegmentation& organs,
                                         const LabelMap* lesions,
                                         const ReferencePlacementOptions& options) {
  if (!organs.labels.geometry.same_grid_as(suv.geometry)) {
    throw InvalidInputError("place_reference_regions: the organ labels (" +
                            organs.labels.geometry.describe() + ") are not on the image grid (" +
                            suv.geometry.describe() + ")");
  }
  std::optional<Mask> lesions_dilated;
  if (lesions != nullptr) {
    if (!lesions->geometry.same_grid_as(suv.geometry)) {
      throw InvalidInputError(
          "place_reference_regions: the lesion labels are not on the image grid");
    }
    Mask mask(suv.geometry, 0);
    for (size_t v = 0; v < mask.size(); ++v) mask.values[v] = lesions->values[v] != 0;
    lesions_dilated = dilate_mm(mask, options.lesion_margin_mm);
  }
  const Mask* lesion_mask = lesions_dilated ? &*lesions_dilated : nullptr;

  ReferenceRegions regions;
  regions.liver.region = "liver";
  regions.blood_pool.region = "blood_pool";
  regions.spleen.region = "spleen";
  regions.muscle.region = "muscle";

  struct SphereRegion {
    ReferenceRegionPlacement* placement;
    const std::optional<UserRegion>* user;
    double diameter_mm;
  };
  const double liver_centroid_x = [&] {
    if (!organs.has("liver")) return 0.0;
    const uint16_t liver = *canonical_organ_label("liver");
    const VoxelPositions positions(suv.geometry);
    double sum = 0.0;
    size_t n = 0;
    for (size_t v = 0; v < suv.size(); ++v) {
      if (organs.labels.values[v] == liver) {
        sum += positions.at_offset(v)[0];
        ++n;
      }
    }
    return sum / static_cast<double>(n);
  }();
  for (const SphereRegion& region :
       {SphereRegion{&regions.liver, &options.liver_user, options.liver_diameter_mm},
        SphereRegion{&regions.spleen, &options.spleen_user, options.spleen_diameter_mm},
        SphereRegion{&regions.muscle, &options.muscle_user, options.muscle_diameter_mm}}) {
    ReferenceRegionPlacement& placement = *region.placement;
    if (region.user->has_value()) {
      place_user(suv, organs, placement.region,
                 user_spec(**region.user, RegionShape::kSphere, region.diameter_mm), options,
                 &placement);
      continue;
    }
    if (!organs.has(placement.region)) {
      placement.explanation = "not placed: no " + placement.region + " in the organ segmentation";
      continue;
    }
    placement.method = method_of(organs);
    placement.organ_source = organs.source;
    std::function<bool(const Vec3&)> preferred;
    std::string preference;
    if (placement.region == "liver" && options.liver_prefer_right_lobe) {
      preferred = [liver_centroid_x](const Vec3& p) { return p[0] <= liver_centroid_x; };
      preference = "right lobe (x <= liver centroid x)";
    }
    place_sphere(suv, organs.mask_of(placement.region), lesion_mask, region.diameter_mm, preferred,
                 preference, options, &placement);
    if (!placement.placed()) placement.method = PlacementMethod::kNotPlaced;
  }
  if (options.blood_pool_user) {
    place_user(
        suv, organs, "aorta",
        user_spec(*options.blood_pool_user, RegionShape::kCylinder, kPercistBloodPoolDiameterMm),
        options, &regions.blood_pool);
  } else if (organs.has("aorta")) {
    regions.blood_pool.method = method_of(organs);
    regions.blood_pool.organ_source = organs.source;
    place_blood_pool(suv, organs, options, &regions.blood_pool);
    if (!regions.blood_pool.placed()) regions.blood_pool.method = PlacementMethod::kNotPlaced;
  } else {
    regions.blood_pool.explanation = "not placed: no aorta in the organ segmentation";
  }

  check_range(&regions.liver, options.liver_mean_min, options.liver_mean_max);
  check_range(&regions.blood_pool, options.blood_pool_mean_min, options.blood_pool_mean_max);
  if (options.fdg && regions.liver.placed()) {
    const double liver = regions.liver.statistics->mean;
    if (regions.blood_pool.placed() && regions.blood_pool.statistics->mean >= liver) {
      regions.warnings.push_back(
          format("implausible for FDG: blood-pool mean %.3f >= liver mean %.3f (check the "
                 "placements, or an abnormal liver)",
                 regions.blood_pool.statistics->mean, liver));
    }
    if (regions.muscle.placed() && regions.muscle.statistics->mean >= liver) {
      regions.warnings.push_back(format("implausible for FDG: muscle mean %.3f >= liver mean %.3f",
                                        regions.muscle.statistics->mean, liver));
    }
    if (regions.spleen.placed() && regions.spleen.statistics->mean > 1.2 * liver) {
      regions.warnings.push_back(
          format("spleen mean %.3f exceeds 1.2 x liver mean %.3f (diffuse "
                 "splenic uptake, e.g. after G-CSF, or a misplacement)",
                 regions.spleen.statistics->mean, liver));
    }
  }
  return regions;
}

std::string reference_regions_json(const ReferenceRegions& regions) {
  using nlohmann::ordered_json;
  auto region_json = [](const ReferenceRegionPlacement& placement) {
    ordered_json node;
    node["method"] = placement_method_name(placement.method);
    node["organ_source"] = placement.organ_source;
    node["explanation"] = placement.explanation;
    if (placement.placed()) {
      const ReferenceRegionStatistics& stats = *placement.statistics;
      const ReferenceRegionSpec& spec = stats.spec;
      node["shape"] = spec.shape == RegionShape::kSphere ? "sphere" : "cylinder";
      node["centre_lps_mm"] = spec.centre_mm;
      node["diameter_mm"] = spec.diameter_mm;
      if (spec.shape == RegionShape::kCylinder) {
        node["length_mm"] = spec.length_mm;
        node["axis_lps"] = spec.axis;
      }
      node["placed_automatically"] = spec.placed_automatically;
      node["mean"] = stats.mean;
      node["sd"] = stats.sd;
      node["sd_kind"] = standard_deviation_kind_name(stats.sd_kind);
      node["max"] = stats.max;
      node["min"] = stats.min;
      node["voxel_count"] = stats.voxel_count;
      node["volume_ml"] = stats.volume_ml;
      node["nominal_volume_ml"] = stats.nominal_volume_ml;
      node["centre_distance_to_organ_edge_mm"] = placement.centre_distance_to_edge_mm;
      node["voxels_outside_organ"] = placement.voxels_outside_organ;
    } else {
      node["placed_automatically"] = false;
    }
    node["warnings"] = placement.warnings;
    return node;
  };
  ordered_json document;
  document["liver"] = region_json(regions.liver);
  document["blood_pool"] = region_json(regions.blood_pool);
  document["spleen"] = region_json(regions.spleen);
  document["muscle"] = region_json(regions.muscle);
  document["warnings"] = regions.warnings;
  return document.dump(2) + "\n";
}

}  // namespace oncotrace
