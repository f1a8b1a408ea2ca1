// libFuzzer target: one JSON record (io/conversation_json.h).
#include <cstddef>
#include <cstdint>

#include "io/jsonl_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wildchat::FuzzConversationJsonInput(data, size);
  return 0;
}
