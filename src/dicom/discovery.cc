// discover_dicom() and select_series(): see oncotrace/dicom.h.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <tuple>

#include "dicom/dicom_file.h"
#include "dicom/dicom_header.h"
#include "dicom/pixel_data.h"
#include "dicom/tag_access.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

namespace fs = std::filesystem;

// What discovery learns from one file.
struct FileOutcome {
  enum class Kind { kNotDicom, kUnreadable, kSkipped, kInstance } kind = Kind::kNotDicom;
  std::string reason;  // kUnreadable
  SeriesHeader header;
  int64_t frames = 1;
  bool has_pixel_data = false;
  std::unique_ptr<DcmFileFormat> parsed;  // kept for loading (kInstance with pixels only)
};

std::vector<fs::path> list_files(const fs::path& root, const DiscoveryOptions& options) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(root)) {
    files.push_back(root);
    return files;
  }
  auto directory_options = fs::directory_options::skip_permission_denied;
  if (options.follow_symlinks) directory_options |= fs::directory_options::follow_directory_symlink;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, directory_options, error), end; it != end;
       it.increment(error)) {
    if (error) break;
    std::error_code status_error;
    if (it->is_regular_file(status_error)) files.push_back(it->path());
  }
  if (error) {
    throw InvalidInputError(root.string() + ": cannot list the folder (" + error.message() + ")");
  }
  std::sort(files.begin(), files.end());
  return files;
}

FileOutcome examine_file(const fs::path& path, const DiscoveryOptions& options) {
  FileOutcome outcome;
  if (dicom::sniff_file(path, options.accept_files_without_preamble) ==
      dicom::FileKind::kNotDicom) {
    return outcome;
  }
  try {
    auto file = dicom::open_dicom_file(path);
    const dicom::ItemIndex dataset(*file->getDataset());
    // A media directory (DICOMDIR) indexes other files and holds no image.
    const auto media_class =
        dicom::get_text(dicom::ItemIndex(*file->getMetaInfo()), DCM_MediaStorageSOPClassUID);
    if (media_class && *media_class == UID_MediaStorageDirectoryStorage) {
      outcome.kind = FileOutcome::Kind::kSkipped;
      return outcome;
    }
    outcome.header = dicom::read_series_header(dataset, dicom::HeaderReadOptions{});
    if (outcome.header.series_instance_uid.empty()) {
      outcome.kind = FileOutcome::Kind::kUnreadable;
      outcome.reason = "no SeriesInstanceUID (0020,000E)";
      return outcome;
    }
    const dicom::PixelFormat format = dicom::read_pixel_format(dataset);
    outcome.frames = format.number_of_frames;
    outcome.has_pixel_data = format.has_pixel_data || format.has_float_pixel_data;
    outcome.kind = FileOutcome::Kind::kInstance;
    if (options.keep_parsed_headers && outcome.has_pixel_data) outcome.parsed = std::move(file);
  } catch (const Error& error) {
    outcome.kind = FileOutcome::Kind::kUnreadable;
    outcome.reason = error.what();
    // open_dicom_file prefixes the path; the list entry is "path: reason" once.
    const std::string prefix = path.string() + ": ";
    if (outcome.reason.rfind(prefix, 0) == 0) outcome.reason.erase(0, prefix.size());
  }
  return outcome;
}

long long series_number_value(const std::string& text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || text.empty()) return -1;
  return value;
}

// Modalities that never hold an image to quantify, even when they carry pixels (SEG).
bool is_image_series(const DiscoveredSeries& series) {
  static constexpr const char* kNonImageModalities[] = {"RTSTRUCT", "SEG",    "SR",  "PR",
                                                        "KO",       "RTPLAN", "REG", "DOC"};
  for (const char* modality : kNonImageModalities) {
    if (series.header.modality == modality) return false;
  }
  // A Parametric Map (e.g. oncotrace's suv.pm.dcm) has Modality PT and pixels but is a result,
  // not an acquired image: it must not make a study folder ambiguous.
  if (is_parametric_map(series.header)) return false;
  return series.has_pixel_data;
}

std::string list_series(const std::vector<const DiscoveredSeries*>& series) {
  std::string text;
  for (const DiscoveredSeries* entry : series) {
    text += "\n  " + entry->header.series_instance_uid + "  " +
            (entry->header.modality.empty() ? "?" : entry->header.modality) + "  \"" +
            entry->header.series_description + "\"  " + std::to_string(entry->files.size()) +
            " file(s)";
  }
  return text;
}

}  // namespace

bool is_parametric_map(const SeriesHeader& header) {
  return header.sop_class_uid == "1.2.840.10008.5.1.4.1.1.30";
}

DiscoveryResult discover_dicom(const fs::path& root, const DiscoveryOptions& options) {
  std::error_code error;
  if (!fs::exists(root, error)) {
    throw InvalidInputError(root.string() + ": no such file or folder");
  }
  const std::vector<fs::path> files = list_files(root, options);
  std::vector<FileOutcome> outcomes(files.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, files.size()), [&](const auto& range) {
    for (size_t i = range.begin(); i != range.end(); ++i)
      outcomes[i] = examine_file(files[i], options);
  });

  DiscoveryResult result;
  std::map<std::pair<std::string, std::string>, size_t> series_index;  // (study, series) -> slot
  size_t kept_parsed_files = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    FileOutcome& outcome = outcomes[i];
    switch (outcome.kind) {
      case FileOutcome::Kind::kNotDicom:
        ++result.non_dicom_files;
        continue;
      case FileOutcome::Kind::kUnreadable:
        ++result.dicom_files;
        result.unreadable.push_back(files[i].string() + ": " + outcome.reason);
        continue;
      case FileOutcome::Kind::kSkipped:
        ++result.dicom_files;
        continue;
      case FileOutcome::Kind::kInstance:
        ++result.dicom_files;
        break;
    }
    const auto key =
        std::make_pair(outcome.header.study_instance_uid, outcome.header.series_instance_uid);
    auto [slot, inserted] = series_index.emplace(key, result.series.size());
    if (inserted) {
      result.series.push_back(DiscoveredSeries{});
      result.series.back().header = std::move(outcome.header);
    }
    DiscoveredSeries& series = result.series[slot->second];
    series.files.push_back(files[i]);
    series.number_of_frames_in_files += outcome.frames;
    series.has_pixel_data = series.has_pixel_data || outcome.has_pixel_data;
    if (outcome.parsed && kept_parsed_files < options.max_kept_parsed_files) {
      if (!series.parsed_files) series.parsed_files = std::make_shared<dicom::ParsedFileCache>();
      series.parsed_files->keep(files[i], std::move(outcome.parsed));
      ++kept_parsed_files;
    }
    outcome.parsed.reset();
  }
  std::stable_sort(result.series.begin(), result.series.end(),
                   [](const DiscoveredSeries& a, const DiscoveredSeries& b) {
                     return std::make_tuple(a.header.study_instance_uid,
                                            series_number_value(a.header.series_number),
                                            a.header.series_instance_uid) <
                            std::make_tuple(b.header.study_instance_uid,
                                            series_number_value(b.header.series_number),
                                            b.header.series_instance_uid);
                   });
  return result;
}

const DiscoveredSeries& select_series(const DiscoveryResult& discovery,
                                      const std::string& series_uid, const std::string& path) {
  std::vector<const DiscoveredSeries*> all;
  std::vector<const DiscoveredSeries*> images;
  for (const DiscoveredSeries& series : discovery.series) {
    all.push_back(&series);
    if (is_image_series(series)) images.push_back(&series);
    if (!series_uid.empty() && series.header.series_instance_uid == series_uid) return series;
  }
  if (!series_uid.empty()) {
    throw InvalidInputError(path + ": no series with SeriesInstanceUID " + series_uid +
                            (all.empty() ? std::string(" (no DICOM series found)")
                                         : "; the series found are:" + list_series(all)));
  }
  if (images.size() == 1) return *images.front();
  if (images.empty()) {
    std::string message = path + ": no DICOM image series found (" +
                          std::to_string(discovery.dicom_files) + " DICOM file(s), " +
                          std::to_string(discovery.non_dicom_files) + " other file(s)";
    if (!discovery.unreadable.empty()) {
      message += ", " + std::to_string(discovery.unreadable.size()) +
                 " unreadable, first: " + discovery.unreadable.front();
    }
    message += ")";
    if (!all.empty()) message += "; series without images:" + list_series(all);
    throw InvalidInputError(message);
  }
  throw InvalidInputError(
      path + ": " + std::to_string(images.size()) +
      " image series found; pass --series UID to choose one:" + list_series(images));
}

}  // namespace oncotrace
