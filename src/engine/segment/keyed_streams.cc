#include "engine/segment/keyed_streams.h"

#include <algorithm>

namespace wildchat {

Status KeyedStreams::Load(const MappedSegmentFile& f, const std::string& prefix, uint32_t num_docs,
                          TailCoding tail, const std::function<bool(uint64_t)>& valid_key) {
  auto corrupt = [&] { return Status::Corruption(f.path() + ": bad " + prefix + " table"); };
  std::string_view key_bytes;
  WILDCHAT_RETURN_IF_ERROR(f.Section(prefix + ".keys", &key_bytes));
  if (key_bytes.size() % sizeof(uint64_t) != 0) return corrupt();
  const uint64_t count = key_bytes.size() / sizeof(uint64_t);
  const void* keys = nullptr;
  const void* infos = nullptr;
  WILDCHAT_RETURN_IF_ERROR(f.Array(prefix + ".keys", sizeof(uint64_t), count, &keys));
  std::string_view info_bytes;
  WILDCHAT_RETURN_IF_ERROR(f.Section(prefix + ".info", &info_bytes));
  const bool narrow = info_bytes.size() == (count + 1) * sizeof(NarrowStreamInfo);
  WILDCHAT_RETURN_IF_ERROR(f.Array(
      prefix + ".info", narrow ? sizeof(NarrowStreamInfo) : sizeof(StreamInfo), count + 1, &infos));
  WILDCHAT_RETURN_IF_ERROR(f.Section(prefix + ".postings", &postings_));
  keys_ = static_cast<const uint64_t*>(keys);
  infos_ = narrow ? nullptr : static_cast<const StreamInfo*>(infos);
  narrow_infos_ = narrow ? static_cast<const NarrowStreamInfo*>(infos) : nullptr;
  if (info(0).doc_offset != 0 || info(count).doc_offset != postings_.size()) return corrupt();
  for (uint64_t i = 0; i < count; ++i) {
    if ((i > 0 && keys_[i] <= keys_[i - 1]) || !valid_key(keys_[i]) ||
        info(i + 1).doc_offset < info(i).doc_offset || info(i).df > num_docs) {
      return corrupt();
    }
  }
  size_ = count;
  num_docs_ = num_docs;
  tail_ = tail;
  return Status::OK();
}

std::optional<uint64_t> KeyedStreams::Find(uint64_t key) const {
  const uint64_t* end = keys_ + size_;
  const uint64_t* it = std::lower_bound(keys_, end, key);
  if (it == end || *it != key) return std::nullopt;
  return static_cast<uint64_t>(it - keys_);
}

PostingCursor KeyedStreams::Cursor(uint64_t i) const {
  const StreamInfo a = info(i);
  const StreamInfo e = info(i + 1);
  return PostingCursor(postings_.substr(a.doc_offset, e.doc_offset - a.doc_offset), {}, a.df,
                       num_docs_, tail_);
}

Status WriteKeyedStreams(const std::string& prefix, const KeyedWriters& streams, bool narrow,
                         SegmentFileWriter* w) {
  std::vector<uint64_t> keys;
  std::vector<StreamInfo> infos;
  keys.reserve(streams.size());
  infos.reserve(streams.size() + 1);
  uint64_t off = 0;
  for (const auto& [key, pw] : streams) {
    keys.push_back(key);
    infos.push_back(StreamInfo{off, pw->df(), 0});
    off += pw->docs().size();
  }
  infos.push_back(StreamInfo{off, 0, 0});
  WILDCHAT_RETURN_IF_ERROR(
      w->Add(prefix + ".keys", std::string_view(reinterpret_cast<const char*>(keys.data()),
                                                keys.size() * sizeof(uint64_t))));
  if (narrow && off <= 0xFFFFFFFFu) {
    std::vector<NarrowStreamInfo> narrow;
    narrow.reserve(infos.size());
    for (const StreamInfo& s : infos) {
      narrow.push_back(NarrowStreamInfo{static_cast<uint32_t>(s.doc_offset), s.df});
    }
    WILDCHAT_RETURN_IF_ERROR(
        w->Add(prefix + ".info", std::string_view(reinterpret_cast<const char*>(narrow.data()),
                                                  narrow.size() * sizeof(NarrowStreamInfo))));
  } else {
    WILDCHAT_RETURN_IF_ERROR(
        w->Add(prefix + ".info", std::string_view(reinterpret_cast<const char*>(infos.data()),
                                                  infos.size() * sizeof(StreamInfo))));
  }
  WILDCHAT_RETURN_IF_ERROR(w->Begin(prefix + ".postings"));
  for (const auto& [key, pw] : streams) WILDCHAT_RETURN_IF_ERROR(w->Append(pw->docs()));
  return w->End();
}

}  // namespace wildchat
