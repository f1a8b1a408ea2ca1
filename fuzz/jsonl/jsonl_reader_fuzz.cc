// libFuzzer target: a whole JSONL file, plain or gzip/zstd compressed.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "io/jsonl_fuzz_input.h"

namespace {

// The file each input is written to, removed when the fuzzer exits.
struct ScratchFile {
  const std::string path = "/tmp/wildchat_jsonl_reader_fuzz_" + std::to_string(getpid()) + ".jsonl";
  ~ScratchFile() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ScratchFile scratch;
  wildchat::FuzzJsonlFileInput(data, size, scratch.path);
  return 0;
}
