#include "io/parquet/encodings.h"

#include <cstring>

namespace wildchat::parquet {

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

namespace {

bool ReadUleb(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

bool ReadZigZag(const uint8_t** p, const uint8_t* end, int64_t* v) {
  uint64_t u;
  if (!ReadUleb(p, end, &u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

// Value `index` of a little-endian bit-packed run of `width`-bit values
// (width <= 64) stored in [begin, begin + bytes); bits past the end read as 0.
uint64_t UnpackBits(const uint8_t* begin, size_t bytes, uint64_t index, int width) {
  if (width == 0) return 0;
  uint64_t bit = index * static_cast<uint64_t>(width);
  size_t byte = bit / 8;
  int shift = static_cast<int>(bit % 8);
  uint64_t lo = 0;
  if (byte + 8 <= bytes) {
    std::memcpy(&lo, begin + byte, 8);
  } else {
    for (size_t i = 0; i < 8 && byte + i < bytes; ++i) lo |= uint64_t{begin[byte + i]} << (8 * i);
  }
  uint64_t v = lo >> shift;
  if (shift + width > 64) {
    uint64_t hi = byte + 8 < bytes ? begin[byte + 8] : 0;
    v |= hi << (64 - shift);
  }
  return width == 64 ? v : v & ((uint64_t{1} << width) - 1);
}

}  // namespace

bool RleBitPackedDecoder::NextRun() {
  uint64_t header;
  if (!ReadUleb(&p_, end_, &header)) return false;
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups == 0 || groups > (uint64_t{1} << 40)) return false;
    size_t want = static_cast<size_t>(groups) * static_cast<size_t>(bit_width_);
    size_t have = static_cast<size_t>(end_ - p_);
    // The last run may be cut short by writers that do not pad; only the
    // values whose bits are present are readable.
    size_t bytes = want < have ? want : have;
    packed_begin_ = p_;
    packed_bytes_ = bytes;
    packed_index_ = 0;
    packed_left_ = bit_width_ == 0 ? groups * 8 : (bytes * 8) / static_cast<size_t>(bit_width_);
    if (packed_left_ > groups * 8) packed_left_ = groups * 8;
    p_ += bytes;
    return packed_left_ > 0;
  }
  rle_left_ = header >> 1;
  if (rle_left_ == 0) return false;
  int nbytes = (bit_width_ + 7) / 8;
  if (end_ - p_ < nbytes) return false;
  uint32_t v = 0;
  for (int i = 0; i < nbytes; ++i) v |= uint32_t{p_[i]} << (8 * i);
  p_ += nbytes;
  rle_value_ = v;
  return true;
}

uint32_t RleBitPackedDecoder::Unpack(size_t index) const {
  return static_cast<uint32_t>(UnpackBits(packed_begin_, packed_bytes_, index, bit_width_));
}

template <typename T>
bool RleBitPackedDecoder::Get(T* out, size_t n) {
  if (bit_width_ < 0 || bit_width_ > 32) return false;
  size_t i = 0;
  while (i < n) {
    if (rle_left_ > 0) {
      size_t k = rle_left_ < n - i ? static_cast<size_t>(rle_left_) : n - i;
      T v = static_cast<T>(rle_value_);
      for (size_t j = 0; j < k; ++j) out[i + j] = v;
      i += k;
      rle_left_ -= k;
    } else if (packed_left_ > 0) {
      size_t k = packed_left_ < n - i ? static_cast<size_t>(packed_left_) : n - i;
      for (size_t j = 0; j < k; ++j) out[i + j] = static_cast<T>(Unpack(packed_index_ + j));
      packed_index_ += k;
      packed_left_ -= k;
      i += k;
    } else if (!NextRun()) {
      return false;
    }
  }
  return true;
}

template bool RleBitPackedDecoder::Get<uint8_t>(uint8_t*, size_t);
template bool RleBitPackedDecoder::Get<uint32_t>(uint32_t*, size_t);

namespace {
void AppendUleb(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
}  // namespace

namespace {

template <typename T>
void EncodeHybrid(const T* values, size_t n, int bit_width, std::string* out) {
  // Groups of 8 equal values extend an RLE run; other groups are bit-packed.
  size_t rle_count = 0;
  T rle_value = 0;
  std::string packed;  // pending bit-packed groups
  size_t packed_groups = 0;
  auto flush_rle = [&] {
    if (rle_count == 0) return;
    AppendUleb(uint64_t{rle_count} << 1, out);
    for (int b = 0; b < (bit_width + 7) / 8; ++b)
      out->push_back(b == 0 ? static_cast<char>(rle_value) : 0);
    rle_count = 0;
  };
  auto flush_packed = [&] {
    if (packed_groups == 0) return;
    AppendUleb((uint64_t{packed_groups} << 1) | 1, out);
    out->append(packed);
    packed.clear();
    packed_groups = 0;
  };
  for (size_t i = 0; i < n; i += 8) {
    size_t k = n - i < 8 ? n - i : 8;
    bool same = true;
    for (size_t j = 1; j < k; ++j) same &= values[i + j] == values[i];
    if (same) {
      flush_packed();
      if (rle_count > 0 && rle_value != values[i]) flush_rle();
      rle_value = values[i];
      rle_count += k;
      continue;
    }
    flush_rle();
    // 8 values of up to 32 bits: at most 256 bits, assembled in four words.
    uint64_t words[4] = {0, 0, 0, 0};
    for (size_t j = 0; j < k; ++j) {
      uint64_t v = static_cast<uint64_t>(values[i + j]);
      size_t bit = j * static_cast<size_t>(bit_width);
      words[bit / 64] |= v << (bit % 64);
      if (bit % 64 + static_cast<size_t>(bit_width) > 64)
        words[bit / 64 + 1] |= v >> (64 - bit % 64);
    }
    for (int b = 0; b < bit_width; ++b)
      packed.push_back(static_cast<char>(words[b / 8] >> (8 * (b % 8))));
    ++packed_groups;
  }
  flush_rle();
  flush_packed();
}

}  // namespace

void EncodeRleBitPacked(const uint8_t* values, size_t n, int bit_width, std::string* out) {
  EncodeHybrid(values, n, bit_width, out);
}
void EncodeRleBitPacked(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  EncodeHybrid(values, n, bit_width, out);
}

bool DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values,
                             std::vector<int64_t>* out, size_t* consumed) {
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  uint64_t block_size, miniblocks, total;
  int64_t first;
  if (!ReadUleb(&p, end, &block_size) || !ReadUleb(&p, end, &miniblocks) ||
      !ReadUleb(&p, end, &total) || !ReadZigZag(&p, end, &first))
    return false;
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0 || total > max_values)
    return false;
  uint64_t per_mini = block_size / miniblocks;
  out->clear();
  out->reserve(total);
  if (total == 0) {
    *consumed = static_cast<size_t>(p - data);
    return true;
  }
  uint64_t value = static_cast<uint64_t>(first);
  out->push_back(first);
  uint8_t widths[1024];
  if (miniblocks > sizeof widths) return false;
  while (out->size() < total) {
    int64_t min_delta;
    if (!ReadZigZag(&p, end, &min_delta)) return false;
    if (static_cast<uint64_t>(end - p) < miniblocks) return false;
    std::memcpy(widths, p, miniblocks);
    p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out->size() < total; ++m) {
      if (widths[m] > 64) return false;
      size_t bytes = per_mini * widths[m] / 8;
      if (static_cast<size_t>(end - p) < bytes) return false;
      uint64_t take = total - out->size();
      if (take > per_mini) take = per_mini;
      for (uint64_t j = 0; j < take; ++j) {
        value += static_cast<uint64_t>(min_delta) + UnpackBits(p, bytes, j, widths[m]);
        out->push_back(static_cast<int64_t>(value));
      }
      p += bytes;
    }
  }
  *consumed = static_cast<size_t>(p - data);
  return true;
}

bool DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t max_values,
                                std::vector<std::string_view>* out) {
  std::vector<int64_t> lengths;
  size_t used;
  if (!DecodeDeltaBinaryPacked(data, size, max_values, &lengths, &used)) return false;
  const char* p = reinterpret_cast<const char*>(data) + used;
  size_t left = size - used;
  out->clear();
  out->reserve(lengths.size());
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > left) return false;
    out->emplace_back(p, static_cast<size_t>(len));
    p += len;
    left -= static_cast<size_t>(len);
  }
  return true;
}

bool DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t max_values, std::string* arena,
                          std::vector<std::string_view>* out) {
  std::vector<int64_t> prefixes;
  size_t used;
  if (!DecodeDeltaBinaryPacked(data, size, max_values, &prefixes, &used)) return false;
  std::vector<std::string_view> suffixes;
  if (!DecodeDeltaLengthByteArray(data + used, size - used, max_values, &suffixes)) return false;
  if (suffixes.size() != prefixes.size()) return false;
  uint64_t total = 0;
  uint64_t prev_len = 0;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > prev_len) return false;
    prev_len = static_cast<uint64_t>(prefixes[i]) + suffixes[i].size();
    total += prev_len;
    if (total > (uint64_t{1} << 32)) return false;
  }
  arena->resize(total);
  out->clear();
  out->reserve(prefixes.size());
  char* w = arena->data();
  const char* prev = w;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    size_t pre = static_cast<size_t>(prefixes[i]);
    if (pre) std::memmove(w, prev, pre);
    if (!suffixes[i].empty()) std::memcpy(w + pre, suffixes[i].data(), suffixes[i].size());
    out->emplace_back(w, pre + suffixes[i].size());
    prev = w;
    w += pre + suffixes[i].size();
  }
  return true;
}

}  // namespace wildchat::parquet
