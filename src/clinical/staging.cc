// AJCC 8th edition staging for breast cancer (clinical-context.md §5): TNM parsing, anatomic
// stage groups, the advanced-disease categories of §5.7 and the imaging mapping of §5.8. The
// clinical prognostic table lives in prognostic_stage.cc (it is data).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"
#include "oncotrace/source_dir.h"

namespace oncotrace {
namespace {

constexpr const char* kAjccAnatomic =
    "AJCC 8th ed. anatomic stage groups (as reproduced in NCI PDQ; clinical-context.md §5.4)";

std::string compact_lower(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isspace(c) == 0) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

// Splits "ypt1c" into prefix "yp" and the rest "t1c" at the category letter.
bool split_prefix(const std::string& compact, char letter, std::string& prefix, std::string& rest) {
  const size_t pos = compact.find(letter);
  if (pos == std::string::npos) return false;
  prefix = compact.substr(0, pos);
  rest = compact.substr(pos + 1);
  static constexpr const char* kPrefixes[] = {"", "c", "p", "y", "yc", "yp", "r", "rc", "rp"};
  return std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) != std::end(kPrefixes);
}

[[noreturn]] void reject(const std::string& what, const std::string& text,
                         const std::string& accepted) {
  throw InvalidInputError(what + " \"" + text +
                          "\" is not an AJCC 8th edition category; use one "
                          "of " +
                          accepted + " (optionally prefixed c, p, yc, yp)");
}

int n_rank(NCategory n) {
  switch (n) {
    case NCategory::kNX:
      return -1;
    case NCategory::kN0:
      return 0;
    case NCategory::kN1mi:
      return 1;
    case NCategory::kN1:
      return 2;
    case NCategory::kN2:
      return 3;
    case NCategory::kN3:
      return 4;
  }
  return -1;
}

std::string tnm_text(const TValue& t, const NValue& n, const MValue& m) {
  return t.prefix + t.code + " " + n.prefix + n.code + " " + m.prefix + m.code;
}

}  // namespace

TValue parse_t(const std::string& text) {
  static const std::map<std::string, std::pair<TCategory, const char*>> kCodes = {
      {"x", {TCategory::kTX, "TX"}},
      {"0", {TCategory::kT0, "T0"}},
      {"is", {TCategory::kTis, "Tis"}},
      {"is(dcis)", {TCategory::kTis, "Tis (DCIS)"}},
      {"is(paget)", {TCategory::kTis, "Tis (Paget)"}},
      {"1", {TCategory::kT1, "T1"}},
      {"1mi", {TCategory::kT1, "T1mi"}},
      {"1a", {TCategory::kT1, "T1a"}},
      {"1b", {TCategory::kT1, "T1b"}},
      {"1c", {TCategory::kT1, "T1c"}},
      {"2", {TCategory::kT2, "T2"}},
      {"3", {TCategory::kT3, "T3"}},
      {"4", {TCategory::kT4, "T4"}},
      {"4a", {TCategory::kT4, "T4a"}},
      {"4b", {TCategory::kT4, "T4b"}},
      {"4c", {TCategory::kT4, "T4c"}},
      {"4d", {TCategory::kT4, "T4d"}}};
  const std::string accepted =
      "TX, T0, Tis, Tis(DCIS), Tis(Paget), T1, T1mi, T1a, T1b, T1c, T2, T3, T4, T4a-T4d";
  std::string prefix, rest;
  if (!split_prefix(compact_lower(text), 't', prefix, rest)) reject("T category", text, accepted);
  const auto it = kCodes.find(rest);
  if (it == kCodes.end()) reject("T category", text, accepted);
  return {prefix, it->second.first, it->second.second};
}

NValue parse_n(const std::string& text) {
  static const std::map<std::string, std::pair<NCategory, const char*>> kCodes = {
      {"x", {NCategory::kNX, "NX"}},
      {"0", {NCategory::kN0, "N0"}},
      {"0(i+)", {NCategory::kN0, "N0(i+)"}},
      {"0(i-)", {NCategory::kN0, "N0(i-)"}},
      {"0(mol+)", {NCategory::kN0, "N0(mol+)"}},
      {"0(mol-)", {NCategory::kN0, "N0(mol-)"}},
      {"1mi", {NCategory::kN1mi, "N1mi"}},
      {"1", {NCategory::kN1, "N1"}},
      {"1a", {NCategory::kN1, "N1a"}},
      {"1b", {NCategory::kN1, "N1b"}},
      {"1c", {NCategory::kN1, "N1c"}},
      {"2", {NCategory::kN2, "N2"}},
      {"2a", {NCategory::kN2, "N2a"}},
      {"2b", {NCategory::kN2, "N2b"}},
      {"3", {NCategory::kN3, "N3"}},
      {"3a", {NCategory::kN3, "N3a"}},
      {"3b", {NCategory::kN3, "N3b"}},
      {"3c", {NCategory::kN3, "N3c"}}};
  const std::string accepted =
      "NX, N0, N0(i+), N0(mol+), N1mi, N1, N1a-N1c, N2, N2a, N2b, N3, N3a-N3c";
  std::string prefix, rest;
  if (!split_prefix(compact_lower(text), 'n', prefix, rest)) reject("N category", text, accepted);
  const auto it = kCodes.find(rest);
  if (it == kCodes.end()) reject("N category", text, accepted);
  return {prefix, it->second.first, it->second.second};
}

MValue parse_m(const std::string& text) {
  const std::string accepted = "M0, M0(i+), M1";
  std::string prefix, rest;
  if (!split_prefix(compact_lower(text), 'm', prefix, rest)) reject("M category", text, accepted);
  if (rest == "0") return {prefix, MCategory::kM0, "M0"};
  if (rest == "0(i+)") return {prefix, MCategory::kM0, "M0(i+)"};
  if (rest == "1") return {prefix, MCategory::kM1, "M1"};
  if (rest == "x") {
    throw InvalidInputError("M category \"" + text +
                            "\": MX is not used in the AJCC 8th edition (cM0 needs no imaging); "
                            "use M0 or M1");
  }
  reject("M category", text, accepted);
}

const char* stage_group_name(StageGroup stage) {
  switch (stage) {
    case StageGroup::k0:
      return "0";
    case StageGroup::kIA:
      return "IA";
    case StageGroup::kIB:
      return "IB";
    case StageGroup::kIIA:
      return "IIA";
    case StageGroup::kIIB:
      return "IIB";
    case StageGroup::kIIIA:
      return "IIIA";
    case StageGroup::kIIIB:
      return "IIIB";
    case StageGroup::kIIIC:
      return "IIIC";
    case StageGroup::kIV:
      return "IV";
  }
  return "?";
}

std::optional<StageGroup> parse_stage_group(const std::string& text) {
  for (StageGroup s :
       {StageGroup::k0, StageGroup::kIA, StageGroup::kIB, StageGroup::kIIA, StageGroup::kIIB,
        StageGroup::kIIIA, StageGroup::kIIIB, StageGroup::kIIIC, StageGroup::kIV}) {
    if (text == stage_group_name(s)) return s;
  }
  return std::nullopt;
}

std::optional<HistologicGrade> parse_grade(const std::string& text) {
  const std::string c = compact_lower(text);
  if (c == "g1" || c == "1" || c == "grade1") return HistologicGrade::kG1;
  if (c == "g2" || c == "2" || c == "grade2") return HistologicGrade::kG2;
  if (c == "g3" || c == "3" || c == "grade3") return HistologicGrade::kG3;
  return std::nullopt;
}

namespace {

StageResult staged(StageGroup stage, const std::string& row) {
  return {stage, row + " -> " + stage_group_name(stage) + " [" + kAjccAnatomic + "]"};
}

StageResult not_stageable(const std::string& why) {
  return {std::nullopt, "not stageable: " + why + " [" + kAjccAnatomic + "]"};
}

}  // namespace

StageResult anatomic_stage(TCategory t, NCategory n, MCategory m,
                           const AnatomicStageOptions& options) {
  if (m == MCategory::kM1) return staged(StageGroup::kIV, "any T, any N, M1");
  if (t == TCategory::kTX) return not_stageable("TX (primary tumour cannot be assessed) with M0");
  if (n == NCategory::kNX) return not_stageable("NX (regional nodes cannot be assessed) with M0");
  if (t == TCategory::kTis) {
    if (n == NCategory::kN0) return staged(StageGroup::k0, "Tis N0 M0");
    if (!options.tis_with_nodes_as_t0) {
      return not_stageable(
          "Tis with N1-N3 has no row in the AJCC table (option "
          "tis_with_nodes_as_t0 maps Tis to T0)");
    }
    t = TCategory::kT0;  // documented option; the rule text below names the T0 row used
  }
  if (n == NCategory::kN3) return staged(StageGroup::kIIIC, "any T (T0-T4) N3 M0");
  switch (t) {
    case TCategory::kT0:
      if (n == NCategory::kN0) return not_stageable("T0 N0 M0 (no evidence of tumour) has no row");
      if (n == NCategory::kN1mi) return staged(StageGroup::kIB, "T0 N1mi M0 (excluded from IIA)");
      if (n == NCategory::kN1) return staged(StageGroup::kIIA, "T0 N1 M0");
      return staged(StageGroup::kIIIA, "T0 N2 M0");
    case TCategory::kT1:
      if (n == NCategory::kN0) return staged(StageGroup::kIA, "T1 N0 M0 (T1 includes T1mi)");
      if (n == NCategory::kN1mi) return staged(StageGroup::kIB, "T1 N1mi M0 (excluded from IIA)");
      if (n == NCategory::kN1) return staged(StageGroup::kIIA, "T1 N1 M0");
      return staged(StageGroup::kIIIA, "T1 N2 M0");
    case TCategory::kT2:
      if (n == NCategory::kN0) return staged(StageGroup::kIIA, "T2 N0 M0");
      if (n == NCategory::kN2) return staged(StageGroup::kIIIA, "T2 N2 M0");
      return staged(StageGroup::kIIB, "T2 N1 M0 (N1 includes N1mi for T2)");
    case TCategory::kT3:
      if (n == NCategory::kN0) return staged(StageGroup::kIIB, "T3 N0 M0");
      return staged(StageGroup::kIIIA, "T3 N1-N2 M0 (N1 includes N1mi for T3)");
    case TCategory::kT4:
      return staged(StageGroup::kIIIB, "T4 N0-N2 M0 (N1 includes N1mi for T4)");
    default:
      break;
  }
  throw InternalError("anatomic_stage: unhandled T/N combination");
}

std::optional<char> prognostic_row_group(TCategory t, NCategory n) {
  if (t == TCategory::kTX || t == TCategory::kTis || n == NCategory::kNX) return std::nullopt;
  if (n == NCategory::kN3) return 'E';
  switch (t) {
    case TCategory::kT0:
      if (n == NCategory::kN1mi) return 'A';
      if (n == NCategory::kN1) return 'B';
      if (n == NCategory::kN2) return 'D';
      return std::nullopt;  // T0 N0
    case TCategory::kT1:
      if (n == NCategory::kN0 || n == NCategory::kN1mi) return 'A';
      if (n == NCategory::kN1) return 'B';
      return 'D';
    case TCategory::kT2:
      if (n == NCategory::kN0) return 'B';
      if (n == NCategory::kN2) return 'D';
      return 'C';  // N1 includes N1mi
    case TCategory::kT3:
      if (n == NCategory::kN0) return 'C';
      return 'D';
    case TCategory::kT4:
      return 'E';
    default:
      return std::nullopt;
  }
}

const char* disease_extent_name(DiseaseExtent extent) {
  switch (extent) {
    case DiseaseExtent::kInSitu:
      return "in_situ";
    case DiseaseExtent::kEarly:
      return "early";
    case DiseaseExtent::kLocallyAdvanced:
      return "locally_advanced";
    case DiseaseExtent::kMetastatic:
      return "metastatic";
    case DiseaseExtent::kUnknown:
      return "unknown";
  }
  return "unknown";
}

AdvancedDiseaseAssessment classify_advanced_disease(std::optional<StageGroup> anatomic,
                                                    const std::string& t_code,
                                                    std::optional<int> distant_site_count,
                                                    const std::string& sites_counted_as,
                                                    const OligometastaticOptions& options) {
  AdvancedDiseaseAssessment a;
  a.inflammatory = t_code == "T4d";
  if (a.inflammatory) {
    a.notes.emplace_back(
        "T4d: inflammatory breast cancer (a clinical diagnosis: pain, oedema, "
        "erythema, rapid enlargement, peau d'orange) [Jacene 2024]");
  }
  if (!anatomic) {
    a.notes.emplace_back("no anatomic stage: disease extent not derivable");
    return a;
  }
  switch (*anatomic) {
    case StageGroup::k0:
      a.extent = DiseaseExtent::kInSitu;
      break;
    case StageGroup::kIA:
    case StageGroup::kIB:
    case StageGroup::kIIA:
      a.extent = DiseaseExtent::kEarly;
      break;
    case StageGroup::kIIB:
      a.extent = DiseaseExtent::kLocallyAdvanced;
      a.notes.emplace_back(
          "stage IIB: grouped with locally advanced disease in [Jacene 2024] "
          "Table 3; LABC comprises stage III and some stage IIB");
      break;
    case StageGroup::kIIIA:
    case StageGroup::kIIIB:
    case StageGroup::kIIIC:
      a.extent = DiseaseExtent::kLocallyAdvanced;
      a.locally_advanced = true;
      break;
    case StageGroup::kIV:
      a.extent = DiseaseExtent::kMetastatic;
      a.metastatic = true;
      break;
  }
  const std::string limit = std::string(options.inclusive ? "<= " : "< ") +
                            std::to_string(options.max_sites) + " distant sites";
  if (!a.metastatic) {
    if (distant_site_count) {
      a.notes.emplace_back(
          "distant site count given but the anatomic stage is not IV: no "
          "oligometastatic flag");
    }
    return a;
  }
  if (!distant_site_count) {
    a.oligometastatic_rule = "oligometastatic: " + limit + "; no distant site count given";
    return a;
  }
  if (*distant_site_count < 1) {
    throw InvalidInputError("distant site count " + std::to_string(*distant_site_count) +
                            " is below 1 for stage IV disease; give the number of distant sites");
  }
  const int count = *distant_site_count;
  a.oligometastatic = options.inclusive ? count <= options.max_sites : count < options.max_sites;
  a.oligometastatic_rule =
      "oligometastatic: " + limit +
      " ([Jacene 2024] '< 5 distant sites'; ESO-ESMO 'up to 5' is "
      "unverified); " +
      std::to_string(count) + " site(s) counted as " +
      (sites_counted_as.empty() ? std::string("unspecified units") : sites_counted_as);
  return a;
}

namespace {

struct SiteInfo {
  ImagingSite site;
  const char* name;
  bool distant;
};

const std::vector<SiteInfo>& site_table() {
  static const std::vector<SiteInfo> kSites = {
      {ImagingSite::kBreast, "breast", false},
      {ImagingSite::kIpsilateralAxillaryNode, "ipsilateral_axillary_node", false},
      {ImagingSite::kIpsilateralAxillaryNodeFixed, "ipsilateral_axillary_node_fixed", false},
      {ImagingSite::kIpsilateralInternalMammaryNode, "ipsilateral_internal_mammary_node", false},
      {ImagingSite::kIpsilateralInfraclavicularNode, "ipsilateral_infraclavicular_node", false},
      {ImagingSite::kIpsilateralSupraclavicularNode, "ipsilateral_supraclavicular_node", false},
      {ImagingSite::kContralateralAxillaryNode, "contralateral_axillary_node", true},
      {ImagingSite::kContralateralInternalMammaryNode, "contralateral_internal_mammary_node", true},
      {ImagingSite::kCervicalNode, "cervical_node", true},
      {ImagingSite::kOtherNonRegionalNode, "non_regional_node", true},
      {ImagingSite::kBone, "bone", true},
      {ImagingSite::kLiver, "liver", true},
      {ImagingSite::kLung, "lung", true},
      {ImagingSite::kBrain, "brain", true},
      {ImagingSite::kPleura, "pleura", true},
      {ImagingSite::kDistantSoftTissue, "distant_soft_tissue", true},
      {ImagingSite::kOtherDistantOrgan, "other_distant_organ", true},
  };
  return kSites;
}

// What the regional nodes are known to contain, from the current cN code and the findings.
struct NodalInvolvement {
  bool axillary_movable = false;
  bool axillary_fixed = false;
  bool internal_mammary = false;
  bool infraclavicular = false;
  bool supraclavicular = false;
};

NodalInvolvement involvement_of(const std::string& n_code) {
  NodalInvolvement v;
  if (n_code == "N1" || n_code == "N1mi" || n_code == "N1a") v.axillary_movable = true;
  if (n_code == "N1b") v.internal_mammary = true;
  if (n_code == "N1c") v.axillary_movable = v.internal_mammary = true;
  if (n_code == "N2a") v.axillary_fixed = true;
  if (n_code == "N2b") v.internal_mammary = true;
  if (n_code == "N3a") v.infraclavicular = true;
  if (n_code == "N3b") v.internal_mammary = v.axillary_movable = true;
  if (n_code == "N3c") v.supraclavicular = true;
  return v;
}

// cN from the involvement (§5.2 definitions, highest first); empty when no node is involved.
std::string clinical_n_code(const NodalInvolvement& v) {
  const bool axillary = v.axillary_movable || v.axillary_fixed;
  if (v.supraclavicular) return "N3c";
  if (v.infraclavicular) return "N3a";
  if (v.internal_mammary && axillary) return "N3b";
  if (v.axillary_fixed) return "N2a";
  if (v.internal_mammary) return "N2b";
  if (v.axillary_movable) return "N1";
  return "";
}

std::string describe(const ImagingFinding& f) {
  std::string text = imaging_site_name(f.site);
  if (!f.description.empty()) text += " '" + f.description + "'";
  if (!f.source.empty()) text += " (" + f.source + ")";
  return text;
}

}  // namespace

std::optional<ImagingSite> parse_imaging_site(const std::string& name) {
  for (const SiteInfo& s : site_table()) {
    if (name == s.name) return s.site;
  }
  return std::nullopt;
}

const char* imaging_site_name(ImagingSite site) {
  for (const SiteInfo& s : site_table()) {
    if (s.site == site) return s.name;
  }
  return "?";
}

bool imaging_site_is_distant(ImagingSite site) {
  for (const SiteInfo& s : site_table()) {
    if (s.site == site) return s.distant;
  }
  return false;
}

ImagingUpstaging imaging_upstaging(const TValue& t, const NValue& n, const MValue& m,
                                   const std::vector<ImagingFinding>& findings,
                                   const ImagingTiming& timing,
                                   const AnatomicStageOptions& options) {
  ImagingUpstaging u;
  u.t = t;
  u.n_before = u.n_after = n;
  u.m_before = u.m_after = m;
  u.label =
      "imaging-suspected category change; histological confirmation is the pathology standard "
      "(clinical-context.md §5.8)";
  u.stage_before = anatomic_stage(t.category, n.category, m.category, options);

  std::vector<std::string> distant;
  NodalInvolvement nodes = involvement_of(n.code);
  std::vector<std::string> nodal;
  for (const ImagingFinding& f : findings) {
    if (!f.suspicious) continue;
    if (imaging_site_is_distant(f.site)) {
      distant.push_back(describe(f));
      continue;
    }
    switch (f.site) {
      case ImagingSite::kIpsilateralAxillaryNode:
        nodes.axillary_movable = true;
        break;
      case ImagingSite::kIpsilateralAxillaryNodeFixed:
        nodes.axillary_fixed = true;
        break;
      case ImagingSite::kIpsilateralInternalMammaryNode:
        nodes.internal_mammary = true;
        break;
      case ImagingSite::kIpsilateralInfraclavicularNode:
        nodes.infraclavicular = true;
        break;
      case ImagingSite::kIpsilateralSupraclavicularNode:
        nodes.supraclavicular = true;
        break;
      default:
        continue;  // breast: T is not assigned by PET (§5.1)
    }
    nodal.push_back(describe(f));
  }
  u.distant_sites = static_cast<int>(distant.size());

  if (!distant.empty() && m.category == MCategory::kM0) {
    u.m_after = {"c", MCategory::kM1, "M1"};
    std::string list;
    for (const std::string& d : distant) list += (list.empty() ? "" : "; ") + d;
    u.changes.push_back(m.prefix + m.code + " -> cM1: suspicious distant finding(s): " + list);
  }

  const std::string suggested = clinical_n_code(nodes);
  if (!suggested.empty()) {
    const NValue suggested_n = parse_n("c" + suggested);
    if (n_rank(suggested_n.category) > n_rank(n.category) || n.category == NCategory::kNX) {
      std::string list;
      for (const std::string& d : nodal) list += (list.empty() ? "" : "; ") + d;
      if (n.prefix.find('p') != std::string::npos) {
        u.notes.push_back("nodal finding(s) " + list + " suggest c" + suggested +
                          "; the pathological category " + n.prefix + n.code +
                          " from resected nodes is not changed by imaging");
      } else {
        u.n_after = suggested_n;
        u.changes.push_back(n.prefix + n.code + " -> c" + suggested + ": finding(s) " + list +
                            (suggested == "N2a" ? " (matting is a clinical/CT judgement)" : ""));
      }
    }
  }

  if (timing.days_from_diagnosis || timing.after_neoadjuvant_therapy) {
    const bool outside = (timing.days_from_diagnosis && *timing.days_from_diagnosis > 122) ||
                         timing.after_neoadjuvant_therapy == true;
    u.notes.push_back(
        std::string("AJCC rule (wording unverified): imaging within 4 months of diagnosis, "
                    "without progression and without neoadjuvant therapy, may change the stage; ") +
        (outside ? "this imaging is outside that window, so the change stays imaging-suspected "
                   "only"
                 : "this imaging is within that window"));
  }
  u.changed = !u.changes.empty();
  u.stage_after = anatomic_stage(t.category, u.n_after.category, u.m_after.category, options);
  if (u.changed) {
    u.notes.push_back("TNM " + tnm_text(t, n, m) + " -> " + tnm_text(t, u.n_after, u.m_after) +
                      " (imaging-suspected)");
  }
  return u;
}

std::filesystem::path clinical_data_dir() {
  if (const char* dir = std::getenv("ONCOTRACE_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "clinical";
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "clinical";
}

}  // namespace oncotrace
