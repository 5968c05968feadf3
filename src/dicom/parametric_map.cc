// Parametric Map writing and reading through DCMTK's dcmpmap (DPMParametricMapIOD) and dcmfg
// (functional groups). See include/oncotrace/dicom_pmap.h for the rules and
// interoperability.md §1.3 for where they come from.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgframeanatomy.h>
#include <dcmtk/dcmfg/fgparametricmapframetype.h>
#include <dcmtk/dcmfg/fgpixeltransform.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgrealworldvaluemapping.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmpmap/dpmparametricmapiod.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "dicom/codecs.h"
#include "dicom/derived_object.h"
#include "dicom/segmentation.h"
#include "oncotrace/dicom_pmap.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"

namespace oncotrace {

namespace {

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw InternalError("DICOM Parametric Map: " + what + ": " + status.text());
}

using dicom::code_macro;
using dicom::coded_concept;

// The first source plane of `map`: 0 when the map is on the source grid, k0 when it is on the
// source's planes k0 .. k0 + n - 1 (same in-plane grid); throws InvalidInputError otherwise.
int64_t first_source_plane(const ImageVolume& map, const SeriesReference& source,
                           const std::string& where) {
  if (map.geometry.same_grid_as(source.grid)) return 0;
  const Geometry& grid = source.grid;
  const Vec3 index = grid.world_to_index(map.geometry.origin_mm);
  const int64_t first = static_cast<int64_t>(std::llround(index[2]));
  Geometry planes = grid;
  planes.size[2] = map.geometry.size[2];
  planes.origin_mm = grid.index_to_world(0, 0, first);
  if (first < 0 || map.geometry.size[2] < 1 || first + map.geometry.size[2] > grid.size[2] ||
      !map.geometry.same_grid_as(planes)) {
    throw InvalidInputError(where + ": the map grid " + map.geometry.describe() +
                            " is neither the grid of the source series " +
                            source.series_instance_uid + " " + grid.describe() +
                            " nor a run of its whole planes");
  }
  return first;
}

void check_map(const ImageVolume& map, const SeriesReference& source, const MapQuantity& quantity,
               const ParametricMapWriteOptions& options, const std::string& where) {
  if (map.geometry.size[0] > 65535 || map.geometry.size[1] > 65535) {
    throw InvalidInputError(where + ": frames of " + map.geometry.describe() +
                            " exceed 65535 pixels");
  }
  if (source.planes.size() != static_cast<size_t>(source.grid.size[2])) {
    throw InvalidInputError(where + ": the source series " + source.series_instance_uid +
                            " lists " + std::to_string(source.planes.size()) +
                            " planes for a grid of " + std::to_string(source.grid.size[2]));
  }
  for (const std::string* uid : {&source.study_instance_uid, &source.series_instance_uid,
                                 &source.sop_class_uid, &source.frame_of_reference_uid}) {
    if (uid->empty()) {
      throw InvalidInputError(where + ": the source series " + source.series_instance_uid +
                              " lacks a Study, Series, SOP Class or Frame of Reference UID");
    }
  }
  for (const SeriesReference::Plane& plane : source.planes) {
    if (plane.sop_instance_uid.empty()) {
      throw InvalidInputError(where + ": a plane of the source series " +
                              source.series_instance_uid + " has no SOP Instance UID");
    }
  }
  if (quantity.label.empty() || quantity.label.size() > 16) {
    throw InvalidInputError(where + ": the LUT label \"" + quantity.label +
                            "\" must have 1 to 16 characters");
  }
  const std::optional<float> padding = options.float_pixel_padding_value;
  if (padding && !std::isfinite(*padding)) {
    throw InvalidInputError(where + ": the padding value must be a finite number");
  }
  for (size_t index = 0; index < map.values.size(); ++index) {
    const float value = map.values[index];
    if (padding && std::isnan(value)) continue;
    if (!std::isfinite(value)) {
      throw InvalidInputError(where + ": voxel " + std::to_string(index) +
                              " of the map is not a finite number");
    }
    if (padding && value == *padding) {
      throw InvalidInputError(where + ": voxel " + std::to_string(index) +
                              " of the map holds the padding value " + std::to_string(*padding) +
                              "; choose a padding value that no voxel holds");
    }
  }
}

// The Real World Value Mapping item (interoperability.md §1.3 table).
std::unique_ptr<FGRealWorldValueMapping> real_world_value_mapping(const MapQuantity& quantity,
                                                                  double first, double last) {
  auto mapping = std::make_unique<FGRealWorldValueMapping>();
  auto item = std::make_unique<FGRealWorldValueMapping::RWVMItem>();
  check(item->setLUTExplanation(quantity.label.c_str()), "LUT Explanation");
  check(item->setLUTLabel(quantity.label.c_str()), "LUT Label");
  check(item->setDoubleFloatRealWorldValueFirstValueMapped(first), "first value mapped");
  check(item->setDoubleFloatRealWorldValueLastValueMapped(last), "last value mapped");
  check(item->setRealWorldValueSlope(1.0), "slope");
  check(item->setRealWorldValueIntercept(0.0), "intercept");
  check(
      item->getMeasurementUnitsCode().set(quantity.unit.value.c_str(), quantity.unit.scheme.c_str(),
                                          quantity.unit.meaning.c_str()),
      "measurement units");
  auto add_definition = [&item](const CodedConcept& name, const CodedConcept& value) {
    auto definition = std::make_unique<ContentItemMacro>();
    check(definition->setValueType(ContentItemMacro::VT_CODE), "quantity value type");
    definition->getEntireConceptNameCodeSequence().push_back(
        new CodeSequenceMacro(code_macro(name)));
    definition->getEntireConceptCodeSequence().push_back(new CodeSequenceMacro(code_macro(value)));
    item->getEntireQuantityDefinitionSequence().push_back(definition.release());
  };
  add_definition({"246205007", "SCT", "Quantity"}, quantity.quantity);
  if (quantity.method) add_definition({"370129005", "SCT", "Measurement Method"}, *quantity.method);
  mapping->getRealWorldValueMapping().push_back(item.release());
  return mapping;
}

}  // namespace

WrittenParametricMap write_parametric_map(const ImageVolume& map, const SeriesReference& source,
                                          const MapQuantity& quantity,
                                          const std::filesystem::path& path,
                                          const ParametricMapWriteOptions& options) {
  const std::string where = "DICOM Parametric Map " + path.string();
  const int64_t first_plane = first_source_plane(map, source, where);
  check_map(map, source, quantity, options, where);
  dicom::initialise_dcmtk();
  const Geometry& grid = map.geometry;
  const auto rows = static_cast<Uint16>(grid.size[1]);
  const auto columns = static_cast<Uint16>(grid.size[0]);
  const IODEnhGeneralEquipmentModule::EquipmentInfo equipment("oncotrace", "oncotrace", "0",
                                                              version_string().c_str());
  const ContentIdentificationMacro content("1", options.content_label.c_str(),
                                           options.content_description.c_str(), "");
  // DCMTK 3.6.7's emulated OFvariant: in the sanitizer build UBSan finds the variant's index out
  // of range when the variant is destroyed after the map was filled (both for create()'s result
  // and for getFrames()'s). The variants are therefore built in place and never destroyed; the
  // map they hold is destroyed explicitly (MapOwner), which frees everything it owns.
  using Created = OFvariant<OFCondition, DPMParametricMapIOD>;
  alignas(Created) unsigned char created_storage[sizeof(Created)];
  auto* created =
      new (created_storage) Created(DPMParametricMapIOD::create<IODFloatingPointImagePixelModule>(
          options.modality.c_str(), std::to_string(options.series_number).c_str(), "1", rows,
          columns, equipment, content, "VOLUME", "NONE", DPMTypes::CQ_RESEARCH));
  if (OFCondition* failure = OFget<OFCondition>(created)) {
    const OFCondition status = *failure;
    failure->~OFCondition();
    check(status, "create");
  }
  struct MapOwner {
    DPMParametricMapIOD* map;
    explicit MapOwner(DPMParametricMapIOD* owned) : map(owned) {}
    MapOwner(const MapOwner&) = delete;
    MapOwner& operator=(const MapOwner&) = delete;
    ~MapOwner() { map->~DPMParametricMapIOD(); }
  } owner(OFget<DPMParametricMapIOD>(created));
  DPMParametricMapIOD& pmap = *owner.map;

  check(pmap.getPatient().setPatientID(source.patient_id.c_str()), "Patient ID");
  check(pmap.getPatient().setPatientName(source.patient_name.c_str()), "Patient Name");
  check(pmap.getStudy().setStudyInstanceUID(source.study_instance_uid.c_str()), "Study UID");
  check(pmap.getStudy().setStudyDate(source.study_date.c_str()), "Study Date");
  check(pmap.getStudy().setStudyTime(source.study_time.c_str()), "Study Time");
  check(pmap.getFrameOfReference().setFrameOfReferenceUID(source.frame_of_reference_uid.c_str()),
        "Frame of Reference UID");
  WrittenParametricMap written;
  written.series_instance_uid = dicom::new_uuid_uid();
  written.sop_instance_uid = dicom::new_uuid_uid();
  check(pmap.getSeries().setSeriesInstanceUID(written.series_instance_uid.c_str()), "Series UID");
  check(pmap.getSeries().setSeriesDescription(options.series_description.c_str()),
        "Series Description");
  check(pmap.getSOPCommon().setSOPInstanceUID(written.sop_instance_uid.c_str()), "SOP UID");
  check(pmap.setRecognizableVisualFeatures(DPMTypes::RVF_NO), "Recognizable Visual Features");

  // Shared functional groups.
  check(pmap.addForAllFrames(*dicom::pixel_measures(grid, where)), "shared Pixel Measures");
  check(pmap.addForAllFrames(*dicom::plane_orientation(grid, where)), "shared Plane Orientation");
  FGFrameAnatomy anatomy;
  check(anatomy.setLaterality(FGFrameAnatomy::LATERALITY_UNPAIRED), "Frame Laterality");
  check(anatomy.getAnatomy().getAnatomicRegion().set("38266002", "SCT", "Entire body"),
        "Anatomic Region");
  check(pmap.addForAllFrames(anatomy), "shared Frame Anatomy");
  FGPixelValueTransformation identity;
  identity.setFGType(FGPixelValueTransformation::E_PixelValTrans_Identity);
  check(pmap.addForAllFrames(identity), "shared Identity Pixel Value Transformation");
  FGParametricMapFrameType frame_type;
  check(frame_type.setFrameType("DERIVED\\PRIMARY\\VOLUME\\NONE"), "Frame Type");
  check(pmap.addForAllFrames(frame_type), "shared Parametric Map Frame Type");
  // The mapped range covers the defined voxels only (padding has no real-world value).
  double lowest = 0.0, highest = 0.0;
  bool any_value = false;
  for (const float value : map.values) {
    if (std::isnan(value)) continue;
    lowest = any_value ? std::min<double>(lowest, value) : value;
    highest = any_value ? std::max<double>(highest, value) : value;
    any_value = true;
  }
  check(pmap.addForAllFrames(*real_world_value_mapping(quantity, lowest, highest)),
        "shared Real World Value Mapping");

  const std::string dimension_uid = dicom::new_uuid_uid();
  check(pmap.getIODMultiframeDimensionModule().addDimensionIndex(
            DCM_ImagePositionPatient, dimension_uid.c_str(), DCM_PlanePositionSequence,
            "ImagePositionPatient"),
        "dimension index position");

  // The frame accessor: built in place and never destroyed (see above); it only refers to `pmap`.
  alignas(DPMParametricMapIOD::FramesType) unsigned char
      frames_storage[sizeof(DPMParametricMapIOD::FramesType)];
  auto* frames = new (frames_storage) DPMParametricMapIOD::FramesType(pmap.getFrames());
  auto* float_frames = OFget<DPMParametricMapIOD::Frames<Float32>>(frames);
  if (float_frames == nullptr) throw InternalError(where + ": no Float32 frame access");
  const size_t plane_pixels = static_cast<size_t>(rows) * columns;
  std::vector<Float32> plane(plane_pixels);
  const CodeSequenceMacro derivation_code("110001", "DCM", "Image Processing");
  const CodeSequenceMacro purpose("121322", "DCM", "Source image for image processing operation");
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    std::copy_n(map.values.begin() + static_cast<std::ptrdiff_t>(k * plane_pixels), plane_pixels,
                plane.begin());
    if (options.float_pixel_padding_value) {
      for (Float32& value : plane) {
        if (std::isnan(value)) value = *options.float_pixel_padding_value;
      }
    }
    const std::unique_ptr<FGPlanePosPatient> plane_position = dicom::plane_position(grid, k, where);
    FGFrameContent frame_content;
    check(frame_content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 0),
          "Dimension Index Values");
    OFVector<ImageSOPInstanceReferenceMacro> derivation_images;
    derivation_images.push_back(dicom::source_plane_reference(source, first_plane + k, where));
    const std::unique_ptr<FGDerivationImage> derivation(
        FGDerivationImage::createMinimal(derivation_images, "", derivation_code, purpose));
    if (!derivation) throw InternalError(where + ": cannot create Derivation Image");
    OFVector<FGBase*> per_frame;
    per_frame.push_back(plane_position.get());
    per_frame.push_back(&frame_content);
    per_frame.push_back(derivation.get());
    check(float_frames->addFrame(plane.data(), plane_pixels, per_frame),
          "frame " + std::to_string(k));
    ++written.frame_count;
  }

  // Common Instance Reference: every source instance (rule §1.0.5).
  dicom::add_source_references(source, pmap.getIODCommonInstanceReferenceModule());

  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  check(pmap.writeDataset(dataset), "write dataset");
  if (options.float_pixel_padding_value) {
    const float padding = *options.float_pixel_padding_value;
    check(dataset.putAndInsertFloat32(DCM_FloatPixelPaddingValue, padding),
          "Float Pixel Padding Value");
    // The range [value, limit] with limit = value: the single padding value (dciodvfy requires
    // the limit, Type 1C, with the value).
    check(dataset.putAndInsertFloat32(DCM_FloatPixelPaddingRangeLimit, padding),
          "Float Pixel Padding Range Limit");
  }
  for (const CodingSchemeIdentification& scheme : options.coding_schemes) {
    DcmItem* item = nullptr;
    check(dataset.findOrCreateSequenceItem(DCM_CodingSchemeIdentificationSequence, item, -2),
          "Coding Scheme Identification Sequence");
    check(item->putAndInsertString(DCM_CodingSchemeDesignator, scheme.designator.c_str()),
          "Coding Scheme Designator");
    check(item->putAndInsertString(DCM_CodingSchemeName, scheme.name.c_str()),
          "Coding Scheme Name");
    check(item->putAndInsertString(DCM_CodingSchemeResponsibleOrganization,
                                   scheme.responsible_organization.c_str()),
          "Coding Scheme Responsible Organization");
  }
  if (!source.source_file.empty())
    dicom::copy_patient_and_study(source.source_file, dataset, where);
  dicom::save_derived_object(file, path, where);
  return written;
}

namespace {

// Three numbers of a multi-valued DS element of `item`.
bool read_numbers(DcmItem& item, const DcmTagKey& tag, size_t count, std::vector<double>& values) {
  values.assign(count, 0.0);
  for (size_t index = 0; index < count; ++index) {
    Float64 value = 0.0;
    if (item.findAndGetFloat64(tag, value, static_cast<unsigned long>(index)).bad()) return false;
    values[index] = value;
  }
  return true;
}

DcmItem* functional_group(DcmItem& groups, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (groups.findAndGetSequenceItem(sequence, item, 0).bad()) return nullptr;
  return item;
}

}  // namespace

DicomParametricMap read_parametric_map(const std::filesystem::path& path) {
  const std::string where = path.string();
  dicom::initialise_dcmtk();
  DcmFileFormat file;
  const OFCondition loaded = file.loadFile(path.c_str());
  if (loaded.bad()) throw InvalidInputError(where + ": cannot be read: " + loaded.text());
  DcmDataset& dataset = *file.getDataset();
  OFString sop_class;
  dataset.findAndGetOFString(DCM_SOPClassUID, sop_class);
  if (sop_class != UID_ParametricMapStorage) {
    throw InvalidInputError(where + ": not a DICOM Parametric Map (SOP Class " +
                            std::string(sop_class.c_str()) + ")");
  }
  DicomParametricMap result;
  OFString text;
  dataset.findAndGetOFString(DCM_SeriesInstanceUID, text);
  result.series_instance_uid = text.c_str();
  dataset.findAndGetOFString(DCM_SOPInstanceUID, text);
  result.sop_instance_uid = text.c_str();
  dataset.findAndGetOFString(DCM_FrameOfReferenceUID, text);
  result.frame_of_reference_uid = text.c_str();
  dataset.findAndGetOFString(DCM_Modality, text);
  result.modality = text.c_str();
  Uint16 rows = 0, columns = 0;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  const Float32* pixels = nullptr;
  unsigned long pixel_count = 0;
  if (dataset.findAndGetFloat32Array(DCM_FloatPixelData, pixels, &pixel_count).bad() ||
      pixels == nullptr) {
    throw InvalidInputError(where +
                            ": has no Float Pixel Data (7FE0,0008); only Float32 maps "
                            "are read");
  }
  const size_t plane_pixels = static_cast<size_t>(rows) * columns;
  if (plane_pixels == 0 || pixel_count % plane_pixels != 0) {
    throw InvalidInputError(where + ": " + std::to_string(pixel_count) +
                            " pixels are not a whole number of " + std::to_string(rows) + " x " +
                            std::to_string(columns) + " frames");
  }
  const size_t frame_count = pixel_count / plane_pixels;

  // Shared groups: spacing, orientation, the value mapping.
  DcmItem* shared = nullptr;
  if (dataset.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).bad()) {
    throw InvalidInputError(where + ": has no Shared Functional Groups Sequence");
  }
  std::vector<double> spacing, orientation;
  DcmItem* measures = functional_group(*shared, DCM_PixelMeasuresSequence);
  DcmItem* plane_orientation = functional_group(*shared, DCM_PlaneOrientationSequence);
  if (measures == nullptr || plane_orientation == nullptr ||
      !read_numbers(*measures, DCM_PixelSpacing, 2, spacing) ||
      !read_numbers(*plane_orientation, DCM_ImageOrientationPatient, 6, orientation)) {
    throw InvalidInputError(where +
                            ": no shared Pixel Spacing or Image Orientation (Patient); "
                            "only maps with one shared orientation are read");
  }
  if (DcmItem* rwvm = functional_group(*shared, DCM_RealWorldValueMappingSequence)) {
    rwvm->findAndGetOFString(DCM_LUTLabel, text);
    result.quantity.label = text.c_str();
    FGRealWorldValueMapping::RWVMItem item;
    if (item.read(*rwvm).good()) {
      result.quantity.unit = coded_concept(item.getMeasurementUnitsCode());
      for (ContentItemMacro* definition : item.getEntireQuantityDefinitionSequence()) {
        CodeSequenceMacro* name = definition->getConceptNameCodeSequence();
        CodeSequenceMacro* value = definition->getConceptCodeSequence();
        if (name == nullptr || value == nullptr) continue;
        const CodedConcept name_concept = coded_concept(*name);
        if (name_concept.value == "246205007") result.quantity.quantity = coded_concept(*value);
        if (name_concept.value == "370129005") result.quantity.method = coded_concept(*value);
      }
    }
  }

  // Per-frame positions: the frames sorted along the normal must be evenly spaced.
  const Vec3 row{orientation[0], orientation[1], orientation[2]};
  const Vec3 column{orientation[3], orientation[4], orientation[5]};
  const Vec3 normal{row[1] * column[2] - row[2] * column[1],
                    row[2] * column[0] - row[0] * column[2],
                    row[0] * column[1] - row[1] * column[0]};
  struct PlacedFrame {
    double distance;
    Vec3 position;
    size_t frame;
  };
  std::vector<PlacedFrame> placed;
  for (size_t frame = 0; frame < frame_count; ++frame) {
    DcmItem* per_frame = nullptr;
    std::vector<double> position;
    DcmItem* plane_position = nullptr;
    if (dataset
            .findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame,
                                    static_cast<int>(frame))
            .bad() ||
        (plane_position = functional_group(*per_frame, DCM_PlanePositionSequence)) == nullptr ||
        !read_numbers(*plane_position, DCM_ImagePositionPatient, 3, position)) {
      throw InvalidInputError(where + ": frame " + std::to_string(frame + 1) +
                              " has no Plane Position (Patient)");
    }
    const Vec3 at{position[0], position[1], position[2]};
    placed.push_back({at[0] * normal[0] + at[1] * normal[1] + at[2] * normal[2], at, frame});
  }
  std::sort(placed.begin(), placed.end(),
            [](const PlacedFrame& a, const PlacedFrame& b) { return a.distance < b.distance; });
  double slice_spacing = 1.0;
  if (placed.size() > 1) {
    slice_spacing =
        (placed.back().distance - placed.front().distance) / static_cast<double>(placed.size() - 1);
    for (size_t index = 1; index < placed.size(); ++index) {
      const double step = placed[index].distance - placed[index - 1].distance;
      if (std::abs(step - slice_spacing) > 1e-3 * std::max(1.0, std::abs(slice_spacing))) {
        throw InvalidInputError(where + ": frames are not evenly spaced along the normal (step " +
                                std::to_string(step) + " mm, expected " +
                                std::to_string(slice_spacing) + " mm)");
      }
    }
  } else if (measures != nullptr) {
    Float64 thickness = 0.0;
    if (measures->findAndGetFloat64(DCM_SliceThickness, thickness).good() && thickness > 0) {
      slice_spacing = thickness;
    }
  }
  Geometry& geometry = result.values.geometry;
  geometry.size = {columns, rows, static_cast<int64_t>(frame_count)};
  geometry.spacing_mm = {spacing[1], spacing[0], slice_spacing};
  geometry.origin_mm = placed.front().position;
  geometry.direction = {row[0],    column[0], normal[0], row[1],   column[1],
                        normal[1], row[2],    column[2], normal[2]};
  result.values.values.resize(pixel_count);
  for (size_t k = 0; k < placed.size(); ++k) {
    std::copy_n(pixels + placed[k].frame * plane_pixels, plane_pixels,
                result.values.values.begin() + static_cast<std::ptrdiff_t>(k * plane_pixels));
  }
  Float32 padding = 0.0F;
  if (dataset.findAndGetFloat32(DCM_FloatPixelPaddingValue, padding).good()) {
    result.float_pixel_padding_value = padding;
    // Padding is the value, or the inclusive range up to Float Pixel Padding Range Limit.
    Float32 limit = padding;
    dataset.findAndGetFloat32(DCM_FloatPixelPaddingRangeLimit, limit);
    const float low = std::min(padding, limit), high = std::max(padding, limit);
    for (float& value : result.values.values) {
      if (value >= low && value <= high) value = std::numeric_limits<float>::quiet_NaN();
    }
  }
  return result;
}

}  // namespace oncotrace
