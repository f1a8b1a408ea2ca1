#include "server/search_json.h"

#include "io/json_writer.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

void OptionalString(JsonWriter& w, const char* key, const std::optional<std::string>& v) {
  w.Key(key);
  if (v) {
    w.String(*v);
  } else {
    w.Null();
  }
}

void WriteFacetCounts(JsonWriter& w, const FacetCounts& counts) {
  w.BeginArray();
  for (const auto& [value, count] : counts) {
    w.BeginArray().String(value).UInt(count).EndArray();
  }
  w.EndArray();
}

void WriteHit(JsonWriter& w, const Hit& hit) {
  w.BeginObject();
  w.Key("id").Int(hit.id);
  w.Key("conversation_hash").String(hit.conversation_hash);
  w.Key("model").String(hit.model);
  w.Key("timestamp");
  if (hit.timestamp) {
    w.String(FormatIso8601(*hit.timestamp));
  } else {
    w.Null();
  }
  OptionalString(w, "language", hit.language);
  OptionalString(w, "country", hit.country);
  OptionalString(w, "state", hit.state);
  OptionalString(w, "hashed_ip", hit.hashed_ip);
  w.Key("turn").Int(hit.turn);
  w.Key("toxic").Bool(hit.toxic);
  w.Key("redacted").Bool(hit.redacted);
  w.Key("score").Double(hit.score);
  w.Key("snippets").BeginArray();
  for (const Snippet& s : hit.snippets) {
    w.BeginObject();
    w.Key("turn").Int(s.turn);
    w.Key("role").String(s.role);
    w.Key("text").String(s.text);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteFacets(JsonWriter& w, const std::vector<std::pair<std::string, FacetCounts>>& facets) {
  w.BeginObject();
  for (const auto& [field, counts] : facets) {
    w.Key(field);
    WriteFacetCounts(w, counts);
  }
  w.EndObject();
}

}  // namespace

void AppendHitJson(std::string* out, const Hit& hit) {
  JsonWriter w(out);
  WriteHit(w, hit);
}

void AppendFacetsJson(std::string* out,
                      const std::vector<std::pair<std::string, FacetCounts>>& facets) {
  JsonWriter w(out);
  WriteFacets(w, facets);
}

void AppendSearchResultJson(std::string* out, const SearchResult& result) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("total").UInt(result.total);
  w.Key("took_ms").Double(result.took_ms);
  w.Key("hits").BeginArray();
  for (const Hit& hit : result.hits) WriteHit(w, hit);
  w.EndArray();
  w.Key("facets");
  WriteFacets(w, result.facets);
  w.EndObject();
}

void AppendStatsResultJson(std::string* out, const StatsResult& stats, double took_ms) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("total").UInt(stats.total);
  w.Key("utterances").UInt(stats.utterances);
  w.Key("took_ms").Double(took_ms);
  w.Key("facets");
  WriteFacets(w, stats.facets);
  w.Key("moderation").BeginObject();
  w.Key("flagged_rate").Double(stats.flagged_rate);
  w.Key("categories").BeginObject();
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    w.Key(kModerationCategories[i]).Double(stats.category_rates[i]);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

}  // namespace wildchat
