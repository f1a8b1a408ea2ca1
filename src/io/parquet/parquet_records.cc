#include "io/parquet/parquet_records.h"

namespace wildchat {

Status OpenParquetReader(const std::string& path, const ReadOptions&, std::unique_ptr<RecordReader>*) {
  return Status::Unsupported(path + ": Parquet reading is not built yet");
}

Status OpenParquetWriter(const std::string& path, const WriteOptions&, std::unique_ptr<RecordWriter>*) {
  return Status::Unsupported(path + ": Parquet writing is not built yet");
}

}  // namespace wildchat
