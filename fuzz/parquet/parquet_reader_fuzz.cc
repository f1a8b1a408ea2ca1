// libFuzzer target for the Parquet reader: whole files, or patches and
// truncations of a valid seed file (see io/parquet/parquet_fuzz_input.h).
// Any input must end in OK or a clean Status, never a crash or a hang.
#include <cstddef>
#include <cstdint>

#include "io/parquet/parquet_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = wildchat::parquet::FuzzInputToFile(data, size);
  int64_t rows;
  wildchat::Status st = wildchat::parquet::ReadParquetBufferFully(file, &rows);
  if (!st.ok() && st.message().empty()) __builtin_trap();
  return 0;
}
