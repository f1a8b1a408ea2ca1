// One term's postings in a segment: the doc stream (doc numbers and term
// frequencies) and the position stream. Docs come in blocks of
// kPostingBlockDocs: a full block starts with a skip entry (varint last doc −
// previous block's last doc, varint byte length of the block's positions),
// then one width byte each for doc gaps and tf − 1, then the 128 gaps' and the
// 128 tf − 1's low bits packed at those widths; when some are wider (the gap
// width byte has bit 7 set), varint byte length of the exceptions, then the
// gaps' exceptions and the tfs' (each: varint count, then per exception varint
// index − previous exception's index and varint value >> width; format 7, and
// a format-6 block never sets the bit). A doc's positions are deltas (the
// first from 0). A full block's positions are two patched frame-of-reference
// runs (the 128 docs' first positions, then all the other deltas in doc
// order): a width byte b, varint count of exceptions, every value's low b bits
// packed, then per exception varint (index − previous exception's index) and
// varint (value >> b). The docs after the last full block (the tail) are
// written as TailCoding says. Skip entries let a cursor pass a whole block
// without decoding it (PostingCursor::Advance), and only the positions a
// caller asks for are unpacked.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/segment/coding.h"

namespace wildchat {

inline constexpr uint32_t kPostingBlockDocs = 128;

// How the docs after a stream's last full block are written.
enum class TailCoding : uint8_t {
  // varint pairs (doc gap, tf), and each doc's positions as varint deltas:
  // segment format 6 and before, and a PostingWriter's streams until Seal().
  kVarints,
  // With at least kPatchedTailDocs docs: two patched runs, the doc gaps and
  // the tf − 1, and positions as a full block's (two patched runs); fewer
  // docs are varints as above. Segment format 7.
  kPatched,
};
inline constexpr uint32_t kPatchedTailDocs = 4;

class PostingCursor;

// Builds one term's two streams; docs must be added in increasing order.
// Without positions (bigram postings) the position stream stays empty and
// every skip entry's position length is 0; such a stream is read with an
// empty position stream and ReadPositions is never called on it.
class PostingWriter {
 public:
  explicit PostingWriter(bool with_positions = true) : with_positions_(with_positions) {}
  // positions: the tf ascending positions of the term in doc (tf >= 1);
  // ignored (may be null) without positions. Not after Seal().
  void Add(uint32_t doc, const uint32_t* positions, uint32_t tf);
  // Rewrites the tail as TailCoding::kPatched; the streams are then final.
  void Seal();
  uint32_t df() const { return df_; }
  const std::string& docs() const { return docs_; }
  const std::string& positions() const { return positions_; }
  TailCoding tail_coding() const { return sealed_ ? TailCoding::kPatched : TailCoding::kVarints; }
  // A cursor over the streams as they stand.
  PostingCursor Cursor(uint32_t num_docs) const;

 private:
  void CloseBlock();
  // Re-encodes the varint positions of the n docs from positions_[open_pos_at_]
  // (tfs: their tf − 1) as two patched runs, replacing them.
  std::string PackOpenPositions(const uint32_t* tfs_minus_1, uint32_t n);
  std::string docs_, positions_;
  // The open block's (gap, tf) varint pairs start at docs_[open_docs_at_];
  // its positions at positions_[open_pos_at_].
  size_t open_docs_at_ = 0, open_pos_at_ = 0;
  uint32_t df_ = 0, last_doc_ = 0, block_last_ = 0;
  bool with_positions_ = true, sealed_ = false;
};

// Walks one term's postings in doc order. Positions of the current doc may be
// read once (ReadPositions) or are skipped automatically by Next()/Advance().
// Streams are untrusted: every read is bounds-checked and a malformed stream
// ends the walk with corrupt() set.
class PostingCursor {
 public:
  PostingCursor() = default;
  PostingCursor(std::string_view docs, std::string_view positions, uint32_t df, uint32_t num_docs,
                TailCoding tail)
      : docs_(docs), pos_(positions), left_(df), num_docs_(num_docs), tail_(tail) {}
  // Advances to the next doc; false at the end (or on corruption).
  bool Next();
  // Advances to the first doc >= target (staying put if the current doc
  // already is); false at the end (or on corruption). Skips whole blocks.
  bool Advance(uint32_t target);
  uint32_t doc() const { return doc_; }
  uint32_t tf() const { return tf_; }
  // fn(doc, tf) for every doc not yet visited, in order, then the cursor is
  // at the end: a block at a time, without the per-doc bookkeeping of Next()
  // (the walk of a whole list when no positions are wanted).
  template <typename Fn>
  void ForEachRemaining(Fn&& fn) {
    ForEachRemainingBlock([&](const uint32_t* docs, const uint32_t* tfs, uint32_t n) {
      for (uint32_t k = 0; k < n; ++k) fn(docs[k], tfs[k]);
    });
  }
  // The same a block at a time: fn(docs, tfs, n) with n >= 1 ascending docs
  // and their tfs (valid during the call).
  template <typename Fn>
  void ForEachRemainingBlock(Fn&& fn) {
    if (corrupt_) return;
    if (i_ < n_) fn(docs_buf_.data() + i_, tfs_buf_.data() + i_, n_ - i_);
    i_ = n_;
    positions_pending_ = false;
    while (LoadBlock()) {
      fn(docs_buf_.data(), tfs_buf_.data(), n_);
      i_ = n_;
    }
  }
  void ReadPositions(std::vector<uint32_t>* out);
  // The last doc of each full block of the list, from its skip entries
  // (nothing is decoded; the cursor does not move). False when the entries
  // are malformed (a walk then finds the list corrupt).
  bool FullBlockEnds(std::vector<uint32_t>* out) const;
  bool corrupt() const {
    return corrupt_ || docs_.failed() || pos_.failed() || block_pos_.failed();
  }

 private:
  // One patched run (of a packed block's positions, or of a patched tail's
  // docs), parsed but not unpacked.
  struct PatchedRun {
    std::string_view packed;
    uint64_t count = 0;
    int width = 0;
    std::vector<std::pair<uint32_t, uint32_t>> exceptions;  // (index, value >> width), ascending
    // Values [from, from + n) into out[0..n).
    void Read(uint64_t from, uint32_t n, uint32_t* out) const;
  };
  bool LoadBlock();
  // The n = left_ docs of a TailCoding::kPatched tail after doc base − 1.
  bool LoadPatchedTail(uint64_t base);
  bool ParsePackedPositions();
  bool Fail();
  ByteReader docs_, pos_, block_pos_;
  // A packed block's positions (a full block's, or a patched tail's) are
  // parsed on the first read; each read then unpacks just its doc's values,
  // unless docs are read one after another: then the whole block is unpacked
  // once. block_values_: the block's position count; value_at_: those before
  // the current doc's.
  static constexpr uint32_t kNoRead = 0xFFFFFFF0u;
  bool packed_ = false, parsed_ = false, unpacked_ = false;
  uint32_t last_read_ = kNoRead;         // block index of the last doc whose positions were read
  std::vector<uint32_t> firsts_, rest_;  // unpacked runs
  std::array<PatchedRun, 2> runs_;       // the docs' first positions, the other deltas
  uint64_t block_values_ = 0, value_at_ = 0;
  std::vector<uint32_t> gaps_;
  uint32_t left_ = 0, num_docs_ = 0;  // left_: docs not yet loaded into the buffer
  TailCoding tail_ = TailCoding::kVarints;
  PatchedRun tail_run_;  // a patched tail's doc gaps, then its tf − 1
  uint32_t doc_ = 0, tf_ = 0;
  uint32_t n_ = 0, i_ = 0;       // docs in the buffer; index of the next one
  uint32_t block_last_ = 0;      // last doc of the blocks loaded or skipped so far
  uint64_t skip_positions_ = 0;  // varint tail: varints before the current doc's in block_pos_
  bool started_ = false, positions_pending_ = false, corrupt_ = false;
  std::array<uint32_t, kPostingBlockDocs> docs_buf_{}, tfs_buf_{};
};

}  // namespace wildchat
