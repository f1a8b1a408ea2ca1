// ParseQuery: docs/query.md text → QueryNode tree. Total over arbitrary bytes:
// either a tree or kInvalidArgument "query error at N: <what>" where N is the
// 0-based character (code point) position of the problem. Thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "base/status.h"
#include "engine/query/query_ast.h"

namespace wildchat {

Status ParseQuery(std::string_view query, std::unique_ptr<QueryNode>* out);

// Collects the positive text terms (not below a NOT) in query order: the
// terms BM25 scores and snippets highlight.
void CollectPositiveTerms(const QueryNode& root, std::vector<const QueryNode*>* out);

}  // namespace wildchat
