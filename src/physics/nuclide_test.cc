#include "oncotrace/nuclide.h"

#include <gtest/gtest.h>

#include <dcmtk/dcmsr/cmr/cid4020.h>

#include <set>
#include <string>
#include <vector>

namespace oncotrace {
namespace {

const Nuclide& by_symbol(const std::string& symbol) {
  const Nuclide* nuclide = find_nuclide_by_name(symbol);
  EXPECT_NE(nuclide, nullptr) << symbol;
  return *nuclide;
}

std::string symbol_or_none(const Nuclide* nuclide) {
  return nuclide == nullptr ? "<none>" : nuclide->symbol;
}

TEST(NuclideTableTest, HalfLivesAreTheIcrp107Values) {
  // pet-quantification.md §12, column "T½ (s)".
  EXPECT_DOUBLE_EQ(by_symbol("F-18").half_life_s, 6586.2);
  EXPECT_DOUBLE_EQ(by_symbol("Ga-68").half_life_s, 4062.6);
  EXPECT_DOUBLE_EQ(by_symbol("Cu-64").half_life_s, 45720.0);
  EXPECT_DOUBLE_EQ(by_symbol("Zr-89").half_life_s, 282276.0);
  EXPECT_DOUBLE_EQ(by_symbol("I-124").half_life_s, 360806.4);
  EXPECT_DOUBLE_EQ(by_symbol("Tc-99m").half_life_s, 21654.0);
  EXPECT_DOUBLE_EQ(by_symbol("In-111").half_life_s, 242326.1);
  EXPECT_DOUBLE_EQ(by_symbol("Lu-177").half_life_s, 574300.8);
  EXPECT_DOUBLE_EQ(by_symbol("C-11").half_life_s, 1223.4);
  EXPECT_DOUBLE_EQ(by_symbol("O-15").half_life_s, 122.24);
  EXPECT_DOUBLE_EQ(by_symbol("N-13").half_life_s, 597.9);
  EXPECT_DOUBLE_EQ(by_symbol("Rb-82").half_life_s, 76.38);
  EXPECT_DOUBLE_EQ(by_symbol("Y-90").half_life_s, 230760.0);
  EXPECT_DOUBLE_EQ(by_symbol("I-131").half_life_s, 692988.5);
  // Ge-68: 270.95 d x 86400 s/d.
  EXPECT_DOUBLE_EQ(by_symbol("Ge-68").half_life_s, 270.95 * 86400.0);
}

TEST(NuclideTableTest, EveryEntryHasSourcesAndUniqueCodes) {
  std::set<std::string> codes;
  std::set<std::string> symbols;
  for (const Nuclide& nuclide : nuclide_table()) {
    EXPECT_GT(nuclide.half_life_s, 0.0) << nuclide.symbol;
    EXPECT_FALSE(nuclide.half_life_source.empty()) << nuclide.symbol;
    EXPECT_FALSE(nuclide.emission_source.empty()) << nuclide.symbol;
    EXPECT_FALSE(nuclide.decay_mode.empty()) << nuclide.symbol;
    EXPECT_FALSE(nuclide.codes.empty()) << nuclide.symbol;
    EXPECT_TRUE(symbols.insert(nuclide.symbol).second) << nuclide.symbol;
    for (const NuclideCode& code : nuclide.codes) {
      EXPECT_FALSE(code.source.empty()) << nuclide.symbol << " " << code.value;
      EXPECT_TRUE(codes.insert(code.value).second) << "duplicate code " << code.value;
    }
    // Every alias must lead back to its own entry.
    for (const std::string& alias : nuclide.aliases) {
      EXPECT_EQ(find_nuclide_by_name(alias), &nuclide) << alias;
    }
  }
}

TEST(NuclideTableTest, PositronEmittersCarryAnnihilationPhotons) {
  const Nuclide& f18 = by_symbol("F-18");
  ASSERT_FALSE(f18.main_photons.empty());
  EXPECT_DOUBLE_EQ(f18.main_photons.front().energy_kev, 511.0);
  EXPECT_DOUBLE_EQ(f18.main_photons.front().yield_per_decay, 2.0 * f18.positron_fraction);
  EXPECT_EQ(by_symbol("Lu-177").decay_mode, "beta-");
  EXPECT_EQ(by_symbol("Tc-99m").decay_mode, "IT");
  EXPECT_EQ(by_symbol("In-111").decay_mode, "EC");
}

TEST(NuclideLookupTest, NamesInEveryCommonSpelling) {
  const Nuclide* f18 = find_nuclide_by_name("F-18");
  ASSERT_NE(f18, nullptr);
  for (const char* spelling : {"Fluorine^18", "^18^Fluorine", "18F", "F-18", "F18", "f18",
                               "18 Fluorine", "fluorine-18", " F-18 "}) {
    EXPECT_EQ(find_nuclide_by_name(spelling), f18) << spelling;
  }
  const Nuclide* lu177 = find_nuclide_by_name("Lu-177");
  ASSERT_NE(lu177, nullptr);
  for (const char* spelling : {"Lutetium-177", "177Lu", "177 Lutetium", "^177^Lutetium", "LU177"}) {
    EXPECT_EQ(find_nuclide_by_name(spelling), lu177) << spelling;
  }
  const Nuclide* tc99m = find_nuclide_by_name("Tc-99m");
  ASSERT_NE(tc99m, nullptr);
  for (const char* spelling : {"99mTc", "Tc99m", "^99m^Technetium", "Technetium Tc-99m"}) {
    EXPECT_EQ(find_nuclide_by_name(spelling), tc99m) << spelling;
  }
  EXPECT_EQ(symbol_or_none(find_nuclide_by_name("68Ga")), "Ga-68");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_name("In-111")), "In-111");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_name("I-131")), "I-131");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_name("Y-90")), "Y-90");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_name("89Zr")), "Zr-89");
}

TEST(NuclideLookupTest, RejectsWhatIsNotOneNuclide) {
  EXPECT_EQ(find_nuclide_by_name(""), nullptr);
  EXPECT_EQ(find_nuclide_by_name("FDG"), nullptr);
  EXPECT_EQ(find_nuclide_by_name("Fluorine"), nullptr);             // no mass number
  EXPECT_EQ(find_nuclide_by_name("F-19"), nullptr);                 // not in the table
  EXPECT_EQ(find_nuclide_by_name("Tc-99"), nullptr);                // ground state is not Tc-99m
  EXPECT_EQ(find_nuclide_by_name("C-111A1"), nullptr);              // a code, not a name
  EXPECT_EQ(find_nuclide_by_name("Gallium Fluorine 18"), nullptr);  // two elements
}

TEST(NuclideLookupTest, FindsTheNuclideInTracerText) {
  EXPECT_EQ(symbol_or_none(find_nuclide_in_text("[18F]FDG")), "F-18");
  EXPECT_EQ(symbol_or_none(find_nuclide_in_text("Ga-68 DOTATATE")), "Ga-68");
  EXPECT_EQ(symbol_or_none(find_nuclide_in_text("68Ga-PSMA-11")), "Ga-68");
  EXPECT_EQ(symbol_or_none(find_nuclide_in_text("177Lu-DOTATATE")), "Lu-177");
  EXPECT_EQ(symbol_or_none(find_nuclide_in_text("Ga 68 in saline")), "Ga-68");
  EXPECT_EQ(find_nuclide_in_text("Fluorodeoxyglucose"), nullptr);
  EXPECT_EQ(find_nuclide_in_text("F-18 and Ga-68"), nullptr);  // two nuclides: no guess
}

TEST(NuclideLookupTest, FindsEveryNuclideOfTextInOrder) {
  auto symbols = [](const std::string& text) {
    std::vector<std::string> out;
    for (const Nuclide* nuclide : find_nuclides_in_text(text)) out.push_back(nuclide->symbol);
    return out;
  };
  EXPECT_EQ(symbols("68Ga and 18F"), (std::vector<std::string>{"Ga-68", "F-18"}));
  EXPECT_EQ(symbols("Technetium Tc 99m"), (std::vector<std::string>{"Tc-99m"}));
  EXPECT_EQ(symbols("Trastuzumab ^89^Zr"), (std::vector<std::string>{"Zr-89"}));
  EXPECT_EQ(symbols("[99mTc]Tc-HYNIC-H6F"), (std::vector<std::string>{"Tc-99m"}));
  EXPECT_EQ(symbols("16\xCE\xB1-[18F]fluoro-17\xCE\xB2-estradiol"),
            (std::vector<std::string>{"F-18"}));
  EXPECT_EQ(symbols("[18F]FDG, 18F"), (std::vector<std::string>{"F-18"}));  // deduplicated
  EXPECT_TRUE(symbols("NOTA-2Rs15d ABY-025 RAD202").empty());
}

TEST(NuclideLookupTest, SameCodingSchemeTreats99SdmAsSrt) {
  EXPECT_TRUE(same_coding_scheme("99SDM", "SRT"));
  EXPECT_TRUE(same_coding_scheme("srt", " 99sdm "));
  EXPECT_TRUE(same_coding_scheme("SCT", "sct"));
  EXPECT_FALSE(same_coding_scheme("SRT", "SCT"));
}

// The SNOMED CT codes of PET nuclides are checked against DCMTK's generated CID 4020, both ways:
// each code in the table is in CID 4020 with a meaning naming the same nuclide, and each CID 4020
// nuclide that the table holds carries its CID 4020 code.
TEST(NuclideLookupTest, SnomedCtCodesAreThoseOfCid4020) {
  CID4020_PETRadionuclide::initialize();
  CID4020_PETRadionuclide cid4020;
  size_t checked = 0;
  for (const Nuclide& nuclide : nuclide_table()) {
    for (const NuclideCode& code : nuclide.codes) {
      if (code.scheme != "SCT" || code.source.find("CID 4020") == std::string::npos) continue;
      // NOLINTNEXTLINE(readability-redundant-string-cstr): OFString is not always std::string
      DSRCodedEntryValue coded(code.value.c_str(), "SCT", "?");
      ASSERT_TRUE(cid4020.lookupCodedEntry(coded).good()) << code.value;
      // NOLINTNEXTLINE(readability-redundant-string-cstr): OFString is not always std::string
      EXPECT_EQ(find_nuclide_by_name(coded.getCodeMeaning().c_str()), &nuclide) << code.value;
      ++checked;
    }
  }
  EXPECT_GE(checked, 12u);
  for (int entry = 0; entry <= CID4020_PETRadionuclide::_152_Terbium; ++entry) {
    const DSRCodedEntryValue coded = CID4020_PETRadionuclide::getCodedEntry(
        static_cast<CID4020_PETRadionuclide::EnumType>(entry));
    // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
    const Nuclide* nuclide = find_nuclide_by_name(coded.getCodeMeaning().c_str());
    if (nuclide == nullptr) continue;  // a nuclide the table does not hold
    // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
    EXPECT_EQ(find_nuclide_by_code(coded.getCodeValue().c_str(), "SCT"), nuclide)
        << coded.getCodeMeaning();
  }
}

TEST(NuclideLookupTest, CodesFollowPs316) {
  // CID 4020: C-111A1 ^18^Fluorine, C-131A3 ^68^Gallium, C-131A1 ^66^Gallium.
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-111A1")), "F-18");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-131A3")), "Ga-68");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-131A1")), "Ga-66");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("77004003", "SCT")), "F-18");
  // Siemens NM: C-101ED "177 Lutetium" in 99SDM; 99SDM and SRT count as one scheme.
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-101ED", "99SDM")), "Lu-177");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-101ED", "SRT")), "Lu-177");
  EXPECT_EQ(find_nuclide_by_code("C-101ED", "SCT"), nullptr);
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-163A8")), "Tc-99m");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-145A4")), "In-111");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-114B1")), "I-131");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-168A4")), "Zr-89");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-127A2")), "Cu-64");
  EXPECT_EQ(symbol_or_none(find_nuclide_by_code("C-105A1")), "C-11");
  EXPECT_EQ(find_nuclide_by_code(""), nullptr);
  EXPECT_EQ(find_nuclide_by_code("X-00000"), nullptr);
}

TEST(NuclideLookupTest, HalfLifeLookupPicksTheNearestWithinTolerance) {
  EXPECT_EQ(symbol_or_none(find_nuclide_by_half_life(6588.0)), "F-18");      // GE header value
  EXPECT_EQ(symbol_or_none(find_nuclide_by_half_life(4057.7)), "Ga-68");     // IBSI DRO_5_0
  EXPECT_EQ(symbol_or_none(find_nuclide_by_half_life(574300.0)), "Lu-177");  // Siemens header
  EXPECT_EQ(symbol_or_none(find_nuclide_by_half_life(23400000.0)), "Ge-68");
  EXPECT_EQ(find_nuclide_by_half_life(5000.0), nullptr);
  EXPECT_EQ(find_nuclide_by_half_life(0.0), nullptr);
  EXPECT_EQ(find_nuclide_by_half_life(6700.0, 0.01), nullptr);  // 1.7 % from F-18
  EXPECT_EQ(symbol_or_none(find_nuclide_by_half_life(6700.0, 0.02)), "F-18");
}

TEST(NuclideLookupTest, LongLivedThresholdIs11Point5Hours) {
  // pet-quantification.md §4.7: T½ >= 41 400 s covers Cu-64, Zr-89, In-111, I-124, I-131, Y-90,
  // Lu-177; not F-18, Ga-68, Tc-99m.
  for (const char* symbol : {"Cu-64", "Zr-89", "In-111", "I-124", "I-131", "Y-90", "Lu-177"}) {
    EXPECT_TRUE(by_symbol(symbol).needs_full_datetimes()) << symbol;
  }
  for (const char* symbol : {"F-18", "Ga-68", "Tc-99m", "C-11"}) {
    EXPECT_FALSE(by_symbol(symbol).needs_full_datetimes()) << symbol;
  }
}

TEST(NuclideIdentificationTest, AgreeingFieldsAreListed) {
  const NuclideIdentification id =
      identify_nuclide("C-111A1", "SRT", "^18^Fluorine", "FDG", 6586.2);
  ASSERT_NE(id.nuclide, nullptr);
  EXPECT_EQ(id.nuclide->symbol, "F-18");
  EXPECT_EQ(id.identified_by, "(0054,0300) CodeValue + (0054,0300) CodeMeaning");
  EXPECT_TRUE(id.notes.empty());
}

TEST(NuclideIdentificationTest, Dro50CodeConflictIsResolvedByTheHalfLife) {
  // IBSI DRO_5_0 writes C-131A1 (^66^Gallium in CID 4020) with the meaning ^68^Gallium and
  // T½ 4057.7 s, which is 0.12 % from Ga-68 (4062.6 s) and far from Ga-66 (34 164 s).
  const NuclideIdentification id = identify_nuclide("C-131A1", "SRT", "^68^Gallium", "", 4057.7);
  ASSERT_NE(id.nuclide, nullptr);
  EXPECT_EQ(id.nuclide->symbol, "Ga-68");
  ASSERT_EQ(id.notes.size(), 1u);
  EXPECT_NE(id.notes.front().find("disagree"), std::string::npos);
  // Without a half-life the conflict cannot be settled: no guess.
  EXPECT_EQ(identify_nuclide("C-131A1", "SRT", "^68^Gallium", "", std::nullopt).nuclide, nullptr);
}

TEST(NuclideIdentificationTest, FallsBackToTheHalfLifeAlone) {
  const NuclideIdentification id = identify_nuclide("", "", "", "FDG", 6588.0);
  ASSERT_NE(id.nuclide, nullptr);
  EXPECT_EQ(id.nuclide->symbol, "F-18");
  EXPECT_EQ(id.identified_by, "(0018,1075) half-life");
  EXPECT_EQ(identify_nuclide("", "", "", "", std::nullopt).nuclide, nullptr);
}

}  // namespace
}  // namespace oncotrace
