// The explorer's JSON API against a real index built from generated records:
// every endpoint, every error class (400 with the query position, 404 for
// unknown ids and paths), and no 500 for any user input.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "io/conversation_json.h"
#include "io/record_files.h"
#include "model/timestamp.h"
#include "server/explorer_server.h"
#include "server/search_json.h"
#include "server/test_corpus.h"
#include "server/test_explorer.h"

namespace wildchat {
namespace {

constexpr int64_t kConversations = 1500;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.threads = 8;
    std::unique_ptr<TestExplorer> explorer;
    const Status st = TestExplorer::Start("server_api", kConversations, options, &explorer);
    ASSERT_TRUE(st.ok()) << st.ToString();
    explorer_ = explorer.release();
    corpus_ = &explorer_->corpus();
    index_ = &explorer_->index();
  }
  static void TearDownTestSuite() {
    delete explorer_;
    explorer_ = nullptr;
  }

  httplib::Result Get(const std::string& path, const httplib::Params& params = {}) {
    httplib::Client client("127.0.0.1", explorer_->port());
    client.set_read_timeout(120, 0);
    return client.Get(path, params, httplib::Headers{});
  }

  // GET returning parsed JSON; fails the test unless the status is `status`.
  simdjson::dom::element GetJson(const std::string& path, const httplib::Params& params,
                                 int status = 200) {
    auto res = Get(path, params);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << " " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8") << path;
    bodies_.push_back(std::make_unique<simdjson::padded_string>(res->body));
    parsers_.push_back(std::make_unique<simdjson::dom::parser>());
    simdjson::dom::element doc;
    auto error = parsers_.back()->parse(*bodies_.back()).get(doc);
    EXPECT_EQ(error, simdjson::SUCCESS) << res->body.substr(0, 300);
    return doc;
  }

  void ExpectError(const std::string& path, const httplib::Params& params, int status,
                   int64_t position = -1) {
    auto doc = GetJson(path, params, status);
    int64_t code = 0;
    std::string_view message;
    ASSERT_EQ(doc["error"]["status"].get(code), simdjson::SUCCESS) << path;
    EXPECT_EQ(code, status);
    ASSERT_EQ(doc["error"]["message"].get(message), simdjson::SUCCESS);
    EXPECT_FALSE(message.empty());
    if (position >= 0) {
      int64_t pos = -1;
      ASSERT_EQ(doc["error"]["position"].get(pos), simdjson::SUCCESS) << message;
      EXPECT_EQ(pos, position) << message;
    }
  }

  static SearchResult Count(const std::string& query) {
    SearchRequest request;
    request.query = query;
    request.limit = 0;
    return Direct(request);
  }
  static SearchResult Direct(SearchRequest request) {
    SearchResult result;
    Status st = index_->Search(request, &result);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return result;
  }

  static TestExplorer* explorer_;
  static const TestCorpus* corpus_;
  static const Index* index_;
  std::vector<std::unique_ptr<simdjson::padded_string>> bodies_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
};

TestExplorer* ApiTest::explorer_ = nullptr;
const TestCorpus* ApiTest::corpus_ = nullptr;
const Index* ApiTest::index_ = nullptr;

std::vector<int64_t> HitIds(simdjson::dom::element doc) {
  std::vector<int64_t> ids;
  for (auto hit : doc["hits"].get_array()) ids.push_back(hit["id"].get_int64().value());
  return ids;
}

TEST_F(ApiTest, EmptyQueryMatchesEverything) {
  auto doc = GetJson("/api/search", {});
  EXPECT_EQ(doc["total"].get_uint64().value(), corpus_->records.size());
  EXPECT_EQ(doc["hits"].get_array().size(), 30u);
  auto hit = doc["hits"].at(0);
  for (const char* key : {"id", "conversation_hash", "model", "timestamp", "language", "country",
                          "state", "hashed_ip", "turn", "toxic", "redacted", "score", "snippets"}) {
    EXPECT_EQ(hit[key].error(), simdjson::SUCCESS) << key;
  }
  auto info = GetJson("/api/info", {});
  EXPECT_EQ(info["conversations"].get_uint64().value(), corpus_->records.size());
  EXPECT_FALSE(info["map"].get_bool().value());  // nothing embedded this index
}

TEST_F(ApiTest, SearchIsTheEngineResultAsJson) {
  for (std::string q : {"", "the", "model:gpt-4*", "language:English turns:>=2", "python OR code",
                        "toxic:false -the"}) {
    for (SortOrder sort : {SortOrder::kRelevance, SortOrder::kNewest, SortOrder::kOldest}) {
      SearchRequest request;
      request.query = q;
      request.limit = 7;
      request.offset = 3;
      request.sort = sort;
      request.facets = {"model", "language", "month", "turns"};
      SearchResult direct = Direct(request);
      const char* sort_name = sort == SortOrder::kRelevance ? "relevance"
                              : sort == SortOrder::kNewest  ? "newest"
                                                            : "oldest";
      auto res = Get("/api/search", {{"q", q},
                                     {"limit", "7"},
                                     {"offset", "3"},
                                     {"sort", sort_name},
                                     {"facets", "model,language,month,turns"}});
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      // Same bytes as rendering the engine's result, except the timing.
      direct.took_ms = 0;
      std::string expected;
      AppendSearchResultJson(&expected, direct);
      std::string body = res->body;
      size_t a = body.find("\"took_ms\":");
      size_t b = body.find(',', a);
      ASSERT_NE(a, std::string::npos);
      body.replace(a, b - a, "\"took_ms\":0.0");
      EXPECT_EQ(body, expected) << q << " " << sort_name;
    }
  }
}

TEST_F(ApiTest, DeepPagesAndRandomSample) {
  auto all = GetJson("/api/search", {{"limit", "0"}});
  uint64_t total = all["total"].get_uint64().value();
  auto last = GetJson("/api/search", {{"offset", std::to_string(total - 4)}, {"sort", "oldest"}});
  EXPECT_EQ(last["hits"].get_array().size(), 4u);
  auto beyond = GetJson("/api/search", {{"offset", std::to_string(total + 100)}});
  EXPECT_EQ(beyond["hits"].get_array().size(), 0u);
  EXPECT_EQ(beyond["total"].get_uint64().value(), total);

  auto r1 = HitIds(GetJson("/api/search", {{"sort", "random"}, {"seed", "7"}, {"limit", "50"}}));
  auto r2 = HitIds(GetJson("/api/search", {{"sort", "random"}, {"seed", "7"}, {"limit", "50"}}));
  auto r3 = HitIds(GetJson("/api/search", {{"sort", "random"}, {"seed", "8"}, {"limit", "50"}}));
  EXPECT_EQ(r1, r2);
  EXPECT_NE(r1, r3);
}

TEST_F(ApiTest, BadQueriesAre400WithPosition) {
  for (const char* path : {"/api/search", "/api/stats", "/api/export"}) {
    ExpectError(path, {{"q", "(python"}}, 400, 7);
    ExpectError(path, {{"q", "hello nosuchfield:x"}}, 400, 6);
  }
  ExpectError("/api/search", {{"q", "/(unclosed/"}}, 400);
}

TEST_F(ApiTest, BadParametersAre400) {
  ExpectError("/api/search", {{"limit", "abc"}}, 400);
  ExpectError("/api/search", {{"limit", "100000"}}, 400);
  ExpectError("/api/search", {{"offset", "-1"}}, 400);
  ExpectError("/api/search", {{"offset", "1e3"}}, 400);
  ExpectError("/api/search", {{"sort", "sideways"}}, 400);
  ExpectError("/api/search", {{"seed", "-5"}}, 400);
  ExpectError("/api/search", {{"facets", "language,shoe_size"}}, 400);
  ExpectError("/api/search", {{"snippets", "maybe"}}, 400);
  ExpectError("/api/export", {{"format", "csv"}}, 400);
  ExpectError("/api/user/not%20a%20hash", {}, 400);
  ExpectError("/api/conversation/abc", {}, 400);
  ExpectError("/api/conversation/99999999999999999999999", {}, 400);
}

TEST_F(ApiTest, NoUserInputGives500) {
  std::mt19937 rng(1234);
  const std::string alphabet = "ab \"()/*:-.<>=\\|^$[]{}?+&#%OR NOT user:model:date:turns:mod.x";
  for (int i = 0; i < 300; ++i) {
    std::string q;
    int len = static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) q += alphabet[rng() % alphabet.size()];
    if (i % 10 == 0) q += static_cast<char>(0x80 + rng() % 0x7f);  // stray UTF-8 byte
    for (const char* path : {"/api/search", "/api/stats"}) {
      auto res = Get(path, {{"q", q}, {"limit", "3"}});
      ASSERT_TRUE(res);
      EXPECT_TRUE(res->status == 200 || res->status == 400)
          << path << " q=" << q << " " << res->status << " " << res->body;
    }
  }
}

TEST_F(ApiTest, ConversationByAnyTurnIdentifier) {
  const Conversation& c = corpus_->records[5];
  std::string expected;
  AppendConversationJson(&expected, c);
  for (const Utterance& u : c.conversation) {
    auto res = Get("/api/conversation/" + std::to_string(u.turn_identifier));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, expected);
  }
  ExpectError("/api/conversation/1", {}, 404);
  ExpectError("/api/conversation/-7", {}, 404);
}

// UTF-16 code units (JavaScript string length) of UTF-8 text.
int64_t JsLength(std::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return n;
}

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80);
}
// A byte next to which a tokenizer may or may not break (non-ASCII, '_').
bool IsAmbiguousByte(char c) {
  return c == '_' || (static_cast<unsigned char>(c) & 0x80);
}

TEST_F(ApiTest, HighlightsMarkEveryOccurrenceInJavaScriptOffsets) {
  // A conversation and an ASCII word of its assistant text; the expected spans
  // are every whole-word, case-insensitive occurrence, found by plain scanning.
  int compared = 0;
  for (size_t r = 0; r < 60; ++r) {
    const Conversation& c = corpus_->records[r];
    std::string word;
    for (const Utterance& u : c.conversation) {
      if (u.role != "assistant") continue;
      std::string w;
      bool plain = true;  // the token so far is ASCII letters only
      for (char ch : u.content + " ") {
        if (std::isalpha(static_cast<unsigned char>(ch))) {
          w += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        } else if (IsWordByte(ch)) {
          plain = false;
        } else {
          if (plain && w.size() >= 6) word = w;
          w.clear();
          plain = true;
        }
        if (!word.empty()) break;
      }
      if (!word.empty()) break;
    }
    if (word.empty()) continue;
    const int64_t id = c.conversation[0].turn_identifier;
    auto doc = GetJson("/api/highlights/" + std::to_string(c.conversation.back().turn_identifier),
                       {{"q", "assistant:(" + word + ")"}});
    EXPECT_EQ(doc["id"].get_int64().value(), id);
    std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> got;
    for (auto u : doc["utterances"].get_array()) {
      auto& spans = got[u["turn"].get_int64().value()];
      for (auto sp : u["spans"].get_array()) {
        auto a = sp.get_array();
        spans.emplace_back(a.at(0).get_int64().value(), a.at(1).get_int64().value());
      }
    }
    std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> want;
    bool ambiguous = false;
    for (size_t i = 0; i < c.conversation.size(); ++i) {
      const std::string& text = c.conversation[i].content;
      if (c.conversation[i].role != "assistant") continue;
      for (size_t at = 0; at + word.size() <= text.size(); ++at) {
        bool same = true;
        for (size_t k = 0; k < word.size() && same; ++k) {
          same = std::tolower(static_cast<unsigned char>(text[at + k])) == word[k];
        }
        if (!same) continue;
        const size_t after = at + word.size();
        if ((at > 0 && IsAmbiguousByte(text[at - 1])) ||
            (after < text.size() && IsAmbiguousByte(text[after]))) {
          ambiguous = true;
        }
        if ((at > 0 && IsWordByte(text[at - 1])) ||
            (at + word.size() < text.size() && IsWordByte(text[at + word.size()]))) {
          continue;
        }
        const int64_t b = JsLength(std::string_view(text).substr(0, at));
        want[static_cast<int64_t>(i)].emplace_back(b, b + static_cast<int64_t>(word.size()));
      }
    }
    if (ambiguous) continue;
    ++compared;
    EXPECT_EQ(got, want) << "record " << r << " word " << word;
  }
  EXPECT_GE(compared, 20);
  ExpectError("/api/highlights/1", {{"q", "x"}}, 404);
  ExpectError("/api/highlights/abc", {{"q", "x"}}, 400);
  ExpectError(
      "/api/highlights/" + std::to_string(corpus_->records[0].conversation[0].turn_identifier),
      {{"q", "a AND (b"}}, 400, 8);
}

TEST_F(ApiTest, UserPageNewestFirstWithSummary) {
  // The user with the most conversations.
  std::map<std::string, int> per_ip;
  for (const Conversation& c : corpus_->records) {
    if (c.hashed_ip) ++per_ip[*c.hashed_ip];
  }
  auto top = std::max_element(per_ip.begin(), per_ip.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
  ASSERT_NE(top, per_ip.end());
  auto doc = GetJson("/api/user/" + top->first, {{"limit", "5"}});
  EXPECT_EQ(doc["total"].get_uint64().value(), static_cast<uint64_t>(top->second));
  std::vector<std::string> times;
  for (auto hit : doc["hits"].get_array()) {
    std::string_view ip = hit["hashed_ip"].get_string().value();
    EXPECT_EQ(ip, top->first);
    std::string_view ts;
    if (hit["timestamp"].get(ts) == simdjson::SUCCESS) times.emplace_back(ts);
  }
  EXPECT_EQ(doc["hits"].get_array().size(), std::min<size_t>(5, top->second));
  EXPECT_TRUE(std::is_sorted(times.rbegin(), times.rend()));
  auto summary = doc["summary"];
  std::string_view first, last;
  ASSERT_EQ(summary["first_seen"].get(first), simdjson::SUCCESS);
  ASSERT_EQ(summary["last_seen"].get(last), simdjson::SUCCESS);
  EXPECT_LE(first, last);
  uint64_t model_sum = 0;
  for (auto pair : summary["models"].get_array()) model_sum += pair.at(1).get_uint64().value();
  EXPECT_EQ(model_sum, static_cast<uint64_t>(top->second));
  for (const char* key : {"countries", "languages", "states", "months"}) {
    EXPECT_EQ(summary[key].error(), simdjson::SUCCESS) << key;
  }
  EXPECT_EQ(summary["headers"]["user-agent"].error(), simdjson::SUCCESS);
  ExpectError("/api/user/0000000000000000000000000000ffff", {}, 404);
}

TEST_F(ApiTest, StatsForAMatchingSet) {
  auto all = GetJson("/api/stats", {});
  EXPECT_EQ(all["total"].get_uint64().value(), corpus_->records.size());
  for (const char* f : {"model", "language", "country", "month", "toxic", "redacted", "turns"}) {
    EXPECT_EQ(all["facets"][f].error(), simdjson::SUCCESS) << f;
  }
  double rate = -1;
  ASSERT_EQ(all["moderation"]["categories"]["harassment"].get(rate), simdjson::SUCCESS);
  EXPECT_GE(rate, 0.0);
  EXPECT_LE(rate, 1.0);
  auto english = GetJson("/api/stats", {{"q", "language:English"}});
  uint64_t en_total = english["total"].get_uint64().value();
  EXPECT_EQ(en_total, Count("language:English").total);
  auto langs = english["facets"]["language"].get_array();
  ASSERT_EQ(langs.size(), 1u);
  EXPECT_EQ(langs.at(0).at(1).get_uint64().value(), en_total);
}

TEST_F(ApiTest, ExportJsonlStreamsEveryMatch) {
  const std::string q = "language:English";
  uint64_t total = Count(q).total;
  ASSERT_GT(total, 0u);
  auto res = Get("/api/export", {{"q", q}, {"format", "jsonl"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(res->get_header_value("X-Total-Count"), std::to_string(total));
  std::set<int64_t> ids;
  size_t start = 0;
  while (start < res->body.size()) {
    size_t nl = res->body.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    Conversation c;
    Status st = ParseConversationJson(std::string_view(res->body).substr(start, nl - start), &c);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(c.language.value_or(""), "English");
    ids.insert(c.id());
    start = nl + 1;
  }
  EXPECT_EQ(ids.size(), total);
  // The whole index, no cap.
  auto everything = Get("/api/export", {});
  ASSERT_TRUE(everything);
  EXPECT_EQ(static_cast<size_t>(std::count(everything->body.begin(), everything->body.end(), '\n')),
            corpus_->records.size());
}

TEST_F(ApiTest, ExportParquetReadsBack) {
  const std::string q = "model:gpt-4*";
  uint64_t total = Count(q).total;
  auto res = Get("/api/export", {{"q", q}, {"format", "parquet"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body.substr(0, 200);
  ASSERT_GT(res->body.size(), 8u);
  EXPECT_EQ(res->body.substr(0, 4), "PAR1");
  EXPECT_EQ(res->body.substr(res->body.size() - 4), "PAR1");
  std::string path = TestDir("server_api_parquet") + "/export.parquet";
  std::ofstream(path, std::ios::binary) << res->body;
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(path, ReadOptions{}, &reader).ok());
  uint64_t rows = 0;
  for (;;) {
    Conversation c;
    bool done = false;
    Status st = reader->Next(&c, &done);
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (done) break;
    EXPECT_EQ(c.model.rfind("gpt-4", 0), 0u) << c.model;
    ++rows;
  }
  EXPECT_EQ(rows, total);
  reader.reset();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_F(ApiTest, HostileTextStaysEscapedInSnippets) {
  auto doc = GetJson("/api/search", {{"q", kHostileMarker}});
  EXPECT_EQ(doc["total"].get_uint64().value(), 2u);
  for (auto hit : doc["hits"].get_array()) {
    for (auto s : hit["snippets"].get_array()) {
      std::string text(s["text"].get_string().value());
      // The only markup is <mark> and </mark>.
      std::string stripped = text;
      for (const std::string tag : {"<mark>", "</mark>"}) {
        for (size_t p; (p = stripped.find(tag)) != std::string::npos;)
          stripped.erase(p, tag.size());
      }
      EXPECT_EQ(stripped.find('<'), std::string::npos) << text;
      EXPECT_EQ(stripped.find('>'), std::string::npos) << text;
    }
  }
  auto user = GetJson("/api/user/" + corpus_->hostile_ip, {});
  EXPECT_EQ(user["total"].get_uint64().value(), 2u);
}

TEST_F(ApiTest, StaticFilesAndUnknownPaths) {
  auto page = Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_NE(page->body.find("search.js"), std::string::npos);
  for (const char* file : {"/index.html", "/conversation.html", "/user.html", "/dashboard.html",
                           "/common.js", "/explorer.css"}) {
    auto res = Get(file);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << file;
  }
  auto js = Get("/common.js");
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto missing = Get("/no-such-page.html");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  ExpectError("/api/no-such-endpoint", {}, 404);
}

// Stop() from another thread ends Run() whenever it comes: before Run(),
// while it starts (before its accept loop, where the HTTP library's own stop
// does nothing), or while it serves.
TEST(ExplorerServerTest, StopEndsRunWheneverItComes) {
  const std::string dir = TestDir("explorer_stop");
  TestCorpus corpus;
  ASSERT_TRUE(BuildTestCorpus(dir + "/index", 20, &corpus).ok());
  std::unique_ptr<Index> index;
  ASSERT_TRUE(Index::Open(dir + "/index", &index).ok());
  for (int i = 0; i < 60; ++i) {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    ExplorerServer server(*index, options);
    ASSERT_TRUE(server.Bind().ok());
    std::promise<Status> ran;
    std::future<Status> result = ran.get_future();
    if (i % 3 == 0) server.Stop();  // before Run()
    std::thread runner([&] { ran.set_value(server.Run()); });
    if (i % 3 == 1) {  // while Run() starts, at varied moments
      std::this_thread::sleep_for(std::chrono::microseconds(20 * i));
      server.Stop();
    } else if (i % 3 == 2) {  // while it serves
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      server.Stop();
    }
    const bool ended = result.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    if (!ended) {
      ADD_FAILURE() << "Run() still serving 10 s after Stop(), round " << i;
      std::_Exit(1);  // the runner cannot be joined
    }
    EXPECT_TRUE(result.get().ok()) << "round " << i;
    runner.join();
  }
  index.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wildchat
