#include "engine/store/record_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace wildchat {
namespace {

Conversation Sample() {
  Conversation c;
  c.conversation_hash = "0123456789abcdef0123456789abcdef";
  c.model = "gpt-4-0314";
  c.timestamp = 1700000000123456;
  c.turn = 1;
  c.language = "English";
  c.toxic = TriBool::kFalse;
  c.redacted = TriBool::kTrue;
  c.country = "France";
  c.hashed_ip = "ff00";
  c.header = Header{"fr-FR", std::nullopt};
  c.extra = {{"custom", "[1,2]"}};
  Utterance u;
  u.content = "Bonjour <PRESIDIO_ANONYMIZED_PERSON>";
  u.role = "user";
  u.turn_identifier = 42;
  u.country = "France";
  u.header = Header{std::nullopt, "curl"};
  u.redacted = TriBool::kTrue;
  c.conversation.push_back(u);
  Utterance a;
  a.content = "";
  a.role = "assistant";
  a.turn_identifier = 42;
  a.timestamp = 1700000000123456;
  a.extra = {{"x", "null"}};
  c.conversation.push_back(a);
  OpenAiModeration m;
  m.categories_null = false;
  m.scores_null = false;
  m.categories.fill(TriBool::kFalse);
  m.category_scores.fill(0.25);
  m.category_scores[3] = 1e-300;
  m.flagged = TriBool::kFalse;
  c.openai_moderation = {m, OpenAiModeration()};
  DetoxifyModeration d;
  d.scores.fill(0.125);
  c.detoxify_moderation = {d, DetoxifyModeration()};
  return c;
}

TEST(RecordCodecTest, RoundTripKeepsEveryField) {
  const Conversation c = Sample();
  std::string bytes;
  EncodeConversation(c, &bytes);
  Conversation back;
  ASSERT_TRUE(DecodeConversation(bytes, &back).ok());
  EXPECT_EQ(back, c);
}

TEST(RecordCodecTest, EmptyRecordRoundTrips) {
  Conversation c;
  std::string bytes;
  EncodeConversation(c, &bytes);
  Conversation back;
  ASSERT_TRUE(DecodeConversation(bytes, &back).ok());
  EXPECT_EQ(back, c);
}

TEST(RecordCodecTest, CorruptBytesAreRejectedNotCrashed) {
  std::string bytes;
  EncodeConversation(Sample(), &bytes);
  std::mt19937 rng(7);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = bytes;
    const int kind = i % 3;
    if (kind == 0) {
      b.resize(rng() % b.size());
    } else {
      for (int k = 0; k < 4; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    }
    Conversation out;
    const Status st = DecodeConversation(b, &out);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace wildchat
