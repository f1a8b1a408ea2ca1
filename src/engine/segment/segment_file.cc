#include "engine/segment/segment_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/segment/coding.h"

namespace wildchat {
namespace {

constexpr char kMagic[8] = {'W', 'C', 'S', 'E', 'G', '0', '0', '1'};

std::string ErrnoText() {
  return std::strerror(errno);
}

}  // namespace

SegmentFileWriter::~SegmentFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

Status SegmentFileWriter::Open(const std::string& dir, const std::string& temp_name) {
  dir_ = dir;
  temp_path_ = dir + "/" + temp_name;
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::IOError(temp_path_ + ": " + ErrnoText());
  return Status::OK();
}

Status SegmentFileWriter::WriteRaw(std::string_view bytes) {
  for (char c : bytes) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ull;
  }
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(temp_path_ + ": write: " + ErrnoText());
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  offset_ += bytes.size();
  return Status::OK();
}

Status SegmentFileWriter::Begin(const std::string& name) {
  if (fd_ < 0 || !open_section_.empty()) return Status::Internal("segment writer misuse");
  static const char kZeros[8] = {};
  WILDCHAT_RETURN_IF_ERROR(WriteRaw(std::string_view(kZeros, (8 - offset_ % 8) % 8)));
  open_section_ = name;
  section_start_ = offset_;
  return Status::OK();
}

Status SegmentFileWriter::Append(std::string_view bytes) {
  return WriteRaw(bytes);
}

Status SegmentFileWriter::End() {
  sections_.emplace_back(open_section_, section_start_, offset_ - section_start_);
  open_section_.clear();
  return Status::OK();
}

Status SegmentFileWriter::Add(const std::string& name, std::string_view bytes) {
  WILDCHAT_RETURN_IF_ERROR(Begin(name));
  WILDCHAT_RETURN_IF_ERROR(Append(bytes));
  return End();
}

Status SegmentFileWriter::Finish(std::string* final_name, uint64_t* size) {
  std::string dirbytes;
  PutVarint(&dirbytes, sections_.size());
  for (const auto& [name, off, len] : sections_) {
    PutString(&dirbytes, name);
    PutFixed64(&dirbytes, off);
    PutFixed64(&dirbytes, len);
  }
  const uint64_t dir_off = offset_;
  std::string footer;
  PutFixed64(&footer, dir_off);
  PutFixed64(&footer, dirbytes.size());
  footer.append(kMagic, 8);
  WILDCHAT_RETURN_IF_ERROR(WriteRaw(dirbytes));
  WILDCHAT_RETURN_IF_ERROR(WriteRaw(footer));
  if (::fsync(fd_) != 0) return Status::IOError(temp_path_ + ": fsync: " + ErrnoText());
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    return Status::IOError(temp_path_ + ": close: " + ErrnoText());
  }
  fd_ = -1;
  char name[64];
  std::snprintf(name, sizeof(name), "seg-%016llx.wcs", static_cast<unsigned long long>(hash_));
  const std::string final_path = dir_ + "/" + name;
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    const Status st = Status::IOError(final_path + ": rename: " + ErrnoText());
    ::unlink(temp_path_.c_str());
    return st;
  }
  *final_name = name;
  *size = offset_;
  return Status::OK();
}

MappedSegmentFile::~MappedSegmentFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

Status MappedSegmentFile::Open(const std::string& path, std::unique_ptr<MappedSegmentFile>* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? Status::Corruption(path + ": segment file is missing")
                           : Status::IOError(path + ": " + ErrnoText());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError(path + ": " + ErrnoText());
  }
  std::unique_ptr<MappedSegmentFile> f(new MappedSegmentFile());
  f->path_ = path;
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ < 24) {
    ::close(fd);
    return Status::Corruption(path + ": segment file is truncated");
  }
  void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Status::IOError(path + ": mmap: " + ErrnoText());
  f->data_ = static_cast<const char*>(p);
  const char* footer = f->data_ + f->size_ - 24;
  if (std::memcmp(footer + 16, kMagic, 8) != 0) {
    return Status::Corruption(path + ": not a wildchat segment (bad magic)");
  }
  ByteReader fr(footer, 16);
  const uint64_t dir_off = fr.Fixed64();
  const uint64_t dir_len = fr.Fixed64();
  if (dir_off > f->size_ - 24 || dir_len != f->size_ - 24 - dir_off) {
    return Status::Corruption(path + ": bad segment directory");
  }
  ByteReader dr(f->data_ + dir_off, dir_len);
  const uint64_t n = dr.Varint();
  for (uint64_t i = 0; i < n && !dr.failed(); ++i) {
    std::string name(dr.String());
    const uint64_t off = dr.Fixed64();
    const uint64_t len = dr.Fixed64();
    if (dr.failed() || off > dir_off || len > dir_off - off) {
      return Status::Corruption(path + ": section out of bounds");
    }
    f->sections_[name] = std::string_view(f->data_ + off, len);
  }
  if (dr.failed() || !dr.done()) return Status::Corruption(path + ": bad segment directory");
  *out = std::move(f);
  return Status::OK();
}

Status MappedSegmentFile::Section(const std::string& name, std::string_view* out) const {
  auto it = sections_.find(name);
  if (it == sections_.end()) return Status::Corruption(path_ + ": missing section " + name);
  *out = it->second;
  return Status::OK();
}

Status MappedSegmentFile::Array(const std::string& name, size_t elem, size_t count,
                                const void** out) const {
  std::string_view s;
  WILDCHAT_RETURN_IF_ERROR(Section(name, &s));
  if (s.size() / elem != count || s.size() % elem != 0 ||
      reinterpret_cast<uintptr_t>(s.data()) % std::min<size_t>(elem, 8) != 0) {
    return Status::Corruption(path_ + ": section " + name + " has the wrong size");
  }
  *out = s.data();
  return Status::OK();
}

}  // namespace wildchat
