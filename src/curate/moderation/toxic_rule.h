// The WildChat toxic rule: an utterance is toxic iff its content is non-empty
// and (its OpenAI moderation result is flagged or its Detoxify toxicity score
// is above 0.1); a conversation is toxic iff any utterance is. Pure functions.
#pragma once

#include <string_view>

#include "model/conversation.h"

namespace wildchat::curate {

inline constexpr double kToxicityThreshold = 0.1;

bool UtteranceToxic(std::string_view content, const OpenAiModeration& openai,
                    const DetoxifyModeration& detoxify);

// Sets each utterance's `toxic` and the conversation's; moderation lists
// shorter than the conversation count as empty entries.
void ApplyToxicRule(Conversation* c);

// Whether any utterance has the sexual/minors category (either spelling):
// such conversations are left out of every release.
bool HasSexualMinors(const Conversation& c);

}  // namespace wildchat::curate
