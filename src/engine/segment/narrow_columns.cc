#include "engine/segment/narrow_columns.h"

#include <algorithm>

#include "engine/segment/segment.h"
#include "model/timestamp.h"

namespace wildchat {

const uint8_t* NarrowColumns::codes8(DictField f) const {
  Lazy<uint8_t>& c = codes_[static_cast<int>(f)];
  std::call_once(c.once, [&] {
    const Segment& s = *segment_;
    if (s.dict_size(f) > 255) return;
    const uint32_t* col = s.code_column(f);
    c.values.assign(col, col + s.num_docs());
    c.fits = true;
  });
  return c.fits ? c.values.data() : nullptr;
}

const uint8_t* NarrowColumns::flags8() const {
  std::call_once(flags_.once, [&] {
    const Segment& s = *segment_;
    const uint32_t* col = s.flag_column();
    flags_.values.resize(s.num_docs());
    for (uint32_t d = 0; d < s.num_docs(); ++d) flags_.values[d] = static_cast<uint8_t>(col[d]);
    flags_.fits = true;
  });
  return flags_.values.data();
}

const uint16_t* NarrowColumns::turns16() const {
  std::call_once(turns_.once, [&] {
    const Segment& s = *segment_;
    const int64_t* col = s.turns();
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      if (col[d] < 0 || col[d] >= 65535) return;
    }
    turns_.values.assign(col, col + s.num_docs());
    turns_.fits = true;
  });
  return turns_.fits ? turns_.values.data() : nullptr;
}

const uint16_t* NarrowColumns::days16() const {
  std::call_once(days_.once, [&] {
    const Segment& s = *segment_;
    const int64_t* col = s.timestamps();
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      if (col[d] == kNullTimestamp) continue;
      const int64_t day = DayOf(col[d]);
      lo = std::min(lo, day);
      hi = std::max(hi, day);
    }
    if (lo <= hi && hi - lo >= 65535) return;
    first_day_ = lo <= hi ? lo : 0;
    days_.values.resize(s.num_docs());
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      days_.values[d] = col[d] == kNullTimestamp
                            ? uint16_t{65535}
                            : static_cast<uint16_t>(DayOf(col[d]) - first_day_);
    }
    days_.fits = true;
  });
  return days_.fits ? days_.values.data() : nullptr;
}

int64_t NarrowColumns::first_day() const {
  return first_day_;
}

}  // namespace wildchat
