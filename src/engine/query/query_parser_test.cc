#include "engine/query/query_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace wildchat {
namespace {

using Kind = QueryNode::Kind;

std::unique_ptr<QueryNode> MustParse(const std::string& q) {
  std::unique_ptr<QueryNode> n;
  const Status st = ParseQuery(q, &n);
  EXPECT_TRUE(st.ok()) << q << ": " << st.ToString();
  return n;
}

// "query error at N: ..." — returns N, or -1 when the query parsed.
int ErrorPosition(const std::string& q) {
  std::unique_ptr<QueryNode> n;
  const Status st = ParseQuery(q, &n);
  if (st.ok()) return -1;
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  const std::string prefix = "query error at ";
  EXPECT_EQ(st.message().rfind(prefix, 0), 0u) << st.message();
  return std::atoi(st.message().c_str() + prefix.size());
}

TEST(QueryParserTest, OrBindsTighterThanAnd) {
  auto n = MustParse("a b OR c");
  ASSERT_EQ(n->kind, Kind::kAnd);
  ASSERT_EQ(n->children.size(), 2u);
  EXPECT_EQ(n->children[0]->kind, Kind::kTerm);
  EXPECT_EQ(n->children[1]->kind, Kind::kOr);
}

TEST(QueryParserTest, NotAndMinusNegate) {
  auto n = MustParse("essay -homework NOT test");
  ASSERT_EQ(n->kind, Kind::kAnd);
  EXPECT_EQ(n->children[1]->kind, Kind::kNot);
  EXPECT_EQ(n->children[2]->kind, Kind::kNot);
  EXPECT_EQ(n->children[2]->children[0]->tokens[0], "test");
}

TEST(QueryParserTest, LowerCaseOperatorsAreWords) {
  auto n = MustParse("cats and dogs");
  ASSERT_EQ(n->kind, Kind::kAnd);
  EXPECT_EQ(n->children.size(), 3u);
}

TEST(QueryParserTest, WordWithSeveralTokensIsAPhrase) {
  auto n = MustParse("e-mail");
  EXPECT_EQ(n->kind, Kind::kPhrase);
  EXPECT_EQ(n->tokens, (std::vector<std::string>{"e", "mail"}));
  EXPECT_EQ(MustParse("北京")->kind, Kind::kPhrase);
  EXPECT_EQ(MustParse("\"Climate  Change\"")->tokens,
            (std::vector<std::string>{"climate", "change"}));
}

TEST(QueryParserTest, ScopesApplyToTextOnly) {
  auto n = MustParse("user:(write model:gpt-4)");
  ASSERT_EQ(n->kind, Kind::kAnd);
  EXPECT_EQ(n->children[0]->scope.roles, 1);
  EXPECT_TRUE(n->children[1]->scope.all());
  auto f = MustParse("assistant:first:hello");
  EXPECT_EQ(f->scope.roles, 0);
}

TEST(QueryParserTest, Filters) {
  auto d = MustParse("date:2023-05");
  EXPECT_EQ(d->kind, Kind::kDate);
  EXPECT_EQ(d->int_hi - d->int_lo, 31LL * 86400 * 1000000);
  auto t = MustParse("turns:2..5");
  EXPECT_EQ(t->int_lo, 2);
  EXPECT_EQ(t->int_hi, 5);
  auto g = MustParse("turns:>3");
  EXPECT_EQ(g->int_lo, 4);
  auto m = MustParse("mod.self-harm/intent>=0.2");
  EXPECT_EQ(m->kind, Kind::kScore);
  EXPECT_EQ(m->op, CompareOp::kGe);
  EXPECT_DOUBLE_EQ(m->number, 0.2);
  auto c = MustParse("country:\"United States\"");
  EXPECT_EQ(c->value, "united states");
  auto p = MustParse("model:gpt-4*");
  EXPECT_TRUE(p->value_prefix);
  EXPECT_EQ(p->value, "gpt-4");
  EXPECT_EQ(MustParse("detox.toxicity>0.1")->column, kModerationCategoryCount + 6);
  EXPECT_EQ(MustParse("")->kind, Kind::kAll);
  EXPECT_EQ(MustParse("   ")->kind, Kind::kAll);
}

TEST(QueryParserTest, RegexKeepsEscapes) {
  auto r = MustParse("/a\\/b\\d+/");
  ASSERT_EQ(r->kind, Kind::kRegex);
  EXPECT_EQ(ErrorPosition("x /a(/"), 2);
}

TEST(QueryParserTest, ErrorsPointAtTheProblem) {
  EXPECT_EQ(ErrorPosition("(climate change"), 15);
  EXPECT_EQ(ErrorPosition("a )"), 2);
  EXPECT_EQ(ErrorPosition("foo:bar"), 0);
  EXPECT_EQ(ErrorPosition("x \"open"), 2);
  EXPECT_EQ(ErrorPosition("!!!"), 0);
  EXPECT_EQ(ErrorPosition("a OR"), 2);
  EXPECT_EQ(ErrorPosition("NOT"), 0);
  EXPECT_EQ(ErrorPosition("turns:abc"), 6);
  EXPECT_EQ(ErrorPosition("date:2023-13"), 5);
  EXPECT_EQ(ErrorPosition("date:2023-02-30"), 5);
  EXPECT_EQ(ErrorPosition("mod.nope>1"), 0);
  EXPECT_EQ(ErrorPosition("a*"), 0);
  EXPECT_EQ(ErrorPosition("toxic:maybe"), 6);
  EXPECT_EQ(ErrorPosition("()"), 1);
  EXPECT_EQ(ErrorPosition("北京 )"), 3);  // characters, not bytes
  EXPECT_EQ(ErrorPosition("user: x"), 5);
  EXPECT_EQ(ErrorPosition(std::string(500, '(') + "a" + std::string(500, ')')), 100);
}

TEST(QueryParserTest, RandomAndMutatedInputNeverCrash) {
  const std::vector<std::string> seeds = {"climate change",
                                          "\"as an AI\"",
                                          "(python OR rust) NOT java",
                                          "transform*",
                                          "/sk-[A-Za-z0-9]{20,}/",
                                          "user:(write a poem)",
                                          "model:gpt-4 language:Chinese",
                                          "turns:2..5 date:2023-05-01..2023-06-30",
                                          "mod.harassment>0.5",
                                          "-x NOT (y OR z)"};
  const std::string alphabet = "ab \"()/\\:*-.<>=OR AND NOT user:model:date:turns:mod.0123北\xff";
  std::mt19937 rng(12345);
  int ok = 0, errors = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string q;
    if (i % 2 == 0) {
      q = seeds[rng() % seeds.size()];
      for (int k = 0, n = 1 + rng() % 4; k < n; ++k) {
        const size_t at = q.empty() ? 0 : rng() % q.size();
        switch (rng() % 3) {
          case 0:
            q.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;
          case 1:
            if (!q.empty()) q.erase(at, 1);
            break;
          default:
            if (!q.empty()) q[at] = static_cast<char>(rng());
            break;
        }
      }
    } else {
      for (int k = 0, n = rng() % 30; k < n; ++k) q.push_back(alphabet[rng() % alphabet.size()]);
    }
    std::unique_ptr<QueryNode> n;
    const Status st = ParseQuery(q, &n);
    if (st.ok()) {
      ASSERT_NE(n, nullptr);
      ++ok;
    } else {
      ASSERT_EQ(st.code(), Status::Code::kInvalidArgument) << q;
      ASSERT_EQ(st.message().rfind("query error at ", 0), 0u) << st.message();
      ++errors;
    }
  }
  EXPECT_GT(ok, 100);
  EXPECT_GT(errors, 100);
}

}  // namespace
}  // namespace wildchat
