// Building an index directory from record files (JSONL/Parquet) or records in
// memory. A build writes new immutable segment files and then commits by one
// atomic rename of the index manifest: an interrupted build (Ctrl-C, kill -9,
// disk full) leaves the previous index intact and readable. The same inputs
// give a byte-identical index. One builder per directory at a time (a lock
// file enforces it); readers may keep an older Index open meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/segment/segment_format.h"
#include "model/conversation.h"

namespace wildchat {

struct IndexBuildOptions {
  bool append = false;  // extend an existing index instead of replacing it
  int threads = 2;
  // Conversations per segment (the last may hold fewer): bounds the
  // builder's memory (about 0.5-1 GB of postings for typical conversations)
  // and keeps segment boundaries a pure function of the input. The segments
  // of one build share the dictionaries their stores are compressed with
  // (the first segment's).
  uint32_t segment_docs = 131072;
  // Input errors: false stops at the first bad record (kInvalidArgument naming
  // file, line and field); true skips it, counts it and, when reject_path is
  // set, appends the raw record there.
  bool skip_bad_records = false;
  std::string reject_path;
  // Optional segment parts (segment_builder.h); off only to build segments
  // like older builds did.
  SegmentParts parts;
  // Store conversation texts as zstd on their bytes instead of coding them
  // with a vocabulary first (store/text_vocab.h): at 1M the index is 12%
  // larger, and the regex mix, which decodes the texts it verifies, takes
  // about 0.7 of the time (median 223 against 311 ms).
  bool plain_text = false;
  // Called now and then with bytes read so far and the total input size.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct IndexBuildStats {
  uint64_t conversations = 0;
  uint64_t utterances = 0;
  uint64_t skipped = 0;
  uint64_t input_bytes = 0;
  uint64_t index_bytes = 0;
  double seconds = 0;
};

Status BuildIndex(const std::string& dir, const std::vector<std::string>& inputs,
                  const IndexBuildOptions& options, IndexBuildStats* stats);

// The same from records in memory (tests, benchmarks, `wildchat demo`).
Status BuildIndexFromRecords(const std::string& dir, const std::vector<Conversation>& records,
                             const IndexBuildOptions& options, IndexBuildStats* stats);

}  // namespace wildchat
