// regex_bench: times queries over an existing index one at a time, the way
// peers_bench runs them (newest first, 30 results, no snippets), after one
// warm-up pass. A regex's prefilter and verification use up to four threads
// of their own, so its wall time is the figure; the CPU time printed is the
// calling thread's. Prints per-query CPU and wall time, then median and p90.
//   regex_bench --index DIR --queries FILE [--repeat 1] [--warmup 1]
//               [--relevance | --sort newest|oldest|random|relevance]
//               [--offset N] [--snippets]
// (--relevance: BM25 order instead of newest; any query can be timed this way.)
// FILE holds one query per line, or is a peers_bench query_mix.jsonl (its
// "regex" lines are used).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "base/allocator.h"
#include "engine/index.h"

using namespace wildchat;

namespace {

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double WallMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// The string value of "key" in one flat JSON object line (escapes \\ \" \/).
bool JsonField(const std::string& line, const std::string& key, std::string* out) {
  const std::string tag = "\"" + key + "\":\"";
  size_t i = line.find(tag);
  if (i == std::string::npos) return false;
  out->clear();
  for (i += tag.size(); i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    out->push_back(line[i]);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  wildchat::KeepLargeAllocations();  // as the wildchat binary does
  std::string dir, file;
  int repeat = 1, warmup = 1;
  bool snippets = false;
  SortOrder sort = SortOrder::kNewest;
  uint64_t offset = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--index") && i + 1 < argc)
      dir = argv[++i];
    else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc)
      file = argv[++i];
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--warmup") && i + 1 < argc)
      warmup = std::max(0, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--offset") && i + 1 < argc)
      offset = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--relevance"))
      sort = SortOrder::kRelevance;
    else if (!std::strcmp(argv[i], "--sort") && i + 1 < argc && ParseSortOrder(argv[i + 1], &sort))
      ++i;
    else if (!std::strcmp(argv[i], "--snippets"))
      snippets = true;
  }
  if (dir.empty() || file.empty()) {
    std::fprintf(stderr,
                 "usage: regex_bench --index DIR --queries FILE [--repeat N] [--warmup N]\n");
    return 2;
  }
  std::vector<std::string> queries;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::string kind, q;
    if (!line.empty() && line[0] == '{') {
      if (JsonField(line, "kind", &kind) && kind == "regex" && JsonField(line, "wildchat", &q))
        queries.push_back(q);
    } else if (!line.empty()) {
      queries.push_back(line);
    }
  }
  std::unique_ptr<Index> index;
  const double open0 = WallMs();
  Status st = Index::Open(dir, &index);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("open %.1f ms, %zu queries\n", WallMs() - open0, queries.size());
  index->SetQueryCacheBytes(0);  // repeated queries are evaluated again, not cached
  auto run = [&](const std::string& q, uint64_t* total) {
    SearchRequest req;
    req.query = q;
    req.sort = sort;
    req.seed = 7;
    req.limit = 30;
    req.offset = offset;
    req.snippets = snippets;
    SearchResult res;
    Status s = index->Search(req, &res);
    if (!s.ok()) std::fprintf(stderr, "%s: %s\n", q.c_str(), s.ToString().c_str());
    *total = res.total;
  };
  uint64_t total = 0;
  for (int w = 0; w < warmup; ++w) {
    for (const std::string& q : queries) run(q, &total);
  }
  std::vector<double> cpu, wall;
  for (int r = 0; r < repeat; ++r) {
    for (const std::string& q : queries) {
      const double c0 = ThreadCpuMs(), w0 = WallMs();
      run(q, &total);
      cpu.push_back(ThreadCpuMs() - c0);
      wall.push_back(WallMs() - w0);
      std::printf("%9.1f ms cpu %9.1f ms wall %8llu matches  %s\n", cpu.back(), wall.back(),
                  static_cast<unsigned long long>(total), q.c_str());
    }
  }
  std::printf("regex n=%zu CPU median %.1f ms p90 %.1f ms; wall median %.1f ms p90 %.1f ms\n",
              cpu.size(), Percentile(cpu, 0.5), Percentile(cpu, 0.9), Percentile(wall, 0.5),
              Percentile(wall, 0.9));
  return 0;
}
