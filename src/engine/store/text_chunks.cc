#include "engine/store/text_chunks.h"

#define ZSTD_STATIC_LINKING_ONLY  // magicless frame headers
#include <zstd.h>

namespace wildchat {

void TextChunkStarts(std::span<const uint64_t> utterance_ends, uint64_t size,
                     std::vector<uint64_t>* out) {
  out->clear();
  uint64_t last = 0;
  for (const uint64_t end : utterance_ends) {
    if (end >= size) break;
    if (end <= last) continue;  // an empty first utterance, or ends not ascending
    if (!out->empty() && end - last < kTextChunkBytes) continue;
    out->push_back(end);
    last = end;
  }
}

size_t ChunkFrameSize(std::string_view frames) {
  ZSTD_frameHeader h;
  if (ZSTD_getFrameHeader_advanced(&h, frames.data(), frames.size(), ZSTD_f_zstd1_magicless) != 0 ||
      h.frameType != ZSTD_frame) {
    return 0;
  }
  // Then blocks, each after a 3-byte header: bit 0 last, bits 1–2 type
  // (raw, RLE, compressed, reserved), bits 3–23 size (RLE: one byte stored).
  size_t at = h.headerSize;
  for (;;) {
    if (frames.size() - at < 3) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(frames.data() + at);
    const uint32_t header = p[0] | p[1] << 8 | p[2] << 16;
    const uint32_t type = (header >> 1) & 3;
    if (type == 3) return 0;
    const size_t stored = type == 1 ? 1 : header >> 3;
    at += 3;
    if (frames.size() - at < stored) return 0;
    at += stored;
    if (header & 1) break;
  }
  if (h.checksumFlag) {
    if (frames.size() - at < 4) return 0;
    at += 4;
  }
  return at;
}

}  // namespace wildchat
