// The store's binary row format for one Conversation: every field of the
// WildChat record, nullability and unknown `extra` fields included, so a
// decoded record compares equal to the encoded one (doubles bit for bit).
//
// A record is written as three parts that compress best apart: `meta`
// (strings, flags, counts, lengths), `scores` (the moderation scores: 4
// bytes for a float widened to double, else 8; a category score equal to its
// other spelling's is written once) and `text` (the utterance contents, back to back). The store
// keeps each part in its own stream; JoinRecordParts puts one record's parts back together as the
// single byte string DecodeConversation reads. Decoding untrusted bytes returns Corruption on any
// inconsistency and never reads out of range.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

struct RecordParts {
  std::string meta;
  std::string scores;  // a multiple of 4 bytes: little-endian floats and doubles
  std::string text;
  // Where each utterance's content ends in this record's `text`, in order (not stored: the
  // store ends compressed blocks at some of them).
  std::vector<uint64_t> utterance_ends;
};

// Appends c's parts to out's three strings.
void EncodeConversationParts(const Conversation& c, RecordParts* out);
// Appends the joined form: varint |meta|, meta, varint |scores|, scores, text.
void JoinRecordParts(std::string_view meta, std::string_view scores, std::string_view text,
                     std::string* out);

// EncodeConversationParts + JoinRecordParts.
void EncodeConversation(const Conversation& c, std::string* out);
Status DecodeConversation(std::string_view joined, Conversation* out);

// The utterance contents of one record from its meta and text parts alone
// (views into `text`), in order, and when roles is given their roles (views
// into `meta`): what regex verification and snippets need, without decoding
// the rest. Corruption if the parts are malformed.
Status UtteranceTexts(std::string_view meta, std::string_view text,
                      std::vector<std::string_view>* out,
                      std::vector<std::string_view>* roles = nullptr);

}  // namespace wildchat
