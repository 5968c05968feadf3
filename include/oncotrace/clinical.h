// Clinical context of a breast-cancer patient: receptor status by the pathology guidelines,
// receptor subtype, AJCC 8th edition stage, advanced-disease categories, imaging-suspected
// category changes, and a per-patient "precision summary" that puts each biomarker next to its
// role and its literature context. Specification: clinical-context.md §1.4, §1.5, §3, §4, §5.
//
// Guidelines implemented
//   HER2   ASCO/CAP 2018 (Wolff et al., J Clin Oncol 2018;36:2105; Arch Pathol Lab Med
//          2018;142:1364), affirmed 2023 (Wolff et al., J Clin Oncol 2023;41:3867): IHC score,
//          dual-probe ISH groups 1-5 with the concurrent-IHC work-up of groups 2-4, single-probe
//          ISH. HER2-low / HER2-ultralow are flagged as trial/regulatory definitions
//          (DESTINY-Breast04 / -06 populations), not as ASCO/CAP result categories (2023 update).
//   ER/PR  ASCO/CAP 2020 (Allison et al., J Clin Oncol 2020;38:1346): positive >= 1 %,
//          ER Low Positive 1-10 %.
//   Stage  AJCC Cancer Staging Manual 8th ed. (2017): anatomic stage groups (every row,
//          N1mi rules); clinical prognostic stage from the NCI PDQ reprint of the AJCC table,
//          held as the data file data/clinical/ajcc8_clinical_prognostic_stage.json. Cells the
//          reference could not verify are reported as "unverified table cell". Licensing: see
//          clinical-context.md §5.9 before distributing the prognostic lookup.
//
// Research use only: every output carries the rule and source that produced it and the
// disclaimer; annotations describe, they never recommend (clinical-context.md §1.5). Inequalities
// are implemented exactly as written in the guidelines, on the values as reported (no
// re-rounding). Where the reference leaves a choice open, it is an option with a documented
// default and the choice is echoed in the output.
#ifndef ONCOTRACE_CLINICAL_H_
#define ONCOTRACE_CLINICAL_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace oncotrace {

// The sentence every clinical output carries (clinical-context.md §1.5 (a)).
inline constexpr const char* kResearchUseOnly =
    "Research use only; not for diagnosis or treatment decisions.";

// ---------------------------------------------------------------------------------------------
// HER2 (clinical-context.md §3.1-§3.5)

enum class Her2IhcScore { k0, k1Plus, k2Plus, k3Plus };

// Detail of an IHC 0 result needed for the ultralow/null split (§1.1, §3.4): "absent" is no
// staining (HER2-0, null); "faint" is faint, incomplete membrane staining in <= 10 % of tumour
// cells (HER2-ultralow).
enum class Her2ZeroMembraneStaining { kNotReported, kAbsent, kFaintUpTo10Percent };

struct Her2Ihc {
  Her2IhcScore score = Her2IhcScore::k0;
  Her2ZeroMembraneStaining zero_staining = Her2ZeroMembraneStaining::kNotReported;
};

// One dual-probe ISH count (>= 20 cells). Either both numbers, or only the group a report gives.
struct DualProbeIshCount {
  std::optional<double> her2_cep17_ratio;           // mean HER2 / mean CEP17 signals per cell
  std::optional<double> mean_her2_copies_per_cell;  // mean HER2 signals per cell
  std::optional<int> reported_group;                // 1-5, when the numbers are not given
  std::optional<int> cells_counted;
};

struct DualProbeIsh {
  DualProbeIshCount count;
  // Blinded second observer's recount (groups 2-4 with IHC 2+; ASCO/CAP 2018 figures 4-6).
  std::optional<DualProbeIshCount> recount;
};

struct SingleProbeIsh {
  double mean_her2_copies_per_cell = 0.0;
};

struct Her2Tests {
  std::optional<Her2Ihc> ihc;
  std::optional<DualProbeIsh> dual_probe_ish;
  std::optional<SingleProbeIsh> single_probe_ish;
  // IHC on sections of the same tissue as the ISH, reviewed with it. Groups 2-4 need it;
  // true by default when IHC and ISH are reported for the same specimen.
  bool ihc_concurrent_with_ish = true;
};

// Dual-probe ISH group (ASCO/CAP 2018; clinical-context.md §3.2), boundaries exactly as written:
//   1: ratio >= 2.0 and copies >= 4.0      2: ratio >= 2.0 and copies < 4.0
//   3: ratio < 2.0 and copies >= 6.0       4: ratio < 2.0 and 4.0 <= copies < 6.0
//   5: ratio < 2.0 and copies < 4.0
// Throws InvalidInputError for negative or non-finite values.
int dual_probe_ish_group(double her2_cep17_ratio, double mean_her2_copies_per_cell);

// Single-probe ISH (§3.3): >= 6.0 positive; >= 4.0 and < 6.0 equivocal; < 4.0 negative. The
// exact single-probe wording of the 2018 update is unverified in the reference.
enum class SingleProbeIshResult { kPositive, kEquivocal, kNegative };
SingleProbeIshResult single_probe_ish_result(double mean_her2_copies_per_cell);

// Final HER2 status (§3.4). There is no "equivocal" final dual-probe ISH result in the 2018
// update; the equivocal states below are "work-up not finished" states.
enum class Her2Status {
  kPositive,
  kNegative,
  kNegativeWithComment,      // ISH groups 2-4 resolved negative; the guideline comment applies
  kEquivocalPendingIsh,      // IHC 2+ without ISH
  kEquivocalSingleProbeIsh,  // single-probe 4.0-< 6.0 without IHC 3+ or dual-probe ISH
  kAdjudicate,               // IHC 2+ and the recount changed the group: internal procedure
  kIncomplete,               // a required input is missing (concurrent IHC, recount)
  kNotTested,
};

// HER2 expression spectrum used by the trials (§3.5): trial/regulatory definitions, not
// ASCO/CAP categories.
enum class Her2ExpressionCategory { kPositive, kLow, kUltralow, kZero, kUnknown };

struct Her2Assessment {
  Her2Status status = Her2Status::kNotTested;
  std::optional<int> ish_group;      // dual-probe group of the first count
  std::optional<int> recount_group;  // dual-probe group of the blinded recount
  std::optional<SingleProbeIshResult> single_probe_result;
  std::string
      decided_by;    // "IHC 3+", "dual-probe ISH group 1", "ISH group 4 with concurrent IHC 2+"
  std::string rule;  // the §3.4 branch in words, with its source
  std::vector<std::string> comments;      // guideline comments that go with the result
  std::vector<std::string> review_flags;  // discordances for concordance review, missing data
  Her2ExpressionCategory expression = Her2ExpressionCategory::kUnknown;
  std::string expression_reason;
  // Trial definitions (DESTINY-Breast04: IHC 1+ or 2+/ISH-negative; DESTINY-Breast06: IHC 0 with
  // faint staining in <= 10 %). Never ASCO/CAP result categories.
  bool her2_low = false;
  bool her2_ultralow = false;
};

Her2Assessment assess_her2(const Her2Tests& tests);

// True for kPositive; false for kNegative and kNegativeWithComment; nullopt otherwise.
std::optional<bool> her2_is_positive(const Her2Assessment& her2);

const char* her2_ihc_score_name(Her2IhcScore score);  // "0", "1+", "2+", "3+"
std::optional<Her2IhcScore> parse_her2_ihc_score(const std::string& text);
const char* her2_status_name(Her2Status status);  // "positive", "negative_with_comment", ...
const char* her2_expression_name(Her2ExpressionCategory category);  // "low", "ultralow", ...
const char* single_probe_ish_result_name(SingleProbeIshResult result);

// ---------------------------------------------------------------------------------------------
// ER and PR (clinical-context.md §3.6)

enum class ReceptorStatus { kPositive, kLowPositive, kNegative, kNotTested };

struct ReceptorAssessment {
  ReceptorStatus status = ReceptorStatus::kNotTested;
  std::optional<double> percent_nuclei;
  std::string rule;
  std::string comment;  // ER Low Positive reporting comment
};

// ER: >= 1 % positive, of which 1-10 % (1 <= x <= 10) "ER Low Positive"; < 1 % negative.
// Throws InvalidInputError outside 0-100 %.
ReceptorAssessment assess_er(std::optional<double> percent_nuclei);
// PR: >= 1 % positive; < 1 % negative (no PR-low category).
ReceptorAssessment assess_pr(std::optional<double> percent_nuclei);
// nullopt when not tested; kLowPositive counts as positive.
std::optional<bool> receptor_is_positive(const ReceptorAssessment& receptor);
const char* receptor_status_name(ReceptorStatus status);  // "positive", "low_positive", ...

// ---------------------------------------------------------------------------------------------
// Subtype (clinical-context.md §4)

enum class ReceptorSubtype {
  kHrPositiveHer2Negative,
  kHrPositiveHer2Positive,
  kHrNegativeHer2Positive,
  kTripleNegative,
  kNotDerivable,
};

// St Gallen 2013 surrogates of the intrinsic subtypes (Goldhirsch et al., Ann Oncol
// 2013;24:2206). Intrinsic subtypes proper need gene-expression assays.
enum class SurrogateSubtype {
  kLuminalALike,
  kLuminalBLikeHer2Negative,
  kLuminalBLikeHer2Positive,
  kHer2PositiveNonLuminal,
  kTripleNegative,
  kNotDerivable,
};

struct SubtypeOptions {
  // Ki-67 and PR cut-offs are not universal (14 % St Gallen 2011, 20 % 2013, 14-19 % band per
  // Maisonneuve 2014); defaults follow St Gallen 2013 and are echoed in the output.
  double ki67_cutoff_percent = 20.0;
  double pr_high_cutoff_percent = 20.0;
};

struct SubtypeAssessment {
  ReceptorSubtype subtype = ReceptorSubtype::kNotDerivable;
  std::string reason;   // rule used, or the missing inputs ("not derivable", never a guess)
  bool er_low = false;  // ER 1-10 % inside an HR+ group
  SurrogateSubtype surrogate = SurrogateSubtype::kNotDerivable;
  std::string surrogate_reason;
};

SubtypeAssessment derive_subtype(const ReceptorAssessment& er, const ReceptorAssessment& pr,
                                 const Her2Assessment& her2, std::optional<double> ki67_percent,
                                 const SubtypeOptions& options = {});
const char* receptor_subtype_name(ReceptorSubtype subtype);    // "hr_positive_her2_negative", ...
const char* receptor_subtype_label(ReceptorSubtype subtype);   // "HR+/HER2-", ...
const char* surrogate_subtype_name(SurrogateSubtype subtype);  // "luminal_a_like", ...

// ---------------------------------------------------------------------------------------------
// AJCC 8th edition staging (clinical-context.md §5)

enum class TCategory { kTX, kT0, kTis, kT1, kT2, kT3, kT4 };
enum class NCategory { kNX, kN0, kN1mi, kN1, kN2, kN3 };
enum class MCategory { kM0, kM1 };

// A T, N or M category as written ("cT1c", "ypN2a", "cM0(i+)"): prefix (c, p, yc, yp, r, or
// empty), the category that the stage tables use, and the full code without prefix ("T1c").
struct TValue {
  std::string prefix;
  TCategory category = TCategory::kTX;
  std::string code;
};
struct NValue {
  std::string prefix;
  NCategory category = NCategory::kNX;
  std::string code;
};
struct MValue {
  std::string prefix;
  MCategory category = MCategory::kM0;
  std::string code;
};

// Parsers accept the AJCC spellings with or without prefix, case-insensitive for the prefix:
// T: TX T0 Tis Tis(DCIS) Tis(Paget) T1 T1mi T1a T1b T1c T2 T3 T4 T4a T4b T4c T4d.
// N: NX N0 N0(i+) N0(mol+) N1 N1mi N1a N1b N1c N2 N2a N2b N3 N3a N3b N3c.
// M: M0 M0(i+) M1. Subcategories map to their category (T1mi -> T1, N0(i+) -> N0, N2b -> N2,
// M0(i+) -> M0). Throw InvalidInputError naming the value and the accepted spellings.
TValue parse_t(const std::string& text);
NValue parse_n(const std::string& text);
MValue parse_m(const std::string& text);

enum class StageGroup { k0, kIA, kIB, kIIA, kIIB, kIIIA, kIIIB, kIIIC, kIV };
const char* stage_group_name(StageGroup stage);  // "0", "IA", ..., "IV"
std::optional<StageGroup> parse_stage_group(const std::string& text);

struct AnatomicStageOptions {
  // Tis with N1-N3 has no row in the AJCC table: "not stageable" by default; true maps Tis to T0
  // (implementation choice named in clinical-context.md §5.4).
  bool tis_with_nodes_as_t0 = false;
};

struct StageResult {
  std::optional<StageGroup> stage;  // nullopt: not stageable
  std::string rule;                 // the table row used, or why no row applies
};

// Anatomic stage group (clinical-context.md §5.4): every row of the AJCC 8th table with its
// rules: T1 includes T1mi; T0/T1 N1mi is IB; for T2-T4, N1 includes N1mi; M0 includes M0(i+);
// any M1 is IV (for any T and N, including TX and NX). With M0, TX or NX is not stageable, and
// so is T0 N0 (no evidence of tumour). "Any T" in the IIIC row is T0-T4.
StageResult anatomic_stage(TCategory t, NCategory n, MCategory m,
                           const AnatomicStageOptions& options = {});

enum class HistologicGrade { kG1, kG2, kG3 };
std::optional<HistologicGrade> parse_grade(const std::string& text);  // "G1", "1", "grade 2"...

struct PrognosticStageInputs {
  TCategory t = TCategory::kTX;
  NCategory n = NCategory::kNX;
  MCategory m = MCategory::kM0;
  std::optional<HistologicGrade> grade;
  std::optional<bool> her2_positive;  // HER2 equivocal (2013 ISH criteria) stages as negative
  std::optional<bool> er_positive;    // >= 1 %
  std::optional<bool> pr_positive;    // >= 1 %
};

struct PrognosticStageResult {
  std::optional<StageGroup> stage;
  // "verified table cell", "unverified table cell", "rule" (Tis N0 M0 = 0, M1 = IV),
  // "missing inputs", "no row" (TX, NX, T0 N0, Tis N+).
  std::string status;
  std::string row_group;  // "A".."E" for table cells
  bool cell_verified = false;
  std::vector<std::string> missing_inputs;  // "grade", "HER2", "ER", "PR"
  std::string rule;
  std::string source;
};

// The clinical prognostic stage table (data/clinical/ajcc8_clinical_prognostic_stage.json).
class PrognosticStageTable {
 public:
  // Reads and checks the table: 5 row groups x 3 grades x 2 HER2 halves x 4 ER/PR cells.
  // Throws InvalidInputError naming the file and the entry.
  static PrognosticStageTable load(const std::filesystem::path& path);
  // data/clinical/ajcc8_clinical_prognostic_stage.json under the data directory (loaded once).
  static const PrognosticStageTable& default_table();

  // With `report_unverified_cells` false, an unverified cell gives no stage (status still
  // "unverified table cell").
  PrognosticStageResult lookup(const PrognosticStageInputs& inputs,
                               bool report_unverified_cells = true) const;
  const std::string& source() const { return source_; }
  const std::string& licence_note() const { return licence_note_; }

 private:
  struct Cell {
    StageGroup stage;
    bool verified;
  };
  // [group A-E][grade 0-2][her2 positive 0 / negative 1][ER+PR+, ER+PR-, ER-PR+, ER-PR-]
  Cell cells_[5][3][2][4] = {};
  std::string source_;
  std::string licence_note_;
};

// Row group (A-E) of the prognostic table for cT, cN, cM = M0; nullopt when no row applies.
std::optional<char> prognostic_row_group(TCategory t, NCategory n);

// Advanced-disease categories (clinical-context.md §5.7).
enum class DiseaseExtent { kInSitu, kEarly, kLocallyAdvanced, kMetastatic, kUnknown };
const char* disease_extent_name(DiseaseExtent extent);

struct OligometastaticOptions {
  // [Jacene 2024]: "< 5 distant sites" (default); the ESO-ESMO "up to 5" (unverified) is
  // max_sites 5 with inclusive true.
  int max_sites = 5;
  bool inclusive = false;
};

struct AdvancedDiseaseAssessment {
  DiseaseExtent extent = DiseaseExtent::kUnknown;
  bool locally_advanced = false;        // LABC: stage III and some IIB (IIB is flagged in the note)
  bool inflammatory = false;            // T4d (a clinical diagnosis)
  bool metastatic = false;              // stage IV
  std::optional<bool> oligometastatic;  // only for metastatic disease with a site count
  std::string oligometastatic_rule;
  std::vector<std::string> notes;
};

// `t_code` is the full T code ("T4d") for the inflammatory flag; `distant_site_count` and
// `sites_counted_as` ("organs" or "lesions") come from the input or the lesion table.
AdvancedDiseaseAssessment classify_advanced_disease(std::optional<StageGroup> anatomic,
                                                    const std::string& t_code,
                                                    std::optional<int> distant_site_count,
                                                    const std::string& sites_counted_as,
                                                    const OligometastaticOptions& options = {});

// Imaging findings and the category changes they suggest (clinical-context.md §5.8).
enum class ImagingSite {
  kBreast,
  kIpsilateralAxillaryNode,         // movable level I/II: cN1
  kIpsilateralAxillaryNodeFixed,    // fixed or matted level I/II: cN2a
  kIpsilateralInternalMammaryNode,  // cN2b alone, cN3b with axillary nodes
  kIpsilateralInfraclavicularNode,  // level III: cN3a
  kIpsilateralSupraclavicularNode,  // cN3c (regional, not M1)
  kContralateralAxillaryNode,       // distant: M1
  kContralateralInternalMammaryNode,
  kCervicalNode,
  kOtherNonRegionalNode,
  kBone,
  kLiver,
  kLung,
  kBrain,
  kPleura,
  kDistantSoftTissue,
  kOtherDistantOrgan,
};
// Names used in the clinical JSON ("bone", "ipsilateral_supraclavicular_node", ...).
std::optional<ImagingSite> parse_imaging_site(const std::string& name);
const char* imaging_site_name(ImagingSite site);
bool imaging_site_is_distant(ImagingSite site);

struct ImagingFinding {
  ImagingSite site = ImagingSite::kBreast;
  bool suspicious = true;  // avid / typical of metastasis; false findings change nothing
  std::string description;
  std::string source;  // "FDG PET/CT 2024-01-20"
};

struct ImagingUpstaging {
  TValue t;
  NValue n_before;
  MValue m_before;
  NValue n_after;
  MValue m_after;
  StageResult stage_before;
  StageResult stage_after;
  bool changed = false;
  std::vector<std::string> changes;  // one line per category change, naming the finding
  std::vector<std::string> notes;    // pN not changed by imaging, unverified timing rules, ...
  int distant_sites = 0;             // suspicious distant findings (lesion count)
  std::string label;                 // "imaging-suspected ...; histological confirmation ..."
};

struct ImagingTiming {
  std::optional<int> days_from_diagnosis;  // AJCC 4-month rule (unverified)
  std::optional<bool> after_neoadjuvant_therapy;
};

// Applies the §5.8 mapping to a clinically or pathologically staged patient: distant findings
// turn M0 into cM1 (stage IV); nodal findings raise a clinical N (never lower it); a pN is not
// changed by imaging (noted instead).
ImagingUpstaging imaging_upstaging(const TValue& t, const NValue& n, const MValue& m,
                                   const std::vector<ImagingFinding>& findings,
                                   const ImagingTiming& timing = {},
                                   const AnatomicStageOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Precision summary (clinical-context.md §1.4, §1.5)

// Folder of the clinical data files: $ONCOTRACE_DATA_DIR/clinical when that variable is set, else
// the source tree's data/clinical (compiled-in ONCOTRACE_SOURCE_DIR).
std::filesystem::path clinical_data_dir();

// Reads a clinical JSON file (schema "oncotrace.clinical/1", docs/clinical.md) and returns the
// per-patient precision summary as JSON text (schema "oncotrace.clinical_summary/1"): each
// specimen's HER2/ER/PR assessment and subtype, each biomarker with its BEST role (prognostic,
// predictive; integral or integrated), value, source (pathology or imaging) and literature
// annotations, the anatomic and clinical prognostic stage, disease extent, oligometastatic flag
// and imaging-suspected upstaging, and the research-use disclaimer. Deterministic: the same input
// gives the same bytes. Throws InvalidInputError naming the file, the JSON path and the remedy.
std::string clinical_summary_json(const std::filesystem::path& clinical_file);
std::string clinical_summary_json_from_text(const std::string& clinical_json,
                                            const std::string& origin);
// The same with `imaging_findings` (e.g. the lesions `oncotrace patient` found in distant organs)
// appended to the file's own imaging_findings before the imaging-suspected upstaging.
std::string clinical_summary_json_from_text(const std::string& clinical_json,
                                            const std::string& origin,
                                            const std::vector<ImagingFinding>& imaging_findings);

}  // namespace oncotrace

#endif  // ONCOTRACE_CLINICAL_H_
