// The map API (server/map_routes.cc) over a real index and map: routes are
// mounted on an in-process server on 127.0.0.1 and called over HTTP.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "embed/index_map.h"
#include "embed/map_api.h"
#include "engine/index_builder.h"
#include "gen/corpus_generator.h"
#include "server/map_routes.h"
#include "server/response_cache.h"
#include "server/routes.h"

namespace wildchat {
namespace {

class MapRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Per process: ctest runs this suite's tests as parallel processes.
    dir_ = new std::string(::testing::TempDir() + "/map_routes_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(*dir_);
    GenOptions options;
    options.conversations = 400;
    options.seed = 5;
    CorpusGenerator gen(options);
    std::vector<Conversation> records;
    for (uint64_t i = 0; i < 400; ++i) records.push_back(gen.Generate(i));
    IndexBuildStats stats;
    ASSERT_TRUE(BuildIndexFromRecords(*dir_, records, {}, &stats).ok());
  }
  static void TearDownTestSuite() {
    if (dir_) std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(Index::Open(*dir_, &index_).ok());
    maps_ = std::make_shared<MapCache>(*index_);
    AddSearchRoutes(server_, *index_, *maps_, responses_, gate_);
    AddExportRoutes(server_, *index_, *maps_);
    AddMapRoutes(server_, *index_, maps_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  void Embed() {
    MapBuildOptions o;
    o.dims = 32;
    o.knn_dims = 16;
    o.features.hash_bits = 14;
    o.epochs = 30;
    o.min_layout_points = 40;
    o.k = 8;
    MapBuildStats stats;
    ASSERT_TRUE(EmbedIndex(*index_, o, false, &stats).ok());
  }

  static std::string* dir_;
  std::unique_ptr<Index> index_;
  std::shared_ptr<MapCache> maps_;
  ResponseCache responses_{size_t{1} << 20};  // outlives server_, whose handlers use it
  WorkGate gate_{2};
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};
std::string* MapRoutesTest::dir_ = nullptr;

TEST_F(MapRoutesTest, AllRoutes) {
  std::filesystem::remove_all(MapStore::Dir(*dir_));
  // No map yet: 404 with a message saying what to run.
  auto res = client_->Get("/api/map/meta");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("wildchat embed"), std::string::npos);

  Embed();
  const uint32_t n = index_->NumDocs();
  res = client_->Get("/api/map/meta");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  ASSERT_FALSE(parser.parse(res->body).get(meta));
  EXPECT_EQ(uint64_t(meta["docs"]), n);
  EXPECT_EQ(std::string_view(meta["method"]), "tfidf-svd");
  simdjson::dom::array layouts = meta["layouts"];
  ASSERT_GT(layouts.size(), 0u);
  const std::string language(std::string_view(layouts.at(0)["language"]));
  const uint64_t language_count = layouts.at(0)["count"];

  // Every point, as binary.
  res = client_->Get("/api/map/points");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/octet-stream");
  ASSERT_EQ(res->body.size(), 24u + n * (4 + kMapAttributeCount));
  uint32_t head[6];
  std::memcpy(head, res->body.data(), 24);
  EXPECT_EQ(head[0], kPointsMagic);
  EXPECT_EQ(head[2], n);
  res = client_->Get("/api/map/points", httplib::Params{{"layout", language}}, httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  std::memcpy(head, res->body.data(), 24);
  EXPECT_EQ(head[2], language_count);
  EXPECT_EQ(client_->Get("/api/map/points?layout=Klingon")->status, 404);

  // Matches agree with the engine, for sparse and dense answers.
  for (const std::string q : {"", "language:English", "model:gpt-4*", "-toxic:true", "the"}) {
    res = client_->Get("/api/map/matches", httplib::Params{{"q", q}}, httplib::Headers{});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << q;
    std::vector<uint32_t> want, got;
    ASSERT_TRUE(index_->MatchingDocs(q, &want).ok());
    uint32_t map_docs;
    uint64_t total;
    ASSERT_TRUE(DecodeMatches(res->body, &map_docs, &total, &got).ok());
    EXPECT_EQ(got, want) << q;
    EXPECT_EQ(total, want.size());
    EXPECT_EQ(res->get_header_value("X-Total-Matches"), std::to_string(want.size()));
  }
  res = client_->Get("/api/map/matches?q=%28unclosed");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);

  // Hover text: the opening of the first user utterance.
  res = client_->Get("/api/map/point/3");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  simdjson::dom::element point;
  ASSERT_FALSE(parser.parse(res->body).get(point));
  Conversation c;
  ASSERT_TRUE(index_->Get(index_->DocId(3), &c).ok());
  EXPECT_EQ(int64_t(point["id"]), c.id());
  std::string first_user;
  for (const Utterance& u : c.conversation)
    if (u.role == "user") {
      first_user = u.content;
      break;
    }
  const std::string_view text = point["text"];
  EXPECT_EQ(first_user.compare(0, std::min<size_t>(first_user.size(), 100), text.substr(0, 100)),
            0);
  EXPECT_EQ(client_->Get(("/api/map/point/" + std::to_string(n)).c_str())->status, 404);
  EXPECT_EQ(client_->Get("/api/map/point/x")->status, 400);

  // Ids of selected points.
  res = client_->Get("/api/map/ids?docs=0,2");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{\"ids\":[" + std::to_string(index_->DocId(0)) + "," +
                           std::to_string(index_->DocId(2)) + "]}");
  EXPECT_EQ(client_->Get("/api/map/ids?docs=99999")->status, 400);

  // Similar conversations: the stored neighbours, nearest first.
  const int64_t id = index_->DocId(7);
  res = client_->Get(("/api/similar/" + std::to_string(id) + "?limit=5").c_str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  simdjson::dom::element similar;
  ASSERT_FALSE(parser.parse(res->body).get(similar));
  simdjson::dom::array list = similar["similar"];
  ASSERT_EQ(list.size(), 5u);
  double last = 2;
  for (auto item : list) {
    const double s = item["similarity"];
    EXPECT_LE(s, last + 1e-9);
    last = s;
    EXPECT_NE(int64_t(item["id"]), id);
  }
  // Any turn id of the conversation resolves to it.
  ASSERT_TRUE(index_->Get(id, &c).ok());
  const int64_t later_turn = c.conversation.back().turn_identifier;
  res = client_->Get(("/api/similar/" + std::to_string(later_turn)).c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(client_->Get("/api/similar/1")->status, 404);
  EXPECT_EQ(client_->Get("/api/similar/abc")->status, 400);
}

// A map can be rebuilt while the server runs, so answers with an `area` are
// computed every time; the same request without one is cached.
TEST_F(MapRoutesTest, AreaAnswersBypassTheResponseCache) {
  Embed();
  for (const char* path : {"/api/search", "/api/stats"}) {
    for (int i = 0; i < 2; ++i) {
      auto res = client_->Get(path, httplib::Params{{"area", "0,0,40000,40000"}, {"q", "the"}},
                              httplib::Headers{});
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      EXPECT_EQ(res->get_header_value("X-Cache"), "miss") << path << " #" << i;
    }
    auto first = client_->Get(path, httplib::Params{{"q", "the"}}, httplib::Headers{});
    auto second = client_->Get(path, httplib::Params{{"q", "the"}}, httplib::Headers{});
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->get_header_value("X-Cache"), "miss") << path;
    EXPECT_EQ(second->get_header_value("X-Cache"), "hit") << path;
  }
}

// The `area` parameter restricts search, stats, export and map matches to
// the points inside a rectangle or polygon of the map. Expected sets come
// from the stored coordinates, filtered here point by point.
TEST_F(MapRoutesTest, AreaRestrictsSearchStatsAndExport) {
  Embed();
  MapStore store;
  ASSERT_TRUE(MapStore::Load(*dir_, false, &store).ok());
  const uint32_t n = store.size();
  ASSERT_EQ(n, index_->NumDocs());
  // The middle of the map, a box with roughly a third of the points.
  std::vector<uint16_t> xs, ys;
  for (uint32_t i = 0; i < n; ++i) xs.push_back(store.xy[2 * i]), ys.push_back(store.xy[2 * i + 1]);
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  const int x0 = xs[n / 5], x1 = xs[4 * n / 5], y0 = ys[n / 5], y1 = ys[4 * n / 5];
  std::set<int64_t> inside;
  std::map<std::string, uint64_t> languages;
  for (uint32_t i = 0; i < n; ++i) {
    const int x = store.xy[2 * i], y = store.xy[2 * i + 1];
    if (x < x0 || x > x1 || y < y0 || y > y1) continue;
    inside.insert(store.ids[i]);
    Conversation c;
    ASSERT_TRUE(index_->Get(store.ids[i], &c).ok());
    ++languages[c.language.value_or("")];
  }
  ASSERT_GT(inside.size(), n / 10);
  ASSERT_LT(inside.size(), n);
  const std::string area = std::to_string(x0) + "," + std::to_string(y0) + "," +
                           std::to_string(x1) + "," + std::to_string(y1);

  // Search: total, every hit, and facet counts are those of the area.
  auto res = client_->Get(
      "/api/search",
      httplib::Params{
          {"area", area}, {"limit", "1000"}, {"snippets", "false"}, {"facets", "language"}},
      httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  simdjson::dom::parser parser;
  simdjson::dom::element r;
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), inside.size());
  std::set<int64_t> hits;
  for (auto h : simdjson::dom::array(r["hits"])) hits.insert(int64_t(h["id"]));
  EXPECT_EQ(hits, inside);
  std::map<std::string, uint64_t> facet;
  for (auto kv : simdjson::dom::array(r["facets"]["language"]))
    facet[std::string(std::string_view(kv.at(0)))] = uint64_t(kv.at(1));
  languages.erase("");
  EXPECT_EQ(facet, languages);

  // With a query: the matches inside the area.
  std::vector<uint32_t> english;
  ASSERT_TRUE(index_->MatchingDocs("language:English", &english).ok());
  uint64_t want = 0;
  for (uint32_t d : english) want += inside.count(store.ids[d]);
  res = client_->Get("/api/search",
                     httplib::Params{{"area", area}, {"q", "language:English"}, {"limit", "0"}},
                     httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), want);

  // Stats, export and map matches agree.
  res = client_->Get("/api/stats", httplib::Params{{"area", area}}, httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), inside.size());
  res = client_->Get("/api/export", httplib::Params{{"area", area}}, httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("X-Total-Count"), std::to_string(inside.size()));
  EXPECT_EQ(static_cast<size_t>(std::count(res->body.begin(), res->body.end(), '\n')),
            inside.size());
  res = client_->Get("/api/map/matches", httplib::Params{{"area", area}}, httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("X-Total-Matches"), std::to_string(inside.size()));

  // The same box as a polygon (vertices between point coordinates, so no
  // point lies on an edge), and a triangle: half of it.
  const double a = x0 - 0.5, b = y0 - 0.5, c = x1 + 0.5, d = y1 + 0.5;
  auto join = [](std::initializer_list<double> v) {
    std::string out;
    for (double x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
  };
  res = client_->Get("/api/search",
                     httplib::Params{{"area", join({a, b, c, b, c, d, a, d})}, {"limit", "0"}},
                     httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), inside.size());
  uint64_t below_diagonal = 0;  // (a,b) (c,b) (c,d): x − a over y − b, scaled
  for (uint32_t i = 0; i < n; ++i) {
    const double x = store.xy[2 * i], y = store.xy[2 * i + 1];
    if (x > a && x < c && y > b && y < d && (y - b) * (c - a) < (x - a) * (d - b)) ++below_diagonal;
  }
  res = client_->Get("/api/search",
                     httplib::Params{{"area", join({a, b, c, b, c, d})}, {"limit", "0"}},
                     httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), below_diagonal);

  // A language layout's own coordinates.
  const std::string language = store.layouts[0].language;
  uint64_t in_layout = 0;
  for (uint32_t i = 0; i < n; ++i)
    in_layout += store.layout_of[i] == 0 && store.layout_xy[2 * i] <= 32767;
  res = client_->Get("/api/search",
                     httplib::Params{{"area", language + ":0,0,32767,65535"}, {"limit", "0"}},
                     httplib::Headers{});
  ASSERT_TRUE(res);
  ASSERT_FALSE(parser.parse(res->body).get(r));
  EXPECT_EQ(uint64_t(r["total"]), in_layout);

  // Mistakes.
  for (const char* bad : {"1,2,3", "1,2,3,x", "1,2,,4", "1,2,3,4,5", ""}) {
    res = client_->Get("/api/search", httplib::Params{{"area", bad}}, httplib::Headers{});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
  }
  res =
      client_->Get("/api/search", httplib::Params{{"area", "Klingon:0,0,9,9"}}, httplib::Headers{});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

}  // namespace
}  // namespace wildchat
