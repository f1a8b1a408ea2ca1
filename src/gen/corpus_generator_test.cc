#include "gen/corpus_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "gen/planted.h"
#include "io/conversation_json.h"
#include "io/python_oracle.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

// Every "dddd dddd dddd dddd" (space or dash) in s.
std::vector<std::string> CardNumbers(const std::string& s) {
  std::vector<std::string> out;
  auto digits = [&](size_t at) {
    for (size_t k = at; k < at + 4; ++k) {
      if (k >= s.size() || s[k] < '0' || s[k] > '9') return false;
    }
    return true;
  };
  for (size_t i = 0; i + 19 <= s.size(); ++i) {
    if (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') continue;
    const char sep = s[i + 4];
    if ((sep == ' ' || sep == '-') && digits(i) && digits(i + 5) && s[i + 9] == sep &&
        digits(i + 10) && s[i + 14] == sep && digits(i + 15)) {
      out.push_back(s.substr(i, 19));
    }
  }
  return out;
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string Json(const Conversation& c) {
  std::string s;
  AppendConversationJson(&s, c);
  return s;
}

TEST(CorpusGeneratorTest, SameSeedSameBytesDifferentSeedDifferentBytes) {
  GenOptions o;
  o.conversations = 300;
  CorpusGenerator a(o), b(o);
  o.seed = 2;
  CorpusGenerator c(o);
  int differing = 0;
  // b generates in reverse order: the result must not depend on call order.
  std::vector<std::string> from_b(300);
  for (int i = 299; i >= 0; --i) from_b[i] = Json(b.Generate(i));
  for (int i = 0; i < 300; ++i) {
    const std::string ja = Json(a.Generate(i));
    EXPECT_EQ(ja, from_b[i]) << i;
    differing += ja != Json(c.Generate(i));
  }
  EXPECT_EQ(differing, 300);
}

TEST(CorpusGeneratorTest, RecordsSurviveTheJsonRoundTrip) {
  GenOptions o;
  o.conversations = 200;
  CorpusGenerator g(o);
  for (int i = 0; i < 200; ++i) {
    const Conversation c = g.Generate(i);
    Conversation back;
    Status st = ParseConversationJson(Json(c), &back);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(back, c) << i;
  }
}

TEST(CorpusGeneratorTest, ConversationHashMatchesPython) {
  GenOptions o;
  o.conversations = 400;
  CorpusGenerator g(o);
  std::string lines, expected;
  for (int i = 0; i < 400; ++i) {
    const Conversation c = g.Generate(i);
    lines += Json(c) + "\n";
    expected += c.conversation_hash + "\n";
  }
  const std::string script =
      "import json,hashlib,sys\n"
      "for line in open(sys.argv[1],encoding='utf-8'):\n"
      "    d=json.loads(line)\n"
      "    m=[{'content':u['content'],'role':u['role']} for u in d['conversation']]\n"
      "    print(hashlib.sha256(json.dumps(m).encode()).hexdigest()[:32])\n";
  EXPECT_EQ(RunPythonOracle(script, lines), expected);
}

class CorpusStatisticsTest : public ::testing::Test {
 protected:
  static constexpr int kConversations = 20000;
  static void SetUpTestSuite() {
    GenOptions o;
    o.conversations = kConversations;
    o.seed = 7;
    CorpusGenerator g(o);
    corpus_ = new std::vector<Conversation>();
    for (int i = 0; i < kConversations; ++i) corpus_->push_back(g.Generate(i));
  }
  static void TearDownTestSuite() { delete corpus_; }
  static std::vector<Conversation>* corpus_;
};
std::vector<Conversation>* CorpusStatisticsTest::corpus_ = nullptr;

TEST_F(CorpusStatisticsTest, TurnsModelsAndLanguagesLookLikeWildChat) {
  double turns = 0;
  int over10 = 0, gpt4 = 0;
  std::map<std::string, int> lang;
  int utterances = 0;
  for (const auto& c : *corpus_) {
    turns += c.turn;
    over10 += c.turn > 10;
    gpt4 += c.model.rfind("gpt-4", 0) == 0;
    ASSERT_EQ(c.conversation.size(), 2 * static_cast<size_t>(c.turn));
    for (const auto& u : c.conversation) {
      ++lang[*u.language];
      ++utterances;
    }
  }
  const double n = kConversations;
  EXPECT_NEAR(turns / n, 2.5, 0.2);
  EXPECT_NEAR(over10 / n, 0.037, 0.012);
  EXPECT_NEAR(gpt4 / n, 0.25, 0.04);
  EXPECT_NEAR(lang["English"] / double(utterances), 0.53, 0.05);
  EXPECT_NEAR(lang["Chinese"] / double(utterances), 0.13, 0.04);
  EXPECT_NEAR(lang["Russian"] / double(utterances), 0.12, 0.04);
  EXPECT_GE(lang.size(), 20u);
  EXPECT_GT(lang["Nolang"], 0);  // some empty user inputs
}

TEST_F(CorpusStatisticsTest, ModerationFollowsTheToxicRule) {
  int toxic_conversations = 0;
  for (const auto& c : *corpus_) {
    ASSERT_EQ(c.openai_moderation.size(), c.conversation.size());
    ASSERT_EQ(c.detoxify_moderation.size(), c.conversation.size());
    bool any = false;
    for (size_t k = 0; k < c.conversation.size(); ++k) {
      const auto& u = c.conversation[k];
      const auto& m = c.openai_moderation[k];
      const auto& d = c.detoxify_moderation[k];
      if (u.content.empty()) {
        EXPECT_TRUE(m.empty());
        EXPECT_TRUE(d.empty());
        EXPECT_EQ(u.toxic, TriBool::kFalse);
        continue;
      }
      bool flagged_by_category = false;
      for (int j = 0; j < kModerationCategoryCount; ++j) {
        EXPECT_EQ(IsTrue(m.categories[j]), m.category_scores[j] >= 0.5);
        flagged_by_category |= IsTrue(m.categories[j]);
      }
      EXPECT_EQ(IsTrue(m.flagged), flagged_by_category);
      const bool toxic = IsTrue(m.flagged) || d.scores[kDetoxifyToxicity] > 0.1;
      EXPECT_EQ(IsTrue(u.toxic), toxic);
      any |= toxic;
    }
    EXPECT_EQ(IsTrue(c.toxic), any);
    toxic_conversations += any;
  }
  EXPECT_GT(toxic_conversations, kConversations * 0.05);
  EXPECT_LT(toxic_conversations, kConversations * 0.2);
}

TEST_F(CorpusStatisticsTest, PlantedItemsAppearAtTheirRates) {
  int cards = 0, emails = 0, keys = 0, names = 0, redacted = 0;
  for (const auto& c : *corpus_) {
    bool has_card = false, has_email = false, has_key = false, has_name = false;
    for (const auto& u : c.conversation) {
      if (u.role != "user") continue;
      for (const auto& number : CardNumbers(u.content)) {
        EXPECT_TRUE(LuhnValid(number)) << number;
        has_card = true;
      }
      has_email |= u.content.find('@') != std::string::npos &&
                   u.content.find("ssh root@") == std::string::npos;
      has_key |= u.content.find("sk-") != std::string::npos ||
                 u.content.find("AKIA") != std::string::npos ||
                 u.content.find("ghp_") != std::string::npos;
      has_name |= u.content.find("My name is ") != std::string::npos;
    }
    cards += has_card;
    emails += has_email;
    keys += has_key;
    names += has_name;
    redacted += IsTrue(c.redacted);
  }
  const PlantRates rates;
  const double n = kConversations;
  EXPECT_NEAR(cards / n, rates.credit_card, 0.003);
  EXPECT_NEAR(emails / n, rates.email, 0.006);
  EXPECT_NEAR(keys / n, rates.api_key, 0.004);
  EXPECT_NEAR(names / n, rates.person_name, 0.006);
  EXPECT_NEAR(redacted / n, rates.redaction, 0.005);
}

TEST_F(CorpusStatisticsTest, UsersAreHeavyTailedAndConsistent) {
  std::map<std::string, int> per_user;
  std::map<std::string, std::string> profile;
  for (const auto& c : *corpus_) {
    ASSERT_TRUE(c.hashed_ip.has_value());
    EXPECT_TRUE(IsHex64(*c.hashed_ip));
    ++per_user[*c.hashed_ip];
    const std::string p = c.country.value_or("-") + "|" + c.state.value_or("-") + "|" +
                          c.header->user_agent.value_or("-") + "|" +
                          c.header->accept_language.value_or("-");
    auto [it, inserted] = profile.emplace(*c.hashed_ip, p);
    EXPECT_EQ(it->second, p);
  }
  const double users = per_user.size();
  EXPECT_NEAR(users / kConversations, 0.205, 0.03);
  int max_count = 0, singletons = 0;
  for (const auto& [ip, count] : per_user) {
    max_count = std::max(max_count, count);
    singletons += count == 1;
  }
  // The busiest user has ~0.5% of all conversations; many users come once.
  EXPECT_GT(max_count, kConversations / 500);
  EXPECT_GT(singletons, users * 0.4);
}

TEST_F(CorpusStatisticsTest, TurnStructureTimestampsAndIds) {
  std::set<int64_t> ids;
  const TimestampMicros start = *ParseIso8601("2023-04-09T00:00:00Z");
  const TimestampMicros end = *ParseIso8601("2024-05-15T00:00:00Z");
  for (const auto& c : *corpus_) {
    TimestampMicros prev = 0;
    std::map<std::string, int> langs;
    std::vector<std::string> order;
    for (size_t k = 0; k < c.conversation.size(); ++k) {
      const auto& u = c.conversation[k];
      EXPECT_EQ(u.role, k % 2 ? "assistant" : "user");
      if (k % 2 == 0) {
        EXPECT_TRUE(ids.insert(u.turn_identifier).second) << u.turn_identifier;
        EXPECT_FALSE(u.timestamp.has_value());
        EXPECT_TRUE(u.hashed_ip.has_value());
      } else {
        EXPECT_EQ(u.turn_identifier, c.conversation[k - 1].turn_identifier);
        ASSERT_TRUE(u.timestamp.has_value());
        EXPECT_GT(*u.timestamp, prev);
        prev = *u.timestamp;
        EXPECT_FALSE(u.hashed_ip.has_value());
        EXPECT_FALSE(u.header.has_value());
      }
      if (langs[*u.language]++ == 0) order.push_back(*u.language);
    }
    EXPECT_EQ(c.timestamp, c.conversation.back().timestamp);
    EXPECT_GE(*c.timestamp, start);
    EXPECT_LT(*c.timestamp, end);
    // Most frequent utterance language, ties to the first seen.
    std::string best;
    int best_count = 0;
    for (const auto& l : order) {
      if (langs[l] > best_count) best = l, best_count = langs[l];
    }
    EXPECT_EQ(c.language, best);
    EXPECT_EQ(c.conversation_hash.size(), 32u);
  }
}

}  // namespace
}  // namespace wildchat
