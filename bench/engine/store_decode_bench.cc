// store_decode_bench: how fast a store's text frames decode with a trained
// dictionary kept apart from the output (ZSTD_decompress_usingDDict into a
// buffer of its own), through a DictWindows window (the output continues
// the dictionary's bytes), and as the store holds them since segment format
// 8: the texts' codes (text_vocab.h) in the frames, decoded by RecordText —
// side by side on the same texts, with the bytes each way takes.
//   store_decode_bench [--conversations 30000] [--rounds 7]
// Texts are the store's text parts (EncodeConversationParts) of generated
// conversations; the dictionary is trained as StoreBuilder trains it (1 MB
// on the first 2,048) and every later text is one level-6 frame. Prints the
// median MB/s of each way and their ratio.
#define ZSTD_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/store/dict_windows.h"
#include "engine/store/record_codec.h"
#include "engine/store/record_text.h"
#include "engine/store/text_vocab.h"
#include "gen/corpus_generator.h"

using namespace wildchat;

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t conversations = 30000;
  int rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--conversations")) {
      conversations = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--rounds")) {
      rounds = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: store_decode_bench [--conversations N] [--rounds N]\n");
      return 2;
    }
  }
  constexpr uint64_t kSample = 2048;
  if (conversations <= kSample || rounds < 1) {
    std::fprintf(stderr, "need more than %llu conversations\n",
                 static_cast<unsigned long long>(kSample));
    return 2;
  }
  GenOptions go;
  go.conversations = conversations;
  CorpusGenerator gen(go);
  std::vector<std::string> texts;
  for (uint64_t i = 0; i < conversations; ++i) {
    RecordParts parts;
    EncodeConversationParts(gen.Generate(i), &parts);
    if (!parts.text.empty()) texts.push_back(std::move(parts.text));
  }
  std::string all;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < kSample && i < texts.size(); ++i) {
    all += texts[i];
    sizes.push_back(texts[i].size());
  }
  std::string dict(std::min<size_t>(1 << 20, all.size() / 8), '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) {
    std::fprintf(stderr, "training: %s\n", ZDICT_getErrorName(n));
    return 1;
  }
  dict.resize(n);
  ZSTD_CDict* cdict = ZSTD_createCDict(dict.data(), dict.size(), 6);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::vector<std::string> frames;
  std::vector<size_t> lens;
  uint64_t raw = 0, compressed = 0;
  for (size_t i = kSample; i < texts.size(); ++i) {
    std::string f(ZSTD_compressBound(texts[i].size()), '\0');
    f.resize(ZSTD_compress_usingCDict(cctx, f.data(), f.size(), texts[i].data(), texts[i].size(),
                                      cdict));
    raw += texts[i].size();
    compressed += f.size();
    lens.push_back(texts[i].size());
    frames.push_back(std::move(f));
  }
  ZSTD_freeCCtx(cctx);
  ZSTD_freeCDict(cdict);

  ZSTD_DDict* apart = ZSTD_createDDict(dict.data(), dict.size());
  std::unique_ptr<DictWindows> windows;
  if (!DictWindows::Open(dict, &windows).ok()) {
    std::fprintf(stderr, "bad dictionary\n");
    return 1;
  }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string out(*std::max_element(lens.begin(), lens.end()), '\0');
  std::vector<double> apart_mbs, window_mbs;
  uint64_t check_a = 0, check_b = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < frames.size(); ++i) {
      const size_t got = ZSTD_decompress_usingDDict(dctx, out.data(), lens[i], frames[i].data(),
                                                    frames[i].size(), apart);
      check_a += got + static_cast<unsigned char>(out[got / 2]);
    }
    auto t1 = std::chrono::steady_clock::now();
    DictWindows::Lease lease = windows->Acquire();
    for (size_t i = 0; i < frames.size(); ++i) {
      char* room;
      if (!lease.Reserve(lens[i], &room).ok()) return 1;
      const size_t got = ZSTD_decompress_usingDDict(dctx, room, lens[i], frames[i].data(),
                                                    frames[i].size(), lease.ddict());
      check_b += got + static_cast<unsigned char>(room[got / 2]);
    }
    auto t2 = std::chrono::steady_clock::now();
    apart_mbs.push_back(raw / 1e6 / std::chrono::duration<double>(t1 - t0).count());
    window_mbs.push_back(raw / 1e6 / std::chrono::duration<double>(t2 - t1).count());
  }
  ZSTD_freeDCtx(dctx);
  ZSTD_freeDDict(apart);

  // Coded: a vocabulary of the sample's texts, a dictionary of their codes.
  std::vector<std::string_view> sample(texts.begin(), texts.begin() + kSample);
  std::unique_ptr<TextVocab> vocab;
  if (!TextVocab::Open(TextVocab::Train(sample), &vocab).ok()) return 1;
  std::vector<std::string> coded_sample(kSample);
  std::string coded_all;
  std::vector<uint64_t> none;
  for (size_t i = 0; i < kSample; ++i) {
    vocab->Encode(texts[i], {}, &coded_sample[i], &none);
    coded_all += coded_sample[i];
  }
  std::string cdict_bytes(std::min<size_t>(1 << 20, coded_all.size() / 8), '\0');
  const size_t cn = ZDICT_trainFromBuffer(cdict_bytes.data(), cdict_bytes.size(), coded_all.data(),
                                          sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(cn)) return 1;
  cdict_bytes.resize(cn);
  ZSTD_CDict* ccdict = ZSTD_createCDict(cdict_bytes.data(), cdict_bytes.size(), 7);
  cctx = ZSTD_createCCtx();
  std::vector<std::string> coded_frames;
  uint64_t coded_compressed = 0;
  for (size_t i = kSample; i < texts.size(); ++i) {
    std::string codes;
    vocab->Encode(texts[i], {}, &codes, &none);
    std::string f(ZSTD_compressBound(codes.size()), '\0');
    f.resize(
        ZSTD_compress_usingCDict(cctx, f.data(), f.size(), codes.data(), codes.size(), ccdict));
    coded_compressed += f.size();
    coded_frames.push_back(std::move(f));
  }
  ZSTD_freeCCtx(cctx);
  ZSTD_freeCDict(ccdict);
  std::unique_ptr<DictWindows> coded_windows;
  if (!DictWindows::Open(cdict_bytes, &coded_windows).ok()) return 1;
  std::vector<double> coded_mbs;
  uint64_t check_c = 0;
  for (int r = 0; r < rounds; ++r) {
    RecordText text;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < coded_frames.size(); ++i) {
      if (!text.Start(coded_frames[i], coded_windows.get(), vocab.get(), lens[i]).ok() ||
          !text.Through(lens[i]).ok()) {
        std::fprintf(stderr, "a coded text did not decode\n");
        return 1;
      }
      check_c += lens[i] + static_cast<unsigned char>(text.text()[lens[i] / 2]);
    }
    auto t1 = std::chrono::steady_clock::now();
    coded_mbs.push_back(raw / 1e6 / std::chrono::duration<double>(t1 - t0).count());
  }
  if (check_c != check_a / rounds * rounds) {
    std::fprintf(stderr, "coded texts decoded to other bytes\n");
    return 1;
  }
  if (check_a != check_b) {
    std::fprintf(stderr, "the two ways decoded different bytes\n");
    return 1;
  }
  std::printf("%zu frames, %.1f MB of text in %.1f MB (dictionary %zu bytes)\n", frames.size(),
              raw / 1e6, compressed / 1e6, dict.size());
  const double a = Median(apart_mbs), b = Median(window_mbs);
  std::printf("dictionary apart   %7.0f MB/s (median of %d)\n", a, rounds);
  std::printf("dictionary window  %7.0f MB/s (median of %d)\n", b, rounds);
  std::printf("window / apart     %7.2fx\n", b / a);
  std::printf("coded, in %.1f MB   %7.0f MB/s of text (median of %d; vocabulary of %zu tokens)\n",
              coded_compressed / 1e6, Median(coded_mbs), rounds, vocab->size());
  return 0;
}
