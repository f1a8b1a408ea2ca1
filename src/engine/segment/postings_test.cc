#include "engine/segment/postings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace wildchat {
namespace {

struct Posting {
  uint32_t doc;
  std::vector<uint32_t> positions;
};

std::vector<Posting> RandomList(std::mt19937& rng, size_t df, uint32_t max_gap, uint32_t max_tf) {
  std::vector<Posting> out;
  uint32_t doc = rng() % 3;
  for (size_t i = 0; i < df; ++i) {
    Posting p;
    p.doc = doc;
    const uint32_t tf = 1 + rng() % max_tf;
    uint32_t pos = rng() % 50;
    for (uint32_t k = 0; k < tf; ++k) {
      p.positions.push_back(pos);
      pos += 1 + (rng() % 50 == 0 ? rng() % 1000000 : rng() % 300);  // some exceptions
    }
    out.push_back(p);
    doc += 1 + rng() % max_gap;
  }
  return out;
}

// sealed: with the tail rewritten as TailCoding::kPatched (as segments are written).
PostingWriter Write(const std::vector<Posting>& list, bool sealed = true) {
  PostingWriter w;
  for (const Posting& p : list) {
    w.Add(p.doc, p.positions.data(), static_cast<uint32_t>(p.positions.size()));
  }
  if (sealed) w.Seal();
  return w;
}

uint32_t NumDocs(const std::vector<Posting>& list) {
  return list.empty() ? 1 : list.back().doc + 1;
}

// Both tail codings, with tails of every kind: none, too short to pack
// (below kPatchedTailDocs), just long enough, and long.
TEST(PostingsTest, NextAndPositionsRoundTrip) {
  std::mt19937 rng(1);
  for (size_t df : {0, 1, 3, 4, 5, 127, 128, 129, 131, 132, 256, 1000, 5000}) {
    for (uint32_t max_gap : {1u, 7u, 100000u}) {
      for (bool sealed : {false, true}) {
        const auto list = RandomList(rng, df, max_gap, max_gap == 1 ? 40 : 3);
        const PostingWriter w = Write(list, sealed);
        ASSERT_EQ(w.df(), df);
        ASSERT_EQ(w.tail_coding(), sealed ? TailCoding::kPatched : TailCoding::kVarints);
        PostingCursor c = w.Cursor(NumDocs(list));
        std::vector<uint32_t> pos;
        for (size_t i = 0; i < list.size(); ++i) {
          ASSERT_TRUE(c.Next()) << df << " " << i;
          EXPECT_EQ(c.doc(), list[i].doc);
          EXPECT_EQ(c.tf(), list[i].positions.size());
          if (i % 3 != 1) {  // leave some positions unread: Next must skip them
            c.ReadPositions(&pos);
            EXPECT_EQ(pos, list[i].positions) << df << " " << i;
          }
        }
        EXPECT_FALSE(c.Next());
        EXPECT_FALSE(c.corrupt());
      }
    }
  }
}

// A patched tail reads its docs, counts and positions back at every width,
// the widest gap, tf and position a stream can hold included, and with
// exceptions (a few values far wider than the rest).
TEST(PostingsTest, PatchedTailsRoundTripAtEveryWidth) {
  std::mt19937_64 rng(5);
  for (int w = 0; w <= 32; ++w) {
    for (uint32_t n : {kPatchedTailDocs, 37u, kPostingBlockDocs - 1}) {
      const uint64_t top = w == 0 ? 0 : (w == 32 ? 0xFFFFFFFEull : (1ull << w) - 1);
      std::vector<Posting> list;
      uint64_t doc = 0;
      for (uint32_t k = 0; k < kPostingBlockDocs + n; ++k) {
        uint64_t gap = w == 0 ? 0 : rng() % (std::min<uint64_t>(top, 1000) + 1);
        if (k == kPostingBlockDocs + 1) gap = w == 32 ? 0xF0000000ull : top;
        doc = k == 0 ? gap : doc + gap + 1;
        Posting p{static_cast<uint32_t>(doc), {}};
        const uint32_t tf = k == kPostingBlockDocs + 2 ? 70 : 1 + static_cast<uint32_t>(rng() % 3);
        uint64_t pos = k % 5 == 0 ? top : rng() % 100;
        for (uint32_t t = 0; t < tf && pos <= 0xFFFFFFFFull; ++t) {
          p.positions.push_back(static_cast<uint32_t>(pos));
          pos += 1 + (t == 3 ? (top >> 1) : rng() % 20);
        }
        list.push_back(p);
      }
      const PostingWriter writer = Write(list);
      PostingCursor c = writer.Cursor(NumDocs(list));
      std::vector<uint32_t> pos;
      for (const Posting& p : list) {
        ASSERT_TRUE(c.Next()) << "width " << w << " tail " << n;
        ASSERT_EQ(c.doc(), p.doc) << "width " << w << " tail " << n;
        ASSERT_EQ(c.tf(), p.positions.size()) << "width " << w << " tail " << n;
        c.ReadPositions(&pos);
        ASSERT_EQ(pos, p.positions) << "width " << w << " tail " << n;
      }
      EXPECT_FALSE(c.Next());
      EXPECT_FALSE(c.corrupt()) << "width " << w << " tail " << n;
    }
  }
}

// Rare words' lists are all tail: packed, they take fewer bytes than varints.
TEST(PostingsTest, PatchedTailsAreSmallerThanVarints) {
  std::mt19937 rng(6);
  uint64_t varint_bytes = 0, patched_bytes = 0;
  for (int t = 0; t < 200; ++t) {
    const auto list = RandomList(rng, 8 + rng() % 100, 20000, 2);
    const PostingWriter plain = Write(list, false), sealed = Write(list, true);
    varint_bytes += plain.docs().size() + plain.positions().size();
    patched_bytes += sealed.docs().size() + sealed.positions().size();
  }
  EXPECT_LT(patched_bytes, varint_bytes * 3 / 4);
}

// Full blocks at every bit width of doc gaps and of tf − 1 (0 to 32, the
// widest gap and tf the stream can hold included) decode to what was added.
TEST(PostingsTest, FullBlocksRoundTripAtEveryWidth) {
  std::mt19937_64 rng(4);
  for (int w = 0; w <= 32; ++w) {
    const uint64_t top = w == 0 ? 0 : (w == 32 ? 0xFFFFFFFEull : (1ull << w) - 1);
    std::vector<std::pair<uint32_t, uint32_t>> want;  // (doc, tf)
    uint64_t doc = 0;
    for (uint32_t k = 0; k < 2 * kPostingBlockDocs + 5; ++k) {
      // Gaps (doc − previous − 1) of at most w bits, one of them the widest;
      // with w = 32 one gap takes nearly the whole doc range.
      uint64_t gap = w == 0 ? 0 : rng() % (std::min<uint64_t>(top, 1000) + 1);
      if (k == 7) gap = w == 32 ? 0xF0000000ull : top;
      doc = k == 0 ? gap : doc + gap + 1;
      const uint64_t tf_minus_1 = k == 9 ? top : (w == 0 ? 0 : rng() % (top + 1));
      want.emplace_back(static_cast<uint32_t>(doc), static_cast<uint32_t>(tf_minus_1 + 1));
    }
    PostingWriter writer(false);
    for (const auto& [d, tf] : want) writer.Add(d, nullptr, tf);
    writer.Seal();
    PostingCursor c = writer.Cursor(want.back().first + 1);
    for (const auto& [d, tf] : want) {
      ASSERT_TRUE(c.Next()) << "width " << w;
      ASSERT_EQ(c.doc(), d) << "width " << w;
      ASSERT_EQ(c.tf(), tf) << "width " << w;
    }
    EXPECT_FALSE(c.Next());
    EXPECT_FALSE(c.corrupt()) << "width " << w;
  }
}

// The whole-list walk yields exactly the docs Next() has not yet visited,
// wherever it starts (before any doc, inside a block, on a block edge, in the
// tail, at the end), and leaves the cursor at the end.
TEST(PostingsTest, ForEachRemainingYieldsTheRestOfTheList) {
  std::mt19937 rng(3);
  for (size_t df : {0, 1, 127, 128, 129, 300, 1000}) {
    const auto list = RandomList(rng, df, 9, 6);
    const PostingWriter w = Write(list);
    for (size_t start : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{129}, df / 2, df}) {
      if (start > df) continue;
      PostingCursor c = w.Cursor(NumDocs(list));
      for (size_t i = 0; i < start; ++i) ASSERT_TRUE(c.Next());
      std::vector<std::pair<uint32_t, uint32_t>> got, want;
      c.ForEachRemaining([&](uint32_t d, uint32_t tf) { got.emplace_back(d, tf); });
      for (size_t i = start; i < list.size(); ++i) {
        want.emplace_back(list[i].doc, static_cast<uint32_t>(list[i].positions.size()));
      }
      EXPECT_EQ(got, want) << "df " << df << " start " << start;
      EXPECT_FALSE(c.Next());
      EXPECT_FALSE(c.corrupt());
    }
  }
}

TEST(PostingsTest, AdvanceFindsFirstDocAtOrAfterTarget) {
  std::mt19937 rng(2);
  const auto list = RandomList(rng, 3000, 20, 4);
  const PostingWriter w = Write(list);
  const uint32_t n = NumDocs(list);
  for (int trial = 0; trial < 200; ++trial) {
    PostingCursor c = w.Cursor(n);
    std::vector<uint32_t> pos;
    size_t i = 0;
    uint32_t target = 0;
    size_t read = list.size();  // the doc whose positions were read (once only)
    while (true) {
      target += rng() % (trial % 2 ? 5000 : 30);
      while (i < list.size() && list[i].doc < target) ++i;
      const bool found = c.Advance(target);
      ASSERT_EQ(found, i < list.size()) << trial << " " << target;
      if (!found) break;
      EXPECT_EQ(c.doc(), list[i].doc);
      EXPECT_EQ(c.tf(), list[i].positions.size());
      if (rng() % 2 && read != i) {
        c.ReadPositions(&pos);
        EXPECT_EQ(pos, list[i].positions);
        read = i;
      }
      if (rng() % 3 == 0) {
        ASSERT_EQ(c.Next(), i + 1 < list.size());
        if (++i == list.size()) break;
        EXPECT_EQ(c.doc(), list[i].doc);
        target = c.doc();
      }
    }
    EXPECT_FALSE(c.corrupt());
  }
}

TEST(PostingsTest, StreamsWithoutPositionsKeepDocsAndCounts) {
  std::mt19937 rng(4);
  for (size_t df : {1, 128, 129, 140, 3000}) {
    const auto list = RandomList(rng, df, 20, 9);
    PostingWriter w(false);
    for (const Posting& p : list) w.Add(p.doc, nullptr, static_cast<uint32_t>(p.positions.size()));
    w.Seal();
    EXPECT_TRUE(w.positions().empty());
    PostingCursor all = w.Cursor(NumDocs(list));
    for (const Posting& p : list) {
      ASSERT_TRUE(all.Next());
      EXPECT_EQ(all.doc(), p.doc);
      EXPECT_EQ(all.tf(), p.positions.size());
    }
    EXPECT_FALSE(all.Next());
    EXPECT_FALSE(all.corrupt());
    // Advance passes whole blocks on skip entries whose position length is 0.
    PostingCursor skip = w.Cursor(NumDocs(list));
    for (size_t i = 0; i < list.size(); i += 1 + rng() % 300) {
      ASSERT_TRUE(skip.Advance(list[i].doc));
      EXPECT_EQ(skip.doc(), list[i].doc);
      EXPECT_EQ(skip.tf(), list[i].positions.size());
    }
    EXPECT_FALSE(skip.corrupt());
  }
}

TEST(PostingsTest, FrequentTermsPackSmallerThanVarints) {
  std::vector<Posting> list;
  for (uint32_t d = 0; d < 12800; ++d) list.push_back({d, {d % 5}});
  const PostingWriter w = Write(list);
  // Gaps 0 and tf 1 need no bits: a block is a skip entry and two width bytes.
  EXPECT_LT(w.docs().size(), 100u * 8);
}

// A full block's widths fit most of its values: one far longer gap and one
// far larger tf become exceptions instead of widening all 128.
TEST(PostingsTest, FullBlocksKeepOutliersOutOfTheWidth) {
  PostingWriter w(false);
  uint32_t doc = 0;
  for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
    doc += k == 50 ? 1000000 : 1 + k % 3;
    w.Add(doc, nullptr, k == 90 ? 5000 : 1 + k % 2);
  }
  w.Seal();
  // Widths 2 (gaps 0..2) and 1 (tf − 1 0..1): 48 bytes of bits; at the
  // outliers' widths (20 and 13) it would be 528.
  EXPECT_LT(w.docs().size(), 80u);
  PostingCursor c = w.Cursor(doc + 1);
  doc = 0;
  for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
    doc += k == 50 ? 1000000 : 1 + k % 3;
    ASSERT_TRUE(c.Next());
    EXPECT_EQ(c.doc(), doc);
    EXPECT_EQ(c.tf(), k == 90 ? 5000u : 1 + k % 2);
  }
  EXPECT_FALSE(c.Next());
  EXPECT_FALSE(c.corrupt());
}

TEST(PostingsTest, CorruptStreamsAreRejectedNotCrashed) {
  std::mt19937 rng(3);
  const auto list = RandomList(rng, 700, 9, 6);
  for (bool sealed : {false, true}) {
    const PostingWriter w = Write(list, sealed);
    int flagged = 0;
    for (int i = 0; i < 2000; ++i) {
      std::string docs = w.docs(), positions = w.positions();
      uint32_t df = w.df();
      switch (i % 4) {
        case 0:
          for (int k = 0; k < 3; ++k) docs[rng() % docs.size()] = static_cast<char>(rng());
          break;
        case 1:
          for (int k = 0; k < 3; ++k) {
            positions[rng() % positions.size()] = static_cast<char>(rng());
          }
          break;
        case 2:
          docs.resize(rng() % docs.size());
          positions.resize(rng() % positions.size());
          break;
        default:
          df = rng() % 2000;
          break;
      }
      PostingCursor c(docs, positions, df, NumDocs(list), w.tail_coding());
      std::vector<uint32_t> pos;
      size_t steps = 0;
      while ((i % 8 < 4) ? c.Next() : c.Advance(c.doc() + 1 + rng() % 40)) {
        ASSERT_LT(c.doc(), NumDocs(list));
        c.ReadPositions(&pos);
        ASSERT_LE(++steps, 2000u);
      }
      if (c.corrupt()) ++flagged;
    }
    EXPECT_GT(flagged, 500) << "sealed " << sealed;
  }
}

}  // namespace
}  // namespace wildchat
