// The multi-tracer heterogeneity figure: per-lesion FDG uptake against a receptor tracer's
// uptake, quadrants marked (include/oncotrace/report.h "Multi-tracer heterogeneity figure").
// The quadrant reading follows clinical-context.md §2.4: FDG-avid lesions without receptor
// uptake are the discordant ones that matter for a receptor-targeted treatment.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>

#include "oncotrace/error.h"
#include "oncotrace/report.h"
#include "report/drawing.h"
#include "report/report_internal.h"

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
using report_internal::text_of;
using Json = nlohmann::json;

constexpr Rgb kPositive = report_internal::kOkabeItoBlue;
constexpr Rgb kNegative = report_internal::kOkabeItoVermillion;
constexpr Rgb kOther{120, 120, 120};
constexpr Rgb kBlack = report_internal::kPlotBlack;
constexpr Rgb kGrid = report_internal::kPlotGrid;
constexpr Rgb kThresholdColour = report_internal::kPlotReferenceLine;
// Quadrant shading: the discordant FDG+/target- quadrant is tinted, the others very light.
constexpr Rgb kDiscordantShade{253, 236, 224};
constexpr Rgb kConcordantShade{236, 244, 250};

constexpr double kLeft = 78.0;
constexpr double kTop = 52.0;
constexpr double kPlotWidth = 440.0;
constexpr double kPlotHeight = 360.0;
constexpr double kRight = 200.0;  // legend
constexpr double kBottom = 58.0;
constexpr int kImageWidth = static_cast<int>(kLeft + kPlotWidth + kRight);
constexpr int kImageHeight = static_cast<int>(kTop + kPlotHeight + kBottom);

std::optional<double> number_member(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number()) {
    return std::nullopt;
  }
  return object[key].get<double>();
}

const Json& array_member(const Json& object, const char* key, const std::string& source) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) {
    throw InvalidInputError(source + ": member \"" + key +
                            "\" missing or not an array; the file must be a patient.json written "
                            "by oncotrace patient");
  }
  return object[key];
}

// The most frequent value (the smallest among equally frequent ones); `differs` tells whether
// the values were not all equal.
std::optional<double> most_common(const std::vector<double>& values, bool& differs) {
  differs = false;
  if (values.empty()) return std::nullopt;
  std::map<double, int> counts;
  for (const double value : values) ++counts[value];
  differs = counts.size() > 1;
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  return best->first;
}

const Json* study_value(const Json& lesion, const std::string& study) {
  if (!lesion.contains("per_study") || !lesion["per_study"].is_array()) return nullptr;
  for (const Json& value : lesion["per_study"]) {
    if (text_of(value, "study") == study) return &value;
  }
  return nullptr;
}

const Json* status_for(const Json& lesion, const std::string& study) {
  if (!lesion.contains("status") || !lesion["status"].is_array()) return nullptr;
  for (const Json& status : lesion["status"]) {
    if (text_of(status, "study") == study) return &status;
  }
  return nullptr;
}

Rgb status_colour(const std::string& status) {
  if (status == "positive") return kPositive;
  if (status == "negative") return kNegative;
  return kOther;
}

void check_plot(const HeterogeneityPlot& plot) {
  if (plot.points.empty()) {
    throw InvalidInputError("heterogeneity plot '" + plot.title + "': no lesion to draw");
  }
  for (const HeterogeneityPoint& point : plot.points) {
    check_finite(point.fdg_value, "FDG value of " + point.lesion_id);
    check_finite(point.target_value, plot.tracer + " value of " + point.lesion_id);
  }
  if (plot.x_threshold) check_finite(*plot.x_threshold, "FDG threshold");
  if (plot.y_threshold) check_finite(*plot.y_threshold, plot.tracer + " threshold");
}

void draw_heterogeneity(cairo_t* cr, const HeterogeneityPlot& plot) {
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_paint(cr);
  double x_low = 0.0;
  double y_low = 0.0;
  double x_high = plot.x_threshold.value_or(0.0);
  double y_high = plot.y_threshold.value_or(0.0);
  for (const HeterogeneityPoint& point : plot.points) {
    x_high = std::max(x_high, point.fdg_value);
    y_high = std::max(y_high, point.target_value);
  }
  x_high = x_high > 0.0 ? x_high * 1.12 : 1.0;
  y_high = y_high > 0.0 ? y_high * 1.12 : 1.0;
  const double x_step = round_axis(x_low, x_high, 6.0);
  const double y_step = round_axis(y_low, y_high, 6.0);
  const auto px = [&](double x) { return kLeft + (x - x_low) / (x_high - x_low) * kPlotWidth; };
  const auto py = [&](double y) { return kTop + (y_high - y) / (y_high - y_low) * kPlotHeight; };

  // Quadrants (only when both thresholds exist).
  if (plot.x_threshold && plot.y_threshold) {
    const double tx = px(*plot.x_threshold);
    const double ty = py(*plot.y_threshold);
    set_colour(cr, kDiscordantShade);  // FDG+ (right), target- (below)
    cairo_rectangle(cr, tx, ty, kLeft + kPlotWidth - tx, kTop + kPlotHeight - ty);
    cairo_fill(cr);
    set_colour(cr, kConcordantShade);  // FDG+ / target+
    cairo_rectangle(cr, tx, kTop, kLeft + kPlotWidth - tx, ty - kTop);
    cairo_fill(cr);
  }
  for (int tick = 0; x_low + tick * x_step <= x_high + 1e-9; ++tick) {
    const double value = x_low + tick * x_step;
    stroke_line(cr, px(value), kTop, px(value), kTop + kPlotHeight, kGrid, 1.0, false);
    set_colour(cr, kBlack);
    draw_text(cr, number_text(value), px(value), kTop + kPlotHeight + 6.0, 0.5, 0.0, 11.0);
  }
  for (int tick = 0; y_low + tick * y_step <= y_high + 1e-9; ++tick) {
    const double value = y_low + tick * y_step;
    stroke_line(cr, kLeft, py(value), kLeft + kPlotWidth, py(value), kGrid, 1.0, false);
    set_colour(cr, kBlack);
    draw_text(cr, number_text(value), kLeft - 8.0, py(value), 1.0, 0.5, 11.0);
  }
  set_colour(cr, kBlack);
  draw_text(cr, plot.title, kLeft, 12.0, 0.0, 0.0, 15.0, true);
  draw_text(cr, plot.x_label, kLeft + kPlotWidth / 2.0, kImageHeight - 10.0, 0.5, 1.0, 12.0);
  draw_vertical_text(cr, plot.y_label, 18.0, kTop + kPlotHeight / 2.0, 12.0);

  // Threshold lines and quadrant counts.
  std::map<std::string, int> counts;
  for (const HeterogeneityPoint& point : plot.points) ++counts[heterogeneity_quadrant(point)];
  if (plot.x_threshold) {
    const double x = px(*plot.x_threshold);
    stroke_line(cr, x, kTop, x, kTop + kPlotHeight, kThresholdColour, 1.5, true);
    set_colour(cr, kThresholdColour);
    draw_text(cr, "FDG avid >= " + number_text(std::round(*plot.x_threshold * 100.0) / 100.0),
              x + 4.0, kTop + kPlotHeight - 4.0, 0.0, 1.0, 10.0);
  }
  if (plot.y_threshold) {
    const double y = py(*plot.y_threshold);
    stroke_line(cr, kLeft, y, kLeft + kPlotWidth, y, kThresholdColour, 1.5, true);
    set_colour(cr, kThresholdColour);
    draw_text(cr,
              plot.target + "+ >= " + number_text(std::round(*plot.y_threshold * 100.0) / 100.0),
              kLeft + 4.0, y - 3.0, 0.0, 1.0, 10.0);
  }
  if (plot.x_threshold && plot.y_threshold) {
    const std::string target = plot.target;
    const auto label = [&](const std::string& quadrant, double x, double y, double anchor_x,
                           double anchor_y) {
      const auto found = counts.find(quadrant);
      const int count = found == counts.end() ? 0 : found->second;
      std::string text = quadrant;
      const size_t slash = text.find("/T");
      if (slash != std::string::npos) text.replace(slash + 1, 1, target);
      set_colour(cr, kBlack);
      draw_text(cr, text + ": " + std::to_string(count), x, y, anchor_x, anchor_y, 11.0, true);
    };
    label("FDG+/T+", kLeft + kPlotWidth - 6.0, kTop + 6.0, 1.0, 0.0);
    label("FDG-/T+", kLeft + 6.0, kTop + 6.0, 0.0, 0.0);
    label("FDG+/T-", kLeft + kPlotWidth - 6.0, kTop + kPlotHeight - 20.0, 1.0, 1.0);
    label("FDG-/T-", kLeft + 6.0, kTop + kPlotHeight - 20.0, 0.0, 1.0);
  }

  // Points, in lesion order; hollow when not FDG-avid.
  for (const HeterogeneityPoint& point : plot.points) {
    const double x = px(point.fdg_value);
    const double y = py(point.target_value);
    set_colour(cr, status_colour(point.target_status));
    cairo_arc(cr, x, y, 5.0, 0.0, 2.0 * std::numbers::pi);
    if (point.fdg_avid.value_or(false)) {
      cairo_fill(cr);
    } else {
      cairo_set_line_width(cr, 2.0);
      cairo_stroke(cr);
    }
    set_colour(cr, kBlack);
    draw_text(cr, point.lesion_id, x + 7.0, y - 2.0, 0.0, 1.0, 10.0);
  }
  set_colour(cr, kBlack);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, kLeft + 0.5, kTop + 0.5, kPlotWidth - 1.0, kPlotHeight - 1.0);
  cairo_stroke(cr);

  // Legend.
  const double legend_x = kLeft + kPlotWidth + 16.0;
  double legend_y = kTop + 8.0;
  const std::vector<std::pair<std::string, Rgb>> entries{{plot.target + " positive", kPositive},
                                                         {plot.target + " negative", kNegative},
                                                         {"other / not assessable", kOther}};
  for (const auto& [text, colour] : entries) {
    set_colour(cr, colour);
    cairo_arc(cr, legend_x + 5.0, legend_y, 5.0, 0.0, 2.0 * std::numbers::pi);
    cairo_fill(cr);
    set_colour(cr, kBlack);
    draw_text(cr, text, legend_x + 16.0, legend_y, 0.0, 0.5, 11.0);
    legend_y += 18.0;
  }
  legend_y += 6.0;
  set_colour(cr, kBlack);
  cairo_arc(cr, legend_x + 5.0, legend_y, 5.0, 0.0, 2.0 * std::numbers::pi);
  cairo_fill(cr);
  draw_text(cr, "filled: FDG-avid", legend_x + 16.0, legend_y, 0.0, 0.5, 11.0);
  legend_y += 18.0;
  cairo_set_line_width(cr, 2.0);
  cairo_arc(cr, legend_x + 5.0, legend_y, 5.0, 0.0, 2.0 * std::numbers::pi);
  cairo_stroke(cr);
  draw_text(cr, "hollow: not FDG-avid", legend_x + 16.0, legend_y, 0.0, 0.5, 11.0);
}

}  // namespace

std::string heterogeneity_quadrant(const HeterogeneityPoint& point) {
  if (!point.fdg_avid) return "";
  if (point.target_status != "positive" && point.target_status != "negative") return "";
  return std::string(*point.fdg_avid ? "FDG+" : "FDG-") +
         (point.target_status == "positive" ? "/T+" : "/T-");
}

std::vector<HeterogeneityPlot> heterogeneity_plots(const std::string& patient_json,
                                                   const std::string& source) {
  Json document;
  try {
    document = Json::parse(patient_json);
  } catch (const Json::exception& error) {
    throw InvalidInputError(source + ": not valid JSON (" + error.what() + ")");
  }
  const Json& studies = array_member(document, "studies", source);
  const Json& lesions = array_member(document, "lesions", source);
  // The FDG study: the reference study when it is FDG, else the first FDG study.
  const std::string reference = text_of(document, "reference_study");
  std::string fdg_study;
  for (const Json& study : studies) {
    if (text_of(study, "tracer") != "fdg") continue;
    const std::string id = text_of(study, "id");
    if (id == reference || fdg_study.empty()) fdg_study = id;
    if (id == reference) break;
  }
  std::vector<HeterogeneityPlot> plots;
  if (fdg_study.empty()) return plots;
  const Json heterogeneity = document.value("heterogeneity", Json::array());
  for (const Json& summary : heterogeneity) {
    HeterogeneityPlot plot;
    plot.tracer = text_of(summary, "tracer");
    plot.target = text_of(summary, "target");
    plot.study = text_of(summary, "study");
    plot.title = "FDG versus " + plot.tracer + " (" + plot.target + "), per lesion";
    std::string fdg_metric;
    std::string target_metric;
    std::vector<double> x_thresholds;
    std::vector<double> y_thresholds;
    for (const Json& lesion : lesions) {
      const std::string id = text_of(lesion, "id");
      const Json* status = status_for(lesion, plot.study);
      const Json avidity = lesion.value("fdg_avidity", Json::object());
      std::optional<double> fdg_value = number_member(avidity, "value");
      if (fdg_value) {
        fdg_metric = text_of(avidity, "metric");
        if (const auto threshold = number_member(avidity, "threshold")) {
          x_thresholds.push_back(*threshold);
        }
      } else if (const Json* fdg = study_value(lesion, fdg_study);
                 fdg != nullptr && text_of(avidity, "metric").empty()) {
        // Rule "detected": the FDG study's SUVmax, no threshold.
        fdg_value = number_member(*fdg, "suv_max");
        if (fdg_value && fdg_metric.empty()) fdg_metric = "SUVmax";
      }
      const std::optional<double> target_value =
          status != nullptr ? number_member(*status, "value") : std::nullopt;
      if (!fdg_value || !target_value) {
        std::string reason;
        if (!fdg_value) reason = "FDG: " + text_of(lesion, "fdg_avidity_reason");
        if (!target_value) {
          reason += reason.empty() ? "" : "; ";
          reason += plot.tracer;
          reason += ": ";
          reason += status != nullptr ? text_of(*status, "reason") : "no status";
        }
        std::string entry = id;
        entry += ": ";
        entry += reason;
        plot.not_plotted.push_back(std::move(entry));
        continue;
      }
      HeterogeneityPoint point;
      point.lesion_id = id;
      point.organ = text_of(lesion, "organ");
      point.fdg_value = *fdg_value;
      point.target_value = *target_value;
      if (lesion.contains("fdg_avid") && lesion["fdg_avid"].is_boolean()) {
        point.fdg_avid = lesion["fdg_avid"].get<bool>();
      }
      point.target_status = text_of(*status, "status");
      target_metric = text_of(*status, "metric");
      if (const auto threshold = number_member(*status, "threshold")) {
        y_thresholds.push_back(*threshold);
      }
      plot.points.push_back(std::move(point));
    }
    bool x_differs = false;
    bool y_differs = false;
    plot.x_threshold = most_common(x_thresholds, x_differs);
    plot.y_threshold = most_common(y_thresholds, y_differs);
    if (y_differs) {
      plot.notes.push_back("the " + plot.tracer +
                           " threshold differs between lesions (organ or size conditions of the "
                           "rule): the line marks the most common one; each point's colour is "
                           "its own call");
    }
    if (x_differs) {
      plot.notes.emplace_back(
          "the FDG threshold differs between lesions: the line marks the most common one");
    }
    plot.x_label = "FDG " + (fdg_metric.empty() ? std::string("uptake") : fdg_metric) + " (g/mL)";
    plot.y_label =
        plot.tracer + " " + (target_metric.empty() ? std::string("uptake") : target_metric);
    if (target_metric.rfind("SUV", 0) == 0 || target_metric.rfind("SUL", 0) == 0) {
      plot.y_label += " (g/mL)";
    }
    plots.push_back(std::move(plot));
  }
  return plots;
}

std::string render_heterogeneity_png(const HeterogeneityPlot& plot) {
  check_plot(plot);
  return render_png(kImageWidth, kImageHeight, [&](cairo_t* cr) { draw_heterogeneity(cr, plot); });
}

std::string render_heterogeneity_svg(const HeterogeneityPlot& plot) {
  check_plot(plot);
  return render_svg(kImageWidth, kImageHeight, [&](cairo_t* cr) { draw_heterogeneity(cr, plot); });
}

}  // namespace oncotrace
