#include "phantom/simulate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "oncotrace/error.h"
#include "oncotrace/nuclide.h"
#include "phantom/image_physics.h"

#ifdef ONCOTRACE_PHANTOM_HAS_NIFTI
#include "oncotrace/nifti.h"
#endif

namespace oncotrace::phantom {

Geometry emission_grid(const PhantomGridOptions& options, const Vec3& default_centre_mm) {
  for (int i = 0; i < 3; ++i) {
    if (options.emission_size[i] < 1 || options.emission_spacing_mm[i] <= 0.0) {
      throw InvalidInputError("phantom grid: sizes must be >= 1 and spacings > 0 (grid." +
                              std::string("emission_size / emission_spacing_mm)"));
    }
  }
  if (options.emission_size[0] > 65535 || options.emission_size[1] > 65535) {
    throw InvalidInputError("phantom grid: at most 65535 rows and columns (DICOM US)");
  }
  Geometry grid;
  grid.size = options.emission_size;
  grid.spacing_mm = options.emission_spacing_mm;
  const Vec3 centre = options.centre_mm.value_or(default_centre_mm);
  for (int i = 0; i < 3; ++i) {
    grid.origin_mm[i] =
        centre[i] - 0.5 * static_cast<double>(grid.size[i] - 1) * grid.spacing_mm[i];
  }
  return grid;
}

Geometry ct_grid(const Geometry& emission, int ct_inplane_factor) {
  if (ct_inplane_factor < 1)
    throw InvalidInputError("phantom grid: ct_inplane_factor must be >= 1");
  Geometry grid = emission;
  for (int i = 0; i < 2; ++i) {
    grid.size[i] = emission.size[i] * ct_inplane_factor;
    grid.spacing_mm[i] = emission.spacing_mm[i] / ct_inplane_factor;
    // Same field of view: the outer edges of the first and last voxels coincide.
    const double edge = emission.origin_mm[i] - 0.5 * emission.spacing_mm[i];
    grid.origin_mm[i] = edge + 0.5 * grid.spacing_mm[i];
  }
  return grid;
}

double counts_per_bq_per_ml(const Geometry& grid, double duration_s, double half_life_s,
                            double emissions_per_decay, double counts_per_emission) {
  const double mean_decay = 1.0 / decay_during_frame_factor(duration_s, half_life_s);
  return grid.voxel_volume_ml() * duration_s * mean_decay * emissions_per_decay *
         counts_per_emission;
}

EmissionImages simulate_emission(const Scene& scene, const std::vector<double>& bq_per_ml,
                                 const Geometry& grid, int supersampling, double psf_fwhm_mm,
                                 double noise_counts_per_unit, uint64_t noise_seed) {
  EmissionImages images;
  images.fractions = rasterize_scene(scene, grid, supersampling);
  images.partial_volume_truth = region_values_image(images.fractions, bq_per_ml);
  images.noise_free = gaussian_blur(images.partial_volume_truth, psf_fwhm_mm);
  images.measured = images.noise_free;
  if (noise_counts_per_unit > 0.0) {
    add_counting_noise(&images.measured, noise_counts_per_unit, noise_seed);
  }
  return images;
}

ImageVolume simulate_ct(const Scene& scene, const std::vector<double>& hu_per_region,
                        const Geometry& grid, int supersampling, double psf_fwhm_mm,
                        double noise_sd_hu, uint64_t noise_seed) {
  const RegionFractions fractions = rasterize_scene(scene, grid, supersampling);
  ImageVolume hu = gaussian_blur(region_values_image(fractions, hu_per_region), psf_fwhm_mm);
  if (noise_sd_hu > 0.0) add_gaussian_noise(&hu, noise_sd_hu, noise_seed);
  return hu;
}

std::vector<LabelStatistics> statistics_per_label(const ImageVolume& image, const LabelMap& labels,
                                                  uint16_t max_label) {
  std::vector<LabelStatistics> stats(static_cast<size_t>(max_label) + 1);
  for (auto& s : stats) s.max = -std::numeric_limits<double>::infinity();
  for (size_t v = 0; v < image.values.size(); ++v) {
    const uint16_t label = labels.values[v];
    if (label == 0 || label > max_label) continue;
    LabelStatistics& s = stats[label];
    ++s.voxels;
    s.sum += image.values[v];
    s.max = std::max(s.max, double{image.values[v]});
  }
  for (auto& s : stats) {
    if (s.voxels > 0) {
      s.mean = s.sum / static_cast<double>(s.voxels);
    } else {
      s.max = 0.0;
    }
  }
  return stats;
}

bool write_label_map(const std::filesystem::path& path, const LabelMap& labels) {
#ifdef ONCOTRACE_PHANTOM_HAS_NIFTI
  write_nifti(path, labels);
  return true;
#else
  (void)path;
  (void)labels;
  return false;
#endif
}

}  // namespace oncotrace::phantom
