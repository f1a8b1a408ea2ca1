// ColumnWriter: accumulates one leaf column of a row group (levels and
// values) and encodes it into compressed data pages (v1, RLE levels). String
// columns given `dictionary` start RLE_DICTIONARY-encoded and fall back to
// PLAIN for the rest of the chunk once the dictionary passes 1 MiB; other
// columns are PLAIN. Pages are cut at row boundaries once they exceed
// page_bytes. Not thread-safe; the LeafLayout must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/wildchat_schema.h"

namespace wildchat::parquet {

class ColumnWriter {
 public:
  ColumnWriter(const LeafLayout* leaf, Codec codec, size_t page_bytes, bool dictionary = false);

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
  // Dictionary state for the current chunk.
  bool dictionary_ = false;   // the column may use one
  bool dict_active_ = false;  // the current page is dictionary-encoded
  std::unordered_map<std::string, uint32_t> dict_index_;
  std::vector<const std::string*> dict_order_;
  size_t dict_bytes_ = 0;
  std::vector<uint32_t> indices_;
  bool used_plain_ = false;
  std::string scratch_, compressed_;
  int64_t num_values_ = 0;
  int64_t uncompressed_ = 0;
};

}  // namespace wildchat::parquet
