#include "engine/segment/segment.h"

#include <algorithm>
#include <cstring>

#include "base/hex.h"
#include "engine/store/record_codec.h"
#include "engine/store/store_reader.h"

namespace wildchat {

Status Segment::Open(const std::string& path, std::unique_ptr<Segment>* out) {
  std::unique_ptr<Segment> s(new Segment());
  WILDCHAT_RETURN_IF_ERROR(MappedSegmentFile::Open(path, &s->file_));
  WILDCHAT_RETURN_IF_ERROR(s->Load());
  *out = std::move(s);
  return Status::OK();
}

namespace {

// The first 8 bytes of t as a big-endian number, zeros past its end: a <= b
// implies TermKey(a) <= TermKey(b) (bytes compared unsigned, as
// std::string_view compares them).
uint64_t TermKey(std::string_view t) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8; ++i) {
    k = (k << 8) | (i < t.size() ? static_cast<unsigned char>(t[i]) : 0u);
  }
  return k;
}

template <typename T>
Status GetArray(const MappedSegmentFile& f, const std::string& name, size_t count, const T** out) {
  const void* p = nullptr;
  WILDCHAT_RETURN_IF_ERROR(f.Array(name, sizeof(T), count, &p));
  *out = static_cast<const T*>(p);
  return Status::OK();
}
template <typename T>
bool Monotone(const T* a, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    if (a[i] < a[i - 1]) return false;
  }
  return true;
}
}  // namespace

Status Segment::Load() {
  const MappedSegmentFile& f = *file_;
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption(f.path() + ": " + what);
  };
  const SegmentMeta* meta = nullptr;
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "meta", 1, &meta));
  meta_ = *meta;
  if (meta_.version < kOldestReadableSegmentFormat || meta_.version > kSegmentFormatVersion) {
    return corrupt("segment format version " + std::to_string(meta_.version) +
                   " is not supported (this build reads versions " +
                   std::to_string(kOldestReadableSegmentFormat) + " to " +
                   std::to_string(kSegmentFormatVersion) + "); rebuild the index");
  }
  const size_t n = meta_.num_docs;
  const size_t nu = meta_.num_utterances;
  if (nu > f.size() || meta_.num_terms > f.size()) return corrupt("implausible counts");
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "id", n, &ids_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "ts", n, &ts_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "turn", n, &turns_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "flags", n, &flags_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "doclen", n, &doc_len_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "utt.begin", n + 1, &utt_begin_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "utt.tok", nu, &utt_tok_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "utt.role", nu, &utt_role_));
  if (utt_begin_[0] != 0 || utt_begin_[n] != nu || !Monotone(utt_begin_, n + 1)) {
    return corrupt("bad utterance table");
  }
  if (f.Has("utt.bytes") && meta_.version >= 6) {  // read with a text frame per record
    // Every kLongUtteranceBytes entry listed once, in order, with its length.
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "utt.bytes", nu, &utt_bytes_));
    std::string_view long_bytes;
    WILDCHAT_RETURN_IF_ERROR(f.Section("utt.bytes.long", &long_bytes));
    const size_t nl = long_bytes.size() / sizeof(LongUtteranceBytes);
    const LongUtteranceBytes* l = nullptr;
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "utt.bytes.long", nl, &l));
    long_utt_bytes_ = std::span<const LongUtteranceBytes>(l, nl);
    size_t next = 0;
    for (size_t u = 0; u < nu; ++u) {
      if (utt_bytes_[u] != kLongUtteranceBytes) continue;
      if (next == nl || l[next].utterance != u || l[next].bytes < kLongUtteranceBytes) {
        return corrupt("bad utterance lengths");
      }
      ++next;
    }
    if (next != nl) return corrupt("bad utterance lengths");
  }
  {
    // One entry per (turn id, doc) pair, sorted; before format 5, one per
    // utterance. Either way at most one per utterance.
    std::string_view keys;
    WILDCHAT_RETURN_IF_ERROR(f.Section("tid.key", &keys));
    num_turn_ids_ = keys.size() / sizeof(int64_t);
    if (num_turn_ids_ > nu || (meta_.version < 5 && num_turn_ids_ != nu)) {
      return corrupt("bad turn id table");
    }
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "tid.key", num_turn_ids_, &tid_key_));
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "tid.doc", num_turn_ids_, &tid_doc_));
    for (size_t i = 0; i < num_turn_ids_; ++i) {
      if (tid_doc_[i] >= n) return corrupt("bad turn id table");
      if (i > 0 && (tid_key_[i] < tid_key_[i - 1] ||
                    (tid_key_[i] == tid_key_[i - 1] && tid_doc_[i] < tid_doc_[i - 1]))) {
        return corrupt("bad turn id table");
      }
    }
  }
  for (int d = 0; d < kDictFieldCount; ++d) {
    const std::string name(kDictFieldNames[d]);
    size_t count;
    if (meta_.version >= 8 && f.Has("dict." + name + ".hex")) {
      // uint32 digits per value, then the values packed two digits a byte.
      std::string_view hex;
      WILDCHAT_RETURN_IF_ERROR(f.Section("dict." + name + ".hex", &hex));
      uint32_t digits = 0;
      if (hex.size() >= 4) std::memcpy(&digits, hex.data(), 4);
      const uint32_t width = digits / 2;
      if (hex.size() < 4 || digits == 0 || digits % 2 != 0 || digits > kMaxHexDigits ||
          (hex.size() - 4) % width != 0) {
        return corrupt("bad dictionary " + name);
      }
      dict_bytes_[d] = hex.substr(4);
      dict_hex_bytes_[d] = width;
      count = dict_bytes_[d].size() / width;
    } else {
      std::string_view offs;
      WILDCHAT_RETURN_IF_ERROR(f.Section("dict." + name + ".offsets", &offs));
      if (offs.size() < 4 || offs.size() % 4 != 0) return corrupt("bad dictionary " + name);
      count = offs.size() / 4 - 1;
      WILDCHAT_RETURN_IF_ERROR(
          GetArray(f, "dict." + name + ".offsets", count + 1, &dict_offsets_[d]));
      WILDCHAT_RETURN_IF_ERROR(f.Section("dict." + name + ".bytes", &dict_bytes_[d]));
      if (dict_offsets_[d][0] != 0 || dict_offsets_[d][count] != dict_bytes_[d].size() ||
          !Monotone(dict_offsets_[d], count + 1)) {
        return corrupt("bad dictionary " + name);
      }
    }
    if (count > UINT32_MAX - 1) return corrupt("bad dictionary " + name);
    dict_size_[d] = static_cast<uint32_t>(count);
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "code." + name, n, &codes_[d]));
    for (size_t i = 0; i < n; ++i) {
      if (codes_[d][i] > count) return corrupt("bad column " + name);
    }
  }
  for (int i = 0; i < kScoreColumnCount; ++i) {
    // Floats when every value of the column is one, else doubles, or the
    // number of an earlier column with the same values (segment_format.h).
    const std::string name = "score." + std::to_string(i);
    if (f.Has(name + ".same")) {
      const uint32_t* earlier = nullptr;
      WILDCHAT_RETURN_IF_ERROR(GetArray(f, name + ".same", 1, &earlier));
      if (*earlier >= static_cast<uint32_t>(i)) return corrupt("bad column " + name);
      scores_[i] = scores_[*earlier];
      continue;
    }
    std::string_view bytes;
    WILDCHAT_RETURN_IF_ERROR(f.Section(name, &bytes));
    if (n > 0 && bytes.size() == n * sizeof(float)) {
      WILDCHAT_RETURN_IF_ERROR(GetArray(f, name, n, &scores_[i].f));
    } else {
      WILDCHAT_RETURN_IF_ERROR(GetArray(f, name, n, &scores_[i].d));
    }
  }
  const size_t nt = meta_.num_terms;
  // Each of the two term table sections in either width, told by its size.
  std::string_view bytes;
  WILDCHAT_RETURN_IF_ERROR(f.Section("terms.offsets", &bytes));
  if (bytes.size() == (nt + 1) * sizeof(uint32_t)) {
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "terms.offsets", nt + 1, &narrow_term_offsets_));
  } else {
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "terms.offsets", nt + 1, &term_offsets_));
  }
  WILDCHAT_RETURN_IF_ERROR(f.Section("terms.info", &bytes));
  if (bytes.size() == (nt + 1) * sizeof(NarrowTermInfo)) {
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "terms.info", nt + 1, &narrow_infos_));
  } else {
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "terms.info", nt + 1, &infos_));
  }
  WILDCHAT_RETURN_IF_ERROR(f.Section("terms.bytes", &term_bytes_));
  WILDCHAT_RETURN_IF_ERROR(f.Section("postings", &postings_));
  WILDCHAT_RETURN_IF_ERROR(f.Section("positions", &positions_));
  if (term_offset(0) != 0 || term_offset(nt) != term_bytes_.size() ||
      !(narrow_term_offsets_ ? Monotone(narrow_term_offsets_, nt + 1)
                             : Monotone(term_offsets_, nt + 1))) {
    return corrupt("bad term dictionary");
  }
  term_keys_.reserve(nt / kTermSample + 1);
  for (uint64_t i = 0; i < nt; i += kTermSample) term_keys_.push_back(TermKey(term(i)));
  if (info(0).doc_offset != 0 || info(0).pos_offset != 0 ||
      info(nt).doc_offset != postings_.size() || info(nt).pos_offset != positions_.size()) {
    return corrupt("bad term table");
  }
  const ImpactMeta* impact_meta = nullptr;
  if (f.Has("impacts.meta")) {
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "impacts.meta", 1, &impact_meta));
    WILDCHAT_RETURN_IF_ERROR(f.Section("impacts", &impacts_));
  }
  // One pass over the term table: offsets never decrease, and (with block
  // impacts) each term's impact bytes follow the previous term's, one per
  // full block.
  uint64_t impacts_at = 0;
  for (size_t i = 0; i <= nt; ++i) {
    const TermInfo t = info(i);
    if (i > 0 && (t.doc_offset < info(i - 1).doc_offset || t.pos_offset < info(i - 1).pos_offset)) {
      return corrupt("bad term table");
    }
    if (impact_meta && t.first_impact != impacts_at) return corrupt("bad block impacts");
    if (i < nt) impacts_at += t.df / kPostingBlockDocs;
  }
  if (impact_meta) {
    if (impacts_at != impacts_.size() ||
        !(impact_meta->avg_doc_len > 0 && impact_meta->avg_doc_len < 1e12) ||
        std::memchr(impacts_.data(), 0, impacts_.size()) != nullptr) {
      return corrupt("bad block impacts");
    }
    impact_avg_doc_len_ = impact_meta->avg_doc_len;
  }
  if (f.Has("bigram.meta")) {
    const BigramMeta* bm = nullptr;
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "bigram.meta", 1, &bm));
    WILDCHAT_RETURN_IF_ERROR(
        bigrams_.Load(f, "bigram", meta_.num_docs, tail_coding(),
                      [&](uint64_t key) { return (key >> 32) < nt && (key & 0xFFFFFFFFu) < nt; }));
    if (bigrams_.size() != bm->num_bigrams) return corrupt("bad bigram table");
    bigram_min_df_ = bm->min_df;
  }
  if (f.Has("role.meta")) {
    const RoleMeta* rm = nullptr;
    WILDCHAT_RETURN_IF_ERROR(GetArray(f, "role.meta", 1, &rm));
    WILDCHAT_RETURN_IF_ERROR(
        roles_.Load(f, "role", meta_.num_docs, tail_coding(), [&](uint64_t key) {
          const uint64_t role = key & 3;
          return (key >> 2) < nt && info(key >> 2).df >= rm->min_df &&
                 (role == kRoleUser || role == kRoleOther);
        }));
    role_min_df_ = rm->min_df;
  }
  std::string_view meta_dict, text_dict;
  WILDCHAT_RETURN_IF_ERROR(f.Section("store.dict.meta", &meta_dict));
  WILDCHAT_RETURN_IF_ERROR(f.Section("store.dict.text", &text_dict));
  // Since format 8 the texts are coded with a vocabulary (empty: not coded).
  std::string_view vocab;
  if (meta_.version >= 8) WILDCHAT_RETURN_IF_ERROR(f.Section("store.vocab", &vocab));
  WILDCHAT_RETURN_IF_ERROR(StoreReader::Open(meta_dict, text_dict, vocab,
                                             meta_.version >= 9   ? TextFrames::kPerRecordChunks
                                             : meta_.version >= 6 ? TextFrames::kPerRecord
                                                                  : TextFrames::kPerBlock,
                                             &store_)
                               .WithContext(f.path() + ": "));
  WILDCHAT_RETURN_IF_ERROR(f.Section("store.blocks", &store_blocks_));
  std::string_view offs;
  WILDCHAT_RETURN_IF_ERROR(f.Section("store.offsets", &offs));
  if (offs.size() < 8 || offs.size() % 8 != 0) return corrupt("bad store index");
  num_blocks_ = offs.size() / 8 - 1;
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "store.offsets", num_blocks_ + 1, &store_offsets_));
  WILDCHAT_RETURN_IF_ERROR(GetArray(f, "store.first", num_blocks_ + 1, &store_first_));
  if (store_offsets_[0] != 0 || store_offsets_[num_blocks_] != store_blocks_.size() ||
      !Monotone(store_offsets_, num_blocks_ + 1) || store_first_[num_blocks_] != n ||
      (num_blocks_ > 0 && store_first_[0] != 0)) {
    return corrupt("bad store index");
  }
  for (size_t i = 1; i <= num_blocks_; ++i) {
    if (store_first_[i] <= store_first_[i - 1]) return corrupt("bad store index");
  }
  return Status::OK();
}

std::string_view Segment::dict_value(DictField f, uint32_t code, std::string* scratch) const {
  const int d = static_cast<int>(f);
  if (code == 0 || code > dict_size_[d]) return {};
  if (const uint32_t width = dict_hex_bytes_[d]; width != 0) {
    BytesToHex(dict_bytes_[d].substr(static_cast<size_t>(code - 1) * width, width), scratch);
    return *scratch;
  }
  const uint32_t b = dict_offsets_[d][code - 1], e = dict_offsets_[d][code];
  return dict_bytes_[d].substr(b, e - b);
}

std::string_view Segment::term(uint64_t i) const {
  const uint64_t b = term_offset(i);
  return term_bytes_.substr(b, term_offset(i + 1) - b);
}

uint64_t Segment::LowerBound(std::string_view t) const {
  // Samples below t's key are terms below t; samples above it, terms above.
  const uint64_t key = TermKey(t);
  const size_t below = static_cast<size_t>(
      std::lower_bound(term_keys_.begin(), term_keys_.end(), key) - term_keys_.begin());
  const size_t not_above = static_cast<size_t>(
      std::upper_bound(term_keys_.begin() + static_cast<ptrdiff_t>(below), term_keys_.end(), key) -
      term_keys_.begin());
  uint64_t a = below == 0 ? 0 : (below - 1) * kTermSample + 1;
  uint64_t b = std::min<uint64_t>(not_above * kTermSample, meta_.num_terms);
  while (a < b) {
    const uint64_t m = a + (b - a) / 2;
    if (term(m) < t)
      a = m + 1;
    else
      b = m;
  }
  return a;
}

std::optional<uint64_t> Segment::FindTerm(std::string_view t) const {
  const uint64_t at = LowerBound(t);
  if (at < meta_.num_terms && term(at) == t) return at;
  return std::nullopt;
}

void Segment::PrefixRange(std::string_view prefix, uint64_t* lo, uint64_t* hi) const {
  const uint64_t a = LowerBound(prefix);
  *lo = a;
  uint64_t b = meta_.num_terms;
  uint64_t c = a;
  while (c < b) {
    const uint64_t m = c + (b - c) / 2;
    if (term(m).substr(0, prefix.size()) == prefix)
      c = m + 1;
    else
      b = m;
  }
  *hi = c;
}

PostingCursor Segment::Postings(uint64_t t) const {
  const TermInfo a = info(t);
  const TermInfo b = info(t + 1);
  return PostingCursor(postings_.substr(a.doc_offset, b.doc_offset - a.doc_offset),
                       positions_.substr(a.pos_offset, b.pos_offset - a.pos_offset), a.df,
                       meta_.num_docs, tail_coding());
}

std::optional<uint64_t> Segment::FindBigram(uint64_t first, uint64_t second) const {
  return bigrams_.Find(first << 32 | second);
}

std::optional<PostingCursor> Segment::RolePostings(uint64_t term, uint8_t role) const {
  auto i = roles_.Find(RoleStreamKey(term, role));
  if (!i) return std::nullopt;
  return roles_.Cursor(*i);
}

std::span<const uint32_t> Segment::DocsOfTurn(int64_t tid) const {
  const auto [first, last] = std::equal_range(tid_key_, tid_key_ + num_turn_ids_, tid);
  return {tid_doc_ + (first - tid_key_), static_cast<size_t>(last - first)};
}

std::optional<uint32_t> Segment::DocOfTurn(int64_t tid) const {
  const std::span<const uint32_t> docs = DocsOfTurn(tid);
  if (docs.empty()) return std::nullopt;
  return docs.front();
}

Status Segment::ReadBlock(uint64_t block, std::string* raw,
                          std::vector<std::string_view>* records) const {
  records->clear();
  if (block >= num_blocks_) return Status::NotFound("no such block");
  const std::string_view bytes = store_blocks_.substr(
      store_offsets_[block], store_offsets_[block + 1] - store_offsets_[block]);
  return store_->ReadBlock(bytes, store_first_[block + 1] - store_first_[block], raw, records)
      .WithContext(file_->path() + ": ");
}

Status Segment::ForEachBlockRecordText(uint64_t block, const StoreReader::Wanted& wanted,
                                       std::string* meta_raw, std::vector<std::string_view>* metas,
                                       RecordText* text, const StoreReader::RecordFn& fn) const {
  if (block >= num_blocks_) return Status::NotFound("no such block");
  const std::string_view bytes = store_blocks_.substr(
      store_offsets_[block], store_offsets_[block + 1] - store_offsets_[block]);
  return store_
      ->ForEachRecordText(bytes, store_first_[block + 1] - store_first_[block], wanted, meta_raw,
                          metas, text, fn)
      .WithContext(file_->path() + ": ");
}

uint64_t Segment::BlockOf(uint32_t doc) const {
  const uint32_t* end = store_first_ + num_blocks_ + 1;
  return static_cast<uint64_t>(std::upper_bound(store_first_, end, doc) - store_first_) - 1;
}

uint32_t Segment::utt_bytes(uint32_t u) const {
  if (utt_bytes_[u] != kLongUtteranceBytes) return utt_bytes_[u];
  const auto it = std::lower_bound(
      long_utt_bytes_.begin(), long_utt_bytes_.end(), u,
      [](const LongUtteranceBytes& l, uint32_t want) { return l.utterance < want; });
  return it->bytes;  // listed: checked on opening
}

Status Segment::DocumentTexts(uint32_t doc, std::string* meta_raw, RecordText* text,
                              std::vector<std::string_view>* roles,
                              std::vector<std::string_view>* contents) const {
  if (doc >= meta_.num_docs) return Status::NotFound("no such document");
  const uint64_t block = BlockOf(doc);
  const std::string_view bytes = store_blocks_.substr(
      store_offsets_[block], store_offsets_[block + 1] - store_offsets_[block]);
  const uint32_t first = utt_begin_[doc], end = utt_begin_[doc + 1];
  bool from_columns = utt_bytes_ != nullptr;  // and no role only the meta part names
  uint64_t size = 0;
  for (uint32_t u = first; u < end && from_columns; ++u) {
    from_columns = utt_role_[u] != kRoleOther;
    size += utt_bytes(u);
  }
  if (from_columns) {
    // The frame's own content size must be that sum (RecordText::Start).
    WILDCHAT_RETURN_IF_ERROR(store_
                                 ->ReadRecordText(bytes,
                                                  store_first_[block + 1] - store_first_[block],
                                                  doc - store_first_[block], size, text)
                                 .WithContext(file_->path() + ": "));
    roles->clear();
    contents->clear();
    const std::string_view all = text->text();
    uint64_t at = 0;
    for (uint32_t u = first; u < end; ++u) {
      roles->push_back(utt_role_[u] == kRoleUser ? "user" : "assistant");
      contents->push_back(all.substr(at, utt_bytes(u)));
      at += utt_bytes(u);
    }
    return Status::OK();
  }
  std::string_view meta;
  WILDCHAT_RETURN_IF_ERROR(
      store_
          ->ReadMetaAndRecordText(bytes, store_first_[block + 1] - store_first_[block],
                                  doc - store_first_[block], meta_raw, &meta, text)
          .WithContext(file_->path() + ": "));
  return UtteranceTexts(meta, text->text(), contents, roles).WithContext(file_->path() + ": ");
}

Status Segment::Document(uint32_t doc, Conversation* out) const {
  if (doc >= meta_.num_docs) return Status::NotFound("no such document");
  const uint64_t block = BlockOf(doc);
  const std::string_view bytes = store_blocks_.substr(
      store_offsets_[block], store_offsets_[block + 1] - store_offsets_[block]);
  std::string joined;
  WILDCHAT_RETURN_IF_ERROR(store_
                               ->ReadRecord(bytes, store_first_[block + 1] - store_first_[block],
                                            doc - store_first_[block], &joined)
                               .WithContext(file_->path() + ": "));
  return DecodeConversation(joined, out).WithContext(file_->path() + ": ");
}

}  // namespace wildchat
