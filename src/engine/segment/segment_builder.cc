#include "engine/segment/segment_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "base/hex.h"
#include "engine/segment/coding.h"
#include "engine/segment/keyed_streams.h"
#include "engine/segment/segment_file.h"
#include "engine/text/tokenizer.h"

namespace wildchat {
namespace {

template <typename T>
std::string_view Bytes(const std::vector<T>& v) {
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

uint8_t RoleCode(const std::string& role) {
  if (role == "user") return kRoleUser;
  if (role == "assistant") return kRoleAssistant;
  return kRoleOther;
}

void MaxInto(double* acc, double v) {
  if (std::isnan(v)) return;
  if (std::isnan(*acc) || v > *acc) *acc = v;
}

}  // namespace

SegmentBuilder::SegmentBuilder(SegmentParts parts) : parts_(parts) {}

uint32_t SegmentBuilder::TermTable::FindOrAdd(std::string_view t, bool* added) {
  const uint64_t h = std::hash<std::string_view>()(t);
  const uint64_t tag = h >> 32 << 32;
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) {
      const uint32_t id = size();
      arena_.append(t);
      offsets_.push_back(arena_.size());
      slots_[i] = tag | (static_cast<uint64_t>(id) + 1);
      *added = true;
      if (2 * static_cast<size_t>(size()) > slots_.size()) Grow();
      return id;
    }
    if ((slot >> 32 << 32) == tag) {
      const uint32_t id = static_cast<uint32_t>(slot) - 1;
      if (term(id) == t) {
        *added = false;
        return id;
      }
    }
  }
}

void SegmentBuilder::TermTable::Grow() {
  std::vector<uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (uint64_t slot : old) {
    if (slot == 0) continue;
    const uint32_t id = static_cast<uint32_t>(slot) - 1;
    size_t i = std::hash<std::string_view>()(term(id)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void SegmentBuilder::Dict::Add(const std::optional<std::string>& v) {
  if (!v) {
    column.push_back(0);
    return;
  }
  auto it = codes.find(std::string_view(*v));
  if (it == codes.end()) {
    values.push_back(*v);
    it = codes.emplace(*v, static_cast<uint32_t>(values.size())).first;
  }
  column.push_back(it->second);
}

void SegmentBuilder::Add(const Conversation& c) {
  const uint32_t doc = num_docs();
  ids_.push_back(c.id());
  timestamps_.push_back(c.timestamp ? *c.timestamp : kNullTimestamp);
  turns_.push_back(c.turn);

  uint32_t flags = 0;
  if (IsTrue(c.toxic)) flags |= kFlagToxic;
  if (IsTrue(c.redacted)) flags |= kFlagRedacted;
  if (c.toxic == TriBool::kNull) flags |= kFlagToxicNull;
  if (c.redacted == TriBool::kNull) flags |= kFlagRedactedNull;
  std::array<double, kScoreColumnCount> maxima;
  maxima.fill(kNullScore);
  for (const OpenAiModeration& m : c.openai_moderation) {
    if (IsTrue(m.flagged)) flags |= kFlagFlagged;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      if (IsTrue(m.categories[i])) flags |= 1u << (kFlagCategoryShift + i);
      MaxInto(&maxima[i], m.category_scores[i]);
    }
  }
  for (const DetoxifyModeration& d : c.detoxify_moderation) {
    for (int i = 0; i < kDetoxifyFieldCount; ++i) {
      MaxInto(&maxima[kModerationCategoryCount + i], d.scores[i]);
    }
  }
  flags_.push_back(flags);
  for (int i = 0; i < kScoreColumnCount; ++i) scores_[i].push_back(maxima[i]);

  dicts_[static_cast<int>(DictField::kModel)].Add(c.model);
  dicts_[static_cast<int>(DictField::kLanguage)].Add(c.language);
  dicts_[static_cast<int>(DictField::kCountry)].Add(c.country);
  dicts_[static_cast<int>(DictField::kState)].Add(c.state);
  dicts_[static_cast<int>(DictField::kIp)].Add(c.hashed_ip);
  dicts_[static_cast<int>(DictField::kHash)].Add(c.conversation_hash);

  // Positions run across the conversation with a gap of one between
  // utterances, so no phrase can match across an utterance boundary.
  doc_tokens_.clear();
  uint32_t pos = 0;
  for (const Utterance& u : c.conversation) {
    const uint8_t role = RoleCode(u.role);
    utt_role_.push_back(role);
    utt_tok_.push_back(pos);
    utt_bytes_.push_back(static_cast<uint32_t>(
        std::min<size_t>(u.content.size(), std::numeric_limits<uint32_t>::max())));
    turn_ids_.emplace_back(u.turn_identifier, doc);
    Tokenize(u.content, [&](const Token& t) {
      bool added = false;
      const uint32_t id = term_ids_.FindOrAdd(t.folded, &added);
      if (added) {
        terms_.emplace_back();
        memory_ += (parts_.role_postings ? 192 : 96) +
                   t.folded.size();  // writers of the term (and its user stream)
      }
      doc_tokens_.push_back(DocToken{id, pos++, role});
    });
    ++pos;
  }
  utt_begin_.push_back(static_cast<uint32_t>(utt_role_.size()));
  const uint32_t len = static_cast<uint32_t>(doc_tokens_.size());
  doc_len_.push_back(len);
  total_tokens_ += len;

  std::stable_sort(doc_tokens_.begin(), doc_tokens_.end(),
                   [](const DocToken& a, const DocToken& b) { return a.term < b.term; });
  for (size_t i = 0; i < doc_tokens_.size();) {
    const uint32_t term = doc_tokens_[i].term;
    size_t j = i;
    uint32_t in_role[3] = {0, 0, 0};
    positions_.clear();
    for (; j < doc_tokens_.size() && doc_tokens_[j].term == term; ++j) {
      positions_.push_back(doc_tokens_[j].pos);
      ++in_role[doc_tokens_[j].role];
    }
    PostingWriter& pw = terms_[term];
    const size_t before = pw.docs().size() + pw.positions().size();
    pw.Add(doc, positions_.data(), static_cast<uint32_t>(j - i));
    memory_ = memory_ + pw.docs().size() + pw.positions().size() - before;  // blocks may shrink
    if (parts_.role_postings && in_role[kRoleUser] > 0) {
      if (user_terms_.size() <= term) {
        user_terms_.resize(term_ids_.size(), PostingWriter(false));
      }
      PostingWriter& uw = user_terms_[term];
      const size_t had = uw.docs().size();
      uw.Add(doc, nullptr, in_role[kRoleUser]);
      memory_ = memory_ + uw.docs().size() - had;
    }
    if (parts_.role_postings && in_role[kRoleOther] > 0) {
      auto [it, added] = other_terms_.try_emplace(term, false);
      const size_t had = it->second.docs().size();
      it->second.Add(doc, nullptr, in_role[kRoleOther]);
      memory_ = memory_ + (added ? 128 : 0) + it->second.docs().size() - had;
    }
    i = j;
  }
  memory_ += 64 + 17 * c.conversation.size() + 8 * kScoreColumnCount;
}

Status SegmentBuilder::Finish(const std::string& dir, const std::string& temp_name,
                              StoreBuilder* store, std::string* file_name, uint64_t* file_size) {
  if (store->num_docs() != num_docs()) return Status::Internal("store and index disagree");
  for (PostingWriter& pw : terms_) pw.Seal();
  for (PostingWriter& pw : user_terms_) pw.Seal();
  for (auto& [term, pw] : other_terms_) pw.Seal();
  SegmentFileWriter w;
  WILDCHAT_RETURN_IF_ERROR(w.Open(dir, temp_name));

  // Terms in byte order.
  std::vector<std::pair<std::string_view, uint32_t>> order;
  order.reserve(term_ids_.size());
  for (uint32_t id = 0; id < term_ids_.size(); ++id) order.emplace_back(term_ids_.term(id), id);
  std::sort(order.begin(), order.end());
  std::vector<uint32_t> rank(order.size());
  for (uint32_t r = 0; r < order.size(); ++r) rank[order[r].second] = r;

  SegmentMeta meta{};
  meta.version = kSegmentFormatVersion;
  meta.num_docs = num_docs();
  meta.num_utterances = utt_role_.size();
  meta.total_tokens = total_tokens_;
  meta.num_terms = order.size();
  WILDCHAT_RETURN_IF_ERROR(
      w.Add("meta", std::string_view(reinterpret_cast<const char*>(&meta), sizeof(meta))));
  WILDCHAT_RETURN_IF_ERROR(w.Add("id", Bytes(ids_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("ts", Bytes(timestamps_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("turn", Bytes(turns_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("flags", Bytes(flags_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("doclen", Bytes(doc_len_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("utt.begin", Bytes(utt_begin_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("utt.tok", Bytes(utt_tok_)));
  WILDCHAT_RETURN_IF_ERROR(w.Add("utt.role", Bytes(utt_role_)));
  if (parts_.utterance_bytes) {
    std::vector<uint16_t> narrow;
    std::vector<LongUtteranceBytes> long_ones;
    narrow.reserve(utt_bytes_.size());
    for (size_t u = 0; u < utt_bytes_.size(); ++u) {
      narrow.push_back(
          static_cast<uint16_t>(std::min<uint32_t>(utt_bytes_[u], kLongUtteranceBytes)));
      if (utt_bytes_[u] >= kLongUtteranceBytes) {
        long_ones.push_back(LongUtteranceBytes{static_cast<uint32_t>(u), utt_bytes_[u]});
      }
    }
    WILDCHAT_RETURN_IF_ERROR(w.Add("utt.bytes", Bytes(narrow)));
    WILDCHAT_RETURN_IF_ERROR(w.Add("utt.bytes.long", Bytes(long_ones)));
  }

  std::sort(turn_ids_.begin(), turn_ids_.end());
  // A turn's user and assistant utterances share its identifier.
  turn_ids_.erase(std::unique(turn_ids_.begin(), turn_ids_.end()), turn_ids_.end());
  {
    std::vector<int64_t> keys;
    std::vector<uint32_t> docs;
    keys.reserve(turn_ids_.size());
    docs.reserve(turn_ids_.size());
    for (const auto& [k, d] : turn_ids_) {
      keys.push_back(k);
      docs.push_back(d);
    }
    WILDCHAT_RETURN_IF_ERROR(w.Add("tid.key", Bytes(keys)));
    WILDCHAT_RETURN_IF_ERROR(w.Add("tid.doc", Bytes(docs)));
  }

  for (int f = 0; f < kDictFieldCount; ++f) {
    Dict& d = dicts_[f];
    std::vector<uint32_t> perm(d.values.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::sort(perm.begin(), perm.end(),
              [&](uint32_t a, uint32_t b) { return d.values[a] < d.values[b]; });
    std::vector<uint32_t> remap(d.values.size() + 1, 0);
    for (uint32_t i = 0; i < perm.size(); ++i) remap[perm[i] + 1] = i + 1;
    for (uint32_t& code : d.column) code = remap[code];
    const std::string name(kDictFieldNames[f]);
    // Hashes (conversation_hash, hashed_ip): lowercase hex digits, all the
    // same even length, are stored packed two digits a byte with no offsets
    // (1M: 71 → 33 MB).
    const size_t digits = d.values.empty() ? 0 : d.values[0].size();
    const bool hex = digits > 0 && digits % 2 == 0 && digits <= kMaxHexDigits &&
                     std::all_of(d.values.begin(), d.values.end(), [&](const std::string& v) {
                       return v.size() == digits && IsLowerHex(v);
                     });
    if (hex && !parts_.plain_dictionaries) {
      std::string packed;
      PutFixed32(&packed, static_cast<uint32_t>(digits));
      for (const uint32_t i : perm) AppendHexBytes(d.values[i], &packed);
      WILDCHAT_RETURN_IF_ERROR(w.Add("dict." + name + ".hex", packed));
    } else {
      std::vector<uint32_t> offsets{0};
      std::string bytes;
      for (const uint32_t i : perm) {
        bytes += d.values[i];
        offsets.push_back(static_cast<uint32_t>(bytes.size()));
      }
      WILDCHAT_RETURN_IF_ERROR(w.Add("dict." + name + ".offsets", Bytes(offsets)));
      WILDCHAT_RETURN_IF_ERROR(w.Add("dict." + name + ".bytes", bytes));
    }
    WILDCHAT_RETURN_IF_ERROR(w.Add("code." + name, Bytes(d.column)));
  }
  std::vector<std::string> score_bytes;  // each column as written
  for (int i = 0; i < kScoreColumnCount; ++i) {
    const std::vector<double>& col = scores_[i];
    const bool floats = std::all_of(col.begin(), col.end(), [](double v) {
      return std::isnan(v) || static_cast<double>(static_cast<float>(v)) == v;
    });
    if (floats && !col.empty()) {
      const std::vector<float> narrow(col.begin(), col.end());
      score_bytes.emplace_back(Bytes(narrow));
    } else {
      score_bytes.emplace_back(Bytes(col));
    }
    // A column the same as an earlier one (a category's two spellings) is
    // written as that column's number.
    const auto same = std::find(score_bytes.begin(), score_bytes.end() - 1, score_bytes.back());
    const std::string name = "score." + std::to_string(i);
    if (same != score_bytes.end() - 1) {
      const uint32_t earlier = static_cast<uint32_t>(same - score_bytes.begin());
      WILDCHAT_RETURN_IF_ERROR(w.Add(name + ".same", Bytes(std::vector<uint32_t>{earlier})));
    } else {
      WILDCHAT_RETURN_IF_ERROR(w.Add(name, score_bytes.back()));
    }
  }

  // Term dictionary, block impacts, then the two posting streams.
  {
    std::vector<uint64_t> offsets{0};
    std::string bytes;
    std::vector<TermInfo> infos;
    infos.reserve(order.size() + 1);
    const ImpactMeta impact_meta{num_docs() ? static_cast<double>(total_tokens_) / num_docs() : 1};
    std::string impacts;
    uint64_t doc_off = 0, pos_off = 0;
    for (const auto& [term, id] : order) {
      bytes.append(term);
      offsets.push_back(bytes.size());
      infos.push_back(
          TermInfo{doc_off, pos_off, terms_[id].df(), static_cast<uint32_t>(impacts.size())});
      if (parts_.block_impacts) AppendImpacts(terms_[id], impact_meta.avg_doc_len, &impacts);
      doc_off += terms_[id].docs().size();
      pos_off += terms_[id].positions().size();
    }
    // (Checked once at the end: the running sums only grow.)
    if (impacts.size() > 0xFFFFFFFFu) return Status::Internal("too many postings in a segment");
    infos.push_back(TermInfo{doc_off, pos_off, 0, static_cast<uint32_t>(impacts.size())});
    // 32-bit offsets where they fit (segment_format.h).
    if (parts_.narrow_tables && bytes.size() <= 0xFFFFFFFFu) {
      const std::vector<uint32_t> narrow(offsets.begin(), offsets.end());
      WILDCHAT_RETURN_IF_ERROR(w.Add("terms.offsets", Bytes(narrow)));
    } else {
      WILDCHAT_RETURN_IF_ERROR(w.Add("terms.offsets", Bytes(offsets)));
    }
    WILDCHAT_RETURN_IF_ERROR(w.Add("terms.bytes", bytes));
    if (parts_.narrow_tables && doc_off <= 0xFFFFFFFFu && pos_off <= 0xFFFFFFFFu) {
      std::vector<NarrowTermInfo> narrow;
      narrow.reserve(infos.size());
      for (const TermInfo& t : infos) {
        narrow.push_back(NarrowTermInfo{static_cast<uint32_t>(t.doc_offset),
                                        static_cast<uint32_t>(t.pos_offset), t.df, t.first_impact});
      }
      WILDCHAT_RETURN_IF_ERROR(w.Add("terms.info", Bytes(narrow)));
    } else {
      WILDCHAT_RETURN_IF_ERROR(w.Add("terms.info", Bytes(infos)));
    }
    if (parts_.block_impacts) {
      WILDCHAT_RETURN_IF_ERROR(w.Add(
          "impacts.meta",
          std::string_view(reinterpret_cast<const char*>(&impact_meta), sizeof(impact_meta))));
      WILDCHAT_RETURN_IF_ERROR(w.Add("impacts", impacts));
    }
    WILDCHAT_RETURN_IF_ERROR(w.Begin("postings"));
    for (const auto& [term, id] : order) WILDCHAT_RETURN_IF_ERROR(w.Append(terms_[id].docs()));
    WILDCHAT_RETURN_IF_ERROR(w.End());
    WILDCHAT_RETURN_IF_ERROR(w.Begin("positions"));
    for (const auto& [term, id] : order) WILDCHAT_RETURN_IF_ERROR(w.Append(terms_[id].positions()));
    WILDCHAT_RETURN_IF_ERROR(w.End());
  }
  WILDCHAT_RETURN_IF_ERROR(WriteBigrams(rank, &w));
  if (parts_.role_postings) WILDCHAT_RETURN_IF_ERROR(WriteRoles(rank, &w));
  WILDCHAT_RETURN_IF_ERROR(store->WriteTo(&w));
  return w.Finish(file_name, file_size);
}

void SegmentBuilder::AppendImpacts(const PostingWriter& pw, double avg_doc_len,
                                   std::string* out) const {
  const uint32_t full = pw.df() / kPostingBlockDocs * kPostingBlockDocs;
  if (full == 0) return;
  const double norm0 = kBm25K1 * (1 - kBm25B), norm1 = kBm25K1 * kBm25B / avg_doc_len;
  PostingCursor c = pw.Cursor(num_docs());
  uint32_t k = 0;
  double top = 0;
  c.ForEachRemaining([&](uint32_t doc, uint32_t tf) {
    if (k >= full) return;
    const double f = tf;
    top = std::max(top, f / (f + norm0 + norm1 * doc_len_[doc]));
    if (++k % kPostingBlockDocs == 0) {
      out->push_back(static_cast<char>(QuantizeImpact(top)));
      top = 0;
    }
  });
}

Status SegmentBuilder::WriteBigrams(const std::vector<uint32_t>& rank, SegmentFileWriter* w) const {
  const uint32_t n = num_docs();
  BigramMeta meta{};
  meta.min_df = std::max<uint32_t>(1, (n + kBigramDfDivisor - 1) / kBigramDfDivisor);
  // The common terms' postings, walked doc by doc.
  std::vector<uint32_t> common_rank;
  std::vector<PostingCursor> cursors;
  std::vector<bool> live;
  for (uint32_t id = 0; id < terms_.size(); ++id) {
    const PostingWriter& pw = terms_[id];
    if (pw.df() < meta.min_df) continue;
    common_rank.push_back(rank[id]);
    cursors.push_back(pw.Cursor(n));
    live.push_back(cursors.back().Next());
  }
  std::unordered_map<uint64_t, PostingWriter> pairs;
  std::vector<std::pair<uint32_t, uint32_t>> occ;  // (position, term rank) in one doc
  std::vector<uint64_t> keys;
  std::vector<uint32_t> pos;
  for (uint32_t d = 0; d < n; ++d) {
    occ.clear();
    for (size_t k = 0; k < cursors.size(); ++k) {
      if (!live[k] || cursors[k].doc() != d) continue;
      cursors[k].ReadPositions(&pos);
      for (uint32_t p : pos) occ.emplace_back(p, common_rank[k]);
      live[k] = cursors[k].Next();
    }
    std::sort(occ.begin(), occ.end());
    keys.clear();
    for (size_t i = 0; i + 1 < occ.size(); ++i) {
      if (occ[i + 1].first == occ[i].first + 1) {
        keys.push_back(static_cast<uint64_t>(occ[i].second) << 32 | occ[i + 1].second);
      }
    }
    std::sort(keys.begin(), keys.end());
    for (size_t i = 0; i < keys.size();) {
      size_t j = i;
      while (j < keys.size() && keys[j] == keys[i]) ++j;
      pairs.try_emplace(keys[i], false).first->second.Add(d, nullptr, static_cast<uint32_t>(j - i));
      i = j;
    }
  }
  for (const PostingCursor& c : cursors) {
    if (c.corrupt()) return Status::Internal("bigram pass read a malformed posting stream");
  }
  keys.clear();
  for (auto& [key, pw] : pairs) {
    pw.Seal();
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  meta.num_bigrams = keys.size();
  KeyedWriters streams;
  streams.reserve(keys.size());
  for (uint64_t key : keys) streams.emplace_back(key, &pairs.at(key));
  WILDCHAT_RETURN_IF_ERROR(
      w->Add("bigram.meta", std::string_view(reinterpret_cast<const char*>(&meta), sizeof(meta))));
  return WriteKeyedStreams("bigram", streams, parts_.narrow_tables, w);
}

Status SegmentBuilder::WriteRoles(const std::vector<uint32_t>& rank, SegmentFileWriter* w) const {
  const RoleMeta meta{kRoleMinDf, 0};
  KeyedWriters streams;  // keyed by the term's place in the dictionary
  for (uint32_t term = 0; term < user_terms_.size(); ++term) {
    const PostingWriter& pw = user_terms_[term];
    if (pw.df() > 0 && terms_[term].df() >= meta.min_df) {
      streams.emplace_back(RoleStreamKey(rank[term], kRoleUser), &pw);
    }
  }
  for (const auto& [term, pw] : other_terms_) {
    if (terms_[term].df() >= meta.min_df) {
      streams.emplace_back(RoleStreamKey(rank[term], kRoleOther), &pw);
    }
  }
  std::sort(streams.begin(), streams.end());
  WILDCHAT_RETURN_IF_ERROR(
      w->Add("role.meta", std::string_view(reinterpret_cast<const char*>(&meta), sizeof(meta))));
  return WriteKeyedStreams("role", streams, parts_.narrow_tables, w);
}

}  // namespace wildchat
