#include "gateway/export/conversation_builder.h"

#include <map>

namespace wildchat {
namespace {

// Most frequent value in `values` (first seen wins ties); nullopt when empty.
template <typename T>
std::optional<T> MostFrequent(const std::vector<T>& values) {
  std::optional<T> best;
  size_t best_count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    size_t count = 0;
    for (const T& v : values) count += v == values[i];
    if (count > best_count) {
      best_count = count;
      best = values[i];
    }
  }
  return best;
}

}  // namespace

Conversation BuildConversation(const std::vector<const TurnRecord*>& chain) {
  Conversation c;
  std::vector<std::optional<std::string>> ips, countries, states;
  std::vector<Header> headers;
  for (const TurnRecord* t : chain) {
    Utterance user;
    user.content = t->messages.back().content;
    user.role = t->messages.back().role;
    user.hashed_ip = t->hashed_ip;
    user.country = t->country;
    user.state = t->state;
    user.header = Header{t->accept_language, t->user_agent};
    user.turn_identifier = t->turn_identifier;
    Utterance assistant;
    assistant.content = t->reply;
    assistant.role = "assistant";
    assistant.timestamp = t->reply_time;
    assistant.turn_identifier = t->turn_identifier;
    ips.push_back(user.hashed_ip);
    countries.push_back(user.country);
    states.push_back(user.state);
    headers.push_back(*user.header);
    c.conversation.push_back(std::move(user));
    c.conversation.push_back(std::move(assistant));
  }
  if (!chain.empty()) {
    c.model = chain.back()->model;
    c.timestamp = chain.back()->reply_time;
  }
  c.turn = static_cast<int64_t>(chain.size());
  c.hashed_ip = MostFrequent(ips).value_or(std::nullopt);
  c.country = MostFrequent(countries).value_or(std::nullopt);
  c.state = MostFrequent(states).value_or(std::nullopt);
  c.header = MostFrequent(headers);
  return c;
}

}  // namespace wildchat
