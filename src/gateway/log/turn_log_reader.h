// Reading a turn log directory: every valid record in log order.
//
// Safe while a gateway appends to the same directory: the newest segment may
// end in a frame still being written, which is treated as its end (and counted
// in tail_bytes). A bad frame inside an older segment is corruption: it is
// reported in `problems` and the rest of that segment is skipped; reading
// goes on with the next segment. Only an I/O error (or the callback's error)
// stops the scan.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "gateway/log/turn_record.h"

namespace wildchat {

struct TurnLogScan {
  uint64_t records = 0;
  uint64_t segments = 0;
  uint64_t corrupt_segments = 0;  // older segments cut short by a bad frame
  uint64_t tail_bytes = 0;        // unreadable bytes at the end of the newest segment
  std::vector<std::string> problems;
};

// Segment sequence numbers present in `dir`, ascending.
Status ListSegments(const std::string& dir, std::vector<uint32_t>* sequences);

Status ReadTurnLog(const std::string& dir, const std::function<Status(TurnRecord&&)>& on_record,
                   TurnLogScan* scan);

// Reads a segment file's bytes. *valid_end is the offset just past the last
// valid frame; *records gets the decoded records when non-null. Returns
// kCorruption only for a missing/bad magic; frame problems set *valid_end.
Status ScanSegment(const std::string& path, std::vector<TurnRecord>* records, uint64_t* valid_end,
                   uint64_t* file_size, std::string* problem);

}  // namespace wildchat
