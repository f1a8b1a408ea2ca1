#include "engine/query/executor.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <type_traits>

#include "engine/query/cursor_docs.h"
#include "engine/query/query_threads.h"
#include "engine/query/regex_prefilter.h"
#include "engine/segment/postings.h"
#include "engine/store/record_codec.h"
#include "engine/store/record_text.h"

namespace wildchat {

size_t SegmentSet::SegmentOf(uint32_t doc) const {
  return static_cast<size_t>(std::upper_bound(bases.begin(), bases.end(), doc) - bases.begin()) - 1;
}

namespace {

using Kind = QueryNode::Kind;

// Utterance facts for one doc of one segment, for scope checks.
class DocUtterances {
 public:
  DocUtterances(const Segment& s, uint32_t doc)
      : s_(s), begin_(s.utt_begin(doc)), end_(s.utt_begin(doc + 1)) {
    for (uint32_t u = begin_; u < end_; ++u) {
      if (s.utt_role(u) == kRoleUser) {
        first_user_ = u;
        break;
      }
    }
  }
  // How many of the ascending token positions lie in utterances in scope.
  uint32_t CountInScope(const std::vector<uint32_t>& positions, const TextScope& scope) const {
    if (begin_ == end_) return 0;
    uint32_t u = begin_, count = 0;
    bool admits = Admits(u, scope);
    for (uint32_t p : positions) {
      if (u + 1 < end_ && s_.utt_token_start(u + 1) <= p) {
        while (u + 1 < end_ && s_.utt_token_start(u + 1) <= p) ++u;
        if (scope.first_user && u > first_user_) break;  // nothing later is in scope
        admits = Admits(u, scope);
      }
      count += admits ? 1 : 0;
    }
    return count;
  }
  // Whether the utterance holding token position p is in scope.
  bool InScope(uint32_t p, const TextScope& scope) const {
    uint32_t lo = begin_, hi = end_;  // last u with token_start <= p
    if (lo == hi) return false;
    while (hi - lo > 1) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (s_.utt_token_start(mid) <= p)
        lo = mid;
      else
        hi = mid;
    }
    return Admits(lo, scope);
  }
  // Whether utterance u (a segment utterance number of this doc) is in scope.
  bool Admits(uint32_t u, const TextScope& scope) const {
    return scope.Admits(s_.utt_role(u), u == first_user_);
  }
  uint32_t begin() const { return begin_; }
  uint32_t size() const { return end_ - begin_; }

 private:
  const Segment& s_;
  uint32_t begin_, end_;
  uint32_t first_user_ = UINT32_MAX;
};

// In-scope occurrence counts of one term in one segment, for a cursor walking
// the term's postings in doc order: from the segment's role postings when it
// has them and the scope is a set of roles (the assistant's count is the tf
// minus the other roles'), otherwise from the doc's positions and utterances
// (for first:, only in docs where the role postings show a user occurrence).
class ScopeCounter {
 public:
  ScopeCounter(const Segment& s, uint64_t term, const TextScope& scope)
      : s_(s), scope_(scope), by_role_(s.HasRoleStreams(term)) {
    if (!by_role_) return;
    for (const uint8_t r : {kRoleUser, kRoleOther}) {
      if (auto c = s.RolePostings(term, r)) {
        role_[r] = *c;
        live_[r] = true;
      }
    }
  }
  // c is on a doc: the term's occurrences there in scope (0: none).
  uint32_t Count(PostingCursor& c, std::vector<uint32_t>* scratch) {
    if (!by_role_) return FromPositions(c, scratch);
    uint32_t tf[3] = {0, 0, 0};
    for (const uint8_t r : {kRoleUser, kRoleOther}) {
      if (!live_[r]) continue;
      live_[r] = role_[r].Advance(c.doc());
      if (live_[r] && role_[r].doc() == c.doc()) tf[r] = role_[r].tf();
    }
    if (tf[kRoleUser] + tf[kRoleOther] > c.tf()) {
      corrupt_ = true;
      return 0;
    }
    if (scope_.first_user) return tf[kRoleUser] > 0 ? FromPositions(c, scratch) : 0;
    tf[kRoleAssistant] = c.tf() - tf[kRoleUser] - tf[kRoleOther];
    uint32_t count = 0;
    for (uint8_t r = 0; r < 3; ++r) count += scope_.Admits(r, false) ? tf[r] : 0;
    return count;
  }
  bool corrupt() const {
    return corrupt_ || role_[kRoleUser].corrupt() || role_[kRoleOther].corrupt();
  }

 private:
  uint32_t FromPositions(PostingCursor& c, std::vector<uint32_t>* scratch) const {
    c.ReadPositions(scratch);
    return DocUtterances(s_, c.doc()).CountInScope(*scratch, scope_);
  }

  const Segment& s_;
  const TextScope scope_;
  const bool by_role_;
  PostingCursor role_[3];
  bool live_[3] = {false, false, false};
  bool corrupt_ = false;
};

// The store blocks of one segment holding candidates.
struct CandidateBlocks {
  size_t segment;
  uint64_t first, last;  // blocks [first, last)
};

// Sets in *out the candidates where regex n matches an utterance in its
// scope. Reads only the meta and text parts of the candidates' blocks; with
// many blocks, splits them over the query's threads (query_threads.h).
constexpr uint64_t kBlocksPerThread = 64;
constexpr uint64_t kBlocksPerRun = 8;

// Whether regex n matches one of doc d's utterances `utts` (views into
// t->text()) in its scope, decompressing t only as far as the one that
// matches, and from the chunk of the first one it may match in.
// `ends` is scratch.
Status VerifyDoc(const Segment& s, uint32_t d, uint32_t from, const QueryNode& n,
                 const std::vector<std::string_view>& utts, RecordText* t,
                 std::vector<uint64_t>* ends, bool* matched) {
  *matched = false;
  const DocUtterances roles(s, d);
  if (utts.size() != roles.size()) {
    return Status::Corruption("stored record disagrees with the index");
  }
  // Utterances ending before the earliest possible start are passed.
  uint32_t first = 0;
  while (from > 0 && first + 1 < utts.size() &&
         s.utt_token_start(roles.begin() + first + 1) <= from) {
    ++first;
  }
  const char* const text = t->text().data();
  if (first > 0) {
    ends->clear();
    for (const std::string_view utt : utts) {
      ends->push_back(static_cast<uint64_t>(utt.data() + utt.size() - text));
    }
    WILDCHAT_RETURN_IF_ERROR(t->From(static_cast<uint64_t>(utts[first].data() - text), *ends));
  }
  for (uint32_t u = first; u < utts.size(); ++u) {
    if (!roles.Admits(roles.begin() + u, n.scope)) continue;
    const std::string_view utt = utts[u];
    WILDCHAT_RETURN_IF_ERROR(t->Through(static_cast<uint64_t>(utt.data() + utt.size() - text)));
    if (RE2::PartialMatch(re2::StringPiece(utt.data(), utt.size()), *n.regex)) {
      *matched = true;
      return Status::OK();
    }
  }
  return Status::OK();
}

Status VerifyBlocks(const SegmentSet& index, const QueryNode& n, const Bitset& candidates,
                    const std::vector<uint32_t>& earliest, const std::vector<CandidateBlocks>& work,
                    Bitset* out) {
  std::string meta_raw;
  std::vector<std::string_view> metas, roles, utts;
  std::vector<uint64_t> ends;
  RecordText text;
  bool matched = false;
  for (const CandidateBlocks& w : work) {
    const Segment& s = *index.segments[w.segment];
    const uint32_t base = index.bases[w.segment];
    const uint32_t begin = s.block_first_doc(w.first), end = s.block_first_doc(w.last);
    if (s.has_utterance_bytes()) {
      // Each candidate's utterances split by the columns: its block's meta
      // frame is not decompressed.
      for (uint32_t d = begin; d < end; ++d) {
        if (!candidates.Test(base + d)) continue;
        WILDCHAT_RETURN_IF_ERROR(s.DocumentTexts(d, &meta_raw, &text, &roles, &utts));
        const uint32_t from = earliest.empty() ? 0 : earliest[base + d];
        WILDCHAT_RETURN_IF_ERROR(VerifyDoc(s, d, from, n, utts, &text, &ends, &matched));
        if (matched) out->Set(base + d);
      }
      continue;
    }
    for (uint64_t b = w.first; b < w.last; ++b) {
      const uint32_t first = s.block_first_doc(b), last = s.block_first_doc(b + 1);
      bool any = false;
      for (uint32_t d = first; d < last && !any; ++d) any = candidates.Test(base + d);
      if (!any) continue;
      // (Two words of captures: the function keeps them without allocating.)
      const uint32_t at = base + first;
      const Bitset* c = &candidates;
      WILDCHAT_RETURN_IF_ERROR(s.ForEachBlockRecordText(
          b, [c, at](uint32_t i) { return c->Test(at + i); }, &meta_raw, &metas, &text,
          [&](uint32_t i, RecordText* t) -> Status {
            const uint32_t d = first + i;
            WILDCHAT_RETURN_IF_ERROR(UtteranceTexts(metas[i], t->text(), &utts));
            const uint32_t from = earliest.empty() ? 0 : earliest[base + d];
            WILDCHAT_RETURN_IF_ERROR(VerifyDoc(s, d, from, n, utts, t, &ends, &matched));
            if (matched) out->Set(base + d);
            return Status::OK();
          }));
    }
  }
  return Status::OK();
}

// earliest: per doc, a token position before which no match starts (0:
// none known), or empty.
Status VerifyRegex(const SegmentSet& index, const QueryNode& n, const Bitset& candidates,
                   const std::vector<uint32_t>& earliest, Bitset* out) {
  // Runs of kBlocksPerRun blocks dealt to the threads in turn, so that
  // candidates bunched in one part of the index are still shared.
  uint64_t blocks = 0;
  for (const auto& s : index.segments) blocks += s->num_blocks();
  const uint64_t wanted = candidates.Count();
  unsigned threads = QueryThreads();
  if (wanted < 2 * kBlocksPerThread || blocks < 2 * kBlocksPerThread) threads = 1;
  std::vector<std::vector<CandidateBlocks>> work(threads);
  uint64_t run = 0;
  for (size_t si = 0; si < index.segments.size(); ++si) {
    const uint64_t nb = index.segments[si]->num_blocks();
    for (uint64_t b = 0; b < nb; b += kBlocksPerRun) {
      work[run++ % threads].push_back(CandidateBlocks{si, b, std::min(nb, b + kBlocksPerRun)});
    }
  }
  if (threads == 1) return VerifyBlocks(index, n, candidates, earliest, work[0], out);
  std::vector<Bitset> found(threads, Bitset(index.num_docs));
  std::vector<Status> status(threads);
  RunOnThreads(threads, [&](unsigned t) {
    status[t] = VerifyBlocks(index, n, candidates, earliest, work[t], &found[t]);
  });
  for (unsigned t = 0; t < threads; ++t) {
    WILDCHAT_RETURN_IF_ERROR(status[t]);
    out->Or(found[t]);
  }
  return Status::OK();
}

class Evaluator {
 public:
  Evaluator(const SegmentSet& index, bool want_frequencies, Evaluation* out)
      : index_(index), want_freq_(want_frequencies), out_(out) {
    for (const auto& s : index.segments) {
      role_postings_everywhere_ = role_postings_everywhere_ && s->has_role_postings();
    }
  }

  Status Run(const QueryNode& root) {
    std::vector<const QueryNode*> positive;
    std::vector<const QueryNode*> all;
    Collect(root, true, &positive);
    for (const QueryNode* t : positive) {
      if (t->kind == Kind::kRegex) continue;
      slots_[t] = out_->terms.size();
      out_->terms.push_back(TermFrequencies{t, {}});
    }
    Bitset result;
    WILDCHAT_RETURN_IF_ERROR(Eval(root, nullptr, true, &result));
    out_->matches = std::move(result);
    if (corrupt_) return Status::Corruption("index postings are corrupt");
    return Status::OK();
  }

 private:
  static void Collect(const QueryNode& n, bool positive, std::vector<const QueryNode*>* out) {
    if (n.kind == Kind::kNot) return;
    if (n.is_text()) out->push_back(&n);
    for (const auto& c : n.children) Collect(*c, positive, out);
  }
  static bool HasRegex(const QueryNode& n) {
    if (n.kind == Kind::kRegex) return true;
    for (const auto& c : n.children) {
      if (HasRegex(*c)) return true;
    }
    return false;
  }

  // Estimated matches of n, to evaluate the children of an AND most selective
  // first (their result then restricts the others). Text terms use their
  // document frequencies (a phrase the least of its tokens' and bigrams' per
  // segment); everything else counts as unknown (all docs).
  uint64_t Estimate(const QueryNode& n) const {
    switch (n.kind) {
      case Kind::kTurnId:  // a table lookup: a doc or a few
        return 1;
      case Kind::kDict:
      case Kind::kFlag:
      case Kind::kTurns:
      case Kind::kDate:
      case Kind::kScore:
        // A column filter scans the index once, or tests only candidates
        // under 1/16 of it (EvalFilter), about what reading a word of
        // num_docs/16 docs costs. Placed there, it goes before the more
        // frequent words (which are then read only at its matches: their
        // frequency lists, and the ranking that walks them, shrink to those)
        // and after the rarer ones (at whose few docs it is tested).
        return index_.num_docs / 16;
      default:
        break;
    }
    if (n.kind != Kind::kTerm && n.kind != Kind::kPhrase) return index_.num_docs;
    // Asked several times of a node (ordering, sparse tests, a word's df):
    // its terms are looked up in each segment once.
    auto [it, added] = estimates_.try_emplace(&n, 0);
    if (!added) return it->second;
    uint64_t total = 0;
    for (const auto& seg : index_.segments) {
      PhraseLists pl;
      if (FindPhraseLists(*seg, n, &pl)) total += pl.dfs[pl.lead];
    }
    it->second = total;
    return total;
  }

  // The posting lists of a term or phrase in one segment: one per token
  // (with positions), then one per pair of adjacent tokens that are both
  // common (bigram postings, segment_format.h: docs only). False when the
  // segment has no match: a token is absent, or two common tokens are never
  // adjacent.
  struct PhraseLists {
    std::vector<uint64_t> terms, bigrams;
    std::vector<uint32_t> dfs;  // terms' then bigrams'
    size_t lead = 0;            // the list with the fewest docs
    // Cursors in the same order as dfs.
    std::vector<PostingCursor> Cursors(const Segment& s) const {
      std::vector<PostingCursor> out;
      for (uint64_t t : terms) out.push_back(s.Postings(t));
      for (uint64_t b : bigrams) out.push_back(s.BigramPostings(b));
      return out;
    }
  };
  static bool FindPhraseLists(const Segment& s, const QueryNode& n, PhraseLists* out) {
    for (const std::string& t : n.tokens) {
      auto id = s.FindTerm(t);
      if (!id) return false;
      out->terms.push_back(*id);
      out->dfs.push_back(s.doc_freq(*id));
    }
    const std::vector<uint64_t>& ids = out->terms;
    for (size_t i = 0; n.kind == Kind::kPhrase && i + 1 < ids.size(); ++i) {
      if (!s.IsCommon(ids[i]) || !s.IsCommon(ids[i + 1])) continue;
      auto b = s.FindBigram(ids[i], ids[i + 1]);
      if (!b) return false;
      out->bigrams.push_back(*b);
      out->dfs.push_back(s.bigram_doc_freq(*b));
    }
    out->lead =
        static_cast<size_t>(std::min_element(out->dfs.begin(), out->dfs.end()) - out->dfs.begin());
    return true;
  }

  // Result is exact for docs in *restrict (all docs when null). `spine`: every
  // final match lies in *restrict (n hangs from the root through ANDs only),
  // so a term may leave the docs outside it out of its frequencies too.
  Status Eval(const QueryNode& n, const Bitset* restrict, bool spine, Bitset* out) {
    switch (n.kind) {
      case Kind::kAll:
        *out = Bitset(index_.num_docs, true);
        return Status::OK();
      case Kind::kAnd: {
        bool have = false;
        Bitset acc;
        // Regexes last (they verify stored text), the rest most selective first.
        std::vector<std::pair<uint64_t, const QueryNode*>> order;
        for (const auto& c : n.children) {
          order.emplace_back(HasRegex(*c) ? UINT64_MAX : Estimate(*c), c.get());
        }
        std::stable_sort(order.begin(), order.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        // Scoped words that must read positions to find their utterances:
        // first intersect the docs holding them at all (postings only), so
        // that positions are read only there.
        for (const auto& [estimate, c] : order) {
          if (c->kind != Kind::kTerm || c->scope.all()) continue;
          if (role_postings_everywhere_ && !c->scope.first_user) continue;
          Bitset r;
          WordDocs(*c, have ? &acc : restrict, &r);
          if (!have) {
            acc = std::move(r);
            have = true;
          } else {
            acc.And(r);
          }
        }
        for (const auto& [estimate, c] : order) {
          Bitset r;
          const Bitset* limit = have ? &acc : restrict;
          WILDCHAT_RETURN_IF_ERROR(Eval(*c, limit, spine, &r));
          if (!have) {
            acc = std::move(r);
            have = true;
          } else {
            acc.And(r);
          }
        }
        *out = std::move(acc);
        return Status::OK();
      }
      case Kind::kOr: {
        Bitset acc(index_.num_docs);
        for (const auto& c : n.children) {
          Bitset r;
          WILDCHAT_RETURN_IF_ERROR(Eval(*c, restrict, false, &r));
          acc.Or(r);
        }
        *out = std::move(acc);
        return Status::OK();
      }
      case Kind::kNot: {
        WILDCHAT_RETURN_IF_ERROR(Eval(*n.children[0], restrict, false, out));
        out->Flip();
        return Status::OK();
      }
      case Kind::kTerm:
      case Kind::kPhrase:
      case Kind::kPrefix:
        return EvalText(n, restrict, spine, out);
      case Kind::kRegex:
        return EvalRegex(n, restrict, out);
      default:
        EvalFilter(n, restrict, out);
        return Status::OK();
    }
  }

  // Single-term postings restricted to the scope: emit(local doc, tf).
  template <typename Fn>
  void TermDocs(const Segment& s, uint64_t term, const TextScope& scope, Fn&& emit) {
    if (!scope.all()) return ScopedTermDocs(s, term, scope, emit);
    PostingCursor c = s.Postings(term);
    c.ForEachRemaining(emit);
    corrupt_ = corrupt_ || c.corrupt();
  }

  // When scope is one role with streams of its own (user or other, not
  // first:) and term has them, the term's occurrences in scope are that
  // stream: *sole is set and the stream returned (nullopt: none in that role).
  static std::optional<PostingCursor> SoleRoleStream(const Segment& s, uint64_t term,
                                                     const TextScope& scope, bool* sole) {
    *sole = s.HasRoleStreams(term) && !scope.first_user &&
            (scope.roles == 1u << kRoleUser || scope.roles == 1u << kRoleOther);
    if (!*sole) return std::nullopt;
    return s.RolePostings(term, scope.roles == 1u << kRoleUser ? kRoleUser : kRoleOther);
  }

  // TermDocs of a word with a scope (kept apart from the hot unscoped loop).
  template <typename Fn>
  [[gnu::noinline]] void ScopedTermDocs(const Segment& s, uint64_t term, const TextScope& scope,
                                        Fn& emit) {
    const bool streams = s.HasRoleStreams(term);
    bool sole = false;
    if (auto role = SoleRoleStream(s, term, scope, &sole)) {
      role->ForEachRemaining(emit);
      corrupt_ = corrupt_ || role->corrupt();
    }
    if (sole) return;
    PostingCursor c = s.Postings(term);
    ScopeCounter counter(s, term, scope);
    if (streams && scope.first_user) {
      // The first user utterance is a user utterance: the user stream leads.
      auto user = s.RolePostings(term, kRoleUser);
      if (!user) return;
      while (user->Next()) {
        if (!c.Advance(user->doc()) || c.doc() != user->doc()) {
          corrupt_ = true;  // a role stream names a doc the term's postings lack
          break;
        }
        const uint32_t tf = counter.Count(c, &positions_);
        if (tf > 0) emit(c.doc(), tf);
      }
      corrupt_ = corrupt_ || user->corrupt();
    } else {
      while (c.Next()) {
        const uint32_t tf = counter.Count(c, &positions_);
        if (tf > 0) emit(c.doc(), tf);
      }
    }
    corrupt_ = corrupt_ || c.corrupt() || counter.corrupt();
  }

  // Phrase matches in one segment. Without `sparse` the cursors leapfrog from
  // the one with the fewest docs; with it only the docs of *sparse (global
  // numbers, offset by base) are visited. Positions are read only where every
  // token and bigram occurs; a two-word phrase over every utterance whose
  // words are both common is its bigram's postings, no positions read.
  template <typename Fn>
  void PhraseDocs(const Segment& s, const QueryNode& n, const Bitset* sparse, uint32_t base,
                  Fn&& emit) {
    PhraseLists pl;
    if (!FindPhraseLists(s, n, &pl)) return;
    std::vector<PostingCursor> cursors = pl.Cursors(s);
    const size_t k = pl.terms.size();
    if (k == 2 && cursors.size() == 3 && n.scope.all()) {
      PostingCursor& c = cursors[2];
      if (sparse) {
        CursorDocsIn(*sparse, base, s.num_docs(), &c, [&](uint32_t) { emit(c.doc(), c.tf()); });
      } else {
        while (c.Next()) emit(c.doc(), c.tf());
      }
      corrupt_ = corrupt_ || c.corrupt();
      return;
    }
    const size_t lead = pl.lead;
    std::vector<uint32_t> pos, starts, kept;
    std::vector<size_t> order(k);
    auto check = [&](uint32_t doc) {  // every cursor is on doc
      // Tokens by ascending frequency in this doc: the rarest one's positions
      // give the candidate starts, each further token keeps those where it
      // stands at its offset, and once none is left the remaining (most
      // frequent) tokens' positions are never decoded.
      for (size_t i = 0; i < k; ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return cursors[a].tf() < cursors[b].tf(); });
      starts.clear();
      for (size_t j = 0; j < k; ++j) {
        const size_t i = order[j];
        const uint32_t offset = static_cast<uint32_t>(i);
        cursors[i].ReadPositions(&pos);
        if (j == 0) {
          for (uint32_t q : pos) {
            if (q >= offset) starts.push_back(q - offset);  // else it would start before the doc
          }
        } else {
          // Both ascend: one merge.
          kept.clear();
          size_t at = 0;
          for (uint32_t p : starts) {
            while (at < pos.size() && pos[at] < p + offset) ++at;
            if (at < pos.size() && pos[at] == p + offset) kept.push_back(p);
          }
          starts.swap(kept);
        }
        if (starts.empty()) return;
      }
      uint32_t tf = 0;
      std::optional<DocUtterances> utts;
      for (uint32_t p : starts) {
        if (!n.scope.all()) {
          if (!utts) utts.emplace(s, doc);
          if (!utts->InScope(p, n.scope)) continue;
        }
        ++tf;
      }
      if (tf > 0) emit(doc, tf);
    };
    if (sparse) {
      bool done = false;
      sparse->ForEachInRange(base, base + s.num_docs(), [&](uint32_t global) {
        if (done) return;
        const uint32_t doc = global - base;
        bool aligned = true;
        for (auto& c : cursors) {
          if (!c.Advance(doc)) {
            done = true;
            return;
          }
          aligned = aligned && c.doc() == doc;
        }
        if (aligned) check(doc);
      });
    } else {
      uint32_t target = 0;
      while (cursors[lead].Advance(target)) {
        target = cursors[lead].doc();
        uint32_t furthest = target;
        bool exhausted = false;
        for (size_t i = 0; i < cursors.size() && !exhausted; ++i) {
          if (i == lead) continue;
          exhausted = !cursors[i].Advance(target);
          if (!exhausted) furthest = std::max(furthest, cursors[i].doc());
        }
        if (exhausted) break;
        if (furthest == target) {
          check(target);
          ++target;
        } else {
          target = furthest;
        }
      }
    }
    for (auto& c : cursors) corrupt_ = corrupt_ || c.corrupt();
  }

  // A superset of the docs where word n occurs in its scope, exact for the
  // docs of *restrict when the scope is ignored: the docs holding it in any
  // utterance, or, for first: and user: where the segment has role postings,
  // in a user utterance.
  void WordDocs(const QueryNode& n, const Bitset* restrict, Bitset* out) {
    *out = Bitset(index_.num_docs);
    const bool sparse = restrict&& restrict->Count() * 8 < Estimate(n);
    const bool user_only = n.scope.first_user || n.scope.roles == 1u << kRoleUser;
    ForEachWordCursor(
        n.tokens[0], [&](const Segment& s, uint64_t term, uint32_t base, PostingCursor& all) {
          std::optional<PostingCursor> user;
          if (user_only && s.HasRoleStreams(term)) {
            user = s.RolePostings(term, kRoleUser);
            if (!user) return;  // never in a user utterance here
          }
          PostingCursor& c = user ? *user : all;
          if (sparse) {
            CursorDocsIn(*restrict, base, s.num_docs(), &c, [&](uint32_t doc) { out->Set(doc); });
          } else {
            while (c.Next()) out->Set(base + c.doc());
          }
          corrupt_ = corrupt_ || c.corrupt();
        });
  }

  // fn(segment, the word's term id there, its first global doc, the word's
  // cursor) for each segment holding the word.
  template <typename Fn>
  void ForEachWordCursor(const std::string& word, Fn&& fn) {
    for (size_t si = 0; si < index_.segments.size(); ++si) {
      const Segment& s = *index_.segments[si];
      auto id = s.FindTerm(word);
      if (!id) continue;
      PostingCursor c = s.Postings(*id);
      fn(s, *id, index_.bases[si], c);
      corrupt_ = corrupt_ || c.corrupt();
    }
  }

  // Whether to read a single word's postings only at the docs of *restrict
  // (skipping whole blocks) rather than all of them.
  // (`df`: the word's Estimate.)
  bool Restricted(const QueryNode& n, const Bitset* restrict, bool spine, uint64_t df) const {
    if (n.kind != Kind::kTerm || !restrict) return false;
    if (want_freq_ && !spine) return false;  // scores need tf wherever the term occurs
    // A scoped word that reads positions per doc: that outweighs skipping.
    const bool positions = !n.scope.all() && (!role_postings_everywhere_ || n.scope.first_user);
    // Otherwise only a list 32 times as long as *restrict (on average four
    // of a 128-doc block's docs in it): denser, nearly every block is read
    // anyway, and decoding it whole and testing its docs against *restrict
    // costs less than advancing a cursor to each (user:(write a story) at
    // 1M: 5.3 -> 4.4 ms against a factor of 8).
    return restrict->Count() * (positions ? 1 : 32) < df;
  }

  Status EvalText(const QueryNode& n, const Bitset* restrict, bool spine, Bitset* out) {
    *out = Bitset(index_.num_docs);
    auto slot = slots_.find(&n);
    TermFrequencies* freq_of = slot != slots_.end() ? &out_->terms[slot->second] : nullptr;
    std::vector<DocFreq>* freq = (want_freq_ && freq_of) ? &freq_of->docs : nullptr;
    const uint64_t df = n.kind == Kind::kTerm ? Estimate(n) : 0;  // a word's, in any role
    if (freq && n.kind == Kind::kTerm) {  // no regrowth (copies, fresh pages) on the way
      // (A block more: a block's docs are appended whole before those outside
      // *restrict are dropped.)
      freq->reserve(
          freq->size() +
          (restrict ? std::min<uint64_t>(restrict->Count(), df) + kPostingBlockDocs : df));
    }
    if (Restricted(n, restrict, spine, df)) {
      if (freq_of) freq_of->df = df;
      ForEachWordCursor(
          n.tokens[0], [&](const Segment& s, uint64_t term, uint32_t base, PostingCursor& c) {
            bool sole = false;
            if (auto role = SoleRoleStream(s, term, n.scope, &sole)) {
              CursorDocsIn(*restrict, base, s.num_docs(), &*role, [&](uint32_t doc) {
                out->Set(doc);
                if (freq) freq->emplace_back(doc, role->tf());
              });
              corrupt_ = corrupt_ || role->corrupt();
            }
            if (sole) return;
            ScopeCounter counter(s, term, n.scope);
            CursorDocsIn(*restrict, base, s.num_docs(), &c, [&](uint32_t doc) {
              const uint32_t tf = n.scope.all() ? c.tf() : counter.Count(c, &positions_);
              if (tf == 0) return;
              out->Set(doc);
              if (freq) freq->emplace_back(doc, tf);
            });
            corrupt_ = corrupt_ || counter.corrupt();
          });
      return Status::OK();
    }
    // A phrase's IDF needs its exact document frequency, so it is restricted
    // only when no frequencies are wanted.
    const bool sparse_phrase =
        n.kind == Kind::kPhrase&& restrict && !want_freq_&& restrict->Count() * 8 < Estimate(n);
    for (size_t si = 0; si < index_.segments.size(); ++si) {
      const Segment& s = *index_.segments[si];
      const uint32_t base = index_.bases[si];
      // Inlined into each posting loop (called once per doc: as a call it
      // cost a fifth of a frequent word's evaluation).
      Bitset::Appender matched(out);
      auto emit = [&](uint32_t doc, uint32_t tf) __attribute__((always_inline)) {
        matched.Add(base + doc);
        if (freq) freq->emplace_back(base + doc, tf);
      };
      if (n.kind == Kind::kTerm) {
        const auto id = s.FindTerm(n.tokens[0]);
        // A word scoped to one role with a stream of its own reads that
        // stream as an unscoped word reads its postings.
        bool sole = false;
        std::optional<PostingCursor> role;
        if (id && !n.scope.all()) role = SoleRoleStream(s, *id, n.scope, &sole);
        if (sole && !role) continue;  // never in that role here
        if (id && (n.scope.all() || sole)) {
          // The hot loop of broad queries: a block of docs at a time, its
          // frequencies appended without a capacity check per doc.
          // On the spine, only the docs of *restrict can match, so only theirs
          // are listed (kept without a branch): ranking then walks a list
          // about as long as the matches, not the word's whole list.
          PostingCursor c = sole ? std::move(*role) : s.Postings(*id);
          const Bitset* keep = spine ? restrict : nullptr;
          c.ForEachRemainingBlock([&](const uint32_t* docs, const uint32_t* tfs, uint32_t k) {
            matched.AddAll(base, docs, k);
            if (!freq) return;
            const size_t at = freq->size();
            freq->resize(at + k);
            auto* to = freq->data() + at;
            if (!keep) {
              for (uint32_t i = 0; i < k; ++i) to[i] = {base + docs[i], tfs[i]};
              return;
            }
            size_t kept = 0;
            for (uint32_t i = 0; i < k; ++i) {
              to[kept] = {base + docs[i], tfs[i]};
              kept += keep->Test(base + docs[i]) ? 1 : 0;
            }
            freq->resize(at + kept);
          });
          corrupt_ = corrupt_ || c.corrupt();
        } else if (id) {
          TermDocs(s, *id, n.scope, emit);
        }
      } else if (n.kind == Kind::kPhrase) {
        PhraseDocs(s, n, sparse_phrase ? restrict : nullptr, base, emit);
      } else {
        uint64_t lo, hi;
        s.PrefixRange(n.tokens[0], &lo, &hi);
        if (hi - lo == 1) {
          TermDocs(s, lo, n.scope, emit);
        } else if (hi > lo) {
          // The terms' (doc, tf) summed per doc: in a doc-sized array unless
          // they are very few (clearing the array costs about as much as
          // sorting 1/64 as many pairs).
          uint64_t listed = 0;
          for (uint64_t t = lo; t < hi; ++t) listed += s.doc_freq(t);
          if (listed * 64 >= s.num_docs()) {
            std::vector<uint32_t> sum(s.num_docs(), 0);
            Bitset seen(s.num_docs());
            for (uint64_t t = lo; t < hi; ++t) {
              TermDocs(s, t, n.scope, [&](uint32_t d, uint32_t tf) {
                sum[d] += tf;
                seen.Set(d);
              });
            }
            seen.ForEach([&](uint32_t d) { emit(d, sum[d]); });
          } else {
            std::vector<std::pair<uint32_t, uint32_t>> acc;
            acc.reserve(listed);
            for (uint64_t t = lo; t < hi; ++t) {
              TermDocs(s, t, n.scope, [&](uint32_t d, uint32_t tf) { acc.emplace_back(d, tf); });
            }
            std::sort(acc.begin(), acc.end());
            for (size_t i = 0; i < acc.size();) {
              uint32_t tf = 0;
              size_t j = i;
              for (; j < acc.size() && acc[j].first == acc[i].first; ++j) tf += acc[j].second;
              emit(acc[i].first, tf);
              i = j;
            }
          }
        }
      }
    }
    // A word's IDF counts every conversation holding it, whatever the scope
    // (so that restricted and full evaluation score alike).
    if (freq_of) freq_of->df = sparse_phrase ? 0 : n.kind == Kind::kTerm ? df : out->Count();
    return Status::OK();
  }

  Status EvalRegex(const QueryNode& n, const Bitset* restrict, Bitset* out) {
    *out = Bitset(index_.num_docs);
    const RE2& re = *n.regex;
    // Verifying a few restricted docs is cheaper than reading postings.
    constexpr uint64_t kPrefilterMinDocs = 2000;
    const Bitset* limit = restrict;
    Bitset candidates;
    std::vector<uint32_t> earliest;
    if (limit && limit->Count() < kPrefilterMinDocs) {
      candidates = *limit;
    } else {
      RegexCandidates(index_, re, RegexPrefilterOptions(), &candidates, nullptr, &earliest);
      if (limit) candidates.And(*limit);
    }
    return VerifyRegex(index_, n, candidates, earliest, out);
  }

  static bool AsciiEqualLower(std::string_view value, std::string_view lower_query, bool prefix) {
    if (prefix ? value.size() < lower_query.size() : value.size() != lower_query.size())
      return false;
    for (size_t i = 0; i < lower_query.size(); ++i) {
      char c = value[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != lower_query[i]) return false;
    }
    return true;
  }

  // Column filters test every doc, or only those of a small *restrict.
  void EvalFilter(const QueryNode& n, const Bitset* restrict, Bitset* out) {
    *out = Bitset(index_.num_docs);
    const bool sparse = restrict&& restrict->Count() * 16 < index_.num_docs;
    for (size_t si = 0; si < index_.segments.size(); ++si) {
      const Segment& s = *index_.segments[si];
      const uint32_t base = index_.bases[si];
      const uint32_t nd = s.num_docs();
      // Sets the docs to test (local numbers) for which pred holds; over all
      // the segment's docs without a branch per doc.
      auto test = [&](auto&& pred) {
        if (sparse) {
          restrict->ForEachInRange(base, base + nd, [&](uint32_t doc) {
            if (pred(doc - base)) out->Set(doc);
          });
        } else {
          out->SetWhere(base, base + nd, [&](size_t doc) { return pred(doc - base); });
        }
      };
      switch (n.kind) {
        case Kind::kDict: {
          const uint32_t size = s.dict_size(n.dict_field);
          std::vector<uint8_t> ok(size + 1, 0);
          std::vector<uint32_t> matching;  // the codes ok marks
          std::string scratch;
          if (s.dict_packed(n.dict_field)) {
            // Sorted lowercase hashes: the matches are one run from the
            // first value not below the query (binary search; spelling out
            // every hash took milliseconds a segment).
            uint32_t lo = 1, hi = size + 1;
            while (lo < hi) {
              const uint32_t mid = lo + (hi - lo) / 2;
              if (s.dict_value(n.dict_field, mid, &scratch) < n.value) {
                lo = mid + 1;
              } else {
                hi = mid;
              }
            }
            for (uint32_t code = lo; code <= size; ++code) {
              if (!AsciiEqualLower(s.dict_value(n.dict_field, code, &scratch), n.value,
                                   n.value_prefix)) {
                break;
              }
              ok[code] = 1;
              matching.push_back(code);
            }
          } else {
            for (uint32_t code = 1; code <= size; ++code) {
              ok[code] = AsciiEqualLower(s.dict_value(n.dict_field, code, &scratch), n.value,
                                         n.value_prefix);
              if (ok[code]) matching.push_back(code);
            }
          }
          if (matching.empty()) break;
          // Up to four values (a name, a `gpt-4*` prefix): compares, which
          // vectorise, instead of a lookup per doc. Unused slots repeat a
          // value. One byte a doc where the dictionary is small enough.
          auto by_codes = [&](const auto* col) {
            using Code = std::remove_cvref_t<decltype(col[0])>;
            if (matching.size() <= 4) {
              std::array<Code, 4> codes;
              for (size_t i = 0; i < codes.size(); ++i)
                codes[i] = static_cast<Code>(matching[std::min(i, matching.size() - 1)]);
              test([col, codes](size_t d) {
                const Code v = col[d];
                return (v == codes[0]) | (v == codes[1]) | (v == codes[2]) | (v == codes[3]);
              });
            } else {
              test([&](size_t d) { return ok[col[d]] != 0; });
            }
          };
          if (const uint8_t* narrow = s.narrow().codes8(n.dict_field)) {
            by_codes(narrow);
          } else {
            by_codes(s.code_column(n.dict_field));
          }
          break;
        }
        case Kind::kTurnId:
          for (uint32_t d : s.DocsOfTurn(n.int_lo)) out->Set(base + d);
          break;
        case Kind::kFlag: {
          const uint32_t mask = n.flag_mask;
          const bool value = n.flag_value;
          if (mask <= 0xFF) {
            const uint8_t* f = s.narrow().flags8();
            const uint8_t m = static_cast<uint8_t>(mask);
            test([f, m, value](size_t d) { return ((f[d] & m) != 0) == value; });
          } else {
            const uint32_t* f = s.flag_column();
            test([f, mask, value](size_t d) { return ((f[d] & mask) != 0) == value; });
          }
          break;
        }
        // (Branch-free tests of values copied out of n: the compiler turns
        // the 64 tests of a bitset word into vector compares.)
        case Kind::kTurns: {
          const int64_t lo = n.int_lo, hi = n.int_hi;
          if (const uint16_t* t16 = s.narrow().turns16()) {
            // Every count is in [0, 65535): the bounds clamped to that
            // range select the same docs.
            const int64_t l = std::max<int64_t>(lo, 0), h = std::min<int64_t>(hi, 65534);
            if (l > h) break;
            const uint16_t l16 = static_cast<uint16_t>(l), h16 = static_cast<uint16_t>(h);
            test([t16, l16, h16](size_t d) { return (t16[d] >= l16) & (t16[d] <= h16); });
          } else {
            const int64_t* t = s.turns();
            test([t, lo, hi](size_t d) { return (t[d] >= lo) & (t[d] <= hi); });
          }
          break;
        }
        case Kind::kDate: {
          const int64_t lo = n.int_lo, hi = n.int_hi;
          // The parser's bounds fall on days' starts, or are open: two bytes
          // a doc (narrow_columns.h).
          uint16_t l, h;
          if (s.narrow().DayRange(lo, hi, &l, &h)) {
            const uint16_t* days = s.narrow().days16();
            test([days, l, h](size_t d) { return (days[d] >= l) & (days[d] < h); });
          } else {
            const int64_t* t = s.timestamps();
            test([t, lo, hi](size_t d) {
              return (t[d] != kNullTimestamp) & (t[d] >= lo) & (t[d] < hi);
            });
          }
          break;
        }
        case Kind::kScore: {
          // NaN (no score) fails every comparison; a float column's values
          // widen to the exact doubles they stand for.
          const ScoreColumn& col = s.score_column(n.column);
          const double x = n.number;
          auto compare = [&](const auto* v) {
            switch (n.op) {
              case CompareOp::kLt:
                test([&](size_t d) { return static_cast<double>(v[d]) < x; });
                break;
              case CompareOp::kLe:
                test([&](size_t d) { return static_cast<double>(v[d]) <= x; });
                break;
              case CompareOp::kGt:
                test([&](size_t d) { return static_cast<double>(v[d]) > x; });
                break;
              case CompareOp::kGe:
                test([&](size_t d) { return static_cast<double>(v[d]) >= x; });
                break;
            }
          };
          if (col.f) {
            compare(col.f);
          } else {
            compare(col.d);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  const SegmentSet& index_;
  bool want_freq_;
  bool role_postings_everywhere_ = true;  // scoped words (but first:) need no positions
  Evaluation* out_;
  std::map<const QueryNode*, size_t> slots_;
  mutable std::map<const QueryNode*, uint64_t> estimates_;  // Estimate's, of words and phrases
  std::vector<uint32_t> positions_;
  bool corrupt_ = false;
};

}  // namespace

Status Evaluate(const SegmentSet& index, const QueryNode& root, bool want_frequencies,
                Evaluation* out) {
  out->terms.clear();
  Evaluator e(index, want_frequencies, out);
  return e.Run(root);
}

Status ForEachDocument(const SegmentSet& index, const Bitset& docs,
                       const std::function<Status(uint32_t, const Conversation&)>& fn) {
  std::string raw;
  std::vector<std::string_view> records;
  Conversation c;
  for (size_t si = 0; si < index.segments.size(); ++si) {
    const Segment& s = *index.segments[si];
    const uint32_t base = index.bases[si];
    for (uint64_t b = 0; b < s.num_blocks(); ++b) {
      const uint32_t first = s.block_first_doc(b), last = s.block_first_doc(b + 1);
      bool any = false;
      for (uint32_t d = first; d < last && !any; ++d) any = docs.Test(base + d);
      if (!any) continue;
      WILDCHAT_RETURN_IF_ERROR(s.ReadBlock(b, &raw, &records));
      for (uint32_t d = first; d < last; ++d) {
        if (!docs.Test(base + d)) continue;
        WILDCHAT_RETURN_IF_ERROR(DecodeConversation(records[d - first], &c));
        WILDCHAT_RETURN_IF_ERROR(fn(base + d, c));
      }
    }
  }
  return Status::OK();
}

}  // namespace wildchat
