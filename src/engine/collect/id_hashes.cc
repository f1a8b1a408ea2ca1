#include "engine/collect/id_hashes.h"

namespace wildchat {

const std::vector<uint64_t>& IdHashes::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (hashes_.size() == index_->num_docs) return hashes_;
  hashes_.reserve(index_->num_docs);
  for (const auto& s : index_->segments) {
    for (uint32_t d = 0; d < s->num_docs(); ++d) {
      hashes_.push_back(RandomOrderMix(static_cast<uint64_t>(s->id(d))));
    }
  }
  return hashes_;
}

}  // namespace wildchat
