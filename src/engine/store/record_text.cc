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

}  // namespace

void RecordText::DCtxFree::operator()(ZSTD_DCtx_s* d) const {
  if (!spare) {
    spare.reset(d);
  } else {
    ZSTD_freeDCtx(d);
  }
}

RecordText::RecordText() = default;
RecordText::~RecordText() = default;

Status RecordText::Start(std::string_view frame, const DictWindows* dict, uint64_t size) {
  buf_.clear();
  out_ = buf_.data();
  size_ = 0;
  rest_ = {};
  done_ = 0;
  begun_ = false;
  error_ = Status::OK();
  if (size == 0) {
    if (!frame.empty()) return error_ = Bad();
    return Status::OK();
  }
  if (size > kMaxTextBytes || ZSTD_getFrameContentSize(frame.data(), frame.size()) != size) {
    return error_ = Bad();
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
  error_ = Status::OK();
}

Status RecordText::Through(uint64_t n) {
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
