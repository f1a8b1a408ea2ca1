// peers_bench: wildchat side by side with SQLite FTS5 and DuckDB on the same
// records and the same query mix (query_mix.h), single-threaded.
//
//   peers_bench --generate N SEED corpus.jsonl.zst   (the synthetic corpus)
//   peers_bench --input corpus.jsonl.zst --work DIR [--queries 1000] [--seed 1]
//               [--parquet corpus.parquet] [--skip-sqlite] [--skip-duckdb]
//               [--duckdb-stride 10] [--duckdb-budget 300] [--modules tests/node]
//               [--reuse] [--skip-regex]
//
// --reuse keeps a wildchat index / FTS5 database / Parquet file already in
// DIR from an earlier run (their build figures are then not re-measured).
//
// Builds run as child processes (this binary re-executed with --build-*) so
// that their wall time and peak RSS are their own. Query latency is timed
// around the library call (wildchat, SQLite) or inside node (DuckDB). Writes
// DIR/query_mix.jsonl, DIR/peers_results.md and prints the results.
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/allocator.h"
#include "engine/index.h"
#include "engine/index_builder.h"
#include "gen/corpus_generator.h"
#include "io/record_files.h"
#include "peers/query_mix.h"
#include "peers/sqlite_peer.h"

namespace wildchat::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// CPU time of the calling thread: robust to other processes on the machine.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct ChildRun {
  bool ok = false;
  double seconds = 0;
  double cpu_seconds = 0;
  long max_rss_kb = 0;
};

// Runs argv (argv[0] is the program path) with stdout to `out_path` when set.
ChildRun Spawn(const std::vector<std::string>& argv, const std::string& out_path = "") {
  ChildRun r;
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (!out_path.empty() && !freopen(out_path.c_str(), "w", stdout)) _exit(127);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || wait4(pid, &status, 0, &usage) < 0) return r;
  r.seconds = MsSince(start) / 1000;
  r.max_rss_kb = usage.ru_maxrss;
  r.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

uint64_t SizeOf(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// Works even when the binary was replaced on disk since it started.
std::string SelfPath() {
  return "/proc/self/exe";
}

struct Latencies {
  std::vector<double> ms, cpu_ms;
  double Percentile(double p, bool cpu = false) const {
    if (ms.empty()) return 0;
    std::vector<double> v = cpu ? cpu_ms : ms;
    std::sort(v.begin(), v.end());
    size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
  }
};

std::string Fixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Mb(uint64_t bytes) {
  return Fixed(static_cast<double>(bytes) / 1e6, 1) + " MB";
}

int BuildWildchatChild(const std::string& input, const std::string& dir) {
  IndexBuildOptions options;
  options.threads = 2;
  IndexBuildStats stats;
  Status st = BuildIndex(dir, {input}, options, &stats);
  if (!st.ok()) {
    std::fprintf(stderr, "wildchat build: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(stats.conversations));
  return 0;
}

int BuildSqliteChild(const std::string& input, const std::string& db) {
  uint64_t n = 0;
  Status st = BuildSqliteFts(input, db, &n);
  if (!st.ok()) {
    std::fprintf(stderr, "sqlite build: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(n));
  return 0;
}

Status ReadSample(const std::string& input, size_t n, std::vector<Conversation>* out) {
  std::unique_ptr<RecordReader> reader;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordReader(input, ReadOptions{}, &reader));
  Conversation c;
  while (out->size() < n) {
    bool done = false;
    WILDCHAT_RETURN_IF_ERROR(reader->Next(&c, &done));
    if (done) break;
    out->push_back(c);
  }
  return Status::OK();
}

Status ConvertToParquet(const std::string& input, const std::string& parquet) {
  std::unique_ptr<RecordReader> reader;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordReader(input, ReadOptions{}, &reader));
  std::unique_ptr<RecordWriter> writer;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordWriter(parquet, WriteOptions{}, &writer));
  Conversation c;
  for (;;) {
    bool done = false;
    WILDCHAT_RETURN_IF_ERROR(reader->Next(&c, &done));
    if (done) break;
    WILDCHAT_RETURN_IF_ERROR(writer->Write(c));
  }
  return writer->Close();
}

// The synthetic corpus (gen/corpus_generator.h, as `wildchat gen` writes it),
// generated on two threads in blocks and written in order.
int GenerateChild(uint64_t n, uint64_t seed, const std::string& out) {
  GenOptions g;
  g.conversations = n;
  g.seed = seed;
  CorpusGenerator gen(g);
  std::unique_ptr<RecordWriter> writer;
  Status st = OpenRecordWriter(out, WriteOptions{}, &writer);
  constexpr uint64_t kBlock = 2048;
  std::vector<Conversation> block;
  for (uint64_t start = 0; st.ok() && start < n; start += kBlock) {
    uint64_t end = std::min(n, start + kBlock);
    block.assign(end - start, Conversation());
    std::thread helper([&] {
      for (uint64_t i = start + 1; i < end; i += 2) block[i - start] = gen.Generate(i);
    });
    for (uint64_t i = start; i < end; i += 2) block[i - start] = gen.Generate(i);
    helper.join();
    for (const Conversation& c : block) {
      if (st.ok()) st = writer->Write(c);
    }
  }
  if (st.ok()) st = writer->Close();
  if (!st.ok()) {
    std::fprintf(stderr, "generate: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

struct Options {
  std::string input, work, parquet, modules = "tests/node";
  int queries = 1000;
  uint64_t seed = 1;
  bool skip_sqlite = false, skip_duckdb = false, skip_regex = false, reuse = false;
  int duckdb_stride = 10;
  int duckdb_budget = 300;
};

// Per-system latencies by query kind; "all" excludes regexes.
using ByKind = std::map<std::string, Latencies>;

void Add(ByKind* by, const MixQuery& q, double ms, double cpu_ms) {
  for (const std::string& k : {q.kind, std::string(q.kind == "regex" ? "" : "all")}) {
    if (k.empty()) continue;
    (*by)[k].ms.push_back(ms);
    (*by)[k].cpu_ms.push_back(cpu_ms);
  }
}

int Main(const Options& o) {
  fs::create_directories(o.work);
  std::ostringstream report;
  auto line = [&](const std::string& s) {
    report << s << "\n";
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
  };
  uint64_t input_bytes = SizeOf(o.input);
  line("# peers_bench: " + o.input + " (" + Mb(input_bytes) + ")");
  line("");

  // --- wildchat build
  std::string index_dir = o.work + "/wildchat_index";
  const bool reuse_index = o.reuse && fs::exists(index_dir + "/MANIFEST");
  if (!reuse_index) fs::remove_all(index_dir);
  ChildRun wb = reuse_index ? ChildRun{true, 0, 0, 0}
                            : Spawn({SelfPath(), "--build-wildchat", o.input, index_dir});
  if (!wb.ok) {
    std::fprintf(stderr, "wildchat index build failed\n");
    return 1;
  }
  uint64_t index_bytes = SizeOf(index_dir);
  // Interim figures as each phase ends, so a long run still reports something.
  auto interim = [&](const std::string& what) {
    std::printf("[%s]\n", what.c_str());
    std::fflush(stdout);
  };
  interim("wildchat build: " + Fixed(wb.seconds, 1) + " s wall, " + Fixed(wb.cpu_seconds, 1) +
          " s CPU, peak RSS " + Mb(static_cast<uint64_t>(wb.max_rss_kb) * 1024) + ", index " +
          Mb(index_bytes));
  auto interim_latencies = [&](const std::string& system, const ByKind& by) {
    for (const auto& [kind, l] : by) {
      interim(system + " " + kind + " n=" + std::to_string(l.ms.size()) + " p50 " +
              Fixed(l.Percentile(0.5), 3) + " p90 " + Fixed(l.Percentile(0.9), 3) + " p99 " +
              Fixed(l.Percentile(0.99), 3) + " ms; CPU p50 " + Fixed(l.Percentile(0.5, true), 3) +
              " p90 " + Fixed(l.Percentile(0.9, true), 3) + " p99 " +
              Fixed(l.Percentile(0.99, true), 3) + " ms");
    }
  };

  // The zstd-compressed JSONL, the smallest plain form of the data.
  uint64_t zst_bytes = 0;
  if (o.input.ends_with(".zst")) {
    zst_bytes = input_bytes;
  } else if (o.input.ends_with(".jsonl")) {
    std::string zst = o.work + "/corpus.jsonl.zst";
    if (Spawn({"zstd", "-3", "-T1", "-q", "-f", "-o", zst, o.input}).ok) zst_bytes = SizeOf(zst);
  }

  std::vector<Conversation> sample;
  Status st = ReadSample(o.input, 20000, &sample);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::vector<MixQuery> mix = BuildQueryMix(sample, o.queries, o.seed);
  if (o.skip_regex) {
    std::erase_if(mix, [](const MixQuery& q) { return q.kind == "regex"; });
  }
  sample.clear();
  sample.shrink_to_fit();
  std::string mix_path = o.work + "/query_mix.jsonl";
  std::ofstream(mix_path) << MixToJsonLines(mix);

  // --- wildchat open + queries
  std::unique_ptr<Index> index;
  auto open_start = Clock::now();
  st = Index::Open(index_dir, &index);
  double open_ms = MsSince(open_start);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  index->SetQueryCacheBytes(0);  // the mix repeats queries: time evaluation, not the cache
  auto run_wildchat = [&](const MixQuery& q, int64_t* count) {
    SearchRequest req;
    req.query = q.Wildchat();
    req.sort = SortOrder::kNewest;
    req.limit = 30;
    req.offset = q.offset;
    req.snippets = false;
    if (q.facet) req.facets = {"language"};
    SearchResult res;
    Status s = index->Search(req, &res);
    if (!s.ok())
      std::fprintf(stderr, "wildchat: %s: %s\n", req.query.c_str(), s.ToString().c_str());
    *count = static_cast<int64_t>(res.total);
  };
  int64_t ignored = 0;
  for (size_t i = 0; i < mix.size() && i < 50; ++i) run_wildchat(mix[i], &ignored);  // warm-up
  ByKind wild;
  std::vector<int64_t> wild_counts(mix.size(), -1);
  std::vector<double> wild_ms(mix.size(), 0), wild_cpu(mix.size(), 0);
  for (size_t i = 0; i < mix.size(); ++i) {
    auto t = Clock::now();
    double c = ThreadCpuMs();
    run_wildchat(mix[i], &wild_counts[i]);
    wild_cpu[i] = ThreadCpuMs() - c;
    wild_ms[i] = MsSince(t);
    Add(&wild, mix[i], wild_ms[i], wild_cpu[i]);
  }

  interim("wildchat Index::Open " + Fixed(open_ms, 2) + " ms");
  interim_latencies("wildchat", wild);

  // --- SQLite FTS5
  ChildRun sb;
  uint64_t sqlite_bytes = 0;
  ByKind lite;
  int same_count = 0, compared = 0;
  if (!o.skip_sqlite) {
    std::string db = o.work + "/fts5.sqlite";
    sb = o.reuse && fs::exists(db) ? ChildRun{true, 0, 0, 0}
                                   : Spawn({SelfPath(), "--build-sqlite", o.input, db});
    sqlite_bytes = SizeOf(db);
    SqlitePeer peer;
    if (sb.ok && peer.Open(db).ok()) {
      for (size_t i = 0; i < mix.size() && i < 50; ++i) {
        if (mix[i].kind != "regex") (void)peer.Run(mix[i], &ignored);
      }
      for (size_t i = 0; i < mix.size(); ++i) {
        if (mix[i].kind == "regex") continue;
        int64_t count = -1;
        auto t = Clock::now();
        double c = ThreadCpuMs();
        Status s = peer.Run(mix[i], &count);
        double cpu = ThreadCpuMs() - c;
        double ms = MsSince(t);
        if (!s.ok()) {
          std::fprintf(stderr, "sqlite: %s\n", s.ToString().c_str());
          continue;
        }
        Add(&lite, mix[i], ms, cpu);
        ++compared;
        same_count += count == wild_counts[i];
      }
    }
  }

  if (!o.skip_sqlite) {
    interim("sqlite build: " + Fixed(sb.seconds, 1) + " s wall, " + Fixed(sb.cpu_seconds, 1) +
            " s CPU, peak RSS " + Mb(static_cast<uint64_t>(sb.max_rss_kb) * 1024) + ", db " +
            Mb(sqlite_bytes) + "; same totals " + std::to_string(same_count) + "/" +
            std::to_string(compared));
    interim_latencies("sqlite", lite);
  }

  // --- DuckDB over Parquet, in node
  ByKind duck, wild_on_duck_subset;
  double parquet_seconds = 0;
  uint64_t parquet_bytes = 0;
  int duck_same = 0, duck_compared = 0;
  if (!o.skip_duckdb) {
    std::string parquet = o.parquet;
    if (parquet.empty() && o.input.ends_with(".parquet")) parquet = o.input;
    if (parquet.empty()) {
      parquet = o.work + "/corpus.parquet";
    }
    if (parquet == o.work + "/corpus.parquet" && !(o.reuse && fs::exists(parquet))) {
      auto t = Clock::now();
      st = ConvertToParquet(o.input, parquet);
      parquet_seconds = MsSince(t) / 1000;
      if (!st.ok()) std::fprintf(stderr, "parquet: %s\n", st.ToString().c_str());
    }
    parquet_bytes = SizeOf(parquet);
    std::string script = fs::path(WILDCHAT_PEERS_DIR) / "duckdb_peer.mjs";
    std::string out = o.work + "/duckdb_times.tsv";
    ChildRun dr = Spawn({"node", script, "--modules", o.modules, "--parquet", parquet, "--mix",
                         mix_path, "--stride", std::to_string(o.duckdb_stride), "--budget",
                         std::to_string(o.duckdb_budget), "--threads", "1"},
                        out);
    if (!dr.ok) std::fprintf(stderr, "duckdb run failed (see stderr above)\n");
    std::ifstream in(out);
    size_t i = 0;
    double ms = 0, cpu = 0;
    int64_t count = 0;
    while (in >> i >> ms >> cpu >> count) {
      if (i >= mix.size()) continue;
      Add(&duck, mix[i], ms, cpu);
      Add(&wild_on_duck_subset, mix[i], wild_ms[i], wild_cpu[i]);
      if (mix[i].kind != "regex") {
        ++duck_compared;
        duck_same += count == wild_counts[i];
      }
    }
  }

  // --- report
  auto conversations = index->NumDocs();
  line("## Build (" + std::to_string(conversations) + " conversations, input " + Mb(input_bytes) +
       ")");
  line("");
  line("| system | build wall | build CPU | peak RSS | on disk |");
  line("|---|---|---|---|---|");
  line("| wildchat index (2 threads) | " + Fixed(wb.seconds, 1) + " s | " +
       Fixed(wb.cpu_seconds, 1) + " s | " + Mb(static_cast<uint64_t>(wb.max_rss_kb) * 1024) +
       " | " + Mb(index_bytes) + " |");
  if (!o.skip_sqlite) {
    line("| SQLite FTS5 | " + Fixed(sb.seconds, 1) + " s | " + Fixed(sb.cpu_seconds, 1) + " s | " +
         Mb(static_cast<uint64_t>(sb.max_rss_kb) * 1024) + " | " + Mb(sqlite_bytes) + " |");
  }
  if (!o.skip_duckdb) {
    line("| Parquet for DuckDB (zstd) | " +
         (parquet_seconds > 0 ? Fixed(parquet_seconds, 1) + " s" : std::string("given")) +
         " | – | – | " + Mb(parquet_bytes) + " |");
  }
  if (zst_bytes) line("| JSONL, zstd | – | – | – | " + Mb(zst_bytes) + " |");
  line("");
  line("wildchat index / zstd JSONL = " +
       (zst_bytes ? Fixed(static_cast<double>(index_bytes) / static_cast<double>(zst_bytes))
                  : "n/a") +
       "; Index::Open " + Fixed(open_ms, 2) + " ms");
  line("");
  line("## Query mix, single-threaded: count + 30 newest rows [+ language facet]");
  line("");
  line("Milliseconds; wall time, and CPU time of the querying thread (the fair figure on a");
  line("shared machine). Ratio = peer CPU p50 / wildchat CPU p50.");
  line("");
  line(
      "| kind | n | wildchat p50 | p90 | p99 | CPU p50 | FTS5 p50 | p90 | p99 | CPU p50 | ratio |");
  line("|---|---|---|---|---|---|---|---|---|---|---|");
  auto ms = [](const Latencies& l, double p, bool cpu = false) {
    return Fixed(l.Percentile(p, cpu), 3);
  };
  for (const auto& [kind, lat] : wild) {
    std::string row = "| " + kind + " | " + std::to_string(lat.ms.size()) + " | " + ms(lat, 0.5) +
                      " | " + ms(lat, 0.9) + " | " + ms(lat, 0.99) + " | " + ms(lat, 0.5, true) +
                      " | ";
    if (lite.count(kind)) {
      const Latencies& l = lite.at(kind);
      row += ms(l, 0.5) + " | " + ms(l, 0.9) + " | " + ms(l, 0.99) + " | " + ms(l, 0.5, true) +
             " | " + Fixed(l.Percentile(0.5, true) / std::max(1e-6, lat.Percentile(0.5, true)), 1) +
             "× |";
    } else {
      row += "n/a | | | | |";
    }
    line(row);
  }
  if (!o.skip_sqlite) {
    line("");
    line("Same total as wildchat: FTS5 " + std::to_string(same_count) + "/" +
         std::to_string(compared) + " queries.");
  }
  if (!duck.empty()) {
    line("");
    line("## DuckDB (ILIKE over Parquet, 1 thread) on every " + std::to_string(o.duckdb_stride) +
         "th query + all regexes, vs wildchat on the same queries");
    line("");
    line("| kind | n | DuckDB p50 | p90 | CPU p50 | wildchat p50 | CPU p50 | ratio (CPU p50) |");
    line("|---|---|---|---|---|---|---|---|");
    for (const auto& [kind, lat] : duck) {
      const Latencies& w = wild_on_duck_subset[kind];
      line("| " + kind + " | " + std::to_string(lat.ms.size()) + " | " +
           Fixed(lat.Percentile(0.5), 1) + " | " + Fixed(lat.Percentile(0.9), 1) + " | " +
           Fixed(lat.Percentile(0.5, true), 1) + " | " + ms(w, 0.5) + " | " + ms(w, 0.5, true) +
           " | " + Fixed(lat.Percentile(0.5, true) / std::max(1e-6, w.Percentile(0.5, true)), 0) +
           "× |");
    }
    line("");
    line("Same total as wildchat: DuckDB ILIKE " + std::to_string(duck_same) + "/" +
         std::to_string(duck_compared) + " (ILIKE matches substrings, not tokens).");
  }
  std::ofstream(o.work + "/peers_results.md") << report.str();
  return 0;
}

}  // namespace
}  // namespace wildchat::bench

int main(int argc, char** argv) {
  wildchat::KeepLargeAllocations();  // as the wildchat binary does
  using wildchat::bench::Options;
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 3 && a[0] == "--build-wildchat") {
    return wildchat::bench::BuildWildchatChild(a[1], a[2]);
  }
  if (a.size() == 3 && a[0] == "--build-sqlite") {
    return wildchat::bench::BuildSqliteChild(a[1], a[2]);
  }
  if (a.size() == 4 && a[0] == "--generate") {
    return wildchat::bench::GenerateChild(std::strtoull(a[1].c_str(), nullptr, 10),
                                          std::strtoull(a[2].c_str(), nullptr, 10), a[3]);
  }
  Options o;
  for (size_t i = 0; i < a.size(); ++i) {
    auto value = [&]() -> std::string { return i + 1 < a.size() ? a[++i] : ""; };
    if (a[i] == "--input")
      o.input = value();
    else if (a[i] == "--work")
      o.work = value();
    else if (a[i] == "--parquet")
      o.parquet = value();
    else if (a[i] == "--modules")
      o.modules = value();
    else if (a[i] == "--queries")
      o.queries = std::atoi(value().c_str());
    else if (a[i] == "--seed")
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a[i] == "--skip-sqlite")
      o.skip_sqlite = true;
    else if (a[i] == "--skip-duckdb")
      o.skip_duckdb = true;
    else if (a[i] == "--reuse")
      o.reuse = true;
    else if (a[i] == "--skip-regex")
      o.skip_regex = true;
    else if (a[i] == "--duckdb-stride")
      o.duckdb_stride = std::max(1, std::atoi(value().c_str()));
    else if (a[i] == "--duckdb-budget")
      o.duckdb_budget = std::atoi(value().c_str());
    else {
      std::fprintf(stderr, "peers_bench: unknown argument %s\n", a[i].c_str());
      return 2;
    }
  }
  if (o.input.empty() || o.work.empty()) {
    std::fprintf(stderr, "usage: peers_bench --input FILE --work DIR [options]\n");
    return 2;
  }
  return wildchat::bench::Main(o);
}
