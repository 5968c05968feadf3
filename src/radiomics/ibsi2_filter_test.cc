// IBSI-2 phase 1: filter response maps of the digital phantoms against the consensus maps
// (radiomics-ibsi.md §8.3). Pass: every voxel within 1 % of the reference map's range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <ostream>

#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "testing/test_data.h"

namespace oncotrace::radiomics {
namespace {

struct MapCase {
  std::string id;       // test ID, e.g. "3.a.2"
  std::string phantom;  // digital phantom name
  std::function<ImageVolume(const ImageVolume&)> filter;
};

// Test names and failure messages show the test ID rather than the bytes of the struct.
void PrintTo(const MapCase& test, std::ostream* out) {
  *out << test.id << " (" << test.phantom << ")";
}

LawsFilterSettings laws(const std::string& kernels, bool in_plane, bool invariant, int energy,
                        FilterBoundary boundary) {
  LawsFilterSettings settings;
  settings.kernels = kernels;
  settings.in_plane = in_plane;
  settings.rotation_invariant = invariant;
  settings.energy_distance = energy;
  settings.boundary = boundary;
  return settings;
}

// Parameters from radiomics-ibsi.md §8.3 (MIRP's IBSI-2 tests).
std::vector<MapCase> map_cases() {
  using B = FilterBoundary;
  const auto mean = [](bool in_plane, B boundary) {
    return [=](const ImageVolume& image) { return mean_filter(image, 15, in_plane, boundary); };
  };
  const auto log = [](double sigma, bool in_plane, B boundary) {
    return [=](const ImageVolume& image) {
      return laplacian_of_gaussian_filter(image, sigma, 4.0, in_plane, boundary);
    };
  };
  const auto law = [](LawsFilterSettings settings) {
    return [=](const ImageVolume& image) { return laws_filter(image, settings); };
  };
  return {
      {"1.a.1", "checkerboard", mean(false, B::kZero)},
      {"1.a.2", "checkerboard", mean(false, B::kNearest)},
      {"1.a.3", "checkerboard", mean(false, B::kPeriodic)},
      {"1.a.4", "checkerboard", mean(false, B::kMirror)},
      {"1.b.1", "impulse", mean(true, B::kZero)},
      {"2.a", "impulse", log(3.0, false, B::kZero)},
      {"2.b", "checkerboard", log(5.0, false, B::kMirror)},
      {"2.c", "checkerboard", log(5.0, true, B::kMirror)},
      {"3.a.1", "impulse", law(laws("E5L5S5", false, false, 0, B::kZero))},
      {"3.a.2", "impulse", law(laws("E5L5S5", false, true, 0, B::kZero))},
      {"3.a.3", "impulse", law(laws("E5L5S5", false, true, 7, B::kZero))},
      {"3.b.1", "checkerboard", law(laws("E3W5R5", false, false, 0, B::kMirror))},
      {"3.b.2", "checkerboard", law(laws("E3W5R5", false, true, 0, B::kMirror))},
      {"3.b.3", "checkerboard", law(laws("E3W5R5", false, true, 7, B::kMirror))},
      {"3.c.1", "checkerboard", law(laws("L5S5", true, false, 0, B::kMirror))},
      {"3.c.2", "checkerboard", law(laws("L5S5", true, true, 0, B::kMirror))},
      {"3.c.3", "checkerboard", law(laws("L5S5", true, true, 7, B::kMirror))},
  };
}

class ResponseMap : public ::testing::TestWithParam<MapCase> {};

TEST_P(ResponseMap, WithinOnePercentOfTheReferenceRange) {
  ONCOTRACE_REQUIRE_TEST_DATA(root, "ibsi2");
  const MapCase& test = GetParam();
  const ImageVolume phantom =
      read_nifti(root / "digital_phantoms" / test.phantom / "image" / (test.phantom + ".nii.gz"));
  std::string file = test.id;
  std::replace(file.begin(), file.end(), '.', '_');
  const ImageVolume reference =
      read_nifti(root / "reference_response_maps" / (file + "-ValidCRM.nii"));
  const ImageVolume response = test.filter(phantom);
  ASSERT_EQ(response.values.size(), reference.values.size());
  const auto [low, high] = std::minmax_element(reference.values.begin(), reference.values.end());
  const double tolerance = 0.01 * (static_cast<double>(*high) - static_cast<double>(*low));
  double worst = 0.0;
  size_t failing = 0;
  for (size_t v = 0; v < reference.values.size(); ++v) {
    const double difference =
        std::abs(static_cast<double>(response.values[v]) - reference.values[v]);
    worst = std::max(worst, difference);
    if (difference > tolerance) ++failing;
  }
  EXPECT_EQ(failing, 0u) << test.id << ": " << failing << " voxels beyond 1 % of the range; worst "
                         << worst / (*high - *low) * 100.0 << " % of the range";
}

INSTANTIATE_TEST_SUITE_P(Ibsi2, ResponseMap, ::testing::ValuesIn(map_cases()),
                         [](const ::testing::TestParamInfo<MapCase>& param_info) {
                           std::string name = "map_" + param_info.param.id;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace oncotrace::radiomics
