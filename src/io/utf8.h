// UTF-8 validation shared by the JSON writer and readers. Well-formed means
// RFC 3629: shortest form, no surrogates, nothing above U+10FFFF. Pure
// functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wildchat {

// Decodes one well-formed multi-byte UTF-8 sequence at s[i] (s[i] >= 0x80);
// returns its length (2-4) and sets *cp, or 0 when the bytes there are not a
// well-formed sequence.
inline size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t c;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, c = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, c = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return n;
}

// Byte offset of the first invalid UTF-8 sequence in s, or npos when valid.
size_t FindInvalidUtf8(std::string_view s);

}  // namespace wildchat
