#include "dicom/pixel_data.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

PixelFormat format_of(int bits_allocated, int bits_stored, bool is_signed) {
  PixelFormat format;
  format.rows = 1;
  format.columns = 4;
  format.bits_allocated = bits_allocated;
  format.bits_stored = bits_stored;
  format.high_bit = bits_stored - 1;
  format.pixel_representation = is_signed ? 1 : 0;
  format.photometric_interpretation = "MONOCHROME2";
  format.has_pixel_data = true;
  return format;
}

template <typename Cell>
std::vector<float> rescale(const std::vector<Cell>& cells, const PixelFormat& format, double slope,
                           double intercept) {
  std::vector<uint8_t> bytes(cells.size() * sizeof(Cell));
  std::memcpy(bytes.data(), cells.data(), bytes.size());
  std::vector<float> output(cells.size());
  rescale_stored_values(bytes.data(), cells.size(), format, slope, intercept, output.data());
  return output;
}

TEST(PixelDataTest, SignedSixteenBitAppliesSlope) {
  const std::vector<int16_t> stored{-32768, -1, 0, 32767};
  EXPECT_EQ(rescale(stored, format_of(16, 16, true), 2.0, 0.0),
            (std::vector<float>{-65536.0f, -2.0f, 0.0f, 65534.0f}));
}

// The Lu-177 SPECT set: uint16 with slope 100 (test-data.md §3).
TEST(PixelDataTest, UnsignedSixteenBitIsNotSignExtended) {
  const std::vector<uint16_t> stored{0, 1, 32768, 65535};
  EXPECT_EQ(rescale(stored, format_of(16, 16, false), 100.0, 0.0),
            (std::vector<float>{0.0f, 100.0f, 3276800.0f, 6553500.0f}));
}

TEST(PixelDataTest, EightBitSignedAndUnsigned) {
  const std::vector<uint8_t> stored{0, 127, 128, 255};
  EXPECT_EQ(rescale(stored, format_of(8, 8, false), 1.0, 0.0),
            (std::vector<float>{0.0f, 127.0f, 128.0f, 255.0f}));
  EXPECT_EQ(rescale(stored, format_of(8, 8, true), 1.0, 0.0),
            (std::vector<float>{0.0f, 127.0f, -128.0f, -1.0f}));
}

TEST(PixelDataTest, ThirtyTwoBitSignedAndUnsigned) {
  const std::vector<int32_t> stored{-2000000, -1, 0, 2000000};
  EXPECT_EQ(rescale(stored, format_of(32, 32, true), 0.5, 1.0),
            (std::vector<float>{-999999.0f, 0.5f, 1.0f, 1000001.0f}));
  const std::vector<uint32_t> unsigned_stored{0, 1, 4000000000u, 7};
  EXPECT_EQ(rescale(unsigned_stored, format_of(32, 32, false), 1.0, 0.0),
            (std::vector<float>{0.0f, 1.0f, 4e9f, 7.0f}));
}

// CT with BitsStored 12 (the IBSI CT phantom) and HU intercept -1000; bits above HighBit may
// hold overlay data and must be ignored.
TEST(PixelDataTest, TwelveBitsStoredMasksHighBitsAndSignExtends) {
  const std::vector<uint16_t> stored{0x0000, 0x0FFF, 0xF3E8, 0x1001};
  EXPECT_EQ(rescale(stored, format_of(16, 12, false), 1.0, -1000.0),
            (std::vector<float>{-1000.0f, 3095.0f, 0.0f, -999.0f}));
  // Signed 12-bit: 0x0FFF is -1, 0x0800 is -2048, 0x07FF is 2047.
  const std::vector<uint16_t> signed_stored{0x0FFF, 0x0800, 0x07FF, 0xF001};
  EXPECT_EQ(rescale(signed_stored, format_of(16, 12, true), 1.0, 0.0),
            (std::vector<float>{-1.0f, -2048.0f, 2047.0f, 1.0f}));
}

TEST(PixelDataTest, RefusesColourAndOddBitDepths) {
  PixelFormat colour = format_of(8, 8, false);
  colour.samples_per_pixel = 3;
  colour.photometric_interpretation = "RGB";
  EXPECT_THROW(check_pixel_format_supported(colour, "rgb.dcm"), UnsupportedDataError);
  EXPECT_THROW(check_pixel_format_supported(format_of(1, 1, false), "bits.dcm"),
               UnsupportedDataError);
  PixelFormat inconsistent = format_of(16, 16, false);
  inconsistent.bits_stored = 17;
  EXPECT_THROW(check_pixel_format_supported(inconsistent, "x.dcm"), InvalidInputError);
  PixelFormat no_pixels = format_of(16, 16, false);
  no_pixels.has_pixel_data = false;
  EXPECT_THROW(check_pixel_format_supported(no_pixels, "x.dcm"), InvalidInputError);
  PixelFormat monochrome1 = format_of(16, 16, false);
  monochrome1.photometric_interpretation = "MONOCHROME1";
  EXPECT_NO_THROW(check_pixel_format_supported(monochrome1, "nema.dcm"));
}

}  // namespace
}  // namespace oncotrace::dicom
