#include "io/sidecar_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace oncotrace::io_internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Units: DICOM Units (0054,1001) defined terms [PS3.3 C.8.9.1.1.3] and their BIDS strings.

struct UnitSpelling {
  const char* dicom;
  const char* bids;
};

constexpr UnitSpelling kUnitSpellings[] = {
    {"BQML", "Bq/mL"},        {"GML", "g/mL"},
    {"CM2ML", "cm2/mL"},      {"CNTS", "counts"},
    {"CPS", "counts/s"},      {"PCNT", "%"},
    {"MGMINML", "mg/min/mL"}, {"UMOLMINML", "umol/min/mL"},
    {"MLMING", "mL/min/g"},   {"MLG", "mL/g"},
    {"1CM", "1/cm"},          {"UMOLML", "umol/mL"},
    {"MLMINML", "mL/min/mL"}, {"MLML", "mL/mL"},
    {"CM2", "cm2"},
};

// SUV images carry the normalisation in the unit string (the UCUM spellings of suv.h).
struct SuvUnitSpelling {
  const char* dicom_units;
  const char* suv_type;  // SUVType (0054,1006)
  const char* ucum;
};

constexpr SuvUnitSpelling kSuvUnitSpellings[] = {
    {"GML", "BW", "g/ml{SUVbw}"},
    {"GML", "LBM", "g/ml{SUVlbm}"},
    {"GML", "LBMJAMES128", "g/ml{SUVlbm(James128)}"},
    {"GML", "LBMJANMA", "g/ml{SUVlbm(Janma)}"},
    {"GML", "IBW", "g/ml{SUVibw}"},
    {"CM2ML", "BSA", "cm2/ml{SUVbsa}"},
};

// ---------------------------------------------------------------------------------------------
// Radionuclide names: DICOM code meanings ("^18^Fluorine", "177 Lutetium") to the BIDS
// TracerRadionuclide spelling ("F18", "Lu177"). Only the element name is translated here; the
// nuclide data (half-lives, codes) live in the physics module.

constexpr std::pair<const char*, const char*> kElementSymbols[] = {
    {"actinium", "Ac"}, {"astatine", "At"}, {"bismuth", "Bi"},   {"bromine", "Br"},
    {"carbon", "C"},    {"chromium", "Cr"}, {"cobalt", "Co"},    {"copper", "Cu"},
    {"erbium", "Er"},   {"fluorine", "F"},  {"gallium", "Ga"},   {"holmium", "Ho"},
    {"indium", "In"},   {"iodine", "I"},    {"krypton", "Kr"},   {"lead", "Pb"},
    {"lutetium", "Lu"}, {"nitrogen", "N"},  {"oxygen", "O"},     {"phosphorus", "P"},
    {"radium", "Ra"},   {"rhenium", "Re"},  {"rubidium", "Rb"},  {"samarium", "Sm"},
    {"scandium", "Sc"}, {"selenium", "Se"}, {"strontium", "Sr"}, {"technetium", "Tc"},
    {"terbium", "Tb"},  {"thallium", "Tl"}, {"thorium", "Th"},   {"titanium", "Ti"},
    {"xenon", "Xe"},    {"yttrium", "Y"},   {"zirconium", "Zr"},
};

}  // namespace

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string bids_units_for(const std::string& dicom_units, const std::string& suv_type) {
  for (const auto& spelling : kSuvUnitSpellings) {
    if (dicom_units == spelling.dicom_units && suv_type == spelling.suv_type) return spelling.ucum;
  }
  for (const auto& spelling : kUnitSpellings) {
    if (dicom_units == spelling.dicom) return spelling.bids;
  }
  return dicom_units;  // PROPCNTS, PROPCPS, NONE, ...: no BIDS spelling; keep the DICOM term
}

// The DICOM term for a BIDS unit string (case-insensitive), or for a DICOM term itself.
std::optional<DicomUnits> dicom_units_for(const std::string& bids_units) {
  const std::string wanted = lowercase(bids_units);
  for (const auto& spelling : kSuvUnitSpellings) {
    if (wanted == lowercase(spelling.ucum))
      return DicomUnits{spelling.dicom_units, spelling.suv_type};
  }
  for (const auto& spelling : kUnitSpellings) {
    if (wanted == lowercase(spelling.bids) || wanted == lowercase(spelling.dicom)) {
      return DicomUnits{spelling.dicom, ""};
    }
  }
  for (const char* term : {"PROPCNTS", "PROPCPS", "NONE", "STDDEV"}) {
    if (bids_units == term) return DicomUnits{term, ""};
  }
  return std::nullopt;
}

std::optional<std::string> bids_radionuclide_for(const std::string& code_meaning) {
  std::string mass_number;
  std::string letters;
  for (const char c : code_meaning) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      mass_number += c;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
      letters += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (mass_number.empty()) return std::nullopt;
  // A metastable state is written "^99m^Technetium" or "99m Technetium".
  std::string metastable;
  if (letters.size() > 1 && letters.front() == 'm') {
    for (const auto& [name, symbol] : kElementSymbols) {
      if (letters.substr(1) == name) {
        metastable = "m";
        letters = name;
      }
    }
  }
  for (const auto& [name, symbol] : kElementSymbols) {
    if (letters == name) {
      std::string nuclide(symbol);
      nuclide += mass_number;
      nuclide += metastable;
      return nuclide;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Date-time spellings. DICOM keeps DA "YYYYMMDD", TM "HHMMSS.FFFFFF" and DT
// "YYYYMMDDHHMMSS.FFFFFF"; the sidecar uses ISO 8601 "YYYY-MM-DDTHH:MM:SS[.ffffff]", or the
// time "HH:MM:SS[.ffffff]" when DICOM gave no date.

std::string iso_time_of_day(double seconds_of_day) {
  return make_datetime(1970, 1, 1).plus_seconds(seconds_of_day).iso8601().substr(11);
}

std::optional<std::string> iso_from_dicom_dt(const std::string& dt) {
  const auto parsed = parse_dicom_datetime(dt);
  if (!parsed) return std::nullopt;
  return parsed->iso8601();
}

// ISO for a DA + TM pair: a full date-time when both parse, else the time of day alone.
std::optional<std::string> iso_from_dicom_date_time(const std::string& da, const std::string& tm) {
  if (const auto combined = combine_date_time(da, tm)) return combined->iso8601();
  if (const auto seconds = parse_dicom_time(tm)) return iso_time_of_day(*seconds);
  return std::nullopt;
}

std::string SidecarTime::dicom_date() const { return full ? full->dicom_date() : ""; }

std::string SidecarTime::dicom_time() const {
  if (full) return full->dicom_time();
  if (seconds_of_day) return make_datetime(1970, 1, 1).plus_seconds(*seconds_of_day).dicom_time();
  return "";
}

std::string SidecarTime::dicom_datetime() const {
  return full ? full->dicom_date() + full->dicom_time() : "";
}

std::optional<SidecarTime> parse_sidecar_time(const std::string& text) {
  if (const auto full = parse_iso8601(text)) return SidecarTime{full, full->seconds_of_day()};
  if (const auto day_time = parse_iso8601("1970-01-01T" + text)) {
    return SidecarTime{std::nullopt, day_time->seconds_of_day()};
  }
  return std::nullopt;
}

}  // namespace oncotrace::io_internal
