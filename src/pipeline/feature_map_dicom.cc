// Feature maps as DICOM Parametric Maps (see include/oncotrace/feature_map_dicom.h).
#include "oncotrace/feature_map_dicom.h"

#include <cmath>
#include <string>

#include "oncotrace/dicom_sr.h"
#include "oncotrace/error.h"

namespace oncotrace {

MapQuantity feature_map_quantity(const std::string& tag, const IntensityUnitCode& intensity_unit,
                                 radiomics::IntensityType ivh_intensity_type) {
  const std::string code = radiomics::feature_ibsi_code(tag);
  const std::string unit = radiomics::feature_unit(tag, intensity_unit.ucum, ivh_intensity_type);
  if (unit.empty()) {
    throw InvalidInputError("feature map '" + tag +
                            "' as DICOM: the feature's unit depends on the image intensity "
                            "unit, which is unknown for this image (PET/SPECT in SUV or Bq/ml and "
                            "CT in HU have one); a Parametric Map needs a unit");
  }
  MapQuantity quantity;
  quantity.quantity = {tag, kIbsiCodingSchemeDesignator, tag + " (IBSI " + code + ")"};
  const std::string meaning = unit == intensity_unit.ucum ? intensity_unit.meaning
                              : unit == "1"               ? std::string("no units")
                                                          : unit;
  quantity.unit = sr_codes::ucum(unit, meaning);
  // LUT Label: at most 16 characters; longer tags as "<IBSI code> <aggregation>", e.g.
  // "TU9B 3D_comb" for cm_joint_entr_3D_comb.
  quantity.label = tag.substr(0, 16);
  if (tag.size() > 16) {
    for (const char* aggregation : {"_2_5D", "_2D", "_3D"}) {
      const size_t at = tag.find(aggregation);
      if (at != std::string::npos) {
        quantity.label = (code + " " + tag.substr(at + 1)).substr(0, 16);
        break;
      }
    }
  }
  return quantity;
}

ImageVolume feature_map_on_source_planes(const ImageVolume& map, const Geometry& source) {
  const Vec3 first = source.world_to_index(map.geometry.origin_mm);
  const Index3 offset{std::llround(first[0]), std::llround(first[1]), std::llround(first[2])};
  Geometry box = source;
  box.size = map.geometry.size;
  box.origin_mm = source.index_to_world(offset[0], offset[1], offset[2]);
  if (!map.geometry.same_grid_as(box) || !source.contains(offset) ||
      !source.contains({offset[0] + box.size[0] - 1, offset[1] + box.size[1] - 1,
                        offset[2] + box.size[2] - 1})) {
    throw InvalidInputError("feature map grid " + map.geometry.describe() +
                            " is not a box of the source grid " + source.describe());
  }
  Geometry planes = source;
  planes.size[2] = map.geometry.size[2];
  planes.origin_mm = source.index_to_world(0, 0, offset[2]);
  ImageVolume out(planes, std::nanf(""));
  for (int64_t k = 0; k < box.size[2]; ++k) {
    for (int64_t j = 0; j < box.size[1]; ++j) {
      for (int64_t i = 0; i < box.size[0]; ++i) {
        out.values[planes.offset(i + offset[0], j + offset[1], k)] =
            map.values[map.geometry.offset(i, j, k)];
      }
    }
  }
  return out;
}

WrittenParametricMap write_feature_map_dicom(const ImageVolume& map, const std::string& tag,
                                             const SeriesReference& source,
                                             const IntensityUnitCode& intensity_unit,
                                             const radiomics::RadiomicsSettings& settings,
                                             const std::filesystem::path& path,
                                             const FeatureMapDicomOptions& options) {
  const MapQuantity quantity =
      feature_map_quantity(tag, intensity_unit, settings.ivh.intensity_type);
  ParametricMapWriteOptions write;
  write.series_number = options.series_number;
  write.series_description = ("oncotrace feature map " + tag).substr(0, 64);
  write.modality = options.modality;
  write.content_label = "FEATURE_MAP";
  write.content_description = options.content_description.substr(0, 64);
  write.float_pixel_padding_value = options.padding_value;
  write.coding_schemes.push_back({kIbsiCodingSchemeDesignator, "IBSI feature tags and filters",
                                  "Image Biomarker Standardisation Initiative"});
  return write_parametric_map(feature_map_on_source_planes(map, source.grid), source, quantity,
                              path, write);
}

WrittenParametricMap write_response_map_dicom(const ImageVolume& map,
                                              const radiomics::RadiomicsSettings& settings,
                                              const SeriesReference& source,
                                              const IntensityUnitCode& intensity_unit,
                                              const std::filesystem::path& path,
                                              const std::string& modality, int series_number) {
  const std::string kind = radiomics::filter_kind_name(settings.filter.kind);
  if (settings.filter.kind == radiomics::FilterKind::kNone) {
    throw InvalidInputError("response map as DICOM: settings \"" + settings.name +
                            "\" have no filter");
  }
  if (!map.geometry.same_grid_as(source.grid)) {
    throw InvalidInputError(
        "response map as DICOM: the map is on the processing grid " + map.geometry.describe() +
        " of settings \"" + settings.name + "\" (interpolation), not on the source grid " +
        source.grid.describe() +
        "; a Parametric Map must lie on its source's planes: use settings without interpolation, "
        "or write the map as NIfTI");
  }
  if (intensity_unit.ucum.empty()) {
    throw InvalidInputError(
        "response map as DICOM: the image intensity unit is unknown (PET/SPECT in SUV or Bq/ml "
        "and CT in HU have one); a Parametric Map needs a unit; write the map as NIfTI");
  }
  MapQuantity quantity;
  quantity.quantity = {kind, kIbsiCodingSchemeDesignator, "IBSI-2 " + kind + " filter response"};
  quantity.unit = sr_codes::ucum(intensity_unit.ucum, intensity_unit.meaning);
  quantity.label = kind.substr(0, 16);
  ParametricMapWriteOptions write;
  write.series_number = series_number;
  write.series_description = ("oncotrace filter response " + kind).substr(0, 64);
  write.modality = modality;
  write.content_label = "FILTER_RESPONSE";
  write.content_description = (kind + " response, " + settings.name).substr(0, 64);
  write.coding_schemes.push_back({kIbsiCodingSchemeDesignator, "IBSI feature tags and filters",
                                  "Image Biomarker Standardisation Initiative"});
  return write_parametric_map(map, source, quantity, path, write);
}

}  // namespace oncotrace
