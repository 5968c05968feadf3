// Test support: PNG bytes from the report's renderers decoded with cairo into RGB pixels.
#ifndef ONCOTRACE_REPORT_PNG_TEST_SUPPORT_H_
#define ONCOTRACE_REPORT_PNG_TEST_SUPPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "oncotrace/report.h"

namespace oncotrace::report_testing {

struct Image {
  int width = 0, height = 0;
  std::vector<Rgb> pixels;  // row-major
  Rgb at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// Decodes PNG bytes; a decoding failure is a test failure and gives an empty image.
Image decode_png(const std::string& png);

// A colour as 0xRRGGBB.
uint32_t colour_key(const Rgb& colour);

// The number of pixels of exactly `colour`.
size_t count_pixels(const Image& image, const Rgb& colour);

}  // namespace oncotrace::report_testing

#endif  // ONCOTRACE_REPORT_PNG_TEST_SUPPORT_H_
