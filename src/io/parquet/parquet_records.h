// WildChat records as Parquet: RecordReader / RecordWriter over Hugging Face
// style shards (see io/record_stream.h for the contract). The reader decodes
// one row group at a time and only the columns ReadOptions asks for; its
// errors are final (CanSkip() is false) and name the file, row group, column
// and page. The writer takes its codec and row group size from WriteOptions.
#pragma once

#include <memory>
#include <string>

#include "io/record_stream.h"

namespace wildchat {

Status OpenParquetReader(const std::string& path, const ReadOptions& options,
                         std::unique_ptr<RecordReader>* out);
// The same over a file held in memory (`name` appears in messages only).
Status OpenParquetBufferReader(const std::string& name, std::string bytes,
                               const ReadOptions& options, std::unique_ptr<RecordReader>* out);
Status OpenParquetWriter(const std::string& path, const WriteOptions& options,
                         std::unique_ptr<RecordWriter>* out);

}  // namespace wildchat
