#include "server/response_cache.h"

namespace wildchat {

std::shared_ptr<const std::string> ResponseCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->body;
}

bool ResponseCache::Put(const std::string& key, std::string body) {
  const size_t cost = key.size() + body.size() + kEntryOverhead;
  // The body is moved into shared storage before taking the lock.
  auto shared = std::make_shared<const std::string>(std::move(body));
  std::lock_guard<std::mutex> lock(mu_);
  auto found = by_key_.find(key);
  if (found != by_key_.end()) EraseLocked(found->second);
  if (cost > capacity_) return false;
  while (bytes_ + cost > capacity_) EraseLocked(std::prev(lru_.end()));
  lru_.push_front(Entry{key, std::move(shared), cost});
  // The view points into the list node's string, which never moves.
  by_key_.emplace(std::string_view(lru_.front().key), lru_.begin());
  bytes_ += cost;
  return true;
}

void ResponseCache::EraseLocked(std::list<Entry>::iterator it) {
  by_key_.erase(std::string_view(it->key));
  bytes_ -= it->cost;
  lru_.erase(it);
}

size_t ResponseCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t ResponseCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace wildchat
