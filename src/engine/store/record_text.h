// RecordText: one stored record's text, decompressed only as far as asked,
// and, for a text stored in chunks (text_chunks.h, segment format 9), only
// from where asked. Through(n) decodes until the first n bytes are there:
// zstd block by zstd block within a frame, frame by frame across chunks. A
// snippet from the first utterance, or a regex matching early in a long
// conversation, does not pay for the whole conversation; From(n, …) lets a
// regex whose candidate positions lie in later utterances skip the chunks
// before them. A text written as one frame (formats up to 8) has its zstd
// blocks end where chunks would (StoreBuilder of those formats), and decodes
// the same way from its start. With a vocabulary (text_vocab.h) the frames
// hold the text's codes, decoded into the text as they are decompressed; a
// chunk's codes start afresh. Frames are untrusted bytes: any inconsistency
// is Corruption, never a crash. With a dictionary each frame is decompressed
// into a window of it (dict_windows.h), held until the next Start of another
// dictionary's text, Assign or destruction. One object decodes one text at a
// time and may be reused (it keeps its zstd context, and leaves it to the
// thread's next RecordText when destroyed: keep RecordTexts local, not
// static, and within the life of their dictionaries); not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/store/dict_windows.h"
#include "engine/store/text_vocab.h"

struct ZSTD_DCtx_s;

namespace wildchat {

class RecordText {
 public:
  RecordText();
  ~RecordText();
  RecordText(const RecordText&) = delete;
  RecordText& operator=(const RecordText&) = delete;

  // Starts on `frames` holding `size` bytes of text (compressed with dict, if
  // not null; coded with vocab, if not null): one zstd frame, or with
  // `chunked` one magicless frame per chunk (text_chunks.h). An empty text
  // has no frame. Corruption if a frame's header says a size the text cannot
  // have. The frames' bytes (and dict and vocab) must stay valid until the
  // next Start/Assign; views of text() taken after this stay valid until then
  // too.
  Status Start(std::string_view frames, const DictWindows* dict, const TextVocab* vocab,
               uint64_t size, bool chunked = false);
  // Takes a text that is already decompressed.
  void Assign(std::string_view text);

  // The whole text's bytes; those not decoded are unspecified.
  std::string_view text() const { return std::string_view(text_.data(), size_); }
  // Where decoding has reached: the bytes before it are decoded, or were
  // skipped by From.
  uint64_t decoded() const { return written_; }
  // Decodes until at least the first min(n, size) bytes are there (but for
  // those From skipped).
  Status Through(uint64_t n);
  // Says that no byte before n will be asked for: a chunked text then skips
  // the chunks ending at or before n that are not decoded yet (the bytes
  // before the chunk holding n become unspecified); a text in one frame
  // decodes from its start as before. utterance_ends: the text's utterance
  // end offsets, from which the chunks are found; Corruption later if the
  // frames disagree with them.
  Status From(uint64_t n, std::span<const uint64_t> utterance_ends);

 private:
  struct DCtxFree {
    void operator()(ZSTD_DCtx_s* d) const;
  };
  // Opens the next frame: its header, and room for its content.
  Status OpenFrame();
  // One step of the open frame's decompression (a header or a zstd block),
  // whose output goes into the text; closes the frame when it ends.
  Status Step();
  // Moves the frame's content inflated but not yet taken into the text.
  Status Take();
  // Checks the frame's end: all of its content taken, its text as long as
  // the chunks say.
  Status CloseFrame();
  Status Fail(Status st) { return error_ = std::move(st); }

  std::unique_ptr<ZSTD_DCtx_s, DCtxFree> dctx_;
  const DictWindows* dict_ = nullptr;
  const TextVocab* vocab_ = nullptr;
  bool chunked_ = false;
  DictWindows::Lease window_;  // a frame's content, with a dictionary
  std::string buf_;            // a frame's content, without one
  std::string_view rest_;      // the frames' bytes not yet fed to the decoder
  // The open frame.
  bool open_ = false;
  const char* frame_ = nullptr;  // where it starts in the frames
  char* out_ = nullptr;          // its content
  uint64_t content_ = 0;         // its content's size
  uint64_t done_ = 0;            // content bytes inflated
  uint64_t used_ = 0;            // content bytes taken into the text
  std::optional<TextVocab::Decoder> decoder_;
  // The text.
  std::string text_;
  uint64_t size_ = 0;
  uint64_t written_ = 0;          // bytes there (or skipped)
  uint64_t chunk_at_ = 0;         // where the open (or next) frame's text starts
  size_t chunk_ = 0;              // its chunk number
  std::vector<uint64_t> starts_;  // the chunks' starts, once From has found them
  Status error_;
};

}  // namespace wildchat
