// PublicValueCounter: in how many distinct conversations each PII candidate
// value occurs. The original release treated a value seen in many different
// conversations (>= 10; >= 50 for names) as public (a company address, a
// famous person) and kept it; this counter is the corpus-wide pass for that.
//
// Values are keyed by a 64-bit hash of (entity, lower-cased value). Add() for
// one counter must be called with non-decreasing conversation ordinals; two
// counters that saw disjoint conversations are combined with Merge(). Not
// thread-safe: use one counter per thread and merge.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace wildchat::curate {

class PublicValueCounter {
 public:
  void Add(std::string_view entity, std::string_view value, uint64_t conversation);
  void Merge(const PublicValueCounter& other);
  // Number of distinct conversations the value was added for.
  uint32_t Conversations(std::string_view entity, std::string_view value) const;
  size_t size() const { return counts_.size(); }

 private:
  struct Count {
    uint32_t conversations = 0;
    uint64_t last = UINT64_MAX;
  };
  static uint64_t Key(std::string_view entity, std::string_view value);
  std::unordered_map<uint64_t, Count> counts_;
};

}  // namespace wildchat::curate
