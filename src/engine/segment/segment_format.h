// Names and fixed layouts of the sections inside one segment file (see
// docs/engine.md). Shared by SegmentBuilder (writer) and Segment (reader) so
// the two cannot drift apart.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

#include "model/conversation.h"

namespace wildchat {

// Written: 3 (score columns may be floats). Read: 2 and 3 (version 2 has
// only double score columns, which version 3 readers handle alike).
inline constexpr uint32_t kSegmentFormatVersion = 3;
inline constexpr uint32_t kOldestReadableSegmentFormat = 2;

// Dictionary-coded string columns; code 0 is null, code i+1 is entry i of the
// sorted dictionary.
enum class DictField { kModel, kLanguage, kCountry, kState, kIp, kHash };
inline constexpr int kDictFieldCount = 6;
inline constexpr std::array<std::string_view, kDictFieldCount> kDictFieldNames = {
    "model", "language", "country", "state", "ip", "hash"};

// Per-conversation maxima: 18 OpenAI category scores then 7 detoxify fields.
// Column K ("score.K") holds floats when every value in it is a float (as the
// moderation models report them, widened to double), else doubles; either
// way each value is exact (NaN: no score).
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
// stream start in the "postings" / "positions" sections.
struct TermInfo {
  uint64_t doc_offset;
  uint64_t pos_offset;
  uint32_t df;
  uint32_t reserved;
};
static_assert(sizeof(TermInfo) == 24);

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
