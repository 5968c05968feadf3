// Waterfall and trajectory plots, their data from response.json, and the response report.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/report.h"
#include "report/png_test_support.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using Json = nlohmann::json;

using report_testing::decode_png;
using report_testing::Image;

constexpr Rgb kDecrease{0, 158, 115};
constexpr Rgb kIncrease{213, 94, 0};
constexpr Rgb kDisappeared{0, 114, 178};

// The largest number of separate runs of `colours` met along one row: with bars that all start at
// the zero line, the row just beside it crosses every bar.
int max_runs_in_a_row(const Image& image, const std::set<uint32_t>& colours) {
  int best = 0;
  for (int y = 0; y < image.height; ++y) {
    int runs = 0;
    bool inside = false;
    for (int x = 0; x < image.width; ++x) {
      const Rgb c = image.at(x, y);
      const bool hit =
          colours.count((uint32_t{c.red} << 16) | (uint32_t{c.green} << 8) | c.blue) != 0;
      if (hit && !inside) ++runs;
      inside = hit;
    }
    best = std::max(best, runs);
  }
  return best;
}

uint32_t key(const Rgb& c) { return report_testing::colour_key(c); }

WaterfallPlot decreasing_plot() {
  WaterfallPlot plot;
  plot.title = "SULpeak change, baseline to C1D15";
  plot.quantity = "SULpeak";
  plot.bars = {{"L1", "breast", "tracked", -35.0},
               {"L2", "bone", "tracked", -50.0},
               {"L3", "liver", "tracked", -80.0},
               {"L4", "node", "disappeared", -100.0}};
  plot.lines = {{30.0, "PERCIST +30 %", false},
                {-30.0, "PERCIST -30 %", false},
                {-40.0, "TBCRC026/PHERGain -40 %", true}};
  return plot;
}

TEST(WaterfallTest, CategoryAtTheBandEdgesComparesHundredthsOfAPercent) {
  const auto category = [](double percent) {
    return waterfall_category({"L1", "", "tracked", percent}, 30.0);
  };
  EXPECT_EQ(category(-30.0), "decrease");
  EXPECT_EQ(category(-29.995), "decrease");  // -30.00 at 0.01
  EXPECT_EQ(category(-29.99), "stable");
  EXPECT_EQ(category(30.0), "stable");  // PMD needs more than +30 %
  EXPECT_EQ(category(30.004), "stable");
  EXPECT_EQ(category(30.01), "increase");
  EXPECT_EQ(waterfall_category({"L9", "", "new", std::nullopt}, 30.0), "new");
  EXPECT_EQ(waterfall_category({"L8", "", "disappeared", -100.0}, 30.0), "disappeared");
}

TEST(WaterfallTest, OrderPutsNewLesionsFirstThenDecreasingChange) {
  const std::vector<WaterfallBar> ordered = waterfall_order({{"L2", "", "tracked", -10.0},
                                                             {"L1", "", "tracked", 20.0},
                                                             {"L5", "", "new", std::nullopt},
                                                             {"L3", "", "tracked", -10.0}});
  ASSERT_EQ(ordered.size(), 4U);
  EXPECT_EQ(ordered[0].lesion_id, "L5");
  EXPECT_EQ(ordered[1].lesion_id, "L1");
  EXPECT_EQ(ordered[2].lesion_id, "L2");  // tie broken by id
  EXPECT_EQ(ordered[3].lesion_id, "L3");
}

TEST(WaterfallTest, PngDrawsOneBarPerLesionInItsCategoryColour) {
  // Solid lines only: a dashed line across the bars would split them into runs.
  WaterfallPlot plot = decreasing_plot();
  plot.lines.pop_back();
  const Image image = decode_png(render_waterfall_png(plot));
  ASSERT_GT(image.width, 300);
  ASSERT_GT(image.height, 300);
  // Three decreases and one disappeared lesion, side by side below the zero line.
  EXPECT_EQ(max_runs_in_a_row(image, {key(kDecrease), key(kDisappeared)}), 4);
  EXPECT_EQ(max_runs_in_a_row(image, {key(kIncrease)}), 0);
  // Not blank: many pixels of the bar colours.
  EXPECT_GT(report_testing::count_pixels(image, kDecrease), 2000U);

  WaterfallPlot mixed = plot;
  mixed.bars.push_back({"L6", "lung", "tracked", 45.0});
  mixed.bars.push_back({"L7", "lung", "tracked", 10.0});
  const Image mixed_image = decode_png(render_waterfall_png(mixed));
  EXPECT_EQ(max_runs_in_a_row(mixed_image, {key(kIncrease)}), 1);
}

TEST(WaterfallTest, SvgIsDeterministicAndLabelled) {
  const std::string first = render_waterfall_svg(decreasing_plot());
  const std::string second = render_waterfall_svg(decreasing_plot());
  EXPECT_EQ(first, second);
  EXPECT_NE(first.find("<svg"), std::string::npos);
  EXPECT_EQ(render_waterfall_png(decreasing_plot()), render_waterfall_png(decreasing_plot()));
  WaterfallPlot other = decreasing_plot();
  other.bars[0].percent_change = -20.0;
  EXPECT_NE(render_waterfall_svg(other), first);
}

TEST(WaterfallTest, RefusesAnEmptyPlotAndNonFiniteValues) {
  WaterfallPlot empty = decreasing_plot();
  empty.bars.clear();
  EXPECT_THROW(render_waterfall_png(empty), InvalidInputError);
  WaterfallPlot nan = decreasing_plot();
  nan.bars[1].percent_change = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(render_waterfall_svg(nan), InvalidInputError);
}

TrajectoryPlot three_timepoints() {
  TrajectoryPlot plot;
  plot.title = "SULpeak per lesion across timepoints";
  plot.value_label = "SULpeak (g/mL)";
  plot.timepoint_labels = {"baseline", "C1D15", "C3D1"};
  plot.days_since_baseline = {0.0, 14.0, 42.0};
  plot.lesions = {{"L1", {6.0, 4.0, 2.0}}, {"L2", {3.0, std::nullopt, 3.5}}};
  return plot;
}

TEST(TrajectoryTest, PngShowsEachLesionAndSvgIsDeterministic) {
  const Image image = decode_png(render_trajectory_png(three_timepoints()));
  size_t first = 0, second = 0;
  for (const Rgb& pixel : image.pixels) {
    first += pixel == Rgb{0, 114, 178} ? 1 : 0;
    second += pixel == Rgb{213, 94, 0} ? 1 : 0;
  }
  EXPECT_GT(first, 100U);
  EXPECT_GT(second, 30U);
  EXPECT_EQ(render_trajectory_svg(three_timepoints()), render_trajectory_svg(three_timepoints()));
  TrajectoryPlot bad = three_timepoints();
  bad.lesions[0].values.pop_back();
  EXPECT_THROW(render_trajectory_png(bad), InvalidInputError);
}

// A response.json as `oncotrace response` writes it, reduced to what the plots read.
Json response_document(bool with_lesions) {
  const auto change = [](const char* quantity, Json baseline, Json follow_up, Json percent) {
    return Json{{"quantity", quantity},       {"unit", "g/mL (SUL)"},
                {"baseline", baseline},       {"follow_up", follow_up},
                {"absolute_change", nullptr}, {"percent_change", percent}};
  };
  Json lesions = Json::array();
  if (with_lesions) {
    lesions.push_back({{"id", "L1"},
                       {"organ", "breast"},
                       {"status", "tracked"},
                       {"changes", Json::array({change("SULpeak", 5.0, 2.0, -60.0)})}});
    lesions.push_back({{"id", "L2"},
                       {"organ", "bone"},
                       {"status", "disappeared"},
                       {"changes", Json::array({change("SULpeak", 3.0, nullptr, nullptr)})}});
    lesions.push_back({{"id", "L3"},
                       {"organ", "liver"},
                       {"status", "new"},
                       {"changes", Json::array({change("SULpeak", nullptr, 4.0, nullptr)})}});
    lesions.push_back({{"id", "L4"},
                       {"organ", "lung"},
                       {"status", "tracked"},
                       {"changes", Json::array({change("SULpeak", nullptr, nullptr, nullptr)})}});
  }
  Json document;
  document["schema"] = "oncotrace-response/1";
  document["research_use_only"] = "Research use only.";
  document["disclaimer"] = "No treatment recommendation.";
  document["timepoints"] = Json::array({{{"label", "baseline"}, {"days_since_baseline", 0.0}},
                                        {{"label", "C1D15"}, {"days_since_baseline", 14.0}}});
  document["options"] = {{"criteria", {"percist", "tbcrc026", "phergain", "flt"}},
                         {"percist", {{"relative_threshold_percent", 30.0}}},
                         {"tbcrc026", {{"reduction_percent", 40.0}}},
                         {"phergain", {{"reduction_percent", 40.0}}},
                         {"flt", {{"cut_point_percent", -52.9}}}};
  document["assessments"] =
      Json::array({{{"criterion", "percist"},
                    {"title", "PERCIST 1.0"},
                    {"follow_up", "C1D15"},
                    {"category", "PMR"},
                    {"category_text", "partial metabolic response"},
                    {"decided_by", "SULpeak -60 %"},
                    {"warnings", Json::array({"liver SULmean changed by 25 %"})}}});
  document["change_tables"] = Json::array({{{"baseline", "baseline"},
                                            {"follow_up", "C1D15"},
                                            {"lesions", lesions},
                                            {"patient", Json::array()}}});
  document["warnings"] = Json::array();
  document["software"] = {{"name", "oncotrace"}, {"version", "test"}};
  return document;
}

TEST(ResponsePlotsTest, ReadsBarsLinesAndTrajectoryFromResponseJson) {
  const ResponsePlots plots = response_plots(response_document(true).dump(), "response.json");
  ASSERT_EQ(plots.waterfalls.size(), 1U);
  const WaterfallPlot& plot = plots.waterfalls[0];
  EXPECT_EQ(plot.quantity, "SULpeak");
  ASSERT_EQ(plot.bars.size(), 3U);  // L4 has no value: no bar
  EXPECT_EQ(plot.bars[0].percent_change, -60.0);
  EXPECT_EQ(plot.bars[1].percent_change, -100.0);         // disappeared
  EXPECT_FALSE(plot.bars[2].percent_change.has_value());  // new
  std::set<std::string> labels;
  for (const ThresholdLine& line : plot.lines) labels.insert(line.label);
  EXPECT_EQ(labels, (std::set<std::string>{"PERCIST +30 %", "PERCIST -30 %",
                                           "TBCRC026/PHERGain -40 %", "FLT -52.9 %"}));
  ASSERT_TRUE(plots.trajectory.has_value());
  EXPECT_EQ(plots.trajectory->value_label, "SULpeak (g/mL)");
  ASSERT_EQ(plots.trajectory->lesions.size(), 4U);
  EXPECT_EQ(plots.trajectory->lesions[0].values[0], 5.0);
  EXPECT_EQ(plots.trajectory->lesions[0].values[1], 2.0);
  EXPECT_FALSE(plots.trajectory->lesions[2].values[0].has_value());

  EXPECT_THROW(response_plots("{}", "x.json"), InvalidInputError);
  EXPECT_THROW(response_plots("not json", "x.json"), InvalidInputError);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ResponseReportTest, PlotSectionsAppearOnlyWhenThereAreLesionChanges) {
  testing::TemporaryDirectory with;
  write_text(with.path() / "response.json", response_document(true).dump(2));
  ReportOptions options;
  options.figures_dir = with.path() / "figures";
  const std::string html = build_report_html(with.path(), options);
  EXPECT_NE(html.find("<section id=\"response-timepoints\">"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"response-assessments\">"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"response-waterfall\">"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"response-trajectory\">"), std::string::npos);
  EXPECT_NE(html.find("liver SULmean changed by 25 %"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(with.path() / "figures" / "waterfall_1.svg"));
  EXPECT_TRUE(std::filesystem::exists(with.path() / "figures" / "trajectory.png"));

  testing::TemporaryDirectory without;
  write_text(without.path() / "response.json", response_document(false).dump(2));
  const std::string bare = build_report_html(without.path());
  EXPECT_NE(bare.find("<section id=\"response-timepoints\">"), std::string::npos);
  EXPECT_EQ(bare.find("response-waterfall"), std::string::npos);
  EXPECT_EQ(bare.find("response-trajectory"), std::string::npos);
  EXPECT_EQ(bare.find("data:image/png"), std::string::npos);

  const auto written = write_response_figures(with.path(), with.path() / "out");
  EXPECT_EQ(written.size(), 4U);  // waterfall_1 and trajectory, PNG and SVG
  EXPECT_TRUE(write_response_figures(without.path(), without.path()).empty());
}

}  // namespace
}  // namespace oncotrace
