// Writing a label map as a DICOM RT Structure Set (RTSTRUCT) of closed planar contours, for
// radiotherapy users whose planning systems read contours rather than DICOM SEG.
//
// Contours [DICOM PS3.3 A.19 RT Structure Set IOD, C.8.8.5 Structure Set, C.8.8.6 ROI Contour,
// C.8.8.8 RT ROI Observations]: every region of a label becomes one ROI; on every plane of the
// source grid where it has voxels, its outline is traced along the voxel edges (the boundary of
// the union of the voxel squares) and written as CLOSED_PLANAR contours in patient coordinates
// (LPS, mm), one per boundary loop: outer boundaries and hole boundaries alike (C.8.8.6.3 allows
// holes as separate inner contours). Loops are traced with the region on their left and, where
// two voxels touch only at a corner, turn towards the region, so diagonal neighbours get separate
// loops that touch at one point. Straight runs keep only their end points.
//
// Round trip: a voxel centre never lies on a voxel edge, so rasterising these contours with the
// centre-in-polygon even-odd rule of include/oncotrace/rtstruct.h gives back exactly the voxels
// of the region (tested). Readers that rasterise by other rules (partial-volume or edge-inclusive,
// interoperability.md §1.5) may differ by the voxels along the outline.
//
// Each contour references the source instance of its plane (Contour Image Sequence); the
// Referenced Frame of Reference Sequence lists every source instance. Patient and study come from
// the source series (as for SEG), so the structure set joins the source study.
#ifndef ONCOTRACE_DICOM_RTSTRUCT_H_
#define ONCOTRACE_DICOM_RTSTRUCT_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/dicom_seg.h"
#include "oncotrace/volume.h"

namespace oncotrace {

struct RtStructureRoi {
  uint16_t label = 0;  // the voxel value in the label map
  std::string name;    // ROI Name (3006,0026), at most 64 characters
  // RT ROI Interpreted Type (3006,00A4): empty (type 2, allowed) unless the user states one,
  // e.g. "GTV" or "ORGAN"; oncotrace's detections are not treatment-planning volumes.
  std::string interpreted_type;
  // ROI Generation Algorithm (3006,0036): AUTOMATIC, SEMIAUTOMATIC or MANUAL.
  std::string generation_algorithm = "AUTOMATIC";
  std::string generation_description;                // (3006,0038), e.g. "oncotrace fixed:2.5"
  std::array<uint8_t, 3> display_colour{255, 0, 0};  // ROI Display Color (3006,002A)
};

struct RtStructWriteOptions {
  std::string series_description = "oncotrace contours";
  int series_number = 904;
  std::string structure_set_label = "ONCOTRACE";  // (3006,0002), at most 16 characters
};

struct WrittenStructureSet {
  std::string series_instance_uid;
  std::string sop_instance_uid;
  size_t contour_count = 0;
};

// Writes the regions of `labels` (on source.grid) named in `rois` as an RT Structure Set at
// `path`, atomically. Throws InvalidInputError when the label map is not on the source grid, a
// ROI's label is 0, described twice or absent from the map, a name is empty or longer than 64
// characters, or the reference lacks the SOP instances of its planes; InternalError when DCMTK
// refuses the object.
WrittenStructureSet write_rtstruct(const LabelMap& labels, const SeriesReference& source,
                                   const std::vector<RtStructureRoi>& rois,
                                   const std::filesystem::path& path,
                                   const RtStructWriteOptions& options = {});

// A display colour for the n-th region (n = 0, 1, ...): a fixed cycle of distinguishable colours.
std::array<uint8_t, 3> rtstruct_display_colour(size_t n);

}  // namespace oncotrace

#endif  // ONCOTRACE_DICOM_RTSTRUCT_H_
