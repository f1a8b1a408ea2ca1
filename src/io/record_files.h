// Opening record files by name: .jsonl, .jsonl.gz, .jsonl.zst, .json (JSONL
// content) and .parquet. An unknown extension is kInvalidArgument.
#pragma once

#include <memory>
#include <string>

#include "io/record_stream.h"

namespace wildchat {

enum class RecordFormat { kJsonl, kParquet, kUnknown };
RecordFormat FormatOfPath(const std::string& path);

Status OpenRecordReader(const std::string& path, const ReadOptions& options,
                        std::unique_ptr<RecordReader>* out);
Status OpenRecordWriter(const std::string& path, const WriteOptions& options,
                        std::unique_ptr<RecordWriter>* out);

}  // namespace wildchat
