// The reader entry point shared by the libFuzzer target and the deterministic
// mutation test: decodes every row of an in-memory Parquet file and reports
// the first error. FuzzSeedFile() is a small valid WildChat file (snappy,
// several pages and row groups) written by this project's writer, which
// fuzz inputs may patch instead of supplying whole files. Test code only.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace wildchat::parquet {

// Reads all rows (full decode) then all rows again metadata-only.
Status ReadParquetBufferFully(const std::string& bytes, int64_t* rows);

const std::string& FuzzSeedFile();

// Interprets fuzz bytes: first byte 0 = the rest is a whole file; otherwise
// the seed file, truncated to a length taken from bytes 1..4 when the first
// byte is odd, then XOR-patched by (u32 offset, u8 mask) records.
std::string FuzzInputToFile(const uint8_t* data, size_t size);

}  // namespace wildchat::parquet
