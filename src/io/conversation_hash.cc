#include "io/conversation_hash.h"

#include "base/sha256.h"
#include "io/json_writer.h"

namespace wildchat {

std::string ConversationHashInput(const Conversation& c) {
  std::string s = "[";
  for (size_t i = 0; i < c.conversation.size(); ++i) {
    if (i) s += ", ";
    s += "{\"content\": ";
    AppendJsonString(&s, c.conversation[i].content, /*ensure_ascii=*/true);
    s += ", \"role\": ";
    AppendJsonString(&s, c.conversation[i].role, /*ensure_ascii=*/true);
    s += '}';
  }
  s += ']';
  return s;
}

std::string ConversationHash(const Conversation& c) {
  return Sha256Hex(ConversationHashInput(c)).substr(0, 32);
}

}  // namespace wildchat
