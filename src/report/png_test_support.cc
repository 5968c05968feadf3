#include "report/png_test_support.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

namespace oncotrace::report_testing {
namespace {

cairo_status_t read_from_string(void* closure, unsigned char* data, unsigned int length) {
  auto* source = static_cast<std::pair<const std::string*, size_t>*>(closure);
  if (source->second + length > source->first->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(source->first->data() + source->second, length, data);
  source->second += length;
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Image decode_png(const std::string& png) {
  std::pair<const std::string*, size_t> source{&png, 0};
  cairo_surface_t* surface = cairo_image_surface_create_from_png_stream(read_from_string, &source);
  Image image;
  EXPECT_EQ(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return image;
  }
  image.width = cairo_image_surface_get_width(surface);
  image.height = cairo_image_surface_get_height(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < image.height; ++y) {
    const auto* line = reinterpret_cast<const uint32_t*>(data + static_cast<ptrdiff_t>(y) * stride);
    for (int x = 0; x < image.width; ++x) {
      image.pixels.push_back({static_cast<uint8_t>((line[x] >> 16) & 0xFF),
                              static_cast<uint8_t>((line[x] >> 8) & 0xFF),
                              static_cast<uint8_t>(line[x] & 0xFF)});
    }
  }
  cairo_surface_destroy(surface);
  return image;
}

uint32_t colour_key(const Rgb& colour) {
  return (uint32_t{colour.red} << 16) | (uint32_t{colour.green} << 8) | colour.blue;
}

size_t count_pixels(const Image& image, const Rgb& colour) {
  return static_cast<size_t>(std::count(image.pixels.begin(), image.pixels.end(), colour));
}

}  // namespace oncotrace::report_testing
