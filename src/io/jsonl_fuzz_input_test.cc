// Feeds the fuzz entry points a few thousand mutated inputs derived from
// valid records, so the normal suite exercises the parsers' error paths.
#include "io/jsonl_fuzz_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "io/conversation_json.h"

namespace wildchat {
namespace {

std::string Seed() {
  Conversation c;
  c.conversation_hash = "abc";
  c.model = "gpt-4-0314";
  c.timestamp = 1680000000123456;
  for (int i = 0; i < 2; ++i) {
    Utterance u;
    u.role = i ? "assistant" : "user";
    u.content = i ? "Ответ 😀 ```x```" : "hi \"there\"\n";
    u.turn_identifier = 77;
    u.header = Header{"en-US", "curl"};
    c.conversation.push_back(u);
    OpenAiModeration m;
    m.categories_null = m.scores_null = false;
    m.category_scores.fill(0.25);
    c.openai_moderation.push_back(m);
    c.detoxify_moderation.emplace_back();
  }
  c.extra = {{"x", "[1,{\"y\":null}]"}};
  std::string s;
  AppendConversationJson(&s, c);
  return s;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  static const char* kTokens[] = {"null", "{",   "}",     "[", "]",    ",",    ":",
                                  "\"",   "\\u", "1e999", "-", "true", "\xFF", "\xED\xA0\x80",
                                  "\n"};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    switch (rng() % 4) {
      case 0:
        s[at] = static_cast<char>(rng() & 0xFF);
        break;
      case 1:
        s.erase(at, 1 + rng() % 8);
        break;
      case 2:
        s.insert(at, kTokens[rng() % (sizeof kTokens / sizeof *kTokens)]);
        break;
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

TEST(JsonlFuzzInputTest, MutatedRecordsNeverBreakInvariants) {
  std::mt19937 rng(1234);
  const std::string seed = Seed();
  FuzzConversationJsonInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
  for (int i = 0; i < 4000; ++i) {
    const std::string m = Mutate(seed, rng);
    FuzzConversationJsonInput(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  }
}

TEST(JsonlFuzzInputTest, MutatedFilesAlwaysTerminate) {
  std::mt19937 rng(99);
  const std::string scratch = "/tmp/wildchat_jsonl_fuzz_" + std::to_string(getpid()) + ".jsonl";
  const std::string seed = Seed() + "\n" + Seed() + "\n";
  // gzip and zstd headers followed by garbage exercise the decompressors.
  const std::string gz_head("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  const std::string zstd_head("\x28\xb5\x2f\xfd", 4);
  for (int i = 0; i < 1500; ++i) {
    std::string m = Mutate(seed, rng);
    if (i % 5 == 1) m = gz_head + m;
    if (i % 5 == 2) m = zstd_head + m;
    FuzzJsonlFileInput(reinterpret_cast<const uint8_t*>(m.data()), m.size(), scratch);
  }
  std::remove(scratch.c_str());
}

}  // namespace
}  // namespace wildchat
