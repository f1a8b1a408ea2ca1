// Bitset: a dense set of doc numbers [0, size) — the currency of boolean
// query evaluation (1M docs = 125 KB). Bits past size() are always zero.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace wildchat {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(uint32_t size, bool value = false)
      : size_(size), words_((static_cast<size_t>(size) + 63) / 64, value ? ~0ull : 0ull) {
    ClearTail();
  }
  uint32_t size() const { return size_; }
  void Set(uint32_t i) { words_[i >> 6] |= 1ull << (i & 63); }
  void Clear(uint32_t i) { words_[i >> 6] &= ~(1ull << (i & 63)); }
  bool Test(uint32_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  void And(const Bitset& o) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= o.words_[i];
  }
  void Or(const Bitset& o) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= o.words_[i];
  }
  void Flip() {
    for (uint64_t& w : words_) w = ~w;
    ClearTail();
  }
  uint64_t Count() const {
    uint64_t n = 0;
    for (uint64_t w : words_) n += static_cast<uint64_t>(std::popcount(w));
    return n;
  }
  bool Any() const {
    for (uint64_t w : words_) {
      if (w) return true;
    }
    return false;
  }
  // fn(doc) for each member in ascending order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < words_.size(); ++i) ForEachBit(i, words_[i], fn);
  }
  // fn(doc) for each member in [lo, hi) (hi <= size()) in ascending order.
  template <typename Fn>
  void ForEachInRange(uint32_t lo, uint32_t hi, Fn&& fn) const {
    ForEachWordInRange(lo, hi, [&](size_t i, uint64_t w) { ForEachBit(i, w, fn); });
  }
  // fn(doc) for each non-member in [lo, hi) (hi <= size()) in ascending order.
  template <typename Fn>
  void ForEachNotInRange(uint32_t lo, uint32_t hi, Fn&& fn) const {
    ForEachWordInRange(lo, hi,
                       [&](size_t i, uint64_t w) { ForEachBit(i, ~w & RangeMask(i, lo, hi), fn); });
  }
  // Walks the fewer of the members and the non-members of [lo, hi) (hi <=
  // size()), fn(doc) in ascending order: the non-members, returning true,
  // when over half of the range is set; else the members, returning false.
  // Counts over a large set are then a total less the rest's.
  template <typename Fn>
  bool ForEachMinorityInRange(uint32_t lo, uint32_t hi, Fn&& fn) const {
    const bool complement = lo < hi && CountInRange(lo, hi) * 2 > hi - lo;
    if (complement) {
      ForEachNotInRange(lo, hi, fn);
    } else {
      ForEachInRange(lo, hi, fn);
    }
    return complement;
  }
  // Members in [lo, hi) (hi <= size()).
  uint64_t CountInRange(uint32_t lo, uint32_t hi) const {
    uint64_t n = 0;
    ForEachWordInRange(lo, hi, [&](size_t, uint64_t w) { n += std::popcount(w); });
    return n;
  }
  // Sets each i in [lo, hi) (hi <= size()) for which pred(size_t i) holds: one word
  // store per 64 tests and no branch per test, so unpredictable predicates
  // (a filter matching half the docs) cost no mispredictions. A whole word's
  // tests go to 64 bytes first (a loop compilers vectorize when pred is a
  // plain column test), packed into bits 16 at a time.
  template <typename Pred>
  void SetWhere(uint32_t lo, uint32_t hi, Pred&& pred) {
    uint32_t i = lo;
    while (i < hi) {
      const uint32_t stop =
          static_cast<uint32_t>(std::min<uint64_t>(hi, (static_cast<uint64_t>(i) | 63) + 1));
      if ((i & 63) == 0 && stop - i == 64) {
        alignas(16) uint8_t tests[64];
        // (A 64-bit index: 32-bit sums could wrap, so the compiler could
        // not load consecutive docs' values as one vector.)
        for (uint32_t k = 0; k < 64; ++k) tests[k] = pred(size_t{i} + k) ? 1 : 0;
        words_[i >> 6] |= PackBytes(tests);
        i = stop;
        continue;
      }
      uint64_t bits = 0;
      for (; i < stop; ++i) bits |= static_cast<uint64_t>(pred(size_t{i}) ? 1 : 0) << (i & 63);
      words_[(i - 1) >> 6] |= bits;
    }
  }
  const std::vector<uint64_t>& words() const { return words_; }

  // Sets docs given in (mostly) ascending order, gathering the bits of one
  // word in a register: one store per word instead of a read-modify-write
  // of memory per doc, which chains on store forwarding when docs are dense.
  // Any order is correct; the bits reach the set at Flush() (or when the
  // appender is destroyed).
  class Appender {
   public:
    explicit Appender(Bitset* set) : set_(set) {}
    ~Appender() { Flush(); }
    Appender(const Appender&) = delete;
    Appender& operator=(const Appender&) = delete;
    void Add(uint32_t i) {
      const size_t w = i >> 6;
      if (w != word_) {
        Flush();
        word_ = w;
      }
      bits_ |= 1ull << (i & 63);
    }
    // Add(base + docs[i]) for i < n, with the state in registers for the
    // whole run (as members, it is stored and reloaded per doc).
    void AddAll(uint32_t base, const uint32_t* docs, uint32_t n) {
      uint64_t* words = set_->words_.data();
      size_t word = word_;
      uint64_t bits = bits_;
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t d = base + docs[i];
        const size_t w = d >> 6;
        if (w != word) {
          if (bits) words[word] |= bits;
          bits = 0;
          word = w;
        }
        bits |= 1ull << (d & 63);
      }
      word_ = word;
      bits_ = bits;
    }
    void Flush() {
      if (bits_) set_->words_[word_] |= bits_;
      bits_ = 0;
    }

   private:
    Bitset* set_;
    size_t word_ = 0;
    uint64_t bits_ = 0;
  };

 private:
  // The bits of word i inside [lo, hi).
  static uint64_t RangeMask(size_t i, uint32_t lo, uint32_t hi) {
    uint64_t m = ~0ull;
    if (i == (lo >> 6)) m &= ~0ull << (lo & 63);
    if (i == ((static_cast<size_t>(hi) - 1) >> 6) && (hi & 63) != 0) m &= (1ull << (hi & 63)) - 1;
    return m;
  }
  // fn(i, word i's members inside [lo, hi)) for each word overlapping it.
  template <typename Fn>
  void ForEachWordInRange(uint32_t lo, uint32_t hi, Fn&& fn) const {
    if (lo >= hi) return;
    const size_t first = lo >> 6, last = (static_cast<size_t>(hi) - 1) >> 6;
    for (size_t i = first; i <= last; ++i) fn(i, words_[i] & RangeMask(i, lo, hi));
  }
  // fn(doc) for each set bit of w, word i.
  template <typename Fn>
  static void ForEachBit(size_t i, uint64_t w, Fn& fn) {
    while (w) {
      fn(static_cast<uint32_t>(i * 64 + static_cast<size_t>(std::countr_zero(w))));
      w &= w - 1;
    }
  }
  // Bit k set iff bytes[k] (each 0 or 1) is 1.
  static uint64_t PackBytes(const uint8_t* bytes) {
#ifdef __SSE2__
    uint64_t bits = 0;
    for (int c = 0; c < 4; ++c) {
      const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes + 16 * c));
      const uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(_mm_slli_epi16(v, 7)));
      bits |= static_cast<uint64_t>(m) << (16 * c);
    }
    return bits;
#else
    uint64_t bits = 0;
    for (int k = 0; k < 64; ++k) bits |= static_cast<uint64_t>(bytes[k]) << k;
    return bits;
#endif
  }
  void ClearTail() {
    if (size_ % 64 != 0 && !words_.empty()) words_.back() &= (1ull << (size_ % 64)) - 1;
  }
  uint32_t size_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace wildchat
