// RecordReader / RecordWriter: streams of Conversations over one file, whatever
// its format. OpenRecordReader / OpenRecordWriter (io/record_files.h) pick the
// implementation from the file name (.jsonl[.gz|.zst], .parquet).
//
// A reader is single-threaded and owned by its caller. Next() returns an error
// for a bad record that names the file, the line or row, and the field; when
// CanSkip() the caller may call Next() again to continue after it (JSONL: the
// next line), otherwise the error is final. A writer writes to a temporary name
// and renames into place on Close(), so a failed or interrupted write never
// leaves a half-written file under the final name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

struct ReadOptions {
  // When false, utterance `content` may be left empty and moderation lists
  // unread: for commands that need only metadata (stats, facets). Readers that
  // can skip decoding those columns (Parquet) must.
  bool need_text = true;
  bool need_moderation = true;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record into *out (fully overwritten). At end of input
  // returns OK with *done = true.
  virtual Status Next(Conversation* out, bool* done) = 0;
  // Where the last record (or error) came from: "a.jsonl:12", "a.parquet row 17".
  virtual std::string Position() const = 0;
  // The raw bytes of the last bad record, for reject files (JSONL: the line).
  virtual std::string_view LastRaw() const { return {}; }
  // Whether Next() may be called again after it returned an error.
  virtual bool CanSkip() const { return false; }
  // Bytes consumed from the file so far and its total size, for progress bars
  // (compressed bytes for compressed files); total 0 when unknown.
  virtual uint64_t BytesRead() const { return 0; }
  virtual uint64_t BytesTotal() const { return 0; }
};

struct WriteOptions {
  // Parquet: "zstd" (default), "snappy", "gzip", "none"; JSONL picks from the
  // file name (.gz/.zst) and ignores this.
  std::string compression = "zstd";
  int64_t row_group_rows = 10000;
};

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual Status Write(const Conversation& c) = 0;
  // Flushes, syncs and renames the temporary file into place. After an error
  // (or destruction without Close) the temporary file is removed.
  virtual Status Close() = 0;
};

}  // namespace wildchat
