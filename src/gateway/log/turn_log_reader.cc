#include "gateway/log/turn_log_reader.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gateway/log/segment_format.h"

namespace wildchat {

Status ListSegments(const std::string& dir, std::vector<uint32_t>* sequences) {
  sequences->clear();
  DIR* d = opendir(dir.c_str());
  if (!d) return Status::IOError(dir + ": " + std::strerror(errno));
  while (dirent* e = readdir(d)) {
    uint32_t s = SegmentSequence(e->d_name);
    if (s != 0) sequences->push_back(s);
  }
  closedir(d);
  std::sort(sequences->begin(), sequences->end());
  return Status::OK();
}

Status ScanSegment(const std::string& path, std::vector<TurnRecord>* records, uint64_t* valid_end,
                   uint64_t* file_size, std::string* problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  *file_size = data.size();
  problem->clear();
  if (data.size() < kSegmentMagic.size()) {
    *valid_end = 0;
    *problem = "segment shorter than its header";
    return Status::OK();
  }
  if (std::string_view(data).substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    return Status::Corruption(path + ": not a turn log segment (bad magic)");
  }
  size_t pos = kSegmentMagic.size();
  TurnRecord r;
  while (pos < data.size()) {
    std::string_view payload;
    size_t consumed = 0;
    FrameResult fr = ParseFrame(std::string_view(data).substr(pos), &payload, &consumed);
    if (fr == FrameResult::kIncomplete) {
      *problem = "incomplete frame at byte " + std::to_string(pos);
      break;
    }
    if (fr == FrameResult::kCorrupt) {
      *problem = "bad frame at byte " + std::to_string(pos);
      break;
    }
    Status st = DecodeTurnRecord(payload, &r);
    if (!st.ok()) {
      *problem = "byte " + std::to_string(pos) + ": " + st.message();
      break;
    }
    if (records) records->push_back(std::move(r));
    pos += consumed;
  }
  *valid_end = pos;
  return Status::OK();
}

Status ReadTurnLog(const std::string& dir, const std::function<Status(TurnRecord&&)>& on_record,
                   TurnLogScan* scan) {
  *scan = TurnLogScan();
  std::vector<uint32_t> seqs;
  WILDCHAT_RETURN_IF_ERROR(ListSegments(dir, &seqs));
  for (size_t i = 0; i < seqs.size(); ++i) {
    const std::string path = dir + "/" + SegmentFileName(seqs[i]);
    std::vector<TurnRecord> records;
    uint64_t valid_end = 0, size = 0;
    std::string problem;
    Status st = ScanSegment(path, &records, &valid_end, &size, &problem);
    const bool newest = i + 1 == seqs.size();
    if (!st.ok()) {
      if (st.code() != Status::Code::kCorruption) return st;
      scan->problems.push_back(st.message());
      ++scan->corrupt_segments;
      continue;
    }
    ++scan->segments;
    if (!problem.empty()) {
      if (newest) {
        scan->tail_bytes = size - valid_end;
      } else {
        ++scan->corrupt_segments;
        scan->problems.push_back(path + ": " + problem + "; rest of segment skipped");
      }
    }
    for (TurnRecord& r : records) {
      ++scan->records;
      WILDCHAT_RETURN_IF_ERROR(on_record(std::move(r)));
    }
  }
  return Status::OK();
}

}  // namespace wildchat
