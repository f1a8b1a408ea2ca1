// End-to-end behaviour of Index over small hand-made corpora: every operator,
// filters, facets, sorting, paging, snippets, Get, appends, atomic commits and
// corrupted index files.
#include "engine/index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "engine/index_builder.h"
#include "engine/segment/segment_file.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

struct Turn {
  std::string user, assistant;
};

Conversation Make(int64_t id, std::vector<Turn> turns, std::string model = "gpt-3.5-turbo",
                  std::string language = "English", std::string ts = "2023-05-10T12:00:00Z") {
  Conversation c;
  c.conversation_hash = "hash" + std::to_string(id);
  c.model = model;
  c.timestamp = ParseIso8601(ts);
  c.language = language;
  c.toxic = TriBool::kFalse;
  c.redacted = TriBool::kFalse;
  c.country = "France";
  c.hashed_ip = "IP" + std::to_string(id % 3);
  int64_t tid = id;
  for (const Turn& t : turns) {
    Utterance u;
    u.role = "user";
    u.content = t.user;
    u.turn_identifier = tid;
    Utterance a;
    a.role = "assistant";
    a.content = t.assistant;
    a.turn_identifier = tid;
    c.conversation.push_back(u);
    c.conversation.push_back(a);
    c.openai_moderation.emplace_back();
    c.openai_moderation.emplace_back();
    c.detoxify_moderation.emplace_back();
    c.detoxify_moderation.emplace_back();
    tid += 1000;
  }
  c.turn = static_cast<int64_t>(turns.size());
  return c;
}

std::vector<Conversation> Corpus() {
  std::vector<Conversation> v;
  v.push_back(Make(1, {{"Tell me about climate change", "Climate change is real."}}));
  v.push_back(Make(2, {{"climate", "The change is coming"}}, "gpt-4-0314", "English",
                   "2023-06-01T00:00:00Z"));
  v.push_back(Make(3, {{"write a poem about rust", "Rust never sleeps"}, {"now python", "ok"}},
                   "gpt-4-1106-preview", "English", "2024-01-02T03:04:05Z"));
  v.push_back(Make(4, {{"北京大学在哪里", "北京大学位于北京。"}}, "gpt-3.5-turbo", "Chinese",
                   "2023-04-30T23:59:59Z"));
  v.push_back(Make(5, {{"Привет, как дела?", "Хорошо! as an AI I am fine"}}, "gpt-4-0314",
                   "Russian", "2023-05-31T23:59:59.999999Z"));
  v.push_back(Make(6, {{"my key is sk-abcdefghijklmnopqrstuvwx", "Do not share keys"}}));
  v.push_back(
      Make(7, {{"transformers and transformation", "as an AI model"}, {"e-mail me", "no"}}));
  v[5].toxic = TriBool::kTrue;
  v[5].openai_moderation[0].flagged = TriBool::kTrue;
  v[5].openai_moderation[0].categories_null = false;
  v[5].openai_moderation[0].categories[0] = TriBool::kTrue;
  v[5].openai_moderation[0].scores_null = false;
  v[5].openai_moderation[0].category_scores.fill(0.1);
  v[5].openai_moderation[0].category_scores[0] = 0.75;
  v[5].detoxify_moderation[0].scores.fill(0.05);
  v[5].detoxify_moderation[0].scores[kDetoxifyToxicity] = 0.3;
  v[2].redacted = TriBool::kTrue;
  v[3].country = std::nullopt;
  v[3].state = "Beijing";
  v[4].timestamp = std::nullopt;
  return v;
}

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("wildchat_index_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    base_ = dir_;
  }
  // The test's directory and those tests make beside it (dir_ + "_appended", ...).
  void TearDown() override {
    const std::string prefix = base_.filename().string();
    for (const auto& e : fs::directory_iterator(base_.parent_path())) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path());
    }
  }

  void Build(const std::vector<Conversation>& records, bool append = false) {
    IndexBuildOptions o;
    o.append = append;
    IndexBuildStats stats;
    ASSERT_TRUE(BuildIndexFromRecords(dir_, records, o, &stats).ok());
  }
  std::unique_ptr<Index> OpenIndex() {
    std::unique_ptr<Index> idx;
    const Status st = Index::Open(dir_, &idx);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return idx;
  }
  std::set<int64_t> Ids(const Index& idx, const std::string& q) {
    SearchRequest r;
    r.query = q;
    r.limit = 1000;
    SearchResult res;
    const Status st = idx.Search(r, &res);
    EXPECT_TRUE(st.ok()) << q << ": " << st.ToString();
    std::set<int64_t> out;
    for (const Hit& h : res.hits) out.insert(h.id);
    EXPECT_EQ(res.total, out.size()) << q;
    return out;
  }
  std::string dir_;
  fs::path base_;  // dir_ as SetUp made it
};

using S = std::set<int64_t>;

TEST_F(IndexTest, TextOperators) {
  Build(Corpus());
  auto idx = OpenIndex();
  EXPECT_EQ(Ids(*idx, "climate"), (S{1, 2}));
  EXPECT_EQ(Ids(*idx, "climate change"), (S{1, 2}));
  EXPECT_EQ(Ids(*idx, "\"climate change\""), (S{1}));
  EXPECT_EQ(Ids(*idx, "CLIMATE -change"), S{});
  EXPECT_EQ(Ids(*idx, "rust OR 北京"), (S{3, 4}));
  EXPECT_EQ(Ids(*idx, "北京"), (S{4}));
  EXPECT_EQ(Ids(*idx, "transform*"), (S{7}));
  EXPECT_EQ(Ids(*idx, "e-mail"), (S{7}));
  EXPECT_EQ(Ids(*idx, "NOT climate"), (S{3, 4, 5, 6, 7}));
  EXPECT_EQ(Ids(*idx, "(rust OR python) NOT sleeps"), S{});
  EXPECT_EQ(Ids(*idx, "привет"), (S{5}));
  EXPECT_EQ(Ids(*idx, ""), (S{1, 2, 3, 4, 5, 6, 7}));
  // A phrase never spans two utterances: "real" ends utterance 1 of doc 1.
  EXPECT_EQ(Ids(*idx, "\"change real\""), S{});
  EXPECT_EQ(Ids(*idx, "\"is real\""), (S{1}));
}

TEST_F(IndexTest, RoleScopes) {
  Build(Corpus());
  auto idx = OpenIndex();
  EXPECT_EQ(Ids(*idx, "user:change"), (S{1}));
  EXPECT_EQ(Ids(*idx, "assistant:change"), (S{1, 2}));
  EXPECT_EQ(Ids(*idx, "assistant:\"as an AI\""), (S{5, 7}));
  EXPECT_EQ(Ids(*idx, "user:\"as an AI\""), S{});
  EXPECT_EQ(Ids(*idx, "first:(python)"), S{});
  EXPECT_EQ(Ids(*idx, "user:python"), (S{3}));
  EXPECT_EQ(Ids(*idx, "first:poem"), (S{3}));
  EXPECT_EQ(Ids(*idx, "user:(e-mail)"), (S{7}));
  EXPECT_EQ(Ids(*idx, "first:(e-mail)"), S{});
  EXPECT_EQ(Ids(*idx, "user:transform*"), (S{7}));
  EXPECT_EQ(Ids(*idx, "assistant:/sk-[a-z]+/"), S{});
  EXPECT_EQ(Ids(*idx, "user:/sk-[a-z]{20,}/"), (S{6}));
}

TEST_F(IndexTest, RegexUsesRawTextCaseSensitively) {
  Build(Corpus());
  auto idx = OpenIndex();
  EXPECT_EQ(Ids(*idx, "/Climate/"), (S{1}));
  EXPECT_EQ(Ids(*idx, "/(?i)climate/"), (S{1, 2}));
  EXPECT_EQ(Ids(*idx, "/北京大学/ language:chinese"), (S{4}));
  EXPECT_EQ(Ids(*idx, "NOT /a/"), (S{4}));  // doc 5 has "as an AI"
}

TEST_F(IndexTest, FieldFilters) {
  Build(Corpus());
  auto idx = OpenIndex();
  EXPECT_EQ(Ids(*idx, "model:gpt-4*"), (S{2, 3, 5}));
  EXPECT_EQ(Ids(*idx, "model:GPT-4-0314"), (S{2, 5}));
  EXPECT_EQ(Ids(*idx, "language:chinese"), (S{4}));
  EXPECT_EQ(Ids(*idx, "country:france"), (S{1, 2, 3, 5, 6, 7}));
  EXPECT_EQ(Ids(*idx, "state:Beijing"), (S{4}));
  EXPECT_EQ(Ids(*idx, "ip:ip1"), (S{1, 4, 7}));
  EXPECT_EQ(Ids(*idx, "hash:HASH3"), (S{3}));
  EXPECT_EQ(Ids(*idx, "id:1003"), (S{3}));
  EXPECT_EQ(Ids(*idx, "id:99"), S{});
  EXPECT_EQ(Ids(*idx, "toxic:true"), (S{6}));
  EXPECT_EQ(Ids(*idx, "redacted:true"), (S{3}));
  EXPECT_EQ(Ids(*idx, "flagged:true"), (S{6}));
  EXPECT_EQ(Ids(*idx, "flagged:false").size(), 6u);
  EXPECT_EQ(Ids(*idx, "turns:2"), (S{3, 7}));
  EXPECT_EQ(Ids(*idx, "turns:>=2"), (S{3, 7}));
  EXPECT_EQ(Ids(*idx, "turns:<2"), (S{1, 2, 4, 5, 6}));
  EXPECT_EQ(Ids(*idx, "turns:2..5"), (S{3, 7}));
  EXPECT_EQ(Ids(*idx, "date:2023-05"), (S{1, 6, 7}));
  EXPECT_EQ(Ids(*idx, "date:2023"), (S{1, 2, 4, 6, 7}));
  EXPECT_EQ(Ids(*idx, "date:>2023-05"), (S{2, 3}));
  EXPECT_EQ(Ids(*idx, "date:<2023-05"), (S{4}));
  EXPECT_EQ(Ids(*idx, "date:<=2023-04-30"), (S{4}));
  EXPECT_EQ(Ids(*idx, "date:>=2024-01"), (S{3}));
  EXPECT_EQ(Ids(*idx, "date:2023-05-01..2023-06-30"), (S{1, 2, 6, 7}));
  EXPECT_EQ(Ids(*idx, "mod.harassment>0.5"), (S{6}));
  EXPECT_EQ(Ids(*idx, "mod.hate>=0.1"), (S{6}));
  EXPECT_EQ(Ids(*idx, "mod.hate<0.1"), S{});
  EXPECT_EQ(Ids(*idx, "detox.toxicity>0.1"), (S{6}));
  EXPECT_EQ(Ids(*idx, "detox.insult<=0.05"), (S{6}));
}

// Filters read narrow copies of the columns where the values fit (one byte
// per dictionary code of a field with at most 255 values, two per turn count
// below 65,535) and the stored columns where they do not; both must select
// what the records say. Segment 1 has 300 models and a 70,000-turn
// conversation (wide), segment 2 a few of each (narrow).
TEST_F(IndexTest, FiltersAgreeWhetherColumnsAreNarrowOrWide) {
  std::vector<Conversation> wide, narrow;
  for (int i = 0; i < 600; ++i) {
    Conversation c = Make(i + 1, {{"hello", "hi"}}, "model-" + std::to_string(i % 300));
    c.turn = i == 7 ? 70000 : i % 9;
    // Days from 1900 to 2099: over 65,535 of them, so no narrow day column.
    c.timestamp = i % 10 == 3 ? std::optional<TimestampMicros>()
                              : ParseIso8601(std::to_string(1900 + i % 200) + "-0" +
                                             std::to_string(1 + i % 9) + "-15T12:00:00Z");
    c.toxic = i % 4 == 0 ? TriBool::kTrue : TriBool::kFalse;
    c.redacted = i % 6 == 0 ? TriBool::kTrue : TriBool::kNull;
    wide.push_back(c);
    Conversation d = Make(i + 1001, {{"hello", "hi"}}, "model-" + std::to_string(i % 5));
    d.turn = i % 11;
    d.timestamp = i % 10 == 4 ? std::optional<TimestampMicros>()
                              : ParseIso8601("2023-0" + std::to_string(1 + i % 9) + "-" +
                                             std::to_string(10 + i % 19) + "T23:59:59.999999Z");
    d.toxic = i % 3 == 0 ? TriBool::kTrue : TriBool::kFalse;
    d.redacted = i % 5 == 0 ? TriBool::kTrue : TriBool::kFalse;
    narrow.push_back(d);
  }
  Build(wide);
  Build(narrow, /*append=*/true);
  auto idx = OpenIndex();
  std::vector<Conversation> all = wide;
  all.insert(all.end(), narrow.begin(), narrow.end());
  auto expect = [&](const std::function<bool(const Conversation&)>& keep) {
    S out;
    for (const Conversation& c : all) {
      if (keep(c)) out.insert(c.conversation[0].turn_identifier);
    }
    return out;
  };
  auto model_in = [](const Conversation& c, std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (c.model == n) return true;
    }
    return false;
  };
  // (Codes follow the values' byte order, so model-0, model-1, model-10 and
  // model-100 hold the first codes: a code taken modulo 256 would collide
  // with the last values'.)
  for (const char* m : {"model-0", "model-1", "model-10", "model-100", "model-3", "model-99"}) {
    EXPECT_EQ(Ids(*idx, std::string("model:") + m),
              expect([&](auto& c) { return model_in(c, {m}); }))
        << m;
  }
  EXPECT_EQ(Ids(*idx, "model:model-29*"),
            expect([&](auto& c) { return c.model.rfind("model-29", 0) == 0; }));
  EXPECT_EQ(Ids(*idx, "model:model-2*"),  // over four values: the lookup table
            expect([&](auto& c) { return c.model.rfind("model-2", 0) == 0; }));
  EXPECT_EQ(Ids(*idx, "model:model-299"),
            expect([&](auto& c) { return model_in(c, {"model-299"}); }));
  EXPECT_EQ(Ids(*idx, "toxic:true"), expect([](auto& c) { return c.toxic == TriBool::kTrue; }));
  EXPECT_EQ(Ids(*idx, "redacted:false"),
            expect([](auto& c) { return c.redacted != TriBool::kTrue; }));
  for (const char* q : {"turns:>=5", "turns:<3", "turns:4..8", "turns:=0", "turns:>65534",
                        "turns:70000", "turns:>=65535", "turns:-5..2", "turns:9..3"}) {
    const std::string v = std::string(q).substr(6);
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (v.rfind(">=", 0) == 0) {
      lo = std::stoll(v.substr(2));
    } else if (v[0] == '>') {
      lo = std::stoll(v.substr(1)) + 1;
    } else if (v[0] == '<') {
      hi = std::stoll(v.substr(1)) - 1;
    } else if (v[0] == '=') {
      lo = hi = std::stoll(v.substr(1));
    } else if (const size_t dots = v.find(".."); dots != std::string::npos) {
      lo = std::stoll(v.substr(0, dots));
      hi = std::stoll(v.substr(dots + 2));
    } else {
      lo = hi = std::stoll(v);
    }
    EXPECT_EQ(Ids(*idx, q), expect([&](auto& c) { return c.turn >= lo && c.turn <= hi; })) << q;
  }
  // Dates: [from, to) in UTC, either bound open.
  const std::optional<TimestampMicros> none;
  auto at = [](const char* iso) { return ParseIso8601(iso); };
  const struct {
    const char* q;
    std::optional<TimestampMicros> from, to;
  } dates[] = {
      {"date:2023-06", at("2023-06-01T00:00:00Z"), at("2023-07-01T00:00:00Z")},
      {"date:2023-05-01..2023-06-30", at("2023-05-01T00:00:00Z"), at("2023-07-01T00:00:00Z")},
      {"date:>=2023-08", at("2023-08-01T00:00:00Z"), none},
      {"date:<2023-03-12", none, at("2023-03-12T00:00:00Z")},
      {"date:1950..1999", at("1950-01-01T00:00:00Z"), at("2000-01-01T00:00:00Z")},
      {"date:>2098", at("2099-01-01T00:00:00Z"), none},
      {"date:<=1900-03-15", none, at("1900-03-16T00:00:00Z")},
  };
  for (const auto& d : dates) {
    EXPECT_EQ(Ids(*idx, d.q), expect([&](auto& c) {
                return c.timestamp && (!d.from || *c.timestamp >= *d.from) &&
                       (!d.to || *c.timestamp < *d.to);
              }))
        << d.q;
  }
}

TEST_F(IndexTest, SortingPagingAndTotals) {
  Build(Corpus());
  auto idx = OpenIndex();
  SearchRequest r;
  r.sort = SortOrder::kNewest;
  r.limit = 3;
  SearchResult res;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  EXPECT_EQ(res.total, 7u);
  ASSERT_EQ(res.hits.size(), 3u);
  EXPECT_EQ(res.hits[0].id, 3);
  EXPECT_EQ(res.hits[1].id, 2);
  EXPECT_EQ(res.hits[2].id, 1);  // ties on timestamp: ascending id (1, 6, 7)
  r.offset = 6;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  ASSERT_EQ(res.hits.size(), 1u);
  EXPECT_EQ(res.hits[0].id, 5);  // null timestamp last
  r.sort = SortOrder::kOldest;
  r.offset = 0;
  r.limit = 1;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  EXPECT_EQ(res.hits[0].id, 4);
  r.offset = 100;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  EXPECT_TRUE(res.hits.empty());
  EXPECT_EQ(res.total, 7u);

  r = SearchRequest();
  r.sort = SortOrder::kRandom;
  r.seed = 9;
  r.limit = 7;
  SearchResult a, b;
  ASSERT_TRUE(idx->Search(r, &a).ok());
  ASSERT_TRUE(idx->Search(r, &b).ok());
  ASSERT_EQ(a.hits.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(a.hits[i].id, b.hits[i].id);
}

// `id:n` is "some utterance has turn_identifier n": input may repeat an id
// in several conversations, in one segment or across appends.
TEST_F(IndexTest, IdFilterFindsEveryConversationWithTheId) {
  Build({Make(1, {{"first", "a"}, {"more", "b"}}), Make(5, {{"second", "c"}}),
         Make(1, {{"third", "d"}})});
  Build({Make(1, {{"fourth", "e"}}), Make(2, {{"fifth", "f"}})}, /*append=*/true);
  auto idx = OpenIndex();
  auto totals = [&](const std::string& q) {
    SearchRequest r;
    r.query = q;
    r.snippets = false;
    SearchResult res;
    EXPECT_TRUE(idx->Search(r, &res).ok()) << q;
    return res.total;
  };
  EXPECT_EQ(totals("id:1"), 3u);     // docs 0 and 2, then the appended one
  EXPECT_EQ(totals("id:1001"), 1u);  // doc 0's second turn (Make adds 1000 per turn)
  EXPECT_EQ(totals("id:2"), 1u);
  EXPECT_EQ(totals("id:5"), 1u);
  EXPECT_EQ(totals("id:3"), 0u);
  EXPECT_EQ(totals("id:1 third"), 1u);
  EXPECT_EQ(totals("id:1 OR id:5"), 4u);
}

// docs/query.md "Random order", written out from the text.
uint64_t DocumentedMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

TEST_F(IndexTest, RandomOrderIsTheDocumentedHashOrder) {
  // Two segments, ids not in index order, 50 of them twice; small pages of
  // broad queries (the hash trie's walk), of a narrow one (a bounded heap)
  // and the whole order (a sort) must all follow the documented keys.
  std::vector<Conversation> first, second;
  for (int64_t i = 0; i < 300; ++i) {
    const int64_t id = 1000 + (i * 7919) % 250;
    (i % 2 ? first : second)
        .push_back(Make(id, {{i % 11 ? "common word here" : "common rare", "ok"}}));
  }
  Build(first);
  Build(second, /*append=*/true);
  auto idx = OpenIndex();
  for (const char* query : {"", "common", "rare"}) {
    std::vector<int64_t> ids;
    for (const auto* part : {&first, &second}) {
      for (const Conversation& c : *part) {
        const std::string text = c.conversation[0].content;
        if (std::string(query) == "rare" && text.find("rare") == std::string::npos) continue;
        ids.push_back(c.conversation[0].turn_identifier);
      }
    }
    for (uint64_t seed : {0ull, 7ull, 123456789ull}) {
      std::vector<int64_t> want = ids;
      auto key = [&](int64_t id) { return DocumentedMix(id) ^ DocumentedMix(seed); };
      std::stable_sort(want.begin(), want.end(), [&](int64_t a, int64_t b) {
        return key(a) != key(b) ? key(a) < key(b) : a < b;
      });
      for (auto [offset, limit] : {std::pair<int64_t, int64_t>{0, 5}, {3, 4}, {0, 1000}}) {
        SearchRequest r;
        r.query = query;
        r.sort = SortOrder::kRandom;
        r.seed = seed;
        r.offset = offset;
        r.limit = limit;
        r.snippets = false;
        SearchResult res;
        ASSERT_TRUE(idx->Search(r, &res).ok());
        EXPECT_EQ(res.total, want.size());
        std::vector<int64_t> got;
        for (const Hit& h : res.hits) got.push_back(h.id);
        const size_t b = std::min<size_t>(offset, want.size());
        const size_t e = std::min<size_t>(offset + limit, want.size());
        EXPECT_EQ(got, std::vector<int64_t>(want.begin() + b, want.begin() + e))
            << "query '" << query << "' seed " << seed << " offset " << offset;
      }
    }
  }
}

TEST_F(IndexTest, RelevanceRanksByBm25) {
  std::vector<Conversation> v;
  v.push_back(Make(1, {{"apple banana cherry date elderberry fig grape", "x"}}));
  v.push_back(Make(2, {{"apple apple apple", "y"}}));
  v.push_back(Make(3, {{"banana", "z"}}));
  Build(v);
  auto idx = OpenIndex();
  SearchRequest r;
  r.query = "apple";
  SearchResult res;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  ASSERT_EQ(res.hits.size(), 2u);
  EXPECT_EQ(res.hits[0].id, 2);
  EXPECT_GT(res.hits[0].score, res.hits[1].score);
  // idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)); doc 2: tf 3, dl 3 + 1, avgdl (8 + 4 + 2) / 3.
  const double idf = std::log(1 + 1.5 / 2.5);
  const double expected = idf * 3 * 2.2 / (3 + 1.2 * (0.25 + 0.75 * 4 / (14.0 / 3)));
  EXPECT_NEAR(res.hits[0].score, expected, 1e-9);
}

// Deep relevance pages guess their cut-off score from a sample of the index;
// the pages must not depend on how representative the sample is. Here every
// other run of 128 conversations scores high (the word four times in a short
// text) and the rest low (once in a long one): whatever part of the index a
// sample sees, a page is the slice of "high ones by id, then low ones by id".
TEST_F(IndexTest, DeepRelevancePagesHoldWhereScoresBunchInPartsOfTheIndex) {
  constexpr int kDocs = 8192;
  std::string filler;
  for (int w = 0; w < 60; ++w) filler += " filler" + std::to_string(w);
  std::vector<Conversation> v;
  std::vector<int64_t> high, low;
  for (int i = 0; i < kDocs; ++i) {
    const bool is_high = (i / 128) % 2 == 0;
    v.push_back(Make(i + 1, {{is_high ? "zebra zebra zebra zebra" : "zebra" + filler, "ok"}}));
    (is_high ? high : low).push_back(i + 1);
  }
  Build(v);
  auto idx = OpenIndex();
  std::vector<int64_t> order = high;
  order.insert(order.end(), low.begin(), low.end());
  for (int64_t offset : {1000, 3000, 4090, 5000, 8000}) {
    SearchRequest r;
    r.query = "zebra";
    r.offset = offset;
    r.limit = 30;
    r.snippets = false;
    SearchResult res;
    ASSERT_TRUE(idx->Search(r, &res).ok());
    EXPECT_EQ(res.total, static_cast<uint64_t>(kDocs));
    std::vector<int64_t> got,
        want(order.begin() + offset, order.begin() + std::min<int64_t>(kDocs, offset + 30));
    for (const Hit& h : res.hits) got.push_back(h.id);
    EXPECT_EQ(got, want) << "offset " << offset;
  }
}

TEST_F(IndexTest, FacetsCountAllMatches) {
  Build(Corpus());
  auto idx = OpenIndex();
  SearchRequest r;
  r.limit = 1;
  r.facets = {"model", "language", "country", "toxic", "turns", "month", "state", "redacted"};
  SearchResult res;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  ASSERT_EQ(res.facets.size(), 8u);
  EXPECT_EQ(res.facets[0].second,
            (FacetCounts{{"gpt-3.5-turbo", 4}, {"gpt-4-0314", 2}, {"gpt-4-1106-preview", 1}}));
  EXPECT_EQ(res.facets[1].second, (FacetCounts{{"English", 5}, {"Chinese", 1}, {"Russian", 1}}));
  EXPECT_EQ(res.facets[2].second, (FacetCounts{{"France", 6}}));
  EXPECT_EQ(res.facets[3].second, (FacetCounts{{"false", 6}, {"true", 1}}));
  EXPECT_EQ(res.facets[4].second, (FacetCounts{{"1", 5}, {"2", 2}}));
  EXPECT_EQ(res.facets[5].second,
            (FacetCounts{{"2023-05", 3}, {"2023-04", 1}, {"2023-06", 1}, {"2024-01", 1}}));
  EXPECT_EQ(res.facets[6].second, (FacetCounts{{"Beijing", 1}}));
  // A null flag counts as false, in the facet as in the filter.
  std::vector<Conversation> nulls = Corpus();
  nulls[0].toxic = TriBool::kNull;
  dir_ += "_nulls";
  Build(nulls);
  auto with_null = OpenIndex();
  r.facets = {"toxic"};
  ASSERT_TRUE(with_null->Search(r, &res).ok());
  EXPECT_EQ(res.facets[0].second, (FacetCounts{{"false", 6}, {"true", 1}}));
  EXPECT_EQ(Ids(*with_null, "toxic:false").size(), 6u);
  fs::remove_all(dir_);
  r.facets = {"nope"};
  EXPECT_EQ(idx->Search(r, &res).code(), Status::Code::kInvalidArgument);
  // Months far apart (more month values between them than a two-byte column
  // holds) are still counted, each once; docs 3 to 6 keep 2023-04, null,
  // 2023-05, 2023-05.
  std::vector<Conversation> far = Corpus();
  far[0].timestamp = ParseIso8601("0001-02-03T00:00:00Z");
  far[1].timestamp = ParseIso8601("9999-12-31T23:00:00Z");
  far[2].timestamp = ParseIso8601("0001-01-01T00:00:00Z");
  dir_ += "_far";
  Build(far);
  auto far_idx = OpenIndex();
  r.facets = {"month", "turns"};
  ASSERT_TRUE(far_idx->Search(r, &res).ok());
  EXPECT_EQ(res.facets[0].second,
            (FacetCounts{
                {"2023-05", 2}, {"0001-01", 1}, {"0001-02", 1}, {"2023-04", 1}, {"9999-12", 1}}));
  EXPECT_EQ(res.facets[1].second, (FacetCounts{{"1", 5}, {"2", 2}}));
  fs::remove_all(dir_);
}

// Stats against a count over the records themselves, for match sets under
// and over half of the index (the latter are counted as the index less the
// rest), in an index built in one go and one built by appends.
TEST_F(IndexTest, StatsCountUtterancesAndModerationOfTheMatches) {
  std::vector<Conversation> records = Corpus();
  records[2].openai_moderation.resize(records[2].conversation.size());
  records[2].openai_moderation[1].flagged = TriBool::kTrue;
  records[2].openai_moderation[1].categories[3] = TriBool::kTrue;
  records[2].openai_moderation[1].categories_null = false;
  Build(records);
  auto whole = OpenIndex();
  dir_ += "_appended";
  Build({records.begin(), records.begin() + 3});
  Build({records.begin() + 3, records.end()}, /*append=*/true);
  auto appended = OpenIndex();
  for (const std::string q :
       {"", "-climate", "climate", "toxic:false", "python OR 北京大学", "-nothingmatches"}) {
    const std::set<int64_t> ids = Ids(*whole, q);
    uint64_t utterances = 0, flagged = 0;
    std::array<uint64_t, kModerationCategoryCount> categories{};
    for (const Conversation& c : records) {
      if (!ids.count(c.id())) continue;
      utterances += c.conversation.size();
      bool any = false;
      std::array<bool, kModerationCategoryCount> in{};
      for (const OpenAiModeration& m : c.openai_moderation) {
        any = any || m.flagged == TriBool::kTrue;
        for (int k = 0; k < kModerationCategoryCount; ++k) {
          in[k] = in[k] || m.categories[k] == TriBool::kTrue;
        }
      }
      flagged += any ? 1 : 0;
      for (int k = 0; k < kModerationCategoryCount; ++k) categories[k] += in[k] ? 1 : 0;
    }
    for (const Index* idx : {whole.get(), appended.get()}) {
      StatsResult stats;
      ASSERT_TRUE(idx->Stats(q, &stats).ok()) << q;
      ASSERT_EQ(stats.total, ids.size()) << q;
      EXPECT_EQ(stats.utterances, utterances) << q;
      const double n = std::max<double>(1, static_cast<double>(ids.size()));
      EXPECT_EQ(stats.flagged_rate, ids.empty() ? 0 : flagged / n) << q;
      for (int k = 0; k < kModerationCategoryCount; ++k) {
        EXPECT_EQ(stats.category_rates[k], ids.empty() ? 0 : categories[k] / n) << q << " " << k;
      }
    }
  }
  fs::remove_all(dir_);
}

TEST_F(IndexTest, WithinRestrictsMatchesTotalsAndFacets) {
  Build(Corpus());
  auto idx = OpenIndex();
  // Docs of ids 1, 2 and 5 only; "climate" matches 1 and 2 of them.
  std::vector<uint32_t> within;
  for (int64_t id : {1, 2, 5}) within.push_back(*idx->DocOf(id));
  std::sort(within.begin(), within.end());
  SearchRequest r;
  r.query = "climate";
  r.facets = {"model"};
  r.within = std::make_shared<const std::vector<uint32_t>>(within);
  SearchResult res;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  EXPECT_EQ(res.total, 2u);
  EXPECT_EQ(res.facets[0].second, (FacetCounts{{"gpt-3.5-turbo", 1}, {"gpt-4-0314", 1}}));
  r.query = "";
  ASSERT_TRUE(idx->Search(r, &res).ok());
  EXPECT_EQ(res.total, 3u);
  StatsResult stats;
  ASSERT_TRUE(idx->Stats("language:russian", &stats, &within).ok());
  EXPECT_EQ(stats.total, 1u);
  std::vector<uint32_t> docs;
  ASSERT_TRUE(idx->MatchingDocs("as", &docs, &within).ok());
  EXPECT_EQ(docs, std::vector<uint32_t>{*idx->DocOf(5)});
  int seen = 0;
  ASSERT_TRUE(idx->ForEachMatch(
                     "",
                     [&](const Conversation&) {
                       ++seen;
                       return Status::OK();
                     },
                     &within)
                  .ok());
  EXPECT_EQ(seen, 3);
  std::vector<uint32_t> bad = {idx->NumDocs()};
  EXPECT_EQ(idx->MatchingDocs("", &docs, &bad).code(), Status::Code::kInvalidArgument);
}

// Evaluations are cached per query text; what one request narrows (within)
// or leaves out (frequencies) must not change the answers of the next. A
// second Index over the same files, with an empty cache, is the oracle.
TEST_F(IndexTest, CachedEvaluationsAnswerLikeFreshOnes) {
  Build(Corpus());
  auto idx = OpenIndex();
  std::vector<uint32_t> within = {*idx->DocOf(1)};
  auto answer = [](const Index& index, const std::string& q, SortOrder sort,
                   const std::vector<uint32_t>* in) {
    SearchRequest r;
    r.query = q;
    r.sort = sort;
    r.facets = {"model", "language"};
    if (in) r.within = std::make_shared<const std::vector<uint32_t>>(*in);
    SearchResult res;
    EXPECT_TRUE(index.Search(r, &res).ok()) << q;
    std::vector<std::pair<int64_t, double>> hits;
    for (const auto& h : res.hits) hits.emplace_back(h.id, h.score);
    return std::make_tuple(res.total, hits, res.facets);
  };
  for (const std::string q : {"climate", "climate OR change", "/chan[a-z]+/", ""}) {
    // Narrowed first, then whole; newest (no frequencies) first, then relevance.
    const auto narrowed = answer(*idx, q, SortOrder::kRelevance, &within);
    const auto newest = answer(*idx, q, SortOrder::kNewest, nullptr);
    const auto ranked = answer(*idx, q, SortOrder::kRelevance, nullptr);
    const auto again = answer(*idx, q, SortOrder::kNewest, nullptr);
    StatsResult stats;
    ASSERT_TRUE(idx->Stats(q, &stats).ok());
    auto fresh = OpenIndex();
    EXPECT_EQ(narrowed, answer(*fresh, q, SortOrder::kRelevance, &within)) << q;
    EXPECT_EQ(newest, answer(*fresh, q, SortOrder::kNewest, nullptr)) << q;
    EXPECT_EQ(ranked, answer(*fresh, q, SortOrder::kRelevance, nullptr)) << q;
    EXPECT_EQ(again, newest) << q;
    StatsResult fresh_stats;
    ASSERT_TRUE(fresh->Stats(q, &fresh_stats).ok());
    EXPECT_EQ(stats.total, fresh_stats.total) << q;
    EXPECT_EQ(stats.facets, fresh_stats.facets) << q;
    // The narrowed request really was narrower, so the check above means something.
    EXPECT_LE(std::get<0>(narrowed), 1u);
  }
  EXPECT_GT(std::get<0>(answer(*idx, "climate", SortOrder::kRelevance, nullptr)), 1u);
  // With the cache off every request evaluates afresh, with the same answers.
  auto uncached = OpenIndex();
  uncached->SetQueryCacheBytes(0);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(answer(*uncached, "climate OR change", SortOrder::kRelevance, nullptr),
              answer(*idx, "climate OR change", SortOrder::kRelevance, nullptr));
  }
}

TEST_F(IndexTest, HighlightsCoverEveryMatchIncludingLettersThatFoldToAscii) {
  std::vector<Conversation> corpus = Corpus();
  // U+017F LONG S folds to "s", U+212A KELVIN SIGN to "k".
  corpus.push_back(Make(8, {{"The \u017Ftory of \u212Aelvin", "A story. STORY!"}}));
  Build(corpus);
  auto idx = OpenIndex();
  EXPECT_EQ(Ids(*idx, "story kelvin"), (S{8}));
  std::vector<UtteranceSpans> spans;
  ASSERT_TRUE(idx->Highlights("story kelvin", corpus.back(), &spans).ok());
  ASSERT_EQ(spans.size(), 2u);
  const std::string& user = corpus.back().conversation[0].content;
  ASSERT_EQ(spans[0].spans.size(), 2u);
  EXPECT_EQ(
      user.substr(spans[0].spans[0].first, spans[0].spans[0].second - spans[0].spans[0].first),
      "\u017Ftory");
  EXPECT_EQ(
      user.substr(spans[0].spans[1].first, spans[0].spans[1].second - spans[0].spans[1].first),
      "\u212Aelvin");
  EXPECT_EQ(spans[1].turn, 1);
  EXPECT_EQ(spans[1].spans.size(), 2u);  // "story" and "STORY"
  // Only text terms are highlighted; filters play no part; scopes do.
  ASSERT_TRUE(idx->Highlights("model:gpt-4* user:story", corpus.back(), &spans).ok());
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].turn, 0);
  EXPECT_EQ(idx->Highlights("(story", corpus.back(), &spans).code(),
            Status::Code::kInvalidArgument);
}

TEST_F(IndexTest, SnippetsMarkMatches) {
  Build(Corpus());
  auto idx = OpenIndex();
  SearchRequest r;
  r.query = "\"climate change\" model:gpt-3.5*";
  SearchResult res;
  ASSERT_TRUE(idx->Search(r, &res).ok());
  ASSERT_EQ(res.hits.size(), 1u);
  ASSERT_EQ(res.hits[0].snippets.size(), 2u);
  EXPECT_EQ(res.hits[0].snippets[0].text, "Tell me about <mark>climate change</mark>");
  EXPECT_EQ(res.hits[0].snippets[1].role, "assistant");
  EXPECT_EQ(res.hits[0].snippets[1].text, "<mark>Climate change</mark> is real.");
  r.query = "id:4";
  ASSERT_TRUE(idx->Search(r, &res).ok());
  ASSERT_EQ(res.hits[0].snippets.size(), 1u);
  EXPECT_EQ(res.hits[0].snippets[0].text, "北京大学在哪里");
}

TEST_F(IndexTest, GetReturnsTheWholeRecordByAnyTurnId) {
  const auto corpus = Corpus();
  Build(corpus);
  auto idx = OpenIndex();
  Conversation c;
  ASSERT_TRUE(idx->Get(1003, &c).ok());
  EXPECT_EQ(c, corpus[2]);
  ASSERT_TRUE(idx->Get(6, &c).ok());
  EXPECT_EQ(c, corpus[5]);
  EXPECT_EQ(idx->Get(12345, &c).code(), Status::Code::kNotFound);
  std::vector<int64_t> seen;
  ASSERT_TRUE(idx->ForEachMatch("climate",
                                [&](const Conversation& x) {
                                  seen.push_back(x.id());
                                  return Status::OK();
                                })
                  .ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
}

TEST_F(IndexTest, MalformedQueriesAreInvalidArgument) {
  Build(Corpus());
  auto idx = OpenIndex();
  SearchRequest r;
  SearchResult res;
  for (const char* q : {"(a", "foo:bar", "/(/", "a OR", "\"x", "turns:x"}) {
    r.query = q;
    const Status st = idx->Search(r, &res);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << q;
    EXPECT_NE(st.message().find("query error at"), std::string::npos);
  }
}

TEST_F(IndexTest, AppendsMatchOneBuildAndBuildsAreDeterministic) {
  const auto corpus = Corpus();
  Build(corpus);
  auto whole = OpenIndex();
  const std::string dir1 = dir_;
  dir_ += "_appended";
  fs::remove_all(dir_);
  Build({corpus.begin(), corpus.begin() + 3});
  Build({corpus.begin() + 3, corpus.begin() + 5}, true);
  Build({corpus.begin() + 5, corpus.end()}, true);
  auto parts = OpenIndex();
  EXPECT_EQ(parts->NumDocs(), 7u);
  for (const char* q : {"climate", "\"as an AI\"", "model:gpt-4*", "NOT rust", "/sk-/", "",
                        "date:2023 turns:1", "user:python OR 北京"}) {
    SearchRequest r;
    r.query = q;
    r.facets = {"language", "month"};
    SearchResult a, b;
    ASSERT_TRUE(whole->Search(r, &a).ok());
    ASSERT_TRUE(parts->Search(r, &b).ok());
    EXPECT_EQ(a.total, b.total) << q;
    ASSERT_EQ(a.hits.size(), b.hits.size()) << q;
    for (size_t i = 0; i < a.hits.size(); ++i) {
      EXPECT_EQ(a.hits[i].id, b.hits[i].id) << q;
      EXPECT_DOUBLE_EQ(a.hits[i].score, b.hits[i].score) << q;
    }
    EXPECT_EQ(a.facets, b.facets) << q;
  }
  // Same input, same bytes.
  dir_ += "_again";
  fs::remove_all(dir_);
  Build(corpus);
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(read(dir1 + "/MANIFEST"), read(dir_ + "/MANIFEST"));
  fs::remove_all(dir_);
  fs::remove_all(dir1 + "_appended");
  dir_ = dir1;
}

// The segments of one build compress their stores with the first one's
// dictionaries (so readers share their windows), and every conversation
// still reads back whole and is found.
TEST_F(IndexTest, SegmentsOfOneBuildShareTheirDictionaries) {
  static const char* kWords[] = {"climate", "python",  "function", "recipe", "story",
                                 "bonjour", "weather", "garden",   "rust",   "question"};
  std::mt19937 rng(5);
  std::vector<Conversation> docs;
  for (int64_t i = 0; i < 6000; ++i) {
    std::string user, assistant;
    for (int w = 0; w < 30 + static_cast<int>(rng() % 60); ++w) {
      user += kWords[rng() % 10];
      user += ' ';
      assistant += kWords[rng() % 10];
      assistant += std::to_string(rng() % 50) + ' ';
    }
    docs.push_back(Make(i + 1, {{user, assistant}}));
  }
  docs[4321].conversation[1].content += " uniquetoken";
  IndexBuildOptions o;
  o.segment_docs = 2500;
  IndexBuildStats stats;
  ASSERT_TRUE(BuildIndexFromRecords(dir_, docs, o, &stats).ok());
  std::vector<std::string> dicts;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().rfind("seg-", 0) != 0) continue;
    std::unique_ptr<MappedSegmentFile> f;
    ASSERT_TRUE(MappedSegmentFile::Open(e.path().string(), &f).ok());
    std::string_view text_dict, meta_dict, vocab;
    ASSERT_TRUE(f->Section("store.dict.text", &text_dict).ok());
    ASSERT_TRUE(f->Section("store.dict.meta", &meta_dict).ok());
    ASSERT_TRUE(f->Section("store.vocab", &vocab).ok());
    EXPECT_FALSE(text_dict.empty());
    EXPECT_FALSE(vocab.empty());
    dicts.push_back(std::string(text_dict) + '|' + std::string(meta_dict) + '|' +
                    std::string(vocab));
  }
  ASSERT_EQ(dicts.size(), 3u);
  EXPECT_EQ(dicts[0], dicts[1]);
  EXPECT_EQ(dicts[0], dicts[2]);
  auto idx = OpenIndex();
  ASSERT_EQ(idx->NumDocs(), docs.size());
  for (size_t i = 0; i < docs.size(); i += 97) {
    Conversation got;
    ASSERT_TRUE(idx->Get(docs[i].conversation[0].turn_identifier, &got).ok());
    EXPECT_EQ(got.conversation[1].content, docs[i].conversation[1].content);
  }
  EXPECT_EQ(Ids(*idx, "uniquetoken"), S({4322}));
  EXPECT_EQ(Ids(*idx, "/uniquetoken/"), S({4322}));
}

// --plain-text: the store keeps no vocabulary, and the index reads and
// answers as a coded one does.
TEST_F(IndexTest, PlainTextBuildsAnswerAsCodedOnes) {
  const std::string kWords[] = {"climate", "python", "function", "recipe", "story",
                                "数据",    "über",   "the",      "a",      "write"};
  std::vector<Conversation> docs;
  std::mt19937 rng(3);
  for (int i = 0; i < 600; ++i) {
    std::string user = "please", assistant;
    for (int k = 0; k < 30; ++k) {
      user += " " + kWords[rng() % 10];
      assistant += kWords[rng() % 10] + std::to_string(rng() % 50) + (k % 7 ? " " : ".\n");
    }
    docs.push_back(Make(i + 1, {{user, assistant}}));
  }
  const std::string plain_dir = dir_ + "_plain";
  IndexBuildOptions o;
  o.segment_docs = 250;
  IndexBuildStats stats;
  ASSERT_TRUE(BuildIndexFromRecords(dir_, docs, o, &stats).ok());
  o.plain_text = true;
  ASSERT_TRUE(BuildIndexFromRecords(plain_dir, docs, o, &stats).ok());
  uint64_t coded_bytes = 0, plain_bytes = 0;
  for (const auto& [d, bytes] : {std::pair{dir_, &coded_bytes}, {plain_dir, &plain_bytes}}) {
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.path().filename().string().rfind("seg-", 0) != 0) continue;
      std::unique_ptr<MappedSegmentFile> f;
      ASSERT_TRUE(MappedSegmentFile::Open(e.path().string(), &f).ok());
      std::string_view vocab, blocks;
      ASSERT_TRUE(f->Section("store.vocab", &vocab).ok());
      ASSERT_TRUE(f->Section("store.blocks", &blocks).ok());
      EXPECT_EQ(vocab.empty(), d == plain_dir);
      *bytes += blocks.size();
    }
  }
  EXPECT_LT(coded_bytes, plain_bytes);
  auto coded = OpenIndex();
  std::unique_ptr<Index> plain;
  ASSERT_TRUE(Index::Open(plain_dir, &plain).ok());
  for (size_t i = 0; i < docs.size(); i += 37) {
    Conversation a, b;
    ASSERT_TRUE(coded->Get(docs[i].conversation[0].turn_identifier, &a).ok());
    ASSERT_TRUE(plain->Get(docs[i].conversation[0].turn_identifier, &b).ok());
    EXPECT_EQ(a, docs[i]);
    EXPECT_EQ(b, docs[i]);
  }
  for (const std::string& q :
       {std::string("please"), "\"please " + kWords[1] + "\"", std::string("/[0-9]{2}\\./"),
        std::string("user:(please) 数据"), std::string("über -python")}) {
    EXPECT_EQ(Ids(*coded, q), Ids(*plain, q)) << q;
  }
  fs::remove_all(plain_dir);
}

// Long conversations, their texts stored in chunks (text_chunks.h): a regex
// whose candidate positions lie in later utterances is verified from there,
// and finds exactly what a plain scan finds over each utterance in scope —
// dates early, late, in user or assistant utterances, and near misses the
// token index cannot tell apart ("2023 05 17", "2023-05-1x").
TEST_F(IndexTest, RegexesFindMatchesInLaterChunksOfLongConversations) {
  // The oracle: whether text holds `shape` at some offset, '#' standing for
  // any ASCII digit and every other character for itself.
  auto holds = [](const std::string& text, const std::string& shape) {
    for (size_t at = 0; at + shape.size() <= text.size(); ++at) {
      size_t k = 0;
      while (k < shape.size() && (shape[k] == '#' ? text[at + k] >= '0' && text[at + k] <= '9'
                                                  : text[at + k] == shape[k])) {
        ++k;
      }
      if (k == shape.size()) return true;
    }
    return false;
  };
  const std::string kWords[] = {"climate", "python", "function", "recipe", "story",
                                "数据",    "über",   "the",      "a",      "2023"};
  const std::string kDates[] = {"2023-05-17", "2023 05 17",   "1999-12-31",
                                "2023-05-1x", "12023-05-170", "09-05-2023"};
  std::mt19937 rng(8);
  std::vector<Conversation> docs;
  for (int i = 0; i < 400; ++i) {
    std::vector<Turn> turns(2 + i % 4);
    for (Turn& t : turns) {
      for (std::string* u : {&t.user, &t.assistant}) {
        const int words = 20 + static_cast<int>(rng() % 300);
        for (int k = 0; k < words; ++k) *u += kWords[rng() % 10] + (k % 9 ? " " : ".\n");
      }
    }
    // A date-like string in one or two utterances, anywhere.
    for (int k = 0; k < 1 + i % 2; ++k) {
      Turn& t = turns[rng() % turns.size()];
      std::string& u = rng() % 2 ? t.user : t.assistant;
      const size_t space = u.find(' ', rng() % u.size());  // between words
      u.insert(space == std::string::npos ? 0 : space, " " + kDates[rng() % 6] + " ");
    }
    docs.push_back(Make(i + 1, turns));
  }
  struct Case {
    std::string query, shape;
    int role;  // -1 any, else the index of the role in each turn (0 user, 1 assistant)
  };
  const Case kCases[] = {{"/[0-9]{4}-[0-9]{2}-[0-9]{2}/", "####-##-##", -1},
                         {"user:(/[0-9]{4}-[0-9]{2}-[0-9]{2}/)", "####-##-##", 0},
                         {"assistant:(/2023-05-1[0-9]/)", "2023-05-1#", 1},
                         {"/[0-9]{2}-[0-9]{2}-[0-9]{4}/", "##-##-####", -1}};
  IndexBuildOptions o;
  IndexBuildStats stats;
  ASSERT_TRUE(BuildIndexFromRecords(dir_, docs, o, &stats).ok());
  const std::string plain_dir = dir_ + "_plain";
  o.plain_text = true;
  ASSERT_TRUE(BuildIndexFromRecords(plain_dir, docs, o, &stats).ok());
  std::unique_ptr<Index> plain;
  ASSERT_TRUE(Index::Open(plain_dir, &plain).ok());
  auto coded = OpenIndex();
  for (const Case& c : kCases) {
    S expected;
    size_t late = 0;  // matches only past the conversation's first 4 KB
    for (const Conversation& d : docs) {
      uint64_t at = 0, first = UINT64_MAX;
      for (size_t u = 0; u < d.conversation.size(); ++u) {
        const std::string& text = d.conversation[u].content;
        if ((c.role < 0 || static_cast<int>(u % 2) == c.role) && holds(text, c.shape)) {
          first = std::min(first, at);
        }
        at += text.size();
      }
      if (first == UINT64_MAX) continue;
      expected.insert(d.conversation[0].turn_identifier);
      late += first > 4096;
    }
    EXPECT_GT(expected.size(), 20u) << c.query;
    EXPECT_GT(late, 10u) << c.query;
    EXPECT_EQ(Ids(*coded, c.query), expected) << c.query;
    EXPECT_EQ(Ids(*plain, c.query), expected) << c.query;
  }
  fs::remove_all(plain_dir);
}

TEST_F(IndexTest, InterruptedBuildLeavesPreviousIndexReadable) {
  Build(Corpus());
  // A half-written segment and manifest from a killed build.
  std::ofstream(dir_ + "/tmp-1") << "partial";
  std::ofstream(dir_ + "/MANIFEST.tmp") << "wildchat-index 1\nsegment seg-x";
  auto idx = OpenIndex();
  EXPECT_EQ(idx->NumDocs(), 7u);
  EXPECT_EQ(Ids(*idx, "climate"), (S{1, 2}));
  // A failing build (unreadable input) keeps the old index.
  IndexBuildOptions o;
  IndexBuildStats stats;
  EXPECT_FALSE(BuildIndex(dir_, {dir_ + "/missing.jsonl"}, o, &stats).ok());
  auto again = OpenIndex();
  EXPECT_EQ(again->NumDocs(), 7u);
}

TEST_F(IndexTest, CorruptedFilesGiveCorruptionNotCrashes) {
  Build(Corpus());
  std::string seg;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().rfind("seg-", 0) == 0) seg = e.path();
  }
  ASSERT_FALSE(seg.empty());
  std::ifstream in(seg, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 rng(3);
  int opened = 0, rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bytes = original;
    if (i % 5 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      for (int k = 0; k < 1 + i % 7; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    {
      std::ofstream out(seg, std::ios::binary | std::ios::trunc);
      out << bytes;
    }
    // Keep the manifest's size check from hiding deeper validation.
    std::ofstream(dir_ + "/MANIFEST")
        << "wildchat-index 1\nsegment " << fs::path(seg).filename().string() << " 7 "
        << bytes.size() << "\nend\n";
    std::unique_ptr<Index> idx;
    const Status st = Index::Open(dir_, &idx);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
      ++rejected;
      continue;
    }
    ++opened;
    SearchRequest r;
    r.facets = {"model", "month", "turns"};
    SearchResult res;
    for (const char* q :
         {"climate", "\"climate change\"", "user:transform*", "/a/", "model:gpt*"}) {
      r.query = q;
      const Status qs = idx->Search(r, &res);
      EXPECT_TRUE(qs.ok() || qs.code() == Status::Code::kCorruption) << qs.ToString();
    }
    Conversation c;
    idx->Get(1, &c);
  }
  EXPECT_GT(rejected, 10);
  std::ofstream(dir_ + "/MANIFEST") << "garbage";
  std::unique_ptr<Index> idx;
  EXPECT_EQ(Index::Open(dir_, &idx).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace wildchat
