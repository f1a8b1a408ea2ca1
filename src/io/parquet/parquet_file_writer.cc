#include "io/parquet/parquet_file_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wildchat::parquet {

Status ParquetFileWriter::Open(const std::string& path, const ParquetWriterOptions& options,
                               std::unique_ptr<ParquetFileWriter>* out) {
  if (options.row_group_rows <= 0)
    return Status::InvalidArgument("Parquet row group size must be positive");
  std::unique_ptr<ParquetFileWriter> w(new ParquetFileWriter());
  w->path_ = path;
  w->tmp_path_ = path + ".tmp" + std::to_string(getpid());
  w->options_ = options;
  w->meta_.schema = BuildWildChatSchema(options.style);
  w->meta_.version = 1;
  w->meta_.created_by = "wildchat parquet writer";
  WILDCHAT_RETURN_IF_ERROR(ResolveSchema(w->meta_.schema, &w->schema_));
  for (int i = 0; i < kWildChatLeafCount; ++i) {
    if (w->schema_.column_of[i] != i) return Status::Internal("WildChat schema leaf order");
  }
  for (size_t i = 0; i < w->schema_.leaves.size(); ++i) {
    // Text and hashes are nearly all distinct; every other string column
    // repeats a few values (models, languages, countries, user agents).
    bool distinct = i == 0 || i == 3;  // conversation_hash, conversation content
    w->columns_.emplace_back(&w->schema_.leaves[i], options.codec, options.page_bytes,
                             options.dictionary && !distinct);
  }
  w->file_ = std::fopen(w->tmp_path_.c_str(), "wb");
  if (!w->file_) return Status::IOError(w->tmp_path_ + ": " + std::strerror(errno));
  WILDCHAT_RETURN_IF_ERROR(w->WriteBytes("PAR1"));
  *out = std::move(w);
  return Status::OK();
}

ParquetFileWriter::~ParquetFileWriter() {
  if (file_) std::fclose(file_);
  if (!closed_) std::remove(tmp_path_.c_str());
}

Status ParquetFileWriter::WriteBytes(const std::string& bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    return Status::IOError(tmp_path_ + ": write failed: " + std::strerror(errno));
  offset_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

void ParquetFileWriter::Shred(const Conversation& c) {
  auto& w = columns_;
  const auto& L = schema_.leaves;
  auto opt = [&](int i, const std::optional<std::string>& v, uint8_t rep, uint8_t null_def) {
    if (v)
      w[i].String(rep, *v);
    else
      w[i].Null(null_def, rep);
  };
  auto tri = [&](int i, TriBool t, uint8_t rep, uint8_t null_def) {
    if (t == TriBool::kNull)
      w[i].Null(null_def, rep);
    else
      w[i].Bool(rep, IsTrue(t));
  };
  auto dbl = [&](int i, double v, uint8_t rep, uint8_t null_def) {
    if (IsNullScore(v))
      w[i].Null(null_def, rep);
    else
      w[i].Double(rep, v);
  };
  auto header = [&](int first, const std::optional<Header>& h, uint8_t rep, uint8_t missing_def) {
    uint8_t field_null = static_cast<uint8_t>(L[first].struct_def);
    if (!h) {
      w[first].Null(missing_def, rep);
      w[first + 1].Null(missing_def, rep);
    } else {
      opt(first, h->accept_language, rep, field_null);
      opt(first + 1, h->user_agent, rep, field_null);
    }
  };
  // Row-level columns (indices as in WildChatLeaves()).
  w[0].String(0, c.conversation_hash);
  w[1].String(0, c.model);
  if (c.timestamp)
    w[2].Int64(0, *c.timestamp);
  else
    w[2].Null(0, 0);
  w[15].Int64(0, c.turn);
  opt(16, c.language, 0, 0);
  tri(61, c.toxic, 0, 0);
  tri(62, c.redacted, 0, 0);
  opt(63, c.state, 0, 0);
  opt(64, c.country, 0, 0);
  opt(65, c.hashed_ip, 0, 0);
  header(66, c.header, 0, 0);

  // Lists: an empty vector is an empty (not null) list.
  auto empty_list = [&](int first, int last) {
    for (int i = first; i <= last; ++i) w[i].Null(static_cast<uint8_t>(L[i].entry_def - 1), 0);
  };
  if (c.conversation.empty()) {
    empty_list(3, 14);
  } else {
    const uint8_t e = static_cast<uint8_t>(L[3].elem_def);
    for (size_t j = 0; j < c.conversation.size(); ++j) {
      const Utterance& u = c.conversation[j];
      uint8_t rep = j ? 1 : 0;
      w[3].String(rep, u.content);
      opt(4, u.country, rep, e);
      opt(5, u.hashed_ip, rep, e);
      header(6, u.header, rep, e);
      opt(8, u.language, rep, e);
      tri(9, u.redacted, rep, e);
      w[10].String(rep, u.role);
      opt(11, u.state, rep, e);
      if (u.timestamp)
        w[12].Int64(rep, *u.timestamp);
      else
        w[12].Null(e, rep);
      tri(13, u.toxic, rep, e);
      w[14].Int64(rep, u.turn_identifier);
    }
  }
  if (c.openai_moderation.empty()) {
    empty_list(17, 53);
  } else {
    const uint8_t e = static_cast<uint8_t>(L[17].elem_def);
    const uint8_t s = static_cast<uint8_t>(L[17].struct_def);
    for (size_t j = 0; j < c.openai_moderation.size(); ++j) {
      const OpenAiModeration& m = c.openai_moderation[j];
      uint8_t rep = j ? 1 : 0;
      for (int k = 0; k < kModerationCategoryCount; ++k) {
        if (m.categories_null)
          w[17 + k].Null(e, rep);
        else
          tri(17 + k, m.categories[k], rep, s);
      }
      for (int k = 0; k < kModerationCategoryCount; ++k) {
        if (m.scores_null)
          w[35 + k].Null(e, rep);
        else
          dbl(35 + k, m.category_scores[k], rep, s);
      }
      tri(53, m.flagged, rep, e);
    }
  }
  if (c.detoxify_moderation.empty()) {
    empty_list(54, 60);
  } else {
    const uint8_t e = static_cast<uint8_t>(L[54].elem_def);
    for (size_t j = 0; j < c.detoxify_moderation.size(); ++j) {
      uint8_t rep = j ? 1 : 0;
      for (int k = 0; k < kDetoxifyFieldCount; ++k)
        dbl(54 + k, c.detoxify_moderation[j].scores[k], rep, e);
    }
  }
}

Status ParquetFileWriter::Write(const Conversation& c) {
  if (!error_.ok()) return error_;
  if (closed_) return Status::Internal("write after Close()");
  for (ColumnWriter& col : columns_) {
    Status st = col.EndRow();
    if (!st.ok()) return error_ = st.WithContext(path_ + ": ");
  }
  Shred(c);
  if (++rows_in_group_ >= options_.row_group_rows) {
    Status st = FlushRowGroup();
    if (!st.ok()) return error_ = st;
  }
  return Status::OK();
}

Status ParquetFileWriter::FlushRowGroup() {
  if (rows_in_group_ == 0) return Status::OK();
  RowGroup& g = meta_.row_groups.emplace_back();
  g.num_rows = rows_in_group_;
  for (ColumnWriter& col : columns_) {
    ColumnChunk meta;
    WILDCHAT_RETURN_IF_ERROR(col.Finish(offset_, &chunk_, &meta).WithContext(path_ + ": "));
    WILDCHAT_RETURN_IF_ERROR(WriteBytes(chunk_));
    g.total_byte_size += meta.meta_data->total_uncompressed_size;
    g.columns.push_back(std::move(meta));
  }
  meta_.num_rows += rows_in_group_;
  rows_in_group_ = 0;
  return Status::OK();
}

Status ParquetFileWriter::Close() {
  if (closed_) return Status::OK();
  if (!error_.ok()) return error_;
  WILDCHAT_RETURN_IF_ERROR(FlushRowGroup());
  std::string footer;
  SerializeFileMetaData(meta_, &footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  footer.append(reinterpret_cast<const char*>(&len), 4);
  footer.append("PAR1");
  WILDCHAT_RETURN_IF_ERROR(WriteBytes(footer));
  if (std::fflush(file_) != 0 || fsync(fileno(file_)) != 0)
    return Status::IOError(tmp_path_ + ": " + std::strerror(errno));
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) return Status::IOError(tmp_path_ + ": " + std::strerror(errno));
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    return Status::IOError(path_ + ": rename failed: " + std::strerror(errno));
  closed_ = true;
  return Status::OK();
}

}  // namespace wildchat::parquet
