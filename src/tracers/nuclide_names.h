// Recognition of the nuclides a tracer catalogue entry may name, from DICOM text and codes.
//
// The physics module owns the nuclide table and its name and code lookup (oncotrace/nuclide.h);
// this file narrows that lookup to the catalogue's eleven nuclides (tracers.schema.json,
// "nuclide"), so that a Radiopharmaceutical (0018,0031) text naming, say, O-15 claims no tracer.
// A caller that has already run identify_nuclide() passes the symbol in
// TracerDicomFields::radionuclide.
#ifndef ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_
#define ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_

#include <optional>
#include <string>
#include <vector>

namespace oncotrace::tracers_internal {

// The symbols, in the fixed order of the public known_tracer_nuclides().
const std::vector<std::string>& nuclide_symbols();

// Every catalogue nuclide named in `text` (deduplicated, in order of first appearance), as
// find_nuclides_in_text() reads names: "18F", "F-18", "F^18^", "^18^Fluorine", "Fluorine-18",
// "177 Lutetium", "[68Ga]", "Ga68", "99mTc", "Tc-99m".
std::vector<std::string> nuclides_named_in_text(const std::string& text);

// The catalogue nuclide of a RadionuclideCodeSequence CodeValue (find_nuclide_by_code(): DICOM
// PS3.16 CID 4020 and CID 18, SNOMED-RT and SNOMED CT). `scheme` may be empty. nullopt for codes
// outside the table or of a nuclide outside the catalogue (C-131A1 is ^66^Gallium).
std::optional<std::string> nuclide_from_code(const std::string& code_value,
                                             const std::string& scheme);

}  // namespace oncotrace::tracers_internal

#endif  // ONCOTRACE_TRACERS_NUCLIDE_NAMES_H_
