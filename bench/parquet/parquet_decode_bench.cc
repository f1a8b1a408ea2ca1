// Decode throughput of a WildChat-shaped, zstd-compressed Parquet file:
// full decode to Conversations and metadata-only (no text or moderation
// columns), side by side with DuckDB reading the same file on one thread
// (tests/node/parquet_bench_duckdb.mjs). Release builds only; never in CI.
//
//   parquet_decode_bench [--conversations N] [--file F.parquet] [--rounds R]
//
// Throughput is the Parquet footer's uncompressed size of the column chunks
// decoded, per CPU second (both sides run on one thread; CPU time keeps the
// figures honest on a shared machine).
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "gen/corpus_generator.h"
#include "io/parquet/parquet_file_reader.h"
#include "io/parquet/parquet_file_writer.h"
#include "io/parquet/parquet_records.h"

using namespace wildchat;
using namespace wildchat::parquet;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of this process: the figures are per core and robust to other
// load on the machine.
double CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void Die(const Status& st) {
  std::fprintf(stderr, "%s\n", st.ToString().c_str());
  std::exit(1);
}

// Seconds for the best of `rounds` full passes; *rows gets the row count.
double TimeRead(const std::string& path, const ReadOptions& o, int rounds, int64_t* rows) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    double t0 = CpuNow();
    std::unique_ptr<RecordReader> reader;
    Status st = OpenParquetReader(path, o, &reader);
    if (!st.ok()) Die(st);
    Conversation c;
    int64_t n = 0;
    for (;;) {
      bool done;
      st = reader->Next(&c, &done);
      if (!st.ok()) Die(st);
      if (done) break;
      ++n;
    }
    *rows = n;
    best = std::min(best, CpuNow() - t0);
  }
  return best;
}

std::string RunDuckDb(const std::string& path, int rounds) {
  std::string cmd = std::string("cd ") + WILDCHAT_SOURCE_DIR +
                    "/tests/node && /usr/bin/node parquet_bench_duckdb.mjs '" + path + "' " +
                    std::to_string(rounds) + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

double JsonNumber(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::atof(json.c_str() + at + key.size() + 3);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t conversations = 100000;
  std::string path = "/tmp/wildchat_bench_100k.zstd.parquet";
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--conversations"))
      conversations = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--file"))
      path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::atoi(argv[i + 1]);
  }
  struct stat st_buf;
  if (stat(path.c_str(), &st_buf) != 0) {
    std::fprintf(stderr, "generating %llu conversations into %s ...\n",
                 static_cast<unsigned long long>(conversations), path.c_str());
    GenOptions g;
    g.conversations = conversations;
    g.seed = 1;
    CorpusGenerator gen(g);
    ParquetWriterOptions o;
    o.codec = Codec::kZstd;
    std::unique_ptr<ParquetFileWriter> w;
    Status st = ParquetFileWriter::Open(path, o, &w);
    if (!st.ok()) Die(st);
    double t0 = Now();
    for (uint64_t i = 0; i < conversations; ++i) {
      st = w->Write(gen.Generate(i));
      if (!st.ok()) Die(st);
    }
    if (!(st = w->Close()).ok()) Die(st);
    std::fprintf(stderr, "generated and written in %.1f s\n", Now() - t0);
  }

  std::unique_ptr<ParquetFileReader> file;
  Status st = ParquetFileReader::Open(path, &file);
  if (!st.ok()) Die(st);
  uint64_t total = 0, meta_only = 0;
  for (const RowGroup& g : file->metadata().row_groups) {
    for (size_t c = 0; c < g.columns.size(); ++c) {
      uint64_t u = static_cast<uint64_t>(g.columns[c].meta_data->total_uncompressed_size);
      total += u;
      const std::string& name = file->schema().leaves[c].dotted;
      bool text = name == "conversation.list.element.content";
      bool moderation =
          name.rfind("openai_moderation", 0) == 0 || name.rfind("detoxify_moderation", 0) == 0;
      if (!text && !moderation) meta_only += u;
    }
  }
  std::printf("file: %s, %.1f MB on disk, %.1f MB uncompressed column data, %d row groups\n",
              path.c_str(), file->file_size() / 1e6, total / 1e6, file->num_row_groups());

  int64_t rows = 0;
  double full = TimeRead(path, ReadOptions(), rounds, &rows);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "full decode to records: %lld rows in %.3f s = %.0f MB/s uncompressed, %.0f rows/s (peak RSS "
      "%.0f MB)\n",
      static_cast<long long>(rows), full, total / 1e6 / full, rows / full, ru.ru_maxrss / 1024.0);
  ReadOptions mo;
  mo.need_text = false;
  mo.need_moderation = false;
  double meta = TimeRead(path, mo, rounds, &rows);
  std::printf("metadata-only decode: %.3f s = %.0f MB/s of the %.1f MB decoded, %.0f rows/s\n",
              meta, meta_only / 1e6 / meta, meta_only / 1e6, rows / meta);

  std::string duck = RunDuckDb(path, rounds);
  double duck_full = JsonNumber(duck, "full_seconds");
  double duck_meta = JsonNumber(duck, "metadata_seconds");
  if (duck_full <= 0) {
    std::printf("DuckDB: not run (%s)\n", duck.substr(0, 200).c_str());
    return 0;
  }
  std::printf("DuckDB 1 thread, all columns: %.3f s (%.0f MB/s); ratio DuckDB/ours = %.2fx\n",
              duck_full, total / 1e6 / duck_full, duck_full / full);
  std::printf("DuckDB 1 thread, metadata columns: %.3f s; ratio DuckDB/ours = %.2fx\n", duck_meta,
              duck_meta / meta);
  return 0;
}
