#include "gateway/proxy/completion_reply.h"

#include <gtest/gtest.h>

#include <random>

namespace wildchat {
namespace {

TEST(CompletionReplyTest, ParsesABody) {
  CompletionReply r;
  ASSERT_TRUE(ParseCompletionBody(R"({"choices":[{"message":{"role":"assistant","content":"hi"}}],
      "usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}})",
                                  &r)
                  .ok());
  EXPECT_EQ(r.content, "hi");
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->total_tokens, 3);
  EXPECT_FALSE(ParseCompletionBody("nope", &r).ok());
  EXPECT_FALSE(ParseCompletionBody(R"({"choices":[]})", &r).ok());
  Status st = ParseCompletionBody(R"({"error":{"message":"overloaded"}})", &r);
  EXPECT_NE(st.message().find("overloaded"), std::string::npos);
}

const char kStream[] =
    "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
    ": keep-alive comment\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
    "data: "
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}"
    "\n\n"
    "data: [DONE]\n\n";

TEST(CompletionReplyTest, ReadsAStreamFedInAnyPieces) {
  const std::string all = kStream;
  for (size_t piece : {1, 2, 3, 7, 64, 10000}) {
    SseReplyReader reader;
    std::vector<std::string> events;
    for (size_t i = 0; i < all.size(); i += piece) reader.Feed(all.substr(i, piece), &events);
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(reader.reply().content, "Hello");
    ASSERT_TRUE(reader.reply().usage);
    EXPECT_EQ(reader.reply().usage->total_tokens, 7);
    ASSERT_EQ(events.size(), 5u) << piece;  // [DONE] is held back
    EXPECT_EQ(events[2], "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n");
    EXPECT_EQ(reader.pending_bytes(), 0u);
  }
}

TEST(CompletionReplyTest, ReportsAnInStreamError) {
  SseReplyReader reader;
  std::vector<std::string> events;
  reader.Feed("data: {\"error\":{\"message\":\"rate limited upstream\"}}\n\n", &events);
  EXPECT_EQ(reader.error(), "rate limited upstream");
  EXPECT_FALSE(reader.done());
}

TEST(CompletionReplyTest, SurvivesRandomAndMutatedInput) {
  std::mt19937 rng(3);
  const std::string all = kStream;
  for (int i = 0; i < 5000; ++i) {
    std::string in = all;
    for (int k = 0, m = 1 + rng() % 6; k < m; ++k) in[rng() % in.size()] = static_cast<char>(rng());
    SseReplyReader reader;
    std::vector<std::string> events;
    for (size_t p = 0, n = 0; p < in.size(); p += n) {
      n = 1 + rng() % 40;
      reader.Feed(in.substr(p, n), &events);
    }
    CompletionReply r;
    (void)ParseCompletionBody(in, &r);
    EXPECT_LE(reader.reply().content.size(), in.size());
  }
}

}  // namespace
}  // namespace wildchat
