#include "engine/query/regex_prefilter.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <bit>
#include <unordered_map>

#include "engine/query/query_threads.h"
#include "engine/text/tokenizer.h"

namespace wildchat {

// Soundness rests on two facts, both checked by regex_prefilter_test over
// every code point: RE2 lower-cases atoms with Unicode simple case folding,
// the tokenizer's folding, so a match's text folds to a string containing the
// atom; and folding never changes how a code point splits tokens, so the
// atom's token boundaries are the text's.
std::vector<AtomPiece> SplitAtom(std::string_view atom) {
  std::vector<AtomPiece> pieces;
  Tokenize(atom, [&](const Token& t) {
    size_t end = t.begin;
    const int32_t c = text_internal::DecodeUtf8(atom, &end);
    // Han, Kana and Thai characters are tokens by themselves: whole terms.
    const bool single = end == t.end && c >= 0x80 && text_internal::ClassifyCodePoint(c) == 2;
    const bool open_left = !single && t.begin == 0;
    const bool open_right = !single && t.end == atom.size();
    AtomPiece p;
    p.text = std::string(t.folded);
    p.anchor = open_left ? (open_right ? PieceAnchor::kInfix : PieceAnchor::kSuffix)
                         : (open_right ? PieceAnchor::kPrefix : PieceAnchor::kExact);
    pieces.push_back(std::move(p));
  });
  return pieces;
}

namespace {

// Whether the regex passes RE2's filter given the set of atoms present
// (bit i = atom i), memoized: docs share few distinct atom sets.
class Formula {
 public:
  explicit Formula(const re2::FilteredRE2& filter) : filter_(filter) {}
  bool Passes(uint64_t mask) {
    auto it = memo_.find(mask);
    if (it != memo_.end()) return it->second;
    ids_.clear();
    for (uint64_t m = mask; m; m &= m - 1) ids_.push_back(std::countr_zero(m));
    filter_.AllPotentials(ids_, &passed_);
    const bool pass = !passed_.empty();
    memo_.emplace(mask, pass);
    return pass;
  }

 private:
  const re2::FilteredRE2& filter_;
  std::unordered_map<uint64_t, bool> memo_;
  std::vector<int> ids_, passed_;
};

// The terms of s a piece can be part of, handed to take(term) until it
// returns false (over budget). False when the piece cannot be looked up.
template <typename Take>
bool ForEachPieceTerm(const Segment& s, const AtomPiece& p, const RegexPrefilterOptions& o,
                      Take&& take) {
  switch (p.anchor) {
    case PieceAnchor::kExact: {
      if (auto t = s.FindTerm(p.text)) return take(*t);
      return true;
    }
    case PieceAnchor::kPrefix: {
      uint64_t lo, hi;
      s.PrefixRange(p.text, &lo, &hi);
      for (uint64_t t = lo; t < hi; ++t) {
        if (!take(t)) return false;
      }
      return true;
    }
    case PieceAnchor::kSuffix:
    case PieceAnchor::kInfix: {
      if (p.text.size() < o.min_scan_bytes) return false;
      const bool suffix = p.anchor == PieceAnchor::kSuffix;
      const std::string_view needle = p.text;
      for (uint64_t t = 0, n = s.num_terms(); t < n; ++t) {
        const std::string_view term = s.term(t);
        if (term.size() < needle.size()) continue;
        const bool hit = suffix ? term.substr(term.size() - needle.size()) == needle
                                : term.find(needle) != std::string_view::npos;
        if (hit && !take(t)) return false;
      }
      return true;
    }
  }
  return false;
}

// The terms of s a piece can be part of, with their summed document
// frequency. False when the piece says nothing useful here (too short, too
// many terms or postings): then it must count as every doc.
struct PieceTerms {
  std::vector<uint64_t> terms;
  double df = 0;
};
bool FindPieceTerms(const Segment& s, const AtomPiece& p, const RegexPrefilterOptions& o,
                    PieceTerms* out) {
  const double budget = o.max_df_per_doc * s.num_docs();
  auto take = [&](uint64_t t) {
    out->terms.push_back(t);
    out->df += s.doc_freq(t);
    return out->df <= budget && out->terms.size() <= o.max_terms_per_piece;
  };
  return ForEachPieceTerm(s, p, o, take);
}

// Marks in *docs (local to s) every doc holding one of the terms. False on
// corrupt postings.
bool TermsDocs(const Segment& s, const PieceTerms& pt, Bitset* docs, uint64_t* terms_read) {
  *docs = Bitset(s.num_docs());
  for (uint64_t t : pt.terms) {
    PostingCursor c = s.Postings(t);
    while (c.Next()) docs->Set(c.doc());
    if (c.corrupt()) return false;
  }
  *terms_read += pt.terms.size();
  return true;
}

}  // namespace

namespace {

// The regex's required literals, compiled once for all segments.
struct LiteralFilter {
  explicit LiteralFilter(int min_atom_bytes) : filter(min_atom_bytes) {}
  re2::FilteredRE2 filter;
  std::vector<std::vector<AtomPiece>> pieces;  // per atom
  uint64_t always = 0;                         // atoms that constrain no term: present everywhere
  bool usable = false;                         // false: the literals say nothing, every doc passes
};

void CompileLiteralFilter(const re2::RE2& re, const RegexPrefilterOptions& options,
                          LiteralFilter* lf, RegexPrefilterStats* stats) {
  int id = 0;
  if (lf->filter.Add(re.pattern(), re.options(), &id) != re2::RE2::NoError) return;
  std::vector<std::string> atoms;
  lf->filter.Compile(&atoms);
  stats->atoms = static_cast<uint32_t>(atoms.size());
  if (atoms.size() > options.max_atoms || atoms.size() > 64) return;
  if (Formula(lf->filter).Passes(0)) return;  // no atom is required
  lf->pieces.resize(atoms.size());
  for (size_t a = 0; a < atoms.size(); ++a) {
    lf->pieces[a] = SplitAtom(atoms[a]);
    if (lf->pieces[a].empty()) lf->always |= 1ull << a;
  }
  lf->usable = true;
}

// Sets *out (local to s) to the docs of s holding the required literals.
void SegmentLiteralCandidates(const Segment& s, const LiteralFilter& lf, Formula& formula,
                              const RegexPrefilterOptions& options, Bitset* out,
                              uint64_t* terms_read) {
  const size_t n_atoms = lf.pieces.size();
  std::vector<Bitset> sets(n_atoms);
  std::vector<size_t> narrowed;
  std::vector<PieceTerms> lookups;
  uint64_t present = lf.always;  // atoms treated as present in every doc here
  for (size_t a = 0; a < n_atoms; ++a) {
    if (present >> a & 1) continue;
    // Rarest pieces first: the intersection often empties before the
    // common ones (`as an ai`) need decoding.
    lookups.clear();
    for (const AtomPiece& p : lf.pieces[a]) {
      PieceTerms pt;
      if (FindPieceTerms(s, p, options, &pt)) lookups.push_back(std::move(pt));
    }
    std::sort(lookups.begin(), lookups.end(),
              [](const PieceTerms& x, const PieceTerms& y) { return x.df < y.df; });
    bool have = false;
    for (const PieceTerms& pt : lookups) {
      Bitset docs;
      if (!TermsDocs(s, pt, &docs, terms_read)) continue;
      if (!have) {
        sets[a] = std::move(docs);
        have = true;
      } else {
        sets[a].And(docs);
      }
      if (!sets[a].Any()) break;
    }
    if (have) {
      narrowed.push_back(a);
    } else {
      present |= 1ull << a;
    }
  }
  if (formula.Passes(present)) {
    *out = Bitset(s.num_docs(), true);
    return;
  }
  *out = Bitset(s.num_docs());
  Bitset any(s.num_docs());
  for (size_t a : narrowed) any.Or(sets[a]);
  any.ForEach([&](uint32_t d) {
    uint64_t mask = present;
    for (size_t a : narrowed) mask |= static_cast<uint64_t>(sets[a].Test(d)) << a;
    if (formula.Passes(mask)) out->Set(d);
  });
}

}  // namespace

void RegexCandidates(const SegmentSet& index, const re2::RE2& re,
                     const RegexPrefilterOptions& options, Bitset* out, RegexPrefilterStats* stats,
                     std::vector<uint32_t>* earliest) {
  if (earliest) earliest->assign(index.num_docs, 0);
  RegexPrefilterStats ignored;
  if (!stats) stats = &ignored;
  *stats = RegexPrefilterStats();
  // Compiling the filter costs time in the pattern's size; long patterns
  // (huge alternations) are not worth narrowing.
  LiteralFilter literals(options.min_atom_bytes);
  std::vector<TokenSequenceMatcher> sequences;
  if (re.pattern().size() <= options.max_pattern_bytes) {
    CompileLiteralFilter(re, options, &literals, stats);
    for (TokenSequence& seq : ParseTokenSequences(re.pattern())) {
      // A lone literal word says no more than its atom did, but for where
      // its first term stands.
      if (seq.elements.size() == 1 && seq.elements[0].plain_word && !earliest) continue;
      TokenSequenceMatcher m(std::move(seq));
      if (m.ok()) sequences.push_back(std::move(m));
    }
  }
  if (!literals.usable && sequences.empty()) {
    *out = Bitset(index.num_docs, true);
    stats->candidates = index.num_docs;
    return;
  }
  // Segment by segment, over the query's threads (query_threads.h; the
  // filter, the dictionaries and the matchers are shared read-only).
  const size_t n = index.segments.size();
  std::vector<Bitset> local(n);
  std::vector<uint64_t> terms_read(n, 0);
  std::vector<uint8_t> by_sequence(n, 0);
  auto work = [&](size_t first, size_t step) {
    Formula formula(literals.filter);
    for (size_t si = first; si < n; si += step) {
      const Segment& s = *index.segments[si];
      if (literals.usable) {
        SegmentLiteralCandidates(s, literals, formula, options, &local[si], &terms_read[si]);
      } else {
        local[si] = Bitset(s.num_docs(), true);
      }
      // The segment's part of *earliest (the threads' parts are disjoint).
      uint32_t* from = earliest ? earliest->data() + index.bases[si] : nullptr;
      for (const TokenSequenceMatcher& m : sequences) {
        if (m.Narrow(s, options.token_sequence, &local[si], from)) by_sequence[si] = 1;
      }
    }
  };
  const unsigned threads =
      static_cast<unsigned>(std::min<size_t>(QueryThreads(), std::max<size_t>(n, 1)));
  RunOnThreads(threads, [&](unsigned t) { work(t, threads); });

  *out = Bitset(index.num_docs);
  Bitset::Appender merged(out);  // ascending docs: one store per word
  for (size_t si = 0; si < n; ++si) {
    const uint32_t base = index.bases[si];
    local[si].ForEach([&](uint32_t d) { merged.Add(base + d); });
    stats->terms_read += terms_read[si];
    stats->token_sequence = stats->token_sequence || by_sequence[si];
  }
  merged.Flush();
  stats->filtered = literals.usable || stats->token_sequence;
  stats->candidates = out->Count();
  if (earliest && stats != &ignored) {
    for (const uint32_t at : *earliest) stats->positioned += at > 0 ? 1 : 0;
  }
}

}  // namespace wildchat
