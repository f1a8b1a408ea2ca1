// wildchat serve: the explorer (JSON API + web UI) over an index.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"

#ifdef WILDCHAT_HAVE_SERVER
#include "engine/index.h"
#include "server/explorer_server.h"
#endif

namespace wildchat {

#ifdef WILDCHAT_HAVE_SERVER
// Also used by `wildchat demo` (cli/demo_command.cc).
int ServeIndex(const std::string& command, const std::string& dir, const ServerOptions& options) {
  std::unique_ptr<Index> index;
  Status st = Index::Open(dir, &index);
  if (!st.ok()) return ReportError(command, st);
  index->SetQueryCacheBytes(options.query_cache_bytes);
  ExplorerServer server(*index, options);
  st = server.Bind();
  if (!st.ok()) return ReportError(command, st);
  std::printf("wildchat %s: %u conversations from %s\nexplorer at http://%s:%d/\n", command.c_str(),
              index->NumDocs(), dir.c_str(), options.host.c_str(), server.port());
  std::fflush(stdout);
  st = server.Run();
  if (!st.ok()) return ReportError(command, st);
  return kExitOk;
}

Status ServerOptionsFromArgs(const Args& args, ServerOptions* options) {
  options->host = args.Get("host");
  int64_t port = 0, threads = 0, workers = 0, cache_mb = 0, query_cache_mb = 0;
  WILDCHAT_RETURN_IF_ERROR(args.GetInt("port", &port));
  WILDCHAT_RETURN_IF_ERROR(args.GetInt("threads", &threads));
  WILDCHAT_RETURN_IF_ERROR(args.GetInt("workers", &workers));
  WILDCHAT_RETURN_IF_ERROR(args.GetInt("cache-mb", &cache_mb));
  WILDCHAT_RETURN_IF_ERROR(args.GetInt("query-cache-mb", &query_cache_mb));
  if (port < 0 || port > 65535) return Status::InvalidArgument("--port must be 0..65535");
  if (threads < 1 || threads > 1024) return Status::InvalidArgument("--threads must be 1..1024");
  if (workers < 0 || workers > 1024) return Status::InvalidArgument("--workers must be 0..1024");
  if (cache_mb < 0 || cache_mb > 1'048'576) {
    return Status::InvalidArgument("--cache-mb must be 0..1048576");
  }
  if (query_cache_mb < 0 || query_cache_mb > 1'048'576) {
    return Status::InvalidArgument("--query-cache-mb must be 0..1048576");
  }
  options->port = static_cast<int>(port);
  options->threads = static_cast<int>(threads);
  options->workers = static_cast<int>(workers);
  options->cache_bytes = static_cast<size_t>(cache_mb) << 20;
  options->query_cache_bytes = static_cast<size_t>(query_cache_mb) << 20;
  return Status::OK();
}
#endif

void AddServerOptions(Args* args) {
  args->Option("host", "ADDR", "address to listen on", "127.0.0.1");
  args->Option("port", "N", "port to listen on (0: any free port)", "8080");
  args->Option("threads", "N", "connection threads (each open connection holds one)", "64");
  args->Option("workers", "N",
               "requests computed at once, the rest served in arrival order (0: one per core)",
               "0");
  args->Option("cache-mb", "N", "memory for repeated search, stats and user answers (0: off)",
               "64");
  args->Option("query-cache-mb", "N", "memory for evaluated queries (0: off)", "256");
}

int RunServe(const Argv& argv) {
  Args args("serve",
            "wildchat serve --index DIR [--host 127.0.0.1] [--port 8080] [--workers 0] "
            "[--cache-mb 64] [--query-cache-mb 256]",
            "Serves the explorer over an index: a JSON API under /api (docs/api.md) and the web "
            "UI. Binds to loopback unless --host says otherwise; --port 0 picks a free port.");
  args.Option("index", "DIR", "index directory (wildchat index)");
  AddServerOptions(&args);
  int exit_code = 0;
  if (!ParseOrExit(args, argv, &exit_code)) return exit_code;
#ifdef WILDCHAT_HAVE_SERVER
  if (!args.Has("index")) {
    return ReportError("serve", Status::InvalidArgument("--index DIR is required"));
  }
  ServerOptions options;
  Status st = ServerOptionsFromArgs(args, &options);
  if (!st.ok()) return ReportError("serve", st);
  return ServeIndex("serve", args.Get("index"), options);
#else
  return ReportError("serve", Status::Unsupported("built without the explorer (needs the engine)"));
#endif
}

}  // namespace wildchat
