// Reports: figures of a PET study and one self-contained HTML document per analysis (issue 8).
//
// Figures. A maximum-intensity projection (MIP) of the SUV volume is the first image a nuclear-
// medicine reader looks at: each pixel shows the largest value along a ray through the patient.
// Coronal MIPs project along the anterior-posterior axis and are shown as seen from the front
// (patient's right on the viewer's left, head at the top); sagittal MIPs project along the left-
// right axis and are shown with anterior on the left. Pixels keep the voxel spacing of the
// displayed axes, so the figure has the patient's true aspect ratio. The CT of the same frame of
// reference is shown as a mean projection of relative attenuation (HU + 1000) / 1000 sampled at
// the PET voxel centres (a radiograph-like image; a CT MIP shows only bone, metal and the table),
// and the PET is fused over it. Lesions appear as the outline of their projected label (the set of
// pixels whose ray meets the lesion), with their label number.
//
// Colour maps: inverse grey (0 white, window maximum black; the customary display of PET MIPs)
// and hot iron, the DICOM well-known palette [DICOM PS3.6 Annex B.1.1 "Hot Iron Color
// Palette"]: red rises 0->254 over entries 0-127, green 0->254 over 128-255, blue 0->252 over
// 192-255. Values are windowed linearly from window_min (first entry) to window_max (last entry)
// and clamped.
//
// Report. `build_report_html` reads an `oncotrace analyze` output folder (lesions.json with its
// provenance and SUV audit, reference_regions.json, labels.nii.gz) and the study named in the
// provenance (re-loaded from its input path, converted to SUV with the factors recorded in the SUV
// audit, so the image is exactly the one analysed), and renders one HTML file with every figure
// embedded as a base64 PNG data URI, the CSS inline and no script: it opens offline and prints as
// is. Each section is built from one input file and appears only when that file exists, so
// sections of later analyses (multi-tracer heterogeneity, response) are added as one entry each
// (src/report/sections.cc). Research use only: the report carries measurements and
// literature-referenced annotations, never treatment recommendations.
#ifndef ONCOTRACE_REPORT_H_
#define ONCOTRACE_REPORT_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/volume.h"

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Projections

enum class ProjectionView { kCoronal, kSagittal };

// A 2D image of a projection, row 0 at the top (superior). Columns run along the LPS world axis
// x (coronal: towards the patient's left) or y (sagittal: towards posterior); rows run along -z.
struct Projection {
  ProjectionView view = ProjectionView::kCoronal;
  int64_t width = 0;   // columns
  int64_t height = 0;  // rows
  double column_spacing_mm = 1.0;
  double row_spacing_mm = 1.0;
  // World coordinate (mm) of the centre of column 0 along the column axis (x or y) and of row 0
  // along z: column c is at column_origin_mm + c * column_spacing_mm, row r at row_origin_mm -
  // r * row_spacing_mm.
  double column_origin_mm = 0.0;
  double row_origin_mm = 0.0;
  std::vector<float> values;  // width * height, row-major

  float at(int64_t column, int64_t row) const {
    return values[static_cast<size_t>(row * width + column)];
  }
};

// Orientation letters of the four edges: {left, right, top, bottom}, e.g. {'R','L','S','I'}.
std::array<char, 4> projection_edge_letters(ProjectionView view);

// Maximum-intensity projection. The grid's axes must each be closest to a different LPS axis
// (any axis permutation or flip; oblique grids are shown along their nearest axes). Throws
// UnsupportedDataError otherwise.
Projection maximum_intensity_projection(const ImageVolume& image, ProjectionView view);

// Mean projection of (HU + 1000) / 1000 (>= 0) of a CT volume sampled (nearest voxel) at the
// voxel centres of `grid` (the PET grid), so the result has the PET projection's pixels; samples
// outside the CT count as air (0).
Projection ct_attenuation_projection(const ImageVolume& ct_hu, const Geometry& grid,
                                     ProjectionView view);

// The projected footprint of one label: the pixels whose ray meets at least one voxel of it.
struct LabelFootprint {
  uint16_t label = 0;
  int64_t column0 = 0, row0 = 0;  // bounding box in projection pixels
  int64_t width = 0, height = 0;
  std::vector<uint8_t> inside;                       // width * height, row-major, 1 = inside
  bool contains(int64_t column, int64_t row) const;  // projection pixel coordinates
};

// Footprints of every non-zero label, in label order.
std::vector<LabelFootprint> project_labels(const LabelMap& labels, ProjectionView view);

// ---------------------------------------------------------------------------------------------
// Colour maps and figures

enum class PetColormap { kInverseGrey, kHotIron };

std::optional<PetColormap> parse_pet_colormap(const std::string& name);  // inverse-grey|hot-iron
std::string pet_colormap_name(PetColormap colormap);

struct Rgb {
  uint8_t red = 0, green = 0, blue = 0;
  bool operator==(const Rgb&) const = default;
};

// Colour of a window fraction in [0, 1] (clamped): 0 = window minimum, 1 = window maximum.
Rgb colormap_colour(PetColormap colormap, double fraction);

struct FigurePanel {
  Projection pet;
  std::optional<Projection> ct;          // fused display when present
  std::vector<LabelFootprint> outlines;  // lesion contours with their numbers
  std::string title;                     // e.g. "Coronal MIP"
};

struct FigureStyle {
  PetColormap colormap = PetColormap::kInverseGrey;
  double window_min = 0.0;
  double window_max = 10.0;
  // Colour-bar title with the unit, e.g. "SUVbw (g/mL)".
  std::string unit_label = "SUVbw (g/mL)";
  // Height of the image area of every panel in figure pixels; the width follows from the
  // aspect ratio.
  double panel_height_px = 560.0;
  // CT display window of the attenuation projection (mean relative attenuation).
  double ct_window_min = 0.0;
  double ct_window_max = 0.6;
  // Largest PET opacity over CT; the opacity is fused_opacity * min(1, 2 t) for window fraction
  // t, so a zero PET leaves the CT untouched and hot pixels show the PET colour.
  double fused_opacity = 0.8;
};

// Where things are in a rendered figure (figure pixels, origin top-left).
struct FigureLayout {
  struct PanelBox {
    double x = 0, y = 0;  // top-left corner of the image area
    double width = 0, height = 0;
    double pixels_per_mm = 1.0;
  };
  int width = 0, height = 0;
  std::vector<PanelBox> panels;
  double colour_bar_x = 0, colour_bar_y = 0, colour_bar_width = 0, colour_bar_height = 0;

  // Figure position (centre) of projection pixel (column, row) of panel `panel`.
  std::array<double, 2> pixel_centre(size_t panel, const Projection& projection, double column,
                                     double row) const;
};

FigureLayout layout_figure(const std::vector<FigurePanel>& panels, const FigureStyle& style);

// The figure as PNG bytes and as an SVG document. Throws InvalidInputError for an empty panel
// list or a window with window_max <= window_min.
std::string render_figure_png(const std::vector<FigurePanel>& panels, const FigureStyle& style);
std::string render_figure_svg(const std::vector<FigurePanel>& panels, const FigureStyle& style);

// ---------------------------------------------------------------------------------------------
// Response figures (from the change tables of `oncotrace response`, response.json)
//
// Waterfall plot: one bar per lesion of one follow-up, its relative change of one quantity
// (SULpeak when the series has it, else SUVmax) against the baseline, sorted from the largest
// increase (left) to the largest decrease (right); disappeared lesions are drawn at -100 %, new
// lesions (no baseline, no relative change) as hatched bars to the top of the axis at the left.
// Bars are coloured by category: "decrease" (change <= -band, PERCIST PMR direction), "increase"
// (change > +band, PERCIST PMD direction), "stable" (in between), "disappeared", "new"; the
// comparison is made at 0.01 percentage points, as the response rules compare (response.h).
// Horizontal lines mark the PERCIST +/-30 % and the thresholds of the trial criteria that were
// assessed (EORTC, TBCRC026/PHERGain -40 %, FLT -52.9 %), each labelled.
//
// Trajectory plot: one line per lesion through its values at every timepoint (x = days since
// baseline when every timepoint has it, else the timepoint order), with a legend of lesion ids.

struct WaterfallBar {
  std::string lesion_id;
  std::string organ;
  std::string status;                    // "tracked", "new", "disappeared", "follow_up_only"
  std::optional<double> percent_change;  // nullopt for new lesions
};

struct ThresholdLine {
  double percent = 0.0;
  std::string label;    // e.g. "PERCIST -30 %"
  bool dashed = false;  // trial thresholds dashed, PERCIST solid
};

struct WaterfallPlot {
  std::string title;     // e.g. "SULpeak change, baseline -> C1D15"
  std::string quantity;  // "SULpeak" or "SUVmax"
  double band_percent = 30.0;
  std::vector<WaterfallBar> bars;
  std::vector<ThresholdLine> lines;
};

// "decrease", "increase", "stable", "disappeared", "new" (see above).
std::string waterfall_category(const WaterfallBar& bar, double band_percent);
// The bars in drawing order (new lesions, then by decreasing change, ties by lesion id).
std::vector<WaterfallBar> waterfall_order(const std::vector<WaterfallBar>& bars);

struct TrajectoryLesion {
  std::string id;
  std::vector<std::optional<double>> values;  // one per timepoint
};

struct TrajectoryPlot {
  std::string title;
  std::string value_label;  // y axis with unit, e.g. "SULpeak (g/mL)"
  std::vector<std::string> timepoint_labels;
  std::vector<std::optional<double>> days_since_baseline;  // one per timepoint
  std::vector<TrajectoryLesion> lesions;
};

// PNG bytes and SVG documents. Throw InvalidInputError for a plot without bars / lesions /
// timepoints, or non-finite values.
std::string render_waterfall_png(const WaterfallPlot& plot);
std::string render_waterfall_svg(const WaterfallPlot& plot);
std::string render_trajectory_png(const TrajectoryPlot& plot);
std::string render_trajectory_svg(const TrajectoryPlot& plot);

// The plots of a response.json text (schema oncotrace-response/1): one waterfall per follow-up
// that has at least one lesion, and the trajectory over all timepoints when some lesion has a
// value. `source` names the file in errors (InvalidInputError for text that is not a
// response.json).
struct ResponsePlots {
  std::vector<WaterfallPlot> waterfalls;
  std::optional<TrajectoryPlot> trajectory;
};
ResponsePlots response_plots(const std::string& response_json, const std::string& source);

// Writes the plots of RESPONSE_DIR/response.json into `figures_dir` atomically:
// waterfall_<n>.png/.svg (n = 1 for the first follow-up) and trajectory.png/.svg; returns the
// files written.
std::vector<std::filesystem::path> write_response_figures(const std::filesystem::path& response_dir,
                                                          const std::filesystem::path& figures_dir);

// ---------------------------------------------------------------------------------------------
// Multi-tracer heterogeneity figure (from patient.json of `oncotrace patient`)
//
// One scatter plot per receptor tracer study: one point per patient lesion with both an FDG value
// and a value of the tracer's positivity metric. x = the FDG quantity the avidity rule compared
// (SULpeak for percist-liver, SUVmax for suvmax:T; the FDG study's SUVmax for the rule
// "detected"), y = the tracer's metric (e.g. FES SUVmax). Dashed lines at the FDG avidity
// threshold and at the tracer's positivity threshold (when the rules have them) divide the plane
// into the quadrants FDG+/target+, FDG+/target-, FDG-/target+, FDG-/target-; each quadrant is
// labelled with its count of plotted lesions, counted from the lesions' own calls (so they agree
// with the heterogeneity summary's "quadrants" for the same lesions). Points are coloured by the
// tracer status (positive, negative, other), filled when FDG-avid and hollow otherwise, and
// labelled with the lesion id. The FDG study is the reference study when it is FDG, else the
// first FDG study (as in analyze_patient).

struct HeterogeneityPoint {
  std::string lesion_id;
  std::string organ;
  double fdg_value = 0.0;
  double target_value = 0.0;
  std::optional<bool> fdg_avid;
  std::string target_status;  // "positive", "negative", "continuous_only", "not_assessable"
};

struct HeterogeneityPlot {
  std::string title;    // e.g. "FDG versus fes (ER), per lesion"
  std::string tracer;   // catalogue id, e.g. "fes"
  std::string target;   // e.g. "ER"
  std::string study;    // the tracer's study id
  std::string x_label;  // e.g. "FDG SULpeak (g/mL)"
  std::string y_label;  // e.g. "fes SUVmax (g/mL)"
  std::optional<double> x_threshold;
  std::optional<double> y_threshold;
  std::vector<HeterogeneityPoint> points;
  std::vector<std::string> not_plotted;  // "L9: outside the FDG field of view"
  std::vector<std::string> notes;        // e.g. thresholds that differ between lesions
};

// The plots of a patient.json text (schema oncotrace.patient/1): one per receptor tracer study
// (none without an FDG study). `source` names the file in errors (InvalidInputError for text
// that is not a patient.json).
std::vector<HeterogeneityPlot> heterogeneity_plots(const std::string& patient_json,
                                                   const std::string& source);
// The quadrant of a point: "FDG+/T+", "FDG+/T-", "FDG-/T+", "FDG-/T-", or "" when the FDG call
// or the tracer status is not a positive/negative call.
std::string heterogeneity_quadrant(const HeterogeneityPoint& point);
// PNG bytes and an SVG document. Throw InvalidInputError for a plot without points or with
// non-finite values.
std::string render_heterogeneity_png(const HeterogeneityPlot& plot);
std::string render_heterogeneity_svg(const HeterogeneityPlot& plot);

// ---------------------------------------------------------------------------------------------
// The HTML report

struct ReportOptions {
  // Hide patient name, ID, birth date, study date, accession number, UIDs, input paths and the
  // command line.
  bool anonymise = false;
  PetColormap colormap = PetColormap::kInverseGrey;
  // Upper end of the PET window in image units; nullopt = 10 for SUV/SUL images, else the 99.5th
  // percentile of the positive MIP pixels.
  std::optional<double> window_max;
  // The study to draw when the input path recorded in the provenance is not reachable (moved
  // folder, other machine); nullopt = the recorded path.
  std::optional<std::filesystem::path> study;
  // Also write the figures as PNG and SVG files into this folder (nullopt = embedded only).
  std::optional<std::filesystem::path> figures_dir;
};

// The report of an analyze output folder as HTML text. Throws InvalidInputError naming the file
// when lesions.json is absent or malformed or the study cannot be found. A folder with
// response.json and no lesions.json (an `oncotrace response` output folder) gets the response
// report: timepoints, assessments, waterfall and trajectory plots, change table, warnings and
// provenance (each section only when its data exists). A folder with patient.json and neither
// of the two (an `oncotrace patient` output folder) gets the patient report: studies, coronal
// projections of every study, the patient lesion table, the heterogeneity figures and summaries,
// the pathology comparison and precision summary, warnings and provenance.
std::string build_report_html(const std::filesystem::path& results_dir,
                              const ReportOptions& options = {});

// build_report_html written atomically to `html_path` (default RESULTS_DIR/report.html).
void write_report(const std::filesystem::path& results_dir, const std::filesystem::path& html_path,
                  const ReportOptions& options = {});

// Text escaped for HTML element content and attribute values (& < > " ').
std::string escape_html(const std::string& text);

// Prints an HTML file to PDF with headless Chromium (print-to-pdf), written atomically. The
// browser is $ONCOTRACE_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on
// PATH. Throws InvalidInputError when no browser is found (naming the Debian package) or when
// printing fails (with the browser's last output lines).
void print_html_to_pdf(const std::filesystem::path& html_path,
                       const std::filesystem::path& pdf_path);

// The Chromium executable print_html_to_pdf would use, or nullopt.
std::optional<std::filesystem::path> find_chromium();

}  // namespace oncotrace

#endif  // ONCOTRACE_REPORT_H_
