#include "oncotrace/datetime.h"

#include <gtest/gtest.h>

namespace oncotrace {
namespace {

TEST(DateTimeTest, ParsesDicomDateAndTime) {
  const auto value = combine_date_time("20000907", "112011");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->iso8601(), "2000-09-07T11:20:11");
  const auto injection = combine_date_time("20000907", "103500.00");
  ASSERT_TRUE(injection.has_value());
  // STS_001: 11:20:11 - 10:35:00 = 2711 s (pet-quantification.md §6.6).
  EXPECT_DOUBLE_EQ(value->seconds_since(*injection), 2711.0);
}

TEST(DateTimeTest, ParsesFractionsShortFormsAndLegacyColons) {
  EXPECT_DOUBLE_EQ(*parse_dicom_time("130628.148"), 13 * 3600 + 6 * 60 + 28.148);
  EXPECT_DOUBLE_EQ(*parse_dicom_time("1306"), 13 * 3600 + 6 * 60);
  EXPECT_DOUBLE_EQ(*parse_dicom_time("13"), 13 * 3600);
  EXPECT_DOUBLE_EQ(*parse_dicom_time("13:06:28"), 13 * 3600 + 6 * 60 + 28);
  EXPECT_DOUBLE_EQ(*parse_dicom_time(" 110000 "), 11 * 3600);
  EXPECT_FALSE(parse_dicom_time("").has_value());
  EXPECT_FALSE(parse_dicom_time("25").has_value());
  EXPECT_FALSE(parse_dicom_time("1261").has_value());
  EXPECT_FALSE(parse_dicom_date("20251301").has_value());
}

TEST(DateTimeTest, ParsesDicomDateTimeWithOffset) {
  const auto value = parse_dicom_datetime("20181115092200.000000+0100");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->iso8601(), "2018-11-15T09:22:00");
  EXPECT_EQ(parse_dicom_datetime("20250101")->iso8601(), "2025-01-01T00:00:00");
}

TEST(DateTimeTest, MidnightArithmetic) {
  // DRO_4_2: injection 2025-01-01 23:30, scan 2025-01-02 00:30 -> 3600 s.
  const DateTime injection = make_datetime(2025, 1, 1, 23, 30, 0);
  const DateTime scan = make_datetime(2025, 1, 2, 0, 30, 0);
  EXPECT_DOUBLE_EQ(scan.seconds_since(injection), 3600.0);
  EXPECT_EQ(scan.days_since_epoch() - injection.days_since_epoch(), 1);
  EXPECT_DOUBLE_EQ(scan.seconds_of_day(), 1800.0);
}

TEST(DateTimeTest, Iso8601RoundTrip) {
  const auto value = parse_iso8601("2018-11-15T09:22:00.5");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->iso8601(), "2018-11-15T09:22:00.5");
  EXPECT_EQ(parse_iso8601("2018-11-15 09:22")->iso8601(), "2018-11-15T09:22:00");
  EXPECT_EQ(parse_iso8601("2018-11-15T09:22:00Z")->iso8601(), "2018-11-15T09:22:00");
  EXPECT_EQ(value->dicom_date(), "20181115");
  EXPECT_EQ(value->dicom_time(), "092200.500000");
  EXPECT_FALSE(parse_iso8601("15/11/2018 09:22").has_value());
}

TEST(DateTimeTest, PlusSecondsAndLeapYear) {
  const DateTime start = make_datetime(2024, 2, 28, 12, 0, 0);
  EXPECT_EQ(start.plus_seconds(86400.0).iso8601(), "2024-02-29T12:00:00");
  EXPECT_EQ(start.plus_seconds(2 * 86400.0).iso8601(), "2024-03-01T12:00:00");
}

}  // namespace
}  // namespace oncotrace
