// Index: a read-only, thread-safe view of a wildchat search index directory
// (built by IndexBuilder, engine/index_builder.h). This is the engine's public
// surface; the CLI (search/get/export), the HTTP server and the map use only it.
//
// Open() maps the committed segments; it is cheap (no full read) and the
// returned Index may be shared by any number of threads. Every query method
// returns kInvalidArgument for a malformed query, with the message naming the
// character position ("query error at 14: expected ')'"), and never crashes on
// hostile input. Totals and facet counts are exact over all matches.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

enum class SortOrder { kRelevance, kNewest, kOldest, kRandom };
// "relevance" | "newest" | "oldest" | "random"; false for anything else.
bool ParseSortOrder(const std::string& text, SortOrder* out);

struct SearchRequest {
  std::string query;  // docs/query.md; empty matches everything
  int64_t limit = 30;
  int64_t offset = 0;
  SortOrder sort = SortOrder::kRelevance;
  uint64_t seed = 0;  // kRandom: same seed, same order
  // Facet fields: model, language, country, state, toxic, redacted, turns, month.
  std::vector<std::string> facets;
  bool snippets = true;
  // When set, only these documents (ascending dense doc numbers, as
  // MatchingDocs returns them) can match — e.g. an area selected on the map.
  // Totals, pages and facets are computed within them.
  std::shared_ptr<const std::vector<uint32_t>> within;
};

// One fragment of a matching utterance. `text` is HTML-escaped (& < > " ')
// with each match wrapped in <mark>…</mark>; nothing else is markup.
struct Snippet {
  int turn = 0;  // utterance index in the conversation
  std::string role;
  std::string text;
};

// Where a query's text terms match in one utterance: [begin, end) byte ranges
// of its content, ascending and non-overlapping.
struct UtteranceSpans {
  int turn = 0;  // utterance index in the conversation
  std::vector<std::pair<size_t, size_t>> spans;
};

struct Hit {
  int64_t id = 0;  // first turn_identifier
  std::string conversation_hash;
  std::string model;
  std::optional<TimestampMicros> timestamp;
  std::optional<std::string> language, country, state, hashed_ip;
  int64_t turn = 0;
  bool toxic = false;
  bool redacted = false;
  double score = 0;
  // Matching fragments; when the query has no text part, the opening of the
  // first user utterance.
  std::vector<Snippet> snippets;
};

using FacetCounts = std::vector<std::pair<std::string, uint64_t>>;  // count desc, then value

struct SearchResult {
  uint64_t total = 0;  // exact
  double took_ms = 0;
  std::vector<Hit> hits;
  std::vector<std::pair<std::string, FacetCounts>> facets;  // in request order
};

// Aggregates for a matching set (the dashboard and /api/stats).
struct StatsResult {
  uint64_t total = 0;
  uint64_t utterances = 0;
  std::vector<std::pair<std::string, FacetCounts>> facets;  // every facet field
  // Share of matching conversations with any utterance flagged in each
  // kModerationCategories entry, and with any flagged utterance at all.
  std::array<double, kModerationCategoryCount> category_rates{};
  double flagged_rate = 0;
};

class Index {
 public:
  static Status Open(const std::string& dir, std::unique_ptr<Index>* out);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Replaces the query cache (evaluations kept per query text, 256 MB by
  // default; docs/engine.md) with an empty one of `bytes` (0: off). Not
  // thread-safe: call before sharing the index.
  void SetQueryCacheBytes(size_t bytes);

  Status Search(const SearchRequest& request, SearchResult* result) const;
  // `within`: as SearchRequest::within (null: no restriction).
  Status Stats(const std::string& query, StatsResult* result,
               const std::vector<uint32_t>* within = nullptr) const;
  // The whole conversation for any of its turn_identifiers; kNotFound otherwise.
  Status Get(int64_t turn_identifier, Conversation* out) const;
  // Where the positive text terms of `query` (words, phrases, prefixes,
  // regexes, with their role scopes) match in `c`, utterance by utterance —
  // for highlighting a whole conversation. Filters play no part.
  Status Highlights(const std::string& query, const Conversation& c,
                    std::vector<UtteranceSpans>* out) const;
  // Calls fn for every matching conversation, in index order, until fn fails.
  Status ForEachMatch(const std::string& query,
                      const std::function<Status(const Conversation&)>& fn,
                      const std::vector<uint32_t>* within = nullptr) const;
  // Matching documents as ascending dense doc numbers in [0, NumDocs()).
  Status MatchingDocs(const std::string& query, std::vector<uint32_t>* docs,
                      const std::vector<uint32_t>* within = nullptr) const;
  uint32_t NumDocs() const;
  int64_t DocId(uint32_t doc) const;  // doc number → conversation id
  std::optional<uint32_t> DocOf(int64_t turn_identifier) const;
  const std::string& dir() const;

  struct Impl;

 private:
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wildchat
