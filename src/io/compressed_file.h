// Byte streams over plain, gzip and zstd files, for the JSONL reader and
// writer. InputFile detects compression from the first bytes (gzip 1f 8b,
// zstd 28 b5 2f fd), so a mis-named file still reads; OutputFile compresses by
// file name (.gz, .zst) and writes to "<path>.tmp-<pid>", renaming into place
// on Close(). Errors name the file; a compressed stream that ends early is
// kCorruption ("truncated"). Single-threaded; each object owns its FILE.
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

class InputFile {
 public:
  ~InputFile();
  static Status Open(const std::string& path, std::unique_ptr<InputFile>* out);
  // Reads up to cap decompressed bytes; *n = 0 means end of data.
  Status Read(char* buf, size_t cap, size_t* n);
  uint64_t compressed_bytes_read() const { return raw_read_; }
  uint64_t compressed_size() const { return size_; }

 private:
  enum class Kind { kPlain, kGzip, kZstd };
  InputFile() = default;
  Status Fill();  // refills raw_ from the file

  std::string path_;
  FILE* file_ = nullptr;
  Kind kind_ = Kind::kPlain;
  uint64_t size_ = 0;
  uint64_t raw_read_ = 0;
  std::vector<char> raw_;
  size_t raw_pos_ = 0, raw_end_ = 0;
  bool file_eof_ = false;
  z_stream zs_{};
  bool zs_init_ = false;
  bool gz_member_done_ = false;  // between gzip members (or at the clean end)
  ZSTD_DCtx* zd_ = nullptr;
  size_t zstd_hint_ = 1;  // ZSTD_decompressStream's last return: 0 at a frame end
};

class OutputFile {
 public:
  ~OutputFile();  // removes the temporary file unless Close() succeeded
  static Status Open(const std::string& path, std::unique_ptr<OutputFile>* out);
  Status Write(const char* data, size_t n);
  // Finishes compression, syncs, renames the temporary file to the path.
  Status Close();
  uint64_t bytes_written() const { return uncompressed_; }

 private:
  enum class Kind { kPlain, kGzip, kZstd };
  OutputFile() = default;
  Status WriteRaw(const char* data, size_t n);
  Status Compress(const char* data, size_t n, bool finish);

  std::string path_, tmp_path_;
  FILE* file_ = nullptr;
  Kind kind_ = Kind::kPlain;
  z_stream zs_{};
  bool zs_init_ = false;
  ZSTD_CCtx* zc_ = nullptr;
  std::vector<char> out_buf_;
  uint64_t uncompressed_ = 0;
  bool closed_ = false;
};

}  // namespace wildchat
