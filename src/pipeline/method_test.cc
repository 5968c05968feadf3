#include <gtest/gtest.h>

#include "oncotrace/error.h"
#include "oncotrace/pipeline.h"

namespace oncotrace {
namespace {

TEST(SegmentationMethodTest, ParsesEveryForm) {
  const SegmentationMethod fixed = parse_segmentation_method("fixed:4.0");
  EXPECT_EQ(fixed.kind, SegmentationMethodKind::kFixed);
  EXPECT_DOUBLE_EQ(fixed.value, 4.0);
  EXPECT_EQ(fixed.text, "fixed:4");
  EXPECT_FALSE(fixed.is_relative());

  const SegmentationMethod percent = parse_segmentation_method("percent-max:41");
  EXPECT_EQ(percent.kind, SegmentationMethodKind::kPercentMax);
  EXPECT_DOUBLE_EQ(percent.value, 41.0);
  EXPECT_TRUE(percent.is_relative());

  EXPECT_EQ(parse_segmentation_method("a50").kind, SegmentationMethodKind::kA50);
  EXPECT_TRUE(parse_segmentation_method("a50").is_relative());
  EXPECT_EQ(parse_segmentation_method("percist-liver").kind, SegmentationMethodKind::kPercistLiver);
  EXPECT_EQ(parse_segmentation_method("percist-blood-pool").kind,
            SegmentationMethodKind::kPercistBloodPool);
  const SegmentationMethod multiple = parse_segmentation_method("liver-multiple:1.5");
  EXPECT_EQ(multiple.kind, SegmentationMethodKind::kLiverMultiple);
  EXPECT_DOUBLE_EQ(multiple.value, 1.5);
}

TEST(SegmentationMethodTest, RefusesMalformedStrings) {
  for (const char* text : {"otsu", "fixed", "fixed:", "fixed:abc", "fixed:-1", "percent-max:150",
                           "a50:3", "percist-liver:2", "liver-multiple:0", "fixed:4x"}) {
    try {
      parse_segmentation_method(text);
      ADD_FAILURE() << text << " was accepted";
    } catch (const InvalidInputError& error) {
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace oncotrace
