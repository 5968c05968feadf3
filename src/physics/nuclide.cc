// Lookup of radionuclides by name, DICOM code and half-life (see oncotrace/nuclide.h).
#include "oncotrace/nuclide.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string_view>

#include "physics/nuclide_table.h"

namespace oncotrace {
namespace {

std::string to_lower(std::string_view text) {
  std::string lower;
  lower.reserve(text.size());
  for (const char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The element named by a word (name or symbol, any case), or nullptr.
const Nuclide* any_nuclide_of_element(const std::string& lower_word) {
  for (const Nuclide& nuclide : physics::nuclide_table_storage()) {
    if (lower_word == to_lower(nuclide.element_name) ||
        lower_word == to_lower(nuclide.element_symbol)) {
      return &nuclide;
    }
  }
  return nullptr;
}

// A name split into its parts: one mass number, an optional metastable mark and one element
// (possibly written twice, as in "Technetium Tc-99m").
struct ParsedName {
  int mass_number = 0;
  bool metastable = false;
  std::string element_symbol;
};

// Runs of letters and runs of digits; every other character separates runs.
std::vector<std::string> letter_and_digit_runs(const std::string& lower) {
  std::vector<std::string> runs;
  std::string current;
  auto flush = [&]() {
    if (!current.empty()) runs.push_back(current);
    current.clear();
  };
  for (const char c : lower) {
    const bool letter = is_letter(c);
    const bool digit = is_digit(c);
    if (!letter && !digit) {
      flush();
      continue;
    }
    if (!current.empty() && is_letter(current.back()) != letter) flush();
    current += c;
  }
  flush();
  return runs;
}

// Adds one element word to `parsed`; false when it names no element or a different one.
bool add_element(const std::string& word, ParsedName& parsed) {
  const Nuclide* element = any_nuclide_of_element(word);
  if (element == nullptr) return false;
  if (!parsed.element_symbol.empty() && parsed.element_symbol != element->element_symbol) {
    return false;
  }
  parsed.element_symbol = element->element_symbol;
  return true;
}

std::optional<ParsedName> parse_nuclide_name(const std::string& text) {
  const std::vector<std::string> runs = letter_and_digit_runs(to_lower(text));
  ParsedName parsed;
  bool have_mass = false;
  bool previous_was_mass = false;
  for (const std::string& run : runs) {
    if (is_digit(run.front())) {
      if (have_mass || run.size() > 3) return std::nullopt;
      parsed.mass_number = std::stoi(run);
      have_mass = true;
      previous_was_mass = true;
      continue;
    }
    // "m" directly after the mass number marks a metastable state ("99m", "99mTc").
    if (run == "m" && previous_was_mass) {
      parsed.metastable = true;
    } else if (!add_element(run, parsed)) {
      if (previous_was_mass && run.front() == 'm' && add_element(run.substr(1), parsed)) {
        parsed.metastable = true;
      } else {
        return std::nullopt;
      }
    }
    previous_was_mass = false;
  }
  if (!have_mass || parsed.element_symbol.empty()) return std::nullopt;
  return parsed;
}

// Words of free text: runs of letters and digits ("68Ga-PSMA-11" -> "68Ga", "PSMA", "11").
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    if (is_letter(c) || is_digit(c)) {
      current += c;
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

bool half_life_agrees(const Nuclide& nuclide, double half_life_s, double relative_tolerance) {
  return std::abs(half_life_s / nuclide.half_life_s - 1.0) <= relative_tolerance;
}

}  // namespace

double Nuclide::decay_constant_per_s() const { return std::log(2.0) / half_life_s; }

bool Nuclide::needs_full_datetimes() const { return half_life_s >= kLongLivedHalfLifeS; }

const std::vector<Nuclide>& nuclide_table() { return physics::nuclide_table_storage(); }

const Nuclide* find_nuclide_by_name(const std::string& name) {
  const std::string cleaned = trim(name);
  if (cleaned.empty()) return nullptr;
  const std::string lower = to_lower(cleaned);
  for (const Nuclide& nuclide : nuclide_table()) {
    if (lower == to_lower(nuclide.symbol)) return &nuclide;
    for (const std::string& alias : nuclide.aliases) {
      if (lower == to_lower(alias)) return &nuclide;
    }
  }
  const auto parsed = parse_nuclide_name(cleaned);
  if (!parsed) return nullptr;
  for (const Nuclide& nuclide : nuclide_table()) {
    if (nuclide.element_symbol == parsed->element_symbol &&
        nuclide.mass_number == parsed->mass_number && nuclide.metastable == parsed->metastable) {
      return &nuclide;
    }
  }
  return nullptr;
}

std::vector<const Nuclide*> find_nuclides_in_text(const std::string& text) {
  const std::vector<std::string> words = words_of(text);
  std::vector<const Nuclide*> found;
  for (size_t first = 0; first < words.size(); ++first) {
    // One word ("[18F]FDG" -> "18F"), or two ("Ga 68", "177 Lutetium", "Technetium Tc-99m").
    std::string candidate;
    for (size_t last = first; last < words.size() && last < first + 2; ++last) {
      candidate += (last == first ? "" : " ") + words[last];
      const Nuclide* nuclide = find_nuclide_by_name(candidate);
      if (nuclide != nullptr && std::find(found.begin(), found.end(), nuclide) == found.end()) {
        found.push_back(nuclide);
      }
    }
  }
  return found;
}

const Nuclide* find_nuclide_in_text(const std::string& text) {
  const std::vector<const Nuclide*> found = find_nuclides_in_text(text);
  return found.size() == 1 ? found.front() : nullptr;
}

bool same_coding_scheme(const std::string& a, const std::string& b) {
  auto canonical = [](const std::string& scheme) {
    std::string upper = trim(scheme);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return upper == "99SDM" ? std::string("SRT") : upper;
  };
  return canonical(a) == canonical(b);
}

const Nuclide* find_nuclide_by_code(const std::string& code, const std::string& scheme) {
  const std::string value = trim(code);
  if (value.empty()) return nullptr;
  for (const Nuclide& nuclide : nuclide_table()) {
    for (const NuclideCode& known : nuclide.codes) {
      if (known.value != value) continue;
      if (trim(scheme).empty() || same_coding_scheme(scheme, known.scheme)) return &nuclide;
    }
  }
  return nullptr;
}

const Nuclide* find_nuclide_by_half_life(double half_life_s, double relative_tolerance) {
  if (!(half_life_s > 0.0)) return nullptr;
  const Nuclide* best = nullptr;
  double best_deviation = relative_tolerance;
  for (const Nuclide& nuclide : nuclide_table()) {
    const double deviation = std::abs(half_life_s / nuclide.half_life_s - 1.0);
    if (deviation <= best_deviation) {
      best = &nuclide;
      best_deviation = deviation;
    }
  }
  return best;
}

NuclideIdentification identify_nuclide(const std::string& code_value,
                                       const std::string& code_scheme,
                                       const std::string& code_meaning,
                                       const std::string& radiopharmaceutical_text,
                                       std::optional<double> header_half_life_s) {
  struct Vote {
    const Nuclide* nuclide;
    std::string field;
    std::string text;
  };
  std::vector<Vote> votes;
  if (const Nuclide* by_code = find_nuclide_by_code(code_value, code_scheme)) {
    votes.push_back({by_code, "(0054,0300) CodeValue", trim(code_value)});
  }
  if (const Nuclide* by_meaning = find_nuclide_by_name(code_meaning)) {
    votes.push_back({by_meaning, "(0054,0300) CodeMeaning", trim(code_meaning)});
  }
  if (const Nuclide* by_text = find_nuclide_in_text(radiopharmaceutical_text)) {
    votes.push_back({by_text, "(0018,0031) Radiopharmaceutical", trim(radiopharmaceutical_text)});
  }
  const bool have_half_life = header_half_life_s.has_value() && *header_half_life_s > 0.0;

  NuclideIdentification result;
  if (votes.empty()) {
    if (have_half_life) {
      result.nuclide = find_nuclide_by_half_life(*header_half_life_s);
      if (result.nuclide != nullptr) result.identified_by = "(0018,1075) half-life";
    }
    return result;
  }

  std::set<const Nuclide*> distinct;
  for (const Vote& vote : votes) distinct.insert(vote.nuclide);
  auto fields_naming = [&votes](const Nuclide* nuclide) {
    std::string fields;
    for (const Vote& vote : votes) {
      if (vote.nuclide != nuclide) continue;
      fields += (fields.empty() ? "" : " + ") + vote.field;
    }
    return fields;
  };
  if (distinct.size() == 1) {
    result.nuclide = votes.front().nuclide;
    result.identified_by = fields_naming(result.nuclide);
    return result;
  }

  std::string conflict = "the radionuclide fields disagree:";
  for (const Vote& vote : votes) {
    conflict += " " + vote.field + " '" + vote.text + "' = " + vote.nuclide->symbol + ";";
  }
  std::vector<const Nuclide*> agreeing;
  if (have_half_life) {
    for (const Nuclide* nuclide : distinct) {
      if (half_life_agrees(*nuclide, *header_half_life_s, 0.005)) agreeing.push_back(nuclide);
    }
  }
  if (agreeing.size() == 1) {
    result.nuclide = agreeing.front();
    result.identified_by = fields_naming(result.nuclide) + " + (0018,1075) half-life";
    result.notes.push_back(conflict + " taking " + result.nuclide->symbol +
                           ", whose half-life agrees with RadionuclideHalfLife (0018,1075)");
  } else {
    result.notes.push_back(conflict +
                           " no single one agrees with RadionuclideHalfLife (0018,1075)");
  }
  return result;
}

}  // namespace oncotrace
