// IBSI-1 reference values: the digital phantom and the CT phantom configurations A-E
// (radiomics-ibsi.md §2, §6, §7). Every row of each reference table that has a value must pass;
// failures are listed with tag, computed value, reference and tolerance.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "oncotrace/dicom.h"
#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/rtstruct.h"
#include "oncotrace/source_dir.h"
#include "radiomics/ibsi_reference.h"
#include "testing/test_data.h"

namespace oncotrace::radiomics {
namespace {

using testing::Comparison;
using testing::Outcome;

struct DataSet {
  std::string name;   // column name in docs/ibsi-compliance.md
  std::string image;  // below ibsi1/: a NIfTI file, or a DICOM folder (with `roi`)
  std::string mask;   // NIfTI label map, or RTSTRUCT file (with `roi`)
  std::string preset;
  std::string reference;  // below ibsi1/reference_values/
  std::string roi;        // RTSTRUCT ROI name; empty for NIfTI inputs
};

// The DICOM CT (HU) and RTSTRUCT ROI "GTV-1" of the CT phantom, rasterised on the CT grid with
// the centre-in-polygon rule (rtstruct.h), as `oncotrace radiomics` reads them.
constexpr const char* kCtDicomImage = "ct_phantom/dicom/image";
constexpr const char* kCtRtstruct = "ct_phantom/dicom/mask/DCM_RS_00060.dcm";
constexpr const char* kCtRoi = "GTV-1";

const std::vector<DataSet>& data_sets() {
  static const std::vector<DataSet> kSets{
      {"digital phantom", "digital_phantom/image/phantom.nii.gz",
       "digital_phantom/mask/mask.nii.gz", "ibsi1-digital-phantom", "ibsi_1_dig_phantom.csv", ""},
      {"CT config A", "ct_phantom/nifti/image/phantom.nii.gz", "ct_phantom/nifti/mask/mask.nii.gz",
       "ibsi1-config-a", "ibsi_1_chest_config_a.csv", ""},
      {"CT config B", "ct_phantom/nifti/image/phantom.nii.gz", "ct_phantom/nifti/mask/mask.nii.gz",
       "ibsi1-config-b", "ibsi_1_chest_config_b.csv", ""},
      {"CT config C", "ct_phantom/nifti/image/phantom.nii.gz", "ct_phantom/nifti/mask/mask.nii.gz",
       "ibsi1-config-c", "ibsi_1_chest_config_c.csv", ""},
      {"CT config D", "ct_phantom/nifti/image/phantom.nii.gz", "ct_phantom/nifti/mask/mask.nii.gz",
       "ibsi1-config-d", "ibsi_1_chest_config_d.csv", ""},
      {"CT config E", "ct_phantom/nifti/image/phantom.nii.gz", "ct_phantom/nifti/mask/mask.nii.gz",
       "ibsi1-config-e", "ibsi_1_chest_config_e.csv", ""},
      {"CT config A (DICOM)", kCtDicomImage, kCtRtstruct, "ibsi1-config-a",
       "ibsi_1_chest_config_a.csv", kCtRoi},
      {"CT config B (DICOM)", kCtDicomImage, kCtRtstruct, "ibsi1-config-b",
       "ibsi_1_chest_config_b.csv", kCtRoi},
      {"CT config C (DICOM)", kCtDicomImage, kCtRtstruct, "ibsi1-config-c",
       "ibsi_1_chest_config_c.csv", kCtRoi},
      {"CT config D (DICOM)", kCtDicomImage, kCtRtstruct, "ibsi1-config-d",
       "ibsi_1_chest_config_d.csv", kCtRoi},
      {"CT config E (DICOM)", kCtDicomImage, kCtRtstruct, "ibsi1-config-e",
       "ibsi_1_chest_config_e.csv", kCtRoi},
  };
  return kSets;
}

Mask mask_of(const LabelMap& labels) {
  Mask mask(labels.geometry, 0);
  for (size_t v = 0; v < labels.values.size(); ++v) mask.values[v] = labels.values[v] != 0 ? 1 : 0;
  return mask;
}

// Images are cached: the CT phantom serves five configurations.
const std::pair<ImageVolume, Mask>& load(const std::filesystem::path& root, const DataSet& set) {
  static std::map<std::string, std::pair<ImageVolume, Mask>> cache;
  const auto found = cache.find(set.image);
  if (found != cache.end()) return found->second;
  if (!set.roi.empty()) {
    const std::filesystem::path folder = root / set.image;
    const DiscoveryResult discovery = discover_dicom(folder);
    const ImageSeries series = load_series(select_series(discovery, "", folder.string()));
    const StructureSet structure_set = read_rtstruct(root / set.mask);
    RasterisationOptions options;
    options.image_frame_of_reference_uid = series.header.frame_of_reference_uid;
    for (const SliceRecord& slice : series.frames.front().slices) {
      options.plane_positions_mm.push_back(slice.position_mm);
    }
    const ImageVolume& image = series.frames.front().image;
    Mask mask = rasterise_roi(structure_set, set.roi, image.geometry, options);
    return cache.emplace(set.image, std::make_pair(image, std::move(mask))).first->second;
  }
  ImageVolume image = read_nifti(root / set.image);
  const Mask mask = mask_of(read_nifti_labels(root / set.mask));
  return cache.emplace(set.image, std::make_pair(std::move(image), mask)).first->second;
}

std::vector<Comparison> run(const std::filesystem::path& root, const DataSet& set) {
  const auto& [image, mask] = load(root, set);
  const FeatureSet features = compute_features(image, mask, radiomics_preset(set.preset));
  // ONCOTRACE_RADIOMICS_DUMP_DIR=folder writes every computed value, to trace a failure.
  if (const char* dump = std::getenv("ONCOTRACE_RADIOMICS_DUMP_DIR"); dump != nullptr) {
    std::ofstream(std::filesystem::path(dump) / (set.preset + ".csv"))
        << features_to_csv_long(features);
  }
  return testing::compare(features,
                          testing::read_reference_csv(root / "reference_values" / set.reference));
}

void expect_all_pass(const std::string& name) {
  ONCOTRACE_REQUIRE_TEST_DATA(root, "ibsi1");
  const auto& sets = data_sets();
  const auto set =
      std::find_if(sets.begin(), sets.end(), [&](const DataSet& s) { return s.name == name; });
  ASSERT_NE(set, sets.end());
  const std::vector<Comparison> comparisons = run(root, *set);
  std::map<std::string, std::pair<int, int>> per_family;  // (pass, total)
  std::ostringstream failures;
  int failed = 0, with_reference = 0;
  for (const Comparison& comparison : comparisons) {
    if (!comparison.row.value) continue;
    ++with_reference;
    auto& [pass, total] = per_family[testing::family_of(comparison.row.tag)];
    ++total;
    if (comparison.outcome == Outcome::kPass) {
      ++pass;
      continue;
    }
    ++failed;
    failures << "  " << comparison.row.tag << ": computed "
             << (comparison.computed ? std::to_string(*comparison.computed) : "(not computed)")
             << ", reference " << comparison.row.value_text << " +- " << comparison.row.tolerance
             << "\n";
  }
  std::ostringstream summary;
  for (const auto& [family, counts] : per_family) {
    summary << " " << family << " " << counts.first << "/" << counts.second;
  }
  std::cout << name << ": " << (with_reference - failed) << "/" << with_reference
            << " reference values pass;" << summary.str() << "\n";
  EXPECT_EQ(failed, 0) << name << ": " << failed << " of " << with_reference
                       << " reference values fail:\n"
                       << failures.str();
}

TEST(IbsiReference, DigitalPhantom) { expect_all_pass("digital phantom"); }
TEST(IbsiReference, CtConfigA) { expect_all_pass("CT config A"); }
TEST(IbsiReference, CtConfigB) { expect_all_pass("CT config B"); }
TEST(IbsiReference, CtConfigC) { expect_all_pass("CT config C"); }
TEST(IbsiReference, CtConfigD) { expect_all_pass("CT config D"); }
TEST(IbsiReference, CtConfigE) { expect_all_pass("CT config E"); }
TEST(IbsiReference, CtConfigADicomRtstruct) { expect_all_pass("CT config A (DICOM)"); }
TEST(IbsiReference, CtConfigBDicomRtstruct) { expect_all_pass("CT config B (DICOM)"); }
TEST(IbsiReference, CtConfigCDicomRtstruct) { expect_all_pass("CT config C (DICOM)"); }
TEST(IbsiReference, CtConfigDDicomRtstruct) { expect_all_pass("CT config D (DICOM)"); }
TEST(IbsiReference, CtConfigEDicomRtstruct) { expect_all_pass("CT config E (DICOM)"); }

// The RTSTRUCT rasterised on the DICOM grid has the voxel count of the NIfTI mask of the phantom
// (125 256 voxels; radiomics-ibsi.md §2.2 allows a few boundary voxels of difference, there are
// none), so both inputs describe the same ROI.
TEST(IbsiReference, CtPhantomRtstructMaskMatchesTheNiftiMask) {
  ONCOTRACE_REQUIRE_TEST_DATA(root, "ibsi1");
  const auto& sets = data_sets();
  const DataSet& nifti = sets[1];
  const DataSet& dicom = sets[6];
  ASSERT_TRUE(nifti.roi.empty() && !dicom.roi.empty());
  const auto& [nifti_image, nifti_mask] = load(root, nifti);
  const auto& [dicom_image, dicom_mask] = load(root, dicom);
  size_t nifti_count = 0, dicom_count = 0;
  for (const uint8_t v : nifti_mask.values) nifti_count += v;
  for (const uint8_t v : dicom_mask.values) dicom_count += v;
  EXPECT_EQ(nifti_count, 125256u);
  std::cout << "CT phantom ROI: NIfTI mask " << nifti_count << " voxels, RTSTRUCT " << kCtRoi
            << " rasterised " << dicom_count << " voxels\n";
  EXPECT_EQ(dicom_count, nifti_count);
  EXPECT_EQ(dicom_image.geometry.size, nifti_image.geometry.size);
}

// docs/ibsi-compliance.md is generated from these comparisons; the committed copy must match.
// ONCOTRACE_UPDATE_DOCS=1 rewrites it.
TEST(IbsiReference, ComplianceTableIsCurrent) {
  ONCOTRACE_REQUIRE_TEST_DATA(root, "ibsi1");
  std::vector<testing::DataSetResult> results;
  for (const DataSet& set : data_sets()) results.push_back({set.name, run(root, set)});
  const std::string table = testing::compliance_markdown(results);
  const std::filesystem::path committed =
      std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "docs" / "ibsi-compliance.md";
  // The IBSI-2 section at the end of the file belongs to ibsi2_filter_test.cc: kept as it is.
  std::stringstream existing;
  existing << std::ifstream(committed).rdbuf();
  const size_t ibsi2_section = existing.str().find("\n## IBSI-2 phase 1: response maps\n");
  const std::string ibsi2_part =
      ibsi2_section == std::string::npos ? "" : existing.str().substr(ibsi2_section);
  const char* update = std::getenv("ONCOTRACE_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(committed) << table << ibsi2_part;
  }
  std::stringstream reread;
  reread << std::ifstream(committed).rdbuf();
  EXPECT_EQ(reread.str(), table + ibsi2_part)
      << committed << " is out of date; regenerate it with ONCOTRACE_UPDATE_DOCS=1 "
      << "ctest -R ComplianceTableIsCurrent";
}

}  // namespace
}  // namespace oncotrace::radiomics
