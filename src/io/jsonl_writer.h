// JSONL writer for WildChat records. See io/record_stream.h for the
// RecordWriter contract. Compresses by file name (.gz, .zst).
#pragma once

#include <memory>
#include <string>

#include "io/record_stream.h"

namespace wildchat {

Status OpenJsonlWriter(const std::string& path, const WriteOptions& options,
                       std::unique_ptr<RecordWriter>* out);

}  // namespace wildchat
