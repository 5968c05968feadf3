// What a scanner does to the partial-volume truth: resolution (PSF blur) and counting noise.
#ifndef ONCOTRACE_PHANTOM_IMAGE_PHYSICS_H_
#define ONCOTRACE_PHANTOM_IMAGE_PHYSICS_H_

#include <cstdint>
#include <vector>

#include "oncotrace/volume.h"

namespace oncotrace::phantom {

// Standard deviation of a Gaussian from its full width at half maximum: FWHM = 2 sqrt(2 ln 2) σ.
double gaussian_sigma_from_fwhm(double fwhm_mm);

// Normalised sampled Gaussian kernel with standard deviation `sigma_voxels`, truncated at 4σ
// (taps -R..R, R = ceil(4σ), at least 1). An empty-width kernel (σ = 0) is {1}.
std::vector<double> gaussian_kernel(double sigma_voxels);

// Separable 3D Gaussian blur (isotropic FWHM in mm, kernel per axis from the axis spacing).
// Edges are mirrored in scatter form: every voxel spreads its value with weights that sum to 1 and
// a weight falling outside the grid is reflected back inside, so the image total is conserved
// (a gather-form filter with mirrored edges does not conserve it). The result approximates the
// voxel average of the continuous object convolved with the PSF. fwhm_mm <= 0 returns a copy.
ImageVolume gaussian_blur(const ImageVolume& image, double fwhm_mm);

// A 64-bit mixing function (splitmix64 finaliser) for deriving independent seeds.
uint64_t mix_seed(uint64_t a, uint64_t b);

// Counting noise: in voxel v the expected number of counts is N = C_v * counts_per_unit, and the
// noisy value is C_v + sqrt(C_v / counts_per_unit) * z with z standard normal (Gaussian
// approximation of Poisson, accurate for N >~ 10), clipped at 0 as OSEM images are. Voxels with
// C_v <= 0 stay unchanged. One std::mt19937_64 per slice seeded from (seed, slice), so that the
// result does not depend on the number of threads.
void add_counting_noise(ImageVolume* image, double counts_per_unit, uint64_t seed);

// Additive white Gaussian noise of standard deviation `sd` (CT), seeded per slice as above.
void add_gaussian_noise(ImageVolume* image, double sd, uint64_t seed);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_IMAGE_PHYSICS_H_
