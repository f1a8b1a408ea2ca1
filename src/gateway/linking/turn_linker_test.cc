#include "gateway/linking/turn_linker.h"

#include <gtest/gtest.h>

#include "gateway/export/conversation_builder.h"

namespace wildchat {
namespace {

// A small simulator of browser sessions: each session keeps its history and
// sends it with every new message, as the chat page and API clients do.
struct Session {
  Session(std::string i, std::string u) : ip(std::move(i)), ua(std::move(u)) {}
  std::string ip, ua, lang = "en-US", model = "m";
  std::vector<ChatMessage> history;
};

class LinkerTest : public ::testing::Test {
 protected:
  // Sends `text` after the session's history; the reply is recorded and
  // appended to the history. Returns the turn's index.
  size_t Say(Session& s, const std::string& text, bool keep = true) {
    TurnRecord r;
    r.turn_identifier = static_cast<int64_t>(turns_.size() + 1);
    r.model = s.model;
    r.messages = s.history;
    r.messages.push_back({"user", text});
    r.reply = "reply to " + text;
    r.hashed_ip = s.ip;
    r.user_agent = s.ua;
    r.accept_language = s.lang;
    r.reply_time = 1000 + r.turn_identifier;
    if (keep) {
      s.history = r.messages;
      s.history.push_back({"assistant", r.reply});
    }
    turns_.push_back(r);
    return turns_.size() - 1;
  }
  std::vector<std::vector<size_t>> Link() { return LinkTurns(turns_, &report_); }

  std::vector<TurnRecord> turns_;
  LinkReport report_;
};

TEST_F(LinkerTest, InterleavedMultiTurnConversations) {
  Session a{"ip1", "Firefox"}, b{"ip2", "Chrome"};
  size_t a1 = Say(a, "hi"), b1 = Say(b, "hello"), a2 = Say(a, "more"), b2 = Say(b, "and"),
         a3 = Say(a, "end");
  auto chains = Link();
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0], (std::vector<size_t>{a1, a2, a3}));
  EXPECT_EQ(chains[1], (std::vector<size_t>{b1, b2}));
  EXPECT_EQ(report_.broken_chains, 0u);

  std::vector<const TurnRecord*> ptrs;
  for (size_t i : chains[0]) ptrs.push_back(&turns_[i]);
  Conversation c = BuildConversation(ptrs);
  EXPECT_EQ(c.turn, 3);
  ASSERT_EQ(c.conversation.size(), 6u);
  EXPECT_EQ(c.conversation[2].content, "more");
  EXPECT_EQ(c.conversation[2].role, "user");
  EXPECT_EQ(c.conversation[3].content, "reply to more");
  EXPECT_EQ(c.conversation[3].turn_identifier, c.conversation[2].turn_identifier);
  EXPECT_EQ(c.conversation[3].timestamp, turns_[a2].reply_time);
  EXPECT_FALSE(c.conversation[2].timestamp.has_value());
  EXPECT_EQ(c.hashed_ip, "ip1");
  EXPECT_EQ(c.header->user_agent, "Firefox");
  EXPECT_EQ(c.id(), turns_[a1].turn_identifier);
  EXPECT_EQ(c.timestamp, turns_[a3].reply_time);
}

TEST_F(LinkerTest, SameTextOnOneIpWithDifferentBrowsersStaysApart) {
  // Two people behind one IP start with the same message and get the same
  // reply; their second turns must each extend their own browser's turn.
  Session a{"ip", "Firefox"}, b{"ip", "Safari"};
  size_t a1 = Say(a, "hi"), b1 = Say(b, "hi"), b2 = Say(b, "b says"), a2 = Say(a, "a says");
  auto chains = Link();
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0], (std::vector<size_t>{a1, a2}));
  EXPECT_EQ(chains[1], (std::vector<size_t>{b1, b2}));
}

TEST_F(LinkerTest, PrefersSameIpButFallsBackToFingerprintWhenTheIpChanges) {
  Session a{"ip1", "Firefox"};
  size_t a1 = Say(a, "hi");
  a.ip = "ip2";  // phone moved from Wi-Fi to mobile data
  size_t a2 = Say(a, "still me");
  auto chains = Link();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0], (std::vector<size_t>{a1, a2}));
  EXPECT_EQ(report_.linked_by_fallback, 1u);
}

TEST_F(LinkerTest, ModelMustMatch) {
  Session a{"ip", "Firefox"};
  Say(a, "hi");
  a.model = "other";
  Say(a, "switched");
  auto chains = Link();
  EXPECT_EQ(chains.size(), 1u);
  EXPECT_EQ(report_.broken_chains, 1u);
  EXPECT_EQ(report_.dropped_turns, 1u);
}

TEST_F(LinkerTest, RegenerateBranchIsReportedBrokenAndTheFirstContinuationKept) {
  Session a{"ip", "Firefox"};
  size_t a1 = Say(a, "hi");
  Session before = a;
  size_t a2 = Say(a, "question");
  // Regenerate: the same history is sent again; the turn's parent (a1) is
  // already extended, so this branch breaks, along with what follows it.
  Session regen = before;
  Say(regen, "question");
  Say(regen, "follow-up on the regenerated answer");
  auto chains = Link();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0], (std::vector<size_t>{a1, a2}));
  EXPECT_EQ(report_.broken_chains, 1u);
  EXPECT_EQ(report_.dropped_turns, 2u);
}

TEST_F(LinkerTest, FailedTurnsAndMissingParentsAreNotLinked) {
  Session a{"ip", "Firefox"};
  size_t a1 = Say(a, "hi");
  turns_[a1].outcome = TurnRecord::Outcome::kFailed;
  Say(a, "parent failed");
  Session c{"ip3", "Edge"};
  c.history = {{"user", "from elsewhere"}, {"assistant", "never logged"}};
  Say(c, "orphan");
  auto chains = Link();
  EXPECT_TRUE(chains.empty());
  EXPECT_EQ(report_.failed_turns, 1u);
  EXPECT_EQ(report_.broken_chains, 2u);
}

TEST_F(LinkerTest, SystemPromptDoesNotMakeAFirstTurnAContinuation) {
  Session a{"ip", "Firefox"};
  a.history = {{"system", "You are helpful."}};
  size_t a1 = Say(a, "hi"), a2 = Say(a, "next");
  auto chains = Link();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0], (std::vector<size_t>{a1, a2}));
}

}  // namespace
}  // namespace wildchat
