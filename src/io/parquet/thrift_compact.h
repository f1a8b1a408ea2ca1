// The Thrift compact protocol, the encoding of Parquet's footer and page
// headers: a pull reader over a caller-owned byte range and an appending
// writer. Neither is thread-safe. The reader never reads outside its range:
// malformed input (truncation, bad varints, nesting deeper than kMaxDepth)
// sets a sticky error, after which every read returns zero values, so callers
// check ok() once after decoding a whole struct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wildchat::parquet {

// Compact protocol wire types.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftReader {
 public:
  static constexpr int kMaxDepth = 64;

  ThriftReader(const uint8_t* data, size_t size) : p_(data), end_(data + size), begin_(data) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  // Struct framing: call BeginStruct, then ReadFieldHeader until it returns
  // false (stop field or error), then EndStruct.
  void BeginStruct();
  void EndStruct();
  bool ReadFieldHeader(int16_t* id, ThriftType* type);

  // Field values. ReadBool takes the field's wire type (compact booleans
  // live in the field header); inside lists pass kByte.
  bool ReadBool(ThriftType type);
  int32_t ReadI32();
  int64_t ReadI64();
  double ReadDouble();
  std::string_view ReadBinary();
  // List or set header: element type and count (count bounded by the bytes left).
  void ReadListHeader(ThriftType* elem_type, uint32_t* count);
  // Skips one value of the given type, recursively.
  void Skip(ThriftType type);

  void Fail(const std::string& what);

 private:
  uint64_t ReadVarint();
  void SkipDepth(ThriftType type, int depth);

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  std::vector<int16_t> last_ids_;
  int16_t last_id_ = 0;
  std::string error_;
};

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) {}

  void BeginStruct();
  void EndStruct();  // writes the stop field
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBool(int16_t id, bool v);
  void FieldBinary(int16_t id, std::string_view v);
  // Starts a nested struct field; close it with EndStruct().
  void FieldStructBegin(int16_t id);
  // Starts a list field of `count` elements of `elem` type; then write the
  // elements with the bare writers below (structs: BeginStruct/EndStruct).
  void FieldListBegin(int16_t id, ThriftType elem, uint32_t count);
  void I32(int32_t v);
  void Binary(std::string_view v);

 private:
  void FieldHeader(int16_t id, ThriftType type);
  void Varint(uint64_t v);

  std::string* out_;
  std::vector<int16_t> last_ids_;
  int16_t last_id_ = 0;
};

}  // namespace wildchat::parquet
