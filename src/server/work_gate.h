// WorkGate: lets at most `slots` requests compute at once and admits the
// others first come, first served (internal to src/server; docs/api.md,
// "Concurrency").
//
// The server keeps many connections open on many threads, but the machine
// has few cores. Without a gate every open request shares the cores, so a
// request that needs 10 ms of CPU finishes only after ~10 ms times the number
// of requests running beside it; behind a gate of one slot per core each runs
// at nearly full speed once admitted and waits only for those that came
// before it, which bounds the tail latency under load without lowering
// throughput (a few slots per core keep the cores busy while a request waits
// for memory, a lock or the network).
// Cheap requests (cache hits, static files) should not pass through it.
// Thread-safe; slots below 1 count as 1.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace wildchat {

class WorkGate {
 public:
  explicit WorkGate(int slots) : slots_(slots < 1 ? 1 : static_cast<uint64_t>(slots)) {}
  WorkGate(const WorkGate&) = delete;
  WorkGate& operator=(const WorkGate&) = delete;

  // Holds a slot from construction (after every earlier arrival got one)
  // until destruction.
  class Pass {
   public:
    explicit Pass(WorkGate& gate) : gate_(gate) { gate_.Enter(); }
    ~Pass() { gate_.Leave(); }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    WorkGate& gate_;
  };

  int slots() const { return static_cast<int>(slots_); }
  // Arrivals not yet admitted (for tests and diagnostics).
  size_t waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }

 private:
  // A waiter's own condition: a leaver hands its slot to the oldest waiter
  // and wakes that one only.
  struct Waiter {
    std::condition_variable cv;
    bool admitted = false;
  };

  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    if (inside_ < slots_ && queue_.empty()) {
      ++inside_;
      return;
    }
    Waiter me;
    queue_.push_back(&me);
    me.cv.wait(lock, [&] { return me.admitted; });
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) {
      --inside_;
      return;
    }
    Waiter* next = queue_.front();
    queue_.pop_front();
    next->admitted = true;  // the slot passes on: inside_ is unchanged
    next->cv.notify_one();
  }

  const uint64_t slots_;
  mutable std::mutex mu_;
  uint64_t inside_ = 0;        // passes held
  std::deque<Waiter*> queue_;  // waiting, oldest first
};

}  // namespace wildchat
