// DICOM Structured Report, TID 1500 "Measurement Report": per-lesion measurements (SUVmax,
// SUVmean, SUVpeak, MTV, TLG, ratios ...) as NUM content items of one TID 1411 "Volumetric ROI
// Measurements" group per lesion, each group referencing its segment of a DICOM SEG written
// before [DICOM PS3.16 TID 1500, TID 1411, TID 1419; PS3.3 A.35.2 Enhanced SR IOD].
//
// The project's rules are in interoperability.md §1.0 and §1.2 (checked against DCMTK 3.6.7 and
// dciodvfy); in short:
//   - built with DCMTK's TID1500_MeasurementReport (dcmsr/cmr) and written as Enhanced SR, with
//     Completion Flag PARTIAL and Verification Flag UNVERIFIED (research output);
//   - observer context: the device "oncotrace" (Device Observer UID derived from the software);
//   - one measurement group per lesion: Tracking Identifier and Tracking Unique Identifier equal
//     to the SEG segment's (so a viewer joins the two), Finding, Referenced Segment (the SEG's SOP
//     instance and segment number), Source series for segmentation (the PET series);
//   - each NUM: a quantity code with a UCUM unit, and the statistic as a Derivation modifier
//     (121401, DCM) e.g. (56851009, SCT, "Maximum"), the method (370129005, SCT) when given;
//   - Patient and General Study attributes copied verbatim from a source instance, new Series
//     and SOP Instance UIDs of the form 2.25.<UUID>, Current Requested Procedure Evidence listing
//     the SEG and the source images, written atomically.
//
// Reading walks the content tree and returns the groups with their numbers, for round trips and
// for users who want the values back (read_measurement_report).
#ifndef ONCOTRACE_DICOM_SR_H_
#define ONCOTRACE_DICOM_SR_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "oncotrace/dicom_seg.h"

namespace oncotrace {

// One NUM content item of TID 1419 "ROI Measurements".
struct SrNumericMeasurement {
  CodedConcept quantity;  // concept name, e.g. (126401, DCM, "SUVbw")
  double value = 0.0;
  CodedConcept unit;  // UCUM, e.g. ("g/ml{SUVbw}", "UCUM", "Standardized Uptake Value body weight")
  std::optional<CodedConcept> derivation;  // (121401, DCM, "Derivation") modifier
  std::optional<CodedConcept> method;      // (370129005, SCT, "Measurement Method") modifier
  // Further modifiers (TID 1419 row 6, HAS CONCEPT MOD CODE) as (concept name, value), e.g.
  // (126040, DCM, "Background for Lesion to Background SUV Ratio") = (10200004, SCT, "Liver").
  std::vector<std::pair<CodedConcept, CodedConcept>> modifiers{};

  friend bool operator==(const SrNumericMeasurement&, const SrNumericMeasurement&) = default;
};

// One TID 1411 group: the measurements of one segment of the referenced SEG.
struct SrMeasurementGroup {
  std::string tracking_id;   // (112039, DCM), e.g. the lesion name; required
  std::string tracking_uid;  // (112040, DCM), a UID; required
  CodedConcept finding = neoplasm();
  uint16_t segment_number = 0;  // of the referenced SEG, 1-based
  std::vector<SrNumericMeasurement> measurements;

  friend bool operator==(const SrMeasurementGroup&, const SrMeasurementGroup&) = default;
};

struct SrWriteOptions {
  std::string series_description = "oncotrace measurements";
  int series_number = 902;
  // Procedure reported (CID 100); the default is (44139-4, LN, "PET whole body").
  CodedConcept procedure_reported{"44139-4", "LN", "PET whole body"};
  // Optional time point label (TID 1502 "Time Point"), e.g. "baseline".
  std::string time_point;
};

struct WrittenReport {
  std::string series_instance_uid;
  std::string sop_instance_uid;
  size_t group_count = 0;
  size_t measurement_count = 0;
};

// Writes a TID 1500 Measurement Report at `path`, atomically. `segmentation` is the DICOM SEG file
// the groups' segment numbers refer to (written by write_dicom_seg for the same source series);
// `source` is the image series that was segmented and measured. Throws InvalidInputError when a
// group has no tracking identifier or UID, refers to a segment the SEG does not have, has no
// measurement, a value is not finite, the SEG belongs to another study or source series, or the
// SEG cannot be read; InternalError when DCMTK refuses the content (a bug).
WrittenReport write_measurement_report(const SeriesReference& source,
                                       const std::filesystem::path& segmentation,
                                       const std::vector<SrMeasurementGroup>& groups,
                                       const std::filesystem::path& path,
                                       const SrWriteOptions& options = {});

struct MeasurementReport {
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string sop_instance_uid;
  std::string sop_class_uid;
  std::string template_identifier;  // Content Template Sequence: "1500"
  CodedConcept document_title;
  std::string referenced_segmentation_uid;  // SOP Instance UID of the SEG of the first group
  std::string source_series_uid;            // "Source series for segmentation" of the first group
  std::vector<SrMeasurementGroup> groups;
};

// Reads the measurement groups of a TID 1500 report (any SR written by oncotrace or by tools
// following the same template, e.g. dcmqi). Throws InvalidInputError naming the file when it is
// not readable or not a structured report.
MeasurementReport read_measurement_report(const std::filesystem::path& path);

// Codes used in the reports (interoperability.md §1.2, checked against DCMTK 3.6.7's tables).
namespace sr_codes {
CodedConcept maximum();                     // (56851009, SCT, "Maximum")
CodedConcept mean();                        // (373098007, SCT, "Mean")
CodedConcept minimum();                     // (255605001, SCT, "Minimum")
CodedConcept median();                      // (373099004, SCT, "Median")
CodedConcept standard_deviation();          // (386136009, SCT, "Standard Deviation")
CodedConcept peak_value_within_roi();       // (126031, DCM, "Peak Value Within ROI")
CodedConcept metabolic_volume();            // (126032, DCM, "Metabolic Volume")
CodedConcept total_lesion_glycolysis();     // (126033, DCM, "Total Lesion Glycolysis")
CodedConcept lesion_to_background_ratio();  // (126039, DCM, "Lesion to Background SUV Ratio")
CodedConcept background_for_ratio();  // (126040, DCM, "Background for Lesion to Background ...")
CodedConcept sum_of_segmented_voxels_method();  // (126030, DCM, "Sum of segmented voxel ...")
CodedConcept activity_concentration();  // (110821, DCM, "Nuclear Medicine Tomographic Activity")
CodedConcept ucum(const std::string& unit, const std::string& meaning);  // (unit, UCUM, meaning)
}  // namespace sr_codes

}  // namespace oncotrace

#endif  // ONCOTRACE_DICOM_SR_H_
