// engine_bench: builds an index over a generated corpus (or reuses one) and
// times a query mix single-threaded: single words of every frequency, 2-3
// word ANDs, phrases, filters alone, words + filters, facets, deep pages; and
// regexes separately. Prints build time, index size, open time, median/p99.
//   engine_bench --docs 100000 --dir /tmp/idx [--reuse] [--queries 1000]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/allocator.h"
#include "engine/index.h"
#include "engine/index_builder.h"
#include "engine/text/tokenizer.h"
#include "gen/corpus_generator.h"

using namespace wildchat;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  wildchat::KeepLargeAllocations();  // as the wildchat binary does
  uint64_t docs = 100000;
  std::string dir = "/tmp/wildchat_engine_bench";
  bool reuse = false;
  int queries = 1000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--docs") && i + 1 < argc)
      docs = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!std::strcmp(argv[i], "--reuse"))
      reuse = true;
    else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc)
      queries = std::atoi(argv[++i]);
  }
  GenOptions go;
  go.conversations = docs;
  go.seed = 1;
  CorpusGenerator gen(go);
  if (!reuse) {
    std::vector<Conversation> records(docs);
    double t = Now();
    for (uint64_t i = 0; i < docs; ++i) records[i] = gen.Generate(i);
    std::printf("generated %llu conversations in %.1f s\n", static_cast<unsigned long long>(docs),
                Now() - t);
    IndexBuildStats stats;
    IndexBuildOptions opts;
    t = Now();
    const Status st = BuildIndexFromRecords(dir, records, opts, &stats);
    if (!st.ok()) {
      std::fprintf(stderr, "build: %s\n", st.ToString().c_str());
      return 1;
    }
    std::printf("build: %.1f s, index %.1f MB\n", Now() - t, stats.index_bytes / 1e6);
  }
  double t = Now();
  std::unique_ptr<Index> index;
  Status st = Index::Open(dir, &index);
  if (!st.ok()) {
    std::fprintf(stderr, "open: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("open: %.1f ms, %u docs\n", (Now() - t) * 1e3, index->NumDocs());
  index->SetQueryCacheBytes(0);  // time evaluation, not the cache

  // Vocabulary by frequency from a sample of the corpus.
  std::map<std::string, int> freq;
  std::vector<std::vector<std::string>> phrases;
  for (uint64_t i = 0; i < std::min<uint64_t>(docs, 3000); ++i) {
    Conversation c = gen.Generate(i * (docs / std::min<uint64_t>(docs, 3000)));
    for (const Utterance& u : c.conversation) {
      std::vector<std::string> toks;
      Tokenize(u.content, [&](const Token& tk) { toks.emplace_back(tk.folded); });
      for (const auto& w : toks) ++freq[w];
      if (toks.size() >= 3 && phrases.size() < 500) {
        const size_t at = static_cast<size_t>(i) % (toks.size() - 2);
        phrases.push_back({toks[at], toks[at + 1], toks[at + 2 - (i % 2)]});
      }
    }
  }
  std::vector<std::pair<int, std::string>> byfreq;
  for (auto& [w, n] : freq) byfreq.emplace_back(-n, w);
  std::sort(byfreq.begin(), byfreq.end());
  std::mt19937_64 rng(42);
  auto word = [&]() {
    // Log-uniform rank: words of every frequency.
    const double r =
        std::exp(std::uniform_real_distribution<double>(0, std::log(byfreq.size()))(rng));
    return byfreq[std::min(byfreq.size() - 1, static_cast<size_t>(r) - 1 + 0)].second;
  };
  const char* filters[] = {"language:English",
                           "language:Chinese",
                           "model:gpt-4*",
                           "turns:>=3",
                           "date:2023-06",
                           "toxic:true",
                           "country:\"United States\"",
                           "mod.harassment>0.1",
                           "redacted:true",
                           "date:2024-01..2024-03"};
  std::vector<SearchRequest> mix;
  for (int i = 0; i < queries; ++i) {
    SearchRequest r;
    const int kind = i % 20;
    if (kind < 6)
      r.query = word();
    else if (kind < 10)
      r.query = word() + " " + word() + (kind % 2 ? " " + word() : "");
    else if (kind < 12) {
      const auto& p = phrases[rng() % phrases.size()];
      r.query = "\"" + p[0] + " " + p[1] + " " + p[2] + "\"";
    } else if (kind < 14)
      r.query = filters[rng() % 10];
    else if (kind < 17)
      r.query = word() + " " + filters[rng() % 10];
    else if (kind < 19) {
      r.query = word();
      r.facets = {"model", "language", "country", "turns", "month"};
    } else {
      r.query = i % 40 < 20 ? "" : word();
      r.offset = static_cast<int64_t>(index->NumDocs() / 2);
      r.sort = SortOrder::kNewest;
    }
    if (i % 3 == 0 && r.facets.empty()) r.facets = {"language", "model"};
    mix.push_back(r);
  }
  std::vector<double> times;
  uint64_t total = 0;
  for (const SearchRequest& r : mix) {
    SearchResult res;
    const double q0 = Now();
    st = index->Search(r, &res);
    times.push_back((Now() - q0) * 1e3);
    if (!st.ok()) std::fprintf(stderr, "%s: %s\n", r.query.c_str(), st.ToString().c_str());
    total += res.total;
  }
  std::printf(
      "mix of %zu queries: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (matches %llu)\n",
      mix.size(), Percentile(times, 0.5), Percentile(times, 0.9), Percentile(times, 0.99),
      Percentile(times, 1.0), static_cast<unsigned long long>(total));
  // Single-conversation fetch (`wildchat get`, snippets): random documents.
  {
    SearchRequest r;
    r.sort = SortOrder::kRandom;
    r.limit = 1000;
    SearchResult res;
    st = index->Search(r, &res);
    std::vector<double> gtimes;
    for (const Hit& h : res.hits) {
      Conversation c;
      const double g0 = Now();
      st = index->Get(h.id, &c);
      gtimes.push_back((Now() - g0) * 1e3);
      if (!st.ok())
        std::fprintf(stderr, "get %lld: %s\n", static_cast<long long>(h.id), st.ToString().c_str());
    }
    std::printf("get of %zu documents: median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                gtimes.size(), Percentile(gtimes, 0.5), Percentile(gtimes, 0.9),
                Percentile(gtimes, 0.99), Percentile(gtimes, 1.0));
  }
  const char* regexes[] = {"/sk-[A-Za-z0-9]{20,}/",
                           "/[0-9]{3}-[0-9]{4}/",
                           "/(?i)hello world/",
                           "/https?:\\/\\/[a-z]+\\.com/",
                           "/\\bdef [a-z_]+\\(/",
                           "/[A-Z][a-z]+ [A-Z][a-z]+/ language:French",
                           "/@gmail\\.com/",
                           "/(?i)as an ai/ model:gpt-4*",
                           "/北京/",
                           "/<\\/?div>/"};
  std::vector<double> rtimes;
  for (const char* q : regexes) {
    SearchRequest r;
    r.query = q;
    SearchResult res;
    const double q0 = Now();
    st = index->Search(r, &res);
    rtimes.push_back((Now() - q0) * 1e3);
    std::printf("  regex %-40s %8llu matches %9.1f ms\n", q,
                static_cast<unsigned long long>(res.total), rtimes.back());
  }
  std::printf("regex median %.1f ms\n", Percentile(rtimes, 0.5));
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("max RSS %.0f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
