#include "engine/snippet/snippet.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "engine/segment/segment_format.h"
#include "engine/text/tokenizer.h"

namespace wildchat {
namespace {

constexpr size_t kBefore = 60;
constexpr size_t kWindow = 240;

using Span = std::pair<size_t, size_t>;

size_t BackToBoundary(std::string_view s, size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

constexpr size_t kNowhere = std::string_view::npos;
constexpr size_t kCannotTell = std::string_view::npos - 1;

// Whether every token of text folds as its ASCII case folding spells it:
// text holds neither of the two non-ASCII letters whose folding is ASCII
// (KELVIN SIGN → k, LONG S → s).
bool AsciiFoldingIsExact(std::string_view text) {
  return text.find("\xE2\x84\xAA") == std::string_view::npos &&
         text.find("\xC5\xBF") == std::string_view::npos;
}

// The first offset in [from, last] holding c (an ASCII lower-case letter or
// digit) in either case; kNowhere if none. memchr for each case, the second
// only as far as the first's hit, so a call costs the distance it covers.
size_t FindEitherCase(std::string_view text, char c, size_t from, size_t last) {
  if (from > last) return kNowhere;
  const char* p = text.data();
  const void* lower = std::memchr(p + from, c, last + 1 - from);
  const size_t hit = lower ? static_cast<size_t>(static_cast<const char*>(lower) - p) : kNowhere;
  if (c < 'a' || c > 'z') return hit;
  const size_t upto = hit == kNowhere ? last : hit;
  const void* upper = std::memchr(p + from, c - 32, upto + 1 - from);
  return upper ? static_cast<size_t>(static_cast<const char*>(upper) - p) : hit;
}

// The first offset >= from where folded `token` (a term's, a phrase's first
// or a prefix) may start in text, told without tokenizing: kNowhere when it
// certainly does not occur there; kCannotTell unless token is ASCII
// letters/digits and ascii_exact (AsciiFoldingIsExact(text)). A token's
// folded form is then its spelling under ASCII case folding, so no match
// starts earlier.
size_t FirstPossible(std::string_view text, std::string_view token, size_t from, bool ascii_exact) {
  if (token.empty() || !ascii_exact) return kCannotTell;
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return kCannotTell;
  }
  if (text.size() < token.size()) return kNowhere;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  const size_t last = text.size() - token.size();
  for (size_t i = FindEitherCase(text, token[0], from, last); i != kNowhere;
       i = FindEitherCase(text, token[0], i + 1, last)) {
    size_t k = 1;
    while (k < token.size() && lower(text[i + k]) == token[k]) ++k;
    if (k == token.size()) return i;
  }
  return kNowhere;
}

// FirstPossible of the earliest of the non-regex terms: kCannotTell when any
// of them cannot be told, kNowhere when none may occur.
size_t FirstPossibleOfAny(std::string_view text, const std::vector<const QueryNode*>& terms,
                          size_t from, bool ascii_exact) {
  size_t first = kNowhere;
  for (const QueryNode* t : terms) {
    if (t->kind == QueryNode::Kind::kRegex) continue;
    const size_t at = FirstPossible(text, t->tokens[0], from, ascii_exact);
    if (at == kCannotTell) return kCannotTell;
    first = std::min(first, at);
  }
  return first;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// Spans of the non-regex terms in text[begin, end), which starts and ends at
// a whitespace character or an end of the text, tokenized once for all. Words
// and prefixes are matched as the tokens stream by; the folded tokens are
// kept only when a phrase must look at a run of them.
void TokenSpans(std::string_view text, size_t begin, size_t end,
                const std::vector<const QueryNode*>& terms, std::vector<Span>* spans) {
  using K = QueryNode::Kind;
  bool phrases = false;
  for (const QueryNode* t : terms) phrases = phrases || t->kind == K::kPhrase;
  std::vector<Span> toks;
  std::vector<std::string> folded;
  Tokenize(text.substr(begin, end - begin), [&](const Token& tok) {
    const Span at(begin + tok.begin, begin + tok.end);
    for (const QueryNode* t : terms) {
      if ((t->kind == K::kTerm && tok.folded == t->tokens[0]) ||
          (t->kind == K::kPrefix && tok.folded.starts_with(t->tokens[0]))) {
        spans->push_back(at);
      }
    }
    if (phrases) {
      toks.push_back(at);
      folded.emplace_back(tok.folded);
    }
  });
  for (const QueryNode* t : terms) {
    if (t->kind != K::kPhrase) continue;
    for (size_t i = 0; i + t->tokens.size() <= toks.size(); ++i) {
      bool ok = true;
      for (size_t k = 0; k < t->tokens.size() && ok; ++k) ok = folded[i + k] == t->tokens[k];
      if (ok) spans->emplace_back(toks[i].first, toks[i + t->tokens.size() - 1].second);
    }
  }
}

// Spans of the terms in one utterance's text. With `first_fragment`, only
// those a snippet of the first match shows are guaranteed (the text around
// each possible start is tokenized until a match is found, then up to a
// fragment past it; a long utterance is not tokenized whole); otherwise all.
void MatchSpans(std::string_view text, const std::vector<const QueryNode*>& terms,
                bool first_fragment, std::vector<Span>* spans) {
  using K = QueryNode::Kind;
  bool any_tokens = false;
  for (const QueryNode* t : terms) {
    if (t->kind != K::kRegex) {
      any_tokens = true;
      continue;
    }
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece m;
    size_t pos = 0;
    int guard = 0;
    while (pos <= text.size() && guard++ < 100 &&
           t->regex->Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      const size_t b = static_cast<size_t>(m.data() - text.data());
      const size_t e = b + m.size();
      if (e > b) spans->emplace_back(b, e);
      pos = e > b ? e : b + 1;
    }
  }
  if (!any_tokens) return;
  const bool ascii_exact = AsciiFoldingIsExact(text);
  size_t next = FirstPossibleOfAny(text, terms, 0, ascii_exact);
  if (next == kNowhere) return;
  if (!first_fragment || next == kCannotTell) {
    TokenSpans(text, 0, text.size(), terms, spans);
    return;
  }
  // Back to a whitespace character (or the start) before `at`, forward to one
  // (or the end) after it; searching at most kReach bytes, else the text's end.
  constexpr size_t kReach = 256;
  auto back = [&](size_t at) {
    for (size_t i = at, steps = 0; i > 0 && steps < kReach; --i, ++steps) {
      if (IsAsciiSpace(text[i - 1])) return i - 1;
    }
    return size_t{0};
  };
  auto forward = [&](size_t at) {
    for (size_t i = at, steps = 0; i < text.size() && steps < kReach; ++i, ++steps) {
      if (IsAsciiSpace(text[i])) return i;
    }
    return text.size();
  };
  // Windows reach kSpan past a possible start and the next one is searched
  // from kSpan / 2 before a window's end, so a phrase cut by a window's end
  // is whole in the next.
  constexpr size_t kSpan = 2 * (kWindow + kBefore);
  const size_t before = spans->size();
  while (next != kNowhere) {
    const size_t begin = back(next);
    size_t end = forward(std::min(text.size(), next + kSpan));
    TokenSpans(text, begin, end, terms, spans);
    if (spans->size() > before) {
      size_t first = kNowhere;
      for (size_t i = before; i < spans->size(); ++i) first = std::min(first, (*spans)[i].first);
      // The snippet shows up to kWindow past its first match: tokenized?
      if (end < text.size() && end < first + kWindow) {
        spans->resize(before);
        end = forward(std::min(text.size(), first + kWindow));
        TokenSpans(text, begin, end, terms, spans);
      }
      return;
    }
    if (end == text.size()) return;
    next = FirstPossibleOfAny(text, terms, end - kSpan / 2, ascii_exact);
  }
}

std::string Fragment(std::string_view text, const std::vector<Span>& spans) {
  const size_t first = spans.empty() ? 0 : spans[0].first;
  size_t start = BackToBoundary(text, first > kBefore ? first - kBefore : 0);
  size_t end = BackToBoundary(text, std::min(text.size(), start + kWindow));
  if (end < text.size() && end <= start) end = text.size();
  std::string out;
  if (start > 0) out += "…";
  size_t at = start;
  for (const Span& s : spans) {
    if (s.first >= end) break;
    if (s.second <= at) continue;
    const size_t b = std::max(s.first, at);
    const size_t e = std::min(s.second, end);
    AppendHtmlEscaped(&out, text.substr(at, b - at));
    out += "<mark>";
    AppendHtmlEscaped(&out, text.substr(b, e - b));
    out += "</mark>";
    at = e;
  }
  AppendHtmlEscaped(&out, text.substr(at, end - at));
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace

void AppendHtmlEscaped(std::string* out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // A run of characters kept as they are, appended at once.
    const size_t special = text.find_first_of("&<>\"'", i);
    const size_t run_end = special == std::string_view::npos ? text.size() : special;
    out->append(text.data() + i, run_end - i);
    if (run_end == text.size()) break;
    switch (text[run_end]) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      default:
        *out += "&#39;";
    }
    i = run_end + 1;
  }
}

std::vector<UtteranceText> UtteranceTextsOf(const Conversation& c) {
  std::vector<UtteranceText> out;
  out.reserve(c.conversation.size());
  for (const Utterance& u : c.conversation) out.push_back(UtteranceText{u.role, u.content});
  return out;
}

std::vector<UtteranceSpans> FindMatches(const std::vector<UtteranceText>& utterances,
                                        const std::vector<const QueryNode*>& terms,
                                        size_t max_utterances, bool first_fragment,
                                        const ContentReady& ready) {
  std::vector<UtteranceSpans> out;
  int first_user = -1;
  for (size_t u = 0; u < utterances.size(); ++u) {
    if (utterances[u].role == "user") {
      first_user = static_cast<int>(u);
      break;
    }
  }
  std::vector<const QueryNode*> in_scope;
  for (size_t u = 0; u < utterances.size() && out.size() < max_utterances; ++u) {
    const UtteranceText& utt = utterances[u];
    const uint8_t role = utt.role == "user"        ? kRoleUser
                         : utt.role == "assistant" ? kRoleAssistant
                                                   : kRoleOther;
    in_scope.clear();
    for (const QueryNode* t : terms) {
      if (t->scope.Admits(role, static_cast<int>(u) == first_user)) in_scope.push_back(t);
    }
    if (in_scope.empty()) continue;
    if (ready) ready(u);
    std::vector<Span> spans;
    MatchSpans(utt.content, in_scope, first_fragment, &spans);
    if (spans.empty()) continue;
    std::sort(spans.begin(), spans.end());
    UtteranceSpans m{static_cast<int>(u), {}};
    for (const Span& sp : spans) {
      if (!m.spans.empty() && sp.first <= m.spans.back().second) {
        m.spans.back().second = std::max(m.spans.back().second, sp.second);
      } else {
        m.spans.push_back(sp);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Snippet> MakeSnippets(const std::vector<UtteranceText>& utterances,
                                  const std::vector<const QueryNode*>& terms, size_t max_snippets,
                                  bool whole_utterances, const ContentReady& ready) {
  std::vector<Snippet> out;
  for (const UtteranceSpans& m :
       FindMatches(utterances, terms, max_snippets, !whole_utterances, ready)) {
    const UtteranceText& utt = utterances[static_cast<size_t>(m.turn)];
    out.push_back(Snippet{m.turn, std::string(utt.role), Fragment(utt.content, m.spans)});
  }
  if (out.empty()) {
    for (size_t u = 0; u < utterances.size(); ++u) {
      const UtteranceText& utt = utterances[u];
      if (utt.role != "user") continue;
      if (ready) ready(u);
      out.push_back(Snippet{static_cast<int>(u), std::string(utt.role), Fragment(utt.content, {})});
      break;
    }
  }
  return out;
}

}  // namespace wildchat
