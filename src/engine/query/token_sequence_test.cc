// The token-sequence reader against hand-written expectations: which items
// make elements and separators, how elements are anchored, where a sequence
// ends, what is refused; and the term matchers built from elements. Whether
// narrowing by sequences keeps every match is checked against brute force in
// regex_prefilter_test.cc.
#include "engine/query/token_sequence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wildchat {
namespace {

std::string Describe(const std::vector<TokenSequence>& seqs) {
  std::string out;
  for (const TokenSequence& seq : seqs) {
    out += "[";
    for (size_t i = 0; i < seq.elements.size(); ++i) {
      const TokenSequence::Element& e = seq.elements[i];
      if (i > 0) out.push_back(' ');
      if (e.anchored_start) out.push_back('^');
      out.append(e.regex);
      if (e.anchored_end) out.push_back('$');
    }
    out += "]";
  }
  return out;
}

TEST(TokenSequenceTest, ElementsRunBetweenSeparators) {
  const std::pair<const char*, const char*> cases[] = {
      {"(?i)Straddles[a-z]*\\s+your", "[straddles[a-z]*$ ^your]"},
      {"a1 +b[A-Za-z]*\\s\\s+c", "[a1$ ^b[a-z]*$ ^c]"},
      {"[0-9]{4}-[0-9]{2}-[0-9]{2}", "[[0-9]{4}$ ^[0-9]{2}$ ^[0-9]{2}]"},
      {"sk-[A-Za-z0-9]{20,}", "[sk$ ^[0-9a-z]{20,}]"},
      {"\\d+\\.\\d{1,3}?", "[[0-9]+$ ^[0-9]{1,3}]"},
      {"https?:\\/\\/[^ ]+", "[https?$]"},
      {"def [a-z_]+\\(", "[def$]"},
      {"a.b", "[a][b]"},
      {"(ab)cd", "[cd]"},
      {"x(?i)Y", "[xy]"},
      {"a-[b]*-c", "[a$][^c]"},
      {"a-?b", "[a][b]"},
      {"a*-b", "[^b]"},
      {"^\\bword\\b$", "[word]"},
      {"\xC3\xA9-ab", "[^ab]"},
      {"a\\w+ b", "[a][^b]"},
      {"[^a-z]+ b", "[^b]"},
      {"(?i)[K]ey-\\d{2,}", "[[k]ey$ ^[0-9]{2,}]"},
      {"a\\tb", "[a$ ^b]"},
      {"[-_.]+", ""},
      {"[a-z_]x", "[x]"},
      {"(a|b)c|d", ""},
      {"[[:alpha:]]+ x", ""},
      {"\\pL+ x", ""},
      {"a\\x41b", ""},
      {"a{2", ""},
      {"[]a] b", ""},
      {"(a b", ""},
  };
  for (const auto& [pattern, want] : cases) {
    EXPECT_EQ(Describe(ParseTokenSequences(pattern)), want) << pattern;
  }
}

TEST(TokenSequenceTest, ElementsFitTermsByTheirAnchors) {
  const std::vector<TokenSequence> seqs = ParseTokenSequences("[0-9]{4}-[0-9]{2}-[0-9]{2}x?");
  ASSERT_EQ(seqs.size(), 1u);
  ASSERT_EQ(seqs[0].elements.size(), 3u);
  const ElementMatcher first(seqs[0].elements[0]), middle(seqs[0].elements[1]),
      last(seqs[0].elements[2]);
  ASSERT_TRUE(first.ok() && middle.ok() && last.ok());
  for (const char* t : {"2023", "x2023", "12023"}) EXPECT_TRUE(first.Fits(t)) << t;
  for (const char* t : {"2023x", "202", "20x23"}) EXPECT_FALSE(first.Fits(t)) << t;
  EXPECT_TRUE(middle.Fits("05"));
  for (const char* t : {"5", "055", "a05", "05a"}) EXPECT_FALSE(middle.Fits(t)) << t;
  for (const char* t : {"01", "01x", "011"}) EXPECT_TRUE(last.Fits(t)) << t;
  for (const char* t : {"x01", "1"}) EXPECT_FALSE(last.Fits(t)) << t;
  // A literal prefix and inner literal are only shortcuts: the same answers.
  const std::vector<TokenSequence> word = ParseTokenSequences("-keys?[0-9]+ab");
  ASSERT_EQ(word.size(), 1u);
  const ElementMatcher key(word[0].elements[0]);
  EXPECT_EQ(word[0].elements[0].prefix, "key");
  for (const char* t : {"key1ab", "keys22abc"}) EXPECT_TRUE(key.Fits(t)) << t;
  for (const char* t : {"xkey1ab", "keyab", "key1a", "kes1ab"}) EXPECT_FALSE(key.Fits(t)) << t;
  // First and last characters, optional items included.
  const std::vector<TokenSequence> ends = ParseTokenSequences("-[a-c]?[0-9]x?-");
  ASSERT_EQ(ends.size(), 1u);
  const ElementMatcher both(ends[0].elements[0]);
  for (const char* t : {"b5x", "5", "a0", "9x"}) EXPECT_TRUE(both.Fits(t)) << t;
  for (const char* t : {"x5", "b5y", "d5", "5xx", "",
                        "\xC3\xA9"
                        "5"})
    EXPECT_FALSE(both.Fits(t)) << t;
}

}  // namespace
}  // namespace wildchat
