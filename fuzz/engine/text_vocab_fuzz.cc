// libFuzzer target: the word code of stored texts (engine/store/text_vocab.h).
// The first byte picks what the rest is:
//   0  a serialized vocabulary: Open accepts it or says Corruption, and one
//      it accepts decodes damaged codes without writing past their room;
//   1  codes (after a 2-byte text size) for a vocabulary trained once: they
//      decode into exactly that room, or Corruption;
//   2+ any text: its codes, cut at breaks the next bytes name, decode back to
//      the text exactly, and each coded break to its text break (the oracle
//      is the input itself); abort otherwise.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store/text_vocab.h"

namespace {

using wildchat::Status;
using wildchat::TextVocab;

const TextVocab& Trained() {
  static const TextVocab* v = [] {
    static const std::vector<std::string> samples = [] {
      const char* words[] = {"the", "cat", "写", "über", "\n", "  ", ".", "def", "x_1", "ที่"};
      std::vector<std::string> out;
      for (int i = 0; i < 40; ++i) {
        std::string s;
        for (int k = 0; k < 60; ++k)
          s += std::string(words[(i * 7 + k * k) % 10]) + (k % 3 ? " " : "");
        out.push_back(s);
      }
      return out;
    }();
    std::unique_ptr<TextVocab> out;
    if (!TextVocab::Open(TextVocab::Train({samples.begin(), samples.end()}), &out).ok())
      std::abort();
    return out.release();
  }();
  return *v;
}

void MustBeCorruptionOrOk(const Status& st) {
  if (!st.ok() && st.code() != Status::Code::kCorruption) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 0) {
    std::unique_ptr<TextVocab> v;
    const Status st = TextVocab::Open(in, &v);
    MustBeCorruptionOrOk(st);
    if (st.ok()) {
      static const char kCodes[] =
          "\x81\x82\x01\x83\x80\x02"
          "ab"
          "\x80\x00\x85";
      const std::string codes(kCodes, sizeof(kCodes) - 1);
      std::unique_ptr<char[]> out(new char[16]);
      MustBeCorruptionOrOk(v->DecodeAll(codes, out.get(), 16));
    }
    return 0;
  }
  if (data[0] == 1) {
    if (in.size() < 2) return 0;
    const size_t text_size = static_cast<uint8_t>(in[0]) | static_cast<uint8_t>(in[1]) << 8;
    std::unique_ptr<char[]> out(new char[text_size + 1]);
    MustBeCorruptionOrOk(Trained().DecodeAll(in.substr(2), out.get(), text_size));
    return 0;
  }
  const TextVocab& v = Trained();
  // Up to three breaks, from the next bytes; the rest is the text.
  std::vector<uint64_t> breaks;
  size_t at = 0;
  for (; at < 3 && at < in.size(); ++at) breaks.push_back(static_cast<uint8_t>(in[at]));
  const std::string_view text = in.substr(at);
  std::sort(breaks.begin(), breaks.end());
  std::string codes;
  std::vector<uint64_t> coded;
  v.Encode(text, breaks, &codes, &coded);
  if (codes.size() > TextVocab::MaxCodedBytes(text.size())) std::abort();
  std::string back(text.size(), '\0');
  if (!v.DecodeAll(codes, back.data(), back.size()).ok() || back != text) std::abort();
  std::vector<uint64_t> inside;
  for (const uint64_t b : breaks) {
    if (b > 0 && b < text.size() && (inside.empty() || inside.back() != b)) inside.push_back(b);
  }
  if (coded.size() != inside.size()) std::abort();
  for (size_t k = 0; k < coded.size(); ++k) {
    TextVocab::Decoder d(v, back.data(), back.size());
    size_t used = 0;
    if (!d.Feed(std::string_view(codes).substr(0, coded[k]), &used).ok() || used != coded[k] ||
        d.written() != inside[k] ||
        std::string_view(back).substr(0, inside[k]) != text.substr(0, inside[k])) {
      std::abort();
    }
  }
  return 0;
}
