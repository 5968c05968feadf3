// Figures: colour-map endpoints, aspect ratio, and pixels where the geometry says they must be.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "oncotrace/error.h"
#include "oncotrace/report.h"

namespace oncotrace {
namespace {

// A decoded PNG (cairo's RGB24/ARGB32: one uint32 per pixel, 0x00RRGGBB).
class DecodedPng {
 public:
  explicit DecodedPng(const std::string& png) : bytes_(png) {
    surface_ = cairo_image_surface_create_from_png_stream(&DecodedPng::read, this);
  }
  ~DecodedPng() { cairo_surface_destroy(surface_); }
  DecodedPng(const DecodedPng&) = delete;
  DecodedPng& operator=(const DecodedPng&) = delete;
  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  Rgb at(double x, double y) const {
    const int column = static_cast<int>(std::floor(x));
    const int row = static_cast<int>(std::floor(y));
    const unsigned char* data = cairo_image_surface_get_data(surface_);
    const int stride = cairo_image_surface_get_stride(surface_);
    uint32_t pixel = 0;
    std::memcpy(&pixel,
                data + static_cast<ptrdiff_t>(row) * stride + static_cast<ptrdiff_t>(column) * 4,
                4);
    return {static_cast<uint8_t>(pixel >> 16), static_cast<uint8_t>(pixel >> 8),
            static_cast<uint8_t>(pixel)};
  }

 private:
  static cairo_status_t read(void* closure, unsigned char* data, unsigned int length) {
    auto* self = static_cast<DecodedPng*>(closure);
    if (self->offset_ + length > self->bytes_.size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, self->bytes_.data() + self->offset_, length);
    self->offset_ += length;
    return CAIRO_STATUS_SUCCESS;
  }
  std::string bytes_;
  size_t offset_ = 0;
  cairo_surface_t* surface_ = nullptr;
};

// 40 x 30 x 50 voxels of 2 x 3 x 4 mm, value 1, sphere (radius 9 mm, value 5) around voxel
// (25, 10, 35) whose centre holds 12, and its label map (label 7).
struct Phantom {
  ImageVolume image;
  LabelMap labels;
};

Phantom sphere_phantom() {
  Geometry grid;
  grid.size = {40, 30, 50};
  grid.spacing_mm = {2.0, 3.0, 4.0};
  grid.origin_mm = {-40.0, -45.0, -100.0};
  Phantom phantom{ImageVolume(grid, 1.0F), LabelMap(grid, 0)};
  const Vec3 centre = grid.index_to_world(25, 10, 35);
  for (int64_t k = 0; k < 50; ++k) {
    for (int64_t j = 0; j < 30; ++j) {
      for (int64_t i = 0; i < 40; ++i) {
        const Vec3 p = grid.index_to_world(i, j, k);
        if (std::hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= 9.0) {
          phantom.image.at(i, j, k) = 5.0F;
          phantom.labels.at(i, j, k) = 7;
        }
      }
    }
  }
  phantom.image.at(25, 10, 35) = 12.0F;
  return phantom;
}

std::vector<FigurePanel> panels_of(const Phantom& phantom) {
  std::vector<FigurePanel> panels;
  for (const ProjectionView view : {ProjectionView::kCoronal, ProjectionView::kSagittal}) {
    FigurePanel panel;
    panel.pet = maximum_intensity_projection(phantom.image, view);
    panel.outlines = project_labels(phantom.labels, view);
    panel.title = view == ProjectionView::kCoronal ? "Coronal MIP" : "Sagittal MIP";
    panels.push_back(std::move(panel));
  }
  return panels;
}

bool is_red(const Rgb& colour) {
  return colour.red > 150 && colour.green < 110 && colour.blue < 110;
}

TEST(ColormapTest, InverseGreyEndpoints) {
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, 0.0), (Rgb{255, 255, 255}));
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, 1.0), (Rgb{0, 0, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, 0.5), (Rgb{128, 128, 128}));  // 127.5
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, -3.0), (Rgb{255, 255, 255}));
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, 7.0), (Rgb{0, 0, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kInverseGrey, std::nan("")), (Rgb{255, 255, 255}));
}

TEST(ColormapTest, HotIronIsTheDicomPalette) {
  // DICOM PS3.6 B.1.1: entries 0, 127, 128, 191, 192 and 255.
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 0.0), (Rgb{0, 0, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 127 / 255.0), (Rgb{254, 0, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 128 / 255.0), (Rgb{255, 0, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 191 / 255.0), (Rgb{255, 126, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 192 / 255.0), (Rgb{255, 128, 0}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 1.0), (Rgb{255, 254, 252}));
  EXPECT_EQ(colormap_colour(PetColormap::kHotIron, 2.0), (Rgb{255, 254, 252}));
}

TEST(ColormapTest, NamesRoundTrip) {
  EXPECT_EQ(parse_pet_colormap("hot-iron"), PetColormap::kHotIron);
  EXPECT_EQ(parse_pet_colormap("inverse-grey"), PetColormap::kInverseGrey);
  EXPECT_FALSE(parse_pet_colormap("rainbow"));
  EXPECT_EQ(pet_colormap_name(PetColormap::kHotIron), "hot-iron");
}

TEST(FigureTest, PanelsKeepThePatientAspectRatio) {
  const std::vector<FigurePanel> panels = panels_of(sphere_phantom());
  FigureStyle style;
  style.panel_height_px = 400.0;
  const FigureLayout layout = layout_figure(panels, style);
  ASSERT_EQ(layout.panels.size(), 2u);
  // Coronal: 80 mm wide, 200 mm high; sagittal: 90 mm wide.
  EXPECT_DOUBLE_EQ(layout.panels[0].height, 400.0);
  EXPECT_DOUBLE_EQ(layout.panels[0].width, 400.0 * 80.0 / 200.0);
  EXPECT_DOUBLE_EQ(layout.panels[1].width, 400.0 * 90.0 / 200.0);
  EXPECT_GT(layout.panels[1].x, layout.panels[0].x + layout.panels[0].width);
  EXPECT_GT(layout.colour_bar_x, layout.panels[1].x + layout.panels[1].width);
  EXPECT_DOUBLE_EQ(layout.colour_bar_height, 400.0);
}

TEST(FigureTest, BrightestPixelAndContourAreWhereTheGeometrySays) {
  const std::vector<FigurePanel> panels = panels_of(sphere_phantom());
  FigureStyle style;  // inverse grey, window 0..10
  const std::string png = render_figure_png(panels, style);
  ASSERT_EQ(png.substr(1, 3), "PNG");
  const DecodedPng image(png);
  ASSERT_TRUE(image.ok());
  const FigureLayout layout = layout_figure(panels, style);
  EXPECT_EQ(image.width(), layout.width);
  EXPECT_EQ(image.height(), layout.height);

  for (size_t panel = 0; panel < 2; ++panel) {
    const Projection& mip = panels[panel].pet;
    const int64_t hot_column = panel == 0 ? 25 : 10;
    // The hottest voxel (12 >= window maximum 10): black.
    const auto hot = layout.pixel_centre(panel, mip, static_cast<double>(hot_column), 14.0);
    EXPECT_EQ(image.at(hot[0], hot[1]), (Rgb{0, 0, 0})) << "panel " << panel;
    // Sphere value 5: half the window, grey 127.5 -> 128.
    const auto sphere = layout.pixel_centre(panel, mip, static_cast<double>(hot_column), 15.0);
    EXPECT_EQ(image.at(sphere[0], sphere[1]), (Rgb{128, 128, 128}));
    // Background value 1: 0.1 of the window, grey 229.5 -> 230 (lround).
    const auto background = layout.pixel_centre(panel, mip, 3.0, 40.0);
    EXPECT_EQ(image.at(background[0], background[1]), (Rgb{230, 230, 230}));

    // Contour: the left edge of the footprint, on the hot row.
    const LabelFootprint& footprint = panels[panel].outlines.front();
    int64_t left_column = hot_column;
    while (footprint.contains(left_column - 1, 14)) --left_column;
    const auto edge = layout.pixel_centre(panel, mip, static_cast<double>(left_column) - 0.5, 14.0);
    EXPECT_TRUE(is_red(image.at(edge[0], edge[1])) || is_red(image.at(edge[0] - 1.0, edge[1])))
        << "no contour at the footprint edge of panel " << panel;
    // No contour one pixel further out or at the centre.
    const auto outside =
        layout.pixel_centre(panel, mip, static_cast<double>(left_column) - 1.5, 14.0);
    EXPECT_FALSE(is_red(image.at(outside[0] - 1.0, outside[1])));
    EXPECT_FALSE(is_red(image.at(hot[0], hot[1])));
  }
  // Colour bar: top = window maximum (black), bottom = minimum (white).
  const double bar_x = layout.colour_bar_x + layout.colour_bar_width / 2.0;
  EXPECT_EQ(image.at(bar_x, layout.colour_bar_y + 1.5), (Rgb{0, 0, 0}));
  EXPECT_EQ(image.at(bar_x, layout.colour_bar_y + layout.colour_bar_height - 1.5),
            (Rgb{255, 255, 255}));
}

TEST(FigureTest, WindowAndHotIronChangeThePixelColours) {
  const std::vector<FigurePanel> panels = panels_of(sphere_phantom());
  FigureStyle style;
  style.colormap = PetColormap::kHotIron;
  style.window_max = 20.0;
  const DecodedPng image(render_figure_png(panels, style));
  ASSERT_TRUE(image.ok());
  const FigureLayout layout = layout_figure(panels, style);
  const auto hot = layout.pixel_centre(0, panels[0].pet, 25.0, 14.0);
  EXPECT_EQ(image.at(hot[0], hot[1]), colormap_colour(PetColormap::kHotIron, 12.0 / 20.0));
  const double bar_x = layout.colour_bar_x + layout.colour_bar_width / 2.0;
  EXPECT_EQ(image.at(bar_x, layout.colour_bar_y + 1.5), (Rgb{255, 254, 252}));
  EXPECT_EQ(image.at(bar_x, layout.colour_bar_y + layout.colour_bar_height - 1.5), (Rgb{0, 0, 0}));
}

TEST(FigureTest, FusedDisplayShowsCtWherePetIsZero) {
  Phantom phantom = sphere_phantom();
  for (float& value : phantom.image.values) value = value == 1.0F ? 0.0F : value;
  std::vector<FigurePanel> panels = panels_of(phantom);
  for (FigurePanel& panel : panels) {
    panel.ct = panel.pet;
    for (float& value : panel.ct->values) value = 0.3F;  // half the CT window 0..0.6
  }
  FigureStyle style;
  const DecodedPng image(render_figure_png(panels, style));
  ASSERT_TRUE(image.ok());
  const FigureLayout layout = layout_figure(panels, style);
  const auto background = layout.pixel_centre(0, panels[0].pet, 3.0, 40.0);
  EXPECT_EQ(image.at(background[0], background[1]), (Rgb{128, 128, 128}));
  // Hottest pixel: opacity 0.8 of hot iron's last entry over grey 127.5.
  const auto hot = layout.pixel_centre(0, panels[0].pet, 25.0, 14.0);
  const Rgb colour = image.at(hot[0], hot[1]);
  EXPECT_EQ(colour.red, static_cast<uint8_t>(std::lround(0.2 * 127.5 + 0.8 * 255)));
  EXPECT_EQ(colour.blue, static_cast<uint8_t>(std::lround(0.2 * 127.5 + 0.8 * 252)));
}

TEST(FigureTest, SvgIsAnSvgDocument) {
  const std::string svg = render_figure_svg(panels_of(sphere_phantom()), FigureStyle{});
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(FigureTest, BadWindowAndEmptyFigureAreRefused) {
  FigureStyle style;
  style.window_max = 0.0;
  EXPECT_THROW(render_figure_png(panels_of(sphere_phantom()), style), InvalidInputError);
  EXPECT_THROW(render_figure_png({}, FigureStyle{}), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
