#include "engine/testing/query_generator.h"

#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <unordered_map>

#include "engine/testing/reference_search.h"
#include "model/timestamp.h"

namespace wildchat::reference {

namespace {

// Per code point upper/lower/title mapping (simple, ICU).
std::string MapCase(const std::string& s, int mode) {
  std::string out;
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  bool first = true;
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c < 0) continue;
    UChar32 m = mode == 0 ? u_toupper(c) : mode == 1 ? u_tolower(c) : first ? u_totitle(c) : c;
    first = false;
    char buf[U8_MAX_LENGTH];
    int32_t len = 0;
    UBool err = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, U8_MAX_LENGTH, m, err);
    if (!err) out.append(buf, static_cast<size_t>(len));
  }
  return out;
}

bool IsCjkOrThai(std::string_view token_text) {
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(token_text.data()), i,
          static_cast<int32_t>(token_text.size()), c);
  if (c < 0) return false;
  UErrorCode e = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(c, &e);
  return s == USCRIPT_HAN || s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA || s == USCRIPT_THAI;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string FormatDay(TimestampMicros t) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  int64_t days = t / (int64_t{86400} * 1000000);
  if (t < 0 && t % (int64_t{86400} * 1000000) != 0) --days;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

}  // namespace

QueryGenerator::QueryGenerator(const std::vector<Conversation>* records, uint64_t seed)
    : records_(records), rng_(seed * 0x9e3779b97f4a7c15ULL + 17) {
  std::unordered_map<std::string, std::pair<std::string, uint32_t>>
      seen;  // folded → (spelling, df)
  for (const Conversation& c : *records) {
    std::unordered_map<std::string, bool> in_doc;
    for (const Utterance& u : c.conversation) {
      for (const Token& t : Tokenize(u.content)) {
        auto [it, inserted] = in_doc.emplace(t.folded, true);
        if (!inserted) continue;
        auto& entry = seen[t.folded];
        if (entry.second == 0) entry.first = u.content.substr(t.begin, t.end - t.begin);
        ++entry.second;
      }
    }
  }
  std::vector<std::pair<std::string, uint32_t>> all;
  for (auto& [folded, entry] : seen) all.push_back(entry);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (auto& [spelling, df] : all) {
    vocabulary_.push_back(spelling);
    document_frequency_.push_back(df);
  }
}

uint64_t QueryGenerator::Below(uint64_t n) {
  return n == 0 ? 0 : rng_() % n;
}

std::string QueryGenerator::Word(Band band) {
  if (vocabulary_.empty()) return "hello";
  size_t n = vocabulary_.size();
  size_t frequent = std::max<size_t>(1, n / 50);
  size_t middle = std::max<size_t>(frequent + 1, n / 5);
  switch (band) {
    case Band::kFrequent:
      return vocabulary_[Below(frequent)];
    case Band::kMiddle:
      return vocabulary_[std::min(n - 1, frequent + Below(middle - frequent))];
    case Band::kRare:
      return vocabulary_[std::min(n - 1, middle + Below(n - middle))];
  }
  return vocabulary_[0];
}

std::string QueryGenerator::CaseVariant(const std::string& word) {
  switch (Below(5)) {
    case 0:
      return MapCase(word, 0);
    case 1:
      return MapCase(word, 1);
    case 2:
      return MapCase(word, 2);
    default:
      return word;
  }
}

std::string QueryGenerator::Phrase() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const Conversation& c = (*records_)[Below(records_->size())];
    if (c.conversation.empty()) continue;
    const std::string& text = c.conversation[Below(c.conversation.size())].content;
    std::vector<Token> tokens = Tokenize(text);
    if (tokens.size() < 2) continue;
    size_t len = 2 + Below(3);
    if (len > tokens.size()) len = tokens.size();
    size_t start = Below(tokens.size() - len + 1);
    std::string raw =
        text.substr(tokens[start].begin, tokens[start + len - 1].end - tokens[start].begin);
    if (raw.find_first_of("\\\n\r\t") != std::string::npos) continue;
    if (Below(4) == 0) raw = CaseVariant(raw);
    return Quote(raw);
  }
  return "\"hello world\"";
}

std::string QueryGenerator::CjkRun() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const Conversation& c = (*records_)[Below(records_->size())];
    if (c.conversation.empty()) continue;
    const std::string& text = c.conversation[Below(c.conversation.size())].content;
    std::vector<Token> tokens = Tokenize(text);
    if (tokens.size() < 2) continue;
    size_t start = Below(tokens.size() - 1);
    size_t want = 2 + Below(3);
    size_t end = start;  // adjacent single-character CJK/Thai tokens
    while (end < tokens.size() && end - start < want &&
           IsCjkOrThai(text.substr(tokens[end].begin, tokens[end].end - tokens[end].begin)) &&
           (end == start || tokens[end].begin == tokens[end - 1].end)) {
      ++end;
    }
    if (end - start < 2) continue;
    return text.substr(tokens[start].begin, tokens[end - 1].end - tokens[start].begin);
  }
  return "北京大学";
}

std::string QueryGenerator::Prefix() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string w = Word(Below(2) ? Band::kMiddle : Band::kFrequent);
    if (IsCjkOrThai(w)) continue;
    std::vector<int32_t> cuts;  // byte offsets of code point boundaries
    int32_t i = 0, n = static_cast<int32_t>(w.size());
    while (i < n) {
      U8_FWD_1(reinterpret_cast<const uint8_t*>(w.data()), i, n);
      cuts.push_back(i);
    }
    if (cuts.size() < 3) continue;
    size_t k = 2 + Below(cuts.size() - 2);  // 2 .. len-1 code points
    std::string stem = w.substr(0, static_cast<size_t>(cuts[k - 1]));
    if (Tokenize(stem).size() != 1) continue;
    return CaseVariant(stem) + "*";
  }
  return "transform*";
}

std::string QueryGenerator::Regex(bool cheap_literal) {
  static const char* kTemplates[] = {"sk-[A-Za-z0-9]{20,}",
                                     "\\d{4,}",
                                     "def \\w+\\(",
                                     "^Hello",
                                     "[А-Яа-яЁё]+ость",
                                     "\\p{Han}{3}",
                                     "\\p{Thai}+ครับ",
                                     "(?i)hello,? world",
                                     "<PRESIDIO_ANONYMIZED_[A-Z_]+>",
                                     "https?:\\/\\/[^ ]+",
                                     "a\\/b\\/c",
                                     "colou?r",
                                     "\\bthe\\b",
                                     "zzz[0-9]+qqq",
                                     "(?i)straße",
                                     "[0-9]+\\.[0-9]+",
                                     "int main\\(\\)",
                                     "😀",
                                     "(?i)^\\s*write",
                                     "x86_64",
                                     "(?i)c\\+\\+",
                                     "(?i)(hello|привет|你好)",
                                     "e-?mail",
                                     "北京|上海",
                                     "@gmail\\.com",
                                     "(?i)as an ai",
                                     "(?i)ΣΊΣΥΦΟΣ",
                                     "[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                     "(?i)[a-z]+-[0-9]{2,}",
                                     "\\d{1,3}\\.\\d{1,3}\\.\\d+",
                                     "(?i)the[a-z]*\\s+[a-z]{3}\\b"};
  if (cheap_literal || Below(4) == 0) {
    std::string w = Word(Below(2) ? Band::kFrequent : Band::kMiddle);
    std::string re = RE2::QuoteMeta(w);
    std::string escaped;
    for (char c : re) {
      if (c == '/') escaped += '\\';
      escaped += c;
    }
    return "/" + std::string(Below(2) ? "(?i)" : "") + escaped + "/";
  }
  switch (Below(3)) {
    case 0:
      return "/" + std::string(kTemplates[Below(std::size(kTemplates))]) + "/";
    case 1: {
      // A literal cut from real text across punctuation and spaces, as is
      // or case-insensitive in another case.
      std::string cut = TextCut();
      if (Below(2)) return "/" + RE2::QuoteMeta(cut) + "/";
      return "/(?i)" + RE2::QuoteMeta(Below(2) ? MapCase(cut, 0) : MapCase(cut, 1)) + "/";
    }
    default: {
      std::string a = RE2::QuoteMeta(TextCut());
      std::string b = RE2::QuoteMeta(Below(2) ? TextCut() : CjkRun());
      return "/" + std::string(Below(2) ? "(?i)" : "") + "(" + a + "|" + b + ")/";
    }
  }
}

// QuoteMeta output needs no further escaping inside /…/: it writes `/` as
// `\/`, which the query lexer turns back into `/`.
std::string QueryGenerator::TextCut() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const Conversation& c = (*records_)[Below(records_->size())];
    if (c.conversation.empty()) continue;
    const std::string& text = c.conversation[Below(c.conversation.size())].content;
    std::vector<int32_t> starts;  // byte offsets of code points
    int32_t i = 0, n = static_cast<int32_t>(text.size());
    while (i < n) {
      starts.push_back(i);
      U8_FWD_1(reinterpret_cast<const uint8_t*>(text.data()), i, n);
    }
    starts.push_back(n);
    if (starts.size() < 4) continue;
    const size_t a = Below(starts.size() - 3);
    const size_t len = std::min<size_t>(3 + Below(14), starts.size() - 1 - a);
    std::string cut = text.substr(static_cast<size_t>(starts[a]),
                                  static_cast<size_t>(starts[a + len] - starts[a]));
    if (cut.find_first_of("\\\n\r\t") != std::string::npos) continue;
    return cut;
  }
  return "e-mail";
}

std::string QueryGenerator::FilterOf(const std::string& field) {
  const Conversation& c = (*records_)[Below(records_->size())];
  auto pick = [&](std::initializer_list<const char*> list) {
    return std::string(*(list.begin() + Below(list.size())));
  };
  auto maybe_quote = [&](const std::string& v) {
    return v.find_first_of(" \"") != std::string::npos || Below(4) == 0 ? Quote(v) : v;
  };
  if (field == "model") {
    if (Below(3) == 0)
      return "model:" + pick({"gpt-4*", "GPT-3.5*", "gpt-4-0*", "gpt-5", "claude*"});
    return "model:" + (Below(3) == 0 ? MapCase(c.model, 0) : c.model);
  }
  if (field == "language" || field == "country" || field == "state") {
    const std::optional<std::string>& v = field == "language"  ? c.language
                                          : field == "country" ? c.country
                                                               : c.state;
    if (!v || Below(5) == 0) {
      if (field == "language") return "language:" + pick({"Klingon", "english", "Ja*", "RUSS*"});
      if (field == "country") {
        return "country:" + pick({"\"united states\"", "\"CÔTE D'IVOIRE\"", "\"Côte d'Ivoire\"",
                                  "Atlantis", "United*", "T*"});
      }
      return "state:" + pick({"\"New York\"", "New*", "St.-Petersburg", "Nowhere"});
    }
    std::string value = Below(4) == 0 ? MapCase(*v, 1) : *v;
    if (Below(6) == 0 && value.size() > 2 && value.find(' ') == std::string::npos &&
        static_cast<unsigned char>(value[0]) < 0x80 &&
        static_cast<unsigned char>(value[1]) < 0x80) {
      return field + ":" + value.substr(0, 2) + "*";
    }
    return field + ":" + maybe_quote(value);
  }
  if (field == "ip") {
    if (!c.hashed_ip || Below(5) == 0) return "ip:" + std::string(64, 'f');
    return "ip:" + (Below(3) == 0 ? MapCase(*c.hashed_ip, 0) : *c.hashed_ip);
  }
  if (field == "hash") {
    if (Below(5) == 0) return "hash:0123456789abcdef0123456789abcdef";
    return "hash:" + (Below(3) == 0 ? MapCase(c.conversation_hash, 0) : c.conversation_hash);
  }
  if (field == "id") {
    if (Below(6) == 0 || c.conversation.empty()) return "id:" + pick({"1", "-5", "999999999999"});
    return "id:" + std::to_string(c.conversation[Below(c.conversation.size())].turn_identifier);
  }
  if (field == "toxic" || field == "redacted" || field == "flagged") {
    return field + (Below(2) ? ":true" : ":false");
  }
  if (field == "turns") {
    uint64_t x = Below(12), y = Below(12);
    std::string a = std::to_string(std::min(x, y)), b = std::to_string(std::max(x, y));
    switch (Below(7)) {
      case 0:
        return "turns:" + a;
      case 1:
        return "turns:=" + a;
      case 2:
        return "turns:>" + a;
      case 3:
        return "turns:>=" + a;
      case 4:
        return "turns:<" + a;
      case 5:
        return "turns:<=" + a;
      default:
        return "turns:" + a + ".." + b;
    }
  }
  if (field == "date") {
    std::string day = c.timestamp ? FormatDay(*c.timestamp) : "2023-07-04";
    std::string periods[] = {day,    day.substr(0, 7), day.substr(0, 4),
                             "2022", "2024-02-29",     "2023-12"};
    auto period = [&] { return periods[Below(std::size(periods))]; };
    switch (Below(6)) {
      case 0:
        return "date:" + period();
      case 1:
        return "date:>=" + period();
      case 2:
        return "date:>" + period();
      case 3:
        return "date:<" + period();
      case 4:
        return "date:<=" + period();
      default:
        return "date:" + period() + ".." + period();
    }
  }
  static const char* kOps[] = {">", ">=", "<", "<="};
  static const char* kValues[] = {"0.001", "0.01", "0.1", "0.25", "0.5", "0.9", "0", "1"};
  std::string op = kOps[Below(4)];
  std::string value = kValues[Below(std::size(kValues))];
  if (field == "mod") {
    return "mod." + std::string(kModerationCategories[Below(kModerationCategoryCount)]) + op +
           value;
  }
  return "detox." + std::string(kDetoxifyFields[Below(kDetoxifyFieldCount)]) + op + value;
}

std::string QueryGenerator::Filter() {
  static const char* kFields[] = {"model", "language", "country",  "state",   "ip",    "hash",
                                  "id",    "toxic",    "redacted", "flagged", "turns", "date",
                                  "mod",   "detox",    "turns",    "date",    "mod",   "language"};
  return FilterOf(kFields[Below(std::size(kFields))]);
}

std::string QueryGenerator::Malformed() {
  static const char* kBad[] = {"(climate change",
                               "climate change)",
                               "python OR",
                               "OR python",
                               "python AND",
                               "NOT",
                               "\"unterminated",
                               "/unterminated",
                               "/(ab/",
                               "/[z-a]/",
                               "foo:bar",
                               "Model:gpt-4",
                               "http://example.com",
                               "turns:>x",
                               "turns:",
                               "turns:1..",
                               "date:2023-13",
                               "date:2023-02-30",
                               "date:20230",
                               "date:May",
                               "mod.unknown>0.5",
                               "mod.harassment",
                               "mod.harassment>abc",
                               "detox.toxicity>",
                               "detox.rudeness<0.5",
                               "!!!",
                               "a*",
                               "e-mail*",
                               "toxic:maybe",
                               "id:abc",
                               "flagged:yes",
                               "user:",
                               "python (rust",
                               "((a OR b)",
                               "a OR OR b",
                               "AND",
                               "language:",
                               "*",
                               "mod.Harassment>0.5",
                               "redacted:TRUE1"};
  std::string bad = kBad[Below(std::size(kBad))];
  // A dangling operator or empty field value ("python OR", "OR python",
  // "NOT", "user:") becomes valid with a word on its open side, so no word
  // goes there.
  const bool open_end =
      bad.ends_with("OR") || bad.ends_with("AND") || bad.ends_with("NOT") || bad.ends_with(":");
  const bool open_start = bad.starts_with("OR") || bad.starts_with("AND");
  switch (Below(3)) {
    case 0:
      if (!open_start) return Word(Band::kFrequent) + " " + bad;
      return bad;
    case 1:
      if (!open_end) return bad + " " + Word(Band::kMiddle);
      return bad;
    default:
      return bad;
  }
}

std::string QueryGenerator::Term() {
  last_was_filter_ = false;
  switch (Below(16)) {
    case 0:
    case 1:
    case 2:
      return CaseVariant(Word(Band::kFrequent));
    case 3:
    case 4:
      return CaseVariant(Word(Band::kMiddle));
    case 5:
      return CaseVariant(Word(Band::kRare));
    case 6:
      return Phrase();
    case 7:
      return CjkRun();
    case 8:
      return Prefix();
    case 9:
      return Regex(false);
    case 10: {
      static const char* kMulti[] = {
          "e-mail", "3.14",  "state-of-the-art", "x86_64", "C++", "well-known",
          "don't",  "a/b/c", "hello-world",      "zzqxv"};
      return kMulti[Below(std::size(kMulti))];
    }
    default:
      last_was_filter_ = true;
      return Filter();
  }
}

std::string QueryGenerator::Expr(int depth) {
  uint64_t r = depth <= 0 ? 0 : Below(10);
  if (r <= 3) return Term();
  if (r == 4) {  // OR chain
    std::string s = Expr(depth - 1);
    for (uint64_t i = 0, n = 1 + Below(2); i < n; ++i) s += " OR " + Expr(depth - 1);
    return s;
  }
  if (r == 5) {  // group
    std::string inner = Expr(depth - 1) + " " + Expr(depth - 1);
    if (Below(3) == 0) inner = Expr(depth - 1) + " AND " + Expr(depth - 1);
    std::string s = "(" + inner + (last_was_filter_ ? " )" : ")");
    last_was_filter_ = false;
    return s;
  }
  if (r == 6) {  // negation
    std::string inner = Expr(depth - 1);
    if (inner.find(' ') != std::string::npos && inner[0] != '(') {
      inner = "(" + inner + (last_was_filter_ ? " )" : ")");
      last_was_filter_ = false;
    }
    return (Below(2) ? "-" : "NOT ") + inner;
  }
  if (r == 7) {  // scope
    static const char* kScopes[] = {"user:", "assistant:", "first:"};
    std::string scope = kScopes[Below(3)];
    switch (Below(4)) {
      case 0: {
        // Upper-case AND/OR/NOT right after a scope is left open by the
        // contract (a word or an operator?), so it is not generated.
        std::string w = CaseVariant(Word(Band::kFrequent));
        if (w == "AND" || w == "OR" || w == "NOT") w = MapCase(w, 1);
        return scope + w;
      }
      case 1:
        return scope + Phrase();
      case 2:
        return scope + Regex(true);
      default: {
        std::string inner = Expr(depth - 1) + (Below(2) ? " " + Expr(depth - 1) : "");
        std::string s = scope + "(" + inner + (last_was_filter_ ? " )" : ")");
        last_was_filter_ = false;
        return s;
      }
    }
  }
  // AND of two or three
  std::string s = Expr(depth - 1);
  for (uint64_t i = 0, n = 1 + Below(2); i < n; ++i) s += " " + Expr(depth - 1);
  return s;
}

GeneratedQuery QueryGenerator::Next() {
  uint64_t r = Below(100);
  if (r < 8) return {Malformed(), "malformed"};
  if (r < 20) return {Term(), "term"};
  if (r < 30) return {Filter(), "filter"};
  if (r < 40) return {Term() + " " + Filter(), "term+filter"};
  return {Expr(1 + static_cast<int>(Below(3))), "expr"};
}

std::vector<GeneratedQuery> QueryGenerator::EdgeCases() {
  const std::string kValid[] = {
      "",
      "   ",
      "climate change",
      "\"climate change\"",
      "python OR rust",
      "essay -homework",
      "essay NOT homework",
      "(python OR rust) NOT java",
      "transform*",
      "TRANSFORM*",
      "/sk-[A-Za-z0-9]{20,}/",
      "user:(write a poem)",
      "assistant:\"as an AI\"",
      "first:(hello)",
      "first:(assistant:(the))",
      "user:(first:(the))",
      "user:/sk-[A-Za-z0-9]{20,}/",
      "model:gpt-4 language:Chinese",
      "country:\"United States\" state:California",
      "model:gpt-4*",
      "model:GPT-4-0314",
      "toxic:true",
      "redacted:false",
      "flagged:true",
      "flagged:false",
      "turns:>=3",
      "turns:2..5",
      "turns:=1",
      "date:2023-05-01..2023-06-30",
      "date:>=2024-01",
      "date:2023",
      "date:<2023-06-15",
      "date:>2023-12",
      "date:<=2023-04-10",
      "mod.harassment>0.5",
      "mod.self-harm/intent>=0.2",
      "mod.self_harm_intent>=0.2",
      "detox.toxicity>0.1",
      "mod.sexual/minors<0.01",
      "-the",
      "NOT the",
      "-zzqxv",
      "the -the",
      "and or not",
      "the AND and",
      "a b OR c",
      "hello OR world code",
      "NOT hello OR world",
      "-(python OR rust) -java",
      "e-mail",
      "3.14",
      "北京大学",
      "北京",
      "コーヒー",
      "カタカナ",
      "ภาษาไทย",
      "Straße",
      "STRASSE",
      "ΣΟΦΊΑΣ",
      "σοφίας",
      "İstanbul",
      "ISTANBUL",
      "istanbul",
      "ǆemal",
      "CAFÉ",
      "\"hello world\"",
      "hello world",
      "\"Hello, World!\"",
      "\"HELLO, world\"",
      "\"as an AI\"",
      "\"def foo\"",
      "\"return x\"",
      "\"C++ and C#\"",
      "\"he said \\\"hi\\\"\"",
      "\"sk\"",
      "/a\\/b\\/c/",
      "/(?i)HELLO/",
      "/^$/",
      "ip:" + std::string(64, 'f'),
      "id:-5",
      "country:\"CÔTE D'IVOIRE\"",
      "country:\"côte d'ivoire\"",
      "language:english",
      "state:\"new york\"",
      "mod.harassment>=0 -mod.harassment>0.5",
      "detox.toxicity<=1",
      "user:the assistant:the",
      "first:the -user:the",
      "( the )",
      "(the)",
      "((the OR code) essay)",
  };
  std::vector<GeneratedQuery> out;
  for (const std::string& q : kValid) out.push_back({q, "edge"});
  static const char* kBad[] = {"(climate change",
                               "climate change)",
                               "python OR",
                               "OR python",
                               "\"unterminated",
                               "/unterminated",
                               "/(ab/",
                               "foo:bar",
                               "Model:gpt-4",
                               "http://example.com",
                               "turns:>x",
                               "date:2023-13",
                               "date:2023-02-30",
                               "mod.unknown>0.5",
                               "mod.harassment",
                               "!!!",
                               "a*",
                               "e-mail*",
                               "toxic:maybe",
                               "id:abc",
                               "user:",
                               "NOT",
                               "detox.toxicity>",
                               "python AND"};
  for (const char* q : kBad) out.push_back({q, "edge-malformed"});
  return out;
}

}  // namespace wildchat::reference
