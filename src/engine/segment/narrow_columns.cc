#include "engine/segment/narrow_columns.h"

#include <algorithm>

#include "engine/segment/segment.h"
#include "model/timestamp.h"

namespace wildchat {

const uint8_t* NarrowColumns::codes8(DictField f) const {
  return codes_[static_cast<int>(f)].Get([&](std::vector<uint8_t>* v) {
    const Segment& s = *segment_;
    if (s.dict_size(f) > 255) return false;
    const uint32_t* col = s.code_column(f);
    v->assign(col, col + s.num_docs());
    return true;
  });
}

const uint8_t* NarrowColumns::flags8() const {
  return flags_.Get([&](std::vector<uint8_t>* v) {
    const Segment& s = *segment_;
    const uint32_t* col = s.flag_column();
    v->resize(s.num_docs());
    for (uint32_t d = 0; d < s.num_docs(); ++d) (*v)[d] = static_cast<uint8_t>(col[d]);
    return true;
  });
}

const uint16_t* NarrowColumns::turns16() const {
  return turns_.Get([&](std::vector<uint16_t>* v) {
    const Segment& s = *segment_;
    const int64_t* col = s.turns();
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      if (col[d] < 0 || col[d] >= 65535) return false;
    }
    v->assign(col, col + s.num_docs());
    return true;
  });
}

const uint16_t* NarrowColumns::days16() const {
  return days_.Get([&](std::vector<uint16_t>* v) {
    const Segment& s = *segment_;
    const int64_t* col = s.timestamps();
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      if (col[d] == kNullTimestamp) continue;
      const int64_t day = DayOf(col[d]);
      lo = std::min(lo, day);
      hi = std::max(hi, day);
    }
    if (lo <= hi && hi - lo >= 65535) return false;
    first_day_ = lo <= hi ? lo : 0;
    v->resize(s.num_docs());
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      (*v)[d] = col[d] == kNullTimestamp ? uint16_t{65535}
                                         : static_cast<uint16_t>(DayOf(col[d]) - first_day_);
    }
    return true;
  });
}

bool NarrowColumns::DayRange(int64_t lo, int64_t hi, uint16_t* l, uint16_t* h) const {
  if (days16() == nullptr) return false;
  // A bound on a day's start selects by day; one in a day before the first
  // (or, for hi, after the span's last possible day) admits every day.
  auto rel = [this](int64_t t, uint16_t* out) {
    const int64_t day = DayOf(t) - first_day_;
    if (day < 0) {
      *out = 0;
    } else if (day >= 65535) {
      *out = 65535;
    } else if (t % kMicrosPerDay == 0) {
      *out = static_cast<uint16_t>(day);
    } else {
      return false;
    }
    return true;
  };
  // (Null timestamps are day 65535, never below *h.)
  return rel(lo, l) && rel(hi, h);
}

}  // namespace wildchat
