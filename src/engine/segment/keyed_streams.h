// KeyedStreams: a table of doc streams without positions (postings.h), found
// by a 64-bit key, stored as three sections "<prefix>.keys" (ascending keys),
// "<prefix>.info" (one StreamInfo, or NarrowStreamInfo when the postings take
// under 4 GiB, per key plus a sentinel: where its stream
// starts in "<prefix>.postings", and its document frequency) and
// "<prefix>.postings". Segments keep bigram postings and per-role term
// postings this way (segment_format.h). Load validates the table (keys
// strictly ascending and accepted by the caller, offsets monotone and inside
// the postings, frequencies <= the segment's docs), so lookups need no checks.
// WriteKeyedStreams writes one. Thread-safe once loaded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/segment/postings.h"
#include "engine/segment/segment_file.h"

namespace wildchat {

struct StreamInfo {
  uint64_t doc_offset;
  uint32_t df;
  uint32_t reserved;
};
static_assert(sizeof(StreamInfo) == 16);
// The same in 8 bytes, written when the postings take under 4 GiB (format 7;
// a reader tells the two apart by the section's size).
struct NarrowStreamInfo {
  uint32_t doc_offset;
  uint32_t df;
};
static_assert(sizeof(NarrowStreamInfo) == 8);

class KeyedStreams {
 public:
  // Reads the table under `prefix` (as many streams as keys, their tails
  // written as `tail` says); valid_key says whether a key may occur. Errors
  // name the file and the table.
  Status Load(const MappedSegmentFile& f, const std::string& prefix, uint32_t num_docs,
              TailCoding tail, const std::function<bool(uint64_t)>& valid_key);

  uint64_t size() const { return size_; }
  std::optional<uint64_t> Find(uint64_t key) const;
  uint32_t doc_freq(uint64_t i) const { return info(i).df; }
  // Stream i; its cursor has no positions (never call ReadPositions).
  PostingCursor Cursor(uint64_t i) const;

 private:
  uint64_t size_ = 0;
  uint32_t num_docs_ = 0;
  TailCoding tail_ = TailCoding::kVarints;
  const uint64_t* keys_ = nullptr;
  const StreamInfo* infos_ = nullptr;  // or, one of the two:
  const NarrowStreamInfo* narrow_infos_ = nullptr;
  StreamInfo info(uint64_t i) const {
    if (!narrow_infos_) return infos_[i];
    return StreamInfo{narrow_infos_[i].doc_offset, narrow_infos_[i].df, 0};
  }
  std::string_view postings_;
};

// (key, doc stream without positions) pairs, keys ascending.
using KeyedWriters = std::vector<std::pair<uint64_t, const PostingWriter*>>;

// Writes the three sections of a table (each stream as it stands: sealed
// writers give TailCoding::kPatched tails), with NarrowStreamInfo entries when
// `narrow` and the postings take under 4 GiB.
Status WriteKeyedStreams(const std::string& prefix, const KeyedWriters& streams, bool narrow,
                         SegmentFileWriter* w);

}  // namespace wildchat
