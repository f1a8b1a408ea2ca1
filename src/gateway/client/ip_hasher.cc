#include "gateway/client/ip_hasher.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sha256.h"

namespace wildchat {

Status IpHasher::Open(const std::string& salt_path, IpHasher* out) {
  constexpr size_t kSaltBytes = 32;
  int fd = ::open(salt_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    unsigned char salt[kSaltBytes];
    if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("no random bytes for the salt");
    const std::string tmp = salt_path + ".tmp";
    int w = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w < 0) return Status::IOError(tmp + ": " + std::strerror(errno));
    bool ok = ::write(w, salt, sizeof salt) == static_cast<ssize_t>(sizeof salt) && ::fsync(w) == 0;
    ::close(w);
    if (!ok || ::rename(tmp.c_str(), salt_path.c_str()) != 0) {
      return Status::IOError(salt_path + ": cannot write the salt: " + std::strerror(errno));
    }
    fd = ::open(salt_path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return Status::IOError(salt_path + ": " + std::strerror(errno));
  char buf[kSaltBytes + 1];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n != static_cast<ssize_t>(kSaltBytes)) {
    return Status::InvalidArgument(salt_path + ": a salt file must hold exactly 32 bytes");
  }
  out->salt_.assign(buf, kSaltBytes);
  return Status::OK();
}

std::string IpHasher::Hash(std::string_view ip) const {
  return Sha256Hex(salt_ + std::string(ip));
}

}  // namespace wildchat
