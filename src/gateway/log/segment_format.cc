#include "gateway/log/segment_format.h"

#include <zlib.h>

#include <cstdio>

namespace wildchat {
namespace {

uint32_t Crc(std::string_view s) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; payloads are capped well below 4 GiB.
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}
void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

std::string SegmentFileName(uint32_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "turns-%08u.log", sequence);
  return buf;
}

uint32_t SegmentSequence(std::string_view name) {
  constexpr std::string_view kPrefix = "turns-", kSuffix = ".log";
  if (name.size() != kPrefix.size() + 8 + kSuffix.size()) return 0;
  if (name.substr(0, kPrefix.size()) != kPrefix) return 0;
  if (name.substr(kPrefix.size() + 8) != kSuffix) return 0;
  uint32_t v = 0;
  for (char c : name.substr(kPrefix.size(), 8)) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

void AppendFrame(std::string_view payload, std::string* out) {
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, Crc(payload));
  out->append(payload);
}

FrameResult ParseFrame(std::string_view data, std::string_view* payload, size_t* consumed) {
  if (data.size() < kFrameHeaderBytes) return FrameResult::kIncomplete;
  uint32_t len = GetU32(data.data());
  uint32_t crc = GetU32(data.data() + 4);
  if (len == 0 || len > kMaxFramePayload) return FrameResult::kCorrupt;
  if (data.size() - kFrameHeaderBytes < len) return FrameResult::kIncomplete;
  std::string_view p = data.substr(kFrameHeaderBytes, len);
  if (Crc(p) != crc) return FrameResult::kCorrupt;
  *payload = p;
  *consumed = kFrameHeaderBytes + len;
  return FrameResult::kOk;
}

}  // namespace wildchat
