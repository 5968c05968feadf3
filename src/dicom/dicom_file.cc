#include "dicom/dicom_file.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <array>
#include <cstring>
#include <fstream>
#include <utility>

#include "dicom/codecs.h"
#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

// Values up to this size are read while parsing; larger ones are loaded on demand.
constexpr Uint32 kDeferredLoadingThresholdBytes = 4096;

bool starts_like_dataset(const unsigned char* bytes) {
  const unsigned little_endian_group = bytes[0] | (bytes[1] << 8);
  const unsigned big_endian_group = (bytes[0] << 8) | bytes[1];
  const auto plausible = [](unsigned group) { return group == 0x0002 || group == 0x0008; };
  return plausible(little_endian_group) || plausible(big_endian_group);
}

}  // namespace

FileKind sniff_file(const std::filesystem::path& path, bool accept_files_without_preamble) {
  std::ifstream stream(path, std::ios::binary);
  std::array<unsigned char, 132> head{};
  stream.read(reinterpret_cast<char*>(head.data()), head.size());
  const std::streamsize count = stream.gcount();
  if (count == static_cast<std::streamsize>(head.size()) &&
      std::memcmp(head.data() + 128, "DICM", 4) == 0) {
    return FileKind::kDicom;
  }
  if (accept_files_without_preamble && count >= 8 && starts_like_dataset(head.data())) {
    return FileKind::kDicom;
  }
  return FileKind::kNotDicom;
}

std::unique_ptr<DcmFileFormat> open_dicom_file(const std::filesystem::path& path) {
  initialise_dcmtk();
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition status = file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange,
                                            kDeferredLoadingThresholdBytes, ERM_autoDetect);
  if (status.bad()) {
    throw InvalidInputError(path.string() + ": not a readable DICOM file (" + status.text() +
                            "); the file may be truncated or damaged");
  }
  return file;
}

ParsedFileCache::ParsedFileCache() = default;
ParsedFileCache::~ParsedFileCache() = default;

void ParsedFileCache::keep(const std::filesystem::path& path, std::unique_ptr<DcmFileFormat> file) {
  const std::lock_guard lock(mutex_);
  files_[path] = std::move(file);
}

std::unique_ptr<DcmFileFormat> ParsedFileCache::take(const std::filesystem::path& path) {
  const std::lock_guard lock(mutex_);
  const auto found = files_.find(path);
  if (found == files_.end()) return nullptr;
  std::unique_ptr<DcmFileFormat> file = std::move(found->second);
  files_.erase(found);
  return file;
}

}  // namespace oncotrace::dicom
