#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "dicom/test_dicom_writer.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

void copy_truncated(const fs::path& source, const fs::path& destination) {
  std::ifstream input(source, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(input)),
                          std::istreambuf_iterator<char>());
  std::ofstream output(destination, std::ios::binary);
  output.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
}

std::string select_error(const DiscoveryResult& discovery, const std::string& uid) {
  try {
    select_series(discovery, uid, "/some/folder");
  } catch (const InvalidInputError& error) {
    return error.what();
  }
  return "no error";
}

// test-data.md §1: each DRO folder holds PT/ (20 files), RS/ (one RTSTRUCT) and mask/ (NIfTI).
TEST(DiscoveryTest, SuvDroFolderHasAnImageSeriesAndAnRtstruct) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0");
  const DiscoveryResult discovery = discover_dicom(dro);
  EXPECT_EQ(discovery.dicom_files, 21u);
  EXPECT_EQ(discovery.non_dicom_files, 1u);
  EXPECT_TRUE(discovery.unreadable.empty());
  ASSERT_EQ(discovery.series.size(), 2u);
  const DiscoveredSeries* pet = nullptr;
  const DiscoveredSeries* rtstruct = nullptr;
  for (const DiscoveredSeries& series : discovery.series) {
    if (series.header.modality == "PT") pet = &series;
    if (series.header.modality == "RTSTRUCT") rtstruct = &series;
  }
  ASSERT_NE(pet, nullptr);
  ASSERT_NE(rtstruct, nullptr);
  EXPECT_EQ(pet->files.size(), 20u);
  EXPECT_EQ(pet->number_of_frames_in_files, 20);
  EXPECT_TRUE(pet->has_pixel_data);
  EXPECT_TRUE(std::is_sorted(pet->files.begin(), pet->files.end()));
  EXPECT_EQ(rtstruct->files.size(), 1u);
  EXPECT_FALSE(rtstruct->has_pixel_data);
  // Header values come from the first file; header-only parsing still reads them all.
  EXPECT_DOUBLE_EQ(*pet->header.patient_weight_kg, 70.0);
  EXPECT_EQ(*pet->header.units, "BQML");

  const DiscoveredSeries& chosen = select_series(discovery, "", dro.string());
  EXPECT_EQ(chosen.header.modality, "PT");
  EXPECT_EQ(&select_series(discovery, rtstruct->header.series_instance_uid, dro.string()),
            rtstruct);
}

TEST(DiscoveryTest, TruncatedAndForeignFilesAreCountedNotFatal) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0/PT");
  testing::TemporaryDirectory folder;
  fs::create_directories(folder.path() / "a" / "b");
  fs::copy_file(dro / "pet_dro_0_0_slice_000.dcm", folder.path() / "a" / "IM1");
  fs::copy_file(dro / "pet_dro_0_0_slice_001.dcm", folder.path() / "a" / "b" / "x.bin");
  copy_truncated(dro / "pet_dro_0_0_slice_002.dcm", folder.path() / "cut.dcm");
  std::ofstream(folder.path() / "notes.txt") << "not DICOM\n";
  std::ofstream(folder.path() / "empty.dcm").close();  // an empty file
  const DiscoveryResult discovery = discover_dicom(folder.path());
  EXPECT_EQ(discovery.non_dicom_files, 2u);
  EXPECT_EQ(discovery.dicom_files, 3u);
  ASSERT_EQ(discovery.unreadable.size(), 1u);
  EXPECT_THAT(discovery.unreadable[0], AllOf(HasSubstr("cut.dcm: "), HasSubstr("truncated")));
  ASSERT_EQ(discovery.series.size(), 1u);
  EXPECT_EQ(discovery.series[0].files.size(), 2u);
}

TEST(DiscoveryTest, TwoSeriesInOneFolderNeedAChoice) {
  testing::TemporaryDirectory folder;
  auto first = dicom::testing::make_stack(2, 2.0);
  auto second = dicom::testing::make_stack(3, 2.0);
  for (auto& slice : second) {
    slice.series_uid = "1.2.826.0.1.3680043.10.1153.1.2";
    slice.series_number = "2";
    slice.modality = "CT";
    slice.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
    slice.series_description = "synthetic CT";
  }
  for (size_t k = 0; k < first.size(); ++k) {
    dicom::testing::write_slice(first[k], folder.path() / ("pet" + std::to_string(k)));
  }
  for (size_t k = 0; k < second.size(); ++k) {
    dicom::testing::write_slice(second[k], folder.path() / ("ct" + std::to_string(k)));
  }
  const DiscoveryResult discovery = discover_dicom(folder.path());
  ASSERT_EQ(discovery.series.size(), 2u);
  EXPECT_EQ(discovery.series[0].header.series_number, "1");  // sorted by series number
  EXPECT_THAT(select_error(discovery, ""),
              AllOf(HasSubstr("2 image series"), HasSubstr("pass --series UID"),
                    HasSubstr("1.2.826.0.1.3680043.10.1153.1.1  PT  \"synthetic PET\"  2 file(s)"),
                    HasSubstr("1.2.826.0.1.3680043.10.1153.1.2  CT  \"synthetic CT\"  3 file(s)")));
  EXPECT_EQ(select_series(discovery, "1.2.826.0.1.3680043.10.1153.1.2", "f").files.size(), 3u);
  EXPECT_THAT(select_error(discovery, "9.9.9"),
              AllOf(HasSubstr("no series with SeriesInstanceUID 9.9.9"),
                    HasSubstr("1.2.826.0.1.3680043.10.1153.1.2")));
}

TEST(DiscoveryTest, FolderWithoutImagesIsAClearError) {
  ONCOTRACE_REQUIRE_TEST_DATA(rs, "suv-dro/DRO/DRO_0_0/RS");
  const DiscoveryResult discovery = discover_dicom(rs);
  EXPECT_THAT(select_error(discovery, ""),
              AllOf(HasSubstr("no DICOM image series"), HasSubstr("RTSTRUCT")));
}

TEST(DiscoveryTest, SingleFileAndMissingRoot) {
  testing::TemporaryDirectory folder;
  dicom::testing::write_slice(dicom::testing::SyntheticSlice{}, folder.path() / "one.dcm");
  const DiscoveryResult discovery = discover_dicom(folder.path() / "one.dcm");
  ASSERT_EQ(discovery.series.size(), 1u);
  EXPECT_EQ(discovery.series[0].files.size(), 1u);
  EXPECT_THROW(discover_dicom(folder.path() / "absent"), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
