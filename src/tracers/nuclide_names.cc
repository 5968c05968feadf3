#include "tracers/nuclide_names.h"

#include <algorithm>

#include "oncotrace/nuclide.h"
#include "oncotrace/tracers.h"

namespace oncotrace::tracers_internal {
namespace {

bool in_catalogue(const std::string& symbol) {
  const std::vector<std::string>& symbols = nuclide_symbols();
  return std::find(symbols.begin(), symbols.end(), symbol) != symbols.end();
}

}  // namespace

const std::vector<std::string>& nuclide_symbols() {
  // The fixed list of the catalogue (tracers.schema.json, "nuclide").
  static const std::vector<std::string> kSymbols = {"F-18",   "Ga-68",  "Cu-64",  "Zr-89",
                                                    "In-111", "Tc-99m", "Lu-177", "I-131",
                                                    "Y-90",   "I-124",  "C-11"};
  return kSymbols;
}

std::vector<std::string> nuclides_named_in_text(const std::string& text) {
  std::vector<std::string> found;
  for (const Nuclide* nuclide : find_nuclides_in_text(text)) {
    if (in_catalogue(nuclide->symbol)) found.push_back(nuclide->symbol);
  }
  return found;
}

std::optional<std::string> nuclide_from_code(const std::string& code_value,
                                             const std::string& scheme) {
  const Nuclide* nuclide = find_nuclide_by_code(code_value, scheme);
  if (nuclide == nullptr || !in_catalogue(nuclide->symbol)) return std::nullopt;
  return nuclide->symbol;
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
