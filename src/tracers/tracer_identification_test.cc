#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <dcmtk/dcmdata/dctk.h>

#include "oncotrace/tracers.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

const TracerCatalogue& catalogue() { return default_tracer_catalogue(); }

TracerIdentification identify_text(const std::string& text, const std::string& nuclide = "") {
  TracerDicomFields fields;
  fields.radiopharmaceutical = text;
  fields.radionuclide = nuclide;
  return catalogue().identify(fields);
}

// The RadiopharmaceuticalInformationSequence (0054,0016) of the shared PET/SPECT series, read once
// with dcmdump (test-data.md §1-§3):
//   suv-dro DRO_0_0 ... DRO_4_2: (0018,0031) "FDG"; (0054,0300) C-111A1 SRT "^18^Fluorine".
//   suv-dro DRO_5_0: (0018,0031) "Ga68-PSMA"; (0054,0300) C-131A1 SRT "^68^Gallium".
//   sts001-fdg-petct: (0018,0031) "FDG -- fluorodeoxyglucose"; (0054,0304) Y-X1743 99SDM
//     "FDG -- fluorodeoxyglucose"; (0054,0300) C-111A1 99SDM "18F".
//   lu177-spect: no (0018,0031), no (0054,0304); (0054,0300) C-101ED 99SDM "177 Lutetium"
//     ([177Lu]Lu-DOTATATE, not a breast tracer and not in the reference's catalogue).
TEST(TracerIdentification, IbsiSuvDroFdg) {
  TracerDicomFields fields;
  fields.radiopharmaceutical = "FDG";
  fields.radionuclide_code_value = "C-111A1";
  fields.radionuclide_code_scheme = "SRT";
  fields.radionuclide_code_meaning = "^18^Fluorine";
  const TracerIdentification id = catalogue().identify(fields);
  ASSERT_NE(id.tracer, nullptr) << id.explanation;
  EXPECT_EQ(id.tracer->id, "fdg");
  EXPECT_EQ(id.nuclide, "F-18");
  EXPECT_EQ(id.confidence, TracerMatchConfidence::kHigh);
  EXPECT_EQ(id.outcome, "identified");
  EXPECT_NE(id.explanation.find("Radiopharmaceutical (0018,0031) 'FDG'"), std::string::npos)
      << id.explanation;
}

TEST(TracerIdentification, IbsiSuvDroGalliumPsmaIsUnknownWithNuclide) {
  TracerDicomFields fields;
  fields.radiopharmaceutical = "Ga68-PSMA";
  fields.radionuclide_code_value = "C-131A1";
  fields.radionuclide_code_scheme = "SRT";
  fields.radionuclide_code_meaning = "^68^Gallium";
  const TracerIdentification id = catalogue().identify(fields);
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "unknown_tracer");
  EXPECT_EQ(id.nuclide, "Ga-68");
  EXPECT_EQ(id.confidence, TracerMatchConfidence::kNone);
  EXPECT_NE(id.explanation.find("'Ga68-PSMA' matches no catalogue name"), std::string::npos)
      << id.explanation;
}

TEST(TracerIdentification, Sts001Fdg) {
  TracerDicomFields fields;
  fields.radiopharmaceutical = "FDG -- fluorodeoxyglucose";
  fields.radiopharmaceutical_code_value = "Y-X1743";
  fields.radiopharmaceutical_code_scheme = "99SDM";
  fields.radiopharmaceutical_code_meaning = "FDG -- fluorodeoxyglucose";
  fields.radionuclide_code_value = "C-111A1";
  fields.radionuclide_code_scheme = "99SDM";
  fields.radionuclide_code_meaning = "18F";
  const TracerIdentification id = catalogue().identify(fields);
  ASSERT_NE(id.tracer, nullptr) << id.explanation;
  EXPECT_EQ(id.tracer->id, "fdg");
  EXPECT_EQ(id.nuclide, "F-18");
  // The whole text is a catalogue name; the code Y-X1743 is only an observed one (unverified).
  EXPECT_EQ(id.confidence, TracerMatchConfidence::kHigh);
}

TEST(TracerIdentification, Lu177DotatateIsUnknownTracerWithNuclide) {
  TracerDicomFields fields;
  fields.radionuclide_code_value = "C-101ED";
  fields.radionuclide_code_scheme = "99SDM";
  fields.radionuclide_code_meaning = "177 Lutetium";
  const TracerIdentification id = catalogue().identify(fields);
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "unknown_tracer");
  EXPECT_EQ(id.nuclide, "Lu-177");
  EXPECT_NE(id.explanation.find("nuclide Lu-177"), std::string::npos) << id.explanation;
  // The catalogue's Lu-177 entries are listed for the user override, none is chosen.
  EXPECT_EQ(id.candidates,
            (std::vector<std::string>{"lu177fapi", "lu177pertu", "lu177rad202", "lu177tras"}));
}

// The same fields read from the files themselves, when the shared data are present.
TracerDicomFields fields_of_first_file(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  DcmFileFormat file;
  EXPECT_TRUE(!files.empty() && file.loadFile(files.front().c_str()).good()) << folder;
  TracerDicomFields fields;
  DcmItem* info = nullptr;
  if (!file.getDataset()
           ->findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, info, 0)
           .good()) {
    return fields;
  }
  auto read = [](DcmItem* item, const DcmTagKey& tag) {
    OFString value;
    item->findAndGetOFString(tag, value);
    // OFString is std::string only in DCMTK builds with STL strings; c_str() keeps this portable.
    // NOLINTNEXTLINE(readability-redundant-string-cstr): see above
    return std::string(value.c_str());
  };
  fields.radiopharmaceutical = read(info, DCM_Radiopharmaceutical);
  DcmItem* code = nullptr;
  if (info->findAndGetSequenceItem(DCM_RadiopharmaceuticalCodeSequence, code, 0).good()) {
    fields.radiopharmaceutical_code_value = read(code, DCM_CodeValue);
    fields.radiopharmaceutical_code_scheme = read(code, DCM_CodingSchemeDesignator);
    fields.radiopharmaceutical_code_meaning = read(code, DCM_CodeMeaning);
  }
  if (info->findAndGetSequenceItem(DCM_RadionuclideCodeSequence, code, 0).good()) {
    fields.radionuclide_code_value = read(code, DCM_CodeValue);
    fields.radionuclide_code_scheme = read(code, DCM_CodingSchemeDesignator);
    fields.radionuclide_code_meaning = read(code, DCM_CodeMeaning);
  }
  return fields;
}

TEST(TracerIdentification, SharedDataSeries) {
  ONCOTRACE_REQUIRE_TEST_DATA(dro_fdg, "suv-dro/DRO/DRO_0_0/PT");
  ONCOTRACE_REQUIRE_TEST_DATA(dro_ga, "suv-dro/DRO/DRO_5_0/PT");
  ONCOTRACE_REQUIRE_TEST_DATA(sts, "sts001-fdg-petct/raw_fullfov/image");
  ONCOTRACE_REQUIRE_TEST_DATA(lu, "lu177-spect/SCAN_001/image");

  const TracerIdentification fdg_dro = catalogue().identify(fields_of_first_file(dro_fdg));
  ASSERT_NE(fdg_dro.tracer, nullptr) << fdg_dro.explanation;
  EXPECT_EQ(fdg_dro.tracer->id, "fdg");
  EXPECT_EQ(fdg_dro.nuclide, "F-18");

  const TracerIdentification psma = catalogue().identify(fields_of_first_file(dro_ga));
  EXPECT_EQ(psma.tracer, nullptr);
  EXPECT_EQ(psma.nuclide, "Ga-68");

  const TracerIdentification fdg_sts = catalogue().identify(fields_of_first_file(sts));
  ASSERT_NE(fdg_sts.tracer, nullptr) << fdg_sts.explanation;
  EXPECT_EQ(fdg_sts.tracer->id, "fdg");
  EXPECT_EQ(fdg_sts.confidence, TracerMatchConfidence::kHigh);

  const TracerIdentification dotatate = catalogue().identify(fields_of_first_file(lu));
  EXPECT_EQ(dotatate.tracer, nullptr);
  EXPECT_EQ(dotatate.outcome, "unknown_tracer");
  EXPECT_EQ(dotatate.nuclide, "Lu-177");
}

struct FreeTextCase {
  const char* text;
  const char* nuclide;  // given by the caller (e.g. from (0054,0300)); "" when absent
  const char* expected_id;
  TracerMatchConfidence confidence;
};

void PrintTo(const FreeTextCase& c, std::ostream* os) { *os << c.text; }

class FreeTextVariant : public ::testing::TestWithParam<FreeTextCase> {};

TEST_P(FreeTextVariant, IsIdentified) {
  const TracerIdentification id = identify_text(GetParam().text, GetParam().nuclide);
  ASSERT_NE(id.tracer, nullptr) << GetParam().text << ": " << id.explanation;
  EXPECT_EQ(id.tracer->id, GetParam().expected_id) << GetParam().text;
  EXPECT_EQ(id.confidence, GetParam().confidence) << GetParam().text << ": " << id.explanation;
}

INSTANTIATE_TEST_SUITE_P(
    CommonSpellings, FreeTextVariant,
    ::testing::Values(
        FreeTextCase{"FDG", "", "fdg", TracerMatchConfidence::kHigh},
        FreeTextCase{"Fludeoxyglucose F^18^", "", "fdg", TracerMatchConfidence::kHigh},
        FreeTextCase{"18F-FDG", "", "fdg", TracerMatchConfidence::kHigh},
        FreeTextCase{"[18F]FDG", "", "fdg", TracerMatchConfidence::kHigh},
        FreeTextCase{"F-18 FDG WB", "", "fdg", TracerMatchConfidence::kMedium},
        FreeTextCase{"FES", "", "fes", TracerMatchConfidence::kHigh},
        FreeTextCase{"16\xCE\xB1-[18F]fluoro-17\xCE\xB2-estradiol", "", "fes",
                     TracerMatchConfidence::kHigh},
        FreeTextCase{"Fluoroestradiol (FES) F^18^", "", "fes", TracerMatchConfidence::kHigh},
        FreeTextCase{"89Zr-trastuzumab", "", "zr89tras", TracerMatchConfidence::kHigh},
        FreeTextCase{"Zr-89 Trastuzumab day 4", "", "zr89tras", TracerMatchConfidence::kMedium},
        FreeTextCase{"ABY-025", "Ga-68", "ga68aby025", TracerMatchConfidence::kHigh},
        FreeTextCase{"ABY-025", "In-111", "in111aby025", TracerMatchConfidence::kHigh},
        FreeTextCase{"68Ga-ZHER2:2891", "", "ga68aby025", TracerMatchConfidence::kHigh},
        FreeTextCase{"68Ga-ZHER2 affibody", "", "ga68zher2", TracerMatchConfidence::kHigh},
        FreeTextCase{"68Ga-FAPI-46", "", "fapi46", TracerMatchConfidence::kHigh},
        FreeTextCase{"[68Ga]Ga-NOTA-2Rs15d", "", "ga68nb2rs15d", TracerMatchConfidence::kHigh},
        FreeTextCase{"99mTc-HYNIC-H6F", "", "tc99mh6f", TracerMatchConfidence::kHigh},
        FreeTextCase{"FluorThanatrace", "", "ftt", TracerMatchConfidence::kHigh},
        FreeTextCase{"64Cu-SAR-bombesin", "", "cu64sarbbn", TracerMatchConfidence::kHigh},
        // A family name resolved by the nuclide.
        FreeTextCase{"trastuzumab", "Zr-89", "zr89tras", TracerMatchConfidence::kMedium},
        FreeTextCase{"trastuzumab", "Lu-177", "lu177tras", TracerMatchConfidence::kMedium}));

TEST(TracerIdentification, AbyWithoutNuclideIsAmbiguous) {
  const TracerIdentification id = identify_text("ABY-025");
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "ambiguous");
  EXPECT_EQ(id.candidates, (std::vector<std::string>{"ga68aby025", "in111aby025"}));
}

TEST(TracerIdentification, FamilyWithSeveralTracersOfOneNuclideIsAmbiguous) {
  const TracerIdentification id = identify_text("64Cu-trastuzumab");
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "ambiguous");
  EXPECT_EQ(id.candidates, (std::vector<std::string>{"cu64dotatras", "cu64notatras"}));
}

TEST(TracerIdentification, NuclideDisagreeingWithTheNameIsAConflict) {
  const TracerIdentification id = identify_text("FDG", "Ga-68");
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "conflicting_fields");
  EXPECT_EQ(id.candidates, std::vector<std::string>{"fdg"});
}

TEST(TracerIdentification, FieldsNamingDifferentNuclidesAreAConflict) {
  TracerDicomFields fields;
  fields.radiopharmaceutical = "18F-FDG";
  fields.radionuclide_code_meaning = "^68^Gallium";
  const TracerIdentification id = catalogue().identify(fields);
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "conflicting_fields");
}

TEST(TracerIdentification, CodesOfCid4021) {
  TracerDicomFields fields;
  fields.radiopharmaceutical_code_value = "C-B1031";
  fields.radiopharmaceutical_code_scheme = "SRT";
  EXPECT_EQ(catalogue().identify(fields).tracer, catalogue().find("fdg"));
  fields.radiopharmaceutical_code_value = "35321007";
  fields.radiopharmaceutical_code_scheme = "SCT";
  EXPECT_EQ(catalogue().identify(fields).confidence, TracerMatchConfidence::kHigh);
  fields.radiopharmaceutical_code_value = "C1831937";
  fields.radiopharmaceutical_code_scheme = "UMLS";
  EXPECT_EQ(catalogue().identify(fields).tracer, catalogue().find("fes"));
  fields.radiopharmaceutical_code_value = "126512";
  fields.radiopharmaceutical_code_scheme = "DCM";
  EXPECT_EQ(catalogue().identify(fields).tracer, catalogue().find("zr89tras"));
  // The generic "Monoclonal Antibody (mAb) ^89^Zr" narrows to the 89Zr antibodies; the free
  // text decides.
  fields.radiopharmaceutical_code_value = "126511";
  EXPECT_EQ(catalogue().identify(fields).outcome, "ambiguous");
  fields.radiopharmaceutical = "89Zr-pertuzumab";
  const TracerIdentification pertuzumab = catalogue().identify(fields);
  EXPECT_EQ(pertuzumab.tracer, catalogue().find("zr89pertu")) << pertuzumab.explanation;
}

TEST(TracerIdentification, CodeAndTextNamingDifferentTracersConflict) {
  TracerDicomFields fields;
  fields.radiopharmaceutical = "FES";
  fields.radiopharmaceutical_code_value = "C-B1031";  // FDG
  fields.radiopharmaceutical_code_scheme = "SRT";
  const TracerIdentification id = catalogue().identify(fields);
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "conflicting_fields");
  EXPECT_EQ(id.candidates, (std::vector<std::string>{"fdg", "fes"}));
}

TEST(TracerIdentification, NothingGivenIsUnknownWithoutNuclide) {
  const TracerIdentification id = catalogue().identify(TracerDicomFields{});
  EXPECT_EQ(id.tracer, nullptr);
  EXPECT_EQ(id.outcome, "unknown_tracer");
  EXPECT_TRUE(id.nuclide.empty());
  EXPECT_NE(id.explanation.find("no nuclide recognised"), std::string::npos);
}

TEST(TracerIdentification, Rad201IsNotMappedToAnyTracer) {
  // clinical-context.md §2.1: treat "RAD201" as unverified and do not map it.
  EXPECT_EQ(identify_text("177Lu-RAD201").tracer, nullptr);
  EXPECT_EQ(identify_text("177Lu-RAD202").tracer, catalogue().find("lu177rad202"));
}

}  // namespace
}  // namespace oncotrace
