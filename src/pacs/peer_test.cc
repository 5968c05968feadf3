#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/pacs.h"

namespace oncotrace {
namespace {

TEST(DicomPeer, ParsesAeTitleHostAndPort) {
  const DicomPeer peer = parse_dicom_peer("ORTHANC@127.0.0.1:4242", "--send-to");
  EXPECT_EQ(peer.ae_title, "ORTHANC");
  EXPECT_EQ(peer.host, "127.0.0.1");
  EXPECT_EQ(peer.port, 4242);
  EXPECT_EQ(peer.text(), "ORTHANC@127.0.0.1:4242");
  EXPECT_EQ(parse_dicom_peer("PACS@pacs.example.org:104", "--to").host, "pacs.example.org");
}

TEST(DicomPeer, RejectsMalformedTextNamingTheOption) {
  for (const std::string text :
       {"ORTHANC", "ORTHANC@host", "@host:4242", "ORTHANC@:4242", "ORTHANC@host:", "ORTHANC@host:0",
        "ORTHANC@host:70000", "ORTHANC@host:42x", "ORTHANC:4242@host",
        "AN_AE_TITLE_OF_17C@host:4242", "BAD\\AE@host:4242", "   @host:4242", "A@ho st:1"}) {
    try {
      parse_dicom_peer(text, "--send-to");
      ADD_FAILURE() << text << " was accepted";
    } catch (const InvalidInputError& error) {
      EXPECT_NE(std::string(error.what()).find("--send-to"), std::string::npos) << error.what();
    }
  }
}

TEST(DicomUid, AcceptsOnlyDigitsAndDotsWithoutEmptyComponents) {
  EXPECT_TRUE(is_valid_dicom_uid("1.2.840.10008.5.1.4.1.1.128"));
  EXPECT_FALSE(is_valid_dicom_uid(""));
  EXPECT_FALSE(is_valid_dicom_uid("1..2"));
  EXPECT_FALSE(is_valid_dicom_uid(".1.2"));
  EXPECT_FALSE(is_valid_dicom_uid("1.2."));
  EXPECT_FALSE(is_valid_dicom_uid("1.2/../3"));
  EXPECT_FALSE(is_valid_dicom_uid("1.2.abc"));
  EXPECT_FALSE(is_valid_dicom_uid(std::string(65, '1')));
}

TEST(AeTitle, ChecksLengthAndCharacters) {
  EXPECT_NO_THROW(check_ae_title("ONCOTRACE", "--aet"));
  EXPECT_THROW(check_ae_title("", "--aet"), InvalidInputError);
  EXPECT_THROW(check_ae_title("ABCDEFGHIJKLMNOPQ", "--aet"), InvalidInputError);
  EXPECT_THROW(check_ae_title("A\tB", "--aet"), InvalidInputError);
}

// Results routed back to the listener must not reopen their study (no analysis loop).
TEST(ResultSopClass, SegSrAndParametricMapAreResultsImagesAreNot) {
  EXPECT_TRUE(is_result_sop_class("1.2.840.10008.5.1.4.1.1.66.4"));   // SEG
  EXPECT_TRUE(is_result_sop_class("1.2.840.10008.5.1.4.1.1.88.22"));  // Enhanced SR
  EXPECT_TRUE(is_result_sop_class("1.2.840.10008.5.1.4.1.1.30"));     // Parametric Map
  EXPECT_FALSE(is_result_sop_class("1.2.840.10008.5.1.4.1.1.128"));   // PET Image
  EXPECT_FALSE(is_result_sop_class("1.2.840.10008.5.1.4.1.1.2"));     // CT Image
  EXPECT_FALSE(is_result_sop_class(""));
}

}  // namespace
}  // namespace oncotrace
