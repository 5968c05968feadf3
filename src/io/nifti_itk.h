// Internal interface of the ITK-backed NIfTI reader, for the sidecar code in the same module.
//
// The public functions in oncotrace/nifti.h log the reader's notes (qform/sform disagreements,
// an ignored sheared sform) with spdlog; read_nifti_series() passes them on to
// SeriesHeader::reader_notes instead, so they reach the audit.
#ifndef ONCOTRACE_IO_NIFTI_ITK_H_
#define ONCOTRACE_IO_NIFTI_ITK_H_

#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/volume.h"

namespace oncotrace::io_internal {

struct NiftiFrames {
  std::vector<ImageVolume> frames;  // one per time point (one for a 3D file)
  std::vector<std::string> notes;   // what the reader noticed about the header
};

// Reads a 3D or 4D NIfTI image as float volumes without logging the notes.
NiftiFrames read_nifti_frames_with_notes(const std::filesystem::path& path);

}  // namespace oncotrace::io_internal

#endif  // ONCOTRACE_IO_NIFTI_ITK_H_
