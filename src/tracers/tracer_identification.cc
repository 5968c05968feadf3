// Tracer identification from RadiopharmaceuticalInformationSequence (0054,0016).
//
// Each DICOM field gives a set of candidate tracers: a catalogue code in
// RadiopharmaceuticalCodeSequence (0054,0304), catalogue names found in its CodeMeaning, catalogue
// names found in Radiopharmaceutical (0018,0031). The candidates are the intersection of the
// non-empty sets, then those labelled with the recognised nuclide. One candidate left identifies
// the tracer; none or several leave it unidentified with the reason (clinical-context.md §2.5:
// free text plus nuclide, with a user override).
//
// Name matching works on tokens: lower-case runs of letters and digits, with α/β written as
// alpha/beta, so "[18F]FDG", "18F-FDG" and "18f fdg" agree. A name matches when it is the whole
// text (joined tokens equal) or a contiguous token run inside it; a match inside a longer match of
// another tracer is dropped ("68Ga-ZHER2:2891" is ABY-025, not "68Ga-ZHER2"). Family names
// ("trastuzumab", "FAPI") are tried only when no name matched; the nuclide then decides.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "oncotrace/nuclide.h"
#include "oncotrace/tracers.h"
#include "tracers/nuclide_names.h"

namespace oncotrace {
namespace {

using tracers_internal::nuclide_from_code;
using tracers_internal::nuclides_named_in_text;

struct Tokens {
  std::vector<std::string> tokens;
  std::string joined;
};

// UTF-8 characters seen in tracer names, written out so that the ASCII tokeniser keeps them.
std::string transliterate(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kReplacements = {
      {"\xCE\xB1", "alpha"}, {"\xCE\xB2", "beta"}, {"\xE2\x80\xB2", "'"}, {"\xC2\xB5", "u"}};
  std::string out = text;
  for (const auto& [from, to] : kReplacements) {
    for (size_t pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos)) {
      out.replace(pos, from.size(), to);
      pos += to.size();
    }
  }
  return out;
}

Tokens tokenise(const std::string& text) {
  Tokens result;
  std::string current;
  for (unsigned char c : transliterate(text)) {
    if (std::isalnum(c) != 0) {
      current.push_back(static_cast<char>(std::tolower(c)));
    } else if (!current.empty()) {
      result.tokens.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) result.tokens.push_back(current);
  for (const std::string& t : result.tokens) result.joined += t;
  return result;
}

struct NameMatch {
  const Tracer* tracer = nullptr;
  std::string name;  // the catalogue name that matched
  bool whole_text = false;
  size_t begin = 0;
  size_t end = 0;
};

// Where `name` occurs in `text` as a whole or as a contiguous token run; nullopt otherwise.
std::optional<NameMatch> match_name(const Tokens& text, const std::string& name) {
  const Tokens n = tokenise(name);
  if (n.tokens.empty() || text.tokens.empty()) return std::nullopt;
  NameMatch m;
  m.name = name;
  if (n.joined == text.joined) {
    m.whole_text = true;
    m.end = text.tokens.size();
    return m;
  }
  if (n.tokens.size() > text.tokens.size()) return std::nullopt;
  for (size_t start = 0; start + n.tokens.size() <= text.tokens.size(); ++start) {
    if (std::equal(n.tokens.begin(), n.tokens.end(), text.tokens.begin() + start)) {
      m.begin = start;
      m.end = start + n.tokens.size();
      return m;
    }
  }
  return std::nullopt;
}

bool better(const NameMatch& a, const NameMatch& b) {
  if (a.whole_text != b.whole_text) return a.whole_text;
  return (a.end - a.begin) > (b.end - b.begin);
}

// True when `inner` lies inside `outer` and is shorter, or `outer` is a whole-text match and
// `inner` is not.
bool dominated(const NameMatch& inner, const NameMatch& outer) {
  if (outer.whole_text && !inner.whole_text) return true;
  if (inner.whole_text) return false;
  return outer.begin <= inner.begin && inner.end <= outer.end &&
         (outer.end - outer.begin) > (inner.end - inner.begin);
}

std::vector<NameMatch> catalogue_names_in(const std::vector<Tracer>& tracers,
                                          const std::string& text) {
  const Tokens tokens = tokenise(text);
  std::vector<NameMatch> best;
  for (const Tracer& t : tracers) {
    std::vector<std::string> names = t.synonyms;
    names.push_back(t.display_name);
    names.push_back(t.full_name);
    for (const TracerCode& code : t.codes) {
      if (!code.generic) names.push_back(code.meaning);
    }
    std::optional<NameMatch> tracer_best;
    for (const std::string& name : names) {
      std::optional<NameMatch> m = match_name(tokens, name);
      if (m && (!tracer_best || better(*m, *tracer_best))) tracer_best = m;
    }
    if (tracer_best) {
      tracer_best->tracer = &t;
      best.push_back(*tracer_best);
    }
  }
  std::vector<NameMatch> kept;
  for (const NameMatch& m : best) {
    const bool is_dominated = std::any_of(best.begin(), best.end(), [&](const NameMatch& other) {
      return other.tracer != m.tracer && dominated(m, other);
    });
    if (!is_dominated) kept.push_back(m);
  }
  return kept;
}

std::vector<NameMatch> family_names_in(const std::vector<Tracer>& tracers,
                                       const std::string& text) {
  const Tokens tokens = tokenise(text);
  std::vector<NameMatch> matches;
  for (const Tracer& t : tracers) {
    for (const std::string& family : t.families) {
      if (std::optional<NameMatch> m = match_name(tokens, family)) {
        m->tracer = &t;
        matches.push_back(*m);
        break;
      }
    }
  }
  return matches;
}

// What one DICOM field says about the tracer.
struct FieldEvidence {
  std::string field;
  std::set<std::string> candidate_ids;
  std::set<std::string> strong_ids;  // whole-text names and verified specific codes
  std::string description;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string join_ids(const std::set<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// Evidence from a free-text field (0018,0031) or a CodeMeaning.
std::optional<FieldEvidence> text_evidence(const std::vector<Tracer>& tracers,
                                           const std::string& field, const std::string& text) {
  if (text.empty()) return std::nullopt;
  FieldEvidence e;
  e.field = field;
  std::vector<NameMatch> matches = catalogue_names_in(tracers, text);
  bool by_family = false;
  if (matches.empty()) {
    matches = family_names_in(tracers, text);
    by_family = !matches.empty();
  }
  if (matches.empty()) {
    e.description = field + " " + quoted(text) + " matches no catalogue name";
    return e;
  }
  std::map<std::string, std::string> name_of;
  for (const NameMatch& m : matches) {
    e.candidate_ids.insert(m.tracer->id);
    if (m.whole_text && !by_family) e.strong_ids.insert(m.tracer->id);
    name_of[m.tracer->id] = m.name;
  }
  std::string names;
  for (const auto& [id, name] : name_of) {
    names += (names.empty() ? "" : ", ") + quoted(name) + " (" + id + ")";
  }
  const bool whole = !e.strong_ids.empty();
  e.description = field + " " + quoted(text) +
                  (by_family ? " contains the family name of "
                   : whole   ? " is the catalogue name "
                             : " contains the catalogue name ") +
                  names;
  return e;
}

std::optional<FieldEvidence> code_evidence(const std::vector<Tracer>& tracers,
                                           const TracerDicomFields& f) {
  if (f.radiopharmaceutical_code_value.empty()) return std::nullopt;
  FieldEvidence e;
  e.field = "RadiopharmaceuticalCodeSequence (0054,0304) CodeValue";
  const std::string code =
      f.radiopharmaceutical_code_value + " (" +
      (f.radiopharmaceutical_code_scheme.empty() ? std::string("no scheme")
                                                 : f.radiopharmaceutical_code_scheme) +
      ")";
  bool generic = false;
  for (const Tracer& t : tracers) {
    for (const TracerCode& c : t.codes) {
      if (c.value != f.radiopharmaceutical_code_value) continue;
      if (!f.radiopharmaceutical_code_scheme.empty() &&
          !same_coding_scheme(c.scheme, f.radiopharmaceutical_code_scheme)) {
        continue;
      }
      e.candidate_ids.insert(t.id);
      if (!c.generic && c.verified) e.strong_ids.insert(t.id);
      generic = generic || c.generic;
    }
  }
  if (e.candidate_ids.empty()) {
    e.description = e.field + " " + code + " is not in the catalogue";
  } else {
    e.description = e.field + " " + code +
                    (generic ? " is a generic code of " : " is the code of ") +
                    join_ids(e.candidate_ids);
  }
  return e;
}

struct NuclideClaim {
  std::string field;
  std::string value;
  std::string symbol;
};

std::vector<NuclideClaim> nuclide_claims(const TracerDicomFields& f,
                                         std::vector<std::string>& notes) {
  std::vector<NuclideClaim> claims;
  auto from_text = [&](const std::string& field, const std::string& text) {
    if (text.empty()) return;
    const std::vector<std::string> found = nuclides_named_in_text(text);
    if (found.size() == 1) claims.push_back({field, text, found.front()});
    if (found.size() > 1) notes.push_back(field + " " + quoted(text) + " names several nuclides");
  };
  from_text("RadionuclideCodeSequence (0054,0300) CodeMeaning", f.radionuclide_code_meaning);
  if (!f.radionuclide_code_value.empty()) {
    if (auto symbol = nuclide_from_code(f.radionuclide_code_value, f.radionuclide_code_scheme)) {
      claims.push_back(
          {"RadionuclideCodeSequence (0054,0300) CodeValue", f.radionuclide_code_value, *symbol});
    }
  }
  from_text("radionuclide given by the caller", f.radionuclide);
  from_text("Radiopharmaceutical (0018,0031)", f.radiopharmaceutical);
  from_text("RadiopharmaceuticalCodeSequence (0054,0304) CodeMeaning",
            f.radiopharmaceutical_code_meaning);
  return claims;
}

std::vector<std::string> sorted(const std::set<std::string>& ids) {
  return std::vector<std::string>(ids.begin(), ids.end());
}

}  // namespace

TracerIdentification TracerCatalogue::identify(const TracerDicomFields& f) const {
  TracerIdentification result;
  std::vector<std::string> notes;

  // The nuclide: every field that names one must agree.
  const std::vector<NuclideClaim> claims = nuclide_claims(f, notes);
  std::set<std::string> symbols;
  for (const NuclideClaim& c : claims) symbols.insert(c.symbol);
  std::string nuclide_text;
  for (const NuclideClaim& c : claims) {
    result.evidence.push_back(c.field + " " + quoted(c.value) + " names " + c.symbol);
  }
  if (symbols.size() > 1) {
    result.outcome = "conflicting_fields";
    result.explanation = "the fields name different nuclides (" + join_ids(symbols) +
                         "); check the RadiopharmaceuticalInformationSequence (0054,0016) or "
                         "name the tracer by catalogue id (user override)";
    for (const std::string& n : notes) result.evidence.push_back(n);
    return result;
  }
  if (symbols.size() == 1) {
    result.nuclide = *symbols.begin();
    nuclide_text = "nuclide " + result.nuclide + " from " + claims.front().field;
  }

  // The tracer: intersection of what each field allows.
  std::vector<FieldEvidence> evidences;
  if (auto e = code_evidence(tracers_, f)) evidences.push_back(*e);
  if (auto e = text_evidence(tracers_, "RadiopharmaceuticalCodeSequence (0054,0304) CodeMeaning",
                             f.radiopharmaceutical_code_meaning)) {
    evidences.push_back(*e);
  }
  if (auto e = text_evidence(tracers_, "Radiopharmaceutical (0018,0031)", f.radiopharmaceutical)) {
    evidences.push_back(*e);
  }
  for (const FieldEvidence& e : evidences) result.evidence.push_back(e.description);
  for (const std::string& n : notes) result.evidence.push_back(n);

  std::optional<std::set<std::string>> candidates;
  std::set<std::string> strong;
  for (const FieldEvidence& e : evidences) {
    if (e.candidate_ids.empty()) continue;
    strong.insert(e.strong_ids.begin(), e.strong_ids.end());
    if (!candidates) {
      candidates = e.candidate_ids;
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(candidates->begin(), candidates->end(), e.candidate_ids.begin(),
                          e.candidate_ids.end(), std::inserter(both, both.begin()));
    if (both.empty()) {
      result.outcome = "conflicting_fields";
      result.candidates = sorted(*candidates);
      result.candidates.insert(result.candidates.end(), e.candidate_ids.begin(),
                               e.candidate_ids.end());
      std::sort(result.candidates.begin(), result.candidates.end());
      result.explanation = "the fields name different tracers (" + join_ids(*candidates) +
                           " versus " + join_ids(e.candidate_ids) +
                           "); name the tracer by catalogue id (user override)";
      return result;
    }
    candidates = both;
  }

  if (!candidates) {
    result.outcome = "unknown_tracer";
    std::string why = evidences.empty() ? "no Radiopharmaceutical (0018,0031) text and no "
                                          "RadiopharmaceuticalCodeSequence (0054,0304)"
                                        : "no field matches a catalogue entry";
    for (const FieldEvidence& e : evidences) why += " (" + e.description + ")";
    if (!result.nuclide.empty()) {
      std::set<std::string> same_nuclide;
      for (const Tracer* t : with_nuclide(result.nuclide)) same_nuclide.insert(t->id);
      result.candidates = sorted(same_nuclide);
      why += "; " + nuclide_text + " is recognised" +
             (same_nuclide.empty()
                  ? "; no catalogue tracer uses it"
                  : "; catalogue tracers with this nuclide: " + join_ids(same_nuclide));
    } else {
      why += "; no nuclide recognised";
    }
    result.explanation = "unknown tracer: " + why +
                         "; name the tracer by catalogue id (user "
                         "override) if it is in the catalogue";
    return result;
  }

  std::set<std::string> with_matching_nuclide;
  for (const std::string& id : *candidates) {
    if (result.nuclide.empty() || find(id)->nuclide == result.nuclide) {
      with_matching_nuclide.insert(id);
    }
  }
  if (with_matching_nuclide.empty()) {
    result.outcome = "conflicting_fields";
    result.candidates = sorted(*candidates);
    result.explanation = "the name matches " + join_ids(*candidates) + " but " + nuclide_text +
                         " disagrees with the catalogue nuclide; name the tracer by catalogue id "
                         "(user override)";
    return result;
  }
  result.candidates = sorted(with_matching_nuclide);
  if (with_matching_nuclide.size() > 1) {
    result.outcome = "ambiguous";
    result.explanation = "ambiguous: the fields match " + join_ids(with_matching_nuclide) +
                         (result.nuclide.empty() ? "; no nuclide recognised to decide"
                                                 : " (all " + result.nuclide + ")") +
                         "; name the tracer by catalogue id (user override)";
    return result;
  }

  const std::string id = *with_matching_nuclide.begin();
  result.tracer = find(id);
  result.outcome = "identified";
  result.confidence =
      strong.count(id) != 0 ? TracerMatchConfidence::kHigh : TracerMatchConfidence::kMedium;
  std::string agreed;
  for (const FieldEvidence& e : evidences) {
    if (!e.candidate_ids.empty()) agreed += (agreed.empty() ? "" : "; ") + e.description;
  }
  result.explanation = "identified as " + result.tracer->display_name + " (" + id + "): " + agreed +
                       (result.nuclide.empty() ? "; no nuclide field to cross-check"
                                               : "; " + nuclide_text + " agrees");
  return result;
}

}  // namespace oncotrace
