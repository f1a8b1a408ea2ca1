// RecordText: one stored record's text, decompressed from its start only as
// far as asked. StoreBuilder ends the zstd blocks of a text frame at
// utterance ends (after the first utterance, then every few KB:
// StoreBuilder::kTextBlockBytes), and Through(n) decodes whole blocks until
// the first n bytes are there: a snippet from the first utterance, or a regex
// matching early in a long conversation, does not pay for the whole
// conversation. Frames written as one block decode whole on the first call;
// the result is the same. With a vocabulary (text_vocab.h) the frame holds
// the text's codes, decoded into the text as they are decompressed. Frames are
// untrusted bytes: any inconsistency is Corruption, never a crash. With a
// dictionary the text is decoded into a window of it (dict_windows.h), held
// until the next Start of another dictionary's text, Assign or destruction.
// One object decodes one text at a time and may be reused (it keeps its zstd
// context, and leaves it to the thread's next RecordText when destroyed: keep
// RecordTexts local, not static, and within the life of their dictionaries);
// not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

  // Starts on a frame holding `size` bytes of text (compressed with dict, if
  // not null; coded with vocab, if not null); an empty text has no frame.
  // Corruption if the frame's header says another size (or, coded, more than
  // such a text's codes can take). The frame's bytes (and dict and vocab)
  // must stay valid until the next Start/Assign; views of text() taken after
  // this stay valid until then too.
  Status Start(std::string_view frame, const DictWindows* dict, const TextVocab* vocab,
               uint64_t size);
  // Takes a text that is already decompressed.
  void Assign(std::string_view text);

  // The whole text's bytes; those past decoded() are unspecified until decoded.
  std::string_view text() const {
    return decoder_ ? std::string_view(text_.data(), text_size_) : std::string_view(out_, size_);
  }
  uint64_t decoded() const { return decoder_ ? decoder_->written() : done_; }
  // Decodes until at least the first min(n, size) bytes are there.
  Status Through(uint64_t n);

 private:
  struct DCtxFree {
    void operator()(ZSTD_DCtx_s* d) const;
  };
  // Decompresses zstd blocks until the first min(n, size_) bytes of the
  // frame's content are there.
  Status Inflate(uint64_t n);
  // Decodes the whole tokens among the codes inflated but not yet decoded.
  Status DecodeInflated();

  std::unique_ptr<ZSTD_DCtx_s, DCtxFree> dctx_;
  DictWindows::Lease window_;  // the frame's content, with a dictionary
  std::string buf_;            // the frame's content, without one
  char* out_ = nullptr;
  uint64_t size_ = 0;      // of the frame's content
  std::string_view rest_;  // the frame's bytes not yet fed to the decoder
  uint64_t done_ = 0;      // bytes of the frame's content there
  // With a vocabulary: the frame's content is codes, decoded into text_.
  std::optional<TextVocab::Decoder> decoder_;
  std::string text_;
  uint64_t text_size_ = 0;
  uint64_t used_ = 0;  // codes decoded
  bool begun_ = false;
  Status error_;
};

}  // namespace wildchat
