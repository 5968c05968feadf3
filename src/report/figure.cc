// Colour maps and projection figures rendered with cairo (include/oncotrace/report.h).
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <numbers>
#include <regex>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/report.h"
#include "report/drawing.h"

namespace oncotrace {
namespace report_internal {

// A round tick step giving about `wanted` intervals over `span`.
double nice_step(double span, double wanted) {
  const double raw = span / wanted;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double multiple : {1.0, 2.0, 5.0, 10.0}) {
    if (multiple * power >= raw) return multiple * power;
  }
  return 10.0 * power;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", std::fabs(value) < 1e-9 ? 0.0 : value);
  return text;
}

void set_colour(cairo_t* cr, const Rgb& colour) {
  cairo_set_source_rgb(cr, colour.red / 255.0, colour.green / 255.0, colour.blue / 255.0);
}

// Text with its reference point at (x, y): horizontal anchor 0 left, 0.5 centre, 1 right;
// vertical anchor likewise from top to bottom.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double anchor_x,
               double anchor_y, double size, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  cairo_move_to(cr, x - extents.x_bearing - anchor_x * extents.width,
                y - extents.y_bearing - anchor_y * extents.height);
  cairo_show_text(cr, text.c_str());
}

void check_finite(double value, const std::string& what) {
  if (!std::isfinite(value)) {
    throw InvalidInputError(what + " is not a finite number");
  }
}

// Axis range [low, high] rounded out to a tick step; returns the step.
double round_axis(double& low, double& high, double wanted_ticks) {
  if (!(high > low)) high = low + 1.0;
  const double step = nice_step(high - low, wanted_ticks);
  low = std::floor(low / step) * step;
  high = std::ceil(high / step) * step;
  return step;
}

void stroke_line(cairo_t* cr, double x0, double y0, double x1, double y1, const Rgb& colour,
                 double width, bool dashed) {
  set_colour(cr, colour);
  cairo_set_line_width(cr, width);
  const double dashes[] = {6.0, 4.0};
  cairo_set_dash(cr, dashes, dashed ? 2 : 0, 0.0);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0.0);
}

// Vertical axis caption, rotated, centred at (x, y).
void draw_vertical_text(cairo_t* cr, const std::string& text, double x, double y, double size) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -std::numbers::pi / 2.0);
  draw_text(cr, text, 0.0, 0.0, 0.5, 0.5, size);
  cairo_restore(cr);
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string render_png(int width, int height, const std::function<void(cairo_t*)>& draw) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                     cairo_surface_destroy);
  ContextPtr cr(cairo_create(surface.get()), cairo_destroy);
  draw(cr.get());
  cairo_surface_flush(surface.get());
  std::string png;
  const cairo_status_t status =
      cairo_surface_write_to_png_stream(surface.get(), append_to_string, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw InternalError(std::string("cairo PNG encoding failed: ") +
                        cairo_status_to_string(status));
  }
  return png;
}

std::string render_svg(int width, int height, const std::function<void(cairo_t*)>& draw) {
  std::string svg;
  SurfacePtr surface(cairo_svg_surface_create_for_stream(append_to_string, &svg, width, height),
                     cairo_surface_destroy);
  ContextPtr cr(cairo_create(surface.get()), cairo_destroy);
  draw(cr.get());
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    throw InternalError(std::string("cairo SVG rendering failed: ") +
                        cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  // cairo numbers surfaces and images per process ("surface269", "image12"): each id is
  // renumbered in order of first appearance, so the same drawing gives the same bytes and
  // distinct ids stay distinct.
  static const std::regex kPerProcessId("(surface|image|source)([0-9]+)");
  std::map<std::string, std::string> renumbered;
  std::map<std::string, int> next_number;
  std::string out;
  out.reserve(svg.size());
  auto position = svg.cbegin();
  for (std::sregex_iterator match(svg.begin(), svg.end(), kPerProcessId), end; match != end;
       ++match) {
    out.append(position, svg.cbegin() + match->position());
    const std::string id = match->str();
    auto [found, inserted] = renumbered.try_emplace(id);
    if (inserted) {
      found->second = match->str(1) + std::to_string(++next_number[match->str(1)]);
    }
    out += found->second;
    position = svg.cbegin() + match->position() + match->length();
  }
  out.append(position, svg.cend());
  return out;
}

}  // namespace report_internal

namespace {

// Margins and gaps of the figure layout, in figure pixels.
constexpr double kMarginLeft = 66.0;    // vertical tick labels and axis caption
constexpr double kMarginTop = 40.0;     // panel titles
constexpr double kMarginBottom = 58.0;  // horizontal tick labels and axis caption
constexpr double kPanelGap = 84.0;      // the next panel's vertical ticks
constexpr double kColourBarGap = 28.0;
constexpr double kColourBarWidth = 18.0;
constexpr double kMarginRight = 96.0;  // colour-bar tick labels and title

uint8_t to_byte(double value) {
  return static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

double clamp01(double value) {
  if (!(value > 0.0)) return 0.0;  // also NaN
  return std::min(value, 1.0);
}

// The contour and number colour that stands out on each display.
Rgb outline_colour(const FigurePanel& panel, PetColormap colormap) {
  if (panel.ct || colormap == PetColormap::kHotIron) return {0, 210, 255};
  return {225, 25, 25};
}

Rgb pixel_colour(const FigurePanel& panel, const FigureStyle& style, size_t pixel) {
  const double fraction =
      clamp01((panel.pet.values[pixel] - style.window_min) / (style.window_max - style.window_min));
  if (!panel.ct) return colormap_colour(style.colormap, fraction);
  const double grey = 255.0 * clamp01((panel.ct->values[pixel] - style.ct_window_min) /
                                      (style.ct_window_max - style.ct_window_min));
  const Rgb pet = colormap_colour(PetColormap::kHotIron, fraction);
  const double opacity = style.fused_opacity * std::min(1.0, 2.0 * fraction);
  auto mix = [&](uint8_t channel) { return to_byte((1.0 - opacity) * grey + opacity * channel); };
  return {mix(pet.red), mix(pet.green), mix(pet.blue)};
}

using report_internal::ContextPtr;
using report_internal::draw_text;
using report_internal::kFont;
using report_internal::nice_step;
using report_internal::number_text;
using report_internal::set_colour;
using report_internal::SurfacePtr;

SurfacePtr panel_surface(const FigurePanel& panel, const FigureStyle& style) {
  const auto width = static_cast<int>(panel.pet.width);
  const auto height = static_cast<int>(panel.pet.height);
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                     cairo_surface_destroy);
  cairo_surface_flush(surface.get());
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int row = 0; row < height; ++row) {
    auto* line = reinterpret_cast<uint32_t*>(data + static_cast<ptrdiff_t>(row) * stride);
    for (int column = 0; column < width; ++column) {
      const Rgb colour = pixel_colour(
          panel, style, static_cast<size_t>(row) * static_cast<size_t>(width) + column);
      line[column] = (uint32_t{colour.red} << 16) | (uint32_t{colour.green} << 8) | colour.blue;
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

SurfacePtr colour_bar_surface(PetColormap colormap) {
  constexpr int kSteps = 256;
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, kSteps),
                     cairo_surface_destroy);
  cairo_surface_flush(surface.get());
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int row = 0; row < kSteps; ++row) {
    const Rgb colour = colormap_colour(colormap, 1.0 - row / static_cast<double>(kSteps - 1));
    *reinterpret_cast<uint32_t*>(data + static_cast<ptrdiff_t>(row) * stride) =
        (uint32_t{colour.red} << 16) | (uint32_t{colour.green} << 8) | colour.blue;
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

// Text with a dark or light halo, legible on any image.
void draw_label(cairo_t* cr, const std::string& text, double x, double y, double anchor_x,
                double anchor_y, double size, const Rgb& colour, const Rgb& halo) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  cairo_move_to(cr, x - extents.x_bearing - anchor_x * extents.width,
                y - extents.y_bearing - anchor_y * extents.height);
  cairo_text_path(cr, text.c_str());
  set_colour(cr, halo);
  cairo_set_line_width(cr, 3.0);
  cairo_stroke_preserve(cr);
  set_colour(cr, colour);
  cairo_fill(cr);
}

void draw_outlines(cairo_t* cr, const FigurePanel& panel, const FigureLayout::PanelBox& box,
                   const Rgb& colour, const Rgb& halo) {
  const Projection& pet = panel.pet;
  const double sx = pet.column_spacing_mm * box.pixels_per_mm;
  const double sy = pet.row_spacing_mm * box.pixels_per_mm;
  cairo_set_line_width(cr, 1.6);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  set_colour(cr, colour);
  for (const LabelFootprint& footprint : panel.outlines) {
    // Pixel edges between inside and outside, in projection pixel corners.
    for (int64_t row = footprint.row0; row < footprint.row0 + footprint.height; ++row) {
      for (int64_t column = footprint.column0; column < footprint.column0 + footprint.width;
           ++column) {
        if (!footprint.contains(column, row)) continue;
        const double left = box.x + static_cast<double>(column) * sx;
        const double top = box.y + static_cast<double>(row) * sy;
        if (!footprint.contains(column - 1, row)) {
          cairo_move_to(cr, left, top);
          cairo_line_to(cr, left, top + sy);
        }
        if (!footprint.contains(column + 1, row)) {
          cairo_move_to(cr, left + sx, top);
          cairo_line_to(cr, left + sx, top + sy);
        }
        if (!footprint.contains(column, row - 1)) {
          cairo_move_to(cr, left, top);
          cairo_line_to(cr, left + sx, top);
        }
        if (!footprint.contains(column, row + 1)) {
          cairo_move_to(cr, left, top + sy);
          cairo_line_to(cr, left + sx, top + sy);
        }
      }
    }
  }
  cairo_stroke(cr);
  for (const LabelFootprint& footprint : panel.outlines) {
    const double right = box.x + static_cast<double>(footprint.column0 + footprint.width) * sx;
    const double top = box.y + static_cast<double>(footprint.row0) * sy;
    draw_label(cr, std::to_string(footprint.label), right + 3.0, top, 0.0, 0.5, 12.0, colour, halo);
  }
}

void draw_axes(cairo_t* cr, const FigurePanel& panel, const FigureLayout::PanelBox& box) {
  const Projection& pet = panel.pet;
  cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_stroke(cr);
  // Horizontal axis: world x (coronal) or y (sagittal), growing to the right.
  const double column_start = pet.column_origin_mm - 0.5 * pet.column_spacing_mm;
  const double column_end = column_start + static_cast<double>(pet.width) * pet.column_spacing_mm;
  const double column_step = nice_step(column_end - column_start, 4.0);
  const auto first_column_tick = static_cast<int64_t>(std::ceil(column_start / column_step));
  for (int64_t tick = first_column_tick; static_cast<double>(tick) * column_step <= column_end;
       ++tick) {
    const double value = static_cast<double>(tick) * column_step;
    const double x = box.x + (value - column_start) * box.pixels_per_mm;
    cairo_move_to(cr, x, box.y + box.height);
    cairo_line_to(cr, x, box.y + box.height + 5.0);
    cairo_stroke(cr);
    draw_text(cr, number_text(value), x, box.y + box.height + 8.0, 0.5, 0.0, 11.0);
  }
  draw_text(cr, pet.view == ProjectionView::kCoronal ? "x (mm)" : "y (mm)", box.x + box.width / 2.0,
            box.y + box.height + 28.0, 0.5, 0.0, 12.0);
  // Vertical axis: world z, decreasing downwards.
  const double row_top = pet.row_origin_mm + 0.5 * pet.row_spacing_mm;
  const double row_bottom = row_top - static_cast<double>(pet.height) * pet.row_spacing_mm;
  const double row_step = nice_step(row_top - row_bottom, 6.0);
  const auto first_row_tick = static_cast<int64_t>(std::ceil(row_bottom / row_step));
  for (int64_t tick = first_row_tick; static_cast<double>(tick) * row_step <= row_top; ++tick) {
    const double value = static_cast<double>(tick) * row_step;
    const double y = box.y + (row_top - value) * box.pixels_per_mm;
    cairo_move_to(cr, box.x - 5.0, y);
    cairo_line_to(cr, box.x, y);
    cairo_stroke(cr);
    draw_text(cr, number_text(value), box.x - 8.0, y, 1.0, 0.5, 11.0);
  }
  cairo_save(cr);
  cairo_translate(cr, box.x - 52.0, box.y + box.height / 2.0);
  cairo_rotate(cr, -M_PI / 2.0);
  draw_text(cr, "z (mm)", 0.0, 0.0, 0.5, 0.5, 12.0);
  cairo_restore(cr);
  draw_text(cr, panel.title, box.x + box.width / 2.0, box.y - 10.0, 0.5, 1.0, 14.0, true);
}

void draw_orientation_letters(cairo_t* cr, const FigurePanel& panel,
                              const FigureLayout::PanelBox& box, const Rgb& colour,
                              const Rgb& halo) {
  const std::array<char, 4> letters = projection_edge_letters(panel.pet.view);
  const double size = 14.0;
  draw_label(cr, std::string(1, letters[0]), box.x + 4.0, box.y + box.height / 2.0, 0.0, 0.5, size,
             colour, halo);
  draw_label(cr, std::string(1, letters[1]), box.x + box.width - 4.0, box.y + box.height / 2.0, 1.0,
             0.5, size, colour, halo);
  draw_label(cr, std::string(1, letters[2]), box.x + box.width / 2.0, box.y + 4.0, 0.5, 0.0, size,
             colour, halo);
  draw_label(cr, std::string(1, letters[3]), box.x + box.width / 2.0, box.y + box.height - 4.0, 0.5,
             1.0, size, colour, halo);
}

void draw_colour_bar(cairo_t* cr, const FigureLayout& layout, const FigureStyle& style,
                     PetColormap colormap) {
  const SurfacePtr bar = colour_bar_surface(colormap);
  cairo_save(cr);
  cairo_translate(cr, layout.colour_bar_x, layout.colour_bar_y);
  cairo_scale(cr, layout.colour_bar_width, layout.colour_bar_height / 256.0);
  cairo_set_source_surface(cr, bar.get(), 0.0, 0.0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, layout.colour_bar_x, layout.colour_bar_y, layout.colour_bar_width,
                  layout.colour_bar_height);
  cairo_stroke(cr);
  const double span = style.window_max - style.window_min;
  const double step = nice_step(span, 5.0);
  const double right = layout.colour_bar_x + layout.colour_bar_width;
  const auto first_tick = static_cast<int64_t>(std::ceil(style.window_min / step));
  for (int64_t tick = first_tick;
       static_cast<double>(tick) * step <= style.window_max + 1e-9 * span; ++tick) {
    const double value = static_cast<double>(tick) * step;
    const double y =
        layout.colour_bar_y + layout.colour_bar_height * (1.0 - (value - style.window_min) / span);
    cairo_move_to(cr, right, y);
    cairo_line_to(cr, right + 5.0, y);
    cairo_stroke(cr);
    draw_text(cr, number_text(value), right + 8.0, y, 0.0, 0.5, 11.0);
  }
  cairo_save(cr);
  cairo_translate(cr, right + 70.0, layout.colour_bar_y + layout.colour_bar_height / 2.0);
  cairo_rotate(cr, -M_PI / 2.0);
  draw_text(cr, style.unit_label, 0.0, 0.0, 0.5, 0.5, 12.0);
  cairo_restore(cr);
}

void check_figure(const std::vector<FigurePanel>& panels, const FigureStyle& style) {
  if (panels.empty()) throw InvalidInputError("a figure needs at least one projection");
  if (!(style.window_max > style.window_min)) {
    throw InvalidInputError("figure window " + number_text(style.window_min) + ".." +
                            number_text(style.window_max) +
                            ": the maximum must be above the minimum");
  }
  for (const FigurePanel& panel : panels) {
    if (panel.pet.width <= 0 || panel.pet.height <= 0 ||
        panel.pet.values.size() != static_cast<size_t>(panel.pet.width * panel.pet.height)) {
      throw InvalidInputError("figure panel '" + panel.title + "' has no image");
    }
    if (panel.ct && panel.ct->values.size() != panel.pet.values.size()) {
      throw InvalidInputError("figure panel '" + panel.title +
                              "': the CT projection does not match the PET projection");
    }
  }
}

void draw_figure(cairo_t* cr, const std::vector<FigurePanel>& panels, const FigureStyle& style,
                 const FigureLayout& layout) {
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  bool any_ct = false;
  for (size_t index = 0; index < panels.size(); ++index) {
    const FigurePanel& panel = panels[index];
    const FigureLayout::PanelBox& box = layout.panels[index];
    any_ct = any_ct || panel.ct.has_value();
    const SurfacePtr image = panel_surface(panel, style);
    cairo_save(cr);
    cairo_translate(cr, box.x, box.y);
    cairo_scale(cr, panel.pet.column_spacing_mm * box.pixels_per_mm,
                panel.pet.row_spacing_mm * box.pixels_per_mm);
    cairo_set_source_surface(cr, image.get(), 0.0, 0.0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    const Rgb colour = outline_colour(panel, style.colormap);
    const bool dark_background = panel.ct || style.colormap == PetColormap::kHotIron;
    const Rgb halo = dark_background ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
    draw_outlines(cr, panel, box, colour, halo);
    draw_orientation_letters(cr, panel, box, dark_background ? Rgb{255, 255, 255} : Rgb{40, 40, 40},
                             halo);
    draw_axes(cr, panel, box);
  }
  draw_colour_bar(cr, layout, style, any_ct ? PetColormap::kHotIron : style.colormap);
}

}  // namespace

std::optional<PetColormap> parse_pet_colormap(const std::string& name) {
  if (name == "inverse-grey" || name == "inverse-gray") return PetColormap::kInverseGrey;
  if (name == "hot-iron") return PetColormap::kHotIron;
  return std::nullopt;
}

std::string pet_colormap_name(PetColormap colormap) {
  return colormap == PetColormap::kHotIron ? "hot-iron" : "inverse-grey";
}

Rgb colormap_colour(PetColormap colormap, double fraction) {
  const double t = clamp01(fraction);
  if (colormap == PetColormap::kInverseGrey) {
    const uint8_t grey = to_byte(255.0 * (1.0 - t));
    return {grey, grey, grey};
  }
  // DICOM PS3.6 B.1.1: 256 entries; entry n has red 2n (n < 128) else 255, green 2(n - 128)
  // (n >= 128) else 0, blue 4(n - 192) (n >= 192) else 0.
  const int entry = static_cast<int>(std::lround(255.0 * t));
  Rgb colour;
  colour.red = static_cast<uint8_t>(entry < 128 ? 2 * entry : 255);
  colour.green = static_cast<uint8_t>(entry < 128 ? 0 : 2 * (entry - 128));
  colour.blue = static_cast<uint8_t>(entry < 192 ? 0 : 4 * (entry - 192));
  return colour;
}

std::array<double, 2> FigureLayout::pixel_centre(size_t panel, const Projection& projection,
                                                 double column, double row) const {
  const PanelBox& box = panels.at(panel);
  return {box.x + (column + 0.5) * projection.column_spacing_mm * box.pixels_per_mm,
          box.y + (row + 0.5) * projection.row_spacing_mm * box.pixels_per_mm};
}

FigureLayout layout_figure(const std::vector<FigurePanel>& panels, const FigureStyle& style) {
  FigureLayout layout;
  double tallest_mm = 0.0;
  for (const FigurePanel& panel : panels) {
    tallest_mm =
        std::max(tallest_mm, static_cast<double>(panel.pet.height) * panel.pet.row_spacing_mm);
  }
  const double pixels_per_mm = tallest_mm > 0.0 ? style.panel_height_px / tallest_mm : 1.0;
  double x = kMarginLeft;
  double bottom = kMarginTop;
  for (size_t index = 0; index < panels.size(); ++index) {
    const Projection& pet = panels[index].pet;
    FigureLayout::PanelBox box;
    box.pixels_per_mm = pixels_per_mm;
    box.x = x;
    box.y = kMarginTop;
    box.width = static_cast<double>(pet.width) * pet.column_spacing_mm * pixels_per_mm;
    box.height = static_cast<double>(pet.height) * pet.row_spacing_mm * pixels_per_mm;
    layout.panels.push_back(box);
    x += box.width + (index + 1 < panels.size() ? kPanelGap : 0.0);
    bottom = std::max(bottom, box.y + box.height);
  }
  layout.colour_bar_x = x + kColourBarGap;
  layout.colour_bar_y = kMarginTop;
  layout.colour_bar_width = kColourBarWidth;
  layout.colour_bar_height = bottom - kMarginTop;
  layout.width = static_cast<int>(std::ceil(layout.colour_bar_x + kColourBarWidth + kMarginRight));
  layout.height = static_cast<int>(std::ceil(bottom + kMarginBottom));
  return layout;
}

std::string render_figure_png(const std::vector<FigurePanel>& panels, const FigureStyle& style) {
  check_figure(panels, style);
  const FigureLayout layout = layout_figure(panels, style);
  return report_internal::render_png(layout.width, layout.height,
                                     [&](cairo_t* cr) { draw_figure(cr, panels, style, layout); });
}

std::string render_figure_svg(const std::vector<FigurePanel>& panels, const FigureStyle& style) {
  check_figure(panels, style);
  const FigureLayout layout = layout_figure(panels, style);
  return report_internal::render_svg(layout.width, layout.height,
                                     [&](cairo_t* cr) { draw_figure(cr, panels, style, layout); });
}

}  // namespace oncotrace
