// Decoding one column chunk (all its pages) into levels and dense values.
// A ColumnData owns every buffer its string views point into, so it stays
// valid until cleared or destroyed; it is not thread-safe. Errors are
// kCorruption / kUnsupported with a message naming the page ("page 3: ...");
// the caller prefixes file, row group and column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/wildchat_schema.h"

namespace wildchat::parquet {

struct ColumnData {
  // One definition and repetition level per entry (rep all 0 when max_rep is
  // 0, def all max_def when max_def is 0).
  std::vector<uint8_t> def, rep;
  // Values of the entries whose def == max_def, in order; which vector is
  // used depends on the physical type: booleans, integers (INT32/INT64, and
  // timestamps converted to UTC microseconds), doubles (FLOAT/DOUBLE), strings.
  std::vector<uint8_t> bools;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strings;

  // Storage behind `strings`.
  std::string chunk;
  std::vector<std::unique_ptr<char[]>> buffers;
  std::vector<std::string> arenas;

  void Clear();
};

// Decodes the column chunk `chunk` (its bytes from the first page to the
// end, moved into out->chunk) holding `num_values` entries.
Status ReadColumnChunk(std::string chunk, Codec codec, int64_t num_values, const LeafLayout& leaf,
                       ColumnData* out);

// Largest page this reader will inflate (a guard against hostile headers).
inline constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

}  // namespace wildchat::parquet
