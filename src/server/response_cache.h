// ResponseCache: complete response bodies by key, least recently used
// evicted first, bounded by bytes (the explorer's cache of /api answers over
// an index that does not change while the server runs).
//
// An entry costs key.size() + body.size() + kEntryOverhead bytes; the total
// never exceeds the capacity. Put() of an entry that alone exceeds the
// capacity stores nothing (so a capacity of 0 disables the cache). Get()
// returns a shared body that stays valid after eviction. All methods are
// thread-safe; one mutex guards the whole cache, and bodies are handed out
// without copying under it.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wildchat {

class ResponseCache {
 public:
  // Bookkeeping per entry (list and hash nodes, the shared body's control
  // block), charged so that many small entries cannot overrun the budget.
  static constexpr size_t kEntryOverhead = 160;

  explicit ResponseCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The body stored under `key`, now the most recently used; null if absent.
  std::shared_ptr<const std::string> Get(const std::string& key);
  // Stores (or replaces) `key`, evicting least recently used entries until it
  // fits; returns false, storing nothing, when it cannot fit at all.
  bool Put(const std::string& key, std::string body);

  size_t capacity() const { return capacity_; }
  size_t bytes() const;    // total cost of the stored entries
  size_t entries() const;  // number of stored entries

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> body;
    size_t cost = 0;
  };
  void EraseLocked(std::list<Entry>::iterator it);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_key_;  // views lru_ keys
  size_t bytes_ = 0;
};

}  // namespace wildchat
