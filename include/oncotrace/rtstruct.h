// RT Structure Sets (RTSTRUCT): reading the contours and rasterising one region onto an image
// grid.
//
// An RTSTRUCT [DICOM PS3.3 A.19, C.8.8.5 Structure Set, C.8.8.6 ROI Contour] names its regions
// in the Structure Set ROI Sequence (3006,0020) (ROI Number, ROI Name, Referenced Frame of
// Reference UID) and draws them in the ROI Contour Sequence (3006,0039): per ROI a Contour
// Sequence (3006,0040) of contours, each with a Contour Geometric Type (3006,0042) and Contour
// Data (3006,0050), x\y\z triplets in mm in the patient coordinates (LPS) of the frame of
// reference. A CLOSED_PLANAR contour is a polygon in one plane, its last point joined to its first
// [C.8.8.6.1]; a POINT contour is a single point.
//
// Rasterisation rule (IBSI reference manual, "centre-in-polygon"; pet-quantification.md §9.1):
//   * each CLOSED_PLANAR contour is assigned to the image plane nearest to it along the slice
//     normal, if that plane lies within half a slice spacing (`slice_match_fraction`);
//   * a voxel of that plane belongs to the region when its CENTRE lies inside the polygon;
//   * all contours of one ROI on one plane combine with the even-odd rule: a point inside an odd
//     number of them is inside, so a contour drawn within another is a hole (C.8.8.6.3 allows
//     holes as separate inner contours or as "keyhole" outlines; even-odd handles both);
//   * a centre exactly on an edge is inside when the polygon lies towards higher i (or j) from
//     that edge and outside otherwise (the half-open crossing rule of PNPOLY, W. R. Franklin), so
//     two polygons that share an edge never both claim a voxel.
// With this rule the STS_001 contour GTV_Mass rasterises to exactly the 5095 voxels of the IBSI
// NIfTI mask (test-data.md §2, S5), and GTV_Edema (8058), the SUV DRO region_1 (174 690) and the
// Lu-177 lesions (14 364, 384) give the counts of test-data.md §1-§3. Peers differ at the edges
// (SlicerRT, plastimatch; see interoperability.md §1.5); partial-volume membership is not offered
// here.
//
// POINT contours (markers) have no area and are skipped; OPEN_PLANAR and OPEN_NONPLANAR are
// skipped likewise. A region with no CLOSED_PLANAR contour is an UnsupportedDataError.
#ifndef ONCOTRACE_RTSTRUCT_H_
#define ONCOTRACE_RTSTRUCT_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// Contour Geometric Type (3006,0042).
enum class ContourType { kClosedPlanar, kPoint, kOpenPlanar, kOpenNonplanar, kUnknown };

struct RoiContour {
  ContourType type = ContourType::kUnknown;
  std::string type_name;        // (3006,0042) as stored, e.g. "CLOSED_PLANAR"
  std::vector<Vec3> points_mm;  // (3006,0050), LPS patient coordinates
};

struct StructureSetRoi {
  int64_t number = 0;                  // ROI Number (3006,0022)
  std::string name;                    // ROI Name (3006,0026)
  std::string frame_of_reference_uid;  // Referenced Frame of Reference UID (3006,0024)
  std::string generation_algorithm;    // ROI Generation Algorithm (3006,0036)
  std::string interpreted_type;        // RT ROI Interpreted Type (3006,00A4): GTV, ORGAN, ...
  std::optional<std::array<int, 3>> display_color;  // ROI Display Color (3006,002A), RGB
  std::vector<RoiContour> contours;                 // from the ROI Contour Sequence (3006,0039)
};

struct StructureSet {
  std::string file;
  std::string sop_instance_uid;     // (0008,0018)
  std::string study_instance_uid;   // (0020,000D)
  std::string series_instance_uid;  // (0020,000E)
  std::string label;                // Structure Set Label (3006,0002)
  // Frame of Reference UID (0020,0052) of the object, else the first Referenced Frame of
  // Reference Sequence (3006,0010) item's.
  std::string frame_of_reference_uid;
  // Series Instance UIDs of the images the contours were drawn on (3006,0010) > (3006,0012) >
  // (3006,0014) > (0020,000E).
  std::vector<std::string> referenced_series_uids;
  std::vector<StructureSetRoi> rois;  // in Structure Set ROI Sequence order

  std::vector<std::string> roi_names() const;
  // The ROI with this name (exact match after trimming spaces). Throws InvalidInputError that
  // lists the ROI names when none or several have the name.
  const StructureSetRoi& roi(const std::string& name) const;
};

// Reads an RTSTRUCT file. Throws InvalidInputError naming the file and the attribute when the
// file is not an RT Structure Set or its contours are malformed (e.g. Contour Data whose count is
// not a multiple of 3).
StructureSet read_rtstruct(const std::filesystem::path& path);

struct RasterisationOptions {
  // FrameOfReferenceUID (0020,0052) of the image. When both it and the ROI's frame of reference
  // are known and differ, rasterisation is refused (the contours live in another coordinate
  // system). Empty: not checked.
  std::string image_frame_of_reference_uid;
  // ImagePositionPatient of every plane of the image, in plane order (e.g. from
  // Frame::slices[k].position_mm). Whole-body PET planes are not exactly equidistant at bed
  // junctions (STS_001: 3.19 / 3.29 mm against 3.27 mm), so contours are matched against the real
  // planes when given. Empty: planes from `grid` (origin + k * spacing along the normal).
  std::vector<Vec3> plane_positions_mm;
  // A contour belongs to the nearest plane if its distance along the normal is at most this
  // fraction of the slice spacing.
  double slice_match_fraction = 0.5;
};

// Rasterises the ROI named `roi_name` onto `grid` with the centre-in-polygon even-odd rule (see
// the top of this file). The mask holds 1 inside, 0 outside. Throws InvalidInputError when the ROI
// is unknown (listing the names), the frames of reference differ, or no contour lies on a plane of
// the grid; UnsupportedDataError when the ROI has no closed planar contour or a contour is not
// parallel to the image planes.
Mask rasterise_roi(const StructureSet& structure_set, const std::string& roi_name,
                   const Geometry& grid, const RasterisationOptions& options = {});

}  // namespace oncotrace

#endif  // ONCOTRACE_RTSTRUCT_H_
