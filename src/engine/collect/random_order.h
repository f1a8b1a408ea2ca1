// RandomOrder: the random order of docs/query.md ("Random order"): documents
// ascending by RandomKey(id, seed) = mix(id) XOR mix(seed), ties by id, then
// by doc number.
//
// Every document's mix(id) is computed on first use and kept sorted (12
// bytes a document). Ascending mix(id) XOR c is then the order of a walk of
// the sorted hashes as a binary trie that takes, at each bit, the side
// agreeing with c's bit first, so a page of a broad match set is found by
// visiting about offset + limit members, whatever the seed, instead of
// hashing every match (index.cc decides when that pays). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/collect/bitset.h"
#include "engine/query/executor.h"

namespace wildchat {

// SplitMix64's finaliser (docs/query.md).
uint64_t Mix64(uint64_t x);

// The random order's key of a conversation with first turn id `id`.
inline uint64_t RandomKey(int64_t id, uint64_t seed) {
  return Mix64(static_cast<uint64_t>(id)) ^ Mix64(seed);
}

class RandomOrder {
 public:
  explicit RandomOrder(const SegmentSet* index) : index_(index) {}

  // The members of `matches` at ranks [begin, end) of the order for `seed`,
  // in order.
  void Page(const Bitset& matches, uint64_t seed, uint64_t begin, uint64_t end,
            std::vector<uint32_t>* out) const;

 private:
  struct Sorted {
    std::vector<uint64_t> hash;  // mix(id) ascending
    std::vector<uint32_t> doc;   // the doc of each, ties by id then doc
  };
  const Sorted& Hashes() const;

  const SegmentSet* index_;
  mutable std::mutex mu_;
  mutable Sorted sorted_;  // built once: then one entry per doc
};

}  // namespace wildchat
