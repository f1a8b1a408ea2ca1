#include "engine/query/query_cache.h"

#include "engine/query/query_parser.h"

namespace wildchat {

Status QueryCache::Evaluate(const SegmentSet& set, const std::string& query, bool want_frequencies,
                            std::shared_ptr<const EvaluatedQuery>* out) {
  std::shared_ptr<const EvaluatedQuery> hit = cache_.Get(query);
  // Without scored terms there are no frequencies to want.
  if (hit && (hit->frequencies || !want_frequencies || hit->ev.terms.empty())) {
    *out = std::move(hit);
    return Status::OK();
  }
  auto fresh = std::make_shared<EvaluatedQuery>();
  WILDCHAT_RETURN_IF_ERROR(ParseQuery(query, &fresh->root));
  WILDCHAT_RETURN_IF_ERROR(::wildchat::Evaluate(set, *fresh->root, want_frequencies, &fresh->ev));
  fresh->frequencies = want_frequencies;
  size_t cost = fresh->ev.matches.words().size() * sizeof(uint64_t) + 1024 + 64 * query.size();
  for (const TermFrequencies& t : fresh->ev.terms) {
    cost += t.docs.capacity() * sizeof(t.docs[0]) + sizeof(t);
  }
  cache_.Put(query, fresh, cost);
  *out = std::move(fresh);
  return Status::OK();
}

}  // namespace wildchat
