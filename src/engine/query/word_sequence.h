// Word sequences: regexes like `(?i)straddles[a-z]*\s+your` — words of ASCII
// letters and digits, each perhaps followed by a run of letters, separated by
// whitespace — can only match where consecutive tokens hold the words: the
// first token contains the first word followed by nothing but letters (the
// match may start inside it), each middle token is its word (plus letters),
// and the last token starts with its word. Whitespace makes no token and ends
// one, ASCII letters and digits never split one, and a token's folding is its
// ASCII lower case there (docs/query.md), so every match of the regex leaves
// such a run of positions in one utterance; NarrowToWordSequence keeps only
// the candidates that have one (a superset of the matches still, which RE2
// then verifies). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/collect/bitset.h"
#include "engine/query/executor.h"

namespace wildchat {

struct WordSequence {
  struct Word {
    std::string text;           // ASCII, lower case
    bool more_letters = false;  // followed by [a-z]* (or [A-Z]*, [a-zA-Z]*, [A-Za-z]*)
  };
  std::vector<Word> words;  // at least two
};

// The regex as a word sequence: an optional (?i), then words separated by
// whitespace (`\s+`, `\s`, ` `, ` +`, repeated), nothing else. False for any
// other pattern.
bool ParseWordSequence(std::string_view pattern, WordSequence* out);

struct WordSequenceOptions {
  // A segment where the words' terms have more postings than this per doc
  // is left as it is (reading them would cost more than it saves), and so is
  // one where a word fits more terms than max_terms_per_word.
  double max_postings_per_doc = 8;
  size_t max_terms_per_word = 5000;
  // A segment with this many candidates or fewer is left as it is too:
  // verifying them costs less than the dictionary scans.
  uint64_t min_candidates = 64;
};

// Clears from *candidates (global doc numbers) the docs where no utterance
// holds the sequence's tokens at consecutive positions. Returns how many
// segments were narrowed; a segment over the options' limits, or whose
// postings turn out corrupt, is left as it was.
size_t NarrowToWordSequence(const SegmentSet& index, const WordSequence& seq,
                            const WordSequenceOptions& options, Bitset* candidates);

}  // namespace wildchat
