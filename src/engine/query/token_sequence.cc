#include "engine/query/token_sequence.h"

#include <re2/re2.h>

#include <algorithm>
#include <bitset>

#include "engine/query/cursor_docs.h"

namespace wildchat {
namespace {

// Each element costs a scan of every segment's dictionary: a hostile pattern
// gets at most 4 × 8 of them (later elements of a long sequence are dropped,
// which keeps the rest sound).
constexpr size_t kMaxSequences = 4;
constexpr size_t kMaxElements = 8;

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char FoldAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// One top-level item of a pattern, with its quantifier.
struct Item {
  enum class Kind {
    kRun,        // matches only ASCII letters and digits
    kSeparator,  // matches only other ASCII characters, at least one
    kOther,      // anything else that consumes text
    kEmpty,      // zero-width: ^ $ \b \B \A \z, flag groups
  };
  Kind kind = Kind::kOther;
  std::string regex;       // kRun: the item over folded text, quantifier included
  char literal = 0;        // kRun: the folded character when the item is one
  std::bitset<128> chars;  // kRun: the folded characters it matches
  int min = 1;             // the fewest repeats the quantifier allows
  bool quantified = false;
};

// Reads a pattern item by item. Any construct it does not follow sets failed:
// then the pattern's sequences are not to be trusted and none are used.
class ItemReader {
 public:
  explicit ItemReader(std::string_view p) : p_(p) {
    // Separators: every ASCII character that is not a letter or digit.
    for (int c = 0; c < 128; ++c) {
      if (!IsAsciiAlnum(static_cast<unsigned char>(c))) separators_.set(c);
    }
  }
  bool failed() const { return failed_; }
  bool done() const { return failed_ || i_ >= p_.size(); }

  Item Next() {
    Item item = Atom();
    if (!failed_) Quantifier(&item);
    return item;
  }

 private:
  using Mask = std::bitset<128>;

  Item Fail() {
    failed_ = true;
    return Item();
  }

  static Item Run(char c) {
    Item item;
    item.kind = Item::Kind::kRun;
    item.literal = FoldAscii(c);
    item.regex.push_back(item.literal);
    item.chars.set(static_cast<unsigned char>(item.literal));
    return item;
  }

  // An item matching the characters of `mask` (ASCII only).
  Item FromMask(const Mask& mask, bool other) const {
    Item item;
    if (other || mask.none()) return item;
    if ((mask & separators_) == mask) {
      item.kind = Item::Kind::kSeparator;
      return item;
    }
    if ((mask & separators_).any()) return item;
    Mask folded;
    for (int c = 0; c < 128; ++c) {
      if (mask.test(c)) folded.set(static_cast<unsigned char>(FoldAscii(static_cast<char>(c))));
    }
    item.kind = Item::Kind::kRun;
    item.chars = folded;
    item.regex.push_back('[');
    for (int c = 0; c < 128; ++c) {
      if (!folded.test(c)) continue;
      int last = c;
      while (last + 1 < 128 && folded.test(last + 1)) ++last;
      item.regex.push_back(static_cast<char>(c));
      if (last > c + 1) item.regex.push_back('-');
      if (last > c) item.regex.push_back(static_cast<char>(last));
      c = last;
    }
    item.regex.push_back(']');
    return item;
  }

  static Mask Digits() {
    Mask m;
    for (int c = '0'; c <= '9'; ++c) m.set(c);
    return m;
  }
  static Mask Spaces() {
    Mask m;
    for (char c : {'\t', '\n', '\f', '\r', ' '}) m.set(static_cast<unsigned char>(c));
    return m;
  }

  // The character an escape of one ASCII punctuation or control letter
  // stands for, or -1.
  static int EscapedChar(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'a':
        return '\a';
      default:
        break;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    return u < 128 && !IsAsciiAlnum(u) ? u : -1;
  }

  void SkipCodePoint() {
    ++i_;
    while (i_ < p_.size() && (static_cast<unsigned char>(p_[i_]) & 0xC0) == 0x80) ++i_;
  }

  Item Atom() {
    const char c = p_[i_];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      SkipCodePoint();
      return Item();
    }
    switch (c) {
      case '|':
      case ')':
      case '*':
      case '+':
      case '?':
      case '{':
        return Fail();
      case '^':
      case '$': {
        ++i_;
        Item item;
        item.kind = Item::Kind::kEmpty;
        return item;
      }
      case '.':
        ++i_;
        return Item();
      case '(':
        return Group();
      case '[':
        return Class();
      case '\\':
        return Escape();
      default:
        break;
    }
    ++i_;
    if (IsAsciiAlnum(u)) return Run(c);
    Item item;
    item.kind = Item::Kind::kSeparator;
    return item;
  }

  Item Escape() {
    if (i_ + 1 >= p_.size()) return Fail();
    const char c = p_[i_ + 1];
    i_ += 2;
    Item item;
    switch (c) {
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        item.kind = Item::Kind::kEmpty;
        return item;
      case 'd':
        return FromMask(Digits(), false);
      case 's':
        return FromMask(Spaces(), false);
      case 'w':
      case 'W':
      case 'S':
      case 'D':
        return item;  // kOther
      default:
        break;
    }
    const int e = EscapedChar(c);
    if (e < 0) return Fail();  // \p, \x, \Q, \C, \1, ...: not followed
    Mask m;
    m.set(static_cast<size_t>(e));
    return FromMask(m, false);
  }

  // `[...]`: letters/digits only, separators only, or other.
  Item Class() {
    ++i_;
    bool negated = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negated = true;
      ++i_;
    }
    if (i_ < p_.size() && p_[i_] == ']') return Fail();  // a leading ']': not followed
    Mask mask;
    bool other = negated;
    while (true) {
      if (i_ >= p_.size()) return Fail();
      const char c = p_[i_];
      if (c == ']') {
        ++i_;
        break;
      }
      if (c == '[' && i_ + 1 < p_.size() && p_[i_ + 1] == ':') return Fail();  // [:alpha:]
      int lo;
      if (static_cast<unsigned char>(c) >= 0x80) {
        SkipCodePoint();
        other = true;
        continue;
      }
      if (c == '\\') {
        if (i_ + 1 >= p_.size()) return Fail();
        const char e = p_[i_ + 1];
        i_ += 2;
        if (e == 'd') {
          mask |= Digits();
          continue;
        }
        if (e == 's') {
          mask |= Spaces();
          continue;
        }
        if (e == 'w' || e == 'W' || e == 'S' || e == 'D') {
          other = true;
          continue;
        }
        lo = EscapedChar(e);
        if (lo < 0) return Fail();
      } else {
        lo = static_cast<unsigned char>(c);
        ++i_;
      }
      int hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        const unsigned char h = static_cast<unsigned char>(p_[i_ + 1]);
        if (h >= 0x80 || h == '\\' || h == '[') return Fail();
        hi = h;
        i_ += 2;
        if (hi < lo) return Fail();
      }
      for (int k = lo; k <= hi; ++k) mask.set(static_cast<size_t>(k));
    }
    return FromMask(mask, other);
  }

  // `(?flags)` is zero-width; any other group is one kOther item.
  Item Group() {
    size_t j = i_ + 1;
    if (j < p_.size() && p_[j] == '?') {
      size_t k = j + 1;
      while (k < p_.size() && std::string_view("imsU-").find(p_[k]) != std::string_view::npos) {
        ++k;
      }
      if (k < p_.size() && p_[k] == ')') {
        i_ = k + 1;
        Item item;
        item.kind = Item::Kind::kEmpty;
        return item;
      }
    }
    int depth = 0;
    while (i_ < p_.size()) {
      const char c = p_[i_];
      if (c == '\\') {
        i_ += 2;
        continue;
      }
      if (c == '[') {
        // Skip the class: a ']' right after '[' or '[^' is a member.
        ++i_;
        if (i_ < p_.size() && p_[i_] == '^') ++i_;
        if (i_ < p_.size() && p_[i_] == ']') ++i_;
        while (i_ < p_.size() && p_[i_] != ']') i_ += p_[i_] == '\\' ? 2 : 1;
        if (i_ >= p_.size()) return Fail();
        ++i_;
        continue;
      }
      ++i_;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return Item();
    }
    return Fail();
  }

  void Quantifier(Item* item) {
    if (i_ >= p_.size()) return;
    const char c = p_[i_];
    std::string q;
    int min = 1;
    if (c == '*' || c == '?') {
      min = 0;
      q = c;
      ++i_;
    } else if (c == '+') {
      q = c;
      ++i_;
    } else if (c == '{') {
      size_t j = i_ + 1;
      auto number = [&](int* out) {
        const size_t from = j;
        long v = 0;
        while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9' && j - from < 5) {
          v = v * 10 + (p_[j++] - '0');
        }
        *out = static_cast<int>(v);
        return j > from;
      };
      int lo = 0, hi = -1;
      if (!number(&lo)) return void(Fail());
      if (j < p_.size() && p_[j] == ',') {
        ++j;
        if (j < p_.size() && p_[j] != '}' && !number(&hi)) return void(Fail());
        if (hi >= 0 && hi < lo) return void(Fail());
      } else {
        hi = lo;
      }
      if (j >= p_.size() || p_[j] != '}') return void(Fail());
      q.push_back('{');
      q.append(std::to_string(lo));
      if (hi != lo) {
        q.push_back(',');
        if (hi >= 0) q.append(std::to_string(hi));
      }
      q.push_back('}');
      min = lo;
      i_ = j + 1;
    } else {
      return;
    }
    if (i_ < p_.size() && p_[i_] == '?') ++i_;  // lazy: the same matches exist
    if (i_ < p_.size() && std::string_view("*+?{").find(p_[i_]) != std::string_view::npos) {
      return void(Fail());
    }
    item->quantified = true;
    item->min = min;
    switch (item->kind) {
      case Item::Kind::kRun:
        item->regex += q;  // one character or one class
        break;
      case Item::Kind::kSeparator:
        if (min == 0) item->kind = Item::Kind::kOther;  // may match nothing: no boundary
        break;
      default:
        break;
    }
  }

  std::string_view p_;
  size_t i_ = 0;
  bool failed_ = false;
  Mask separators_;
};

// Builds sequences from items (see the header).
class SequenceBuilder {
 public:
  void Add(const Item& item) {
    switch (item.kind) {
      case Item::Kind::kEmpty:
        return;
      case Item::Kind::kRun:
        Extend(item);
        return;
      case Item::Kind::kSeparator:
        if (in_element_ && !CloseElement(true)) EndSequence();
        after_separator_ = true;
        return;
      case Item::Kind::kOther:
        if (in_element_) CloseElement(false);
        EndSequence();
        after_separator_ = false;
        return;
    }
  }

  std::vector<TokenSequence> Finish() {
    if (in_element_) CloseElement(false);
    EndSequence();
    return std::move(out_);
  }

 private:
  void Extend(const Item& item) {
    if (!in_element_) {
      element_ = TokenSequence::Element();
      element_.anchored_start = after_separator_;
      element_.plain_word = true;
      element_.first_chars.set();
      // The first item that must occur decides the first character; items
      // before it that may be absent add theirs.
      first_open_ = after_separator_;
      if (first_open_) element_.first_chars.reset();
      in_element_ = true;
      min_length_ = 0;
      last_chars_.reset();
      prefix_open_ = after_separator_;
      run_.clear();
    }
    element_.regex += item.regex;
    min_length_ += item.min;
    if (first_open_) {
      element_.first_chars |= item.chars;
      first_open_ = item.min == 0;
    }
    // The last character: that of the last item that must occur, or of any
    // optional item after it.
    if (item.min == 0) {
      last_chars_ |= item.chars;
    } else {
      last_chars_ = item.chars;
    }
    after_separator_ = false;
    const bool plain = item.literal != 0 && !item.quantified;
    if (!plain) element_.plain_word = false;
    if (item.literal != 0 && item.min >= 1) {
      run_.push_back(item.literal);
      if (run_.size() > element_.literal.size()) element_.literal = run_;
      if (prefix_open_) element_.prefix.push_back(item.literal);
    }
    if (!plain) {
      run_.clear();
      prefix_open_ = false;
    }
  }

  // False when the element can match nothing, so that it marks no token.
  bool CloseElement(bool anchored_end) {
    in_element_ = false;
    if (min_length_ == 0) return false;
    element_.anchored_end = anchored_end;
    if (anchored_end) {
      element_.last_chars = last_chars_;
    } else {
      element_.last_chars.set();
    }
    if (sequence_.elements.size() < kMaxElements) {
      sequence_.elements.push_back(std::move(element_));
    }
    return true;
  }

  void EndSequence() {
    if (!sequence_.elements.empty() && out_.size() < kMaxSequences) {
      out_.push_back(std::move(sequence_));
    }
    sequence_ = TokenSequence();
  }

  std::vector<TokenSequence> out_;
  TokenSequence sequence_;
  TokenSequence::Element element_;
  bool in_element_ = false;
  bool after_separator_ = false;
  bool prefix_open_ = false;
  bool first_open_ = false;      // the first character is not yet decided
  std::bitset<128> last_chars_;  // the element's possible last characters so far
  int64_t min_length_ = 0;
  std::string run_;  // the literal characters read since the last other item
};

}  // namespace

std::vector<TokenSequence> ParseTokenSequences(std::string_view pattern) {
  ItemReader reader(pattern);
  SequenceBuilder builder;
  while (!reader.done()) builder.Add(reader.Next());
  if (reader.failed()) return {};
  return builder.Finish();
}

ElementMatcher::ElementMatcher(const TokenSequence::Element& e) : e_(e) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  re_ = std::make_unique<RE2>(
      (e.anchored_start ? "^(?:" : "(?:") + e.regex + (e.anchored_end ? ")$" : ")"), options);
}

ElementMatcher::~ElementMatcher() = default;

bool ElementMatcher::ok() const {
  return re_->ok();
}

bool ElementMatcher::Fits(std::string_view term) const {
  if (term.empty()) return false;
  // A fitting term's first and last characters are ASCII when anchored.
  const unsigned char first = static_cast<unsigned char>(term.front());
  const unsigned char last = static_cast<unsigned char>(term.back());
  if (!e_.first_chars.all() && (first >= 128 || !e_.first_chars.test(first))) return false;
  if (!e_.last_chars.all() && (last >= 128 || !e_.last_chars.test(last))) return false;
  if (!e_.literal.empty() && term.find(e_.literal) == std::string_view::npos) return false;
  if (term.substr(0, e_.prefix.size()) != e_.prefix) return false;
  return RE2::PartialMatch(term, *re_);
}

namespace {

// The terms of s that fit an element, or false when there are too many.
bool FittingTerms(const Segment& s, const TokenSequence::Element& e, const ElementMatcher& m,
                  size_t max_terms, std::vector<uint64_t>* out) {
  // The sorted dictionary's ranges that can hold fitting terms: those
  // starting with the prefix, or with one of the possible first characters.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  if (!e.prefix.empty()) {
    ranges.emplace_back();
    s.PrefixRange(e.prefix, &ranges.back().first, &ranges.back().second);
  } else if (!e.first_chars.all()) {
    for (int c = 0; c < 128; ++c) {
      if (!e.first_chars.test(c)) continue;
      ranges.emplace_back();
      s.PrefixRange(std::string(1, static_cast<char>(c)), &ranges.back().first,
                    &ranges.back().second);
    }
  } else {
    ranges.emplace_back(0, s.num_terms());
  }
  for (const auto& [lo, hi] : ranges) {
    for (uint64_t t = lo; t < hi; ++t) {
      if (m.Fits(s.term(t))) {
        out->push_back(t);
        if (out->size() > max_terms) return false;
      }
    }
  }
  return true;
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

}  // namespace

TokenSequenceMatcher::TokenSequenceMatcher(TokenSequence seq) : seq_(std::move(seq)) {
  // The matchers refer to the elements, which stay where they are from here on.
  for (const TokenSequence::Element& e : seq_.elements) {
    matchers_.push_back(std::make_unique<ElementMatcher>(e));
  }
}

TokenSequenceMatcher::TokenSequenceMatcher(TokenSequenceMatcher&&) noexcept = default;
TokenSequenceMatcher::~TokenSequenceMatcher() = default;

bool TokenSequenceMatcher::ok() const {
  if (matchers_.empty()) return false;
  for (const auto& m : matchers_) {
    if (!m->ok()) return false;
  }
  return true;
}

bool TokenSequenceMatcher::Narrow(const Segment& s, const TokenSequenceOptions& options,
                                  Bitset* docs_in, uint32_t* earliest) const {
  const size_t n = seq_.elements.size();
  if (!ok()) return false;
  const double budget = n == 1 ? options.max_single_postings_per_doc : options.max_postings_per_doc;
  const uint32_t nd = s.num_docs();
  if (docs_in->Count() <= options.min_candidates) return false;
  Bitset docs = *docs_in;  // the candidates, then those holding a term of every element
  // The terms of each element and their postings.
  std::vector<std::vector<uint64_t>> terms(n);
  std::vector<uint64_t> df(n);
  uint64_t total_df = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!FittingTerms(s, seq_.elements[i], *matchers_[i], options.max_terms_per_element,
                      &terms[i])) {
      return false;
    }
    for (uint64_t t : terms[i]) df[i] += s.doc_freq(t);
    total_df += df[i];
  }
  if (static_cast<double>(total_df) > budget * nd) return false;
  // Docs holding a term of every element, rarest element first.
  bool corrupt = false;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return df[a] < df[b]; });
  for (size_t i : order) {
    Bitset has(nd);
    const uint64_t count = docs.Count();
    for (uint64_t t : terms[i]) {
      PostingCursor c = s.Postings(t);
      if (s.doc_freq(t) > 8 * count) {
        CursorDocsIn(docs, 0, docs.size(), &c, [&](uint32_t d) { has.Set(d); });
      } else {  // no positions wanted: the list a block at a time
        c.ForEachRemaining([&](uint32_t d, uint32_t) {
          if (docs.Test(d)) has.Set(d);
        });
      }
      corrupt = corrupt || c.corrupt();
    }
    docs.And(has);
  }
  if (corrupt) return false;
  if (n == 1) {  // one element: any of its terms will do
    if (earliest) {
      // Where the first of them stands in each doc.
      std::vector<uint32_t> first(nd, UINT32_MAX), scratch;
      const uint64_t count = docs.Count();
      for (uint64_t t : terms[0]) {
        PostingCursor c = s.Postings(t);
        ForEachDocIn(c, s.doc_freq(t), docs, count, [&](uint32_t d) {
          c.ReadPositions(&scratch);
          if (!scratch.empty()) first[d] = std::min(first[d], scratch.front());
        });
        if (c.corrupt()) return false;
      }
      docs.ForEach([&](uint32_t d) {
        if (first[d] != UINT32_MAX) earliest[d] = std::max(earliest[d], first[d]);
      });
    }
    *docs_in = std::move(docs);
    return true;
  }
  // Sequence starts (doc, p) where the rarest element stands at p + r; each
  // other element, rarer first, keeps the starts where it stands at p + i.
  // Its positions are merged with the starts doc by doc, in docs that still
  // have some, so no long list is sorted.
  std::vector<std::pair<uint32_t, uint32_t>> found;  // (doc, position of the first element)
  std::vector<uint8_t> hit;
  std::vector<uint32_t> scratch;
  const size_t r = order[0];
  const uint64_t count = docs.Count();
  for (uint64_t t : terms[r]) {
    PostingCursor c = s.Postings(t);
    ForEachDocIn(c, s.doc_freq(t), docs, count, [&](uint32_t d) {
      c.ReadPositions(&scratch);
      for (uint32_t p : scratch) {
        if (p >= r) found.emplace_back(d, p - static_cast<uint32_t>(r));
      }
    });
    corrupt = corrupt || c.corrupt();
  }
  // In (doc, position) order: bucketed by doc (each term's come in doc
  // order, so a doc's bucket is a few ascending runs), then each bucket
  // sorted.
  std::vector<std::pair<uint32_t, uint32_t>> starts(found.size());
  {
    std::vector<size_t> at(nd + 1, 0);
    for (const auto& f : found) ++at[f.first + 1];
    for (uint32_t d = 0; d < nd; ++d) at[d + 1] += at[d];
    for (const auto& f : found) starts[at[f.first]++] = f;
    // at[d] now ends doc d's bucket.
    size_t begin = 0;
    for (uint32_t d = 0; d < nd; ++d) {
      if (at[d] - begin > 1) std::sort(starts.begin() + begin, starts.begin() + at[d]);
      begin = at[d];
    }
  }
  // Where each doc's starts begin (a doc's are found without a search).
  std::vector<size_t> first_start;
  for (size_t k = 1; k < n && !corrupt && !starts.empty(); ++k) {
    const size_t i = order[k];
    Bitset live(nd);
    first_start.assign(nd, 0);
    for (size_t j = starts.size(); j-- > 0;) {
      live.Set(starts[j].first);
      first_start[starts[j].first] = j;
    }
    const uint64_t live_count = live.Count();
    hit.assign(starts.size(), 0);
    for (uint64_t t : terms[i]) {
      PostingCursor c = s.Postings(t);
      ForEachDocIn(c, s.doc_freq(t), live, live_count, [&](uint32_t d) {
        c.ReadPositions(&scratch);
        auto it = starts.begin() + first_start[d];
        for (uint32_t q : scratch) {  // ascending
          if (q < i) continue;
          const uint32_t want = q - static_cast<uint32_t>(i);
          while (it != starts.end() && it->first == d && it->second < want) ++it;
          if (it == starts.end() || it->first != d) break;
          if (it->second == want) hit[static_cast<size_t>(it - starts.begin())] = 1;
        }
      });
      corrupt = corrupt || c.corrupt();
    }
    size_t kept = 0;
    for (size_t j = 0; j < starts.size(); ++j) {
      if (hit[j]) starts[kept++] = starts[j];
    }
    starts.resize(kept);
  }
  if (corrupt) return false;
  Bitset keep(nd);
  for (size_t j = 0; j < starts.size(); ++j) {
    const auto [doc, at] = starts[j];
    keep.Set(doc);
    // A doc's first start (they are sorted) is its earliest.
    if (earliest && (j == 0 || starts[j - 1].first != doc)) {
      earliest[doc] = std::max(earliest[doc], at);
    }
  }
  *docs_in = std::move(keep);
  return true;
}

}  // namespace wildchat
