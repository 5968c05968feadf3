// Cairo drawing helpers shared by the figures of the report module (projection figures in
// figure.cc, response plots in response_figures.cc, heterogeneity plots in
// heterogeneity_figure.cc).
#ifndef ONCOTRACE_REPORT_DRAWING_H_
#define ONCOTRACE_REPORT_DRAWING_H_

#include <cairo.h>

#include <functional>
#include <memory>
#include <string>

#include "oncotrace/report.h"

namespace oncotrace::report_internal {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

// Plot colours shared by the figures: Okabe-Ito colours (distinguishable with the common
// colour-vision deficiencies; Okabe M, Ito K, "Color Universal Design", 2008), black, the grid
// grey and the grey of reference lines (thresholds, cut points).
inline constexpr Rgb kOkabeItoBlue{0, 114, 178};
inline constexpr Rgb kOkabeItoVermillion{213, 94, 0};
inline constexpr Rgb kOkabeItoGreen{0, 158, 115};
inline constexpr Rgb kOkabeItoPurple{204, 121, 167};
inline constexpr Rgb kPlotBlack{0, 0, 0};
inline constexpr Rgb kPlotGrid{225, 225, 225};
inline constexpr Rgb kPlotReferenceLine{60, 60, 60};

// Every text of every figure uses this family (fonts-dejavu-core), so that figures look the same
// on every machine that has it.
inline constexpr const char* kFont = "DejaVu Sans";

// A round tick step (1, 2 or 5 x 10^n) giving about `wanted` intervals over `span` (> 0).
double nice_step(double span, double wanted);
// "%g" of the value, with values within 1e-9 of zero shown as "0".
std::string number_text(double value);
void set_colour(cairo_t* cr, const Rgb& colour);
// Text with its reference point at (x, y): horizontal anchor 0 left, 0.5 centre, 1 right;
// vertical anchor likewise from top to bottom.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double anchor_x,
               double anchor_y, double size, bool bold = false);
// cairo write callback appending to a std::string (closure).
// Throws InvalidInputError "<what> is not a finite number" for NaN and infinities.
void check_finite(double value, const std::string& what);
// Rounds the axis range [low, high] out to a tick step of about `wanted_ticks` intervals; returns
// the step.
double round_axis(double& low, double& high, double wanted_ticks);
// A straight line, solid or dashed (6-4).
void stroke_line(cairo_t* cr, double x0, double y0, double x1, double y1, const Rgb& colour,
                 double width, bool dashed);
// Vertical axis caption, rotated, centred at (x, y).
void draw_vertical_text(cairo_t* cr, const std::string& text, double x, double y, double size);
cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length);

// A width x height drawing encoded as PNG (RGB24), or as SVG with cairo's per-process ids
// ("surface269", "image12") renumbered in order of first appearance, so that the same drawing
// gives the same bytes. Throw InternalError when cairo fails.
std::string render_png(int width, int height, const std::function<void(cairo_t*)>& draw);
std::string render_svg(int width, int height, const std::function<void(cairo_t*)>& draw);

}  // namespace oncotrace::report_internal

#endif  // ONCOTRACE_REPORT_DRAWING_H_
