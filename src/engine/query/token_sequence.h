// Token sequences: what a regex says about whole tokens and their positions.
// At the top level of a pattern without `|`, every item must match in turn.
// Items that match only ASCII letters and digits (`sk`, `[0-9]{4}`,
// `[a-z]*`) always fall inside one token, since such characters never split
// one; items that match only other ASCII characters (`-`, `\s+`, `:\/\/`,
// at least once) make no token and end one (docs/query.md). So a run of
// letter/digit items is an *element*: a regular expression over one folded
// term, anchored at its start when a separator precedes it and at its end
// when one follows. Elements separated by separators stand at consecutive
// positions of one utterance. `[0-9]{4}-[0-9]{2}-[0-9]{2}` gives three: a
// term ending in four digits, then a term of exactly two, then a term
// starting with two. Anything else (`.`, groups, `\w`, non-ASCII, optional
// separators) ends a sequence; the next one starts after it, unanchored.
//
// TokenSequenceMatcher keeps only the candidates holding a sequence (a
// superset of the regex's matches still, which RE2 then verifies): a
// one-element sequence by the docs of its terms, a longer one by positions.
#pragma once

#include <bitset>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/collect/bitset.h"
#include "engine/query/executor.h"

namespace re2 {
class RE2;
}

namespace wildchat {

struct TokenSequence {
  struct Element {
    std::string regex;            // RE2 syntax over ASCII lower case and digits, no anchors
    std::string prefix;           // when anchored_start: every fitting term starts with it
    std::string literal;          // a string every fitting term contains (may be empty)
    bool anchored_start = false;  // a separator precedes: the term starts here
    bool anchored_end = false;    // a separator follows: the term ends here
    bool plain_word = false;      // literal letters/digits only (atoms cover it)
    // The characters a fitting term can start with (when anchored_start) and
    // end with (when anchored_end); all 128 ASCII bits set when any will do.
    std::bitset<128> first_chars, last_chars;
  };
  std::vector<Element> elements;  // at consecutive positions
};

// The token sequences of a pattern, in order. Empty when the pattern has a
// top-level `|` or a construct this reader does not follow (`\Q`, `\x`,
// `\p`, an unbalanced group): then it says nothing.
std::vector<TokenSequence> ParseTokenSequences(std::string_view pattern);

// Whether a folded term can hold an element's occurrence.
class ElementMatcher {
 public:
  explicit ElementMatcher(const TokenSequence::Element& e);
  ~ElementMatcher();
  bool ok() const;  // false if RE2 rejected the element (then nothing fits)
  bool Fits(std::string_view term) const;

 private:
  const TokenSequence::Element& e_;
  std::unique_ptr<re2::RE2> re_;
};

struct TokenSequenceOptions {
  // A segment where the elements' terms have more postings than this per doc
  // is left as it is (reading them would cost more than it saves), and so is
  // one where an element fits more terms than max_terms_per_element.
  double max_postings_per_doc = 8;
  // For a one-element sequence (no positions read): its terms' postings.
  double max_single_postings_per_doc = 1;
  size_t max_terms_per_element = 50000;
  // A segment with this many candidates or fewer is left as it is too:
  // verifying them costs less than the dictionary scans.
  uint64_t min_candidates = 64;
};

// A sequence with its elements' matchers, built once; Narrow may then be
// called for different segments from several threads at once.
class TokenSequenceMatcher {
 public:
  explicit TokenSequenceMatcher(TokenSequence seq);
  TokenSequenceMatcher(TokenSequenceMatcher&&) noexcept;
  ~TokenSequenceMatcher();
  bool ok() const;  // false if RE2 rejected an element: then it narrows nothing

  // Clears from *docs (candidates of segment s, local doc numbers) the docs
  // where no utterance holds the sequence. False, leaving *docs as it was,
  // when the segment is over the options' limits or its postings turn out
  // corrupt. With `earliest` (an entry per doc of s), a kept doc's entry is
  // raised to the first token position where the sequence may start in it
  // (for one element, where the first of its terms stands): no utterance
  // ending before it can match.
  bool Narrow(const Segment& s, const TokenSequenceOptions& options, Bitset* docs,
              uint32_t* earliest = nullptr) const;

 private:
  TokenSequence seq_;
  std::vector<std::unique_ptr<ElementMatcher>> matchers_;
};

}  // namespace wildchat
