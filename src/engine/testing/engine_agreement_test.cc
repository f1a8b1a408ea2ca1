// The engine against the brute-force reference (reference_search.h) on a
// seeded multilingual corpus: for hundreds of generated queries, indexed in
// one go and by several appends, the engine must reject exactly the queries
// the reference rejects and otherwise agree on the matching set, the total,
// every facet, the newest/oldest order, deep pages, random order (a
// reproducible permutation), and Get() of any turn. Every mismatch is
// reported with its query.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/index.h"
#include "engine/index_builder.h"
#include "engine/testing/query_generator.h"
#include "engine/testing/reference_search.h"
#include "engine/testing/test_corpus.h"

namespace wildchat::reference {
namespace {

constexpr int kConversations = 3000;
constexpr uint64_t kCorpusSeed = 20230409;
constexpr int kGeneratedQueries = 400;
constexpr size_t kMaxReported = 40;

struct Fixture {
  std::vector<Conversation> records;
  std::unique_ptr<ReferenceSearch> reference;
  std::string root;
  // Index built in one go, and the same records by four appends (two of
  // whose segments have no role postings and two no block impacts, as older
  // builds wrote them).
  std::unique_ptr<Index> whole, appended;
  std::vector<GeneratedQuery> queries;
  Status setup;
};

Fixture* fixture = nullptr;

Status BuildAll(Fixture* f) {
  f->root = ::testing::TempDir() + "/engine_agreement_" + std::to_string(getpid());
  std::filesystem::remove_all(f->root);
  std::filesystem::create_directories(f->root);
  IndexBuildOptions options;
  IndexBuildStats stats;
  WILDCHAT_RETURN_IF_ERROR(BuildIndexFromRecords(f->root + "/whole", f->records, options, &stats));
  // Uneven chunks so that segment boundaries fall anywhere.
  const size_t cuts[] = {0, 700, 1900, 2000, f->records.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    std::vector<Conversation> chunk(f->records.begin() + static_cast<ptrdiff_t>(cuts[i]),
                                    f->records.begin() + static_cast<ptrdiff_t>(cuts[i + 1]));
    options.append = i > 0;
    options.parts.role_postings = i % 2 == 0;
    options.parts.block_impacts = i % 3 != 0;
    options.parts.narrow_tables = i % 2 == 1;
    options.parts.plain_dictionaries = i % 2 == 0;
    options.plain_text = i == 2;  // one chunk's segments store texts uncoded
    WILDCHAT_RETURN_IF_ERROR(BuildIndexFromRecords(f->root + "/appended", chunk, options, &stats));
  }
  WILDCHAT_RETURN_IF_ERROR(Index::Open(f->root + "/whole", &f->whole));
  WILDCHAT_RETURN_IF_ERROR(Index::Open(f->root + "/appended", &f->appended));
  return Status::OK();
}

class EngineAgreementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture = new Fixture;
    fixture->records = MakeTestCorpus(kConversations, kCorpusSeed);
    fixture->reference = std::make_unique<ReferenceSearch>(&fixture->records);
    fixture->setup = BuildAll(fixture);
    fixture->queries = QueryGenerator::EdgeCases();
    // WILDCHAT_AGREEMENT_SEED=n explores another query sequence (and prints it).
    uint64_t seed = kCorpusSeed + 1;
    int count = kGeneratedQueries;
    if (const char* env = std::getenv("WILDCHAT_AGREEMENT_SEED")) {
      seed = std::strtoull(env, nullptr, 10);
      count *= 4;
      std::printf("query seed %llu, %d queries\n", static_cast<unsigned long long>(seed), count);
    }
    QueryGenerator generator(&fixture->records, seed);
    for (int i = 0; i < count; ++i) fixture->queries.push_back(generator.Next());
  }
  static void TearDownTestSuite() {
    if (!fixture->root.empty()) {
      fixture->whole.reset();
      fixture->appended.reset();
      std::filesystem::remove_all(fixture->root);
    }
    delete fixture;
    fixture = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(fixture->setup.ok()) << fixture->setup.ToString(); }

  std::vector<std::pair<std::string, const Index*>> Indexes() const {
    return {{"whole", fixture->whole.get()}, {"appended", fixture->appended.get()}};
  }
  const ReferenceSearch& ref() const { return *fixture->reference; }
  const std::vector<Conversation>& records() const { return fixture->records; }

  std::vector<int64_t> IdsOf(const std::vector<uint32_t>& rows) const {
    std::vector<int64_t> ids;
    for (uint32_t r : rows) ids.push_back(records()[r].id());
    return ids;
  }

  // Collects mismatches; fails once at the end with the first few.
  void Mismatch(const std::string& index, const GeneratedQuery& q, const std::string& what) {
    ++mismatches_;
    if (reported_.size() < kMaxReported) {
      reported_.push_back("[" + index + "] query <" + q.text + "> (" + q.kind + "): " + what);
    }
  }
  void TearDown() override {
    std::ostringstream out;
    for (const std::string& r : reported_) out << "  " << r << "\n";
    EXPECT_EQ(mismatches_, 0) << "engine and reference disagree:\n" << out.str();
  }

  int mismatches_ = 0;
  std::vector<std::string> reported_;
};

std::string Describe(const std::vector<int64_t>& ids, size_t max = 8) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size() && i < max; ++i) s += (i ? " " : "") + std::to_string(ids[i]);
  if (ids.size() > max) s += " … (" + std::to_string(ids.size()) + ")";
  return s + "]";
}

std::string DescribeFacet(const FacetCounts& counts) {
  std::string s;
  for (const auto& [value, n] : counts) s += value + "=" + std::to_string(n) + " ";
  return s;
}

std::vector<int64_t> Difference(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  std::vector<int64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

TEST_F(EngineAgreementTest, SameErrorsAndSameMatchingSets) {
  for (const auto& [name, index] : Indexes()) {
    ASSERT_EQ(index->NumDocs(), records().size()) << name;
    for (const GeneratedQuery& q : fixture->queries) {
      std::vector<uint32_t> rows;
      Status want = ref().Match(q.text, &rows);
      std::vector<uint32_t> docs;
      Status got = index->MatchingDocs(q.text, &docs);
      if (want.ok() != got.ok()) {
        Mismatch(name, q,
                 "reference " + (want.ok() ? std::string("accepts") : want.ToString()) +
                     ", engine " + (got.ok() ? std::string("accepts") : got.ToString()));
        continue;
      }
      if (!want.ok()) {
        if (got.code() != Status::Code::kInvalidArgument) {
          Mismatch(name, q, "engine error is not kInvalidArgument: " + got.ToString());
        }
        continue;
      }
      std::vector<int64_t> expected = IdsOf(rows);
      std::sort(expected.begin(), expected.end());
      std::vector<int64_t> actual;
      for (uint32_t d : docs) actual.push_back(index->DocId(d));
      std::sort(actual.begin(), actual.end());
      if (expected != actual) {
        Mismatch(name, q,
                 "reference " + std::to_string(expected.size()) + " matches, engine " +
                     std::to_string(actual.size()) + "; missing " +
                     Describe(Difference(expected, actual)) + ", extra " +
                     Describe(Difference(actual, expected)));
      }
    }
  }
}

TEST_F(EngineAgreementTest, SameTotalsAndFacets) {
  for (const auto& [name, index] : Indexes()) {
    for (const GeneratedQuery& q : fixture->queries) {
      SearchRequest req;
      req.query = q.text;
      req.limit = 1;
      req.sort = SortOrder::kNewest;
      req.facets = AllFacetFields();
      req.snippets = false;
      SearchResult want, got;
      Status ws = ref().Search(req, &want);
      Status gs = index->Search(req, &got);
      if (ws.ok() != gs.ok()) {
        Mismatch(name, q, "Search: reference " + ws.ToString() + ", engine " + gs.ToString());
        continue;
      }
      if (!ws.ok()) continue;
      if (want.total != got.total) {
        Mismatch(name, q,
                 "total: reference " + std::to_string(want.total) + ", engine " +
                     std::to_string(got.total));
      }
      if (got.facets.size() != want.facets.size()) {
        Mismatch(name, q, "engine returned " + std::to_string(got.facets.size()) + " facets");
        continue;
      }
      for (size_t i = 0; i < want.facets.size(); ++i) {
        if (got.facets[i].first != want.facets[i].first ||
            got.facets[i].second != want.facets[i].second) {
          Mismatch(name, q,
                   "facet " + want.facets[i].first + ": reference {" +
                       DescribeFacet(want.facets[i].second) + "}, engine " + got.facets[i].first +
                       " {" + DescribeFacet(got.facets[i].second) + "}");
        }
      }
    }
  }
}

std::vector<int64_t> HitIds(const SearchResult& r) {
  std::vector<int64_t> ids;
  for (const Hit& h : r.hits) ids.push_back(h.id);
  return ids;
}

TEST_F(EngineAgreementTest, SameNewestAndOldestOrderAndHitFields) {
  std::map<int64_t, const Conversation*> by_id;
  for (const Conversation& c : records()) by_id[c.id()] = &c;
  for (const GeneratedQuery& q : fixture->queries) {
    std::vector<uint32_t> rows;
    if (!ref().Match(q.text, &rows).ok()) continue;
    for (SortOrder sort : {SortOrder::kNewest, SortOrder::kOldest, SortOrder::kRelevance}) {
      // Relevance is modelled only without text terms: then it is newest first.
      if (sort == SortOrder::kRelevance && ref().HasTextTerms(q.text)) continue;
      std::vector<int64_t> want_ids = IdsOf(ref().Sorted(rows, sort != SortOrder::kOldest));
      const char* label = sort == SortOrder::kNewest   ? "newest"
                          : sort == SortOrder::kOldest ? "oldest"
                                                       : "relevance without text";
      for (const auto& [name, index] : Indexes()) {
        SearchRequest req;
        req.query = q.text;
        req.sort = sort;
        req.limit = static_cast<int64_t>(rows.size()) + 5;
        req.snippets = false;
        SearchResult got;
        Status st = index->Search(req, &got);
        if (!st.ok()) {
          Mismatch(name, q, "Search failed: " + st.ToString());
          continue;
        }
        std::vector<int64_t> got_ids = HitIds(got);
        if (want_ids != got_ids) {
          size_t at = 0;
          while (at < want_ids.size() && at < got_ids.size() && want_ids[at] == got_ids[at]) ++at;
          auto tail = [&](const std::vector<int64_t>& v) {
            return Describe(
                std::vector<int64_t>(v.begin() + static_cast<ptrdiff_t>(std::min(at, v.size())),
                                     v.end()),
                4);
          };
          Mismatch(name, q,
                   std::string(label) + " order differs at position " + std::to_string(at) +
                       ": reference " + tail(want_ids) + ", engine " + tail(got_ids));
          continue;
        }
        for (const Hit& b : got.hits) {
          const Conversation& a = *by_id.at(b.id);
          if (a.conversation_hash != b.conversation_hash || a.model != b.model ||
              a.timestamp != b.timestamp || a.language != b.language || a.country != b.country ||
              a.state != b.state || a.hashed_ip != b.hashed_ip || a.turn != b.turn ||
              IsTrue(a.toxic) != b.toxic || IsTrue(a.redacted) != b.redacted) {
            Mismatch(name, q, "hit fields differ for id " + std::to_string(b.id));
            break;
          }
        }
      }
    }
  }
}

TEST_F(EngineAgreementTest, DeepPagesAreTheRightSlice) {
  int checked = 0;
  for (const GeneratedQuery& q : fixture->queries) {
    std::vector<uint32_t> rows;
    if (!ref().Match(q.text, &rows).ok() || rows.size() < 40) continue;
    if (++checked > 80) break;
    const int64_t n = static_cast<int64_t>(rows.size());
    for (SortOrder sort : {SortOrder::kNewest, SortOrder::kOldest}) {
      std::vector<int64_t> all = IdsOf(ref().Sorted(rows, sort == SortOrder::kNewest));
      for (int64_t offset : {n / 2, n - 7, n, n + 30}) {
        std::vector<int64_t> want(all.begin() + std::min(offset, n),
                                  all.begin() + std::min(offset + 13, n));
        for (const auto& [name, index] : Indexes()) {
          SearchRequest req;
          req.query = q.text;
          req.sort = sort;
          req.offset = offset;
          req.limit = 13;
          req.snippets = false;
          SearchResult got;
          Status st = index->Search(req, &got);
          if (!st.ok() || HitIds(got) != want || got.total != rows.size()) {
            Mismatch(name, q,
                     "page offset " + std::to_string(offset) + " limit 13 " +
                         (sort == SortOrder::kNewest ? "newest" : "oldest") + ": reference " +
                         Describe(want) + ", engine " +
                         (st.ok() ? Describe(HitIds(got)) : st.ToString()));
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 50);
}

// Deep relevance pages select by a score cut-off instead of keeping a heap;
// they must be the same slices as the whole ranking in one page, which must
// itself be ordered by score (descending), ties by id.
TEST_F(EngineAgreementTest, DeepRelevancePagesAreSlicesOfTheWholeRanking) {
  int checked = 0;
  for (const GeneratedQuery& q : fixture->queries) {
    std::vector<uint32_t> rows;
    if (!ref().Match(q.text, &rows).ok() || rows.size() < 1100) continue;
    const Index& index = *fixture->whole;
    SearchRequest req;
    req.query = q.text;
    req.sort = SortOrder::kRelevance;
    req.limit = rows.size();
    req.snippets = false;
    SearchResult whole;
    ASSERT_TRUE(index.Search(req, &whole).ok()) << q.text;
    ASSERT_EQ(whole.hits.size(), rows.size()) << q.text;
    // Without scored terms (all scores 0) relevance means newest first.
    if (whole.hits.front().score == whole.hits.back().score) continue;
    for (size_t i = 1; i < whole.hits.size(); ++i) {
      const auto& a = whole.hits[i - 1];
      const auto& b = whole.hits[i];
      ASSERT_TRUE(a.score > b.score || (a.score == b.score && a.id < b.id))
          << q.text << " rank " << i;
    }
    const size_t n = rows.size();
    for (size_t offset : {size_t{990}, size_t{1000}, n / 2, n - 5}) {
      req.offset = offset;
      req.limit = 20;
      SearchResult page;
      ASSERT_TRUE(index.Search(req, &page).ok()) << q.text;
      std::vector<int64_t> want;
      for (size_t i = offset; i < std::min(n, offset + 20); ++i) want.push_back(whole.hits[i].id);
      EXPECT_EQ(HitIds(page), want) << q.text << " offset " << offset;
    }
    if (++checked == 12) break;
  }
  EXPECT_GE(checked, 5);
}

// Relevance against the documented BM25, which the reference computes for
// every match: each hit's score is the reference's score of its
// conversation, and rank i holds the i-th best score (so the page is the
// best-scoring matches; ties fall to ascending id, checked above).
TEST_F(EngineAgreementTest, RelevanceFollowsTheDocumentedBm25) {
  std::unordered_map<int64_t, uint32_t> row_of;
  for (uint32_t r = 0; r < records().size(); ++r) row_of[records()[r].id()] = r;
  auto near = [](double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
  };
  int checked = 0;
  for (const GeneratedQuery& q : fixture->queries) {
    std::vector<uint32_t> rows;
    std::vector<double> scores;
    if (!ref().Match(q.text, &rows).ok() || rows.empty()) continue;
    if (!ref().Scores(q.text, rows, &scores).ok()) continue;  // no scored term
    std::vector<double> best(scores);
    std::sort(best.begin(), best.end(), std::greater<>());
    for (const auto& [name, index] : Indexes()) {
      SearchRequest req;
      req.query = q.text;
      req.sort = SortOrder::kRelevance;
      req.limit = 20;
      req.snippets = false;
      SearchResult got;
      ASSERT_TRUE(index->Search(req, &got).ok()) << q.text;
      ASSERT_EQ(got.hits.size(), std::min<size_t>(20, rows.size())) << q.text;
      for (size_t i = 0; i < got.hits.size(); ++i) {
        const Hit& h = got.hits[i];
        const auto row = row_of.find(h.id);
        ASSERT_NE(row, row_of.end()) << q.text;
        const auto at = std::lower_bound(rows.begin(), rows.end(), row->second);
        ASSERT_TRUE(at != rows.end() && *at == row->second) << q.text << ": hit is no match";
        const double own = scores[static_cast<size_t>(at - rows.begin())];
        EXPECT_TRUE(near(h.score, own))
            << name << " " << q.text << " rank " << i << ": " << h.score << " vs " << own;
        EXPECT_TRUE(near(h.score, best[i]))
            << name << " " << q.text << " rank " << i << ": " << h.score << " vs best " << best[i];
      }
    }
    if (++checked == 150) break;
  }
  EXPECT_GE(checked, 60);
}

TEST_F(EngineAgreementTest, RandomAndRelevanceOrdersArePermutationsOfTheMatches) {
  for (const auto& [name, index] : Indexes()) {
    int index_of_query = 0;
    for (const GeneratedQuery& q : fixture->queries) {
      if (index_of_query++ % 3 != 0) continue;
      std::vector<uint32_t> rows;
      if (!ref().Match(q.text, &rows).ok()) continue;
      std::vector<int64_t> expected = IdsOf(rows);
      std::sort(expected.begin(), expected.end());
      for (SortOrder sort : {SortOrder::kRandom, SortOrder::kRelevance}) {
        SearchRequest req;
        req.query = q.text;
        req.sort = sort;
        req.seed = 12345;
        req.limit = static_cast<int64_t>(rows.size()) + 1;
        req.snippets = false;
        SearchResult first, second;
        Status st = index->Search(req, &first);
        if (!st.ok() || !index->Search(req, &second).ok()) {
          Mismatch(name, q, "Search failed: " + st.ToString());
          continue;
        }
        std::vector<int64_t> a, b;
        for (const Hit& h : first.hits) a.push_back(h.id);
        for (const Hit& h : second.hits) b.push_back(h.id);
        const char* label = sort == SortOrder::kRandom ? "random" : "relevance";
        if (a != b) Mismatch(name, q, std::string(label) + " order is not reproducible");
        std::sort(a.begin(), a.end());
        if (a != expected) {
          Mismatch(name, q,
                   std::string(label) + " hits are not the matching set: reference " +
                       std::to_string(expected.size()) + ", engine " + std::to_string(a.size()) +
                       " (" + std::to_string(first.total) + " total)");
        }
        if (sort == SortOrder::kRandom && rows.size() > 5) {
          // A page of a random order is the same slice of the same order.
          req.offset = 2;
          req.limit = 3;
          SearchResult page;
          std::vector<int64_t> want_slice, got_slice;
          for (size_t i = 2; i < 5; ++i) want_slice.push_back(first.hits[i].id);
          if (index->Search(req, &page).ok()) {
            for (const Hit& h : page.hits) got_slice.push_back(h.id);
          }
          if (want_slice != got_slice) {
            Mismatch(name, q, "random page offset 2 limit 3 is not the slice of the full order");
          }
        }
      }
    }
  }
}

TEST_F(EngineAgreementTest, GetReturnsTheIdenticalRecordForAnyTurn) {
  for (const auto& [name, index] : Indexes()) {
    int failures = 0;
    for (size_t row = 0; row < records().size(); row += 7) {
      const Conversation& want = records()[row];
      for (const Utterance& u : want.conversation) {
        Conversation got;
        Status st = index->Get(u.turn_identifier, &got);
        std::optional<uint32_t> doc = index->DocOf(u.turn_identifier);
        bool ok = st.ok() && got == want && doc && index->DocId(*doc) == want.id();
        if (!ok && failures++ < 5) {
          ADD_FAILURE() << "[" << name << "] Get/DocOf(" << u.turn_identifier
                        << ") of conversation " << want.id() << ": "
                        << (st.ok() ? "record differs" : st.ToString());
        }
      }
    }
    Conversation none;
    EXPECT_EQ(index->Get(1, &none).code(), Status::Code::kNotFound) << name;
    EXPECT_FALSE(index->DocOf(1).has_value()) << name;
  }
}

}  // namespace
}  // namespace wildchat::reference
