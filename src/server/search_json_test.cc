// JSON rendering of engine results: exact field names, nulls, escaping.
#include "server/search_json.h"

#include <gtest/gtest.h>

#include "model/timestamp.h"

namespace wildchat {
namespace {

TEST(SearchJsonTest, RendersHitsAndFacets) {
  SearchResult r;
  r.total = 12345;
  r.took_ms = 1.5;
  Hit h;
  h.id = 42;
  h.conversation_hash = "c3a1";
  h.model = "gpt-4-0314";
  h.timestamp = ParseIso8601("2023-05-01T10:00:00Z");
  h.language = "English";
  h.country = std::nullopt;
  h.state = "Île-de-France";
  h.hashed_ip = "ab12";
  h.turn = 3;
  h.toxic = true;
  h.redacted = false;
  h.score = 2.5;
  h.snippets.push_back({2, "user", "a &lt;b&gt; <mark>term</mark> \"q\""});
  r.hits.push_back(h);
  r.facets.push_back({"language", {{"English", 10}, {"Chinese", 2}}});
  r.facets.push_back({"toxic", {}});
  std::string out;
  AppendSearchResultJson(&out, r);
  EXPECT_EQ(out,
            R"({"total":12345,"took_ms":1.5,"hits":[{"id":42,"conversation_hash":"c3a1",)"
            R"("model":"gpt-4-0314","timestamp":"2023-05-01T10:00:00.000000+00:00",)"
            R"("language":"English","country":null,"state":"Île-de-France","hashed_ip":"ab12",)"
            R"("turn":3,"toxic":true,"redacted":false,"score":2.5,"snippets":[{"turn":2,)"
            R"("role":"user","text":"a &lt;b&gt; <mark>term</mark> \"q\""}]}],)"
            R"("facets":{"language":[["English",10],["Chinese",2]],"toxic":[]}})");
}

TEST(SearchJsonTest, EmptyResultAndNullTimestamp) {
  SearchResult r;
  std::string out;
  AppendSearchResultJson(&out, r);
  EXPECT_EQ(out, R"({"total":0,"took_ms":0.0,"hits":[],"facets":{}})");
  Hit h;
  out.clear();
  AppendHitJson(&out, h);
  EXPECT_NE(out.find(R"("timestamp":null)"), std::string::npos);
  EXPECT_NE(out.find(R"("language":null)"), std::string::npos);
}

TEST(SearchJsonTest, StatsHaveEveryModerationCategory) {
  StatsResult s;
  s.total = 10;
  s.utterances = 25;
  s.category_rates[0] = 0.5;
  s.flagged_rate = 0.25;
  s.facets.push_back({"month", {{"2023-05", 10}}});
  std::string out;
  AppendStatsResultJson(&out, s, 3.0);
  EXPECT_NE(out.find(R"("total":10,"utterances":25,"took_ms":3.0)"), std::string::npos);
  EXPECT_NE(out.find(R"("facets":{"month":[["2023-05",10]]})"), std::string::npos);
  EXPECT_NE(out.find(R"("flagged_rate":0.25)"), std::string::npos);
  EXPECT_NE(out.find(R"("harassment":0.5)"), std::string::npos);
  for (auto name : kModerationCategories) {
    EXPECT_NE(out.find("\"" + std::string(name) + "\":"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace wildchat
