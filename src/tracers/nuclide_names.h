// Recognition of the nuclides a tracer catalogue entry may name, from DICOM text and codes.
//
// The physics module owns the full nuclide table (half-lives, emissions, every DICOM code); this
// file only needs to know which of the catalogue's eleven nuclides a Radiopharmaceutical
// (0018,0031) text or a RadionuclideCodeSequence (0054,0300) item names. Keeping it here lets the
// tracers module stand on core alone; a caller that has already run identify_nuclide() passes the
// symbol in TracerDicomFields::radionuclide.
#ifndef ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_
#define ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_

#include <optional>
#include <string>
#include <vector>

namespace oncotrace::tracers_internal {

// The symbols, in the fixed order of the public known_tracer_nuclides().
const std::vector<std::string>& nuclide_symbols();

// Every known nuclide named in `text` (deduplicated, in order of first appearance). Recognises
// mass number and element symbol or name in either order with any separators: "18F", "F-18",
// "F^18^", "^18^Fluorine", "Fluorine-18", "177 Lutetium", "[68Ga]", "Ga68", "99mTc", "Tc-99m".
std::vector<std::string> nuclides_named_in_text(const std::string& text);

// The nuclide of a RadionuclideCodeSequence CodeValue from DICOM PS3.16 CID 4020 (SNOMED-RT
// C-111A1 and C-131A3; SNOMED CT codes of PS3.16-2022b). `scheme` may be empty; "SRT" and
// "99SDM" are the same scheme. nullopt for codes outside the table.
std::optional<std::string> nuclide_from_code(const std::string& code_value,
                                             const std::string& scheme);

// One row of the code table, exposed for the test that checks it against DCMTK's CID 4020.
struct NuclideCodeEntry {
  const char* value;
  const char* scheme;
  const char* nuclide;
};
const std::vector<NuclideCodeEntry>& nuclide_code_table();

// "SRT" and "99SDM" compare equal (the designator used before SNOMED-RT was retired); other
// schemes compare case-insensitively.
bool same_coding_scheme(const std::string& a, const std::string& b);

}  // namespace oncotrace::tracers_internal

#endif  // ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_
