// wildchat gen: writes a synthetic corpus (gen/corpus_generator.h) to a
// record file. Worker threads generate fixed-size batches; the main thread
// writes them in index order, so the output is identical for any --threads.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "gen/corpus_generator.h"
#include "io/record_files.h"

namespace wildchat {

namespace {

constexpr uint64_t kBatch = 128;

Status Generate(const CorpusGenerator& gen, RecordWriter* writer, int threads, bool quiet) {
  const uint64_t n = gen.options().conversations;
  const uint64_t batches = (n + kBatch - 1) / kBatch;
  const uint64_t window = static_cast<uint64_t>(threads) * 4;  // batches in flight
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::vector<Conversation>> ready;
  uint64_t written = 0;  // batches written so far (guarded by mu)
  bool stop = false;
  std::atomic<uint64_t> next{0};

  auto work = [&] {
    for (;;) {
      const uint64_t b = next.fetch_add(1);
      if (b >= batches) return;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || b < written + window; });
        if (stop) return;
      }
      std::vector<Conversation> batch;
      const uint64_t end = std::min(n, (b + 1) * kBatch);
      batch.reserve(end - b * kBatch);
      for (uint64_t i = b * kBatch; i < end; ++i) batch.push_back(gen.Generate(i));
      std::lock_guard<std::mutex> lock(mu);
      ready.emplace(b, std::move(batch));
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);

  Progress progress("gen", n, Progress::Unit::kCount, "conversations", Progress::ShouldShow(quiet));
  Status st;
  for (uint64_t b = 0; b < batches && st.ok(); ++b) {
    std::vector<Conversation> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready.count(b) > 0; });
      batch = std::move(ready[b]);
      ready.erase(b);
    }
    for (const auto& c : batch) {
      st = writer->Write(c);
      if (!st.ok()) break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      ++written;
      if (!st.ok()) stop = true;
    }
    cv.notify_all();
    progress.Update(std::min(n, (b + 1) * kBatch));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
  }
  cv.notify_all();
  for (auto& t : pool) t.join();
  progress.Finish();
  return st;
}

}  // namespace

int RunGen(const Argv& argv) {
  Args args("gen", "wildchat gen --conversations N [--seed S] --out FILE",
            "Generates a realistic synthetic corpus in the WildChat schema (docs/gen.md). The "
            "output format follows the file name: .jsonl, .jsonl.gz, .jsonl.zst or .parquet. The "
            "same options always give the same bytes.");
  args.Option("conversations", "N", "number of conversations", "1000");
  args.Option("seed", "S", "random seed", "1");
  args.Option("users", "N", "distinct users (0: about 0.205 per conversation)", "0");
  args.Option("out", "FILE", "output file (required)");
  args.Option("threads", "N", "generator threads (0: one per core)", "0");
  args.Option("dict-dir", "DIR", "Debian word lists for vocabulary tails ('' to synthesise all)",
              "/usr/share/dict");
  args.Flag("quiet", "no progress bar");
  int exit_code = 0;
  if (!ParseOrExit(args, argv, &exit_code)) return exit_code;
  if (!args.Has("out"))
    return ReportError("gen", Status::InvalidArgument("--out FILE is required"));
  if (!args.positionals().empty()) {
    return ReportError(
        "gen", Status::InvalidArgument("unexpected argument '" + args.positionals()[0] + "'"));
  }
  int64_t conversations = 0, seed = 0, users = 0, threads = 0;
  for (auto [name, value] : {std::pair{"conversations", &conversations}, std::pair{"seed", &seed},
                             std::pair{"users", &users}, std::pair{"threads", &threads}}) {
    Status st = args.GetInt(name, value);
    if (!st.ok()) return ReportError("gen", st);
    if (*value < 0) {
      return ReportError(
          "gen", Status::InvalidArgument(std::string("--") + name + " must not be negative"));
    }
  }
  if (conversations > (int64_t{1} << 40)) {
    return ReportError("gen", Status::InvalidArgument("--conversations is too large"));
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<int64_t>(threads, 64);

  GenOptions options;
  options.conversations = static_cast<uint64_t>(conversations);
  options.seed = static_cast<uint64_t>(seed);
  options.users = static_cast<uint64_t>(users);
  options.dict_dir = args.Get("dict-dir");
  std::unique_ptr<RecordWriter> writer;
  Status st = OpenRecordWriter(args.Get("out"), WriteOptions(), &writer);
  if (!st.ok()) return ReportError("gen", st);
  CorpusGenerator gen(options);
  st = Generate(gen, writer.get(), static_cast<int>(threads), args.Has("quiet"));
  if (st.ok()) st = writer->Close();
  if (!st.ok()) return ReportError("gen", st);
  return kExitOk;
}

}  // namespace wildchat
