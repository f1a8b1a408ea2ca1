#include "base/sha256.h"

#include <openssl/sha.h>

namespace wildchat {

void Sha256(std::string_view data, unsigned char digest[32]) {
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
}

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char digest[32];
  Sha256(data, digest);
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace wildchat
