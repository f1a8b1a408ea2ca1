// Crash safety: concurrent chats against the real gateway binary, which is
// killed with SIGKILL at random moments and restarted on the same log. Every
// turn a client saw acknowledged (HTTP 200 body, or `data: [DONE]`) must be in
// the log exactly once, identifiers must keep increasing across restarts, and
// export must work afterwards.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "gateway/log/turn_log_reader.h"
#include "gateway/testing/fake_upstream.h"
#include "gateway/testing/gateway_process.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

TEST(GatewayCrashTest, KilledGatewayLosesNoAcknowledgedTurn) {
  const std::string dir =
      (fs::temp_directory_path() / ("wildchat-gw-crash-" + std::to_string(getpid()))).string();
  fs::remove_all(dir);
  FakeUpstream upstream;
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> attempts{0};
  std::mt19937 rng(20240501);
  constexpr int kCycles = 5, kClients = 6;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    GatewayProcess gw;
    ASSERT_TRUE(gw.Start({"--log", dir, "--upstream", "fake=" + upstream.base_url(), "--model", "m",
                          "--segment-mb", "1"})
                    .ok());
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        httplib::Client cli("127.0.0.1", gw.port());
        cli.set_read_timeout(30, 0);
        for (int i = 0; !stop; ++i) {
          const std::string nonce = "cycle" + std::to_string(cycle) + "-client" +
                                    std::to_string(c) + "-" + std::to_string(i);
          const bool stream = (i + c) % 2 == 0;
          const std::string body =
              std::string("{\"model\":\"m\",\"stream\":") + (stream ? "true" : "false") +
              ",\"messages\":[{\"role\":\"user\",\"content\":\"" + nonce + "\"}]}";
          attempts++;
          auto r = cli.Post("/v1/chat/completions", body, "application/json");
          if (!r || r->status != 200) continue;
          const bool ok = stream ? r->body.size() >= 14 && r->body.compare(r->body.size() - 14, 14,
                                                                           "data: [DONE]\n\n") == 0
                                 : r->body.find("echo: " + nonce) != std::string::npos;
          if (ok) {
            std::lock_guard<std::mutex> l(mu);
            acked.insert(nonce);
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 900));
    gw.Stop(SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
  }

  // Restart once more: recovery must succeed over whatever tail the last kill left.
  GatewayProcess gw;
  ASSERT_TRUE(
      gw.Start({"--log", dir, "--upstream", "fake=" + upstream.base_url(), "--model", "m"}).ok());
  gw.Stop(SIGTERM);

  std::map<std::string, int> seen;
  int64_t last_id = 0;
  TurnLogScan scan;
  ASSERT_TRUE(ReadTurnLog(
                  dir,
                  [&](TurnRecord&& r) {
                    EXPECT_GT(r.turn_identifier, last_id);
                    last_id = r.turn_identifier;
                    if (r.outcome == TurnRecord::Outcome::kCompleted)
                      seen[r.messages.back().content]++;
                    return Status::OK();
                  },
                  &scan)
                  .ok());
  EXPECT_TRUE(scan.problems.empty());
  ASSERT_GT(acked.size(), 20u) << "too few turns completed to test anything (" << attempts
                               << " tries)";
  for (const std::string& nonce : acked) EXPECT_EQ(seen[nonce], 1) << nonce;
  for (const auto& [nonce, n] : seen) EXPECT_EQ(n, 1) << nonce;

  std::string err;
  EXPECT_EQ(RunWildchat({"gateway", "export", "--log", dir, "--out", dir + "/out.jsonl"}, &err), 0)
      << err;
  EXPECT_TRUE(fs::exists(dir + "/out.jsonl"));
  fs::remove_all(dir);
}

// SIGTERM as soon as the gateway says it listens, which can be before its
// accept loop has begun, must still stop it, and cleanly.
TEST(GatewayCrashTest, SignalRightAfterStartStopsTheGateway) {
  const std::string dir =
      (fs::temp_directory_path() / ("wildchat-gw-term-" + std::to_string(getpid()))).string();
  fs::remove_all(dir);
  FakeUpstream upstream;
  for (int i = 0; i < 20; ++i) {
    GatewayProcess gw;
    ASSERT_TRUE(
        gw.Start({"--log", dir, "--upstream", "fake=" + upstream.base_url(), "--model", "m"}).ok());
    const std::optional<int> status = gw.StopWithin(SIGTERM, 10);
    ASSERT_TRUE(status.has_value()) << "start " << i << ": still running 10 s after SIGTERM";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "start " << i;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wildchat
