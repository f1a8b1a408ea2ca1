// Snippets: short HTML-escaped fragments of the utterances a query's positive
// text terms match, each match wrapped in <mark>…</mark> (the Snippet
// contract of engine/index.h). Matching reuses the tokenizer and the terms'
// scopes so that what is marked is what matched. Pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index.h"
#include "engine/query/query_ast.h"

namespace wildchat {

// An utterance as snippets need it: views of its role and content.
struct UtteranceText {
  std::string_view role;
  std::string_view content;
};
std::vector<UtteranceText> UtteranceTextsOf(const Conversation& c);

// Called with an utterance's index before its content is first read, so that
// contents can be decompressed on demand (engine/store/record_text.h): an
// utterance never passed to it is not read.
using ContentReady = std::function<void(size_t)>;

// Where the terms match in each utterance they are scoped to: byte ranges of
// the utterance's content, sorted and merged; utterances without a match are
// left out. Stops after max_utterances utterances with matches. With
// first_fragment, an utterance's spans are complete only as far as a snippet
// of its first match shows (what MakeSnippets needs; long utterances are then
// not tokenized whole).
std::vector<UtteranceSpans> FindMatches(const std::vector<UtteranceText>& utterances,
                                        const std::vector<const QueryNode*>& terms,
                                        size_t max_utterances = SIZE_MAX,
                                        bool first_fragment = false,
                                        const ContentReady& ready = {});
inline std::vector<UtteranceSpans> FindMatches(const Conversation& c,
                                               const std::vector<const QueryNode*>& terms,
                                               size_t max_utterances = SIZE_MAX,
                                               bool first_fragment = false) {
  return FindMatches(UtteranceTextsOf(c), terms, max_utterances, first_fragment);
}

// At most max_snippets fragments; when no term matches (or there are none),
// the opening of the first user utterance without marks. whole_utterances
// tokenizes every matching utterance whole (slower; the same snippets — the
// tests hold the default to it).
std::vector<Snippet> MakeSnippets(const std::vector<UtteranceText>& utterances,
                                  const std::vector<const QueryNode*>& terms,
                                  size_t max_snippets = 3, bool whole_utterances = false,
                                  const ContentReady& ready = {});
inline std::vector<Snippet> MakeSnippets(const Conversation& c,
                                         const std::vector<const QueryNode*>& terms,
                                         size_t max_snippets = 3, bool whole_utterances = false) {
  return MakeSnippets(UtteranceTextsOf(c), terms, max_snippets, whole_utterances);
}

// Appends text with & < > " ' escaped as HTML entities.
void AppendHtmlEscaped(std::string* out, std::string_view text);

}  // namespace wildchat
