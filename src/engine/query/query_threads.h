// The threads one query may use on its own (regex prefilter and
// verification): up to four, no more than the machine has cores.
// RunOnThreads(n, fn) calls fn(0), ..., fn(n - 1) at once, fn(0) on the
// calling thread, and returns when all have; fn must be safe to call
// concurrently with distinct arguments.
#pragma once

#include <algorithm>
#include <thread>
#include <vector>

namespace wildchat {

inline unsigned QueryThreads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

template <typename Fn>
void RunOnThreads(unsigned n, Fn&& fn) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back([&fn, t] { fn(t); });
  fn(0u);
  for (std::thread& th : pool) th.join();
}

}  // namespace wildchat
