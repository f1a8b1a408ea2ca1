#include "engine/query/word_sequence.h"

#include <algorithm>

#include "engine/query/cursor_docs.h"

namespace wildchat {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool AllLetters(std::string_view s) {
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

// Whether folded term t can hold word w's occurrence at position i of the
// sequence (see the header).
bool TermFits(std::string_view t, const WordSequence::Word& w, size_t i, size_t n) {
  if (i + 1 == n) return t.substr(0, w.text.size()) == w.text;
  if (i > 0) {
    if (t.substr(0, w.text.size()) != w.text) return false;
    return w.more_letters ? AllLetters(t.substr(w.text.size())) : t.size() == w.text.size();
  }
  for (size_t at = t.find(w.text); at != std::string_view::npos; at = t.find(w.text, at + 1)) {
    const std::string_view tail = t.substr(at + w.text.size());
    if (w.more_letters ? AllLetters(tail) : tail.empty()) return true;
  }
  return false;
}

// The terms of s that fit word i, or false when there are too many.
bool FittingTerms(const Segment& s, const WordSequence& seq, size_t i, size_t max_terms,
                  std::vector<uint64_t>* out) {
  const WordSequence::Word& w = seq.words[i];
  const size_t n = seq.words.size();
  uint64_t lo = 0, hi = s.num_terms();
  if (i > 0) s.PrefixRange(w.text, &lo, &hi);  // later words start their tokens
  for (uint64_t t = lo; t < hi; ++t) {
    if (TermFits(s.term(t), w, i, n)) {
      out->push_back(t);
      if (out->size() > max_terms) return false;
    }
  }
  return true;
}

}  // namespace

bool ParseWordSequence(std::string_view p, WordSequence* out) {
  out->words.clear();
  if (p.substr(0, 4) == "(?i)") p.remove_prefix(4);
  size_t i = 0;
  bool need_space = false;
  while (i < p.size()) {
    if (need_space) {
      // One or more whitespace items: \s, \s+, ' ', ' +'.
      bool any = false;
      while (i < p.size()) {
        size_t len = 0;
        if (p.compare(i, 3, "\\s+") == 0) {
          len = 3;
        } else if (p.compare(i, 2, "\\s") == 0 || p.compare(i, 2, " +") == 0) {
          len = 2;
        } else if (p[i] == ' ') {
          len = 1;
        }
        if (len == 0) break;
        i += len;
        any = true;
      }
      if (!any || i == p.size()) return false;
    }
    WordSequence::Word w;
    while (i < p.size() && IsAsciiAlnum(p[i])) {
      const char c = p[i++];
      w.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
    if (w.text.empty()) return false;
    for (std::string_view cls : {"[a-z]*", "[A-Z]*", "[a-zA-Z]*", "[A-Za-z]*"}) {
      if (p.compare(i, cls.size(), cls) == 0) {
        i += cls.size();
        w.more_letters = true;
        break;
      }
    }
    out->words.push_back(std::move(w));
    need_space = true;
  }
  return out->words.size() >= 2;
}

// Calls fn(doc) for each doc of `docs` (count of them given) that cursor c
// holds, with c positioned on it: skipping to each when the list is much
// longer than the docs, else walking the list.
template <typename Fn>
void ForEachDocIn(PostingCursor& c, uint32_t df, const Bitset& docs, uint64_t count, Fn&& fn) {
  if (df > 8 * count) return CursorDocsIn(docs, 0, docs.size(), &c, fn);
  while (c.Next()) {
    if (docs.Test(c.doc())) fn(c.doc());
  }
}

size_t NarrowToWordSequence(const SegmentSet& index, const WordSequence& seq,
                            const WordSequenceOptions& options, Bitset* candidates) {
  const size_t n = seq.words.size();
  size_t narrowed = 0;
  std::vector<std::vector<uint64_t>> terms(n);
  std::vector<uint64_t> df(n);
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> at(n);  // (doc, position) of word i
  std::vector<uint32_t> scratch;
  for (size_t si = 0; si < index.segments.size(); ++si) {
    const Segment& s = *index.segments[si];
    const uint32_t base = index.bases[si];
    const uint32_t nd = s.num_docs();
    Bitset docs(nd);  // the candidates here, then those holding a term of every word
    candidates->ForEachInRange(base, base + nd, [&](uint32_t d) { docs.Set(d - base); });
    if (docs.Count() <= options.min_candidates) continue;
    // The terms of each word and their postings.
    bool usable = true;
    uint64_t total_df = 0;
    for (size_t i = 0; i < n && usable; ++i) {
      terms[i].clear();
      usable = FittingTerms(s, seq, i, options.max_terms_per_word, &terms[i]);
      df[i] = 0;
      for (uint64_t t : terms[i]) df[i] += s.doc_freq(t);
      total_df += df[i];
    }
    if (!usable || static_cast<double>(total_df) > options.max_postings_per_doc * nd) continue;
    // Docs holding a term of every word, rarest word first.
    bool corrupt = false;
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return df[a] < df[b]; });
    for (size_t i : order) {
      Bitset has(nd);
      const uint64_t count = docs.Count();
      for (uint64_t t : terms[i]) {
        PostingCursor c = s.Postings(t);
        ForEachDocIn(c, s.doc_freq(t), docs, count, [&](uint32_t d) { has.Set(d); });
        corrupt = corrupt || c.corrupt();
      }
      docs.And(has);
    }
    // Their positions, word by word; then a run p, p + 1, ... in some doc.
    const uint64_t count = docs.Count();
    for (size_t i = 0; i < n && !corrupt; ++i) {
      at[i].clear();
      for (uint64_t t : terms[i]) {
        PostingCursor c = s.Postings(t);
        ForEachDocIn(c, s.doc_freq(t), docs, count, [&](uint32_t d) {
          c.ReadPositions(&scratch);
          for (uint32_t p : scratch) at[i].emplace_back(d, p);
        });
        corrupt = corrupt || c.corrupt();
      }
      std::sort(at[i].begin(), at[i].end());
    }
    if (corrupt) continue;
    Bitset keep(nd);
    for (const auto& [d, p] : at[0]) {
      if (keep.Test(d)) continue;
      bool run = true;
      for (size_t i = 1; i < n && run; ++i) {
        run = std::binary_search(at[i].begin(), at[i].end(),
                                 std::make_pair(d, p + static_cast<uint32_t>(i)));
      }
      if (run) keep.Set(d);
    }
    for (uint32_t d = 0; d < nd; ++d) {
      if (candidates->Test(base + d) && !keep.Test(d)) candidates->Clear(base + d);
    }
    ++narrowed;
  }
  return narrowed;
}

}  // namespace wildchat
