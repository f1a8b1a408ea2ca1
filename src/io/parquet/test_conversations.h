// Test support: deterministic WildChat-shaped conversations that exercise
// every corner of the schema (nulls at each nesting level, empty lists, empty
// moderation entries, non-ASCII and multi-kilobyte text, negative and
// pre-1970 timestamps). Header-only, tests only.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/conversation.h"

namespace wildchat::parquet {

inline std::vector<Conversation> MakeTestConversations(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<uint32_t>(k)); };
  auto maybe = [&](int percent) { return pick(100) < percent; };
  const char* words[] = {"hello",
                         "Привет",
                         "你好",
                         "code",
                         "```cpp\nint main(){}\n```",
                         "\"quoted\"",
                         "tab\there",
                         "emoji 🙂",
                         "<b>html</b>",
                         "{\"json\": [1,2]}",
                         ""};
  const char* models[] = {"gpt-3.5-turbo-0613", "gpt-4-0314", "gpt-4-1106-preview"};
  const char* langs[] = {"English", "Chinese", "Russian", "French", "Nolang"};
  auto text = [&](int max_words) {
    std::string s;
    int k = pick(max_words + 1);
    for (int i = 0; i < k; ++i) s += std::string(i ? " " : "") + words[pick(11)];
    if (maybe(3)) s += std::string(5000 + pick(3000), 'x');
    return s;
  };
  auto opt = [&](int percent_null, const std::string& v) -> std::optional<std::string> {
    if (maybe(percent_null)) return std::nullopt;
    return v;
  };
  auto tri = [&] { return static_cast<TriBool>(pick(3)); };
  auto header = [&]() -> std::optional<Header> {
    if (maybe(20)) return std::nullopt;
    Header h;
    h.accept_language = opt(20, "en-US,en;q=0.9");
    h.user_agent = opt(20, "Mozilla/5.0 (X11; Linux x86_64)");
    return h;
  };
  auto score = [&] {
    return maybe(10) ? kNullScore : static_cast<double>(rng()) / 4294967296.0 * 1e-3;
  };
  std::vector<Conversation> out;
  int64_t turn_id = 1000;
  for (int i = 0; i < n; ++i) {
    Conversation c;
    c.conversation_hash = std::to_string(rng()) + std::to_string(rng());
    c.model = models[pick(3)];
    if (!maybe(5))
      c.timestamp = 1680998573000000LL + static_cast<int64_t>(rng()) * 1000 -
                    (maybe(5) ? 2000000000000000LL : 0);
    int utterances = maybe(5) ? 0 : 1 + pick(6);
    for (int u = 0; u < utterances; ++u) {
      Utterance t;
      t.content = text(12);
      t.role = u % 2 ? "assistant" : "user";
      t.country = opt(30, "United States");
      t.hashed_ip = opt(30, "a9f3" + std::to_string(pick(50)));
      t.header = header();
      t.language = opt(10, langs[pick(5)]);
      t.redacted = tri();
      t.state = opt(50, "California");
      if (u % 2) t.timestamp = 1680998573000000LL + pick(1000000);
      t.toxic = tri();
      t.turn_identifier = turn_id + u / 2;
      c.conversation.push_back(std::move(t));
    }
    turn_id += 10;
    c.turn = (utterances + 1) / 2;
    c.language = opt(5, langs[pick(5)]);
    int mods = maybe(5) ? 0 : utterances;
    for (int m = 0; m < mods; ++m) {
      OpenAiModeration om;
      if (!maybe(15)) {
        om.categories_null = false;
        om.scores_null = false;
        for (int k = 0; k < kModerationCategoryCount; ++k) {
          om.categories[k] = maybe(5) ? TriBool::kNull : ToTriBool(maybe(10));
          om.category_scores[k] = score();
        }
        om.flagged = tri();
      }
      c.openai_moderation.push_back(om);
      DetoxifyModeration d;
      if (!maybe(15))
        for (double& s : d.scores) s = score();
      c.detoxify_moderation.push_back(d);
    }
    c.toxic = tri();
    c.redacted = tri();
    c.state = opt(40, "Texas");
    c.country = opt(20, "Russia");
    c.hashed_ip = opt(20, "ff00" + std::to_string(pick(100)));
    c.header = header();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace wildchat::parquet
