// GatewayServer: the collection service behind `wildchat gateway`.
//
// Serves the OpenAI-compatible API (POST /v1/chat/completions, streaming and
// not; GET /v1/models), the embedded chat page (GET /), a liveness probe
// (GET /healthz) and live counters (GET /admin/stats, bearer token). Every
// chat turn that reaches an upstream is appended to the turn log, completed
// or failed; a completed turn is acknowledged (the response body, or the final
// `data: [DONE]` event when streaming) only after it is durable. Raw client IPs
// are used for hashing and GeoIP only and are never written or logged.
// Create() opens the log, salt and GeoIP database; Listen() binds (port 0 picks
// a free port); Run() serves until Stop() (callable from any thread or a
// signal-watching thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "gateway/limits/rate_limiter.h"
#include "gateway/log/turn_log.h"

namespace wildchat {

struct UpstreamConfig {
  std::string name;
  std::string
      base_url;  // e.g. http://127.0.0.1:8000/v1 — requests go to base_url + "/chat/completions"
  std::string api_key;  // sent as "Authorization: Bearer"; empty for none
};

struct ModelRoute {
  std::string model;     // as clients name it; the allow-list
  std::string upstream;  // UpstreamConfig::name
};

struct GatewayOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string log_dir;
  std::string salt_file;   // default: <log_dir>/salt
  std::string geoip_path;  // empty: country/state null
  std::vector<std::string> trusted_proxies;
  std::vector<UpstreamConfig> upstreams;
  std::vector<ModelRoute> models;
  RateLimits limits;
  size_t max_body_bytes = 4u << 20;
  int upstream_timeout_seconds = 300;  // per read from the upstream
  int upstream_connect_timeout_seconds = 10;
  int client_timeout_seconds = 20;  // per read from / write to a client
  std::string admin_token;          // empty: /admin/stats disabled
  int threads = 64;                 // concurrent connections served
  TurnLogOptions log_options;
};

class GatewayServer {
 public:
  static Status Create(const GatewayOptions& options, std::unique_ptr<GatewayServer>* out);
  ~GatewayServer();

  // Binds the listening socket; *port receives the actual port.
  Status Listen(int* port);
  // Serves until Stop(). Returns an error if the server stopped abnormally.
  Status Run();
  // Ends Run(), or makes it return at once; from any thread, at any moment
  // (base/stoppable_run.h).
  void Stop();

 private:
  struct Impl;
  explicit GatewayServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wildchat
