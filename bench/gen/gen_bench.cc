// gen_bench: generator throughput (conversations/s, MB/s of JSONL text) with
// 1 and N threads, then JSONL write and read throughput through the record
// stream interfaces (full records and metadata only).
//   gen_bench [--conversations N] [--threads T] [--dir DIR]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gen/corpus_generator.h"
#include "io/conversation_json.h"
#include "io/record_files.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 20000;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--conversations")) n = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  wildchat::GenOptions options;
  options.conversations = n;
  auto t0 = Clock::now();
  wildchat::CorpusGenerator gen(options);
  std::printf("generator construction: %.2f s\n", Seconds(t0));

  for (int t : {1, threads}) {
    std::atomic<uint64_t> next{0}, bytes{0};
    t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int k = 0; k < t; ++k) {
      pool.emplace_back([&] {
        std::string line;
        uint64_t local = 0;
        for (uint64_t i; (i = next.fetch_add(1)) < n;) {
          line.clear();
          wildchat::AppendConversationJson(&line, gen.Generate(i));
          local += line.size() + 1;
        }
        bytes += local;
      });
    }
    for (auto& th : pool) th.join();
    const double s = Seconds(t0);
    std::printf(
        "generate+serialise, %d thread(s): %llu conversations in %.2f s = %.0f conv/s, "
        "%.1f MB/s of JSONL (%.2f KB/conversation)\n",
        t, static_cast<unsigned long long>(n), s, n / s, bytes / s / 1e6, bytes / 1024.0 / n);
    if (t == threads) break;
  }

  const std::string path = dir + "/gen_bench_" + std::to_string(getpid()) + ".jsonl";
  std::vector<wildchat::Conversation> corpus;
  corpus.reserve(n);
  for (uint64_t i = 0; i < n; ++i) corpus.push_back(gen.Generate(i));
  for (const char* ext : {"", ".zst", ".gz"}) {
    const std::string p = path + ext;
    std::unique_ptr<wildchat::RecordWriter> w;
    t0 = Clock::now();
    if (!wildchat::OpenRecordWriter(p, {}, &w).ok()) return 1;
    for (const auto& c : corpus) {
      if (!w->Write(c).ok()) return 1;
    }
    if (!w->Close().ok()) return 1;
    const double ws = Seconds(t0);
    const double mb = static_cast<double>(std::filesystem::file_size(p)) / 1e6;
    const double text_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    std::printf("write %-12s %.1f MB on disk, %.1f MB/s of JSONL\n", ext[0] ? ext : ".jsonl", mb,
                text_mb / ws);
    for (bool need_text : {true, false}) {
      wildchat::ReadOptions ro;
      ro.need_text = need_text;
      ro.need_moderation = need_text;
      std::unique_ptr<wildchat::RecordReader> r;
      if (!wildchat::OpenRecordReader(p, ro, &r).ok()) return 1;
      wildchat::Conversation c;
      uint64_t count = 0;
      t0 = Clock::now();
      for (;;) {
        bool done = false;
        if (!r->Next(&c, &done).ok()) return 1;
        if (done) break;
        ++count;
      }
      const double rs = Seconds(t0);
      std::printf("  read %s: %llu records, %.1f MB/s of JSONL, %.0f records/s\n",
                  need_text ? "full records " : "metadata only",
                  static_cast<unsigned long long>(count), text_mb / rs, count / rs);
    }
  }
  for (const char* ext : {"", ".zst", ".gz"}) std::filesystem::remove(path + ext);
  return 0;
}
