#include "engine/store/record_text.h"

#define ZSTD_STATIC_LINKING_ONLY  // the block-at-a-time (bufferless) decoder
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace wildchat {
namespace {

// A text larger than this is taken for corruption (as the store's frames).
constexpr uint64_t kMaxTextBytes = 1ull << 31;

Status Bad() {
  return Status::Corruption("bad store text frame");
}

// One decoder context kept per thread for the next RecordText: a search
// makes one RecordText for its page of hits, and creating and freeing a
// context (96 KB) each time cost 8.6 µs plus fresh pages. (RecordTexts are
// locals, so none outlives its thread's spare.)
struct DCtxDelete {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};
thread_local std::unique_ptr<ZSTD_DCtx, DCtxDelete> spare;
// Likewise the buffer a coded text is decoded into: a fresh one would cost
// its pages' first touch on every search.
thread_local std::string spare_text;

}  // namespace

void RecordText::DCtxFree::operator()(ZSTD_DCtx_s* d) const {
  if (!spare) {
    spare.reset(d);
  } else {
    ZSTD_freeDCtx(d);
  }
}

RecordText::RecordText() = default;
RecordText::~RecordText() {
  if (text_.capacity() > spare_text.capacity()) spare_text.swap(text_);
}

Status RecordText::Start(std::string_view frame, const DictWindows* dict, const TextVocab* vocab,
                         uint64_t size) {
  buf_.clear();
  out_ = buf_.data();
  size_ = 0;
  rest_ = {};
  done_ = 0;
  begun_ = false;
  decoder_.reset();
  error_ = Status::OK();
  if (size == 0) {
    if (!frame.empty()) return error_ = Bad();
    return Status::OK();
  }
  if (size > kMaxTextBytes) return error_ = Bad();
  const uint64_t text_size = size;
  size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (vocab ? size == 0 || size > TextVocab::MaxCodedBytes(text_size) : size != text_size) {
    return error_ = Bad();  // (ZSTD_CONTENTSIZE_ERROR and _UNKNOWN are larger)
  }
  if (vocab) {
    if (text_.capacity() == 0) text_.swap(spare_text);
    if (text_.size() < text_size + TextVocab::kSlack) text_.resize(text_size + TextVocab::kSlack);
    decoder_.emplace(*vocab, text_.data(), text_size, /*slack=*/true);
    text_size_ = text_size;
    used_ = 0;
  }
  if (!dctx_) {
    dctx_.reset(spare ? spare.release() : ZSTD_createDCtx());
    if (!dctx_) return error_ = Status::Internal("out of memory");
  }
  if (dict) {
    if (window_.owner() != dict) window_ = dict->Acquire();
    char* room;
    if (Status st = window_.Reserve(size, &room); !st.ok()) return error_ = st;
    out_ = room;
  } else {
    window_ = DictWindows::Lease();
    buf_.resize(size);
    out_ = buf_.data();
  }
  size_ = size;
  rest_ = frame;
  return Status::OK();
}

void RecordText::Assign(std::string_view text) {
  window_ = DictWindows::Lease();
  buf_.assign(text);
  out_ = buf_.data();
  size_ = buf_.size();
  rest_ = {};
  done_ = size_;
  begun_ = false;
  decoder_.reset();
  error_ = Status::OK();
}

Status RecordText::Through(uint64_t n) {
  WILDCHAT_RETURN_IF_ERROR(error_);
  if (!decoder_) return Inflate(n);
  n = std::min(n, text_size_);
  // Codes are decoded as their blocks come: a token cut by a block's end
  // waits for the next block.
  while (decoder_->written() < n) {
    if (used_ < done_) {
      WILDCHAT_RETURN_IF_ERROR(DecodeInflated());
      if (decoder_->written() >= n) break;
    }
    if (done_ == size_) return error_ = Bad();
    WILDCHAT_RETURN_IF_ERROR(Inflate(done_ + 1));
  }
  // The whole text: every code must have gone into it.
  if (decoder_->written() == text_size_ && used_ != size_) {
    WILDCHAT_RETURN_IF_ERROR(Inflate(size_));
    WILDCHAT_RETURN_IF_ERROR(DecodeInflated());
    if (used_ != size_) return error_ = Bad();
  }
  return Status::OK();
}

Status RecordText::DecodeInflated() {
  size_t used = 0;
  if (Status st = decoder_->Feed({out_ + used_, done_ - used_}, &used); !st.ok()) {
    return error_ = st;
  }
  used_ += used;
  return Status::OK();
}

Status RecordText::Inflate(uint64_t n) {
  WILDCHAT_RETURN_IF_ERROR(error_);
  n = std::min<uint64_t>(n, size_);
  if (done_ >= n) return Status::OK();
  ZSTD_DCtx* d = dctx_.get();
  if (!begun_) {
    const size_t r = window_.owner() ? ZSTD_decompressBegin_usingDDict(d, window_.ddict())
                                     : ZSTD_decompressBegin(d);
    if (ZSTD_isError(r)) return error_ = Bad();
    begun_ = true;
  }
  // Frame header, then block header and block by turns; the output goes
  // straight into out_, whose decoded prefix is the decoder's window (after
  // the dictionary's copy, with one).
  while (done_ < n) {
    const size_t want = ZSTD_nextSrcSizeToDecompress(d);
    if (want == 0 || want > rest_.size()) return error_ = Bad();
    const size_t got = ZSTD_decompressContinue(d, out_ + done_, size_ - done_, rest_.data(), want);
    if (ZSTD_isError(got)) return error_ = Bad();
    rest_.remove_prefix(want);
    done_ += got;
  }
  // The whole text: the frame must end here (its last block, no more bytes).
  if (done_ == size_) {
    for (size_t want; (want = ZSTD_nextSrcSizeToDecompress(d)) != 0;) {
      if (want > rest_.size()) return error_ = Bad();
      const size_t got = ZSTD_decompressContinue(d, out_ + done_, 0, rest_.data(), want);
      if (ZSTD_isError(got) || got != 0) return error_ = Bad();
      rest_.remove_prefix(want);
    }
    if (!rest_.empty()) return error_ = Bad();
  }
  return Status::OK();
}

}  // namespace wildchat
