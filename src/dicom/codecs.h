// One-time set-up of DCMTK for the reader: decompression codecs and log level.
//
// DCMTK decodes encapsulated transfer syntaxes through codecs that a program registers once in a
// global list [DCMTK dcmdata DcmCodecList]: dcmjpeg (JPEG baseline, extended and lossless,
// PS3.5 §A.4.1-A.4.3), dcmjpls (JPEG-LS, §A.4.3) and dcmdata's RLE codec (§A.4.2). Deflated
// Explicit VR Little Endian (§A.5) is inflated by dcmdata itself while reading. Registration is
// not thread-safe in DCMTK, so it happens in a function-local static that C++ initialises
// exactly once, before any parallel reading starts.
#ifndef ONCOTRACE_DICOM_CODECS_H_
#define ONCOTRACE_DICOM_CODECS_H_

namespace oncotrace::dicom {

// Registers the JPEG, JPEG-LS and RLE decoders (once per process; later calls return at once)
// and lowers DCMTK's own console logging to errors that are not already reported through
// oncotrace exceptions (DCMTK warns on every slightly non-conformant file otherwise).
void initialise_dcmtk();

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_CODECS_H_
