// The regex prefilter against brute force: on a seeded multilingual corpus
// indexed in several segments, the candidates of every regex must include
// every conversation where RE2 finds a match, and selective regexes must
// actually narrow the candidates. Also the two Unicode facts soundness rests
// on, over every code point, and the atom splitting rules.
#include "engine/query/regex_prefilter.h"

#include <gtest/gtest.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "engine/index_builder.h"
#include "engine/segment/manifest.h"
#include "engine/testing/query_generator.h"
#include "engine/testing/test_corpus.h"
#include "engine/text/tokenizer.h"

namespace wildchat {
namespace {

std::string Utf8(int32_t c) {
  std::string s;
  if (c < 0x80) {
    s.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (c >> 6)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (c >> 12)));
    s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (c >> 18)));
    s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return s;
}

int TokenClass(int32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return text_internal::ClassifyCodePoint(c);
}

TEST(RegexPrefilterUnicode, FoldingKeepsTokenClassAndIsIdempotent) {
  for (int32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const int32_t f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    ASSERT_EQ(TokenClass(c), TokenClass(f)) << "U+" << std::hex << c;
    ASSERT_EQ(u_foldCase(f, U_FOLD_CASE_DEFAULT), f) << "U+" << std::hex << c;
  }
}

// Token sequences (token_sequence.h) rewrite letter/digit items as ASCII
// regexes over folded terms. Sound because every code point that RE2 matches
// with a case-insensitive ASCII letter or digit class folds, as the tokenizer
// folds, to an ASCII letter or digit that the same class matches (KELVIN SIGN
// to k, LONG S to s), and every ASCII character that is not a letter or digit
// separates tokens.
TEST(RegexPrefilterUnicode, AsciiClassMatchesFoldToAscii) {
  const RE2 any("(?i)[a-z0-9]");
  int non_ascii = 0;
  for (int32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string text = Utf8(c);
    if (!RE2::FullMatch(text, any)) continue;
    const std::string folded = FoldText(text);
    ASSERT_EQ(folded.size(), 1u) << "U+" << std::hex << c;
    ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(folded[0])) &&
                !std::isupper(static_cast<unsigned char>(folded[0])))
        << "U+" << std::hex << c;
    ASSERT_TRUE(RE2::FullMatch(text, RE2("(?i)" + folded))) << "U+" << std::hex << c;
    non_ascii += c >= 0x80;
  }
  EXPECT_EQ(non_ascii, 2);  // U+017F, U+212A
  for (int c = 0; c < 0x80; ++c) {
    bool splits = false;
    Tokenize("a" + std::string(1, static_cast<char>(c)) + "b",
             [&](const Token& t) { splits = splits || t.end == 1; });
    EXPECT_EQ(splits, !std::isalnum(c)) << c;
  }
}

// Every atom RE2 derives from a one-character literal, plain or (?i), is the
// tokenizer's folding of that character.
TEST(RegexPrefilterUnicode, Re2AtomsAreTheTokenizerFolding) {
  int checked = 0;
  for (int32_t c = 0x41; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    if (c >= 0x80 && !u_hasBinaryProperty(c, UCHAR_CASED) &&
        !u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_CASEFOLDED) &&
        !u_hasBinaryProperty(c, UCHAR_CASE_IGNORABLE)) {
      continue;
    }
    if (c < 0x80 && !std::isalnum(c)) continue;
    char hex[32];
    std::snprintf(hex, sizeof hex, "\\x{%x}", static_cast<unsigned>(c));
    const std::string folded = FoldText(Utf8(c));
    for (const std::string& pattern : {std::string(hex), "(?i)" + std::string(hex)}) {
      re2::FilteredRE2 filter(1);
      int id;
      RE2::Options opts;
      opts.set_log_errors(false);
      ASSERT_EQ(filter.Add(pattern, opts, &id), RE2::NoError) << pattern;
      std::vector<std::string> atoms;
      filter.Compile(&atoms);
      for (const std::string& a : atoms) ASSERT_EQ(a, folded) << pattern;
      ++checked;
    }
  }
  EXPECT_GT(checked, 4000);
}

std::string Describe(const std::vector<AtomPiece>& pieces) {
  std::string s;
  for (const AtomPiece& p : pieces) {
    static const char* kNames[] = {"exact", "prefix", "suffix", "infix"};
    s += "[" + p.text + " " + kNames[static_cast<int>(p.anchor)] + "]";
  }
  return s;
}

TEST(RegexPrefilterSplit, AnchorsFollowTokenBoundaries) {
  const std::pair<const char*, const char*> cases[] = {
      {"hello", "[hello infix]"},
      {"hello world", "[hello suffix][world prefix]"},
      {"as an ai model", "[as suffix][an exact][ai exact][model prefix]"},
      {"sk-", "[sk suffix]"},
      {"://www.", "[www exact]"},
      {"-x-", "[x exact]"},
      {"://", ""},
      {"北京", "[北 exact][京 exact]"},
      {"abc北de", "[abc suffix][北 exact][de prefix]"},
      {"straße", "[straße infix]"},
      {"привет, мир", "[привет suffix][мир prefix]"},
      {"c++", "[c suffix]"},
  };
  for (const auto& [atom, want] : cases) EXPECT_EQ(Describe(SplitAtom(atom)), want) << atom;
}

class RegexPrefilterCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    records_ = new std::vector<Conversation>(reference::MakeTestCorpus(2400, 77));
    // Texts at the edges of token-sequence narrowing (token_sequence.h): tabs,
    // newlines and double spaces, separators that are not \s (NBSP, '-',
    // '_', ','), words inside longer words, digits and non-ASCII letters next
    // to the words, KELVIN SIGN and LONG S (which (?i) ASCII letters match).
    const char* edges[] = {"zqwithin the house",
                           "zqin\tthe zqin\n\nthe",
                           "zqin  the",
                           "zqin\xC2\xA0the",
                           "x_zqin the",
                           "zqin2 the",
                           "ZQIN THE",
                           "zq\xE2\x84\xAA"
                           "elvin the",
                           "zq\xC5\xBFtraddles your",
                           "unzqstraddlesome your",
                           "zqstraddles-your",
                           "zqstraddles, your",
                           "\xE4\xB8\xADzqstraddles your",
                           "zqcaf\xC3\xA9 the",
                           "the zqcat\tsat down",
                           "zqcat sat",
                           "zqin theory",
                           "zqin_the",
                           "zqkey sk-ZQabcdefghijklmnopqrstuvwx123 end",
                           "on 2023-05-01 at",
                           "x2023-05-011",
                           "2023\xE2\x80\x93"
                           "05\xE2\x80\x93"
                           "01",
                           "2023 - 05 - 01",
                           "2023-5-01",
                           "1999-12-31T23:59",
                           "ab2023-05-01cd",
                           "2023_05_01",
                           "2023--05--01",
                           "v1.22.333",
                           "zq\xE2\x84\xAA"
                           "ey-12",
                           "\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA3-05-01",
                           "ZQUPPERCASEWORD here"};
    for (size_t i = 0; i < std::size(edges); ++i) {
      Conversation c;
      Utterance u;
      u.role = i % 2 ? "assistant" : "user";
      u.content = edges[i];
      u.turn_identifier = 900000000 + static_cast<int64_t>(i);
      c.conversation.push_back(u);
      c.conversation_hash = "edge" + std::to_string(i);
      records_->insert(records_->begin() + static_cast<ptrdiff_t>(100 + 61 * i), c);
    }
    dir_ = new std::string(::testing::TempDir() + "/regex_prefilter_" + std::to_string(getpid()));
    std::filesystem::remove_all(*dir_);
    IndexBuildOptions options;
    IndexBuildStats stats;
    // Appends give several segments, so global doc numbers are offset.
    const size_t cuts[] = {0, 500, 1700, records_->size()};
    for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
      std::vector<Conversation> chunk(records_->begin() + static_cast<ptrdiff_t>(cuts[i]),
                                      records_->begin() + static_cast<ptrdiff_t>(cuts[i + 1]));
      options.append = i > 0;
      const Status st = BuildIndexFromRecords(*dir_, chunk, options, &stats);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    set_ = new SegmentSet;
    std::vector<ManifestEntry> entries;
    const Status st = ReadManifest(*dir_, &entries);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(entries.size(), 3u);
    for (const ManifestEntry& e : entries) {
      std::unique_ptr<Segment> s;
      const Status st = Segment::Open(*dir_ + "/" + e.file, &s);
      ASSERT_TRUE(st.ok()) << st.ToString();
      set_->bases.push_back(set_->num_docs);
      set_->num_docs += s->num_docs();
      set_->segments.push_back(std::move(s));
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete set_;
    delete dir_;
    delete records_;
  }

  // Docs (in index order = record order) where re matches some utterance.
  static Bitset Truth(const RE2& re) {
    Bitset b(static_cast<uint32_t>(records_->size()));
    for (size_t d = 0; d < records_->size(); ++d) {
      for (const Utterance& u : (*records_)[d].conversation) {
        if (RE2::PartialMatch(u.content, re)) {
          b.Set(static_cast<uint32_t>(d));
          break;
        }
      }
    }
    return b;
  }

  // Checks the superset property; returns the candidates.
  static Bitset Check(const std::string& pattern, RegexPrefilterStats* stats) {
    RE2::Options opts;
    opts.set_log_errors(false);
    RE2 re(pattern, opts);
    EXPECT_TRUE(re.ok()) << pattern;
    Bitset cand;
    RegexPrefilterOptions options;
    options.token_sequence.min_candidates = 0;  // narrow even the edge texts' few candidates
    std::vector<uint32_t> earliest;
    RegexCandidates(*set_, re, options, &cand, stats, &earliest);
    EXPECT_EQ(cand.size(), set_->num_docs);
    EXPECT_EQ(cand.Count(), stats->candidates);
    EXPECT_EQ(earliest.size(), set_->num_docs);
    if (earliest.size() != set_->num_docs) return cand;
    const Bitset truth = Truth(re);
    uint64_t missed = 0;
    truth.ForEach([&](uint32_t d) { missed += cand.Test(d) ? 0 : 1; });
    EXPECT_EQ(missed, 0u) << "/" << pattern << "/ misses " << missed << " of " << truth.Count();
    // Verification passes the utterances ending before a candidate's
    // earliest start: some matching utterance must not be among them.
    uint64_t passed_over = 0;
    truth.ForEach([&](uint32_t d) {
      const size_t si = set_->SegmentOf(d);
      const Segment& s = *set_->segments[si];
      const uint32_t local = d - set_->bases[si];
      const uint32_t first = s.utt_begin(local), end = s.utt_begin(local + 1);
      const auto& utterances = (*records_)[d].conversation;
      bool found = false;
      for (uint32_t u = first; u < end && !found; ++u) {
        const bool passed = u + 1 < end && s.utt_token_start(u + 1) <= earliest[d];
        found = !passed && RE2::PartialMatch(utterances[u - first].content, re);
      }
      passed_over += found ? 0 : 1;
    });
    EXPECT_EQ(passed_over, 0u) << "/" << pattern << "/: a match before the earliest start";
    return cand;
  }

  // A substring of some utterance, cut at random code point boundaries.
  static std::string Cut(std::mt19937_64& rng, size_t max_code_points) {
    while (true) {
      const Conversation& c = (*records_)[rng() % records_->size()];
      if (c.conversation.empty()) continue;
      const std::string& text = c.conversation[rng() % c.conversation.size()].content;
      if (text.empty()) continue;
      std::vector<size_t> starts;
      for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
      }
      starts.push_back(text.size());
      const size_t n = starts.size() - 1;
      const size_t a = rng() % n;
      const size_t len = 1 + rng() % std::min(max_code_points, n - a);
      return text.substr(starts[a], starts[a + len] - starts[a]);
    }
  }

  // A pattern matching `text` (a superset of it): each run of ASCII letters
  // and digits kept, or made a class with an exact, open or loose repeat;
  // spaces sometimes \s+; everything else quoted.
  static std::string Generalize(const std::string& text, std::mt19937_64& rng) {
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    std::string p = rng() % 2 ? "(?i)" : "";
    size_t i = 0;
    while (i < text.size()) {
      if (!alnum(text[i])) {
        if (text[i] == ' ' && rng() % 2) {
          while (i < text.size() && text[i] == ' ') ++i;
          p += "\\s+";
          continue;
        }
        size_t j = i + 1;
        while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
        p += RE2::QuoteMeta(text.substr(i, j - i));
        i = j;
        continue;
      }
      size_t j = i;
      bool digits = true;
      for (; j < text.size() && alnum(text[j]); ++j) {
        if (!std::isdigit(static_cast<unsigned char>(text[j]))) digits = false;
      }
      const std::string run = text.substr(i, j - i);
      const std::string cls = digits ? (rng() % 2 ? "\\d" : "[0-9]") : "[A-Za-z0-9]";
      const size_t n = run.size();
      switch (rng() % 5) {
        case 0:
          p += run;
          break;
        case 1:
          p += cls + "{" + std::to_string(n) + "}";
          break;
        case 2:
          p += cls + "{" + std::to_string(1 + rng() % n) + ",}";
          break;
        case 3:
          p += cls + "+";
          break;
        default:
          p += run.substr(0, 1 + rng() % n) + cls + "*";
          break;
      }
      i = j;
    }
    return p;
  }

  static std::vector<Conversation>* records_;
  static std::string* dir_;
  static SegmentSet* set_;
};

std::vector<Conversation>* RegexPrefilterCorpusTest::records_ = nullptr;
std::string* RegexPrefilterCorpusTest::dir_ = nullptr;
SegmentSet* RegexPrefilterCorpusTest::set_ = nullptr;

TEST_F(RegexPrefilterCorpusTest, CandidatesIncludeEveryMatch) {
  std::mt19937_64 rng(5);
  std::vector<std::string> patterns = {"sk-[A-Za-z0-9]{20,}",
                                       "def \\w+\\(",
                                       "https?://[^ ]+",
                                       "(?i)as an ai",
                                       "(?i)hello,? world",
                                       "colou?r",
                                       "\\bthe\\b",
                                       "(?i)c\\+\\+",
                                       "x86_64",
                                       "<PRESIDIO_ANONYMIZED_[A-Z_]+>",
                                       "[А-Яа-яЁё]+ость",
                                       "\\p{Thai}+ครับ",
                                       "(?i)straße",
                                       "(?i)STRASSE",
                                       "北京|東京",
                                       "(?i)(python|rust|golang) code",
                                       "int main\\(\\)",
                                       "a\\/b\\/c",
                                       "😀",
                                       "(?i)ǅemal",
                                       "[0-9]{4}-[0-9]{2}",
                                       ".",
                                       "",
                                       "(abc|)def",
                                       "(?i)ΣΊΣΥΦΟΣ",
                                       "(?i)σίσυφος",
                                       "ﬁle",
                                       "(?i)K",
                                       "(?s)a.b",
                                       "(?i)the[a-z]*\\s+of",
                                       "(?i)zqin[a-z]*\\s+the",
                                       "zqin\\s+the",
                                       "(?i)zqin\\s+the",
                                       "(?i)zqin the",
                                       "zqin +the",
                                       "(?i)zqkelvin[a-z]*\\s+the",
                                       "(?i)zqstraddles[a-z]*\\s+your",
                                       "(?i)zqstraddles[A-Za-z]*\\s+your",
                                       "(?i)straddles\\s+your",
                                       "(?i)zqcaf[a-z]*\\s+the",
                                       "(?i)the\\s+zqcat\\s+sat",
                                       "(?i)zqcat[a-z]*\\s\\s+sat",
                                       "(?i)in\\s+zqthe",
                                       "ZQIN\\s+THE",
                                       "[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                       "\\d{4}-\\d\\d-\\d\\d",
                                       "[0-9]{4}_[0-9]{2}",
                                       "[0-9]+[.,][0-9]+",
                                       "sk-[a-zA-Z0-9]{20,}",
                                       "[A-Z]{6,}",
                                       "[a-f0-9]{32}",
                                       "(?i)zq[k]ey-[0-9]{2}",
                                       "(?i)zqkey-\\d+",
                                       "v[0-9]+\\.[0-9]+\\.[0-9]+",
                                       "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}",
                                       "\\b[0-9]{3}-[0-9]{4}\\b",
                                       "[0-9]{4}--?[0-9]{2}",
                                       "[0-9]{4}-[a-z]*-[0-9]{2}",
                                       "[0-9]{4} - [0-9]{2}",
                                       "[a-z]+[0-9]{4}-[0-9]{2}-[0-9]{2}[a-z]+",
                                       "ZQ[A-Z]{8,}",
                                       "(?i)ZQ[A-Z]{8,} HERE"};
  // Literal cuts of real text (punctuation, spaces, any script), plain and
  // case-insensitive, some case-flipped, some alternated.
  for (int i = 0; i < 250; ++i) {
    std::string lit = RE2::QuoteMeta(Cut(rng, 3 + rng() % 14));
    switch (rng() % 4) {
      case 0:
        patterns.push_back(lit);
        break;
      case 1:
        patterns.push_back("(?i)" + lit);
        break;
      case 2: {
        std::string upper;
        for (char c : lit) upper.push_back(static_cast<char>(std::toupper(c)));
        patterns.push_back("(?i)" + upper);
        break;
      }
      default:
        patterns.push_back(lit + "|" + RE2::QuoteMeta(Cut(rng, 8)) + ".?" +
                           RE2::QuoteMeta(Cut(rng, 8)));
        break;
    }
  }
  reference::QueryGenerator gen(records_, 11);
  for (int i = 0; i < 150; ++i) {
    std::string r = gen.Regex(i % 2 == 0);  // "/…/" with \/ escapes
    r = r.substr(1, r.size() - 2);
    std::string unescaped;
    for (size_t k = 0; k < r.size(); ++k) {
      if (r[k] == '\\' && k + 1 < r.size() && r[k + 1] == '/') continue;
      unescaped.push_back(r[k]);
    }
    patterns.push_back(unescaped);
  }
  // Cuts of real text with their letter/digit runs turned into classes and
  // repeats, and spaces into \s+ (token sequences of every shape).
  for (int i = 0; i < 300; ++i) patterns.push_back(Generalize(Cut(rng, 4 + rng() % 24), rng));
  // Word sequences cut from real text: the end of a word (perhaps continued
  // by [a-z]*), whitespace, the start of the next (and of a third).
  const RE2 pair("([A-Za-z]+)(\\s+)([A-Za-z]+)(\\s+)([A-Za-z]+)");
  int sequences = 0;
  for (int i = 0; i < 3000 && sequences < 200; ++i) {
    const Conversation& c = (*records_)[rng() % records_->size()];
    if (c.conversation.empty()) continue;
    re2::StringPiece text(c.conversation[rng() % c.conversation.size()].content);
    std::string a, s1, b, s2, third;
    if (!RE2::FindAndConsume(&text, pair, &a, &s1, &b, &s2, &third)) continue;
    const size_t from = rng() % a.size();
    const size_t to = from + 1 + rng() % (a.size() - from);
    std::string p = (rng() % 2 ? "(?i)" : "") + a.substr(from, to - from);
    if (to < a.size() || rng() % 3 == 0) p += "[a-z]*";
    p += "\\s+" + b.substr(0, 1 + rng() % b.size());
    if (rng() % 3 == 0) p += "[a-z]*\\s+" + third.substr(0, 1 + rng() % third.size());
    patterns.push_back(p);
    ++sequences;
  }
  EXPECT_GE(sequences, 100);
  int filtered = 0, by_positions = 0;
  for (const std::string& p : patterns) {
    RegexPrefilterStats stats;
    Check(p, &stats);
    filtered += stats.filtered ? 1 : 0;
    by_positions += stats.token_sequence ? 1 : 0;
  }
  EXPECT_GT(filtered, static_cast<int>(patterns.size()) / 2);
  EXPECT_GT(by_positions, 100);
}

// Literals cut from the text and rare words must narrow the candidates to a
// small share of the corpus, or the acceleration has silently turned off.
TEST_F(RegexPrefilterCorpusTest, SelectiveRegexesNarrow) {
  std::mt19937_64 rng(9);
  reference::QueryGenerator gen(records_, 3);
  int checked = 0;
  for (int i = 0; i < 200 && checked < 60; ++i) {
    const std::string word = gen.Word(reference::QueryGenerator::Band::kRare);
    if (CodePointCount(word) < 5) continue;
    const std::string pattern = (i % 2 ? "(?i)" : "") + RE2::QuoteMeta(word);
    RegexPrefilterStats stats;
    const Bitset cand = Check(pattern, &stats);
    EXPECT_TRUE(stats.filtered) << pattern;
    EXPECT_LT(cand.Count(), set_->num_docs / 20) << pattern;
    ++checked;
  }
  EXPECT_GT(checked, 20);
  // Phrase-like literals with punctuation.
  for (const char* p : {"(?i)zzqxv, zzqxw", "(?i)as an ai language model", "ŭnique-wörd"}) {
    RegexPrefilterStats stats;
    const Bitset cand = Check(p, &stats);
    EXPECT_TRUE(stats.filtered) << p;
    EXPECT_LT(cand.Count(), set_->num_docs / 2) << p;
  }
}

// Letter/digit classes between separators (dates, keys) narrow by positions
// and by the terms of a class run, where literals alone say little.
TEST_F(RegexPrefilterCorpusTest, TokenSequencesNarrow) {
  for (const char* p :
       {"[0-9]{4}-[0-9]{2}-[0-9]{2}", "sk-[A-Za-z0-9]{20,}", "(?i)zqkey-\\d+", "ZQ[A-Z]{8,}"}) {
    RegexPrefilterStats stats;
    const Bitset cand = Check(p, &stats);
    EXPECT_TRUE(stats.token_sequence) << p;
    // Where matches may start is known: from the positions of a run of
    // elements, or of a lone element's first term (`ZQ[A-Z]{8,}`: "sk-ZQabc…"
    // stands third in its utterance). (The zqkey edge text opens its
    // conversation: its earliest start is 0, nothing to pass over.)
    if (std::string_view(p) != "(?i)zqkey-\\d+") {
      EXPECT_GT(stats.positioned, 0u) << p;
    }
    const uint64_t matches = Truth(RE2(p)).Count();
    EXPECT_GT(matches, 0u) << p;
    EXPECT_LT(cand.Count(), matches + set_->num_docs / 20) << p;
  }
}

// Hostile patterns stay cheap: a long pattern or too many atoms means no
// narrowing, not work.
TEST_F(RegexPrefilterCorpusTest, ManyAtomsOrLongPatternsFallBackToEverything) {
  std::string many, longer;
  for (int i = 0; i < 100; ++i) many += (i ? "|w" : "w") + std::to_string(i * 7919) + "xyz";
  for (int i = 0; i < 300; ++i) longer += (i ? "|alpha" : "alpha") + std::to_string(i) + "omega";
  ASSERT_LT(many.size(), RegexPrefilterOptions().max_pattern_bytes);
  ASSERT_GT(longer.size(), RegexPrefilterOptions().max_pattern_bytes);
  RegexPrefilterStats stats;
  Check(many, &stats);
  EXPECT_FALSE(stats.filtered);
  EXPECT_GT(stats.atoms, 64u);
  Check(longer, &stats);
  EXPECT_FALSE(stats.filtered);
  EXPECT_EQ(stats.candidates, set_->num_docs);
}

}  // namespace
}  // namespace wildchat
