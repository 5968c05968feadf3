#include "core/large_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace oncotrace {
namespace {

// Same contents as assign(), for a buffer below and one above the huge-page threshold, and a
// buffer that already held other values.
TEST(LargeBufferTest, AssignGivesCountCopiesOfTheFill) {
  for (const size_t count : {size_t{10}, (kHugePageAdviceMinimumBytes / sizeof(float)) + 12345}) {
    std::vector<float> values(7, 3.0F);
    assign_large_buffer(values, count, 1.5F);
    ASSERT_EQ(values.size(), count);
    EXPECT_TRUE(std::all_of(values.begin(), values.end(), [](float v) { return v == 1.5F; }));
  }
  std::vector<uint16_t> labels;
  assign_large_buffer(labels, 1000);
  EXPECT_EQ(labels, std::vector<uint16_t>(1000, 0));
}

TEST(LargeBufferTest, AdviceIgnoresNullAndSmallRanges) {
  advise_huge_pages(nullptr, size_t{1} << 30);
  std::vector<char> small(100);
  advise_huge_pages(small.data(), small.size());
  EXPECT_EQ(small, std::vector<char>(100, 0));
}

}  // namespace
}  // namespace oncotrace
