#include "io/parquet/parquet_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wildchat::parquet {

ParquetFileReader::~ParquetFileReader() {
  if (fd_ >= 0) close(fd_);
}

Status ParquetFileReader::Open(const std::string& path, std::unique_ptr<ParquetFileReader>* out) {
  std::unique_ptr<ParquetFileReader> r(new ParquetFileReader());
  r->name_ = path;
  r->fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(r->fd_, &st) != 0) return Status::IOError(path + ": " + std::strerror(errno));
  r->size_ = static_cast<uint64_t>(st.st_size);
  WILDCHAT_RETURN_IF_ERROR(r->Init().WithContext(path + ": "));
  *out = std::move(r);
  return Status::OK();
}

Status ParquetFileReader::OpenBuffer(const std::string& name, std::string bytes,
                                     std::unique_ptr<ParquetFileReader>* out) {
  std::unique_ptr<ParquetFileReader> r(new ParquetFileReader());
  r->name_ = name;
  r->memory_ = std::move(bytes);
  r->in_memory_ = true;
  r->size_ = r->memory_.size();
  WILDCHAT_RETURN_IF_ERROR(r->Init().WithContext(name + ": "));
  *out = std::move(r);
  return Status::OK();
}

Status ParquetFileReader::ReadAt(uint64_t offset, uint64_t len, std::string* out) {
  if (offset > size_ || len > size_ - offset) {
    return Status::Corruption("byte range " + std::to_string(offset) + "+" + std::to_string(len) +
                              " is past the end of the file (" + std::to_string(size_) + " bytes)");
  }
  out->resize(len);
  if (in_memory_) {
    if (len) std::memcpy(out->data(), memory_.data() + offset, len);
  } else {
    uint64_t done = 0;
    while (done < len) {
      ssize_t n = pread(fd_, out->data() + done, len - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(std::strerror(errno));
      if (n == 0) return Status::Corruption("file shrank while reading");
      done += static_cast<uint64_t>(n);
    }
  }
  bytes_read_ += len;
  return Status::OK();
}

Status ParquetFileReader::Init() {
  if (size_ < 12)
    return Status::Corruption("too small to be a Parquet file (" + std::to_string(size_) +
                              " bytes)");
  std::string head, tail;
  WILDCHAT_RETURN_IF_ERROR(ReadAt(0, 4, &head));
  WILDCHAT_RETURN_IF_ERROR(ReadAt(size_ - 8, 8, &tail));
  if (tail.compare(4, 4, "PARE") == 0)
    return Status::Unsupported("encrypted Parquet files are not supported");
  if (head != "PAR1" || tail.compare(4, 4, "PAR1") != 0)
    return Status::Corruption("not a Parquet file (no PAR1 magic at the start and end)");
  uint32_t footer_len;
  std::memcpy(&footer_len, tail.data(), 4);
  if (footer_len > size_ - 12)
    return Status::Corruption("footer length " + std::to_string(footer_len) +
                              " exceeds the file (truncated file?)");
  data_end_ = size_ - 8 - footer_len;
  std::string footer;
  WILDCHAT_RETURN_IF_ERROR(ReadAt(data_end_, footer_len, &footer));
  WILDCHAT_RETURN_IF_ERROR(ParseFileMetaData(footer, &meta_));
  WILDCHAT_RETURN_IF_ERROR(ResolveSchema(meta_.schema, &schema_));
  for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
    const RowGroup& rg = meta_.row_groups[g];
    std::string where = "row group " + std::to_string(g) + ": ";
    if (rg.num_rows < 0) return Status::Corruption(where + "negative row count");
    if (rg.columns.size() != schema_.leaves.size())
      return Status::Corruption(where + std::to_string(rg.columns.size()) + " column chunks for " +
                                std::to_string(schema_.leaves.size()) + " schema columns");
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const ColumnChunk& cc = rg.columns[c];
      const LeafLayout& leaf = schema_.leaves[c];
      if (!cc.meta_data)
        return Status::Corruption(where + "column " + leaf.dotted + " has no metadata");
      if (!cc.file_path.empty())
        return Status::Unsupported(where + "column " + leaf.dotted + " lives in another file");
      if (cc.meta_data->type != leaf.type)
        return Status::Corruption(where + "column " + leaf.dotted +
                                  " type differs from the schema");
      if (!cc.meta_data->path_in_schema.empty() &&
          cc.meta_data->path_in_schema != leaf.path_in_schema)
        return Status::Corruption(where + "column chunk " + std::to_string(c) +
                                  " path differs from the schema's " + leaf.dotted);
    }
  }
  return Status::OK();
}

Status ParquetFileReader::ReadColumn(int g, int column, ColumnData* out) {
  const ColumnMetaData& m = *meta_.row_groups[g].columns[column].meta_data;
  const LeafLayout& leaf = schema_.leaves[column];
  std::string where = "row group " + std::to_string(g) + ", column " + leaf.dotted + ": ";
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
      *m.dictionary_page_offset < start)
    start = *m.dictionary_page_offset;
  if (start < 4 || m.total_compressed_size < 0 || static_cast<uint64_t>(start) > data_end_ ||
      static_cast<uint64_t>(m.total_compressed_size) > data_end_ - static_cast<uint64_t>(start)) {
    return Status::Corruption(name_ + ": " + where + "column chunk range " + std::to_string(start) +
                              "+" + std::to_string(m.total_compressed_size) +
                              " is outside the data area");
  }
  std::string chunk;
  WILDCHAT_RETURN_IF_ERROR(
      ReadAt(static_cast<uint64_t>(start), static_cast<uint64_t>(m.total_compressed_size), &chunk)
          .WithContext(name_ + ": " + where));
  return ReadColumnChunk(std::move(chunk), m.codec, m.num_values, leaf, out)
      .WithContext(name_ + ": " + where);
}

}  // namespace wildchat::parquet
