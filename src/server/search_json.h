// JSON rendering of engine results, shared by the HTTP API and the CLI
// (`wildchat search --json` prints exactly what GET /api/search returns).
//
// Every function appends one JSON value to a caller-owned string and never
// fails. Strings are UTF-8 (invalid bytes become U+FFFD); timestamps are
// ISO-8601 UTC strings or null; snippet text is passed through as the engine
// made it (HTML-escaped, <mark> around matches). Thread-safe.
#pragma once

#include <string>

#include "engine/index.h"

namespace wildchat {

// {"total": n, "took_ms": x, "hits": [...], "facets": {"language": [["English", 12], ...]}}
void AppendSearchResultJson(std::string* out, const SearchResult& result);

// One hit: {"id", "conversation_hash", "model", "timestamp", "language",
// "country", "state", "hashed_ip", "turn", "toxic", "redacted", "score", "snippets"}.
void AppendHitJson(std::string* out, const Hit& hit);

// {"language": [["English", 12], ...], ...} in the given order.
void AppendFacetsJson(std::string* out,
                      const std::vector<std::pair<std::string, FacetCounts>>& facets);

// {"total", "utterances", "facets": {...}, "moderation": {"flagged_rate": x,
// "categories": {"harassment": rate, ...}}} — the body of GET /api/stats.
void AppendStatsResultJson(std::string* out, const StatsResult& stats, double took_ms);

}  // namespace wildchat
