// Recognising and opening DICOM files.
//
// A DICOM file starts with a 128-byte preamble and "DICM" [DICOM PS3.10 §7.1]. Old ACR-NEMA
// style files and bare datasets lack both; they are recognised by their first element, which
// must be a group 0002 or 0008 tag in either byte order (what DCMTK's own auto-detection relies
// on), so that arbitrary files (NIfTI, text) are never fed to the parser.
//
// Files are opened with DCMTK's deferred loading: values longer than 4 KB (PixelData, large
// private blobs) are skipped, not read, and loaded from the file only when asked for. Parsing
// still checks every element length against the file size, so a truncated file is reported at
// once, yet discovery reads only the header bytes.
#ifndef ONCOTRACE_DICOM_DICOM_FILE_H_
#define ONCOTRACE_DICOM_DICOM_FILE_H_

#include <filesystem>
#include <memory>

class DcmFileFormat;

namespace oncotrace::dicom {

enum class FileKind { kDicom, kNotDicom };

// Looks at the first 132 bytes only.
FileKind sniff_file(const std::filesystem::path& path, bool accept_files_without_preamble);

// Parses a DICOM file with deferred loading of large values. Throws InvalidInputError
// "PATH: REASON" when DCMTK cannot parse it (truncated, corrupt).
std::unique_ptr<DcmFileFormat> open_dicom_file(const std::filesystem::path& path);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_DICOM_FILE_H_
