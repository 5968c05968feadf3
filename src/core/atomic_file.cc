#include "core/atomic_file.h"

#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "oncotrace/error.h"

namespace oncotrace {

AtomicOutput::AtomicOutput(std::filesystem::path destination)
    : destination_(std::move(destination)) {
  const std::filesystem::path folder =
      destination_.has_parent_path() ? destination_.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw InvalidInputError("cannot create output folder " + folder.string() + ": " +
                            error.message());
  }
  std::random_device device;
  std::ostringstream name;
  name << ".oncotrace-tmp-" << std::hex << device() << "-" << destination_.filename().string();
  temporary_path_ = folder / name.str();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
  }
}

void AtomicOutput::commit() {
  std::error_code error;
  std::filesystem::rename(temporary_path_, destination_, error);
  if (error) {
    throw InvalidInputError("cannot move " + temporary_path_.string() + " to " +
                            destination_.string() + ": " + error.message());
  }
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& destination, std::string_view contents) {
  AtomicOutput output(destination);
  {
    std::ofstream stream(output.temporary_path(), std::ios::binary | std::ios::trunc);
    if (!stream) {
      throw InvalidInputError("cannot write " + destination.string() +
                              ": the folder is not writable");
    }
    stream.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    stream.flush();
    if (!stream) throw InvalidInputError("writing " + destination.string() + " failed");
  }
  output.commit();
}

}  // namespace oncotrace
