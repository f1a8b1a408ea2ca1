#include "gateway/linking/turn_linker.h"

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "base/sha256.h"

namespace wildchat {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest DigestOf(std::string_view data) {
  Digest d;
  Sha256(data, d.data());
  return d;
}

// An unambiguous serialisation (length-prefixed) of a message list, hashed.
Digest HistoryDigest(const std::vector<ChatMessage>& messages, size_t count,
                     const std::string* reply) {
  std::string buf;
  auto add = [&buf](std::string_view s) {
    buf += std::to_string(s.size());
    buf.push_back(':');
    buf.append(s);
  };
  for (size_t i = 0; i < count; ++i) {
    add(messages[i].role);
    add(messages[i].content);
  }
  if (reply) {
    add("assistant");
    add(*reply);
  }
  return DigestOf(buf);
}

bool HasDialogue(const std::vector<ChatMessage>& messages, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (messages[i].role == "user" || messages[i].role == "assistant") return true;
  }
  return false;
}

}  // namespace

std::vector<std::vector<size_t>> LinkTurns(const std::vector<TurnRecord>& turns,
                                           LinkReport* report) {
  *report = LinkReport();
  report->turns = turns.size();
  const size_t n = turns.size();
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> parent(n, kNone), child(n, kNone);
  std::vector<bool> usable(n, false), broken(n, false);
  std::vector<Digest> fingerprint(n);
  std::map<Digest, std::vector<size_t>> by_current;

  for (size_t i = 0; i < n; ++i) {
    const TurnRecord& t = turns[i];
    if (t.outcome != TurnRecord::Outcome::kCompleted || t.messages.empty()) {
      ++report->failed_turns;
      continue;
    }
    usable[i] = true;
    fingerprint[i] = DigestOf(t.user_agent.value_or("") + t.accept_language.value_or(""));
    const size_t history = t.messages.size() - 1;
    if (HasDialogue(t.messages, history)) {
      auto it = by_current.find(HistoryDigest(t.messages, history, nullptr));
      size_t found = kNone;
      bool fallback = false;
      if (it != by_current.end()) {
        const std::vector<size_t>& cands = it->second;
        for (int pass = 0; pass < 2 && found == kNone; ++pass) {
          for (size_t k = cands.size(); k-- > 0;) {
            const size_t j = cands[k];
            const TurnRecord& p = turns[j];
            if (child[j] != kNone || fingerprint[j] != fingerprint[i] || p.model != t.model)
              continue;
            if (pass == 0 && p.hashed_ip != t.hashed_ip) continue;
            found = j;
            fallback = pass == 1;
            break;
          }
        }
      }
      if (found == kNone) {
        broken[i] = true;
        ++report->broken_chains;
      } else {
        parent[i] = found;
        child[found] = i;
        if (fallback) ++report->linked_by_fallback;
      }
    }
    by_current[HistoryDigest(t.messages, t.messages.size(), &t.reply)].push_back(i);
  }

  std::vector<std::vector<size_t>> chains;
  for (size_t i = 0; i < n; ++i) {
    if (!usable[i] || parent[i] != kNone) continue;
    std::vector<size_t> chain;
    for (size_t j = i; j != kNone; j = child[j]) chain.push_back(j);
    if (broken[i]) {
      report->dropped_turns += chain.size();
      continue;
    }
    chains.push_back(std::move(chain));
  }
  report->conversations = chains.size();
  return chains;
}

}  // namespace wildchat
