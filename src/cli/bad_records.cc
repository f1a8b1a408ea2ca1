#include "cli/bad_records.h"

#include <cerrno>
#include <cstring>

#include "io/record_files.h"

namespace wildchat {

BadRecordPolicy::~BadRecordPolicy() {
  if (rejects_) std::fclose(rejects_);
}

void BadRecordPolicy::AddOptions(Args* args) {
  args->Option("on-error", "stop|skip",
               "on a bad input record: stop with exit code 2, or skip it and continue", "stop");
  args->Option("rejects", "FILE", "with --on-error skip: write each skipped record (line) here");
}

Status BadRecordPolicy::Configure(const Args& args) {
  const std::string mode = args.Get("on-error");
  if (mode == "skip") {
    skip_ = true;
  } else if (mode != "stop") {
    return Status::InvalidArgument("--on-error must be 'stop' or 'skip', not '" + mode + "'");
  }
  if (args.Has("rejects")) {
    if (!skip_) return Status::InvalidArgument("--rejects needs --on-error skip");
    rejects_path_ = args.Get("rejects");
    rejects_ = std::fopen(rejects_path_.c_str(), "wb");
    if (!rejects_) {
      return Status::IOError(rejects_path_ + ": cannot create: " + std::strerror(errno));
    }
  }
  return Status::OK();
}

Status BadRecordPolicy::Handle(const RecordReader& reader, const Status& error) {
  if (!skip_ || !reader.CanSkip()) return error;
  if (skipped_ == 0) first_error_ = error.message();
  ++skipped_;
  if (rejects_) {
    const std::string_view raw = reader.LastRaw();
    if (std::fwrite(raw.data(), 1, raw.size(), rejects_) != raw.size() ||
        std::fputc('\n', rejects_) == EOF) {
      return Status::IOError(rejects_path_ + ": write error: " + std::strerror(errno));
    }
  }
  return Status::OK();
}

Status BadRecordPolicy::ReadAll(const std::vector<std::string>& paths, const ReadOptions& options,
                                const std::function<Status(const Conversation&, uint64_t)>& fn) {
  uint64_t done_bytes = 0;
  Conversation c;
  for (const std::string& path : paths) {
    std::unique_ptr<RecordReader> reader;
    WILDCHAT_RETURN_IF_ERROR(OpenRecordReader(path, options, &reader));
    for (;;) {
      bool done = false;
      Status st = reader->Next(&c, &done);
      if (!st.ok()) {
        WILDCHAT_RETURN_IF_ERROR(Handle(*reader, st));
        continue;
      }
      if (done) break;
      WILDCHAT_RETURN_IF_ERROR(fn(c, done_bytes + reader->BytesRead()));
    }
    done_bytes += reader->BytesRead();
  }
  return Status::OK();
}

Status BadRecordPolicy::Finish(const std::string& command) {
  if (rejects_) {
    const int rc = std::fclose(rejects_);
    rejects_ = nullptr;
    if (rc != 0) return Status::IOError(rejects_path_ + ": write error: " + std::strerror(errno));
  }
  if (skipped_ > 0) {
    std::fprintf(stderr, "wildchat %s: skipped %llu bad record%s (first: %s)%s%s\n",
                 command.c_str(), static_cast<unsigned long long>(skipped_),
                 skipped_ == 1 ? "" : "s", first_error_.c_str(),
                 rejects_path_.empty() ? "" : "; written to ", rejects_path_.c_str());
  }
  return Status::OK();
}

}  // namespace wildchat
