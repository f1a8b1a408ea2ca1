#include "base/sha256.h"

#include <openssl/sha.h>

#include "base/hex.h"

namespace wildchat {

void Sha256(std::string_view data, unsigned char digest[32]) {
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[32];
  Sha256(data, digest);
  std::string out;
  BytesToHex(std::string_view(reinterpret_cast<const char*>(digest), 32), &out);
  return out;
}

}  // namespace wildchat
