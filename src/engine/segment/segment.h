// Segment: read-only view of one immutable segment file (mmapped). Open()
// validates every structural invariant the readers rely on (section sizes,
// monotone offsets, codes and doc numbers in range) so later accessors can
// index without checks; posting streams are decoded with bounds checks and a
// corrupt stream reports itself through PostingCursor::corrupt() (postings.h).
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/segment/coding.h"
#include "engine/segment/keyed_streams.h"
#include "engine/segment/narrow_columns.h"
#include "engine/segment/postings.h"
#include "engine/segment/segment_file.h"
#include "engine/segment/segment_format.h"
#include "engine/store/store_reader.h"
#include "model/conversation.h"

namespace wildchat {

class Segment {
 public:
  static Status Open(const std::string& path, std::unique_ptr<Segment>* out);

  uint32_t num_docs() const { return meta_.num_docs; }
  uint64_t num_utterances() const { return meta_.num_utterances; }
  uint64_t total_tokens() const { return meta_.total_tokens; }
  uint64_t file_size() const { return file_->size(); }
  const std::string& file_path() const { return file_->path(); }

  int64_t id(uint32_t doc) const { return ids_[doc]; }
  int64_t timestamp(uint32_t doc) const { return ts_[doc]; }  // kNullTimestamp when null
  int64_t turn(uint32_t doc) const { return turns_[doc]; }
  uint32_t flags(uint32_t doc) const { return flags_[doc]; }
  uint32_t doc_len(uint32_t doc) const { return doc_len_[doc]; }
  double score(int column, uint32_t doc) const { return scores_[column].at(doc); }
  const ScoreColumn& score_column(int column) const { return scores_[column]; }
  const int64_t* timestamps() const { return ts_; }
  const int64_t* turns() const { return turns_; }
  const uint32_t* flag_column() const { return flags_; }
  // Narrow copies of the filter columns, built on first use.
  const NarrowColumns& narrow() const { return narrow_; }

  uint32_t code(DictField f, uint32_t doc) const { return codes_[static_cast<int>(f)][doc]; }
  const uint32_t* code_column(DictField f) const { return codes_[static_cast<int>(f)]; }
  uint32_t dict_size(DictField f) const { return dict_size_[static_cast<int>(f)]; }
  // Value of code (1..dict_size). A dictionary of hex digits is stored
  // packed (dict.F.hex): its values are spelled out in *scratch, which the
  // view then points into; other views point into the segment.
  std::string_view dict_value(DictField f, uint32_t code, std::string* scratch) const;
  // Whether the dictionary is stored packed: its values are lowercase.
  bool dict_packed(DictField f) const { return dict_hex_bytes_[static_cast<int>(f)] != 0; }

  // Utterances of doc are [utt_begin(doc), utt_begin(doc+1)).
  uint32_t utt_begin(uint32_t doc) const { return utt_begin_[doc]; }
  uint8_t utt_role(uint32_t u) const { return utt_role_[u]; }
  uint32_t utt_token_start(uint32_t u) const { return utt_tok_[u]; }
  // Utterance u's content length in bytes (segment_format.h); only when
  // has_utterance_bytes().
  bool has_utterance_bytes() const { return utt_bytes_ != nullptr; }
  uint32_t utt_bytes(uint32_t u) const;

  uint64_t num_terms() const { return meta_.num_terms; }
  std::string_view term(uint64_t i) const;
  std::optional<uint64_t> FindTerm(std::string_view t) const;
  // Terms starting with prefix: [*lo, *hi).
  void PrefixRange(std::string_view prefix, uint64_t* lo, uint64_t* hi) const;
  uint32_t doc_freq(uint64_t term) const { return info(term).df; }
  PostingCursor Postings(uint64_t term) const;

  // Bigram postings (segment_format.h). A phrase may use them for two
  // adjacent tokens when both are common; FindBigram then answers "never
  // adjacent" with nullopt. Bigram cursors have no positions.
  bool IsCommon(uint64_t term) const {
    return bigram_min_df_ > 0 && info(term).df >= bigram_min_df_;
  }
  std::optional<uint64_t> FindBigram(uint64_t first, uint64_t second) const;
  uint32_t bigram_doc_freq(uint64_t b) const { return bigrams_.doc_freq(b); }
  PostingCursor BigramPostings(uint64_t b) const { return bigrams_.Cursor(b); }

  // Role postings (segment_format.h): whether the segment has them, whether
  // term has streams (else its roles are found from positions), and the doc
  // stream (no positions) of its occurrences in utterances of role (kRoleUser
  // or kRoleOther) — nullopt when it has none there.
  bool has_role_postings() const { return role_min_df_ > 0; }
  bool HasRoleStreams(uint64_t term) const {
    return role_min_df_ > 0 && info(term).df >= role_min_df_;
  }
  std::optional<PostingCursor> RolePostings(uint64_t term, uint8_t role) const;

  // Block impacts (segment_format.h): whether the segment has them, the
  // average doc length they were computed with, and term's bytes, one per
  // full block of its doc stream (empty without impacts).
  bool has_impacts() const { return impact_avg_doc_len_ > 0; }
  double impact_avg_doc_len() const { return impact_avg_doc_len_; }
  std::string_view BlockImpacts(uint64_t term) const {
    if (!has_impacts()) return {};
    const TermInfo i = info(term);
    return impacts_.substr(i.first_impact, i.df / kPostingBlockDocs);
  }

  // The docs with an utterance of this turn_identifier, ascending (input
  // may repeat an identifier in several conversations; a format-4 segment
  // lists a doc once per such utterance); the first of them.
  std::span<const uint32_t> DocsOfTurn(int64_t turn_identifier) const;
  std::optional<uint32_t> DocOfTurn(int64_t turn_identifier) const;
  Status Document(uint32_t doc, Conversation* out) const;
  // Doc's utterance roles and contents (what snippets need): views into
  // *meta_raw or static strings, and text->text(). The contents' lengths come
  // from the utt.bytes sections, or else from the meta part of the doc's
  // store block, decompressed (and always for a doc with a role other than
  // user and assistant, whose name the meta part holds). The contents are
  // decompressed only as far as text->Through() is asked.
  Status DocumentTexts(uint32_t doc, std::string* meta_raw, RecordText* text,
                       std::vector<std::string_view>* roles,
                       std::vector<std::string_view>* contents) const;

  // Store blocks: block b holds docs [block_first_doc(b), block_first_doc(b+1)).
  uint64_t num_blocks() const { return num_blocks_; }
  uint32_t block_first_doc(uint64_t b) const { return store_first_[b]; }
  // Decompresses block b into *raw and points records[i] at the encoded
  // record of doc block_first_doc(b) + i.
  Status ReadBlock(uint64_t b, std::string* raw, std::vector<std::string_view>* records) const;
  // The meta parts of block b's records, then fn(i, text) with the text of
  // each wanted one, decompressed as far as fn asks
  // (StoreReader::ForEachRecordText; i is about doc block_first_doc(b) + i).
  Status ForEachBlockRecordText(uint64_t b, const StoreReader::Wanted& wanted,
                                std::string* meta_raw, std::vector<std::string_view>* metas,
                                RecordText* text, const StoreReader::RecordFn& fn) const;

 private:
  uint64_t LowerBound(std::string_view t) const;  // the first term not below t
  Segment() = default;
  Status Load();
  // The store block holding doc.
  uint64_t BlockOf(uint32_t doc) const;

  std::unique_ptr<MappedSegmentFile> file_;
  SegmentMeta meta_{};
  const int64_t *ids_ = nullptr, *ts_ = nullptr, *turns_ = nullptr;
  const uint32_t *flags_ = nullptr, *doc_len_ = nullptr, *utt_begin_ = nullptr, *utt_tok_ = nullptr;
  const uint8_t* utt_role_ = nullptr;
  const uint16_t* utt_bytes_ = nullptr;  // null: no utt.bytes sections
  std::span<const LongUtteranceBytes> long_utt_bytes_;
  size_t num_turn_ids_ = 0;
  const int64_t* tid_key_ = nullptr;
  const uint32_t* tid_doc_ = nullptr;
  const uint32_t* codes_[kDictFieldCount] = {};
  const uint32_t* dict_offsets_[kDictFieldCount] = {};
  std::string_view dict_bytes_[kDictFieldCount];
  uint32_t dict_hex_bytes_[kDictFieldCount] = {};  // bytes a packed value takes; 0: not packed
  uint32_t dict_size_[kDictFieldCount] = {};
  ScoreColumn scores_[kScoreColumnCount];
  // The term table's two sections, each in one of two widths (segment_format.h): one of
  // each pair is set.
  const uint64_t* term_offsets_ = nullptr;
  const uint32_t* narrow_term_offsets_ = nullptr;
  uint64_t term_offset(uint64_t i) const {
    return narrow_term_offsets_ ? narrow_term_offsets_[i] : term_offsets_[i];
  }
  std::string_view term_bytes_;
  // Every kTermSample-th term's first 8 bytes as a big-endian number (zeros
  // past its end): a lookup binary-searches these, in cache, and then only
  // the terms between two of them, instead of reading a term at each step.
  static constexpr uint64_t kTermSample = 64;
  std::vector<uint64_t> term_keys_;
  const TermInfo* infos_ = nullptr;
  const NarrowTermInfo* narrow_infos_ = nullptr;
  TermInfo info(uint64_t t) const {
    if (!narrow_infos_) return infos_[t];
    const NarrowTermInfo& n = narrow_infos_[t];
    return TermInfo{n.doc_offset, n.pos_offset, n.df, n.first_impact};
  }
  std::string_view postings_, positions_;
  // How the posting streams' tails are written (format 7 on: patched).
  TailCoding tail_coding() const {
    return meta_.version >= 7 ? TailCoding::kPatched : TailCoding::kVarints;
  }
  std::string_view impacts_;
  double impact_avg_doc_len_ = 0;
  uint32_t bigram_min_df_ = 0;
  KeyedStreams bigrams_, roles_;
  uint32_t role_min_df_ = 0;  // 0: no role postings
  std::unique_ptr<StoreReader> store_;
  std::string_view store_blocks_;
  const uint64_t* store_offsets_ = nullptr;
  const uint32_t* store_first_ = nullptr;
  uint64_t num_blocks_ = 0;
  NarrowColumns narrow_{this};
};

}  // namespace wildchat
