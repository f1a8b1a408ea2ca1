#include "engine/store/record_text.h"

#define ZSTD_STATIC_LINKING_ONLY  // the block-at-a-time (bufferless) decoder, magicless frames
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "engine/store/text_chunks.h"

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
// Likewise the buffer a text is decoded into: a fresh one would cost its
// pages' first touch on every search.
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

Status RecordText::Start(std::string_view frames, const DictWindows* dict, const TextVocab* vocab,
                         uint64_t size, bool chunked) {
  dict_ = dict;
  vocab_ = vocab;
  chunked_ = chunked;
  rest_ = frames;
  open_ = false;
  decoder_.reset();
  size_ = 0;
  written_ = 0;
  chunk_at_ = 0;
  chunk_ = 0;
  starts_.clear();
  error_ = Status::OK();
  if (size == 0) return frames.empty() ? Status::OK() : Fail(Bad());
  if (size > kMaxTextBytes) return Fail(Bad());
  // Room for the vocabulary's 16-byte token copies past the end.
  if (text_.capacity() == 0) text_.swap(spare_text);
  if (text_.size() < size + TextVocab::kSlack) text_.resize(size + TextVocab::kSlack);
  size_ = size;
  if (!dctx_) {
    dctx_.reset(spare ? spare.release() : ZSTD_createDCtx());
    if (!dctx_) return Fail(Status::Internal("out of memory"));
  }
  if (dict) {
    if (window_.owner() != dict) window_ = dict->Acquire();
  } else {
    window_ = DictWindows::Lease();
  }
  // The first frame's header now: a size it disagrees with is an error at once.
  return OpenFrame();
}

void RecordText::Assign(std::string_view text) {
  window_ = DictWindows::Lease();
  text_.assign(text);
  size_ = written_ = text.size();
  rest_ = {};
  open_ = false;
  decoder_.reset();
  chunked_ = false;
  starts_.clear();
  error_ = Status::OK();
}

Status RecordText::Through(uint64_t n) {
  WILDCHAT_RETURN_IF_ERROR(error_);
  n = std::min(n, size_);
  while (written_ < n) WILDCHAT_RETURN_IF_ERROR(Step());
  // The whole text: its last frame must end here, with nothing after it.
  if (n == size_ && size_ > 0) {
    while (open_) WILDCHAT_RETURN_IF_ERROR(Step());
    if (!rest_.empty() || written_ != size_) return Fail(Bad());
  }
  return Status::OK();
}

Status RecordText::From(uint64_t n, std::span<const uint64_t> utterance_ends) {
  WILDCHAT_RETURN_IF_ERROR(error_);
  if (!chunked_ || n <= chunk_at_ || size_ == 0) return Status::OK();
  if (starts_.empty()) TextChunkStarts(utterance_ends, size_, &starts_);
  // The chunk holding n, and where it starts.
  const size_t k =
      static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), n) - starts_.begin());
  if (k <= chunk_) return Status::OK();
  // The open frame and those up to chunk k are passed over whole.
  if (open_) {
    const size_t frame =
        ChunkFrameSize(std::string_view(frame_, rest_.data() + rest_.size() - frame_));
    if (frame == 0 || frame < static_cast<size_t>(rest_.data() - frame_)) return Fail(Bad());
    rest_.remove_prefix(frame - static_cast<size_t>(rest_.data() - frame_));
    open_ = false;
    ++chunk_;
  }
  for (; chunk_ < k; ++chunk_) {
    const size_t frame = ChunkFrameSize(rest_);
    if (frame == 0) return Fail(Bad());
    rest_.remove_prefix(frame);
  }
  chunk_at_ = written_ = starts_[k - 1];
  return Status::OK();
}

Status RecordText::OpenFrame() {
  const ZSTD_format_e format = chunked_ ? ZSTD_f_zstd1_magicless : ZSTD_f_zstd1;
  ZSTD_frameHeader h;
  if (rest_.empty() || ZSTD_getFrameHeader_advanced(&h, rest_.data(), rest_.size(), format) != 0 ||
      h.frameType != ZSTD_frame) {
    return Fail(Bad());
  }
  // The content: the rest of the text (one frame a text, plain), some of it
  // (chunks, plain), or codes that can hold the rest (coded). (Unknown and
  // error sizes are larger than any of these.)
  const uint64_t left = size_ - chunk_at_;
  const uint64_t content = h.frameContentSize;
  if (content == 0 || (vocab_     ? content > TextVocab::MaxCodedBytes(left)
                       : chunked_ ? content > left
                                  : content != left)) {
    return Fail(Bad());
  }
  if (dict_) {
    char* room;
    if (Status st = window_.Reserve(content, &room); !st.ok()) return Fail(st);
    out_ = room;
  } else {
    buf_.resize(content);
    out_ = buf_.data();
  }
  ZSTD_DCtx* d = dctx_.get();
  if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_format, format)) ||
      ZSTD_isError(dict_ ? ZSTD_decompressBegin_usingDDict(d, window_.ddict())
                         : ZSTD_decompressBegin(d))) {
    return Fail(Bad());
  }
  if (vocab_) decoder_.emplace(*vocab_, text_.data() + chunk_at_, left, /*slack=*/true);
  frame_ = rest_.data();
  content_ = content;
  done_ = used_ = 0;
  open_ = true;
  return Status::OK();
}

Status RecordText::Step() {
  if (!open_) {
    if (written_ >= size_) return Fail(Bad());  // more asked of a text than it has
    return OpenFrame();
  }
  ZSTD_DCtx* d = dctx_.get();
  const size_t want = ZSTD_nextSrcSizeToDecompress(d);
  if (want == 0) return CloseFrame();
  if (want > rest_.size()) return Fail(Bad());
  // The output goes straight into out_, whose decompressed prefix is the
  // decoder's window (after the dictionary's copy, with one).
  const size_t got = ZSTD_decompressContinue(d, out_ + done_, content_ - done_, rest_.data(), want);
  if (ZSTD_isError(got)) return Fail(Bad());
  rest_.remove_prefix(want);
  done_ += got;
  return got > 0 ? Take() : Status::OK();
}

Status RecordText::Take() {
  if (decoder_) {
    // Codes are decoded as their blocks come: a token cut by a block's end
    // waits for the next block.
    size_t used = 0;
    if (Status st = decoder_->Feed({out_ + used_, done_ - used_}, &used); !st.ok()) {
      return Fail(st);
    }
    used_ += used;
    written_ = chunk_at_ + decoder_->written();
    return Status::OK();
  }
  std::memcpy(text_.data() + chunk_at_ + used_, out_ + used_, done_ - used_);
  used_ = done_;
  written_ = chunk_at_ + done_;
  return Status::OK();
}

Status RecordText::CloseFrame() {
  open_ = false;
  // All of the content, and all of it text.
  if (done_ != content_ || used_ != content_) return Fail(Bad());
  // A chunk ends where the chunks found say it does.
  if (!chunked_                 ? written_ != size_
      : chunk_ < starts_.size() ? written_ != starts_[chunk_]
                                : !starts_.empty() && written_ != size_) {
    return Fail(Bad());
  }
  if (written_ == chunk_at_) return Fail(Bad());  // a frame of no text
  chunk_at_ = written_;
  ++chunk_;
  decoder_.reset();
  return Status::OK();
}

}  // namespace wildchat
