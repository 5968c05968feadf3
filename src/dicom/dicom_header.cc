#include "dicom/dicom_header.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dctag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "dicom/tag_access.h"
#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

// Private creators of the vendor elements oncotrace reads (pet-quantification.md §2). The
// Philips string is the one public tools use (unverified against a conformance statement), so
// the comparison ignores case.
const std::vector<std::string> kGeCreators = {"GEMS_PETD_01"};
const std::vector<std::string> kPhilipsCreators = {"Philips PET Private Group"};
const std::vector<std::string> kSiemensCreators = {"SIEMENS MED PT"};

std::string hex_tag(uint16_t group, uint16_t element) {
  char text[16];
  std::snprintf(text, sizeof(text), "(%04X,%04X)", group, element);
  return text;
}

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Sourced<std::string> sourced_text(const ItemIndex* item, const DcmTagKey& tag) {
  Sourced<std::string> result;
  result.source = tag_label(tag);
  if (item != nullptr) result.value = get_text(*item, tag);
  return result;
}

Sourced<double> sourced_number(const ItemIndex* item, const DcmTagKey& tag) {
  Sourced<double> result;
  result.source = tag_label(tag);
  if (item != nullptr) result.value = get_number(*item, tag);
  return result;
}

Sourced<int64_t> sourced_integer(const ItemIndex& item, const DcmTagKey& tag) {
  Sourced<int64_t> result;
  result.source = tag_label(tag);
  if (const auto number = get_number(item, tag)) result.value = std::llround(*number);
  return result;
}

// The first item of a code sequence: CodeValue, CodeMeaning, CodingSchemeDesignator.
struct CodeItem {
  Sourced<std::string> value, meaning, scheme;
};

const ItemIndex* pointer(const std::optional<ItemIndex>& item) { return item ? &*item : nullptr; }

CodeItem read_code(const ItemIndex* parent, const DcmTagKey& sequence) {
  const std::optional<ItemIndex> code =
      parent != nullptr ? first_item(*parent, sequence) : std::nullopt;
  const std::string prefix = tag_label(sequence) + " > ";
  CodeItem result;
  result.value = sourced_text(pointer(code), DCM_CodeValue);
  result.meaning = sourced_text(pointer(code), DCM_CodeMeaning);
  result.scheme = sourced_text(pointer(code), DCM_CodingSchemeDesignator);
  result.value.source = prefix + result.value.source;
  result.meaning.source = prefix + result.meaning.source;
  result.scheme.source = prefix + result.scheme.source;
  return result;
}

RadiopharmaceuticalInfo read_radiopharmaceutical(const ItemIndex& dataset) {
  const std::optional<ItemIndex> sequence_item =
      first_item(dataset, DCM_RadiopharmaceuticalInformationSequence);
  const ItemIndex* item = pointer(sequence_item);
  RadiopharmaceuticalInfo info;
  info.radiopharmaceutical = sourced_text(item, DCM_Radiopharmaceutical);
  const CodeItem pharmaceutical = read_code(item, DCM_RadiopharmaceuticalCodeSequence);
  info.radiopharmaceutical_code = pharmaceutical.value;
  info.radiopharmaceutical_meaning = pharmaceutical.meaning;
  const CodeItem nuclide = read_code(item, DCM_RadionuclideCodeSequence);
  info.radionuclide_code = nuclide.value;
  info.radionuclide_meaning = nuclide.meaning;
  info.radionuclide_scheme = nuclide.scheme;
  info.start_time = sourced_text(item, DCM_RadiopharmaceuticalStartTime);
  info.start_datetime = sourced_text(item, DCM_RadiopharmaceuticalStartDateTime);
  info.total_dose = sourced_number(item, DCM_RadionuclideTotalDose);
  info.half_life_s = sourced_number(item, DCM_RadionuclideHalfLife);
  info.positron_fraction = sourced_number(item, DCM_RadionuclidePositronFraction);
  return info;
}

// Enhanced objects keep some module attributes in the functional groups: look at the top level
// first, then in the shared functional group item.
Sourced<std::string> sourced_text_here_or_shared(const ItemIndex& dataset,
                                                 const std::optional<ItemIndex>& shared,
                                                 const DcmTagKey& tag) {
  if (!has_element(dataset, tag) && shared && has_element(*shared, tag)) {
    return sourced_text(&*shared, tag);
  }
  return sourced_text(&dataset, tag);
}

// Real World Value Mapping [PS3.3 C.7.6.16.2.11]: at the top level, in the shared functional
// groups or in the first per-frame item.
std::optional<ItemIndex> real_world_value_mapping(const ItemIndex& dataset,
                                                  const std::optional<ItemIndex>& shared,
                                                  const ItemIndex* per_frame) {
  if (per_frame != nullptr) {
    if (auto item = first_item(*per_frame, DCM_RealWorldValueMappingSequence)) return item;
  }
  if (auto item = first_item(dataset, DCM_RealWorldValueMappingSequence)) return item;
  if (shared) {
    if (auto item = first_item(*shared, DCM_RealWorldValueMappingSequence)) return item;
  }
  if (per_frame == nullptr) {
    if (auto first = first_item(dataset, DCM_PerFrameFunctionalGroupsSequence)) {
      if (auto item = first_item(*first, DCM_RealWorldValueMappingSequence)) return item;
    }
  }
  return std::nullopt;
}

void add_note(std::vector<std::string>& notes, const std::string& note) {
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
}

Sourced<std::string> private_text(const ItemIndex& dataset, uint16_t group, uint16_t element,
                                  const std::vector<std::string>& creators, bool lenient,
                                  const std::string& what, std::vector<std::string>& notes) {
  Sourced<std::string> result;
  result.value = find_private_text(dataset, group, element, creators, lenient, &result.source);
  if (result.value && result.source.find("lenient") != std::string::npos) {
    add_note(notes, what + " read from " + hex_tag(group, element) +
                        " without its private creator " + hex_tag(group, 0x0010) + " \"" +
                        creators.front() + "\" (lenient private tags)");
  }
  return result;
}

std::optional<double> private_number(const ItemIndex& dataset, uint16_t group, uint16_t element,
                                     const std::vector<std::string>& creators, bool lenient,
                                     const std::string& what, std::vector<std::string>& notes) {
  const Sourced<std::string> text =
      private_text(dataset, group, element, creators, lenient, what, notes);
  if (!text.value) return std::nullopt;
  return parse_number(*text.value);
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 normalised(const Vec3& v) {
  const double length = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (length == 0.0) return v;
  return {v[0] / length, v[1] / length, v[2] / length};
}

void read_position(const ItemIndex* item, PlaneHeader& plane) {
  if (item == nullptr) return;
  const std::vector<double> position = get_numbers(*item, DCM_ImagePositionPatient);
  if (position.size() == 3) {
    plane.record.position_mm = {position[0], position[1], position[2]};
    plane.has_position = true;
  }
}

void read_orientation(const ItemIndex* item, PlaneHeader& plane) {
  if (item == nullptr) return;
  const std::vector<double> cosines = get_numbers(*item, DCM_ImageOrientationPatient);
  if (cosines.size() == 6) {
    plane.row_direction = normalised({cosines[0], cosines[1], cosines[2]});
    plane.column_direction = normalised({cosines[3], cosines[4], cosines[5]});
    plane.has_orientation = true;
  }
}

void read_pixel_measures(const ItemIndex* item, PlaneHeader& plane) {
  if (item == nullptr) return;
  const std::vector<double> spacing = get_numbers(*item, DCM_PixelSpacing);
  if (spacing.size() == 2) {
    plane.row_spacing_mm = spacing[0];
    plane.column_spacing_mm = spacing[1];
  }
  if (auto thickness = get_number(*item, DCM_SliceThickness)) plane.slice_thickness_mm = thickness;
  if (auto between = get_number(*item, DCM_SpacingBetweenSlices)) {
    plane.spacing_between_slices_mm = between;
  }
}

// Modality LUT rescale [PS3.3 C.11.1]; returns false when the item has no RescaleSlope.
bool read_rescale(const ItemIndex* item, PlaneHeader& plane, const std::string& where) {
  if (item == nullptr) return false;
  const auto slope = get_number(*item, DCM_RescaleSlope);
  if (!slope) return false;
  plane.record.rescale_slope = *slope;
  plane.record.rescale_intercept = get_number(*item, DCM_RescaleIntercept).value_or(0.0);
  plane.value_mapping_source =
      where + tag_label(DCM_RescaleSlope) + ", " + tag_label(DCM_RescaleIntercept);
  return true;
}

// Real World Value Mapping slope/intercept [PS3.3 C.7.6.16.2.11.1]; false without a slope.
bool read_real_world_mapping(const ItemIndex* item, PlaneHeader& plane) {
  if (item == nullptr) return false;
  const auto slope = get_number(*item, DCM_RealWorldValueSlope);
  if (!slope) return false;
  plane.record.rescale_slope = *slope;
  plane.record.rescale_intercept = get_number(*item, DCM_RealWorldValueIntercept).value_or(0.0);
  plane.value_mapping_source =
      tag_label(DCM_RealWorldValueMappingSequence) + " > " + tag_label(DCM_RealWorldValueSlope);
  return true;
}

bool measures_bq_per_ml(const ItemIndex* mapping) {
  if (mapping == nullptr) return false;
  const std::optional<ItemIndex> units = first_item(*mapping, DCM_MeasurementUnitsCodeSequence);
  if (!units) return false;
  const auto code = get_text(*units, DCM_CodeValue);
  return code && equal_ignoring_case(*code, "Bq/ml");
}

// Timing and factors of the PET Image module that classic images carry at the top level.
void read_classic_timing(const ItemIndex& dataset, PlaneHeader& plane) {
  SliceRecord& record = plane.record;
  record.acquisition_date = get_text(dataset, DCM_AcquisitionDate).value_or("");
  record.acquisition_time = get_text(dataset, DCM_AcquisitionTime).value_or("");
  record.acquisition_datetime = get_text(dataset, DCM_AcquisitionDateTime).value_or("");
  record.frame_reference_time_ms = get_number(dataset, DCM_FrameReferenceTime);
  record.actual_frame_duration_ms = get_number(dataset, DCM_ActualFrameDuration);
  record.decay_factor = get_number(dataset, DCM_DecayFactor);
  record.dose_calibration_factor = get_number(dataset, DCM_DoseCalibrationFactor);
  if (const auto index = get_number(dataset, DCM_ImageIndex)) {
    record.image_index = std::llround(*index);
  }
}

void read_philips_factors(const ItemIndex& dataset, const HeaderReadOptions& options,
                          PlaneHeader& plane, std::vector<std::string>& notes) {
  plane.record.philips_suv_scale_factor =
      private_number(dataset, 0x7053, 0x1000, kPhilipsCreators, options.lenient_private_tags,
                     "Philips SUV Scale Factor", notes);
  plane.record.philips_activity_concentration_scale_factor =
      private_number(dataset, 0x7053, 0x1009, kPhilipsCreators, options.lenient_private_tags,
                     "Philips Activity Concentration Scale Factor", notes);
}

PlaneHeader read_common_plane(const ItemIndex& dataset, const std::string& file) {
  PlaneHeader plane;
  plane.record.file = file;
  plane.record.sop_instance_uid = get_text(dataset, DCM_SOPInstanceUID).value_or("");
  if (const auto number = get_number(dataset, DCM_InstanceNumber)) {
    plane.record.instance_number = std::llround(*number);
  }
  plane.value_mapping_source = "the identity (no RescaleSlope (0028,1053))";
  return plane;
}

std::vector<PlaneHeader> read_single_frame_plane(const ItemIndex& dataset, const std::string& file,
                                                 const HeaderReadOptions& options,
                                                 std::vector<std::string>& notes) {
  PlaneHeader plane = read_common_plane(dataset, file);
  read_position(&dataset, plane);
  read_orientation(&dataset, plane);
  read_pixel_measures(&dataset, plane);
  if (!read_rescale(&dataset, plane, "")) {
    read_real_world_mapping(pointer(real_world_value_mapping(dataset, std::nullopt, nullptr)),
                            plane);
  }
  read_classic_timing(dataset, plane);
  read_philips_factors(dataset, options, plane, notes);
  return {plane};
}

// NM multi-frame RECON TOMO [PS3.3 C.8.4.8, C.8.4.10, C.8.4.14]: frame k is the slice whose
// number is SliceVector[k]; slice 1 lies at the Detector Information Sequence's
// ImagePositionPatient and slice s at (s - 1) * SpacingBetweenSlices along the normal.
std::vector<PlaneHeader> read_nm_tomo_planes(const ItemIndex& dataset, const std::string& file,
                                             int64_t number_of_frames,
                                             std::vector<std::string>& notes) {
  const std::optional<ItemIndex> detector = first_item(dataset, DCM_DetectorInformationSequence);
  PlaneHeader first = read_common_plane(dataset, file);
  read_position(pointer(detector), first);
  if (!first.has_position) read_position(&dataset, first);
  read_orientation(pointer(detector), first);
  if (!first.has_orientation) read_orientation(&dataset, first);
  read_pixel_measures(&dataset, first);
  read_classic_timing(dataset, first);
  if (!read_rescale(&dataset, first, "")) {
    read_real_world_mapping(pointer(real_world_value_mapping(dataset, std::nullopt, nullptr)),
                            first);
  }
  const std::optional<double> spacing =
      first.spacing_between_slices_mm ? first.spacing_between_slices_mm : first.slice_thickness_mm;
  if (!spacing) {
    throw MissingMetadataError(
        file + ": NM tomographic image without " + tag_label(DCM_SpacingBetweenSlices) + " or " +
        tag_label(DCM_SliceThickness) + "; the slice positions cannot be computed");
  }
  if (!first.spacing_between_slices_mm) {
    add_note(notes, "NM slice spacing taken from " + tag_label(DCM_SliceThickness) + " (no " +
                        tag_label(DCM_SpacingBetweenSlices) + ")");
  }
  const std::vector<double> slice_vector = get_numbers(dataset, DCM_SliceVector);
  std::vector<double> temporal_vector = get_numbers(dataset, DCM_TimeSlotVector);
  std::string temporal_source = tag_label(DCM_TimeSlotVector);
  if (temporal_vector.empty()) {
    temporal_vector = get_numbers(dataset, DCM_TimeSliceVector);
    temporal_source = tag_label(DCM_TimeSliceVector);
  }
  const Vec3 normal = normalised(cross(first.row_direction, first.column_direction));
  std::vector<PlaneHeader> planes;
  planes.reserve(static_cast<size_t>(number_of_frames));
  for (int64_t frame = 0; frame < number_of_frames; ++frame) {
    PlaneHeader plane = first;
    plane.record.frame_in_file = frame;
    const size_t k = static_cast<size_t>(frame);
    const double slice_number = slice_vector.size() == static_cast<size_t>(number_of_frames)
                                    ? slice_vector[k]
                                    : static_cast<double>(frame + 1);
    const double offset_mm = (slice_number - 1.0) * *spacing;
    for (int axis = 0; axis < 3; ++axis) {
      plane.record.position_mm[axis] = first.record.position_mm[axis] + offset_mm * normal[axis];
    }
    if (temporal_vector.size() == static_cast<size_t>(number_of_frames)) {
      plane.temporal_index = std::llround(temporal_vector[k]);
      plane.temporal_index_source = temporal_source;
    }
    planes.push_back(std::move(plane));
  }
  return planes;
}

// The item of functional group `sequence` for one frame: the per-frame item overrides the shared
// one [PS3.3 C.7.6.16.1].
std::optional<ItemIndex> functional_group(const ItemIndex* per_frame,
                                          const std::optional<ItemIndex>& shared,
                                          const DcmTagKey& sequence) {
  if (per_frame != nullptr) {
    if (auto item = first_item(*per_frame, sequence)) return item;
  }
  if (shared) return first_item(*shared, sequence);
  return std::nullopt;
}

void read_enhanced_frame_content(const ItemIndex* content, PlaneHeader& plane) {
  if (content == nullptr) return;
  SliceRecord& record = plane.record;
  if (auto acquired = get_text(*content, DCM_FrameAcquisitionDateTime)) {
    record.acquisition_datetime = *acquired;
  }
  if (auto reference = get_text(*content, DCM_FrameReferenceDateTime)) {
    record.frame_reference_datetime = *reference;
  }
  if (auto duration = get_number(*content, DCM_FrameAcquisitionDuration)) {
    record.actual_frame_duration_ms = duration;
  }
  if (auto temporal = get_number(*content, DCM_TemporalPositionIndex)) {
    plane.temporal_index = std::llround(*temporal);
    plane.temporal_index_source =
        tag_label(DCM_FrameContentSequence) + " > " + tag_label(DCM_TemporalPositionIndex);
  }
}

std::vector<PlaneHeader> read_enhanced_planes(const ItemIndex& dataset, const std::string& file,
                                              int64_t number_of_frames,
                                              std::vector<std::string>& notes) {
  const std::optional<ItemIndex> shared = first_item(dataset, DCM_SharedFunctionalGroupsSequence);
  const std::vector<DcmItem*> per_frame_items =
      sequence_items(dataset, DCM_PerFrameFunctionalGroupsSequence);
  if (number_of_frames > 1 && per_frame_items.size() != static_cast<size_t>(number_of_frames)) {
    throw InvalidInputError(file + ": " + tag_label(DCM_PerFrameFunctionalGroupsSequence) +
                            " has " + std::to_string(per_frame_items.size()) + " items for " +
                            std::to_string(number_of_frames) + " frames " +
                            tag_label(DCM_NumberOfFrames));
  }
  PlaneHeader common = read_common_plane(dataset, file);
  read_classic_timing(dataset, common);  // legacy-converted objects keep some at the top level
  std::vector<PlaneHeader> planes;
  planes.reserve(static_cast<size_t>(number_of_frames));
  for (int64_t frame = 0; frame < number_of_frames; ++frame) {
    std::optional<ItemIndex> per_frame_index;
    if (static_cast<size_t>(frame) < per_frame_items.size()) {
      per_frame_index.emplace(*per_frame_items[static_cast<size_t>(frame)]);
    }
    const ItemIndex* per_frame = pointer(per_frame_index);
    PlaneHeader plane = common;
    plane.record.frame_in_file = frame;
    read_position(pointer(functional_group(per_frame, shared, DCM_PlanePositionSequence)), plane);
    read_orientation(pointer(functional_group(per_frame, shared, DCM_PlaneOrientationSequence)),
                     plane);
    read_pixel_measures(pointer(functional_group(per_frame, shared, DCM_PixelMeasuresSequence)),
                        plane);
    read_enhanced_frame_content(
        pointer(functional_group(per_frame, shared, DCM_FrameContentSequence)), plane);
    if (const auto corrections =
            functional_group(per_frame, shared, DCM_PETFrameCorrectionFactorsSequence)) {
      if (auto decay = get_number(*corrections, DCM_DecayFactor)) plane.record.decay_factor = decay;
    }
    // A mapping to UCUM Bq/ml is the quantitative one (pet-quantification.md §3.1); otherwise
    // the Pixel Value Transformation is the modality rescale.
    const std::optional<ItemIndex> mapping = real_world_value_mapping(dataset, shared, per_frame);
    if (measures_bq_per_ml(pointer(mapping)) && read_real_world_mapping(pointer(mapping), plane)) {
      add_note(notes, "values mapped to Bq/ml through " +
                          tag_label(DCM_RealWorldValueMappingSequence) +
                          " instead of the Pixel Value Transformation");
    } else if (!read_rescale(pointer(functional_group(per_frame, shared,
                                                      DCM_PixelValueTransformationSequence)),
                             plane, tag_label(DCM_PixelValueTransformationSequence) + " > ")) {
      if (!read_rescale(&dataset, plane, "")) read_real_world_mapping(pointer(mapping), plane);
    }
    planes.push_back(std::move(plane));
  }
  return planes;
}

bool is_nm_reconstruction(const SeriesHeader& series) {
  // ImageType value 3 RECON TOMO or RECON GATED TOMO [PS3.3 C.8.4.7.1.1].
  return series.image_type.size() >= 3 && series.image_type[2].rfind("RECON", 0) == 0 &&
         series.image_type[2].find("TOMO") != std::string::npos;
}

InstanceLayout choose_layout(const ItemIndex& dataset, const SeriesHeader& series,
                             const PixelFormat& pixels) {
  if (has_element(dataset, DCM_PerFrameFunctionalGroupsSequence) ||
      has_element(dataset, DCM_SharedFunctionalGroupsSequence)) {
    return InstanceLayout::kEnhanced;
  }
  const bool nm =
      series.sop_class_uid == UID_NuclearMedicineImageStorage || series.modality == "NM";
  if (nm)
    return is_nm_reconstruction(series) ? InstanceLayout::kNmTomo
                                        : InstanceLayout::kUnsupportedMultiFrame;
  if (pixels.number_of_frames > 1) return InstanceLayout::kUnsupportedMultiFrame;
  return InstanceLayout::kSingleFrame;
}

}  // namespace

std::string tag_label(const DcmTagKey& tag) {
  // Labels are built for every Sourced value of every instance; the dictionary lookup and the
  // formatting are cached per thread (no locking; a few dozen distinct tags).
  thread_local std::unordered_map<uint32_t, std::string> cache;
  const uint32_t key = (static_cast<uint32_t>(tag.getGroup()) << 16) | tag.getElement();
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  DcmTag dictionary_tag(tag);
  const char* name = dictionary_tag.getTagName();
  std::string label = hex_tag(tag.getGroup(), tag.getElement());
  if (name != nullptr && std::string(name) != DcmTag_ERROR_TagName) {
    label += " ";
    label += name;
  }
  cache.emplace(key, label);
  return label;
}

std::optional<std::string> find_private_text(const ItemIndex& dataset, uint16_t group,
                                             uint16_t element,
                                             const std::vector<std::string>& creators, bool lenient,
                                             std::string* source) {
  const uint16_t low_byte = element & 0x00FF;
  const uint32_t first_creator = (static_cast<uint32_t>(group) << 16) | 0x0010;
  const uint32_t last_creator = (static_cast<uint32_t>(group) << 16) | 0x00FF;
  bool block_10_reserved = false;
  // Creator elements (gggg,0010)-(gggg,00FF) [PS3.5 §7.8.1], in tag order.
  const auto& elements = dataset.elements();
  auto it = std::lower_bound(elements.begin(), elements.end(), first_creator,
                             [](const auto& entry, uint32_t key) { return entry.first < key; });
  for (; it != elements.end() && it->first <= last_creator; ++it) {
    const DcmTagKey key(group, static_cast<uint16_t>(it->first & 0xFFFF));
    const auto creator = get_text(dataset, key);
    if (!creator) continue;
    if (key.getElement() == 0x0010) block_10_reserved = true;
    for (const std::string& wanted : creators) {
      if (!equal_ignoring_case(*creator, wanted)) continue;
      const uint16_t reserved = static_cast<uint16_t>((key.getElement() << 8) | low_byte);
      *source = hex_tag(group, reserved) + " via " + *creator;
      return get_text(dataset, DcmTagKey(group, reserved));
    }
  }
  if (lenient && !block_10_reserved) {
    if (auto value = get_text(dataset, DcmTagKey(group, element))) {
      *source = hex_tag(group, element) + " without private creator (lenient)";
      return value;
    }
  }
  *source = hex_tag(group, element) + " " + creators.front();
  return std::nullopt;
}

std::optional<std::string> find_private_text(DcmItem& dataset, uint16_t group, uint16_t element,
                                             const std::vector<std::string>& creators, bool lenient,
                                             std::string* source) {
  return find_private_text(ItemIndex(dataset), group, element, creators, lenient, source);
}

SeriesHeader read_series_header(const ItemIndex& dataset, const HeaderReadOptions& options) {
  SeriesHeader header;
  auto text = [&dataset](const DcmTagKey& tag) { return get_text(dataset, tag).value_or(""); };
  header.patient_id = text(DCM_PatientID);
  header.patient_name = text(DCM_PatientName);
  header.study_instance_uid = text(DCM_StudyInstanceUID);
  header.series_instance_uid = text(DCM_SeriesInstanceUID);
  header.sop_class_uid = text(DCM_SOPClassUID);
  header.modality = text(DCM_Modality);
  header.series_description = text(DCM_SeriesDescription);
  header.series_number = text(DCM_SeriesNumber);
  header.frame_of_reference_uid = text(DCM_FrameOfReferenceUID);
  header.manufacturer = text(DCM_Manufacturer);
  header.manufacturer_model = text(DCM_ManufacturerModelName);
  header.software_versions = text(DCM_SoftwareVersions);
  header.image_type = get_strings(dataset, DCM_ImageType);
  header.series_type = get_strings(dataset, DCM_SeriesType);
  header.study_date = text(DCM_StudyDate);
  header.study_time = text(DCM_StudyTime);
  header.series_date = text(DCM_SeriesDate);
  header.series_time = text(DCM_SeriesTime);

  header.patient_weight_kg = sourced_number(&dataset, DCM_PatientWeight);
  header.patient_size_m = sourced_number(&dataset, DCM_PatientSize);
  header.patient_sex = sourced_text(&dataset, DCM_PatientSex);
  header.patient_age = sourced_text(&dataset, DCM_PatientAge);
  header.radiopharmaceutical = read_radiopharmaceutical(dataset);

  header.units = sourced_text(&dataset, DCM_Units);
  header.decay_correction = sourced_text(&dataset, DCM_DecayCorrection);
  header.suv_type = sourced_text(&dataset, DCM_SUVType);
  header.corrected_image = get_strings(dataset, DCM_CorrectedImage);
  // Enhanced PET Corrections module values may sit in the shared functional groups.
  const std::optional<ItemIndex> shared = first_item(dataset, DCM_SharedFunctionalGroupsSequence);
  header.decay_corrected_flag = sourced_text_here_or_shared(dataset, shared, DCM_DecayCorrected);
  header.attenuation_corrected_flag =
      sourced_text_here_or_shared(dataset, shared, DCM_AttenuationCorrected);
  header.decay_correction_datetime =
      sourced_text_here_or_shared(dataset, shared, DCM_DecayCorrectionDateTime);
  header.real_world_value_units.source = tag_label(DCM_RealWorldValueMappingSequence) + " > " +
                                         tag_label(DCM_MeasurementUnitsCodeSequence) + " > " +
                                         tag_label(DCM_CodeValue);
  if (const auto mapping = real_world_value_mapping(dataset, shared, nullptr)) {
    if (const auto units = first_item(*mapping, DCM_MeasurementUnitsCodeSequence)) {
      header.real_world_value_units.value = get_text(*units, DCM_CodeValue);
    }
  }
  header.number_of_time_slices = sourced_integer(dataset, DCM_NumberOfTimeSlices);
  header.number_of_slices = sourced_integer(dataset, DCM_NumberOfSlices);

  const bool lenient = options.lenient_private_tags;
  header.ge_scan_datetime = private_text(dataset, 0x0009, 0x100D, kGeCreators, lenient,
                                         "GE scan date-time", header.reader_notes);
  header.ge_administration_datetime =
      private_text(dataset, 0x0009, 0x103B, kGeCreators, lenient, "GE administration date-time",
                   header.reader_notes);
  header.siemens_decay_correction_datetime =
      private_text(dataset, 0x0071, 0x1022, kSiemensCreators, lenient,
                   "Siemens decay correction date-time", header.reader_notes);
  return header;
}

SeriesHeader read_series_header(DcmItem& dataset, const HeaderReadOptions& options) {
  return read_series_header(ItemIndex(dataset), options);
}

PixelFormat read_pixel_format(const ItemIndex& dataset) {
  PixelFormat format;
  auto integer = [&dataset](const DcmTagKey& tag, int64_t fallback) {
    const auto number = get_number(dataset, tag);
    return number ? std::llround(*number) : fallback;
  };
  format.rows = integer(DCM_Rows, 0);
  format.columns = integer(DCM_Columns, 0);
  format.samples_per_pixel = static_cast<int>(integer(DCM_SamplesPerPixel, 1));
  format.bits_allocated = static_cast<int>(integer(DCM_BitsAllocated, 0));
  format.bits_stored = static_cast<int>(integer(DCM_BitsStored, format.bits_allocated));
  format.high_bit = static_cast<int>(integer(DCM_HighBit, format.bits_stored - 1));
  format.pixel_representation = static_cast<int>(integer(DCM_PixelRepresentation, 0));
  format.photometric_interpretation = get_text(dataset, DCM_PhotometricInterpretation).value_or("");
  format.number_of_frames = std::max<int64_t>(1, integer(DCM_NumberOfFrames, 1));
  format.has_pixel_data = has_element(dataset, DCM_PixelData);
  format.has_float_pixel_data =
      has_element(dataset, DCM_FloatPixelData) || has_element(dataset, DCM_DoubleFloatPixelData);
  return format;
}

PixelFormat read_pixel_format(DcmItem& dataset) { return read_pixel_format(ItemIndex(dataset)); }

InstanceHeader read_instance_header(DcmItem& item, const std::string& file,
                                    const HeaderReadOptions& options) {
  const ItemIndex dataset(item);
  InstanceHeader instance;
  instance.file = file;
  instance.series = read_series_header(dataset, options);
  instance.pixels = read_pixel_format(dataset);
  instance.layout = choose_layout(dataset, instance.series, instance.pixels);
  std::vector<std::string>& notes = instance.series.reader_notes;
  switch (instance.layout) {
    case InstanceLayout::kSingleFrame:
      instance.planes = read_single_frame_plane(dataset, file, options, notes);
      break;
    case InstanceLayout::kNmTomo:
      instance.planes = read_nm_tomo_planes(dataset, file, instance.pixels.number_of_frames, notes);
      break;
    case InstanceLayout::kEnhanced:
      instance.planes =
          read_enhanced_planes(dataset, file, instance.pixels.number_of_frames, notes);
      break;
    case InstanceLayout::kUnsupportedMultiFrame:
      break;
  }
  instance.notes = notes;
  return instance;
}

}  // namespace oncotrace::dicom
