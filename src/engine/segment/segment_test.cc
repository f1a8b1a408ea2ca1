#include "engine/segment/segment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <utility>

#include "engine/segment/segment_builder.h"
#include "engine/segment/segment_file.h"
#include "engine/store/record_text.h"
#include "engine/store/store_builder.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

// Each test builds one segment from conversations in its own directory.
class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("segment_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A conversation of one user utterance.
  static Conversation OneUserTurn(const std::string& content, int64_t turn_identifier) {
    Conversation c;
    Utterance u;
    u.role = "user";
    u.content = content;
    u.turn_identifier = turn_identifier;
    c.conversation.push_back(u);
    return c;
  }

  // Writes the segment and returns its path.
  std::string Build(const std::vector<Conversation>& conversations, SegmentParts parts = {}) {
    SegmentBuilder b(parts);
    StoreBuilder store;
    for (const Conversation& c : conversations) {
      b.Add(c);
      store.Add(c);
    }
    std::string name;
    uint64_t size = 0;
    const Status st = b.Finish(dir_, "tmp-1", &store, &name, &size);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return dir_ + "/" + name;
  }

  // The bytes of the file at path.
  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  // Where section `name` of the segment file at path starts in the file;
  // *size its length.
  static uint64_t SectionAt(const std::string& path, const std::string& name,
                            uint64_t* size = nullptr) {
    std::unique_ptr<MappedSegmentFile> f;
    std::string_view meta, section;
    // "meta" is the first section, at 0.
    if (!MappedSegmentFile::Open(path, &f).ok() || !f->Section("meta", &meta).ok() ||
        !f->Section(name, &section).ok()) {
      ADD_FAILURE() << "no section " << name << " in " << path;
      return 0;
    }
    if (size) *size = section.size();
    return static_cast<uint64_t>(section.data() - meta.data());
  }

  // Rewrites the segment file at path as `original` after `change`, and
  // opens it.
  static Status OpenChanged(const std::string& path, const std::string& original,
                            const std::function<void(std::string*)>& change) {
    std::string bytes = original;
    change(&bytes);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    std::unique_ptr<Segment> seg;
    return Segment::Open(path, &seg);
  }

  std::string dir_;
};

TEST_F(SegmentTest, OtherFormatVersionAsksForARebuild) {
  std::vector<Conversation> v;
  for (int i = 0; i < 3; ++i) v.push_back(OneUserTurn("hello world " + std::to_string(i), 10 + i));
  const std::string path = Build(v);
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(path, &seg).ok());
  Conversation back;
  ASSERT_TRUE(seg->Document(2, &back).ok());
  EXPECT_EQ(back.conversation[0].content, "hello world 2");
  seg.reset();

  // "meta" is the first section: its first field is the format version.
  auto set_version = [&](uint32_t version) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.write(reinterpret_cast<const char*>(&version), 4);
  };
  // Version 2 (before float score columns) is still read.
  set_version(2);
  EXPECT_TRUE(Segment::Open(path, &seg).ok());
  seg.reset();
  for (const uint32_t version : {1u, kSegmentFormatVersion + 1}) {
    set_version(version);
    const Status st = Segment::Open(path, &seg);
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    EXPECT_NE(st.ToString().find("segment format version " + std::to_string(version) +
                                 " is not supported"),
              std::string::npos)
        << st.ToString();
    EXPECT_NE(st.ToString().find("rebuild the index"), std::string::npos) << st.ToString();
  }
}

// Bigram postings against a brute-force count of adjacent words, per
// utterance, for every pair of common words (and none for the rest).
// Each (turn id, doc) pair once; an id repeated in two conversations finds
// both; format-4 tables (one entry per utterance) still read; a table longer
// than the utterances, or a short one in format 4, is corruption.
TEST_F(SegmentTest, TurnIdTableHoldsEachPairOnce) {
  auto conversation = [](std::vector<int64_t> turn_ids) {
    Conversation c;
    for (int64_t tid : turn_ids) {
      for (const char* role : {"user", "assistant"}) {
        Utterance u;
        u.role = role;
        u.content = "words " + std::to_string(tid);
        u.turn_identifier = tid;
        c.conversation.push_back(u);
      }
    }
    return c;
  };
  const std::string path = Build({conversation({10, 11}), conversation({20}), conversation({10})});
  auto docs_of = [](const Segment& seg, int64_t tid) {
    const std::span<const uint32_t> d = seg.DocsOfTurn(tid);
    return std::vector<uint32_t>(d.begin(), d.end());
  };
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(path, &seg).ok());
  EXPECT_EQ(docs_of(*seg, 10), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(docs_of(*seg, 11), (std::vector<uint32_t>{0}));
  EXPECT_EQ(docs_of(*seg, 20), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(docs_of(*seg, 12).empty());
  EXPECT_EQ(seg->DocOfTurn(10), std::optional<uint32_t>(0));
  EXPECT_EQ(seg->DocOfTurn(12), std::nullopt);
  seg.reset();

  // Rewrites the segment with other turn id sections and version.
  std::unique_ptr<MappedSegmentFile> f;
  ASSERT_TRUE(MappedSegmentFile::Open(path, &f).ok());
  std::string_view keys_now;
  ASSERT_TRUE(f->Section("tid.key", &keys_now).ok());
  EXPECT_EQ(keys_now.size(), 4 * sizeof(int64_t));  // (10,0) (10,2) (11,0) (20,1)
  auto rewrite = [&](uint32_t version, const std::vector<std::pair<int64_t, uint32_t>>& pairs) {
    SegmentFileWriter w;
    EXPECT_TRUE(w.Open(dir_, "rewrite").ok());
    std::string keys, docs;
    for (const auto& [k, d] : pairs) {
      keys.append(reinterpret_cast<const char*>(&k), sizeof k);
      docs.append(reinterpret_cast<const char*>(&d), sizeof d);
    }
    for (const std::string& name : f->SectionNames()) {
      std::string_view bytes;
      EXPECT_TRUE(f->Section(name, &bytes).ok());
      std::string out(bytes);
      if (name == "meta") std::memcpy(out.data() + offsetof(SegmentMeta, version), &version, 4);
      if (name == "tid.key") out = keys;
      if (name == "tid.doc") out = docs;
      EXPECT_TRUE(w.Add(name, out).ok());
    }
    std::string name;
    uint64_t size = 0;
    EXPECT_TRUE(w.Finish(&name, &size).ok());
    std::unique_ptr<Segment> s;
    const Status st = Segment::Open(dir_ + "/" + name, &s);
    std::filesystem::remove(dir_ + "/" + name);
    return std::make_pair(st, std::move(s));
  };
  const std::vector<std::pair<int64_t, uint32_t>> per_utterance = {
      {10, 0}, {10, 0}, {10, 2}, {10, 2}, {11, 0}, {11, 0}, {20, 1}, {20, 1}};
  auto [v4, old] = rewrite(4, per_utterance);
  ASSERT_TRUE(v4.ok()) << v4.ToString();
  EXPECT_EQ(docs_of(*old, 10), (std::vector<uint32_t>{0, 0, 2, 2}));
  EXPECT_EQ(old->DocOfTurn(20), std::optional<uint32_t>(1));
  std::vector<std::pair<int64_t, uint32_t>> too_many = per_utterance;
  too_many.push_back({30, 1});
  EXPECT_EQ(rewrite(5, too_many).first.code(), Status::Code::kCorruption);
  EXPECT_EQ(rewrite(4, {{10, 0}, {10, 2}, {11, 0}, {20, 1}}).first.code(),
            Status::Code::kCorruption);
  EXPECT_EQ(rewrite(5, {{10, 2}, {10, 0}, {11, 0}, {20, 1}}).first.code(),
            Status::Code::kCorruption);  // out of order
  EXPECT_EQ(rewrite(5, {{10, 0}, {10, 3}, {11, 0}, {20, 1}}).first.code(),
            Status::Code::kCorruption);  // no doc 3
  EXPECT_TRUE(rewrite(5, {{10, 0}, {10, 2}, {11, 0}, {20, 1}}).first.ok());
}

TEST_F(SegmentTest, BigramsOfCommonWordsMatchBruteForce) {
  // Word i of the vocabulary occurs with probability falling with i, so some
  // words are common (in >= 1/8 of the docs) and some are not.
  const std::vector<std::string> vocab = {"the", "of",  "to",   "and",  "cat",
                                          "dog", "sun", "moon", "rare", "odd"};
  std::mt19937 rng(7);
  const uint32_t n = 300;
  std::vector<std::vector<std::vector<int>>> docs(n);  // doc → utterance → word indexes
  std::vector<Conversation> conversations;
  for (uint32_t d = 0; d < n; ++d) {
    Conversation c;
    const int utts = 1 + static_cast<int>(rng() % 3);
    for (int u = 0; u < utts; ++u) {
      Utterance utt;
      utt.role = u % 2 ? "assistant" : "user";
      utt.turn_identifier = d * 10 + u;
      std::vector<int> words;
      const int len = static_cast<int>(rng() % 6);
      for (int k = 0; k < len; ++k) {
        int w = 0;
        while (w + 1 < static_cast<int>(vocab.size()) && rng() % 3 != 0) ++w;
        if (w == 3 && !words.empty() && words.back() == 1) w = 4;  // "of and" never occurs
        words.push_back(w);
        utt.content += (k ? " " : "") + vocab[w];
      }
      docs[d].push_back(words);
      c.conversation.push_back(utt);
    }
    conversations.push_back(c);
  }
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(Build(conversations), &seg).ok());

  const uint32_t min_df = (n + kBigramDfDivisor - 1) / kBigramDfDivisor;
  std::vector<uint32_t> df(vocab.size(), 0);
  for (const auto& doc : docs) {
    std::vector<bool> seen(vocab.size(), false);
    for (const auto& words : doc) {
      for (int w : words) seen[w] = true;
    }
    for (size_t w = 0; w < vocab.size(); ++w) df[w] += seen[w] ? 1 : 0;
  }
  int common = 0, pairs_checked = 0, pairs_present = 0;
  for (size_t a = 0; a < vocab.size(); ++a) {
    const auto ta = seg->FindTerm(vocab[a]);
    if (!ta) continue;
    EXPECT_EQ(seg->IsCommon(*ta), df[a] >= min_df) << vocab[a];
    common += df[a] >= min_df ? 1 : 0;
    for (size_t bw = 0; bw < vocab.size(); ++bw) {
      const auto tb = seg->FindTerm(vocab[bw]);
      if (!tb || !seg->IsCommon(*ta) || !seg->IsCommon(*tb)) continue;
      std::vector<std::pair<uint32_t, uint32_t>> want;  // (doc, adjacent count)
      for (uint32_t d = 0; d < n; ++d) {
        uint32_t count = 0;
        for (const auto& words : docs[d]) {
          for (size_t k = 0; k + 1 < words.size(); ++k) {
            count += words[k] == static_cast<int>(a) && words[k + 1] == static_cast<int>(bw);
          }
        }
        if (count) want.emplace_back(d, count);
      }
      ++pairs_checked;
      const auto bigram = seg->FindBigram(*ta, *tb);
      ASSERT_EQ(bigram.has_value(), !want.empty()) << vocab[a] << " " << vocab[bw];
      if (!bigram) continue;
      ++pairs_present;
      EXPECT_EQ(seg->bigram_doc_freq(*bigram), want.size());
      std::vector<std::pair<uint32_t, uint32_t>> got;
      PostingCursor c = seg->BigramPostings(*bigram);
      while (c.Next()) got.emplace_back(c.doc(), c.tf());
      EXPECT_FALSE(c.corrupt());
      EXPECT_EQ(got, want) << vocab[a] << " " << vocab[bw];
    }
  }
  // The corpus has both kinds of words and both kinds of pairs.
  EXPECT_GE(common, 3);
  EXPECT_LT(common, static_cast<int>(vocab.size()));
  EXPECT_GT(pairs_present, 5);
  EXPECT_LT(pairs_present, pairs_checked);
  ASSERT_TRUE(seg->IsCommon(*seg->FindTerm("of")) && seg->IsCommon(*seg->FindTerm("and")));
  EXPECT_FALSE(seg->FindBigram(*seg->FindTerm("of"), *seg->FindTerm("and")));
}

// The bigram and role tables are untrusted bytes too: keys out of order or
// naming terms that do not exist, and offsets that do not add up, are
// Corruption.
TEST_F(SegmentTest, MalformedKeyedTablesAreCorruption) {
  std::vector<Conversation> conversations;
  // Enough for the words to have role streams (document frequency >= kRoleMinDf).
  for (int i = 0; i < 2 * static_cast<int>(kRoleMinDf) + 40; ++i) {
    Conversation c;
    Utterance u;
    u.role = "user";
    u.content =
        std::string(i % 2 ? "the cat and the dog" : "a dog and a cat") + " x" + std::to_string(i);
    u.turn_identifier = 100 + i;
    c.conversation.push_back(u);
    conversations.push_back(c);
  }
  const std::string path = Build(conversations);
  const std::string original = Contents(path);
  for (const std::string prefix : {"bigram", "role"}) {
    SCOPED_TRACE(prefix);
    uint64_t keys_size = 0;
    const uint64_t keys_at = SectionAt(path, prefix + ".keys", &keys_size);
    uint64_t info_size = 0;
    const uint64_t info_at = SectionAt(path, prefix + ".info", &info_size);
    const uint64_t num_keys = keys_size / 8;
    // Under 4 GiB of postings the entries are the narrow ones.
    ASSERT_EQ(info_size, sizeof(NarrowStreamInfo) * (num_keys + 1));
    ASSERT_GE(num_keys, 3u);  // "the cat", "and the", "a dog", ...; "the", "cat", ...
    auto open_with = [&](const std::function<void(std::string*)>& change) {
      return OpenChanged(path, original, change);
    };
    EXPECT_TRUE(open_with([](std::string*) {}).ok());
    const Status swapped = open_with([&](std::string* bytes) {
      std::swap_ranges(bytes->begin() + static_cast<ptrdiff_t>(keys_at),
                       bytes->begin() + static_cast<ptrdiff_t>(keys_at + 8),
                       bytes->begin() + static_cast<ptrdiff_t>(keys_at + 8));
    });
    EXPECT_EQ(swapped.code(), Status::Code::kCorruption);
    EXPECT_NE(swapped.ToString().find("bad " + prefix + " table"), std::string::npos)
        << swapped.ToString();
    const Status no_such_term = open_with([&](std::string* bytes) {
      const uint64_t key = 0xFFFFFFF0FFFFFFF0ull;  // larger than every key: order stays intact
      std::memcpy(bytes->data() + keys_at + 8 * (num_keys - 1), &key, 8);
    });
    EXPECT_EQ(no_such_term.code(), Status::Code::kCorruption) << no_such_term.ToString();
    const Status bad_offsets = open_with([&](std::string* bytes) {
      const uint32_t off = 0xFFFFFFF0u;  // the sentinel's doc offset
      std::memcpy(bytes->data() + info_at + sizeof(NarrowStreamInfo) * num_keys, &off, 4);
    });
    EXPECT_EQ(bad_offsets.code(), Status::Code::kCorruption) << bad_offsets.ToString();
  }
  {
    // A role stream keyed with the assistant's role (which has none).
    const uint64_t keys_at = SectionAt(path, "role.keys");
    uint64_t first = 0;
    std::memcpy(&first, original.data() + keys_at, 8);
    const uint64_t key = RoleStreamKey(first >> 2, kRoleAssistant);  // same term: order intact
    const Status st = OpenChanged(
        path, original, [&](std::string* bytes) { std::memcpy(bytes->data() + keys_at, &key, 8); });
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
  }
}

// Block impacts against their definition (segment_format.h), computed here
// from the decoded postings and the doc length column: each term's byte per
// full block is the block's largest tf / (tf + norm) rounded up to 1/255 —
// never below it (the bound ranking relies on) and less than 1/255 above it.
// Damaged impact bytes or offsets are corruption.
TEST_F(SegmentTest, BlockImpactsBoundEachBlockTightly) {
  const std::vector<std::string> vocab = {"the", "of", "cat", "dog", "sun", "moon", "rare"};
  std::mt19937 rng(21);
  std::vector<Conversation> conversations;
  for (int d = 0; d < 1500; ++d) {
    Conversation c;
    Utterance u;
    u.role = "user";
    u.turn_identifier = d;
    // Lengths from 1 to a few hundred words, so norms differ a lot.
    const int len = 1 + static_cast<int>(rng() % (rng() % 4 == 0 ? 400 : 20));
    for (int k = 0; k < len; ++k) {
      size_t w = 0;
      while (w + 1 < vocab.size() && rng() % 3 != 0) ++w;
      u.content += (k ? " " : "") + vocab[w];
    }
    c.conversation.push_back(u);
    conversations.push_back(c);
  }
  const std::string path = Build(conversations);
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(path, &seg).ok());
  ASSERT_TRUE(seg->has_impacts());
  const double avg = static_cast<double>(seg->total_tokens()) / seg->num_docs();
  EXPECT_EQ(seg->impact_avg_doc_len(), avg);
  const double norm0 = kBm25K1 * (1 - kBm25B), norm1 = kBm25K1 * kBm25B / avg;
  size_t blocks = 0;
  for (uint64_t t = 0; t < seg->num_terms(); ++t) {
    const std::string_view q = seg->BlockImpacts(t);
    ASSERT_EQ(q.size(), seg->doc_freq(t) / kPostingBlockDocs) << seg->term(t);
    std::vector<uint32_t> ends;
    ASSERT_TRUE(seg->Postings(t).FullBlockEnds(&ends));
    ASSERT_EQ(ends.size(), q.size());
    PostingCursor c = seg->Postings(t);
    for (size_t b = 0; b < q.size(); ++b) {
      double top = 0;
      for (uint32_t k = 0; k < kPostingBlockDocs; ++k) {
        ASSERT_TRUE(c.Next());
        const double f = c.tf();
        top = std::max(top, f / (f + norm0 + norm1 * seg->doc_len(c.doc())));
      }
      EXPECT_EQ(c.doc(), ends[b]);
      const double bound = static_cast<uint8_t>(q[b]) / 255.0;
      EXPECT_GE(bound, top) << seg->term(t) << " block " << b;
      EXPECT_LT(bound - 1 / 255.0, top) << seg->term(t) << " block " << b;
      ++blocks;
    }
  }
  EXPECT_GE(blocks, 30u);
  const uint64_t num_terms = seg->num_terms();
  seg.reset();  // the file is rewritten below

  const std::string original = Contents(path);
  const uint64_t impacts_at = SectionAt(path, "impacts");
  uint64_t info_size = 0;
  const uint64_t info_at = SectionAt(path, "terms.info", &info_size);
  // Under 4 GiB of streams the term table's entries are the narrow ones.
  ASSERT_EQ(info_size, sizeof(NarrowTermInfo) * (num_terms + 1));
  auto open_with = [&](const std::function<void(std::string*)>& change) {
    return OpenChanged(path, original, change);
  };
  EXPECT_TRUE(open_with([](std::string*) {}).ok());
  const Status zero = open_with([&](std::string* b) { (*b)[impacts_at] = 0; });
  EXPECT_EQ(zero.code(), Status::Code::kCorruption) << zero.ToString();
  const Status shifted = open_with([&](std::string* b) {
    // The sentinel term entry's first impact, one past the end.
    const uint64_t sentinel = info_at + sizeof(NarrowTermInfo) * num_terms;
    uint32_t v = 0;
    std::memcpy(&v, b->data() + sentinel + offsetof(NarrowTermInfo, first_impact), 4);
    ++v;
    std::memcpy(b->data() + sentinel + offsetof(NarrowTermInfo, first_impact), &v, 4);
  });
  EXPECT_EQ(shifted.code(), Status::Code::kCorruption) << shifted.ToString();
  EXPECT_NE(shifted.ToString().find("bad block impacts"), std::string::npos);
}

// Role postings against a brute-force count of each word per role: the user
// and other-role streams directly, the assistant's as the word's tf minus
// theirs (how the executor reads it); words in fewer than kRoleMinDf docs
// have no streams.
TEST_F(SegmentTest, RolePostingsCountEachRoleLikeBruteForce) {
  const std::vector<std::string> vocab = {"the", "of", "cat", "dog", "sun", "rare"};
  const std::vector<std::string> roles = {"user", "assistant", "system"};
  std::mt19937 rng(11);
  const uint32_t n = 400;
  // count[w][role][doc]
  std::vector<std::vector<std::vector<uint32_t>>> count(
      vocab.size(), std::vector<std::vector<uint32_t>>(3, std::vector<uint32_t>(n, 0)));
  std::vector<Conversation> conversations;
  for (uint32_t d = 0; d < n; ++d) {
    Conversation c;
    const int utts = 1 + static_cast<int>(rng() % 4);
    for (int u = 0; u < utts; ++u) {
      Utterance utt;
      const int role = rng() % 10 == 0 ? 2 : u % 2;
      utt.role = roles[role];
      utt.turn_identifier = d * 10 + u;
      const int len = static_cast<int>(rng() % 7);
      for (int k = 0; k < len; ++k) {
        int w = 0;
        while (w + 1 < static_cast<int>(vocab.size()) && rng() % 2 != 0) ++w;
        ++count[w][role][d];
        utt.content += (k ? " " : "") + vocab[w];
      }
      c.conversation.push_back(utt);
    }
    conversations.push_back(c);
  }
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(Build(conversations), &seg).ok());
  ASSERT_TRUE(seg->has_role_postings());
  int with = 0, without = 0;
  for (size_t w = 0; w < vocab.size(); ++w) {
    const auto term = seg->FindTerm(vocab[w]);
    ASSERT_TRUE(term) << vocab[w];
    ASSERT_EQ(seg->HasRoleStreams(*term), seg->doc_freq(*term) >= kRoleMinDf) << vocab[w];
    if (!seg->HasRoleStreams(*term)) {
      ++without;
      EXPECT_FALSE(seg->RolePostings(*term, kRoleUser)) << vocab[w];
      EXPECT_FALSE(seg->RolePostings(*term, kRoleOther)) << vocab[w];
      continue;
    }
    ++with;
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> got(3);
    for (const uint8_t role : {kRoleUser, kRoleOther}) {
      const auto c = seg->RolePostings(*term, role);
      if (!c) continue;
      PostingCursor cur = *c;
      while (cur.Next()) got[role].emplace_back(cur.doc(), cur.tf());
      EXPECT_FALSE(cur.corrupt());
    }
    PostingCursor all = seg->Postings(*term);
    while (all.Next()) {
      uint32_t others = 0;
      for (const uint8_t role : {kRoleUser, kRoleOther}) {
        for (const auto& [doc, tf] : got[role]) others += doc == all.doc() ? tf : 0;
      }
      if (all.tf() > others) got[kRoleAssistant].emplace_back(all.doc(), all.tf() - others);
    }
    for (int role = 0; role < 3; ++role) {
      std::vector<std::pair<uint32_t, uint32_t>> want;
      for (uint32_t d = 0; d < n; ++d) {
        if (count[w][role][d]) want.emplace_back(d, count[w][role][d]);
      }
      EXPECT_EQ(got[role], want) << vocab[w] << " " << roles[role];
    }
  }
  // Both kinds of words.
  EXPECT_GE(with, 2);
  EXPECT_GE(without, 1);
}

// Moderation maxima come back exactly, from float columns where every value
// is a float and from double columns otherwise.
TEST_F(SegmentTest, ScoreColumnsKeepExactValues) {
  std::vector<Conversation> conversations;
  std::vector<double> want0, want1;  // maxima of category 0 (floats) and 1 (not)
  for (int i = 0; i < 20; ++i) {
    Conversation c;
    for (int u = 0; u < 2; ++u) {
      Utterance utt;
      utt.role = u ? "assistant" : "user";
      utt.content = "words " + std::to_string(i);
      utt.turn_identifier = i * 10 + u;
      c.conversation.push_back(utt);
      OpenAiModeration m;
      m.scores_null = false;
      m.category_scores.fill(0.0);
      m.category_scores[0] = static_cast<float>(0.001 * (i * 7 + u));
      m.category_scores[1] = 0.1 + 1e-3 * i + 1e-6 * u;  // no float equals it
      m.category_scores[2] = m.category_scores[1];       // its other spelling
      m.category_scores[3] = static_cast<float>(0.5 - 0.01 * i);
      c.openai_moderation.push_back(m);
    }
    want0.push_back(c.openai_moderation[1].category_scores[0]);
    want1.push_back(c.openai_moderation[1].category_scores[1]);
    conversations.push_back(c);
  }
  const std::string path = Build(conversations);
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(path, &seg).ok());
  EXPECT_TRUE(seg->score_column(0).f != nullptr);
  EXPECT_TRUE(seg->score_column(1).d != nullptr);
  for (uint32_t d = 0; d < want0.size(); ++d) {
    EXPECT_EQ(seg->score(0, d), want0[d]) << d;
    EXPECT_EQ(seg->score(1, d), want1[d]) << d;
    // Column 2 repeats column 1; column 3 repeats none.
    EXPECT_EQ(seg->score(2, d), want1[d]) << d;
    EXPECT_EQ(seg->score(3, d), static_cast<float>(0.5 - 0.01 * d)) << d;
  }
  // A column the same as an earlier one is written as that one's number.
  uint64_t same_size = 0;
  const uint64_t same_at = SectionAt(path, "score.2.same", &same_size);
  EXPECT_EQ(same_size, sizeof(uint32_t));
  std::unique_ptr<MappedSegmentFile> f;
  ASSERT_TRUE(MappedSegmentFile::Open(path, &f).ok());
  EXPECT_FALSE(f->Has("score.2"));
  EXPECT_TRUE(f->Has("score.3"));
  f.reset();
  // One naming itself or a later column is Corruption.
  seg.reset();
  const std::string original = Contents(path);
  for (const uint32_t bad : {2u, 3u, 24u, 1000u}) {
    const Status st = OpenChanged(path, original, [&](std::string* bytes) {
      std::memcpy(bytes->data() + same_at, &bad, sizeof(bad));
    });
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << bad;
  }
}

// Built without role postings, a segment says so and has no streams.
TEST_F(SegmentTest, OptionalPartsCanBeLeftOut) {
  Conversation c;
  Utterance u;
  u.role = "user";
  u.content = "hello world";
  u.turn_identifier = 1;
  c.conversation.push_back(u);
  std::vector<Conversation> many(300, c);  // "hello" fills two full posting blocks
  for (size_t i = 0; i < many.size(); ++i) many[i].conversation[0].turn_identifier = 1 + i;
  for (const SegmentParts parts : {SegmentParts{.role_postings = false, .block_impacts = true},
                                   SegmentParts{.role_postings = true, .block_impacts = false},
                                   SegmentParts{.narrow_tables = false}}) {
    const std::string path = Build(many, parts);
    std::unique_ptr<Segment> seg;
    ASSERT_TRUE(Segment::Open(path, &seg).ok());
    const uint64_t hello = *seg->FindTerm("hello");
    EXPECT_EQ(seg->has_role_postings(), parts.role_postings);
    EXPECT_EQ(seg->RolePostings(hello, kRoleUser).has_value(), parts.role_postings);
    EXPECT_EQ(seg->has_impacts(), parts.block_impacts);
    EXPECT_EQ(seg->BlockImpacts(hello).size(), parts.block_impacts ? 2u : 0u);
    // Wide or narrow, the term table gives the same words and lists.
    EXPECT_EQ(seg->term(hello), "hello");
    EXPECT_EQ(seg->doc_freq(hello), many.size());
    PostingCursor c = seg->Postings(hello);
    uint32_t docs = 0;
    while (c.Next()) EXPECT_EQ(c.doc(), docs++);
    EXPECT_EQ(docs, many.size());
    EXPECT_FALSE(c.corrupt());
    uint64_t info_size = 0;
    SectionAt(path, "terms.info", &info_size);
    EXPECT_EQ(info_size, (seg->num_terms() + 1) *
                             (parts.narrow_tables ? sizeof(NarrowTermInfo) : sizeof(TermInfo)));
    seg.reset();
    fs::remove(path);
  }
}

// DocumentTexts gives each conversation's roles and contents as they went
// in, whether the lengths come from the utt.bytes sections or from the
// store's meta part: utterances of every size (empty, multi-byte, one of
// 70,000 bytes, over the uint16 the section keeps), an "other" role (whose
// name only the meta part holds), a conversation without utterances.
// Lengths that disagree with the sections' rules are corruption.
TEST_F(SegmentTest, DocumentTextsMatchTheInputWithOrWithoutUtteranceLengths) {
  std::mt19937 rng(5);
  std::vector<Conversation> input;
  const std::vector<std::string> pieces = {"word ", "ünïcödé ", "中文", "\n", "<b>x</b> "};
  for (int i = 0; i < 60; ++i) {
    Conversation c;
    const int n = i == 7 ? 0 : 1 + static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) {
      Utterance u;
      u.role = k % 2 ? "assistant" : "user";
      if (i == 11 && k == 1) u.role = "system";
      u.turn_identifier = 1000 * i + k / 2;
      const size_t len = i == 20 && k == 0 ? 70000 : rng() % 200;
      while (u.content.size() < len) u.content += pieces[rng() % pieces.size()];
      if (i == 3 && k == 0) u.content.clear();
      c.conversation.push_back(u);
    }
    input.push_back(c);
  }
  for (const bool lengths : {true, false}) {
    SCOPED_TRACE(lengths ? "utt.bytes" : "meta part");
    const std::string path = Build(input, SegmentParts{.utterance_bytes = lengths});
    std::unique_ptr<Segment> seg;
    ASSERT_TRUE(Segment::Open(path, &seg).ok());
    EXPECT_EQ(seg->has_utterance_bytes(), lengths);
    std::string meta_raw;
    std::vector<std::string_view> roles, contents;
    for (uint32_t d = 0; d < input.size(); ++d) {
      RecordText text;  // within the life of the segment's dictionaries
      SCOPED_TRACE(d);
      ASSERT_TRUE(seg->DocumentTexts(d, &meta_raw, &text, &roles, &contents).ok());
      ASSERT_TRUE(text.Through(text.text().size()).ok());
      const auto& want = input[d].conversation;
      ASSERT_EQ(contents.size(), want.size());
      ASSERT_EQ(roles.size(), want.size());
      for (size_t u = 0; u < want.size(); ++u) {
        EXPECT_EQ(roles[u], want[u].role);
        EXPECT_EQ(contents[u], want[u].content);
      }
    }
    if (!lengths) continue;
    // The 70,000-byte utterance is the segment's one long entry.
    const std::string original = Contents(path);
    uint64_t long_size = 0;
    const uint64_t narrow_at = SectionAt(path, "utt.bytes");
    const uint64_t long_at = SectionAt(path, "utt.bytes.long", &long_size);
    ASSERT_EQ(long_size, sizeof(LongUtteranceBytes));
    seg.reset();
    auto open_with = [&](const std::function<void(std::string*)>& change) {
      return OpenChanged(path, original, change);
    };
    EXPECT_TRUE(open_with([](std::string*) {}).ok());
    // The long entry's length under 65,535, its utterance another one, a
    // second utterance marked long but not listed, the listed one no longer
    // marked long.
    uint32_t long_utterance = 0;
    std::memcpy(&long_utterance, original.data() + long_at, 4);
    for (const auto& change : std::vector<std::function<void(std::string*)>>{
             [&](std::string* b) { std::memset(b->data() + long_at + 4, 0, 4); },
             [&](std::string* b) { (*b)[long_at] ^= 1; },
             [&](std::string* b) { std::memset(b->data() + narrow_at, 0xFF, 2); },
             [&](std::string* b) {
               std::memset(b->data() + narrow_at + 2 * long_utterance, 0, 2);
             }}) {
      const Status st = open_with(change);
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
    }
    // A short length that disagrees with the stored text: an error, not an
    // out-of-bounds view. (The text's codes say how long it is only once
    // decoded to the end: the error may wait until then.)
    ASSERT_TRUE(open_with([&](std::string* b) {
                  uint16_t v;
                  std::memcpy(&v, b->data() + narrow_at, 2);
                  v = v == 0 ? 1 : v - 1;
                  std::memcpy(b->data() + narrow_at, &v, 2);
                }).ok());
    ASSERT_TRUE(Segment::Open(path, &seg).ok());
    RecordText text;
    Status st = seg->DocumentTexts(0, &meta_raw, &text, &roles, &contents);
    if (st.ok()) st = text.Through(UINT64_MAX);
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
  }
}

// Term lookups (FindTerm, PrefixRange) against a scan of the segment's own
// sorted term list: thousands of terms (many sampled blocks), runs sharing
// prefixes longer than the 8 bytes a sample keeps, non-ASCII words, and
// probes that are absent, prefixes of terms, extensions of terms and terms
// falling between two samples.
// Dictionaries of hex hashes are stored packed and read back as they went
// in; a dictionary with any other value (uppercase, another length, an odd
// length, not hex) is stored as strings. Damaged packed dictionaries are
// Corruption.
TEST_F(SegmentTest, HexDictionariesArePackedAndReadBackExactly) {
  std::mt19937 rng(17);
  auto hex = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "0123456789abcdef"[rng() % 16];
    return s;
  };
  struct Case {
    std::string odd_one;  // the last conversation's hash; empty: a hex hash like the rest
    bool packed;
  };
  for (const Case& k : {Case{"", true}, Case{"ABCDEF0123456789ABCDEF0123456789", false},
                        Case{"abc", false}, Case{"0123456789abcdef0123456789abcdeg", false},
                        Case{"0123456789abcdef0123456789abcde", false}}) {
    SCOPED_TRACE(k.odd_one);
    std::vector<Conversation> v;
    for (int i = 0; i < 50; ++i) {
      Conversation c = OneUserTurn("hello " + std::to_string(i), 10 + i);
      c.conversation_hash = i == 49 && !k.odd_one.empty() ? k.odd_one : hex(32);
      c.hashed_ip = hex(64);
      c.model = "gpt-4";
      v.push_back(c);
    }
    for (const SegmentParts parts : {SegmentParts{}, SegmentParts{.plain_dictionaries = true}}) {
      const std::string path = Build(v, parts);
      std::unique_ptr<MappedSegmentFile> f;
      ASSERT_TRUE(MappedSegmentFile::Open(path, &f).ok());
      EXPECT_EQ(f->Has("dict.hash.hex"), k.packed && !parts.plain_dictionaries);
      EXPECT_EQ(f->Has("dict.ip.hex"), !parts.plain_dictionaries);
      EXPECT_FALSE(f->Has("dict.model.hex"));
      f.reset();
      std::unique_ptr<Segment> seg;
      ASSERT_TRUE(Segment::Open(path, &seg).ok());
      std::string scratch;
      for (uint32_t d = 0; d < v.size(); ++d) {
        EXPECT_EQ(seg->dict_value(DictField::kHash, seg->code(DictField::kHash, d), &scratch),
                  v[d].conversation_hash);
        EXPECT_EQ(seg->dict_value(DictField::kIp, seg->code(DictField::kIp, d), &scratch),
                  v[d].hashed_ip);
        EXPECT_EQ(seg->dict_value(DictField::kModel, seg->code(DictField::kModel, d), &scratch),
                  "gpt-4");
      }
      // Sorted as strings, as every dictionary.
      for (uint32_t code = 2; code <= seg->dict_size(DictField::kIp); ++code) {
        const std::string prev(seg->dict_value(DictField::kIp, code - 1, &scratch));
        EXPECT_LT(prev, seg->dict_value(DictField::kIp, code, &scratch));
      }
    }
  }
  // A packed dictionary whose width is odd, zero or does not divide it.
  const std::string path = Build([&] {
    std::vector<Conversation> v(3);
    for (Conversation& c : v) c.hashed_ip = hex(64);
    return v;
  }());
  const std::string original = Contents(path);
  const uint64_t at = SectionAt(path, "dict.ip.hex");
  for (const uint32_t digits : {63u, 0u, 66u, 1000u}) {
    const Status st = OpenChanged(path, original,
                                  [&](std::string* b) { std::memcpy(b->data() + at, &digits, 4); });
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << digits;
  }
}

TEST_F(SegmentTest, TermLookupsMatchAScanOfTheTermList) {
  std::mt19937 rng(21);
  std::vector<std::string> vocab;
  for (int i = 0; i < 3000; ++i) {
    switch (i % 4) {
      case 0:
        vocab.push_back("internationalization" + std::to_string(i));
        break;
      case 1:
        vocab.push_back("w" + std::to_string(rng() % 100000));
        break;
      case 2:
        vocab.push_back("\xc3\xa9t\xc3\xa9" + std::to_string(i % 97));
        break;
      default:
        vocab.push_back(std::string(1 + rng() % 12, static_cast<char>('a' + rng() % 3)));
    }
  }
  std::vector<Conversation> conversations;
  for (size_t i = 0; i < vocab.size(); i += 50) {
    Conversation c;
    Utterance u;
    u.role = "user";
    u.turn_identifier = static_cast<int64_t>(i);
    for (size_t k = i; k < std::min(vocab.size(), i + 50); ++k) u.content += vocab[k] + " ";
    c.conversation.push_back(u);
    conversations.push_back(c);
  }
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(Build(conversations), &seg).ok());
  std::vector<std::string> terms;
  for (uint64_t t = 0; t < seg->num_terms(); ++t) terms.emplace_back(seg->term(t));
  ASSERT_TRUE(std::is_sorted(terms.begin(), terms.end()));
  ASSERT_GT(terms.size(), 1000u);
  std::vector<std::string> probes = {"", "a", "zzzz", "internationalization", "w", "\xc3"};
  for (const std::string& t : terms) {
    probes.push_back(t);
    probes.push_back(t.substr(0, t.size() / 2));
    probes.push_back(t + "0");
    probes.push_back(t.substr(0, t.size() - 1) + "~");
  }
  for (const std::string& p : probes) {
    const auto at = std::lower_bound(terms.begin(), terms.end(), p);
    const auto found = seg->FindTerm(p);
    if (at != terms.end() && *at == p) {
      ASSERT_TRUE(found) << p;
      EXPECT_EQ(*found, static_cast<uint64_t>(at - terms.begin())) << p;
    } else {
      EXPECT_FALSE(found) << p;
    }
    uint64_t lo = 0, hi = 0;
    seg->PrefixRange(p, &lo, &hi);
    uint64_t want_lo = UINT64_MAX, want_hi = 0;
    for (uint64_t t = 0; t < terms.size(); ++t) {
      if (terms[t].compare(0, p.size(), p) != 0) continue;
      want_lo = std::min(want_lo, t);
      want_hi = t + 1;
    }
    if (want_lo == UINT64_MAX) {
      EXPECT_EQ(lo, hi) << p;
    } else {
      EXPECT_EQ(lo, want_lo) << p;
      EXPECT_EQ(hi, want_hi) << p;
    }
  }
}

}  // namespace
}  // namespace wildchat
