// The spellings shared by the sidecar writer and reader (docs/nifti-sidecar.md): units, nuclide
// names and date-times, each between its DICOM and its sidecar (BIDS-PET / ISO 8601) form.
#ifndef ONCOTRACE_IO_SIDECAR_VOCABULARY_H_
#define ONCOTRACE_IO_SIDECAR_VOCABULARY_H_

#include <optional>
#include <string>

#include "oncotrace/datetime.h"

namespace oncotrace::io_internal {

// The sidecar object that holds the complete SeriesHeader, and its layout version.
inline constexpr const char* kOncotraceKey = "oncotrace";
inline constexpr int kSidecarVersion = 1;

std::string lowercase(std::string text);

// BIDS "Units" for DICOM Units (0054,1001) and SUVType (0054,1006): "Bq/mL" for BQML,
// "g/ml{SUVbw}" for GML with SUVType BW, ...; a DICOM term without a BIDS spelling is returned
// as it is.
std::string bids_units_for(const std::string& dicom_units, const std::string& suv_type);

struct DicomUnits {
  std::string units;
  std::string suv_type;  // empty unless the unit string names an SUV normalisation
};

// The DICOM term for a BIDS unit string (case-insensitive) or for a DICOM term itself; nothing
// for strings with no DICOM equivalent (e.g. "kBq/mL").
std::optional<DicomUnits> dicom_units_for(const std::string& bids_units);

// BIDS TracerRadionuclide ("F18", "Lu177", "Tc99m") for a DICOM code meaning of the Radionuclide
// Code Sequence (0054,0300) ("^18^Fluorine", "177 Lutetium", "^99m^Technetium").
std::optional<std::string> bids_radionuclide_for(const std::string& code_meaning);

// "HH:MM:SS[.ffffff]" for a time of day.
std::string iso_time_of_day(double seconds_of_day);
// ISO 8601 for a DICOM DT; nothing when it does not parse.
std::optional<std::string> iso_from_dicom_dt(const std::string& dt);
// ISO 8601 for DA + TM: a full date-time when both parse, else the time of day alone.
std::optional<std::string> iso_from_dicom_date_time(const std::string& da, const std::string& tm);

// A sidecar date-time read back: a full date-time, or only a time of day when no date was known.
struct SidecarTime {
  std::optional<DateTime> full;
  std::optional<double> seconds_of_day;

  std::string dicom_date() const;      // DA "YYYYMMDD", empty without a date
  std::string dicom_time() const;      // TM "HHMMSS.FFFFFF"
  std::string dicom_datetime() const;  // DT "YYYYMMDDHHMMSS.FFFFFF", empty without a date
};

// Parses "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" or "HH:MM[:SS[.ffffff]]".
std::optional<SidecarTime> parse_sidecar_time(const std::string& text);

}  // namespace oncotrace::io_internal

#endif  // ONCOTRACE_IO_SIDECAR_VOCABULARY_H_
