// Query execution: evaluates a QueryNode tree over the segments of an index
// into the exact set of matching conversations (a Bitset over global doc
// numbers) and, for each positive text term, its per-conversation frequency
// (for BM25). Text terms use the posting lists; regexes run RE2 over the
// stored text of candidates only (restricted by the other conjuncts of an
// AND). Thread-safe over a read-only SegmentSet.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/status.h"
#include "engine/collect/bitset.h"
#include "engine/query/query_ast.h"
#include "engine/segment/segment.h"

namespace wildchat {

// The segments of an index with their first global doc numbers.
struct SegmentSet {
  std::vector<std::unique_ptr<Segment>> segments;
  std::vector<uint32_t> bases;
  uint32_t num_docs = 0;
  uint64_t total_tokens = 0;
  double avg_doc_len() const { return num_docs ? static_cast<double>(total_tokens) / num_docs : 0; }
  // Segment index holding global doc `doc`.
  size_t SegmentOf(uint32_t doc) const;
};

// A term's frequency in one doc. Left unset when default-made, so that a
// list grows by a block of postings without being written twice.
struct DocFreq {
  uint32_t doc, tf;
  DocFreq() {}  // NOLINT(modernize-use-equals-default): no zeroing, on purpose
  DocFreq(uint32_t d, uint32_t f) : doc(d), tf(f) {}
  // For std::lower_bound over a list by doc.
  static bool Before(const DocFreq& e, uint32_t d) { return e.doc < d; }
};

struct TermFrequencies {
  const QueryNode* term = nullptr;
  // (global doc, tf > 0), ascending: every doc the term (in its scope) occurs
  // in, or — when evaluation was restricted to the candidates of an AND on
  // the path from the root — at least every matching doc it occurs in.
  std::vector<DocFreq> docs;
  uint64_t df = 0;  // docs the term occurs in, over the whole index (for IDF)
};

struct Evaluation {
  Bitset matches;
  std::vector<TermFrequencies> terms;  // positive text terms except regexes, query order
};

Status Evaluate(const SegmentSet& index, const QueryNode& root, bool want_frequencies,
                Evaluation* out);

// Calls fn for each doc of `docs` (ascending, global) with its decoded record;
// decompresses each store block once. Stops at the first error fn returns.
Status ForEachDocument(const SegmentSet& index, const Bitset& docs,
                       const std::function<Status(uint32_t, const Conversation&)>& fn);

}  // namespace wildchat
