// One term's postings in a segment: the doc stream (doc numbers and term
// frequencies) and the position stream. Docs come in blocks of
// kPostingBlockDocs: a full block starts with a skip entry (varint last doc −
// previous block's last doc, varint byte length of the block's positions),
// then one width byte each for doc gaps and tf − 1, then the 128 gaps and the
// 128 tf − 1 bit-packed at those widths. The docs after the last full block
// are varint pairs (doc gap, tf). A doc's positions are deltas (the first
// from 0). A full block's positions are two patched frame-of-reference runs
// (the 128 docs' first positions, then all the other deltas in doc order):
// a width byte b, varint count of exceptions, every value's low b bits
// packed, then per exception varint (index − previous exception's index) and
// varint (value >> b). The positions after the last full block are varints. Skip entries let
// a cursor pass a whole block without decoding it (PostingCursor::Advance),
// and a block's positions are decoded only when asked for.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/segment/coding.h"

namespace wildchat {

inline constexpr uint32_t kPostingBlockDocs = 128;

// Builds one term's two streams; docs must be added in increasing order.
class PostingWriter {
 public:
  // positions: the tf ascending positions of the term in doc (tf >= 1).
  void Add(uint32_t doc, const uint32_t* positions, uint32_t tf);
  uint32_t df() const { return df_; }
  const std::string& docs() const { return docs_; }
  const std::string& positions() const { return positions_; }

 private:
  void CloseBlock();
  std::string docs_, positions_;
  // The open block's (gap, tf) varint pairs start at docs_[open_docs_at_];
  // its positions at positions_[open_pos_at_].
  size_t open_docs_at_ = 0, open_pos_at_ = 0;
  uint32_t df_ = 0, last_doc_ = 0, block_last_ = 0;
};

// Walks one term's postings in doc order. Positions of the current doc may be
// read once (ReadPositions) or are skipped automatically by Next()/Advance().
// Streams are untrusted: every read is bounds-checked and a malformed stream
// ends the walk with corrupt() set.
class PostingCursor {
 public:
  PostingCursor() = default;
  PostingCursor(std::string_view docs, std::string_view positions, uint32_t df, uint32_t num_docs)
      : docs_(docs), pos_(positions), left_(df), num_docs_(num_docs) {}
  // Advances to the next doc; false at the end (or on corruption).
  bool Next();
  // Advances to the first doc >= target (staying put if the current doc
  // already is); false at the end (or on corruption). Skips whole blocks.
  bool Advance(uint32_t target);
  uint32_t doc() const { return doc_; }
  uint32_t tf() const { return tf_; }
  void ReadPositions(std::vector<uint32_t>* out);
  bool corrupt() const {
    return corrupt_ || docs_.failed() || pos_.failed() || block_pos_.failed();
  }

 private:
  bool LoadBlock();
  bool DecodePackedPositions();
  bool Fail();
  ByteReader docs_, pos_, block_pos_;
  // Full blocks: the block's position deltas once decoded, and the index of
  // the current doc's first one.
  bool packed_ = false, decoded_ = false;
  uint64_t block_values_ = 0, value_at_ = 0;
  std::vector<uint32_t> values_, firsts_;
  uint32_t left_ = 0, num_docs_ = 0;  // left_: docs not yet loaded into the buffer
  uint32_t doc_ = 0, tf_ = 0;
  uint32_t n_ = 0, i_ = 0;       // docs in the buffer; index of the next one
  uint32_t block_last_ = 0;      // last doc of the blocks loaded or skipped so far
  uint64_t skip_positions_ = 0;  // tail: varints before the current doc's in block_pos_
  bool started_ = false, positions_pending_ = false, corrupt_ = false;
  std::array<uint32_t, kPostingBlockDocs> docs_buf_{}, tfs_buf_{};
};

}  // namespace wildchat
