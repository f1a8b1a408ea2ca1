// Parquet footer and page-header structures (the subset of parquet.thrift this
// project reads and writes) with their Thrift compact encodings. Plain values;
// unknown fields are skipped on read. Parse* returns kCorruption with the
// decoder's byte offset when the bytes are not a valid encoding; it checks
// structure only, semantic checks (offsets inside the file, sane counts) are
// the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wildchat::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

// ConvertedType values this project looks at.
inline constexpr int32_t kConvertedUtf8 = 0;
inline constexpr int32_t kConvertedList = 3;
inline constexpr int32_t kConvertedTimestampMillis = 9;
inline constexpr int32_t kConvertedTimestampMicros = 10;

enum class TimeUnit : uint8_t { kNone, kMillis, kMicros, kNanos };

struct SchemaElement {
  std::optional<PhysicalType> type;  // absent for groups
  int32_t type_length = 0;
  std::optional<Repetition> repetition;  // absent only for the root
  std::string name;
  int32_t num_children = 0;
  std::optional<int32_t> converted_type;
  // LogicalType union: which member was set (thrift field id) and, for
  // TIMESTAMP, its unit and UTC flag.
  int16_t logical_type = 0;
  TimeUnit timestamp_unit = TimeUnit::kNone;
  bool timestamp_utc = false;
};

inline constexpr int16_t kLogicalString = 1;
inline constexpr int16_t kLogicalList = 3;
inline constexpr int16_t kLogicalTimestamp = 8;

enum class Codec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<int32_t> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
};

struct ColumnChunk {
  std::string file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::string created_by;
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

Status ParseFileMetaData(std::string_view bytes, FileMetaData* out);
// Parses a page header at the start of `bytes`; *header_size is its length.
Status ParsePageHeader(std::string_view bytes, PageHeader* out, size_t* header_size);

void SerializeFileMetaData(const FileMetaData& meta, std::string* out);
void SerializePageHeader(const PageHeader& header, std::string* out);

}  // namespace wildchat::parquet
