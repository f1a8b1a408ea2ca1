// BadRecordPolicy: what a command does with records a reader rejects, the
// same for every command that reads record files. `--on-error stop` (the
// default) ends the command with the reader's error (exit code 2);
// `--on-error skip` counts the record, appends its raw bytes (the JSONL line)
// to the `--rejects FILE` if given, and lets the command continue. Errors a
// reader cannot skip past (I/O, truncated compressed data) always stop. Not
// thread-safe; one per command.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/args.h"
#include "io/record_stream.h"

namespace wildchat {

class BadRecordPolicy {
 public:
  ~BadRecordPolicy();

  // Declares --on-error and --rejects on a command's Args.
  static void AddOptions(Args* args);
  // Reads the options; kInvalidArgument for a bad --on-error value, kIOError
  // when the rejects file cannot be created.
  Status Configure(const Args& args);

  // Call when reader.Next() returned `error`. Returns OK when the record was
  // skipped (call Next() again), else the error to stop with.
  Status Handle(const RecordReader& reader, const Status& error);

  // Reads every record of `paths` in order through this policy, calling
  // fn(record, bytes read so far over all files) for each good one. Returns
  // the first error: a file that cannot be opened, a bad record under
  // `stop`, or fn's own failure.
  Status ReadAll(const std::vector<std::string>& paths, const ReadOptions& options,
                 const std::function<Status(const Conversation&, uint64_t)>& fn);

  uint64_t skipped() const { return skipped_; }
  // Closes the rejects file and, when records were skipped, prints
  // "<command>: skipped N bad records (first: <message>)" to stderr.
  Status Finish(const std::string& command);

 private:
  bool skip_ = false;
  std::string rejects_path_;
  FILE* rejects_ = nullptr;
  uint64_t skipped_ = 0;
  std::string first_error_;
};

}  // namespace wildchat
