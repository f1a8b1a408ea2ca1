// IpHasher: hashed_ip = sha256(salt ‖ ip) as hex, with one secret salt per
// deployment. Open() reads the salt file, or creates it with 32 random bytes
// (mode 0600, written atomically) when it does not exist. A salt file of
// another size is rejected. Thread-safe after Open().
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace wildchat {

class IpHasher {
 public:
  static Status Open(const std::string& salt_path, IpHasher* out);
  std::string Hash(std::string_view ip) const;

 private:
  std::string salt_;
};

}  // namespace wildchat
