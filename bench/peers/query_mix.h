// The side-by-side query mix: one list of queries, each spelled for wildchat
// (docs/query.md), SQLite FTS5 and DuckDB (ILIKE over the concatenated
// utterance text), written once to a JSON-lines file that every system's
// driver reads, so all three answer the same list.
//
// Shapes are limited to what all three can express: single words of every
// document-frequency band, 2–3 word ANDs, phrases, exact field filters
// (model, language, country, toxic, turns >= n), words + filters, deep pages,
// a language facet on some; regexes separately (not for FTS5). Words are ASCII
// letters only, so the three tokenizers see the same tokens (ILIKE still
// matches substrings: its counts are reported, not required to agree).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/conversation.h"

namespace wildchat::bench {

struct MixQuery {
  std::string kind;  // "word-top", "word-frequent", "word-middle", "word-rare", "and", ...
  std::vector<std::string> words;   // lower-case ASCII words, ANDed
  std::vector<std::string> phrase;  // consecutive words, or empty
  // (field, value): model, language, country, toxic ("true"), turns_ge ("3").
  std::vector<std::pair<std::string, std::string>> filters;
  std::string regex;   // RE2, or empty
  bool facet = false;  // also count by language
  int64_t offset = 0;  // page start (30 rows a page)

  std::string Wildchat() const;
  std::string Fts5Match() const;  // empty: no text part
  std::string SqlFilter() const;  // over table alias c; empty: none
  std::string DuckWhere() const;  // over columns text, model, language, ...; "true" if none
};

// Builds `count` queries (plus 50 regex queries) from a sample of records.
std::vector<MixQuery> BuildQueryMix(const std::vector<Conversation>& sample, int count,
                                    uint64_t seed);

// One JSON object per line with every spelling.
std::string MixToJsonLines(const std::vector<MixQuery>& mix);

}  // namespace wildchat::bench
