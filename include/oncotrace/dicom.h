// Reading DICOM image series: discovery in a folder tree and assembly into volumes.
//
// discover_dicom() walks a folder tree of any layout and file names, reads only the headers
// (values longer than 4 KB, PixelData above all, are skipped with a seek, never read, while their
// lengths are still checked against the file size so that truncated files are caught), ignores
// non-DICOM files (counted), and groups instances by StudyInstanceUID / SeriesInstanceUID.
// load_series() reads the pixels of one series, sorts the planes along the slice normal computed
// from ImageOrientationPatient, checks the geometry (uniform spacing within tolerance, no gaps, no
// duplicates, one orientation and one size), and applies RescaleSlope/Intercept per plane [DICOM
// PS3.3 C.7.6.2, C.7.6.3, C.11.1]. Dynamic and gated PET series are split into frames; multi-frame
// NM (RECON TOMO) and Enhanced CT/PET/MR objects are read through their functional groups;
// compressed transfer syntaxes go through DCMTK's codecs (JPEG baseline/lossless, JPEG-LS, RLE,
// deflate).
#ifndef ONCOTRACE_DICOM_H_
#define ONCOTRACE_DICOM_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "oncotrace/series.h"

namespace oncotrace {

// One series found by discovery: its header (read from the first instance in file order) and
// every file that belongs to it.
namespace dicom {
class ParsedFileCache;  // internal: src/dicom/dicom_file.h
}  // namespace dicom

struct DiscoveredSeries {
  SeriesHeader header;
  std::vector<std::filesystem::path> files;  // sorted by path
  int64_t number_of_frames_in_files = 0;     // sum of NumberOfFrames (1 per single-frame file)
  // Some instance carries PixelData (or float pixel data): an image series, as opposed to
  // RTSTRUCT, SR, PR and other objects without pixels. select_series() counts only these.
  bool has_pixel_data = false;
  // The image files' parsed headers (pixel data not read), kept by discovery so that
  // load_series does not parse the files a second time. Internal; shared between copies of
  // this record; each file's parse is used by the first load only (later loads parse again).
  // Null when DiscoveryOptions::keep_parsed_headers is off.
  std::shared_ptr<dicom::ParsedFileCache> parsed_files;
};

struct DiscoveryResult {
  std::vector<DiscoveredSeries> series;  // sorted by study UID, then series number and UID
  size_t dicom_files = 0;
  size_t non_dicom_files = 0;           // files without a DICOM preamble/meta header, skipped
  std::vector<std::string> unreadable;  // "path: reason" for DICOM files that failed to parse
};

struct DiscoveryOptions {
  // Follow symbolic links to folders.
  bool follow_symlinks = false;
  // Read files that lack the 128-byte preamble and "DICM" (old ACR-NEMA style) as DICOM.
  bool accept_files_without_preamble = true;
  // Keep the parsed headers of image files for load_series (DiscoveredSeries::parsed_files):
  // loading then skips a second parse, about a third of its time on uncompressed PET. Costs
  // memory, tens of KB per file, until the series is loaded or the result destroyed; at most
  // `max_kept_parsed_files` files are kept (the rest are parsed again when loaded).
  bool keep_parsed_headers = true;
  size_t max_kept_parsed_files = 20000;
};

// Discovers the DICOM series below `root` (a folder, or a single file). Throws
// InvalidInputError when `root` does not exist.
DiscoveryResult discover_dicom(const std::filesystem::path& root,
                               const DiscoveryOptions& options = {});

struct SeriesLoadOptions {
  // Maximum deviation of any slice gap from the median gap (mm) before the series is refused as
  // non-uniform. Whole-body PET has small steps at bed junctions (STS_001: 3.19 / 3.29 mm
  // against 3.27 mm); 0.1 mm accepts those and refuses a missing slice.
  double slice_spacing_tolerance_mm = 0.1;
  // Read private elements (GE 0009,10xx; Philips 7053,10xx; Siemens 0071,10xx) even when their
  // private creator element is absent, and record that in SeriesHeader::reader_notes
  // (pet-quantification.md §2, §3.6).
  bool lenient_private_tags = true;
};

// Reads and assembles one discovered series. Throws InvalidInputError (geometry, broken file,
// inconsistent series-level values), UnsupportedDataError (e.g. an unsupported transfer syntax
// or pixel format), with messages naming the series and the files or slices concerned.
ImageSeries load_series(const DiscoveredSeries& series, const SeriesLoadOptions& options = {});

// True for a Parametric Map series (SOP Class 1.2.840.10008.5.1.4.1.1.30), e.g. oncotrace's own
// suv.pm.dcm: a result with Modality PT/NM and pixels, never the study's acquired image.
bool is_parametric_map(const SeriesHeader& header);

// Convenience: discover below `path` and pick a series. With an empty `series_uid` the folder
// must hold exactly one image series (else InvalidInputError listing the series and telling the
// user to pass --series UID).
const DiscoveredSeries& select_series(const DiscoveryResult& discovery,
                                      const std::string& series_uid, const std::string& path);

}  // namespace oncotrace

#endif  // ONCOTRACE_DICOM_H_
