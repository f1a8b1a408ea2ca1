// A small seeded multilingual corpus for the engine's agreement tests.
//
// MakeTestCorpus(n, seed) returns n conversations in the WildChat schema whose
// text mixes English, Russian, Chinese, Japanese, Thai, Korean, German, Greek
// and Turkish words with punctuation, code, hyphenated words, numbers and case
// variants, and whose metadata exercises every filter and facet: nulls
// (timestamp, country, state, ip, flags, scores), duplicate timestamps and
// hashes, empty utterances, conversations that open with an assistant turn,
// moderation and detoxify scores. The same (n, seed) gives the same records;
// turn identifiers are unique across the corpus. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "model/conversation.h"

namespace wildchat::reference {

std::vector<Conversation> MakeTestCorpus(int n, uint64_t seed);

}  // namespace wildchat::reference
