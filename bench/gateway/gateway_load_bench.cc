// gateway_load_bench [--seconds N] [--clients N] [--log DIR] [--no-fsync] [--stream]
//
// Starts a fast OpenAI-compatible upstream (fixed non-streaming reply, or a
// 3-event stream) and the gateway in this process, then drives it with N
// keep-alive clients for N seconds. Prints latency percentiles through the
// gateway and directly against the upstream (the difference is the
// gateway's added latency) and the gateway's requests/s. Logging is durable
// (fdatasync per commit group) unless --no-fsync.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http/gateway_server.h"

using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  std::vector<double> micros;
  double seconds = 0;
  int errors = 0;
};

Result Drive(int port, int clients, double seconds, bool stream) {
  Result res;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      std::vector<double> mine;
      int errors = 0;
      for (int i = 0; !stop; ++i) {
        // Distinct histories, like real users.
        const std::string body = std::string("{\"model\":\"bench\",\"stream\":") +
                                 (stream ? "true" : "false") +
                                 ",\"messages\":[{\"role\":\"user\",\"content\":\"client " +
                                 std::to_string(c) + " message " + std::to_string(i) + "\"}]}";
        const auto t0 = Clock::now();
        auto r =
            cli.Post("/v1/chat/completions", {{"User-Agent", "bench"}}, body, "application/json");
        const auto t1 = Clock::now();
        if (!r || r->status != 200) {
          ++errors;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
      std::lock_guard<std::mutex> l(mu);
      res.micros.insert(res.micros.end(), mine.begin(), mine.end());
      res.errors += errors;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(res.micros.begin(), res.micros.end());
  return res;
}

double Pct(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void Print(const char* what, const Result& r) {
  std::printf("%-22s %8zu req  %8.0f req/s  p50 %7.0f us  p90 %7.0f us  p99 %7.0f us  errors %d\n",
              what, r.micros.size(), static_cast<double>(r.micros.size()) / r.seconds,
              Pct(r.micros, 0.5), Pct(r.micros, 0.9), Pct(r.micros, 0.99), r.errors);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  int clients = 8;
  bool sync = true, stream = false;
  std::string dir = "/tmp/wildchat-gateway-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--clients" && i + 1 < argc)
      clients = std::atoi(argv[++i]);
    else if (a == "--log" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--no-fsync")
      sync = false;
    else if (a == "--stream")
      stream = true;
    else {
      std::fprintf(stderr,
                   "usage: gateway_load_bench [--seconds N] [--clients N] [--log DIR] [--no-fsync] "
                   "[--stream]\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);

  httplib::Server upstream;
  upstream.new_task_queue = [] { return new httplib::ThreadPool(64); };
  upstream.set_tcp_nodelay(true);
  upstream.Post("/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find("\"stream\":true") != std::string::npos) {
      res.set_content(
          "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
          "data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
          "data: "
          "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":"
          "11}}\n\n"
          "data: [DONE]\n\n",
          "text/event-stream");
      return;
    }
    res.set_content(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
        "{\"role\":\"assistant\",\"content\":\"Hello there\"},\"finish_reason\":\"stop\"}],"
        "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}",
        "application/json");
  });
  const int up_port = upstream.bind_to_any_port("127.0.0.1");
  std::thread up_thread([&] { upstream.listen_after_bind(); });

  wildchat::GatewayOptions o;
  o.port = 0;
  o.log_dir = dir;
  o.log_options.sync = sync;
  o.upstreams.push_back({"local", "http://127.0.0.1:" + std::to_string(up_port) + "/v1", ""});
  o.models.push_back({"bench", "local"});
  std::unique_ptr<wildchat::GatewayServer> gw;
  wildchat::Status st = wildchat::GatewayServer::Create(o, &gw);
  int gw_port = 0;
  if (st.ok()) st = gw->Listen(&gw_port);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::thread gw_thread([&] { (void)gw->Run(); });

  std::printf("%d clients, %.0f s each, %s, log %s\n", clients, seconds,
              stream ? "streaming" : "non-streaming", sync ? "durable (fdatasync)" : "NOT synced");
  Result direct = Drive(up_port, clients, seconds / 2, stream);
  Print("upstream directly", direct);
  Result via = Drive(gw_port, clients, seconds, stream);
  Print("through the gateway", via);
  std::printf("added latency: p50 %.0f us, p99 %.0f us\n",
              Pct(via.micros, 0.5) - Pct(direct.micros, 0.5),
              Pct(via.micros, 0.99) - Pct(direct.micros, 0.99));
  Result single_direct = Drive(up_port, 1, seconds / 4, stream);
  Result single_via = Drive(gw_port, 1, seconds / 4, stream);
  Print("1 client, directly", single_direct);
  Print("1 client, gateway", single_via);
  std::printf("added latency, 1 client: p50 %.0f us, p99 %.0f us\n",
              Pct(single_via.micros, 0.5) - Pct(single_direct.micros, 0.5),
              Pct(single_via.micros, 0.99) - Pct(single_direct.micros, 0.99));
  gw->Stop();
  gw_thread.join();
  upstream.stop();
  up_thread.join();
  gw.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
