#include "io/parquet/parquet_records.h"

#include <array>

#include "io/parquet/compression.h"
#include "io/parquet/parquet_file_reader.h"
#include "io/parquet/parquet_file_writer.h"
#include "io/parquet/record_assembler.h"

namespace wildchat {

namespace {

using parquet::ColumnData;
using parquet::kWildChatLeafCount;
using parquet::LeafGroup;
using parquet::ParquetFileReader;
using parquet::RecordAssembler;
using parquet::WildChatLeaves;

class ParquetRecordReader : public RecordReader {
 public:
  ParquetRecordReader(std::unique_ptr<ParquetFileReader> file, const ReadOptions& options)
      : file_(std::move(file)) {
    for (int i = 0; i < kWildChatLeafCount; ++i) {
      const auto& w = WildChatLeaves()[i];
      bool text = w.group == LeafGroup::kConversation && w.field == parquet::kUttContent;
      bool moderation = w.group == LeafGroup::kOpenAi || w.group == LeafGroup::kDetoxify;
      needed_[i] = !(text && !options.need_text) && !(moderation && !options.need_moderation);
    }
  }

  Status Next(Conversation* out, bool* done) override {
    *done = false;
    if (!error_.ok()) return error_;
    while (row_in_group_ >= rows_in_group_) {
      if (group_ >= 0) {
        Status st = assembler_.Finish().WithContext(file_->name() + ": row group " +
                                                    std::to_string(group_) + ", ");
        if (!st.ok()) return error_ = st;
      }
      if (group_ + 1 >= file_->num_row_groups()) {
        *done = true;
        return Status::OK();
      }
      Status st = LoadGroup(group_ + 1);
      if (!st.ok()) return error_ = st;
    }
    Status st = assembler_.Next(out);
    if (!st.ok()) {
      return error_ = st.WithContext(file_->name() + ": row group " + std::to_string(group_) +
                                     ", row " + std::to_string(row_in_group_) + ", ");
    }
    ++row_in_group_;
    ++row_;
    return Status::OK();
  }

  std::string Position() const override {
    return file_->name() + " row " + std::to_string(row_ > 0 ? row_ - 1 : 0);
  }
  uint64_t BytesRead() const override { return file_->bytes_read(); }
  uint64_t BytesTotal() const override { return file_->file_size(); }

 private:
  Status LoadGroup(int g) {
    group_ = g;
    row_in_group_ = 0;
    rows_in_group_ = file_->row_group_rows(g);
    std::array<RecordAssembler::Leaf, kWildChatLeafCount> leaves{};
    for (int i = 0; i < kWildChatLeafCount; ++i) {
      if (!needed_[i]) {
        columns_[i].Clear();
        continue;
      }
      int col = file_->schema().column_of[i];
      WILDCHAT_RETURN_IF_ERROR(file_->ReadColumn(g, col, &columns_[i]));
      leaves[i] = {&columns_[i], &file_->schema().leaves[col]};
    }
    assembler_.Reset(leaves);
    return Status::OK();
  }

  std::unique_ptr<ParquetFileReader> file_;
  std::array<bool, kWildChatLeafCount> needed_{};
  std::array<ColumnData, kWildChatLeafCount> columns_;
  RecordAssembler assembler_;
  int group_ = -1;
  int64_t rows_in_group_ = 0;
  int64_t row_in_group_ = 0;
  int64_t row_ = 0;
  Status error_;
};

class ParquetRecordWriter : public RecordWriter {
 public:
  explicit ParquetRecordWriter(std::unique_ptr<parquet::ParquetFileWriter> w) : w_(std::move(w)) {}
  Status Write(const Conversation& c) override { return w_->Write(c); }
  Status Close() override { return w_->Close(); }

 private:
  std::unique_ptr<parquet::ParquetFileWriter> w_;
};

}  // namespace

Status OpenParquetReader(const std::string& path, const ReadOptions& options,
                         std::unique_ptr<RecordReader>* out) {
  std::unique_ptr<ParquetFileReader> file;
  WILDCHAT_RETURN_IF_ERROR(ParquetFileReader::Open(path, &file));
  *out = std::make_unique<ParquetRecordReader>(std::move(file), options);
  return Status::OK();
}

Status OpenParquetBufferReader(const std::string& name, std::string bytes,
                               const ReadOptions& options, std::unique_ptr<RecordReader>* out) {
  std::unique_ptr<ParquetFileReader> file;
  WILDCHAT_RETURN_IF_ERROR(ParquetFileReader::OpenBuffer(name, std::move(bytes), &file));
  *out = std::make_unique<ParquetRecordReader>(std::move(file), options);
  return Status::OK();
}

Status OpenParquetWriter(const std::string& path, const WriteOptions& options,
                         std::unique_ptr<RecordWriter>* out) {
  parquet::ParquetWriterOptions po;
  WILDCHAT_RETURN_IF_ERROR(
      parquet::ParseCodec(options.compression, &po.codec).WithContext(path + ": "));
  po.row_group_rows = options.row_group_rows;
  std::unique_ptr<parquet::ParquetFileWriter> w;
  WILDCHAT_RETURN_IF_ERROR(parquet::ParquetFileWriter::Open(path, po, &w));
  *out = std::make_unique<ParquetRecordWriter>(std::move(w));
  return Status::OK();
}

}  // namespace wildchat
