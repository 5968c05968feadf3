#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <string>

#include "dicom/derived_test_support.h"
#include "oncotrace/dicom.h"
#include "oncotrace/dicom_pmap.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

using dicom::testing::dciodvfy_errors;
using dicom::testing::SyntheticSeries;

MapQuantity suvbw_quantity() {
  MapQuantity quantity;
  quantity.quantity = {"126401", "DCM", "SUVbw"};
  quantity.unit = {"g/ml{SUVbw}", "UCUM", "Standardized Uptake Value body weight"};
  quantity.method = CodedConcept{"126410", "DCM", "SUV body weight calculation method"};
  quantity.label = "SUVbw";
  return quantity;
}

// A map with a distinct value in every voxel (so any misplaced plane or pixel shows).
ImageVolume distinct_values(const Geometry& grid) {
  ImageVolume map(grid, 0.0F);
  for (size_t index = 0; index < map.values.size(); ++index) {
    map.values[index] = 0.125F * static_cast<float>(index) - 3.0F;
  }
  return map;
}

TEST(DicomParametricMapTest, RoundTripIsIdenticalVoxelForVoxel) {
  SyntheticSeries source;
  const ImageVolume map = distinct_values(source.reference.grid);
  const auto path = source.folder.path() / "suv.pm.dcm";
  const WrittenParametricMap written =
      write_parametric_map(map, source.reference, suvbw_quantity(), path);
  EXPECT_EQ(written.frame_count, 6U);
  const DicomParametricMap read = read_parametric_map(path);
  EXPECT_TRUE(read.values.geometry.same_grid_as(source.reference.grid))
      << read.values.geometry.describe() << " vs " << source.reference.grid.describe();
  EXPECT_EQ(read.values.values, map.values);
  EXPECT_EQ(read.quantity, suvbw_quantity());
  EXPECT_EQ(read.frame_of_reference_uid, source.reference.frame_of_reference_uid);
  EXPECT_EQ(read.sop_instance_uid, written.sop_instance_uid);
  EXPECT_EQ(read.modality, "PT");
}

TEST(DicomParametricMapTest, ObliqueDescendingSeriesRoundTrips) {
  SyntheticSeries source(4, {0, 1, 0, 0, 0, -1}, {-2.5, 0.0, 0.0});
  const ImageVolume map = distinct_values(source.reference.grid);
  const auto path = source.folder.path() / "suv.pm.dcm";
  write_parametric_map(map, source.reference, suvbw_quantity(), path);
  const DicomParametricMap read = read_parametric_map(path);
  EXPECT_TRUE(read.values.geometry.same_grid_as(source.reference.grid))
      << read.values.geometry.describe() << " vs " << source.reference.grid.describe();
  EXPECT_EQ(read.values.values, map.values);
}

TEST(DicomParametricMapTest, CarriesTheRealWorldValueMappingAndSourceContext) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "suv.pm.dcm";
  write_parametric_map(distinct_values(source.reference.grid), source.reference, suvbw_quantity(),
                       path);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  OFString value;
  dataset.findAndGetOFString(DCM_SOPClassUID, value);
  EXPECT_EQ(value, UID_ParametricMapStorage);
  dataset.findAndGetOFString(DCM_PatientID, value);
  EXPECT_EQ(value, "SYNTHETIC");
  dataset.findAndGetOFString(DCM_StudyInstanceUID, value);
  EXPECT_EQ(std::string(value.c_str()), source.reference.study_instance_uid);
  dataset.findAndGetOFString(DCM_ContentQualification, value);
  EXPECT_EQ(value, "RESEARCH");
  DcmItem* shared = nullptr;
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good());
  DcmItem* rwvm = nullptr;
  ASSERT_TRUE(shared->findAndGetSequenceItem(DCM_RealWorldValueMappingSequence, rwvm, 0).good());
  Float64 first = 0.0, last = 0.0, slope = 0.0;
  rwvm->findAndGetFloat64(DCM_DoubleFloatRealWorldValueFirstValueMapped, first);
  rwvm->findAndGetFloat64(DCM_DoubleFloatRealWorldValueLastValueMapped, last);
  rwvm->findAndGetFloat64(DCM_RealWorldValueSlope, slope);
  EXPECT_DOUBLE_EQ(first, -3.0);
  EXPECT_DOUBLE_EQ(last, 0.125 * (5 * 7 * 6 - 1) - 3.0);
  EXPECT_DOUBLE_EQ(slope, 1.0);
  DcmItem* unit = nullptr;
  ASSERT_TRUE(rwvm->findAndGetSequenceItem(DCM_MeasurementUnitsCodeSequence, unit, 0).good());
  unit->findAndGetOFString(DCM_CodeValue, value);
  EXPECT_EQ(value, "g/ml{SUVbw}");
}

// A map written beside its source (as after a PACS round trip) is a result, not a second PET
// series: the folder still selects the PET without --series.
TEST(DicomParametricMapTest, MapBesideItsSourceDoesNotMakeTheFolderAmbiguous) {
  SyntheticSeries source;
  const auto folder = source.folder.path() / "pet";
  write_parametric_map(distinct_values(source.reference.grid), source.reference, suvbw_quantity(),
                       folder / "suv.pm.dcm");
  const DiscoveryResult discovery = discover_dicom(folder);
  ASSERT_EQ(discovery.series.size(), 2U);
  const DiscoveredSeries& selected = select_series(discovery, "", folder.string());
  EXPECT_EQ(selected.header.series_instance_uid, source.reference.series_instance_uid);
  size_t maps = 0;
  for (const DiscoveredSeries& series : discovery.series) maps += is_parametric_map(series.header);
  EXPECT_EQ(maps, 1U);
}

TEST(DicomParametricMapTest, ValidatesWithDciodvfy) {
  if (std::string(ONCOTRACE_DCIODVFY).empty()) {
    GTEST_SKIP() << "*** SKIPPED: dciodvfy (dicom3tools) not installed ***";
  }
  SyntheticSeries source;
  const auto path = source.folder.path() / "suv.pm.dcm";
  write_parametric_map(distinct_values(source.reference.grid), source.reference, suvbw_quantity(),
                       path);
  std::string output;
  EXPECT_TRUE(dciodvfy_errors(path, &output).empty()) << output;
  std::cout << "dciodvfy on the Parametric Map:\n" << output;
}

// A map on a run of the source's planes (e.g. a feature map of the planes an ROI spans) with NaN
// voxels written as the padding value: frames reference their own source planes, the mapped
// range leaves the padding out, and the reader gives the NaN voxels back.
TEST(DicomParametricMapTest, PlaneRunWithPaddingRoundTrips) {
  SyntheticSeries source;
  Geometry planes = source.reference.grid;
  planes.size[2] = 3;
  planes.origin_mm = source.reference.grid.index_to_world(0, 0, 2);
  ImageVolume map = distinct_values(planes);
  map.values[0] = std::numeric_limits<float>::quiet_NaN();
  map.values[40] = std::numeric_limits<float>::quiet_NaN();
  ParametricMapWriteOptions options;
  options.float_pixel_padding_value = -1000.0F;
  const auto path = source.folder.path() / "run.pm.dcm";
  const WrittenParametricMap written =
      write_parametric_map(map, source.reference, suvbw_quantity(), path, options);
  EXPECT_EQ(written.frame_count, 3U);
  const DicomParametricMap read = read_parametric_map(path);
  EXPECT_TRUE(read.values.geometry.same_grid_as(planes))
      << read.values.geometry.describe() << " vs " << planes.describe();
  ASSERT_EQ(read.values.values.size(), map.values.size());
  for (size_t index = 0; index < map.values.size(); ++index) {
    if (std::isnan(map.values[index])) {
      EXPECT_TRUE(std::isnan(read.values.values[index])) << index;
    } else {
      EXPECT_EQ(read.values.values[index], map.values[index]) << index;
    }
  }
  ASSERT_TRUE(read.float_pixel_padding_value.has_value());
  EXPECT_EQ(*read.float_pixel_padding_value, -1000.0F);

  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  DcmItem* shared = nullptr;
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good());
  DcmItem* rwvm = nullptr;
  ASSERT_TRUE(shared->findAndGetSequenceItem(DCM_RealWorldValueMappingSequence, rwvm, 0).good());
  Float64 first = 0.0;
  rwvm->findAndGetFloat64(DCM_DoubleFloatRealWorldValueFirstValueMapped, first);
  EXPECT_DOUBLE_EQ(first, 0.125 * 1 - 3.0);  // voxel 0 is padding
  // Frame 1 derives from source plane 2.
  DcmItem* frame = nullptr;
  ASSERT_TRUE(
      dataset.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, 0).good());
  DcmItem* derivation = nullptr;
  ASSERT_TRUE(frame->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation, 0).good());
  DcmItem* source_image = nullptr;
  ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source_image, 0).good());
  OFString referenced;
  source_image->findAndGetOFString(DCM_ReferencedSOPInstanceUID, referenced);
  EXPECT_EQ(std::string(referenced.c_str()), source.reference.planes[2].sop_instance_uid);

  if (!std::string(ONCOTRACE_DCIODVFY).empty()) {
    std::string output;
    EXPECT_TRUE(dciodvfy_errors(path, &output).empty()) << output;
  }
}

TEST(DicomParametricMapTest, RefusesPaddingHeldByAVoxelAndGridsOffThePlanes) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "bad.pm.dcm";
  ImageVolume map = distinct_values(source.reference.grid);
  ParametricMapWriteOptions options;
  options.float_pixel_padding_value = map.values[5];
  EXPECT_THROW(write_parametric_map(map, source.reference, suvbw_quantity(), path, options),
               InvalidInputError);
  map.values[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(write_parametric_map(map, source.reference, suvbw_quantity(), path),
               InvalidInputError);  // NaN without a padding value
  Geometry shifted = source.reference.grid;
  shifted.size[2] = 2;
  shifted.origin_mm = source.reference.grid.index_to_world(Vec3{0.0, 0.0, 1.5});
  EXPECT_THROW(
      write_parametric_map(ImageVolume(shifted, 1.0F), source.reference, suvbw_quantity(), path),
      InvalidInputError);
  Geometry beyond = source.reference.grid;
  beyond.size[2] = 3;
  beyond.origin_mm = source.reference.grid.index_to_world(0, 0, 4);
  EXPECT_THROW(
      write_parametric_map(ImageVolume(beyond, 1.0F), source.reference, suvbw_quantity(), path),
      InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(DicomParametricMapTest, RefusesBadInputWithoutWritingAnything) {
  SyntheticSeries source;
  const auto path = source.folder.path() / "bad.pm.dcm";
  ImageVolume map = distinct_values(source.reference.grid);
  map.values[17] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(write_parametric_map(map, source.reference, suvbw_quantity(), path),
               InvalidInputError);
  Geometry other = source.reference.grid;
  other.spacing_mm[0] *= 2.0;
  EXPECT_THROW(
      write_parametric_map(ImageVolume(other, 1.0F), source.reference, suvbw_quantity(), path),
      InvalidInputError);
  MapQuantity long_label = suvbw_quantity();
  long_label.label = "a label of more than sixteen";
  EXPECT_THROW(write_parametric_map(distinct_values(source.reference.grid), source.reference,
                                    long_label, path),
               InvalidInputError);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(read_parametric_map(source.series.frames[0].slices[0].file), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
