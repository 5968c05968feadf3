#include "tracers/nuclide_names.h"

#include <gtest/gtest.h>

#include "oncotrace/tracers.h"

namespace oncotrace::tracers_internal {
namespace {

TEST(NuclideNames, FixedListOfTheCatalogue) {
  EXPECT_EQ(known_tracer_nuclides(),
            (std::vector<std::string>{"F-18", "Ga-68", "Cu-64", "Zr-89", "In-111", "Tc-99m",
                                      "Lu-177", "I-131", "Y-90", "I-124", "C-11"}));
}

struct SpellingCase {
  const char* text;
  const char* nuclide;  // "" when none is expected
};

void PrintTo(const SpellingCase& c, std::ostream* os) { *os << c.text; }

class NuclideSpelling : public ::testing::TestWithParam<SpellingCase> {};

TEST_P(NuclideSpelling, IsRecognised) {
  const auto found = nuclide_symbol_in_text(GetParam().text);
  if (std::string(GetParam().nuclide).empty()) {
    EXPECT_FALSE(found.has_value()) << GetParam().text << " -> " << found.value_or("");
  } else {
    ASSERT_TRUE(found.has_value()) << GetParam().text;
    EXPECT_EQ(*found, GetParam().nuclide) << GetParam().text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, NuclideSpelling,
    ::testing::Values(
        // RadionuclideCodeSequence meanings in the shared data (suv-dro, STS_001, lu177-spect).
        SpellingCase{"^18^Fluorine", "F-18"}, SpellingCase{"18F", "F-18"},
        SpellingCase{"177 Lutetium", "Lu-177"}, SpellingCase{"^68^Gallium", "Ga-68"},
        // Radiopharmaceutical (0018,0031) texts.
        SpellingCase{"Ga68-PSMA", "Ga-68"}, SpellingCase{"18F-FDG", "F-18"},
        SpellingCase{"Fludeoxyglucose F^18^", "F-18"},
        SpellingCase{"16\xCE\xB1-[18F]fluoro-17\xCE\xB2-estradiol", "F-18"},
        SpellingCase{"89Zr-trastuzumab", "Zr-89"}, SpellingCase{"Trastuzumab ^89^Zr", "Zr-89"},
        SpellingCase{"[111In]In-ABY-025", "In-111"}, SpellingCase{"99mTc-HYNIC-H6F", "Tc-99m"},
        SpellingCase{"Tc-99m NM-02", "Tc-99m"}, SpellingCase{"Technetium Tc 99m", "Tc-99m"},
        SpellingCase{"[64Cu]Cu-SAR-bombesin", "Cu-64"}, SpellingCase{"Lutetium-177", "Lu-177"},
        SpellingCase{"131I-trastuzumab", "I-131"}, SpellingCase{"I-124", "I-124"},
        SpellingCase{"90Y-FAPI", "Y-90"}, SpellingCase{"C-11 choline", "C-11"},
        // No nuclide, or not one of the catalogue's.
        SpellingCase{"FDG", ""}, SpellingCase{"FDG -- fluorodeoxyglucose", ""},
        SpellingCase{"ABY-025", ""}, SpellingCase{"68Ga-NOTA-2Rs15d", "Ga-68"},
        SpellingCase{"NOTA-2Rs15d", ""}, SpellingCase{"HYNIC-H6F", ""}, SpellingCase{"RAD202", ""},
        SpellingCase{"^15^Oxygen", ""},
        // Two different nuclides: no single answer.
        SpellingCase{"68Ga and 18F", ""}));

TEST(NuclideCodes, SnomedRtAndLegacySchemeAreTheSame) {
  EXPECT_EQ(nuclide_from_code("C-111A1", "99SDM"), "F-18");  // STS_001 writes 99SDM
  EXPECT_EQ(nuclide_from_code("C-111A1", "SRT"), "F-18");    // IBSI DRO writes SRT
  EXPECT_EQ(nuclide_from_code("C-111A1", ""), "F-18");
  EXPECT_FALSE(nuclide_from_code("C-111A1", "SCT").has_value());
  // C-131A1 is ^66^Gallium in CID 4020 although the IBSI DRO pairs it with ^68^Gallium: the code
  // alone decides nothing here, the meaning does.
  EXPECT_FALSE(nuclide_from_code("C-131A1", "SRT").has_value());
  // SNOMED CT codes of CID 4020; O-15 is in the nuclide table but not in the catalogue.
  EXPECT_EQ(nuclide_from_code("63360001", "SCT"), "Zr-89");
  EXPECT_EQ(nuclide_from_code("35337001", "sct"), "Ga-68");
  EXPECT_FALSE(nuclide_from_code("129504001", "SCT").has_value());
}

}  // namespace
}  // namespace oncotrace::tracers_internal
