// ParallelFor: runs fn(i) for every i in [begin, end) on `threads` threads
// (the caller's included), handing out blocks of indices dynamically. fn must
// be safe to call concurrently for distinct i. Returns when all calls are done.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace wildchat {

template <typename Fn>
void ParallelFor(uint32_t begin, uint32_t end, int threads, Fn fn, uint32_t block = 256) {
  std::atomic<uint32_t> next{begin};
  auto work = [&] {
    for (;;) {
      const uint32_t start = next.fetch_add(block);
      if (start >= end) return;
      const uint32_t stop = std::min(end, start + block);
      for (uint32_t i = start; i < stop; ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<uint64_t>(t) * block < end - begin + block; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace wildchat
