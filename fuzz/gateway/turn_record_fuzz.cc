// Log bytes from disk: frames, then turn records. A decoded record must
// re-encode to a record that decodes to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/log/segment_format.h"
#include "gateway/log/turn_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wildchat;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  TurnRecord r;
  if (DecodeTurnRecord(in, &r).ok()) {
    std::string again;
    EncodeTurnRecord(r, &again);
    TurnRecord r2;
    if (!DecodeTurnRecord(again, &r2).ok() || !(r == r2)) __builtin_trap();
  }
  // The same bytes as a stream of frames.
  while (!in.empty()) {
    std::string_view payload;
    size_t consumed = 0;
    if (ParseFrame(in, &payload, &consumed) != FrameResult::kOk) break;
    (void)DecodeTurnRecord(payload, &r);
    in.remove_prefix(consumed);
  }
  return 0;
}
