// conversation_hash: the first 32 hex characters of SHA-256 over Python's
// json.dumps([{"content": c, "role": r}, ...]) of the utterances, exactly as
// WildChat computes it (ensure_ascii, ", " and ": " separators). Same text
// gives the same hash, so it is not a unique key. Thread-safe.
#pragma once

#include <string>

#include "model/conversation.h"

namespace wildchat {

// The exact bytes that are hashed (useful for tests and debugging).
std::string ConversationHashInput(const Conversation& c);
std::string ConversationHash(const Conversation& c);

}  // namespace wildchat
