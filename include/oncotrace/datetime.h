// Full date-times for decay correction.
//
// DICOM stores dates (DA, "YYYYMMDD"), times (TM, "HHMMSS.FFFFFF", shorter forms allowed, and the
// legacy "HH:MM:SS" of ACR-NEMA) and date-times (DT, "YYYYMMDDHHMMSS.FFFFFF&ZZXX")
// [DICOM PS3.5 Table 6.2-1]. oncotrace works with full date-times only (pet-quantification.md
// §4.7): a time without a date is combined with a date explicitly, and that choice is audited.
//
// A DateTime is a count of microseconds since 1970-01-01T00:00:00 in the scanner's local civil
// time. Time-zone offsets in DT values are parsed and recorded but not applied, because the
// other attributes of the same series carry no offset; all values of a study are compared in
// the same local time.
#ifndef ONCOTRACE_DATETIME_H_
#define ONCOTRACE_DATETIME_H_

#include <cstdint>
#include <optional>
#include <string>

namespace oncotrace {

struct DateTime {
  int64_t microseconds_since_epoch = 0;

  // Seconds from `earlier` to this (positive when this is later).
  double seconds_since(const DateTime& earlier) const {
    return static_cast<double>(microseconds_since_epoch - earlier.microseconds_since_epoch) * 1e-6;
  }
  DateTime plus_seconds(double seconds) const;
  // Calendar date of this date-time as days since 1970-01-01.
  int64_t days_since_epoch() const;
  // Seconds since midnight of this date-time's day.
  double seconds_of_day() const;

  // ISO 8601 "YYYY-MM-DDTHH:MM:SS" with ".ffffff" trimmed of trailing zeros when fractional.
  std::string iso8601() const;
  // DICOM DA "YYYYMMDD" and TM "HHMMSS.FFFFFF".
  std::string dicom_date() const;
  std::string dicom_time() const;

  friend bool operator==(const DateTime& a, const DateTime& b) = default;
  // clang-tidy 14 flags the comparison clang synthesises for a defaulted operator<=> (there is no
  // pointer or literal 0 in the source).
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive, see above
  friend auto operator<=>(const DateTime& a, const DateTime& b) = default;
};

// Builds a date-time from calendar fields (proleptic Gregorian).
DateTime make_datetime(int year, int month, int day, int hour = 0, int minute = 0,
                       double second = 0.0);

// Parsers return std::nullopt for an empty or malformed value; callers turn that into an error
// that names the tag. Seconds of day for TM; days since epoch for DA.
std::optional<int64_t> parse_dicom_date(const std::string& da);
std::optional<double> parse_dicom_time(const std::string& tm);
std::optional<DateTime> parse_dicom_datetime(const std::string& dt);
// DA + TM -> DateTime.
std::optional<DateTime> combine_date_time(const std::string& da, const std::string& tm);
// ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" (also with a space instead of 'T'); a trailing
// offset ("Z", "+01:00") is accepted and ignored as in DICOM DT (see above).
std::optional<DateTime> parse_iso8601(const std::string& text);

}  // namespace oncotrace

#endif  // ONCOTRACE_DATETIME_H_
