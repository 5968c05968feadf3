// First-order families: intensity-based statistics (IBSI UHIW), intensity histogram (ZVCW),
// intensity-volume histogram (P88C) and local intensity (9ST6).
#ifndef ONCOTRACE_RADIOMICS_FIRST_ORDER_H_
#define ONCOTRACE_RADIOMICS_FIRST_ORDER_H_

#include <cstdint>
#include <vector>

#include "oncotrace/radiomics.h"
#include "oncotrace/volume.h"
#include "radiomics/feature_list.h"

namespace oncotrace::radiomics::detail {

// Percentile of sorted values by linear interpolation between order statistics (Hyndman-Fan
// type 7, numpy's default): the IBSI reference values of the digital phantom need it
// (radiomics-ibsi.md §4.3).
double percentile_of_sorted(const std::vector<double>& sorted, double fraction);

// Intensity statistics of the intensity-mask voxels (population moments; excess kurtosis).
void add_statistics_features(const std::vector<double>& intensities, FeatureList& out);

// Intensity histogram of the discretised levels 1..n_levels (empty levels kept: the gradient
// is taken over the full histogram).
void add_intensity_histogram_features(const std::vector<int32_t>& levels, int n_levels,
                                      FeatureList& out);

// The IVH input after its own discretisation (P88C): voxel i has bin index bin[i] in
// 0..bin_count-1 and the bins have intensities first_value + index * step.
struct IvhBins {
  std::vector<int64_t> bin;
  int64_t bin_count = 0;
  double first_value = 0.0;
  double step = 1.0;
};
IvhBins discretise_for_ivh(const std::vector<double>& intensities, const IvhSettings& settings,
                           const ResegmentationSettings& resegmentation);
void add_ivh_features(const IvhBins& bins, FeatureList& out);

// Local intensity peaks: mean intensity in the 1 cm^3 sphere (radius 6.2035 mm, voxel centres
// within the radius, all image voxels whether in the ROI or not) around the
// maximum-intensity voxel(s) of the intensity mask (local; ties -> highest mean) and the
// maximum over all intensity-mask voxels (global).
void add_local_intensity_features(const Geometry& geometry, const std::vector<double>& image,
                                  const std::vector<uint8_t>& intensity_mask, FeatureList& out);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_FIRST_ORDER_H_
