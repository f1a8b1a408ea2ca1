// SegmentBuilder: accumulates one segment in memory — inverted index (doc
// and position streams per term), columns (ids, timestamps, turns, flags,
// dictionary-coded strings, moderation maxima, utterance roles) — and writes
// it, with the conversations' StoreBuilder, as one immutable segment file.
// Single-threaded; output bytes depend only on the records added, in order.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/segment/postings.h"
#include "engine/segment/segment_format.h"
#include "engine/store/store_builder.h"
#include "model/conversation.h"

namespace wildchat {

class SegmentBuilder {
 public:
  explicit SegmentBuilder(SegmentParts parts = {});
  void Add(const Conversation& c);
  uint32_t num_docs() const { return static_cast<uint32_t>(ids_.size()); }
  uint64_t num_utterances() const { return utt_role_.size(); }
  // Approximate heap bytes held, for flushing decisions.
  uint64_t memory_bytes() const { return memory_; }
  // Writes the segment (with `store`, which must hold the same records) into
  // dir; *file_name receives its final name.
  Status Finish(const std::string& dir, const std::string& temp_name, StoreBuilder* store,
                std::string* file_name, uint64_t* file_size);

 private:
  // Appends pw's block impacts (segment_format.h) for average doc length A.
  void AppendImpacts(const PostingWriter& pw, double avg_doc_len, std::string* out) const;
  // Writes the bigram.* sections (segment_format.h); rank[id] is term id's
  // place in the sorted term dictionary.
  Status WriteBigrams(const std::vector<uint32_t>& rank, SegmentFileWriter* w) const;
  // Writes the role.* sections (segment_format.h), rank as for WriteBigrams.
  Status WriteRoles(const std::vector<uint32_t>& rank, SegmentFileWriter* w) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Dict {
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> codes;
    std::vector<std::string> values;  // code-1 → value, first-seen order
    std::vector<uint32_t> column;
    void Add(const std::optional<std::string>& v);
  };

  // Term → id: open addressing over (hash tag, id) words with the terms in one
  // arena, so a lookup touches one slot and one string (the build's hottest
  // loop; std::unordered_map chased a node and a heap string per token).
  class TermTable {
   public:
    // The id of t, adding it (as id size()) if new.
    uint32_t FindOrAdd(std::string_view t, bool* added);
    uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
    std::string_view term(uint32_t id) const {
      return std::string_view(arena_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
    }

   private:
    void Grow();
    std::vector<uint64_t> slots_ = std::vector<uint64_t>(1 << 16, 0);  // 0 = empty
    std::vector<uint64_t> offsets_{0};
    std::string arena_;
  };
  TermTable term_ids_;
  std::vector<PostingWriter> terms_;
  std::vector<uint32_t> positions_;  // scratch: one term's positions in a doc
  struct DocToken {
    uint32_t term, pos;
    uint8_t role;
  };
  std::vector<DocToken> doc_tokens_;  // scratch: one conversation's tokens
  SegmentParts parts_;
  // In-role doc streams (no positions) by term id: the user's for every
  // term (empty when it has none), the rare other roles' only where used.
  std::vector<PostingWriter> user_terms_;
  std::unordered_map<uint32_t, PostingWriter> other_terms_;

  std::vector<int64_t> ids_, timestamps_, turns_;
  std::vector<uint32_t> flags_, doc_len_, utt_begin_{0}, utt_tok_, utt_bytes_;
  std::vector<uint8_t> utt_role_;
  std::vector<std::pair<int64_t, uint32_t>> turn_ids_;
  std::array<Dict, kDictFieldCount> dicts_;
  std::array<std::vector<double>, kScoreColumnCount> scores_;
  uint64_t total_tokens_ = 0;
  uint64_t memory_ = 0;
};

}  // namespace wildchat
