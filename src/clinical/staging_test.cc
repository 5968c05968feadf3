#include <gtest/gtest.h>

#include <array>

#include "oncotrace/clinical.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace {

constexpr std::array<TCategory, 7> kT = {TCategory::kTX, TCategory::kT0, TCategory::kTis,
                                         TCategory::kT1, TCategory::kT2, TCategory::kT3,
                                         TCategory::kT4};
constexpr std::array<NCategory, 6> kN = {NCategory::kNX, NCategory::kN0, NCategory::kN1mi,
                                         NCategory::kN1, NCategory::kN2, NCategory::kN3};
constexpr std::array<const char*, 7> kTNames = {"TX", "T0", "Tis", "T1", "T2", "T3", "T4"};
constexpr std::array<const char*, 6> kNNames = {"NX", "N0", "N1mi", "N1", "N2", "N3"};

// Anatomic stage groups for M0, written out from clinical-context.md §5.4 ("-" = no group):
//   0: Tis N0; IA: T1 N0; IB: T0 N1mi, T1 N1mi; IIA: T0 N1, T1 N1, T2 N0; IIB: T2 N1, T3 N0;
//   IIIA: T0-T2 N2, T3 N1-N2; IIIB: T4 N0-N2; IIIC: any T N3.
//   Rules: "T1 includes T1mi"; "T0 and T1 with nodal micrometastases only (N1mi) are excluded
//   from IIA and are IB. For T2, T3, T4, N1 includes N1mi (T2 N1mi = IIB, T3 N1mi = IIIA,
//   T4 N1mi = IIIB)"; "Tis with N1-N3 has no group in the table (... 'not stageable')".
//   Implementation choices (header of clinical.h): TX or NX with M0 is not stageable, T0 N0 M0
//   has no row, and "any T" in the IIIC row is T0-T4.
constexpr std::array<std::array<const char*, 6>, 7> kAnatomicM0 = {{
    //  NX    N0      N1mi    N1      N2      N3
    {{"-", "-", "-", "-", "-", "-"}},                 // TX
    {{"-", "-", "IB", "IIA", "IIIA", "IIIC"}},        // T0
    {{"-", "0", "-", "-", "-", "-"}},                 // Tis
    {{"-", "IA", "IB", "IIA", "IIIA", "IIIC"}},       // T1
    {{"-", "IIA", "IIB", "IIB", "IIIA", "IIIC"}},     // T2
    {{"-", "IIB", "IIIA", "IIIA", "IIIA", "IIIC"}},   // T3
    {{"-", "IIIB", "IIIB", "IIIB", "IIIB", "IIIC"}},  // T4
}};

std::string stage_text(const StageResult& r) { return r.stage ? stage_group_name(*r.stage) : "-"; }

TEST(AnatomicStage, EveryTxNxMCombination) {
  for (size_t ti = 0; ti < kT.size(); ++ti) {
    for (size_t ni = 0; ni < kN.size(); ++ni) {
      const StageResult m0 = anatomic_stage(kT[ti], kN[ni], MCategory::kM0);
      EXPECT_EQ(stage_text(m0), kAnatomicM0[ti][ni])
          << kTNames[ti] << " " << kNNames[ni] << " M0: " << m0.rule;
      // "IV: any T, any N, M1".
      const StageResult m1 = anatomic_stage(kT[ti], kN[ni], MCategory::kM1);
      EXPECT_EQ(stage_text(m1), "IV") << kTNames[ti] << " " << kNNames[ni] << " M1";
      EXPECT_FALSE(m0.rule.empty());
    }
  }
}

TEST(AnatomicStage, TisWithNodesAsT0IsAnOption) {
  AnatomicStageOptions options;
  options.tis_with_nodes_as_t0 = true;
  EXPECT_EQ(stage_text(anatomic_stage(TCategory::kTis, NCategory::kN1mi, MCategory::kM0, options)),
            "IB");
  EXPECT_EQ(stage_text(anatomic_stage(TCategory::kTis, NCategory::kN1, MCategory::kM0, options)),
            "IIA");
  EXPECT_EQ(stage_text(anatomic_stage(TCategory::kTis, NCategory::kN0, MCategory::kM0, options)),
            "0");
}

// Subcategories map to the category the tables use (§5.1-§5.4: "T1 includes T1mi", "N
// subcategories (a/b/c) do not change the anatomic group", "M0 includes M0(i+)").
TEST(TnmParsing, SubcategoriesAndPrefixes) {
  EXPECT_EQ(parse_t("cT1mi").category, TCategory::kT1);
  EXPECT_EQ(parse_t("cT1mi").prefix, "c");
  EXPECT_EQ(parse_t("cT1mi").code, "T1mi");
  EXPECT_EQ(parse_t("ypT4d").category, TCategory::kT4);
  EXPECT_EQ(parse_t("ypT4d").prefix, "yp");
  EXPECT_EQ(parse_t("pTis (DCIS)").code, "Tis (DCIS)");
  EXPECT_EQ(parse_t("Tis(Paget)").category, TCategory::kTis);
  EXPECT_EQ(parse_t("TX").category, TCategory::kTX);
  EXPECT_EQ(parse_n("pN0(i+)").category, NCategory::kN0);
  EXPECT_EQ(parse_n("pN0(mol+)").category, NCategory::kN0);
  EXPECT_EQ(parse_n("cN1mi").category, NCategory::kN1mi);
  EXPECT_EQ(parse_n("pN1c").category, NCategory::kN1);
  EXPECT_EQ(parse_n("cN2b").category, NCategory::kN2);
  EXPECT_EQ(parse_n("cN3c").code, "N3c");
  EXPECT_EQ(parse_m("cM0(i+)").category, MCategory::kM0);
  EXPECT_EQ(parse_m("pM1").category, MCategory::kM1);
  EXPECT_THROW(parse_t("T5"), InvalidInputError);
  EXPECT_THROW(parse_t("xT1"), InvalidInputError);
  EXPECT_THROW(parse_n("N4"), InvalidInputError);
  EXPECT_THROW(parse_m("MX"), InvalidInputError);
  try {
    parse_n("N2c");
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("N2c"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("N2a, N2b"), std::string::npos);
  }
}

TEST(AnatomicStage, WorkedExamplesWithSubcategories) {
  auto stage = [](const char* t, const char* n, const char* m) {
    return stage_text(
        anatomic_stage(parse_t(t).category, parse_n(n).category, parse_m(m).category));
  };
  EXPECT_EQ(stage("cT1mi", "cN1mi", "cM0"), "IB");
  EXPECT_EQ(stage("cT2", "pN1mi", "cM0"), "IIB");
  EXPECT_EQ(stage("cT4d", "cN0", "cM0"), "IIIB");
  EXPECT_EQ(stage("pT1c", "pN0(i+)", "cM0(i+)"), "IA");
  EXPECT_EQ(stage("cT2", "cN2b", "cM0"), "IIIA");
  EXPECT_EQ(stage("cTX", "cNX", "pM1"), "IV");
}

// §5.7: LABC = "anatomic stage III and some stage IIB"; IBC = T4d; MBC = stage IV;
// oligometastatic "< 5 distant sites" per [Jacene 2024], "up to 5" per ESO-ESMO (unverified).
TEST(AdvancedDisease, Categories) {
  const auto early = classify_advanced_disease(StageGroup::kIIA, "T2", std::nullopt, "");
  EXPECT_EQ(early.extent, DiseaseExtent::kEarly);
  EXPECT_FALSE(early.locally_advanced);
  const auto iib = classify_advanced_disease(StageGroup::kIIB, "T3", std::nullopt, "");
  EXPECT_EQ(iib.extent, DiseaseExtent::kLocallyAdvanced);
  EXPECT_FALSE(iib.locally_advanced);
  EXPECT_FALSE(iib.notes.empty());
  const auto ibc = classify_advanced_disease(StageGroup::kIIIB, "T4d", std::nullopt, "");
  EXPECT_TRUE(ibc.locally_advanced);
  EXPECT_TRUE(ibc.inflammatory);
  const auto in_situ = classify_advanced_disease(StageGroup::k0, "Tis", std::nullopt, "");
  EXPECT_EQ(in_situ.extent, DiseaseExtent::kInSitu);
  const auto unknown = classify_advanced_disease(std::nullopt, "TX", std::nullopt, "");
  EXPECT_EQ(unknown.extent, DiseaseExtent::kUnknown);
}

TEST(AdvancedDisease, OligometastaticCount) {
  const auto four = classify_advanced_disease(StageGroup::kIV, "T2", 4, "organs");
  EXPECT_TRUE(four.metastatic);
  EXPECT_EQ(four.oligometastatic, true);
  EXPECT_NE(four.oligometastatic_rule.find("counted as organs"), std::string::npos);
  EXPECT_EQ(classify_advanced_disease(StageGroup::kIV, "T2", 5, "lesions").oligometastatic, false);
  OligometastaticOptions up_to_5;
  up_to_5.inclusive = true;
  EXPECT_EQ(classify_advanced_disease(StageGroup::kIV, "T2", 5, "lesions", up_to_5).oligometastatic,
            true);
  EXPECT_FALSE(classify_advanced_disease(StageGroup::kIV, "T2", std::nullopt, "")
                   .oligometastatic.has_value());
  EXPECT_FALSE(
      classify_advanced_disease(StageGroup::kIIIA, "T2", 2, "organs").oligometastatic.has_value());
  EXPECT_THROW(classify_advanced_disease(StageGroup::kIV, "T2", 0, "organs"), InvalidInputError);
}

ImagingFinding finding(ImagingSite site, bool suspicious = true) {
  return ImagingFinding{site, suspicious, "", "FDG PET/CT"};
}

ImagingUpstaging upstage(const char* t, const char* n, const char* m,
                         const std::vector<ImagingFinding>& findings) {
  return imaging_upstaging(parse_t(t), parse_n(n), parse_m(m), findings);
}

std::string tnm_after(const ImagingUpstaging& u) {
  return u.n_after.prefix + u.n_after.code + " " + u.m_after.prefix + u.m_after.code;
}

// §5.8 mapping table, one row at a time.
TEST(ImagingUpstaging, DistantLesionsMakeCm1StageIv) {
  const ImagingUpstaging u = upstage("cT2", "cN1", "cM0", {finding(ImagingSite::kBone)});
  EXPECT_TRUE(u.changed);
  EXPECT_EQ(tnm_after(u), "cN1 cM1");
  EXPECT_EQ(stage_text(u.stage_before), "IIB");
  EXPECT_EQ(stage_text(u.stage_after), "IV");
  EXPECT_EQ(u.distant_sites, 1);
  EXPECT_NE(u.label.find("imaging-suspected"), std::string::npos);
  for (ImagingSite distant_node :
       {ImagingSite::kContralateralAxillaryNode, ImagingSite::kContralateralInternalMammaryNode,
        ImagingSite::kCervicalNode, ImagingSite::kOtherNonRegionalNode}) {
    EXPECT_EQ(upstage("cT1", "cN0", "cM0", {finding(distant_node)}).m_after.code, "M1");
  }
}

TEST(ImagingUpstaging, RegionalNodesRaiseClinicalN) {
  // "avid ipsilateral supraclavicular node -> cN3c (stage IIIC if M0)": regional, not M1.
  const ImagingUpstaging supra =
      upstage("cT2", "cN0", "cM0", {finding(ImagingSite::kIpsilateralSupraclavicularNode)});
  EXPECT_EQ(tnm_after(supra), "cN3c cM0");
  EXPECT_EQ(stage_text(supra.stage_after), "IIIC");
  // "infraclavicular (level III) node -> cN3a".
  EXPECT_EQ(upstage("cT1", "cN0", "cM0", {finding(ImagingSite::kIpsilateralInfraclavicularNode)})
                .n_after.code,
            "N3a");
  // "internal mammary node with level I/II axillary node -> cN3b", whether the axillary node is
  // already in cN or found by imaging.
  EXPECT_EQ(upstage("cT1", "cN1", "cM0", {finding(ImagingSite::kIpsilateralInternalMammaryNode)})
                .n_after.code,
            "N3b");
  EXPECT_EQ(upstage("cT1", "cN0", "cM0",
                    {finding(ImagingSite::kIpsilateralInternalMammaryNode),
                     finding(ImagingSite::kIpsilateralAxillaryNode)})
                .n_after.code,
            "N3b");
  // "internal mammary node without axillary node -> cN2b".
  EXPECT_EQ(upstage("cT1", "cN0", "cM0", {finding(ImagingSite::kIpsilateralInternalMammaryNode)})
                .n_after.code,
            "N2b");
  // "fixed/matted level I/II axillary nodes -> cN2a"; "movable level I/II axillary node -> cN1".
  EXPECT_EQ(upstage("cT1", "cN0", "cM0", {finding(ImagingSite::kIpsilateralAxillaryNodeFixed)})
                .n_after.code,
            "N2a");
  const ImagingUpstaging n1 =
      upstage("cT2", "cN0", "cM0", {finding(ImagingSite::kIpsilateralAxillaryNode)});
  EXPECT_EQ(n1.n_after.code, "N1");
  EXPECT_EQ(stage_text(n1.stage_after), "IIB");
}

TEST(ImagingUpstaging, NeverDownstagesAndIgnoresNonSuspiciousFindings) {
  const ImagingUpstaging n3 =
      upstage("cT2", "cN3a", "cM0", {finding(ImagingSite::kIpsilateralAxillaryNode)});
  EXPECT_FALSE(n3.changed);
  EXPECT_EQ(n3.n_after.code, "N3a");
  const ImagingUpstaging benign =
      upstage("cT2", "cN0", "cM0", {finding(ImagingSite::kLiver, false)});
  EXPECT_FALSE(benign.changed);
  EXPECT_EQ(benign.distant_sites, 0);
  const ImagingUpstaging m1 = upstage("cT2", "cN0", "pM1", {finding(ImagingSite::kLung)});
  EXPECT_FALSE(m1.changed);
  EXPECT_EQ(upstage("cT2", "cN0", "cM0", {finding(ImagingSite::kBreast)}).changed, false);
}

TEST(ImagingUpstaging, PathologicalNodesAreNotChangedButDistantDiseaseIs) {
  const ImagingUpstaging u = upstage(
      "pT2", "pN1a", "cM0",
      {finding(ImagingSite::kIpsilateralSupraclavicularNode), finding(ImagingSite::kLiver)});
  EXPECT_EQ(u.n_after.code, "N1a");
  EXPECT_EQ(u.m_after.code, "M1");
  EXPECT_EQ(stage_text(u.stage_after), "IV");
  bool noted = false;
  for (const std::string& note : u.notes)
    noted |= note.find("not changed by imaging") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ImagingUpstaging, TimingRuleIsNotedAsUnverified) {
  ImagingTiming late;
  late.days_from_diagnosis = 200;
  const ImagingUpstaging u = imaging_upstaging(parse_t("cT2"), parse_n("cN0"), parse_m("cM0"),
                                               {finding(ImagingSite::kBone)}, late);
  bool noted = false;
  for (const std::string& note : u.notes)
    noted |= note.find("outside that window") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ImagingSites, NamesRoundTrip) {
  for (const char* name :
       {"bone", "liver", "lung", "brain", "pleura", "distant_soft_tissue", "other_distant_organ",
        "contralateral_axillary_node", "contralateral_internal_mammary_node", "cervical_node",
        "non_regional_node", "ipsilateral_supraclavicular_node", "ipsilateral_infraclavicular_node",
        "ipsilateral_internal_mammary_node", "ipsilateral_axillary_node_fixed",
        "ipsilateral_axillary_node", "breast"}) {
    const auto site = parse_imaging_site(name);
    ASSERT_TRUE(site.has_value()) << name;
    EXPECT_STREQ(imaging_site_name(*site), name);
  }
  EXPECT_FALSE(parse_imaging_site("Bone").has_value());
  EXPECT_FALSE(imaging_site_is_distant(ImagingSite::kIpsilateralSupraclavicularNode));
}

}  // namespace
}  // namespace oncotrace
