#include "embed/embeddings_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "embed/map_builder.h"
#include "embed/map_store.h"
#include "io/json_writer.h"

namespace wildchat {
namespace {

// A fake OpenAI-compatible /v1/embeddings on 127.0.0.1: the vector of a text
// is (length, count of 'a', count of 'b', 1). It fails the first
// `failures` requests with 503 and records the largest batch it saw.
class FakeEndpoint {
 public:
  explicit FakeEndpoint(int failures) : failures_(failures) {
    server_.Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (failures_.fetch_sub(1) > 0) {
        res.status = 503;
        return;
      }
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      simdjson::dom::array input;
      std::string_view model;
      if (parser.parse(req.body).get(root) || root["input"].get(input) ||
          root["model"].get(model) || model != "fake-model") {
        res.status = 400;
        return;
      }
      std::string body;
      JsonWriter w(&body);
      w.BeginObject().Key("object").String("list").Key("data").BeginArray();
      int index = 0;
      for (auto item : input) {
        std::string_view text;
        if (item.get(text)) {
          res.status = 400;
          return;
        }
        int a = 0, b = 0;
        for (char c : text) a += c == 'a', b += c == 'b';
        w.BeginObject().Key("object").String("embedding").Key("index").Int(index++);
        w.Key("embedding")
            .BeginArray()
            .Double(static_cast<double>(text.size()))
            .Double(a)
            .Double(b)
            .Double(1.0)
            .EndArray();
        w.EndObject();
      }
      largest_batch_ = std::max(largest_batch_.load(), index);
      w.EndArray().Key("model").String("fake-model").EndObject();
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeEndpoint() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  int largest_batch() const { return largest_batch_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> failures_;
  std::atomic<int> requests_{0};
  std::atomic<int> largest_batch_{0};
};

EmbeddingsClientOptions Options(const std::string& url, const std::string& cache) {
  EmbeddingsClientOptions o;
  o.url = url;
  o.model = "fake-model";
  o.batch = 3;
  o.initial_backoff_ms = 1;
  o.cache_path = cache;
  return o;
}

TEST(EmbeddingsClientTest, BatchesRetriesAndCaches) {
  FakeEndpoint fake(/*failures=*/2);
  const std::string cache = ::testing::TempDir() + "/embeddings_client_test.cache";
  std::filesystem::remove(cache);
  const std::vector<std::string> texts = {"aaa", "ab", "bbbb", "", "a", "aaa", "b"};
  std::vector<float> v;
  int dim = 0;
  {
    EmbeddingsClient client(Options(fake.url(), cache));
    ASSERT_TRUE(client.Embed(texts, &dim, &v).ok());
  }
  EXPECT_EQ(dim, 4);
  ASSERT_EQ(v.size(), texts.size() * 4);
  EXPECT_EQ(fake.largest_batch(), 3);
  // 6 distinct texts in batches of 3: 2 successful requests after 2 failures.
  EXPECT_EQ(fake.requests(), 4);
  // Normalised: "aaa" → (3, 3, 0, 1) / sqrt(19).
  EXPECT_NEAR(v[0], 3 / std::sqrt(19.0), 1e-6);
  EXPECT_EQ(std::vector<float>(v.begin(), v.begin() + 4),
            std::vector<float>(v.begin() + 20, v.begin() + 24));

  // A second run is answered from the disk cache, and so is a new text mix.
  EmbeddingsClient again(Options(fake.url(), cache));
  std::vector<float> w;
  ASSERT_TRUE(again.Embed(texts, &dim, &w).ok());
  EXPECT_EQ(w, v);
  EXPECT_EQ(fake.requests(), 4);
  EXPECT_EQ(again.requests(), 0u);
  ASSERT_TRUE(again.Embed({"new text", "aaa"}, &dim, &w).ok());
  EXPECT_EQ(fake.requests(), 5);
  EXPECT_EQ(std::vector<float>(w.begin() + 4, w.end()),
            std::vector<float>(v.begin(), v.begin() + 4));
}

TEST(EmbeddingsClientTest, GivesUpAfterRetries) {
  FakeEndpoint fake(/*failures=*/100);
  EmbeddingsClientOptions o = Options(fake.url(), "");
  o.retries = 2;
  EmbeddingsClient client(o);
  std::vector<float> v;
  int dim;
  const Status s = client.Embed({"x"}, &dim, &v);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("503"), std::string::npos);
  EXPECT_EQ(fake.requests(), 3);
}

TEST(EmbeddingsClientTest, BadRequestIsNotRetried) {
  FakeEndpoint fake(0);
  EmbeddingsClientOptions o = Options(fake.url() + "/v1/embeddings", "");
  o.model = "other-model";
  EmbeddingsClient client(o);
  std::vector<float> v;
  int dim;
  EXPECT_EQ(client.Embed({"x"}, &dim, &v).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(fake.requests(), 1);
}

TEST(EmbeddingsClientTest, UnreachableEndpointFails) {
  EmbeddingsClientOptions o = Options("http://127.0.0.1:1", "");
  o.retries = 1;
  EmbeddingsClient client(o);
  std::vector<float> v;
  int dim;
  EXPECT_EQ(client.Embed({"x"}, &dim, &v).code(), Status::Code::kIOError);
}

TEST(EmbeddingsClientTest, MapFromEndpointVectors) {
  FakeEndpoint fake(0);
  const std::string dir = ::testing::TempDir() + "/embeddings_client_test_map";
  std::filesystem::remove_all(dir);
  std::vector<MapDoc> docs;
  for (int i = 0; i < 40; ++i) {
    MapDoc d;
    d.id = i + 1;
    d.text = std::string(1 + i % 5, i % 2 ? 'a' : 'b');
    d.attributes = {i % 2 ? "A" : "B", "m", "c", "false", "2023-04", "WildChat"};
    docs.push_back(d);
  }
  MapBuildOptions o;
  o.endpoint = Options(fake.url(), dir + ".cache");
  o.k = 5;
  o.epochs = 20;
  o.min_layout_points = 10;
  MapBuildStats stats;
  ASSERT_TRUE(BuildMap(dir, docs, o, &stats).ok());
  MapStore store;
  ASSERT_TRUE(MapStore::Load(dir, true, &store).ok());
  EXPECT_EQ(store.method, "endpoint");
  EXPECT_EQ(store.dims, 4);
  // 'a' texts and 'b' texts are orthogonal-ish: neighbours stay in kind.
  for (uint32_t i = 0; i < store.size(); ++i)
    EXPECT_EQ(store.neighbours[static_cast<size_t>(i) * store.k] % 2, i % 2) << i;
  // Append goes through the endpoint recorded in the map.
  MapDoc extra = docs[3];
  extra.id = 99;
  ASSERT_TRUE(AppendMap(dir, {extra}, o, &stats).ok());
  ASSERT_TRUE(MapStore::Load(dir, false, &store).ok());
  EXPECT_EQ(store.size(), 41u);
}

}  // namespace
}  // namespace wildchat
