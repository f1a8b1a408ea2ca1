// TextVocab: a word code for stored conversation text, applied before zstd.
// A text is cut into tokens — runs of word characters (ASCII letters, digits,
// '_', and any other letter outside the scripts written without spaces), runs
// of other bytes (spaces, punctuation, invalid UTF-8), and single characters
// of scripts written without spaces (Han, kana, Thai, CJK punctuation,
// fullwidth forms) — and each token becomes the end-tagged dense code of its
// rank in a vocabulary trained on a build's first conversations: the 128 most
// frequent tokens one byte, the next 16,384 two, the rest three. A token
// outside the vocabulary is code 0, its length as a varint, then its bytes.
// A single space between two word tokens is left out and put back on
// decoding; an escape of no bytes (glue) says there is none, where two words
// meet at a break the encoder cuts the text at. zstd then compresses the codes: at 100k the store's
// text is about a quarter smaller than zstd on the bytes at the same level, and compresses faster
// (docs/engine.md "Store blocks").
//
// Any bytes round-trip exactly. Serialized vocabularies and codes are
// untrusted: Open and Decoder report damage as Corruption, never crash or
// write past the room they are given. Immutable after Open/Train;
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wildchat {

class TextVocab {
 public:
  // The serialized vocabulary of the tokens seen at least twice in samples
  // (ranked by count, then bytes; at most kMaxTokenBytes long), or empty when
  // the samples are too few to train on: a store then keeps its text bytes
  // as they are.
  static std::string Train(const std::vector<std::string_view>& samples);
  // Corruption if `serialized` is not a vocabulary Train could have written.
  static Status Open(std::string_view serialized, std::unique_ptr<TextVocab>* out);
  // Open, or the TextVocab of the same bytes already open (and alive) in this
  // process: the segments of one build share one vocabulary in memory and in
  // the cache, as they share their zstd dictionaries (dict_windows.h).
  static Status OpenShared(std::string_view serialized, std::shared_ptr<const TextVocab>* out);

  // Appends text's codes to *out.
  void Encode(std::string_view text, std::string* out) const { Encode(text, {}, out, nullptr); }
  // The same, but tokens end at each of `breaks` (ascending offsets strictly
  // inside text; others are ignored), and *coded_breaks gets the offset into
  // the codes (from where this call started appending) that decodes to
  // exactly the text before each: how format-8 stores coded a text whose
  // zstd blocks end at breaks, in one frame (since format 9 each chunk is
  // coded on its own: text_chunks.h).
  void Encode(std::string_view text, const std::vector<uint64_t>& breaks, std::string* out,
              std::vector<uint64_t>* coded_breaks) const;
  // The most code bytes a text of `size` bytes can take (to bound a frame's
  // declared size before decompressing it).
  static uint64_t MaxCodedBytes(uint64_t size) { return 3 * size + 16; }

  // Decodes codes as they arrive, into a text of a known size. With room
  // for kSlack bytes past the text's end at out (scratch: what they hold
  // after is unspecified), tokens are copied 16 bytes at a time.
  static constexpr size_t kSlack = 64;
  class Decoder {
   public:
    Decoder(const TextVocab& vocab, char* out, uint64_t size, bool slack = false)
        : v_(vocab), out_(out), size_(size), room_(size + (slack ? kSlack : 0)) {}
    // Decodes the whole tokens at the front of `codes`, returning how many of
    // its bytes they took (a token cut by the end of `codes` is left for the
    // next call, with more bytes). Corruption when a code names no token or
    // the text would outgrow its size.
    Status Feed(std::string_view codes, size_t* used);
    // Text bytes written so far.
    uint64_t written() const { return done_; }

   private:
    const TextVocab& v_;
    char* out_;
    uint64_t size_;
    uint64_t room_;  // writable bytes at out_
    uint64_t done_ = 0;
    bool after_word_ = false;  // the last token was a word
  };
  // Decodes all of codes into exactly `size` bytes at out; Corruption unless
  // they hold exactly that text.
  Status DecodeAll(std::string_view codes, char* out, uint64_t size) const;

  size_t size() const { return slots_.size() - 2; }
  static constexpr size_t kMaxTokenBytes = 64;

 private:
  TextVocab() = default;
  std::string serialized_;  // as opened
  std::string bytes_;       // the tokens longer than kInline back to back, then kSlack zero bytes
  // By code, one 16-byte slot a token: its length, whether it is a word, and
  // its bytes when it has at most kInline, else their offset in bytes_ (a
  // uint32). Decoding reads one slot a token: an entry pointing at the bytes
  // cost two dependent cache misses for rarer tokens.
  static constexpr size_t kInline = 14;
  struct Slot {
    uint8_t length;
    bool word;
    char head[kInline];
  };
  static_assert(sizeof(Slot) == 16);
  std::vector<Slot> slots_;      // [0]: the escape's, unused; the last pads 16-byte reads
  std::vector<uint32_t> table_;  // open addressing over token hashes: code, 0 = empty
  std::string_view Token(uint32_t code) const;
  uint32_t Find(std::string_view token) const;
};

}  // namespace wildchat
