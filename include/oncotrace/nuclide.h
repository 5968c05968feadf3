// Radionuclides: half-lives, decay modes, emissions, and lookup from DICOM.
//
// Primary source for half-lives: ICRP Publication 107 (2008). The DICOM header value is preferred
// for SUV (it is what the scanner used); this table validates it and serves as the fallback
// (pet-quantification.md §4.8, §12).
#ifndef ONCOTRACE_NUCLIDE_H_
#define ONCOTRACE_NUCLIDE_H_

#include <optional>
#include <string>
#include <vector>

namespace oncotrace {

struct PhotonLine {
  double energy_kev = 0.0;
  double yield_per_decay = 0.0;  // fraction
};

struct Nuclide {
  std::string symbol;            // "F-18"
  double half_life_s = 0.0;
  std::string half_life_source;  // "ICRP-107"
  std::string decay_mode;        // "beta+/EC", "beta-", "EC", "IT"
  double positron_fraction = 0.0;
  std::vector<PhotonLine> main_photons;
  std::string emission_source;
  std::vector<std::string> dicom_codes;  // SNOMED/SRT codes, e.g. "C-111A1"
  std::vector<std::string> aliases;      // "18F", "Fluorine^18", "^18^Fluorine", ...

  double decay_constant_per_s() const;
};

// Every nuclide in the table, in a fixed order.
const std::vector<Nuclide>& nuclide_table();
// Lookup by symbol or any alias (case-insensitive, ignoring '-', '^', spaces and mass number
// position: "F-18", "18F", "Fluorine^18", "^18^Fluorine", "18 Fluorine", "Lutetium-177").
const Nuclide* find_nuclide_by_name(const std::string& name);
// Lookup by RadionuclideCodeSequence CodeValue (C-111A1, C-131A1, C-101ED, ...).
const Nuclide* find_nuclide_by_code(const std::string& code);
// The table nuclide whose half-life is within `relative_tolerance` of `half_life_s`.
const Nuclide* find_nuclide_by_half_life(double half_life_s, double relative_tolerance = 0.01);

// 2^(-t/T½): the fraction of activity left after `elapsed_s`.
double decay_fraction(double elapsed_s, double half_life_s);
// Activity at time t given activity at time 0.
double decayed_activity(double activity_bq, double elapsed_s, double half_life_s);
// Time of average activity within a frame of duration T:
// Tave = (1/λ) ln(λT / (1 − e^(−λT))) [DICOM PS3.3 C.8.9.4.1.5].
double time_of_average_activity_s(double frame_duration_s, double half_life_s);
// Factor that corrects a frame average for decay during the frame: λT / (1 − e^(−λT)).
double decay_during_frame_factor(double frame_duration_s, double half_life_s);

}  // namespace oncotrace

#endif  // ONCOTRACE_NUCLIDE_H_
