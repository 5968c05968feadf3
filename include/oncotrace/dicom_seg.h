// DICOM Segmentation (SEG) objects: writing a lesion or organ label map as a BINARY
// Segmentation that references its source image series, and reading one back onto that series'
// grid [DICOM PS3.3 A.51 Segmentation IOD, C.8.20 Segmentation Image module].
//
// The project's rules are in interoperability.md §1.0-§1.1 (checked against DCMTK 3.6.7 and
// dciodvfy); in short:
//   - one segment per label, Segment Number 1..n in the order the segments are given; Category
//     and Type codes from the table in §1.1 (lesion: (49755003, SCT, "Morphologically Abnormal
//     Structure") / (108369006, SCT, "Neoplasm")); Algorithm Type and Name;
//   - Patient and General Study attributes copied verbatim from a source instance (DCMTK
//     importFromSourceImage) and the source Frame of Reference UID;
//   - one frame per (segment, source plane) that contains the segment, ordered by segment and
//     then by plane along the slice normal; empty frames are omitted (§1.1 "Source geometry and
//     empty frames"); every frame lies on a source plane: Plane Position = the plane's
//     ImagePositionPatient, shared Plane Orientation and Pixel Measures of the source grid;
//   - per-frame Derivation Image referencing the source SOP Instance of that plane, and the
//     Common Instance Reference module listing every referenced source instance;
//   - new Series and SOP Instance UIDs of the form 2.25.<UUID as a decimal integer> (PS3.5
//     Annex B.2), Explicit VR Little Endian, written under a temporary name then renamed.
//
// Reading places each frame on the plane of the reference grid whose position it matches (the
// grid of the referenced source series, never the bounding box of the frames present), after
// checking the Frame of Reference UID, the orientation, the pixel spacing and the frame size.
#ifndef ONCOTRACE_DICOM_SEG_H_
#define ONCOTRACE_DICOM_SEG_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/series.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// The source image series a segmentation is derived from: identity, grid and one SOP instance
// per plane.
struct SeriesReference {
  std::string patient_id;
  std::string patient_name;
  std::string study_instance_uid;
  std::string study_date;  // DICOM DA
  std::string study_time;  // DICOM TM
  std::string series_instance_uid;
  std::string sop_class_uid;
  std::string frame_of_reference_uid;
  Geometry grid;
  // Plane k of `grid` (k = 0 .. grid.size[2]-1): the source instance it came from and, for a
  // multi-frame source, its 1-based frame number (0 for a single-frame instance).
  struct Plane {
    std::string sop_instance_uid;
    int64_t frame_number = 0;
  };
  std::vector<Plane> planes;
  // A source instance from which the Patient and General Study modules are copied verbatim
  // (rule §1.0.1); when empty, they are written from the fields above.
  std::filesystem::path source_file;
};

// The reference of frame `frame` (0-based) of a loaded series: its geometry, header identity and
// the SliceRecords of that frame. Throws InvalidInputError when a plane lacks its SOP Instance
// UID or the series has no such frame.
SeriesReference series_reference(const ImageSeries& series, size_t frame = 0);

// A coded concept (CodeValue, CodingSchemeDesignator, CodeMeaning) [PS3.3 Table 8.8-1].
struct CodedConcept {
  std::string value;
  std::string scheme;
  std::string meaning;

  friend bool operator==(const CodedConcept&, const CodedConcept&) = default;
};

// Codes of interoperability.md §1.1 (SNOMED CT, "SCT").
CodedConcept morphologically_abnormal_structure();  // (49755003, SCT) category for lesions
CodedConcept neoplasm();                            // (108369006, SCT) type for lesions
CodedConcept anatomical_structure();                // (123037004, SCT) category for organs

// A new UID of the form 2.25.<random version-4 UUID as a decimal integer> (PS3.5 Annex B.2), e.g.
// for Tracking Unique Identifiers shared by a SEG segment and its SR measurement group.
std::string new_uuid_uid();

enum class SegmentAlgorithmType { kAutomatic, kSemiautomatic, kManual };
const char* segment_algorithm_type_name(SegmentAlgorithmType type);  // "AUTOMATIC", ...

struct SegmentDescription {
  uint16_t label = 0;         // the voxel value in the label map
  std::string segment_label;  // Segment Label (0062,0005), e.g. "lesion 3"; at most 64 characters
  CodedConcept category = morphologically_abnormal_structure();
  CodedConcept type = neoplasm();
  SegmentAlgorithmType algorithm_type = SegmentAlgorithmType::kAutomatic;
  std::string algorithm_name;  // Segment Algorithm Name, required unless kManual
  std::string tracking_id;     // (0062,0020), optional
  std::string tracking_uid;    // (0062,0021), optional

  friend bool operator==(const SegmentDescription&, const SegmentDescription&) = default;
};

struct SegWriteOptions {
  std::string series_description = "oncotrace segmentation";
  int series_number = 901;
  std::string content_label = "SEGMENTATION";  // CS: upper case, digits, space, underscore
  std::string content_description;
  std::string content_creator;  // PN, may be empty
};

struct WrittenSegmentation {
  std::string series_instance_uid;
  std::string sop_instance_uid;
  size_t frame_count = 0;
};

// Writes `labels` (on source.grid) as a BINARY DICOM Segmentation at `path`, atomically. Every
// entry of `segments` becomes one segment (segment number = its position + 1). Throws
// InvalidInputError when the label map is not on the source grid, a label of the map has no
// segment description, a segment's label does not occur in the map (empty segment), a label is
// described twice or is 0, a non-manual segment has no algorithm name, or the reference lacks
// the SOP instances of its planes; InternalError when DCMTK refuses the object.
WrittenSegmentation write_dicom_seg(const LabelMap& labels, const SeriesReference& source,
                                    const std::vector<SegmentDescription>& segments,
                                    const std::filesystem::path& path,
                                    const SegWriteOptions& options = {});

struct DicomSegmentation {
  // On the reference grid; voxel value = segment number (0 = background).
  LabelMap labels;
  // Segment i (0-based) has segment number i + 1 and `label` = i + 1.
  std::vector<SegmentDescription> segments;
  std::string series_instance_uid;
  std::string sop_instance_uid;
  std::string frame_of_reference_uid;
  std::vector<std::string> referenced_series_uids;  // from the Common Instance Reference module
};

// Reads a BINARY or FRACTIONAL SEG (fractional values above half of Maximum Fractional Value
// count as inside) onto `reference.grid`. Throws InvalidInputError naming the file and the
// values when the file is not a Segmentation, its Frame of Reference UID differs from the
// reference's, its orientation or pixel spacing or frame size differs from the grid's, a frame
// lies off the grid's planes, or two segments overlap (a label map cannot hold both).
// True when `path` is a DICOM file whose SOP Class UID is Segmentation Storage (reads the header
// only; false for unreadable or non-DICOM files).
bool is_dicom_seg_file(const std::filesystem::path& path);

DicomSegmentation read_dicom_seg(const std::filesystem::path& path,
                                 const SeriesReference& reference);

}  // namespace oncotrace

#endif  // ONCOTRACE_DICOM_SEG_H_
