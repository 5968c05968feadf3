// From a bag of image planes to frames of regular volumes.
//
// Planes are grouped into time frames, sorted along the slice normal n = r x c, where r and c are
// the row and column direction cosines of ImageOrientationPatient [DICOM PS3.3 C.7.6.2.1.1], and
// checked to form a regular grid:
//   - one size (Rows, Columns), one orientation, one PixelSpacing for the whole series;
//   - no two planes of a frame at the same position along n (duplicates);
//   - every gap between neighbouring planes within `slice_spacing_tolerance_mm` of the median gap
//     (a gap near a multiple of the median is reported as missing slices);
//   - planes stacked along n without in-plane shift (a tilted-gantry CT is refused, not
//     resampled);
//   - every frame with the same plane positions.
// The grid's origin is the ImagePositionPatient of the first sorted plane, its direction columns
// are r, c and n, and its slice spacing is the median gap, so that small steps at whole-body bed
// junctions (STS_001: 3.19/3.29 mm against 3.27 mm) are absorbed and reported in the notes.
//
// Frames, in this order of evidence:
//   1. ImageIndex (0054,1330) with NumberOfSlices (0054,0081): frame = (ImageIndex - 1) div
//      NumberOfSlices, which is the time slice of a dynamic PET series and the (R-R interval,
//      time slot) pair of a gated one [PS3.3 C.8.9.4.1.9];
//   2. an explicit temporal index (Enhanced TemporalPositionIndex, NM time slot/slice vectors);
//   3. when planes repeat positions and the SeriesType is not STATIC or WHOLE BODY: the first of
//      FrameReferenceTime, FrameReferenceDateTime and the acquisition date-time that partitions
//      the planes into equal frames without duplicates;
//   4. otherwise one frame (duplicates are then an error).
// Frame timing: start = earliest acquisition date-time of the frame's planes minus
// SeriesDate/SeriesTime; when the acquisition times cannot tell frames apart, FrameReferenceTime
// (whose meaning is vendor-specific, pet-quantification.md §4.2) with a note. Duration =
// ActualFrameDuration (0018,1242) or FrameAcquisitionDuration (0018,9220).
#ifndef ONCOTRACE_DICOM_SERIES_ASSEMBLY_H_
#define ONCOTRACE_DICOM_SERIES_ASSEMBLY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "dicom/dicom_header.h"
#include "oncotrace/dicom.h"
#include "oncotrace/geometry.h"

namespace oncotrace::dicom {

// instances[instance].planes[plane].
struct PlaneRef {
  size_t instance = 0;
  size_t plane = 0;
};

struct FramePlan {
  std::vector<PlaneRef> planes;  // sorted along the slice normal: plane k of the frame volume
  std::optional<double> start_s;
  std::optional<double> duration_s;
};

struct SeriesPlan {
  Geometry geometry;
  std::vector<FramePlan> frames;
  std::vector<std::string> notes;  // for SeriesHeader::reader_notes
};

// Plans the volume(s) of one series. `series` supplies the UID for messages, the SeriesType,
// NumberOfSlices and SeriesDate/Time. Throws InvalidInputError or MissingMetadataError naming the
// series and the files or positions concerned.
SeriesPlan plan_series(const std::vector<InstanceHeader>& instances, const SeriesHeader& series,
                       const SeriesLoadOptions& options);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_SERIES_ASSEMBLY_H_
