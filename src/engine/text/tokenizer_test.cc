#include "engine/text/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wildchat {
namespace {

std::vector<std::string> Toks(std::string_view s) {
  std::vector<std::string> out;
  Tokenize(s, [&](const Token& t) { out.emplace_back(t.folded); });
  return out;
}

TEST(TokenizerTest, SplitsOnPunctuationAndFoldsCase) {
  EXPECT_EQ(Toks("Hello, World! e-mail 3.14"),
            (std::vector<std::string>{"hello", "world", "e", "mail", "3", "14"}));
}

TEST(TokenizerTest, HanKanaThaiAreSingleCharacterTokens) {
  EXPECT_EQ(Toks("北京大学"), (std::vector<std::string>{"北", "京", "大", "学"}));
  EXPECT_EQ(Toks("ひらがなabc"), (std::vector<std::string>{"ひ", "ら", "が", "な", "abc"}));
  EXPECT_EQ(Toks("สวัสดี"), (std::vector<std::string>{"ส", "ว", "ั", "ส", "ด", "ี"}));
}

TEST(TokenizerTest, UnicodeLettersAndCaseFolding) {
  EXPECT_EQ(Toks("ПРИВЕТ мир"), (std::vector<std::string>{"привет", "мир"}));
  EXPECT_EQ(Toks("Straße ΣΟΦΙΑ"), (std::vector<std::string>{"straße", "σοφια"}));
  EXPECT_EQ(Toks("café́"), (std::vector<std::string>{"café́"}));
}

TEST(TokenizerTest, EmojiAndSymbolsSeparate) {
  EXPECT_EQ(Toks("hi😀there $5"), (std::vector<std::string>{"hi", "there", "5"}));
  EXPECT_TRUE(Toks("!!! ... ---").empty());
}

TEST(TokenizerTest, ByteSpansPointAtOriginalText) {
  const std::string s = "Ab 北x";
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  Tokenize(s, [&](const Token& t) { spans.emplace_back(t.begin, t.end); });
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(s.substr(spans[0].first, spans[0].second - spans[0].first), "Ab");
  EXPECT_EQ(s.substr(spans[1].first, spans[1].second - spans[1].first), "北");
  EXPECT_EQ(s.substr(spans[2].first, spans[2].second - spans[2].first), "x");
}

TEST(TokenizerTest, MalformedUtf8SeparatesWithoutCrashing) {
  EXPECT_EQ(Toks(std::string("ab\xff\xfe"
                             "cd\xc3")),
            (std::vector<std::string>{"ab", "cd"}));
}

}  // namespace
}  // namespace wildchat
