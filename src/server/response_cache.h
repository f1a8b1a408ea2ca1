// ResponseCache: complete response bodies by key (the explorer's cache of
// /api answers over an index that does not change while the server runs):
// an LruCache (base/lru_cache.h) of strings whose cost is the body's size.
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/lru_cache.h"

namespace wildchat {

class ResponseCache {
 public:
  static constexpr size_t kEntryOverhead = LruCache<std::string>::kEntryOverhead;

  explicit ResponseCache(size_t capacity_bytes) : cache_(capacity_bytes) {}

  // The body stored under `key`, now the most recently used; null if absent.
  std::shared_ptr<const std::string> Get(const std::string& key) { return cache_.Get(key); }
  // Stores (or replaces) `key`; false, storing nothing, when it cannot fit.
  bool Put(const std::string& key, std::string body) {
    const size_t cost = body.size();
    return cache_.Put(key, std::make_shared<const std::string>(std::move(body)), cost);
  }

  size_t capacity() const { return cache_.capacity(); }
  size_t bytes() const { return cache_.bytes(); }
  size_t entries() const { return cache_.entries(); }

 private:
  LruCache<std::string> cache_;
};

}  // namespace wildchat
