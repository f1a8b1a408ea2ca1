#include "engine/store/record_codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
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

uint64_t Bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
double FromBits(uint64_t u) {
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

TEST(RecordCodecTest, ScoresRoundTripBitForBit) {
  const double special[] = {
      0.0,
      -0.0,
      std::numeric_limits<double>::quiet_NaN(),
      -std::numeric_limits<double>::quiet_NaN(),
      FromBits(0x7FF0000000000001ull),  // signalling NaN with a payload
      FromBits(0x7FF80000DEADBEEFull),  // quiet NaN with a payload
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::denorm_min(),
      4.9e-320,
      static_cast<double>(std::numeric_limits<float>::denorm_min()),
      static_cast<double>(0.1f),
      0.1,
      1e-300,
      0.00018129787349607795,
      std::numeric_limits<double>::max(),
      1.0,
      0.5 + 1e-17,
  };
  Conversation c = Sample();
  c.openai_moderation.clear();
  c.detoxify_moderation.clear();
  constexpr size_t kCount = sizeof(special) / sizeof(special[0]);
  for (size_t shift = 0; shift < kCount; ++shift) {
    OpenAiModeration m;
    m.categories_null = shift % 2 == 0;
    m.scores_null = shift % 3 == 0;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      m.category_scores[i] = special[(i + shift) % kCount];
    }
    c.openai_moderation.push_back(m);
    DetoxifyModeration d;
    for (int i = 0; i < kDetoxifyFieldCount; ++i) d.scores[i] = special[(i * 5 + shift) % kCount];
    c.detoxify_moderation.push_back(d);
  }
  // Twin spellings that agree (stored once) and disagree only in a NaN payload or a sign.
  OpenAiModeration twins;
  twins.category_scores.fill(0.25);
  twins.category_scores[1] = twins.category_scores[2] = 0.00018129787349607795;
  twins.category_scores[4] = std::numeric_limits<double>::quiet_NaN();
  twins.category_scores[5] = FromBits(0x7FF80000DEADBEEFull);
  twins.category_scores[6] = 0.0;
  twins.category_scores[9] = -0.0;
  c.openai_moderation.push_back(twins);
  c.openai_moderation.push_back(OpenAiModeration());
  c.detoxify_moderation.push_back(DetoxifyModeration());

  std::string bytes;
  EncodeConversation(c, &bytes);
  Conversation back;
  ASSERT_TRUE(DecodeConversation(bytes, &back).ok());
  ASSERT_EQ(back.openai_moderation.size(), c.openai_moderation.size());
  ASSERT_EQ(back.detoxify_moderation.size(), c.detoxify_moderation.size());
  for (size_t k = 0; k < c.openai_moderation.size(); ++k) {
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      EXPECT_EQ(Bits(back.openai_moderation[k].category_scores[i]),
                Bits(c.openai_moderation[k].category_scores[i]))
          << k << " " << i;
    }
    EXPECT_EQ(back.openai_moderation[k].categories_null, c.openai_moderation[k].categories_null);
    EXPECT_EQ(back.openai_moderation[k].scores_null, c.openai_moderation[k].scores_null);
  }
  for (size_t k = 0; k < c.detoxify_moderation.size(); ++k) {
    for (int i = 0; i < kDetoxifyFieldCount; ++i) {
      EXPECT_EQ(Bits(back.detoxify_moderation[k].scores[i]),
                Bits(c.detoxify_moderation[k].scores[i]))
          << k << " " << i;
    }
  }
}

TEST(RecordCodecTest, FloatScoresAndTwinSpellingsTakeLessRoom) {
  Conversation c = Sample();
  OpenAiModeration m;
  m.categories_null = m.scores_null = false;
  for (int i = 0; i < kModerationCategoryCount; ++i) m.category_scores[i] = 0.001 * (i + 1);
  c.openai_moderation = {m};
  RecordParts full;
  EncodeConversationParts(c, &full);
  EXPECT_EQ(full.scores.size(), 8u * kModerationCategoryCount + 4u * kDetoxifyFieldCount * 2);
  // Same values as floats, twins equal: 11 distinct categories of 4 bytes.
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    m.category_scores[i] = static_cast<float>(0.001 * (i + 1));
  }
  for (auto [a, b] : {std::pair{1, 2}, {4, 5}, {6, 9}, {7, 10}, {8, 11}, {13, 14}, {16, 17}}) {
    m.category_scores[b] = m.category_scores[a];
  }
  c.openai_moderation = {m};
  RecordParts small;
  EncodeConversationParts(c, &small);
  EXPECT_EQ(small.scores.size(), 4u * 11 + 4u * kDetoxifyFieldCount * 2);
  std::string joined;
  JoinRecordParts(small.meta, small.scores, small.text, &joined);
  Conversation back;
  ASSERT_TRUE(DecodeConversation(joined, &back).ok());
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

TEST(RecordCodecTest, UtteranceTextsReadTheContentsFromMetaAndTextAlone) {
  Conversation c = Sample();
  Utterance u;
  u.role = "user";
  u.content = "third \xe2\x9c\x93 with a header and extras";
  u.header = Header{"en", "ua"};
  u.extra = {{"k", "1"}, {"j", "\"s\""}};
  u.state = "Texas";
  c.conversation.push_back(u);
  RecordParts parts;
  EncodeConversationParts(c, &parts);
  std::vector<std::string_view> texts, roles;
  ASSERT_TRUE(UtteranceTexts(parts.meta, parts.text, &texts).ok());
  ASSERT_EQ(texts.size(), c.conversation.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], c.conversation[i].content);
  // With roles too (any role string: "tool" is neither user nor assistant).
  c.conversation[0].role = "tool";
  parts = RecordParts();
  EncodeConversationParts(c, &parts);
  ASSERT_TRUE(UtteranceTexts(parts.meta, parts.text, &texts, &roles).ok());
  ASSERT_EQ(roles.size(), c.conversation.size());
  for (size_t i = 0; i < roles.size(); ++i) {
    EXPECT_EQ(roles[i], c.conversation[i].role);
    EXPECT_EQ(texts[i], c.conversation[i].content);
  }
  // Malformed parts are Corruption, never a read out of range.
  std::mt19937 rng(9);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string meta = parts.meta, text = parts.text;
    if (i % 3 == 0) {
      meta.resize(rng() % meta.size());
    } else if (i % 3 == 1) {
      text.resize(rng() % (text.size() + 1));
    } else {
      for (int k = 0; k < 3; ++k) meta[rng() % meta.size()] = static_cast<char>(rng());
    }
    const Status st = UtteranceTexts(meta, text, &texts);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 600);
}

}  // namespace
}  // namespace wildchat
