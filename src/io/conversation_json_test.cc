#include "io/conversation_json.h"

#include <gtest/gtest.h>

#include "io/python_oracle.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

Conversation FullConversation() {
  Conversation c;
  c.conversation_hash = "0123456789abcdef0123456789abcdef";
  c.model = "gpt-4-0314";
  c.timestamp = *ParseIso8601("2023-04-09T20:05:03.123456Z");
  Utterance u;
  u.content = "Привет 😀 \"quoted\"\n<b>x</b>";
  u.country = "Russia";
  u.hashed_ip = std::string(64, 'a');
  u.header = Header{"ru-RU,ru;q=0.9", "Mozilla/5.0"};
  u.language = "Russian";
  u.redacted = TriBool::kFalse;
  u.role = "user";
  u.state = std::nullopt;  // GeoIP found the country only
  u.toxic = TriBool::kTrue;
  u.turn_identifier = 1234567;
  u.extra = {{"note", "{\"a\":[1,2]}"}};
  Utterance a;
  a.content = "";
  a.header = Header{std::nullopt, "curl/8"};
  a.language = "Nolang";
  a.redacted = TriBool::kTrue;
  a.role = "assistant";
  a.timestamp = *ParseIso8601("2023-04-09T20:05:04Z");
  a.toxic = TriBool::kNull;
  a.turn_identifier = 1234567;
  c.conversation = {u, a};
  c.turn = 1;
  c.language = "Russian";
  OpenAiModeration m;
  m.categories_null = false;
  m.scores_null = false;
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    m.categories[i] = ToTriBool(i % 3 == 0);
    m.category_scores[i] = 1.0 / (i + 3);
  }
  m.categories[5] = TriBool::kNull;
  m.category_scores[7] = kNullScore;
  m.flagged = TriBool::kTrue;
  c.openai_moderation = {m, OpenAiModeration()};
  DetoxifyModeration d;
  for (int i = 0; i < kDetoxifyFieldCount; ++i) d.scores[i] = 0.001 * (i + 1);
  c.detoxify_moderation = {d, DetoxifyModeration()};
  c.toxic = TriBool::kTrue;
  c.redacted = TriBool::kTrue;
  c.state = std::nullopt;
  c.country = "Russia";
  c.hashed_ip = u.hashed_ip;
  c.header = std::nullopt;
  c.extra = {{"split", "\"train\""}, {"score", "3.5"}};
  return c;
}

std::string ToJson(const Conversation& c) {
  std::string s;
  AppendConversationJson(&s, c);
  return s;
}

TEST(ConversationJsonTest, RecordToJsonToRecordIsLossless) {
  const Conversation c = FullConversation();
  Conversation back;
  ASSERT_TRUE(ParseConversationJson(ToJson(c), &back).ok());
  EXPECT_EQ(back, c);
  EXPECT_EQ(ToJson(back), ToJson(c));
}

TEST(ConversationJsonTest, FieldNamesAndOrderAreWildChats) {
  // Python's json module is the oracle: keys in order, nulls, nested shapes.
  const std::string script =
      "import json,sys\n"
      "d=json.loads(open(sys.argv[1],encoding='utf-8').read())\n"
      "print(','.join(d.keys()))\n"
      "print(','.join(d['conversation'][0].keys()))\n"
      "print(','.join(d['conversation'][1]['header'].keys()))\n"
      "print(d['openai_moderation'][1], d['detoxify_moderation'][1]['toxicity'])\n"
      "print(len(d['openai_moderation'][0]['categories']), "
      "d['openai_moderation'][0]['categories']['hate_threatening'])\n"
      "print(d['conversation'][0]['content'] == 'Привет \\U0001F600 \"quoted\"\\n<b>x</b>')\n"
      "print(d['timestamp'], d['conversation'][1]['timestamp'], d['header'], d['state'])\n";
  const std::string out = RunPythonOracle(script, ToJson(FullConversation()));
  EXPECT_EQ(out,
            "conversation_hash,model,timestamp,conversation,turn,language,openai_moderation,"
            "detoxify_moderation,toxic,redacted,state,country,hashed_ip,header,split,score\n"
            "content,country,hashed_ip,header,language,redacted,role,state,timestamp,toxic,"
            "turn_identifier,note\n"
            "accept-language,user-agent\n"
            "{'categories': None, 'category_scores': None, 'flagged': None} None\n"
            "18 None\n"
            "True\n"
            "2023-04-09T20:05:03.123456+00:00 2023-04-09T20:05:04.000000+00:00 None None\n");
}

TEST(ConversationJsonTest, AcceptsEpochMillisAndEmptyObjects) {
  const std::string json =
      R"({"conversation_hash":"h","model":"gpt-3.5-turbo-0613","timestamp":1681070703123,)"
      R"("conversation":[{"content":"","role":"user","turn_identifier":5,"timestamp":null}],)"
      R"("turn":1,"openai_moderation":[{}],"detoxify_moderation":[{}],"toxic":false})";
  Conversation c;
  Status st = ParseConversationJson(json, &c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(FormatIso8601(*c.timestamp), "2023-04-09T20:05:03.123000+00:00");
  ASSERT_EQ(c.openai_moderation.size(), 1u);
  EXPECT_TRUE(c.openai_moderation[0].empty());
  EXPECT_TRUE(c.detoxify_moderation[0].empty());
  EXPECT_EQ(c.toxic, TriBool::kFalse);
  EXPECT_EQ(c.redacted, TriBool::kNull);  // absent
  EXPECT_FALSE(c.language.has_value());
}

TEST(ConversationJsonTest, IsoTimestampVariants) {
  for (const char* ts : {"2023-04-09T20:05:03Z", "2023-04-09T20:05:03+00:00",
                         "2023-04-09T20:05:03+00", "2023-04-09 20:05:03"}) {
    std::string json = std::string(R"({"conversation":[],"timestamp":")") + ts + "\"}";
    Conversation c;
    ASSERT_TRUE(ParseConversationJson(json, &c).ok()) << ts;
    EXPECT_EQ(FormatIso8601(*c.timestamp), "2023-04-09T20:05:03.000000+00:00") << ts;
  }
}

struct BadCase {
  const char* json;
  const char* message;
};

TEST(ConversationJsonTest, ErrorsNameTheFieldPath) {
  const BadCase cases[] = {
      {R"({"conversation":[{"content":"a","role":"user"},{"content":"b","role":"assistant",)"
       R"("turn_identifier":"x"}]})",
       "conversation[1].turn_identifier: expected integer"},
      {R"({"conversation":[{"role":"user"}]})", "conversation[0].content: missing required field"},
      {R"({"conversation":[{"content":"x"}]})", "conversation[0].role: missing required field"},
      {R"({"model":"m"})", "conversation: missing required field"},
      {R"({"conversation":{}})", "conversation: expected array"},
      {R"({"conversation":[],"turn":1.5})", "turn: expected integer"},
      {R"({"conversation":[],"toxic":"no"})", "toxic: expected true, false or null"},
      {R"({"conversation":[],"timestamp":"yesterday"})",
       "timestamp: not an ISO-8601 timestamp: 'yesterday'"},
      {R"({"conversation":[],"openai_moderation":[{"flagged":false},{"category_scores":{"hate":"x"}}]})",
       "openai_moderation[1].category_scores.hate: expected number or null"},
      {R"({"conversation":[],"detoxify_moderation":[{"toxicity":true}]})",
       "detoxify_moderation[0].toxicity: expected number or null"},
      {R"({"conversation":[{"content":"a","role":"user","header":{"user-agent":3}}]})",
       "conversation[0].header.user-agent: expected string or null"},
      {R"([1,2])", "expected a JSON object"},
      {R"({"conversation":[)", "invalid JSON"},
      {"{\"conversation\":[],\"model\":\"a\xC3(\"}", "invalid UTF-8 at byte offset 29"},
  };
  for (const auto& bc : cases) {
    Conversation c;
    Status st = ParseConversationJson(bc.json, &c);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << bc.json;
    EXPECT_NE(st.message().find(bc.message), std::string::npos)
        << "got '" << st.message() << "' want '" << bc.message << "'";
  }
}

TEST(ConversationJsonTest, MetadataOnlyReadSkipsTextAndModeration) {
  Conversation c;
  ReadOptions opts;
  opts.need_text = false;
  opts.need_moderation = false;
  ASSERT_TRUE(ParseConversationJson(ToJson(FullConversation()), &c, opts).ok());
  EXPECT_EQ(c.conversation.size(), 2u);
  EXPECT_EQ(c.conversation[0].content, "");
  EXPECT_EQ(c.conversation[0].language, "Russian");
  EXPECT_TRUE(c.openai_moderation.empty());
}

}  // namespace
}  // namespace wildchat
