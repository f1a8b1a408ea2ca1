// The reference evaluator against hand-checked answers on a tiny corpus, so
// that the oracle the engine is held to is itself right. One table row per
// query: the expected conversation ids, or an expected query error.
#include "engine/testing/reference_search.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/testing/query_generator.h"
#include "engine/testing/test_corpus.h"
#include "model/timestamp.h"

namespace wildchat::reference {
namespace {

Utterance Utt(const std::string& role, const std::string& content, int64_t id) {
  Utterance u;
  u.role = role;
  u.content = content;
  u.turn_identifier = id;
  return u;
}

OpenAiModeration Scores(double harassment) {
  OpenAiModeration m;
  m.categories_null = m.scores_null = false;
  m.category_scores.fill(0.0);
  m.category_scores[ModerationCategoryIndex("harassment")] = harassment;
  m.flagged = ToTriBool(harassment > 0.5);
  return m;
}

DetoxifyModeration Detox(double toxicity) {
  DetoxifyModeration d;
  d.scores.fill(0.0);
  d.scores[kDetoxifyToxicity] = toxicity;
  return d;
}

Conversation Conv(std::vector<Utterance> utts, const std::string& model,
                  std::optional<std::string> language, std::optional<std::string> time) {
  Conversation c;
  c.conversation = std::move(utts);
  c.model = model;
  c.language = std::move(language);
  if (time) c.timestamp = ParseIso8601(*time);
  c.turn = 1;
  c.toxic = TriBool::kFalse;
  c.redacted = TriBool::kFalse;
  c.conversation_hash = "0123456789abcdef0123456789abcdef";
  for (size_t i = 0; i < c.conversation.size(); ++i) {
    c.openai_moderation.push_back(Scores(0));
    c.detoxify_moderation.push_back(Detox(0));
  }
  return c;
}

std::vector<Conversation> TinyCorpus() {
  std::vector<Conversation> r;
  r.push_back(Conv({Utt("user", "Write a poem about climate change.", 100),
                    Utt("assistant", "As an AI, I can write poems. Climate is changing.", 100)},
                   "gpt-4-0314", "English", "2023-05-10T12:00:00Z"));
  r.back().country = "United States";
  r.back().state = "California";
  r.back().openai_moderation[0] = Scores(0.7);
  r.back().detoxify_moderation[0] = Detox(0.05);
  r.back().hashed_ip = "abcdef";
  r.push_back(
      Conv({Utt("user", "你好，北京大学在哪里？", 200), Utt("assistant", "北京大学在北京。", 200)},
           "gpt-3.5-turbo-0613", "Chinese", "2023-06-30T23:59:59.999999Z"));
  r.back().country = "China";
  r.back().state = "Beijing";
  r.push_back(Conv({Utt("user", "python code please", 300),
                    Utt("assistant", "def foo(x): return x", 300), Utt("user", "and rust?", 301),
                    Utt("assistant", "fn main() {} sk-abcdefghijklmnopqrstuvwx", 301)},
                   "gpt-4-1106-preview", "English", "2024-01-01T00:00:00Z"));
  r.back().turn = 2;
  r.back().toxic = TriBool::kNull;
  r.back().conversation_hash = "ffffffffffffffffffffffffffffffff";
  r.push_back(Conv({Utt("assistant", "Hello! How can I help?", 400),
                    Utt("user", "Straße e-mail ΣΟΦΊΑΣ コーヒー", 400)},
                   "gpt-3.5-turbo-0301", "German", std::nullopt));
  r.back().country = "Côte d'Ivoire";
  r.push_back(Conv({Utt("user", "", 500), Utt("assistant", "hello world", 500)},
                   "gpt-3.5-turbo-0613", "English", "2023-05-10T12:00:00Z"));
  r.back().openai_moderation[0] = OpenAiModeration();
  r.back().detoxify_moderation[0] = DetoxifyModeration();
  r.back().toxic = TriBool::kTrue;
  return r;
}

std::set<int64_t> Ids(const ReferenceSearch& ref, const std::string& q, bool* error) {
  std::vector<uint32_t> rows;
  Status st = ref.Match(q, &rows);
  *error = !st.ok();
  std::set<int64_t> ids;
  for (uint32_t row : rows) ids.insert(ref.records()[row].id());
  return ids;
}

struct Case {
  std::string query;
  std::set<int64_t> ids;
  bool error = false;
};

const std::set<int64_t> kAll = {100, 200, 300, 400, 500};

TEST(ReferenceSearchTest, TableOfQueries) {
  std::vector<Conversation> records = TinyCorpus();
  ReferenceSearch ref(&records);
  const Case kCases[] = {
      {"", kAll},
      {"   ", kAll},
      {"climate change", {100}},
      {"\"climate change\"", {100}},
      {"\"change climate\"", {}},
      {"\"poems climate\"", {100}},  // punctuation between, same utterance
      {"\"change as\"", {}},         // would span two utterances
      {"python OR rust", {300}},
      {"python rust", {300}},
      {"python AND rust", {300}},
      {"python AND hello", {}},
      {"hello -world", {400}},
      {"hello NOT world", {400}},
      {"NOT hello", {100, 200, 300}},
      {"-hello -python", {100, 200}},
      {"hello OR python climate", {}},
      {"climate hello OR python", {}},
      {"climate OR python code", {300}},
      {"(climate OR python) -code", {100}},
      {"chang*", {100}},
      {"CHANG*", {100}},
      {"c*", {}, true},
      {"e-mail*", {}, true},
      {"北京", {200}},
      {"北京大学", {200}},
      {"京北", {}},
      {"在", {200}},
      {"ー", {400}},
      {"straße", {400}},
      {"STRASSE", {}},
      {"σοφίας", {400}},
      {"e-mail", {400}},
      {"email", {}},
      {"\"e mail\"", {400}},
      {"\"E.MAIL\"", {400}},
      {"!!!", {}, true},
      {"and", {300}},
      {"user:hello", {}},
      {"assistant:hello", {400, 500}},
      {"first:straße", {400}},
      {"first:hello", {}},
      {"first:python", {300}},
      {"first:rust", {}},
      {"user:rust", {300}},
      {"user:(python rust)", {300}},
      {"first:(python rust)", {}},
      {"user:(assistant:(code))", {}},
      {"user:(model:gpt-4* hello)", {}},
      {"assistant:(model:gpt-4* poems)", {100}},
      {"/sk-[a-z]{20,}/", {300}},
      {"user:/sk-/", {}},
      {"/^Hello/", {400}},
      {"/(?i)^hello/", {400, 500}},
      {"/foo\\(x\\)/", {300}},
      {"/fn main\\(\\) \\{\\}/", {300}},
      {"/(/", {}, true},
      {"/abc", {}, true},
      {"model:gpt-4*", {100, 300}},
      {"model:GPT-4-0314", {100}},
      {"model:gpt-4", {}},
      {"language:english", {100, 300, 500}},
      {"language:Eng*", {100, 300, 500}},
      {"country:\"united states\"", {100}},
      {"country:\"CÔTE D'IVOIRE\"", {}},
      {"country:\"côte d'ivoire\"", {400}},
      {"state:Beijing", {200}},
      {"ip:ABCDEF", {100}},
      {"hash:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", {300}},
      {"id:301", {300}},
      {"id:999", {}},
      {"id:x", {}, true},
      {"toxic:false", {100, 200, 300, 400}},
      {"toxic:true", {500}},
      {"toxic:maybe", {}, true},
      {"flagged:true", {100}},
      {"flagged:false", {200, 300, 400, 500}},
      {"turns:2", {300}},
      {"turns:=2", {300}},
      {"turns:>1", {300}},
      {"turns:>=1", kAll},
      {"turns:<2", {100, 200, 400, 500}},
      {"turns:<=1", {100, 200, 400, 500}},
      {"turns:2..5", {300}},
      {"turns:x", {}, true},
      {"date:2023-06", {200}},
      {"date:2023-06-30", {200}},
      {"date:<2023-07", {100, 200, 500}},
      {"date:>2023-06-30", {300}},
      {"date:>2023-06", {300}},
      {"date:<=2023-06", {100, 200, 500}},
      {"date:<2023-05-10", {}},
      {"date:2024", {300}},
      {"date:>=2024-01-01", {300}},
      {"date:2023..2023", {100, 200, 500}},
      {"date:2023-05-10..2023-06-30", {100, 200, 500}},
      {"date:2023-02-30", {}, true},
      {"date:2023-13", {}, true},
      {"mod.harassment>0.5", {100}},
      {"mod.harassment>=0.7", {100}},
      {"mod.harassment<0.01", {200, 300, 400, 500}},
      {"mod.self-harm/intent>=0", kAll},
      {"mod.nope>1", {}, true},
      {"mod.harassment", {}, true},
      {"detox.toxicity>0.04", {100}},
      {"detox.rudeness>0.04", {}, true},
      {"foo:bar", {}, true},
      {"Model:gpt-4", {}, true},
      {"(climate", {}, true},
      {"climate)", {}, true},
      {"climate OR", {}, true},
      {"OR climate", {}, true},
      {"climate AND", {}, true},
      {"NOT", {}, true},
      {"\"abc", {}, true},
      {"user:", {}, true},
  };
  for (const Case& c : kCases) {
    bool error = false;
    std::set<int64_t> got = Ids(ref, c.query, &error);
    EXPECT_EQ(error, c.error) << "query: " << c.query;
    if (!c.error) {
      EXPECT_EQ(got, c.ids) << "query: " << c.query;
    }
  }
}

TEST(ReferenceSearchTest, ErrorsNameTheCharacterPosition) {
  std::vector<Conversation> records = TinyCorpus();
  ReferenceSearch ref(&records);
  std::vector<uint32_t> rows;
  Status st = ref.Match("climate (change", &rows);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "query error at 15: expected ')'");
  st = ref.Match("北京 foo:bar", &rows);
  EXPECT_EQ(st.message(), "query error at 3: unknown field 'foo'");
}

TEST(ReferenceSearchTest, TokenizerSplitsScriptsAndFolds) {
  std::vector<std::string> got;
  for (const Token& t : Tokenize("Hello, WORLD! 北京大学 3.14 e-mail naïve ΣΟΦΊΑΣ x86_64 😀ok"))
    got.push_back(t.folded);
  std::vector<std::string> want = {"hello", "world", "北",    "京",     "大",  "学", "3", "14",
                                   "e",     "mail",  "naïve", "σοφίασ", "x86", "64", "ok"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(FoldCase("STRASSE Straße İ"), "strasse straße İ");  // simple folding only
}

TEST(ReferenceSearchTest, SortsFacetsAndPages) {
  std::vector<Conversation> records = TinyCorpus();
  ReferenceSearch ref(&records);
  SearchRequest req;
  req.sort = SortOrder::kNewest;
  req.limit = 10;
  req.facets = AllFacetFields();
  SearchResult res;
  ASSERT_TRUE(ref.Search(req, &res).ok());
  std::vector<int64_t> order;
  for (const Hit& h : res.hits) order.push_back(h.id);
  EXPECT_EQ(order, (std::vector<int64_t>{300, 200, 100, 500, 400}));  // tie by id, null last
  req.sort = SortOrder::kOldest;
  req.offset = 1;
  req.limit = 2;
  ASSERT_TRUE(ref.Search(req, &res).ok());
  order.clear();
  for (const Hit& h : res.hits) order.push_back(h.id);
  EXPECT_EQ(order, (std::vector<int64_t>{500, 200}));
  EXPECT_EQ(res.total, 5u);
  ASSERT_EQ(res.facets.size(), 8u);
  EXPECT_EQ(res.facets[1].second, (FacetCounts{{"English", 3}, {"Chinese", 1}, {"German", 1}}));
  EXPECT_EQ(res.facets[3].second, (FacetCounts{{"Beijing", 1}, {"California", 1}}));
  EXPECT_EQ(res.facets[4].second, (FacetCounts{{"false", 4}, {"true", 1}}));  // null is false
  EXPECT_EQ(res.facets[6].second, (FacetCounts{{"1", 4}, {"2", 1}}));
  EXPECT_EQ(res.facets[7].second, (FacetCounts{{"2023-05", 2}, {"2023-06", 1}, {"2024-01", 1}}));
  req.query = "hello";
  req.sort = SortOrder::kRelevance;
  EXPECT_EQ(ref.Search(req, &res).code(), Status::Code::kUnsupported);
}

TEST(ReferenceSearchTest, GeneratedQueriesAreDeterministicAndMostlyValid) {
  std::vector<Conversation> records = MakeTestCorpus(300, 7);
  ASSERT_EQ(records, MakeTestCorpus(300, 7));
  ReferenceSearch ref(&records);
  QueryGenerator a(&records, 1), b(&records, 1);
  int errors = 0, nonempty = 0;
  for (int i = 0; i < 300; ++i) {
    GeneratedQuery q = a.Next();
    ASSERT_EQ(q.text, b.Next().text);
    std::vector<uint32_t> rows;
    Status st = ref.Match(q.text, &rows);
    if (q.kind == "malformed") {
      EXPECT_FALSE(st.ok()) << q.text;
    }
    errors += !st.ok();
    nonempty += !rows.empty();
  }
  EXPECT_LT(errors, 60);
  EXPECT_GT(nonempty, 100);
  for (const GeneratedQuery& q : QueryGenerator::EdgeCases()) {
    std::vector<uint32_t> rows;
    EXPECT_EQ(ref.Match(q.text, &rows).ok(), q.kind == "edge") << q.text;
  }
}

}  // namespace
}  // namespace wildchat::reference
