#include "engine/segment/manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wildchat {
namespace {

constexpr char kHeader[] = "wildchat-index 1";

bool ValidFileName(const std::string& f) {
  if (f.empty() || f.size() > 128 || f[0] == '.') return false;
  for (char c : f) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

Status SyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError(path + ": fsync: " + std::strerror(errno));
  return Status::OK();
}

}  // namespace

Status ReadManifest(const std::string& dir, std::vector<ManifestEntry>* out) {
  out->clear();
  const std::string path = dir + "/" + kManifestName;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (::access(dir.c_str(), F_OK) != 0) return Status::NotFound(dir + ": no such directory");
    return Status::NotFound(dir + ": not a wildchat index (no MANIFEST)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || line != kHeader) {
    return Status::Corruption(path + ": unknown manifest header");
  }
  bool ended = false;
  while (std::getline(lines, line)) {
    if (line == "end") {
      ended = true;
      break;
    }
    std::istringstream f(line);
    std::string word;
    ManifestEntry e;
    uint64_t docs = 0;
    if (!(f >> word >> e.file >> docs >> e.bytes) || word != "segment" || !ValidFileName(e.file) ||
        docs > 0xFFFFFFFFull) {
      return Status::Corruption(path + ": malformed line '" + line.substr(0, 80) + "'");
    }
    e.num_docs = static_cast<uint32_t>(docs);
    out->push_back(e);
  }
  if (!ended) return Status::Corruption(path + ": truncated manifest");
  return Status::OK();
}

Status CommitManifest(const std::string& dir, const std::vector<ManifestEntry>& entries) {
  std::string text = std::string(kHeader) + "\n";
  for (const ManifestEntry& e : entries) {
    text += "segment " + e.file + " " + std::to_string(e.num_docs) + " " + std::to_string(e.bytes) +
            "\n";
  }
  text += "end\n";
  const std::string tmp = dir + "/" + kManifestName + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status st = Status::IOError(tmp + ": write: " + std::strerror(errno));
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError(tmp + ": fsync: " + std::strerror(errno));
  }
  const std::string final_path = dir + "/" + kManifestName;
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    const Status st = Status::IOError(final_path + ": rename: " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncPath(dir, true);
}

}  // namespace wildchat
