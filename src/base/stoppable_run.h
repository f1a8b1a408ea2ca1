// StoppableRun: Run()/Stop() for an HTTP server whose own stop() does nothing
// before its accept loop has begun (cpp-httplib's Server: stop() acts only
// once is_running()). Used by the explorer and the gateway, whose Stop() may
// come from another thread (a signal handler's, a test's) at any moment:
// before Run(), while Run() starts, or while it serves.
//
// Run(listen) calls listen() (the accept loop) unless Stop() came first.
// Stop(server) marks the stop and, when a Run() is past that mark's check,
// waits until the server serves before stopping it, so that Run() always
// ends. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace wildchat {

class StoppableRun {
 public:
  // Whether Run ended well: listen() returned true, or Stop() was asked.
  template <typename Listen>
  bool Run(Listen&& listen) {
    running_ = true;
    const bool ended = stop_requested_ || listen();
    const bool asked = stop_requested_;
    running_ = false;
    return ended || asked;
  }

  // server: anything with is_running() and stop().
  template <typename Server>
  void Stop(Server& server) {
    stop_requested_ = true;
    while (running_ && !server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server.stop();
  }

 private:
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};  // inside Run()
};

}  // namespace wildchat
