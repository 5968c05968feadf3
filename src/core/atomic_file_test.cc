#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "testing/test_data.h"

namespace oncotrace {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

TEST(AtomicFileTest, WritesContentAndLeavesNoTemporary) {
  testing::TemporaryDirectory folder;
  const auto target = folder.path() / "sub" / "out.json";
  write_file_atomically(target, "{\"a\": 1}");
  EXPECT_EQ(read_all(target), "{\"a\": 1}");
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(target.parent_path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
}

TEST(AtomicFileTest, UncommittedOutputLeavesNothing) {
  testing::TemporaryDirectory folder;
  const auto target = folder.path() / "image.nii.gz";
  {
    AtomicOutput output(target);
    EXPECT_EQ(output.temporary_path().parent_path(), folder.path());
    EXPECT_NE(output.temporary_path().string().find("image.nii.gz"), std::string::npos);
    std::ofstream(output.temporary_path()) << "partial";
    // No commit: simulates a failure after writing started.
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(folder.path()));
}

}  // namespace
}  // namespace oncotrace
