#include "server/work_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
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

TEST(WorkGate, NeverRunsMoreThanItsSlotsAndOnlyOnItsOwnThreads) {
  for (int slots : {1, 2, 3}) {
    WorkGate gate(slots);
    std::atomic<int> inside{0}, most{0}, runs{0};
    std::mutex mu;
    std::set<std::thread::id> ran_on, callers;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        {
          std::lock_guard<std::mutex> lock(mu);
          callers.insert(std::this_thread::get_id());
        }
        for (int i = 0; i < 200; ++i) {
          gate.Run([&] {
            const int now = ++inside;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            {
              std::lock_guard<std::mutex> lock(mu);
              ran_on.insert(std::this_thread::get_id());
            }
            std::this_thread::yield();
            --inside;
            ++runs;
          });
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(runs.load(), 8 * 200);
    EXPECT_LE(most.load(), slots);
    EXPECT_GE(most.load(), 1);
    EXPECT_LE(ran_on.size(), static_cast<size_t>(slots));
    for (const std::thread::id& id : ran_on) EXPECT_EQ(callers.count(id), 0u);
    EXPECT_EQ(gate.waiting(), 0u);
  }
}

TEST(WorkGate, StartsWaitersInArrivalOrder) {
  WorkGate gate(2);
  // Both threads held by work that waits for a release.
  std::mutex hold_mu;
  std::condition_variable hold_cv;
  bool release_a = false, release_b = false;
  int started = 0;
  auto hold = [&](bool* release) {
    return std::thread([&gate, &hold_mu, &hold_cv, &started, release] {
      gate.Run([&] {
        std::unique_lock<std::mutex> lock(hold_mu);
        ++started;
        hold_cv.notify_all();
        hold_cv.wait(lock, [&] { return *release; });
      });
    });
  };
  std::thread a = hold(&release_a);
  std::thread b = hold(&release_b);
  {
    std::unique_lock<std::mutex> lock(hold_mu);
    hold_cv.wait(lock, [&] { return started == 2; });
  }
  EXPECT_EQ(gate.waiting(), 0u);
  std::vector<int> order;
  std::mutex mu;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&, i] {
      gate.Run([&] {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(i);
      });
    });
    // The next waiter arrives only once this one is queued.
    ASSERT_TRUE(WaitForQueue(gate, static_cast<size_t>(i) + 1));
  }
  // With b still held, one thread serves the waiters one at a time, oldest
  // first.
  {
    std::lock_guard<std::mutex> lock(hold_mu);
    release_a = true;
  }
  hold_cv.notify_all();
  for (std::thread& t : waiters) t.join();
  {
    std::lock_guard<std::mutex> lock(hold_mu);
    release_b = true;
  }
  hold_cv.notify_all();
  a.join();
  b.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(WorkGate, ASlotBelowOneCountsAsOne) {
  WorkGate gate(0);
  EXPECT_EQ(gate.slots(), 1);
  int ran = 0;
  gate.Run([&] { ++ran; });
  EXPECT_EQ(ran, 1);
}

TEST(WorkGate, WhatTheWorkThrowsReachesTheCaller) {
  WorkGate gate(2);
  EXPECT_THROW(gate.Run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  // The gate's thread survives it.
  int ran = 0;
  for (int i = 0; i < 10; ++i) gate.Run([&] { ++ran; });
  EXPECT_EQ(ran, 10);
}

}  // namespace
}  // namespace wildchat
