#include "engine/store/store_reader.h"

#include <zstd.h>

#include <cstdint>
#include <cstring>

#include "engine/segment/coding.h"
#include "engine/store/dict_windows.h"
#include "engine/store/record_codec.h"
#include "engine/store/text_vocab.h"

namespace wildchat {
namespace {

constexpr uint32_t kAllRecords = UINT32_MAX;

// Decompressed frames larger than this are taken for corruption.
constexpr unsigned long long kMaxFrameBytes = 1ull << 31;

struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  return dctx.get();
}

// Decompresses frame into exactly `size` bytes at out; Corruption unless the
// frame holds exactly that many. With a dictionary, through a window of it
// (dict_windows.h: faster), leased into *lease unless it holds one of dict
// already, then copied out.
Status DecompressInto(std::string_view frame, const DictWindows* dict, DictWindows::Lease* lease,
                      char* out, uint64_t size) {
  const unsigned long long have = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (have != size) return Status::Corruption("bad store block");
  ZSTD_DCtx* dctx = ThreadDCtx();
  if (dctx == nullptr) return Status::Internal("out of memory");
  if (dict == nullptr) {
    const size_t got = ZSTD_decompressDCtx(dctx, out, size, frame.data(), frame.size());
    if (ZSTD_isError(got) || got != size) return Status::Corruption("bad store block");
    return Status::OK();
  }
  if (lease->owner() != dict) *lease = dict->Acquire();
  char* room;
  WILDCHAT_RETURN_IF_ERROR(lease->Reserve(size, &room));
  const size_t got =
      ZSTD_decompress_usingDDict(dctx, room, size, frame.data(), frame.size(), lease->ddict());
  if (ZSTD_isError(got) || got != size) return Status::Corruption("bad store block");
  std::memcpy(out, room, size);
  return Status::OK();
}

// A frame of any size (up to kMaxFrameBytes) into *out.
Status Decompress(std::string_view frame, const DictWindows* dict, std::string* out) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrameBytes) {
    return Status::Corruption("bad store block");
  }
  out->resize(size);
  DictWindows::Lease lease;
  return DecompressInto(frame, dict, &lease, out->data(), size);
}

// The score words of a block's scores part (store_reader.h) into *out;
// *planes is scratch.
Status ReadScoreWords(std::string_view part, std::string* planes, std::string* out) {
  const size_t high_frame = ZSTD_findFrameCompressedSize(part.data(), part.size());
  if (ZSTD_isError(high_frame)) return Status::Corruption("bad store block");
  WILDCHAT_RETURN_IF_ERROR(Decompress(part.substr(0, high_frame), nullptr, planes));
  const std::string_view low_planes = part.substr(high_frame);
  if (!low_planes.empty()) {
    // The frame held the high bytes only: bytes 0–2 of each word follow, raw.
    if (low_planes.size() != 3 * planes->size()) {
      return Status::Corruption("bad store block");
    }
    planes->insert(0, low_planes);
  }
  UnshuffleWordBytes(*planes, out);
  return Status::OK();
}

// A block's frames: varint |meta frame|, varint |scores frame|, per record
// varint |text frame| (kPerRecord only), then the frames back to back (with
// kPerBlock, the text frame is the rest of the block).
struct BlockFrames {
  std::string_view meta, scores;
  // One per record (kPerRecord: exactly `docs`, or SplitBlock fails), or the
  // block's one.
  std::vector<std::string_view> texts;
};

Status SplitBlock(std::string_view block, uint32_t docs, TextFrames layout, BlockFrames* out) {
  ByteReader r(block);
  const uint64_t meta_len = r.Varint();
  const uint64_t scores_len = r.Varint();
  std::vector<uint64_t> text_lens;
  uint64_t text_total = 0;
  if (layout != TextFrames::kPerBlock) {
    for (uint32_t d = 0; d < docs && !r.failed(); ++d) {
      text_lens.push_back(r.Varint());
      if (text_lens.back() > block.size()) return Status::Corruption("bad store block");
      text_total += text_lens.back();
    }
  }
  if (r.failed() || meta_len > r.remaining() || scores_len > r.remaining() - meta_len) {
    return Status::Corruption("bad store block");
  }
  const uint64_t rest = r.remaining() - meta_len - scores_len;
  if (layout != TextFrames::kPerBlock && text_total != rest) {
    return Status::Corruption("bad store block");
  }
  const char* at = r.pos();
  out->meta = std::string_view(at, meta_len);
  out->scores = std::string_view(at + meta_len, scores_len);
  at += meta_len + scores_len;
  out->texts.clear();
  if (layout == TextFrames::kPerBlock) {
    out->texts.emplace_back(at, rest);
    return Status::OK();
  }
  for (const uint64_t len : text_lens) {
    out->texts.emplace_back(at, len);
    at += len;
  }
  return Status::OK();
}

// The records' texts into *text, lens[d] being record d's text length (from
// the meta frame). (*texts)[d] is set for every record: its text when wanted
// or when the block has one text frame, else empty.
Status ReadTexts(const BlockFrames& f, TextFrames layout, const DictWindows* dict,
                 const TextVocab* vocab, const std::vector<uint64_t>& lens,
                 const StoreReader::Wanted& wanted, std::string* text,
                 std::vector<std::string_view>* texts) {
  texts->clear();
  size_t t = 0;
  if (layout == TextFrames::kPerBlock) {
    DictWindows::Lease lease;
    uint64_t sum = 0;
    for (const uint64_t l : lens) sum += l;
    if (sum > kMaxFrameBytes) return Status::Corruption("bad store block");
    text->resize(sum);
    WILDCHAT_RETURN_IF_ERROR(DecompressInto(f.texts[0], dict, &lease, text->data(), sum));
    for (const uint64_t l : lens) {
      texts->push_back(std::string_view(*text).substr(t, l));
      t += l;
    }
    return Status::OK();
  }
  if (f.texts.size() != lens.size()) return Status::Corruption("bad store block");
  std::vector<bool> want(lens.size());
  uint64_t sum = 0;
  for (uint32_t d = 0; d < lens.size(); ++d) {
    want[d] = !wanted || wanted(d);
    if (want[d]) sum += lens[d];
    // An empty text has no frame, and only an empty text.
    if (f.texts[d].empty() != (lens[d] == 0)) return Status::Corruption("bad store block");
  }
  if (sum > kMaxFrameBytes) return Status::Corruption("bad store block");
  text->resize(sum);
  // Each record's frames decoded whole the way a partial read decodes them.
  RecordText one;
  for (uint32_t d = 0; d < lens.size(); ++d) {
    if (!want[d] || lens[d] == 0) {
      texts->push_back({});
      continue;
    }
    WILDCHAT_RETURN_IF_ERROR(
        one.Start(f.texts[d], dict, vocab, lens[d], layout == TextFrames::kPerRecordChunks));
    WILDCHAT_RETURN_IF_ERROR(one.Through(lens[d]));
    std::memcpy(text->data() + t, one.text().data(), lens[d]);
    texts->push_back(std::string_view(*text).substr(t, lens[d]));
    t += lens[d];
  }
  return Status::OK();
}

// The per-record lengths heading a decompressed meta frame (varint |meta|,
// varint |scores| / 4, varint |text| per record; scores given here in
// bytes) and where the meta parts start. Corruption unless the meta parts
// fill the rest of the frame exactly and no text is longer than a frame may be.
struct RecordLengths {
  std::vector<uint64_t> meta, scores, text;
  size_t meta_at = 0;
};

Status ParseLengths(std::string_view meta, uint32_t docs, RecordLengths* out) {
  ByteReader r(meta);
  out->meta.resize(docs);
  out->scores.resize(docs);
  out->text.resize(docs);
  uint64_t meta_total = 0;
  for (uint32_t d = 0; d < docs; ++d) {
    out->meta[d] = r.Varint();
    out->scores[d] = 4 * r.Varint();
    out->text[d] = r.Varint();
    if (r.failed() || out->meta[d] > meta.size() || out->text[d] > kMaxFrameBytes) {
      return Status::Corruption("bad store block");
    }
    meta_total += out->meta[d];
  }
  out->meta_at = static_cast<size_t>(r.pos() - meta.data());
  if (meta_total != meta.size() - out->meta_at) return Status::Corruption("bad store block");
  return Status::OK();
}

// A block's frames split apart and its meta frame decompressed into *meta,
// with the per-record lengths heading it.
Status OpenBlock(std::string_view block, uint32_t docs, TextFrames layout,
                 const DictWindows* meta_dict, BlockFrames* f, std::string* meta,
                 RecordLengths* lens) {
  WILDCHAT_RETURN_IF_ERROR(SplitBlock(block, docs, layout, f));
  WILDCHAT_RETURN_IF_ERROR(Decompress(f->meta, meta_dict, meta));
  return ParseLengths(*meta, docs, lens);
}

// OpenBlock, and *metas pointed at each record's meta part in *meta.
Status OpenBlockMetas(std::string_view block, uint32_t docs, TextFrames layout,
                      const DictWindows* meta_dict, BlockFrames* f, std::string* meta,
                      RecordLengths* lens, std::vector<std::string_view>* metas) {
  metas->clear();
  WILDCHAT_RETURN_IF_ERROR(OpenBlock(block, docs, layout, meta_dict, f, meta, lens));
  size_t m = lens->meta_at;
  for (uint32_t d = 0; d < docs; ++d) {
    metas->push_back(std::string_view(*meta).substr(m, lens->meta[d]));
    m += lens->meta[d];
  }
  return Status::OK();
}

}  // namespace

void ShuffleWordBytes(std::string_view in, std::string* out) {
  const size_t n = in.size() / 4;
  out->assign(in);
  char* o = out->data();
  for (size_t i = 0; i < n; ++i) {
    for (size_t b = 0; b < 4; ++b) o[b * n + i] = in[i * 4 + b];
  }
}

void UnshuffleWordBytes(std::string_view in, std::string* out) {
  const size_t n = in.size() / 4;
  out->assign(in);
  char* o = out->data();
  for (size_t b = 0; b < 4; ++b) {
    for (size_t i = 0; i < n; ++i) o[i * 4 + b] = in[b * n + i];
  }
}

// Shared with the other segments built with the same dictionaries
// (DictWindows::OpenShared).
struct StoreReader::Dictionaries {
  std::shared_ptr<const DictWindows> meta, text;
  std::shared_ptr<const TextVocab> vocab;  // null: texts are stored as they are
};

StoreReader::~StoreReader() = default;

Status StoreReader::Open(std::string_view meta_dict, std::string_view text_dict,
                         std::string_view vocab, TextFrames layout,
                         std::unique_ptr<StoreReader>* out) {
  std::unique_ptr<StoreReader> r(new StoreReader());
  r->layout_ = layout;
  r->dicts_ = std::make_unique<Dictionaries>();
  if (!meta_dict.empty()) {
    WILDCHAT_RETURN_IF_ERROR(DictWindows::OpenShared(meta_dict, &r->dicts_->meta));
  }
  if (!text_dict.empty()) {
    WILDCHAT_RETURN_IF_ERROR(DictWindows::OpenShared(text_dict, &r->dicts_->text));
  }
  if (!vocab.empty()) {
    if (layout == TextFrames::kPerBlock) return Status::Corruption("bad text vocabulary");
    WILDCHAT_RETURN_IF_ERROR(TextVocab::OpenShared(vocab, &r->dicts_->vocab));
  }
  *out = std::move(r);
  return Status::OK();
}

Status StoreReader::ReadBlock(std::string_view block, uint32_t docs, std::string* raw,
                              std::vector<std::string_view>* records) const {
  return Decode(block, docs, kAllRecords, raw, records);
}

Status StoreReader::ReadRecord(std::string_view block, uint32_t docs, uint32_t index,
                               std::string* joined) const {
  if (index >= docs) return Status::NotFound("no such record in the block");
  std::vector<std::string_view> records;
  return Decode(block, docs, index, joined, &records);
}

Status StoreReader::ForEachRecordText(std::string_view block, uint32_t docs, const Wanted& wanted,
                                      std::string* meta_raw, std::vector<std::string_view>* metas,
                                      RecordText* text, const RecordFn& fn) const {
  BlockFrames f;
  RecordLengths lens;
  WILDCHAT_RETURN_IF_ERROR(
      OpenBlockMetas(block, docs, layout_, dicts_->meta.get(), &f, meta_raw, &lens, metas));
  if (layout_ != TextFrames::kPerBlock) {
    for (uint32_t d = 0; d < docs; ++d) {
      if (wanted && !wanted(d)) continue;
      WILDCHAT_RETURN_IF_ERROR(text->Start(f.texts[d], dicts_->text.get(), dicts_->vocab.get(),
                                           lens.text[d], chunked()));
      WILDCHAT_RETURN_IF_ERROR(fn(d, text));
    }
    return Status::OK();
  }
  thread_local std::string all;
  thread_local std::vector<std::string_view> texts;
  WILDCHAT_RETURN_IF_ERROR(ReadTexts(f, layout_, dicts_->text.get(), dicts_->vocab.get(), lens.text,
                                     wanted, &all, &texts));
  for (uint32_t d = 0; d < docs; ++d) {
    if (wanted && !wanted(d)) continue;
    text->Assign(texts[d]);
    WILDCHAT_RETURN_IF_ERROR(fn(d, text));
  }
  return Status::OK();
}

Status StoreReader::ReadRecordText(std::string_view block, uint32_t docs, uint32_t index,
                                   uint64_t size, RecordText* text) const {
  if (index >= docs) return Status::NotFound("no such record in the block");
  if (layout_ == TextFrames::kPerBlock) {
    return Status::Unsupported("a text frame per record is needed");
  }
  BlockFrames f;
  WILDCHAT_RETURN_IF_ERROR(SplitBlock(block, docs, layout_, &f));
  return text->Start(f.texts[index], dicts_->text.get(), dicts_->vocab.get(), size, chunked());
}

Status StoreReader::ReadMetaAndRecordText(std::string_view block, uint32_t docs, uint32_t index,
                                          std::string* meta_raw, std::string_view* meta,
                                          RecordText* text) const {
  if (index >= docs) return Status::NotFound("no such record in the block");
  BlockFrames f;
  RecordLengths lens;
  WILDCHAT_RETURN_IF_ERROR(
      OpenBlock(block, docs, layout_, dicts_->meta.get(), &f, meta_raw, &lens));
  size_t m = lens.meta_at;
  for (uint32_t d = 0; d < index; ++d) m += lens.meta[d];
  *meta = std::string_view(*meta_raw).substr(m, lens.meta[index]);
  if (layout_ != TextFrames::kPerBlock) {
    return text->Start(f.texts[index], dicts_->text.get(), dicts_->vocab.get(), lens.text[index],
                       chunked());
  }
  thread_local std::string all;
  thread_local std::vector<std::string_view> texts;
  const Wanted one = [index](uint32_t d) { return d == index; };
  WILDCHAT_RETURN_IF_ERROR(
      ReadTexts(f, layout_, dicts_->text.get(), dicts_->vocab.get(), lens.text, one, &all, &texts));
  text->Assign(texts[index]);
  return Status::OK();
}

Status StoreReader::Decode(std::string_view block, uint32_t docs, uint32_t only, std::string* raw,
                           std::vector<std::string_view>* records) const {
  records->clear();
  raw->clear();
  BlockFrames f;
  thread_local std::string meta, shuffled, scores, text;
  thread_local std::vector<std::string_view> texts;
  // Lengths first; every part must fit in what its stream has left.
  RecordLengths lens;
  WILDCHAT_RETURN_IF_ERROR(OpenBlock(block, docs, layout_, dicts_->meta.get(), &f, &meta, &lens));
  WILDCHAT_RETURN_IF_ERROR(ReadScoreWords(f.scores, &shuffled, &scores));
  uint64_t scores_total = 0;
  for (const uint64_t n : lens.scores) {
    if (n > scores.size()) return Status::Corruption("bad store block");
    scores_total += n;
  }
  if (scores_total != scores.size()) return Status::Corruption("bad store block");
  const Wanted wanted = [only](uint32_t d) { return only == kAllRecords || d == only; };
  WILDCHAT_RETURN_IF_ERROR(ReadTexts(f, layout_, dicts_->text.get(), dicts_->vocab.get(), lens.text,
                                     wanted, &text, &texts));
  if (only == kAllRecords) {
    raw->reserve(meta.size() + scores.size() + text.size() + 20 * static_cast<size_t>(docs));
  }
  std::vector<size_t> ends;
  ends.reserve(docs + 1);
  ends.push_back(0);
  size_t m = lens.meta_at, s = 0;
  for (uint32_t d = 0; d < docs; ++d) {
    if (wanted(d)) {
      JoinRecordParts(std::string_view(meta).substr(m, lens.meta[d]),
                      std::string_view(scores).substr(s, lens.scores[d]), texts[d], raw);
      ends.push_back(raw->size());
    }
    m += lens.meta[d];
    s += lens.scores[d];
  }
  for (size_t i = 0; i + 1 < ends.size(); ++i) {
    records->push_back(std::string_view(*raw).substr(ends[i], ends[i + 1] - ends[i]));
  }
  return Status::OK();
}

}  // namespace wildchat
