// Parquet value and level encodings that are more than a memcpy: the
// RLE/bit-packed hybrid (levels, dictionary indices, RLE booleans) in both
// directions, and the DELTA_BINARY_PACKED family on read. All decoders work on
// caller-owned bytes, never read outside them and report malformed input by
// returning false; they are not thread-safe but hold no global state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wildchat::parquet {

// Bits needed to store values 0..max_value.
int BitWidth(uint64_t max_value);

class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width)
      : p_(data), end_(data + size), bit_width_(bit_width) {}
  // Decodes exactly n values; false if the input ends first or is malformed.
  template <typename T>
  bool Get(T* out, size_t n);
  const uint8_t* position() const { return p_; }

 private:
  bool NextRun();
  uint32_t Unpack(size_t index) const;

  const uint8_t* p_;
  const uint8_t* end_;
  int bit_width_;
  uint64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  uint64_t packed_left_ = 0;
  uint64_t packed_index_ = 0;
  const uint8_t* packed_begin_ = nullptr;
  size_t packed_bytes_ = 0;
};

// Appends the hybrid encoding of `values` (each < 2^bit_width), without any
// length prefix, to *out.
void EncodeRleBitPacked(const uint8_t* values, size_t n, int bit_width, std::string* out);
void EncodeRleBitPacked(const uint32_t* values, size_t n, int bit_width, std::string* out);

// DELTA_BINARY_PACKED: decodes every value of the block header's count (which
// must not exceed max_values) into *out; *consumed is the encoded length.
bool DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values,
                             std::vector<int64_t>* out, size_t* consumed);

// DELTA_LENGTH_BYTE_ARRAY: views into `data`.
bool DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t max_values,
                                std::vector<std::string_view>* out);

// DELTA_BYTE_ARRAY: values are rebuilt into *arena (resized once; views into
// it stay valid while the arena lives and is not modified).
bool DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t max_values, std::string* arena,
                          std::vector<std::string_view>* out);

}  // namespace wildchat::parquet
