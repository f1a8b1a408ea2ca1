#include "engine/snippet/snippet.h"

#include <re2/re2.h>

#include <algorithm>

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

// Whether folded `token` (a term's, a phrase's first or a prefix) can occur
// in text: false only when that is certain without tokenizing, i.e. token is
// ASCII letters/digits and text holds it nowhere under ASCII case folding nor
// any of the two non-ASCII letters whose folding is ASCII (KELVIN SIGN → k,
// LONG S → s). Tokenizing is far slower than this scan.
bool MayContain(std::string_view text, std::string_view token) {
  if (token.empty()) return true;
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return true;
  }
  if (text.find("\xE2\x84\xAA") != std::string_view::npos ||
      text.find("\xC5\xBF") != std::string_view::npos) {
    return true;
  }
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i + token.size() <= text.size(); ++i) {
    if (lower(text[i]) != token[0]) continue;
    size_t k = 1;
    while (k < token.size() && lower(text[i + k]) == token[k]) ++k;
    if (k == token.size()) return true;
  }
  return false;
}

// Spans of the terms in one utterance's text. The text is tokenized once (and
// only when a non-regex term needs it) for all the terms.
void MatchSpans(std::string_view text, const std::vector<const QueryNode*>& terms,
                std::vector<Span>* spans) {
  using K = QueryNode::Kind;
  bool need_tokens = false;
  for (const QueryNode* t : terms) {
    if (t->kind != K::kRegex) {
      need_tokens = need_tokens || MayContain(text, t->tokens[0]);
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
  if (!need_tokens) return;
  std::vector<Span> toks;
  std::vector<std::string> folded;
  Tokenize(text, [&](const Token& tok) {
    toks.emplace_back(tok.begin, tok.end);
    folded.emplace_back(tok.folded);
  });
  for (const QueryNode* t : terms) {
    if (t->kind == K::kRegex) continue;
    const std::string& first = t->tokens[0];
    for (size_t i = 0; i < toks.size(); ++i) {
      if (t->kind == K::kTerm && folded[i] == first) {
        spans->push_back(toks[i]);
      } else if (t->kind == K::kPrefix && folded[i].compare(0, first.size(), first) == 0) {
        spans->push_back(toks[i]);
      } else if (t->kind == K::kPhrase && i + t->tokens.size() <= toks.size()) {
        bool ok = true;
        for (size_t k = 0; k < t->tokens.size() && ok; ++k) ok = folded[i + k] == t->tokens[k];
        if (ok) spans->emplace_back(toks[i].first, toks[i + t->tokens.size() - 1].second);
      }
    }
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
  for (char c : text) {
    switch (c) {
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
      case '\'':
        *out += "&#39;";
        break;
      default:
        out->push_back(c);
    }
  }
}

std::vector<UtteranceSpans> FindMatches(const Conversation& c,
                                        const std::vector<const QueryNode*>& terms,
                                        size_t max_utterances) {
  std::vector<UtteranceSpans> out;
  int first_user = -1;
  for (size_t u = 0; u < c.conversation.size(); ++u) {
    if (c.conversation[u].role == "user") {
      first_user = static_cast<int>(u);
      break;
    }
  }
  std::vector<const QueryNode*> in_scope;
  for (size_t u = 0; u < c.conversation.size() && out.size() < max_utterances; ++u) {
    const Utterance& utt = c.conversation[u];
    const uint8_t role = utt.role == "user"        ? kRoleUser
                         : utt.role == "assistant" ? kRoleAssistant
                                                   : kRoleOther;
    in_scope.clear();
    for (const QueryNode* t : terms) {
      if (t->scope.Admits(role, static_cast<int>(u) == first_user)) in_scope.push_back(t);
    }
    if (in_scope.empty()) continue;
    std::vector<Span> spans;
    MatchSpans(utt.content, in_scope, &spans);
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

std::vector<Snippet> MakeSnippets(const Conversation& c, const std::vector<const QueryNode*>& terms,
                                  size_t max_snippets) {
  std::vector<Snippet> out;
  for (const UtteranceSpans& m : FindMatches(c, terms, max_snippets)) {
    const Utterance& utt = c.conversation[static_cast<size_t>(m.turn)];
    out.push_back(Snippet{m.turn, utt.role, Fragment(utt.content, m.spans)});
  }
  if (out.empty()) {
    for (size_t u = 0; u < c.conversation.size(); ++u) {
      const Utterance& utt = c.conversation[u];
      if (utt.role != "user") continue;
      out.push_back(Snippet{static_cast<int>(u), utt.role, Fragment(utt.content, {})});
      break;
    }
  }
  return out;
}

}  // namespace wildchat
