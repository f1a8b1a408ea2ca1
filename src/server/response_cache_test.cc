// ResponseCache: byte accounting, least-recently-used eviction by bytes,
// entries too large for the budget, and concurrent use.
#include "server/response_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace wildchat {
namespace {

constexpr size_t kOverhead = ResponseCache::kEntryOverhead;

// A body of `n` bytes that names its key, so a wrong entry is visible.
std::string Body(const std::string& key, size_t n) {
  std::string body = key + ":";
  body.resize(n, '.');
  return body;
}

std::string Stored(ResponseCache& cache, const std::string& key) {
  auto body = cache.Get(key);
  return body ? *body : "<absent>";
}

TEST(ResponseCacheTest, GetReturnsWhatWasPut) {
  ResponseCache cache(1 << 20);
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_TRUE(cache.Put("a", "{\"x\":1}"));
  EXPECT_TRUE(cache.Put("b", "{\"x\":2}"));
  EXPECT_EQ(Stored(cache, "a"), "{\"x\":1}");
  EXPECT_EQ(Stored(cache, "b"), "{\"x\":2}");
  EXPECT_EQ(cache.Get("c"), nullptr);
  EXPECT_EQ(cache.entries(), 2u);
}

TEST(ResponseCacheTest, CountsKeyBodyAndOverheadBytes) {
  ResponseCache cache(1 << 20);
  EXPECT_EQ(cache.bytes(), 0u);
  cache.Put("key1", std::string(100, 'x'));
  EXPECT_EQ(cache.bytes(), 4 + 100 + kOverhead);
  cache.Put("k2", std::string(1000, 'y'));
  EXPECT_EQ(cache.bytes(), (4 + 100 + kOverhead) + (2 + 1000 + kOverhead));
  // Replacing an entry charges the new size only.
  cache.Put("key1", std::string(10, 'z'));
  EXPECT_EQ(cache.bytes(), (4 + 10 + kOverhead) + (2 + 1000 + kOverhead));
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_EQ(Stored(cache, "key1"), std::string(10, 'z'));
}

TEST(ResponseCacheTest, EvictsLeastRecentlyUsedUntilTheNewEntryFits) {
  // Each entry costs exactly 1000 bytes; room for three.
  const size_t body = 1000 - 1 - kOverhead;
  ResponseCache cache(3000);
  cache.Put("a", Body("a", body));
  cache.Put("b", Body("b", body));
  cache.Put("c", Body("c", body));
  EXPECT_EQ(cache.bytes(), 3000u);
  ASSERT_NE(cache.Get("a"), nullptr);  // a is now the most recently used; b the least
  cache.Put("d", Body("d", body));
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_EQ(Stored(cache, "a"), Body("a", body));
  EXPECT_EQ(Stored(cache, "c"), Body("c", body));
  EXPECT_EQ(Stored(cache, "d"), Body("d", body));
  // Order now, least recent first: a, c, d. An entry worth two evicts a and c.
  cache.Put("e", Body("e", 2000 - 1 - kOverhead));
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_EQ(cache.Get("c"), nullptr);
  EXPECT_EQ(Stored(cache, "d"), Body("d", body));
  EXPECT_EQ(Stored(cache, "e"), Body("e", 2000 - 1 - kOverhead));
  EXPECT_EQ(cache.bytes(), 3000u);
  EXPECT_EQ(cache.entries(), 2u);
}

TEST(ResponseCacheTest, EntryLargerThanTheBudgetIsNotStored) {
  ResponseCache cache(4096);
  EXPECT_TRUE(cache.Put("small", "{}"));
  EXPECT_FALSE(cache.Put("big", std::string(4096, 'x')));  // key and overhead push it over
  EXPECT_EQ(cache.Get("big"), nullptr);
  // Refusing it evicted nothing.
  EXPECT_EQ(Stored(cache, "small"), "{}");
  EXPECT_EQ(cache.bytes(), 5 + 2 + kOverhead);
  // Exactly the budget fits (and needs everything else gone).
  EXPECT_TRUE(cache.Put("fit", std::string(4096 - 3 - kOverhead, 'y')));
  EXPECT_EQ(cache.Get("small"), nullptr);
  EXPECT_EQ(cache.bytes(), 4096u);
}

TEST(ResponseCacheTest, ReplacingWithAnOversizedBodyDropsTheOldOne) {
  ResponseCache cache(1024);
  cache.Put("k", "old");
  EXPECT_FALSE(cache.Put("k", std::string(2048, 'n')));
  EXPECT_EQ(cache.Get("k"), nullptr);  // never the stale body
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCacheTest, ZeroCapacityStoresNothing) {
  ResponseCache cache(0);
  EXPECT_FALSE(cache.Put("", ""));
  EXPECT_FALSE(cache.Put("a", "{}"));
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCacheTest, BodyOutlivesItsEviction) {
  ResponseCache cache(1000);
  cache.Put("a", "first body");
  auto held = cache.Get("a");
  cache.Put("b", std::string(1000 - 1 - kOverhead, 'b'));  // evicts a
  EXPECT_EQ(cache.Get("a"), nullptr);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(*held, "first body");
}

TEST(ResponseCacheTest, ConcurrentGetAndPutKeepTheBudgetAndTheBodies) {
  // Keys 0..63, each with its own body size; a budget for about a third of them.
  auto key_of = [](int i) { return "/api/search?q=" + std::to_string(i); };
  auto body_of = [&](int i) { return Body(key_of(i), 200 + 37 * i); };
  size_t all = 0;
  for (int i = 0; i < 64; ++i) all += key_of(i).size() + body_of(i).size() + kOverhead;
  ResponseCache cache(all / 3);

  std::atomic<int> wrong{0}, hits{0}, over_budget{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      uint32_t x = 12345u + 7919u * t;
      for (int n = 0; n < 20000; ++n) {
        x = x * 1664525u + 1013904223u;
        int i = static_cast<int>((x >> 8) % 64);
        if (auto body = cache.Get(key_of(i))) {
          ++hits;
          if (*body != body_of(i)) ++wrong;
        } else {
          cache.Put(key_of(i), body_of(i));
        }
        if (cache.bytes() > cache.capacity()) ++over_budget;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(over_budget.load(), 0);
  EXPECT_GT(hits.load(), 0);
  // The final accounting matches the entries actually there.
  size_t present = 0;
  size_t count = 0;
  for (int i = 0; i < 64; ++i) {
    if (auto body = cache.Get(key_of(i))) {
      EXPECT_EQ(*body, body_of(i));
      present += key_of(i).size() + body->size() + kOverhead;
      ++count;
    }
  }
  EXPECT_EQ(cache.bytes(), present);
  EXPECT_EQ(cache.entries(), count);
}

}  // namespace
}  // namespace wildchat
