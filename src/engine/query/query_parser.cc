#include "engine/query/query_parser.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "engine/text/tokenizer.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

constexpr int kMaxDepth = 100;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view q) : q_(q) {}

  Status Parse(std::unique_ptr<QueryNode>* out) {
    SkipSpace();
    if (i_ >= q_.size()) {
      *out = std::make_unique<QueryNode>();
      return Status::OK();
    }
    std::unique_ptr<QueryNode> node;
    WILDCHAT_RETURN_IF_ERROR(ParseAnd(&node));
    SkipSpace();
    if (i_ < q_.size()) return Error(i_, "unexpected ')'");
    *out = std::move(node);
    return Status::OK();
  }

 private:
  Status Error(size_t byte_pos, const std::string& what) const {
    const size_t chars = CodePointCount(q_.substr(0, std::min(byte_pos, q_.size())));
    return Status::InvalidArgument("query error at " + std::to_string(chars) + ": " + what);
  }
  void SkipSpace() {
    while (i_ < q_.size() && IsSpace(q_[i_])) ++i_;
  }
  bool AtEnd() const { return i_ >= q_.size(); }
  // End of a bare word: whitespace, parentheses or a quote.
  size_t WordEnd(size_t from) const {
    size_t j = from;
    while (j < q_.size() && !IsSpace(q_[j]) && q_[j] != '(' && q_[j] != ')' && q_[j] != '"') ++j;
    return j;
  }
  bool KeywordAt(std::string_view kw) const {
    return WordEnd(i_) - i_ == kw.size() && q_.substr(i_, kw.size()) == kw;
  }

  Status ParseAnd(std::unique_ptr<QueryNode>* out) {
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kAnd;
    node->position = i_;
    std::unique_ptr<QueryNode> child;
    WILDCHAT_RETURN_IF_ERROR(ParseOr(&child));
    node->children.push_back(std::move(child));
    while (true) {
      SkipSpace();
      if (AtEnd() || q_[i_] == ')') break;
      if (KeywordAt("AND")) {
        const size_t kw = i_;
        i_ += 3;
        SkipSpace();
        if (AtEnd() || q_[i_] == ')') return Error(kw, "expected a term after AND");
      }
      WILDCHAT_RETURN_IF_ERROR(ParseOr(&child));
      node->children.push_back(std::move(child));
    }
    if (node->children.size() == 1) {
      *out = std::move(node->children[0]);
    } else {
      *out = std::move(node);
    }
    return Status::OK();
  }

  Status ParseOr(std::unique_ptr<QueryNode>* out) {
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kOr;
    node->position = i_;
    std::unique_ptr<QueryNode> child;
    WILDCHAT_RETURN_IF_ERROR(ParseUnary(&child));
    node->children.push_back(std::move(child));
    while (true) {
      const size_t save = i_;
      SkipSpace();
      if (!AtEnd() && KeywordAt("OR")) {
        const size_t kw = i_;
        i_ += 2;
        SkipSpace();
        if (AtEnd() || q_[i_] == ')') return Error(kw, "expected a term after OR");
        WILDCHAT_RETURN_IF_ERROR(ParseUnary(&child));
        node->children.push_back(std::move(child));
      } else {
        i_ = save;
        break;
      }
    }
    if (node->children.size() == 1) {
      *out = std::move(node->children[0]);
    } else {
      *out = std::move(node);
    }
    return Status::OK();
  }

  Status ParseUnary(std::unique_ptr<QueryNode>* out) {
    SkipSpace();
    if (AtEnd()) return Error(i_, "expected a term");
    if (++depth_ > kMaxDepth) return Error(i_, "query is nested too deeply");
    Status st;
    const size_t start = i_;
    const bool minus =
        q_[i_] == '-' && i_ + 1 < q_.size() && !IsSpace(q_[i_ + 1]) && q_[i_ + 1] != ')';
    if (KeywordAt("NOT") || minus) {
      i_ += minus ? 1 : 3;
      if (!minus) {
        SkipSpace();
        if (AtEnd() || q_[i_] == ')') return Error(start, "expected a term after NOT");
      }
      auto node = std::make_unique<QueryNode>();
      node->kind = QueryNode::Kind::kNot;
      node->position = start;
      std::unique_ptr<QueryNode> child;
      st = ParseUnary(&child);
      if (st.ok()) {
        node->children.push_back(std::move(child));
        *out = std::move(node);
      }
    } else {
      st = ParsePrimary(out);
    }
    --depth_;
    return st;
  }

  Status ParsePrimary(std::unique_ptr<QueryNode>* out) {
    const char c = q_[i_];
    if (c == '(') {
      const size_t open = i_++;
      SkipSpace();
      if (AtEnd()) return Error(open, "expected ')'");
      if (q_[i_] == ')') return Error(i_, "expected a term");
      WILDCHAT_RETURN_IF_ERROR(ParseAnd(out));
      SkipSpace();
      if (AtEnd() || q_[i_] != ')') return Error(i_, "expected ')'");
      ++i_;
      return Status::OK();
    }
    if (c == ')') return Error(i_, "unexpected ')'");
    if (c == '"') return ParsePhrase(out);
    if (c == '/') return ParseRegex(out);
    const size_t start = i_;
    const size_t end = WordEnd(i_);
    const std::string_view word = q_.substr(start, end - start);
    if (word == "AND" || word == "OR") return Error(start, "unexpected " + std::string(word));
    const size_t colon = word.find(':');
    if (colon != std::string_view::npos) return ParseField(start, word.substr(0, colon), out);
    if (word.substr(0, 4) == "mod." || word.substr(0, 6) == "detox.") {
      i_ = end;
      return ParseScore(start, word, out);
    }
    i_ = end;
    auto node = std::make_unique<QueryNode>();
    node->position = start;
    if (word.size() > 1 && word.back() == '*') {
      std::vector<std::string> toks = TokensOf(word.substr(0, word.size() - 1));
      if (toks.size() != 1 || CodePointCount(toks[0]) < 2) {
        return Error(start, "a prefix needs one word of at least 2 characters");
      }
      node->kind = QueryNode::Kind::kPrefix;
      node->tokens = std::move(toks);
      *out = std::move(node);
      return Status::OK();
    }
    node->tokens = TokensOf(word);
    if (node->tokens.empty()) {
      std::string what = "'";
      what.append(word);
      what.append("' has no searchable characters");
      return Error(start, what);
    }
    node->kind = node->tokens.size() == 1 ? QueryNode::Kind::kTerm : QueryNode::Kind::kPhrase;
    *out = std::move(node);
    return Status::OK();
  }

  static std::vector<std::string> TokensOf(std::string_view text) {
    std::vector<std::string> toks;
    Tokenize(text, [&](const Token& t) { toks.emplace_back(t.folded); });
    return toks;
  }

  // A quoted string starting at i_ (a '"'); `\"` is a quote. Advances past it.
  Status QuotedString(std::string* out) {
    const size_t open = i_++;
    out->clear();
    while (i_ < q_.size()) {
      const char c = q_[i_];
      if (c == '\\' && i_ + 1 < q_.size() && q_[i_ + 1] == '"') {
        out->push_back('"');
        i_ += 2;
      } else if (c == '"') {
        ++i_;
        return Status::OK();
      } else {
        out->push_back(c);
        ++i_;
      }
    }
    return Error(open, "unterminated quote");
  }

  Status ParsePhrase(std::unique_ptr<QueryNode>* out) {
    const size_t start = i_;
    std::string text;
    WILDCHAT_RETURN_IF_ERROR(QuotedString(&text));
    auto node = std::make_unique<QueryNode>();
    node->position = start;
    node->tokens = TokensOf(text);
    if (node->tokens.empty()) return Error(start, "the phrase has no searchable characters");
    node->kind = node->tokens.size() == 1 ? QueryNode::Kind::kTerm : QueryNode::Kind::kPhrase;
    *out = std::move(node);
    return Status::OK();
  }

  Status ParseRegex(std::unique_ptr<QueryNode>* out) {
    const size_t open = i_++;
    std::string pattern;
    bool closed = false;
    while (i_ < q_.size()) {
      const char c = q_[i_];
      if (c == '\\' && i_ + 1 < q_.size()) {
        if (q_[i_ + 1] == '/') {
          pattern.push_back('/');
        } else {
          pattern.push_back('\\');
          pattern.push_back(q_[i_ + 1]);
        }
        i_ += 2;
      } else if (c == '/') {
        ++i_;
        closed = true;
        break;
      } else {
        pattern.push_back(c);
        ++i_;
      }
    }
    if (!closed) return Error(open, "unterminated regex (expected a closing '/')");
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<RE2>(pattern, opts);
    if (!re->ok()) return Error(open, "invalid regex: " + re->error());
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kRegex;
    node->position = open;
    node->regex = std::move(re);
    *out = std::move(node);
    return Status::OK();
  }

  static void ApplyScope(QueryNode* n, const TextScope& s) {
    if (n->is_text()) n->scope.Intersect(s);
    for (auto& c : n->children) ApplyScope(c.get(), s);
  }

  Status ParseField(size_t start, std::string_view name, std::unique_ptr<QueryNode>* out) {
    if (name.empty()) return Error(start, "expected a field name before ':'");
    const size_t after = start + name.size() + 1;
    TextScope scope;
    bool is_scope = true;
    if (name == "user") {
      scope.roles = 1u << kRoleUser;
    } else if (name == "assistant") {
      scope.roles = 1u << kRoleAssistant;
    } else if (name == "first") {
      scope.first_user = true;
      scope.roles = 1u << kRoleUser;
    } else {
      is_scope = false;
    }
    if (is_scope) {
      i_ = after;
      if (AtEnd() || IsSpace(q_[i_]) || q_[i_] == ')') {
        return Error(after, "expected a term after '" + std::string(name) + ":'");
      }
      WILDCHAT_RETURN_IF_ERROR(ParseUnary(out));
      ApplyScope(out->get(), scope);
      return Status::OK();
    }
    static const char* const kFields[] = {"model",    "language", "country", "state",
                                          "ip",       "hash",     "id",      "toxic",
                                          "redacted", "flagged",  "turns",   "date"};
    bool known = false;
    for (const char* f : kFields) known = known || name == f;
    if (!known) {
      return Error(start,
                   "unknown field '" + std::string(name) + "' (quote the text to search for it)");
    }
    // The value: a quoted string or a bare run up to whitespace or a parenthesis.
    i_ = after;
    std::string value;
    bool quoted = false;
    if (!AtEnd() && q_[i_] == '"') {
      WILDCHAT_RETURN_IF_ERROR(QuotedString(&value));
      quoted = true;
    } else {
      while (i_ < q_.size() && !IsSpace(q_[i_]) && q_[i_] != '(' && q_[i_] != ')') {
        value.push_back(q_[i_++]);
      }
      if (value.empty()) return Error(after, "expected a value after '" + std::string(name) + ":'");
    }
    auto node = std::make_unique<QueryNode>();
    node->position = start;
    WILDCHAT_RETURN_IF_ERROR(FieldValue(name, value, quoted, after, node.get()));
    *out = std::move(node);
    return Status::OK();
  }

  static bool ParseInt(std::string_view s, int64_t* out) {
    if (s.empty()) return false;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (*b == '+') ++b;
    auto [p, ec] = std::from_chars(b, e, *out);
    return ec == std::errc() && p == e && b != e;
  }

  // A calendar period: [*start, *end) in microseconds.
  static bool ParsePeriod(std::string_view s, int64_t* start, int64_t* end) {
    auto digits = [&](size_t pos, size_t n, int64_t* v) {
      if (pos + n > s.size()) return false;
      int64_t x = 0;
      for (size_t k = pos; k < pos + n; ++k) {
        if (s[k] < '0' || s[k] > '9') return false;
        x = x * 10 + (s[k] - '0');
      }
      *v = x;
      return true;
    };
    int64_t y = 0, m = 1, d = 1;
    if (!digits(0, 4, &y)) return false;
    if (s.size() == 4) {
      *start = DaysFromCivil(y, 1, 1) * kMicrosPerDay;
      *end = DaysFromCivil(y + 1, 1, 1) * kMicrosPerDay;
      return true;
    }
    if (s.size() < 7 || s[4] != '-' || !digits(5, 2, &m) || m < 1 || m > 12) return false;
    if (s.size() == 7) {
      *start = DaysFromCivil(y, static_cast<unsigned>(m), 1) * kMicrosPerDay;
      *end = (m == 12 ? DaysFromCivil(y + 1, 1, 1)
                      : DaysFromCivil(y, static_cast<unsigned>(m + 1), 1)) *
             kMicrosPerDay;
      return true;
    }
    if (s.size() != 10 || s[7] != '-' || !digits(8, 2, &d) || d < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return false;
    *start = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kMicrosPerDay;
    *end = *start + kMicrosPerDay;
    return true;
  }

  Status FieldValue(std::string_view name, const std::string& value, bool quoted, size_t vpos,
                    QueryNode* node) {
    using K = QueryNode::Kind;
    auto dict = [&](DictField f, bool allow_prefix) {
      node->kind = K::kDict;
      node->dict_field = f;
      node->value = AsciiLower(value);
      if (allow_prefix && !quoted && !value.empty() && value.back() == '*') {
        node->value.pop_back();
        node->value_prefix = true;
      }
      return Status::OK();
    };
    if (name == "model") return dict(DictField::kModel, true);
    if (name == "language") return dict(DictField::kLanguage, true);
    if (name == "country") return dict(DictField::kCountry, true);
    if (name == "state") return dict(DictField::kState, true);
    if (name == "ip") return dict(DictField::kIp, false);
    if (name == "hash") return dict(DictField::kHash, false);
    if (name == "id") {
      node->kind = K::kTurnId;
      if (!ParseInt(value, &node->int_lo)) return Error(vpos, "expected an integer id");
      return Status::OK();
    }
    if (name == "toxic" || name == "redacted" || name == "flagged") {
      node->kind = K::kFlag;
      node->flag_mask = name == "toxic"      ? kFlagToxic
                        : name == "redacted" ? kFlagRedacted
                                             : kFlagFlagged;
      if (value == "true") {
        node->flag_value = true;
      } else if (value == "false") {
        node->flag_value = false;
      } else {
        return Error(vpos, "expected true or false");
      }
      return Status::OK();
    }
    std::string_view v(value);
    if (name == "turns") {
      node->kind = K::kTurns;
      constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      int64_t a = 0, b = 0;
      const size_t dots = v.find("..");
      bool ok = true;
      if (dots != std::string_view::npos) {
        ok = ParseInt(v.substr(0, dots), &a) && ParseInt(v.substr(dots + 2), &b);
        node->int_lo = a;
        node->int_hi = b;
      } else if (v.substr(0, 2) == ">=") {
        ok = ParseInt(v.substr(2), &a);
        node->int_lo = a, node->int_hi = kMax;
      } else if (v.substr(0, 2) == "<=") {
        ok = ParseInt(v.substr(2), &a);
        node->int_lo = kMin, node->int_hi = a;
      } else if (v.substr(0, 1) == ">") {
        ok = ParseInt(v.substr(1), &a) && a < kMax;
        node->int_lo = a + 1, node->int_hi = kMax;
      } else if (v.substr(0, 1) == "<") {
        ok = ParseInt(v.substr(1), &a) && a > kMin;
        node->int_lo = kMin, node->int_hi = a - 1;
      } else if (v.substr(0, 1) == "=") {
        ok = ParseInt(v.substr(1), &a);
        node->int_lo = node->int_hi = a;
      } else {
        ok = ParseInt(v, &a);
        node->int_lo = node->int_hi = a;
      }
      if (!ok) return Error(vpos, "expected turns as N, =N, >N, >=N, <N, <=N or A..B");
      return Status::OK();
    }
    // date
    node->kind = K::kDate;
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    int64_t s1 = 0, e1 = 0, s2 = 0, e2 = 0;
    bool ok = true;
    const size_t dots = v.find("..");
    if (dots != std::string_view::npos) {
      ok = ParsePeriod(v.substr(0, dots), &s1, &e1) && ParsePeriod(v.substr(dots + 2), &s2, &e2);
      node->int_lo = s1, node->int_hi = e2;
    } else if (v.substr(0, 2) == ">=") {
      ok = ParsePeriod(v.substr(2), &s1, &e1);
      node->int_lo = s1, node->int_hi = kMax;
    } else if (v.substr(0, 2) == "<=") {
      ok = ParsePeriod(v.substr(2), &s1, &e1);
      node->int_lo = kMin + 1, node->int_hi = e1;
    } else if (v.substr(0, 1) == ">") {
      ok = ParsePeriod(v.substr(1), &s1, &e1);
      node->int_lo = e1, node->int_hi = kMax;
    } else if (v.substr(0, 1) == "<") {
      ok = ParsePeriod(v.substr(1), &s1, &e1);
      node->int_lo = kMin + 1, node->int_hi = s1;
    } else {
      ok = ParsePeriod(v, &s1, &e1);
      node->int_lo = s1, node->int_hi = e1;
    }
    if (!ok)
      return Error(vpos,
                   "expected a date as YYYY, YYYY-MM or YYYY-MM-DD (with >, >=, <, <= or P1..P2)");
    return Status::OK();
  }

  static bool ParseDecimal(std::string_view s, double* out) {
    // [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
    size_t k = 0;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    size_t int_digits = 0, frac_digits = 0;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k, ++int_digits;
    if (k < s.size() && s[k] == '.') {
      ++k;
      while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k, ++frac_digits;
    }
    if (int_digits + frac_digits == 0) return false;
    if (k < s.size() && (s[k] == 'e' || s[k] == 'E')) {
      ++k;
      if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
      size_t exp_digits = 0;
      while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k, ++exp_digits;
      if (exp_digits == 0) return false;
    }
    if (k != s.size()) return false;
    const std::string copy(s);
    *out = std::strtod(copy.c_str(), nullptr);
    return std::isfinite(*out);
  }

  Status ParseScore(size_t start, std::string_view word, std::unique_ptr<QueryNode>* out) {
    const bool mod = word.substr(0, 4) == "mod.";
    const size_t name_begin = mod ? 4 : 6;
    size_t k = name_begin;
    while (k < word.size() && word[k] != '<' && word[k] != '>' && word[k] != '=') ++k;
    const std::string_view name = word.substr(name_begin, k - name_begin);
    int column = -1;
    if (mod) {
      column = ModerationCategoryIndex(name);
    } else {
      for (int f = 0; f < kDetoxifyFieldCount; ++f) {
        if (kDetoxifyFields[f] == name) column = kModerationCategoryCount + f;
      }
    }
    if (column < 0) {
      return Error(start,
                   std::string(mod ? "unknown moderation category '" : "unknown detoxify field '") +
                       std::string(name) + "'");
    }
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kScore;
    node->position = start;
    node->column = column;
    const std::string_view rest = word.substr(k);
    size_t op_len = 0;
    if (rest.substr(0, 2) == ">=") {
      node->op = CompareOp::kGe, op_len = 2;
    } else if (rest.substr(0, 2) == "<=") {
      node->op = CompareOp::kLe, op_len = 2;
    } else if (rest.substr(0, 1) == ">") {
      node->op = CompareOp::kGt, op_len = 1;
    } else if (rest.substr(0, 1) == "<") {
      node->op = CompareOp::kLt, op_len = 1;
    } else {
      return Error(start + k, "expected >, >=, < or <= after the score name");
    }
    if (!ParseDecimal(rest.substr(op_len), &node->number)) {
      return Error(start + k + op_len, "expected a number");
    }
    *out = std::move(node);
    return Status::OK();
  }

  std::string_view q_;
  size_t i_ = 0;
  int depth_ = 0;
};

void CollectPositive(const QueryNode& n, std::vector<const QueryNode*>* out) {
  if (n.kind == QueryNode::Kind::kNot) return;
  if (n.is_text()) out->push_back(&n);
  for (const auto& c : n.children) CollectPositive(*c, out);
}

}  // namespace

Status ParseQuery(std::string_view query, std::unique_ptr<QueryNode>* out) {
  Parser p(query);
  return p.Parse(out);
}

void CollectPositiveTerms(const QueryNode& root, std::vector<const QueryNode*>* out) {
  out->clear();
  CollectPositive(root, out);
}

}  // namespace wildchat
