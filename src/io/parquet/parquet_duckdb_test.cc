// DuckDB as the oracle (tests/node/parquet_oracle.mjs): files DuckDB writes
// under each codec, page version, encoding and timestamp unit must read here
// into exactly the rows DuckDB itself renders as JSON; files this project
// writes (both list layouts, INT96, every codec) must read in DuckDB into the
// rows that were written.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "io/conversation_json.h"
#include "io/parquet/parquet_file_writer.h"
#include "io/parquet/parquet_records.h"
#include "io/parquet/test_conversations.h"

namespace wildchat::parquet {
namespace {

const std::string kNodeDir = std::string(WILDCHAT_SOURCE_DIR) + "/tests/node";

bool HaveDuckDb() {
  struct stat st;
  return stat((kNodeDir + "/node_modules/@duckdb/node-api/package.json").c_str(), &st) == 0 &&
         stat("/usr/bin/node", &st) == 0;
}

#define REQUIRE_DUCKDB()                                                                  \
  do {                                                                                    \
    if (!HaveDuckDb()) {                                                                  \
      GTEST_SKIP() << "DuckDB oracle not installed (run scripts/setup.sh to npm-install " \
                      "tests/node); skipping";                                            \
    }                                                                                     \
  } while (0)

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the oracle script; returns its stdout, fails the test on error.
std::string Oracle(const std::vector<std::string>& args) {
  std::string cmd = "cd " + Quote(kNodeDir) + " && /usr/bin/node parquet_oracle.mjs";
  for (const std::string& a : args) cmd += " " + Quote(a);
  cmd += " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed";
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd << "\n" << out;
  return out;
}

std::string Temp(const std::string& name) {
  return testing::TempDir() + "/pq_duck_" + std::to_string(getpid()) + "_" + name;
}

void WriteJsonl(const std::string& path, const std::vector<Conversation>& rows) {
  std::string s;
  for (const Conversation& c : rows) {
    AppendConversationJson(&s, c);
    s += '\n';
  }
  std::ofstream(path, std::ios::binary) << s;
}

std::vector<Conversation> ParseJsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<Conversation> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Conversation c;
    Status st = ParseConversationJson(line, &c);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << line.substr(0, 300);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Conversation> ReadParquet(const std::string& path) {
  std::unique_ptr<RecordReader> r;
  Status st = OpenParquetReader(path, ReadOptions(), &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<Conversation> out;
  if (!st.ok()) return out;
  for (;;) {
    Conversation c;
    bool done;
    st = r->Next(&c, &done);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || done) break;
    out.push_back(std::move(c));
  }
  return out;
}

void ExpectSameRows(const std::vector<Conversation>& want, const std::vector<Conversation>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (!(want[i] == got[i])) {
      std::string a, b;
      AppendConversationJson(&a, want[i]);
      AppendConversationJson(&b, got[i]);
      FAIL() << "row " << i << " differs\nwant: " << a.substr(0, 2000)
             << "\ngot:  " << b.substr(0, 2000);
    }
  }
}

struct DuckDbWrite {
  std::string name;
  std::string options;  // COPY options
  std::string timestamp_type;
  std::vector<std::string> expect_encodings;  // must appear in the file
  bool multiple_row_groups = false;
  int rows = 600;
};

class DuckDbWritten : public testing::TestWithParam<DuckDbWrite> {};

TEST_P(DuckDbWritten, ReadsAsDuckDbRendersIt) {
  REQUIRE_DUCKDB();
  const DuckDbWrite& p = GetParam();
  // Enough rows with repeated values for DuckDB to choose dictionaries;
  // DuckDB cuts row groups at multiples of 2048 rows.
  auto rows = MakeTestConversations(p.rows, 42);
  std::string jsonl = Temp(p.name + ".jsonl"), parquet = Temp(p.name + ".parquet"),
              expected = Temp(p.name + ".expected.jsonl");
  WriteJsonl(jsonl, rows);
  Oracle({"write", jsonl, parquet, p.options, p.timestamp_type});
  Oracle({"dump", parquet, expected});
  std::string meta = Oracle({"meta", parquet});
  for (const std::string& e : p.expect_encodings)
    EXPECT_NE(meta.find(e), std::string::npos) << "DuckDB did not use " << e << ": " << meta;
  if (p.multiple_row_groups) {
    EXPECT_EQ(meta.find("\"row_groups\":1,"), std::string::npos) << meta;
  }

  auto got = ReadParquet(parquet);
  ExpectSameRows(ParseJsonl(expected), got);
  if (p.timestamp_type == "TIMESTAMPTZ") ExpectSameRows(rows, got);
  for (const std::string& f : {jsonl, parquet, expected}) std::remove(f.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Oracle, DuckDbWritten,
    testing::Values(
        DuckDbWrite{"uncompressed_v1", "COMPRESSION uncompressed", "TIMESTAMPTZ", {"PLAIN"}},
        DuckDbWrite{"snappy_v1_rowgroups",
                    "COMPRESSION snappy, ROW_GROUP_SIZE 2048",
                    "TIMESTAMPTZ",
                    {"PLAIN_DICTIONARY"},
                    true,
                    4500},
        DuckDbWrite{"gzip_v1", "COMPRESSION gzip", "TIMESTAMPTZ", {}},
        DuckDbWrite{"zstd_v1", "COMPRESSION zstd", "TIMESTAMPTZ", {}},
        DuckDbWrite{"lz4raw_v2",
                    "COMPRESSION lz4_raw, PARQUET_VERSION V2",
                    "TIMESTAMPTZ",
                    {"DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY"}},
        DuckDbWrite{"lz4_v1", "COMPRESSION lz4", "TIMESTAMPTZ", {}},
        DuckDbWrite{"brotli_v2", "COMPRESSION brotli, PARQUET_VERSION V2", "TIMESTAMPTZ", {}},
        DuckDbWrite{"zstd_v2_rowgroups",
                    "COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 2048",
                    "TIMESTAMPTZ",
                    {"DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "RLE_DICTIONARY",
                     "BYTE_STREAM_SPLIT"},
                    true,
                    4500},
        DuckDbWrite{"ts_naive", "COMPRESSION snappy", "TIMESTAMP", {}},
        DuckDbWrite{"ts_millis", "COMPRESSION snappy, PARQUET_VERSION V2", "TIMESTAMP_MS", {}},
        DuckDbWrite{"ts_nanos", "COMPRESSION zstd", "TIMESTAMP_NS", {}}),
    [](const testing::TestParamInfo<DuckDbWrite>& i) { return i.param.name; });

struct OwnWrite {
  std::string name;
  Codec codec;
  SchemaStyle style;
};

class DuckDbReadsOurs : public testing::TestWithParam<OwnWrite> {};

TEST_P(DuckDbReadsOurs, RowsComeBackIdentical) {
  REQUIRE_DUCKDB();
  const OwnWrite& p = GetParam();
  auto rows = MakeTestConversations(300, 9);
  std::string parquet = Temp(p.name + ".parquet"), dumped = Temp(p.name + ".dump.jsonl");
  ParquetWriterOptions o;
  o.codec = p.codec;
  o.style = p.style;
  o.row_group_rows = 128;
  o.page_bytes = 8192;
  std::unique_ptr<ParquetFileWriter> w;
  ASSERT_TRUE(ParquetFileWriter::Open(parquet, o, &w).ok());
  for (const Conversation& c : rows) ASSERT_TRUE(w->Write(c).ok());
  ASSERT_TRUE(w->Close().ok());
  Oracle({"dump", parquet, dumped});
  std::string meta = Oracle({"meta", parquet});
  EXPECT_NE(meta.find("\"row_groups\":3,"), std::string::npos) << meta;
  ExpectSameRows(rows, ParseJsonl(dumped));
  std::remove(parquet.c_str());
  std::remove(dumped.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Oracle, DuckDbReadsOurs,
    testing::Values(OwnWrite{"zstd", Codec::kZstd, {}}, OwnWrite{"snappy", Codec::kSnappy, {}},
                    OwnWrite{"gzip", Codec::kGzip, {}}, OwnWrite{"none", Codec::kUncompressed, {}},
                    OwnWrite{"lz4raw", Codec::kLz4Raw, {}}, OwnWrite{"brotli", Codec::kBrotli, {}},
                    OwnWrite{"legacy_lists", Codec::kZstd, {true, false}},
                    OwnWrite{"int96", Codec::kSnappy, {false, true}}),
    [](const testing::TestParamInfo<OwnWrite>& i) { return i.param.name; });

}  // namespace
}  // namespace wildchat::parquet
