// NarrowColumns: narrower in-memory copies of a segment's filter columns,
// each built on first use. A filter tests every doc of a segment against a
// column (executor.cc); read in one byte a doc instead of four (or two
// instead of eight), a column costs a quarter of the memory traffic, which is
// what a filter scan waits on when requests run on both cores at once.
//   codes8(f)  a dictionary field's codes, when its dictionary has at most
//              255 values (0: null, as in the code column);
//   flags8()   the low 8 bits of the flags column (toxic, redacted, flagged
//              and the first categories: segment_format.h);
//   turns16()  the turn counts, when every one is in [0, 65535);
//   days16()   the timestamps' UTC days (model/timestamp.h DayOf) minus the
//              segment's first, 65535 for a null timestamp, when every day is
//              within 65,535 of the first; DayRange() turns a date filter's
//              bounds into the day range selecting the same docs.
// nullptr where a column does not fit. Built from the segment's own columns,
// so a narrow column and its source always agree. Thread-safe; lives as
// long as its segment.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/segment/segment_format.h"

namespace wildchat {

class Segment;

class NarrowColumns {
 public:
  explicit NarrowColumns(const Segment* segment) : segment_(segment) {}

  const uint8_t* codes8(DictField f) const;
  const uint8_t* flags8() const;
  const uint16_t* turns16() const;
  const uint16_t* days16() const;
  // For the docs with lo <= timestamp < hi (a null one never): the range
  // [*l, *h) of days16() values selecting exactly them. False when days16()
  // is null, or a bound falls inside a day of the segment's span (only
  // bounds on a day's start, or beyond the span, have a day range).
  bool DayRange(int64_t lo, int64_t hi, uint16_t* l, uint16_t* h) const;

 private:
  // A column built by fill(&values) on first use; fill returns false when
  // the values do not fit (the column is then null).
  template <typename T>
  struct Lazy {
    std::once_flag once;
    std::vector<T> values;
    bool fits = false;
    template <typename Fill>
    const T* Get(Fill&& fill) {
      std::call_once(once, [&] { fits = fill(&values); });
      return fits ? values.data() : nullptr;
    }
  };
  const Segment* segment_;
  mutable Lazy<uint8_t> codes_[kDictFieldCount];
  mutable Lazy<uint8_t> flags_;
  mutable Lazy<uint16_t> turns_;
  mutable Lazy<uint16_t> days_;
  mutable int64_t first_day_ = 0;  // set with days_
};

}  // namespace wildchat
