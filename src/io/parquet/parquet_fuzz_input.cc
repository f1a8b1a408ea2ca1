#include "io/parquet/parquet_fuzz_input.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "io/parquet/parquet_file_writer.h"
#include "io/parquet/parquet_records.h"
#include "io/parquet/test_conversations.h"

namespace wildchat::parquet {

Status ReadParquetBufferFully(const std::string& bytes, int64_t* rows) {
  *rows = 0;
  for (bool full : {true, false}) {
    ReadOptions o;
    o.need_text = o.need_moderation = full;
    std::unique_ptr<RecordReader> r;
    WILDCHAT_RETURN_IF_ERROR(OpenParquetBufferReader("fuzz.parquet", bytes, o, &r));
    Conversation c;
    for (;;) {
      bool done = false;
      WILDCHAT_RETURN_IF_ERROR(r->Next(&c, &done));
      if (done) break;
      if (full) ++*rows;
    }
  }
  return Status::OK();
}

const std::string& FuzzSeedFile() {
  static const std::string seed = [] {
    std::string path = "/tmp/wildchat_parquet_seed_" + std::to_string(getpid()) + ".parquet";
    ParquetWriterOptions o;
    o.codec = Codec::kSnappy;
    o.row_group_rows = 8;
    o.page_bytes = 512;
    std::unique_ptr<ParquetFileWriter> w;
    if (!ParquetFileWriter::Open(path, o, &w).ok()) return std::string();
    for (const Conversation& c : MakeTestConversations(20, 5)) (void)w->Write(c);
    if (!w->Close().ok()) return std::string();
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(path.c_str());
    return ss.str();
  }();
  return seed;
}

std::string FuzzInputToFile(const uint8_t* data, size_t size) {
  if (size == 0) return std::string();
  if (data[0] == 0) return std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string file = FuzzSeedFile();
  size_t pos = 1;
  if ((data[0] & 1) && size >= 5 && !file.empty()) {
    uint32_t len;
    std::memcpy(&len, data + 1, 4);
    file.resize(len % file.size());
    pos = 5;
  }
  for (; pos + 5 <= size && !file.empty(); pos += 5) {
    uint32_t off;
    std::memcpy(&off, data + pos, 4);
    file[off % file.size()] = static_cast<char>(file[off % file.size()] ^ data[pos + 4]);
  }
  return file;
}

}  // namespace wildchat::parquet
