#include "engine/store/record_text.h"

#include <gtest/gtest.h>
#define ZSTD_STATIC_LINKING_ONLY  // magicless frames
#include <zstd.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/store/text_chunks.h"
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

// A text of utterances of `lengths` bytes, its utterance ends, and its
// chunks' frames as StoreBuilder writes them: one magicless frame per chunk
// (text_chunks.h), of the chunk's codes when given a vocabulary.
struct Chunked {
  std::string text, frames;
  std::vector<uint64_t> ends, starts;
  std::vector<size_t> frame_ends;  // where each chunk's frame ends in frames
};
Chunked ChunkedText(const std::vector<size_t>& lengths, unsigned seed,
                    const TextVocab* vocab = nullptr) {
  Chunked c;
  for (const size_t n : lengths) {
    c.text += Words(n, seed++);
    c.ends.push_back(c.text.size());
  }
  TextChunkStarts(c.ends, c.text.size(), &c.starts);
  ZSTD_CCtx* z = ZSTD_createCCtx();
  uint64_t at = 0;
  for (size_t k = 0; k <= c.starts.size(); ++k) {
    const uint64_t end = k < c.starts.size() ? c.starts[k] : c.text.size();
    std::string src = c.text.substr(at, end - at);
    if (vocab) {
      std::string codes;
      vocab->Encode(src, &codes);
      src = codes;
    }
    ZSTD_CCtx_reset(z, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 6);
    ZSTD_CCtx_setParameter(z, ZSTD_c_format, ZSTD_f_zstd1_magicless);
    ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, k % 2);  // with and without
    std::string out(ZSTD_compressBound(src.size()), '\0');
    out.resize(ZSTD_compress2(z, out.data(), out.size(), src.data(), src.size()));
    c.frames += out;
    c.frame_ends.push_back(c.frames.size());
    at = end;
  }
  ZSTD_freeCCtx(z);
  return c;
}

std::unique_ptr<TextVocab> TrainedVocab() {
  std::vector<std::string> samples;
  for (unsigned s = 0; s < 20; ++s) samples.push_back(Words(3000, 100 + s));
  std::unique_ptr<TextVocab> vocab;
  EXPECT_TRUE(TextVocab::Open(TextVocab::Train({samples.begin(), samples.end()}), &vocab).ok());
  return vocab;
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
  const std::unique_ptr<TextVocab> vocab = TrainedVocab();
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

// A chunked text decodes whole, chunk by chunk; From skips the chunks before
// the one asked for: damage to them goes unseen, while reading them finds it.
TEST(RecordTextTest, ChunkedTextsDecodeFromTheChunkAsked) {
  const std::unique_ptr<TextVocab> vocab = TrainedVocab();
  for (const TextVocab* v :
       {static_cast<const TextVocab*>(nullptr), static_cast<const TextVocab*>(vocab.get())}) {
    const Chunked c = ChunkedText({700, 1500, 900, 3000, 200, 2500, 2600, 100}, 3, v);
    ASSERT_EQ(c.starts, (std::vector<uint64_t>{700, 3100, 6100, 8800, 11400}));
    RecordText t;
    ASSERT_TRUE(t.Start(c.frames, nullptr, v, c.text.size(), /*chunked=*/true).ok());
    ASSERT_TRUE(t.Through(10).ok());
    EXPECT_EQ(t.decoded(), 700u);  // the first chunk alone
    ASSERT_TRUE(t.Through(c.text.size()).ok());
    EXPECT_EQ(t.text(), c.text);

    // Damage inside the first three chunks' frames (past their headers).
    std::string damaged = c.frames;
    for (size_t k = 0; k < 3; ++k) {
      const size_t from = k ? c.frame_ends[k - 1] : 0;
      for (size_t i = from + 12; i < c.frame_ends[k] - 4; i += 7) damaged[i] ^= 0x5A;
    }
    Status st = t.Start(damaged, nullptr, v, c.text.size(), true);
    if (st.ok()) st = t.Through(c.text.size());
    EXPECT_EQ(st.code(), Status::Code::kCorruption);

    // From the fifth utterance (the fourth chunk): the chunks before are passed.
    ASSERT_TRUE(t.Start(damaged, nullptr, v, c.text.size(), true).ok());
    ASSERT_TRUE(t.From(c.ends[3], c.ends).ok());
    EXPECT_EQ(t.decoded(), 6100u);
    ASSERT_TRUE(t.Through(c.ends[4]).ok());
    EXPECT_EQ(t.decoded(), 8800u);
    EXPECT_EQ(t.text().substr(6100, 8800 - 6100), c.text.substr(6100, 8800 - 6100));
    // Asking for earlier bytes, or skipping back, reads nothing more.
    ASSERT_TRUE(t.From(10, c.ends).ok());
    ASSERT_TRUE(t.Through(500).ok());
    EXPECT_EQ(t.decoded(), 8800u);
    // Skipping from inside a chunk already begun, to the last one.
    ASSERT_TRUE(t.Through(8900).ok());
    ASSERT_TRUE(t.From(c.ends[7] - 1, c.ends).ok());
    EXPECT_EQ(t.decoded(), 11400u);
    ASSERT_TRUE(t.Through(c.text.size()).ok());
    EXPECT_EQ(t.text().substr(11400), c.text.substr(11400));

    // Utterance ends that disagree with the frames: corruption, not a misread.
    std::vector<uint64_t> wrong = c.ends;
    wrong[3] += 1;  // the third chunk would start a byte later
    ASSERT_TRUE(t.Start(c.frames, nullptr, v, c.text.size(), true).ok());
    st = t.From(c.ends[4], wrong);
    if (st.ok()) st = t.Through(c.text.size());
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    // More frames than the text, or one missing.
    for (const std::string& frames :
         {c.frames + c.frames.substr(0, c.frame_ends[0]), c.frames.substr(0, c.frame_ends[3])}) {
      st = t.Start(frames, nullptr, v, c.text.size(), true);
      if (st.ok()) st = t.Through(c.text.size());
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
    // Chunk frames are magicless: read as one ordinary frame they are corrupt,
    // and an ordinary frame is not chunks.
    st = t.Start(c.frames, nullptr, v, c.text.size(), false);
    if (st.ok()) st = t.Through(c.text.size());
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    if (!v) {
      st = t.Start(PlainFrame(c.text), nullptr, nullptr, c.text.size(), true);
      if (st.ok()) st = t.Through(c.text.size());
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
}

// Random damage to chunked frames, read from random places: corruption or
// the text, never a crash (the sanitizers watch).
TEST(RecordTextTest, DamagedChunksAreCorruptionNotCrashes) {
  const std::unique_ptr<TextVocab> vocab = TrainedVocab();
  const Chunked chunked[2] = {ChunkedText({900, 2200, 40, 2500, 700}, 5),
                              ChunkedText({900, 2200, 40, 2500, 700}, 5, vocab.get())};
  std::mt19937 rng(12);
  int rejected = 0;
  for (int i = 0; i < 600; ++i) {
    const TextVocab* v = i % 2 ? vocab.get() : nullptr;
    const Chunked& c = chunked[i % 2];
    std::string bad = c.frames;
    for (int k = 0; k < 1 + i % 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    RecordText t;
    Status st = t.Start(bad, nullptr, v, c.text.size(), true);
    if (st.ok()) st = t.From(rng() % c.text.size(), c.ends);
    if (st.ok()) st = t.Through(rng() % (c.text.size() + 1));
    if (st.ok()) st = t.Through(c.text.size());
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 200);
}

}  // namespace
}  // namespace wildchat
