// LruCache<V>: shared immutable values by string key, least recently used
// evicted first, bounded by bytes. Used for the explorer's answers
// (server/response_cache.h) and the engine's evaluated queries
// (engine/query/query_cache.h).
//
// An entry costs key.size() + the value's cost (given by the caller) +
// kEntryOverhead bytes; the total never exceeds the capacity. Put() of an
// entry that alone exceeds the capacity stores nothing (so a capacity of 0
// disables the cache) and drops any older value of that key. Get() returns a
// shared value that stays valid after eviction. All methods are thread-safe;
// one mutex guards the whole cache, and values are handed out without
// copying under it.
#pragma once

#include <cstddef>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wildchat {

template <typename V>
class LruCache {
 public:
  // Bookkeeping per entry (list and hash nodes, the shared value's control
  // block), charged so that many small entries cannot overrun the budget.
  static constexpr size_t kEntryOverhead = 160;

  explicit LruCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value stored under `key`, now the most recently used; null if absent.
  std::shared_ptr<const V> Get(std::string_view key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = by_key_.find(key);
    if (found == by_key_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, found->second);
    return found->second->value;
  }

  // Stores (or replaces) `key`, evicting least recently used entries until it
  // fits; returns false, storing nothing, when it cannot fit at all.
  bool Put(const std::string& key, std::shared_ptr<const V> value, size_t value_cost) {
    const size_t cost = key.size() + value_cost + kEntryOverhead;
    std::lock_guard<std::mutex> lock(mu_);
    auto found = by_key_.find(std::string_view(key));
    if (found != by_key_.end()) EraseLocked(found->second);
    if (cost > capacity_) return false;
    while (bytes_ + cost > capacity_) EraseLocked(std::prev(lru_.end()));
    lru_.push_front(Entry{key, std::move(value), cost});
    // The view points into the list node's string, which never moves.
    by_key_.emplace(std::string_view(lru_.front().key), lru_.begin());
    bytes_ += cost;
    return true;
  }

  size_t capacity() const { return capacity_; }
  size_t bytes() const {  // total cost of the stored entries
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
  }
  size_t entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lru_.size();
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    size_t cost = 0;
  };
  void EraseLocked(typename std::list<Entry>::iterator it) {
    by_key_.erase(std::string_view(it->key));
    bytes_ -= it->cost;
    lru_.erase(it);
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<std::string_view, typename std::list<Entry>::iterator> by_key_;
  size_t bytes_ = 0;
};

}  // namespace wildchat
