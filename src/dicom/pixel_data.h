// Stored pixel values -> rescaled floating-point values.
//
// Pixel cells of BitsAllocated 8, 16 or 32 bits hold a value of BitsStored bits whose most
// significant bit is HighBit, unsigned or two's complement by PixelRepresentation [DICOM PS3.5
// §8.1.1, PS3.3 C.7.6.3.1]. The output is U = slope * SV + intercept per plane [PS3.3 C.11.1]
// in float. PhotometricInterpretation MONOCHROME1 only inverts the display [PS3.3 C.7.6.3.1.2]
// and leaves U unchanged (pet-quantification.md §3.1).
//
// Encapsulated transfer syntaxes are decoded by DCMTK's registered codecs into Explicit VR
// Little Endian first; the raw element bytes are then read directly (no rendering pipeline),
// one tight loop per sample type.
#ifndef ONCOTRACE_DICOM_PIXEL_DATA_H_
#define ONCOTRACE_DICOM_PIXEL_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "dicom/dicom_header.h"

class DcmDataset;

namespace oncotrace::dicom {

// Throws UnsupportedDataError when oncotrace cannot read this pixel format (colour, 1-bit,
// float pixel data, inconsistent bit layout); `file` names the file in the message.
void check_pixel_format_supported(const PixelFormat& format, const std::string& file);

// The native pixel bytes of a dataset, all frames, little endian. Valid while the dataset lives.
struct NativePixels {
  const uint8_t* bytes = nullptr;
  size_t frame_size_bytes = 0;
  int64_t frames = 0;
};

// Decodes an encapsulated transfer syntax if needed and loads the PixelData value. Throws
// UnsupportedDataError (no codec for the transfer syntax) or InvalidInputError (value shorter
// than Rows x Columns x NumberOfFrames x BitsAllocated / 8, unreadable file).
NativePixels native_pixel_data(DcmDataset& dataset, const PixelFormat& format,
                               const std::string& file);

// Writes `count` values U = slope * SV + intercept for the stored values at `stored` (one
// frame, native little-endian cells of `format`) to `output`.
void rescale_stored_values(const uint8_t* stored, size_t count, const PixelFormat& format,
                           double slope, double intercept, float* output);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_PIXEL_DATA_H_
