#include "server/work_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace wildchat {
namespace {

// Waits (bounded) until `gate` has `n` arrivals queued.
bool WaitForQueue(const WorkGate& gate, size_t n) {
  for (int i = 0; i < 20000; ++i) {
    if (gate.waiting() == n) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return false;
}

TEST(WorkGate, NeverAdmitsMoreThanItsSlots) {
  for (int slots : {1, 2, 3}) {
    WorkGate gate(slots);
    std::atomic<int> inside{0}, most{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          WorkGate::Pass pass(gate);
          const int now = ++inside;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::yield();
          --inside;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_LE(most.load(), slots);
    EXPECT_GE(most.load(), 1);
    EXPECT_EQ(gate.waiting(), 0u);
  }
}

TEST(WorkGate, AdmitsWaitersInArrivalOrder) {
  WorkGate gate(2);
  auto a = std::make_unique<WorkGate::Pass>(gate);
  auto b = std::make_unique<WorkGate::Pass>(gate);  // both slots held, nobody waits
  EXPECT_EQ(gate.waiting(), 0u);
  std::vector<int> order;
  std::mutex mu;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&, i] {
      WorkGate::Pass pass(gate);
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    });
    // The next waiter arrives only once this one is queued.
    ASSERT_TRUE(WaitForQueue(gate, static_cast<size_t>(i) + 1));
  }
  // With b still held, one slot serves the waiters one at a time: each
  // leaver hands it to the oldest of those still queued.
  a.reset();
  for (std::thread& t : waiters) t.join();
  b.reset();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(WorkGate, ASlotBelowOneCountsAsOne) {
  WorkGate gate(0);
  EXPECT_EQ(gate.slots(), 1);
  auto held = std::make_unique<WorkGate::Pass>(gate);
  std::atomic<bool> in{false};
  std::thread t([&] {
    WorkGate::Pass pass(gate);
    in = true;
  });
  ASSERT_TRUE(WaitForQueue(gate, 1));
  EXPECT_FALSE(in.load());
  held.reset();
  t.join();
  EXPECT_TRUE(in.load());
}

}  // namespace
}  // namespace wildchat
