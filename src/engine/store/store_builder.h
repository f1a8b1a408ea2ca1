// StoreBuilder: packs encoded conversations into zstd-compressed blocks of
// about 32 KB for one segment's "store.*" sections. Single-threaded; blocks
// depend only on the sequence of records, so the output is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

class SegmentFileWriter;

class StoreBuilder {
 public:
  void Add(const Conversation& c);
  uint32_t num_docs() const { return num_docs_; }
  uint64_t memory_bytes() const { return blocks_.size() + raw_.size(); }
  // Flushes the open block and writes store.blocks / store.offsets / store.first.
  Status WriteTo(SegmentFileWriter* w);

 private:
  void FlushBlock();
  std::string raw_;  // open block: varint length + record bytes, repeated
  uint32_t raw_docs_ = 0;
  std::string blocks_;
  std::vector<uint64_t> offsets_{0};
  std::vector<uint32_t> first_doc_;
  uint32_t num_docs_ = 0;
  std::string scratch_;
};

}  // namespace wildchat
