// Names and fixed layouts of the sections inside one segment file (see
// docs/engine.md). Shared by SegmentBuilder (writer) and Segment (reader) so
// the two cannot drift apart.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "model/conversation.h"

namespace wildchat {

// Written: 9 (a store's texts are frames one per chunk of utterances:
// text_chunks.h; before, one frame a text). Read: 2 to 9 (before 8 a store's
// texts are zstd on their bytes, not on codes of its vocabulary, section
// store.vocab, and dictionaries of hex values are not packed, dict.F.hex; before 7
// posting streams end in varint tails, not TailCoding::kPatched ones; version 2 has only double
// score columns, which later readers handle alike; versions before 4 have no block impacts, and
// their top hits are found by scoring every match; before 5 the turn id table
// lists a (turn id, doc) pair once per utterance, not once; before 6 a store
// block keeps its records' texts in one frame, not a frame each).
inline constexpr uint32_t kSegmentFormatVersion = 9;
inline constexpr uint32_t kOldestReadableSegmentFormat = 2;

// A dictionary whose values are all lowercase hex digits of one even length,
// up to this many, is stored packed (dict.F.hex; format 8).
inline constexpr uint32_t kMaxHexDigits = 256;

// Dictionary-coded string columns; code 0 is null, code i+1 is entry i of the
// sorted dictionary.
enum class DictField { kModel, kLanguage, kCountry, kState, kIp, kHash };
inline constexpr int kDictFieldCount = 6;
inline constexpr std::array<std::string_view, kDictFieldCount> kDictFieldNames = {
    "model", "language", "country", "state", "ip", "hash"};

// Per-conversation maxima: 18 OpenAI category scores then 7 detoxify fields.
// Column K ("score.K") holds floats when every value in it is a float (as the
// moderation models report them, widened to double), else doubles; either
// way each value is exact (NaN: no score). A column with the same bytes as an
// earlier column J (a category's two spellings) is instead "score.K.same",
// a uint32 J (format 7).
inline constexpr int kScoreColumnCount = kModerationCategoryCount + kDetoxifyFieldCount;
struct ScoreColumn {
  const float* f = nullptr;  // one of the two is set
  const double* d = nullptr;
  double at(uint32_t doc) const { return f ? static_cast<double>(f[doc]) : d[doc]; }
};

// Bits of the per-conversation flags column.
inline constexpr uint32_t kFlagToxic = 1u << 0;
inline constexpr uint32_t kFlagRedacted = 1u << 1;
inline constexpr uint32_t kFlagFlagged = 1u << 2;
inline constexpr int kFlagCategoryShift = 3;  // + category index: any utterance flagged in it
// The conversation-level toxic / redacted value is null (facets skip it).
inline constexpr uint32_t kFlagToxicNull = 1u << 21;
inline constexpr uint32_t kFlagRedactedNull = 1u << 22;

inline constexpr int64_t kNullTimestamp = std::numeric_limits<int64_t>::min();

// Utterance roles as stored.
inline constexpr uint8_t kRoleUser = 0;
inline constexpr uint8_t kRoleAssistant = 1;
inline constexpr uint8_t kRoleOther = 2;

// One entry per term plus a sentinel: where its doc stream and position
// stream start in the "postings" / "positions" sections, and where its block
// impacts start in "impacts" (0 in segments without them).
struct TermInfo {
  uint64_t doc_offset;
  uint64_t pos_offset;
  uint32_t df;
  uint32_t first_impact;
};
static_assert(sizeof(TermInfo) == 24);
// The same in 16 bytes, written when both streams are under 4 GiB (format 7;
// a reader tells the two apart by the section's size).
struct NarrowTermInfo {
  uint32_t doc_offset;
  uint32_t pos_offset;
  uint32_t df;
  uint32_t first_impact;
};
static_assert(sizeof(NarrowTermInfo) == 16);

// BM25 parameters (docs/query.md "Relevance"); block impacts are computed
// with them.
inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;

// Block impacts ("impacts" and "impacts.meta"; a segment without them has
// none): for each term, for each full block of its doc stream (postings.h)
// in order, one byte q = ceil(255 · max over the block's docs of
// tf / (tf + K1 · (1 − B + B · len / A))), len the doc's length and A the
// stored average doc length; 1 <= q <= 255. Term t's floor(df / 128) bytes
// start at TermInfo::first_impact, so the entries are running sums. For any
// other average A', every doc of the block has
// tf / (tf + K1 · (1 − B + B · len / A')) <= q / 255 · max(1, A' / A):
// with r = A / A' <= 1 the denominator is at least r times the stored one.
// So a term's BM25 contribution in a block is bounded without decoding it,
// and top-k ranking skips blocks that cannot reach the top hits.
struct ImpactMeta {
  double avg_doc_len;  // A: the segment's tokens per conversation when built
};
static_assert(sizeof(ImpactMeta) == 8);
// q for one block's largest tf / (tf + norm), rounded up (with a margin for
// the rounding of the division) so that q / 255 bounds it.
inline uint8_t QuantizeImpact(double v) {
  const double q = std::ceil(v * 255.0 * (1 + 1e-9));
  return static_cast<uint8_t>(std::clamp(q, 1.0, 255.0));
}

// Bigram postings ("bigram.*" sections; a segment without them has none):
// for every pair of terms that are both common in the segment — document
// frequency >= the stored minimum, max(1, ceil(num_docs / kBigramDfDivisor))
// when built — a doc stream without positions whose tf counts the places
// the second term directly follows the first (always within one utterance).
// A pair of common terms with no entry never occurs adjacently. A
// KeyedStreams table (keyed_streams.h) under "bigram", keys (first term << 32
// | second term), plus "bigram.meta".
inline constexpr uint32_t kBigramDfDivisor = 8;
struct BigramMeta {
  uint32_t min_df;  // 0: no bigrams
  uint32_t reserved;
  uint64_t num_bigrams;
};
static_assert(sizeof(BigramMeta) == 16);

// Role postings ("role.*" sections: "role.meta" and a KeyedStreams table; a
// segment without them has none): for each term whose document frequency is
// at least the stored minimum (kRoleMinDf when built) and each role other
// than the assistant's (kRoleUser, kRoleOther) in whose utterances it occurs,
// a doc stream whose tf counts the term's occurrences there. Key (term << 2 |
// role). The assistant's count is the term's tf minus the others', so a word
// scoped to any set of roles is answered without reading positions; rarer
// terms (a few docs' positions) are not worth a stream.
inline constexpr uint32_t kRoleMinDf = 128;
struct RoleMeta {
  uint32_t min_df;  // 0: no role postings
  uint32_t reserved;
};
static_assert(sizeof(RoleMeta) == 8);
inline constexpr uint64_t RoleStreamKey(uint64_t term, uint8_t role) {
  return term << 2 | role;
}

// Optional "utt.bytes" (uint16 per utterance) and "utt.bytes.long" (pairs
// ascending by utterance): each utterance's content length in bytes, so that
// a snippet finds a conversation's utterances in its text without
// decompressing its block's meta part. A length of kLongUtteranceBytes or
// more is written as kLongUtteranceBytes and listed in utt.bytes.long.
inline constexpr uint16_t kLongUtteranceBytes = 0xFFFF;
struct LongUtteranceBytes {
  uint32_t utterance;
  uint32_t bytes;
};
static_assert(sizeof(LongUtteranceBytes) == 8);

// The optional parts of a segment a builder writes (all, unless asked to
// write segments like older builds did): the role.* sections (without them
// role-scoped words are answered from positions), the impacts sections
// (without them BM25 pages score every match) and the utt.bytes sections
// (without them snippets read utterance lengths from the store's meta part);
// and whether the term and keyed stream tables have 32-bit offsets where they
// fit (NarrowTermInfo, NarrowStreamInfo; without, 64-bit ones as before
// format 7 and as segments with 4 GiB of postings have them); and whether
// dictionaries of hex values are packed (dict.F.hex; without, strings with
// offsets as other dictionaries).
struct SegmentParts {
  bool role_postings = true;
  bool block_impacts = true;
  bool utterance_bytes = true;
  bool narrow_tables = true;
  bool plain_dictionaries = false;
};

struct SegmentMeta {
  uint32_t version;
  uint32_t num_docs;
  uint64_t num_utterances;
  uint64_t total_tokens;
  uint64_t num_terms;
  uint64_t num_blocks;
};
static_assert(sizeof(SegmentMeta) == 40);

}  // namespace wildchat
