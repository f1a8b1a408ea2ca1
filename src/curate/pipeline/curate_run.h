// RunCuration: `wildchat curate` as a library. Reads every input (JSONL or
// Parquet), optionally makes the corpus-wide PII count pass, curates each
// conversation on `threads` threads and writes the release:
//   DIR/full/train-XXXXX-of-YYYYY.<ext>    all but sexual/minors conversations
//   DIR/public/train-XXXXX-of-YYYYY.<ext>  additionally without toxic ones
//   DIR/report.json, DIR/README.md         statistics (release/release_card.h)
//   DIR/rejects.jsonl                      malformed input lines (on_error_skip)
//   DIR/moderation-cache/                  endpoint results by sha256 (default cache)
//
// Input is cut into chunks of shard_rows conversations; chunk k becomes shard
// k of both splits. Each shard is written under a temporary name and renamed
// (io/record_stream.h), and a chunk counts as done only when its stats file
// DIR/.parts/part-XXXXX.stats exists, so an interrupted run started again
// with the same input and options skips finished chunks and never leaves a
// half-written shard under a final name. Shards get their -of-YYYYY names at
// the very end. Conversations sharing a conversation_hash are all kept and
// counted as "duplicate_hashes" (within the chunks curated by this run).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "curate/moderation/moderation_client.h"
#include "curate/pipeline/conversation_curator.h"

namespace wildchat::curate {

struct CurateRunOptions {
  std::vector<std::string> inputs;
  std::string out_dir;
  CuratorOptions curator;
  int threads = 2;
  int64_t shard_rows = 50000;
  std::string format = "parquet";  // or "jsonl", "jsonl.zst", "jsonl.gz"
  bool on_error_skip = false;
  // When moderation.url is set, openai_moderation entries that are missing
  // (or all, with rescore) come from that endpoint before the offline scorer
  // fills what is still empty.
  ModerationClientOptions moderation;
  // Progress/diagnostic lines (rejected records); may be empty.
  std::function<void(const std::string&)> log;
};

Status RunCuration(const CurateRunOptions& options, CurateStats* stats);

}  // namespace wildchat::curate
