#include "engine/collect/facets.h"

#include <algorithm>
#include <array>
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

namespace {

// A histogram over small codes, incremented from four copies in turn: runs of
// one value (most matches are English) then do not wait on one counter.
class Histogram {
 public:
  explicit Histogram(size_t size) : size_(size), c_(4 * size, 0) {}
  void Add(size_t i, size_t code) { ++c_[(i & 3) * size_ + code]; }
  uint64_t operator[](size_t code) const {
    return c_[code] + c_[size_ + code] + c_[2 * size_ + code] + c_[3 * size_ + code];
  }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::vector<uint64_t> c_;
};

enum class FacetKind { kDict, kFlag, kTurns, kMonth };

}  // namespace

Status FacetCounter::Count(const std::vector<std::string>& fields, const Bitset& matches,
                           std::vector<FacetCounts>* out) const {
  struct Field {
    FacetKind kind = FacetKind::kDict;
    int dict = 0;
    uint32_t flag = 0;
    std::map<std::string, uint64_t> counts;
  };
  std::vector<Field> want;
  for (const std::string& name : fields) {
    Field f;
    f.kind = FacetKind::kDict;
    bool known = false;
    for (int i = 0; i < kDictFieldCount && i < 4; ++i) {
      if (name == kDictFieldNames[i]) {
        f.dict = i;
        known = true;
      }
    }
    if (name == "toxic" || name == "redacted") {
      f.kind = FacetKind::kFlag;
      f.flag = name == "toxic" ? kFlagToxic : kFlagRedacted;
    } else if (name == "turns") {
      f.kind = FacetKind::kTurns;
    } else if (name == "month") {
      f.kind = FacetKind::kMonth;
    } else if (!known) {
      return Status::InvalidArgument("unknown facet '" + name +
                                     "' (expected model, language, country, state, toxic, "
                                     "redacted, turns or month)");
    }
    want.push_back(std::move(f));
  }
  out->clear();
  if (want.empty()) return Status::OK();
  // Turn counts 0..21 to their bucket; kNone (no bucket) for t < 1.
  constexpr size_t kNone = 8;
  std::array<uint8_t, 22> turn_bucket{};
  for (int64_t t = 0; t < 22; ++t) {
    const int b = TurnBucket(t);
    turn_bucket[static_cast<size_t>(t)] = static_cast<uint8_t>(b < 0 ? kNone : b);
  }
  constexpr size_t kBatch = 1024;
  std::array<uint32_t, kBatch> docs;  // local doc numbers
  for (size_t si = 0; si < index_->segments.size(); ++si) {
    const Segment& s = *index_->segments[si];
    const uint32_t base = index_->bases[si];
    const uint32_t nd = s.num_docs();
    // Per field, this segment's histogram (dictionary codes, [false, true],
    // turn buckets + none, months + null).
    std::vector<Histogram> hist;
    const MonthColumn* months = nullptr;
    for (const Field& f : want) {
      switch (f.kind) {
        case FacetKind::kDict:
          hist.emplace_back(s.dict_size(static_cast<DictField>(f.dict)) + 1);
          break;
        case FacetKind::kFlag:
          hist.emplace_back(2);
          break;
        case FacetKind::kTurns:
          hist.emplace_back(kNone + 1);
          break;
        case FacetKind::kMonth:
          months = &Months(si);
          hist.emplace_back(static_cast<size_t>(months->span) + 1);
          break;
      }
    }
    size_t n = 0;
    auto count_batch = [&] {
      for (size_t k = 0; k < want.size(); ++k) {
        Histogram& h = hist[k];
        switch (want[k].kind) {
          case FacetKind::kDict: {
            const uint32_t* col = s.code_column(static_cast<DictField>(want[k].dict));
            for (size_t i = 0; i < n; ++i) h.Add(i, col[docs[i]]);
            break;
          }
          case FacetKind::kFlag: {
            // A null flag counts as false, as in the toxic:/redacted: filters.
            const uint32_t bit = want[k].flag;
            for (size_t i = 0; i < n; ++i) h.Add(i, (s.flags(docs[i]) & bit) ? 1 : 0);
            break;
          }
          case FacetKind::kTurns:
            for (size_t i = 0; i < n; ++i) {
              const int64_t t = s.turn(docs[i]);
              h.Add(i, t < 0 ? kNone : turn_bucket[static_cast<size_t>(std::min<int64_t>(t, 21))]);
            }
            break;
          case FacetKind::kMonth: {
            const size_t null = static_cast<size_t>(months->span);
            for (size_t i = 0; i < n; ++i) {
              const int32_t m = months->month[docs[i]];
              h.Add(i, m < 0 ? null : static_cast<size_t>(m));
            }
            break;
          }
        }
      }
      n = 0;
    };
    matches.ForEachInRange(base, base + nd, [&](uint32_t doc) {
      docs[n++] = doc - base;
      if (n == kBatch) count_batch();
    });
    count_batch();
    for (size_t k = 0; k < want.size(); ++k) {
      Field& f = want[k];
      const Histogram& h = hist[k];
      switch (f.kind) {
        case FacetKind::kDict:
          for (uint32_t code = 1; code < h.size(); ++code) {
            if (h[code])
              f.counts[std::string(s.dict_value(static_cast<DictField>(f.dict), code))] += h[code];
          }
          break;
        case FacetKind::kFlag:
          f.counts["true"] += h[1];
          f.counts["false"] += h[0];
          break;
        case FacetKind::kTurns:
          for (size_t b = 0; b < kNone; ++b) f.counts[kTurnBuckets[b]] += h[b];
          break;
        case FacetKind::kMonth:
          for (int32_t m = 0; m < months->span; ++m) {
            const uint64_t c = h[static_cast<size_t>(m)];
            if (c == 0) continue;
            const int32_t v = months->first + m;
            char buf[16];
            std::snprintf(buf, sizeof(buf), "%04d-%02d", v / 12, v % 12 + 1);
            f.counts[buf] += c;
          }
          break;
      }
    }
  }
  out->assign(want.size(), FacetCounts());
  for (size_t k = 0; k < want.size(); ++k) SortCounts(want[k].counts, &(*out)[k]);
  return Status::OK();
}

}  // namespace wildchat
