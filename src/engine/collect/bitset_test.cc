#include "engine/collect/bitset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace wildchat {
namespace {

// SetWhere against setting bit by bit, for ranges starting and ending inside
// words, on words, in the last partial word, and empty ones; bits already set
// (inside and outside the range) stay set.
TEST(BitsetTest, SetWhereSetsExactlyThePredicatesDocs) {
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    const uint32_t size = 1 + rng() % 700;
    const uint32_t lo = rng() % (size + 1);
    const uint32_t hi = lo + rng() % (size - lo + 1);
    std::vector<bool> pred(size), before(size);
    for (uint32_t i = 0; i < size; ++i) {
      pred[i] = rng() % 3 == 0;
      before[i] = rng() % 5 == 0;
    }
    Bitset got(size), want(size);
    for (uint32_t i = 0; i < size; ++i) {
      if (before[i]) {
        got.Set(i);
        want.Set(i);
      }
    }
    for (uint32_t i = lo; i < hi; ++i) {
      if (pred[i]) want.Set(i);
    }
    std::vector<uint32_t> asked;
    got.SetWhere(lo, hi, [&](size_t i) {
      asked.push_back(static_cast<uint32_t>(i));
      return static_cast<bool>(pred[i]);
    });
    ASSERT_EQ(got.words(), want.words()) << "size " << size << " [" << lo << ", " << hi << ")";
    ASSERT_EQ(asked.size(), hi - lo);
    for (size_t k = 0; k < asked.size(); ++k) ASSERT_EQ(asked[k], lo + k);
  }
}

// The appender against Set: ascending runs (dense and sparse), docs out of
// order and repeated, runs added at once (AddAll, mixed with single docs), bits already in the set,
// an explicit Flush followed by more docs; everything is in the set once the appender is gone.
TEST(BitsetTest, AppenderSetsWhatSetWould) {
  std::mt19937 rng(6);
  for (int round = 0; round < 300; ++round) {
    const uint32_t size = 1 + rng() % 2000;
    Bitset got(size), want(size);
    for (uint32_t i = 0; i < size; i += 1 + rng() % 50) {
      got.Set(i);
      want.Set(i);
    }
    std::vector<uint32_t> docs;
    const int shape = round % 3;
    for (uint32_t i = 0; i < size; i += 1 + rng() % (shape == 0 ? 3 : 200)) docs.push_back(i);
    if (shape == 2) std::shuffle(docs.begin(), docs.end(), rng);
    {
      Bitset::Appender app(&got);
      for (size_t k = 0; k < docs.size(); ++k) {
        if (k % 5 == 1) {  // a run of docs at once, given relative to a base
          const uint32_t n = static_cast<uint32_t>(std::min<size_t>(docs.size() - k, rng() % 90));
          const uint32_t base =
              n == 0 ? 0 : *std::min_element(docs.begin() + k, docs.begin() + k + n) / 2;
          std::vector<uint32_t> run;
          for (uint32_t i = 0; i < n; ++i) {
            run.push_back(docs[k + i] - base);
            want.Set(docs[k + i]);
          }
          app.AddAll(base, run.data(), n);
          if (n > 0) k += n - 1;
          continue;
        }
        app.Add(docs[k]);
        want.Set(docs[k]);
        if (k % 7 == 3) app.Add(docs[k]);
        if (k == docs.size() / 2) app.Flush();
      }
    }
    ASSERT_EQ(got.words(), want.words()) << "round " << round;
  }
}

// Members, non-members and counts of a range against a brute-force scan, for
// ranges inside one word, across words, ending at the set's size and empty.
TEST(BitsetTest, RangeWalksAndCountsMatchAScan) {
  std::mt19937 rng(8);
  for (int round = 0; round < 300; ++round) {
    const uint32_t size = 1 + rng() % 700;
    Bitset set(size);
    std::vector<bool> in(size);
    for (uint32_t i = 0; i < size; ++i) {
      in[i] = rng() % (round % 3 + 2) == 0;
      if (in[i]) set.Set(i);
    }
    const uint32_t lo = rng() % (size + 1);
    const uint32_t hi = lo + rng() % (size - lo + 1);
    std::vector<uint32_t> members, others, want_members, want_others;
    set.ForEachInRange(lo, hi, [&](uint32_t d) { members.push_back(d); });
    set.ForEachNotInRange(lo, hi, [&](uint32_t d) { others.push_back(d); });
    for (uint32_t i = lo; i < hi; ++i) (in[i] ? want_members : want_others).push_back(i);
    ASSERT_EQ(members, want_members) << "size " << size << " [" << lo << ", " << hi << ")";
    ASSERT_EQ(others, want_others) << "size " << size << " [" << lo << ", " << hi << ")";
    ASSERT_EQ(set.CountInRange(lo, hi), want_members.size());
    std::vector<uint32_t> minority;
    const bool walked_others =
        set.ForEachMinorityInRange(lo, hi, [&](uint32_t d) { minority.push_back(d); });
    ASSERT_EQ(walked_others, want_members.size() * 2 > hi - lo);
    ASSERT_EQ(minority, walked_others ? want_others : want_members);
  }
}

}  // namespace
}  // namespace wildchat
