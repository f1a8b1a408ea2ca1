#include "engine/index_builder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "engine/segment/manifest.h"
#include "engine/segment/segment_builder.h"
#include "engine/store/store_builder.h"
#include "io/record_files.h"

namespace wildchat {
namespace {

constexpr size_t kBatchDocs = 256;
constexpr size_t kQueueBatches = 8;

// A batch of records in input order; `store` is set on the batch that
// completes a segment (or the input).
struct Batch {
  std::vector<Conversation> records;
  std::unique_ptr<StoreBuilder> store;
};

class BatchQueue {
 public:
  // False when the queue was cancelled.
  bool Push(Batch b) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return q_.size() < kQueueBatches || cancelled_; });
    if (cancelled_) return false;
    q_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  // False at the end of the stream.
  bool Pop(Batch* b) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty() || closed_ || cancelled_; });
    if (q_.empty() || cancelled_) return false;
    *b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> q_;
  bool closed_ = false, cancelled_ = false;
};

// Reads records from some source. Returns OK with *done at the end.
using RecordSource = std::function<Status(Conversation*, bool*)>;

class DirLock {
 public:
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Acquire(const std::string& dir) {
    const std::string path = dir + "/LOCK";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IOError(path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::IOError(dir + ": another build is writing this index");
    }
    return Status::OK();
  }

 private:
  int fd_ = -1;
};

Status MakeDirs(const std::string& dir) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::IOError(prefix + ": " + std::strerror(errno));
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IOError(dir + ": not a directory");
  }
  return Status::OK();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) out.emplace_back(e->d_name);
    ::closedir(d);
  }
  return out;
}

bool StartsWith(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

// Deletes segment and temporary files that `live` does not name.
void CollectGarbage(const std::string& dir, const std::vector<ManifestEntry>& live) {
  std::set<std::string> keep;
  for (const auto& e : live) keep.insert(e.file);
  for (const std::string& f : ListDir(dir)) {
    if ((StartsWith(f, "seg-") || StartsWith(f, "tmp-")) && !keep.count(f)) {
      ::unlink((dir + "/" + f).c_str());
    }
  }
}

Status RunBuild(const std::string& dir, const RecordSource& source,
                const IndexBuildOptions& options, IndexBuildStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  WILDCHAT_RETURN_IF_ERROR(MakeDirs(dir));
  DirLock lock;
  WILDCHAT_RETURN_IF_ERROR(lock.Acquire(dir));
  std::vector<ManifestEntry> entries;
  if (options.append) {
    const Status st = ReadManifest(dir, &entries);
    if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
  }
  // Leftovers of an interrupted build are not referenced by any manifest.
  for (const std::string& f : ListDir(dir)) {
    if (StartsWith(f, "tmp-")) ::unlink((dir + "/" + f).c_str());
  }

  BatchQueue queue;
  Status producer_status;
  std::atomic<uint64_t> records{0};
  auto produce = [&](const std::function<bool(Batch)>& emit) -> Status {
    auto store = std::make_unique<StoreBuilder>(nullptr, !options.plain_text);
    Batch batch;
    while (true) {
      Conversation c;
      bool done = false;
      WILDCHAT_RETURN_IF_ERROR(source(&c, &done));
      if (done) break;
      store->Add(c);
      batch.records.push_back(std::move(c));
      ++records;
      const bool segment_full = store->num_docs() >= std::max<uint32_t>(options.segment_docs, 1);
      if (segment_full) batch.store = std::move(store);
      if (segment_full || batch.records.size() >= kBatchDocs) {
        // The build's segments share the first one's dictionaries.
        std::shared_ptr<const StoreDictionaries> dicts =
            segment_full ? batch.store->dictionaries() : nullptr;
        if (!emit(std::move(batch))) return Status::OK();
        batch = Batch();
        if (segment_full) {
          store = std::make_unique<StoreBuilder>(std::move(dicts), !options.plain_text);
        }
      }
    }
    if (store->num_docs() > 0) {
      batch.store = std::move(store);
      emit(std::move(batch));
    }
    return Status::OK();
  };

  std::vector<ManifestEntry> created;
  auto builder = std::make_unique<SegmentBuilder>(options.parts);
  int temp_counter = 0;
  Status consumer_status;
  auto consume = [&](Batch b) -> bool {
    for (const Conversation& c : b.records) builder->Add(c);
    if (b.store) {
      ManifestEntry e;
      e.num_docs = builder->num_docs();
      consumer_status = builder->Finish(dir, "tmp-" + std::to_string(++temp_counter), b.store.get(),
                                        &e.file, &e.bytes);
      if (!consumer_status.ok()) return false;
      if (stats) stats->utterances += builder->num_utterances();
      created.push_back(e);
      builder = std::make_unique<SegmentBuilder>(options.parts);
    }
    return true;
  };

  if (options.threads <= 1) {
    producer_status = produce(consume);
  } else {
    std::thread producer([&] {
      producer_status = produce([&](Batch b) { return queue.Push(std::move(b)); });
      queue.Close();
    });
    Batch b;
    while (queue.Pop(&b)) {
      if (!consume(std::move(b))) {
        queue.Cancel();
        break;
      }
    }
    producer.join();
  }
  Status st = producer_status.ok() ? consumer_status : producer_status;
  if (st.ok()) {
    std::vector<ManifestEntry> live = entries;
    live.insert(live.end(), created.begin(), created.end());
    st = CommitManifest(dir, live);
    if (st.ok()) {
      CollectGarbage(dir, live);
      if (stats) {
        stats->conversations = records;
        stats->index_bytes = 0;
        for (const auto& e : live) stats->index_bytes += e.bytes;
      }
    }
  }
  if (!st.ok()) {
    std::set<std::string> old;
    for (const auto& e : entries) old.insert(e.file);
    for (const auto& e : created) {
      if (!old.count(e.file)) ::unlink((dir + "/" + e.file).c_str());
    }
  }
  if (stats) {
    stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return st;
}

}  // namespace

Status BuildIndex(const std::string& dir, const std::vector<std::string>& inputs,
                  const IndexBuildOptions& options, IndexBuildStats* stats) {
  if (stats) *stats = IndexBuildStats();
  uint64_t total = 0;
  for (const std::string& in : inputs) {
    struct stat st;
    if (::stat(in.c_str(), &st) != 0) return Status::IOError(in + ": " + std::strerror(errno));
    total += static_cast<uint64_t>(st.st_size);
  }
  if (stats) stats->input_bytes = total;
  std::unique_ptr<std::ofstream> rejects;
  if (!options.reject_path.empty()) {
    rejects =
        std::make_unique<std::ofstream>(options.reject_path, std::ios::binary | std::ios::app);
    if (!*rejects) return Status::IOError(options.reject_path + ": cannot open");
  }
  size_t next_input = 0;
  uint64_t finished_bytes = 0;
  uint64_t skipped = 0;
  uint64_t counter = 0;
  std::unique_ptr<RecordReader> reader;
  RecordSource source = [&](Conversation* c, bool* done) -> Status {
    while (true) {
      if (!reader) {
        if (next_input >= inputs.size()) {
          *done = true;
          return Status::OK();
        }
        ReadOptions ro;
        WILDCHAT_RETURN_IF_ERROR(OpenRecordReader(inputs[next_input++], ro, &reader));
      }
      bool end = false;
      Status st = reader->Next(c, &end);
      if (!st.ok()) {
        if (options.skip_bad_records && reader->CanSkip()) {
          ++skipped;
          if (rejects) {
            rejects->write(reader->LastRaw().data(),
                           static_cast<std::streamsize>(reader->LastRaw().size()));
            rejects->put('\n');
          }
          continue;
        }
        return st.code() == Status::Code::kInvalidArgument || st.code() == Status::Code::kCorruption
                   ? Status::InvalidArgument(st.message())
                   : st;
      }
      if (end) {
        finished_bytes += reader->BytesTotal();
        reader.reset();
        continue;
      }
      if (options.progress && (++counter % 1024) == 0) {
        options.progress(finished_bytes + reader->BytesRead(), total);
      }
      return Status::OK();
    }
  };
  const Status st = RunBuild(dir, source, options, stats);
  if (stats) stats->skipped = skipped;
  if (st.ok() && options.progress) options.progress(total, total);
  return st;
}

Status BuildIndexFromRecords(const std::string& dir, const std::vector<Conversation>& records,
                             const IndexBuildOptions& options, IndexBuildStats* stats) {
  if (stats) *stats = IndexBuildStats();
  size_t i = 0;
  RecordSource source = [&](Conversation* c, bool* done) -> Status {
    if (i >= records.size()) {
      *done = true;
      return Status::OK();
    }
    *c = records[i++];
    if (options.progress && (i % 1024) == 0) options.progress(i, records.size());
    return Status::OK();
  };
  return RunBuild(dir, source, options, stats);
}

}  // namespace wildchat
