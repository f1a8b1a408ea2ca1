// embed_bench: how long the embedding map takes and how good it is.
//
//   embed_bench --conversations N [--threads 2] [--dir DIR]
//       generates N conversations (not timed), then builds the map of their
//       first user utterances exactly as `wildchat embed` does, printing the
//       time of each stage and the peak memory of the process.
//   embed_bench --quality
//       10-nearest-neighbour group agreement of the offline method (default
//       options) on labelled Debian text (embed/labelled_corpus.h).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "embed/index_map.h"
#include "embed/labelled_corpus.h"
#include "embed/map_builder.h"
#include "embed/parallel_for.h"
#include "gen/corpus_generator.h"

namespace wildchat {
namespace {

double PeakMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// User + system CPU seconds of the process so far: on a shared machine the
// wall times above depend on the load, the CPU time much less.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int Quality(int per_group) {
  std::vector<LabelledText> corpus;
  Status st = LoadDebianCorpus(per_group, 20, &corpus);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  std::map<std::string, int> ids;
  std::vector<int> labels;
  std::vector<MapDoc> docs;
  for (size_t i = 0; i < corpus.size(); ++i) {
    labels.push_back(ids.emplace(corpus[i].group, ids.size()).first->second);
    MapDoc d;
    d.id = static_cast<int64_t>(i) + 1;
    d.text = corpus[i].text;
    d.attributes = {corpus[i].group, "", "", "", "", ""};
    docs.push_back(std::move(d));
  }
  const std::string dir = std::filesystem::temp_directory_path() / "embed_bench_quality";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  MapBuildOptions o;
  MapBuildStats stats;
  st = BuildMap(dir, docs, o, &stats);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  MapStore store;
  st = MapStore::Load(dir, false, &store);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  std::printf("labelled Debian corpus: %zu texts in %zu groups\n", corpus.size(), ids.size());
  for (const auto& [name, id] : ids) {
    size_t n = 0;
    for (int l : labels) n += l == id;
    std::printf("  %-16s %zu\n", name.c_str(), n);
  }
  std::printf("10-NN group agreement (offline tfidf-svd, %d dims): %.3f\n", o.dims,
              NeighbourAgreement(store.neighbours, store.k, 10, labels));
  std::filesystem::remove_all(dir);
  return 0;
}

int Scale(uint64_t n, int threads, std::string dir) {
  using Clock = std::chrono::steady_clock;
  auto t = Clock::now();
  std::vector<MapDoc> docs(n);
  {
    GenOptions options;
    options.conversations = n;
    CorpusGenerator gen(options);
    ParallelFor(0, static_cast<uint32_t>(n), threads,
                [&](uint32_t i) { docs[i] = MapDocOf(gen.Generate(i), "first", 8000); });
  }
  uint64_t bytes = 0;
  for (const auto& d : docs) bytes += d.text.size();
  std::printf(
      "generated %llu conversations (%.0f MB of first user utterances) in %.1f s; peak %.0f MB\n",
      static_cast<unsigned long long>(n), bytes / 1e6,
      std::chrono::duration<double>(Clock::now() - t).count(), PeakMb());
  const double before = PeakMb();
  if (dir.empty()) dir = std::filesystem::temp_directory_path() / "embed_bench_scale";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  MapBuildOptions o;
  o.threads = threads;
  const double cpu0 = CpuSeconds();
  o.progress = [start = Clock::now(), cpu0](const std::string& stage) {
    std::fprintf(stderr, "[%7.1f s, cpu %7.1f s] %s\n",
                 std::chrono::duration<double>(Clock::now() - start).count(), CpuSeconds() - cpu0,
                 stage.c_str());
  };
  MapBuildStats stats;
  t = Clock::now();
  const Status st = BuildMap(dir, docs, o, &stats);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  const double total = std::chrono::duration<double>(Clock::now() - t).count();
  uint64_t disk = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/map")) disk += e.file_size();
  std::printf(
      "map of %u conversations in %.1f s (embed %.1f, neighbours %.1f, layout %.1f, save %.1f) "
      "on %d threads (%.0f s of CPU); peak memory %.0f MB (%.0f MB before the map); map on disk "
      "%.0f MB\n",
      stats.docs, total, stats.embed_seconds, stats.knn_seconds, stats.layout_seconds,
      stats.save_seconds, threads, CpuSeconds() - cpu0, PeakMb(), before, disk / 1e6);
  return 0;
}

}  // namespace
}  // namespace wildchat

int main(int argc, char** argv) {
  uint64_t n = 0;
  int threads = 2;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quality") return wildchat::Quality(i + 1 < argc ? std::atoi(argv[i + 1]) : 60);
    if (a == "--conversations" && i + 1 < argc)
      n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else
      return std::fprintf(stderr,
                          "usage: embed_bench --conversations N [--threads T] [--dir D] | "
                          "--quality [PER_GROUP]\n"),
             2;
  }
  if (n == 0) return std::fprintf(stderr, "usage: embed_bench --conversations N | --quality\n"), 2;
  return wildchat::Scale(n, threads, dir);
}
