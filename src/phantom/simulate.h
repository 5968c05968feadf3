// One simulated study: from a scene with known region values to written series and truth.
#ifndef ONCOTRACE_PHANTOM_SIMULATE_H_
#define ONCOTRACE_PHANTOM_SIMULATE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/phantom.h"
#include "oncotrace/volume.h"
#include "phantom/dicom_writer.h"
#include "phantom/scene.h"

namespace oncotrace::phantom {

// The emission grid of a request, and the CT grid derived from it (same centre and slices,
// ct_inplane_factor times finer in-plane).
Geometry emission_grid(const PhantomGridOptions& options, const Vec3& default_centre_mm);
Geometry ct_grid(const Geometry& emission, int ct_inplane_factor);

// Counts per (Bq/mL at scan start) in one voxel: V t e y s, with V the voxel volume (mL), t the
// scan duration, e the mean decay over the frame relative to its start, y the emissions per decay
// that make the image (positrons for PET, imaging photons for SPECT) and s the counts per emission.
double counts_per_bq_per_ml(const Geometry& grid, double duration_s, double half_life_s,
                            double emissions_per_decay, double counts_per_emission);

// Images of one study on the emission grid.
struct EmissionImages {
  RegionFractions fractions;
  ImageVolume partial_volume_truth;  // unblurred, Bq/mL at scan start
  ImageVolume noise_free;            // blurred, Bq/mL at scan start
  ImageVolume measured;              // blurred + noise (equal to noise_free without noise)
};
EmissionImages simulate_emission(const Scene& scene, const std::vector<double>& bq_per_ml,
                                 const Geometry& grid, int supersampling, double psf_fwhm_mm,
                                 double noise_counts_per_unit, uint64_t noise_seed);

// CT numbers on the CT grid (partial volume, optional blur, noise).
ImageVolume simulate_ct(const Scene& scene, const std::vector<double>& hu_per_region,
                        const Geometry& grid, int supersampling, double psf_fwhm_mm,
                        double noise_sd_hu, uint64_t noise_seed);

// Statistics of an image inside the voxels with one label.
struct LabelStatistics {
  int64_t voxels = 0;
  double mean = 0.0;
  double max = 0.0;
  double sum = 0.0;
};
std::vector<LabelStatistics> statistics_per_label(const ImageVolume& image, const LabelMap& labels,
                                                  uint16_t max_label);

// Writes the label map as NIfTI when the io module is built (returns false otherwise).
bool write_label_map(const std::filesystem::path& path, const LabelMap& labels);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_SIMULATE_H_
