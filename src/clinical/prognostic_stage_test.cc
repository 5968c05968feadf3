#include <gtest/gtest.h>

#include <array>
#include <fstream>

#include <nlohmann/json.hpp>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

// Row groups of NCI PDQ Table 9 as listed in clinical-context.md §5.5 ('.' = no row):
//   "A: T1 N0 M0; T0 N1mi M0; T1 N1mi M0"   "B: T0 N1 M0; T1 N1 M0; T2 N0 M0"
//   "C: T2 N1 M0; T3 N0 M0 (N1 includes N1mi)"
//   "D: T0 N2 M0; T1 N2 M0; T2 N2 M0; T3 N1 M0; T3 N2 M0 (N1 includes N1mi)"
//   "E: T4 N0 M0; T4 N1 M0; T4 N2 M0; any T N3 M0" (T4 N1mi with T4 N1: implementation choice)
constexpr std::array<TCategory, 7> kT = {TCategory::kTX, TCategory::kT0, TCategory::kTis,
                                         TCategory::kT1, TCategory::kT2, TCategory::kT3,
                                         TCategory::kT4};
constexpr std::array<NCategory, 6> kN = {NCategory::kNX, NCategory::kN0, NCategory::kN1mi,
                                         NCategory::kN1, NCategory::kN2, NCategory::kN3};
constexpr std::array<const char*, 7> kRowGroups = {
    //          NX N0 N1mi N1 N2 N3
    "......",  // TX
    "..ABDE",  // T0
    "......",  // Tis
    ".AABDE",  // T1
    ".BCCDE",  // T2
    ".CDDDE",  // T3
    ".EEEEE",  // T4
};

TEST(PrognosticStage, RowGroupsOfEveryTxNCombination) {
  for (size_t ti = 0; ti < kT.size(); ++ti) {
    for (size_t ni = 0; ni < kN.size(); ++ni) {
      const std::optional<char> group = prognostic_row_group(kT[ti], kN[ni]);
      EXPECT_EQ(group.value_or('.'), kRowGroups[ti][ni]) << ti << "," << ni;
    }
  }
}

// The verified cells of clinical-context.md §5.5 ("Cell order: HER2+ (ER+PR+, ER+PR-, ER-PR+,
// ER-PR-) | HER2- (ER+PR+, ER+PR-, ER-PR+, ER-PR-)"). Cells marked † (group D G3 HER2-, all of
// group E) are unverified and are not checked for their value.
struct VerifiedRow {
  char group;
  HistologicGrade grade;
  std::array<const char*, 4> her2_positive;
  std::array<const char*, 4> her2_negative;  // nullptr entries: unverified (†)
};

using G = HistologicGrade;
const std::array<VerifiedRow, 15> kTable = {{
    {'A', G::kG1, {"IA", "IA", "IA", "IA"}, {"IA", "IA", "IA", "IB"}},
    {'A', G::kG2, {"IA", "IA", "IA", "IA"}, {"IA", "IA", "IA", "IB"}},
    {'A', G::kG3, {"IA", "IA", "IA", "IA"}, {"IA", "IB", "IB", "IB"}},
    {'B', G::kG1, {"IB", "IIA", "IIA", "IIA"}, {"IB", "IIA", "IIA", "IIA"}},
    {'B', G::kG2, {"IB", "IIA", "IIA", "IIA"}, {"IB", "IIA", "IIA", "IIB"}},
    {'B', G::kG3, {"IB", "IIA", "IIA", "IIA"}, {"IIA", "IIB", "IIB", "IIB"}},
    {'C', G::kG1, {"IB", "IIA", "IIA", "IIB"}, {"IIA", "IIB", "IIB", "IIB"}},
    {'C', G::kG2, {"IB", "IIA", "IIA", "IIB"}, {"IIA", "IIB", "IIB", "IIIB"}},
    {'C', G::kG3, {"IB", "IIB", "IIB", "IIB"}, {"IIB", "IIIA", "IIIA", "IIIB"}},
    {'D', G::kG1, {"IIA", "IIIA", "IIIA", "IIIA"}, {"IIA", "IIIA", "IIIA", "IIIB"}},
    {'D', G::kG2, {"IIA", "IIIA", "IIIA", "IIIA"}, {"IIA", "IIIA", "IIIA", "IIIB"}},
    {'D', G::kG3, {"IIB", "IIIA", "IIIA", "IIIA"}, {nullptr, nullptr, nullptr, nullptr}},
    {'E', G::kG1, {nullptr, nullptr, nullptr, nullptr}, {nullptr, nullptr, nullptr, nullptr}},
    {'E', G::kG2, {nullptr, nullptr, nullptr, nullptr}, {nullptr, nullptr, nullptr, nullptr}},
    {'E', G::kG3, {nullptr, nullptr, nullptr, nullptr}, {nullptr, nullptr, nullptr, nullptr}},
}};

constexpr std::array<std::pair<bool, bool>, 4> kErPr = {
    {{true, true}, {true, false}, {false, true}, {false, false}}};

TEST(PrognosticStage, EveryVerifiedCellForEveryTnOfItsRowGroup) {
  const PrognosticStageTable& table = PrognosticStageTable::default_table();
  int verified_cells_checked = 0;
  int unverified_cells_seen = 0;
  for (const VerifiedRow& row : kTable) {
    for (int half = 0; half < 2; ++half) {
      for (size_t cell = 0; cell < 4; ++cell) {
        const char* expected = half == 0 ? row.her2_positive[cell] : row.her2_negative[cell];
        for (size_t ti = 0; ti < kT.size(); ++ti) {
          for (size_t ni = 0; ni < kN.size(); ++ni) {
            if (kRowGroups[ti][ni] != row.group) continue;
            PrognosticStageInputs in;
            in.t = kT[ti];
            in.n = kN[ni];
            in.m = MCategory::kM0;
            in.grade = row.grade;
            in.her2_positive = half == 0;
            in.er_positive = kErPr[cell].first;
            in.pr_positive = kErPr[cell].second;
            const PrognosticStageResult r = table.lookup(in);
            EXPECT_EQ(r.row_group, std::string(1, row.group));
            if (expected != nullptr) {
              ASSERT_TRUE(r.stage.has_value()) << r.rule;
              EXPECT_EQ(stage_group_name(*r.stage), std::string(expected)) << r.rule;
              EXPECT_EQ(r.status, "verified table cell");
              EXPECT_TRUE(r.cell_verified);
              ++verified_cells_checked;
            } else {
              EXPECT_EQ(r.status, "unverified table cell") << r.rule;
              EXPECT_FALSE(r.cell_verified);
              EXPECT_NE(r.rule.find("unverified table cell"), std::string::npos);
              EXPECT_FALSE(table.lookup(in, /*report_unverified_cells=*/false).stage.has_value());
              ++unverified_cells_seen;
            }
          }
        }
      }
    }
  }
  // 92 verified and 28 unverified cells, each checked for every T/N pair of its row group.
  EXPECT_GT(verified_cells_checked, 92);
  EXPECT_GT(unverified_cells_seen, 28);
}

TEST(PrognosticStage, RulesOutsideTheTable) {
  const PrognosticStageTable& table = PrognosticStageTable::default_table();
  PrognosticStageInputs in;
  in.t = TCategory::kTis;
  in.n = NCategory::kN0;
  EXPECT_EQ(stage_group_name(*table.lookup(in).stage), std::string("0"));  // "Tis N0 M0 = 0"
  in.t = TCategory::kT3;
  in.m = MCategory::kM1;
  EXPECT_EQ(stage_group_name(*table.lookup(in).stage), std::string("IV"));  // "any M1 = IV"
  in.m = MCategory::kM0;
  const PrognosticStageResult missing = table.lookup(in);
  EXPECT_FALSE(missing.stage.has_value());
  EXPECT_EQ(missing.status, "missing inputs");
  EXPECT_EQ(missing.missing_inputs, (std::vector<std::string>{"grade", "HER2", "ER", "PR"}));
  in.t = TCategory::kT0;
  in.n = NCategory::kN0;
  EXPECT_EQ(table.lookup(in).status, "no row");
}

TEST(PrognosticStage, TableFileCarriesSourceAndLicenceNote) {
  const PrognosticStageTable& table = PrognosticStageTable::default_table();
  EXPECT_NE(table.source().find("NCI PDQ"), std::string::npos);
  EXPECT_NE(table.licence_note().find("licence"), std::string::npos);
}

TEST(PrognosticStage, BrokenTableFilesAreRejected) {
  const std::filesystem::path shipped =
      clinical_data_dir() / "ajcc8_clinical_prognostic_stage.json";
  std::ifstream in(shipped);
  const nlohmann::json good = nlohmann::json::parse(in);
  testing::TemporaryDirectory tmp;
  auto write = [&](const nlohmann::json& doc) {
    std::filesystem::path path = tmp.path() / "table.json";
    std::ofstream(path) << doc.dump();
    return path;
  };
  nlohmann::json moved = good;
  moved["row_groups"][0]["combinations"].push_back("T2 N0 M0");  // T2 N0 belongs to group B
  EXPECT_THROW(PrognosticStageTable::load(write(moved)), InvalidInputError);
  nlohmann::json bad_stage = good;
  bad_stage["rows"][0]["her2_positive"][0] = "IIID";
  EXPECT_THROW(PrognosticStageTable::load(write(bad_stage)), InvalidInputError);
  nlohmann::json short_row = good;
  short_row["rows"].erase(short_row["rows"].begin());
  EXPECT_THROW(PrognosticStageTable::load(write(short_row)), InvalidInputError);
  EXPECT_NO_THROW(PrognosticStageTable::load(write(good)));
}

}  // namespace
}  // namespace oncotrace
