// ExplorerServer: the HTTP server behind `wildchat serve` — the JSON API
// (docs/api.md) and the web UI embedded from web/explorer/ — over one Index.
//
// The Index must outlive the server. Bind() then Run() (which blocks until
// Stop()); Stop() may be called from any thread, including before Run()
// starts serving. Requests are served by a pool of `threads` workers; the
// index is shared read-only between them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/status.h"
#include "engine/index.h"

namespace wildchat {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0 picks a free port (see port())
  // Worker threads. A keep-alive connection holds a worker while open, so
  // this bounds concurrent clients rather than CPU use.
  int threads = 64;
  // Requests computed at once (search, stats and user answers the response
  // cache does not hold), on threads of their own; the rest wait their turn
  // in arrival order (server/work_gate.h). 0: one per hardware thread (at 1M
  // with 32 busy connections and the caches off, one per core served 4-8%
  // more requests than four per core, with a p99 of 48-53 ms against 74-81;
  // more workers let more slow requests, say regexes, run at once).
  int workers = 0;
  // Budget of the cache of /api/search, /api/stats and /api/user answers
  // (docs/api.md, "Response cache"); 0 disables it.
  size_t cache_bytes = size_t{64} << 20;
  // Budget of the index's query cache (evaluations by query text; applied by
  // the serve and demo commands when they open the index); 0 disables it.
  size_t query_cache_bytes = size_t{256} << 20;
};

class ExplorerServer {
 public:
  ExplorerServer(const Index& index, ServerOptions options);
  ~ExplorerServer();
  ExplorerServer(const ExplorerServer&) = delete;
  ExplorerServer& operator=(const ExplorerServer&) = delete;

  // Binds the listening socket; kIOError when the address is taken or invalid.
  Status Bind();
  int port() const;  // the bound port, after Bind()
  // Serves until Stop(); kIOError if the server failed.
  Status Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wildchat
