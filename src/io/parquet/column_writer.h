// ColumnWriter: accumulates one leaf column of a row group (levels and
// values) and encodes it into compressed data pages (v1, PLAIN values, RLE
// levels). Pages are cut at row boundaries once they exceed page_bytes. Not
// thread-safe; the LeafLayout must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/wildchat_schema.h"

namespace wildchat::parquet {

class ColumnWriter {
 public:
  ColumnWriter(const LeafLayout* leaf, Codec codec, size_t page_bytes);

  void Null(uint8_t def, uint8_t rep) {
    def_.push_back(def);
    rep_.push_back(rep);
  }
  void String(uint8_t rep, std::string_view v);
  void Bool(uint8_t rep, bool v);
  // INT64 value; for an INT96 timestamp column, UTC microseconds.
  void Int64(uint8_t rep, int64_t v);
  void Double(uint8_t rep, double v);

  // Between rows: starts a new page when the current one is big enough.
  Status EndRow();
  // Encodes what is left and hands over the chunk: its bytes, to be written
  // at file offset `offset`, and its metadata.
  Status Finish(int64_t offset, std::string* bytes, ColumnChunk* meta);

 private:
  void Present(uint8_t rep) {
    def_.push_back(static_cast<uint8_t>(leaf_->max_def));
    rep_.push_back(rep);
    ++present_;
  }
  Status FlushPage();
  Status AppendPage(PageHeader h, const std::string& raw);

  const LeafLayout* leaf_;
  Codec codec_;
  size_t page_bytes_;
  std::vector<uint8_t> def_, rep_;
  std::string values_;
  std::vector<uint8_t> bools_;
  size_t present_ = 0;
  std::string pages_;
  std::string scratch_, compressed_;
  int64_t num_values_ = 0;
  int64_t uncompressed_ = 0;
};

}  // namespace wildchat::parquet
