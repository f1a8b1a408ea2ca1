#include "engine/store/store_reader.h"

#include <zstd.h>

#include <cstdint>

#include "engine/segment/coding.h"
#include "engine/store/record_codec.h"

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

Status Decompress(std::string_view frame, const ZSTD_DDict* dict, std::string* out) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrameBytes) {
    return Status::Corruption("bad store block");
  }
  out->resize(size);
  ZSTD_DCtx* dctx = ThreadDCtx();
  if (dctx == nullptr) return Status::Internal("out of memory");
  const size_t got =
      dict ? ZSTD_decompress_usingDDict(dctx, out->data(), out->size(), frame.data(), frame.size(),
                                        dict)
           : ZSTD_decompressDCtx(dctx, out->data(), out->size(), frame.data(), frame.size());
  if (ZSTD_isError(got) || got != size) return Status::Corruption("bad store block");
  return Status::OK();
}

// A block's three frames: varint |meta frame|, varint |scores frame|, then
// the frames back to back (the text frame is the rest).
Status SplitBlock(std::string_view block, std::string_view* meta, std::string_view* scores,
                  std::string_view* text) {
  ByteReader r(block);
  const uint64_t meta_len = r.Varint();
  const uint64_t scores_len = r.Varint();
  if (r.failed() || meta_len > r.remaining() || scores_len > r.remaining() - meta_len) {
    return Status::Corruption("bad store block");
  }
  *meta = std::string_view(r.pos(), meta_len);
  *scores = std::string_view(r.pos() + meta_len, scores_len);
  *text = std::string_view(r.pos() + meta_len + scores_len, r.remaining() - meta_len - scores_len);
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

struct StoreReader::Dictionaries {
  ZSTD_DDict* meta = nullptr;
  ZSTD_DDict* text = nullptr;
  ~Dictionaries() {
    ZSTD_freeDDict(meta);
    ZSTD_freeDDict(text);
  }
};

StoreReader::~StoreReader() = default;

Status StoreReader::Open(std::string_view meta_dict, std::string_view text_dict,
                         std::unique_ptr<StoreReader>* out) {
  std::unique_ptr<StoreReader> r(new StoreReader());
  r->dicts_ = std::make_unique<Dictionaries>();
  if (!meta_dict.empty()) {
    r->dicts_->meta = ZSTD_createDDict(meta_dict.data(), meta_dict.size());
    if (r->dicts_->meta == nullptr) return Status::Corruption("bad store dictionary");
  }
  if (!text_dict.empty()) {
    r->dicts_->text = ZSTD_createDDict(text_dict.data(), text_dict.size());
    if (r->dicts_->text == nullptr) return Status::Corruption("bad store dictionary");
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

Status StoreReader::ReadMetaAndText(std::string_view block, uint32_t docs, std::string* meta,
                                    std::string* text, std::vector<std::string_view>* metas,
                                    std::vector<std::string_view>* texts) const {
  metas->clear();
  texts->clear();
  std::string_view meta_frame, scores_frame, text_frame;
  WILDCHAT_RETURN_IF_ERROR(SplitBlock(block, &meta_frame, &scores_frame, &text_frame));
  WILDCHAT_RETURN_IF_ERROR(Decompress(meta_frame, dicts_->meta, meta));
  WILDCHAT_RETURN_IF_ERROR(Decompress(text_frame, dicts_->text, text));
  ByteReader lengths(*meta);
  std::vector<uint64_t> lens(2 * static_cast<size_t>(docs));
  uint64_t meta_total = 0, text_total = 0;
  for (uint32_t d = 0; d < docs; ++d) {
    lens[2 * d] = lengths.Varint();
    lengths.Varint();  // scores length
    lens[2 * d + 1] = lengths.Varint();
    if (lengths.failed() || lens[2 * d] > meta->size() || lens[2 * d + 1] > text->size()) {
      return Status::Corruption("bad store block");
    }
    meta_total += lens[2 * d];
    text_total += lens[2 * d + 1];
  }
  size_t m = static_cast<size_t>(lengths.pos() - meta->data()), t = 0;
  if (meta_total != meta->size() - m || text_total != text->size()) {
    return Status::Corruption("bad store block");
  }
  for (uint32_t d = 0; d < docs; ++d) {
    metas->push_back(std::string_view(*meta).substr(m, lens[2 * d]));
    texts->push_back(std::string_view(*text).substr(t, lens[2 * d + 1]));
    m += lens[2 * d];
    t += lens[2 * d + 1];
  }
  return Status::OK();
}

Status StoreReader::Decode(std::string_view block, uint32_t docs, uint32_t only, std::string* raw,
                           std::vector<std::string_view>* records) const {
  records->clear();
  raw->clear();
  std::string_view meta_frame, scores_frame, text_frame;
  WILDCHAT_RETURN_IF_ERROR(SplitBlock(block, &meta_frame, &scores_frame, &text_frame));
  thread_local std::string meta, shuffled, scores, text;
  WILDCHAT_RETURN_IF_ERROR(Decompress(meta_frame, dicts_->meta, &meta));
  WILDCHAT_RETURN_IF_ERROR(Decompress(scores_frame, nullptr, &shuffled));
  WILDCHAT_RETURN_IF_ERROR(Decompress(text_frame, dicts_->text, &text));
  UnshuffleWordBytes(shuffled, &scores);

  // Lengths first; every part must fit in what its stream has left.
  ByteReader lengths(meta);
  std::vector<uint64_t> lens(3 * static_cast<size_t>(docs));
  uint64_t meta_total = 0, scores_total = 0, text_total = 0;
  for (uint32_t d = 0; d < docs; ++d) {
    lens[3 * d] = lengths.Varint();
    lens[3 * d + 1] = lengths.Varint();
    lens[3 * d + 2] = lengths.Varint();
    if (lengths.failed() || lens[3 * d] > meta.size() || lens[3 * d + 1] > scores.size() / 4 ||
        lens[3 * d + 2] > text.size()) {
      return Status::Corruption("bad store block");
    }
    meta_total += lens[3 * d];
    scores_total += 4 * lens[3 * d + 1];
    text_total += lens[3 * d + 2];
  }
  const size_t meta_at = static_cast<size_t>(lengths.pos() - meta.data());
  if (meta_total != meta.size() - meta_at || scores_total != scores.size() ||
      text_total != text.size()) {
    return Status::Corruption("bad store block");
  }
  if (only == kAllRecords) {
    raw->reserve(meta.size() + scores.size() + text.size() + 20 * static_cast<size_t>(docs));
  }
  std::vector<size_t> ends;
  ends.reserve(docs + 1);
  ends.push_back(0);
  size_t m = meta_at, s = 0, t = 0;
  for (uint32_t d = 0; d < docs; ++d) {
    const size_t ml = lens[3 * d], sl = 4 * lens[3 * d + 1], tl = lens[3 * d + 2];
    if (only == kAllRecords || d == only) {
      JoinRecordParts(std::string_view(meta).substr(m, ml), std::string_view(scores).substr(s, sl),
                      std::string_view(text).substr(t, tl), raw);
      ends.push_back(raw->size());
    }
    m += ml;
    s += sl;
    t += tl;
  }
  for (size_t i = 0; i + 1 < ends.size(); ++i) {
    records->push_back(std::string_view(*raw).substr(ends[i], ends[i + 1] - ends[i]));
  }
  return Status::OK();
}

}  // namespace wildchat
