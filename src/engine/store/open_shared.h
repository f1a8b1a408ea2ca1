// OpenShared: one immutable object per distinct bytes in the process. The
// store's decoders built from a segment's bytes (a zstd dictionary's windows,
// a text vocabulary) are the same for every segment of one build; opening
// them through here gives the readers of equal bytes one object, and so one
// copy in memory and in the cache. Objects live while a reader holds them;
// expired entries are dropped as others open. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

namespace wildchat {

// open(bytes, &unique) makes a T; bytes_of(t) gives back the bytes a T was
// opened from. One registry per T.
template <typename T, typename Open, typename BytesOf>
Status OpenShared(std::string_view bytes, Open&& open, BytesOf&& bytes_of,
                  std::shared_ptr<const T>* out) {
  static std::mutex mu;
  static std::unordered_multimap<size_t, std::weak_ptr<const T>> opened;
  const size_t key = std::hash<std::string_view>()(bytes);
  std::lock_guard<std::mutex> lock(mu);
  for (auto [it, end] = opened.equal_range(key); it != end; ++it) {
    std::shared_ptr<const T> t = it->second.lock();
    if (t && bytes_of(*t) == bytes) {
      *out = std::move(t);
      return Status::OK();
    }
  }
  std::erase_if(opened, [](const auto& e) { return e.second.expired(); });
  std::unique_ptr<T> fresh;
  WILDCHAT_RETURN_IF_ERROR(open(bytes, &fresh));
  std::shared_ptr<const T> t(std::move(fresh));
  opened.emplace(key, t);
  *out = std::move(t);
  return Status::OK();
}

}  // namespace wildchat
