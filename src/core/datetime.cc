#include "oncotrace/datetime.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace oncotrace {
namespace {

constexpr int64_t kMicrosecondsPerSecond = 1000000;
constexpr int64_t kMicrosecondsPerDay = 86400 * kMicrosecondsPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date. Written by hand because <chrono>'s
// calendar support in libstdc++ 12 lacks parsing and this is the standard civil-from-days
// algorithm (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * month_index + 2) / 5 + 1;
  month = month_index < 10 ? month_index + 3 : month_index - 9;
  year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.front())) != 0 || text.front() == '\0')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return text;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

int to_int(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Parses "YYYYMMDD" into days since epoch.
std::optional<int64_t> parse_compact_date(std::string_view text) {
  if (text.size() != 8 || !all_digits(text)) return std::nullopt;
  const int year = to_int(text.substr(0, 4));
  const int month = to_int(text.substr(4, 2));
  const int day = to_int(text.substr(6, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

// Parses the fractional part ".ffffff" (up to 6 digits) into seconds.
std::optional<double> parse_fraction(std::string_view text) {
  if (text.empty()) return 0.0;
  if (text.front() != '.') return std::nullopt;
  text.remove_prefix(1);
  if (text.empty()) return 0.0;
  if (text.size() > 6 || !all_digits(text)) return std::nullopt;
  return to_int(text) / std::pow(10.0, static_cast<double>(text.size()));
}

// Parses "HH[MM[SS[.F{1,6}]]]" into seconds of day.
std::optional<double> parse_compact_time(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot);
  if (!all_digits(whole) || (whole.size() != 2 && whole.size() != 4 && whole.size() != 6)) {
    return std::nullopt;
  }
  const int hours = to_int(whole.substr(0, 2));
  const int minutes = whole.size() >= 4 ? to_int(whole.substr(2, 2)) : 0;
  const int seconds = whole.size() >= 6 ? to_int(whole.substr(4, 2)) : 0;
  // DICOM allows a leap second (60).
  if (hours > 23 || minutes > 59 || seconds > 60) return std::nullopt;
  if (!fraction.empty() && whole.size() != 6) return std::nullopt;
  const auto fractional_seconds = parse_fraction(fraction);
  if (!fractional_seconds) return std::nullopt;
  return hours * 3600.0 + minutes * 60.0 + seconds + *fractional_seconds;
}

DateTime from_days_and_seconds(int64_t days, double seconds_of_day) {
  return DateTime{days * kMicrosecondsPerDay +
                  static_cast<int64_t>(std::llround(seconds_of_day * kMicrosecondsPerSecond))};
}

}  // namespace

DateTime DateTime::plus_seconds(double seconds) const {
  return DateTime{microseconds_since_epoch +
                  static_cast<int64_t>(std::llround(seconds * kMicrosecondsPerSecond))};
}

int64_t DateTime::days_since_epoch() const {
  int64_t days = microseconds_since_epoch / kMicrosecondsPerDay;
  if (microseconds_since_epoch % kMicrosecondsPerDay < 0) --days;
  return days;
}

double DateTime::seconds_of_day() const {
  const int64_t within_day = microseconds_since_epoch - days_since_epoch() * kMicrosecondsPerDay;
  return static_cast<double>(within_day) / kMicrosecondsPerSecond;
}

std::string DateTime::iso8601() const {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days_since_epoch(), year, month, day);
  const int64_t within_day = microseconds_since_epoch - days_since_epoch() * kMicrosecondsPerDay;
  const int64_t whole_seconds = within_day / kMicrosecondsPerSecond;
  const int64_t micros = within_day % kMicrosecondsPerSecond;
  char text[64];
  std::snprintf(text, sizeof(text), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(year), month, day,
                static_cast<long long>(whole_seconds / 3600),
                static_cast<long long>((whole_seconds / 60) % 60),
                static_cast<long long>(whole_seconds % 60));
  std::string result = text;
  if (micros != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof(fraction), ".%06lld", static_cast<long long>(micros));
    std::string digits = fraction;
    while (digits.back() == '0') digits.pop_back();
    result += digits;
  }
  return result;
}

std::string DateTime::dicom_date() const {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days_since_epoch(), year, month, day);
  char text[16];
  std::snprintf(text, sizeof(text), "%04lld%02u%02u", static_cast<long long>(year), month, day);
  return text;
}

std::string DateTime::dicom_time() const {
  const int64_t within_day = microseconds_since_epoch - days_since_epoch() * kMicrosecondsPerDay;
  const int64_t whole_seconds = within_day / kMicrosecondsPerSecond;
  const int64_t micros = within_day % kMicrosecondsPerSecond;
  char text[32];
  std::snprintf(text, sizeof(text), "%02lld%02lld%02lld.%06lld",
                static_cast<long long>(whole_seconds / 3600),
                static_cast<long long>((whole_seconds / 60) % 60),
                static_cast<long long>(whole_seconds % 60), static_cast<long long>(micros));
  return text;
}

DateTime make_datetime(int year, int month, int day, int hour, int minute, double second) {
  return from_days_and_seconds(
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)),
      hour * 3600.0 + minute * 60.0 + second);
}

std::optional<int64_t> parse_dicom_date(const std::string& da) {
  std::string_view text = trim(da);
  // ACR-NEMA "YYYY.MM.DD" is still found in old files.
  if (text.size() == 10 && text[4] == '.' && text[7] == '.') {
    const std::string compact = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
                                std::string(text.substr(8, 2));
    return parse_compact_date(compact);
  }
  return parse_compact_date(text);
}

std::optional<double> parse_dicom_time(const std::string& tm) {
  std::string_view text = trim(tm);
  // ACR-NEMA "HH:MM:SS[.frac]".
  if (text.size() >= 8 && text[2] == ':' && text[5] == ':') {
    std::string compact = std::string(text.substr(0, 2)) + std::string(text.substr(3, 2)) +
                          std::string(text.substr(6));
    return parse_compact_time(compact);
  }
  return parse_compact_time(text);
}

std::optional<DateTime> parse_dicom_datetime(const std::string& dt) {
  std::string_view text = trim(dt);
  // Strip a UTC offset "&ZZXX" (recorded by callers if needed, not applied; see header).
  const size_t offset_pos = text.find_first_of("+-", 4);
  if (offset_pos != std::string_view::npos) text = text.substr(0, offset_pos);
  if (text.size() < 8) return std::nullopt;
  const auto days = parse_compact_date(text.substr(0, 8));
  if (!days) return std::nullopt;
  std::string_view time_part = text.substr(8);
  if (time_part.empty()) return from_days_and_seconds(*days, 0.0);
  const auto seconds = parse_compact_time(time_part);
  if (!seconds) return std::nullopt;
  return from_days_and_seconds(*days, *seconds);
}

std::optional<DateTime> combine_date_time(const std::string& da, const std::string& tm) {
  const auto days = parse_dicom_date(da);
  const auto seconds = parse_dicom_time(tm);
  if (!days || !seconds) return std::nullopt;
  return from_days_and_seconds(*days, *seconds);
}

std::optional<DateTime> parse_iso8601(const std::string& input) {
  std::string_view text = trim(input);
  if (text.size() < 16 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ')) {
    return std::nullopt;
  }
  const std::string date = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
                           std::string(text.substr(8, 2));
  const auto days = parse_compact_date(date);
  if (!days) return std::nullopt;
  std::string_view time_text = text.substr(11);
  if (!time_text.empty() && time_text.back() == 'Z') time_text.remove_suffix(1);
  const size_t offset_pos = time_text.find_first_of("+-");
  if (offset_pos != std::string_view::npos) time_text = time_text.substr(0, offset_pos);
  if (time_text.size() < 5 || time_text[2] != ':') return std::nullopt;
  std::string compact = std::string(time_text.substr(0, 2)) + std::string(time_text.substr(3, 2));
  if (time_text.size() > 5) {
    if (time_text[5] != ':' || time_text.size() < 8) return std::nullopt;
    compact += std::string(time_text.substr(6));
  }
  const auto seconds = parse_compact_time(compact);
  if (!seconds) return std::nullopt;
  return from_days_and_seconds(*days, *seconds);
}

}  // namespace oncotrace
