#include "gateway/log/turn_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "gateway/log/segment_format.h"
#include "gateway/log/turn_log_reader.h"

namespace wildchat {
namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno(dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("fsync " + dir);
}

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write");
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

}  // namespace

TurnLog::TurnLog(std::string dir, TurnLogOptions options)
    : dir_(std::move(dir)), options_(options) {}

Status TurnLog::Open(const std::string& dir, const TurnLogOptions& options,
                     std::unique_ptr<TurnLog>* out) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno("mkdir " + dir);
  std::unique_ptr<TurnLog> log(new TurnLog(dir, options));
  log->lock_fd_ = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (log->lock_fd_ < 0) return Errno(dir + "/LOCK");
  if (::flock(log->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::IOError(dir + ": locked by another running gateway");
  }

  std::vector<uint32_t> seqs;
  WILDCHAT_RETURN_IF_ERROR(ListSegments(dir, &seqs));
  if (seqs.empty()) {
    WILDCHAT_RETURN_IF_ERROR(log->OpenSegment(1, /*create=*/true));
  } else {
    // Only the newest segment can hold a torn tail; cut it at the last valid frame.
    const std::string path = dir + "/" + SegmentFileName(seqs.back());
    std::vector<TurnRecord> records;
    uint64_t valid_end = 0, size = 0;
    std::string problem;
    WILDCHAT_RETURN_IF_ERROR(ScanSegment(path, &records, &valid_end, &size, &problem));
    if (valid_end < kSegmentMagic.size()) {
      // Crashed while creating the segment: start it afresh.
      WILDCHAT_RETURN_IF_ERROR(log->OpenSegment(seqs.back(), /*create=*/true));
      log->recovery_ = {size, problem};
    } else {
      WILDCHAT_RETURN_IF_ERROR(log->OpenSegment(seqs.back(), /*create=*/false));
      if (valid_end < size) {
        if (::ftruncate(log->fd_, static_cast<off_t>(valid_end)) != 0)
          return Errno("truncate " + path);
        if (::fdatasync(log->fd_) != 0) return Errno("fdatasync " + path);
        log->recovery_ = {size - valid_end, problem};
      }
      log->segment_size_ = valid_end;
      if (::lseek(log->fd_, static_cast<off_t>(valid_end), SEEK_SET) < 0)
        return Errno("seek " + path);
    }
    // The last identifier: from the newest segment holding a record.
    for (size_t i = seqs.size(); i-- > 0 && records.empty();) {
      if (i + 1 == seqs.size()) continue;
      uint64_t e = 0, s = 0;
      std::string p;
      WILDCHAT_RETURN_IF_ERROR(
          ScanSegment(dir + "/" + SegmentFileName(seqs[i]), &records, &e, &s, &p));
    }
    for (const TurnRecord& r : records) {
      if (r.turn_identifier >= log->next_id_) log->next_id_ = r.turn_identifier + 1;
    }
  }
  log->stats_.last_turn_identifier = log->next_id_ - 1;
  log->stats_.segment = log->segment_seq_;
  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  *out = std::move(log);
  return Status::OK();
}

Status TurnLog::OpenSegment(uint32_t sequence, bool create) {
  const std::string path = dir_ + "/" + SegmentFileName(sequence);
  if (fd_ >= 0) ::close(fd_);
  int flags = O_WRONLY | O_CLOEXEC | (create ? (O_CREAT | O_TRUNC) : 0);
  fd_ = ::open(path.c_str(), flags, 0600);
  if (fd_ < 0) return Errno(path);
  segment_seq_ = sequence;
  if (create) {
    WILDCHAT_RETURN_IF_ERROR(WriteAll(fd_, kSegmentMagic.data(), kSegmentMagic.size()));
    if (options_.sync) {
      if (::fdatasync(fd_) != 0) return Errno("fdatasync " + path);
      WILDCHAT_RETURN_IF_ERROR(SyncDir(dir_));
    }
    segment_size_ = kSegmentMagic.size();
  }
  return Status::OK();
}

TurnLog::~TurnLog() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status TurnLog::Append(TurnRecord* r) {
  std::string payload;
  std::unique_lock<std::mutex> l(mu_);
  if (!error_.ok()) return error_;
  if (stop_) return Status::Internal("turn log is closing");
  r->turn_identifier = next_id_++;
  EncodeTurnRecord(*r, &payload);
  AppendFrame(payload, &pending_);
  const uint64_t mine = ++enqueued_;
  work_cv_.notify_one();
  done_cv_.wait(l, [&] { return durable_ >= mine || !error_.ok(); });
  if (durable_ >= mine) return Status::OK();
  return error_;
}

void TurnLog::WriterLoop() {
  std::string batch;
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    work_cv_.wait(l, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping with nothing left
    batch.clear();
    batch.swap(pending_);
    const uint64_t upto = enqueued_;
    l.unlock();

    Status st;
    if (segment_size_ >= options_.segment_bytes) st = OpenSegment(segment_seq_ + 1, true);
    if (st.ok()) st = WriteAll(fd_, batch.data(), batch.size());
    if (st.ok() && options_.sync && ::fdatasync(fd_) != 0) st = Errno("fdatasync");
    segment_size_ += batch.size();

    l.lock();
    if (!st.ok()) {
      error_ = st.WithContext(dir_ + ": ");
    } else {
      durable_ = upto;
      stats_.commits++;
      stats_.bytes += batch.size();
      stats_.appended = durable_;
      stats_.segment = segment_seq_;
      stats_.last_turn_identifier = next_id_ - 1;
    }
    done_cv_.notify_all();
    if (!error_.ok()) return;
  }
}

TurnLogStats TurnLog::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace wildchat
