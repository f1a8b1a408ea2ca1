// Page compression codecs of Parquet over Debian's libraries: snappy, gzip
// (zlib), zstd, lz4 (raw and the Hadoop-framed legacy LZ4), brotli.
// Stateless functions, safe to call from any thread. Decompress never writes
// past `out_size` bytes and returns kCorruption (naming the codec) when the
// input is malformed or does not expand to exactly `out_size` bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "io/parquet/parquet_metadata.h"

namespace wildchat::parquet {

std::string_view CodecName(Codec codec);
// "zstd", "snappy", "gzip", "lz4_raw" (or "lz4"), "brotli", "none"/"uncompressed".
Status ParseCodec(std::string_view name, Codec* out);

Status Decompress(Codec codec, std::string_view in, char* out, size_t out_size);
// Cheap check, before allocating, that `in` can expand to `out_size` bytes
// (snappy and zstd record the size; gzip and lz4 have bounded ratios).
Status CheckDecompressedSize(Codec codec, std::string_view in, size_t out_size);
// Replaces *out with the compressed form of `in`.
Status Compress(Codec codec, std::string_view in, std::string* out);

}  // namespace wildchat::parquet
