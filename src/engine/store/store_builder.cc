#include "engine/store/store_builder.h"

#include <zstd.h>

#include "engine/segment/coding.h"
#include "engine/segment/segment_file.h"
#include "engine/store/record_codec.h"

namespace wildchat {
namespace {
constexpr size_t kBlockBytes = 32 * 1024;
constexpr int kZstdLevel = 3;
}  // namespace

void StoreBuilder::Add(const Conversation& c) {
  if (raw_docs_ == 0) first_doc_.push_back(num_docs_);
  scratch_.clear();
  EncodeConversation(c, &scratch_);
  PutVarint(&raw_, scratch_.size());
  raw_ += scratch_;
  ++raw_docs_;
  ++num_docs_;
  if (raw_.size() >= kBlockBytes) FlushBlock();
}

void StoreBuilder::FlushBlock() {
  if (raw_docs_ == 0) return;
  const size_t bound = ZSTD_compressBound(raw_.size());
  const size_t old = blocks_.size();
  blocks_.resize(old + bound);
  const size_t n = ZSTD_compress(blocks_.data() + old, bound, raw_.data(), raw_.size(), kZstdLevel);
  // Compression into a buffer of compressBound bytes cannot fail.
  blocks_.resize(old + (ZSTD_isError(n) ? 0 : n));
  offsets_.push_back(blocks_.size());
  raw_.clear();
  raw_docs_ = 0;
}

Status StoreBuilder::WriteTo(SegmentFileWriter* w) {
  FlushBlock();
  first_doc_.push_back(num_docs_);
  WILDCHAT_RETURN_IF_ERROR(w->Add("store.blocks", blocks_));
  WILDCHAT_RETURN_IF_ERROR(
      w->Add("store.offsets", std::string_view(reinterpret_cast<const char*>(offsets_.data()),
                                               offsets_.size() * sizeof(uint64_t))));
  return w->Add("store.first", std::string_view(reinterpret_cast<const char*>(first_doc_.data()),
                                                first_doc_.size() * sizeof(uint32_t)));
}

}  // namespace wildchat
