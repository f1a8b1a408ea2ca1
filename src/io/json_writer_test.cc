#include "io/json_writer.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "io/python_oracle.h"

namespace wildchat {
namespace {

std::string Quote(std::string_view s, bool ensure_ascii) {
  std::string out;
  AppendJsonString(&out, s, ensure_ascii);
  return out;
}

std::string Hex(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += kHex[c >> 4];
    h += kHex[c & 15];
  }
  return h;
}

// Random valid UTF-8 strings mixing scripts, controls, DEL, emoji.
std::vector<std::string> MultilingualSamples() {
  std::vector<std::string> v = {
      "",
      "plain ascii",
      "quote \" backslash \\ slash /",
      "\n\r\t\b\f\x01\x1f\x7f",
      "Привет, мир",
      "你好，世界",
      "こんにちは",
      "안녕하세요",
      "مرحبا بالعالم",
      "emoji 😀 and 𝄞 music",
      "Tiếng Việt có dấu",
      "\xE2\x80\xA8 line separator \xE2\x80\xA9",
      "\xEF\xBB\xBF BOM",
  };
  std::mt19937 rng(42);
  const uint32_t ranges[][2] = {
      {0x00, 0x7F}, {0x80, 0x7FF}, {0x800, 0xD7FF}, {0xE000, 0xFFFF}, {0x10000, 0x10FFFF}};
  for (int n = 0; n < 300; ++n) {
    std::string s;
    int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) {
      const auto& r = ranges[rng() % 5];
      uint32_t cp = r[0] + rng() % (r[1] - r[0] + 1);
      if (cp < 0x80) {
        s += static_cast<char>(cp);
      } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    v.push_back(s);
  }
  return v;
}

TEST(JsonStringTest, EnsureAsciiMatchesPythonJsonDumps) {
  auto samples = MultilingualSamples();
  std::string input;
  for (const auto& s : samples) input += Hex(s) + "\n";
  const std::string script =
      "import json,sys\n"
      "for line in open(sys.argv[1]):\n"
      "    print(json.dumps(bytes.fromhex(line.strip()).decode('utf-8')))\n";
  std::istringstream expected(RunPythonOracle(script, input));
  for (const auto& s : samples) {
    std::string line;
    ASSERT_TRUE(std::getline(expected, line)) << "python produced too few lines";
    EXPECT_EQ(Quote(s, true), line) << "input hex " << Hex(s);
  }
}

TEST(JsonStringTest, Utf8ModeIsValidJsonReadingBackToTheSameText) {
  auto samples = MultilingualSamples();
  std::string input;
  for (const auto& s : samples) input += Quote(s, false) + "\n";
  // Python decodes our output and re-encodes the text as hex for comparison.
  const std::string script =
      "import json,sys\n"
      "for line in open(sys.argv[1], encoding='utf-8', newline='\\n'):\n"
      "    print(json.loads(line).encode('utf-8').hex())\n";
  std::istringstream got(RunPythonOracle(script, input));
  for (const auto& s : samples) {
    std::string line;
    ASSERT_TRUE(std::getline(got, line));
    EXPECT_EQ(line, Hex(s));
  }
  // Only required escapes: non-ASCII stays raw.
  EXPECT_EQ(Quote("é\x7f\n", false), "\"é\x7f\\n\"");
}

TEST(JsonStringTest, InvalidUtf8BecomesReplacementCharacterPerByte) {
  EXPECT_EQ(Quote("a\xFF"
                  "b",
                  true),
            "\"a\\ufffdb\"");
  EXPECT_EQ(Quote("a\xFF"
                  "b",
                  false),
            "\"a\xEF\xBF\xBD"
            "b\"");
  // Truncated 3-byte sequence: two bad bytes, two replacements.
  EXPECT_EQ(Quote("\xE2\x82", true), "\"\\ufffd\\ufffd\"");
  // Encoded surrogate (CESU) and overlong '/' are rejected too.
  EXPECT_EQ(Quote("\xED\xA0\x80", true), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(Quote("\xC0\xAF", true), "\"\\ufffd\\ufffd\"");
}

TEST(JsonDoubleTest, ShortestRoundTripAndNullForNonFinite) {
  auto d = [](double v) {
    std::string s;
    AppendJsonDouble(&s, v);
    return s;
  };
  EXPECT_EQ(d(0.1), "0.1");
  EXPECT_EQ(d(1.0), "1.0");
  EXPECT_EQ(d(-0.0), "-0.0");
  EXPECT_EQ(d(1e-7), "1e-07");
  EXPECT_EQ(d(std::nan("")), "null");
  EXPECT_EQ(d(1.0 / 0.0), "null");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    double v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 150);
    std::string s = d(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

TEST(JsonWriterTest, PlacesCommasAndNests) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").Int(-3).Key("b").BeginArray().UInt(1).Bool(true).Null().Double(0.5);
  w.BeginObject().EndObject().BeginArray().EndArray().EndArray();
  w.Key("c").String("x\"y").Key("d").Raw("{\"k\":1}").EndObject();
  EXPECT_EQ(out, R"({"a":-3,"b":[1,true,null,0.5,{},[]],"c":"x\"y","d":{"k":1}})");
  std::string out2;
  JsonWriter w2(&out2);
  w2.set_ensure_ascii(true);
  w2.BeginArray().String("é").String("ü").EndArray();
  EXPECT_EQ(out2, "[\"\\u00e9\",\"\\u00fc\"]");
}

}  // namespace
}  // namespace wildchat
