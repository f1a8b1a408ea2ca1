// JSONL reader for WildChat records (simdjson). See io/record_stream.h for the
// RecordReader contract. Reads .jsonl, .jsonl.gz and .jsonl.zst transparently.
#pragma once

#include <memory>
#include <string>

#include "io/record_stream.h"

namespace wildchat {

Status OpenJsonlReader(const std::string& path, const ReadOptions& options,
                       std::unique_ptr<RecordReader>* out);

}  // namespace wildchat
