// ReferenceSearch: a brute-force evaluator of the query language
// (docs/query.md) over records in memory, written from the contract alone and
// sharing no code with the engine. Tests hold the engine to it: the same
// query must give the same error-ness, the same matching set, the same facet
// counts and the same newest/oldest order.
//
// Every conversation is checked against every query: simple rather than
// fast. The records are borrowed and must outlive the ReferenceSearch; after
// construction all methods are const and thread-safe. Errors are
// kInvalidArgument with the 0-based character position ("query error at 3:
// ..."); relevance order with text terms and random order are not modelled
// by Search (it answers kUnsupported for them), but Scores gives the BM25
// score of any row, from which a relevance order follows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/index.h"
#include "model/conversation.h"

namespace wildchat::reference {

// One token of a text: the case-folded token and the byte range of its
// original spelling in the text.
struct Token {
  std::string folded;
  size_t begin = 0;
  size_t end = 0;
};

// The contract's tokenizer: runs of letters, marks and digits; each Han,
// Hiragana, Katakana or Thai character alone; ICU simple case folding.
std::vector<Token> Tokenize(std::string_view text);
// Simple case folding of every code point (invalid UTF-8 bytes dropped).
std::string FoldCase(std::string_view text);

struct QueryNode;  // parsed query, private to reference_search.cc

// The facet fields of docs/query.md, in the documented order.
const std::vector<std::string>& AllFacetFields();

class ReferenceSearch {
 public:
  explicit ReferenceSearch(const std::vector<Conversation>* records);
  ~ReferenceSearch();
  ReferenceSearch(const ReferenceSearch&) = delete;
  ReferenceSearch& operator=(const ReferenceSearch&) = delete;

  // Indices into the records of every match, ascending.
  Status Match(std::string_view query, std::vector<uint32_t>* rows) const;
  // Whether the query has any text term (word, phrase, prefix, regex); false
  // for a malformed query.
  bool HasTextTerms(std::string_view query) const;
  // Total, facets and the requested page of hits (id, timestamp and metadata
  // only; no snippets, no score) for sorts newest and oldest, and relevance
  // when the query has no text term.
  Status Search(const SearchRequest& request, SearchResult* result) const;
  // The documented BM25 score (docs/query.md, "Results") of each row, in
  // order, with every record as the index. kUnsupported when the query has no
  // scored term (no word, phrase or prefix outside a NOT).
  Status Scores(std::string_view query, const std::vector<uint32_t>& rows,
                std::vector<double>* out) const;
  // Counts of the matching rows by one facet field, in the documented order.
  FacetCounts Facet(std::string_view field, const std::vector<uint32_t>& rows) const;
  // The rows in newest (or oldest) order with the documented tie rule.
  std::vector<uint32_t> Sorted(std::vector<uint32_t> rows, bool newest) const;
  // The conversation holding this turn identifier; kNotFound otherwise.
  Status Get(int64_t turn_identifier, Conversation* out) const;

  const std::vector<Conversation>& records() const { return *records_; }

  // Pre-tokenized utterance text: token ids per utterance.
  struct Doc {
    std::vector<std::vector<uint32_t>> utterance_tokens;
  };

 private:
  Status Parse(std::string_view query, std::unique_ptr<QueryNode>* out) const;
  bool Eval(const QueryNode& node, uint32_t row, int scope) const;
  // Occurrences of a word, phrase or prefix in the row's utterances in scope.
  uint32_t Occurrences(const QueryNode& node, uint32_t row, int scope) const;

  const std::vector<Conversation>* records_;
  std::unordered_map<std::string, uint32_t> token_ids_;
  std::vector<std::string> token_text_;  // id → folded token
  std::vector<Doc> docs_;
  std::unordered_map<int64_t, uint32_t> row_of_turn_;
};

}  // namespace wildchat::reference
