// WildChat records as Parquet: RecordReader / RecordWriter over Hugging Face
// style shards. See io/record_stream.h for the contract.
#pragma once

#include <memory>
#include <string>

#include "io/record_stream.h"

namespace wildchat {

Status OpenParquetReader(const std::string& path, const ReadOptions& options,
                         std::unique_ptr<RecordReader>* out);
Status OpenParquetWriter(const std::string& path, const WriteOptions& options,
                         std::unique_ptr<RecordWriter>* out);

}  // namespace wildchat
