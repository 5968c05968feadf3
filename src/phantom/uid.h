// Reproducible DICOM UIDs for simulated studies.
//
// DCMTK's dcmGenerateUniqueIdentifier() mixes in the host, process and clock, so two runs never
// give the same UIDs; a phantom must (same seed, same bytes). These UIDs use the "2.25." root of
// ISO/IEC 9834-8 / ITU-T X.667 (a UUID written as one decimal integer, DICOM PS3.5 §B.2), with a
// 128-bit value hashed from the seed and a description of the object ("study 2 series PT
// instance 17"). The UUID version nibble is 8 (RFC 9562 "custom") and the variant bits are RFC
// 4122's, so the value is a well-formed UUID. At most 44 characters (limit 64).
#ifndef ONCOTRACE_PHANTOM_UID_H_
#define ONCOTRACE_PHANTOM_UID_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace oncotrace::phantom {

std::string make_phantom_uid(uint64_t seed, std::string_view purpose);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_UID_H_
