// SHA-256 (OpenSSL libcrypto) as lower-case hex, for WildChat's hashes:
// conversation_hash, hashed_ip, turn linking. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace wildchat {

// 64 lower-case hex characters of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// The 32 raw digest bytes.
void Sha256(std::string_view data, unsigned char digest[32]);

}  // namespace wildchat
