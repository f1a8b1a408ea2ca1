#include "curate/moderation/moderation_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "curate/pipeline/curate_run.h"
#include "io/conversation_json.h"
#include "io/record_files.h"

namespace wildchat::curate {
namespace {

// A fake /v1/moderations on 127.0.0.1 (ephemeral port): "KILL" is violent,
// "HURTME" is self-harm intent; the first `fail_first` requests get 503.
class FakeModerationServer {
 public:
  explicit FakeModerationServer(int fail_first) : fail_left_(fail_first) {
    server_.Post("/v1/moderations", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (fail_left_ > 0) {
        --fail_left_;
        res.status = 503;
        return;
      }
      if (req.get_header_value("Authorization") != "Bearer test-key") {
        res.status = 401;
        return;
      }
      simdjson::dom::parser parser;
      simdjson::dom::array inputs;
      if (parser.parse(req.body).get_object()["input"].get(inputs) != simdjson::SUCCESS) {
        res.status = 400;
        return;
      }
      std::string body = "{\"id\":\"modr-1\",\"model\":\"text-moderation-007\",\"results\":[";
      bool first = true;
      for (auto in : inputs) {
        std::string_view s;
        if (in.get(s) != simdjson::SUCCESS) s = {};
        ++inputs_;
        const bool kill = s.find("KILL") != std::string_view::npos;
        const bool hurt = s.find("HURTME") != std::string_view::npos;
        if (!first) body += ",";
        first = false;
        body +=
            std::string("{\"flagged\":") + (kill || hurt ? "true" : "false") +
            ",\"categories\":{\"violence\":" + (kill ? "true" : "false") +
            ",\"self-harm/intent\":" + (hurt ? "true" : "false") +
            ",\"harassment\":false},\"category_scores\":{\"violence\":" + (kill ? "0.9" : "0.01") +
            ",\"self-harm/intent\":" + (hurt ? "0.8" : "0.02") +
            ",\"harassment\":" + std::to_string(s.size() / 1000.0) + "}}";
      }
      body += "]}";
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeModerationServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/moderations";
  }
  int requests() const { return requests_; }
  int inputs() const { return inputs_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0}, inputs_{0}, fail_left_;
};

ModerationClientOptions Options(const FakeModerationServer& s, const std::string& cache) {
  ModerationClientOptions o;
  o.url = s.url();
  o.api_key = "test-key";
  o.cache_dir = cache;
  o.batch_size = 2;
  o.initial_backoff_ms = 1;
  return o;
}

int Index(const char* name) {
  return ModerationCategoryIndex(name);
}

TEST(ModerationClientTest, BatchesRetriesAndFillsBothSpellings) {
  FakeModerationServer server(/*fail_first=*/2);
  std::unique_ptr<ModerationClient> client;
  ASSERT_TRUE(ModerationClient::Create(Options(server, ""), &client).ok());
  std::vector<OpenAiModeration> out;
  const Status st = client->Moderate({"hello", "I will KILL", "", "HURTME now"}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_FALSE(IsTrue(out[0].flagged));
  EXPECT_TRUE(IsTrue(out[1].flagged));
  EXPECT_TRUE(IsTrue(out[1].categories[Index("violence")]));
  EXPECT_DOUBLE_EQ(out[1].category_scores[Index("violence")], 0.9);
  EXPECT_TRUE(out[2].empty());  // empty text: no request, empty entry
  EXPECT_TRUE(IsTrue(out[3].categories[Index("self-harm/intent")]));
  EXPECT_TRUE(IsTrue(out[3].categories[Index("self_harm_intent")]));
  EXPECT_DOUBLE_EQ(out[3].category_scores[Index("self_harm_intent")], 0.8);
  EXPECT_EQ(server.inputs(), 3);    // three non-empty texts
  EXPECT_EQ(server.requests(), 4);  // 2 failed + 2 batches of <= 2
  EXPECT_EQ(client->stats().retries, 2);
}

TEST(ModerationClientTest, LongTextIsSplitAndMerged) {
  FakeModerationServer server(0);
  ModerationClientOptions o = Options(server, "");
  o.max_chars = 1000;
  o.batch_size = 8;
  std::unique_ptr<ModerationClient> client;
  ASSERT_TRUE(ModerationClient::Create(o, &client).ok());
  std::string text(2500, 'a');
  text.replace(1800, 4, "KILL");
  std::vector<OpenAiModeration> out;
  ASSERT_TRUE(client->Moderate({text}, &out).ok());
  EXPECT_EQ(server.inputs(), 3);                                       // 1000 + 1000 + 500 bytes
  EXPECT_TRUE(IsTrue(out[0].flagged));                                 // ORed from piece 2
  EXPECT_DOUBLE_EQ(out[0].category_scores[Index("violence")], 0.9);    // maxed
  EXPECT_DOUBLE_EQ(out[0].category_scores[Index("harassment")], 1.0);  // max of 1.0, 1.0, 0.5
}

TEST(ModerationClientTest, CacheMakesRerunsFree) {
  FakeModerationServer server(0);
  const std::string cache = ::testing::TempDir() + "/moderation_cache_test";
  std::filesystem::remove_all(cache);
  std::vector<OpenAiModeration> first, second;
  {
    std::unique_ptr<ModerationClient> client;
    ASSERT_TRUE(ModerationClient::Create(Options(server, cache), &client).ok());
    ASSERT_TRUE(client->Moderate({"one KILL", "two", "three"}, &first).ok());
  }
  const int requests = server.requests();
  std::unique_ptr<ModerationClient> client;
  ASSERT_TRUE(ModerationClient::Create(Options(server, cache), &client).ok());
  ASSERT_TRUE(client->Moderate({"three", "one KILL", "two"}, &second).ok());
  EXPECT_EQ(server.requests(), requests);  // nothing sent
  EXPECT_EQ(client->stats().cache_hits, 3);
  EXPECT_EQ(second[1], first[0]);
  EXPECT_EQ(second[0], first[2]);
}

TEST(ModerationClientTest, PermanentFailureIsReportedWithUrl) {
  FakeModerationServer server(100);
  ModerationClientOptions o = Options(server, "");
  o.max_retries = 2;
  std::unique_ptr<ModerationClient> client;
  ASSERT_TRUE(ModerationClient::Create(o, &client).ok());
  std::vector<OpenAiModeration> out;
  const Status st = client->Moderate({"x"}, &out);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("HTTP 503"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(server.requests(), 3);
}

TEST(ModerationClientTest, MergeOrsFlagsAndMaxesScores) {
  OpenAiModeration a, b;
  a.flagged = TriBool::kFalse;
  a.categories_null = a.scores_null = false;
  a.categories.fill(TriBool::kFalse);
  a.category_scores.fill(0.2);
  b = a;
  b.flagged = TriBool::kTrue;
  b.categories[3] = TriBool::kTrue;
  b.category_scores[3] = 0.7;
  b.category_scores[4] = 0.1;
  MergeModeration(b, &a);
  EXPECT_TRUE(IsTrue(a.flagged));
  EXPECT_TRUE(IsTrue(a.categories[3]));
  EXPECT_DOUBLE_EQ(a.category_scores[3], 0.7);
  EXPECT_DOUBLE_EQ(a.category_scores[4], 0.2);
}

// The whole run with an endpoint: entries come from it, the offline scorer
// fills Detoxify, and a second run over the same input sends nothing.
TEST(ModerationClientTest, CurationRunUsesEndpointThenCache) {
  FakeModerationServer server(0);
  const std::filesystem::path dir = ::testing::TempDir() + "/curate_with_endpoint";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream in(dir / "in.jsonl");
    for (int i = 1; i <= 3; ++i) {
      Conversation c;
      c.model = "gpt-4";
      Utterance u, a;
      u.role = "user", a.role = "assistant";
      u.turn_identifier = a.turn_identifier = i;
      u.content = i == 2 ? "I will KILL the boss in this video game level" : "tell me a story";
      a.content = "";
      c.conversation = {u, a};
      std::string line;
      AppendConversationJson(&line, c);
      in << line << "\n";
    }
  }
  CurateRunOptions o;
  o.inputs = {(dir / "in.jsonl").string()};
  o.out_dir = (dir / "out").string();
  o.format = "jsonl";
  o.moderation = Options(server, "");
  for (int run = 0; run < 2; ++run) {
    std::filesystem::remove_all(dir / "out/full");
    std::filesystem::remove_all(dir / "out/public");
    CurateStats stats;
    const Status st = RunCuration(o, &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(server.inputs(), 3) << "run " << run;  // second run: all from the cache
    EXPECT_EQ(stats.counters["release.public"], 2);
    std::unique_ptr<RecordReader> r;
    ASSERT_TRUE(
        OpenRecordReader((dir / "out/full/train-00000-of-00001.jsonl").string(), {}, &r).ok());
    Conversation c;
    bool done = false;
    ASSERT_TRUE(r->Next(&c, &done).ok());
    ASSERT_TRUE(r->Next(&c, &done).ok());
    EXPECT_EQ(c.id(), 2);
    EXPECT_TRUE(IsTrue(c.openai_moderation[0].flagged));
    EXPECT_DOUBLE_EQ(c.openai_moderation[0].category_scores[Index("violence")], 0.9);
    EXPECT_TRUE(c.openai_moderation[1].empty());     // empty assistant reply
    EXPECT_FALSE(c.detoxify_moderation[0].empty());  // offline scorer
    EXPECT_TRUE(IsTrue(c.toxic));
  }
}

}  // namespace
}  // namespace wildchat::curate
