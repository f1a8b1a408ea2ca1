// The WildChat record as one line of JSON, and back.
//
// Writing emits exactly the dataset's field names in schema order, compact
// separators, UTF-8 text (no \u escapes for non-ASCII), timestamps as ISO-8601
// UTC with microseconds, nulls as null, an empty moderation entry as an object
// of nulls, and unknown `extra` fields re-emitted last. Parsing (simdjson)
// accepts what real exports contain: ISO-8601 strings or epoch-millisecond
// integers for timestamps, `{}` or null for empty moderation entries, unknown
// fields kept verbatim in `extra`. A parse error is kInvalidArgument whose
// message names the field path, e.g. "conversation[2].turn_identifier:
// expected integer". Functions are thread-safe (one parser per thread).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "io/record_stream.h"
#include "model/conversation.h"

namespace wildchat {

// Appends the conversation as one JSON object (no trailing newline).
void AppendConversationJson(std::string* out, const Conversation& c);
// Pieces of it, for APIs that show one utterance or one moderation result.
void AppendUtteranceJson(std::string* out, const Utterance& u);
void AppendOpenAiModerationJson(std::string* out, const OpenAiModeration& m);
void AppendDetoxifyModerationJson(std::string* out, const DetoxifyModeration& m);

// Parses one JSON object into *out (fully overwritten). With
// options.need_text=false utterance content is left empty; with
// need_moderation=false the moderation lists are left empty. Invalid UTF-8 is
// reported with its byte offset.
Status ParseConversationJson(std::string_view json, Conversation* out,
                             const ReadOptions& options = {});

}  // namespace wildchat
