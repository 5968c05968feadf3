// The multi-tracer heterogeneity figure and its data from patient.json.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/report.h"
#include "report/png_test_support.h"

namespace oncotrace {
namespace {

using Json = nlohmann::json;
using report_testing::decode_png;
using report_testing::Image;

constexpr Rgb kPositive{0, 114, 178};
constexpr Rgb kNegative{213, 94, 0};

Json lesion(const std::string& id, std::optional<double> sul_peak, bool avid,
            std::optional<double> fes_suv_max, const std::string& status) {
  Json avidity = {{"metric", sul_peak ? "SULpeak" : ""},
                  {"value", sul_peak ? Json(*sul_peak) : Json(nullptr)},
                  {"threshold", sul_peak ? Json(2.26) : Json(nullptr)}};
  Json call = {{"tracer", "fes"},
               {"target", "ER"},
               {"study", "fes_baseline"},
               {"status", status},
               {"metric", "SUVmax"},
               {"value", fes_suv_max ? Json(*fes_suv_max) : Json(nullptr)},
               {"threshold", 1.5},
               {"reason", fes_suv_max ? "measured" : "outside the fes_baseline field of view"}};
  return {{"id", id},
          {"organ", "bone"},
          {"fdg_avid", sul_peak ? Json(avid) : Json(nullptr)},
          {"fdg_avidity_reason", sul_peak ? "FDG SULpeak" : "outside the FDG field of view"},
          {"fdg_avidity", avidity},
          {"per_study", Json::array()},
          {"status", Json::array({call})}};
}

// Four lesions, one per quadrant, and one outside the FES field of view.
std::string patient_json() {
  Json document = {
      {"schema", "oncotrace.patient/1"},
      {"reference_study", "fdg_baseline"},
      {"studies",
       {{{"id", "fdg_baseline"}, {"tracer", "fdg"}}, {{"id", "fes_baseline"}, {"tracer", "fes"}}}},
      {"lesions",
       {lesion("L1", 4.0, true, 5.0, "positive"), lesion("L2", 3.0, true, 1.0, "negative"),
        lesion("L3", 1.0, false, 3.0, "positive"), lesion("L4", 1.5, false, 0.8, "negative"),
        lesion("L5", 2.0, false, std::nullopt, "not_assessable")}},
      {"heterogeneity",
       {{{"tracer", "fes"}, {"target", "ER"}, {"study", "fes_baseline"}, {"lesions", 5}}}}};
  return document.dump();
}

TEST(HeterogeneityPlotTest, ReadsPointsThresholdsAndQuadrantsFromPatientJson) {
  const std::vector<HeterogeneityPlot> plots = heterogeneity_plots(patient_json(), "patient.json");
  ASSERT_EQ(plots.size(), 1U);
  const HeterogeneityPlot& plot = plots.front();
  EXPECT_EQ(plot.tracer, "fes");
  EXPECT_EQ(plot.target, "ER");
  EXPECT_EQ(plot.x_label, "FDG SULpeak (g/mL)");
  EXPECT_EQ(plot.y_label, "fes SUVmax (g/mL)");
  ASSERT_TRUE(plot.x_threshold && plot.y_threshold);
  EXPECT_DOUBLE_EQ(*plot.x_threshold, 2.26);
  EXPECT_DOUBLE_EQ(*plot.y_threshold, 1.5);
  ASSERT_EQ(plot.points.size(), 4U);
  EXPECT_EQ(heterogeneity_quadrant(plot.points[0]), "FDG+/T+");
  EXPECT_EQ(heterogeneity_quadrant(plot.points[1]), "FDG+/T-");
  EXPECT_EQ(heterogeneity_quadrant(plot.points[2]), "FDG-/T+");
  EXPECT_EQ(heterogeneity_quadrant(plot.points[3]), "FDG-/T-");
  ASSERT_EQ(plot.not_plotted.size(), 1U);
  EXPECT_NE(plot.not_plotted.front().find("L5"), std::string::npos);
  EXPECT_NE(plot.not_plotted.front().find("field of view"), std::string::npos);
  EXPECT_TRUE(plot.notes.empty());
}

TEST(HeterogeneityPlotTest, ADifferingThresholdIsNotedAndTheCommonOneDrawn) {
  Json document = Json::parse(patient_json());
  document["lesions"][3]["status"][0]["threshold"] = 2.0;
  const auto plots = heterogeneity_plots(document.dump(), "patient.json");
  ASSERT_EQ(plots.size(), 1U);
  EXPECT_DOUBLE_EQ(*plots.front().y_threshold, 1.5);
  EXPECT_EQ(plots.front().notes.size(), 1U);
}

TEST(HeterogeneityPlotTest, NoFdgStudyGivesNoPlotAndBadTextIsRefused) {
  Json document = Json::parse(patient_json());
  document["studies"][0]["tracer"] = "fes";
  EXPECT_TRUE(heterogeneity_plots(document.dump(), "patient.json").empty());
  EXPECT_THROW(heterogeneity_plots("{", "patient.json"), InvalidInputError);
  EXPECT_THROW(heterogeneity_plots("{\"schema\": 1}", "patient.json"), InvalidInputError);
}

TEST(HeterogeneityPlotTest, PngShowsEveryPointInItsStatusColourAndSvgIsDeterministic) {
  const HeterogeneityPlot plot = heterogeneity_plots(patient_json(), "patient.json").front();
  const Image image = decode_png(render_heterogeneity_png(plot));
  ASSERT_GT(image.width, 500);
  ASSERT_GT(image.height, 400);
  // Two positive points (one filled, one hollow ring) and two negative ones, plus the legend
  // markers: pixels of both status colours are present.
  EXPECT_GT(report_testing::count_pixels(image, kPositive), 60U);
  EXPECT_GT(report_testing::count_pixels(image, kNegative), 60U);
  // Without the negative lesions, no pixel of the negative colour beyond the legend marker.
  HeterogeneityPlot positives = plot;
  positives.points = {plot.points[0], plot.points[2]};
  const Image only_positive = decode_png(render_heterogeneity_png(positives));
  EXPECT_LT(report_testing::count_pixels(only_positive, kNegative),
            report_testing::count_pixels(image, kNegative));
  const std::string svg = render_heterogeneity_svg(plot);
  EXPECT_EQ(svg, render_heterogeneity_svg(plot));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
}

TEST(HeterogeneityPlotTest, RefusesAnEmptyPlotAndNonFiniteValues) {
  HeterogeneityPlot plot = heterogeneity_plots(patient_json(), "patient.json").front();
  HeterogeneityPlot empty = plot;
  empty.points.clear();
  EXPECT_THROW(render_heterogeneity_png(empty), InvalidInputError);
  plot.points[0].target_value = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(render_heterogeneity_svg(plot), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
