#include "engine/collect/time_order.h"

#include <algorithm>

namespace wildchat {

const std::vector<uint32_t>& TimeOrder::Order(bool newest) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint32_t>& order = newest ? newest_ : oldest_;
  if (order.size() == index_->num_docs) return order;
  struct Key {
    int64_t ts;
    int64_t id;
    uint32_t doc;
  };
  std::vector<Key> keys;
  keys.reserve(index_->num_docs);
  for (size_t si = 0; si < index_->segments.size(); ++si) {
    const Segment& s = *index_->segments[si];
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      keys.push_back(Key{s.timestamp(d), s.id(d), index_->bases[si] + d});
    }
  }
  std::sort(keys.begin(), keys.end(), [newest](const Key& a, const Key& b) {
    const bool an = a.ts == kNullTimestamp, bn = b.ts == kNullTimestamp;
    if (an != bn) return bn;  // null timestamps last
    if (!an && a.ts != b.ts) return newest ? a.ts > b.ts : a.ts < b.ts;
    return a.id != b.id ? a.id < b.id : a.doc < b.doc;  // a repeated id: index order
  });
  order.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].doc;
  return order;
}

void TimeOrder::Page(const Bitset& matches, bool newest, uint64_t begin, uint64_t end,
                     std::vector<uint32_t>* out) const {
  out->clear();
  const std::vector<uint32_t>& order = Order(newest);
  uint64_t rank = 0;
  for (uint32_t doc : order) {
    if (rank >= end) break;
    if (!matches.Test(doc)) continue;
    if (rank >= begin) out->push_back(doc);
    ++rank;
  }
}

}  // namespace wildchat
