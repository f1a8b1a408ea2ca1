// Regex prefilter: from a regex alone, the conversations it can possibly
// match, read off the segments' term dictionaries and posting lists, so that
// RE2 verification scans only those instead of every stored conversation.
//
// RE2's FilteredRE2 reduces the regex to a monotone AND/OR formula over
// literal "atoms" (case-folded strings that every match must contain). Each
// atom is split like the tokenizer splits text: its interior tokens must be
// whole terms, its first token the end of a term, its last the start of one,
// a lone token part of one. The docs holding such terms satisfy the atom;
// the formula is then decided per doc from which atoms it satisfies. The
// regex's token sequences (token_sequence.h: runs of letters, digits and
// letter/digit classes between separators, like `[0-9]{4}-[0-9]{2}`) then
// narrow them to the docs holding fitting terms at consecutive positions. The
// result is always a superset of the true matches (in any scope): whatever
// cannot be narrowed cheaply and soundly counts as "every doc". Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/collect/bitset.h"
#include "engine/query/executor.h"
#include "engine/query/token_sequence.h"

namespace re2 {
class RE2;
}

namespace wildchat {

// How one token-sized piece of an atom must occur in a term.
enum class PieceAnchor : uint8_t {
  kExact,   // the whole term
  kPrefix,  // the start of a term
  kSuffix,  // the end of a term
  kInfix,   // anywhere in a term
};

struct AtomPiece {
  std::string text;  // folded as the tokenizer folds
  PieceAnchor anchor = PieceAnchor::kInfix;
};

// The pieces of a case-folded atom, in order; empty when the atom holds no
// token character (then it says nothing about terms).
std::vector<AtomPiece> SplitAtom(std::string_view atom);

struct RegexPrefilterStats {
  bool filtered = false;        // false: the regex could not be narrowed
  uint32_t atoms = 0;           // atoms FilteredRE2 produced
  uint64_t terms_read = 0;      // posting lists decoded
  uint64_t candidates = 0;      // docs in the result
  bool token_sequence = false;  // narrowed further by token sequences (token_sequence.h)
  uint64_t positioned = 0;      // candidates with an earliest start known (when one is asked for)
};

struct RegexPrefilterOptions {
  size_t max_pattern_bytes = 2048;  // longer patterns are not narrowed
  int min_atom_bytes = 3;           // shorter atoms are not used
  size_t max_atoms = 64;            // more: not narrowed at all
  size_t min_scan_bytes = 3;        // shorter suffix/infix pieces are not looked up
  double max_df_per_doc = 1.0;      // a piece whose terms' summed document
                                    // frequency exceeds this many per doc of the
                                    // segment counts as "every doc" there
  size_t max_terms_per_piece = 20000;
  TokenSequenceOptions token_sequence;
};

// Sets *out to a superset (over global doc numbers) of the docs where `re`
// matches some utterance. When the regex cannot be narrowed, *out holds every
// doc and stats->filtered is false. Segments are narrowed on the query's
// threads (query_threads.h: up to four, as many as the machine has cores).
// With `earliest`, it is resized to one entry per doc: a token position no
// match of a candidate starts before (its utterances ending before it need no
// verifying), 0 when nothing is known.
void RegexCandidates(const SegmentSet& index, const re2::RE2& re,
                     const RegexPrefilterOptions& options, Bitset* out,
                     RegexPrefilterStats* stats = nullptr,
                     std::vector<uint32_t>* earliest = nullptr);

}  // namespace wildchat
