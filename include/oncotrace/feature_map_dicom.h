// Voxel-wise radiomics feature maps (radiomics::compute_feature_maps) as DICOM Parametric Maps
// [DICOM PS3.3 A.75; the writer of oncotrace/dicom_pmap.h] referencing the source series.
//
//   - Grid: the source planes the map spans (the map covers the ROI's bounding box; its planes
//     are written whole in-plane), one frame per plane, each referencing its source instance.
//   - Voxels without a value (outside the ROI, or the feature undefined for the kernel; NaN in
//     the NIfTI map) hold the padding value, declared as Float Pixel Padding Value (0028,0122)
//     (and as Float Pixel Padding Range Limit (0028,0124)) and left out of the Real World Value
//     First/Last Value Mapped range. Default: the lowest Float32 (-3.4028235e38), which no
//     feature value reaches.
//   - Real World Value Mapping: Quantity (246205007, SCT) = (<IBSI tag>, "99IBSI", "<tag> (IBSI
//     <code>)"), the tag with its aggregation suffix as Code Value (Long Code Value (0008,0119)
//     when longer than 16 characters); "99IBSI" is declared in the Coding Scheme Identification
//     Sequence. Measurement Units: the UCUM unit of radiomics::feature_unit() for the image's
//     intensity unit. LUT Label: the tag, or "<IBSI code> <aggregation>" when the tag is longer
//     than 16 characters.
//   - Series numbers 910, 911, ... (one series per feature; 901-904 are analyze's SEG, SR, SUV
//     map and RTSTRUCT, 909 a filter response map), Content Label FEATURE_MAP.
#ifndef ONCOTRACE_FEATURE_MAP_DICOM_H_
#define ONCOTRACE_FEATURE_MAP_DICOM_H_

#include <filesystem>
#include <limits>
#include <string>

#include "oncotrace/dicom_pmap.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/volume.h"

namespace oncotrace {

inline constexpr int kFeatureMapFirstSeriesNumber = 910;
inline constexpr const char* kIbsiCodingSchemeDesignator = "99IBSI";

// The unit of the image intensities the features were computed on: UCUM code and meaning, e.g.
// ("g/ml{SUVbw}", "Standardized Uptake Value body weight") or ("[hnsf'U]", "Hounsfield unit");
// empty code when unknown.
struct IntensityUnitCode {
  std::string ucum;
  std::string meaning;
};

// What the values of the map of `tag` are (see above). Throws InvalidInputError when the tag is
// not an IBSI feature, or its unit depends on an unknown intensity unit.
MapQuantity feature_map_quantity(const std::string& tag, const IntensityUnitCode& intensity_unit,
                                 radiomics::IntensityType ivh_intensity_type);

// `map` (on a box of `source`'s voxels, as compute_feature_maps returns it) on the source planes
// it spans, in-plane whole, NaN elsewhere. Throws InvalidInputError when the map is not on the
// source's voxels.
ImageVolume feature_map_on_source_planes(const ImageVolume& map, const Geometry& source);

struct FeatureMapDicomOptions {
  int series_number = kFeatureMapFirstSeriesNumber;
  float padding_value = std::numeric_limits<float>::lowest();
  std::string modality = "PT";      // the source's modality ("NM" for SPECT, "CT")
  std::string content_description;  // e.g. "stat_mean, sphere kernel R 2, pet-feature-map"
};

// Writes the map of `tag` as a Parametric Map at `path` (atomically). Throws InvalidInputError
// as feature_map_quantity() and write_parametric_map() do (e.g. a voxel holding the padding
// value).
WrittenParametricMap write_feature_map_dicom(const ImageVolume& map, const std::string& tag,
                                             const SeriesReference& source,
                                             const IntensityUnitCode& intensity_unit,
                                             const radiomics::RadiomicsSettings& settings,
                                             const std::filesystem::path& path,
                                             const FeatureMapDicomOptions& options = {});

// The IBSI-2 filter response map of `settings` (radiomics::filter_response_map) as a Parametric
// Map at `path` (atomically), series kResponseMapSeriesNumber by default:
//   - Quantity (246205007, SCT) = (<filter kind>, "99IBSI", "IBSI-2 <kind> filter response"), the
//     kind as in settings files ("laplacian_of_gaussian"; Long Code Value beyond 16 characters);
//     LUT Label: the kind, cut to 16 characters.
//   - Unit: the image's (`intensity_unit`). Every IBSI-2 filter weights image intensities with
//     dimensionless kernel or transfer-function values (mean, LoG scaled by sigma^2, Laws energy,
//     Gabor modulus, wavelets, Simoncelli, Riesz), so the response carries the image unit.
// The map must lie on the source grid: settings that interpolate put it on the processing grid,
// which no source instance describes. Throws InvalidInputError then, when the unit is unknown,
// and as write_parametric_map() does.
inline constexpr int kResponseMapSeriesNumber = 909;
WrittenParametricMap write_response_map_dicom(const ImageVolume& map,
                                              const radiomics::RadiomicsSettings& settings,
                                              const SeriesReference& source,
                                              const IntensityUnitCode& intensity_unit,
                                              const std::filesystem::path& path,
                                              const std::string& modality = "PT",
                                              int series_number = kResponseMapSeriesNumber);

}  // namespace oncotrace

#endif  // ONCOTRACE_FEATURE_MAP_DICOM_H_
