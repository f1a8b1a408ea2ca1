#include "engine/testing/reference_search.h"

#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>

#include "model/timestamp.h"

namespace wildchat::reference {

// ---------------------------------------------------------------- tokenizer

namespace {

bool IsTokenChar(UChar32 c) {
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}

bool IsSingleCharScript(UChar32 c) {
  UErrorCode error = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(c, &error);
  if (U_FAILURE(error)) return false;
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
         script == USCRIPT_THAI;
}

void AppendUtf8(std::string* out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, U8_MAX_LENGTH, c, error);
  if (!error) out->append(buf, static_cast<size_t>(n));
}

// Decodes the code point at byte i, advancing i; -1 for an invalid sequence.
UChar32 NextCodePoint(std::string_view text, size_t* i) {
  int32_t pos = static_cast<int32_t>(*i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), pos, static_cast<int32_t>(text.size()), c);
  *i = static_cast<size_t>(pos);
  return c;
}

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    NextCodePoint(text, &i);
    ++n;
  }
  return n;
}

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    UChar32 c = NextCodePoint(text, &i);
    if (c >= 0) AppendUtf8(&out, u_foldCase(c, U_FOLD_CASE_DEFAULT));
  }
  return out;
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Token current;
  bool in_run = false;
  auto flush = [&] {
    if (in_run) tokens.push_back(std::move(current));
    current = Token();
    in_run = false;
  };
  for (size_t i = 0; i < text.size();) {
    size_t begin = i;
    UChar32 c = NextCodePoint(text, &i);
    if (c < 0 || !IsTokenChar(c)) {
      flush();
      continue;
    }
    if (IsSingleCharScript(c)) {
      flush();
      Token t;
      AppendUtf8(&t.folded, u_foldCase(c, U_FOLD_CASE_DEFAULT));
      t.begin = begin;
      t.end = i;
      tokens.push_back(std::move(t));
      continue;
    }
    if (!in_run) {
      in_run = true;
      current.begin = begin;
    }
    AppendUtf8(&current.folded, u_foldCase(c, U_FOLD_CASE_DEFAULT));
    current.end = i;
  }
  flush();
  return tokens;
}

// ---------------------------------------------------------------- the query tree

namespace {

constexpr int kScopeUser = 1;
constexpr int kScopeAssistant = 2;
constexpr int kScopeFirst = 4;
constexpr uint32_t kNoToken = std::numeric_limits<uint32_t>::max();

enum class Field {
  kModel,
  kLanguage,
  kCountry,
  kState,
  kIp,
  kHash,
  kId,
  kToxic,
  kRedacted,
  kFlagged,
  kTurns,
  kDate,
  kMod,
  kDetox
};

enum class Compare { kGt, kGe, kLt, kLe };

}  // namespace

struct QueryNode {
  enum class Kind { kAll, kAnd, kOr, kNot, kScope, kPhrase, kPrefix, kRegex, kField };
  Kind kind = Kind::kAll;
  std::vector<std::unique_ptr<QueryNode>> children;
  int scope = 0;
  std::vector<std::string> tokens;  // kPhrase: folded tokens (one: a word)
  std::vector<uint32_t> token_ids;  // resolved against the corpus
  std::string prefix;               // kPrefix: folded
  std::vector<bool> prefix_ids;     // kPrefix: token id → matches
  std::unique_ptr<RE2> regex;       // kRegex
  Field field = Field::kModel;      // kField
  std::string value;                // string-valued fields
  bool value_prefix = false;        // trailing '*'
  bool flag = false;                // toxic / redacted / flagged
  int64_t lo = 0, hi = 0;           // id; turns (inclusive); date [lo, hi)
  int index = 0;                    // mod / detox column
  Compare compare = Compare::kGt;
  double number = 0;
};

namespace {

using Node = std::unique_ptr<QueryNode>;

Node MakeNode(QueryNode::Kind kind) {
  auto n = std::make_unique<QueryNode>();
  n->kind = kind;
  return n;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool ParseNonNegative(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseInteger(std::string_view s, int64_t* out) {
  bool negative = !s.empty() && s[0] == '-';
  int64_t v = 0;
  if (!ParseNonNegative(negative ? s.substr(1) : s, &v)) return false;
  *out = negative ? -v : v;
  return true;
}

// -?digits[.digits] or -?.digits
bool ParseDecimal(std::string_view s, double* out) {
  std::string_view body = s;
  if (!body.empty() && body[0] == '-') body.remove_prefix(1);
  size_t dot = body.find('.');
  std::string_view whole = body.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : body.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(whole) || !digits(frac)) return false;
  if (whole.empty() && frac.empty()) return false;
  if (dot != std::string_view::npos && frac.empty()) return false;
  *out = std::strtod(std::string(s).c_str(), nullptr);
  return std::isfinite(*out);
}

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

// A calendar period YYYY, YYYY-MM or YYYY-MM-DD as [start, end) microseconds.
bool ParsePeriod(std::string_view s, int64_t* start, int64_t* end) {
  auto num = [](std::string_view d, int64_t* v) { return ParseNonNegative(d, v); };
  int64_t y = 0, m = 0, d = 0;
  if (s.size() == 4) {
    if (!num(s, &y)) return false;
    *start = DaysFromCivil(y, 1, 1) * kMicrosPerDay;
    *end = DaysFromCivil(y + 1, 1, 1) * kMicrosPerDay;
    return true;
  }
  if (s.size() == 7 && s[4] == '-') {
    if (!num(s.substr(0, 4), &y) || !num(s.substr(5, 2), &m) || m < 1 || m > 12) return false;
    *start = DaysFromCivil(y, static_cast<unsigned>(m), 1) * kMicrosPerDay;
    *end =
        (m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, static_cast<unsigned>(m + 1), 1)) *
        kMicrosPerDay;
    return true;
  }
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    if (!num(s.substr(0, 4), &y) || !num(s.substr(5, 2), &m) || !num(s.substr(8, 2), &d) || m < 1 ||
        m > 12 || d < 1) {
      return false;
    }
    int64_t days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    int64_t ny = 0;
    unsigned nm = 0, nd = 0;
    CivilFromDays(days, &ny, &nm, &nd);
    if (ny != y || nm != m || nd != d) return false;  // 2023-02-30
    *start = days * kMicrosPerDay;
    *end = *start + kMicrosPerDay;
    return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Status Parse(Node* out) {
    SkipSpace();
    if (AtEnd()) {
      *out = MakeNode(QueryNode::Kind::kAll);
      return Status::OK();
    }
    Node node = ParseAnd();
    if (node) {
      SkipSpace();
      if (!AtEnd()) {
        Fail(p_, "unexpected ')'");
        node.reset();
      }
    }
    if (!node) return error_;
    *out = std::move(node);
    return Status::OK();
  }

 private:
  bool AtEnd() const { return p_ >= s_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(s_[p_])) ++p_;
  }
  bool AtTermEnd() const { return AtEnd() || s_[p_] == ')'; }

  Node Fail(size_t pos, const std::string& what) {
    if (error_.ok()) {
      error_ = Status::InvalidArgument(
          "query error at " + std::to_string(CodePointCount(s_.substr(0, pos))) + ": " + what);
    }
    return nullptr;
  }

  // End of the run at `from` that may name a keyword, field or score filter.
  size_t HeadEnd(size_t from) const {
    size_t e = from;
    while (e < s_.size() && !IsSpace(s_[e]) && s_[e] != '(' && s_[e] != ')' && s_[e] != '"' &&
           s_[e] != ':') {
      ++e;
    }
    return e;
  }

  bool PeekKeyword(std::string_view keyword) const {
    if (AtEnd()) return false;
    size_t e = HeadEnd(p_);
    return s_.substr(p_, e - p_) == keyword && !(e < s_.size() && s_[e] == ':');
  }

  Node ParseAnd() {
    std::vector<Node> children;
    for (;;) {
      SkipSpace();
      if (AtTermEnd()) break;
      if (PeekKeyword("AND")) {
        if (children.empty()) return Fail(p_, "unexpected AND");
        p_ += 3;
        SkipSpace();
        if (AtTermEnd()) return Fail(p_, "expected a term after AND");
      }
      Node child = ParseOr();
      if (!child) return nullptr;
      children.push_back(std::move(child));
    }
    if (children.empty()) return Fail(p_, "expected a term");
    if (children.size() == 1) return std::move(children[0]);
    Node n = MakeNode(QueryNode::Kind::kAnd);
    n->children = std::move(children);
    return n;
  }

  Node ParseOr() {
    Node first = ParseUnary();
    if (!first) return nullptr;
    std::vector<Node> children;
    children.push_back(std::move(first));
    for (;;) {
      size_t save = p_;
      SkipSpace();
      if (!PeekKeyword("OR")) {
        p_ = save;
        break;
      }
      p_ += 2;
      SkipSpace();
      if (AtTermEnd()) return Fail(p_, "expected a term after OR");
      Node next = ParseUnary();
      if (!next) return nullptr;
      children.push_back(std::move(next));
    }
    if (children.size() == 1) return std::move(children[0]);
    Node n = MakeNode(QueryNode::Kind::kOr);
    n->children = std::move(children);
    return n;
  }

  Node ParseUnary() {
    if (PeekKeyword("NOT")) {
      p_ += 3;
      SkipSpace();
      if (AtTermEnd()) return Fail(p_, "expected a term after NOT");
      return Negate(ParseUnary());
    }
    if (s_[p_] == '-' && p_ + 1 < s_.size() && !IsSpace(s_[p_ + 1]) && s_[p_ + 1] != ')') {
      ++p_;
      return Negate(ParseUnary());
    }
    return ParsePrimary();
  }

  static Node Negate(Node child) {
    if (!child) return nullptr;
    Node n = MakeNode(QueryNode::Kind::kNot);
    n->children.push_back(std::move(child));
    return n;
  }

  Node ParsePrimary() {
    size_t start = p_;
    char c = s_[p_];
    if (c == '(') {
      ++p_;
      Node inner = ParseAnd();
      if (!inner) return nullptr;
      SkipSpace();
      if (AtEnd() || s_[p_] != ')') return Fail(p_, "expected ')'");
      ++p_;
      return inner;
    }
    if (c == ')') return Fail(p_, "unexpected ')'");
    if (c == '"') {
      std::string text;
      if (!ReadQuoted(&text)) return nullptr;
      return MakePhrase(text, start, "empty phrase");
    }
    if (c == '/') return ParseRegex();
    size_t e = HeadEnd(p_);
    std::string_view head = s_.substr(p_, e - p_);
    bool colon = e < s_.size() && s_[e] == ':';
    if (!colon && (head == "AND" || head == "OR"))
      return Fail(p_, "unexpected " + std::string(head));
    if (colon && e > p_) {
      p_ = e + 1;
      return ParseField(head, start);
    }
    if (head.starts_with("mod.") || head.starts_with("detox.")) {
      p_ = e;
      return ParseScore(head, start);
    }
    size_t w = p_;
    while (w < s_.size() && !IsSpace(s_[w]) && s_[w] != '(' && s_[w] != ')' && s_[w] != '"') ++w;
    std::string_view word = s_.substr(p_, w - p_);
    p_ = w;
    return MakeWord(word, start);
  }

  // Reads "…" at p_ with \" as a literal quote.
  bool ReadQuoted(std::string* out) {
    size_t start = p_++;
    while (!AtEnd()) {
      char c = s_[p_];
      if (c == '\\' && p_ + 1 < s_.size() && s_[p_ + 1] == '"') {
        *out += '"';
        p_ += 2;
        continue;
      }
      if (c == '"') {
        ++p_;
        return true;
      }
      *out += c;
      ++p_;
    }
    Fail(start, "unterminated quote");
    return false;
  }

  Node MakePhrase(std::string_view text, size_t pos, const char* empty_message) {
    std::vector<Token> tokens = Tokenize(text);
    if (tokens.empty()) return Fail(pos, empty_message);
    Node n = MakeNode(QueryNode::Kind::kPhrase);
    for (Token& t : tokens) n->tokens.push_back(std::move(t.folded));
    return n;
  }

  Node MakeWord(std::string_view word, size_t pos) {
    if (!word.empty() && word.back() == '*') {
      std::string_view stem = word.substr(0, word.size() - 1);
      std::vector<Token> tokens = Tokenize(stem);
      if (tokens.size() != 1 || tokens[0].begin != 0 || tokens[0].end != stem.size() ||
          CodePointCount(stem) < 2) {
        return Fail(pos, "a prefix must be one token of at least 2 characters");
      }
      Node n = MakeNode(QueryNode::Kind::kPrefix);
      n->prefix = tokens[0].folded;
      return n;
    }
    return MakePhrase(word, pos, "no searchable characters");
  }

  Node ParseRegex() {
    size_t start = p_++;
    std::string pattern;
    bool closed = false;
    while (!AtEnd()) {
      char c = s_[p_];
      if (c == '\\' && p_ + 1 < s_.size()) {
        if (s_[p_ + 1] == '/') {
          pattern += '/';
        } else {
          pattern += c;
          pattern += s_[p_ + 1];
        }
        p_ += 2;
        continue;
      }
      ++p_;
      if (c == '/') {
        closed = true;
        break;
      }
      pattern += c;
    }
    if (!closed) return Fail(start, "unterminated regular expression");
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) return Fail(start, "invalid regular expression: " + re->error());
    Node n = MakeNode(QueryNode::Kind::kRegex);
    n->regex = std::move(re);
    return n;
  }

  Node ParseField(std::string_view name, size_t name_pos) {
    int scope = name == "user"        ? kScopeUser
                : name == "assistant" ? kScopeAssistant
                : name == "first"     ? kScopeFirst
                                      : 0;
    if (scope != 0) {
      if (AtEnd() || IsSpace(s_[p_]) || s_[p_] == ')') return Fail(p_, "expected a term");
      Node child = ParsePrimary();
      if (!child) return nullptr;
      Node n = MakeNode(QueryNode::Kind::kScope);
      n->scope = scope;
      n->children.push_back(std::move(child));
      return n;
    }
    static const std::map<std::string_view, Field> kFields = {{"model", Field::kModel},
                                                              {"language", Field::kLanguage},
                                                              {"country", Field::kCountry},
                                                              {"state", Field::kState},
                                                              {"ip", Field::kIp},
                                                              {"hash", Field::kHash},
                                                              {"id", Field::kId},
                                                              {"toxic", Field::kToxic},
                                                              {"redacted", Field::kRedacted},
                                                              {"flagged", Field::kFlagged},
                                                              {"turns", Field::kTurns},
                                                              {"date", Field::kDate}};
    auto it = kFields.find(name);
    if (it == kFields.end()) return Fail(name_pos, "unknown field '" + std::string(name) + "'");
    size_t value_pos = p_;
    std::string value;
    if (!AtEnd() && s_[p_] == '"') {
      if (!ReadQuoted(&value)) return nullptr;
    } else {
      while (!AtEnd() && !IsSpace(s_[p_]) && s_[p_] != ')') value += s_[p_++];
    }
    if (value.empty()) return Fail(value_pos, "expected a value");
    Node n = MakeNode(QueryNode::Kind::kField);
    n->field = it->second;
    switch (n->field) {
      case Field::kModel:
      case Field::kLanguage:
      case Field::kCountry:
      case Field::kState:
        if (value.back() == '*') {
          n->value_prefix = true;
          value.pop_back();
        }
        n->value = value;
        return n;
      case Field::kIp:
      case Field::kHash:
        n->value = value;
        return n;
      case Field::kId:
        if (!ParseInteger(value, &n->lo)) return Fail(value_pos, "bad number");
        return n;
      case Field::kToxic:
      case Field::kRedacted:
      case Field::kFlagged:
        if (value != "true" && value != "false") return Fail(value_pos, "expected true or false");
        n->flag = value == "true";
        return n;
      case Field::kTurns:
        if (!ParseTurns(value, n.get())) return Fail(value_pos, "bad turns comparison");
        return n;
      case Field::kDate:
        if (!ParseDate(value, n.get())) return Fail(value_pos, "bad date");
        return n;
      default:
        return Fail(name_pos, "unknown field");
    }
  }

  static bool ParseTurns(std::string_view v, QueryNode* n) {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    int64_t x = 0;
    if (size_t dots = v.find(".."); dots != std::string_view::npos) {
      return ParseNonNegative(v.substr(0, dots), &n->lo) &&
             ParseNonNegative(v.substr(dots + 2), &n->hi);
    }
    if (v.starts_with(">=")) {
      if (!ParseNonNegative(v.substr(2), &x)) return false;
      n->lo = x, n->hi = kMax;
    } else if (v.starts_with("<=")) {
      if (!ParseNonNegative(v.substr(2), &x)) return false;
      n->lo = std::numeric_limits<int64_t>::min(), n->hi = x;
    } else if (v.starts_with(">")) {
      if (!ParseNonNegative(v.substr(1), &x)) return false;
      n->lo = x == kMax ? kMax : x + 1, n->hi = x == kMax ? kMax - 1 : kMax;
    } else if (v.starts_with("<")) {
      if (!ParseNonNegative(v.substr(1), &x)) return false;
      n->lo = std::numeric_limits<int64_t>::min(), n->hi = x - 1;
    } else {
      if (v.starts_with("=")) v.remove_prefix(1);
      if (!ParseNonNegative(v, &x)) return false;
      n->lo = n->hi = x;
    }
    return true;
  }

  static bool ParseDate(std::string_view v, QueryNode* n) {
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    int64_t start = 0, end = 0;
    if (size_t dots = v.find(".."); dots != std::string_view::npos) {
      int64_t s2 = 0, e2 = 0;
      if (!ParsePeriod(v.substr(0, dots), &start, &end) ||
          !ParsePeriod(v.substr(dots + 2), &s2, &e2)) {
        return false;
      }
      n->lo = start, n->hi = e2;
      return true;
    }
    std::string_view op;
    for (std::string_view candidate : {">=", "<=", ">", "<"}) {
      if (v.starts_with(candidate)) {
        op = candidate;
        break;
      }
    }
    if (!ParsePeriod(v.substr(op.size()), &start, &end)) return false;
    if (op.empty()) n->lo = start, n->hi = end;
    if (op == ">=") n->lo = start, n->hi = kMax;
    if (op == ">") n->lo = end, n->hi = kMax;
    if (op == "<") n->lo = kMin, n->hi = start;
    if (op == "<=") n->lo = kMin, n->hi = end;
    return true;
  }

  Node ParseScore(std::string_view head, size_t pos) {
    bool mod = head.starts_with("mod.");
    std::string_view rest = head.substr(mod ? 4 : 6);
    size_t op = rest.find_first_of("<>");
    if (op == std::string_view::npos) return Fail(pos, "expected a comparison");
    std::string_view name = rest.substr(0, op);
    Node n = MakeNode(QueryNode::Kind::kField);
    n->field = mod ? Field::kMod : Field::kDetox;
    n->index = -1;
    if (mod) {
      n->index = ModerationCategoryIndex(name);
    } else {
      for (int i = 0; i < kDetoxifyFieldCount; ++i) {
        if (kDetoxifyFields[i] == name) n->index = i;
      }
    }
    if (n->index < 0) return Fail(pos, "unknown category '" + std::string(name) + "'");
    std::string_view tail = rest.substr(op);
    if (tail.starts_with(">=")) {
      n->compare = Compare::kGe, tail.remove_prefix(2);
    } else if (tail.starts_with("<=")) {
      n->compare = Compare::kLe, tail.remove_prefix(2);
    } else if (tail.starts_with(">")) {
      n->compare = Compare::kGt, tail.remove_prefix(1);
    } else {
      n->compare = Compare::kLt, tail.remove_prefix(1);
    }
    if (!ParseDecimal(tail, &n->number)) return Fail(pos, "bad number");
    return n;
  }

  std::string_view s_;
  size_t p_ = 0;
  Status error_;
};

bool EqualsAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool MatchesValue(const std::optional<std::string>& field, const QueryNode& n) {
  if (!field) return false;
  if (n.value_prefix) {
    return field->size() >= n.value.size() &&
           EqualsAsciiCase(std::string_view(*field).substr(0, n.value.size()), n.value);
  }
  return EqualsAsciiCase(*field, n.value);
}

bool HasText(const QueryNode& n) {
  if (n.kind == QueryNode::Kind::kPhrase || n.kind == QueryNode::Kind::kPrefix ||
      n.kind == QueryNode::Kind::kRegex) {
    return true;
  }
  for (const Node& c : n.children) {
    if (HasText(*c)) return true;
  }
  return false;
}

int FirstUserUtterance(const Conversation& c) {
  for (size_t i = 0; i < c.conversation.size(); ++i) {
    if (c.conversation[i].role == "user") return static_cast<int>(i);
  }
  return -1;
}

bool InScope(const Conversation& c, size_t i, int scope, int first_user) {
  const std::string& role = c.conversation[i].role;
  if ((scope & kScopeUser) && role != "user") return false;
  if ((scope & kScopeAssistant) && role != "assistant") return false;
  if ((scope & kScopeFirst) && static_cast<int>(i) != first_user) return false;
  return true;
}

std::string TurnsBucket(int64_t turns) {
  if (turns >= 1 && turns <= 5) return std::to_string(turns);
  if (turns >= 6 && turns <= 10) return "6-10";
  if (turns >= 11 && turns <= 20) return "11-20";
  if (turns >= 21) return "21+";
  return "";
}

}  // namespace

// ---------------------------------------------------------------- ReferenceSearch

const std::vector<std::string>& AllFacetFields() {
  static const std::vector<std::string> kFields = {"model", "language", "country", "state",
                                                   "toxic", "redacted", "turns",   "month"};
  return kFields;
}

ReferenceSearch::ReferenceSearch(const std::vector<Conversation>* records) : records_(records) {
  docs_.resize(records->size());
  for (uint32_t row = 0; row < records->size(); ++row) {
    const Conversation& c = (*records)[row];
    for (const Utterance& u : c.conversation) {
      std::vector<uint32_t> ids;
      for (const Token& t : Tokenize(u.content)) {
        auto [it, inserted] =
            token_ids_.emplace(t.folded, static_cast<uint32_t>(token_text_.size()));
        if (inserted) token_text_.push_back(t.folded);
        ids.push_back(it->second);
      }
      docs_[row].utterance_tokens.push_back(std::move(ids));
      row_of_turn_.emplace(u.turn_identifier, row);
    }
  }
}

ReferenceSearch::~ReferenceSearch() = default;

Status ReferenceSearch::Parse(std::string_view query, std::unique_ptr<QueryNode>* out) const {
  WILDCHAT_RETURN_IF_ERROR(Parser(query).Parse(out));
  // Resolve tokens and prefixes against the corpus vocabulary.
  std::vector<QueryNode*> stack = {out->get()};
  while (!stack.empty()) {
    QueryNode* n = stack.back();
    stack.pop_back();
    for (auto& c : n->children) stack.push_back(c.get());
    if (n->kind == QueryNode::Kind::kPhrase) {
      for (const std::string& t : n->tokens) {
        auto it = token_ids_.find(t);
        n->token_ids.push_back(it == token_ids_.end() ? kNoToken : it->second);
      }
    } else if (n->kind == QueryNode::Kind::kPrefix) {
      n->prefix_ids.assign(token_text_.size(), false);
      for (size_t id = 0; id < token_text_.size(); ++id) {
        n->prefix_ids[id] = token_text_[id].starts_with(n->prefix);
      }
    }
  }
  return Status::OK();
}

bool ReferenceSearch::Eval(const QueryNode& n, uint32_t row, int scope) const {
  const Conversation& c = (*records_)[row];
  using Kind = QueryNode::Kind;
  switch (n.kind) {
    case Kind::kAll:
      return true;
    case Kind::kAnd:
      for (const Node& child : n.children) {
        if (!Eval(*child, row, scope)) return false;
      }
      return true;
    case Kind::kOr:
      for (const Node& child : n.children) {
        if (Eval(*child, row, scope)) return true;
      }
      return false;
    case Kind::kNot:
      return !Eval(*n.children[0], row, scope);
    case Kind::kScope:
      return Eval(*n.children[0], row, scope | n.scope);
    case Kind::kPhrase:
    case Kind::kPrefix:
    case Kind::kRegex: {
      int first_user = FirstUserUtterance(c);
      const Doc& doc = docs_[row];
      for (size_t i = 0; i < c.conversation.size(); ++i) {
        if (!InScope(c, i, scope, first_user)) continue;
        const std::vector<uint32_t>& toks = doc.utterance_tokens[i];
        if (n.kind == Kind::kRegex) {
          if (RE2::PartialMatch(c.conversation[i].content, *n.regex)) return true;
        } else if (n.kind == Kind::kPrefix) {
          for (uint32_t t : toks) {
            if (n.prefix_ids[t]) return true;
          }
        } else {
          const std::vector<uint32_t>& want = n.token_ids;
          if (std::find(want.begin(), want.end(), kNoToken) != want.end()) return false;
          if (toks.size() < want.size()) continue;
          for (size_t start = 0; start + want.size() <= toks.size(); ++start) {
            if (std::equal(want.begin(), want.end(),
                           toks.begin() + static_cast<ptrdiff_t>(start))) {
              return true;
            }
          }
        }
      }
      return false;
    }
    case Kind::kField:
      break;
  }
  switch (n.field) {
    case Field::kModel:
      return MatchesValue(c.model, n);
    case Field::kLanguage:
      return MatchesValue(c.language, n);
    case Field::kCountry:
      return MatchesValue(c.country, n);
    case Field::kState:
      return MatchesValue(c.state, n);
    case Field::kIp:
      return c.hashed_ip && EqualsAsciiCase(*c.hashed_ip, n.value);
    case Field::kHash:
      return EqualsAsciiCase(c.conversation_hash, n.value);
    case Field::kId:
      for (const Utterance& u : c.conversation) {
        if (u.turn_identifier == n.lo) return true;
      }
      return false;
    case Field::kToxic:
      return IsTrue(c.toxic) == n.flag;
    case Field::kRedacted:
      return IsTrue(c.redacted) == n.flag;
    case Field::kFlagged: {
      bool any = false;
      for (const OpenAiModeration& m : c.openai_moderation) any = any || IsTrue(m.flagged);
      return any == n.flag;
    }
    case Field::kTurns:
      return c.turn >= n.lo && c.turn <= n.hi;
    case Field::kDate:
      return c.timestamp && *c.timestamp >= n.lo && *c.timestamp < n.hi;
    case Field::kMod:
    case Field::kDetox: {
      std::optional<double> best;
      auto consider = [&](double v) {
        if (!IsNullScore(v) && (!best || v > *best)) best = v;
      };
      if (n.field == Field::kMod) {
        for (const OpenAiModeration& m : c.openai_moderation) consider(m.category_scores[n.index]);
      } else {
        for (const DetoxifyModeration& d : c.detoxify_moderation) consider(d.scores[n.index]);
      }
      if (!best) return false;
      switch (n.compare) {
        case Compare::kGt:
          return *best > n.number;
        case Compare::kGe:
          return *best >= n.number;
        case Compare::kLt:
          return *best < n.number;
        case Compare::kLe:
          return *best <= n.number;
      }
      return false;
    }
  }
  return false;
}

Status ReferenceSearch::Match(std::string_view query, std::vector<uint32_t>* rows) const {
  rows->clear();
  std::unique_ptr<QueryNode> root;
  WILDCHAT_RETURN_IF_ERROR(Parse(query, &root));
  for (uint32_t row = 0; row < records_->size(); ++row) {
    if (Eval(*root, row, 0)) rows->push_back(row);
  }
  return Status::OK();
}

uint32_t ReferenceSearch::Occurrences(const QueryNode& n, uint32_t row, int scope) const {
  const Conversation& c = (*records_)[row];
  const int first_user = FirstUserUtterance(c);
  uint32_t count = 0;
  for (size_t i = 0; i < c.conversation.size(); ++i) {
    if (!InScope(c, i, scope, first_user)) continue;
    const std::vector<uint32_t>& toks = docs_[row].utterance_tokens[i];
    if (n.kind == QueryNode::Kind::kPrefix) {
      for (uint32_t t : toks) count += n.prefix_ids[t] ? 1 : 0;
      continue;
    }
    const std::vector<uint32_t>& want = n.token_ids;
    for (size_t start = 0; start + want.size() <= toks.size(); ++start) {
      count += std::equal(want.begin(), want.end(), toks.begin() + static_cast<ptrdiff_t>(start))
                   ? 1
                   : 0;
    }
  }
  return count;
}

Status ReferenceSearch::Scores(std::string_view query, const std::vector<uint32_t>& rows,
                               std::vector<double>* out) const {
  out->clear();
  std::unique_ptr<QueryNode> root;
  WILDCHAT_RETURN_IF_ERROR(Parse(query, &root));
  // The scored terms with their scopes: words, phrases and prefixes outside
  // any NOT.
  std::vector<std::pair<const QueryNode*, int>> terms;
  std::function<void(const QueryNode&, int)> collect = [&](const QueryNode& n, int scope) {
    using Kind = QueryNode::Kind;
    if (n.kind == Kind::kNot) return;
    if (n.kind == Kind::kScope) scope |= n.scope;
    if (n.kind == Kind::kPhrase || n.kind == Kind::kPrefix) terms.emplace_back(&n, scope);
    for (const Node& child : n.children) collect(*child, scope);
  };
  collect(*root, 0);
  if (terms.empty()) return Status::Unsupported("no scored terms");
  const double n_docs = static_cast<double>(records_->size());
  std::vector<double> length(records_->size(), 0);
  double total = 0;
  for (size_t r = 0; r < records_->size(); ++r) {
    for (const auto& toks : docs_[r].utterance_tokens)
      length[r] += static_cast<double>(toks.size());
    total += length[r];
  }
  const double avgdl = total / std::max(1.0, n_docs);
  std::vector<double> idf;
  for (const auto& [n, scope] : terms) {
    // A word counts the conversations holding it in any utterance; a phrase
    // or prefix those where it occurs in scope.
    const bool word = n->kind == QueryNode::Kind::kPhrase && n->token_ids.size() == 1;
    double df = 0;
    for (uint32_t r = 0; r < records_->size(); ++r) {
      df += Occurrences(*n, r, word ? 0 : scope) > 0 ? 1 : 0;
    }
    idf.push_back(std::log(1.0 + (n_docs - df + 0.5) / (df + 0.5)));
  }
  constexpr double kK1 = 1.2, kB = 0.75;
  for (uint32_t r : rows) {
    double score = 0;
    for (size_t t = 0; t < terms.size(); ++t) {
      const double f = Occurrences(*terms[t].first, r, terms[t].second);
      if (f > 0) score += idf[t] * f * (kK1 + 1) / (f + kK1 * (1 - kB + kB * length[r] / avgdl));
    }
    out->push_back(score);
  }
  return Status::OK();
}

bool ReferenceSearch::HasTextTerms(std::string_view query) const {
  std::unique_ptr<QueryNode> root;
  return Parse(query, &root).ok() && HasText(*root);
}

FacetCounts ReferenceSearch::Facet(std::string_view field,
                                   const std::vector<uint32_t>& rows) const {
  std::map<std::string, uint64_t> counts;
  for (uint32_t row : rows) {
    const Conversation& c = (*records_)[row];
    std::optional<std::string> v;
    if (field == "model") v = c.model;
    if (field == "language") v = c.language;
    if (field == "country") v = c.country;
    if (field == "state") v = c.state;
    // The flag's value, null counting as false as in the toxic:/redacted:
    // filters, so that a facet count is the total of the search it links to.
    if (field == "toxic") v = IsTrue(c.toxic) ? "true" : "false";
    if (field == "redacted") v = IsTrue(c.redacted) ? "true" : "false";
    if (field == "turns") {
      std::string b = TurnsBucket(c.turn);
      if (!b.empty()) v = b;
    }
    if (field == "month" && c.timestamp) v = MonthOf(*c.timestamp);
    if (v) ++counts[*v];
  }
  FacetCounts out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::vector<uint32_t> ReferenceSearch::Sorted(std::vector<uint32_t> rows, bool newest) const {
  const std::vector<Conversation>& r = *records_;
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    const Conversation& x = r[a];
    const Conversation& y = r[b];
    if (x.timestamp.has_value() != y.timestamp.has_value()) return x.timestamp.has_value();
    if (x.timestamp && *x.timestamp != *y.timestamp) {
      return newest ? *x.timestamp > *y.timestamp : *x.timestamp < *y.timestamp;
    }
    return x.id() < y.id();
  });
  return rows;
}

Status ReferenceSearch::Search(const SearchRequest& request, SearchResult* result) const {
  *result = SearchResult();
  std::vector<uint32_t> rows;
  WILDCHAT_RETURN_IF_ERROR(Match(request.query, &rows));
  bool newest = true;
  switch (request.sort) {
    case SortOrder::kNewest:
      break;
    case SortOrder::kOldest:
      newest = false;
      break;
    case SortOrder::kRelevance:
      if (HasTextTerms(request.query)) return Status::Unsupported("reference: BM25 order");
      break;
    case SortOrder::kRandom:
      return Status::Unsupported("reference: random order");
  }
  result->total = rows.size();
  for (const std::string& f : request.facets) {
    const auto& all = AllFacetFields();
    if (std::find(all.begin(), all.end(), f) == all.end()) {
      return Status::InvalidArgument("unknown facet field '" + f + "'");
    }
    result->facets.emplace_back(f, Facet(f, rows));
  }
  rows = Sorted(std::move(rows), newest);
  int64_t begin = std::clamp<int64_t>(request.offset, 0, static_cast<int64_t>(rows.size()));
  int64_t end = std::clamp<int64_t>(begin + std::max<int64_t>(request.limit, 0), begin,
                                    static_cast<int64_t>(rows.size()));
  for (int64_t i = begin; i < end; ++i) {
    const Conversation& c = (*records_)[rows[static_cast<size_t>(i)]];
    Hit h;
    h.id = c.id();
    h.conversation_hash = c.conversation_hash;
    h.model = c.model;
    h.timestamp = c.timestamp;
    h.language = c.language;
    h.country = c.country;
    h.state = c.state;
    h.hashed_ip = c.hashed_ip;
    h.turn = c.turn;
    h.toxic = IsTrue(c.toxic);
    h.redacted = IsTrue(c.redacted);
    result->hits.push_back(std::move(h));
  }
  return Status::OK();
}

Status ReferenceSearch::Get(int64_t turn_identifier, Conversation* out) const {
  auto it = row_of_turn_.find(turn_identifier);
  if (it == row_of_turn_.end())
    return Status::NotFound("no turn " + std::to_string(turn_identifier));
  *out = (*records_)[it->second];
  return Status::OK();
}

}  // namespace wildchat::reference
