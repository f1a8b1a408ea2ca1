// wildchat embed: builds or extends the embedding map of an index
// (embed/index_map.h): vectors, neighbours and 2D layouts stored in DIR/map/.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <tuple>

#include "cli/args.h"
#include "cli/commands.h"
#include "embed/index_map.h"

namespace wildchat {
namespace {

Status IntOption(const Args& args, const char* name, int64_t min, int64_t max, int64_t* out) {
  WILDCHAT_RETURN_IF_ERROR(args.GetInt(name, out));
  if (*out < min || *out > max)
    return Status::InvalidArgument("--" + std::string(name) + " must be in " + std::to_string(min) +
                                   ".." + std::to_string(max));
  return Status::OK();
}

int Run(const Argv& argv) {
  Args args("embed", "wildchat embed --index DIR [--append] [options]",
            "Embeds every conversation of an index and lays the collection out as a 2D map\n"
            "(global and per language) for the explorer's /map.html. Offline by default:\n"
            "TF-IDF over words and character 3-grams, reduced by randomized SVD. With\n"
            "--embeddings-url, vectors come from an OpenAI-compatible /v1/embeddings endpoint.");
  args.Option("index", "DIR", "index directory (the map is stored in DIR/map)");
  args.Flag("append", "only embed conversations added to the index since the last run");
  args.Option("text", "first|all", "embed the first user utterance or the whole conversation",
              "first");
  args.Option("dims", "N", "vector dimensions (offline method)", "256");
  args.Option("knn-dims", "N", "leading dimensions used for neighbours and layout", "64");
  args.Option("neighbours", "K", "nearest neighbours kept per conversation", "15");
  args.Option("threads", "N", "threads to use", "2");
  args.Option("seed", "N", "random seed", "1");
  args.Option("fit-sample", "N", "conversations the text model is fitted on", "40000");
  args.Option("max-chars", "N", "characters of each text looked at", "2000");
  args.Option("epochs", "N", "layout epochs (0 = automatic)", "0");
  args.Option("min-layout", "N", "smallest language given its own layout", "50");
  args.Option("embeddings-url", "URL", "OpenAI-compatible embeddings endpoint (http or https)");
  args.Option("embeddings-model", "NAME", "model name sent to the endpoint",
              "text-embedding-3-small");
  args.Option("embeddings-batch", "N", "texts per request", "64");
  args.Option("embeddings-key-env", "VAR", "environment variable holding a bearer token");
  args.Option("embeddings-cache", "FILE", "vector cache (default DIR/map/embeddings.cache)");
  args.Flag("quiet", "no progress messages");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;
  if (!args.Has("index"))
    return ReportError("embed", Status::InvalidArgument("--index DIR is required"));
  if (!args.positionals().empty())
    return ReportError("embed",
                       Status::InvalidArgument("unexpected argument: " + args.positionals()[0]));

  MapBuildOptions o;
  o.text_mode = args.Get("text");
  if (o.text_mode != "first" && o.text_mode != "all")
    return ReportError("embed", Status::InvalidArgument("--text must be first or all"));
  int64_t dims, knn_dims, k, threads, seed, sample, max_chars, epochs, min_layout, batch;
  for (auto [name, min, max, out] :
       {std::tuple{"dims", 2, 1024, &dims}, std::tuple{"knn-dims", 2, 1024, &knn_dims},
        std::tuple{"neighbours", 1, 100, &k}, std::tuple{"threads", 1, 256, &threads},
        std::tuple{"seed", 0, 2147483647, &seed}, std::tuple{"fit-sample", 1, 10000000, &sample},
        std::tuple{"max-chars", 1, 1000000, &max_chars}, std::tuple{"epochs", 0, 100000, &epochs},
        std::tuple{"min-layout", 2, 100000000, &min_layout},
        std::tuple{"embeddings-batch", 1, 4096, &batch}}) {
    const Status st = IntOption(args, name, min, max, out);
    if (!st.ok()) return ReportError("embed", st);
  }
  o.dims = static_cast<int>(dims);
  o.knn_dims = static_cast<int>(knn_dims);
  o.k = static_cast<int>(k);
  o.threads = static_cast<int>(threads);
  o.seed = static_cast<uint64_t>(seed);
  o.fit_sample = static_cast<uint32_t>(sample);
  o.features.max_chars = static_cast<int>(max_chars);
  o.epochs = static_cast<int>(epochs);
  o.min_layout_points = static_cast<uint32_t>(min_layout);
  const std::string dir = args.Get("index");
  if (args.Has("embeddings-url")) {
    o.endpoint.url = args.Get("embeddings-url");
    o.endpoint.model = args.Get("embeddings-model");
    o.endpoint.batch = static_cast<int>(batch);
    o.endpoint.api_key_env = args.Get("embeddings-key-env");
    o.endpoint.cache_path = args.Has("embeddings-cache") ? args.Get("embeddings-cache")
                                                         : MapStore::Dir(dir) + "/embeddings.cache";
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (!args.Has("quiet"))
    o.progress = [&](const std::string& stage) {
      std::fprintf(stderr, "embed: [%6.1f s] %s\n", elapsed(), stage.c_str());
    };

  std::unique_ptr<Index> index;
  Status st = Index::Open(dir, &index);
  if (!st.ok()) return ReportError("embed", st);
  if (!o.endpoint.url.empty()) {
    // The default vector cache lives in the map folder.
    std::error_code ec;
    std::filesystem::create_directories(MapStore::Dir(dir), ec);
  }
  MapBuildStats stats;
  st = EmbedIndex(*index, o, args.Has("append"), &stats);
  if (!st.ok()) return ReportError("embed", st);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "embedded %u conversations (%u in the map) in %.1f s: embed %.1f s, neighbours %.1f s, "
      "layout %.1f s, save %.1f s; peak memory %.0f MB\n",
      stats.added, stats.docs, elapsed(), stats.embed_seconds, stats.knn_seconds,
      stats.layout_seconds, stats.save_seconds, usage.ru_maxrss / 1024.0);
  return kExitOk;
}

}  // namespace

int RunEmbed(const Argv& argv) {
  return Run(argv);
}

}  // namespace wildchat
