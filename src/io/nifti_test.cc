#include "oncotrace/nifti.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "io/nifti_itk.h"
#include "oncotrace/error.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

// Byte offsets of NIfTI-1 header fields (nifti1.h, struct nifti_1_header; 348 bytes).
constexpr size_t kDimOffset = 40;         // short dim[8]
constexpr size_t kIntentCodeOffset = 68;  // short
constexpr size_t kDatatypeOffset = 70;    // short
constexpr size_t kPixdimOffset = 76;      // float pixdim[8]
constexpr size_t kSclSlopeOffset = 112;   // float
constexpr size_t kSclInterOffset = 116;   // float
constexpr size_t kXyztUnitsOffset = 123;  // char
constexpr size_t kQformCodeOffset = 252;  // short
constexpr size_t kSformCodeOffset = 254;  // short
constexpr size_t kQoffsetXOffset = 268;   // float
constexpr size_t kSrowXOffset = 280;      // float srow_x[4]
constexpr size_t kHeaderSize = 348;

// The decompressed file (or the plain file for .nii).
std::string read_nifti_bytes(const std::filesystem::path& path) {
  gzFile file = gzopen(path.string().c_str(), "rb");
  EXPECT_NE(file, nullptr) << path;
  std::string bytes;
  char chunk[65536];
  int read = 0;
  while ((read = gzread(file, chunk, sizeof(chunk))) > 0) bytes.append(chunk, read);
  gzclose(file);
  return bytes;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

template <typename T>
T field_at(const std::string& header, size_t offset) {
  T value{};
  std::memcpy(&value, header.data() + offset, sizeof(T));
  return value;
}

template <typename T>
void patch_field(std::string& bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

void expect_vec_near(const Vec3& actual, const Vec3& expected, double tolerance) {
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_NEAR(actual[axis], expected[axis], tolerance) << "axis " << axis;
  }
}

void expect_same_geometry(const Geometry& actual, const Geometry& expected) {
  EXPECT_EQ(actual.size, expected.size);
  // NIfTI stores positions and spacings as float32: 1e-4 mm covers |x| < 1000 mm.
  expect_vec_near(actual.spacing_mm, expected.spacing_mm, 1e-5);
  expect_vec_near(actual.origin_mm, expected.origin_mm, 1e-4);
  for (int element = 0; element < 9; ++element) {
    EXPECT_NEAR(actual.direction[element], expected.direction[element], 1e-6) << element;
  }
}

// A rotation by `angle` about the unit vector `axis` (Rodrigues), as oncotrace's row-major Mat3.
Mat3 rotation(const Vec3& axis, double angle) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const double t = 1.0 - c;
  const double x = axis[0];
  const double y = axis[1];
  const double z = axis[2];
  return {t * x * x + c,     t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c,
          t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c};
}

Geometry oblique_geometry() {
  Geometry geometry;
  geometry.size = {7, 5, 4};
  geometry.spacing_mm = {1.5, 2.25, 3.27};
  geometry.origin_mm = {-123.4375, 87.125, -881.3};
  const double norm = std::sqrt(1.0 + 4.0 + 9.0);
  geometry.direction = rotation({1.0 / norm, 2.0 / norm, 3.0 / norm}, 0.4);
  return geometry;
}

ImageVolume ramp_image(const Geometry& geometry, float offset) {
  ImageVolume image(geometry);
  for (size_t index = 0; index < image.values.size(); ++index) {
    image.values[index] = offset + 0.37F * static_cast<float>(index) - 3.0F;
  }
  return image;
}

size_t count_nonzero(const std::vector<uint16_t>& values) {
  return static_cast<size_t>(
      std::count_if(values.begin(), values.end(), [](uint16_t value) { return value != 0; }));
}

// ---------------------------------------------------------------------------------------------
// What ITK 5.2 does with NIfTI's RAS (pinned on known files).

TEST(NiftiGeometryTest, DroMaskAffineDiagMinus4Minus4Plus4IsIdentityLps) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0");
  // sform = qform = diag(-4, -4, 4) with offset 0 (RAS), test-data.md §1. In LPS that is origin
  // (0, 0, 0), spacing 4 and identity direction: the DICOM series' IPP (0, 0, 4k), IOP 1\0\0\0\1\0.
  const LabelMap mask = read_nifti_labels(dro / "mask" / "DRO_mask.nii.gz");
  Geometry expected;
  expected.size = {256, 256, 20};
  expected.spacing_mm = {4, 4, 4};
  expected.origin_mm = {0, 0, 0};
  expect_same_geometry(mask.geometry, expected);
  // test-data.md §1: 203 202 voxels, slices 1-18.
  EXPECT_EQ(count_nonzero(mask.values), 203202U);
}

// The NIfTI index (i, j, k) must be DICOM (column i, row j, slice k): the mask covers exactly the
// non-zero voxels of the phantom (test-data.md §1), so it must agree with the pixel data.
TEST(NiftiGeometryTest, DroMaskVoxelsAreTheNonZeroDicomPixels) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0");
  const LabelMap mask = read_nifti_labels(dro / "mask" / "DRO_mask.nii.gz");
  // Slice 5 has IPP z = 20 mm = 5 * 4 mm.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((dro / "PT" / "pet_dro_0_0_slice_005.dcm").string().c_str()).good());
  Float64 z = 0;
  ASSERT_TRUE(file.getDataset()->findAndGetFloat64(DCM_ImagePositionPatient, z, 2).good());
  ASSERT_DOUBLE_EQ(z, 20.0);
  const Uint16* pixels = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(file.getDataset()->findAndGetUint16Array(DCM_PixelData, pixels, &count).good());
  ASSERT_EQ(count, 256U * 256U);
  size_t disagreements = 0;
  size_t nonzero = 0;
  for (int64_t row = 0; row < 256; ++row) {
    for (int64_t column = 0; column < 256; ++column) {
      const bool in_image = pixels[row * 256 + column] != 0;
      const bool in_mask = mask.at(column, row, 5) != 0;
      nonzero += in_image ? 1 : 0;
      disagreements += in_image != in_mask ? 1 : 0;
    }
  }
  EXPECT_EQ(nonzero, 11289U);  // test-data.md §1: 11 289 voxels per slice
  EXPECT_EQ(disagreements, 0U);
}

TEST(NiftiGeometryTest, IbsiCtPhantomMatchesItsDicom) {
  ONCOTRACE_REQUIRE_TEST_DATA(phantom, "ibsi1/ct_phantom");
  // sform_code 1 and qform_code 2, both diag(-0.977, -0.977, 3) + (174.3945, 79.6255, -100.4) in
  // RAS. Expected from the DICOM (dcmdump of dicom/image/*.dcm): the slice with the lowest IPP z
  // has ImagePositionPatient -174.39450073242\-79.625503540039\-100.40000152587, IOP
  // 1\0\0\0\1\0, PixelSpacing 0.97699999809265\0.97699999809265, 201 rows x 204 columns, 60 slices
  // 3 mm apart (highest z 76.5999984741211).
  const ImageVolume image = read_nifti(phantom / "nifti" / "image" / "phantom.nii.gz");
  Geometry expected;
  expected.size = {204, 201, 60};
  expected.spacing_mm = {0.97699999809265, 0.97699999809265, 3.0};
  expected.origin_mm = {-174.39450073242, -79.625503540039, -100.40000152587};
  expect_same_geometry(image.geometry, expected);
  expect_vec_near(image.geometry.index_to_world(0, 0, 59), {-174.3945, -79.6255, 76.6}, 1e-4);
}

TEST(NiftiGeometryTest, Sts001CropQformOnlyMatchesItsDicom) {
  ONCOTRACE_REQUIRE_TEST_DATA(crop, "sts001-fdg-petct/ibsi_cropped/PET");
  // qform_code 1 (quaternion 0\0\1, i.e. diag(-1, -1, 1)), sform_code 0. Expected from the DICOM
  // (dcmdump of dicom/image/*.dcm): lowest slice IPP
  // -21.093750000000\-86.718750000000\-881.29999999999 (highest z -691.64000000000),
  // IOP 1\0\0\0\1\0, PixelSpacing 4.6875\4.6875,
  // 43 rows x 41 columns, 59 slices (test-data.md §2: 41 x 43 x 59).
  const ImageVolume image = read_nifti(crop / "nifti" / "image" / "image.nii.gz");
  Geometry expected;
  expected.size = {41, 43, 59};
  expected.spacing_mm = {4.6875, 4.6875, 3.27};
  expected.origin_mm = {-21.09375, -86.71875, -881.29999999999};
  expect_same_geometry(image.geometry, expected);
  expect_vec_near(image.geometry.index_to_world(0, 0, 58), {-21.09375, -86.71875, -691.64}, 1e-3);
  const auto notes =
      io_internal::read_nifti_frames_with_notes(crop / "nifti" / "image" / "image.nii.gz").notes;
  EXPECT_TRUE(notes.empty());
}

// ITK 5.2 prefers the sform when it is a rotation with scaling; the reader notes the
// disagreement. The file is one of ours with its qform offset moved by 100 mm.
TEST(NiftiGeometryTest, SformWinsOverADisagreeingQform) {
  testing::TemporaryDirectory folder;
  Geometry geometry;
  geometry.size = {3, 4, 5};
  geometry.spacing_mm = {2, 2, 2};
  geometry.origin_mm = {10, 20, 30};
  const auto path = folder.path() / "image.nii";
  write_nifti(path, ImageVolume(geometry, 1.0F));
  std::string bytes = read_file(path);
  // qoffset_x is RAS: -10 for LPS x = 10; -110 would put the qform's origin at LPS x = 110.
  ASSERT_FLOAT_EQ(field_at<float>(bytes, kQoffsetXOffset), -10.0F);
  patch_field<float>(bytes, kQoffsetXOffset, -110.0F);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  const auto result = io_internal::read_nifti_frames_with_notes(path);
  expect_vec_near(result.frames.front().geometry.origin_mm, {10, 20, 30}, 1e-6);
  ASSERT_EQ(result.notes.size(), 1U);
  EXPECT_NE(result.notes.front().find("qform and sform disagree by up to 100 mm"),
            std::string::npos)
      << result.notes.front();
}

TEST(NiftiGeometryTest, ShearedSformIsIgnoredInFavourOfTheQformAndNoted) {
  testing::TemporaryDirectory folder;
  Geometry geometry;
  geometry.size = {3, 4, 5};
  geometry.spacing_mm = {2, 2, 2};
  geometry.origin_mm = {10, 20, 30};
  const auto path = folder.path() / "image.nii";
  write_nifti(path, ImageVolume(geometry, 1.0F));
  std::string bytes = read_file(path);
  ASSERT_FLOAT_EQ(field_at<float>(bytes, kSrowXOffset), -2.0F);
  patch_field<float>(bytes, kSrowXOffset + 4, 1.0F);  // srow_x[1]: x also grows with j (shear)
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  const auto result = io_internal::read_nifti_frames_with_notes(path);
  expect_same_geometry(result.frames.front().geometry, geometry);
  bool noted = false;
  for (const auto& note : result.notes)
    noted |= note.find("sform is not a rotation") != std::string::npos;
  EXPECT_TRUE(noted);
}

// ---------------------------------------------------------------------------------------------
// Round trips and the header oncotrace writes.

TEST(NiftiRoundTripTest, FloatImageWithObliqueDirection) {
  testing::TemporaryDirectory folder;
  const ImageVolume image = ramp_image(oblique_geometry(), 0.5F);
  const auto path = folder.path() / "out" / "image.nii.gz";
  write_nifti(path, image);
  const ImageVolume back = read_nifti(path);
  expect_same_geometry(back.geometry, image.geometry);
  EXPECT_EQ(back.values, image.values);

  const std::string header = read_nifti_bytes(path).substr(0, kHeaderSize);
  EXPECT_EQ(field_at<int16_t>(header, kDimOffset), 3);
  EXPECT_EQ(field_at<int16_t>(header, kDatatypeOffset), 16);  // DT_FLOAT32
  EXPECT_EQ(field_at<int16_t>(header, kQformCodeOffset), 1);  // NIFTI_XFORM_SCANNER_ANAT
  EXPECT_EQ(field_at<int16_t>(header, kSformCodeOffset), 1);
  const float slope = field_at<float>(header, kSclSlopeOffset);
  EXPECT_TRUE(slope == 0.0F || slope == 1.0F) << slope;
  EXPECT_EQ(field_at<float>(header, kSclInterOffset), 0.0F);
  // RAS sform: first row is -(LPS first row) * spacing.
  EXPECT_NEAR(field_at<float>(header, kSrowXOffset),
              -image.geometry.direction[0] * image.geometry.spacing_mm[0], 1e-6);
  EXPECT_NEAR(field_at<float>(header, kSrowXOffset + 12), -image.geometry.origin_mm[0], 1e-4);
}

TEST(NiftiRoundTripTest, LeftHandedAxesSurvive) {
  testing::TemporaryDirectory folder;
  Geometry geometry = oblique_geometry();
  for (int row = 0; row < 3; ++row) geometry.direction[row * 3 + 2] *= -1.0;  // flip k
  const ImageVolume image = ramp_image(geometry, 2.0F);
  const auto path = folder.path() / "image.nii";
  write_nifti(path, image);
  const ImageVolume back = read_nifti(path);
  expect_same_geometry(back.geometry, geometry);
  EXPECT_EQ(back.values, image.values);
}

TEST(NiftiRoundTripTest, LabelMapIsUint16WithLabelIntent) {
  testing::TemporaryDirectory folder;
  LabelMap labels(oblique_geometry());
  for (size_t index = 0; index < labels.values.size(); ++index) {
    labels.values[index] = static_cast<uint16_t>((index * 977) % 65536);
  }
  const auto path = folder.path() / "labels.nii.gz";
  write_nifti(path, labels);
  const LabelMap back = read_nifti_labels(path);
  expect_same_geometry(back.geometry, labels.geometry);
  EXPECT_EQ(back.values, labels.values);
  const std::string header = read_nifti_bytes(path).substr(0, kHeaderSize);
  EXPECT_EQ(field_at<int16_t>(header, kDatatypeOffset), 512);     // DT_UINT16
  EXPECT_EQ(field_at<int16_t>(header, kIntentCodeOffset), 1002);  // NIFTI_INTENT_LABEL
  EXPECT_EQ(field_at<int16_t>(header, kQformCodeOffset), 1);
  EXPECT_EQ(field_at<int16_t>(header, kSformCodeOffset), 1);
}

TEST(NiftiRoundTripTest, MaskIsUint8) {
  testing::TemporaryDirectory folder;
  Mask mask(oblique_geometry());
  for (size_t index = 0; index < mask.values.size(); index += 3) mask.values[index] = 1;
  const auto path = folder.path() / "mask.nii.gz";
  write_nifti(path, mask);
  const LabelMap back = read_nifti_labels(path);
  expect_same_geometry(back.geometry, mask.geometry);
  ASSERT_EQ(back.values.size(), mask.values.size());
  for (size_t index = 0; index < mask.values.size(); ++index) {
    ASSERT_EQ(back.values[index], mask.values[index]) << index;
  }
  const std::string header = read_nifti_bytes(path).substr(0, kHeaderSize);
  EXPECT_EQ(field_at<int16_t>(header, kDatatypeOffset), 2);  // DT_UINT8
}

TEST(NiftiRoundTripTest, FramesBecomeA4DImageWithUnitFrameSpacing) {
  testing::TemporaryDirectory folder;
  const Geometry geometry = oblique_geometry();
  const std::vector<ImageVolume> frames = {ramp_image(geometry, 0.0F), ramp_image(geometry, 100.0F),
                                           ramp_image(geometry, -50.0F)};
  const auto path = folder.path() / "dynamic.nii.gz";
  write_nifti(path, frames);
  const auto back = read_nifti_frames(path);
  ASSERT_EQ(back.size(), 3U);
  for (size_t frame = 0; frame < 3; ++frame) {
    expect_same_geometry(back[frame].geometry, geometry);
    EXPECT_EQ(back[frame].values, frames[frame].values) << frame;
  }
  const std::string header = read_nifti_bytes(path).substr(0, kHeaderSize);
  EXPECT_EQ(field_at<int16_t>(header, kDimOffset), 4);
  EXPECT_EQ(field_at<int16_t>(header, kDimOffset + 8), 3);       // dim[4]
  EXPECT_EQ(field_at<float>(header, kPixdimOffset + 16), 1.0F);  // pixdim[4]
  EXPECT_EQ(field_at<char>(header, kXyztUnitsOffset), 2 | 8);    // mm and s
  EXPECT_THROW(read_nifti(path), InvalidInputError);
  EXPECT_THROW(read_nifti_labels(path), InvalidInputError);
}

TEST(NiftiRoundTripTest, ThreeDImageReadsAsOneFrame) {
  testing::TemporaryDirectory folder;
  const ImageVolume image = ramp_image(oblique_geometry(), 1.0F);
  const auto path = folder.path() / "image.nii.gz";
  write_nifti(path, image);
  const auto frames = read_nifti_frames(path);
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames.front().values, image.values);
}

TEST(NiftiWriteTest, IsDeterministicAndLeavesNoTemporaryFile) {
  testing::TemporaryDirectory folder;
  LabelMap labels(oblique_geometry(), 3);
  const auto first = folder.path() / "a.nii.gz";
  const auto second = folder.path() / "b.nii.gz";
  write_nifti(first, labels);
  write_nifti(second, labels);
  EXPECT_EQ(read_file(first), read_file(second));
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".oncotrace-tmp"), std::string::npos);
    ++entries;
  }
  EXPECT_EQ(entries, 2U);
}

TEST(NiftiWriteTest, UncompressedNameWritesAPlainFile) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "labels.nii";
  write_nifti(path, LabelMap(oblique_geometry(), 7));
  const std::string bytes = read_file(path);
  ASSERT_GE(bytes.size(), kHeaderSize);
  EXPECT_EQ(field_at<int32_t>(bytes, 0), 348);  // not gzip: the header is at byte 0
  EXPECT_EQ(bytes.substr(344, 3), std::string("n+1"));
  EXPECT_EQ(read_nifti_labels(path).values.front(), 7);
}

TEST(NiftiWriteTest, RefusesOtherExtensionsAndMismatchedBuffers) {
  testing::TemporaryDirectory folder;
  const ImageVolume image = ramp_image(oblique_geometry(), 0.0F);
  EXPECT_THROW(write_nifti(folder.path() / "image.nrrd", image), InvalidInputError);
  ImageVolume truncated = image;
  truncated.values.pop_back();
  EXPECT_THROW(write_nifti(folder.path() / "image.nii.gz", truncated), InvalidInputError);
  Geometry other = image.geometry;
  other.origin_mm[0] += 5.0;
  EXPECT_THROW(write_nifti(folder.path() / "frames.nii.gz",
                           std::vector<ImageVolume>{image, ramp_image(other, 0.0F)}),
               InvalidInputError);
  EXPECT_TRUE(std::filesystem::is_empty(folder.path()));
}

TEST(NiftiReadTest, LabelsMustBeWholeNonNegativeNumbers) {
  testing::TemporaryDirectory folder;
  ImageVolume image(oblique_geometry(), 2.0F);
  const auto whole = folder.path() / "whole.nii.gz";
  write_nifti(whole, image);
  EXPECT_EQ(read_nifti_labels(whole).values.back(), 2);
  image.values[5] = 1.5F;
  const auto fractional = folder.path() / "fractional.nii.gz";
  write_nifti(fractional, image);
  EXPECT_THROW(read_nifti_labels(fractional), InvalidInputError);
  image.values[5] = -1.0F;
  const auto negative = folder.path() / "negative.nii.gz";
  write_nifti(negative, image);
  EXPECT_THROW(read_nifti_labels(negative), InvalidInputError);
}

// A scaled integer file (scl_slope 2) must not be read as its raw stored labels.
TEST(NiftiReadTest, ScaledIntegerLabelsAreReadAfterScaling) {
  testing::TemporaryDirectory folder;
  const auto path = folder.path() / "mask.nii";
  write_nifti(path, Mask(oblique_geometry(), 3));
  std::string bytes = read_file(path);
  patch_field<float>(bytes, kSclSlopeOffset, 2.0F);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_EQ(read_nifti_labels(path).values.front(), 6);
  EXPECT_EQ(read_nifti(path).values.front(), 6.0F);
  patch_field<float>(bytes, kSclSlopeOffset, 0.5F);  // 3 * 0.5 = 1.5 is not a label
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_THROW(read_nifti_labels(path), InvalidInputError);
}

TEST(NiftiReadTest, MissingOrForeignFilesAreInvalidInput) {
  testing::TemporaryDirectory folder;
  EXPECT_THROW(read_nifti(folder.path() / "absent.nii.gz"), InvalidInputError);
  const auto text = folder.path() / "text.nii";
  std::ofstream(text) << "not an image";
  EXPECT_THROW(read_nifti(text), InvalidInputError);
  try {
    read_nifti(folder.path() / "absent.nii.gz");
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("absent.nii.gz"), std::string::npos);
  }
}

}  // namespace
}  // namespace oncotrace
