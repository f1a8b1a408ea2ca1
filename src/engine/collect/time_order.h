// TimeOrder: every document of an index in "newest" and in "oldest" order
// (docs/query.md "Sorting": timestamp descending / ascending, null timestamps
// last, ties by conversation id ascending, then index order), computed on
// first use and kept.
//
// With it a newest/oldest page of a broad match set is found by walking the
// order and testing the match bitset until offset + limit members are seen,
// instead of ranking every match (index.cc decides when that pays).
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/collect/bitset.h"
#include "engine/query/executor.h"

namespace wildchat {

class TimeOrder {
 public:
  explicit TimeOrder(const SegmentSet* index) : index_(index) {}

  // Global doc numbers, all of them, in the order (newest or oldest).
  const std::vector<uint32_t>& Order(bool newest) const;

  // The members of `matches` at ranks [begin, end) of the order, in order.
  void Page(const Bitset& matches, bool newest, uint64_t begin, uint64_t end,
            std::vector<uint32_t>* out) const;

 private:
  const SegmentSet* index_;
  mutable std::mutex mu_;
  mutable std::vector<uint32_t> newest_, oldest_;
};

}  // namespace wildchat
