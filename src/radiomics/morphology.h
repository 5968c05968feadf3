// Morphological features [IBSI-1 manual, "Morphological features", HCUG].
#ifndef ONCOTRACE_RADIOMICS_MORPHOLOGY_H_
#define ONCOTRACE_RADIOMICS_MORPHOLOGY_H_

#include <vector>

#include "radiomics/feature_list.h"
#include "radiomics/roi_grid.h"

namespace oncotrace::radiomics::detail {

// Moran's I (N365) and Geary's C (NPT7) of the intensity-mask voxels, weights 1/distance (mm)
// between voxel centres, over all ordered pairs k1 != k2:
//   I = N/W * sum w (x1-mu)(x2-mu) / sum (x-mu)^2
//   C = (N-1)/(2W) * sum w (x1-x2)^2 / sum (x-mu)^2,    W = sum w.
// Exact. Large ROIs use the same sums written as correlations with the fixed kernel 1/|r|,
// computed with zero-padded FFTs in O(n log n) (radiomics-ibsi.md §10); small ones the
// direct double sum.
struct SpatialAutocorrelation {
  double morans_i = 0.0;
  double gearys_c = 0.0;
};
SpatialAutocorrelation spatial_autocorrelation(const RoiGrid& roi);
SpatialAutocorrelation spatial_autocorrelation_direct(const RoiGrid& roi);
SpatialAutocorrelation spatial_autocorrelation_fft(const RoiGrid& roi);

// Surface area of an ellipsoid with semi-axes a >= b >= c by the Legendre series truncated at
// nu = 20, as the IBSI manual prescribes for the approximate enclosing ellipsoid (RDD2).
double ellipsoid_area(double a, double b, double c);

// All 29 morphology features in table order. OMBB and MVEE densities have no IBSI reference
// values; the OMBB here is the smallest box with one face on a convex-hull facet, the MVEE is
// Khachiyan's minimum-volume enclosing ellipsoid of the hull vertices.
void add_morphology_features(const RoiGrid& roi, FeatureList& out);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_MORPHOLOGY_H_
