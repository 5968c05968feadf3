// Texture matrices and their features: GLCM (IBSI LFYI), GLRLM (TP0I), GLSZM (9SAK),
// GLDZM (VMDZ), NGTDM (IPET), NGLDM (REK0).
//
// Matrices are sized by the ROI, never by bins^2 x directions x slices: the co-occurrence
// matrix is indexed by the grey levels present in the ROI (L <= N_g), and the size-type
// matrices (run length, zone size, zone distance, dependence count) are sparse lists of
// (level, size, count). Features still use the true grey levels and N_g (the number of
// discretisation levels, absent ones included).
//
// Aggregation [IBSI 5QB6]: merging sums the counts (and the voxel counts that normalise
// percentages) before the features are computed; averaging computes the features per matrix
// and takes the mean, ignoring undefined (NaN) values and empty matrices as the reference
// implementation does.
#ifndef ONCOTRACE_RADIOMICS_TEXTURE_H_
#define ONCOTRACE_RADIOMICS_TEXTURE_H_

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "oncotrace/radiomics.h"
#include "radiomics/feature_list.h"
#include "radiomics/roi_grid.h"

namespace oncotrace::radiomics::detail {

// The grey levels present in the ROI and their compact indices.
struct LevelIndex {
  std::vector<int32_t> levels;          // ascending
  std::vector<int32_t> index_of_level;  // size n_levels + 1; -1 when absent
  static LevelIndex of(const GreyLevelGrid& grid);
  int size() const { return static_cast<int>(levels.size()); }
};

// Linear offsets of the intensity-mask voxels, grouped by slice (k ascending, then offset).
struct RoiVoxels {
  std::vector<int64_t> offsets;
  // offsets[slice_begin[k] .. slice_begin[k + 1]) lie in slice k.
  std::vector<size_t> slice_begin;
  static RoiVoxels of(const GreyLevelGrid& grid);
  // [begin, end) indices into offsets of one slice, or of all voxels when slice < 0.
  std::pair<size_t, size_t> range(int slice) const {
    if (slice < 0) return {0, offsets.size()};
    return {slice_begin[static_cast<size_t>(slice)], slice_begin[static_cast<size_t>(slice) + 1]};
  }
};

// --- GLCM ---------------------------------------------------------------------------------

// Symmetric co-occurrence counts over the present levels (L x L, row-major).
struct CooccurrenceMatrix {
  int size = 0;
  std::vector<double> counts;
  double total() const;
  void add(const CooccurrenceMatrix& other);
};

// Counts of the pairs (v, v + d), both in the ROI, added in both orders. With slice >= 0 only
// voxels of that slice are centres (use an in-plane d for 2D matrices).
CooccurrenceMatrix count_cooccurrences(const GreyLevelGrid& grid, const RoiVoxels& voxels,
                                       const LevelIndex& levels, const Displacement& d, int slice);

constexpr int kGlcmFeatureCount = 25;
using GlcmValues = std::array<double, kGlcmFeatureCount>;
// In the order of the IBSI tables: joint_max ... info_corr2.
const std::array<const char*, kGlcmFeatureCount>& glcm_feature_names();
GlcmValues glcm_feature_values(const CooccurrenceMatrix& matrix, const LevelIndex& levels,
                               int n_levels);

// --- size-type matrices (GLRLM, GLSZM, GLDZM, NGLDM) -------------------------------------

// Sparse (grey level, size) -> count; "size" is the run length, zone size, zone distance or
// dependence count. Entries are sorted by (level, size) and unique.
struct SizeMatrix {
  struct Entry {
    int32_t level = 0;
    int64_t size = 0;
    double count = 0.0;
  };
  std::vector<Entry> entries;
  // N_v, the number of voxels the matrix describes (run/zone percentage denominator).
  double voxel_count = 0.0;
  bool empty() const { return entries.empty(); }
};

// Builds a SizeMatrix from one (level, size) observation per element.
SizeMatrix make_size_matrix(const std::vector<std::pair<int32_t, int64_t>>& observations,
                            double voxel_count);
SizeMatrix merge_size_matrices(const std::vector<const SizeMatrix*>& matrices);

// The 16 features shared by GLRLM, GLSZM and GLDZM plus the NGLDM dependence count energy,
// in table order: short emphasis, long emphasis, low grey level, high grey level, short-low,
// short-high, long-low, long-high, grey-level non-uniformity (+ normalised), size
// non-uniformity (+ normalised), percentage, grey-level variance, size variance, size entropy,
// energy.
constexpr int kSizeFeatureCount = 17;
using SizeValues = std::array<double, kSizeFeatureCount>;
SizeValues size_matrix_feature_values(const SizeMatrix& matrix);

// Emits the features of a size-type family with the given tag suffix (16 features; 17 with the
// NGLDM dependence count energy).
enum class SizeFamily { kRunLength, kSizeZone, kDistanceZone, kDependence };
void emit_size_features(SizeFamily family, const SizeValues& values, const char* suffix,
                        FeatureList& out);

// GLRLM of one direction; slice >= 0 restricts runs to start in that slice (in-plane d).
SizeMatrix count_runs(const GreyLevelGrid& grid, const RoiVoxels& voxels, const Displacement& d,
                      int slice);

// Zones (connected voxels of equal level; 26-connected in 3D, 8-connected in a slice) with
// their size and their distance to the ROI edge: the minimum over the zone of the number of
// face-neighbour steps (6 in 3D, 4 in a slice) to the first voxel outside the morphological
// mask; edge voxels have distance 1.
struct ZoneMatrices {
  SizeMatrix size_zone;
  SizeMatrix distance_zone;
};
// slice >= 0: 2D zones within that slice. `edge_distance` is edge_distance_map() of the
// morphological mask (in_slice for 2D zones).
ZoneMatrices count_zones(const GreyLevelGrid& grid, const RoiVoxels& voxels,
                         const std::vector<int32_t>& edge_distance, int slice);
// Distance to the edge of the morphological mask (0 outside it), 6-connected, or 4-connected
// within each slice when in_slice. The mask must have a border of zeros on every side.
std::vector<int32_t> edge_distance_map(const Index3& size, const std::vector<uint8_t>& mask,
                                       bool in_slice);

// NGLDM with Chebyshev distance 1 and alpha 0: dependence = 1 + neighbours in the ROI with the
// centre's level.
SizeMatrix count_dependences(const GreyLevelGrid& grid, const RoiVoxels& voxels, int slice);

// --- NGTDM ----------------------------------------------------------------------------------

// Per grey level (index = level): n_i voxels with at least one ROI neighbour, and s_i = sum of
// |level - mean neighbour level| over them.
struct NeighbourhoodDifferences {
  std::vector<double> count;
  std::vector<double> sum_abs_difference;
  void add(const NeighbourhoodDifferences& other);
  bool empty() const;
};
NeighbourhoodDifferences count_neighbourhood_differences(const GreyLevelGrid& grid,
                                                         const RoiVoxels& voxels, int slice);
constexpr int kNgtdmFeatureCount = 5;
std::array<double, kNgtdmFeatureCount> ngtdm_feature_values(const NeighbourhoodDifferences& d);

// Mean of feature vectors over matrices, each feature over its defined (finite) values only
// (numpy.nanmean in the reference implementation); NaN when no matrix defines it.
template <size_t N>
class FeatureMean {
 public:
  void add(const std::array<double, N>& values) {
    for (size_t f = 0; f < N; ++f) {
      if (std::isfinite(values[f])) {
        sum_[f] += values[f];
        count_[f] += 1;
      }
    }
  }
  std::array<double, N> mean() const {
    std::array<double, N> result{};
    for (size_t f = 0; f < N; ++f) {
      result[f] = count_[f] > 0 ? sum_[f] / count_[f] : std::nan("");
    }
    return result;
  }

 private:
  std::array<double, N> sum_{};
  std::array<int, N> count_{};
};

// --- all families ---------------------------------------------------------------------------

void add_glcm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                       FeatureList& out);
void add_glrlm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out);
// GLSZM and GLDZM share the zone search; the flags choose which are emitted.
void add_zone_features(const GreyLevelGrid& grid, const std::vector<uint8_t>& morphological_mask,
                       const AggregationSettings& aggregation, bool glszm, bool gldzm,
                       FeatureList& out);
void add_ngtdm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out);
void add_ngldm_features(const GreyLevelGrid& grid, const AggregationSettings& aggregation,
                        FeatureList& out);

}  // namespace oncotrace::radiomics::detail

#endif  // ONCOTRACE_RADIOMICS_TEXTURE_H_
