// QueryCache: evaluated queries by query text, so that the requests a user
// makes around one query — the next page, another sort, the facets, the
// dashboard's stats, an export — parse and evaluate it once. An entry holds
// the parsed tree and its Evaluation (whose term lists point into the tree);
// both are immutable and shared, so a hit costs a lookup. An entry evaluated
// without term frequencies does not serve a request that needs them: that
// request evaluates again and replaces it. Bounded by bytes (base/lru_cache.h:
// least recently used evicted first); an index never changes once open, so
// entries never go stale. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/lru_cache.h"
#include "base/status.h"
#include "engine/query/executor.h"
#include "engine/query/query_ast.h"

namespace wildchat {

struct EvaluatedQuery {
  std::unique_ptr<QueryNode> root;
  Evaluation ev;
  bool frequencies = false;
};

class QueryCache {
 public:
  explicit QueryCache(size_t capacity_bytes) : cache_(capacity_bytes) {}

  // The cached evaluation of `query`, or a fresh one (then cached).
  Status Evaluate(const SegmentSet& set, const std::string& query, bool want_frequencies,
                  std::shared_ptr<const EvaluatedQuery>* out);

  size_t bytes() const { return cache_.bytes(); }
  size_t entries() const { return cache_.entries(); }

 private:
  LruCache<EvaluatedQuery> cache_;
};

}  // namespace wildchat
