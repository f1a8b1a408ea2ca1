#include "engine/store/dict_windows.h"

#include <gtest/gtest.h>
#include <zdict.h>
#include <zstd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/record_text.h"

namespace wildchat {
namespace {

// Texts that share phrases (so a trained dictionary is full of matches).
std::string Text(size_t n, unsigned seed) {
  static const char* kPhrases[] = {
      "the climate is changing ", "def main():\n    return 0\n", "数据模型 ", "über alles ",
      "Sure! Here is a story ",   "as an AI language model, "};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < n) {
    out += kPhrases[rng() % 6];
    out += std::to_string(rng() % 100);
  }
  out.resize(n);
  return out;
}

std::string TrainedDictionary() {
  std::string all;
  std::vector<size_t> sizes;
  for (unsigned i = 0; i < 300; ++i) {
    const std::string t = Text(200 + i * 7, 1000 + i);
    all += t;
    sizes.push_back(t.size());
  }
  std::string dict(16 << 10, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  EXPECT_FALSE(ZDICT_isError(n)) << ZDICT_getErrorName(n);
  dict.resize(ZDICT_isError(n) ? 0 : n);
  return dict;
}

std::string Compress(const std::string& text, const std::string& dict) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  ZSTD_CCtx* c = ZSTD_createCCtx();
  out.resize(ZSTD_compress_usingDict(c, out.data(), out.size(), text.data(), text.size(),
                                     dict.data(), dict.size(), 6));
  ZSTD_freeCCtx(c);
  return out;
}

// One text decoded through a lease: what went in comes out.
std::string Decode(DictWindows::Lease& lease, const std::string& frame, size_t size) {
  char* room = nullptr;
  EXPECT_TRUE(lease.Reserve(size, &room).ok());
  ZSTD_DCtx* d = ZSTD_createDCtx();
  const size_t got =
      ZSTD_decompress_usingDDict(d, room, size, frame.data(), frame.size(), lease.ddict());
  ZSTD_freeDCtx(d);
  EXPECT_FALSE(ZSTD_isError(got)) << ZSTD_getErrorName(got);
  return ZSTD_isError(got) ? std::string() : std::string(room, got);
}

TEST(DictWindowsTest, TextsOfGrowingSizesDecodeThroughOneLease) {
  const std::string dict = TrainedDictionary();
  ASSERT_FALSE(dict.empty());
  std::unique_ptr<DictWindows> windows;
  ASSERT_TRUE(DictWindows::Open(dict, &windows).ok());
  DictWindows::Lease lease = windows->Acquire();
  EXPECT_EQ(lease.owner(), windows.get());
  // Sizes rise past the room a window starts with, and fall again: the
  // window grows (moving the dictionary's copy) and is reused.
  for (size_t size : {1ul, 100ul, 70000ul, 5000ul, 300000ul, 12ul, 1000000ul, 64ul}) {
    const std::string text = Text(size, static_cast<unsigned>(size));
    EXPECT_EQ(Decode(lease, Compress(text, dict), size), text) << size;
  }
}

TEST(DictWindowsTest, LeasesOnManyThreadsDecodeTheirOwnTexts) {
  const std::string dict = TrainedDictionary();
  std::unique_ptr<DictWindows> windows;
  ASSERT_TRUE(DictWindows::Open(dict, &windows).ok());
  std::vector<std::string> texts, frames;
  for (unsigned i = 0; i < 64; ++i) {
    texts.push_back(Text(100 + i * 397, i));
    frames.push_back(Compress(texts.back(), dict));
  }
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        // A lease per text, as ReadTexts takes one per block: windows go
        // back to the pool and come out again on other threads.
        for (size_t i = t; i < texts.size(); i += 4) {
          DictWindows::Lease lease = windows->Acquire();
          if (Decode(lease, frames[i], texts[i].size()) != texts[i]) ++wrong[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << t;
}

TEST(DictWindowsTest, AMalformedDictionaryIsCorruption) {
  std::string dict = TrainedDictionary();
  std::unique_ptr<DictWindows> windows;
  // The magic number announces entropy tables that are not there.
  EXPECT_EQ(DictWindows::Open(dict.substr(0, 12), &windows).code(), Status::Code::kCorruption);
  dict[9] ^= 0x5a;  // inside the tables
  dict[20] ^= 0x5a;
  const Status st = DictWindows::Open(dict, &windows);
  EXPECT_TRUE(st.ok() || st.code() == Status::Code::kCorruption) << st.ToString();
}

// Readers of the same dictionary bytes (segments of one build) share one
// DictWindows, wherever the bytes are; other bytes get their own, a malformed
// dictionary is Corruption (and not kept), and one no longer held by anyone
// is opened afresh.
TEST(DictWindowsTest, SharedWindowsAreOnePerDictionary) {
  const std::string dict = TrainedDictionary();
  const std::string copy = dict;  // the same bytes elsewhere (another segment file)
  std::string other = dict;
  other[other.size() - 1] ^= 1;  // content, not tables: still a dictionary
  std::shared_ptr<const DictWindows> a, b, c;
  ASSERT_TRUE(DictWindows::OpenShared(dict, &a).ok());
  ASSERT_TRUE(DictWindows::OpenShared(copy, &b).ok());
  ASSERT_TRUE(DictWindows::OpenShared(other, &c).ok());
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  std::shared_ptr<const DictWindows> bad;
  EXPECT_EQ(DictWindows::OpenShared(dict.substr(0, 12), &bad).code(), Status::Code::kCorruption);
  EXPECT_EQ(DictWindows::OpenShared(dict.substr(0, 12), &bad).code(), Status::Code::kCorruption);

  // A text decodes alike through either reader's windows.
  const std::string text = Text(5000, 7);
  std::string frame(ZSTD_compressBound(text.size()), '\0');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  const size_t n = ZSTD_compress_usingDict(cctx, frame.data(), frame.size(), text.data(),
                                           text.size(), dict.data(), dict.size(), 3);
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n));
  frame.resize(n);
  RecordText t;
  ASSERT_TRUE(t.Start(frame, b.get(), nullptr, text.size()).ok());
  ASSERT_TRUE(t.Through(text.size()).ok());
  EXPECT_EQ(t.text(), text);

  std::weak_ptr<const DictWindows> gone = c;
  c.reset();
  EXPECT_TRUE(gone.expired());
  ASSERT_TRUE(DictWindows::OpenShared(other, &c).ok());
  EXPECT_NE(c, nullptr);
}

TEST(DictWindowsTest, RecordTextsDecodeThroughWindowsOfSeveralDictionaries) {
  // Two segments' dictionaries, texts alternating between them, read as a
  // page of hits is: partly (through the first block), then whole.
  const std::string dict_a = TrainedDictionary();
  std::string dict_b = dict_a;
  dict_b[dict_b.size() - 1] ^= 1;  // other content bytes: another dictionary
  std::unique_ptr<DictWindows> a, b;
  ASSERT_TRUE(DictWindows::Open(dict_a, &a).ok());
  ASSERT_TRUE(DictWindows::Open(dict_b, &b).ok());
  RecordText t;
  for (unsigned i = 0; i < 30; ++i) {
    const bool on_a = i % 3 != 0;
    const std::string text = Text(1 + i * 1231, i);
    const std::string& dict = on_a ? dict_a : dict_b;
    // The first block ends a third of the way in (StoreBuilder's split).
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_loadDictionary(c, dict.data(), dict.size());
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 6);
    ZSTD_CCtx_setPledgedSrcSize(c, text.size());
    std::string frame(2 * ZSTD_compressBound(text.size()) + 64, '\0');
    ZSTD_outBuffer o{frame.data(), frame.size(), 0};
    ZSTD_inBuffer in{text.data(), text.size() / 3, 0};
    ASSERT_EQ(ZSTD_compressStream2(c, &o, &in, ZSTD_e_flush), 0u);
    in.size = text.size();
    ASSERT_EQ(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0u);
    ZSTD_freeCCtx(c);
    frame.resize(o.pos);
    ASSERT_TRUE(t.Start(frame, on_a ? a.get() : b.get(), nullptr, text.size()).ok());
    ASSERT_TRUE(t.Through(1).ok());
    EXPECT_EQ(t.text().substr(0, t.decoded()), text.substr(0, t.decoded())) << i;
    ASSERT_TRUE(t.Through(text.size()).ok());
    EXPECT_EQ(t.text(), text) << i;
    // The wrong dictionary: corruption (a checksum-less frame may also decode
    // to other bytes), never a crash.
    Status st = t.Start(frame, on_a ? b.get() : a.get(), nullptr, text.size());
    if (st.ok()) st = t.Through(text.size());
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
    }
  }
  t.Assign("plain");
  EXPECT_EQ(t.text(), "plain");
}

}  // namespace
}  // namespace wildchat
