#include "io/record_files.h"

#include "io/jsonl_reader.h"
#include "io/jsonl_writer.h"
#include "io/parquet/parquet_records.h"

namespace wildchat {

namespace {
bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

RecordFormat FormatOfPath(const std::string& path) {
  if (EndsWith(path, ".parquet")) return RecordFormat::kParquet;
  for (const char* ext :
       {".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".json.zst", ".ndjson"}) {
    if (EndsWith(path, ext)) return RecordFormat::kJsonl;
  }
  return RecordFormat::kUnknown;
}

Status OpenRecordReader(const std::string& path, const ReadOptions& options,
                        std::unique_ptr<RecordReader>* out) {
  switch (FormatOfPath(path)) {
    case RecordFormat::kJsonl:
      return OpenJsonlReader(path, options, out);
    case RecordFormat::kParquet:
      return OpenParquetReader(path, options, out);
    case RecordFormat::kUnknown:
      break;
  }
  return Status::InvalidArgument(
      path + ": unknown file type (expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet)");
}

Status OpenRecordWriter(const std::string& path, const WriteOptions& options,
                        std::unique_ptr<RecordWriter>* out) {
  switch (FormatOfPath(path)) {
    case RecordFormat::kJsonl:
      return OpenJsonlWriter(path, options, out);
    case RecordFormat::kParquet:
      return OpenParquetWriter(path, options, out);
    case RecordFormat::kUnknown:
      break;
  }
  return Status::InvalidArgument(
      path + ": unknown file type (expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet)");
}

}  // namespace wildchat
