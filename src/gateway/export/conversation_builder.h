// Building a WildChat record from a linked chain of turns.
//
// Each turn gives a user utterance (the last message it sent, with the
// turn's hashed IP, GeoIP and headers) and an assistant utterance (the reply,
// with the reply time); both carry the turn's identifier. The conversation's
// model and timestamp come from its last turn, hashed_ip/country/state/header
// are the most frequent over the user turns (ties: first seen). Language,
// moderation, toxic, redacted and conversation_hash are left unset for
// `wildchat curate`. Pure function.
#pragma once

#include <vector>

#include "gateway/log/turn_record.h"
#include "model/conversation.h"

namespace wildchat {

// `chain` holds pointers into the caller's turns, in conversation order.
Conversation BuildConversation(const std::vector<const TurnRecord*>& chain);

}  // namespace wildchat
