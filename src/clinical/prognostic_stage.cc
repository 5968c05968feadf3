// AJCC 8th edition clinical prognostic stage (clinical-context.md §5.5), looked up in the data
// file data/clinical/ajcc8_clinical_prognostic_stage.json. The table is data because its cells
// are copyrighted facts with a licence caution (§5.9) and a verification status per cell; the row
// groups (which T/N pairs share a row) are code, and load() checks that the file states the same
// row groups, so the two cannot drift apart.
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

using nlohmann::json;

[[noreturn]] void bad_table(const std::filesystem::path& path, const std::string& what) {
  throw InvalidInputError(path.string() + ": " + what +
                          "; fix the prognostic stage table or set ONCOTRACE_DATA_DIR to a data "
                          "folder with a valid clinical/ajcc8_clinical_prognostic_stage.json");
}

int group_index(const std::string& group) {
  if (group.size() == 1 && group[0] >= 'A' && group[0] <= 'E') return group[0] - 'A';
  return -1;
}

// Checks that each "T.. N.. M0" combination of the file falls in the row group the code uses.
void check_row_groups(const std::filesystem::path& path, const json& row_groups) {
  if (!row_groups.is_array() || row_groups.size() != 5) bad_table(path, "row_groups must list A-E");
  for (const json& g : row_groups) {
    const std::string group = g.value("group", "");
    if (group_index(group) < 0 || !g.contains("combinations") || !g["combinations"].is_array()) {
      bad_table(path, "row_groups entry " + g.dump() + " needs a group A-E and combinations");
    }
    for (const json& combination : g["combinations"]) {
      std::istringstream words(combination.get<std::string>());
      std::string t, n, m;
      words >> t >> n >> m;
      const auto row = prognostic_row_group(parse_t(t).category, parse_n(n).category);
      if (!row || std::string(1, *row) != group || parse_m(m).category != MCategory::kM0) {
        bad_table(path, "row group " + group + " lists \"" + combination.get<std::string>() +
                            "\", which oncotrace places in group " +
                            (row ? std::string(1, *row) : std::string("none")));
      }
    }
  }
}

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad_table(path, "cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    bad_table(path, std::string("not valid JSON (") + e.what() + ")");
  }
}

int cell_index(bool er_positive, bool pr_positive) {
  // Cell order of the table: ER+PR+, ER+PR-, ER-PR+, ER-PR-.
  return (er_positive ? 0 : 2) + (pr_positive ? 0 : 1);
}

}  // namespace

PrognosticStageTable PrognosticStageTable::load(const std::filesystem::path& path) {
  const json doc = read_json(path);
  if (doc.value("schema_version", "") != "oncotrace.ajcc8_clinical_prognostic_stage/1") {
    bad_table(path, "schema_version must be \"oncotrace.ajcc8_clinical_prognostic_stage/1\"");
  }
  PrognosticStageTable table;
  table.source_ = doc.value("source", "");
  table.licence_note_ = doc.value("licence_note", "");
  if (table.source_.empty()) bad_table(path, "the table needs a \"source\" citation");
  check_row_groups(path, doc.value("row_groups", json()));
  const json rows = doc.value("rows", json());
  if (!rows.is_array() || rows.size() != 15)
    bad_table(path, "\"rows\" must hold 15 rows (A-E x G1-G3)");
  std::set<std::pair<int, int>> seen;
  for (const json& row : rows) {
    const int g = group_index(row.value("group", ""));
    const std::optional<HistologicGrade> grade = parse_grade(row.value("grade", ""));
    if (g < 0 || !grade || !seen.insert({g, static_cast<int>(*grade)}).second) {
      bad_table(path, "row " + row.dump() + " needs a new group A-E and grade G1-G3");
    }
    for (int half = 0; half < 2; ++half) {
      const std::string key = half == 0 ? "her2_positive" : "her2_negative";
      const json cells = row.value(key, json());
      const json verified = row.value(key + "_verified", json());
      if (!cells.is_array() || cells.size() != 4 || !verified.is_boolean()) {
        std::string message = "row " + row.value("group", "") + " " + row.value("grade", "") +
                              " needs 4 stages in \"";
        message.append(key).append("\" and a boolean \"").append(key).append("_verified\"");
        bad_table(path, message);
      }
      for (int i = 0; i < 4; ++i) {
        const std::optional<StageGroup> stage =
            cells[i].is_string() ? parse_stage_group(cells[i].get<std::string>()) : std::nullopt;
        if (!stage) bad_table(path, "stage " + cells[i].dump() + " is not 0, IA, ..., IV");
        table.cells_[g][static_cast<int>(*grade)][half][i] = {*stage, verified.get<bool>()};
      }
    }
  }
  return table;
}

const PrognosticStageTable& PrognosticStageTable::default_table() {
  static const PrognosticStageTable kTable =
      load(clinical_data_dir() / "ajcc8_clinical_prognostic_stage.json");
  return kTable;
}

PrognosticStageResult PrognosticStageTable::lookup(const PrognosticStageInputs& in,
                                                   bool report_unverified_cells) const {
  PrognosticStageResult r;
  r.source = source_;
  if (in.m == MCategory::kM1) {
    r.stage = StageGroup::kIV;
    r.status = "rule";
    r.rule = "any T, any N, M1 -> IV for every grade and biomarker combination";
    return r;
  }
  if (in.t == TCategory::kTis && in.n == NCategory::kN0) {
    r.stage = StageGroup::k0;
    r.status = "rule";
    r.rule = "Tis N0 M0 -> 0 for every grade and biomarker combination";
    return r;
  }
  const std::optional<char> group = prognostic_row_group(in.t, in.n);
  if (!group) {
    r.status = "no row";
    r.rule = "no row of the clinical prognostic table applies (TX, NX, T0 N0 or Tis N1-N3)";
    return r;
  }
  r.row_group = std::string(1, *group);
  if (!in.grade) r.missing_inputs.emplace_back("grade");
  if (!in.her2_positive) r.missing_inputs.emplace_back("HER2");
  if (!in.er_positive) r.missing_inputs.emplace_back("ER");
  if (!in.pr_positive) r.missing_inputs.emplace_back("PR");
  if (!r.missing_inputs.empty()) {
    r.status = "missing inputs";
    r.rule = "grade, HER2, ER and PR are all needed; only the anatomic stage is reported";
    return r;
  }
  const Cell& cell = cells_[*group - 'A'][static_cast<int>(*in.grade)][*in.her2_positive ? 0 : 1]
                           [cell_index(*in.er_positive, *in.pr_positive)];
  r.cell_verified = cell.verified;
  r.status = cell.verified ? "verified table cell" : "unverified table cell";
  if (cell.verified || report_unverified_cells) r.stage = cell.stage;
  r.rule = std::string("row group ") + *group + ", G" +
           std::to_string(static_cast<int>(*in.grade) + 1) + ", HER2" +
           (*in.her2_positive ? "+" : "-") + " ER" + (*in.er_positive ? "+" : "-") + " PR" +
           (*in.pr_positive ? "+" : "-") + " -> " + stage_group_name(cell.stage) +
           (cell.verified ? "" : " (unverified table cell: read from secondary sources)");
  return r;
}

}  // namespace oncotrace
