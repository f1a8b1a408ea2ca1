#include "server/explorer_server.h"

#include <httplib.h>

#include <memory>
#include <thread>

#include "base/stoppable_run.h"
#include "server/api_common.h"
#include "server/map_routes.h"
#include "server/response_cache.h"
#include "server/routes.h"
#include "server/work_gate.h"

namespace wildchat {

struct ExplorerServer::Impl {
  const Index& index;
  ServerOptions options;
  ResponseCache responses;  // before `server`: its handlers use it until the server is gone
  WorkGate gate;            // likewise
  httplib::Server server;
  int port = -1;
  StoppableRun run;
  std::shared_ptr<MapCache> maps;

  Impl(const Index& idx, ServerOptions opts)
      : index(idx),
        options(std::move(opts)),
        responses(options.cache_bytes),
        gate(options.workers > 0 ? options.workers
                                 : static_cast<int>(std::thread::hardware_concurrency())) {}
};

ExplorerServer::ExplorerServer(const Index& index, ServerOptions options)
    : impl_(std::make_unique<Impl>(index, std::move(options))) {
  httplib::Server& s = impl_->server;
  int threads = impl_->options.threads > 0 ? impl_->options.threads : 1;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_keep_alive_max_count(10000);
  s.set_tcp_nodelay(true);  // headers and body go out in separate writes
  s.set_payload_max_length(1 << 20);
  s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                         {"Referrer-Policy", "no-referrer"},
                         {"X-Frame-Options", "DENY"}});
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(res, Status::Internal("internal error"));
  });
  impl_->maps = std::make_shared<MapCache>(index);
  AddSearchRoutes(s, index, *impl_->maps, impl_->responses, impl_->gate);
  AddConversationRoutes(s, index);
  AddUserRoutes(s, index, impl_->responses, impl_->gate);
  AddExportRoutes(s, index, *impl_->maps);
  AddMapRoutes(s, index, impl_->maps);
  AddStaticRoutes(s);
}

ExplorerServer::~ExplorerServer() {
  Stop();
}

Status ExplorerServer::Bind() {
  httplib::Server& s = impl_->server;
  if (impl_->options.port == 0) {
    impl_->port = s.bind_to_any_port(impl_->options.host);
  } else if (s.bind_to_port(impl_->options.host, impl_->options.port)) {
    impl_->port = impl_->options.port;
  }
  if (impl_->port <= 0) {
    return Status::IOError("cannot listen on " + impl_->options.host + ":" +
                           std::to_string(impl_->options.port) +
                           " (address in use or not available)");
  }
  return Status::OK();
}

int ExplorerServer::port() const {
  return impl_->port;
}

Status ExplorerServer::Run() {
  if (impl_->port <= 0) return Status::Internal("Run() before a successful Bind()");
  if (!impl_->run.Run([&] { return impl_->server.listen_after_bind(); })) {
    return Status::IOError("the HTTP server stopped unexpectedly");
  }
  return Status::OK();
}

void ExplorerServer::Stop() {
  impl_->run.Stop(impl_->server);
}

}  // namespace wildchat
