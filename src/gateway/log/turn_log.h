// TurnLog: the gateway's durable, append-only, segmented turn log.
//
// Append() gives the record the next turn_identifier (strictly increasing in
// log order, across restarts), and returns only once the record's frame is
// written and fdatasync'd: concurrent appends are committed together by one
// writer thread (group commit), so one sync covers many turns. Open() takes an
// exclusive lock on the directory (one writer), truncates a torn tail left by
// a crash (reported in recovery()), and continues numbering after the last
// valid record. Segments roll over at `segment_bytes`. Thread-safe. After a
// write or sync error every later Append() fails with that error (the caller
// must not acknowledge the turn).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "gateway/log/turn_record.h"

namespace wildchat {

struct TurnLogOptions {
  uint64_t segment_bytes = 64ull << 20;
  bool sync = true;  // false only for tests and benchmarks of the non-durable path
};

struct TurnLogRecovery {
  uint64_t truncated_bytes = 0;  // torn tail removed at open
  std::string problem;           // what the tail looked like
};

struct TurnLogStats {
  uint64_t appended = 0;
  uint64_t commits = 0;  // fdatasync groups
  uint64_t bytes = 0;    // frame bytes written since open
  uint32_t segment = 0;  // current segment sequence
  int64_t last_turn_identifier = 0;
};

class TurnLog {
 public:
  static Status Open(const std::string& dir, const TurnLogOptions& options,
                     std::unique_ptr<TurnLog>* out);
  ~TurnLog();
  TurnLog(const TurnLog&) = delete;
  TurnLog& operator=(const TurnLog&) = delete;

  // Sets r->turn_identifier and returns once the record is durable.
  Status Append(TurnRecord* r);

  TurnLogStats stats() const;
  const TurnLogRecovery& recovery() const { return recovery_; }

 private:
  TurnLog(std::string dir, TurnLogOptions options);
  Status OpenSegment(uint32_t sequence, bool create);
  void WriterLoop();

  const std::string dir_;
  const TurnLogOptions options_;
  int lock_fd_ = -1;
  int fd_ = -1;  // current segment, owned by the writer thread after Open
  uint64_t segment_size_ = 0;
  uint32_t segment_seq_ = 0;
  TurnLogRecovery recovery_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::string pending_;    // frames waiting for the writer
  uint64_t enqueued_ = 0;  // records handed to the writer
  uint64_t durable_ = 0;   // records known to be synced
  int64_t next_id_ = 1;
  Status error_;
  bool stop_ = false;
  TurnLogStats stats_;
  std::thread writer_;
};

}  // namespace wildchat
