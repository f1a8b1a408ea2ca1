// ParquetFileReader: opens a Parquet file (or an in-memory copy of one),
// validates its footer and WildChat schema, and reads single column chunks on
// demand, so only the columns a caller asks for are fetched and decoded.
// Single-threaded; owns its file descriptor. Open() errors name the file and
// say what is wrong (magic, footer, schema); ReadColumn() errors name the row
// group, the column and the page.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "io/parquet/column_reader.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/wildchat_schema.h"

namespace wildchat::parquet {

class ParquetFileReader {
 public:
  static Status Open(const std::string& path, std::unique_ptr<ParquetFileReader>* out);
  // `name` is used in error messages only.
  static Status OpenBuffer(const std::string& name, std::string bytes,
                           std::unique_ptr<ParquetFileReader>* out);
  ~ParquetFileReader();

  const std::string& name() const { return name_; }
  const FileMetaData& metadata() const { return meta_; }
  const ResolvedSchema& schema() const { return schema_; }
  int num_row_groups() const { return static_cast<int>(meta_.row_groups.size()); }
  int64_t row_group_rows(int g) const { return meta_.row_groups[g].num_rows; }

  // Fetches and decodes column `column` (file order) of row group `g`.
  Status ReadColumn(int g, int column, ColumnData* out);

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t file_size() const { return size_; }

 private:
  ParquetFileReader() = default;
  Status Init();
  Status ReadAt(uint64_t offset, uint64_t len, std::string* out);

  std::string name_;
  int fd_ = -1;
  std::string memory_;
  bool in_memory_ = false;
  uint64_t size_ = 0;
  uint64_t data_end_ = 0;  // start of the footer
  uint64_t bytes_read_ = 0;
  FileMetaData meta_;
  ResolvedSchema schema_;
};

}  // namespace wildchat::parquet
