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
#include <map>
#include <memory>
#include <mutex>

class DcmFileFormat;

namespace oncotrace::dicom {

enum class FileKind { kDicom, kNotDicom };

// Looks at the first 132 bytes only.
FileKind sniff_file(const std::filesystem::path& path, bool accept_files_without_preamble);

// Parses a DICOM file with deferred loading of large values. Throws InvalidInputError
// "PATH: REASON" when DCMTK cannot parse it (truncated, corrupt).
std::unique_ptr<DcmFileFormat> open_dicom_file(const std::filesystem::path& path);

// Parsed files handed from discovery to loading (DiscoveredSeries::parsed_files), so that a
// series is parsed once: loading then reads only the pixel data (deferred values). Each file is
// taken out once; a file not kept (or already taken) is parsed again. Thread-safe.
class ParsedFileCache {
 public:
  ParsedFileCache();
  ~ParsedFileCache();
  ParsedFileCache(const ParsedFileCache&) = delete;
  ParsedFileCache& operator=(const ParsedFileCache&) = delete;

  void keep(const std::filesystem::path& path, std::unique_ptr<DcmFileFormat> file);
  // The kept parse of `path`, removed from the cache; null when none is kept.
  std::unique_ptr<DcmFileFormat> take(const std::filesystem::path& path);

 private:
  std::mutex mutex_;
  std::map<std::filesystem::path, std::unique_ptr<DcmFileFormat>> files_;
};

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_DICOM_FILE_H_
