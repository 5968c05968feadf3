#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <iostream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "dicom/derived_test_support.h"
#include "dicom/segmentation.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/dicom_sr.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

using dicom::testing::dciodvfy_errors;
using dicom::testing::SyntheticSeries;
using dicom::testing::two_lesions;
using dicom::testing::two_segments;

const CodedConcept kSuvbw{"126401", "DCM", "SUVbw"};
const CodedConcept kSuvbwUnit =
    sr_codes::ucum("g/ml{SUVbw}", "Standardized Uptake Value body weight");

// The SEG of two_lesions() (segment 1 = label 3 "L3", segment 2 = label 7) and two groups.
struct ReportFixture {
  SyntheticSeries source;
  std::filesystem::path seg_path;
  std::vector<SegmentDescription> segments = two_segments();
  std::vector<SrMeasurementGroup> groups;

  ReportFixture() {
    seg_path = source.folder.path() / "lesions.seg.dcm";
    segments[1].tracking_id = "REF";
    segments[1].tracking_uid = dicom::new_uuid_uid();
    write_dicom_seg(two_lesions(source.reference.grid), source.reference, segments, seg_path);
    SrMeasurementGroup lesion;
    lesion.tracking_id = segments[0].tracking_id;
    lesion.tracking_uid = segments[0].tracking_uid;
    lesion.segment_number = 1;
    lesion.measurements = {
        {kSuvbw, 12.34567, kSuvbwUnit, sr_codes::maximum(), std::nullopt},
        {kSuvbw, 6.5, kSuvbwUnit, sr_codes::mean(), std::nullopt},
        {kSuvbw, 9.25, kSuvbwUnit, sr_codes::peak_value_within_roi(), std::nullopt},
        {sr_codes::metabolic_volume(), 4.125, sr_codes::ucum("ml", "milliliter"), std::nullopt,
         sr_codes::sum_of_segmented_voxels_method()},
        {sr_codes::total_lesion_glycolysis(), 26.8125, sr_codes::ucum("g", "gram"), std::nullopt,
         std::nullopt},
        {sr_codes::lesion_to_background_ratio(),
         5.5,
         sr_codes::ucum("{ratio}", "ratio"),
         sr_codes::maximum(),
         std::nullopt,
         {{sr_codes::background_for_ratio(), {"10200004", "SCT", "Liver"}}}},
    };
    SrMeasurementGroup reference;
    reference.tracking_id = segments[1].tracking_id;
    reference.tracking_uid = segments[1].tracking_uid;
    reference.finding = {"10200004", "SCT", "Liver"};
    reference.segment_number = 2;
    reference.measurements = {{kSuvbw, 2.1, kSuvbwUnit, sr_codes::mean(), std::nullopt}};
    groups = {lesion, reference};
  }
};

TEST(DicomSrTest, RoundTripGivesBackEveryGroupAndNumber) {
  ReportFixture fixture;
  const auto path = fixture.source.folder.path() / "lesions.sr.dcm";
  const WrittenReport written =
      write_measurement_report(fixture.source.reference, fixture.seg_path, fixture.groups, path);
  EXPECT_EQ(written.group_count, 2U);
  EXPECT_EQ(written.measurement_count, 7U);
  EXPECT_EQ(written.sop_instance_uid.rfind("2.25.", 0), 0U);

  const MeasurementReport report = read_measurement_report(path);
  EXPECT_EQ(report.sop_class_uid, UID_EnhancedSRStorage);
  EXPECT_EQ(report.template_identifier, "1500");
  EXPECT_EQ(report.document_title.value, "126000");
  EXPECT_EQ(report.study_instance_uid, fixture.source.reference.study_instance_uid);
  EXPECT_EQ(report.sop_instance_uid, written.sop_instance_uid);
  EXPECT_EQ(report.series_instance_uid, written.series_instance_uid);
  EXPECT_EQ(report.source_series_uid, fixture.source.reference.series_instance_uid);
  DcmFileFormat seg;
  ASSERT_TRUE(seg.loadFile(fixture.seg_path.c_str()).good());
  OFString seg_uid;
  seg.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, seg_uid);
  EXPECT_EQ(report.referenced_segmentation_uid, seg_uid.c_str());
  ASSERT_EQ(report.groups.size(), 2U);
  // Every value written with at most 16 significant characters reads back exactly.
  EXPECT_EQ(report.groups[0], fixture.groups[0]);
  EXPECT_EQ(report.groups[1], fixture.groups[1]);
}

TEST(DicomSrTest, TrackingIdentifiersMatchTheSegSegments) {
  ReportFixture fixture;
  const auto path = fixture.source.folder.path() / "lesions.sr.dcm";
  write_measurement_report(fixture.source.reference, fixture.seg_path, fixture.groups, path);
  const MeasurementReport report = read_measurement_report(path);
  const DicomSegmentation seg = read_dicom_seg(fixture.seg_path, fixture.source.reference);
  for (const SrMeasurementGroup& group : report.groups) {
    ASSERT_GE(group.segment_number, 1);
    ASSERT_LE(group.segment_number, seg.segments.size());
    const SegmentDescription& segment = seg.segments[group.segment_number - 1];
    EXPECT_EQ(group.tracking_id, segment.tracking_id);
    EXPECT_EQ(group.tracking_uid, segment.tracking_uid);
  }
}

TEST(DicomSrTest, CopiesPatientAndStudyAndListsTheEvidence) {
  ReportFixture fixture;
  const auto path = fixture.source.folder.path() / "lesions.sr.dcm";
  write_measurement_report(fixture.source.reference, fixture.seg_path, fixture.groups, path);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  OFString value;
  dataset.findAndGetOFString(DCM_PatientID, value);
  EXPECT_EQ(value, "SYNTHETIC");
  dataset.findAndGetOFString(DCM_Modality, value);
  EXPECT_EQ(value, "SR");
  dataset.findAndGetOFString(DCM_VerificationFlag, value);
  EXPECT_EQ(value, "UNVERIFIED");
  // Current Requested Procedure Evidence: the SEG series and the six source instances.
  std::set<std::string> instances;
  DcmItem* study = nullptr;
  ASSERT_TRUE(
      dataset.findAndGetSequenceItem(DCM_CurrentRequestedProcedureEvidenceSequence, study, 0)
          .good());
  DcmItem* series = nullptr;
  for (int s = 0; study->findAndGetSequenceItem(DCM_ReferencedSeriesSequence, series, s).good();
       ++s) {
    DcmItem* instance = nullptr;
    for (int i = 0; series->findAndGetSequenceItem(DCM_ReferencedSOPSequence, instance, i).good();
         ++i) {
      instance->findAndGetOFString(DCM_ReferencedSOPInstanceUID, value);
      instances.insert(value.c_str());
    }
  }
  EXPECT_EQ(instances.size(), 7U);
  for (const auto& plane : fixture.source.reference.planes) {
    EXPECT_EQ(instances.count(plane.sop_instance_uid), 1U);
  }
}

TEST(DicomSrTest, ValidatesWithDciodvfy) {
  if (std::string(ONCOTRACE_DCIODVFY).empty()) {
    GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  }
  ReportFixture fixture;
  const auto path = fixture.source.folder.path() / "lesions.sr.dcm";
  write_measurement_report(fixture.source.reference, fixture.seg_path, fixture.groups, path);
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(path, &output).empty()) << output;
  std::cout << "dciodvfy on the SR:\n" << output;
}

TEST(DicomSrTest, RefusesBadGroupsWithoutWritingAnything) {
  ReportFixture fixture;
  const auto path = fixture.source.folder.path() / "bad.sr.dcm";
  auto expect_refused = [&](const std::vector<SrMeasurementGroup>& groups,
                            const std::string& text) {
    try {
      write_measurement_report(fixture.source.reference, fixture.seg_path, groups, path);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InvalidInputError& error) {
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(path));
  };
  auto groups = fixture.groups;
  groups[0].segment_number = 3;
  expect_refused(groups, "refers to segment 3");
  groups = fixture.groups;
  groups[1].tracking_uid.clear();
  expect_refused(groups, "no tracking identifier or tracking UID");
  groups = fixture.groups;
  groups[1].tracking_uid = groups[0].tracking_uid;
  expect_refused(groups, "is used twice");
  groups = fixture.groups;
  groups[0].measurements[1].value = std::numeric_limits<double>::quiet_NaN();
  expect_refused(groups, "not a finite number");
  groups = fixture.groups;
  groups[1].measurements.clear();
  expect_refused(groups, "has no measurement");
  expect_refused({}, "no measurement groups");
  // A SEG of another study.
  SeriesReference other = fixture.source.reference;
  other.study_instance_uid = "1.2.3";
  other.source_file.clear();
  try {
    write_measurement_report(other, fixture.seg_path, fixture.groups, path);
    ADD_FAILURE() << "accepted a SEG of another study";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("belongs to study"), std::string::npos);
  }
  // Not a SEG at all.
  try {
    write_measurement_report(fixture.source.reference,
                             fixture.source.series.frames[0].slices[0].file, fixture.groups, path);
    ADD_FAILURE() << "accepted a PET slice as SEG";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("is not a DICOM Segmentation"), std::string::npos);
  }
}

TEST(DicomSrTest, ReadingRefusesAFileThatIsNotAReport) {
  ReportFixture fixture;
  EXPECT_THROW(read_measurement_report(fixture.seg_path), InvalidInputError);
  EXPECT_THROW(read_measurement_report(fixture.source.folder.path() / "missing.dcm"),
               InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
