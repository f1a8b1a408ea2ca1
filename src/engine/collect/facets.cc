#include "engine/collect/facets.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <map>

#include "model/timestamp.h"

namespace wildchat {
namespace {

int TurnBucket(int64_t t) {
  if (t < 1) return -1;
  if (t <= 5) return static_cast<int>(t - 1);
  if (t <= 10) return 5;
  if (t <= 20) return 6;
  return 7;
}
constexpr const char* kTurnBuckets[] = {"1", "2", "3", "4", "5", "6-10", "11-20", "21+"};
constexpr uint32_t kNoTurnBucket = 8;

// The first four facets are the dictionary fields of the same number.
constexpr bool DictFacetsLineUp() {
  for (size_t i = 0; i < 4; ++i) {
    if (std::string_view(kFacetFields[i]) != kDictFieldNames[i]) return false;
  }
  return true;
}
static_assert(DictFacetsLineUp());

void SortCounts(std::map<std::string, uint64_t>& counts, FacetCounts* out) {
  out->clear();
  for (auto& [v, n] : counts) {
    if (n > 0) out->emplace_back(v, n);
  }
  std::stable_sort(out->begin(), out->end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
}

}  // namespace

namespace {

// name's index in kFacetFields, or the field count when it is none of them.
size_t FacetFieldIndex(const std::string& name) {
  size_t f = 0;
  while (f < std::size(kFacetFields) && name != kFacetFields[f]) ++f;
  return f;
}

}  // namespace

bool IsFacetField(const std::string& name) {
  return FacetFieldIndex(name) < std::size(kFacetFields);
}

const FacetCounter::BinColumn& FacetCounter::Bins(size_t si, size_t field) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (bins_.size() < index_->segments.size()) bins_.resize(index_->segments.size());
  std::unique_ptr<BinColumn>& slot = bins_[si][field];
  if (slot) return *slot;
  const Segment& s = *index_->segments[si];
  const uint32_t n = s.num_docs();
  auto col = std::make_unique<BinColumn>();
  std::vector<uint32_t> bin(n);
  const std::string_view name = kFacetFields[field];
  if (field < 4) {  // model, language, country, state: the dictionary code
    const DictField f = static_cast<DictField>(field);
    col->bins = s.dict_size(f) + 1;
    if (col->bins > 65536) col->u32 = s.code_column(f);
    for (uint32_t d = 0; d < n && !col->u32; ++d) bin[d] = s.code(f, d);
  } else if (name == "toxic" || name == "redacted") {
    // A null flag counts as false, as in the toxic:/redacted: filters.
    const uint32_t bit = name == "toxic" ? kFlagToxic : kFlagRedacted;
    col->bins = 2;
    for (uint32_t d = 0; d < n; ++d) bin[d] = (s.flags(d) & bit) ? 1 : 0;
  } else if (name == "turns") {
    col->bins = kNoTurnBucket + 1;
    for (uint32_t d = 0; d < n; ++d) {
      const int b = TurnBucket(s.turn(d));
      bin[d] = b < 0 ? kNoTurnBucket : static_cast<uint32_t>(b);
    }
  } else {  // month: (year * 12 + month − 1) − the segment's first
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    std::vector<int32_t> month(n, -1);
    for (uint32_t d = 0; d < n; ++d) {
      const int64_t ts = s.timestamp(d);
      if (ts == kNullTimestamp) continue;
      const int64_t days = DayOf(ts);
      int64_t y;
      unsigned mo, da;
      CivilFromDays(days, &y, &mo, &da);
      if (y < 0 || y > 9999) continue;
      month[d] = static_cast<int32_t>(y * 12 + (mo - 1));
      lo = std::min(lo, month[d]);
      hi = std::max(hi, month[d]);
    }
    const uint32_t span = lo <= hi ? static_cast<uint32_t>(hi - lo + 1) : 0;
    col->first_month = lo <= hi ? lo : 0;
    col->bins = span + 1;
    for (uint32_t d = 0; d < n; ++d) {
      bin[d] = month[d] < 0 ? span : static_cast<uint32_t>(month[d] - col->first_month);
    }
  }
  if (col->bins <= kBitsetBins && n > 0) {
    const uint32_t base = index_->bases[si];
    col->first_word = base >> 6;
    col->words = ((static_cast<size_t>(base) + n - 1) >> 6) - col->first_word + 1;
    col->bin_words.assign(col->bins * col->words, 0);
    for (uint32_t d = 0; d < n; ++d) {
      const size_t g = static_cast<size_t>(base) + d;
      col->bin_words[bin[d] * col->words + (g >> 6) - col->first_word] |= 1ull << (g & 63);
    }
  }
  col->totals.assign(col->bins, 0);
  if (col->u32) {
    for (uint32_t d = 0; d < n; ++d) ++col->totals[col->u32[d]];
  } else {
    for (uint32_t d = 0; d < n; ++d) ++col->totals[bin[d]];
  }
  if (!col->u32 && col->bins <= 256) {
    // A dictionary field's bins are its codes: the segment's narrow copy.
    col->u8 = field < 4 ? s.narrow().codes8(static_cast<DictField>(field)) : nullptr;
    if (!col->u8) {
      col->own8.assign(bin.begin(), bin.end());
      col->u8 = col->own8.data();
    }
  } else if (!col->u32 && col->bins <= 65536) {
    col->u16.assign(bin.begin(), bin.end());
  } else if (!col->u32) {  // months spanning over 5,000 years
    col->own = std::move(bin);
    col->u32 = col->own.data();
  }
  slot = std::move(col);
  return *slot;
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

}  // namespace

Status FacetCounter::Count(const std::vector<std::string>& fields, const Bitset& matches,
                           std::vector<FacetCounts>* out) const {
  std::vector<size_t> want;  // indexes into kFacetFields
  for (const std::string& name : fields) {
    const size_t f = FacetFieldIndex(name);
    if (f == std::size(kFacetFields)) {
      return Status::InvalidArgument("unknown facet '" + name +
                                     "' (expected model, language, country, state, toxic, "
                                     "redacted, turns or month)");
    }
    want.push_back(f);
  }
  out->clear();
  if (want.empty()) return Status::OK();
  std::vector<std::map<std::string, uint64_t>> counts(want.size());
  constexpr size_t kBatch = 1024;
  std::array<uint32_t, kBatch> docs;  // local doc numbers
  for (size_t si = 0; si < index_->segments.size(); ++si) {
    const Segment& s = *index_->segments[si];
    const uint32_t base = index_->bases[si];
    std::vector<const BinColumn*> cols;
    std::vector<Histogram> hist;
    // Fields counted by AND and popcount against their bins' bitsets: those
    // with such bitsets when the docs a per-doc walk would visit are many
    // enough (a word operation per bin and 64 docs against an increment per
    // visited doc).
    std::vector<char> by_bits(want.size(), 0);
    std::vector<std::vector<uint64_t>> bit_counts(want.size());
    // (The per-doc walk visits the minority: matching docs, or the others.)
    const uint64_t in_segment = matches.CountInRange(base, base + s.num_docs());
    const uint64_t walked = std::min<uint64_t>(in_segment, s.num_docs() - in_segment);
    bool per_doc = false;
    for (size_t k = 0; k < want.size(); ++k) {
      cols.push_back(&Bins(si, want[k]));
      hist.emplace_back(cols.back()->bins);
      const BinColumn& c = *cols.back();
      by_bits[k] = !c.bin_words.empty() && c.bins * c.words < 2 * walked;
      per_doc = per_doc || !by_bits[k];
      if (!by_bits[k]) continue;
      const uint64_t* m = matches.words().data() + c.first_word;
      bit_counts[k].assign(c.bins, 0);
      for (uint32_t b = 0; b < c.bins; ++b) {
        const uint64_t* w = c.bin_words.data() + b * c.words;
        uint64_t count = 0;
        for (size_t i = 0; i < c.words; ++i) count += std::popcount(m[i] & w[i]);
        bit_counts[k][b] = count;
      }
    }
    size_t n = 0;
    auto count_batch = [&] {
      for (size_t k = 0; k < want.size(); ++k) {
        if (by_bits[k]) continue;
        const BinColumn& c = *cols[k];
        Histogram& h = hist[k];
        if (c.u8) {
          for (size_t i = 0; i < n; ++i) h.Add(i, c.u8[docs[i]]);
        } else if (!c.u16.empty()) {
          for (size_t i = 0; i < n; ++i) h.Add(i, c.u16[docs[i]]);
        } else if (c.u32) {
          for (size_t i = 0; i < n; ++i) h.Add(i, c.u32[docs[i]]);
        }
      }
      n = 0;
    };
    // Over half the segment matching: the rest is counted and taken from
    // the segment's totals (an empty query's facets cost nothing).
    const bool complement =
        per_doc && matches.ForEachMinorityInRange(base, base + s.num_docs(), [&](uint32_t doc) {
          docs[n++] = doc - base;
          if (n == kBatch) count_batch();
        });
    count_batch();
    for (size_t k = 0; k < want.size(); ++k) {
      const size_t f = want[k];
      const Histogram& counted = hist[k];
      const std::vector<uint64_t>& totals = cols[k]->totals;
      const auto h = [&](size_t bin) {
        if (by_bits[k]) return bit_counts[k][bin];
        return complement ? totals[bin] - counted[bin] : counted[bin];
      };
      auto& to = counts[k];
      const std::string_view name = kFacetFields[f];
      if (f < 4) {
        const DictField df = static_cast<DictField>(f);
        std::string scratch;
        for (uint32_t code = 1; code < counted.size(); ++code) {
          if (h(code)) to[std::string(s.dict_value(df, code, &scratch))] += h(code);
        }
      } else if (name == "toxic" || name == "redacted") {
        to["true"] += h(1);
        to["false"] += h(0);
      } else if (name == "turns") {
        for (size_t b = 0; b < kNoTurnBucket; ++b) to[kTurnBuckets[b]] += h(b);
      } else {
        for (size_t m = 0; m + 1 < counted.size(); ++m) {
          if (h(m) == 0) continue;
          const int32_t v = cols[k]->first_month + static_cast<int32_t>(m);
          char buf[16];
          std::snprintf(buf, sizeof(buf), "%04d-%02d", v / 12, v % 12 + 1);
          to[buf] += h(m);
        }
      }
    }
  }
  out->assign(want.size(), FacetCounts());
  for (size_t k = 0; k < want.size(); ++k) SortCounts(counts[k], &(*out)[k]);
  return Status::OK();
}

}  // namespace wildchat
