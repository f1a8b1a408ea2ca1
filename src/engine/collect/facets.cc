#include "engine/collect/facets.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "model/timestamp.h"

namespace wildchat {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

int TurnBucket(int64_t t) {
  if (t < 1) return -1;
  if (t <= 5) return static_cast<int>(t - 1);
  if (t <= 10) return 5;
  if (t <= 20) return 6;
  return 7;
}
constexpr const char* kTurnBuckets[] = {"1", "2", "3", "4", "5", "6-10", "11-20", "21+"};

void SortCounts(std::map<std::string, uint64_t>& counts, FacetCounts* out) {
  out->clear();
  for (auto& [v, n] : counts) {
    if (n > 0) out->emplace_back(v, n);
  }
  std::stable_sort(out->begin(), out->end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
}

}  // namespace

bool IsFacetField(const std::string& name) {
  for (const char* f : kFacetFields) {
    if (name == f) return true;
  }
  return false;
}

const FacetCounter::MonthColumn& FacetCounter::Months(size_t si) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (months_.size() < index_->segments.size()) months_.resize(index_->segments.size());
  if (!months_[si]) {
    const Segment& s = *index_->segments[si];
    auto m = std::make_unique<MonthColumn>();
    m->month.assign(s.num_docs(), -1);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      const int64_t ts = s.timestamp(d);
      if (ts == kNullTimestamp) continue;
      int64_t days = ts / kMicrosPerDay;
      if (ts % kMicrosPerDay < 0) --days;
      int64_t y;
      unsigned mo, da;
      CivilFromDays(days, &y, &mo, &da);
      if (y < 0 || y > 9999) continue;
      const int32_t v = static_cast<int32_t>(y * 12 + (mo - 1));
      m->month[d] = v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (lo <= hi) {
      m->first = lo;
      m->span = hi - lo + 1;
      for (int32_t& v : m->month) {
        if (v >= 0) v -= lo;
      }
    }
    months_[si] = std::move(m);
  }
  return *months_[si];
}

Status FacetCounter::Count(const std::string& field, const Bitset& matches,
                           FacetCounts* out) const {
  std::map<std::string, uint64_t> counts;
  int dict = -1;
  for (int i = 0; i < kDictFieldCount && i < 4; ++i) {
    if (field == kDictFieldNames[i]) dict = i;
  }
  for (size_t si = 0; si < index_->segments.size(); ++si) {
    const Segment& s = *index_->segments[si];
    const uint32_t base = index_->bases[si];
    const uint32_t nd = s.num_docs();
    auto each = [&](auto&& fn) {
      matches.ForEachInRange(base, base + nd, [&](uint32_t doc) { fn(doc - base); });
    };
    if (dict >= 0) {
      const DictField f = static_cast<DictField>(dict);
      std::vector<uint64_t> c(s.dict_size(f) + 1, 0);
      const uint32_t* col = s.code_column(f);
      each([&](uint32_t d) { ++c[col[d]]; });
      for (uint32_t code = 1; code < c.size(); ++code) {
        if (c[code]) counts[std::string(s.dict_value(f, code))] += c[code];
      }
    } else if (field == "toxic" || field == "redacted") {
      const uint32_t bit = field == "toxic" ? kFlagToxic : kFlagRedacted;
      // A null flag counts as false, as in the toxic:/redacted: filters.
      uint64_t yes = 0, no = 0;
      each([&](uint32_t d) { (s.flags(d) & bit) ? ++yes : ++no; });
      counts["true"] += yes;
      counts["false"] += no;
    } else if (field == "turns") {
      uint64_t c[8] = {};
      each([&](uint32_t d) {
        const int b = TurnBucket(s.turn(d));
        if (b >= 0) ++c[b];
      });
      for (int b = 0; b < 8; ++b) counts[kTurnBuckets[b]] += c[b];
    } else if (field == "month") {
      const MonthColumn& months = Months(si);
      std::vector<uint64_t> c(static_cast<size_t>(months.span), 0);
      each([&](uint32_t d) {
        if (months.month[d] >= 0) ++c[static_cast<size_t>(months.month[d])];
      });
      for (int32_t k = 0; k < months.span; ++k) {
        const uint64_t n = c[static_cast<size_t>(k)];
        if (n == 0) continue;
        const int32_t m = months.first + k;
        char buf[16];
        std::snprintf(buf, sizeof(buf), "%04d-%02d", m / 12, m % 12 + 1);
        counts[buf] += n;
      }
    } else {
      return Status::InvalidArgument("unknown facet '" + field +
                                     "' (expected model, language, country, state, toxic, "
                                     "redacted, turns or month)");
    }
  }
  if (index_->segments.empty() && !IsFacetField(field)) {
    return Status::InvalidArgument("unknown facet '" + field + "'");
  }
  SortCounts(counts, out);
  return Status::OK();
}

}  // namespace wildchat
