#include "curate/pii/public_values.h"

namespace wildchat::curate {

uint64_t PublicValueCounter::Key(std::string_view entity, std::string_view value) {
  // FNV-1a over entity, a separator and the ASCII-lower-cased value.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (char c : entity) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : value) mix(static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  return h;
}

void PublicValueCounter::Add(std::string_view entity, std::string_view value,
                             uint64_t conversation) {
  Count& c = counts_[Key(entity, value)];
  if (c.last == conversation) return;
  c.last = conversation;
  ++c.conversations;
}

void PublicValueCounter::Merge(const PublicValueCounter& other) {
  for (const auto& [k, v] : other.counts_) counts_[k].conversations += v.conversations;
}

uint32_t PublicValueCounter::Conversations(std::string_view entity, std::string_view value) const {
  auto it = counts_.find(Key(entity, value));
  return it == counts_.end() ? 0 : it->second.conversations;
}

}  // namespace wildchat::curate
