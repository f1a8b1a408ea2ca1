#include "engine/snippet/snippet.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/query/query_parser.h"

namespace wildchat {
namespace {

// Snippets found by tokenizing only around the possible matches of a long
// utterance must be the snippets of tokenizing it whole: for random texts
// with decoys (the query's words inside longer words, in other cases, split
// by punctuation), matches near the windows' edges, runs without spaces,
// non-ASCII words, and queries of words, prefixes and phrases.
TEST(SnippetTest, WindowedMatchingGivesTheSnippetsOfWholeUtterances) {
  const std::vector<std::string> words = {
      "python", "Python", "cpython", "pythonic", "write",   "WRITE",   "rewrite",
      "a",      "story",  "stories", "code",     "decode",  "the",     "x",
      "über",   "naïve",  "函数",    "написать", "py-thon", "write,a", "a.story"};
  const std::vector<std::string> queries = {
      "python",       "write",       "\"write a\"",  "\"a story\"", "story*",
      "pyth*",        "code",        "python write", "über",        "\"write a story\"",
      "user:(write)", "über python", "函数 code"};
  std::mt19937 rng(3);
  int compared = 0, with_marks = 0;
  for (int round = 0; round < 400; ++round) {
    Conversation c;
    const int utts = 1 + static_cast<int>(rng() % 3);
    for (int u = 0; u < utts; ++u) {
      Utterance utt;
      utt.role = u % 2 ? "assistant" : "user";
      const int n = static_cast<int>(rng() % (round % 4 == 0 ? 2000 : 300));
      for (int k = 0; k < n; ++k) {
        const uint32_t r = rng() % 100;
        if (r < 3) {
          utt.content += std::string(50 + rng() % 400, 'z');  // no space for a while
        } else if (r < 6) {
          utt.content += "\n";
        } else {
          utt.content += words[rng() % words.size()];
        }
        utt.content += rng() % 5 ? " " : "";
      }
      c.conversation.push_back(utt);
    }
    for (const std::string& q : queries) {
      std::unique_ptr<QueryNode> root;
      ASSERT_TRUE(ParseQuery(q, &root).ok()) << q;
      std::vector<const QueryNode*> terms;
      CollectPositiveTerms(*root, &terms);
      const std::vector<Snippet> got = MakeSnippets(c, terms);
      const std::vector<Snippet> want = MakeSnippets(c, terms, 3, /*whole_utterances=*/true);
      ASSERT_EQ(got.size(), want.size()) << q << " round " << round;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].turn, want[i].turn) << q << " round " << round;
        EXPECT_EQ(got[i].text, want[i].text) << q << " round " << round;
        with_marks += want[i].text.find("<mark>") != std::string::npos ? 1 : 0;
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 400 * static_cast<int>(queries.size()));
  EXPECT_GT(with_marks, 1000);
}

// Escaping, against a character-by-character reference: nothing of the text
// can open a tag, an attribute or an entity.
// Found by snippet_fuzz when the windows were made shorter: one-letter
// matches between long runs of a separator that is whitespace to the window
// search ('\r') and others that are not (control characters). The windowed
// search must still give what whole tokenization gives.
TEST(SnippetTest, WindowsOverSeparatorRunsGiveTheWholeUtterancesSnippets) {
  const std::string text = std::string(
                               "g\ng\f\f\fggg\x02"
                               "g&") +
                           std::string(34, '\r') +
                           "\ng\x04"
                           "gg\x1a"
                           "g\n\ng\x04"
                           "g\x04\x04\x04\x04"
                           "g&" +
                           std::string(66, '\r') + "\ng\x04" + std::string(60, '\r') + "\ng\x04" +
                           std::string(32, '\r') + "\ng\x04" + std::string(6, '\r') + "\ng\x04" +
                           std::string(60, '\r') + "\ng";
  std::unique_ptr<QueryNode> root;
  ASSERT_TRUE(ParseQuery("g&g", &root).ok());
  std::vector<const QueryNode*> terms;
  CollectPositiveTerms(*root, &terms);
  const std::vector<UtteranceText> utterances = {{"user", text}};
  const std::vector<Snippet> got = MakeSnippets(utterances, terms);
  const std::vector<Snippet> want = MakeSnippets(utterances, terms, 3, /*whole_utterances=*/true);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].turn, want[i].turn);
    EXPECT_EQ(got[i].text, want[i].text);
  }
  EXPECT_NE(want.at(0).text.find("<mark>"), std::string::npos);  // something matched
}

TEST(SnippetTest, HtmlEscapingReplacesEachSpecialCharacter) {
  const std::string alphabet[] = {"a", " ", "&", "<", ">", "\"", "'", "é", "数", "\n", "&amp;"};
  std::mt19937 rng(8);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    for (uint32_t k = 0, n = rng() % 30; k < n; ++k) text += alphabet[rng() % 11];
    std::string want;
    for (char ch : text) {
      if (ch == '&') {
        want += "&amp;";
      } else if (ch == '<') {
        want += "&lt;";
      } else if (ch == '>') {
        want += "&gt;";
      } else if (ch == '"') {
        want += "&quot;";
      } else if (ch == '\'') {
        want += "&#39;";
      } else {
        want += ch;
      }
    }
    std::string got = "kept:";
    AppendHtmlEscaped(&got, text);
    EXPECT_EQ(got, "kept:" + want) << text;
  }
}

// Snippets of utterances made ready one at a time (as a hit's text is
// decompressed on demand) are the snippets of all utterances at once: an
// utterance is announced before it is read, so ones never announced may hold
// anything. Queries whose terms match late, or nowhere, read further.
TEST(SnippetTest, UtterancesReadOnDemandGiveTheSameSnippets) {
  const std::vector<std::string> words = {"python", "write", "a", "story", "code", "the", "函数"};
  const std::vector<std::string> queries = {"python",          "\"a story\"", "first:(code)",
                                            "assistant:(the)", "nothing",     "wri*",
                                            "model:x",         "/st.ry/",     "函数 code"};
  std::mt19937 rng(5);
  int read_fewer = 0;
  for (int round = 0; round < 300; ++round) {
    Conversation c;
    const int utts = 1 + static_cast<int>(rng() % 6);
    for (int u = 0; u < utts; ++u) {
      Utterance utt;
      utt.role = u == 0 && round % 3 == 0 ? "system" : (u % 2 ? "assistant" : "user");
      for (uint32_t k = 0, n = rng() % 40; k < n; ++k) {
        utt.content += words[rng() % words.size()] + " ";
      }
      c.conversation.push_back(utt);
    }
    const std::vector<UtteranceText> all = UtteranceTextsOf(c);
    for (const std::string& q : queries) {
      std::unique_ptr<QueryNode> root;
      ASSERT_TRUE(ParseQuery(q, &root).ok()) << q;
      std::vector<const QueryNode*> terms;
      CollectPositiveTerms(*root, &terms);
      std::vector<UtteranceText> lazy = all;
      for (UtteranceText& u : lazy) u.content = "python a story code the 函数 zzz";  // not yet read
      std::vector<bool> ready(all.size(), false);
      const std::vector<Snippet> got = MakeSnippets(lazy, terms, 3, false, [&](size_t u) {
        ASSERT_LT(u, all.size());
        ready[u] = true;
        lazy[u].content = all[u].content;
      });
      const std::vector<Snippet> want = MakeSnippets(all, terms);
      ASSERT_EQ(got.size(), want.size()) << q << " round " << round;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].turn, want[i].turn) << q << " round " << round;
        EXPECT_EQ(got[i].text, want[i].text) << q << " round " << round;
      }
      read_fewer += !ready.back() ? 1 : 0;
    }
  }
  EXPECT_GT(read_fewer, 500);  // many snippets came from the first utterances alone
}

}  // namespace
}  // namespace wildchat
