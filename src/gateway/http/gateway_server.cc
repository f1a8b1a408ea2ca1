#include "gateway/http/gateway_server.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>

#include "base/embedded_assets.h"
#include "base/stoppable_run.h"
#include "gateway/client/client_address.h"
#include "gateway/client/ip_hasher.h"
#include "gateway/geoip/geoip_db.h"
#include "gateway/proxy/chat_request.h"
#include "gateway/proxy/completion_reply.h"
#include "io/json_writer.h"

namespace wildchat {

const EmbeddedAsset* ChatPageAssets();

namespace {

TimestampMicros NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An upstream split into what httplib::Client takes and the path prefix.
struct Upstream {
  std::string name;
  std::string origin;  // scheme://host:port
  std::string prefix;  // "/v1"
  std::string api_key;
};

Status ParseBaseUrl(const UpstreamConfig& c, Upstream* out) {
  const std::string& url = c.base_url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return Status::InvalidArgument("upstream " + c.name +
                                   ": base URL must start with http:// or https://");
  }
  size_t path = url.find('/', scheme_end + 3);
  out->name = c.name;
  out->origin = url.substr(0, path);
  out->prefix = path == std::string::npos ? "" : url.substr(path);
  while (!out->prefix.empty() && out->prefix.back() == '/') out->prefix.pop_back();
  out->api_key = c.api_key;
  return Status::OK();
}

std::string ErrorJson(std::string_view message, std::string_view type, std::string_view code = {}) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("error").BeginObject();
  w.Key("message").String(message).Key("type").String(type);
  if (!code.empty()) w.Key("code").String(code);
  w.EndObject().EndObject();
  return out;
}

const char* ContentType(std::string_view path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// Rough token count when the upstream gives no usage: ~4 bytes a token.
int64_t EstimateTokens(const TurnRecord& r) {
  size_t bytes = r.reply.size();
  for (const ChatMessage& m : r.messages) bytes += m.content.size();
  return static_cast<int64_t>(bytes / 4 + 1);
}

constexpr size_t kMaxUpstreamErrorBody = 64 << 10;
constexpr size_t kMaxPendingSse = 8 << 20;

}  // namespace

struct GatewayServer::Impl {
  GatewayOptions options;
  std::unique_ptr<TurnLog> log;
  IpHasher hasher;
  GeoIpDb geoip;
  std::unique_ptr<ClientAddressResolver> resolver;
  std::unique_ptr<RateLimiter> limiter;
  std::vector<Upstream> upstreams;
  std::map<std::string, size_t> routes;  // model -> upstream index
  httplib::Server server;
  StoppableRun run;
  TimestampMicros started = NowMicros();

  struct Counters {
    std::atomic<uint64_t> requests{0}, completed{0}, failed{0}, rate_limited{0}, rejected{0},
        streams_active{0}, log_errors{0};
  } counters;

  void Install();
  void HandleChat(const httplib::Request& req, httplib::Response& res);
  void HandleStats(const httplib::Request& req, httplib::Response& res);
  std::unique_ptr<httplib::Client> ClientFor(const Upstream& u) const;
  httplib::Headers UpstreamHeaders(const Upstream& u) const;
  // Appends the turn; false (and counts) when it could not be made durable.
  bool Record(TurnRecord* r);
  void Reject(httplib::Response& res, int status, const std::string& body) {
    counters.rejected++;
    res.status = status;
    res.set_content(body, "application/json");
  }
};

std::unique_ptr<httplib::Client> GatewayServer::Impl::ClientFor(const Upstream& u) const {
  auto cli = std::make_unique<httplib::Client>(u.origin);
  cli->set_connection_timeout(options.upstream_connect_timeout_seconds, 0);
  cli->set_read_timeout(options.upstream_timeout_seconds, 0);
  cli->set_write_timeout(options.upstream_timeout_seconds, 0);
  cli->set_keep_alive(false);
  cli->set_tcp_nodelay(true);
  return cli;
}

httplib::Headers GatewayServer::Impl::UpstreamHeaders(const Upstream& u) const {
  httplib::Headers h;
  if (!u.api_key.empty()) h.emplace("Authorization", "Bearer " + u.api_key);
  return h;
}

bool GatewayServer::Impl::Record(TurnRecord* r) {
  Status st = log->Append(r);
  if (!st.ok()) {
    counters.log_errors++;
    std::fprintf(stderr, "wildchat gateway: cannot record a turn: %s\n", st.ToString().c_str());
    return false;
  }
  if (r->outcome == TurnRecord::Outcome::kCompleted) {
    counters.completed++;
  } else {
    counters.failed++;
  }
  limiter->ChargeTokens(r->hashed_ip, r->usage ? r->usage->total_tokens : EstimateTokens(*r),
                        r->reply_time);
  return true;
}

void GatewayServer::Impl::HandleChat(const httplib::Request& req, httplib::Response& res) {
  counters.requests++;
  auto turn = std::make_shared<TurnRecord>();
  turn->request_time = NowMicros();
  {
    // The raw IP lives only in this scope.
    const std::string ip =
        resolver->Resolve(req.remote_addr, req.get_header_value("X-Forwarded-For"));
    turn->hashed_ip = hasher.Hash(ip);
    GeoLocation loc = geoip.Lookup(ip);
    turn->country = std::move(loc.country);
    turn->state = std::move(loc.state);
  }
  if (req.has_header("User-Agent")) turn->user_agent = req.get_header_value("User-Agent");
  if (req.has_header("Accept-Language")) {
    turn->accept_language = req.get_header_value("Accept-Language");
  }
  switch (limiter->Admit(turn->hashed_ip, turn->request_time)) {
    case RateLimiter::Verdict::kAllowed:
      break;
    case RateLimiter::Verdict::kTooManyRequests:
      counters.rate_limited++;
      res.set_header("Retry-After", "60");
      return Reject(
          res, 429,
          ErrorJson("too many requests: the limit is " +
                        std::to_string(options.limits.requests_per_minute) + " per minute",
                    "rate_limit_exceeded", "rate_limit_exceeded"));
    case RateLimiter::Verdict::kTokenBudgetSpent:
      counters.rate_limited++;
      return Reject(res, 429,
                    ErrorJson("daily token budget of " +
                                  std::to_string(options.limits.tokens_per_day) + " is spent",
                              "rate_limit_exceeded", "tokens_per_day_exceeded"));
  }
  ChatRequest chat;
  Status st = ParseChatRequest(req.body, &chat);
  if (!st.ok()) return Reject(res, 400, ErrorJson(st.message(), "invalid_request_error"));
  auto route = routes.find(chat.model);
  if (route == routes.end()) {
    return Reject(res, 404,
                  ErrorJson("model \"" + chat.model + "\" is not available here",
                            "invalid_request_error", "model_not_found"));
  }
  const Upstream& up = upstreams[route->second];
  turn->model = chat.model;
  turn->messages = std::move(chat.messages);
  turn->stream = chat.stream;
  const std::string path = up.prefix + "/chat/completions";

  if (!chat.stream) {
    auto cli = ClientFor(up);
    auto result = cli->Post(path.c_str(), UpstreamHeaders(up), req.body, "application/json");
    turn->reply_time = NowMicros();
    int status = 502;
    if (!result) {
      turn->outcome = TurnRecord::Outcome::kFailed;
      turn->error = "upstream " + up.name + " unreachable: " + httplib::to_string(result.error());
      if (result.error() == httplib::Error::Read) status = 504;
    } else if (result->status != 200) {
      turn->outcome = TurnRecord::Outcome::kFailed;
      turn->error = "upstream " + up.name + " answered HTTP " + std::to_string(result->status) +
                    ": " + result->body.substr(0, 2000);
    } else {
      CompletionReply reply;
      st = ParseCompletionBody(result->body, &reply);
      if (!st.ok()) {
        turn->outcome = TurnRecord::Outcome::kFailed;
        turn->error = "upstream " + up.name + ": " + st.message();
      } else {
        turn->reply = std::move(reply.content);
        turn->usage = reply.usage;
      }
    }
    if (!Record(turn.get())) {
      res.status = 503;
      res.set_content(ErrorJson("the turn could not be recorded; try again", "server_error"),
                      "application/json");
      return;
    }
    res.set_header("X-Turn-Identifier", std::to_string(turn->turn_identifier));
    if (turn->outcome == TurnRecord::Outcome::kFailed) {
      res.status = status;
      res.set_content(ErrorJson(turn->error, "upstream_error"), "application/json");
      return;
    }
    res.set_content(result->body, "application/json");
    return;
  }

  // Streaming: the whole upstream exchange runs inside the content provider,
  // forwarding each event as it arrives and holding back [DONE] until the turn
  // is durable.
  auto body = std::make_shared<std::string>(req.body);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream", [this, turn, body, up, path](size_t, httplib::DataSink& sink) {
        counters.streams_active++;
        SseReplyReader reader;
        std::vector<std::string> events;
        bool client_gone = false, too_big = false;
        int status = 0;
        std::string error_body;
        httplib::Request ureq;
        ureq.method = "POST";
        ureq.path = path;
        ureq.headers = UpstreamHeaders(up);
        ureq.headers.emplace("Accept", "text/event-stream");
        ureq.body = *body;
        ureq.set_header("Content-Type", "application/json");
        ureq.response_handler = [&](const httplib::Response& r) {
          status = r.status;
          return true;
        };
        ureq.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
          if (status != 200) {
            if (error_body.size() < kMaxUpstreamErrorBody) error_body.append(data, n);
            return true;
          }
          events.clear();
          reader.Feed(std::string_view(data, n), &events);
          for (const std::string& e : events) {
            if (!sink.write(e.data(), e.size())) {
              client_gone = true;
              return false;
            }
          }
          if (reader.pending_bytes() > kMaxPendingSse) {
            too_big = true;
            return false;
          }
          return !reader.done();
        };
        auto cli = ClientFor(up);
        httplib::Response ures;
        httplib::Error err = httplib::Error::Success;
        const bool sent = cli->send(ureq, ures, err);
        turn->reply_time = NowMicros();
        turn->reply = reader.reply().content;
        turn->usage = reader.reply().usage;
        if (client_gone) {
          turn->error = "client disconnected before the reply was complete";
        } else if (too_big) {
          turn->error = "upstream " + up.name + " sent an event larger than 8 MiB";
        } else if (status != 0 && status != 200) {
          turn->error = "upstream " + up.name + " answered HTTP " + std::to_string(status) + ": " +
                        error_body.substr(0, 2000);
        } else if (!reader.error().empty()) {
          turn->error = "upstream " + up.name + ": " + reader.error();
        } else if (!reader.done()) {
          turn->error = sent || err == httplib::Error::Canceled
                            ? "upstream " + up.name + " ended the stream without [DONE]"
                            : "upstream " + up.name + " failed: " + httplib::to_string(err);
        }
        if (!turn->error.empty()) turn->outcome = TurnRecord::Outcome::kFailed;
        const bool durable = Record(turn.get());
        if (!client_gone) {
          std::string tail;
          if (durable && turn->outcome == TurnRecord::Outcome::kCompleted) {
            tail = "data: [DONE]\n\n";
          } else {
            tail = "data: " +
                   ErrorJson(durable ? turn->error : "the turn could not be recorded; try again",
                             durable ? "upstream_error" : "server_error") +
                   "\n\n";
          }
          sink.write(tail.data(), tail.size());
          sink.done();
        }
        counters.streams_active--;
        return !client_gone;
      });
}

void GatewayServer::Impl::HandleStats(const httplib::Request& req, httplib::Response& res) {
  const std::string auth = req.get_header_value("Authorization");
  const std::string want = "Bearer " + options.admin_token;
  if (options.admin_token.empty() || auth.size() != want.size() ||
      CRYPTO_memcmp(auth.data(), want.data(), want.size()) != 0) {
    res.status = options.admin_token.empty() ? 404 : 401;
    res.set_content(ErrorJson(options.admin_token.empty() ? "admin endpoint disabled"
                                                          : "missing or wrong bearer token",
                              "authentication_error"),
                    "application/json");
    return;
  }
  const TurnLogStats ls = log->stats();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("uptime_seconds").Int((NowMicros() - started) / 1000000);
  w.Key("requests").UInt(counters.requests);
  w.Key("turns_completed").UInt(counters.completed);
  w.Key("turns_failed").UInt(counters.failed);
  w.Key("rejected").UInt(counters.rejected);
  w.Key("rate_limited").UInt(counters.rate_limited);
  w.Key("streams_active").UInt(counters.streams_active);
  w.Key("log_errors").UInt(counters.log_errors);
  w.Key("tracked_clients").UInt(limiter->tracked_clients());
  w.Key("log").BeginObject();
  w.Key("appended").UInt(ls.appended).Key("commits").UInt(ls.commits).Key("bytes").UInt(ls.bytes);
  w.Key("segment").UInt(ls.segment).Key("last_turn_identifier").Int(ls.last_turn_identifier);
  w.EndObject();
  w.EndObject();
  res.set_content(out, "application/json");
}

void GatewayServer::Impl::Install() {
  server.new_task_queue = [n = options.threads] {
    return new httplib::ThreadPool(static_cast<size_t>(n));
  };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_tcp_nodelay(true);
  server.set_read_timeout(options.client_timeout_seconds, 0);
  server.set_write_timeout(options.client_timeout_seconds, 0);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    HandleChat(req, res);
  });
  server.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("object").String("list").Key("data").BeginArray();
    for (const ModelRoute& m : options.models) {
      w.BeginObject().Key("id").String(m.model).Key("object").String("model");
      w.Key("owned_by").String(m.upstream).EndObject();
    }
    w.EndArray().EndObject();
    res.set_content(out, "application/json");
  });
  server.Get("/admin/stats", [this](const httplib::Request& req, httplib::Response& res) {
    HandleStats(req, res);
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server.Get(R"(/([A-Za-z0-9_.-]*))", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.matches[1];
    if (path.empty()) path = "index.html";
    const EmbeddedAsset* a = FindAsset(ChatPageAssets(), path);
    if (!a) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(a->data, a->size, ContentType(path));
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* msg = res.status == 413 ? "request body too large" : "request failed";
    res.set_content(ErrorJson(msg, "invalid_request_error"), "application/json");
  });
}

GatewayServer::GatewayServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayServer::~GatewayServer() = default;

Status GatewayServer::Create(const GatewayOptions& options, std::unique_ptr<GatewayServer>* out) {
  if (options.log_dir.empty()) return Status::InvalidArgument("--log DIR is required");
  if (options.upstreams.empty())
    return Status::InvalidArgument("at least one upstream is required");
  if (options.models.empty()) return Status::InvalidArgument("at least one model is required");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  for (const UpstreamConfig& u : options.upstreams) {
    Upstream parsed;
    WILDCHAT_RETURN_IF_ERROR(ParseBaseUrl(u, &parsed));
    impl->upstreams.push_back(parsed);
  }
  for (const ModelRoute& m : options.models) {
    size_t i = 0;
    while (i < impl->upstreams.size() && impl->upstreams[i].name != m.upstream) ++i;
    if (i == impl->upstreams.size()) {
      return Status::InvalidArgument("model " + m.model + ": unknown upstream \"" + m.upstream +
                                     "\"");
    }
    impl->routes[m.model] = i;
  }
  WILDCHAT_RETURN_IF_ERROR(TurnLog::Open(options.log_dir, options.log_options, &impl->log));
  const TurnLogRecovery& rec = impl->log->recovery();
  if (rec.truncated_bytes > 0) {
    std::fprintf(stderr,
                 "wildchat gateway: recovered the log: dropped a torn tail of %llu bytes (%s)\n",
                 static_cast<unsigned long long>(rec.truncated_bytes), rec.problem.c_str());
  }
  WILDCHAT_RETURN_IF_ERROR(IpHasher::Open(
      options.salt_file.empty() ? options.log_dir + "/salt" : options.salt_file, &impl->hasher));
  if (!options.geoip_path.empty()) WILDCHAT_RETURN_IF_ERROR(impl->geoip.Open(options.geoip_path));
  impl->resolver = std::make_unique<ClientAddressResolver>(options.trusted_proxies);
  impl->limiter = std::make_unique<RateLimiter>(options.limits);
  impl->Install();
  out->reset(new GatewayServer(std::move(impl)));
  return Status::OK();
}

Status GatewayServer::Listen(int* port) {
  Impl& s = *impl_;
  if (s.options.port == 0) {
    *port = s.server.bind_to_any_port(s.options.host.c_str());
    if (*port <= 0) return Status::IOError("cannot bind " + s.options.host);
  } else {
    if (!s.server.bind_to_port(s.options.host.c_str(), s.options.port)) {
      return Status::IOError("cannot bind " + s.options.host + ":" +
                             std::to_string(s.options.port));
    }
    *port = s.options.port;
  }
  return Status::OK();
}

Status GatewayServer::Run() {
  if (!impl_->run.Run([&] { return impl_->server.listen_after_bind(); })) {
    return Status::IOError("server stopped abnormally");
  }
  return Status::OK();
}

void GatewayServer::Stop() {
  impl_->run.Stop(impl_->server);
}

}  // namespace wildchat
