// Atomic output files: write under a temporary name in the destination folder, then rename.
//
// A failed run never leaves a half-written output behind (developers' brief: "nothing is
// lost"). The temporary name keeps the file's extension (".nii.gz"), because writers such as
// ITK choose the format from it:  out/.oncotrace-tmp-<random>-suv.nii.gz -> out/suv.nii.gz.
#ifndef ONCOTRACE_CORE_ATOMIC_FILE_H_
#define ONCOTRACE_CORE_ATOMIC_FILE_H_

#include <filesystem>
#include <string_view>

namespace oncotrace {

class AtomicOutput {
 public:
  // Creates the destination folder if needed and chooses a temporary path beside `destination`.
  explicit AtomicOutput(std::filesystem::path destination);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  // Where the writer must write.
  const std::filesystem::path& temporary_path() const { return temporary_path_; }
  const std::filesystem::path& destination() const { return destination_; }
  // Renames the temporary file to the destination (atomic within one file system).
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temporary_path_;
  bool committed_ = false;
};

// Writes `contents` to `destination` atomically. Throws InvalidInputError when the folder cannot
// be written.
void write_file_atomically(const std::filesystem::path& destination, std::string_view contents);

}  // namespace oncotrace

#endif  // ONCOTRACE_CORE_ATOMIC_FILE_H_
