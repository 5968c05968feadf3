#include "oncotrace/rtstruct.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "io/rtstruct.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using io_internal::fill_even_odd;
using io_internal::PlanePolygon;

size_t count_set(const std::vector<uint8_t>& values) {
  return static_cast<size_t>(std::count(values.begin(), values.end(), uint8_t{1}));
}

// ---------------------------------------------------------------------------------------------
// The inside rule on hand-made polygons.

TEST(FillEvenOddTest, SquareTakesTheCentresInsideHalfOpen) {
  // Corners at half-voxel positions: centres 2..5 in i and 1..3 in j are inside, 4 x 3 voxels.
  const PlanePolygon square = {{1.5, 0.5}, {5.5, 0.5}, {5.5, 3.5}, {1.5, 3.5}};
  std::vector<uint8_t> plane(size_t{8} * 6, 0);
  fill_even_odd({square}, 8, 6, plane.data());
  EXPECT_EQ(count_set(plane), 12U);
  EXPECT_EQ(plane[1 * 8 + 2], 1);
  EXPECT_EQ(plane[3 * 8 + 5], 1);
  EXPECT_EQ(plane[0 * 8 + 2], 0);
  EXPECT_EQ(plane[1 * 8 + 6], 0);
}

TEST(FillEvenOddTest, CentresOnTheEdgeCountOnTheLowSideOnly) {
  // Edges exactly through voxel centres: i = 1 and j = 1 are inside, i = 4 and j = 3 are not,
  // so the square [1, 4) x [1, 3) holds 3 x 2 voxels and its neighbour sharing the edge i = 4
  // takes that column.
  const PlanePolygon left = {{1, 1}, {4, 1}, {4, 3}, {1, 3}};
  const PlanePolygon right = {{4, 1}, {6, 1}, {6, 3}, {4, 3}};
  std::vector<uint8_t> only_left(size_t{8} * 5, 0);
  fill_even_odd({left}, 8, 5, only_left.data());
  EXPECT_EQ(count_set(only_left), 6U);
  EXPECT_EQ(only_left[1 * 8 + 1], 1);
  EXPECT_EQ(only_left[1 * 8 + 4], 0);
  EXPECT_EQ(only_left[3 * 8 + 1], 0);
  std::vector<uint8_t> only_right(size_t{8} * 5, 0);
  fill_even_odd({right}, 8, 5, only_right.data());
  EXPECT_EQ(count_set(only_right), 4U);
  for (size_t index = 0; index < only_left.size(); ++index) {
    EXPECT_FALSE(only_left[index] == 1 && only_right[index] == 1) << index;
  }
}

TEST(FillEvenOddTest, NestedContourIsAHoleAndOverlapsCancel) {
  const PlanePolygon outer = {{-0.5, -0.5}, {9.5, -0.5}, {9.5, 9.5}, {-0.5, 9.5}};  // 10 x 10
  const PlanePolygon inner = {{2.5, 2.5}, {6.5, 2.5}, {6.5, 6.5}, {2.5, 6.5}};      // 4 x 4
  std::vector<uint8_t> ring(size_t{10} * 10, 0);
  fill_even_odd({outer, inner}, 10, 10, ring.data());
  EXPECT_EQ(count_set(ring), 100U - 16U);
  EXPECT_EQ(ring[4 * 10 + 4], 0);

  // Two overlapping squares: the overlap is inside both, hence outside.
  const PlanePolygon first = {{-0.5, -0.5}, {3.5, -0.5}, {3.5, 3.5}, {-0.5, 3.5}};  // 4 x 4
  const PlanePolygon second = {{1.5, 1.5}, {5.5, 1.5}, {5.5, 5.5}, {1.5, 5.5}};     // 4 x 4
  std::vector<uint8_t> exclusive(size_t{8} * 8, 0);
  fill_even_odd({first, second}, 8, 8, exclusive.data());
  EXPECT_EQ(count_set(exclusive), 16U + 16U - 2U * 4U);
}

TEST(FillEvenOddTest, OrientationDoesNotMatterAndGridClips) {
  const PlanePolygon clockwise = {{-3.2, -2.7}, {-3.2, 4.4}, {12.1, 4.4}, {12.1, -2.7}};
  PlanePolygon counter = clockwise;
  std::reverse(counter.begin(), counter.end());
  std::vector<uint8_t> a(size_t{6} * 4, 0);
  std::vector<uint8_t> b(size_t{6} * 4, 0);
  fill_even_odd({clockwise}, 6, 4, a.data());
  fill_even_odd({counter}, 6, 4, b.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(count_set(a), 24U);  // covers the whole plane, clipped to it
}

TEST(FillEvenOddTest, TriangleMatchesTheCentreCount) {
  // Right triangle with legs along i and j through (0, 0), (10, 0), (0, 10) shifted by 0.25:
  // centre (i, j) is inside when i + j < 10 - 0.5 and i, j >= 0, i.e. i + j <= 9: 55 voxels.
  const PlanePolygon triangle = {{-0.25, -0.25}, {9.75, -0.25}, {-0.25, 9.75}};
  std::vector<uint8_t> plane(size_t{12} * 12, 0);
  fill_even_odd({triangle}, 12, 12, plane.data());
  EXPECT_EQ(count_set(plane), 55U);
}

// ---------------------------------------------------------------------------------------------
// Rasterisation on a synthetic structure set.

StructureSet square_structure_set() {
  StructureSet structure_set;
  structure_set.file = "synthetic.dcm";
  structure_set.frame_of_reference_uid = "1.2.3";
  StructureSetRoi roi;
  roi.number = 1;
  roi.name = "box";
  for (double z : {10.0, 12.0, 14.0}) {
    RoiContour contour;
    contour.type = ContourType::kClosedPlanar;
    contour.type_name = "CLOSED_PLANAR";
    // 3 x 3 voxel centres: x in {1, 2, 3} mm and y in {2, 4, 6} mm (spacing 1 x 2 mm).
    contour.points_mm = {{0.5, 1.0, z}, {3.5, 1.0, z}, {3.5, 7.0, z}, {0.5, 7.0, z}};
    roi.contours.push_back(contour);
  }
  RoiContour marker;
  marker.type = ContourType::kPoint;
  marker.type_name = "POINT";
  marker.points_mm = {{2, 4, 12}};
  roi.contours.push_back(marker);
  structure_set.rois.push_back(roi);
  StructureSetRoi point_only;
  point_only.number = 2;
  point_only.name = "marker";
  point_only.contours.push_back(marker);
  structure_set.rois.push_back(point_only);
  return structure_set;
}

Geometry square_grid() {
  Geometry grid;
  grid.size = {6, 5, 4};
  grid.spacing_mm = {1, 2, 2};
  grid.origin_mm = {0, 0, 10};  // planes at z = 10, 12, 14, 16
  return grid;
}

TEST(RasteriseRoiTest, BoxOnThreePlanes) {
  const Mask mask = rasterise_roi(square_structure_set(), "box", square_grid());
  EXPECT_EQ(count_set(mask.values), 27U);
  EXPECT_EQ(mask.at(1, 1, 0), 1);
  EXPECT_EQ(mask.at(3, 3, 2), 1);
  EXPECT_EQ(mask.at(0, 1, 0), 0);
  EXPECT_EQ(mask.at(1, 1, 3), 0);
}

TEST(RasteriseRoiTest, ContoursMatchPlanesWithinHalfASpacing) {
  Geometry grid = square_grid();
  grid.origin_mm[2] = 10.9;  // planes at 10.9, 12.9, ...: every contour 0.9 mm off, < 1 mm
  EXPECT_EQ(count_set(rasterise_roi(square_structure_set(), "box", grid).values), 27U);
  grid.origin_mm[2] = -30.0;  // the planes end at z = -24 mm
  EXPECT_THROW(rasterise_roi(square_structure_set(), "box", grid), InvalidInputError);
}

TEST(RasteriseRoiTest, ExplicitPlanePositionsAreUsed) {
  RasterisationOptions options;
  // The third plane sits 1.2 mm higher than the grid says; the contour at z = 14 is 1.2 mm away
  // from it, more than half of the 2 mm spacing, so only two contours land.
  options.plane_positions_mm = {{0, 0, 10}, {0, 0, 12}, {0, 0, 15.2}, {0, 0, 17}};
  EXPECT_EQ(count_set(rasterise_roi(square_structure_set(), "box", square_grid(), options).values),
            18U);
  options.plane_positions_mm.pop_back();
  EXPECT_THROW(rasterise_roi(square_structure_set(), "box", square_grid(), options),
               InvalidInputError);
}

TEST(RasteriseRoiTest, ObliqueGridIsHandledInItsOwnAxes) {
  // The same box seen from a grid whose i axis points along -x and j along -y (a 180 degree turn
  // about z): the voxel count is unchanged.
  Geometry grid = square_grid();
  grid.direction = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
  grid.origin_mm = {5, 8, 10};
  EXPECT_EQ(count_set(rasterise_roi(square_structure_set(), "box", grid).values), 27U);
}

TEST(RasteriseRoiTest, ErrorsNameTheProblem) {
  const StructureSet structure_set = square_structure_set();
  try {
    rasterise_roi(structure_set, "GTV", square_grid());
    FAIL() << "unknown ROI accepted";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("'box', 'marker'"), std::string::npos) << error.what();
  }
  RasterisationOptions options;
  options.image_frame_of_reference_uid = "9.9.9";
  try {
    rasterise_roi(structure_set, "box", square_grid(), options);
    FAIL() << "frame of reference mismatch accepted";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("1.2.3"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("9.9.9"), std::string::npos) << error.what();
  }
  options.image_frame_of_reference_uid = "1.2.3";
  EXPECT_EQ(count_set(rasterise_roi(structure_set, "box", square_grid(), options).values), 27U);
  EXPECT_THROW(rasterise_roi(structure_set, "marker", square_grid()), UnsupportedDataError);

  StructureSet tilted = structure_set;
  tilted.rois.front().contours.front().points_mm[2][2] += 0.8;  // 0.8 mm out of its plane
  EXPECT_THROW(rasterise_roi(tilted, "box", square_grid()), UnsupportedDataError);
}

// ---------------------------------------------------------------------------------------------
// Real RTSTRUCTs against the golden numbers of test-data.md.

// The grid of a single-frame DICOM series, read here with DCMTK because the DICOM reader module
// is tested on its own: planes sorted along the normal of ImageOrientationPatient, the slice
// spacing from the first and last ImagePositionPatient, and every plane's position.
struct DicomGrid {
  Geometry geometry;
  std::vector<Vec3> planes;
  std::string frame_of_reference_uid;
};

DicomGrid read_dicom_grid(const std::filesystem::path& folder) {
  struct Plane {
    Vec3 position;
    double distance;
  };
  std::vector<Plane> planes;
  DicomGrid grid;
  Vec3 row{};
  Vec3 column{};
  Vec3 normal{};
  Float64 spacing[2] = {0, 0};
  Uint16 rows = 0;
  Uint16 columns = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    DcmFileFormat file;
    if (file.loadFile(entry.path().string().c_str()).bad()) continue;
    DcmDataset& dataset = *file.getDataset();
    Vec3 position{};
    for (unsigned long axis = 0; axis < 3; ++axis) {
      dataset.findAndGetFloat64(DCM_ImagePositionPatient, position[axis], axis);
      dataset.findAndGetFloat64(DCM_ImageOrientationPatient, row[axis], axis);
      dataset.findAndGetFloat64(DCM_ImageOrientationPatient, column[axis], axis + 3);
    }
    dataset.findAndGetFloat64(DCM_PixelSpacing, spacing[0], 0);
    dataset.findAndGetFloat64(DCM_PixelSpacing, spacing[1], 1);
    dataset.findAndGetUint16(DCM_Rows, rows);
    dataset.findAndGetUint16(DCM_Columns, columns);
    OFString frame_of_reference;
    dataset.findAndGetOFString(DCM_FrameOfReferenceUID, frame_of_reference);
    // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
    // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
    grid.frame_of_reference_uid = frame_of_reference.c_str();
    normal = {row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2],
              row[0] * column[1] - row[1] * column[0]};
    planes.push_back(
        {position, position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2]});
  }
  std::sort(planes.begin(), planes.end(),
            [](const Plane& a, const Plane& b) { return a.distance < b.distance; });
  Geometry& geometry = grid.geometry;
  geometry.size = {columns, rows, static_cast<int64_t>(planes.size())};
  geometry.spacing_mm = {
      spacing[1], spacing[0],
      (planes.back().distance - planes.front().distance) / static_cast<double>(planes.size() - 1)};
  geometry.origin_mm = planes.front().position;
  geometry.direction = {row[0],    column[0], normal[0], row[1],   column[1],
                        normal[1], row[2],    column[2], normal[2]};
  for (const auto& plane : planes) grid.planes.push_back(plane.position);
  return grid;
}

TEST(RtstructSts001Test, ReadsTheRawStructureSet) {
  ONCOTRACE_REQUIRE_TEST_DATA(raw, "sts001-fdg-petct/raw_fullfov");
  const StructureSet structure_set = read_rtstruct(raw / "mask" / "1-1.dcm");
  EXPECT_EQ(structure_set.roi_names(), (std::vector<std::string>{"GTV_Mass", "GTV_Edema"}));
  EXPECT_EQ(structure_set.frame_of_reference_uid,
            "1.3.6.1.4.1.14519.5.2.1.5168.1900.316167340799089327122304118088");
  const StructureSetRoi& mass = structure_set.roi("GTV_Mass");
  EXPECT_EQ(mass.number, 1);
  EXPECT_EQ(mass.generation_algorithm, "MANUAL");
  ASSERT_TRUE(mass.display_color.has_value());
  EXPECT_EQ(*mass.display_color, (std::array<int, 3>{255, 0, 0}));
  // dcmdump: 32 contours for GTV_Mass, 75 Contour Data elements in all; the first has 319 points.
  ASSERT_EQ(mass.contours.size(), 32U);
  EXPECT_EQ(mass.contours.front().points_mm.size(), 319U);
  EXPECT_EQ(mass.contours.front().type, ContourType::kClosedPlanar);
  EXPECT_EQ(structure_set.roi("GTV_Edema").contours.size(), 75U - 32U);
  EXPECT_EQ(structure_set.referenced_series_uids.size(), 1U);
}

TEST(RtstructSts001Test, RawContoursOnTheRawPetGrid) {
  ONCOTRACE_REQUIRE_TEST_DATA(raw, "sts001-fdg-petct/raw_fullfov");
  const StructureSet structure_set = read_rtstruct(raw / "mask" / "1-1.dcm");
  const DicomGrid grid = read_dicom_grid(raw / "image");
  ASSERT_EQ(grid.geometry.size, (Index3{128, 128, 267}));
  RasterisationOptions options;
  options.image_frame_of_reference_uid = grid.frame_of_reference_uid;
  options.plane_positions_mm = grid.planes;  // bed junctions: 3.19 / 3.29 mm steps
  // test-data.md §2, S5 and S11.
  const Mask mass = rasterise_roi(structure_set, "GTV_Mass", grid.geometry, options);
  EXPECT_EQ(count_set(mass.values), 5095U);
  const Mask edema = rasterise_roi(structure_set, "GTV_Edema", grid.geometry, options);
  EXPECT_EQ(count_set(edema.values), 8058U);
  // S11: the edema contains the mass.
  for (size_t index = 0; index < mass.values.size(); ++index) {
    if (mass.values[index] != 0) {
      ASSERT_EQ(edema.values[index], 1) << index;
    }
  }
  // The uniform grid (mean spacing) puts every plane within 0.1 mm of the real one: same set.
  options.plane_positions_mm.clear();
  EXPECT_EQ(rasterise_roi(structure_set, "GTV_Mass", grid.geometry, options).values, mass.values);
}

TEST(RtstructSts001Test, CropContoursEqualTheIbsiNiftiMask) {
  ONCOTRACE_REQUIRE_TEST_DATA(crop, "sts001-fdg-petct/ibsi_cropped/PET");
  const StructureSet structure_set = read_rtstruct(crop / "dicom" / "mask" / "RS.dcm");
  const LabelMap reference = read_nifti_labels(crop / "nifti" / "mask" / "mask.nii.gz");
  RasterisationOptions options;
  options.image_frame_of_reference_uid =
      "1.3.6.1.4.1.14519.5.2.1.5168.1900.316167340799089327122304118088";
  const Mask mask = rasterise_roi(structure_set, "GTV_Mass_PET", reference.geometry, options);
  EXPECT_EQ(count_set(mask.values), 5095U);  // test-data.md §2, S5
  size_t differences = 0;
  for (size_t index = 0; index < mask.values.size(); ++index) {
    differences += (mask.values[index] != 0) != (reference.values[index] != 0) ? 1 : 0;
  }
  EXPECT_EQ(differences, 0U);
}

TEST(RtstructDroTest, Region1OnTheDroGrid) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0");
  const StructureSet structure_set = read_rtstruct(dro / "RS" / "RS_dro_0_0.dcm");
  EXPECT_EQ(structure_set.roi_names(), std::vector<std::string>{"region_1"});
  const DicomGrid grid = read_dicom_grid(dro / "PT");
  RasterisationOptions options;
  options.image_frame_of_reference_uid = grid.frame_of_reference_uid;
  const Mask mask = rasterise_roi(structure_set, "region_1", grid.geometry, options);
  EXPECT_EQ(count_set(mask.values), 174690U);  // test-data.md §1
  // ... and lies inside the NIfTI mask of every non-zero voxel (same grid, pinned in
  // nifti_test.cc).
  const LabelMap phantom = read_nifti_labels(dro / "mask" / "DRO_mask.nii.gz");
  ASSERT_TRUE(phantom.geometry.same_grid_as(grid.geometry));
  for (size_t index = 0; index < mask.values.size(); ++index) {
    if (mask.values[index] != 0) {
      ASSERT_NE(phantom.values[index], 0) << index;
    }
  }
}

TEST(RtstructLu177Test, LesionsOnScan001) {
  ONCOTRACE_REQUIRE_TEST_DATA(scan, "lu177-spect/SCAN_001");
  std::filesystem::path rtstruct_path;
  for (const auto& entry : std::filesystem::directory_iterator(scan / "mask")) {
    rtstruct_path = entry.path();
  }
  const StructureSet structure_set = read_rtstruct(rtstruct_path);
  const DicomGrid grid = read_dicom_grid(scan / "image");
  RasterisationOptions options;
  options.image_frame_of_reference_uid = grid.frame_of_reference_uid;
  options.plane_positions_mm = grid.planes;
  // test-data.md §3, L3 and L4.
  EXPECT_EQ(
      count_set(
          rasterise_roi(structure_set, "lesion1 liver R lobe", grid.geometry, options).values),
      14364U);
  EXPECT_EQ(
      count_set(
          rasterise_roi(structure_set, "lesion2 liver L lateral", grid.geometry, options).values),
      384U);
}

TEST(RtstructReadTest, RefusesFilesThatAreNotStructureSets) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro, "suv-dro/DRO/DRO_0_0");
  EXPECT_THROW(read_rtstruct(dro / "PT" / "pet_dro_0_0_slice_000.dcm"), InvalidInputError);
  EXPECT_THROW(read_rtstruct(dro / "absent.dcm"), InvalidInputError);
}

}  // namespace
}  // namespace oncotrace
