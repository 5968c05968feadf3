// Reading the header of one DICOM instance into oncotrace's series model.
//
// One instance (file) contributes series-level values (SeriesHeader), its pixel format, and one
// PlaneHeader per image plane it holds: one for a classic single-frame image, NumberOfFrames
// for a multi-frame NM reconstruction or an Enhanced CT/PET/MR object. The plane-level
// geometry and value mapping come from where each IOD keeps them:
//   - classic CT/PET/MR images: the Image Plane and Pixel modules [DICOM PS3.3 C.7.6.2,
//     C.7.6.3] and Rescale Slope/Intercept [C.11.1, C.8.9.4];
//   - NM multi-frame RECON TOMO: Detector Information Sequence (0054,0022) for the first slice,
//     Slice Vector (0054,0080) and Spacing Between Slices (0018,0088) for the others [C.8.4.10,
//     C.8.4.14];
//   - Enhanced objects: the Shared (5200,9229) and Per-frame (5200,9230) Functional Groups, the
//     per-frame item overriding the shared one [C.7.6.16].
// Values are stored as found, with the tag they came from (series.h explains why).
//
// Vendor private elements are looked up through their private creator [PS3.5 §7.8.1]: the
// creator element (gggg,00xx) holding e.g. "GEMS_PETD_01" reserves block xx, and the element
// (gggg,10eexx) moves with it to (gggg,xxee). Some files lose the creator but keep the element
// (pet-quantification.md §3.6); `lenient_private_tags` accepts a bare (gggg,10ee) when group
// gggg has no creator at block 10 at all, and says so in the source string and reader notes.
#ifndef ONCOTRACE_DICOM_DICOM_HEADER_H_
#define ONCOTRACE_DICOM_DICOM_HEADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/series.h"

#include "dicom/tag_access.h"

class DcmItem;
class DcmTagKey;

namespace oncotrace::dicom {

// The stored pixel format of an instance [DICOM PS3.3 C.7.6.3].
struct PixelFormat {
  int64_t rows = 0;
  int64_t columns = 0;
  int samples_per_pixel = 1;
  int bits_allocated = 0;
  int bits_stored = 0;
  int high_bit = -1;
  int pixel_representation = 0;  // 0 unsigned, 1 two's complement
  std::string photometric_interpretation;
  int64_t number_of_frames = 1;
  bool has_pixel_data = false;        // (7FE0,0010) present
  bool has_float_pixel_data = false;  // (7FE0,0008) or (7FE0,0009): not read by oncotrace
};

// How an instance's planes are described.
enum class InstanceLayout {
  kSingleFrame,  // classic image: one plane, geometry at the top level
  kNmTomo,       // NM multi-frame RECON TOMO: planes from the Detector Information Sequence
  kEnhanced,     // multi-frame functional groups
  kUnsupportedMultiFrame,  // several frames without per-frame geometry (planar NM, SC, ...)
};

// One image plane: its SliceRecord (already filled with timing and factors), plus what series
// assembly needs to place it.
struct PlaneHeader {
  SliceRecord record;
  bool has_position = false;       // ImagePositionPatient found
  bool has_orientation = false;    // ImageOrientationPatient found
  Vec3 row_direction{1, 0, 0};     // IOP[0..2]: direction of increasing column index
  Vec3 column_direction{0, 1, 0};  // IOP[3..5]: direction of increasing row index
  double row_spacing_mm = 0.0;     // PixelSpacing[0]: between rows (along column_direction)
  double column_spacing_mm = 0.0;  // PixelSpacing[1]: between columns (along row_direction)
  std::optional<double> slice_thickness_mm;         // (0018,0050)
  std::optional<double> spacing_between_slices_mm;  // (0018,0088)
  // An explicit temporal index when the IOD has one: Enhanced TemporalPositionIndex
  // (0020,9128), NM TimeSlotVector (0054,0070) / TimeSliceVector (0054,0100).
  std::optional<int64_t> temporal_index;
  std::string temporal_index_source;
  std::string value_mapping_source;  // where rescale slope/intercept came from
};

struct InstanceHeader {
  std::string file;
  std::string transfer_syntax_uid;
  SeriesHeader series;  // series-level values as this instance states them
  PixelFormat pixels;
  InstanceLayout layout = InstanceLayout::kSingleFrame;
  std::vector<PlaneHeader> planes;  // one per frame (none when layout is unsupported)
  std::vector<std::string> notes;   // lenient reads and other remarks (also in series)
};

struct HeaderReadOptions {
  bool lenient_private_tags = true;
};

// "(0010,1030) PatientWeight": the tag in upper-case hex and its dictionary keyword.
std::string tag_label(const DcmTagKey& tag);

// Series-level values of one dataset (discovery reads only these).
SeriesHeader read_series_header(DcmItem& dataset, const HeaderReadOptions& options);
SeriesHeader read_series_header(const ItemIndex& dataset, const HeaderReadOptions& options);

// The pixel format of a dataset.
PixelFormat read_pixel_format(DcmItem& dataset);
PixelFormat read_pixel_format(const ItemIndex& dataset);

// Everything load_series needs from one dataset: series values, pixel format, planes.
// Throws MissingMetadataError when the geometry of an image plane is incomplete.
InstanceHeader read_instance_header(DcmItem& dataset, const std::string& file,
                                    const HeaderReadOptions& options);

// Vendor private element lookup (see the file comment). `element` is the element number in
// block 10, e.g. 0x100D for GE's scan date-time. Returns the value as text and fills `source`.
std::optional<std::string> find_private_text(DcmItem& dataset, uint16_t group, uint16_t element,
                                             const std::vector<std::string>& creators, bool lenient,
                                             std::string* source);
std::optional<std::string> find_private_text(const ItemIndex& dataset, uint16_t group,
                                             uint16_t element,
                                             const std::vector<std::string>& creators, bool lenient,
                                             std::string* source);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_DICOM_HEADER_H_
