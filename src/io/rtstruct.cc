// RTSTRUCT reading with DCMTK's dcmdata, and centre-in-polygon rasterisation (see
// oncotrace/rtstruct.h for the rule and its sources).
//
// Only three sequences matter here (Structure Set ROI, ROI Contour, RT ROI Observations), so
// dcmdata's generic item access is enough; dcmrt's DRTStructureSetIOD would bind the reader to the
// complete RT IOD model for no gain.
#include "io/rtstruct.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrds.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "oncotrace/error.h"
#include "oncotrace/rtstruct.h"

namespace oncotrace {
namespace io_internal {

void fill_even_odd(const std::vector<PlanePolygon>& polygons, int64_t size_i, int64_t size_j,
                   uint8_t* plane) {
  std::vector<double> crossings;
  for (int64_t j = 0; j < size_j; ++j) {
    const double y = static_cast<double>(j);
    crossings.clear();
    for (const auto& polygon : polygons) {
      const size_t count = polygon.size();
      for (size_t a = 0, b = count - 1; a < count; b = a++) {
        const PlanePoint& start = polygon[b];
        const PlanePoint& end = polygon[a];
        if ((start[1] > y) == (end[1] > y)) continue;
        crossings.push_back(start[0] + (y - start[1]) * (end[0] - start[0]) / (end[1] - start[1]));
      }
    }
    // Every closed polygon crosses a row an even number of times under the half-open rule.
    std::sort(crossings.begin(), crossings.end());
    uint8_t* row = plane + j * size_i;
    for (size_t pair = 0; pair + 1 < crossings.size(); pair += 2) {
      const auto first = static_cast<int64_t>(std::max(0.0, std::ceil(crossings[pair])));
      const auto last_exclusive = static_cast<int64_t>(
          std::min(static_cast<double>(size_i), std::ceil(crossings[pair + 1])));
      for (int64_t i = first; i < last_exclusive; ++i) row[i] = 1;
    }
  }
}

}  // namespace io_internal

namespace {

using io_internal::PlanePoint;
using io_internal::PlanePolygon;

// A contour may deviate this much (fraction of the slice spacing) from its mean plane before it
// counts as not parallel to the image planes. Stored coordinates carry ~0.01 mm of rounding.
constexpr double kMaxContourThicknessFraction = 0.1;

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string get_string(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  if (item.findAndGetOFStringArray(tag, value).bad()) return "";
  // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
  // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
  return trim(value.c_str());
}

std::optional<int64_t> get_integer(DcmItem& item, const DcmTagKey& tag) {
  Sint32 value = 0;
  if (item.findAndGetSint32(tag, value).bad()) return std::nullopt;
  return value;
}

// The items of a sequence, empty when it is absent.
std::vector<DcmItem*> items_of(DcmItem& item, const DcmTagKey& tag) {
  std::vector<DcmItem*> items;
  DcmSequenceOfItems* sequence = nullptr;
  if (item.findAndGetSequence(tag, sequence).bad() || sequence == nullptr) return items;
  for (unsigned long index = 0; index < sequence->card(); ++index) {
    items.push_back(sequence->getItem(index));
  }
  return items;
}

ContourType contour_type_of(const std::string& name) {
  if (name == "CLOSED_PLANAR") return ContourType::kClosedPlanar;
  if (name == "POINT") return ContourType::kPoint;
  if (name == "OPEN_PLANAR") return ContourType::kOpenPlanar;
  if (name == "OPEN_NONPLANAR") return ContourType::kOpenNonplanar;
  return ContourType::kUnknown;
}

std::vector<Vec3> read_contour_points(DcmItem& contour_item, const std::string& where) {
  DcmElement* element = nullptr;
  if (contour_item.findAndGetElement(DCM_ContourData, element).bad() || element == nullptr) {
    throw InvalidInputError(where + ": Contour Data (3006,0050) is missing");
  }
  OFVector<Float64> values;
  if (auto* decimal_string = dynamic_cast<DcmDecimalString*>(element)) {
    if (decimal_string->getFloat64Vector(values).bad()) values.clear();
  }
  if (values.empty() && element->getVM() > 0) {
    throw InvalidInputError(where + ": Contour Data (3006,0050) is not a list of decimal numbers");
  }
  if (values.size() % 3 != 0) {
    throw InvalidInputError(where + ": Contour Data (3006,0050) holds " +
                            std::to_string(values.size()) + " numbers, not x\\y\\z triplets");
  }
  std::vector<Vec3> points;
  points.reserve(values.size() / 3);
  for (size_t index = 0; index + 2 < values.size(); index += 3) {
    points.push_back({values[index], values[index + 1], values[index + 2]});
  }
  return points;
}

StructureSetRoi read_roi_definition(DcmItem& item) {
  StructureSetRoi roi;
  roi.number = get_integer(item, DCM_ROINumber).value_or(0);
  roi.name = get_string(item, DCM_ROIName);
  roi.frame_of_reference_uid = get_string(item, DCM_ReferencedFrameOfReferenceUID);
  roi.generation_algorithm = get_string(item, DCM_ROIGenerationAlgorithm);
  return roi;
}

void read_roi_contours(DcmItem& item, StructureSetRoi& roi, const std::string& file) {
  std::array<int, 3> color{};
  bool has_color = true;
  for (unsigned long component = 0; component < 3; ++component) {
    Sint32 value = 0;
    has_color = has_color && item.findAndGetSint32(DCM_ROIDisplayColor, value, component).good();
    color[component] = static_cast<int>(value);
  }
  if (has_color) roi.display_color = color;
  const auto contour_items = items_of(item, DCM_ContourSequence);
  for (size_t index = 0; index < contour_items.size(); ++index) {
    const std::string where =
        "RTSTRUCT " + file + ", ROI '" + roi.name + "', contour " + std::to_string(index + 1);
    RoiContour contour;
    contour.type_name = get_string(*contour_items[index], DCM_ContourGeometricType);
    contour.type = contour_type_of(contour.type_name);
    contour.points_mm = read_contour_points(*contour_items[index], where);
    roi.contours.push_back(std::move(contour));
  }
}

std::string list_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
  return text.empty() ? "none" : text;
}

// ---------------------------------------------------------------------------------------------
// Rasterisation.

Vec3 axis_of(const Geometry& grid, int axis) {
  return {grid.direction[axis], grid.direction[3 + axis], grid.direction[6 + axis]};
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

Vec3 minus(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

// The image planes: their positions and their distances along the slice normal.
struct Planes {
  Vec3 normal{0, 0, 1};
  std::vector<Vec3> positions_mm;
  std::vector<double> distances_mm;  // increasing
};

Planes make_planes(const Geometry& grid, const RasterisationOptions& options,
                   const std::string& file) {
  Planes planes;
  planes.normal = axis_of(grid, 2);
  if (options.plane_positions_mm.empty()) {
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      planes.positions_mm.push_back(grid.index_to_world(0, 0, k));
    }
  } else {
    if (static_cast<int64_t>(options.plane_positions_mm.size()) != grid.size[2]) {
      throw InvalidInputError("rasterising RTSTRUCT " + file + ": " +
                              std::to_string(options.plane_positions_mm.size()) +
                              " plane positions given for a grid of " + grid.describe());
    }
    planes.positions_mm = options.plane_positions_mm;
  }
  for (const auto& position : planes.positions_mm) {
    const double distance = dot(position, planes.normal);
    if (!planes.distances_mm.empty() && distance <= planes.distances_mm.back()) {
      throw InvalidInputError("rasterising RTSTRUCT " + file +
                              ": the image planes are not ordered along the slice normal of " +
                              grid.describe());
    }
    planes.distances_mm.push_back(distance);
  }
  return planes;
}

// The plane within `tolerance_mm` of `distance_mm`, if any (the nearest one).
std::optional<size_t> nearest_plane(const Planes& planes, double distance_mm, double tolerance_mm) {
  const auto& distances = planes.distances_mm;
  if (distances.empty()) return std::nullopt;
  const auto above = std::lower_bound(distances.begin(), distances.end(), distance_mm);
  size_t best = static_cast<size_t>(above - distances.begin());
  if (best == distances.size() ||
      (best > 0 && distance_mm - distances[best - 1] <= distances[best] - distance_mm)) {
    best = best == 0 ? 0 : best - 1;
  }
  if (std::abs(distances[best] - distance_mm) > tolerance_mm) return std::nullopt;
  return best;
}

void check_frame_of_reference(const StructureSet& structure_set, const StructureSetRoi& roi,
                              const RasterisationOptions& options) {
  const std::string& contour_frame = roi.frame_of_reference_uid.empty()
                                         ? structure_set.frame_of_reference_uid
                                         : roi.frame_of_reference_uid;
  if (contour_frame.empty() || options.image_frame_of_reference_uid.empty()) return;
  if (contour_frame != options.image_frame_of_reference_uid) {
    throw InvalidInputError(
        "RTSTRUCT " + structure_set.file + ", ROI '" + roi.name +
        "': its Frame of Reference UID (3006,0024) " + contour_frame +
        " differs from the image's FrameOfReferenceUID (0020,0052) " +
        options.image_frame_of_reference_uid +
        "; use the image series the contours were drawn on (or register it first)");
  }
}

struct ContourCounts {
  size_t closed = 0;
  size_t used = 0;
  size_t off_grid = 0;
  size_t skipped = 0;  // POINT, OPEN_*, unknown, or fewer than three points
};

}  // namespace

std::vector<std::string> StructureSet::roi_names() const {
  std::vector<std::string> names;
  names.reserve(rois.size());
  for (const auto& entry : rois) names.push_back(entry.name);
  return names;
}

const StructureSetRoi& StructureSet::roi(const std::string& name) const {
  const std::string wanted = trim(name);
  const StructureSetRoi* found = nullptr;
  for (const auto& entry : rois) {
    if (entry.name != wanted) continue;
    if (found != nullptr) {
      throw InvalidInputError("RTSTRUCT " + file + " has several ROIs named '" + wanted +
                              "' (numbers " + std::to_string(found->number) + " and " +
                              std::to_string(entry.number) + "); rename one of them");
    }
    found = &entry;
  }
  if (found == nullptr) {
    throw InvalidInputError("RTSTRUCT " + file + " has no ROI named '" + wanted +
                            "'; its ROIs are " + list_names(roi_names()));
  }
  return *found;
}

StructureSet read_rtstruct(const std::filesystem::path& path) {
  DcmFileFormat file_format;
  const OFCondition status = file_format.loadFile(path.string().c_str());
  if (status.bad()) {
    throw InvalidInputError("cannot read " + path.string() + " as DICOM: " + status.text());
  }
  // Names may use any character set; downstream JSON needs UTF-8. Without iconv support in
  // DCMTK the names stay as stored.
  file_format.convertToUTF8();
  DcmDataset& dataset = *file_format.getDataset();

  StructureSet structure_set;
  structure_set.file = path.string();
  const std::string modality = get_string(dataset, DCM_Modality);
  const std::string sop_class = get_string(dataset, DCM_SOPClassUID);
  if (modality != "RTSTRUCT" && sop_class != UID_RTStructureSetStorage) {
    throw InvalidInputError(path.string() + " is not an RT Structure Set (Modality (0008,0060) '" +
                            modality + "', SOPClassUID " + sop_class + ")");
  }
  structure_set.sop_instance_uid = get_string(dataset, DCM_SOPInstanceUID);
  structure_set.study_instance_uid = get_string(dataset, DCM_StudyInstanceUID);
  structure_set.series_instance_uid = get_string(dataset, DCM_SeriesInstanceUID);
  structure_set.label = get_string(dataset, DCM_StructureSetLabel);
  structure_set.frame_of_reference_uid = get_string(dataset, DCM_FrameOfReferenceUID);
  for (DcmItem* frame : items_of(dataset, DCM_ReferencedFrameOfReferenceSequence)) {
    if (structure_set.frame_of_reference_uid.empty()) {
      structure_set.frame_of_reference_uid = get_string(*frame, DCM_FrameOfReferenceUID);
    }
    for (DcmItem* study : items_of(*frame, DCM_RTReferencedStudySequence)) {
      for (DcmItem* series : items_of(*study, DCM_RTReferencedSeriesSequence)) {
        const std::string uid = get_string(*series, DCM_SeriesInstanceUID);
        if (!uid.empty()) structure_set.referenced_series_uids.push_back(uid);
      }
    }
  }

  std::map<int64_t, size_t> index_of_number;
  for (DcmItem* item : items_of(dataset, DCM_StructureSetROISequence)) {
    StructureSetRoi roi = read_roi_definition(*item);
    index_of_number[roi.number] = structure_set.rois.size();
    structure_set.rois.push_back(std::move(roi));
  }
  if (structure_set.rois.empty()) {
    throw InvalidInputError("RTSTRUCT " + path.string() +
                            " has no Structure Set ROI Sequence (3006,0020) items");
  }
  for (DcmItem* item : items_of(dataset, DCM_ROIContourSequence)) {
    const auto number = get_integer(*item, DCM_ReferencedROINumber);
    const auto found = number ? index_of_number.find(*number) : index_of_number.end();
    if (found == index_of_number.end()) {
      spdlog::warn(
          "RTSTRUCT {}: ROI Contour Sequence item refers to ROI number {} that the "
          "Structure Set ROI Sequence does not define; ignored",
          path.string(), number ? std::to_string(*number) : "(none)");
      continue;
    }
    read_roi_contours(*item, structure_set.rois[found->second], path.string());
  }
  for (DcmItem* item : items_of(dataset, DCM_RTROIObservationsSequence)) {
    const auto number = get_integer(*item, DCM_ReferencedROINumber);
    const auto found = number ? index_of_number.find(*number) : index_of_number.end();
    if (found != index_of_number.end()) {
      structure_set.rois[found->second].interpreted_type =
          get_string(*item, DCM_RTROIInterpretedType);
    }
  }
  return structure_set;
}

Mask rasterise_roi(const StructureSet& structure_set, const std::string& roi_name,
                   const Geometry& grid, const RasterisationOptions& options) {
  const StructureSetRoi& roi = structure_set.roi(roi_name);
  check_frame_of_reference(structure_set, roi, options);
  const std::string where = "RTSTRUCT " + structure_set.file + ", ROI '" + roi.name + "'";
  const Planes planes = make_planes(grid, options, structure_set.file);
  const Vec3 axis_i = axis_of(grid, 0);
  const Vec3 axis_j = axis_of(grid, 1);
  const double slice_spacing_mm = grid.spacing_mm[2];
  const double match_tolerance_mm = options.slice_match_fraction * slice_spacing_mm;

  std::vector<std::vector<PlanePolygon>> polygons(planes.positions_mm.size());
  ContourCounts counts;
  for (size_t index = 0; index < roi.contours.size(); ++index) {
    const RoiContour& contour = roi.contours[index];
    if (contour.type != ContourType::kClosedPlanar || contour.points_mm.size() < 3) {
      ++counts.skipped;
      continue;
    }
    ++counts.closed;
    double mean_distance = 0.0;
    for (const auto& point : contour.points_mm) mean_distance += dot(point, planes.normal);
    mean_distance /= static_cast<double>(contour.points_mm.size());
    double thickness = 0.0;
    for (const auto& point : contour.points_mm) {
      thickness = std::max(thickness, std::abs(dot(point, planes.normal) - mean_distance));
    }
    if (thickness > kMaxContourThicknessFraction * slice_spacing_mm) {
      throw UnsupportedDataError(where + ", contour " + std::to_string(index + 1) + " departs " +
                                 std::to_string(thickness) +
                                 " mm from its plane along the image's slice normal: it is not "
                                 "parallel to the image planes; resample the image to the "
                                 "contours' orientation");
    }
    const auto plane = nearest_plane(planes, mean_distance, match_tolerance_mm);
    if (!plane) {
      ++counts.off_grid;
      continue;
    }
    ++counts.used;
    const Vec3& plane_origin = planes.positions_mm[*plane];
    PlanePolygon polygon;
    polygon.reserve(contour.points_mm.size());
    for (const auto& point : contour.points_mm) {
      const Vec3 offset = minus(point, plane_origin);
      polygon.push_back(
          {dot(offset, axis_i) / grid.spacing_mm[0], dot(offset, axis_j) / grid.spacing_mm[1]});
    }
    polygons[*plane].push_back(std::move(polygon));
  }
  if (counts.closed == 0) {
    throw UnsupportedDataError(where + " has no CLOSED_PLANAR contour (" +
                               std::to_string(roi.contours.size()) +
                               " contours of other types): it has no area to rasterise");
  }
  if (counts.used == 0) {
    throw InvalidInputError(where + ": none of its " + std::to_string(counts.closed) +
                            " contours lies on a plane of the image grid " + grid.describe() +
                            "; is this RTSTRUCT drawn on this image?");
  }
  if (counts.off_grid > 0) {
    spdlog::warn(
        "{}: {} of {} contours lie outside the planes of the image grid and were not "
        "rasterised",
        where, counts.off_grid, counts.closed);
  }

  Mask mask(grid, 0);
  const size_t plane_voxels = static_cast<size_t>(grid.size[0] * grid.size[1]);
  for (size_t k = 0; k < polygons.size(); ++k) {
    if (polygons[k].empty()) continue;
    io_internal::fill_even_odd(polygons[k], grid.size[0], grid.size[1],
                               mask.values.data() + k * plane_voxels);
  }
  return mask;
}

}  // namespace oncotrace
