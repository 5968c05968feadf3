// Internal helpers of the DICOM SEG writer (include/oncotrace/dicom_seg.h), exposed for tests.
#ifndef ONCOTRACE_DICOM_SEGMENTATION_H_
#define ONCOTRACE_DICOM_SEGMENTATION_H_

#include <array>
#include <cstdint>
#include <string>

namespace oncotrace::dicom {

// "2.25." followed by the 128-bit value as an unsigned decimal integer, without leading zeros
// [DICOM PS3.5 Annex B.2; ITU-T X.667 §6.3]. At most 5 + 39 = 44 characters, within the 64
// allowed for a UID.
std::string uuid_to_uid(const std::array<uint64_t, 2>& uuid);

// A new random (version 4, RFC 4122 §4.4) UUID-derived UID.
std::string new_uuid_uid();

// A DICOM DS value (at most 16 characters, PS3.5 Table 6.2-1) holding `value` with as many
// significant digits as fit: 15 for most values, fewer for long exponents or negative numbers.
std::string decimal_string(double value);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_SEGMENTATION_H_
