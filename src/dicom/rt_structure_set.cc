// The RT Structure Set writer (include/oncotrace/dicom_rtstruct.h) and the outline tracing it
// uses (src/dicom/rt_contours.h). The dataset is built with dcmdata: DCMTK's dcmrt classes
// (DRTStructureSetIOD) would need one accessor call per attribute and sequence level without
// checking more than the dataset does, and dciodvfy validates the result in the tests.
// The outline tracing is written by hand: neither DCMTK nor ITK traces voxel-edge boundaries
// (ITK's contour extraction interpolates iso-lines through voxel centres, which does not round
// trip through centre-in-polygon rasterisation).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "dicom/codecs.h"
#include "dicom/derived_object.h"
#include "dicom/rt_contours.h"
#include "dicom/segmentation.h"
#include "oncotrace/dicom_rtstruct.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"

namespace oncotrace {
namespace dicom {
namespace {

// Directions of a lattice edge: 0 = +i, 1 = +j, 2 = -i, 3 = -j.
constexpr int64_t kStepI[4] = {1, 0, -1, 0};
constexpr int64_t kStepJ[4] = {0, 1, 0, -1};

}  // namespace

std::vector<CornerLoop> trace_region_outlines(const std::vector<uint8_t>& inside, int64_t size_i,
                                              int64_t size_j) {
  const int64_t corners_i = size_i + 1;
  const auto corner_index = [&](int64_t a, int64_t b) {
    return static_cast<size_t>(b * corners_i + a);
  };
  const auto in = [&](int64_t i, int64_t j) {
    return i >= 0 && j >= 0 && i < size_i && j < size_j &&
           inside[static_cast<size_t>(j * size_i + i)] != 0;
  };
  // Outgoing boundary edges per corner, one bit per direction, region on the left:
  // bottom edge of voxel (i, j) runs +i from corner (i, j), right edge +j from (i + 1, j), top
  // edge -i from (i + 1, j + 1), left edge -j from (i, j + 1).
  std::vector<uint8_t> outgoing(static_cast<size_t>(corners_i * (size_j + 1)), 0);
  size_t edges = 0;
  for (int64_t j = 0; j < size_j; ++j) {
    for (int64_t i = 0; i < size_i; ++i) {
      if (!in(i, j)) continue;
      if (!in(i, j - 1)) outgoing[corner_index(i, j)] |= 1U << 0, ++edges;
      if (!in(i + 1, j)) outgoing[corner_index(i + 1, j)] |= 1U << 1, ++edges;
      if (!in(i, j + 1)) outgoing[corner_index(i + 1, j + 1)] |= 1U << 2, ++edges;
      if (!in(i - 1, j)) outgoing[corner_index(i, j + 1)] |= 1U << 3, ++edges;
    }
  }
  std::vector<CornerLoop> loops;
  size_t next_start = 0;
  while (edges > 0) {
    while (outgoing[next_start] == 0) ++next_start;
    const int64_t start_a = static_cast<int64_t>(next_start) % corners_i;
    const int64_t start_b = static_cast<int64_t>(next_start) / corners_i;
    int direction = 0;
    while ((outgoing[next_start] & (1U << direction)) == 0) ++direction;
    // Walk until the start corner has no unused outgoing edge left on arrival.
    CornerLoop corners;
    std::vector<int> directions;
    int64_t a = start_a;
    int64_t b = start_b;
    while (true) {
      corners.push_back({a, b});
      directions.push_back(direction);
      outgoing[corner_index(a, b)] &= static_cast<uint8_t>(~(1U << direction));
      --edges;
      a += kStepI[direction];
      b += kStepJ[direction];
      const uint8_t available = outgoing[corner_index(a, b)];
      if (a == start_a && b == start_b) break;
      // Left turn first (towards the region), then straight, then right.
      const int candidates[3] = {(direction + 1) % 4, direction, (direction + 3) % 4};
      int chosen = -1;
      for (const int candidate : candidates) {
        if ((available & (1U << candidate)) != 0) {
          chosen = candidate;
          break;
        }
      }
      if (chosen < 0) {
        throw InternalError("outline tracing: boundary edges do not close at corner (" +
                            std::to_string(a) + ", " + std::to_string(b) + ")");
      }
      direction = chosen;
    }
    // Keep the corners where the direction changes (cyclically).
    CornerLoop loop;
    const size_t count = corners.size();
    for (size_t n = 0; n < count; ++n) {
      const int arriving = directions[(n + count - 1) % count];
      if (arriving != directions[n]) loop.push_back(corners[n]);
    }
    loops.push_back(std::move(loop));
  }
  return loops;
}

namespace {

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw InternalError("RTSTRUCT: " + what + ": " + status.text());
}

// A DS value in mm with 0.001 mm resolution, trailing zeros dropped ("-12.5", "3").
std::string millimetre_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", value);
  std::string out = text;
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& where) {
  check(item.putAndInsertString(tag, value.c_str()), where + " " + DcmTag(tag).getTagName());
}

DcmItem& new_item(DcmItem& parent, const DcmTagKey& sequence, const std::string& where) {
  DcmItem* item = nullptr;
  check(parent.findOrCreateSequenceItem(sequence, item, -2), where);
  return *item;
}

void add_image_reference(DcmItem& item, const SeriesReference& source, int64_t k,
                         const std::string& where) {
  const SeriesReference::Plane& plane = source.planes[static_cast<size_t>(k)];
  put(item, DCM_ReferencedSOPClassUID, source.sop_class_uid, where);
  put(item, DCM_ReferencedSOPInstanceUID, plane.sop_instance_uid, where);
  if (plane.frame_number > 0) {
    put(item, DCM_ReferencedFrameNumber, std::to_string(plane.frame_number), where);
  }
}

}  // namespace
}  // namespace dicom

std::array<uint8_t, 3> rtstruct_display_colour(size_t n) {
  // Okabe-Ito colours, bright enough on a grey CT.
  static constexpr std::array<std::array<uint8_t, 3>, 7> kColours{{{230, 159, 0},
                                                                   {86, 180, 233},
                                                                   {0, 158, 115},
                                                                   {240, 228, 66},
                                                                   {0, 114, 178},
                                                                   {213, 94, 0},
                                                                   {204, 121, 167}}};
  return kColours[n % kColours.size()];
}

WrittenStructureSet write_rtstruct(const LabelMap& labels, const SeriesReference& source,
                                   const std::vector<RtStructureRoi>& rois,
                                   const std::filesystem::path& path,
                                   const RtStructWriteOptions& options) {
  const std::string where = "RTSTRUCT " + path.string();
  dicom::check_source_reference(source, where, "an RT Structure Set");
  if (!labels.geometry.same_grid_as(source.grid)) {
    throw InvalidInputError(where + ": the label map grid " + labels.geometry.describe() +
                            " is not the grid of the source series " + source.series_instance_uid +
                            " " + source.grid.describe());
  }
  if (rois.empty()) throw InvalidInputError(where + ": no regions to write");
  if (options.structure_set_label.empty() || options.structure_set_label.size() > 16) {
    throw InvalidInputError(where + ": the structure set label '" + options.structure_set_label +
                            "' must have 1 to 16 characters");
  }
  const Geometry& grid = source.grid;
  const size_t plane_voxels = static_cast<size_t>(grid.size[0]) * static_cast<size_t>(grid.size[1]);
  // First and last plane of every label (one pass), to visit only the planes a region spans.
  std::vector<int64_t> first_plane(65536, grid.size[2]), last_plane(65536, -1);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    const uint16_t* plane = labels.values.data() + static_cast<size_t>(k) * plane_voxels;
    for (size_t pixel = 0; pixel < plane_voxels; ++pixel) {
      first_plane[plane[pixel]] = std::min(first_plane[plane[pixel]], k);
      last_plane[plane[pixel]] = k;
    }
  }
  std::set<uint16_t> described;
  const auto refuse_roi = [&where](const RtStructureRoi& roi, const std::string& problem) {
    throw InvalidInputError(where + ": ROI \"" + roi.name + "\" (label " +
                            std::to_string(roi.label) + ")" + problem);
  };
  for (const RtStructureRoi& roi : rois) {
    if (roi.label == 0) refuse_roi(roi, ": label 0 is background");
    if (!described.insert(roi.label).second) {
      throw InvalidInputError(where + ": label " + std::to_string(roi.label) +
                              " is described by two ROIs");
    }
    if (last_plane[roi.label] < 0) {
      refuse_roi(roi, " is empty: no voxel has that label");
    }
    if (roi.name.empty() || roi.name.size() > 64) {
      throw InvalidInputError(where + ": label " + std::to_string(roi.label) +
                              ": the ROI name must have 1 to 64 characters");
    }
  }

  dicom::initialise_dcmtk();
  DcmFileFormat file;
  DcmDataset& data = *file.getDataset();
  WrittenStructureSet written;
  written.series_instance_uid = dicom::new_uuid_uid();
  written.sop_instance_uid = dicom::new_uuid_uid();
  // SOP Common, Patient, General Study, RT Series, General Equipment, Structure Set.
  dicom::put(data, DCM_SOPClassUID, UID_RTStructureSetStorage, where);
  dicom::put(data, DCM_SOPInstanceUID, written.sop_instance_uid, where);
  if (!source.source_file.empty()) {
    dicom::copy_patient_and_study(source.source_file, data, where);
  } else {
    dicom::put(data, DCM_PatientName, source.patient_name, where);
    dicom::put(data, DCM_PatientID, source.patient_id, where);
    dicom::put(data, DCM_StudyDate, source.study_date, where);
    dicom::put(data, DCM_StudyTime, source.study_time, where);
  }
  // Type 2 attributes of the Patient and General Study modules stay present (empty) when the
  // source lacks them.
  for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex,
                               DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber,
                               DCM_StudyDate, DCM_StudyTime}) {
    if (!data.tagExists(tag)) dicom::put(data, tag, "", where);
  }
  // Frame of Reference module: the source's frame (the contours are in its coordinates).
  dicom::put(data, DCM_FrameOfReferenceUID, source.frame_of_reference_uid, where);
  if (!data.tagExists(DCM_PositionReferenceIndicator)) {
    dicom::put(data, DCM_PositionReferenceIndicator, "", where);
  }
  dicom::put(data, DCM_StudyInstanceUID, source.study_instance_uid, where);
  dicom::put(data, DCM_Modality, "RTSTRUCT", where);
  dicom::put(data, DCM_SeriesInstanceUID, written.series_instance_uid, where);
  dicom::put(data, DCM_SeriesNumber, std::to_string(options.series_number), where);
  dicom::put(data, DCM_SeriesDescription, options.series_description, where);
  dicom::put(data, DCM_OperatorsName, "", where);
  dicom::put(data, DCM_Manufacturer, "oncotrace", where);
  dicom::put(data, DCM_SoftwareVersions, version_string(), where);
  dicom::put(data, DCM_InstanceNumber, "1", where);
  dicom::put(data, DCM_StructureSetLabel, options.structure_set_label, where);
  dicom::put(data, DCM_StructureSetDate, "", where);
  dicom::put(data, DCM_StructureSetTime, "", where);

  // Referenced Frame of Reference: every source instance of the series.
  DcmItem& frame = dicom::new_item(data, DCM_ReferencedFrameOfReferenceSequence, where);
  dicom::put(frame, DCM_FrameOfReferenceUID, source.frame_of_reference_uid, where);
  DcmItem& study = dicom::new_item(frame, DCM_RTReferencedStudySequence, where);
  // Study Component Management SOP Class, the value PS3.3 C.8.8.5 gives for this reference.
  dicom::put(study, DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1", where);
  dicom::put(study, DCM_ReferencedSOPInstanceUID, source.study_instance_uid, where);
  DcmItem& series = dicom::new_item(study, DCM_RTReferencedSeriesSequence, where);
  dicom::put(series, DCM_SeriesInstanceUID, source.series_instance_uid, where);
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    dicom::add_image_reference(dicom::new_item(series, DCM_ContourImageSequence, where), source, k,
                               where);
  }

  std::vector<uint8_t> inside(plane_voxels);
  for (size_t n = 0; n < rois.size(); ++n) {
    const RtStructureRoi& roi = rois[n];
    const std::string roi_number = std::to_string(n + 1);
    DcmItem& description = dicom::new_item(data, DCM_StructureSetROISequence, where);
    dicom::put(description, DCM_ROINumber, roi_number, where);
    dicom::put(description, DCM_ReferencedFrameOfReferenceUID, source.frame_of_reference_uid,
               where);
    dicom::put(description, DCM_ROIName, roi.name, where);
    dicom::put(description, DCM_ROIGenerationAlgorithm, roi.generation_algorithm, where);
    if (!roi.generation_description.empty()) {
      dicom::put(description, DCM_ROIGenerationDescription, roi.generation_description, where);
    }

    DcmItem& contours = dicom::new_item(data, DCM_ROIContourSequence, where);
    dicom::put(contours, DCM_ROIDisplayColor,
               std::to_string(roi.display_colour[0]) + "\\" +
                   std::to_string(roi.display_colour[1]) + "\\" +
                   std::to_string(roi.display_colour[2]),
               where);
    dicom::put(contours, DCM_ReferencedROINumber, roi_number, where);
    for (int64_t k = first_plane[roi.label]; k <= last_plane[roi.label]; ++k) {
      const uint16_t* plane = labels.values.data() + static_cast<size_t>(k) * plane_voxels;
      bool any = false;
      for (size_t pixel = 0; pixel < plane_voxels; ++pixel) {
        inside[pixel] = plane[pixel] == roi.label ? 1 : 0;
        any = any || inside[pixel] != 0;
      }
      if (!any) continue;
      for (const dicom::CornerLoop& loop :
           dicom::trace_region_outlines(inside, grid.size[0], grid.size[1])) {
        std::string points;
        for (const dicom::LatticeCorner& corner : loop) {
          const Vec3 world =
              grid.index_to_world({static_cast<double>(corner[0]) - 0.5,
                                   static_cast<double>(corner[1]) - 0.5, static_cast<double>(k)});
          for (const double coordinate : world) {
            points += (points.empty() ? "" : "\\") + dicom::millimetre_text(coordinate);
          }
        }
        // DS values share one element of at most 65534 bytes (16-bit length).
        if (points.size() > 65534) {
          throw UnsupportedDataError(where + ": the outline of " + roi.name + " on plane " +
                                     std::to_string(k) + " has " + std::to_string(loop.size()) +
                                     " corners, more than one Contour Data element can hold; "
                                     "write this region as DICOM SEG instead");
        }
        DcmItem& contour = dicom::new_item(contours, DCM_ContourSequence, where);
        dicom::add_image_reference(dicom::new_item(contour, DCM_ContourImageSequence, where),
                                   source, k, where);
        dicom::put(contour, DCM_ContourGeometricType, "CLOSED_PLANAR", where);
        dicom::put(contour, DCM_NumberOfContourPoints, std::to_string(loop.size()), where);
        dicom::put(contour, DCM_ContourData, points, where);
        ++written.contour_count;
      }
    }

    DcmItem& observation = dicom::new_item(data, DCM_RTROIObservationsSequence, where);
    dicom::put(observation, DCM_ObservationNumber, roi_number, where);
    dicom::put(observation, DCM_ReferencedROINumber, roi_number, where);
    dicom::put(observation, DCM_RTROIInterpretedType, roi.interpreted_type, where);
    dicom::put(observation, DCM_ROIInterpreter, "", where);
  }
  dicom::save_derived_object(file, path, where);
  return written;
}

}  // namespace oncotrace
