// DICOM Parametric Map: a float voxel map (SUV image, later kinetic, dose and radiomics feature
// maps) on the grid of its source series [DICOM PS3.3 A.75 Parametric Map IOD, C.7.6.16.2.11
// Real World Value Mapping].
//
// The project's rules are in interoperability.md §1.0 and §1.3 (checked against DCMTK 3.6.7 and
// dciodvfy); in short:
//   - built with DCMTK's DPMParametricMapIOD (dcmpmap), Float Pixel Data (32-bit IEEE), one frame
//     per source plane in the order of the planes along the slice normal, Modality PT (NM for
//     SPECT sources), Content Qualification RESEARCH, Image Type DERIVED\PRIMARY\VOLUME\NONE;
//   - shared functional groups: Pixel Measures, Plane Orientation, Frame Anatomy (whole body,
//     unpaired), Identity Pixel Value Transformation, Parametric Map Frame Type, and the Real
//     World Value Mapping that says what the values are: LUT Label, the UCUM unit code, the
//     Quantity Definition Sequence item (246205007, SCT, "Quantity") = the quantity code, and
//     the measurement method when given, slope 1 and intercept 0 over the map's value range;
//   - per frame: Plane Position and Frame Content; per-frame Derivation Image referencing the
//     source instance of that plane, listed in the Common Instance Reference module;
//   - Patient and General Study attributes copied verbatim from a source instance, new UIDs
//     2.25.<UUID>, Explicit VR Little Endian, written under a temporary name then renamed.
#ifndef ONCOTRACE_DICOM_PMAP_H_
#define ONCOTRACE_DICOM_PMAP_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/dicom_seg.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// What the values of a map are (the Real World Value Mapping item).
struct MapQuantity {
  CodedConcept quantity;               // e.g. (126401, DCM, "SUVbw")
  CodedConcept unit;                   // UCUM, e.g. ("g/ml{SUVbw}", "UCUM", "...")
  std::optional<CodedConcept> method;  // e.g. (126410, DCM, "SUV body weight calculation method")
  std::string label;                   // LUT Label (at most 16 characters), e.g. "SUVbw"

  friend bool operator==(const MapQuantity&, const MapQuantity&) = default;
};

// A private or local coding scheme used by the map's codes, declared in the Coding Scheme
// Identification Sequence (0008,0110) [PS3.3 C.12.1.1.4, SOP Common Module].
struct CodingSchemeIdentification {
  std::string designator;                // e.g. "99IBSI" ("99" prefix: private scheme)
  std::string name;                      // Coding Scheme Name
  std::string responsible_organization;  // Coding Scheme Responsible Organization
};

struct ParametricMapWriteOptions {
  std::string series_description = "oncotrace parametric map";
  int series_number = 903;
  std::string modality = "PT";                   // "NM" for maps derived from SPECT
  std::string content_label = "PARAMETRIC_MAP";  // CS: upper case, digits, space, underscore
  std::string content_description;
  // When set, NaN voxels (no value, e.g. outside a feature map's kernel domain) are written as
  // this value, which is recorded as Float Pixel Padding Value (0028,0122) and as Float Pixel
  // Padding Range Limit (0028,0124) (a one-value range) [PS3.3 C.7.6.24 Floating Point Image
  // Pixel Module] and left out of the Real World Value First/Last Value Mapped range, so that
  // padding has no real-world value. A defined voxel equal to it is refused
  // (it would read back as padding). When unset, NaN voxels are refused.
  std::optional<float> float_pixel_padding_value;
  std::vector<CodingSchemeIdentification> coding_schemes;
};

struct WrittenParametricMap {
  std::string series_instance_uid;
  std::string sop_instance_uid;
  size_t frame_count = 0;
};

// Writes `map` as a float Parametric Map at `path`, atomically. The map is on source.grid or on a
// run of its whole planes (the same in-plane grid, planes k0 .. k0 + n - 1 of the source, e.g. the
// planes an ROI spans): one frame per map plane, each referencing its source plane. Throws
// InvalidInputError when the map is on neither, holds a non-finite value (NaN allowed with
// options.float_pixel_padding_value), the reference lacks the SOP instances of its planes, or
// the label is empty or longer than 16 characters; InternalError when DCMTK refuses the object.
WrittenParametricMap write_parametric_map(const ImageVolume& map, const SeriesReference& source,
                                          const MapQuantity& quantity,
                                          const std::filesystem::path& path,
                                          const ParametricMapWriteOptions& options = {});

struct DicomParametricMap {
  ImageVolume values;  // on the map's own grid (its frames sorted along the normal)
  MapQuantity quantity;
  std::string series_instance_uid;
  std::string sop_instance_uid;
  std::string frame_of_reference_uid;
  std::string modality;
  // Float Pixel Padding Value (0028,0122) when present; voxels holding it (or lying in the range
  // up to Float Pixel Padding Range Limit (0028,0124)) are NaN in `values`.
  std::optional<float> float_pixel_padding_value;
  std::vector<CodingSchemeIdentification> coding_schemes;
};

// Reads a float Parametric Map (Float32 frames, one plane per frame, a single shared
// orientation); padding voxels (Float Pixel Padding Value) become NaN. Throws InvalidInputError
// naming the file when it is not a Parametric Map, its pixels are not Float32, or its frames do not
// form one regular grid (uneven spacing, missing plane positions).
DicomParametricMap read_parametric_map(const std::filesystem::path& path);

}  // namespace oncotrace

#endif  // ONCOTRACE_DICOM_PMAP_H_
