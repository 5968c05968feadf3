// IBSI-2 phase 2: intensity statistics of filter response maps of the IBSI-1 CT phantom against
// the consensus values of ibsi2/reference_feature_values/reference_values.csv
// (radiomics-ibsi.md §8.4). Each configuration runs its shipped preset ibsi2-phase2-<id><a|b>.
// Pass rule of the reference (MIRP's phase-2 test): |computed - consensus| <= tolerance, no
// rounding. The phase-2 section of docs/ibsi-compliance.md is generated here
// (ONCOTRACE_UPDATE_DOCS=1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "oncotrace/nifti.h"
#include "oncotrace/radiomics.h"
#include "oncotrace/source_dir.h"
#include "testing/test_data.h"

namespace oncotrace::radiomics {
namespace {

struct ReferenceValue {
  std::string tag;
  double value = 0.0;
  double tolerance = 0.0;
};

// Rows of reference_values.csv ("filter_id;feature;feature_tag;consensus_value;tolerance") by
// configuration ID ("1.A"); rows without a value (8.B stat_qcod) are left out.
std::map<std::string, std::vector<ReferenceValue>> read_phase2_reference(
    const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path.string());
  std::map<std::string, std::vector<ReferenceValue>> rows;
  std::string line;
  std::getline(file, line);  // header
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ';');) fields.push_back(field);
    if (fields.size() < 5 || fields[3].empty() || fields[3] == "NA") continue;
    rows[fields[0]].push_back({fields[2], std::stod(fields[3]), std::stod(fields[4])});
  }
  return rows;
}

struct Outcome {
  int passed = 0;
  int total = 0;
  std::string failures;
};

// The CT phantom, read once; intensities rounded to integers (radiomics-ibsi.md §2.2).
const std::pair<ImageVolume, Mask>& ct_phantom(const std::filesystem::path& ibsi1) {
  static const std::pair<ImageVolume, Mask> kPhantom = [&] {
    ImageVolume image = read_nifti(ibsi1 / "ct_phantom/nifti/image/phantom.nii.gz");
    for (float& value : image.values) value = std::nearbyint(value);
    const LabelMap labels = read_nifti_labels(ibsi1 / "ct_phantom/nifti/mask/mask.nii.gz");
    Mask mask(labels.geometry, 0);
    for (size_t v = 0; v < labels.values.size(); ++v) mask.values[v] = labels.values[v] != 0;
    return std::make_pair(std::move(image), std::move(mask));
  }();
  return kPhantom;
}

// "3.B" -> "ibsi2-phase2-3b".
std::string preset_of(const std::string& configuration) {
  std::string suffix = configuration;
  suffix.erase(std::remove(suffix.begin(), suffix.end(), '.'), suffix.end());
  std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "ibsi2-phase2-" + suffix;
}

Outcome run_configuration(const std::filesystem::path& ibsi2, const std::string& configuration) {
  const auto ibsi1 = ibsi2.parent_path() / "ibsi1";
  static const auto kReference =
      read_phase2_reference(ibsi2 / "reference_feature_values" / "reference_values.csv");
  static std::map<std::string, Outcome> cache;
  const auto cached = cache.find(configuration);
  if (cached != cache.end()) return cached->second;
  const auto& [image, mask] = ct_phantom(ibsi1);
  const FeatureSet features =
      compute_features(image, mask, radiomics_preset(preset_of(configuration)));
  Outcome outcome;
  std::ostringstream failures;
  for (const ReferenceValue& row : kReference.at(configuration)) {
    ++outcome.total;
    const std::optional<double> computed = features.value(row.tag);
    if (computed && std::abs(*computed - row.value) <= row.tolerance) {
      ++outcome.passed;
      continue;
    }
    failures << "  " << row.tag << ": computed "
             << (computed ? std::to_string(*computed) : std::string("(not computed)"))
             << ", reference " << row.value << " +- " << row.tolerance << "\n";
  }
  outcome.failures = failures.str();
  return cache.emplace(configuration, outcome).first->second;
}

// The row of a configuration in the phase-2 section of docs/ibsi-compliance.md.
std::string compliance_row(const std::string& configuration, const Outcome& outcome) {
  return "| " + configuration + " | `" + preset_of(configuration) + "` | " +
         std::to_string(outcome.passed) + "/" + std::to_string(outcome.total) + " | " +
         (outcome.passed == outcome.total ? "pass" : "**FAIL**") + " |\n";
}

// Checks (or with ONCOTRACE_UPDATE_DOCS=1 rewrites) the configuration's row in the phase-2
// section of docs/ibsi-compliance.md; each configuration owns its row, so that every CTest case
// (one process per configuration) checks its own.
void expect_compliance_row(const std::string& configuration, const Outcome& outcome) {
  const std::filesystem::path committed =
      std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "docs" / "ibsi-compliance.md";
  std::stringstream existing;
  existing << std::ifstream(committed).rdbuf();
  std::string text = existing.str();
  const std::string row = compliance_row(configuration, outcome);
  const std::string row_start = "| " + configuration + " | ";
  const size_t section = text.find("\n## IBSI-2 phase 2: ");
  ASSERT_NE(section, std::string::npos) << committed << " has no IBSI-2 phase 2 section";
  const size_t found = text.find(row_start, section);
  const char* update = std::getenv("ONCOTRACE_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1" && found != std::string::npos) {
    text.replace(found, text.find('\n', found) + 1 - found, row);
    std::ofstream(committed) << text;
  }
  ASSERT_NE(found, std::string::npos) << committed << " has no row for " << configuration;
  std::stringstream reread;
  reread << std::ifstream(committed).rdbuf();
  EXPECT_EQ(reread.str().substr(found, row.size()), row)
      << committed << " is out of date for " << configuration
      << "; regenerate it with ONCOTRACE_UPDATE_DOCS=1 ctest -R Ibsi2Phase2";
}

class Phase2Configuration : public ::testing::TestWithParam<std::string> {};

TEST_P(Phase2Configuration, EveryReferenceValueWithinTolerance) {
  ONCOTRACE_REQUIRE_TEST_DATA(root, "ibsi2");
  const Outcome outcome = run_configuration(root, GetParam());
  EXPECT_EQ(outcome.total, GetParam() == "8.B" ? 17 : 18);
  EXPECT_EQ(outcome.passed, outcome.total) << GetParam() << ": " << outcome.total - outcome.passed
                                           << " of " << outcome.total << " values fail:\n"
                                           << outcome.failures;
  expect_compliance_row(GetParam(), outcome);
}

// The configurations with a shipped preset and a test (radiomics-ibsi.md §8.4).
const std::vector<std::string>& configurations() {
  static const std::vector<std::string> kConfigurations{"1.A", "1.B", "2.A", "2.B", "3.A", "3.B",
                                                        "4.A", "4.B", "5.A", "5.B", "6.A", "6.B",
                                                        "7.A", "7.B", "8.A", "8.B", "9.A", "9.B"};
  return kConfigurations;
}

INSTANTIATE_TEST_SUITE_P(Ibsi2Phase2, Phase2Configuration, ::testing::ValuesIn(configurations()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = "config_" + param_info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace oncotrace::radiomics
