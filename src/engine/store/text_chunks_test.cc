#include "engine/store/text_chunks.h"

#include <gtest/gtest.h>
#define ZSTD_STATIC_LINKING_ONLY  // magicless frames
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

namespace wildchat {
namespace {

// The chunks are the first utterance, then runs of at least kTextChunkBytes.
TEST(TextChunksTest, ChunksEndAtUtteranceEnds) {
  std::vector<uint64_t> starts;
  TextChunkStarts(std::vector<uint64_t>{0, 100, 900, 2100, 2200, 4000, 6100, 9000}, 9000, &starts);
  // 0: an empty first utterance ends nothing; 2200 − 100 ≥ 2048; 4000 − 2200 < 2048.
  EXPECT_EQ(starts, (std::vector<uint64_t>{100, 2200, 6100}));
  TextChunkStarts(std::vector<uint64_t>{5000}, 5000, &starts);
  EXPECT_TRUE(starts.empty());  // one utterance: one chunk
  TextChunkStarts(std::vector<uint64_t>{300, 200, 9000, 9500}, 9000, &starts);
  EXPECT_EQ(starts, (std::vector<uint64_t>{300}));  // ends going back, or past the text, end none
}

// Magicless frames of text that compresses (in several blocks past 128 KB),
// of incompressible bytes (raw blocks) and of one repeated byte (RLE), with
// checksums and without: each one's size is found from its headers alone,
// and a frame cut anywhere is not whole.
TEST(TextChunksTest, FrameSizesAreFoundWithoutDecompressing) {
  std::mt19937 rng(4);
  std::string words, noise(5000, '\0'), same(70000, 'x');
  static const char* kWords[] = {"the ", "climate ", "数据 ", "python\n"};
  while (words.size() < 300000) words += kWords[rng() % 4];
  for (char& ch : noise) ch = static_cast<char>(rng());
  std::string frames;
  std::vector<size_t> ends;
  ZSTD_CCtx* z = ZSTD_createCCtx();
  int checksum = 0;
  for (const std::string& src : {words.substr(0, 500), words.substr(0, 2500), words, noise, same}) {
    ZSTD_CCtx_setParameter(z, ZSTD_c_format, ZSTD_f_zstd1_magicless);
    ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, checksum++ % 2);
    std::string out(ZSTD_compressBound(src.size()), '\0');
    out.resize(ZSTD_compress2(z, out.data(), out.size(), src.data(), src.size()));
    frames += out;
    ends.push_back(frames.size());
  }
  ZSTD_freeCCtx(z);
  size_t at = 0;
  for (const size_t end : ends) {
    const std::string_view rest = std::string_view(frames).substr(at);
    EXPECT_EQ(ChunkFrameSize(rest), end - at);
    for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, (end - at) / 2, end - at - 1}) {
      EXPECT_EQ(ChunkFrameSize(rest.substr(0, cut)), 0u) << cut;
    }
    at = end;
  }
  EXPECT_EQ(ChunkFrameSize(""), 0u);
}

}  // namespace
}  // namespace wildchat
