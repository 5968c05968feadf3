// The radionuclide table. One source of truth, kept in code so that every value sits next to its
// source (architecture.md: "data/" holds catalogues; this table is small and physics-critical).
//
// Half-lives: ICRP Publication 107 (2008) as tabulated in pet-quantification.md §12 (values from
// the `radioactivedecay` package, dataset icrp107_ame2020_nubase2020). Emission yields: secondary
// tables quoted in pet-quantification.md §12 (European Pharmacopoeia 5.7, EJNMMI Phys 2020); every
// yield marked "(unverified)" there stays marked here and no test depends on it.
//
// Codes: SNOMED-RT values of DICOM PS3.16 CID 4020 "PET Radionuclide" as generated into DCMTK's
// CID4020 class (agreeing with GE's published nuclide dictionary), and of CID 18 "Isotopes in
// Radiopharmaceuticals" (2008 edition, as transcribed by ClearCanvas). SNOMED CT codes of PET
// nuclides are those of CID 4020 in PS3.16-2022b as generated into DCMTK 3.6.7
// (dcmsr/cmr/cid4020.h; nuclide_test checks each against DCMTK); SNOMED CT codes of the SPECT and
// therapy nuclides (not in CID 4020) come from one secondary mapping (OntoMEDIRAD) and are marked
// unverified.
#include "physics/nuclide_table.h"

namespace oncotrace::physics {
namespace {

constexpr const char* kCid4020 = "DICOM PS3.16 CID 4020 (DCMTK CID4020 transcription)";
constexpr const char* kCid4020Sct = "DICOM PS3.16-2022b CID 4020 (DCMTK 3.6.7 dcmsr/cmr/cid4020.h)";
constexpr const char* kCid18 = "DICOM PS3.16 CID 18 (2008 edition, ClearCanvas transcription)";
constexpr const char* kSctSecondary = "OntoMEDIRAD SRT/SCT mapping (unverified)";
constexpr const char* kIcrp107 = "ICRP-107";

std::vector<PhotonLine> annihilation(double positron_fraction) {
  return {{511.0, 2.0 * positron_fraction}};
}

std::vector<Nuclide> build_table() {
  std::vector<Nuclide> table;

  table.push_back(
      Nuclide{"F-18",
              "Fluorine",
              "F",
              18,
              false,
              6586.2,  // 109.77 min
              std::string(kIcrp107) + " 109.77 min; GE headers write 6588 s (109.8 min)",
              "beta+/EC",
              0.967,
              annihilation(0.967),
              "beta+ 96.7-96.9 % (pet-quantification.md §12, secondary tables)",
              {{"C-111A1", "SRT", "^18^Fluorine", kCid4020},
               {"77004003", "SCT", "^18^Fluorine", kCid4020Sct}},
              {"F-18", "F18", "18F", "Fluorine-18", "Fluorine^18", "^18^Fluorine"}});

  table.push_back(
      Nuclide{"Ga-68",
              "Gallium",
              "Ga",
              68,
              false,
              4062.6,  // 67.71 min
              std::string(kIcrp107) +
                  " 67.71 min; IBSI DRO and real headers write 4057.7 s (source unverified)",
              "beta+/EC",
              0.889,
              {{511.0, 1.778}, {1077.0, 0.032}},
              "beta+ 88.9 %; 1077 keV about 3 % (unverified)",
              {{"C-131A3", "SRT", "^68^Gallium", kCid4020},
               {"35337001", "SCT", "^68^Gallium", kCid4020Sct}},
              {"Ga-68", "Ga68", "68Ga", "Gallium-68", "Gallium^68", "^68^Gallium"}});

  // Listed so that its code C-131A1 is not mistaken for Ga-68 (see nuclide.h).
  table.push_back(Nuclide{"Ga-66",
                          "Gallium",
                          "Ga",
                          66,
                          false,
                          34164.0,  // 9.49 h
                          "9.49 h (unverified; not in pet-quantification.md §12)",
                          "beta+/EC",
                          0.57,
                          annihilation(0.57),
                          "beta+ about 57 % (unverified)",
                          {{"C-131A1", "SRT", "^66^Gallium", kCid4020},
                           {"79477007", "SCT", "^66^Gallium", kCid4020Sct}},
                          {"Ga-66", "Ga66", "66Ga", "Gallium-66", "^66^Gallium"}});

  table.push_back(Nuclide{
      "Cu-64",
      "Copper",
      "Cu",
      64,
      false,
      45720.0,  // 12.700 h
      std::string(kIcrp107) + " 12.700 h; ENSDF 12.701 h (unverified)",
      "beta+/EC/beta-",
      0.175,
      annihilation(0.175),
      "beta+/EC 61 %, beta- 39 %; beta+ about 17.5 % (unverified)",
      {{"C-127A2", "SRT", "^64^Copper", kCid4020}, {"3932008", "SCT", "^64^Copper", kCid4020Sct}},
      {"Cu-64", "Cu64", "64Cu", "Copper-64", "^64^Copper"}});

  table.push_back(Nuclide{"Zr-89",
                          "Zirconium",
                          "Zr",
                          89,
                          false,
                          282276.0,  // 78.41 h
                          std::string(kIcrp107) + " 78.41 h; 78.36 h newer tables (unverified)",
                          "beta+/EC",
                          0.227,
                          {{511.0, 0.454}, {909.0, 0.99}},
                          "beta+ about 22.7 % (unverified); 909 keV about 99 %",
                          {{"C-168A4", "SRT", "^89^Zirconium", kCid4020},
                           {"63360001", "SCT", "^89^Zirconium", kCid4020Sct}},
                          {"Zr-89", "Zr89", "89Zr", "Zirconium-89", "^89^Zirconium"}});

  table.push_back(Nuclide{"I-124",
                          "Iodine",
                          "I",
                          124,
                          false,
                          360806.4,  // 4.1760 d
                          std::string(kIcrp107) + " 4.1760 d",
                          "beta+/EC",
                          0.226,
                          {{511.0, 0.452}, {603.0, 0.63}},
                          "beta+ 22-23 %, 603 keV about 63 % (unverified)",
                          {{"C-114A5", "SRT", "^124^Iodine", kCid4020},
                           {"40937006", "SCT", "^124^Iodine", kCid4020Sct}},
                          {"I-124", "I124", "124I", "Iodine-124", "^124^Iodine"}});

  table.push_back(Nuclide{"Tc-99m",
                          "Technetium",
                          "Tc",
                          99,
                          true,
                          21654.0,  // 6.015 h
                          std::string(kIcrp107) + " 6.015 h; 6.0067 h newer ENSDF (unverified)",
                          "IT",
                          0.0,
                          {{140.5, 0.89}},
                          "140.5 keV about 89 % (secondary tables)",
                          {{"C-163A8", "SRT", "^99m^Technetium", kCid18},
                           {"72454006", "SCT", "^99m^Technetium", kSctSecondary}},
                          {"Tc-99m", "Tc99m", "99mTc", "Technetium-99m", "^99m^Technetium"}});

  table.push_back(Nuclide{"In-111",
                          "Indium",
                          "In",
                          111,
                          false,
                          242326.1,  // 2.8047 d
                          std::string(kIcrp107) + " 2.8047 d",
                          "EC",
                          0.0,
                          {{171.3, 0.907}, {245.4, 0.941}},
                          "171.3 keV 90.7 %, 245.4 keV 94.1 % (secondary tables)",
                          {{"C-145A4", "SRT", "^111^Indium", kCid18},
                           {"56609000", "SCT", "^111^Indium", kSctSecondary}},
                          {"In-111", "In111", "111In", "Indium-111", "^111^Indium"}});

  table.push_back(
      Nuclide{"Lu-177",
              "Lutetium",
              "Lu",
              177,
              false,
              574300.8,  // 6.647 d
              std::string(kIcrp107) + " 6.647 d; Siemens headers write 574300 s; DDEP 6.6443 d "
                                      "(unverified); PTB 6.639 d",
              "beta-",
              0.0,
              {{208.0, 0.104}, {113.0, 0.062}},
              "208 keV about 10.4 %, 113 keV about 6.2 % (unverified yields)",
              // No SNOMED-RT code for Lu-177 in the CID 18 edition consulted; C-101ED in scheme
              // 99SDM is what Siemens NM writes (../data/lu177-spect).
              {{"C-101ED", "99SDM", "177 Lutetium", "Siemens NM header in ../data/lu177-spect"},
               {"447553000", "SCT", "^177^Lutetium", kSctSecondary}},
              {"Lu-177", "Lu177", "177Lu", "Lutetium-177", "^177^Lutetium", "177 Lutetium"}});

  table.push_back(Nuclide{
      "I-131",
      "Iodine",
      "I",
      131,
      false,
      692988.5,  // 8.02070 d
      std::string(kIcrp107) + " 8.02070 d; 8.0252 d newer evaluation (unverified)",
      "beta-",
      0.0,
      {{364.5, 0.812}},
      "364.5 keV 81.2 % (secondary tables)",
      {{"C-114B1", "SRT", "^131^Iodine", kCid18}, {"1368003", "SCT", "^131^Iodine", kSctSecondary}},
      {"I-131", "I131", "131I", "Iodine-131", "^131^Iodine"}});

  table.push_back(
      Nuclide{"Y-90",
              "Yttrium",
              "Y",
              90,
              false,
              230760.0,  // 64.10 h
              std::string(kIcrp107) + " 64.10 h; DDEP 64.05 h, ENSDF 64.00 h (unverified)",
              "beta-",
              3.2e-5,
              {{511.0, 6.4e-5}},
              "bremsstrahlung; internal pair production about 3.2e-5 per decay (unverified)",
              {{"C-162A7", "SRT", "^90^Yttrium", kCid4020},
               {"14691008", "SCT", "^90^Yttrium", kCid4020Sct}},
              {"Y-90", "Y90", "90Y", "Yttrium-90", "^90^Yttrium"}});

  table.push_back(Nuclide{
      "C-11",
      "Carbon",
      "C",
      11,
      false,
      1223.4,  // 20.39 min
      std::string(kIcrp107) + " 20.39 min; headers write 1223 s",
      "beta+/EC",
      0.998,
      annihilation(0.998),
      "beta+ about 99.8 % (unverified)",
      {{"C-105A1", "SRT", "^11^Carbon", kCid4020}, {"40565003", "SCT", "^11^Carbon", kCid4020Sct}},
      {"C-11", "C11", "11C", "Carbon-11", "^11^Carbon"}});

  table.push_back(Nuclide{
      "O-15",
      "Oxygen",
      "O",
      15,
      false,
      122.24,
      std::string(kIcrp107) + " 122.24 s",
      "beta+/EC",
      0.999,
      annihilation(0.999),
      "beta+ about 99.9 % (unverified)",
      {{"C-B1038", "SRT", "^15^Oxygen", kCid4020}, {"129504001", "SCT", "^15^Oxygen", kCid4020Sct}},
      {"O-15", "O15", "15O", "Oxygen-15", "^15^Oxygen"}});

  table.push_back(Nuclide{"N-13",
                          "Nitrogen",
                          "N",
                          13,
                          false,
                          597.9,  // 9.965 min
                          std::string(kIcrp107) + " 9.965 min; headers write 598 s",
                          "beta+/EC",
                          0.998,
                          annihilation(0.998),
                          "beta+ about 99.8 % (unverified)",
                          {{"C-107A1", "SRT", "^13^Nitrogen", kCid4020},
                           {"21576001", "SCT", "^13^Nitrogen", kCid4020Sct}},
                          {"N-13", "N13", "13N", "Nitrogen-13", "^13^Nitrogen"}});

  table.push_back(
      Nuclide{"Rb-82",
              "Rubidium",
              "Rb",
              82,
              false,
              76.38,  // 1.273 min
              std::string(kIcrp107) + " 1.273 min; 1.2575 min newer evaluations (unverified)",
              "beta+/EC",
              0.95,
              annihilation(0.95),
              "beta+ about 95 % (unverified)",
              {{"C-159A2", "SRT", "^82^Rubidium", kCid4020},
               {"79197006", "SCT", "^82^Rubidium", kCid4020Sct}},
              {"Rb-82", "Rb82", "82Rb", "Rubidium-82", "^82^Rubidium"}});

  table.push_back(Nuclide{"Ge-68",
                          "Germanium",
                          "Ge",
                          68,
                          false,
                          23410080.0,  // 270.95 d
                          std::string(kIcrp107) + " 270.95 d; headers write 23400000 s",
                          "EC",
                          0.0,
                          {},
                          "EC; positrons come from the daughter Ga-68 in equilibrium",
                          {{"C-128A2", "SRT", "^68^Germanium", kCid4020},
                           {"53315004", "SCT", "^68^Germanium", kCid4020Sct}},
                          {"Ge-68", "Ge68", "68Ge", "Germanium-68", "^68^Germanium"}});

  return table;
}

}  // namespace

const std::vector<Nuclide>& nuclide_table_storage() {
  static const std::vector<Nuclide> kTable = build_table();
  return kTable;
}

}  // namespace oncotrace::physics
