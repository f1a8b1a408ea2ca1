// ParquetFileWriter: writes Conversations as a Parquet file in the exact
// WildChat-1M schema and column order (pyarrow's 3-level `list`/`element`
// layout, TIMESTAMP(MICROS, UTC)), one row group per `row_group_rows` rows.
// Memory holds one encoded row group. The file is written under a temporary
// name and renamed into place by Close(); destroying an unclosed writer
// removes the temporary file. Not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/parquet/column_writer.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/wildchat_schema.h"
#include "model/conversation.h"

namespace wildchat::parquet {

struct ParquetWriterOptions {
  Codec codec = Codec::kZstd;
  int64_t row_group_rows = 10000;
  size_t page_bytes = size_t{1} << 20;
  // Dictionary-encode the low-cardinality string columns.
  bool dictionary = true;
  // Alternative layouts other producers use (legacy 2-level lists, INT96
  // timestamps), for compatibility tests.
  SchemaStyle style;
};

class ParquetFileWriter {
 public:
  static Status Open(const std::string& path, const ParquetWriterOptions& options,
                     std::unique_ptr<ParquetFileWriter>* out);
  ~ParquetFileWriter();

  Status Write(const Conversation& c);
  Status Close();

 private:
  ParquetFileWriter() = default;
  Status FlushRowGroup();
  Status WriteBytes(const std::string& bytes);
  void Shred(const Conversation& c);

  std::string path_, tmp_path_;
  ParquetWriterOptions options_;
  std::FILE* file_ = nullptr;
  int64_t offset_ = 0;
  bool closed_ = false;
  Status error_;
  ResolvedSchema schema_;
  FileMetaData meta_;
  std::vector<ColumnWriter> columns_;
  int64_t rows_in_group_ = 0;
  std::string chunk_;
};

}  // namespace wildchat::parquet
