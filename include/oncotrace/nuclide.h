// Radionuclides: half-lives, decay modes, emissions, and lookup from DICOM.
//
// Primary source for half-lives: ICRP Publication 107 (2008), values as tabulated in
// pet-quantification.md §12. The DICOM header value RadionuclideHalfLife (0018,1075) is preferred
// for SUV (it is what the scanner used for its own decay correction); this table validates it and
// serves as the fallback (pet-quantification.md §4.8, §12).
//
// DICOM codes. RadionuclideCodeSequence (0054,0300) carries SNOMED-RT codes (scheme "SRT", older
// files "99SDM") from DICOM PS3.16 CID 4020 "PET Radionuclide" and CID 18 "Isotopes in
// Radiopharmaceuticals", or SNOMED CT codes (scheme "SCT") in current editions. Note that in CID
// 4020 C-131A1 is ^66^Gallium and C-131A3 is ^68^Gallium; the IBSI SUV reference object DRO_5_0
// writes C-131A1 with the meaning "^68^Gallium". identify_nuclide() resolves such conflicts with
// the code meaning and the header half-life instead of trusting one field.
#ifndef ONCOTRACE_NUCLIDE_H_
#define ONCOTRACE_NUCLIDE_H_

#include <optional>
#include <string>
#include <vector>

namespace oncotrace {

struct PhotonLine {
  double energy_kev = 0.0;
  // Photons per decay. For annihilation radiation (511 keV) this is 2 x the positron fraction.
  double yield_per_decay = 0.0;
};

// One coded identity of a nuclide in a DICOM code sequence.
struct NuclideCode {
  std::string value;    // CodeValue, e.g. "C-111A1"
  std::string scheme;   // CodingSchemeDesignator: "SRT", "SCT", "99SDM"
  std::string meaning;  // CodeMeaning as DICOM writes it, e.g. "^18^Fluorine"
  std::string source;   // where the pairing comes from; "(unverified)" when not confirmed
};

struct Nuclide {
  std::string symbol;          // "F-18", "Tc-99m"
  std::string element_name;    // "Fluorine"
  std::string element_symbol;  // "F"
  int mass_number = 0;         // 18
  bool metastable = false;     // true for Tc-99m
  double half_life_s = 0.0;
  std::string half_life_source;  // "ICRP-107", with other evaluations noted
  std::string decay_mode;        // "beta+/EC", "beta-", "EC", "IT"
  double positron_fraction = 0.0;
  std::vector<PhotonLine> main_photons;
  std::string emission_source;
  std::vector<NuclideCode> codes;    // DICOM codes, first the SNOMED-RT code of PS3.16
  std::vector<std::string> aliases;  // "18F", "Fluorine^18", "^18^Fluorine", ...

  double decay_constant_per_s() const;
  // True when a TM-only administration time is ambiguous for this nuclide: T½ >= 41 400 s
  // (11.5 h; pet-quantification.md §4.7, after Fritsak et al. arXiv:2410.13348).
  bool needs_full_datetimes() const;
};

// Half-life from which a full administration date-time and acquisition date are required
// (11.5 h; pet-quantification.md §4.7).
inline constexpr double kLongLivedHalfLifeS = 41400.0;

// Every nuclide in the table, in a fixed order.
const std::vector<Nuclide>& nuclide_table();
// Lookup by symbol or any alias. Case-insensitive; separators ('-', '^', '_', spaces) are ignored
// and the mass number may stand before or after the element name or symbol: "F-18", "F18", "18F",
// "Fluorine^18", "^18^Fluorine", "18 Fluorine", "Lutetium-177", "177Lu", "Tc-99m", "99mTc",
// "Technetium Tc-99m". The whole text must name one nuclide; returns nullptr otherwise.
const Nuclide* find_nuclide_by_name(const std::string& name);
// Every table nuclide named in free text such as a Radiopharmaceutical (0018,0031) value
// ("[18F]FDG", "Ga-68 DOTATATE", "68Ga-PSMA", "Trastuzumab ^89^Zr", "Technetium Tc 99m"),
// deduplicated, in order of first appearance. A name is one word of letters and digits or two
// neighbouring words that find_nuclide_by_name() accepts.
std::vector<const Nuclide*> find_nuclides_in_text(const std::string& text);
// The one nuclide named in free text; nullptr when none or several differ.
const Nuclide* find_nuclide_in_text(const std::string& text);
// Lookup by RadionuclideCodeSequence CodeValue (C-111A1, C-131A3, C-101ED, 77004003, ...).
// `scheme` may be empty; when given, the code must belong to that scheme ("99SDM" and "SRT" are
// treated as the same scheme, as DICOM did before SNOMED-RT was retired).
const Nuclide* find_nuclide_by_code(const std::string& code, const std::string& scheme = "");
// Whether two CodingSchemeDesignators name the same scheme: case-insensitive, surrounding spaces
// ignored, and "99SDM" equal to "SRT" (the designator used before SNOMED-RT was retired).
bool same_coding_scheme(const std::string& a, const std::string& b);
// The table nuclide whose half-life is nearest to `half_life_s`, if within `relative_tolerance`.
const Nuclide* find_nuclide_by_half_life(double half_life_s, double relative_tolerance = 0.01);

// The nuclide named by a RadionuclideCodeSequence item, the Radiopharmaceutical free text and the
// header half-life, with a record of how it was found. When the fields name different nuclides,
// the one whose table half-life agrees with `header_half_life_s` within 0.5 % wins and the
// conflict is noted; without such agreement the result is nullptr (never a silent guess).
struct NuclideIdentification {
  const Nuclide* nuclide = nullptr;
  // "(0054,0300) CodeValue", "(0054,0300) CodeMeaning", "(0018,0031) Radiopharmaceutical",
  // "(0018,1075) half-life", joined with " + " when several agree.
  std::string identified_by;
  std::vector<std::string> notes;  // conflicts between the fields, for the audit
};
NuclideIdentification identify_nuclide(const std::string& code_value,
                                       const std::string& code_scheme,
                                       const std::string& code_meaning,
                                       const std::string& radiopharmaceutical_text,
                                       std::optional<double> header_half_life_s);

// 2^(-t/T½): the fraction of activity left after `elapsed_s`.
double decay_fraction(double elapsed_s, double half_life_s);
// Activity at time t given activity at time 0.
double decayed_activity(double activity_bq, double elapsed_s, double half_life_s);
// Time of average activity within a frame of duration T:
// Tave = (1/λ) ln(λT / (1 − e^(−λT))) [DICOM PS3.3 C.8.9.4.1.5]. Tave -> T/2 as λT -> 0.
double time_of_average_activity_s(double frame_duration_s, double half_life_s);
// Factor that corrects a frame average for decay during the frame: λT / (1 − e^(−λT)).
// Equal to e^(λ·Tave); 1 for T = 0.
double decay_during_frame_factor(double frame_duration_s, double half_life_s);

}  // namespace oncotrace

#endif  // ONCOTRACE_NUCLIDE_H_
