// Linking logged turns into conversations, the way WildChat was built.
//
// Each completed turn has current = H(messages + [reply]) and
// prev = H(messages without the new last message). A turn whose earlier
// messages hold no user/assistant message starts a conversation; any other
// turn extends the most recent earlier turn whose `current` equals its `prev`
// and that nobody extended yet, preferring the same device fingerprint
// (sha256(user-agent ‖ accept-language)) AND hashed IP AND model, falling back
// to the same fingerprint and model. A turn finding no such parent breaks its
// chain: it and everything extending it are dropped and counted. Regenerating
// a reply or editing a message re-sends an already extended history, so such
// branches break the same way (the first continuation keeps the history).
// Failed turns are not linked. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "gateway/log/turn_record.h"

namespace wildchat {

struct LinkReport {
  uint64_t turns = 0;               // records seen
  uint64_t failed_turns = 0;        // not completed: not linked
  uint64_t conversations = 0;       // chains kept
  uint64_t broken_chains = 0;       // turns that found no parent
  uint64_t dropped_turns = 0;       // turns in broken chains
  uint64_t linked_by_fallback = 0;  // parent found only by fingerprint + model
};

// Returns the kept chains as indices into `turns` (each chain in order, the
// chains ordered by their first turn). `turns` must be in log order.
std::vector<std::vector<size_t>> LinkTurns(const std::vector<TurnRecord>& turns,
                                           LinkReport* report);

}  // namespace wildchat
