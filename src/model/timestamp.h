// Conversions between TimestampMicros (UTC microseconds since the epoch) and
// text. Parsing accepts what real WildChat exports contain: ISO-8601 with a
// 'T' or ' ' separator, 0-9 fractional digits, and a zone of `Z`, `+00:00`,
// `+0000`, `+00` or none (taken as UTC); other offsets are applied. Formatting
// always writes `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. Thread-safe, no locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/conversation.h"

namespace wildchat {

std::optional<TimestampMicros> ParseIso8601(std::string_view text);
std::string FormatIso8601(TimestampMicros micros);

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

// The UTC day (days since 1970-01-01, rounded down) of a timestamp.
constexpr int64_t DayOf(TimestampMicros micros) {
  return micros / kMicrosPerDay - (micros % kMicrosPerDay < 0 ? 1 : 0);
}

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

// "2023-05" for a timestamp: the month bucket used by facets and charts.
std::string MonthOf(TimestampMicros micros);

}  // namespace wildchat
