// The response cache as clients see it: a real server over a generated
// index, raw query strings (so parameter order is the client's), the
// X-Cache header, bodies compared byte for byte, and `wildchat serve
// --cache-mb` end to end.
#include "server/cached_route.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/explorer_server.h"
#include "server/server_process.h"
#include "server/test_corpus.h"
#include "server/test_explorer.h"

namespace wildchat {
namespace {

httplib::Request RequestFor(const std::string& path, const httplib::Params& params) {
  httplib::Request req;
  req.path = path;
  req.params = params;
  return req;
}

TEST(ResponseCacheKeyTest, ParameterOrderDoesNotMatterButNamesValuesAndPathDo) {
  // Params is a multimap, so insertion order is the arrival order of equal names only.
  httplib::Params ab, ba;
  ab.emplace("a", "1");
  ab.emplace("b", "2");
  ba.emplace("b", "2");
  ba.emplace("a", "1");
  const std::string key = ResponseCacheKey(RequestFor("/api/search", ab));
  EXPECT_EQ(key, ResponseCacheKey(RequestFor("/api/search", ba)));
  EXPECT_NE(key, ResponseCacheKey(RequestFor("/api/stats", ab)));
  EXPECT_NE(key, ResponseCacheKey(RequestFor("/api/search", {{"a", "1"}, {"b", "3"}})));
  EXPECT_NE(key, ResponseCacheKey(RequestFor("/api/search", {{"a", "1"}})));
  EXPECT_NE(key, ResponseCacheKey(RequestFor("/api/search", {{"a", "1"}, {"c", "2"}})));
  EXPECT_NE(key, ResponseCacheKey(RequestFor("/api/search", {})));
}

TEST(ResponseCacheKeyTest, RepeatedNamesKeepTheirOrder) {
  // Routes read the first value of a name, so `facets=a&facets=b` and
  // `facets=b&facets=a` can answer differently.
  httplib::Params first, second;
  first.emplace("facets", "model");
  first.emplace("facets", "language");
  second.emplace("facets", "language");
  second.emplace("facets", "model");
  EXPECT_NE(ResponseCacheKey(RequestFor("/api/search", first)),
            ResponseCacheKey(RequestFor("/api/search", second)));
}

TEST(ResponseCacheKeyTest, SeparatorsInsideValuesCannotForgeAnotherKey) {
  EXPECT_NE(ResponseCacheKey(RequestFor("/api/search", {{"q", "x&limit=5"}})),
            ResponseCacheKey(RequestFor("/api/search", {{"limit", "5"}, {"q", "x"}})));
  EXPECT_NE(ResponseCacheKey(RequestFor("/api/search", {{"q", "1:a"}})),
            ResponseCacheKey(RequestFor("/api/search", {{"q", "1"}, {"a", ""}})));
  EXPECT_NE(ResponseCacheKey(RequestFor("/api/searchq", {})),
            ResponseCacheKey(RequestFor("/api/search", {{"q", ""}})));
}

class CachedApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.threads = 4;
    options.cache_bytes = size_t{8} << 20;
    std::unique_ptr<TestExplorer> explorer;
    const Status st = TestExplorer::Start("server_cache", 400, options, &explorer);
    ASSERT_TRUE(st.ok()) << st.ToString();
    explorer_ = explorer.release();
  }
  static void TearDownTestSuite() {
    delete explorer_;
    explorer_ = nullptr;
  }

  // GET of a raw path and query string, sent as written.
  static httplib::Result Get(const std::string& target) {
    httplib::Client client("127.0.0.1", explorer_->port());
    client.set_read_timeout(120, 0);
    return client.Get(target);
  }

  static TestExplorer* explorer_;
};

TestExplorer* CachedApiTest::explorer_ = nullptr;

TEST_F(CachedApiTest, SecondIdenticalSearchIsAHitWithTheSameBytes) {
  const std::string target = "/api/search?q=the&limit=20&facets=model,language&sort=newest";
  auto first = Get(target);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->get_header_value("X-Cache"), "miss");
  auto second = Get(target);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->get_header_value("X-Cache"), "hit");
  EXPECT_EQ(second->body, first->body);  // took_ms included: the stored body, not a new one
  EXPECT_EQ(second->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(second->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_F(CachedApiTest, ReorderedParametersHit) {
  auto first = Get("/api/search?q=python&offset=2&limit=5&snippets=false");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->get_header_value("X-Cache"), "miss");
  auto reordered = Get("/api/search?snippets=false&limit=5&q=python&offset=2");
  ASSERT_TRUE(reordered);
  EXPECT_EQ(reordered->get_header_value("X-Cache"), "hit");
  EXPECT_EQ(reordered->body, first->body);
}

TEST_F(CachedApiTest, ADifferentParameterMisses) {
  auto page1 = Get("/api/search?q=the&limit=3&sort=oldest");
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->status, 200) << page1->body;
  auto page2 = Get("/api/search?q=the&limit=3&sort=oldest&offset=3");
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->status, 200) << page2->body;
  EXPECT_EQ(page2->get_header_value("X-Cache"), "miss");
  // A different page, so a different body; were it served from page 1's entry it would match.
  auto ids = [](const std::string& body) { return body.substr(body.find("\"hits\"")); };
  EXPECT_NE(ids(page2->body), ids(page1->body));
  // Both are now stored, each under its own key.
  EXPECT_EQ(Get("/api/search?q=the&limit=3&sort=oldest")->body, page1->body);
  EXPECT_EQ(Get("/api/search?q=the&limit=3&sort=oldest&offset=3")->body, page2->body);
  // The same parameters on another route are another entry.
  auto stats = Get("/api/stats?q=the&limit=3&sort=oldest");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->get_header_value("X-Cache"), "miss");
}

TEST_F(CachedApiTest, ErrorsAreNeverCached) {
  for (const char* target : {"/api/search?q=(unclosed", "/api/search?q=x&limit=5000",
                             "/api/stats?q=(unclosed", "/api/user/no-such-user-zz"}) {
    for (int i = 0; i < 3; ++i) {
      auto res = Get(target);
      ASSERT_TRUE(res) << target;
      EXPECT_GE(res->status, 400) << target;
      EXPECT_EQ(res->get_header_value("X-Cache"), "miss") << target << " #" << i;
    }
  }
}

TEST_F(CachedApiTest, StatsAndUserPagesHit) {
  for (const std::string& target :
       {std::string("/api/stats?q=language:English"), "/api/user/" + explorer_->corpus().hostile_ip,
        "/api/user/" + explorer_->corpus().hostile_ip + "?limit=1"}) {
    auto first = Get(target);
    ASSERT_TRUE(first) << target;
    ASSERT_EQ(first->status, 200) << target << " " << first->body;
    EXPECT_EQ(first->get_header_value("X-Cache"), "miss") << target;
    auto second = Get(target);
    ASSERT_TRUE(second) << target;
    EXPECT_EQ(second->get_header_value("X-Cache"), "hit") << target;
    EXPECT_EQ(second->body, first->body) << target;
  }
}

TEST_F(CachedApiTest, ConcurrentClientsGetConsistentAnswers) {
  const std::string targets[] = {"/api/search?q=the&limit=7", "/api/search?q=code&limit=7",
                                 "/api/stats?q=code", "/api/search?q=the&limit=7&offset=7"};
  std::string expected[4];
  for (int i = 0; i < 4; ++i) expected[i] = Get(targets[i])->body;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", explorer_->port());
      for (int n = 0; n < 40; ++n) {
        int i = (n + t) % 4;
        auto res = client.Get(targets[i]);
        if (!res || res->status != 200 || res->body != expected[i]) ++mismatches;
      }
    });
  }
  for (std::thread& c : clients) c.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// `wildchat serve --cache-mb N` as a process: 0 never hits, 1 does.
class ServeCacheFlagTest : public CachedApiTest {
 protected:
  // X-Cache values of one search three times (the second with its parameters
  // reordered), then one stats request twice.
  static std::string Run(const std::string& cache_mb) {
    const std::string wildchat = (std::filesystem::path(WILDCHAT_BINARY_DIR) / "wildchat").string();
    if (!std::filesystem::exists(wildchat)) return "build the wildchat target first";
    ServerProcess server;
    std::string url;
    if (!server.Start({wildchat, "serve", "--index", explorer_->index_dir(), "--port", "0",
                       "--cache-mb", cache_mb},
                      &url)) {
      return "wildchat serve did not announce its URL";
    }
    httplib::Client client(url);
    client.set_read_timeout(120, 0);
    std::string seen;
    for (const char* target :
         {"/api/search?q=the&limit=5", "/api/search?limit=5&q=the", "/api/search?q=the&limit=5",
          "/api/stats?q=the", "/api/stats?q=the"}) {
      auto res = client.Get(target);
      if (!res || res->status != 200) return "request failed: " + std::string(target);
      seen += res->get_header_value("X-Cache") + " ";
    }
    return seen;
  }
};

TEST_F(ServeCacheFlagTest, CacheMbZeroNeverHits) {
  EXPECT_EQ(Run("0"), "miss miss miss miss miss ");
}

TEST_F(ServeCacheFlagTest, CacheMbOneHits) {
  EXPECT_EQ(Run("1"), "miss hit hit miss hit ");
}

TEST_F(ServeCacheFlagTest, NegativeCacheMbIsRejected) {
  const std::string wildchat = (std::filesystem::path(WILDCHAT_BINARY_DIR) / "wildchat").string();
  bool exited_ok = true;
  std::string out = RunAndCapture(
      wildchat + " serve --index '" + explorer_->index_dir() + "' --port 0 --cache-mb=-1",
      &exited_ok);
  EXPECT_FALSE(exited_ok);
  EXPECT_NE(out.find("--cache-mb must"), std::string::npos) << out;
  out = RunAndCapture(
      wildchat + " serve --index '" + explorer_->index_dir() + "' --port 0 --query-cache-mb=-1",
      &exited_ok);
  EXPECT_FALSE(exited_ok);
  EXPECT_NE(out.find("--query-cache-mb must"), std::string::npos) << out;
}

}  // namespace
}  // namespace wildchat
