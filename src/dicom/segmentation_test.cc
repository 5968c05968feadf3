#include "dicom/segmentation.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dicom/derived_test_support.h"
#include "dicom/test_dicom_writer.h"
#include "oncotrace/dicom.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/error.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using dicom::testing::dciodvfy_errors;
using dicom::testing::SyntheticSeries;
using dicom::testing::two_lesions;
using dicom::testing::two_segments;

TEST(SegmentationUidTest, UuidDerivedUidsFollowPs35AnnexB2) {
  EXPECT_EQ(dicom::uuid_to_uid({0, 0}), "2.25.0");
  EXPECT_EQ(dicom::uuid_to_uid({0, 1}), "2.25.1");
  EXPECT_EQ(dicom::uuid_to_uid({1, 0}), "2.25.18446744073709551616");
  EXPECT_EQ(dicom::uuid_to_uid({~0ULL, ~0ULL}), "2.25.340282366920938463463374607431768211455");
  // The example of PS3.5 B.2: f81d4fae-7dec-11d0-a765-00a0c91e6bf6.
  EXPECT_EQ(dicom::uuid_to_uid({0xf81d4fae7dec11d0ULL, 0xa76500a0c91e6bf6ULL}),
            "2.25.329800735698586629295641978511506172918");
  std::set<std::string> seen;
  for (int index = 0; index < 100; ++index) {
    const std::string uid = dicom::new_uuid_uid();
    EXPECT_LE(uid.size(), 64U);
    EXPECT_EQ(uid.rfind("2.25.", 0), 0U);
    EXPECT_NE(uid[5], '0');
    EXPECT_TRUE(seen.insert(uid).second);
  }
}

TEST(SegmentationUidTest, DecimalStringsFitSixteenCharacters) {
  for (double value : {0.0, 1.0, -0.5, 2.5, -123.456789012345678, 1.0 / 3.0, -1.0 / 3.0,
                       -4.6875e-300, 123456789012.345678}) {
    const std::string text = dicom::decimal_string(value);
    EXPECT_LE(text.size(), 16U) << text;
    EXPECT_NEAR(std::stod(text), value, std::abs(value) * 1e-12) << text;
  }
  EXPECT_EQ(dicom::decimal_string(2.5), "2.5");
  EXPECT_EQ(dicom::decimal_string(-400.0), "-400");
}

TEST(DicomSegTest, RoundTripIsIdenticalVoxelForVoxel) {
  SyntheticSeries source;
  const LabelMap labels = two_lesions(source.reference.grid);
  const auto segments = two_segments();
  const auto path = source.folder.path() / "seg" / "lesions.dcm";
  const WrittenSegmentation written = write_dicom_seg(labels, source.reference, segments, path);
  // Frames: label 3 on planes 1, 2; label 7 on planes 2, 4.
  EXPECT_EQ(written.frame_count, 4U);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()),
                          std::filesystem::directory_iterator()),
            1);  // no temporary left behind

  const DicomSegmentation read = read_dicom_seg(path, source.reference);
  EXPECT_EQ(read.series_instance_uid, written.series_instance_uid);
  EXPECT_EQ(read.sop_instance_uid, written.sop_instance_uid);
  EXPECT_EQ(read.frame_of_reference_uid, source.series.header.frame_of_reference_uid);
  EXPECT_EQ(read.referenced_series_uids,
            std::vector<std::string>{source.series.header.series_instance_uid});
  ASSERT_TRUE(read.labels.geometry.same_grid_as(labels.geometry));
  ASSERT_EQ(read.segments.size(), 2U);
  // Segment numbers 1, 2 stand for labels 3, 7.
  size_t differences = 0;
  for (size_t voxel = 0; voxel < labels.values.size(); ++voxel) {
    const uint16_t expected = labels.values[voxel] == 3 ? 1 : labels.values[voxel] == 7 ? 2 : 0;
    if (read.labels.values[voxel] != expected) {
      ++differences;
      ADD_FAILURE() << "voxel " << voxel << " (plane " << voxel / 35 << ", pixel " << voxel % 35
                    << "): read " << read.labels.values[voxel] << ", expected " << expected;
    }
  }
  EXPECT_EQ(differences, 0U);
  for (size_t index = 0; index < segments.size(); ++index) {
    SegmentDescription expected = segments[index];
    expected.label = static_cast<uint16_t>(index + 1);
    EXPECT_EQ(read.segments[index], expected) << index;
  }
}

TEST(DicomSegTest, CopiesPatientAndStudyAndReferencesEverySourceInstance) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "lesions.dcm";
  write_dicom_seg(two_lesions(source.reference.grid), source.reference, two_segments(), path);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  OFString value;
  dataset.findAndGetOFString(DCM_PatientID, value);
  EXPECT_EQ(value, "SYNTHETIC");
  dataset.findAndGetOFString(DCM_PatientName, value);
  EXPECT_EQ(value, "Synthetic^Phantom");
  dataset.findAndGetOFString(DCM_StudyInstanceUID, value);
  EXPECT_EQ(std::string(value.c_str()), source.series.header.study_instance_uid);
  dataset.findAndGetOFString(DCM_Modality, value);
  EXPECT_EQ(value, "SEG");
  dataset.findAndGetOFString(DCM_SegmentationType, value);
  EXPECT_EQ(value, "BINARY");
  dataset.findAndGetOFString(DCM_SOPClassUID, value);
  EXPECT_EQ(value, UID_SegmentationStorage);
  dataset.findAndGetOFString(DCM_SOPInstanceUID, value);
  EXPECT_EQ(std::string(value.c_str()).rfind("2.25.", 0), 0U);

  // Pixel Data: the four frames of 35 bits back to back, first pixel in the least significant
  // bit (PS3.5 §8.1.1), 140 bits padded to 18 bytes. Computed by hand from two_lesions() (with a
  // short independent script), not by the code under test.
  const Uint8* pixel_data = nullptr;
  unsigned long pixel_bytes = 0;
  ASSERT_TRUE(dataset.findAndGetUint8Array(DCM_PixelData, pixel_data, &pixel_bytes).good());
  const std::vector<Uint8> expected_pixels = {0x49, 0x09, 0x29, 0x29, 0x01, 0x1c, 0x0e, 0x87, 0x03,
                                              0x1c, 0x0e, 0x80, 0xc3, 0x03, 0x00, 0x00, 0x00, 0x08};
  EXPECT_EQ(std::vector<Uint8>(pixel_data, pixel_data + pixel_bytes), expected_pixels);

  // Common Instance Reference: the six source instances.
  DcmItem* series_item = nullptr;
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, series_item, 0).good());
  std::set<std::string> referenced;
  DcmItem* instance = nullptr;
  for (int index = 0;
       series_item->findAndGetSequenceItem(DCM_ReferencedInstanceSequence, instance, index).good();
       ++index) {
    instance->findAndGetOFString(DCM_ReferencedSOPInstanceUID, value);
    referenced.insert(value.c_str());
  }
  std::set<std::string> expected;
  for (const auto& plane : source.reference.planes) expected.insert(plane.sop_instance_uid);
  EXPECT_EQ(referenced, expected);
  EXPECT_EQ(referenced.size(), 6U);

  // Frame 4 (label 7 on plane 4): its position and its source instance are plane 4's.
  DcmItem* frame = nullptr;
  ASSERT_TRUE(
      dataset.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, 3).good());
  DcmItem* position = nullptr;
  ASSERT_TRUE(frame->findAndGetSequenceItem(DCM_PlanePositionSequence, position, 0).good());
  Float64 z = 0.0;
  position->findAndGetFloat64(DCM_ImagePositionPatient, z, 2);
  EXPECT_DOUBLE_EQ(z, source.series.frames[0].slices[4].position_mm[2]);
  DcmItem* derivation = nullptr;
  DcmItem* source_image = nullptr;
  ASSERT_TRUE(frame->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation, 0).good());
  ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source_image, 0).good());
  source_image->findAndGetOFString(DCM_ReferencedSOPInstanceUID, value);
  EXPECT_EQ(std::string(value.c_str()), source.reference.planes[4].sop_instance_uid);
}

TEST(DicomSegTest, ValidatesWithDciodvfy) {
  if (std::string(ONCOTRACE_DCIODVFY).empty()) {
    GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  }
  SyntheticSeries source;
  const auto path = source.folder.path() / "lesions.dcm";
  write_dicom_seg(two_lesions(source.reference.grid), source.reference, two_segments(), path);
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(path, &output).empty()) << output;
  std::cout << "dciodvfy on the SEG:\n" << output;
}

TEST(DicomSegTest, ObliqueDescendingSeriesRoundTrips) {
  // Sagittal planes (rows along +y, columns along -z), slices along -x: the normal row x column
  // is -x, so the positions step by -2.5 mm in x.
  SyntheticSeries source(4, {0, 1, 0, 0, 0, -1}, {-2.5, 0.0, 0.0});
  const Geometry& grid = source.reference.grid;
  LabelMap labels(grid, 0);
  labels.at(1, 2, 0) = 1;
  labels.at(6, 4, 3) = 1;
  labels.at(3, 0, 2) = 2;
  SegmentDescription lesion;
  lesion.label = 1;
  lesion.segment_label = "lesion 1";
  lesion.algorithm_name = "test";
  SegmentDescription other = lesion;
  other.label = 2;
  other.segment_label = "lesion 2";
  const auto path = source.folder.path() / "sagittal.dcm";
  write_dicom_seg(labels, source.reference, {lesion, other}, path);
  const DicomSegmentation read = read_dicom_seg(path, source.reference);
  EXPECT_EQ(read.labels.values, labels.values);
}

TEST(DicomSegTest, MultiFrameSourcePlanesAreReferencedByFrameNumber) {
  testing::TemporaryDirectory folder;
  const dicom::testing::SyntheticEnhancedPet pet;  // 2 time frames x 3 planes, head first
  std::filesystem::create_directories(folder.path() / "pet");
  dicom::testing::write_enhanced_pet(pet, folder.path() / "pet" / "enhanced.dcm");
  const DiscoveryResult discovery = discover_dicom(folder.path() / "pet");
  const ImageSeries series =
      load_series(select_series(discovery, "", (folder.path() / "pet").string()));
  const SeriesReference reference = series_reference(series, 1);
  ASSERT_EQ(reference.planes.size(), 3U);
  for (size_t k = 0; k < 3; ++k) {
    // Time frame 1, plane k sorted feet first: file frame 3 + (2 - k), 1-based 4 + (2 - k).
    EXPECT_EQ(reference.planes[k].frame_number, static_cast<int64_t>(4 + (2 - k)));
    EXPECT_EQ(reference.planes[k].sop_instance_uid, reference.planes[0].sop_instance_uid);
  }
  EXPECT_THROW(series_reference(series, 2), InvalidInputError);

  LabelMap labels(reference.grid, 0);
  labels.at(1, 1, 0) = 1;
  SegmentDescription lesion;
  lesion.label = 1;
  lesion.segment_label = "lesion 1";
  lesion.algorithm_name = "test";
  const auto path = folder.path() / "seg.dcm";
  write_dicom_seg(labels, reference, {lesion}, path);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmItem* frame = nullptr;
  DcmItem* derivation = nullptr;
  DcmItem* source_image = nullptr;
  ASSERT_TRUE(file.getDataset()
                  ->findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, 0)
                  .good());
  ASSERT_TRUE(frame->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation, 0).good());
  ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source_image, 0).good());
  Sint32 referenced_frame = 0;
  ASSERT_TRUE(source_image->findAndGetSint32(DCM_ReferencedFrameNumber, referenced_frame).good());
  EXPECT_EQ(referenced_frame, 6);
  EXPECT_EQ(read_dicom_seg(path, reference).labels.values, labels.values);
}

TEST(DicomSegTest, RefusesEmptyAndUndescribedSegments) {
  SyntheticSeries source;
  const LabelMap labels = two_lesions(source.reference.grid);
  auto segments = two_segments();
  segments.push_back(segments[0]);
  segments.back().label = 9;
  segments.back().segment_label = "lesion 9";
  const auto path = source.folder.path() / "seg.dcm";
  try {
    write_dicom_seg(labels, source.reference, segments, path);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("\"lesion 9\" (label 9) is empty"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(path));

  segments.pop_back();
  segments.pop_back();  // label 7 now has no description
  try {
    write_dicom_seg(labels, source.reference, segments, path);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("label 7"), std::string::npos) << error.what();
  }
  EXPECT_THROW(write_dicom_seg(labels, source.reference, {}, path), InvalidInputError);
  auto no_name = two_segments();
  no_name[0].algorithm_name.clear();
  EXPECT_THROW(write_dicom_seg(labels, source.reference, no_name, path), InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(DicomSegTest, RefusesALabelMapOnAnotherGrid) {
  SyntheticSeries source;
  Geometry shifted = source.reference.grid;
  shifted.origin_mm[2] += 2.5;
  LabelMap labels(shifted, 0);
  labels.at(0, 0, 0) = 1;
  SegmentDescription lesion;
  lesion.label = 1;
  lesion.segment_label = "lesion 1";
  lesion.algorithm_name = "test";
  EXPECT_THROW(write_dicom_seg(labels, source.reference, {lesion}, source.folder.path() / "x.dcm"),
               InvalidInputError);
}

TEST(DicomSegTest, ReadingRefusesAnotherFrameOfReference) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "lesions.dcm";
  write_dicom_seg(two_lesions(source.reference.grid), source.reference, two_segments(), path);
  SeriesReference other = source.reference;
  other.frame_of_reference_uid = "1.2.3.999";
  try {
    read_dicom_seg(path, other);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(source.reference.frame_of_reference_uid), std::string::npos) << message;
    EXPECT_NE(message.find("1.2.3.999"), std::string::npos) << message;
  }
}

TEST(DicomSegTest, ReadingRefusesAnotherOrientationOrPlanes) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "lesions.dcm";
  write_dicom_seg(two_lesions(source.reference.grid), source.reference, two_segments(), path);

  SeriesReference flipped = source.reference;
  flipped.grid.direction = {1, 0, 0, 0, -1, 0, 0, 0, -1};  // columns along -y
  try {
    read_dicom_seg(path, flipped);
    FAIL() << "expected InvalidInputError";
  } catch (const InvalidInputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("Image Orientation (Patient) 1\\0\\0\\0\\1\\0 differs from "
                           "1\\0\\0\\0\\-1\\0"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  }

  SeriesReference half_shifted = source.reference;
  half_shifted.grid.origin_mm[2] += 1.25;  // frames fall between planes
  EXPECT_THROW(read_dicom_seg(path, half_shifted), InvalidInputError);

  SeriesReference truncated = source.reference;
  truncated.grid.size[2] = 3;  // plane 4 is outside
  EXPECT_THROW(read_dicom_seg(path, truncated), InvalidInputError);

  // A file that is not a SEG.
  EXPECT_THROW(read_dicom_seg(source.series.frames[0].slices[0].file, source.reference),
               InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
