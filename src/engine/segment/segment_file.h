// SegmentFile: the container every segment is written in — named sections of
// bytes, each 8-byte aligned, followed by a directory and a magic footer.
// SegmentFileWriter streams sections to a temporary file, fsyncs it and
// renames it to a name derived from a hash of its bytes (same content, same
// name). MappedSegmentFile maps a file read-only and validates the directory:
// any inconsistency is a Corruption status, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wildchat {

class SegmentFileWriter {
 public:
  SegmentFileWriter() = default;
  ~SegmentFileWriter();
  SegmentFileWriter(const SegmentFileWriter&) = delete;
  SegmentFileWriter& operator=(const SegmentFileWriter&) = delete;

  // Creates dir/<temp_name>.
  Status Open(const std::string& dir, const std::string& temp_name);
  // Appends one section (may be called once per name). Large sections may be
  // added in pieces with Begin/Append/End.
  Status Add(const std::string& name, std::string_view bytes);
  Status Begin(const std::string& name);
  Status Append(std::string_view bytes);
  Status End();
  // Writes the directory, fsyncs, renames to seg-<hash>.wcs. *final_name is
  // the file name (no directory); *size the byte count.
  Status Finish(std::string* final_name, uint64_t* size);

 private:
  Status WriteRaw(std::string_view bytes);
  int fd_ = -1;
  std::string dir_, temp_path_;
  uint64_t offset_ = 0;
  uint64_t hash_ = 0xcbf29ce484222325ull;
  std::string open_section_;
  uint64_t section_start_ = 0;
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> sections_;
};

class MappedSegmentFile {
 public:
  ~MappedSegmentFile();
  static Status Open(const std::string& path, std::unique_ptr<MappedSegmentFile>* out);
  bool Has(const std::string& name) const { return sections_.count(name) != 0; }
  // Every section's name, sorted.
  std::vector<std::string> SectionNames() const {
    std::vector<std::string> names;
    for (const auto& [name, bytes] : sections_) names.push_back(name);
    return names;
  }
  // The section's bytes, or Corruption if absent.
  Status Section(const std::string& name, std::string_view* out) const;
  // A section of fixed-size values: checks presence, alignment and that it
  // holds exactly `count` values of `elem` bytes.
  Status Array(const std::string& name, size_t elem, size_t count, const void** out) const;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedSegmentFile() = default;
  std::string path_;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  std::map<std::string, std::string_view> sections_;
};

}  // namespace wildchat
