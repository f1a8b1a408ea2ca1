// The parsed form of a docs/query.md query: a tree of boolean nodes over text
// terms (word, phrase, prefix, regex — each with its utterance scope) and
// field filters (already validated and converted to column comparisons).
// Produced by ParseQuery (query/query_parser.h), evaluated by the executor.
// Plain values; a compiled regex is shared read-only between copies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/segment/segment_format.h"

namespace re2 {
class RE2;
}

namespace wildchat {

// Which utterances a text term looks at: roles (bit per stored role code)
// and, when first_user, only the first utterance whose role is user.
struct TextScope {
  uint8_t roles = 0b111;
  bool first_user = false;
  bool all() const { return roles == 0b111 && !first_user; }
  bool Admits(uint8_t role, bool is_first_user) const {
    return (roles & (1u << role)) && (!first_user || is_first_user);
  }
  void Intersect(const TextScope& o) {
    roles &= o.roles;
    first_user = first_user || o.first_user;
  }
};

enum class CompareOp { kLt, kLe, kGt, kGe };

struct QueryNode {
  enum class Kind {
    kAll,  // matches every conversation
    kAnd,
    kOr,
    kNot,     // one child
    kTerm,    // tokens[0]
    kPhrase,  // tokens, consecutive in one utterance
    kPrefix,  // tokens[0] is the folded prefix
    kRegex,   // regex
    kDict,    // dict_field equals (or starts with) value, ASCII case-insensitive
    kTurnId,  // some utterance has turn_identifier == int_lo
    kFlag,    // flag bit set (or not, when !flag_value)
    kTurns,   // int_lo <= turn <= int_hi
    kDate,    // int_lo <= timestamp < int_hi
    kScore,   // score column `column` compare_op number
  };
  Kind kind = Kind::kAll;
  size_t position = 0;  // byte offset in the query, for messages
  std::vector<std::unique_ptr<QueryNode>> children;

  std::vector<std::string> tokens;
  std::shared_ptr<const re2::RE2> regex;
  TextScope scope;

  DictField dict_field = DictField::kModel;
  std::string value;  // ASCII-lower-cased
  bool value_prefix = false;
  uint32_t flag_mask = 0;
  bool flag_value = true;
  int64_t int_lo = 0, int_hi = 0;
  int column = 0;
  CompareOp op = CompareOp::kGt;
  double number = 0;

  bool is_text() const {
    return kind == Kind::kTerm || kind == Kind::kPhrase || kind == Kind::kPrefix ||
           kind == Kind::kRegex;
  }
};

}  // namespace wildchat
