// Lower-case hex, both ways: the spelling of WildChat's hashes
// (conversation_hash, hashed_ip, SHA-256 digests). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace wildchat {

// *out = the 2 × n lower-case hex digits of bytes.
inline void BytesToHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out->resize(2 * bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    (*out)[2 * i] = kDigits[b >> 4];
    (*out)[2 * i + 1] = kDigits[b & 0xF];
  }
}

// Whether every character of s is a lower-case hex digit.
inline bool IsLowerHex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Appends the bytes an even number of lower-case hex digits spell
// (IsLowerHex(hex), hex.size() even).
inline void AppendHexBytes(std::string_view hex, std::string* out) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t k = 0; k + 1 < hex.size(); k += 2) {
    out->push_back(static_cast<char>(nibble(hex[k]) << 4 | nibble(hex[k + 1])));
  }
}

}  // namespace wildchat
