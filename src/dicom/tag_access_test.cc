#include "dicom/tag_access.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcvrobow.h>
#include <gtest/gtest.h>

#include <cstring>

namespace oncotrace::dicom {
namespace {

TEST(TagAccessTest, ParsesDecimalStringsWithPadding) {
  EXPECT_DOUBLE_EQ(*parse_number(" 3.88777472E8 "), 3.88777472e8);
  EXPECT_DOUBLE_EQ(*parse_number("+71.0"), 71.0);
  EXPECT_DOUBLE_EQ(*parse_number("-0.0"), 0.0);
  EXPECT_FALSE(parse_number("").has_value());
  EXPECT_FALSE(parse_number("12abc").has_value());
}

TEST(TagAccessTest, ReadsNumbersFromEveryNumericVr) {
  DcmDataset dataset;
  ASSERT_TRUE(dataset.putAndInsertString(DCM_PatientWeight, "71.0").good());               // DS
  ASSERT_TRUE(dataset.putAndInsertString(DCM_InstanceNumber, " 267").good());              // IS
  ASSERT_TRUE(dataset.putAndInsertUint16(DCM_Rows, 128).good());                           // US
  ASSERT_TRUE(dataset.putAndInsertSint16(DCM_SmallestImagePixelValue, -5).good());         // SS
  ASSERT_TRUE(dataset.putAndInsertFloat64(DCM_FrameAcquisitionDuration, 60000.5).good());  // FD
  ASSERT_TRUE(
      dataset.putAndInsertString(DCM_ImagePositionPatient, "-297.65625\\-297.65625\\-11.479994")
          .good());
  const ItemIndex index(dataset);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_PatientWeight), 71.0);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_InstanceNumber), 267.0);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_Rows), 128.0);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_SmallestImagePixelValue), -5.0);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_FrameAcquisitionDuration), 60000.5);
  EXPECT_DOUBLE_EQ(*get_number(index, DCM_ImagePositionPatient, 2), -11.479994);
  EXPECT_FALSE(get_number(index, DCM_ImagePositionPatient, 3).has_value());
  EXPECT_FALSE(get_number(index, DCM_PatientSize).has_value());
  EXPECT_EQ(get_numbers(index, DCM_ImagePositionPatient),
            (std::vector<double>{-297.65625, -297.65625, -11.479994}));
}

TEST(TagAccessTest, SplitsMultiValuedStringsAndTrims) {
  DcmDataset dataset;
  ASSERT_TRUE(dataset.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\RECON TOMO").good());
  ASSERT_TRUE(dataset.putAndInsertString(DCM_Units, "BQML ").good());
  const ItemIndex index(dataset);
  EXPECT_EQ(get_strings(index, DCM_ImageType),
            (std::vector<std::string>{"ORIGINAL", "PRIMARY", "RECON TOMO"}));
  EXPECT_EQ(*get_text(index, DCM_Units), "BQML");
  EXPECT_FALSE(get_text(index, DCM_DecayCorrection).has_value());
  EXPECT_TRUE(get_strings(index, DCM_CorrectedImage).empty());
}

// A private DS element without its creator in an implicit-VR file arrives as UN: its bytes are
// the decimal text.
TEST(TagAccessTest, ReadsUnknownVrAsText) {
  DcmDataset dataset;
  const DcmTag tag(0x7053, 0x1000, EVR_UN);
  auto* element = new DcmOtherByteOtherWord(tag);
  const char text[] = "0.0005";
  ASSERT_TRUE(element->putUint8Array(reinterpret_cast<const Uint8*>(text), 6).good());
  ASSERT_TRUE(dataset.insert(element).good());
  const ItemIndex index(dataset);
  EXPECT_EQ(*get_text(index, DcmTagKey(0x7053, 0x1000)), "0.0005");
  EXPECT_DOUBLE_EQ(*get_number(index, DcmTagKey(0x7053, 0x1000)), 0.0005);
}

TEST(TagAccessTest, IndexFindsElementsAndSequenceItems) {
  DcmDataset dataset;
  ASSERT_TRUE(dataset.putAndInsertString(DCM_Modality, "PT").good());
  ASSERT_TRUE(dataset.putAndInsertString(DCM_PatientID, "P").good());
  for (const char* value : {"1.0", "2.0", "3.0"}) {
    DcmItem* item = nullptr;
    ASSERT_TRUE(
        dataset.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, item, -2).good());
    ASSERT_TRUE(item->putAndInsertString(DCM_RescaleSlope, value).good());
  }
  const ItemIndex index(dataset);
  EXPECT_EQ(index.elements().size(), 3u);
  EXPECT_TRUE(has_element(index, DCM_PatientID));
  EXPECT_FALSE(has_element(index, DCM_PatientName));
  EXPECT_FALSE(has_element(index, DCM_RescaleSlope));  // only inside the sequence
  const std::vector<DcmItem*> items = sequence_items(index, DCM_PerFrameFunctionalGroupsSequence);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_DOUBLE_EQ(*get_number(ItemIndex(*items[2]), DCM_RescaleSlope), 3.0);
  const auto first = first_item(index, DCM_PerFrameFunctionalGroupsSequence);
  ASSERT_TRUE(first.has_value());
  EXPECT_DOUBLE_EQ(*get_number(*first, DCM_RescaleSlope), 1.0);
  EXPECT_FALSE(first_item(index, DCM_SharedFunctionalGroupsSequence).has_value());
  EXPECT_TRUE(sequence_items(index, DCM_Modality).empty());  // not a sequence
}

}  // namespace
}  // namespace oncotrace::dicom
