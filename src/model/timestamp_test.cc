#include "model/timestamp.h"

#include <gtest/gtest.h>

#include <ctime>

namespace wildchat {
namespace {

// Oracle: timegm() from the C library.
int64_t TimegmMicros(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

TEST(Timestamp, ParsesEveryZoneSpelling) {
  int64_t want = TimegmMicros(2023, 4, 9, 0, 2, 53) + 123456;
  for (const char* s : {"2023-04-09T00:02:53.123456Z", "2023-04-09T00:02:53.123456+00:00",
                        "2023-04-09T00:02:53.123456+00", "2023-04-09 00:02:53.123456",
                        "2023-04-09T00:02:53.123456789+0000", "2023-04-09T02:02:53.123456+02:00"}) {
    auto got = ParseIso8601(s);
    ASSERT_TRUE(got.has_value()) << s;
    EXPECT_EQ(*got, want) << s;
  }
}

TEST(Timestamp, RejectsGarbage) {
  for (const char* s : {"", "2023", "2023-13-01", "2023-04-09T", "2023-04-09T00:02:53.Z",
                        "2023-04-09T00:02:53+xx", "2023-04-09T00:02:53 trailing", "yesterday"}) {
    EXPECT_FALSE(ParseIso8601(s).has_value()) << s;
  }
}

TEST(Timestamp, FormatRoundTripsAgainstTimegm) {
  for (int y : {1969, 1970, 2000, 2023, 2024, 2100}) {
    for (int mo : {1, 2, 12}) {
      int64_t t = TimegmMicros(y, mo, 28, 23, 59, 59) + 7;
      std::string s = FormatIso8601(t);
      auto back = ParseIso8601(s);
      ASSERT_TRUE(back.has_value()) << s;
      EXPECT_EQ(*back, t) << s;
    }
  }
  EXPECT_EQ(FormatIso8601(TimegmMicros(2023, 4, 9, 0, 2, 53)), "2023-04-09T00:02:53.000000+00:00");
  EXPECT_EQ(MonthOf(TimegmMicros(2024, 2, 29, 12, 0, 0)), "2024-02");
}

}  // namespace
}  // namespace wildchat
