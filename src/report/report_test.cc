// The HTML report of a synthetic results folder: sections, escaping, anonymisation, the image
// re-loaded with the audit's SUV factor.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/report.h"
#include "report/report_internal.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;

size_t count(const std::string& text, const std::string& what) {
  size_t found = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++found;
  }
  return found;
}

// A results folder: a NIfTI "study" of 30 x 20 x 40 voxels (value 100 = U, SUV factor 0.02 in
// the audit: SUV 2) with two hot cubes, labels.nii.gz and lesions.json.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Geometry grid;
    grid.size = {30, 20, 40};
    grid.spacing_mm = {4.0, 4.0, 4.0};
    ImageVolume image(grid, 100.0F);
    LabelMap labels(grid, 0);
    for (int64_t k = 10; k < 14; ++k) {
      for (int64_t j = 8; j < 12; ++j) {
        for (int64_t i = 5; i < 9; ++i) {
          image.at(i, j, k) = 400.0F;
          labels.at(i, j, k) = 1;
          image.at(i + 15, j, k + 15) = 600.0F;
          labels.at(i + 15, j, k + 15) = 2;
        }
      }
    }
    study_ = folder_.path() / "study" / "pet.nii.gz";
    std::filesystem::create_directories(study_.parent_path());
    write_nifti(study_, image);
    results_ = folder_.path() / "results";
    std::filesystem::create_directories(results_);
    write_nifti(results_ / "labels.nii.gz", labels);
    lesions_ = {
        {"schema", "oncotrace-lesions/1"},
        {"study",
         {{"study_instance_uid", "1.2.3"},
          {"series_instance_uid", ""},
          {"ct_series_instance_uid", nullptr},
          {"grid", grid.describe()}}},
        {"units", {{"uptake", "g/ml{SUVbw}"}, {"total_uptake", "g"}}},
        {"segmentation", {{"kind", "detection"}, {"method", "fixed:2.5"}}},
        {"lesions",
         json::array({lesion(1, "lesion_1", 8.0), lesion(2, "<script>alert(1)</script>", 12.0)})},
        {"patient", {{"lesion_count", 2}, {"total_mtv_ml", 8.192}}},
        {"warnings", json::array({"a warning with <b>markup</b>"})},
        {"provenance",
         {{"software", "oncotrace"},
          {"version", "0.1.0"},
          {"arguments", json::array({"oncotrace", "analyze", study_.string()})},
          {"inputs", {{"study", study_.string()}, {"series_instance_uid", ""}}},
          {"settings", {{"method", "fixed:2.5"}}},
          {"suv_audit",
           {{"conversion_path", "BQML"},
            {"reference_time", {{"value", "2025-01-01T11:00:00"}, {"rule", "R1 series time"}}},
            {"suv_factor", {{"per_slice", false}, {"value", 0.02}, {"unit", "g/ml per Bq/ml"}}},
            {"warnings", json::array()}}}}}};
    write_lesions();
  }

  static json lesion(int label, const std::string& name, double max) {
    return {{"label", label},
            {"name", name},
            {"volume_ml", 4.096},
            {"uptake",
             {{"max", max},
              {"mean", max / 2},
              {"peaks", json::array({{{"variant", "ibsi_global"}, {"value", max * 0.9}}})}}},
            {"total_uptake", 16.0},
            {"tumour_to_background", {{"liver", nullptr}, {"blood_pool", nullptr}}},
            {"longest_diameter_mm", 20.0},
            {"centroid_lps_mm", json::array({1.0, 2.0, 3.0})},
            {"organ", nullptr}};
  }

  void write_lesions() { std::ofstream(results_ / "lesions.json") << lesions_.dump(2); }

  testing::TemporaryDirectory folder_;
  std::filesystem::path study_, results_;
  json lesions_;
};

TEST_F(ReportTest, ImageIsTheStoredValuesTimesTheAuditFactor) {
  const report_internal::StudyImages images =
      report_internal::load_study_images(results_, lesions_, ReportOptions{});
  EXPECT_FLOAT_EQ(images.image.at(0, 0, 0), 2.0F);   // 100 x 0.02
  EXPECT_FLOAT_EQ(images.image.at(6, 9, 11), 8.0F);  // 400 x 0.02
  ASSERT_TRUE(images.labels);
  EXPECT_EQ(images.labels->at(6, 9, 11), 1);
}

TEST_F(ReportTest, DocumentHasEverySectionWithEscapedTextAndEmbeddedFigures) {
  const std::string html = build_report_html(results_);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Research use only; measurements and literature-referenced annotations, "
                      "not treatment recommendations"),
            std::string::npos);
  for (const char* id : {"study", "disclaimer", "suv-audit", "figures", "lesions", "provenance"}) {
    EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  }
  // No reference_regions.json: no such section.
  EXPECT_EQ(html.find("<section id=\"reference-regions\">"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"lesion\">"), 2u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a warning with &lt;b&gt;markup&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("SUVbw (g/mL)"), std::string::npos);
  EXPECT_NE(html.find("R1 series time"), std::string::npos);
  // Every resource is embedded. (A plain scan: std::regex recurses per character and overflows
  // the stack on a page with large data URIs.)
  size_t images = 0;
  for (const std::string attribute : {"src=\"", "href=\""}) {
    for (size_t at = html.find(attribute); at != std::string::npos;
         at = html.find(attribute, at + 1)) {
      EXPECT_EQ(html.compare(at + attribute.size(), 22, "data:image/png;base64,"), 0)
          << html.substr(at, 80);
      ++images;
    }
  }
  EXPECT_EQ(images, 1u);  // PET MIPs; no CT, so no fused figure
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find(study_.string()), std::string::npos);
}

TEST_F(ReportTest, ReferenceRegionSectionAppearsWhenItsFileExists) {
  const json regions = {
      {"schema", "oncotrace-reference-regions/1"},
      {"unit", "g/ml{SUVbw}"},
      {"regions", json::array({{{"name", "liver"},
                                {"placement_method", "user"},
                                {"shape", "sphere"},
                                {"centre_lps_mm", json::array({10.0, 20.0, 30.0})},
                                {"statistics", {{"mean", 2.125}, {"sd", 0.25}, {"max", 3.0}}},
                                {"warnings", json::array()}}})},
      {"skipped", json::array()}};
  std::ofstream(results_ / "reference_regions.json") << regions.dump();
  const std::string html = build_report_html(results_);
  EXPECT_NE(html.find("<section id=\"reference-regions\">"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"region\">"), 1u);
  EXPECT_NE(html.find(">2.125<"), std::string::npos);
  // The reference regions come after the lesions and before the provenance.
  EXPECT_LT(html.find("id=\"lesions\""), html.find("id=\"reference-regions\""));
  EXPECT_LT(html.find("id=\"reference-regions\""), html.find("id=\"provenance\""));
}

TEST_F(ReportTest, AnonymiseHidesIdentifiersAndPaths) {
  ReportOptions options;
  options.anonymise = true;
  const std::string html = build_report_html(results_, options);
  EXPECT_EQ(html.find(study_.string()), std::string::npos);
  EXPECT_EQ(html.find("1.2.3"), std::string::npos);
  EXPECT_GE(count(html, "hidden (--anonymise)"), 4u);
}

TEST_F(ReportTest, FiguresAreAlsoWrittenAsPngAndSvg) {
  ReportOptions options;
  options.figures_dir = folder_.path() / "figures";
  options.colormap = PetColormap::kHotIron;
  options.window_max = 5.0;
  const std::string html = build_report_html(results_, options);
  EXPECT_NE(html.find("hot-iron, window 0.00 to 5.00 SUVbw (g/mL)"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(folder_.path() / "figures" / "pet_mip.png"));
  EXPECT_TRUE(std::filesystem::exists(folder_.path() / "figures" / "pet_mip.svg"));
}

TEST_F(ReportTest, WriteReportIsAtomicAndMissingInputsAreClearErrors) {
  write_report(results_, results_ / "report.html");
  EXPECT_TRUE(std::filesystem::exists(results_ / "report.html"));
  for (const auto& entry : std::filesystem::directory_iterator(results_)) {
    EXPECT_EQ(entry.path().filename().string().find(".oncotrace-tmp"), std::string::npos);
  }
  EXPECT_THROW(build_report_html(folder_.path()), InvalidInputError);  // no lesions.json
  std::filesystem::rename(study_, folder_.path() / "moved.nii.gz");
  try {
    build_report_html(results_);
    FAIL() << "a missing study must be an error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("--study"), std::string::npos);
  }
  ReportOptions options;
  options.study = folder_.path() / "moved.nii.gz";
  EXPECT_NO_THROW(build_report_html(results_, options));
  // A factor count that does not match the planes.
  lesions_["provenance"]["suv_audit"]["suv_factor"] = {{"per_slice", true},
                                                       {"values", json::array({1.0, 2.0})}};
  write_lesions();
  EXPECT_THROW(build_report_html(results_, options), InvalidInputError);
}

TEST(ReportHelpersTest, EscapingBase64AndNumbers) {
  EXPECT_EQ(escape_html("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(report_internal::base64_encode("Man"), "TWFu");
  EXPECT_EQ(report_internal::base64_encode("Ma"), "TWE=");
  EXPECT_EQ(report_internal::base64_encode("M"), "TQ==");
  EXPECT_EQ(report_internal::base64_encode(""), "");
  EXPECT_EQ(report_internal::format_number(12.3456, 4), "12.35");
  EXPECT_EQ(report_internal::format_number(0.5, 3), "0.500");
  EXPECT_EQ(report_internal::format_number(1234.6, 4), "1235");
  EXPECT_EQ(report_internal::format_number(std::nan(""), 4), "-");
  EXPECT_EQ(report_internal::uptake_unit_label("g/ml{SUVbw}"), "SUVbw (g/mL)");
  EXPECT_EQ(report_internal::uptake_unit_label("g/ml{SUVlbm(Janma)}"), "SUVlbm(Janma) (g/mL)");
  EXPECT_EQ(report_internal::uptake_unit_label("Bq/ml"), "Bq/mL");
}

}  // namespace
}  // namespace oncotrace
