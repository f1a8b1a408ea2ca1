#include "engine/index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>

#include "engine/collect/facets.h"
#include "engine/collect/random_order.h"
#include "engine/collect/time_order.h"
#include "engine/query/executor.h"
#include "engine/query/query_cache.h"
#include "engine/query/query_parser.h"
#include "engine/segment/manifest.h"
#include "engine/snippet/snippet.h"

namespace wildchat {

bool ParseSortOrder(const std::string& text, SortOrder* out) {
  if (text == "relevance")
    *out = SortOrder::kRelevance;
  else if (text == "newest")
    *out = SortOrder::kNewest;
  else if (text == "oldest")
    *out = SortOrder::kOldest;
  else if (text == "random")
    *out = SortOrder::kRandom;
  else
    return false;
  return true;
}

// A set of conversations' utterances and moderation flags (Index::Stats).
struct StatsTally {
  uint64_t utterances = 0, flagged = 0;
  std::array<uint64_t, kModerationCategoryCount> categories{};
  void Add(const Segment& s, uint32_t d) {
    utterances += s.utt_begin(d + 1) - s.utt_begin(d);
    const uint32_t f = s.flags(d);
    flagged += (f & kFlagFlagged) ? 1 : 0;
    for (int c = 0; c < kModerationCategoryCount; ++c) {
      categories[c] += (f >> (kFlagCategoryShift + c)) & 1;
    }
  }
  void Add(const StatsTally& o) {
    utterances += o.utterances;
    flagged += o.flagged;
    for (int c = 0; c < kModerationCategoryCount; ++c) categories[c] += o.categories[c];
  }
  // o must count a subset of what this counts.
  void Subtract(const StatsTally& o) {
    utterances -= o.utterances;
    flagged -= o.flagged;
    for (int c = 0; c < kModerationCategoryCount; ++c) categories[c] -= o.categories[c];
  }
};

struct Index::Impl {
  std::string dir;
  SegmentSet set;
  std::unique_ptr<FacetCounter> facets;
  std::unique_ptr<TimeOrder> time_order;
  std::unique_ptr<RandomOrder> random_order;
  std::unique_ptr<QueryCache> queries;
  // Per segment, the tally of all its docs (built on first use).
  mutable std::mutex tallies_mu;
  mutable std::vector<std::unique_ptr<StatsTally>> tallies;

  const StatsTally& SegmentTally(size_t si) const {
    std::lock_guard<std::mutex> lock(tallies_mu);
    if (tallies.size() < set.segments.size()) tallies.resize(set.segments.size());
    if (!tallies[si]) {
      auto t = std::make_unique<StatsTally>();
      const Segment& s = *set.segments[si];
      for (uint32_t d = 0; d < s.num_docs(); ++d) t->Add(s, d);
      tallies[si] = std::move(t);
    }
    return *tallies[si];
  }

  const Segment& seg(uint32_t doc, uint32_t* local) const {
    const size_t si = set.SegmentOf(doc);
    *local = doc - set.bases[si];
    return *set.segments[si];
  }
};

namespace {

// Evaluated queries kept for the requests that follow them (query_cache.h).
constexpr size_t kQueryCacheBytes = size_t{256} << 20;

// Pages ending at most this deep keep a bounded heap of their matches.
constexpr size_t kSmallPage = 1000;

struct Ranked {
  double key;     // primary key, smaller first: negated BM25 score
  uint64_t key2;  // secondary key: random order, or the timestamp
  int64_t id;
  uint32_t doc;
  bool null_last;  // null timestamps sort after everything
};

bool RankLess(const Ranked& a, const Ranked& b) {
  if (a.null_last != b.null_last) return !a.null_last;
  if (a.key != b.key) return a.key < b.key;
  if (a.key2 != b.key2) return a.key2 < b.key2;
  if (a.id != b.id) return a.id < b.id;
  return a.doc < b.doc;
}

// The BM25 weights of the scored terms (docs/query.md "Relevance").
struct Bm25 {
  std::vector<double> weight;  // per term: IDF · (k1 + 1)
  // k1 · (1 − b + b · len / avgdl) = norm0 + norm1 · len: one division per
  // term and doc, not two. norm0 > 0, so a term absent from a doc (f = 0)
  // adds exactly 0.
  double norm0 = 0, norm1 = 0;
  double avgdl = 0;
  // Per term: whether its list is little more than the matches, so that
  // walking it beside them rarely branches (ScoreRange).
  std::vector<bool> merge;
  // One term whose list holds exactly the matches (a word, prefix or phrase
  // searched alone): ScoreRange walks the list and not the match set.
  bool list_is_matches;

  // one_list: the matches are exactly terms[0]'s docs (ListIsMatches).
  Bm25(const SegmentSet& set, const std::vector<TermFrequencies>& terms, uint64_t matches,
       bool one_list)
      : list_is_matches(one_list && terms.size() == 1) {
    const double n_docs = set.num_docs;
    avgdl = std::max(set.avg_doc_len(), 1e-9);
    for (const TermFrequencies& t : terms) {
      const double n = static_cast<double>(t.df);
      weight.push_back(std::log(1.0 + (n_docs - n + 0.5) / (n + 0.5)) * (kBm25K1 + 1));
      merge.push_back(t.docs.size() <= matches + matches / 4);
    }
    norm0 = kBm25K1 * (1 - kBm25B);
    norm1 = kBm25K1 * kBm25B / avgdl;
  }
};

// Buffers of ScoreRange, allocated once per ranking.
struct ScoreScratch {
  static constexpr uint32_t kWindow = 1024;  // docs (the buffers stay in L1)
  std::vector<uint32_t> docs = std::vector<uint32_t>(kWindow);
  std::vector<uint32_t> tf = std::vector<uint32_t>(kWindow, 0);  // zero between uses
  std::vector<double> norm = std::vector<double>(kWindow), freq = std::vector<double>(kWindow),
                      score = std::vector<double>(kWindow);
};

// Calls fn for the window's first n docs (x.docs, x.freq, x.norm) whose
// score wt·f / (f + norm) of one term may reach least > 0, with that score:
// wt·f / (f + norm) < least  ⟸  wt·f < cut · (f + norm), cut a hair under
// least so that rounding cannot drop a score equal to it (a product per doc,
// a division only for those kept).
template <typename Fn>
void EmitAboveFloor(const Segment& s, uint32_t base, size_t n, double wt, double least,
                    ScoreScratch& x, Fn&& fn) {
  const double cut = least * (1 - 1e-9);
  const double* freq = x.freq.data();
  const double* norm = x.norm.data();
  // The tests of 64 docs make a word of bits without a branch; only the
  // docs kept (a few, past a good floor) are then visited, by their bits.
  for (size_t w = 0; w * 64 < n; ++w) {
    const size_t from = w * 64, k_end = std::min<size_t>(64, n - from);
    uint64_t kept = 0;
    for (size_t k = 0; k < k_end; ++k) {
      const double f = freq[from + k];
      kept |= static_cast<uint64_t>(wt * f >= cut * (f + norm[from + k])) << k;
    }
    for (; kept; kept &= kept - 1) {
      const size_t i = from + static_cast<size_t>(std::countr_zero(kept));
      fn(s, x.docs[i] - base, x.docs[i], wt * freq[i] / (freq[i] + norm[i]));
    }
  }
}

// BM25 of the matches among global docs [lo, hi) of segment si, summed over
// the positive text terms in query order: fn(segment, local doc, global doc,
// score) for each, in ascending doc order. at[t] indexes the first entry of
// terms[t].docs that is >= lo and is left past the range. The range is
// scored a window of docs at a time, term by term: a term's frequencies in
// the window are scattered into a window-sized array and read back at the
// matches (no data-dependent branch per list entry, as a merge of the two
// sorted lists would take), and the divisions of neighbouring docs overlap
// instead of each waiting for the last (a score is the same sum in the same
// order either way).
//
// floor() (for a top-k collector: the score a match must reach, which only
// grows) lets the single-list path skip matches certainly scoring below it,
// tested by a product instead of a division; fn may still see any score.
template <typename Fn, typename Floor>
void ScoreRange(const SegmentSet& set, size_t si, uint32_t lo, uint32_t hi, const Bitset& matches,
                const std::vector<TermFrequencies>& terms, const Bm25& bm, std::vector<size_t>& at,
                ScoreScratch& x, Fn&& fn, Floor&& floor) {
  const Segment& s = *set.segments[si];
  const uint32_t base = set.bases[si];
  if (bm.list_is_matches) {
    // The same scores, from the list alone: no match set to walk beside it.
    // (Locals, not the scratch's and at's members: the copy loops then keep
    // nothing in memory but the copies, and vectorise.)
    const DocFreq* list = terms[0].docs.data();
    const size_t size = terms[0].docs.size();
    size_t j = at[0];
    const double wt = bm.weight[0];
    uint32_t* docs = x.docs.data();
    double* freq = x.freq.data();
    double* norm = x.norm.data();
    while (j < size && list[j].doc < hi) {
      // The window: the next kWindow entries, or those below hi.
      size_t n = std::min<size_t>(x.kWindow, size - j);
      if (list[j + n - 1].doc >= hi) {
        n = static_cast<size_t>(std::lower_bound(list + j, list + j + n, hi, DocFreq::Before) -
                                (list + j));
      }
      for (size_t i = 0; i < n; ++i) {
        docs[i] = list[j + i].doc;
        freq[i] = list[j + i].tf;
      }
      j += n;
      at[0] = j;
      for (size_t i = 0; i < n; ++i) norm[i] = bm.norm0 + bm.norm1 * s.doc_len(docs[i] - base);
      const double least = floor();
      if (least <= 0) {  // every score is wanted: divisions in one loop, overlapping
        double* score = x.score.data();
        for (size_t i = 0; i < n; ++i) score[i] = wt * freq[i] / (freq[i] + norm[i]);
        for (size_t i = 0; i < n; ++i) fn(s, docs[i] - base, docs[i], score[i]);
        continue;
      }
      EmitAboveFloor(s, base, n, wt, least, x, fn);
    }
    return;
  }
  uint32_t* docs = x.docs.data();
  uint32_t* tf = x.tf.data();
  double* freq = x.freq.data();
  double* norm = x.norm.data();
  double* score = x.score.data();
  for (uint32_t w = lo; w < hi;) {
    const uint32_t end = static_cast<uint32_t>(std::min<uint64_t>(hi, uint64_t{w} + x.kWindow));
    // One scored term (a word and filters, say): the matches certainly below
    // floor() are skipped as in the single-list path (the score of the rest
    // is the same sum, 0 + one term).
    const double least = terms.size() == 1 ? floor() : 0;
    size_t n = 0;
    matches.ForEachInRange(w, end, [&](uint32_t doc) { docs[n++] = doc; });
    for (size_t i = 0; i < n; ++i) {
      norm[i] = bm.norm0 + bm.norm1 * s.doc_len(docs[i] - base);
      score[i] = 0;
    }
    for (size_t t = 0; t < terms.size(); ++t) {
      const DocFreq* list = terms[t].docs.data();
      const size_t size = terms[t].docs.size();
      size_t j = at[t];
      const size_t first = j;
      if (n == 0) {  // nothing to score: only pass the window's entries
        while (j < size && list[j].doc < end) ++j;
        at[t] = j;
        continue;
      }
      if (bm.merge[t]) {
        for (size_t i = 0; i < n; ++i) {
          while (j < size && list[j].doc < docs[i]) ++j;
          freq[i] = j < size && list[j].doc == docs[i] ? list[j].tf : 0;
        }
        while (j < size && list[j].doc < end) ++j;
      } else {
        for (; j < size && list[j].doc < end; ++j) tf[list[j].doc - w] = list[j].tf;
        for (size_t i = 0; i < n; ++i) freq[i] = tf[docs[i] - w];
        for (size_t k = first; k < j; ++k) tf[list[k].doc - w] = 0;
      }
      at[t] = j;
      const double wt = bm.weight[t];
      if (least > 0) {
        EmitAboveFloor(s, base, n, wt, least, x, fn);
        break;
      }
      for (size_t i = 0; i < n; ++i) score[i] += wt * freq[i] / (freq[i] + norm[i]);
    }
    if (least <= 0) {
      for (size_t i = 0; i < n; ++i) fn(s, docs[i] - base, docs[i], score[i]);
    }
    w = end;
  }
}

// ScoreRange from anywhere: each term's list position (at[t]) is first found
// by binary search for lo.
template <typename Fn, typename Floor>
void ScoreRangeFrom(const SegmentSet& set, size_t si, uint32_t lo, uint32_t hi,
                    const Bitset& matches, const std::vector<TermFrequencies>& terms,
                    const Bm25& bm, std::vector<size_t>& at, ScoreScratch& x, Fn&& fn,
                    Floor&& floor) {
  for (size_t t = 0; t < terms.size(); ++t) {
    const auto& list = terms[t].docs;
    at[t] = static_cast<size_t>(std::lower_bound(list.begin(), list.end(), lo, DocFreq::Before) -
                                list.begin());
  }
  ScoreRange(set, si, lo, hi, matches, terms, bm, at, x, fn, floor);
}

// BM25 of every match (ScoreRange over each whole segment), in ascending doc
// order. The cost is O(matches × terms + Σ list lengths), with no
// per-index-size array. With a floor, matches certainly scoring below it
// may be skipped (fn may still see any score).
template <typename Fn>
void ScoreMatches(const SegmentSet& set, const Bitset& matches,
                  const std::vector<TermFrequencies>& terms, bool one_list, Fn&& fn,
                  double floor = -std::numeric_limits<double>::infinity()) {
  const Bm25 bm(set, terms, matches.Count(), one_list);
  std::vector<size_t> at(terms.size(), 0);
  ScoreScratch scratch;
  for (size_t si = 0; si < set.segments.size(); ++si) {
    const uint32_t base = set.bases[si];
    ScoreRange(set, si, base, base + set.segments[si]->num_docs(), matches, terms, bm, at, scratch,
               fn, [floor] { return floor; });
  }
}

// A score that at least `k` matches probably reach (−∞ when no guess is
// safe): the scores of the matches in kWindows windows of docs spread evenly
// over the index (1/32 of its docs, at least 4,096 of them) are a sample,
// and the guess is a sample score ranked a margin below where rank k falls
// in it. Only a guess: the caller checks that k matches did reach it.
double GuessKthScore(const SegmentSet& set, const Bitset& matches,
                     const std::vector<TermFrequencies>& terms, bool one_list, uint64_t total,
                     size_t k) {
  constexpr uint32_t kWindows = 32;
  const double none = -std::numeric_limits<double>::infinity();
  const uint32_t sampled = std::max(set.num_docs / 32, std::min<uint32_t>(set.num_docs, 4096));
  const uint32_t len = (sampled + kWindows - 1) / kWindows;
  if (len == 0 || set.segments.empty()) return none;
  const Bm25 bm(set, terms, total, one_list);
  std::vector<size_t> at(terms.size());
  ScoreScratch scratch;
  std::vector<double> sample;
  for (uint32_t w = 0; w < kWindows; ++w) {
    const uint32_t lo = static_cast<uint32_t>(uint64_t{set.num_docs} * w / kWindows);
    const size_t si = set.SegmentOf(lo);
    const uint32_t hi = std::min(lo + len, set.bases[si] + set.segments[si]->num_docs());
    ScoreRangeFrom(
        set, si, lo, hi, matches, terms, bm, at, scratch,
        [&](const Segment&, uint32_t, uint32_t, double score) { sample.push_back(score); },
        [none] { return none; });
  }
  // Rank k of the whole falls near rank k·m/total of the sample; aim a few
  // standard deviations lower (a sample rank is about binomial).
  const double expect =
      static_cast<double>(k) * static_cast<double>(sample.size()) / static_cast<double>(total);
  const double rank = expect * 1.25 + 4 * std::sqrt(expect) + 16;
  if (sample.size() < 256 || rank >= static_cast<double>(sample.size())) return none;
  const auto kth = sample.begin() + static_cast<ptrdiff_t>(rank);
  std::nth_element(sample.begin(), kth, sample.end(), std::greater<>());
  return *kth;
}

// A range of global docs [lo, hi) in segment si where no doc scores above
// `bound`.
struct ScoreBound {
  size_t si;
  uint32_t lo, hi;
  double bound;
};

// Cuts each segment into ranges bounding the BM25 score: a plain word (any
// role) contributes at most its weight times its block impact
// (segment_format.h) over each full block of its postings, nothing where the
// segment lacks it, and its whole weight over its last partial block; any
// other term (phrase, prefix, scoped word), or a word in a segment without
// impacts, its whole weight (tf / (tf + norm) < 1) everywhere.
void BoundScores(const SegmentSet& set, const std::vector<TermFrequencies>& terms, const Bm25& bm,
                 std::vector<ScoreBound>* out) {
  out->clear();
  const size_t nt = terms.size();
  // Per term, pieces (last local doc, bound) covering the segment in order.
  std::vector<std::vector<std::pair<uint32_t, double>>> pieces(nt);
  std::vector<uint32_t> ends;
  for (size_t si = 0; si < set.segments.size(); ++si) {
    const Segment& s = *set.segments[si];
    const uint32_t nd = s.num_docs();
    if (nd == 0) continue;
    const double stretch = s.has_impacts() ? std::max(1.0, bm.avgdl / s.impact_avg_doc_len()) : 0;
    for (size_t t = 0; t < nt; ++t) {
      auto& p = pieces[t];
      p.clear();
      const double w = bm.weight[t];
      const QueryNode* node = terms[t].term;
      if (!s.has_impacts() || !node || node->kind != QueryNode::Kind::kTerm || !node->scope.all()) {
        p.emplace_back(nd - 1, w);
        continue;
      }
      const auto id = s.FindTerm(node->tokens[0]);
      if (!id) {
        p.emplace_back(nd - 1, 0.0);
        continue;
      }
      const std::string_view q = s.BlockImpacts(*id);
      if (!s.Postings(*id).FullBlockEnds(&ends) || ends.size() != q.size()) {
        p.emplace_back(nd - 1, w);  // malformed: the walk reports it
        continue;
      }
      for (size_t j = 0; j < ends.size(); ++j) {
        p.emplace_back(ends[j], w * std::min(1.0, static_cast<uint8_t>(q[j]) / 255.0 * stretch));
      }
      if (p.empty() || p.back().first < nd - 1) {
        p.emplace_back(nd - 1, s.doc_freq(*id) % kPostingBlockDocs ? w : 0.0);
      }
    }
    // Sweep: each range ends where some term's piece ends. The margin covers
    // the rounding of the scores' sums.
    const uint32_t base = set.bases[si];
    std::vector<size_t> at(nt, 0);
    for (uint32_t cur = 0; cur < nd;) {
      uint32_t last = nd - 1;
      double bound = 0;
      for (size_t t = 0; t < nt; ++t) {
        last = std::min(last, pieces[t][at[t]].first);
        bound += pieces[t][at[t]].second;
      }
      out->push_back(ScoreBound{si, base + cur, base + last + 1, bound * (1 + 1e-9)});
      for (size_t t = 0; t < nt; ++t) {
        if (pieces[t][at[t]].first == last) ++at[t];
      }
      cur = last + 1;
    }
  }
}

// ScoreMatches for a top-k collector: fn as there, but matches in ranges
// whose bound is below threshold() (the score a match must reach to be kept,
// which only grows) may be skipped, and fn sees matches out of doc order.
// The best-bounded ranges are scored first, so the collector fills with high
// scores early; then the rest in doc order, a run of consecutive ranges that
// can still matter at a time. (Visiting every range best first would pay a
// list search per range and term for queries whose bounds are all alike —
// frequent words saturate tf in some long conversation of nearly every block.)
template <typename Threshold, typename Fn>
void ScoreTopMatches(const SegmentSet& set, const Bitset& matches,
                     const std::vector<TermFrequencies>& terms, bool one_list,
                     Threshold&& threshold, Fn&& fn) {
  const Bm25 bm(set, terms, matches.Count(), one_list);
  std::vector<ScoreBound> ranges;  // in doc order
  BoundScores(set, terms, bm, &ranges);
  std::vector<size_t> at(terms.size());
  ScoreScratch scratch;
  auto score = [&](size_t si, uint32_t lo, uint32_t hi) {
    ScoreRangeFrom(set, si, lo, hi, matches, terms, bm, at, scratch, fn, threshold);
  };
  constexpr size_t kBestFirst = 64;
  std::vector<size_t> best(ranges.size());
  for (size_t i = 0; i < best.size(); ++i) best[i] = i;
  const size_t first = std::min(kBestFirst, best.size());
  std::partial_sort(best.begin(), best.begin() + static_cast<ptrdiff_t>(first), best.end(),
                    [&](size_t a, size_t b) {
                      return ranges[a].bound > ranges[b].bound ||
                             (ranges[a].bound == ranges[b].bound && a < b);
                    });
  std::vector<bool> done(ranges.size(), false);
  for (size_t k = 0; k < first; ++k) {
    const ScoreBound& r = ranges[best[k]];
    if (r.bound < threshold()) return;  // every other range is bounded lower
    score(r.si, r.lo, r.hi);
    done[best[k]] = true;
  }
  for (size_t i = 0; i < ranges.size();) {
    if (done[i] || ranges[i].bound < threshold()) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < ranges.size() && !done[j] && ranges[j].si == ranges[i].si &&
           ranges[j].bound >= threshold()) {
      ++j;
    }
    score(ranges[i].si, ranges[i].lo, ranges[j - 1].hi);
    i = j;
  }
}

// The k-th largest (1 <= k <= keys.size()) of the scores whose negations
// are `keys`. Scores are non-negative, so their bit patterns order like their
// values: a histogram of the patterns over their range finds the bucket
// holding the k-th, and only that bucket's scores are selected among —
// three passes over the keys, none of which moves them.
double KthLargestScore(const std::vector<double>& keys, size_t k) {
  auto bits = [](double key) { return std::bit_cast<uint64_t>(-key + 0.0); };
  uint64_t lo = ~0ull, hi = 0;
  for (double key : keys) {
    lo = std::min(lo, bits(key));
    hi = std::max(hi, bits(key));
  }
  const int shift = std::max(0, static_cast<int>(std::bit_width(hi - lo)) - 16);
  std::vector<uint32_t> hist(static_cast<size_t>((hi - lo) >> shift) + 1, 0);
  for (double key : keys) ++hist[(bits(key) - lo) >> shift];
  size_t above = 0, b = hist.size() - 1;  // scores in buckets above b
  while (above + hist[b] < k) above += hist[b--];
  std::vector<double> in_bucket;
  in_bucket.reserve(hist[b]);
  for (double key : keys) {
    if (((bits(key) - lo) >> shift) == b) in_bucket.push_back(-key + 0.0);
  }
  const auto kth = in_bucket.begin() + static_cast<ptrdiff_t>(k - above - 1);
  std::nth_element(in_bucket.begin(), kth, in_bucket.end(), std::greater<>());
  return *kth;
}

// Orders the matches by the request's sort and leaves ranks [begin, end) in
// order in *page. Newest/oldest and random pages of large match sets walk the
// precomputed time order or hash trie until `end` matches are seen. Otherwise small pages
// keep a bounded heap of the best `end`, and deep pages select with
// nth_element, so offset 500,000 costs about what offset 0 does. one_list:
// the matches are exactly the docs of terms' one list.
void RankMatches(const SegmentSet& set, const TimeOrder& time_order,
                 const RandomOrder& random_order, const Bitset& matches,
                 const std::vector<TermFrequencies>& terms, bool one_list,
                 const SearchRequest& request, bool scored, size_t begin, size_t end,
                 std::vector<Ranked>* page) {
  page->clear();
  if (end <= begin) return;
  const uint64_t total = matches.Count();
  // A walk of a precomputed order, when it is short enough: an order is
  // independent of the matches, so finding `end` of them visits about
  // end · docs / total entries (the time order's steps are cheaper than the
  // hash trie's).
  const bool random = request.sort == SortOrder::kRandom;
  const double walk = total == 0 ? 0 : static_cast<double>(end) * set.num_docs / total;
  if (!scored && walk < (random ? 1.0 : 4.0) * static_cast<double>(total)) {
    std::vector<uint32_t> docs;
    if (random) {
      random_order.Page(matches, request.seed, begin, end, &docs);
    } else {
      time_order.Page(matches, request.sort != SortOrder::kOldest, begin, end, &docs);
    }
    for (uint32_t doc : docs) {
      const size_t si = set.SegmentOf(doc);
      page->push_back(Ranked{0, 0, set.segments[si]->id(doc - set.bases[si]), doc, false});
    }
    return;
  }
  std::vector<Ranked> ranked;
  const bool select_deep = scored && end > kSmallPage && end < total;
  if (select_deep) {
    // Deep relevance pages: the scores first (doc order), then the score of
    // rank `end` by selection; only matches scoring at least that (the page's
    // and the ones before it, plus ties) become Ranked entries. A heap of
    // tens of thousands of entries cost more than this in cache misses. Only
    // the scores reaching a floor guessed from a sample are kept, sparing the
    // keys of the many matches below it; when fewer than `end` matches reach
    // the floor, it was too high and every score is kept after all.
    std::vector<double> keys;
    std::vector<uint32_t> docs;
    double floor = GuessKthScore(set, matches, terms, one_list, total, end);
    for (;;) {
      ScoreMatches(
          set, matches, terms, one_list,
          [&](const Segment&, uint32_t, uint32_t doc, double score) {
            if (score < floor) return;
            keys.push_back(-score);
            docs.push_back(doc);
          },
          floor);
      if (keys.size() >= end) break;
      keys.clear();
      docs.clear();
      floor = -std::numeric_limits<double>::infinity();
    }
    const double cut = -KthLargestScore(keys, end);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] <= cut) ranked.push_back(Ranked{keys[i], 0, 0, docs[i], false});
    }
    // Ids only order ties, so only the entries scoring from rank `begin`'s
    // score to the cut need theirs (a scattered read each); those before
    // are counted and dropped, and the page is taken from the rest.
    std::nth_element(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(begin), ranked.end(),
                     [](const Ranked& a, const Ranked& b) { return a.key < b.key; });
    const double first = ranked[begin].key;
    size_t before = 0, kept = 0;
    for (const Ranked& r : ranked) {
      if (r.key < first) {
        ++before;
      } else {
        const size_t si = set.SegmentOf(r.doc);
        ranked[kept] = r;
        ranked[kept++].id = set.segments[si]->id(r.doc - set.bases[si]);
      }
    }
    ranked.resize(kept);
    begin -= before;
    end -= before;
  }
  const bool heap = !select_deep && end * 16 < total;
  if (!select_deep) ranked.reserve(heap ? end + 1 : total);
  auto offer = [&](const Ranked& r) {
    if (!heap) {
      ranked.push_back(r);
    } else if (ranked.size() < end) {
      ranked.push_back(r);
      std::push_heap(ranked.begin(), ranked.end(), RankLess);
    } else if (RankLess(r, ranked.front())) {
      std::pop_heap(ranked.begin(), ranked.end(), RankLess);
      ranked.back() = r;
      std::push_heap(ranked.begin(), ranked.end(), RankLess);
    }
  };
  if (select_deep) {
    // Selected above.
  } else if (scored) {
    // Most matches of a broad query score below a full heap's worst:
    // rejected before their id is read, and whole ranges of them unscored.
    auto collect = [&](const Segment& s, uint32_t d, uint32_t doc, double score) {
      if (heap && ranked.size() == end && -score > ranked.front().key) return;
      offer(Ranked{-score, 0, s.id(d), doc, false});
    };
    if (heap) {
      ScoreTopMatches(
          set, matches, terms, one_list,
          [&] {
            return ranked.size() == end ? -ranked.front().key
                                        : -std::numeric_limits<double>::infinity();
          },
          collect);
    } else {
      ScoreMatches(set, matches, terms, one_list, collect);
    }
  } else if (heap && request.sort == SortOrder::kRandom) {
    // Random keys only: entries differ by key2 then id, and a key above a
    // full heap's worst is rejected before an entry is built.
    uint64_t worst = UINT64_MAX;
    for (size_t si = 0; si < set.segments.size(); ++si) {
      const Segment& s = *set.segments[si];
      const uint32_t base = set.bases[si];
      matches.ForEachInRange(base, base + s.num_docs(), [&](uint32_t doc) {
        const int64_t id = s.id(doc - base);
        const uint64_t key = RandomKey(id, request.seed);
        if (key > worst) return;
        offer(Ranked{0, key, id, doc, false});
        if (ranked.size() == end) worst = ranked.front().key2;
      });
    }
  } else {
    for (size_t si = 0; si < set.segments.size(); ++si) {
      const Segment& s = *set.segments[si];
      const uint32_t base = set.bases[si];
      matches.ForEachInRange(base, base + s.num_docs(), [&](uint32_t doc) {
        const uint32_t d = doc - base;
        Ranked r{0, 0, s.id(d), doc, false};
        if (request.sort == SortOrder::kRandom) {
          r.key2 = RandomKey(r.id, request.seed);
        } else {
          // Timestamps compared exactly as integers: the sign bit flipped
          // maps int64 order onto uint64 order; newest (also relevance
          // without text terms) reverses it.
          const int64_t ts = s.timestamp(d);
          r.null_last = ts == kNullTimestamp;
          const uint64_t t = r.null_last ? 0 : static_cast<uint64_t>(ts) ^ (1ull << 63);
          r.key2 = request.sort == SortOrder::kOldest ? t : ~t;
        }
        offer(r);
      });
    }
  }
  if (heap) {
    std::sort_heap(ranked.begin(), ranked.end(), RankLess);
  } else if (begin < ranked.size()) {
    const auto b = ranked.begin() + static_cast<ptrdiff_t>(begin);
    const auto e = ranked.begin() + static_cast<ptrdiff_t>(std::min(end, ranked.size()));
    std::nth_element(ranked.begin(), b, ranked.end(), RankLess);
    if (e != ranked.end()) std::nth_element(b, e, ranked.end(), RankLess);
    std::sort(b, e, RankLess);
  }
  if (begin < ranked.size()) {
    page->assign(ranked.begin() + static_cast<ptrdiff_t>(begin),
                 ranked.begin() + static_cast<ptrdiff_t>(std::min(end, ranked.size())));
  }
}

// A query's evaluation (shared with the index's query cache), narrowed to
// the docs of `within` when given.
class Matched {
 public:
  const Bitset& matches() const { return narrowed_ ? *narrowed_ : query_->ev.matches; }
  const std::vector<TermFrequencies>& terms() const { return query_->ev.terms; }
  const QueryNode& root() const { return *query_->root; }
  // Whether the matches are exactly the docs of the one scored term's list:
  // the query is that term alone (a word, prefix or phrase, in any scope),
  // so its evaluation listed every doc it matched and nothing else.
  bool ListIsMatches() const {
    return !narrowed_ && terms().size() == 1 && terms()[0].term == query_->root.get();
  }

  Status Init(QueryCache* cache, const SegmentSet& set, const std::string& query,
              bool want_frequencies, const std::vector<uint32_t>* within) {
    WILDCHAT_RETURN_IF_ERROR(cache->Evaluate(set, query, want_frequencies, &query_));
    if (!within) return Status::OK();
    Bitset allowed(set.num_docs);
    for (uint32_t d : *within) {
      if (d >= set.num_docs) return Status::InvalidArgument("document number out of range");
      allowed.Set(d);
    }
    narrowed_ = query_->ev.matches;
    narrowed_->And(allowed);
    return Status::OK();
  }

 private:
  std::shared_ptr<const EvaluatedQuery> query_;
  std::optional<Bitset> narrowed_;  // the matches within `within`; term lists may hold more
};

}  // namespace

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

Status Index::Open(const std::string& dir, std::unique_ptr<Index>* out) {
  std::vector<ManifestEntry> entries;
  WILDCHAT_RETURN_IF_ERROR(ReadManifest(dir, &entries));
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  uint64_t docs = 0;
  for (const ManifestEntry& e : entries) {
    std::unique_ptr<Segment> s;
    WILDCHAT_RETURN_IF_ERROR(Segment::Open(dir + "/" + e.file, &s));
    if (s->num_docs() != e.num_docs || s->file_size() != e.bytes) {
      return Status::Corruption(dir + "/" + e.file + ": does not match the manifest");
    }
    impl->set.bases.push_back(static_cast<uint32_t>(docs));
    docs += s->num_docs();
    if (docs > 0xFFFFFFF0ull) return Status::Unsupported(dir + ": too many conversations");
    impl->set.total_tokens += s->total_tokens();
    impl->set.segments.push_back(std::move(s));
  }
  impl->set.num_docs = static_cast<uint32_t>(docs);
  impl->facets = std::make_unique<FacetCounter>(&impl->set);
  impl->time_order = std::make_unique<TimeOrder>(&impl->set);
  impl->random_order = std::make_unique<RandomOrder>(&impl->set);
  impl->queries = std::make_unique<QueryCache>(kQueryCacheBytes);
  out->reset(new Index(std::move(impl)));
  return Status::OK();
}

void Index::SetQueryCacheBytes(size_t bytes) {
  impl_->queries = std::make_unique<QueryCache>(bytes);
}

uint32_t Index::NumDocs() const {
  return impl_->set.num_docs;
}
const std::string& Index::dir() const {
  return impl_->dir;
}

int64_t Index::DocId(uint32_t doc) const {
  if (doc >= impl_->set.num_docs) return 0;
  uint32_t local;
  return impl_->seg(doc, &local).id(local);
}

std::optional<uint32_t> Index::DocOf(int64_t turn_identifier) const {
  for (size_t si = 0; si < impl_->set.segments.size(); ++si) {
    if (auto d = impl_->set.segments[si]->DocOfTurn(turn_identifier))
      return impl_->set.bases[si] + *d;
  }
  return std::nullopt;
}

Status Index::Get(int64_t turn_identifier, Conversation* out) const {
  auto doc = DocOf(turn_identifier);
  if (!doc)
    return Status::NotFound("no conversation with turn_identifier " +
                            std::to_string(turn_identifier));
  uint32_t local;
  const Segment& s = impl_->seg(*doc, &local);
  return s.Document(local, out);
}

Status Index::Highlights(const std::string& query, const Conversation& c,
                         std::vector<UtteranceSpans>* out) const {
  std::unique_ptr<QueryNode> root;
  WILDCHAT_RETURN_IF_ERROR(ParseQuery(query, &root));
  std::vector<const QueryNode*> terms;
  CollectPositiveTerms(*root, &terms);
  *out = FindMatches(c, terms);
  return Status::OK();
}

Status Index::MatchingDocs(const std::string& query, std::vector<uint32_t>* docs,
                           const std::vector<uint32_t>* within) const {
  Matched m;
  WILDCHAT_RETURN_IF_ERROR(m.Init(impl_->queries.get(), impl_->set, query, false, within));
  docs->clear();
  docs->reserve(m.matches().Count());
  m.matches().ForEach([&](uint32_t d) { docs->push_back(d); });
  return Status::OK();
}

Status Index::ForEachMatch(const std::string& query,
                           const std::function<Status(const Conversation&)>& fn,
                           const std::vector<uint32_t>* within) const {
  Matched m;
  WILDCHAT_RETURN_IF_ERROR(m.Init(impl_->queries.get(), impl_->set, query, false, within));
  return ForEachDocument(impl_->set, m.matches(),
                         [&](uint32_t, const Conversation& c) { return fn(c); });
}

Status Index::Search(const SearchRequest& request, SearchResult* result) const {
  const auto t0 = std::chrono::steady_clock::now();
  if (request.limit < 0) return Status::InvalidArgument("limit must not be negative");
  if (request.offset < 0) return Status::InvalidArgument("offset must not be negative");
  for (const std::string& f : request.facets) {
    if (!IsFacetField(f)) {
      return Status::InvalidArgument("unknown facet '" + f +
                                     "' (expected model, language, country, state, toxic, "
                                     "redacted, turns or month)");
    }
  }
  const SegmentSet& set = impl_->set;
  const bool relevance = request.sort == SortOrder::kRelevance;
  Matched m;
  WILDCHAT_RETURN_IF_ERROR(
      m.Init(impl_->queries.get(), set, request.query, relevance, request.within.get()));
  const Bitset& matches = m.matches();
  *result = SearchResult();
  result->total = matches.Count();

  const bool scored = relevance && !m.terms().empty();
  std::vector<Ranked> page;
  const size_t begin = static_cast<size_t>(std::min<int64_t>(request.offset, result->total));
  const size_t end = begin + static_cast<size_t>(std::min<uint64_t>(
                                 static_cast<uint64_t>(request.limit), result->total - begin));
  RankMatches(set, *impl_->time_order, *impl_->random_order, matches, m.terms(), m.ListIsMatches(),
              request, scored, begin, end, &page);
  std::vector<const QueryNode*> terms;
  CollectPositiveTerms(m.root(), &terms);
  std::string meta_raw;
  RecordText text;
  std::vector<std::string_view> roles, contents;
  std::vector<UtteranceText> utterances;
  for (const Ranked& r : page) {
    const uint32_t doc = r.doc;
    uint32_t d;
    const Segment& s = impl_->seg(doc, &d);
    Hit h;
    h.id = s.id(d);
    std::string scratch;
    h.conversation_hash =
        std::string(s.dict_value(DictField::kHash, s.code(DictField::kHash, d), &scratch));
    h.model = std::string(s.dict_value(DictField::kModel, s.code(DictField::kModel, d), &scratch));
    if (s.timestamp(d) != kNullTimestamp) h.timestamp = s.timestamp(d);
    auto opt = [&](DictField f) -> std::optional<std::string> {
      const uint32_t code = s.code(f, d);
      if (code == 0) return std::nullopt;
      return std::string(s.dict_value(f, code, &scratch));
    };
    h.language = opt(DictField::kLanguage);
    h.country = opt(DictField::kCountry);
    h.state = opt(DictField::kState);
    h.hashed_ip = opt(DictField::kIp);
    h.turn = s.turn(d);
    h.toxic = s.flags(d) & kFlagToxic;
    h.redacted = s.flags(d) & kFlagRedacted;
    h.score = scored ? -r.key : 0;
    if (request.snippets) {
      // Only the meta part of the hit's block is decompressed, and its text
      // as far as the utterances the snippets read.
      WILDCHAT_RETURN_IF_ERROR(s.DocumentTexts(d, &meta_raw, &text, &roles, &contents));
      utterances.clear();
      for (size_t u = 0; u < contents.size(); ++u) {
        utterances.push_back(UtteranceText{roles[u], contents[u]});
      }
      Status decoded;
      h.snippets = MakeSnippets(utterances, terms, 3, false, [&](size_t u) {
        if (!decoded.ok()) return;
        const std::string_view c = contents[u];
        decoded = text.Through(static_cast<uint64_t>(c.data() + c.size() - text.text().data()));
      });
      WILDCHAT_RETURN_IF_ERROR(decoded.WithContext("conversation " + std::to_string(h.id) + ": "));
    }
    result->hits.push_back(std::move(h));
  }
  std::vector<FacetCounts> counts;
  WILDCHAT_RETURN_IF_ERROR(impl_->facets->Count(request.facets, matches, &counts));
  for (size_t i = 0; i < counts.size(); ++i) {
    result->facets.emplace_back(request.facets[i], std::move(counts[i]));
  }
  result->took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return Status::OK();
}

Status Index::Stats(const std::string& query, StatsResult* result,
                    const std::vector<uint32_t>* within) const {
  Matched m;
  WILDCHAT_RETURN_IF_ERROR(m.Init(impl_->queries.get(), impl_->set, query, false, within));
  const Bitset& matches = m.matches();
  *result = StatsResult();
  result->total = matches.Count();
  StatsTally tally;
  const SegmentSet& set = impl_->set;
  for (size_t si = 0; si < set.segments.size(); ++si) {
    const Segment& s = *set.segments[si];
    const uint32_t base = set.bases[si];
    StatsTally part;
    if (matches.ForEachMinorityInRange(base, base + s.num_docs(),
                                       [&](uint32_t doc) { part.Add(s, doc - base); })) {
      // Over half the segment matched: its tally less the rest's.
      tally.Add(impl_->SegmentTally(si));
      tally.Subtract(part);
    } else {
      tally.Add(part);
    }
  }
  result->utterances = tally.utterances;
  if (result->total > 0) {
    const double t = static_cast<double>(result->total);
    for (int c = 0; c < kModerationCategoryCount; ++c) {
      result->category_rates[c] = tally.categories[c] / t;
    }
    result->flagged_rate = tally.flagged / t;
  }
  const std::vector<std::string> fields(std::begin(kFacetFields), std::end(kFacetFields));
  std::vector<FacetCounts> counts;
  WILDCHAT_RETURN_IF_ERROR(impl_->facets->Count(fields, matches, &counts));
  for (size_t i = 0; i < counts.size(); ++i) {
    result->facets.emplace_back(fields[i], std::move(counts[i]));
  }
  return Status::OK();
}

}  // namespace wildchat
