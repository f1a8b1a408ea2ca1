#include "engine/collect/random_order.h"

#include <algorithm>
#include <array>
#include <utility>

namespace wildchat {

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

const RandomOrder::Sorted& RandomOrder::Hashes() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (sorted_.doc.size() == index_->num_docs) return sorted_;
  std::vector<std::pair<uint64_t, uint32_t>> keys;
  keys.reserve(index_->num_docs);
  for (size_t si = 0; si < index_->segments.size(); ++si) {
    const Segment& s = *index_->segments[si];
    for (uint32_t d = 0; d < s.num_docs(); ++d) {
      keys.emplace_back(Mix64(static_cast<uint64_t>(s.id(d))), index_->bases[si] + d);
    }
  }
  // mix is a bijection: equal hashes are equal ids, whose ties go by doc.
  std::sort(keys.begin(), keys.end());
  sorted_.hash.resize(keys.size());
  sorted_.doc.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    sorted_.hash[i] = keys[i].first;
    sorted_.doc[i] = keys[i].second;
  }
  return sorted_;
}

void RandomOrder::Page(const Bitset& matches, uint64_t seed, uint64_t begin, uint64_t end,
                       std::vector<uint32_t>* out) const {
  out->clear();
  if (end <= begin) return;
  const Sorted& sorted = Hashes();
  const uint64_t* hash = sorted.hash.data();
  const uint64_t c = Mix64(seed);
  // A trie node: entries [lo, hi) of the sorted hashes, which agree on every
  // bit above `bit`, so their keys do too; at `bit` the entries whose bit
  // equals c's have the smaller keys. Small nodes are sorted by key.
  struct Node {
    size_t lo, hi;
    int bit;
  };
  constexpr size_t kLeaf = 32;
  std::vector<Node> stack{{0, sorted.hash.size(), 63}};
  std::vector<std::pair<uint64_t, size_t>> leaf;  // key, entry
  uint64_t rank = 0;
  while (!stack.empty() && rank < end) {
    const Node n = stack.back();
    stack.pop_back();
    if (n.hi - n.lo > kLeaf && n.bit >= 0) {
      const uint64_t bit = uint64_t{1} << n.bit;
      const size_t m = static_cast<size_t>(
          std::partition_point(hash + n.lo, hash + n.hi, [bit](uint64_t h) { return !(h & bit); }) -
          hash);
      const Node zero{n.lo, m, n.bit - 1}, one{m, n.hi, n.bit - 1};
      // The node visited first is pushed last.
      for (const Node& next : (c & bit) ? std::array{zero, one} : std::array{one, zero}) {
        if (next.lo < next.hi) stack.push_back(next);
      }
      continue;
    }
    leaf.clear();
    for (size_t i = n.lo; i < n.hi; ++i) leaf.emplace_back(hash[i] ^ c, i);
    std::sort(leaf.begin(), leaf.end());
    for (const auto& [key, i] : leaf) {
      const uint32_t doc = sorted.doc[i];
      if (!matches.Test(doc)) continue;
      if (rank >= begin) out->push_back(doc);
      if (++rank >= end) break;
    }
  }
}

}  // namespace wildchat
