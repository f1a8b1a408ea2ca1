// libFuzzer target: the token-sequence reader of regex patterns (query text,
// untrusted) must return sequences or nothing for any bytes, never crash or
// hang; every element it returns is a non-empty regular expression whose
// matcher can be built and asked about terms.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/query/token_sequence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view pattern(reinterpret_cast<const char*>(data), size);
  for (const wildchat::TokenSequence& seq : wildchat::ParseTokenSequences(pattern)) {
    if (seq.elements.empty()) std::abort();
    for (const wildchat::TokenSequence::Element& e : seq.elements) {
      if (e.regex.empty()) std::abort();
      if (!e.prefix.empty() && !e.anchored_start) std::abort();
      const wildchat::ElementMatcher m(e);
      if (m.ok()) {
        for (std::string_view term : {"", "a", "0", "abc123", "2023", "\xC3\xA9t\xC3\xA9"}) {
          m.Fits(term);
        }
      }
    }
  }
  return 0;
}
