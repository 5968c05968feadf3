// Waterfall and trajectory plots of a response series, rendered with cairo
// (include/oncotrace/report.h "Response figures").
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/report.h"
#include "report/drawing.h"

namespace oncotrace {
namespace {

using report_internal::check_finite;
using report_internal::draw_text;
using report_internal::draw_vertical_text;
using report_internal::number_text;
using report_internal::render_png;
using report_internal::render_svg;
using report_internal::round_axis;
using report_internal::set_colour;
using report_internal::stroke_line;
using Json = nlohmann::json;

constexpr Rgb kDecrease = report_internal::kOkabeItoGreen;
constexpr Rgb kIncrease = report_internal::kOkabeItoVermillion;
constexpr Rgb kStable{153, 153, 153};
constexpr Rgb kDisappeared = report_internal::kOkabeItoBlue;
constexpr Rgb kNew = report_internal::kOkabeItoPurple;
constexpr Rgb kBlack = report_internal::kPlotBlack;
constexpr Rgb kGrid = report_internal::kPlotGrid;
constexpr Rgb kLineColour = report_internal::kPlotReferenceLine;
constexpr Rgb kSeriesColours[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115},   {204, 121, 167},
                                  {230, 159, 0}, {86, 180, 233}, {120, 120, 120}, {240, 228, 66}};

// Changes are compared as whole hundredths of a percentage point (response.h precision).
int64_t hundredths(double percent) { return std::llround(percent * 100.0); }

Rgb category_colour(const std::string& category) {
  if (category == "decrease") return kDecrease;
  if (category == "increase") return kIncrease;
  if (category == "disappeared") return kDisappeared;
  if (category == "new") return kNew;
  return kStable;
}

std::string category_legend(const std::string& category, double band) {
  const std::string band_text = number_text(band);
  if (category == "decrease") return "decrease >= " + band_text + " %";
  if (category == "increase") return "increase > " + band_text + " %";
  if (category == "disappeared") return "disappeared";
  if (category == "new") return "new lesion";
  return "within the +/-" + band_text + " % band";
}

// ---------------------------------------------------------------------------------------------
// Waterfall

constexpr double kWaterfallLeft = 78.0;
constexpr double kWaterfallRight = 190.0;  // threshold-line labels
constexpr double kWaterfallTop = 74.0;     // title and legend
constexpr double kWaterfallBottom = 96.0;  // lesion ids and caption
constexpr double kPlotHeight = 320.0;
constexpr double kBarSlot = 34.0;
constexpr double kMaxAxisPercent = 300.0;  // larger increases are clipped and labelled

struct WaterfallGeometry {
  int width = 0, height = 0;
  double plot_x = 0, plot_y = 0, plot_width = 0, plot_height = 0;
  double low = -100, high = 50, step = 25;
  double y_of(double percent) const {
    return plot_y + (high - percent) / (high - low) * plot_height;
  }
};

void check_waterfall(const WaterfallPlot& plot) {
  if (plot.bars.empty()) {
    throw InvalidInputError("waterfall plot '" + plot.title + "': no lesion to draw");
  }
  check_finite(plot.band_percent, "waterfall band");
  for (const WaterfallBar& bar : plot.bars) {
    if (bar.percent_change) check_finite(*bar.percent_change, "change of " + bar.lesion_id);
  }
  for (const ThresholdLine& line : plot.lines) check_finite(line.percent, line.label);
}

WaterfallGeometry waterfall_geometry(const WaterfallPlot& plot) {
  WaterfallGeometry geometry;
  double low = -100.0;
  double high = std::max(50.0, plot.band_percent + 10.0);
  for (const WaterfallBar& bar : plot.bars) {
    if (!bar.percent_change) continue;
    low = std::min(low, *bar.percent_change);
    high = std::max(high, std::min(*bar.percent_change, kMaxAxisPercent));
  }
  for (const ThresholdLine& line : plot.lines) {
    low = std::min(low, line.percent);
    high = std::max(high, line.percent + 10.0);
  }
  geometry.step = round_axis(low, high, 8.0);
  geometry.low = low;
  geometry.high = high;
  geometry.plot_x = kWaterfallLeft;
  geometry.plot_y = kWaterfallTop;
  geometry.plot_width = std::max(360.0, kBarSlot * static_cast<double>(plot.bars.size()));
  geometry.plot_height = kPlotHeight;
  geometry.width =
      static_cast<int>(std::ceil(kWaterfallLeft + geometry.plot_width + kWaterfallRight));
  geometry.height = static_cast<int>(std::ceil(kWaterfallTop + kPlotHeight + kWaterfallBottom));
  return geometry;
}

void fill_hatched(cairo_t* cr, double x, double y, double width, double height, const Rgb& colour) {
  cairo_save(cr);
  cairo_rectangle(cr, x, y, width, height);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  set_colour(cr, colour);
  cairo_set_line_width(cr, 2.0);
  for (int stripe = 0; 7.0 * stripe - height < width; ++stripe) {
    const double offset = 7.0 * stripe - height;
    cairo_move_to(cr, x + offset, y + height);
    cairo_line_to(cr, x + offset + height, y);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
  set_colour(cr, colour);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, x + 0.5, y + 0.5, width - 1.0, height - 1.0);
  cairo_stroke(cr);
}

void draw_waterfall(cairo_t* cr, const WaterfallPlot& plot, const WaterfallGeometry& g) {
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  set_colour(cr, kBlack);
  draw_text(cr, plot.title, g.plot_x, 10.0, 0.0, 0.0, 15.0, true);

  // Legend: the categories present, in a fixed order.
  const std::vector<WaterfallBar> bars = waterfall_order(plot.bars);
  std::set<std::string> present;
  for (const WaterfallBar& bar : bars) present.insert(waterfall_category(bar, plot.band_percent));
  double legend_x = g.plot_x;
  for (const char* category : {"increase", "stable", "decrease", "disappeared", "new"}) {
    if (present.count(category) == 0) continue;
    if (std::string(category) == "new") {
      fill_hatched(cr, legend_x, 40.0, 14.0, 14.0, kNew);
    } else {
      set_colour(cr, category_colour(category));
      cairo_rectangle(cr, legend_x, 40.0, 14.0, 14.0);
      cairo_fill(cr);
    }
    set_colour(cr, kBlack);
    const std::string text = category_legend(category, plot.band_percent);
    draw_text(cr, text, legend_x + 19.0, 47.0, 0.0, 0.5, 11.0);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, text.c_str(), &extents);
    legend_x += 19.0 + extents.x_advance + 16.0;
  }

  // Grid and y ticks.
  for (int tick = 0; g.low + tick * g.step <= g.high + 1e-9; ++tick) {
    const double value = g.low + tick * g.step;
    const double y = g.y_of(value);
    stroke_line(cr, g.plot_x, y, g.plot_x + g.plot_width, y, kGrid, 1.0, false);
    set_colour(cr, kBlack);
    draw_text(cr, number_text(value), g.plot_x - 8.0, y, 1.0, 0.5, 11.0);
  }
  draw_vertical_text(cr, plot.quantity + " change from baseline (%)", 18.0,
                     g.plot_y + g.plot_height / 2.0, 12.0);

  // Bars.
  const double slot = g.plot_width / static_cast<double>(bars.size());
  const double bar_width = std::min(slot * 0.72, 26.0);
  for (size_t index = 0; index < bars.size(); ++index) {
    const WaterfallBar& bar = bars[index];
    const std::string category = waterfall_category(bar, plot.band_percent);
    const double centre = g.plot_x + (static_cast<double>(index) + 0.5) * slot;
    const double x = centre - bar_width / 2.0;
    const double zero = g.y_of(0.0);
    if (!bar.percent_change) {
      fill_hatched(cr, x, g.plot_y, bar_width, zero - g.plot_y, kNew);
    } else {
      const double shown = std::min(*bar.percent_change, g.high);
      const double top = std::min(zero, g.y_of(shown));
      const double bottom = std::max(zero, g.y_of(shown));
      set_colour(cr, category_colour(category));
      cairo_rectangle(cr, x, top, bar_width, std::max(bottom - top, 1.0));
      cairo_fill(cr);
      if (*bar.percent_change > g.high) {
        set_colour(cr, kBlack);
        draw_text(cr, "+" + number_text(std::round(*bar.percent_change)), centre, g.plot_y + 2.0,
                  0.5, 0.0, 9.0, true);
      }
    }
    // Lesion id below the axis, rotated.
    cairo_save(cr);
    cairo_translate(cr, centre, g.plot_y + g.plot_height + 8.0);
    cairo_rotate(cr, -std::numbers::pi / 2.0);
    set_colour(cr, kBlack);
    draw_text(cr, bar.lesion_id, 0.0, 0.0, 1.0, 0.5, 11.0);
    cairo_restore(cr);
  }
  set_colour(cr, kBlack);
  draw_text(cr, "Lesion (sorted by change)", g.plot_x + g.plot_width / 2.0,
            static_cast<double>(g.height) - 8.0, 0.5, 1.0, 12.0);

  // Zero line, threshold lines with labels at the right (pushed apart when they would overlap).
  stroke_line(cr, g.plot_x, g.y_of(0.0), g.plot_x + g.plot_width, g.y_of(0.0), kBlack, 1.2, false);
  std::vector<ThresholdLine> lines = plot.lines;
  std::stable_sort(lines.begin(), lines.end(), [](const ThresholdLine& a, const ThresholdLine& b) {
    return a.percent > b.percent;
  });
  double last_label_y = -1e9;
  for (const ThresholdLine& line : lines) {
    const double y = g.y_of(line.percent);
    stroke_line(cr, g.plot_x, y, g.plot_x + g.plot_width, y, kLineColour, 1.2, line.dashed);
    const double label_y = std::max(y, last_label_y + 13.0);
    last_label_y = label_y;
    set_colour(cr, kLineColour);
    draw_text(cr, line.label, g.plot_x + g.plot_width + 8.0, label_y, 0.0, 0.5, 10.5);
  }
  set_colour(cr, kBlack);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, g.plot_x + 0.5, g.plot_y + 0.5, g.plot_width - 1.0, g.plot_height - 1.0);
  cairo_stroke(cr);
}

// ---------------------------------------------------------------------------------------------
// Trajectory

constexpr double kTrajectoryLeft = 78.0;
constexpr double kTrajectoryRight = 130.0;  // legend
constexpr double kTrajectoryTop = 44.0;
constexpr double kTrajectoryBottom = 74.0;
constexpr double kTrajectoryWidth = 520.0;

void check_trajectory(const TrajectoryPlot& plot) {
  if (plot.timepoint_labels.empty() || plot.lesions.empty()) {
    throw InvalidInputError("trajectory plot '" + plot.title + "': no timepoint or lesion to draw");
  }
  if (plot.days_since_baseline.size() != plot.timepoint_labels.size()) {
    throw InvalidInputError("trajectory plot '" + plot.title +
                            "': days_since_baseline must have one entry per timepoint");
  }
  for (const TrajectoryLesion& lesion : plot.lesions) {
    if (lesion.values.size() != plot.timepoint_labels.size()) {
      throw InvalidInputError("trajectory plot '" + plot.title + "': lesion " + lesion.id +
                              " must have one value per timepoint");
    }
    for (const std::optional<double>& value : lesion.values) {
      if (value) check_finite(*value, "value of " + lesion.id);
    }
  }
}

// x positions of the timepoints: days since baseline when every timepoint has them and they
// increase, else 0, 1, 2, ...
std::vector<double> trajectory_x(const TrajectoryPlot& plot, bool& in_days) {
  std::vector<double> x;
  in_days = true;
  for (size_t index = 0; index < plot.days_since_baseline.size(); ++index) {
    const std::optional<double>& days = plot.days_since_baseline[index];
    if (!days || !std::isfinite(*days) || (!x.empty() && !(*days > x.back()))) {
      in_days = false;
      break;
    }
    x.push_back(*days);
  }
  if (!in_days) {
    x.clear();
    for (size_t index = 0; index < plot.timepoint_labels.size(); ++index) {
      x.push_back(static_cast<double>(index));
    }
  }
  return x;
}

void draw_trajectory(cairo_t* cr, const TrajectoryPlot& plot, int height) {
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  bool in_days = false;
  const std::vector<double> x_values = trajectory_x(plot, in_days);
  double x_low = x_values.front();
  double x_high = x_values.back();
  if (!(x_high > x_low)) x_high = x_low + 1.0;
  const double x_pad = 0.06 * (x_high - x_low);
  x_low -= x_pad;
  x_high += x_pad;
  double y_low = 0.0;
  double y_high = 0.0;
  for (const TrajectoryLesion& lesion : plot.lesions) {
    for (const std::optional<double>& value : lesion.values) {
      if (value) y_high = std::max(y_high, *value);
    }
  }
  y_high = y_high > 0.0 ? y_high * 1.1 : 1.0;
  const double y_step = round_axis(y_low, y_high, 6.0);
  const double plot_x = kTrajectoryLeft;
  const double plot_y = kTrajectoryTop;
  const double plot_width = kTrajectoryWidth;
  const double plot_height = static_cast<double>(height) - kTrajectoryTop - kTrajectoryBottom;
  const auto px = [&](double x) { return plot_x + (x - x_low) / (x_high - x_low) * plot_width; };
  const auto py = [&](double y) { return plot_y + (y_high - y) / (y_high - y_low) * plot_height; };

  set_colour(cr, kBlack);
  draw_text(cr, plot.title, plot_x, 10.0, 0.0, 0.0, 15.0, true);
  for (int tick = 0; y_low + tick * y_step <= y_high + 1e-9; ++tick) {
    const double value = y_low + tick * y_step;
    stroke_line(cr, plot_x, py(value), plot_x + plot_width, py(value), kGrid, 1.0, false);
    set_colour(cr, kBlack);
    draw_text(cr, number_text(value), plot_x - 8.0, py(value), 1.0, 0.5, 11.0);
  }
  for (size_t index = 0; index < x_values.size(); ++index) {
    const double x = px(x_values[index]);
    stroke_line(cr, x, plot_y, x, plot_y + plot_height, kGrid, 1.0, false);
    set_colour(cr, kBlack);
    draw_text(cr, plot.timepoint_labels[index], x, plot_y + plot_height + 8.0, 0.5, 0.0, 11.0);
    if (in_days) {
      draw_text(cr, "day " + number_text(std::round(x_values[index] * 10.0) / 10.0), x,
                plot_y + plot_height + 24.0, 0.5, 0.0, 10.0);
    }
  }
  draw_vertical_text(cr, plot.value_label, 18.0, plot_y + plot_height / 2.0, 12.0);
  draw_text(cr, in_days ? "Timepoint (days since baseline)" : "Timepoint",
            plot_x + plot_width / 2.0, static_cast<double>(height) - 8.0, 0.5, 1.0, 12.0);

  constexpr size_t kColours = sizeof(kSeriesColours) / sizeof(kSeriesColours[0]);
  for (size_t index = 0; index < plot.lesions.size(); ++index) {
    const TrajectoryLesion& lesion = plot.lesions[index];
    const Rgb colour = kSeriesColours[index % kColours];
    const bool dashed = (index / kColours) % 2 == 1;
    set_colour(cr, colour);
    cairo_set_line_width(cr, 2.0);
    const double dashes[] = {6.0, 4.0};
    cairo_set_dash(cr, dashes, dashed ? 2 : 0, 0.0);
    bool drawing = false;
    for (size_t t = 0; t < lesion.values.size(); ++t) {
      if (!lesion.values[t]) {
        drawing = false;  // a gap: the lesion was not measured there
        continue;
      }
      const double x = px(x_values[t]);
      const double y = py(*lesion.values[t]);
      if (drawing) {
        cairo_line_to(cr, x, y);
      } else {
        cairo_move_to(cr, x, y);
      }
      drawing = true;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0.0);
    for (size_t t = 0; t < lesion.values.size(); ++t) {
      if (!lesion.values[t]) continue;
      cairo_arc(cr, px(x_values[t]), py(*lesion.values[t]), 3.5, 0.0, 2.0 * std::numbers::pi);
      cairo_fill(cr);
    }
    // Legend entry.
    const double legend_y = plot_y + 8.0 + 16.0 * static_cast<double>(index);
    if (legend_y < plot_y + plot_height) {
      stroke_line(cr, plot_x + plot_width + 14.0, legend_y, plot_x + plot_width + 34.0, legend_y,
                  colour, 2.0, dashed);
      set_colour(cr, kBlack);
      draw_text(cr, lesion.id, plot_x + plot_width + 40.0, legend_y, 0.0, 0.5, 11.0);
    }
  }
  set_colour(cr, kBlack);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, plot_x + 0.5, plot_y + 0.5, plot_width - 1.0, plot_height - 1.0);
  cairo_stroke(cr);
}

// ---------------------------------------------------------------------------------------------
// Rendering to PNG and SVG

constexpr int kTrajectoryImageWidth =
    static_cast<int>(kTrajectoryLeft + kTrajectoryWidth + kTrajectoryRight);
constexpr int kTrajectoryImageHeight = 440;

// ---------------------------------------------------------------------------------------------
// response.json

const Json& member(const Json& object, const char* key, const std::string& source) {
  if (!object.is_object() || !object.contains(key)) {
    throw InvalidInputError(source + ": member \"" + key +
                            "\" missing; the file must be a response.json written by oncotrace "
                            "response");
  }
  return object.at(key);
}

std::optional<double> number_or_null(const Json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

// The objects of an array member (none when the member is absent or not an array).
std::vector<const Json*> objects_of(const Json& object, const char* key) {
  std::vector<const Json*> out;
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) return out;
  for (const Json& item : object[key]) {
    if (item.is_object()) out.push_back(&item);
  }
  return out;
}

// The change entry of `quantity` among a lesion's "changes", or null.
const Json* change_of(const Json& lesion, const std::string& quantity) {
  if (!lesion.is_object() || !lesion.contains("changes") || !lesion["changes"].is_array()) {
    return nullptr;
  }
  for (const Json& change : lesion["changes"]) {
    if (change.is_object() && change.value("quantity", "") == quantity) return &change;
  }
  return nullptr;
}

// "g/mL (SUL)" -> "g/mL".
std::string plain_unit(const std::string& unit) {
  const size_t space = unit.find(" (");
  return space == std::string::npos ? unit : unit.substr(0, space);
}

}  // namespace

std::string waterfall_category(const WaterfallBar& bar, double band_percent) {
  if (bar.status == "new" || !bar.percent_change) return "new";
  if (bar.status == "disappeared") return "disappeared";
  const int64_t change = hundredths(*bar.percent_change);
  const int64_t band = hundredths(band_percent);
  if (change <= -band) return "decrease";
  if (change > band) return "increase";
  return "stable";
}

std::vector<WaterfallBar> waterfall_order(const std::vector<WaterfallBar>& bars) {
  std::vector<WaterfallBar> ordered = bars;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const WaterfallBar& a, const WaterfallBar& b) {
                     // New lesions (no change) first, then by decreasing change, then by id.
                     if (a.percent_change.has_value() != b.percent_change.has_value()) {
                       return !a.percent_change.has_value();
                     }
                     if (a.percent_change && *a.percent_change != *b.percent_change) {
                       return *a.percent_change > *b.percent_change;
                     }
                     return a.lesion_id < b.lesion_id;
                   });
  return ordered;
}

std::string render_waterfall_png(const WaterfallPlot& plot) {
  check_waterfall(plot);
  const WaterfallGeometry geometry = waterfall_geometry(plot);
  return render_png(geometry.width, geometry.height,
                    [&](cairo_t* cr) { draw_waterfall(cr, plot, geometry); });
}

std::string render_waterfall_svg(const WaterfallPlot& plot) {
  check_waterfall(plot);
  const WaterfallGeometry geometry = waterfall_geometry(plot);
  return render_svg(geometry.width, geometry.height,
                    [&](cairo_t* cr) { draw_waterfall(cr, plot, geometry); });
}

std::string render_trajectory_png(const TrajectoryPlot& plot) {
  check_trajectory(plot);
  return render_png(kTrajectoryImageWidth, kTrajectoryImageHeight,
                    [&](cairo_t* cr) { draw_trajectory(cr, plot, kTrajectoryImageHeight); });
}

std::string render_trajectory_svg(const TrajectoryPlot& plot) {
  check_trajectory(plot);
  return render_svg(kTrajectoryImageWidth, kTrajectoryImageHeight,
                    [&](cairo_t* cr) { draw_trajectory(cr, plot, kTrajectoryImageHeight); });
}

ResponsePlots response_plots(const std::string& response_json, const std::string& source) {
  Json document;
  try {
    document = Json::parse(response_json);
  } catch (const Json::exception& error) {
    throw InvalidInputError(source + ": not valid JSON (" + error.what() + ")");
  }
  if (!document.is_object() || document.value("schema", "") != "oncotrace-response/1") {
    throw InvalidInputError(source +
                            ": not a response.json (schema \"oncotrace-response/1\" expected)");
  }
  const Json& timepoints = member(document, "timepoints", source);
  const Json& tables = member(document, "change_tables", source);
  const Json& options = member(document, "options", source);
  if (!timepoints.is_array() || !tables.is_array()) {
    throw InvalidInputError(source + ": \"timepoints\" and \"change_tables\" must be arrays");
  }

  // SULpeak when some lesion has a SULpeak change, else SUVmax.
  std::string quantity = "SUVmax";
  for (const Json& table : tables) {
    for (const Json* lesion : objects_of(table, "lesions")) {
      const Json* change = change_of(*lesion, "SULpeak");
      if (change && (change->value("baseline", Json()).is_number() ||
                     change->value("follow_up", Json()).is_number())) {
        quantity = "SULpeak";
      }
    }
  }

  // Threshold lines of the criteria assessed.
  std::set<std::string> criteria;
  if (options.contains("criteria") && options["criteria"].is_array()) {
    for (const Json& name : options["criteria"]) {
      if (name.is_string()) criteria.insert(name.get<std::string>());
    }
  }
  const auto option_number = [&](const char* group, const char* key, double fallback) {
    if (options.contains(group) && options[group].is_object()) {
      const std::optional<double> value = number_or_null(options[group].value(key, Json()));
      if (value) return *value;
    }
    return fallback;
  };
  const double band = option_number("percist", "relative_threshold_percent", 30.0);
  std::vector<ThresholdLine> lines;
  lines.push_back({band, "PERCIST +" + number_text(band) + " %", false});
  lines.push_back({-band, "PERCIST -" + number_text(band) + " %", false});
  const double tbcrc = option_number("tbcrc026", "reduction_percent", 40.0);
  const double phergain = option_number("phergain", "reduction_percent", 40.0);
  if (criteria.count("tbcrc026") != 0 && criteria.count("phergain") != 0 && tbcrc == phergain) {
    lines.push_back({-tbcrc, "TBCRC026/PHERGain -" + number_text(tbcrc) + " %", true});
  } else {
    if (criteria.count("tbcrc026") != 0) {
      lines.push_back({-tbcrc, "TBCRC026 -" + number_text(tbcrc) + " %", true});
    }
    if (criteria.count("phergain") != 0) {
      lines.push_back({-phergain, "PHERGain -" + number_text(phergain) + " %", true});
    }
  }
  if (criteria.count("flt") != 0) {
    const double cut = option_number("flt", "cut_point_percent", -52.9);
    lines.push_back({cut, "FLT " + number_text(cut) + " %", true});
  }

  ResponsePlots plots;
  std::string unit;
  for (const Json& table : tables) {
    if (!table.is_object()) continue;
    WaterfallPlot plot;
    plot.quantity = quantity;
    plot.band_percent = band;
    plot.lines = lines;
    plot.title = quantity + " change, " + table.value("baseline", "baseline") + " to " +
                 table.value("follow_up", "follow-up");
    for (const Json* item : objects_of(table, "lesions")) {
      const Json& lesion = *item;
      WaterfallBar bar;
      bar.lesion_id = lesion.value("id", "");
      bar.organ = lesion.value("organ", Json()).is_string() ? lesion["organ"].get<std::string>()
                                                            : std::string();
      bar.status = lesion.value("status", "");
      const Json* change = change_of(lesion, quantity);
      if (change && unit.empty()) unit = change->value("unit", "");
      if (change) bar.percent_change = number_or_null(change->value("percent_change", Json()));
      if (bar.status == "disappeared" && !bar.percent_change) bar.percent_change = -100.0;
      if (bar.status != "new" && !bar.percent_change) continue;  // not measurable: no bar
      if (bar.status == "new") bar.percent_change.reset();
      plot.bars.push_back(std::move(bar));
    }
    if (!plot.bars.empty()) plots.waterfalls.push_back(std::move(plot));
  }

  // Trajectory: baseline values from any table, follow-up values from the table of that
  // follow-up (matched by label).
  TrajectoryPlot trajectory;
  trajectory.title = quantity + " per lesion across timepoints";
  trajectory.value_label = quantity + (unit.empty() ? "" : " (" + plain_unit(unit) + ")");
  std::map<std::string, size_t> index_of_label;
  for (const Json& timepoint : timepoints) {
    if (!timepoint.is_object()) continue;
    index_of_label[timepoint.value("label", "")] = trajectory.timepoint_labels.size();
    trajectory.timepoint_labels.push_back(timepoint.value("label", ""));
    trajectory.days_since_baseline.push_back(
        number_or_null(timepoint.value("days_since_baseline", Json())));
  }
  std::map<std::string, std::vector<std::optional<double>>> values;
  bool any_value = false;
  for (const Json& table : tables) {
    if (!table.is_object()) continue;
    const auto follow_up = index_of_label.find(table.value("follow_up", ""));
    for (const Json* item : objects_of(table, "lesions")) {
      const Json& lesion = *item;
      const std::string id = lesion.value("id", "");
      auto& row = values[id];
      row.resize(trajectory.timepoint_labels.size());
      const Json* change = change_of(lesion, quantity);
      if (!change) continue;
      if (const auto baseline = number_or_null(change->value("baseline", Json()));
          baseline && !row.empty()) {
        row[0] = baseline;
        any_value = true;
      }
      if (const auto value = number_or_null(change->value("follow_up", Json()));
          value && follow_up != index_of_label.end()) {
        row[follow_up->second] = value;
        any_value = true;
      }
    }
  }
  if (any_value && !trajectory.timepoint_labels.empty()) {
    for (auto& [id, row] : values) trajectory.lesions.push_back({id, row});
    plots.trajectory = std::move(trajectory);
  }
  return plots;
}

std::vector<std::filesystem::path> write_response_figures(
    const std::filesystem::path& response_dir, const std::filesystem::path& figures_dir) {
  const std::filesystem::path source = response_dir / "response.json";
  std::ifstream stream(source, std::ios::binary);
  if (!stream) {
    throw InvalidInputError(source.string() +
                            ": cannot be read; give the output folder of oncotrace response");
  }
  const std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
  const ResponsePlots plots = response_plots(text, source.string());
  std::filesystem::create_directories(figures_dir);
  std::vector<std::filesystem::path> written;
  const auto write = [&](const std::string& name, const std::string& bytes) {
    write_file_atomically(figures_dir / name, bytes);
    written.push_back(figures_dir / name);
  };
  for (size_t index = 0; index < plots.waterfalls.size(); ++index) {
    const std::string stem = "waterfall_" + std::to_string(index + 1);
    write(stem + ".png", render_waterfall_png(plots.waterfalls[index]));
    write(stem + ".svg", render_waterfall_svg(plots.waterfalls[index]));
  }
  if (plots.trajectory) {
    write("trajectory.png", render_trajectory_png(*plots.trajectory));
    write("trajectory.svg", render_trajectory_svg(*plots.trajectory));
  }
  return written;
}

}  // namespace oncotrace
