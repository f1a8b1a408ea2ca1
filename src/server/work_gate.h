// WorkGate: computes requests on its own `slots` threads, at most `slots` at
// once, and starts them first come, first served (internal to src/server;
// docs/api.md, "Concurrency").
//
// The server keeps many connections open on many threads, but the machine
// has few cores. Without a gate every open request shares the cores, so a
// request that needs 10 ms of CPU finishes only after ~10 ms times the number
// of requests running beside it; behind a gate each runs at nearly full speed
// once started and waits only for those that came before it, which bounds
// the tail latency under load without lowering throughput. The work runs on
// the gate's threads rather than the connections': a few threads that stay
// busy keep their caches, zstd contexts and heap warm, where the work of 32
// connections spread over 32 threads found them cold (13% more CPU per
// request at 1M).
// Cheap requests (cache hits, static files) should not pass through it.
// Thread-safe; slots below 1 count as 1. Destruction waits for the work
// already given to it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wildchat {

class WorkGate {
 public:
  explicit WorkGate(int slots);
  ~WorkGate();
  WorkGate(const WorkGate&) = delete;
  WorkGate& operator=(const WorkGate&) = delete;

  // Runs work on one of the gate's threads once every earlier arrival has
  // started, and returns when it has returned (rethrowing what it threw).
  void Run(const std::function<void()>& work);

  int slots() const { return static_cast<int>(threads_.size()); }
  // Arrivals not yet started (for tests and diagnostics).
  size_t waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }

 private:
  struct Task {
    const std::function<void()>* work;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable cv;  // the caller's: set with done
  };
  void Serve();

  mutable std::mutex mu_;
  std::condition_variable ready_;  // the gate's threads: a task or stopping
  std::deque<Task*> queue_;        // waiting, oldest first
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wildchat
