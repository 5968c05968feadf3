#include "dicom/pixel_data.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <bit>
#include <cstring>

#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the pixel decoder reads little-endian cells in place");

// Reads cell `index` through memcpy: the bytes belong to DCMTK's Uint8/Uint16 buffer, and
// memcpy is the aliasing-safe load that compilers turn into a plain (vectorisable) move.
template <typename Cell>
inline Cell load_cell(const uint8_t* cells, size_t index) {
  Cell value;
  std::memcpy(&value, cells + index * sizeof(Cell), sizeof(Cell));
  return value;
}

template <typename Cell>
void rescale_full_cells(const uint8_t* stored, size_t count, double slope, double intercept,
                        float* output) {
  for (size_t i = 0; i < count; ++i) {
    output[i] =
        static_cast<float>(slope * static_cast<double>(load_cell<Cell>(stored, i)) + intercept);
  }
}

// BitsStored < BitsAllocated: extract bits [HighBit - BitsStored + 1, HighBit] of each cell and
// sign-extend them for two's complement data (bits outside may hold overlays or noise).
template <typename Unsigned>
void rescale_partial_cells(const uint8_t* stored, size_t count, const PixelFormat& format,
                           double slope, double intercept, float* output) {
  const int shift = format.high_bit + 1 - format.bits_stored;
  const uint64_t mask = (uint64_t{1} << format.bits_stored) - 1;
  const int64_t sign_bit = int64_t{1} << (format.bits_stored - 1);
  const bool is_signed = format.pixel_representation == 1;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t bits = (static_cast<uint64_t>(load_cell<Unsigned>(stored, i)) >> shift) & mask;
    int64_t value = static_cast<int64_t>(bits);
    if (is_signed && (value & sign_bit) != 0) value -= int64_t{1} << format.bits_stored;
    output[i] = static_cast<float>(slope * static_cast<double>(value) + intercept);
  }
}

template <typename Signed, typename Unsigned>
void rescale_typed(const uint8_t* stored, size_t count, const PixelFormat& format, double slope,
                   double intercept, float* output) {
  const bool full =
      format.bits_stored == format.bits_allocated && format.high_bit == format.bits_allocated - 1;
  if (!full) {
    rescale_partial_cells<Unsigned>(stored, count, format, slope, intercept, output);
  } else if (format.pixel_representation == 1) {
    rescale_full_cells<Signed>(stored, count, slope, intercept, output);
  } else {
    rescale_full_cells<Unsigned>(stored, count, slope, intercept, output);
  }
}

}  // namespace

void check_pixel_format_supported(const PixelFormat& format, const std::string& file) {
  const auto refuse = [&file](const std::string& what) {
    throw UnsupportedDataError(file + ": " + what + "; oncotrace reads greyscale images only");
  };
  if (format.has_float_pixel_data && !format.has_pixel_data) {
    refuse("float pixel data (7FE0,0008)/(7FE0,0009)");
  }
  if (!format.has_pixel_data) {
    throw InvalidInputError(file + ": no PixelData (7FE0,0010) in an image instance");
  }
  if (format.samples_per_pixel != 1) {
    refuse("SamplesPerPixel (0028,0002) = " + std::to_string(format.samples_per_pixel));
  }
  if (format.photometric_interpretation != "MONOCHROME1" &&
      format.photometric_interpretation != "MONOCHROME2" &&
      !format.photometric_interpretation.empty()) {
    refuse("PhotometricInterpretation (0028,0004) = " + format.photometric_interpretation);
  }
  if (format.bits_allocated != 8 && format.bits_allocated != 16 && format.bits_allocated != 32) {
    refuse("BitsAllocated (0028,0100) = " + std::to_string(format.bits_allocated));
  }
  if (format.bits_stored < 1 || format.bits_stored > format.bits_allocated ||
      format.high_bit >= format.bits_allocated || format.high_bit + 1 < format.bits_stored) {
    throw InvalidInputError(
        file + ": inconsistent BitsStored (0028,0101) = " + std::to_string(format.bits_stored) +
        " / HighBit (0028,0102) = " + std::to_string(format.high_bit) + " for BitsAllocated " +
        std::to_string(format.bits_allocated));
  }
  if (format.rows <= 0 || format.columns <= 0) {
    throw InvalidInputError(file + ": Rows (0028,0010) / Columns (0028,0011) missing or zero");
  }
}

NativePixels native_pixel_data(DcmDataset& dataset, const PixelFormat& format,
                               const std::string& file) {
  const DcmXfer original(dataset.getOriginalXfer());
  if (original.isEncapsulated()) {
    const OFCondition decoded = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (decoded.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit)) {
      throw UnsupportedDataError(file + ": cannot decode transfer syntax " +
                                 original.getXferName() + " (" + original.getXferID() + ")" +
                                 (decoded.bad() ? std::string(": ") + decoded.text() : "") +
                                 "; convert the file, e.g. with dcmdjpeg or gdcmconv --raw");
    }
  } else if (original.getByteOrder() == EBO_BigEndian && format.bits_allocated != 16) {
    throw UnsupportedDataError(file + ": Explicit VR Big Endian with BitsAllocated " +
                               std::to_string(format.bits_allocated) +
                               " (retired transfer syntax); convert it to little endian");
  }
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    throw InvalidInputError(file + ": no PixelData (7FE0,0010)");
  }
  const uint8_t* bytes = nullptr;
  OFCondition loaded;
  if (format.bits_allocated == 8) {
    Uint8* values = nullptr;
    loaded = element->getUint8Array(values);
    bytes = values;
  } else {
    // 16- and 32-bit cells: the OW value in native (little-endian) order.
    Uint16* values = nullptr;
    loaded = element->getUint16Array(values);
    bytes = reinterpret_cast<const uint8_t*>(values);
  }
  if (loaded.bad() || bytes == nullptr) {
    throw InvalidInputError(file + ": cannot read PixelData (7FE0,0010): " +
                            std::string(loaded.bad() ? loaded.text() : "empty value") +
                            "; the file may be truncated");
  }
  NativePixels pixels;
  pixels.bytes = bytes;
  pixels.frames = format.number_of_frames;
  pixels.frame_size_bytes = static_cast<size_t>(format.rows) * static_cast<size_t>(format.columns) *
                            static_cast<size_t>(format.bits_allocated / 8);
  const size_t needed = pixels.frame_size_bytes * static_cast<size_t>(pixels.frames);
  if (element->getLength() < needed) {
    throw InvalidInputError(file + ": PixelData (7FE0,0010) holds " +
                            std::to_string(element->getLength()) + " bytes, but Rows x Columns x " +
                            "NumberOfFrames x BitsAllocated/8 needs " + std::to_string(needed));
  }
  return pixels;
}

void rescale_stored_values(const uint8_t* stored, size_t count, const PixelFormat& format,
                           double slope, double intercept, float* output) {
  switch (format.bits_allocated) {
    case 8:
      rescale_typed<int8_t, uint8_t>(stored, count, format, slope, intercept, output);
      return;
    case 16:
      rescale_typed<int16_t, uint16_t>(stored, count, format, slope, intercept, output);
      return;
    case 32:
      rescale_typed<int32_t, uint32_t>(stored, count, format, slope, intercept, output);
      return;
    default:
      throw InternalError("rescale_stored_values: BitsAllocated " +
                          std::to_string(format.bits_allocated) + " passed the format check");
  }
}

}  // namespace oncotrace::dicom
