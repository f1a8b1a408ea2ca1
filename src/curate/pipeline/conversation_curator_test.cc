#include "curate/pipeline/conversation_curator.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "curate/moderation/toxic_rule.h"

namespace wildchat::curate {
namespace {

Utterance U(const std::string& role, const std::string& content, int64_t id) {
  Utterance u;
  u.role = role;
  u.content = content;
  u.turn_identifier = id;
  return u;
}

std::unique_ptr<ConversationCurator> MakeCurator(CuratorOptions o = {}) {
  std::unique_ptr<ConversationCurator> c;
  const Status st = ConversationCurator::Create(o, &c);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

// Python's own json.dumps + hashlib, the definition of conversation_hash.
std::string PythonHash(const Conversation& c) {
  const std::string path = ::testing::TempDir() + "/hash_input.txt";
  {
    std::ofstream out(path, std::ios::binary);
    for (const auto& u : c.conversation) out << u.role << '\x1f' << u.content << '\x1e';
  }
  const std::string cmd =
      "python3 -c \"import json,hashlib,sys;d=open(sys.argv[1],'rb').read().decode('utf-8');"
      "msgs=[dict(content=x.split('\\x1f',1)[1],role=x.split('\\x1f',1)[0]) for x in "
      "d.split('\\x1e')[:-1]];"
      "print(hashlib.sha256(json.dumps(msgs).encode()).hexdigest()[:32])\" " +
      path;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[128] = {0};
  const bool got = p != nullptr && std::fgets(buf, sizeof(buf), p) != nullptr;
  if (p != nullptr) pclose(p);
  std::string s = got ? buf : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(ConversationCuratorTest, RedactsThenHashesLikePython) {
  auto curator = MakeCurator();
  Conversation c;
  c.model = "gpt-4-0314";
  c.conversation = {
      U("user", "Hi, my name is Emily Carter, mail emily.carter@gmail.com 😀 \"q\"\n", 1),
      U("assistant", "Hello Emily! 你好. key sk-proj-abc123DEF456ghi789JKL012mno345PQR", 1)};
  CurateStats stats;
  curator->Curate(&c, &stats);
  EXPECT_EQ(c.conversation[0].content,
            "Hi, my name is <PRESIDIO_ANONYMIZED_PERSON>, mail <PRESIDIO_ANONYMIZED_EMAIL_ADDRESS> "
            "😀 \"q\"\n");
  EXPECT_EQ(c.conversation[1].content, "Hello Emily! 你好. key <TRUFFLEHOG_REDACTED_OPENAI>");
  EXPECT_TRUE(IsTrue(c.conversation[0].redacted));
  EXPECT_TRUE(IsTrue(c.redacted));
  ASSERT_EQ(c.conversation_hash.size(), 32u);
  EXPECT_EQ(c.conversation_hash, PythonHash(c));
  EXPECT_EQ(stats.counters["pii.EMAIL_ADDRESS"], 1);
  EXPECT_EQ(stats.counters["secrets.OPENAI"], 1);
  EXPECT_EQ(stats.examples["EMAIL_ADDRESS"][0], "e****.c*****@g****.c**");
}

TEST(ConversationCuratorTest, LanguagesModerationToxicAndRollups) {
  auto curator = MakeCurator();
  Conversation c;
  c.conversation = {U("user", "Напиши, пожалуйста, короткий рассказ о путешествии на поезде.", 1),
                    U("assistant", "", 1),
                    U("user", "   ", 2),
                    U("assistant", "Конечно! Вот короткий рассказ о путешествии на поезде.", 2),
                    U("user", "You are a stupid idiot, fuck you.", 3),
                    U("assistant", "I'm sorry you feel that way.", 3)};
  c.conversation[0].state = "Bavaria";
  c.conversation[2].state = "Berlin";
  c.conversation[4].state = "Berlin";
  c.conversation[0].country = "Germany";
  CurateStats stats;
  curator->Curate(&c, &stats);
  EXPECT_EQ(*c.conversation[0].language, "Russian");
  EXPECT_EQ(*c.conversation[1].language, "Nolang");
  EXPECT_EQ(*c.conversation[2].language, "Nolang");
  EXPECT_EQ(*c.language, "Russian");  // 2 Russian, 2 Nolang, Russian seen first
  EXPECT_EQ(c.turn, 3);
  EXPECT_EQ(*c.state, "Berlin");
  EXPECT_EQ(*c.country, "Germany");
  ASSERT_EQ(c.openai_moderation.size(), 6u);
  ASSERT_EQ(c.detoxify_moderation.size(), 6u);
  EXPECT_TRUE(c.openai_moderation[1].empty());  // empty content, empty entry
  EXPECT_TRUE(c.detoxify_moderation[1].empty());
  EXPECT_FALSE(c.openai_moderation[2].empty());  // whitespace is content
  EXPECT_GT(c.detoxify_moderation[4].scores[kDetoxifyToxicity], 0.1);
  EXPECT_LT(c.detoxify_moderation[0].scores[kDetoxifyToxicity], 0.1);
  EXPECT_TRUE(IsTrue(c.conversation[4].toxic));
  EXPECT_FALSE(IsTrue(c.conversation[0].toxic));
  EXPECT_TRUE(IsTrue(c.toxic));
}

TEST(ConversationCuratorTest, ExistingScoresKeptUnlessRescore) {
  Conversation c;
  c.conversation = {U("user", "hello there friend", 1)};
  c.detoxify_moderation.resize(1);
  c.detoxify_moderation[0].scores.fill(0.5);
  c.openai_moderation.resize(1);
  c.openai_moderation[0].flagged = TriBool::kFalse;
  c.openai_moderation[0].categories_null = false;
  c.openai_moderation[0].scores_null = false;
  Conversation copy = c;
  CurateStats stats;
  MakeCurator()->Curate(&c, &stats);
  EXPECT_EQ(c.detoxify_moderation[0].scores[kDetoxifyToxicity], 0.5);
  EXPECT_TRUE(IsTrue(c.toxic));  // 0.5 > 0.1
  CuratorOptions o;
  o.rescore = true;
  MakeCurator(o)->Curate(&copy, &stats);
  EXPECT_LT(copy.detoxify_moderation[0].scores[kDetoxifyToxicity], 0.1);
  EXPECT_FALSE(IsTrue(copy.toxic));
}

TEST(ToxicRuleTest, Table) {
  OpenAiModeration flagged, clean;
  flagged.flagged = TriBool::kTrue;
  clean.flagged = TriBool::kFalse;
  DetoxifyModeration low, high, exact, null;
  low.scores.fill(0.05);
  high.scores.fill(0.05);
  high.scores[kDetoxifyToxicity] = 0.11;
  exact.scores.fill(0.0);
  exact.scores[kDetoxifyToxicity] = 0.1;
  EXPECT_FALSE(UtteranceToxic("x", clean, low));
  EXPECT_TRUE(UtteranceToxic("x", clean, high));
  EXPECT_FALSE(UtteranceToxic("x", clean, exact));  // strictly greater than 0.1
  EXPECT_TRUE(UtteranceToxic("x", flagged, low));
  EXPECT_TRUE(UtteranceToxic("x", flagged, null));
  EXPECT_FALSE(UtteranceToxic("", flagged, high));  // empty content is never toxic
}

TEST(ConversationCuratorTest, PublicValuesAreKept) {
  CuratorOptions o;
  o.public_threshold = 3;
  auto curator = MakeCurator(o);
  PublicValueCounter counter;
  Conversation shared, privat;
  shared.conversation = {U("user", "write to support@bigcorp-mail.com please", 1)};
  privat.conversation = {U("user", "write to jane.doe77@gmail.com please", 2)};
  for (uint64_t i = 0; i < 3; ++i) curator->CountCandidates(shared, i, &counter);
  curator->CountCandidates(shared, 2, &counter);  // same conversation twice counts once
  curator->CountCandidates(privat, 3, &counter);
  EXPECT_EQ(counter.Conversations("EMAIL_ADDRESS", "support@bigcorp-mail.com"), 3u);
  curator->set_public_values(&counter);
  CurateStats stats;
  curator->Curate(&shared, &stats);
  curator->Curate(&privat, &stats);
  EXPECT_EQ(shared.conversation[0].content, "write to support@bigcorp-mail.com please");
  EXPECT_EQ(privat.conversation[0].content, "write to <PRESIDIO_ANONYMIZED_EMAIL_ADDRESS> please");
  EXPECT_EQ(stats.counters["pii_public_kept.EMAIL_ADDRESS"], 1);
}

TEST(ConversationCuratorTest, StagesCanBeSwitchedOff) {
  StageSet s;
  ASSERT_TRUE(ParseStages("langid,hash", &s).ok());
  EXPECT_TRUE(s.langid && s.hash);
  EXPECT_FALSE(s.pii || s.secrets || s.moderation || s.release);
  EXPECT_FALSE(ParseStages("langid,bogus", &s).ok());
  CuratorOptions o;
  ASSERT_TRUE(ParseStages("langid", &o.stages).ok());
  Conversation c;
  c.conversation = {U("user", "mail me: jane.doe77@gmail.com", 1)};
  CurateStats stats;
  MakeCurator(o)->Curate(&c, &stats);
  EXPECT_EQ(c.conversation[0].content, "mail me: jane.doe77@gmail.com");
  EXPECT_TRUE(c.conversation_hash.empty());
  EXPECT_TRUE(c.openai_moderation.empty());
}

}  // namespace
}  // namespace wildchat::curate
