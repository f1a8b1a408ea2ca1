// curate_bench [CONVERSATIONS] [THREADS] [STAGES]: generates a corpus in memory
// (gen/corpus_generator.h, seed 7), then times ConversationCurator::Curate
// over it with every offline stage on (or STAGES, e.g. "pii"), and prints MB/s of conversation text
// (sum of utterance content bytes) per wall-clock second and per CPU-second
// of the worker threads (= per core).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "curate/pipeline/conversation_curator.h"
#include "gen/corpus_generator.h"

int main(int argc, char** argv) {
  using namespace wildchat;
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  GenOptions go;
  go.conversations = n;
  go.seed = 7;
  CorpusGenerator gen(go);
  std::vector<Conversation> corpus;
  corpus.reserve(n);
  double bytes = 0;
  for (uint64_t i = 0; i < n; ++i) {
    corpus.push_back(gen.Generate(i));
    for (const auto& u : corpus.back().conversation) bytes += static_cast<double>(u.content.size());
  }
  std::unique_ptr<curate::ConversationCurator> curator;
  curate::CuratorOptions o;
  o.rescore = true;  // score every utterance, as for a fresh log
  if (argc > 3 && !curate::ParseStages(argv[3], &o.stages).ok()) {
    std::fprintf(stderr, "bad stage list %s\n", argv[3]);
    return 2;
  }
  if (Status st = curate::ConversationCurator::Create(o, &curator); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  std::vector<curate::CurateStats> stats(static_cast<size_t>(threads));
  std::vector<double> cpu(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < corpus.size(); i += static_cast<size_t>(threads))
        curator->Curate(&corpus[i], &stats[static_cast<size_t>(t)]);
      timespec ts;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      cpu[static_cast<size_t>(t)] = static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
    });
  }
  for (auto& th : pool) th.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double mb = bytes / 1e6;
  double cpu_secs = 0;
  for (double c : cpu) cpu_secs += c;
  // MB per CPU-second is what one core sustains, whatever else the machine runs.
  std::printf(
      "curate_bench: %llu conversations, %.1f MB text, %d threads, %.2f s wall: %.1f MB/s total; "
      "%.2f CPU-s: %.1f MB/s per core\n",
      static_cast<unsigned long long>(n), mb, threads, secs, mb / secs, cpu_secs, mb / cpu_secs);
  return 0;
}
