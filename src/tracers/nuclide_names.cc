#include "tracers/nuclide_names.h"

#include <algorithm>
#include <cctype>

#include "oncotrace/tracers.h"

namespace oncotrace::tracers_internal {
namespace {

struct NuclideSpelling {
  const char* symbol;          // "Tc-99m"
  const char* element_symbol;  // "tc"
  const char* element_name;    // "technetium"
  const char* mass;            // "99m"
};

// The fixed list of the catalogue (tracers.schema.json, "nuclide").
const std::vector<NuclideSpelling>& spellings() {
  static const std::vector<NuclideSpelling> kSpellings = {
      {"F-18", "f", "fluorine", "18"},     {"Ga-68", "ga", "gallium", "68"},
      {"Cu-64", "cu", "copper", "64"},     {"Zr-89", "zr", "zirconium", "89"},
      {"In-111", "in", "indium", "111"},   {"Tc-99m", "tc", "technetium", "99m"},
      {"Lu-177", "lu", "lutetium", "177"}, {"I-131", "i", "iodine", "131"},
      {"Y-90", "y", "yttrium", "90"},      {"I-124", "i", "iodine", "124"},
      {"C-11", "c", "carbon", "11"},
  };
  return kSpellings;
}

// Letter runs and digit runs of the lower-cased text; everything else separates runs. "[99mTc]"
// gives {"99", "mtc"}, "Ga68-PSMA" gives {"ga", "68", "psma"}.
std::vector<std::string> letter_and_digit_runs(const std::string& text) {
  std::vector<std::string> runs;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) runs.push_back(current);
    current.clear();
  };
  for (unsigned char c : text) {
    const bool digit = std::isdigit(c) != 0;
    const bool letter = std::isalpha(c) != 0;
    if (!digit && !letter) {
      flush();
      continue;
    }
    if (!current.empty() &&
        (std::isdigit(static_cast<unsigned char>(current.back())) != 0) != digit) {
      flush();
    }
    current.push_back(static_cast<char>(std::tolower(c)));
  }
  flush();
  return runs;
}

bool is_digits(const std::string& run) {
  return !run.empty() && std::isdigit(static_cast<unsigned char>(run.front())) != 0;
}

// Mass number as written ("018" is not a mass number; "99" followed by "m" is "99m").
std::string strip_leading_zeros(const std::string& digits) {
  if (digits.size() > 1 && digits.front() == '0') return "";
  return digits;
}

const NuclideSpelling* find_spelling(const std::string& element, const std::string& mass) {
  for (const NuclideSpelling& s : spellings()) {
    if (mass == s.mass && (element == s.element_symbol || element == s.element_name)) return &s;
  }
  return nullptr;
}

void add_unique(std::vector<std::string>& found, const std::string& symbol) {
  if (std::find(found.begin(), found.end(), symbol) == found.end()) found.push_back(symbol);
}

}  // namespace

const std::vector<std::string>& nuclide_symbols() {
  static const std::vector<std::string> kSymbols = [] {
    std::vector<std::string> symbols;
    for (const NuclideSpelling& s : spellings()) symbols.emplace_back(s.symbol);
    return symbols;
  }();
  return kSymbols;
}

// Pairs a digit run with the letter run after it ("18" "f") or before it ("f" "18"). A metastable
// "m" is either the first letter of the following run ("99" "mtc") or a run of its own ("tc" "99"
// "m"). Hand-written because the nuclide table of the physics module is not a dependency here (see
// the header comment); the patterns are those seen in DICOM headers and the reference.
std::vector<std::string> nuclides_named_in_text(const std::string& text) {
  const std::vector<std::string> runs = letter_and_digit_runs(text);
  std::vector<std::string> found;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!is_digits(runs[i])) continue;
    const std::string mass = strip_leading_zeros(runs[i]);
    if (mass.empty()) continue;
    const bool next_is_letters = i + 1 < runs.size();
    // Digits before the element: "18" "f", "99" "mtc", "99" "m" "tc", "177" "lutetium".
    if (next_is_letters) {
      const std::string& next = runs[i + 1];
      if (const NuclideSpelling* s = find_spelling(next, mass)) add_unique(found, s->symbol);
      if (next.size() > 1 && next.front() == 'm') {
        if (const NuclideSpelling* s = find_spelling(next.substr(1), mass + "m")) {
          add_unique(found, s->symbol);
        }
      }
      if (next == "m" && i + 2 < runs.size()) {
        if (const NuclideSpelling* s = find_spelling(runs[i + 2], mass + "m")) {
          add_unique(found, s->symbol);
        }
      }
    }
    // Element before the digits: "f" "18", "tc" "99" "m", "fluorine" "18".
    if (i > 0) {
      const std::string& previous = runs[i - 1];
      const bool metastable =
          i + 1 < runs.size() && (runs[i + 1] == "m" || runs[i + 1].front() == 'm');
      if (const NuclideSpelling* s = find_spelling(previous, mass)) add_unique(found, s->symbol);
      if (metastable) {
        if (const NuclideSpelling* s = find_spelling(previous, mass + "m")) {
          add_unique(found, s->symbol);
        }
      }
    }
  }
  return found;
}

const std::vector<NuclideCodeEntry>& nuclide_code_table() {
  // SNOMED-RT codes: DICOM PS3.16 CID 4020 (C-111A1 is seen in the shared IBSI and STS_001 data;
  // C-131A1 is ^66^Gallium in CID 4020 and deliberately absent, because the IBSI DRO writes it
  // with the meaning ^68^Gallium: the meaning decides). SNOMED CT codes: PS3.16-2022b CID 4020 as
  // generated into DCMTK 3.6.7 (dcmsr/cmr/cid4020.h), checked by nuclide_names_test.
  static const std::vector<NuclideCodeEntry> kCodes = {
      {"C-111A1", "SRT", "F-18"},   {"C-131A3", "SRT", "Ga-68"},  {"77004003", "SCT", "F-18"},
      {"35337001", "SCT", "Ga-68"}, {"3932008", "SCT", "Cu-64"},  {"63360001", "SCT", "Zr-89"},
      {"14691008", "SCT", "Y-90"},  {"40937006", "SCT", "I-124"}, {"40565003", "SCT", "C-11"},
  };
  return kCodes;
}

bool same_coding_scheme(const std::string& a, const std::string& b) {
  auto canonical = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s == "99SDM" ? std::string("SRT") : s;
  };
  return canonical(a) == canonical(b);
}

std::optional<std::string> nuclide_from_code(const std::string& code_value,
                                             const std::string& scheme) {
  for (const NuclideCodeEntry& entry : nuclide_code_table()) {
    if (code_value != entry.value) continue;
    if (!scheme.empty() && !same_coding_scheme(scheme, entry.scheme)) continue;
    return std::string(entry.nuclide);
  }
  return std::nullopt;
}

}  // namespace oncotrace::tracers_internal

namespace oncotrace {

const std::vector<std::string>& known_tracer_nuclides() {
  return tracers_internal::nuclide_symbols();
}

std::optional<std::string> nuclide_symbol_in_text(const std::string& text) {
  const std::vector<std::string> found = tracers_internal::nuclides_named_in_text(text);
  if (found.size() != 1) return std::nullopt;
  return found.front();
}

}  // namespace oncotrace
