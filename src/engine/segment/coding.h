// Byte encodings shared by every index file: little-endian fixed ints, LEB128
// varints, length-prefixed strings. ByteReader is bounds-checked: a read past
// the end sets failed() and returns zero, so decoding corrupt bytes never reads
// out of range; callers turn failed() into a Corruption status.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wildchat {

inline void PutFixed32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  out->append(reinterpret_cast<const char*>(&v), 8);
}
inline void PutDouble(std::string* out, double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  PutFixed64(out, u);
}
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Appends the low `bits` (0..32) bits of n values, least significant bit
// first: exactly ceil(n * bits / 8) bytes.
inline void PutPacked(std::string* out, const uint32_t* v, size_t n, int bits) {
  const uint64_t mask = (1ull << bits) - 1;
  uint64_t acc = 0;
  int have = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= (v[i] & mask) << have;
    have += bits;
    while (have >= 8) {
      out->push_back(static_cast<char>(acc & 0xFF));
      acc >>= 8;
      have -= 8;
    }
  }
  if (have > 0) out->push_back(static_cast<char>(acc & 0xFF));
}
// Reads values [first, first + n) of what PutPacked wrote; `in` must hold
// the bytes of at least the first + n values. Reads no byte when n is 0, and
// none outside `in`: values whose 8-byte window fits in `in` are read with one
// unaligned load each, the last few byte by byte.
inline void UnpackBits(std::string_view in, uint32_t* v, size_t n, int bits, uint64_t first = 0) {
  if (bits == 0) {
    std::fill(v, v + n, 0u);  // (v may be null when n is 0: no memset)
    return;
  }
  const uint64_t mask = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const uint64_t step = static_cast<uint64_t>(bits);
  // Value first + i has a whole window iff ((first + i) * bits) / 8 + 8 <= size.
  size_t fast = 0;
  if (in.size() >= 8) {
    const uint64_t windows = ((in.size() - 8) * 8 + 7) / step + 1;  // values with a window
    if (windows > first) fast = static_cast<size_t>(std::min<uint64_t>(n, windows - first));
  }
  uint64_t bit = first * step;
  for (size_t i = 0; i < fast; ++i, bit += step) {
    uint64_t w;
    std::memcpy(&w, p + (bit >> 3), 8);
    v[i] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
  }
  for (size_t i = fast; i < n; ++i, bit += step) {
    const size_t at = bit >> 3;
    const size_t end = std::min<size_t>(in.size(), at + 8);
    uint64_t w = 0;
    for (size_t k = at; k < end; ++k) w |= static_cast<uint64_t>(p[k]) << (8 * (k - at));
    v[i] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
  }
}
// Bits needed for v (0 for 0).
inline int BitWidth32(uint32_t v) {
  return v == 0 ? 0 : 32 - __builtin_clz(v);
}

class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(const char* p, size_t n) : p_(reinterpret_cast<const uint8_t*>(p)), end_(p_ + n) {}
  explicit ByteReader(std::string_view s) : ByteReader(s.data(), s.size()) {}

  bool failed() const { return failed_; }
  bool done() const { return p_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const char* pos() const { return reinterpret_cast<const char*>(p_); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return Fail();
      const uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail();
  }
  // Skips n varints without decoding them.
  void SkipVarints(uint64_t n) {
    while (n > 0) {
      if (p_ >= end_) {
        Fail();
        return;
      }
      if (!(*p_++ & 0x80)) --n;
    }
  }
  uint32_t Fixed32() {
    uint32_t v = 0;
    if (!Copy(&v, 4)) return 0;
    return v;
  }
  uint64_t Fixed64() {
    uint64_t v = 0;
    if (!Copy(&v, 8)) return 0;
    return v;
  }
  double Double() {
    uint64_t u = Fixed64();
    double d;
    std::memcpy(&d, &u, 8);
    return d;
  }
  uint8_t Byte() {
    if (p_ >= end_) return static_cast<uint8_t>(Fail());
    return *p_++;
  }
  // The next n bytes (empty and failed() if fewer are left).
  std::string_view Bytes(uint64_t n) {
    if (n > remaining()) {
      Fail();
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  std::string_view String() {
    const uint64_t n = Varint();
    if (failed_ || n > remaining()) {
      Fail();
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

 private:
  uint64_t Fail() {
    failed_ = true;
    p_ = end_;
    return 0;
  }
  bool Copy(void* dst, size_t n) {
    if (remaining() < n) {
      Fail();
      return false;
    }
    std::memcpy(dst, p_, n);
    p_ += n;
    return true;
  }
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  bool failed_ = false;
};

}  // namespace wildchat
