#include "dicom/derived_object.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmiod/iodreferences.h>

#include <set>

#include "core/atomic_file.h"
#include "dicom/dicom_file.h"
#include "dicom/segmentation.h"
#include "oncotrace/error.h"

namespace oncotrace::dicom {

namespace {

void check(const OFCondition& status, const std::string& where, const std::string& what) {
  if (status.bad()) throw InternalError(where + ": " + what + ": " + status.text());
}

}  // namespace

CodeSequenceMacro code_macro(const CodedConcept& code) {
  return CodeSequenceMacro(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str());
}

CodedConcept coded_concept(CodeSequenceMacro& macro) {
  OFString value, scheme, meaning;
  macro.getCodeValue(value);
  macro.getCodingSchemeDesignator(scheme);
  macro.getCodeMeaning(meaning);
  return {value.c_str(), scheme.c_str(), meaning.c_str()};
}

void copy_patient_and_study(const std::filesystem::path& source_file, DcmItem& dataset,
                            const std::string& where) {
  const std::unique_ptr<DcmFileFormat> source_instance = open_dicom_file(source_file);
  DcmDataset& source_dataset = *source_instance->getDataset();
  for (const DcmTagKey& tag :
       {DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate, DCM_PatientSex,
        DCM_PatientIdentityRemoved, DCM_DeidentificationMethod, DCM_StudyID, DCM_AccessionNumber,
        DCM_ReferringPhysicianName, DCM_StudyDescription, DCM_StudyDate, DCM_StudyTime}) {
    DcmElement* element = nullptr;
    if (source_dataset.findAndGetElement(tag, element).good() && element != nullptr) {
      check(dataset.insert(static_cast<DcmElement*>(element->clone()), OFTrue), where,
            "copy " + std::string(DcmTag(tag).getTagName()));
    } else if (tag == DCM_PatientIdentityRemoved || tag == DCM_DeidentificationMethod) {
      dataset.findAndDeleteElement(tag);
    }
  }
}

std::unique_ptr<FGPixelMeasures> pixel_measures(const Geometry& grid, const std::string& where) {
  auto measures = std::make_unique<FGPixelMeasures>();
  check(
      measures->setPixelSpacing(
          (decimal_string(grid.spacing_mm[1]) + "\\" + decimal_string(grid.spacing_mm[0])).c_str()),
      where, "Pixel Spacing");
  check(measures->setSliceThickness(decimal_string(grid.spacing_mm[2]).c_str()), where,
        "Slice Thickness");
  check(measures->setSpacingBetweenSlices(decimal_string(grid.spacing_mm[2]).c_str()), where,
        "Spacing Between Slices");
  return measures;
}

std::unique_ptr<FGPlaneOrientationPatient> plane_orientation(const Geometry& grid,
                                                             const std::string& where) {
  // Row direction = column 0 of the direction matrix, column direction = column 1.
  const Mat3& d = grid.direction;
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
      decimal_string(d[0]).c_str(), decimal_string(d[3]).c_str(), decimal_string(d[6]).c_str(),
      decimal_string(d[1]).c_str(), decimal_string(d[4]).c_str(), decimal_string(d[7]).c_str()));
  if (!orientation) throw InternalError(where + ": cannot create Plane Orientation");
  return orientation;
}

std::unique_ptr<FGPlanePosPatient> plane_position(const Geometry& grid, int64_t k,
                                                  const std::string& where) {
  const Vec3 position = grid.index_to_world(0, 0, k);
  std::unique_ptr<FGPlanePosPatient> plane(FGPlanePosPatient::createMinimal(
      decimal_string(position[0]).c_str(), decimal_string(position[1]).c_str(),
      decimal_string(position[2]).c_str()));
  if (!plane) throw InternalError(where + ": cannot create Plane Position");
  return plane;
}

ImageSOPInstanceReferenceMacro source_plane_reference(const SeriesReference& source, int64_t k,
                                                      const std::string& where) {
  const SeriesReference::Plane& plane = source.planes[static_cast<size_t>(k)];
  ImageSOPInstanceReferenceMacro* created = nullptr;
  check(ImageSOPInstanceReferenceMacro::create(source.sop_class_uid.c_str(),
                                               plane.sop_instance_uid.c_str(), created),
        where, "source image reference");
  const std::unique_ptr<ImageSOPInstanceReferenceMacro> reference(created);
  // The frame number is set separately: DCMTK 3.6.7's create() with frame numbers fails for
  // image SOP classes (fixed later upstream, see dcmiod's tests).
  if (plane.frame_number > 65535) {
    throw UnsupportedDataError(where + ": source frame number " +
                               std::to_string(plane.frame_number) +
                               " exceeds what DCMTK can reference (65535)");
  }
  if (plane.frame_number > 0) {
    check(reference->addReferencedFrameNumber(static_cast<Uint16>(plane.frame_number)), where,
          "Referenced Frame Number");
  }
  return *reference;
}

void add_source_references(const SeriesReference& source,
                           IODCommonInstanceReferenceModule& module) {
  IODReferences references;
  std::set<std::string> listed;
  for (const SeriesReference::Plane& plane : source.planes) {
    if (!listed.insert(plane.sop_instance_uid).second) continue;
    references.add(
        new IODImageReference(source.patient_id.c_str(), source.study_instance_uid.c_str(),
                              source.series_instance_uid.c_str(), plane.sop_instance_uid.c_str(),
                              source.sop_class_uid.c_str()));
  }
  module.addReferences(references, source.study_instance_uid.c_str());
}

namespace {

// Throws when the source series lacks the UID `name` (`value`) that `object` must reference.
void require_source_uid(const SeriesReference& source, const char* name, const std::string& value,
                        const std::string& where, const std::string& object) {
  if (value.empty()) {
    throw InvalidInputError(where + ": the source series " + source.series_instance_uid +
                            " has no " + name + "; " + object + " cannot reference it");
  }
}

}  // namespace

void check_source_reference(const SeriesReference& source, const std::string& where,
                            const std::string& object) {
  require_source_uid(source, "Study Instance UID", source.study_instance_uid, where, object);
  require_source_uid(source, "Series Instance UID", source.series_instance_uid, where, object);
  require_source_uid(source, "SOP Class UID", source.sop_class_uid, where, object);
  require_source_uid(source, "Frame of Reference UID", source.frame_of_reference_uid, where,
                     object);
  if (source.planes.size() != static_cast<size_t>(source.grid.size[2])) {
    throw InvalidInputError(where + ": the source series " + source.series_instance_uid +
                            " lists " + std::to_string(source.planes.size()) +
                            " planes for a grid of " + std::to_string(source.grid.size[2]));
  }
  for (size_t k = 0; k < source.planes.size(); ++k) {
    if (source.planes[k].sop_instance_uid.empty()) {
      throw InvalidInputError(where + ": plane " + std::to_string(k) + " of the source series " +
                              source.series_instance_uid + " has no SOP Instance UID");
    }
  }
}

void save_derived_object(DcmFileFormat& file, const std::filesystem::path& path,
                         const std::string& where) {
  AtomicOutput output(path);
  const OFCondition saved =
      file.saveFile(output.temporary_path().c_str(), EXS_LittleEndianExplicit);
  if (saved.bad()) {
    throw InvalidInputError(where + ": cannot write " + output.temporary_path().string() + ": " +
                            saved.text());
  }
  output.commit();
}

}  // namespace oncotrace::dicom
