// Fuzz entry points for the JSON/JSONL readers, shared by the libFuzzer
// targets (fuzz/jsonl/) and the deterministic mutation test in the normal
// suite. Each takes arbitrary bytes and aborts only when an invariant breaks:
// a record that parses must serialise and re-parse to an equal record with
// identical JSON; a reader must end (done or a final error) without crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wildchat {

void FuzzConversationJsonInput(const uint8_t* data, size_t size);
// Writes the bytes to scratch_path and reads it as a JSONL file (plain, or
// gzip/zstd when the bytes start with their magic), skipping bad lines.
void FuzzJsonlFileInput(const uint8_t* data, size_t size, const std::string& scratch_path);

}  // namespace wildchat
