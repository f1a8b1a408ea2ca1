// wildchat demo: generates a synthetic corpus, indexes it, builds its
// embedding map and serves the explorer over it. A second run finds the index
// and the map and serves them straight away.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"

#if defined(WILDCHAT_HAVE_SERVER) && defined(WILDCHAT_HAVE_GEN)
#include "embed/index_map.h"
#include "engine/index.h"
#include "engine/index_builder.h"
#include "gen/corpus_generator.h"
#include "server/explorer_server.h"
#endif

namespace wildchat {

#if defined(WILDCHAT_HAVE_SERVER) && defined(WILDCHAT_HAVE_GEN)
int ServeIndex(const std::string& command, const std::string& dir, const ServerOptions& options);
Status ServerOptionsFromArgs(const Args& args, ServerOptions* options);

namespace {

// Generates conversations [begin, end) on `threads` threads; the result does
// not depend on the thread count.
std::vector<Conversation> Generate(const CorpusGenerator& generator, int64_t begin, int64_t end,
                                   int threads) {
  std::vector<Conversation> records(static_cast<size_t>(end - begin));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t i = begin + t; i < end; i += threads) records[i - begin] = generator.Generate(i);
    });
  }
  for (auto& w : workers) w.join();
  return records;
}

// Generates and indexes n conversations, in batches so that memory stays
// bounded whatever n is (each batch after the first is appended).
Status GenerateAndIndex(const std::string& dir, int64_t n, uint64_t seed) {
  constexpr int64_t kBatch = 250'000;
  GenOptions options;
  options.conversations = static_cast<uint64_t>(n);
  options.seed = seed;
  CorpusGenerator generator(options);
  for (int64_t begin = 0; begin < n; begin += kBatch) {
    int64_t end = std::min(n, begin + kBatch);
    std::printf("wildchat demo: generating conversations %lld-%lld of %lld...\n",
                static_cast<long long>(begin + 1), static_cast<long long>(end),
                static_cast<long long>(n));
    std::fflush(stdout);
    std::vector<Conversation> records = Generate(generator, begin, end, 2);
    IndexBuildOptions build;
    build.append = begin > 0;
    IndexBuildStats stats;
    WILDCHAT_RETURN_IF_ERROR(BuildIndexFromRecords(dir, records, build, &stats));
  }
  return Status::OK();
}

// Builds the map of `index` unless a finished one for exactly its docs is
// there already (an interrupted build leaves no meta.json, so it is redone).
Status EnsureMap(const Index& index) {
  MapStore existing;
  if (LoadMapFor(index, &existing).ok()) {
    std::printf("wildchat demo: reusing the map in %s\n", MapStore::Dir(index.dir()).c_str());
    return Status::OK();
  }
  std::printf("wildchat demo: building the embedding map (wildchat embed)...\n");
  std::fflush(stdout);
  MapBuildOptions options;
  options.threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  MapBuildStats stats;
  const auto start = std::chrono::steady_clock::now();
  WILDCHAT_RETURN_IF_ERROR(EmbedIndex(index, options, /*append=*/false, &stats));
  std::printf("wildchat demo: map of %u conversations built in %.1f s\n", stats.docs,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return Status::OK();
}

}  // namespace
#endif

int RunDemo(const Argv& argv) {
  Args args("demo", "wildchat demo [--conversations 50000] [--dir demo] [--port 8080]",
            "Generates a realistic synthetic corpus, indexes it into DIR/index, builds its "
            "embedding map (/map.html) and serves the explorer over it. Re-running reuses the "
            "existing index and map.");
  args.Option("conversations", "N", "conversations to generate", "50000");
  args.Option("dir", "DIR", "where the demo index lives", "demo");
  args.Option("seed", "S", "generator seed", "1");
  AddServerOptions(&args);
  args.Flag("no-map", "skip building the embedding map");
  int exit_code = 0;
  if (!ParseOrExit(args, argv, &exit_code)) return exit_code;
#if defined(WILDCHAT_HAVE_SERVER) && defined(WILDCHAT_HAVE_GEN)
  int64_t n = 0, seed = 0;
  Status st = args.GetInt("conversations", &n);
  if (st.ok()) st = args.GetInt("seed", &seed);
  if (st.ok() && (n < 1 || n > 100'000'000)) {
    st = Status::InvalidArgument("--conversations must be 1..100000000");
  }
  ServerOptions options;
  if (st.ok()) st = ServerOptionsFromArgs(args, &options);
  if (!st.ok()) return ReportError("demo", st);

  const std::string dir = (std::filesystem::path(args.Get("dir")) / "index").string();
  std::unique_ptr<Index> existing;
  if (Index::Open(dir, &existing).ok()) {
    std::printf("wildchat demo: reusing the index in %s (delete it to regenerate)\n", dir.c_str());
  } else {
    auto start = std::chrono::steady_clock::now();
    // Built aside and renamed into place, so an interrupted run is not
    // mistaken for a finished index by the next one.
    const std::string building = dir + ".building";
    std::error_code ec;
    std::filesystem::remove_all(building, ec);
    std::filesystem::create_directories(building, ec);
    st = GenerateAndIndex(building, n, static_cast<uint64_t>(seed));
    if (st.ok()) {
      std::filesystem::remove_all(dir, ec);
      std::filesystem::rename(building, dir, ec);
      if (ec)
        st = Status::IOError("cannot rename " + building + " to " + dir + ": " + ec.message());
    }
    if (!st.ok()) return ReportError("demo", st);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wildchat demo: %lld conversations generated and indexed in %.1f s\n",
                static_cast<long long>(n), seconds);
  }
  if (!args.Has("no-map")) {
    if (!existing) st = Index::Open(dir, &existing);
    if (st.ok()) st = EnsureMap(*existing);
    if (!st.ok()) return ReportError("demo", st);
  }
  existing.reset();
  return ServeIndex("demo", dir, options);
#else
  return ReportError("demo", Status::Unsupported("built without the generator or the explorer"));
#endif
}

}  // namespace wildchat
