#include "engine/store/record_text.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/store/text_vocab.h"

namespace wildchat {
namespace {

// Some text that compresses (words repeat) and is long enough for blocks.
std::string Words(size_t n, unsigned seed) {
  static const char* kWords[] = {"the", "climate", "数据", "python", "über", "return", "\n"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < n) {
    out += kWords[rng() % 7];
    out += ' ';
  }
  out.resize(n);
  return out;
}

// A frame of text whose first block ends after `split` bytes (zstd's
// streaming API with a flush there: what StoreBuilder writes).
std::string SplitFrame(const std::string& text, size_t split) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 6);
  ZSTD_CCtx_setPledgedSrcSize(c, text.size());
  std::string out(ZSTD_compressBound(text.size()) * 2 + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer in{text.data(), split, 0};
  EXPECT_EQ(ZSTD_compressStream2(c, &o, &in, ZSTD_e_flush), 0u);
  in.size = text.size();
  EXPECT_EQ(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

std::string PlainFrame(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 6));
  return out;
}

TEST(RecordTextTest, DecodesTheFirstBlockAloneThenTheRest) {
  const std::string text = Words(20000, 1);
  const std::string frame = SplitFrame(text, 700);
  RecordText t;
  ASSERT_TRUE(t.Start(frame, nullptr, nullptr, text.size()).ok());
  EXPECT_EQ(t.text().size(), text.size());
  EXPECT_EQ(t.decoded(), 0u);
  ASSERT_TRUE(t.Through(10).ok());
  EXPECT_EQ(t.decoded(), 700u);  // the first block, not the conversation
  EXPECT_EQ(t.text().substr(0, 700), text.substr(0, 700));
  ASSERT_TRUE(t.Through(700).ok());
  EXPECT_EQ(t.decoded(), 700u);
  ASSERT_TRUE(t.Through(701).ok());
  EXPECT_EQ(t.decoded(), text.size());
  EXPECT_EQ(t.text(), text);
  ASSERT_TRUE(t.Through(UINT64_MAX).ok());
  EXPECT_EQ(t.text(), text);
}

TEST(RecordTextTest, OneBlockFramesAndReuseAcrossTexts) {
  RecordText t;
  for (unsigned seed = 0; seed < 20; ++seed) {
    const std::string text = Words(1 + seed * 997, seed);
    const std::string frame = seed % 2 ? PlainFrame(text) : SplitFrame(text, text.size() / 3);
    ASSERT_TRUE(t.Start(frame, nullptr, nullptr, text.size()).ok());
    ASSERT_TRUE(t.Through(text.size()).ok());
    EXPECT_EQ(t.text(), text) << seed;
  }
  ASSERT_TRUE(t.Start({}, nullptr, nullptr, 0).ok());  // an empty text has no frame
  ASSERT_TRUE(t.Through(5).ok());
  EXPECT_EQ(t.text(), "");
  t.Assign("already here");
  EXPECT_EQ(t.decoded(), 12u);
  EXPECT_EQ(t.text(), "already here");
}

TEST(RecordTextTest, BadFramesAreCorruptionNotCrashes) {
  const std::string text = Words(9000, 2);
  const std::string frame = SplitFrame(text, 3000);
  RecordText t;
  // The header's size must be the size the store records.
  EXPECT_EQ(t.Start(frame, nullptr, nullptr, text.size() + 1).code(), Status::Code::kCorruption);
  EXPECT_EQ(t.Start("", nullptr, nullptr, 5).code(), Status::Code::kCorruption);
  EXPECT_EQ(t.Start(frame, nullptr, nullptr, 0).code(), Status::Code::kCorruption);
  // Bytes after the frame, or a frame cut short.
  const std::string longer = frame + "x", cut = frame.substr(0, frame.size() - 5);
  ASSERT_TRUE(t.Start(longer, nullptr, nullptr, text.size()).ok());
  EXPECT_EQ(t.Through(text.size()).code(), Status::Code::kCorruption);
  ASSERT_TRUE(t.Start(cut, nullptr, nullptr, text.size()).ok());
  ASSERT_TRUE(t.Through(3000).ok());  // the first block is whole
  EXPECT_EQ(t.Through(text.size()).code(), Status::Code::kCorruption);
  EXPECT_EQ(t.Through(text.size()).code(), Status::Code::kCorruption);  // and stays so
  std::mt19937 rng(9);
  int rejected = 0;
  for (int i = 0; i < 500; ++i) {
    std::string bad = frame;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    Status st = t.Start(bad, nullptr, nullptr, text.size());
    if (st.ok()) st = t.Through(rng() % (text.size() + 1));
    if (st.ok()) st = t.Through(text.size());
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
      ++rejected;
    } else {
      EXPECT_EQ(t.decoded(), text.size());
    }
  }
  EXPECT_GT(rejected, 250);
}

// A coded text (text_vocab.h): the frame holds the codes, split where the
// text's first utterance ends; the text decodes to that end alone, then
// whole, and a size the codes disagree with is an error by the end.
TEST(RecordTextTest, CodedTextsDecodeBlockByBlock) {
  std::vector<std::string> samples;
  for (unsigned s = 0; s < 20; ++s) samples.push_back(Words(3000, 100 + s));
  std::unique_ptr<TextVocab> vocab;
  ASSERT_TRUE(TextVocab::Open(TextVocab::Train({samples.begin(), samples.end()}), &vocab).ok());
  const std::string text = Words(20000, 3);
  std::string codes;
  std::vector<uint64_t> coded_breaks;
  vocab->Encode(text, {701}, &codes, &coded_breaks);
  ASSERT_EQ(coded_breaks.size(), 1u);
  const std::string frame = SplitFrame(codes, coded_breaks[0]);
  RecordText t;
  ASSERT_TRUE(t.Start(frame, nullptr, vocab.get(), text.size()).ok());
  EXPECT_EQ(t.text().size(), text.size());
  ASSERT_TRUE(t.Through(10).ok());
  EXPECT_EQ(t.decoded(), 701u);  // the first block's codes, not the whole text's
  EXPECT_EQ(t.text().substr(0, 701), text.substr(0, 701));
  ASSERT_TRUE(t.Through(UINT64_MAX).ok());
  EXPECT_EQ(t.text(), text);
  // Without the vocabulary the codes are not the text.
  EXPECT_EQ(t.Start(frame, nullptr, nullptr, text.size()).code(), Status::Code::kCorruption);
  // A size the codes cannot have held, and ones they do not hold.
  EXPECT_EQ(t.Start(frame, nullptr, vocab.get(), codes.size() / 3 - 6).code(),
            Status::Code::kCorruption);
  for (const uint64_t size : {text.size() - 1, text.size() + 1}) {
    Status st = t.Start(frame, nullptr, vocab.get(), size);
    if (st.ok()) st = t.Through(size);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << size;
  }
  // Codes followed by more codes than the text holds.
  const std::string more = PlainFrame(codes + codes.substr(0, 3));  // outlives the decoding
  ASSERT_TRUE(t.Start(more, nullptr, vocab.get(), text.size()).ok());
  EXPECT_EQ(t.Through(text.size()).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace wildchat
