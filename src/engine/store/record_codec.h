// The store's binary row format for one Conversation: every field of the
// WildChat record, nullability and unknown `extra` fields included, so a
// decoded record compares equal to the encoded one. Decoding untrusted bytes
// returns Corruption on any inconsistency and never reads out of range.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

void EncodeConversation(const Conversation& c, std::string* out);
Status DecodeConversation(std::string_view bytes, Conversation* out);

}  // namespace wildchat
