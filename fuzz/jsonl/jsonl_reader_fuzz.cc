// libFuzzer target: a whole JSONL file, plain or gzip/zstd compressed.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "io/jsonl_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string scratch =
      "/tmp/wildchat_jsonl_reader_fuzz_" + std::to_string(getpid()) + ".jsonl";
  wildchat::FuzzJsonlFileInput(data, size, scratch);
  return 0;
}
