// IdHashes: every document's mix(id), the inner hash of the random order
// (docs/query.md "Random order": ordered by mix(seed XOR mix(id))),
// computed on first use and kept (8 bytes a document). A random page then
// hashes each match once instead of twice, and reads the hashes in global
// doc order without walking segments. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/query/executor.h"

namespace wildchat {

// The documented mix: SplitMix64's finaliser.
inline uint64_t RandomOrderMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class IdHashes {
 public:
  explicit IdHashes(const SegmentSet* index) : index_(index) {}
  // Per global doc: mix(its id).
  const std::vector<uint64_t>& All() const;

 private:
  const SegmentSet* index_;
  mutable std::mutex mu_;
  mutable std::vector<uint64_t> hashes_;
};

}  // namespace wildchat
