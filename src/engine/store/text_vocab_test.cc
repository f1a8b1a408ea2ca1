#include "engine/store/text_vocab.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace wildchat {
namespace {

// Text in the shapes conversations have: words of several scripts, CJK and
// Thai without spaces, punctuation runs, markdown, code, and runs of spaces.
std::string Natural(std::mt19937& rng, size_t words) {
  static const char* kPieces[] = {
      "the",  "climate", "Python", "return", "über",   "naïve", "данные",   "مرحبا",
      "数据", "函数",    "写",     "。",     "，",     "สวัสดี",  "ที่",        "こんにちは",
      "def",  "x_1",     "42",     "3.14",   "e-mail", "don't", "**bold**", "```",
      "\n",   "\n\n",    "  ",     ", ",     ". ",     "!",     "(a)",      "\t"};
  std::string out;
  for (size_t i = 0; i < words; ++i) {
    out += kPieces[rng() % (sizeof(kPieces) / sizeof(*kPieces))];
    if (rng() % 4 != 0) out += ' ';
  }
  return out;
}

// Bytes from a small alphabet that makes every kind of token boundary:
// word bytes, spaces, punctuation, a CJK character, its bytes alone
// (invalid UTF-8), a stray 0xFF.
std::string Jumble(std::mt19937& rng, size_t n) {
  static const char* kBits[] = {"a",    "b",    " ",    " ", ".", "写",
                                "\xe5", "\x86", "\xff", "é", "_", "\n"};
  std::string out;
  while (out.size() < n) out += kBits[rng() % (sizeof(kBits) / sizeof(*kBits))];
  return out;
}

std::unique_ptr<TextVocab> Trained(const std::vector<std::string>& samples) {
  std::vector<std::string_view> views(samples.begin(), samples.end());
  const std::string serialized = TextVocab::Train(views);
  EXPECT_FALSE(serialized.empty());
  std::unique_ptr<TextVocab> v;
  EXPECT_TRUE(TextVocab::Open(serialized, &v).ok());
  return v;
}

std::vector<std::string> Samples(unsigned seed, int n) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Natural(rng, 20 + rng() % 200));
  return out;
}

// Decodes into a heap buffer of exactly `size` bytes: under the sanitizers
// a write past the text's end is caught (a std::string has spare capacity).
std::string Decoded(const TextVocab& v, std::string_view codes, size_t size) {
  std::unique_ptr<char[]> out(new char[size]);
  const Status st = v.DecodeAll(codes, out.get(), size);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::string(out.get(), size);
}

TEST(TextVocabTest, AnyBytesRoundTrip) {
  const auto v = Trained(Samples(1, 300));
  ASSERT_TRUE(v);
  std::mt19937 rng(2);
  std::vector<std::string> texts = {"",
                                    " ",
                                    "  ",
                                    "a",
                                    " a",
                                    "a ",
                                    "a b",
                                    "a  b",
                                    "a b ",
                                    " a b",
                                    "写 a",
                                    "a 写",
                                    "写写",
                                    "\xff",
                                    "a\xff b",
                                    std::string(300, 'x'),
                                    std::string(5000, ' '),
                                    std::string("a\0b", 3)};
  for (int i = 0; i < 300; ++i) texts.push_back(Natural(rng, rng() % 300));
  for (int i = 0; i < 2000; ++i) texts.push_back(Jumble(rng, rng() % 60));
  for (const std::string& t : texts) {
    std::string codes;
    std::vector<uint64_t> breaks;
    v->Encode(t, {}, &codes, &breaks);
    EXPECT_TRUE(breaks.empty());
    EXPECT_LE(codes.size(), TextVocab::MaxCodedBytes(t.size()));
    EXPECT_EQ(Decoded(*v, codes, t.size()), t);
  }
}

// Decoding the codes through a coded break gives the text through its break
// exactly, wherever the break falls: inside a word, between two words, in a
// run of spaces, inside a UTF-8 character.
TEST(TextVocabTest, CodedBreaksDecodeToTheirTextBreaksExactly) {
  const auto v = Trained(Samples(3, 300));
  std::mt19937 rng(4);
  for (int i = 0; i < 1500; ++i) {
    const std::string t = i % 2 ? Natural(rng, 1 + rng() % 80) : Jumble(rng, 1 + rng() % 80);
    std::vector<uint64_t> breaks;
    for (int k = 0; k < 4; ++k) breaks.push_back(rng() % (t.size() + 1));
    std::sort(breaks.begin(), breaks.end());
    breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
    std::vector<uint64_t> inside;  // the breaks strictly inside the text
    for (const uint64_t b : breaks) {
      if (b > 0 && b < t.size()) inside.push_back(b);
    }
    std::string codes = "prefix";  // offsets count from where Encode started
    std::vector<uint64_t> coded;
    v->Encode(t, breaks, &codes, &coded);
    codes.erase(0, 6);
    ASSERT_EQ(coded.size(), inside.size()) << t;
    EXPECT_EQ(Decoded(*v, codes, t.size()), t);
    for (size_t k = 0; k < coded.size(); ++k) {
      ASSERT_LT(coded[k], codes.size());
      std::string out(t.size(), '\0');
      TextVocab::Decoder d(*v, out.data(), out.size());
      size_t used = 0;
      ASSERT_TRUE(d.Feed(std::string_view(codes).substr(0, coded[k]), &used).ok());
      EXPECT_EQ(used, coded[k]);
      EXPECT_EQ(out.substr(0, d.written()), t.substr(0, inside[k])) << t;
    }
  }
}

// Codes fed a byte at a time (a token cut anywhere waits for the rest) decode
// to the same text.
TEST(TextVocabTest, CodesCutAnywhereDecodeTheSame) {
  const auto v = Trained(Samples(5, 300));
  std::mt19937 rng(6);
  for (int i = 0; i < 200; ++i) {
    std::string t = Natural(rng, 1 + rng() % 100);
    t += std::string(70 + rng() % 200, 'q');  // a word too long for the vocabulary
    std::string codes;
    std::vector<uint64_t> none;
    v->Encode(t, {}, &codes, &none);
    std::string out(t.size(), '\0');
    TextVocab::Decoder d(*v, out.data(), out.size());
    size_t from = 0;
    for (size_t to = 1; to <= codes.size(); ++to) {
      size_t used = 0;
      ASSERT_TRUE(d.Feed(std::string_view(codes).substr(from, to - from), &used).ok());
      from += used;
    }
    EXPECT_EQ(from, codes.size());
    EXPECT_EQ(d.written(), t.size());
    EXPECT_EQ(out, t);
  }
}

// The point of the code: frequent tokens take a byte, and natural text
// takes well under half its bytes before zstd.
TEST(TextVocabTest, FrequentTokensTakeOneByte) {
  const std::vector<std::string> samples = Samples(7, 400);
  const auto v = Trained(samples);
  std::string codes;
  std::vector<uint64_t> none;
  v->Encode("the the the the", {}, &codes, &none);
  EXPECT_EQ(codes.size(), 4u);  // the spaces between words are not coded
  size_t text = 0, coded = 0;
  for (const std::string& s : Samples(8, 100)) {
    codes.clear();
    v->Encode(s, {}, &codes, &none);
    text += s.size();
    coded += codes.size();
  }
  EXPECT_LT(coded * 2, text);
}

TEST(TextVocabTest, TrainingIsDeterministicAndNeedsSamples) {
  const std::vector<std::string> samples = Samples(9, 50);
  std::vector<std::string_view> views(samples.begin(), samples.end());
  EXPECT_EQ(TextVocab::Train(views), TextVocab::Train(views));
  views.resize(7);
  EXPECT_TRUE(TextVocab::Train(views).empty());
  EXPECT_TRUE(TextVocab::Train({"", "", "", "", "", "", "", "", ""}).empty());
}

TEST(TextVocabTest, DamagedCodesAreCorruptionNeverOverruns) {
  const auto v = Trained(Samples(10, 300));
  std::mt19937 rng(11);
  EXPECT_EQ(v->DecodeAll(std::string("\x7f\x7f\x7f\x80", 4), nullptr, 0).code(),
            Status::Code::kCorruption);  // a code of four bytes
  const std::string beyond = [&] {       // the first code past the vocabulary
    std::string c;
    const size_t n = v->size() + 1;
    if (n < 128) return std::string(1, static_cast<char>(0x80 | n));
    c.push_back(static_cast<char>((n - 128) / 128));
    c.push_back(static_cast<char>(0x80 | ((n - 128) % 128)));
    return c;
  }();
  char room[64];
  EXPECT_EQ(v->DecodeAll(beyond, room, sizeof(room)).code(), Status::Code::kCorruption);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string t = Natural(rng, 1 + rng() % 60);
    std::string codes;
    std::vector<uint64_t> none;
    v->Encode(t, {}, &codes, &none);
    size_t size = t.size();
    switch (i % 4) {
      case 0:
        codes[rng() % codes.size()] = static_cast<char>(rng());
        break;
      case 1:
        codes.resize(rng() % codes.size());
        break;
      case 2:
        size = rng() % (2 * size + 1);
        break;
      default:
        codes += codes.substr(0, 1 + rng() % codes.size());
        break;
    }
    // Exactly `size` bytes of room: a sanitizer would catch a write past it.
    std::unique_ptr<char[]> out(new char[size]);
    const Status st = v->DecodeAll(codes, out.get(), size);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1500);
}

TEST(TextVocabTest, DamagedVocabulariesAreCorruption) {
  const std::vector<std::string> samples = Samples(12, 100);
  std::vector<std::string_view> views(samples.begin(), samples.end());
  const std::string good = TextVocab::Train(views);
  std::unique_ptr<TextVocab> v;
  EXPECT_EQ(TextVocab::Open("", &v).code(), Status::Code::kCorruption);
  EXPECT_EQ(TextVocab::Open(good.substr(0, good.size() / 2), &v).code(), Status::Code::kCorruption);
  std::mt19937 rng(13);
  for (int i = 0; i < 500; ++i) {
    std::string bad = good;
    bad[rng() % bad.size()] = static_cast<char>(rng());
    const Status st = TextVocab::Open(bad, &v);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
}

}  // namespace
}  // namespace wildchat
