#include "gateway/proxy/chat_request.h"

#include <gtest/gtest.h>

#include <random>

namespace wildchat {
namespace {

TEST(ChatRequestTest, ParsesModelMessagesAndStream) {
  ChatRequest r;
  ASSERT_TRUE(ParseChatRequest(R"({"model":"gpt-4o","temperature":0.2,"stream":true,
      "messages":[{"role":"system","content":"s"},{"role":"user","content":[
      {"type":"text","text":"a"},{"type":"image_url","image_url":{}},{"type":"text","text":"b"}]},
      {"role":"assistant","content":null}]})",
                               &r)
                  .ok());
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_TRUE(r.stream);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].content, "ab");
  EXPECT_EQ(r.messages[2].role, "assistant");
  EXPECT_EQ(r.messages[2].content, "");
}

TEST(ChatRequestTest, RejectsBadInputWithAClearMessage) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "JSON object"},
      {R"({"messages":[]})", "model"},
      {R"({"model":1,"messages":[]})", "model"},
      {R"({"model":"m"})", "messages"},
      {R"({"model":"m","messages":[]})", "must not be empty"},
      {R"({"model":"m","messages":[3]})", "messages[0] must be an object"},
      {R"({"model":"m","messages":[{"content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":5}]})", "messages[0].content"},
      {R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]})", "stream"},
      {"{\"model\":\"\xff\",\"messages\":[]}", "not valid JSON"},
  };
  for (const auto& [body, want] : cases) {
    ChatRequest r;
    Status st = ParseChatRequest(body, &r);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << body;
    EXPECT_NE(st.message().find(want), std::string::npos) << body << " -> " << st.message();
  }
}

TEST(ChatRequestTest, SurvivesRandomAndMutatedInput) {
  const std::string good =
      R"({"model":"m","stream":false,"messages":[{"role":"user","content":"hello"},)"
      R"({"role":"assistant","content":[{"type":"text","text":"x"}]}]})";
  std::mt19937 rng(11);
  int ok = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string in = good;
    for (int k = 0, m = 1 + rng() % 3; k < m; ++k) {
      switch (rng() % 3) {
        case 0:
          in[rng() % in.size()] = static_cast<char>(rng());
          break;
        case 1:
          in.erase(rng() % in.size(), 1 + rng() % 8);
          break;
        default:
          in.insert(rng() % in.size(), 1, "{}[]\",:\\"[rng() % 8]);
          break;
      }
      if (in.empty()) in = "x";
    }
    ChatRequest r;
    Status st = ParseChatRequest(in, &r);
    if (st.ok()) {
      ++ok;
      EXPECT_FALSE(r.messages.empty());
    } else {
      EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    }
  }
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace wildchat
