#include "io/compressed_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wildchat {

namespace {

constexpr size_t kRawBuffer = 1 << 20;

std::string ErrnoText() {
  return std::strerror(errno);
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

InputFile::~InputFile() {
  if (zs_init_) inflateEnd(&zs_);
  if (zd_) ZSTD_freeDCtx(zd_);
  if (file_) std::fclose(file_);
}

Status InputFile::Open(const std::string& path, std::unique_ptr<InputFile>* out) {
  std::unique_ptr<InputFile> f(new InputFile());
  f->path_ = path;
  f->file_ = std::fopen(path.c_str(), "rb");
  if (!f->file_) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + ErrnoText());
  }
  struct stat st;
  if (fstat(fileno(f->file_), &st) == 0) f->size_ = static_cast<uint64_t>(st.st_size);
  f->raw_.resize(kRawBuffer);
  WILDCHAT_RETURN_IF_ERROR(f->Fill());
  const auto* b = reinterpret_cast<const unsigned char*>(f->raw_.data());
  const size_t avail = f->raw_end_;
  if (avail >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    f->kind_ = Kind::kGzip;
    if (inflateInit2(&f->zs_, 15 + 16) != Z_OK) return Status::Internal(path + ": zlib init");
    f->zs_init_ = true;
  } else if (avail >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
    f->kind_ = Kind::kZstd;
    f->zd_ = ZSTD_createDCtx();
    if (!f->zd_) return Status::Internal(path + ": zstd init");
  }
  *out = std::move(f);
  return Status::OK();
}

Status InputFile::Fill() {
  if (raw_pos_ < raw_end_ || file_eof_) return Status::OK();
  const size_t n = std::fread(raw_.data(), 1, raw_.size(), file_);
  if (n < raw_.size()) {
    if (std::ferror(file_)) return Status::IOError(path_ + ": read error: " + ErrnoText());
    file_eof_ = true;
  }
  raw_pos_ = 0;
  raw_end_ = n;
  raw_read_ += n;
  return Status::OK();
}

Status InputFile::Read(char* buf, size_t cap, size_t* n) {
  *n = 0;
  while (*n == 0) {
    WILDCHAT_RETURN_IF_ERROR(Fill());
    const size_t avail = raw_end_ - raw_pos_;
    if (kind_ == Kind::kPlain) {
      if (avail == 0) return Status::OK();
      const size_t k = std::min(avail, cap);
      std::memcpy(buf, raw_.data() + raw_pos_, k);
      raw_pos_ += k;
      *n = k;
      return Status::OK();
    }
    if (avail == 0) {
      // End of the file: fine only at the end of a gzip member / zstd frame.
      if (kind_ == Kind::kGzip && !gz_member_done_) {
        return Status::Corruption(path_ + ": truncated gzip data (unexpected end of file)");
      }
      if (kind_ == Kind::kZstd && zstd_hint_ != 0) {
        return Status::Corruption(path_ + ": truncated zstd data (unexpected end of file)");
      }
      return Status::OK();
    }
    if (kind_ == Kind::kGzip) {
      if (gz_member_done_) {
        // Another member follows (concatenated .gz files).
        inflateReset(&zs_);
        gz_member_done_ = false;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_pos_);
      zs_.avail_in = static_cast<uInt>(avail);
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = static_cast<uInt>(cap);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      raw_pos_ = raw_end_ - zs_.avail_in;
      *n = cap - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        gz_member_done_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Corruption(path_ + ": corrupt gzip data (" +
                                  (zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc)) + ")");
      }
    } else {
      ZSTD_inBuffer in{raw_.data() + raw_pos_, avail, 0};
      ZSTD_outBuffer outb{buf, cap, 0};
      const size_t rc = ZSTD_decompressStream(zd_, &outb, &in);
      if (ZSTD_isError(rc)) {
        return Status::Corruption(path_ + ": corrupt zstd data (" + ZSTD_getErrorName(rc) + ")");
      }
      zstd_hint_ = rc;
      raw_pos_ += in.pos;
      *n = outb.pos;
    }
  }
  return Status::OK();
}

OutputFile::~OutputFile() {
  if (zs_init_) deflateEnd(&zs_);
  if (zc_) ZSTD_freeCCtx(zc_);
  if (file_) std::fclose(file_);
  if (!closed_ && !tmp_path_.empty()) std::remove(tmp_path_.c_str());
}

Status OutputFile::Open(const std::string& path, std::unique_ptr<OutputFile>* out) {
  std::unique_ptr<OutputFile> f(new OutputFile());
  f->path_ = path;
  f->tmp_path_ = path + ".tmp-" + std::to_string(getpid());
  f->file_ = std::fopen(f->tmp_path_.c_str(), "wb");
  if (!f->file_) {
    f->tmp_path_.clear();
    return Status::IOError(path + ": cannot create: " + ErrnoText());
  }
  if (EndsWith(path, ".gz")) {
    f->kind_ = Kind::kGzip;
    // Level 1: the writer must keep up with generation; zstd is the better codec.
    if (deflateInit2(&f->zs_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal(path + ": zlib init");
    }
    f->zs_init_ = true;
  } else if (EndsWith(path, ".zst")) {
    f->kind_ = Kind::kZstd;
    f->zc_ = ZSTD_createCCtx();
    if (!f->zc_) return Status::Internal(path + ": zstd init");
    ZSTD_CCtx_setParameter(f->zc_, ZSTD_c_compressionLevel, 3);
  }
  f->out_buf_.resize(kRawBuffer);
  *out = std::move(f);
  return Status::OK();
}

Status OutputFile::WriteRaw(const char* data, size_t n) {
  if (n && std::fwrite(data, 1, n, file_) != n) {
    return Status::IOError(path_ + ": write error: " + ErrnoText());
  }
  return Status::OK();
}

Status OutputFile::Compress(const char* data, size_t n, bool finish) {
  if (kind_ == Kind::kGzip) {
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    zs_.avail_in = static_cast<uInt>(n);
    int rc;
    do {
      zs_.next_out = reinterpret_cast<Bytef*>(out_buf_.data());
      zs_.avail_out = static_cast<uInt>(out_buf_.size());
      rc = deflate(&zs_, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return Status::Internal(path_ + ": zlib deflate error");
      WILDCHAT_RETURN_IF_ERROR(WriteRaw(out_buf_.data(), out_buf_.size() - zs_.avail_out));
    } while (zs_.avail_out == 0 || (finish && rc != Z_STREAM_END));
    return Status::OK();
  }
  ZSTD_inBuffer in{data, n, 0};
  for (;;) {
    ZSTD_outBuffer outb{out_buf_.data(), out_buf_.size(), 0};
    const size_t rc = ZSTD_compressStream2(zc_, &outb, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(rc)) {
      return Status::Internal(path_ + ": zstd error: " + ZSTD_getErrorName(rc));
    }
    WILDCHAT_RETURN_IF_ERROR(WriteRaw(out_buf_.data(), outb.pos));
    if (finish ? rc == 0 : in.pos == in.size) break;
  }
  return Status::OK();
}

Status OutputFile::Write(const char* data, size_t n) {
  if (closed_ || !file_) return Status::Internal(path_ + ": write after close");
  uncompressed_ += n;
  if (kind_ == Kind::kPlain) return WriteRaw(data, n);
  // zlib takes uInt lengths.
  while (n > 0) {
    const size_t k = std::min<size_t>(n, 1u << 30);
    WILDCHAT_RETURN_IF_ERROR(Compress(data, k, false));
    data += k;
    n -= k;
  }
  return Status::OK();
}

Status OutputFile::Close() {
  if (closed_) return Status::OK();
  if (!file_) return Status::Internal(path_ + ": close after failure");
  if (kind_ != Kind::kPlain) WILDCHAT_RETURN_IF_ERROR(Compress(nullptr, 0, true));
  if (std::fflush(file_) != 0 || fsync(fileno(file_)) != 0) {
    return Status::IOError(path_ + ": write error: " + ErrnoText());
  }
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return Status::IOError(path_ + ": close error: " + ErrnoText());
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return Status::IOError(path_ + ": cannot rename temporary file: " + ErrnoText());
  }
  closed_ = true;
  return Status::OK();
}

}  // namespace wildchat
