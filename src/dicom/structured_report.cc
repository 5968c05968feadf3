// TID 1500 Measurement Report writing and reading through DCMTK's dcmsr and its content-mapping
// resource classes (dcmsr/cmr). See include/oncotrace/dicom_sr.h for the rules and
// interoperability.md §1.2 for where they come from.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>
#include <dcmtk/dcmsr/dsrimgvl.h>
#include <dcmtk/dcmsr/dsrnumvl.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dicom/codecs.h"
#include "dicom/derived_object.h"
#include "dicom/segmentation.h"
#include "oncotrace/dicom_sr.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"

namespace oncotrace {

namespace sr_codes {
CodedConcept maximum() { return {"56851009", "SCT", "Maximum"}; }
CodedConcept mean() { return {"373098007", "SCT", "Mean"}; }
CodedConcept minimum() { return {"255605001", "SCT", "Minimum"}; }
CodedConcept median() { return {"373099004", "SCT", "Median"}; }
CodedConcept standard_deviation() { return {"386136009", "SCT", "Standard Deviation"}; }
CodedConcept peak_value_within_roi() { return {"126031", "DCM", "Peak Value Within ROI"}; }
CodedConcept metabolic_volume() { return {"126032", "DCM", "Metabolic Volume"}; }
CodedConcept total_lesion_glycolysis() { return {"126033", "DCM", "Total Lesion Glycolysis"}; }
CodedConcept lesion_to_background_ratio() {
  return {"126039", "DCM", "Lesion to Background SUV Ratio"};
}
CodedConcept background_for_ratio() {
  return {"126040", "DCM", "Background for Lesion to Background SUV Ratio"};
}
CodedConcept sum_of_segmented_voxels_method() {
  return {"126030", "DCM", "Sum of segmented voxel method for volume"};
}
CodedConcept activity_concentration() {
  return {"110821", "DCM", "Nuclear Medicine Tomographic Activity"};
}
CodedConcept ucum(const std::string& unit, const std::string& meaning) {
  return {unit, "UCUM", meaning};
}
}  // namespace sr_codes

namespace {

// The Device Observer UID of oncotrace (TID 1004): one fixed UUID-derived UID (PS3.5 B.2) that
// identifies the software as the observer in every report it writes.
constexpr const char* kDeviceObserverUid = "2.25.198053768984836970236490323084694717560";

// Throws InternalError naming the DCMTK call that failed (the content oncotrace built was
// refused: a bug, not a user error).
void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw InternalError("DICOM SR: " + what + ": " + status.text());
}

DSRCodedEntryValue coded_entry(const CodedConcept& code) {
  return DSRCodedEntryValue(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str());
}

CodedConcept concept_of(const DSRCodedEntryValue& entry) {
  return {entry.getCodeValue().c_str(), entry.getCodingSchemeDesignator().c_str(),
          entry.getCodeMeaning().c_str()};
}

// Segment numbers of a SEG dataset (Segment Sequence items' Segment Number).
std::set<Uint16> segment_numbers_of(DcmItem& dataset) {
  std::set<Uint16> numbers;
  for (unsigned long index = 0;; ++index) {
    DcmItem* item = nullptr;
    if (dataset.findAndGetSequenceItem(DCM_SegmentSequence, item, static_cast<int>(index)).bad() ||
        item == nullptr) {
      break;
    }
    Uint16 number = 0;
    if (item->findAndGetUint16(DCM_SegmentNumber, number).good()) numbers.insert(number);
  }
  return numbers;
}

// Throws unless `measurement` (of the group `group_name`) is a finite number with a unit.
void check_measurement(const SrNumericMeasurement& measurement, const std::string& group_name,
                       const std::string& where) {
  if (!std::isfinite(measurement.value)) {
    throw InvalidInputError(where + ": " + group_name + ": " + measurement.quantity.meaning +
                            " is not a finite number");
  }
  if (measurement.unit.value.empty()) {
    throw InvalidInputError(where + ": " + group_name + ": " + measurement.quantity.meaning +
                            " has no unit");
  }
}

// Throws unless `group` refers to one of the `segments` of `segmentation` and has measurements,
// each a finite number with a unit.
void check_group_contents(const SrMeasurementGroup& group, const std::set<Uint16>& segments,
                          const std::string& where, const std::filesystem::path& segmentation) {
  const std::string name = "group \"" + group.tracking_id + "\"";
  if (segments.count(group.segment_number) == 0) {
    throw InvalidInputError(where + ": " + name + " refers to segment " +
                            std::to_string(group.segment_number) + ", which " +
                            segmentation.string() + " does not have");
  }
  if (group.measurements.empty())
    throw InvalidInputError(where + ": " + name + " has no measurement");
  for (const SrNumericMeasurement& measurement : group.measurements) {
    check_measurement(measurement, name, where);
  }
}

void check_groups(const std::vector<SrMeasurementGroup>& groups, const std::set<Uint16>& segments,
                  const std::string& where, const std::filesystem::path& segmentation) {
  if (groups.empty()) throw InvalidInputError(where + ": no measurement groups to write");
  std::set<std::string> tracking_uids;
  for (const SrMeasurementGroup& group : groups) {
    if (group.tracking_id.empty() || group.tracking_uid.empty()) {
      throw InvalidInputError(where + ": a measurement group (segment " +
                              std::to_string(group.segment_number) +
                              ") has no tracking identifier or tracking UID");
    }
    if (!tracking_uids.insert(group.tracking_uid).second) {
      throw InvalidInputError(where + ": tracking UID " + group.tracking_uid + " is used twice");
    }
    check_group_contents(group, segments, where, segmentation);
  }
}

}  // namespace

WrittenReport write_measurement_report(const SeriesReference& source,
                                       const std::filesystem::path& segmentation,
                                       const std::vector<SrMeasurementGroup>& groups,
                                       const std::filesystem::path& path,
                                       const SrWriteOptions& options) {
  const std::string where = "DICOM SR " + path.string();
  dicom::initialise_dcmtk();
  if (source.study_instance_uid.empty() || source.series_instance_uid.empty()) {
    throw InvalidInputError(where + ": the source series has no Study or Series Instance UID");
  }
  // The SEG the groups refer to: same study, derived from the same source series.
  DcmFileFormat seg_file;
  const OFCondition loaded = seg_file.loadFile(segmentation.c_str());
  if (loaded.bad()) {
    throw InvalidInputError(where + ": the segmentation " + segmentation.string() +
                            " cannot be read: " + loaded.text());
  }
  DcmDataset& seg_dataset = *seg_file.getDataset();
  OFString seg_sop_class, seg_study;
  seg_dataset.findAndGetOFString(DCM_SOPClassUID, seg_sop_class);
  seg_dataset.findAndGetOFString(DCM_StudyInstanceUID, seg_study);
  if (seg_sop_class != UID_SegmentationStorage) {
    throw InvalidInputError(where + ": " + segmentation.string() +
                            " is not a DICOM Segmentation (SOP Class " + seg_sop_class.c_str() +
                            ")");
  }
  if (seg_study.c_str() != source.study_instance_uid) {
    throw InvalidInputError(where + ": the segmentation " + segmentation.string() +
                            " belongs to study " + seg_study.c_str() + ", the source series to " +
                            source.study_instance_uid);
  }
  check_groups(groups, segment_numbers_of(seg_dataset), where, segmentation);

  TID1500_MeasurementReport report(CMR_CID7021::ImagingMeasurementReport);
  check(report.setLanguage(CID5000_Languages::English), "language");
  check(report.getObservationContext().addDeviceObserver(
            kDeviceObserverUid, "oncotrace", "oncotrace", "oncotrace", version_string().c_str()),
        "device observer");
  check(report.addProcedureReported(CMR_CID100(coded_entry(options.procedure_reported))),
        "procedure reported");
  WrittenReport written;
  for (size_t index = 0; index < groups.size(); ++index) {
    const SrMeasurementGroup& group = groups[index];
    if (index > 0) check(report.addVolumetricROIMeasurements(), "new measurement group");
    TID1500_MeasurementReport::TID1411_Measurements& measurements =
        report.getVolumetricROIMeasurements();
    const std::string name = "group " + group.tracking_id;
    check(measurements.setTrackingIdentifier(group.tracking_id.c_str()), name + " tracking id");
    check(measurements.setTrackingUniqueIdentifier(group.tracking_uid.c_str()),
          name + " tracking UID");
    check(measurements.setFinding(coded_entry(group.finding)), name + " finding");
    if (!options.time_point.empty()) {
      check(measurements.setTimePoint(options.time_point.c_str()), name + " time point");
    }
    check(measurements.setReferencedSegment(seg_dataset, group.segment_number, OFFalse),
          name + " referenced segment");
    check(measurements.setSourceSeriesForSegmentation(source.series_instance_uid.c_str()),
          name + " source series");
    for (const SrNumericMeasurement& measurement : group.measurements) {
      const std::string what = name + " " + measurement.quantity.meaning;
      const TID1500_MeasurementReport::TID1411_Measurements::MeasurementValue value(
          dicom::decimal_string(measurement.value).c_str(),
          CMR_CID7181(coded_entry(measurement.unit)));
      check(measurements.addMeasurement(CMR_CID7469(coded_entry(measurement.quantity)), value,
                                        OFFalse),
            what);
      if (measurement.derivation) {
        check(measurements.getMeasurement().setDerivation(
                  CMR_CID7464(coded_entry(*measurement.derivation))),
              what + " derivation");
      }
      if (measurement.method) {
        check(measurements.getMeasurement().setMeasurementMethod(
                  CMR_CID6147(coded_entry(*measurement.method))),
              what + " method");
      }
      for (const auto& [modifier_name, modifier_value] : measurement.modifiers) {
        check(measurements.getMeasurement().addModifier(coded_entry(modifier_name),
                                                        coded_entry(modifier_value)),
              what + " modifier " + modifier_name.meaning);
      }
      ++written.measurement_count;
    }
    ++written.group_count;
  }
  if (!report.isValid()) throw InternalError(where + ": DCMTK reports the TID 1500 as invalid");

  DSRDocument document;
  check(document.setTreeFromRootTemplate(report, OFTrue), "document tree");
  check(document.createNewSeriesInStudy(source.study_instance_uid.c_str()), "series in study");
  check(document.setSeriesDescription(options.series_description.c_str()), "series description");
  check(document.setSeriesNumber(std::to_string(options.series_number).c_str()), "series number");
  check(document.setManufacturer("oncotrace"), "manufacturer");
  check(document.setPatientID(source.patient_id.c_str()), "patient ID");
  check(document.setPatientName(source.patient_name.c_str()), "patient name");
  check(document.setStudyDate(source.study_date.c_str()), "study date");
  check(document.setStudyTime(source.study_time.c_str()), "study time");
  // Evidence: the SEG and every source instance the measurements were made on.
  DSRSOPInstanceReferenceList& evidence = document.getCurrentRequestedProcedureEvidence();
  check(evidence.addItem(seg_dataset), "evidence: segmentation");
  std::set<std::string> listed;
  for (const SeriesReference::Plane& plane : source.planes) {
    if (!listed.insert(plane.sop_instance_uid).second) continue;
    check(evidence.addItem(source.study_instance_uid.c_str(), source.series_instance_uid.c_str(),
                           source.sop_class_uid.c_str(), plane.sop_instance_uid.c_str()),
          "evidence: source instance");
  }

  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  check(document.write(dataset), "write dataset");
  if (!source.source_file.empty())
    dicom::copy_patient_and_study(source.source_file, dataset, where);
  written.series_instance_uid = dicom::new_uuid_uid();
  written.sop_instance_uid = dicom::new_uuid_uid();
  check(dataset.putAndInsertString(DCM_SeriesInstanceUID, written.series_instance_uid.c_str()),
        "Series Instance UID");
  check(dataset.putAndInsertString(DCM_SOPInstanceUID, written.sop_instance_uid.c_str()),
        "SOP Instance UID");
  dicom::save_derived_object(file, path, where);
  return written;
}

MeasurementReport read_measurement_report(const std::filesystem::path& path) {
  const std::string where = path.string();
  dicom::initialise_dcmtk();
  DcmFileFormat file;
  const OFCondition loaded = file.loadFile(path.c_str());
  if (loaded.bad()) throw InvalidInputError(where + ": cannot be read: " + loaded.text());
  DSRDocument document;
  const OFCondition parsed = document.read(*file.getDataset());
  if (parsed.bad()) {
    throw InvalidInputError(where + ": not a DICOM structured report: " + parsed.text());
  }
  MeasurementReport report;
  OFString text;
  document.getStudyInstanceUID(text);
  report.study_instance_uid = text.c_str();
  document.getSeriesInstanceUID(text);
  report.series_instance_uid = text.c_str();
  document.getSOPInstanceUID(text);
  report.sop_instance_uid = text.c_str();
  document.getSOPClassUID(text);
  report.sop_class_uid = text.c_str();

  DSRDocumentTree& tree = document.getTree();
  if (tree.gotoRoot() == 0) throw InvalidInputError(where + ": the report has no content");
  report.document_title = concept_of(tree.getCurrentContentItem().getConceptName());
  OFString template_id, mapping;
  tree.getCurrentContentItem().getTemplateIdentification(template_id, mapping);
  report.template_identifier = template_id.c_str();

  // Depth-first walk: a Measurement Group container starts a group; its NUM items are its
  // measurements; a CODE below a NUM is that measurement's modifier.
  SrMeasurementGroup* group = nullptr;
  size_t group_level = 0;
  SrNumericMeasurement* measurement = nullptr;
  size_t measurement_level = 0;
  const CodedConcept measurement_group{"125007", "DCM", "Measurement Group"};
  do {
    DSRContentItem& item = tree.getCurrentContentItem();
    const size_t level = tree.getLevel();
    if (group != nullptr && level <= group_level) group = nullptr;
    if (measurement != nullptr && level <= measurement_level) measurement = nullptr;
    const CodedConcept name = concept_of(item.getConceptName());
    switch (item.getValueType()) {
      case DSRTypes::VT_Container:
        if (name.value == measurement_group.value && name.scheme == measurement_group.scheme) {
          report.groups.emplace_back();
          group = &report.groups.back();
          group_level = level;
        }
        break;
      case DSRTypes::VT_Text:
        if (group != nullptr && name.value == "112039")
          group->tracking_id = item.getStringValue().c_str();
        break;
      case DSRTypes::VT_UIDRef:
        if (group == nullptr) break;
        if (name.value == "112040") group->tracking_uid = item.getStringValue().c_str();
        if (name.value == "121232" && report.source_series_uid.empty()) {
          report.source_series_uid = item.getStringValue().c_str();
        }
        break;
      case DSRTypes::VT_Image:
        if (group != nullptr && item.getImageReferencePtr() != nullptr) {
          const DSRImageReferenceValue& image = *item.getImageReferencePtr();
          if (!image.getSegmentList().isEmpty()) {
            group->segment_number = image.getSegmentList().getItem(1);
          }
          if (report.referenced_segmentation_uid.empty()) {
            report.referenced_segmentation_uid = image.getSOPInstanceUID().c_str();
          }
        }
        break;
      case DSRTypes::VT_Code:
        if (measurement != nullptr && level > measurement_level && item.getCodeValuePtr()) {
          if (name.value == "121401") measurement->derivation = concept_of(*item.getCodeValuePtr());
          if (name.value == "370129005") measurement->method = concept_of(*item.getCodeValuePtr());
          if (name.value != "121401" && name.value != "370129005") {
            measurement->modifiers.emplace_back(name, concept_of(*item.getCodeValuePtr()));
          }
        } else if (group != nullptr && name.value == "121071" && item.getCodeValuePtr()) {
          group->finding = concept_of(*item.getCodeValuePtr());
        }
        break;
      case DSRTypes::VT_Num:
        if (group != nullptr && item.getNumericValuePtr() != nullptr) {
          const DSRNumericMeasurementValue& number = *item.getNumericValuePtr();
          SrNumericMeasurement read;
          read.quantity = name;
          Float64 value = 0.0;
          if (number.getFloatingPointRepresentation(value).bad()) {
            value = std::strtod(number.getNumericValue().c_str(), nullptr);
          }
          read.value = value;
          read.unit = concept_of(number.getMeasurementUnit());
          group->measurements.push_back(std::move(read));
          measurement = &group->measurements.back();
          measurement_level = level;
        }
        break;
      default:
        break;
    }
  } while (tree.iterate() != 0);
  return report;
}

}  // namespace oncotrace
