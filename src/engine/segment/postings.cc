#include "engine/segment/postings.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <utility>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace wildchat {
namespace {

// The kPostingBlockDocs values of a full block packed at B bits (16·B bytes
// at in), with shifts and masks known at compile time. Up to 8 bits, eight
// values fill exactly B bytes: one load gives eight independent extractions.
// Wider values are read from a copy with 8 bytes of slack so that every value
// is one unaligned load.
template <int B>
void UnpackBlock(const char* in, uint32_t* out) {
  constexpr uint64_t kMask = B == 32 ? 0xFFFFFFFFull : (1ull << B) - 1;
  if constexpr (B <= 8) {
    for (uint32_t j = 0; j < kPostingBlockDocs / 8; ++j) {
      uint64_t w = 0;
      std::memcpy(&w, in + j * B, B);
      for (uint32_t k = 0; k < 8; ++k)
        out[8 * j + k] = static_cast<uint32_t>((w >> (k * B)) & kMask);
    }
    return;
  }
  uint8_t buf[16 * B + 8] = {};
  std::memcpy(buf, in, 16 * B);
  for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
    uint64_t w;
    std::memcpy(&w, buf + (k * B) / 8, 8);
    out[k] = static_cast<uint32_t>((w >> ((k * B) % 8)) & kMask);
  }
}

template <int... B>
constexpr auto MakeUnpackers(std::integer_sequence<int, B...>) {
  return std::array<void (*)(const char*, uint32_t*), sizeof...(B)>{&UnpackBlock<B>...};
}
// Indexed by width 1..32 (entry 0 unused: width 0 is all zeros).
constexpr auto kUnpackBlock = MakeUnpackers(std::make_integer_sequence<int, 33>{});

// v[k] = start + v[0] + ... + v[k] + k (gaps to docs: each doc is one past
// the previous plus its gap), modulo 2^32; exact when the caller has checked
// that the last one fits.
void GapsToDocs(uint32_t* v, uint32_t start) {
#ifdef __SSE2__
  // Four lanes at a time: a prefix sum within the lanes (two shifted adds),
  // then the previous lanes' last sum added to all four.
  const __m128i one = _mm_set1_epi32(1);
  __m128i carry = _mm_set1_epi32(static_cast<int>(start - 1));
  for (uint32_t k = 0; k < kPostingBlockDocs; k += 4) {
    __m128i x = _mm_add_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + k)), one);
    x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
    x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
    x = _mm_add_epi32(x, carry);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(v + k), x);
    carry = _mm_shuffle_epi32(x, 0xFF);
  }
#else
  uint32_t d = start - 1;
  for (uint32_t k = 0; k < kPostingBlockDocs; ++k) v[k] = d += v[k] + 1;
#endif
}

void UnpackFullBlock(std::string_view in, int bits, uint32_t* out) {
  if (bits == 0) {
    std::memset(out, 0, kPostingBlockDocs * sizeof(uint32_t));
    return;
  }
  kUnpackBlock[static_cast<size_t>(bits)](in.data(), out);
}

// The width b of a patched run of v: the one that minimises the bytes,
// counting a value wider than b (an exception) as about a varint plus one byte.
int PatchedWidth(const uint32_t* v, size_t n) {
  std::array<uint64_t, 33> at_width{};
  for (size_t k = 0; k < n; ++k) ++at_width[BitWidth32(v[k])];
  int best = 32;
  uint64_t best_cost = UINT64_MAX;
  for (int b = 0; b <= 32; ++b) {
    uint64_t cost = (n * b + 7) / 8;
    for (int w = b + 1; w <= 32; ++w) cost += at_width[w] * (2 + (w - b) / 7);
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
  }
  return best;
}

// How many of v's values are exceptions at width b (wider than b bits).
uint64_t ExceptionCount(const uint32_t* v, size_t n, int b) {
  const uint64_t limit = 1ull << b;  // above every uint32_t at width 32
  return static_cast<uint64_t>(std::count_if(v, v + n, [&](uint32_t x) { return x >= limit; }));
}

// v's exceptions at width b: per exception varint (index − previous
// exception's index) and varint (value >> b).
void PutExceptionList(std::string* out, const uint32_t* v, size_t n, int b) {
  const uint64_t limit = 1ull << b;
  size_t prev = 0;
  for (size_t k = 0; k < n; ++k) {
    if (v[k] < limit) continue;
    PutVarint(out, k - prev);
    PutVarint(out, v[k] >> b);
    prev = k;
  }
}

// Reads a list PutExceptionList wrote of `count` exceptions among n values at
// width b, calling fn(index, value >> b) in ascending index order (an index
// may repeat in a malformed list); false if malformed.
template <typename Fn>
bool ReadExceptionList(ByteReader* r, uint64_t count, uint64_t n, int b, Fn&& fn) {
  if (count > n || (b == 32 && count > 0)) return false;
  uint64_t k = 0;
  for (uint64_t e = 0; e < count; ++e) {
    k += r->Varint();
    const uint64_t high = r->Varint();
    if (r->failed() || k >= n || high > (0xFFFFFFFFull >> b)) return false;
    fn(static_cast<uint32_t>(k), static_cast<uint32_t>(high));
  }
  return true;
}

// Reads a varint count and then a list PutExceptionList wrote, for n values
// unpacked at width b into values: each exception's high bits are ORed in.
bool PatchExceptions(ByteReader* r, uint64_t n, int b, uint32_t* values) {
  return ReadExceptionList(r, r->Varint(), n, b,
                           [&](uint32_t k, uint32_t high) { values[k] |= high << b; });
}

// Patched frame-of-reference: width byte b, varint count of exceptions,
// every value's low b bits packed, then the exceptions (PutExceptionList).
void PutPatched(std::string* out, const std::vector<uint32_t>& v) {
  const int b = PatchedWidth(v.data(), v.size());
  out->push_back(static_cast<char>(b));
  PutVarint(out, ExceptionCount(v.data(), v.size(), b));
  PutPacked(out, v.data(), v.size(), b);
  PutExceptionList(out, v.data(), v.size(), b);
}

// Set in a full block's gap width byte when exceptions follow its packed bits.
constexpr uint8_t kFullBlockPatched = 0x80;

// A full block's header, from its skip entry to the end of its doc bytes.
struct FullBlock {
  uint64_t span = 0, pos_bytes = 0;
  uint8_t gap_width = 0, tf_width = 0;
  std::string_view gaps, tfs, exceptions;  // exceptions: empty when there are none
};
// Reads one from r; false if malformed.
bool ReadFullBlock(ByteReader* r, FullBlock* b) {
  b->span = r->Varint();
  b->pos_bytes = r->Varint();
  const uint8_t g = r->Byte();
  b->tf_width = r->Byte();
  b->gap_width = g & ~kFullBlockPatched;
  if (r->failed() || b->gap_width > 32 || b->tf_width > 32) return false;
  b->gaps = r->Bytes(16u * b->gap_width);
  b->tfs = r->Bytes(16u * b->tf_width);
  b->exceptions = {};
  if (g & kFullBlockPatched) b->exceptions = r->Bytes(r->Varint());
  return !r->failed();
}

// Parses what PutPatched wrote for n values without unpacking them; false
// if malformed. The caller bounds n by the bytes available.
bool ParsePatched(ByteReader* r, uint64_t n, std::string_view* packed, int* width,
                  std::vector<std::pair<uint32_t, uint32_t>>* exceptions) {
  const uint8_t b = r->Byte();
  const uint64_t count = r->Varint();
  if (r->failed() || b > 32) return false;
  *packed = r->Bytes((n * b + 7) / 8);
  *width = b;
  exceptions->clear();
  return ReadExceptionList(r, count, n, b,
                           [&](uint32_t k, uint32_t high) {
                             if (!exceptions->empty() && exceptions->back().first == k) {
                               exceptions->back().second |= high;
                             } else {
                               exceptions->emplace_back(k, high);
                             }
                           }) &&
         !r->failed();
}

}  // namespace

void PostingCursor::PatchedRun::Read(uint64_t from, uint32_t n, uint32_t* out) const {
  UnpackBits(packed, out, n, width, from);
  auto it = std::lower_bound(exceptions.begin(), exceptions.end(),
                             std::make_pair(static_cast<uint32_t>(from), 0u));
  for (; it != exceptions.end() && it->first < from + n; ++it) {
    out[it->first - from] |= it->second << width;
  }
}

void PostingWriter::Add(uint32_t doc, const uint32_t* positions, uint32_t tf) {
  assert(!sealed_);
  if (df_ % kPostingBlockDocs == 0) {
    open_docs_at_ = docs_.size();
    open_pos_at_ = positions_.size();
  }
  PutVarint(&docs_, df_ == 0 ? doc : doc - last_doc_ - 1);
  PutVarint(&docs_, tf);
  uint32_t prev = 0;
  for (uint32_t k = 0; with_positions_ && k < tf; ++k) {
    PutVarint(&positions_, positions[k] - prev);
    prev = positions[k];
  }
  last_doc_ = doc;
  ++df_;
  if (df_ % kPostingBlockDocs == 0) CloseBlock();
}

// Re-encodes the open block's varint pairs as a skip entry and packed bits.
void PostingWriter::CloseBlock() {
  std::array<uint32_t, kPostingBlockDocs> gaps, tfs;
  ByteReader r(std::string_view(docs_).substr(open_docs_at_));
  for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
    gaps[k] = static_cast<uint32_t>(r.Varint());
    tfs[k] = static_cast<uint32_t>(r.Varint()) - 1;
  }
  docs_.resize(open_docs_at_);
  const std::string pos_block = PackOpenPositions(tfs.data(), kPostingBlockDocs);
  const uint64_t base = df_ == kPostingBlockDocs ? 0 : static_cast<uint64_t>(block_last_) + 1;
  PutVarint(&docs_, last_doc_ + 1 - base);
  PutVarint(&docs_, pos_block.size());
  const int gw = PatchedWidth(gaps.data(), kPostingBlockDocs);
  const int tw = PatchedWidth(tfs.data(), kPostingBlockDocs);
  const uint64_t gap_exceptions = ExceptionCount(gaps.data(), kPostingBlockDocs, gw);
  const uint64_t tf_exceptions = ExceptionCount(tfs.data(), kPostingBlockDocs, tw);
  const bool patched = gap_exceptions + tf_exceptions > 0;
  docs_.push_back(static_cast<char>(gw | (patched ? kFullBlockPatched : 0)));
  docs_.push_back(static_cast<char>(tw));
  PutPacked(&docs_, gaps.data(), kPostingBlockDocs, gw);
  PutPacked(&docs_, tfs.data(), kPostingBlockDocs, tw);
  if (patched) {
    std::string exceptions;
    PutVarint(&exceptions, gap_exceptions);
    PutExceptionList(&exceptions, gaps.data(), kPostingBlockDocs, gw);
    PutVarint(&exceptions, tf_exceptions);
    PutExceptionList(&exceptions, tfs.data(), kPostingBlockDocs, tw);
    PutVarint(&docs_, exceptions.size());
    docs_ += exceptions;
  }
  block_last_ = last_doc_;
}

// Each doc's first position apart from the gaps after it: they differ in size.
std::string PostingWriter::PackOpenPositions(const uint32_t* tfs_minus_1, uint32_t n) {
  std::string out;
  if (!with_positions_) return out;
  std::vector<uint32_t> firsts, gaps_after;
  ByteReader pr(std::string_view(positions_).substr(open_pos_at_));
  for (uint32_t k = 0; k < n; ++k) {
    firsts.push_back(static_cast<uint32_t>(pr.Varint()));
    for (uint32_t t = 0; t < tfs_minus_1[k]; ++t) {
      gaps_after.push_back(static_cast<uint32_t>(pr.Varint()));
    }
  }
  positions_.resize(open_pos_at_);
  PutPatched(&out, firsts);
  PutPatched(&out, gaps_after);
  positions_ += out;
  return out;
}

void PostingWriter::Seal() {
  if (sealed_) return;
  sealed_ = true;
  const uint32_t n = df_ % kPostingBlockDocs;
  if (n < kPatchedTailDocs) return;
  std::vector<uint32_t> gaps(n), tfs(n);
  ByteReader r(std::string_view(docs_).substr(open_docs_at_));
  for (uint32_t k = 0; k < n; ++k) {
    gaps[k] = static_cast<uint32_t>(r.Varint());
    tfs[k] = static_cast<uint32_t>(r.Varint()) - 1;
  }
  docs_.resize(open_docs_at_);
  PutPatched(&docs_, gaps);
  PutPatched(&docs_, tfs);
  PackOpenPositions(tfs.data(), n);
}

PostingCursor PostingWriter::Cursor(uint32_t num_docs) const {
  return PostingCursor(docs_, positions_, df_, num_docs, tail_coding());
}

bool PostingCursor::Fail() {
  corrupt_ = true;
  left_ = 0;
  n_ = i_ = 0;
  positions_pending_ = false;
  return false;
}

bool PostingCursor::LoadBlock() {
  if (left_ == 0) return false;
  const uint64_t base = started_ ? static_cast<uint64_t>(block_last_) + 1 : 0;
  if (left_ >= kPostingBlockDocs) {
    FullBlock b;
    if (!ReadFullBlock(&docs_, &b)) return Fail();
    const uint64_t span = b.span;
    block_pos_ = ByteReader(pos_.Bytes(b.pos_bytes));
    if (pos_.failed()) return Fail();
    UnpackFullBlock(b.gaps, b.gap_width, docs_buf_.data());
    UnpackFullBlock(b.tfs, b.tf_width, tfs_buf_.data());
    if (!b.exceptions.empty()) {
      ByteReader e(b.exceptions);
      if (!PatchExceptions(&e, kPostingBlockDocs, b.gap_width, docs_buf_.data()) ||
          !PatchExceptions(&e, kPostingBlockDocs, b.tf_width, tfs_buf_.data()) || !e.done() ||
          e.failed()) {
        return Fail();
      }
    }
    // Docs ascend, so the last one bounds them all: checked once, from the
    // gaps' 64-bit sum (no gap can wrap it), before the 32-bit prefix sums,
    // which it then shows exact. tf − 1 must leave room for + 1.
    uint64_t gaps_sum = 0;
    for (uint32_t k = 0; k < kPostingBlockDocs; ++k) gaps_sum += docs_buf_[k];
    const uint64_t d = base + gaps_sum + (kPostingBlockDocs - 1);
    if (d >= num_docs_ || base + span != d + 1) return Fail();
    GapsToDocs(docs_buf_.data(), static_cast<uint32_t>(base));
    uint32_t top = 0;
    uint64_t values = 0;
    for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
      top = std::max(top, tfs_buf_[k]);
      values += tfs_buf_[k];
    }
    if (top == 0xFFFFFFFFu) return Fail();
    for (uint32_t k = 0; k < kPostingBlockDocs; ++k) ++tfs_buf_[k];
    n_ = kPostingBlockDocs;
    packed_ = true;
    parsed_ = unpacked_ = false;
    last_read_ = kNoRead;
    block_values_ = values + kPostingBlockDocs;
  } else if (tail_ == TailCoding::kPatched && left_ >= kPatchedTailDocs) {
    if (!LoadPatchedTail(base)) return Fail();
  } else {
    uint64_t d = base;
    for (uint32_t k = 0; k < left_; ++k) {
      d += docs_.Varint() + (k > 0 ? 1 : 0);
      const uint64_t tf = docs_.Varint();
      if (docs_.failed() || d >= num_docs_ || tf == 0 || tf > 0xFFFFFFFFu) return Fail();
      docs_buf_[k] = static_cast<uint32_t>(d);
      tfs_buf_[k] = static_cast<uint32_t>(tf);
    }
    block_pos_ = pos_;
    n_ = left_;
    packed_ = false;
  }
  left_ -= n_;
  block_last_ = docs_buf_[n_ - 1];
  started_ = true;
  i_ = 0;
  skip_positions_ = 0;
  value_at_ = 0;
  positions_pending_ = false;
  return true;
}

bool PostingCursor::LoadPatchedTail(uint64_t base) {
  const uint32_t n = left_;  // < kPostingBlockDocs, so the runs are bounded
  if (!ParsePatched(&docs_, n, &tail_run_.packed, &tail_run_.width, &tail_run_.exceptions)) {
    return false;
  }
  tail_run_.Read(0, n, docs_buf_.data());
  if (!ParsePatched(&docs_, n, &tail_run_.packed, &tail_run_.width, &tail_run_.exceptions)) {
    return false;
  }
  tail_run_.Read(0, n, tfs_buf_.data());
  uint64_t d = base, values = 0;
  for (uint32_t k = 0; k < n; ++k) {
    d += static_cast<uint64_t>(docs_buf_[k]) + (k > 0 ? 1 : 0);
    if (d >= num_docs_ || tfs_buf_[k] == 0xFFFFFFFFu) return false;
    docs_buf_[k] = static_cast<uint32_t>(d);
    values += ++tfs_buf_[k];
  }
  block_pos_ = pos_;
  n_ = n;
  packed_ = true;
  parsed_ = unpacked_ = false;
  last_read_ = kNoRead;
  block_values_ = values;
  return true;
}

bool PostingCursor::ParsePackedPositions() {
  parsed_ = true;
  ByteReader r = block_pos_;
  const uint64_t after = block_values_ - n_;
  if (after > 8 * r.remaining()) return Fail();
  runs_[0].count = n_;
  runs_[1].count = after;
  for (PatchedRun& run : runs_) {
    if (!ParsePatched(&r, run.count, &run.packed, &run.width, &run.exceptions)) return Fail();
  }
  if (!r.done()) return Fail();
  return true;
}

bool PostingCursor::Next() {
  if (corrupt_) return false;
  if (positions_pending_) skip_positions_ += tf_;
  if (i_ > 0) value_at_ += tf_;
  positions_pending_ = false;
  if (i_ == n_ && !LoadBlock()) return false;
  doc_ = docs_buf_[i_];
  tf_ = tfs_buf_[i_];
  ++i_;
  positions_pending_ = true;
  return true;
}

bool PostingCursor::Advance(uint32_t target) {
  if (corrupt_) return false;
  if (i_ > 0 && doc_ >= target) return true;
  if (i_ == n_ || docs_buf_[n_ - 1] < target) {
    // The buffer holds nothing >= target: pass whole blocks on their skip entries.
    while (left_ >= kPostingBlockDocs) {
      ByteReader peek = docs_;
      const uint64_t base = started_ ? static_cast<uint64_t>(block_last_) + 1 : 0;
      FullBlock b;
      if (!ReadFullBlock(&peek, &b) || b.span < kPostingBlockDocs || base + b.span > num_docs_) {
        return Fail();
      }
      const uint64_t last = base + b.span - 1;
      if (last >= target) break;
      pos_.Bytes(b.pos_bytes);
      if (pos_.failed()) return Fail();
      docs_ = peek;
      block_last_ = static_cast<uint32_t>(last);
      started_ = true;
      left_ -= kPostingBlockDocs;
      n_ = i_ = 0;
      positions_pending_ = false;
    }
  }
  while (Next()) {
    if (doc_ >= target) return true;
  }
  return false;
}

bool PostingCursor::FullBlockEnds(std::vector<uint32_t>* out) const {
  out->clear();
  if (started_) return false;
  ByteReader r = docs_;
  uint64_t base = 0;  // the next block's first possible doc
  for (uint32_t left = left_; left >= kPostingBlockDocs; left -= kPostingBlockDocs) {
    FullBlock b;
    if (!ReadFullBlock(&r, &b) || b.span < kPostingBlockDocs || base + b.span > num_docs_) {
      return false;
    }
    out->push_back(static_cast<uint32_t>(base + b.span - 1));
    base += b.span;
  }
  return true;
}

void PostingCursor::ReadPositions(std::vector<uint32_t>* out) {
  out->clear();
  if (!positions_pending_) return;
  positions_pending_ = false;
  if (packed_) {
    if (!parsed_ && !ParsePackedPositions()) return;
    // This doc's first position, then its tf - 1 deltas in the second run
    // (which holds every doc's deltas but its first, in doc order).
    const uint32_t index = i_ - 1;
    const uint64_t from = value_at_ - index;  // this doc's deltas in the second run
    if (!unpacked_ && index == last_read_ + 1) {
      // Reading doc after doc: unpack the whole block once.
      firsts_.resize(n_);
      rest_.resize(runs_[1].count);
      runs_[0].Read(0, n_, firsts_.data());
      runs_[1].Read(0, runs_[1].count, rest_.data());
      unpacked_ = true;
    }
    last_read_ = index;
    uint64_t p;
    const uint32_t* gaps;
    if (unpacked_) {
      p = firsts_[index];
      gaps = rest_.data() + from;
    } else {
      uint32_t first = 0;
      runs_[0].Read(index, 1, &first);
      p = first;
      gaps_.resize(tf_ - 1);
      runs_[1].Read(from, tf_ - 1, gaps_.data());
      gaps = gaps_.data();
    }
    out->push_back(static_cast<uint32_t>(p));
    for (uint32_t k = 1; k < tf_; ++k) {
      p += gaps[k - 1];
      out->push_back(static_cast<uint32_t>(p));
    }
    return;
  }
  block_pos_.SkipVarints(skip_positions_);
  skip_positions_ = 0;
  uint64_t p = 0;
  for (uint32_t k = 0; k < tf_ && !block_pos_.failed(); ++k) {
    p += block_pos_.Varint();
    out->push_back(static_cast<uint32_t>(p));
  }
  if (block_pos_.failed()) corrupt_ = true;
}

}  // namespace wildchat
