// Writer -> reader round trips in this project: every codec, both list
// layouts, INT96 timestamps, row-group boundaries and column skipping.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "io/parquet/parquet_file_reader.h"
#include "io/parquet/parquet_file_writer.h"
#include "io/parquet/parquet_records.h"
#include "io/parquet/test_conversations.h"
#include "io/record_files.h"

namespace wildchat::parquet {
namespace {

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/pq_rt_" + std::to_string(getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::vector<Conversation>& rows,
               const ParquetWriterOptions& options) {
  std::unique_ptr<ParquetFileWriter> w;
  ASSERT_TRUE(ParquetFileWriter::Open(path, options, &w).ok());
  for (const Conversation& c : rows) ASSERT_TRUE(w->Write(c).ok());
  Status st = w->Close();
  ASSERT_TRUE(st.ok()) << st.ToString();
}

std::vector<Conversation> ReadAll(const std::string& path, const ReadOptions& options = {}) {
  std::unique_ptr<RecordReader> r;
  Status st = OpenRecordReader(path, options, &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<Conversation> out;
  if (!st.ok()) return out;
  for (;;) {
    Conversation c;
    bool done = false;
    st = r->Next(&c, &done);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || done) break;
    out.push_back(std::move(c));
  }
  return out;
}

void ExpectSame(const std::vector<Conversation>& want, const std::vector<Conversation>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_TRUE(want[i] == got[i]) << "row " << i;
}

class CodecRoundTrip : public testing::TestWithParam<Codec> {};

TEST_P(CodecRoundTrip, EveryFieldSurvives) {
  auto rows = MakeTestConversations(250, 7);
  ParquetWriterOptions o;
  o.codec = GetParam();
  o.row_group_rows = 64;  // several row groups, the last one short
  o.page_bytes = 4096;    // many pages per column chunk
  std::string path = TempPath("codec.parquet");
  WriteFile(path, rows, o);
  ExpectSame(rows, ReadAll(path));
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecRoundTrip,
                         testing::Values(Codec::kUncompressed, Codec::kSnappy, Codec::kGzip,
                                         Codec::kZstd, Codec::kLz4Raw, Codec::kBrotli));

// A dictionary-encoded string column whose every value in a row group is
// null (e.g. assistant-only metadata, or a log without GeoIP) has no
// dictionary at all; its pages must still read back, here and in DuckDB.
TEST(ParquetRoundTrip, AllNullStringColumnsReadBack) {
  auto rows = MakeTestConversations(120, 5);
  for (Conversation& c : rows) {
    c.state.reset();
    c.country.reset();
    for (Utterance& u : c.conversation) {
      u.hashed_ip.reset();
      u.state.reset();
      u.country.reset();
      u.header.reset();
      u.language.reset();
    }
  }
  ParquetWriterOptions o;
  o.row_group_rows = 50;
  std::string path = TempPath("allnull.parquet");
  WriteFile(path, rows, o);
  ExpectSame(rows, ReadAll(path));
  std::remove(path.c_str());
}

TEST(ParquetRoundTrip, LargeDictionariesFallBackToPlain) {
  auto rows = MakeTestConversations(700, 21);
  for (size_t i = 0; i < rows.size(); ++i) {
    // ~2 MB of distinct values: past the dictionary limit mid-chunk.
    rows[i].state = std::string(3000, static_cast<char>('a' + i % 26)) + std::to_string(i);
  }
  std::string path = TempPath("dict.parquet");
  ParquetWriterOptions o;
  o.page_bytes = 64 << 10;
  o.row_group_rows = 1000;
  WriteFile(path, rows, o);
  std::unique_ptr<ParquetFileReader> file;
  ASSERT_TRUE(ParquetFileReader::Open(path, &file).ok());
  const ColumnMetaData& state = *file->metadata().row_groups[0].columns[63].meta_data;
  ASSERT_EQ(file->schema().leaves[63].dotted, "state");
  EXPECT_TRUE(state.dictionary_page_offset.has_value());
  std::set<int32_t> enc(state.encodings.begin(), state.encodings.end());
  EXPECT_TRUE(enc.count(static_cast<int32_t>(Encoding::kRleDictionary)));
  EXPECT_TRUE(enc.count(static_cast<int32_t>(Encoding::kPlain)));
  ExpectSame(rows, ReadAll(path));
  std::remove(path.c_str());
}

TEST(ParquetRoundTrip, LegacyTwoLevelListsAndInt96) {
  auto rows = MakeTestConversations(120, 11);
  for (bool legacy : {false, true}) {
    for (bool int96 : {false, true}) {
      ParquetWriterOptions o;
      o.style.legacy_two_level_lists = legacy;
      o.style.int96_timestamps = int96;
      o.row_group_rows = 50;
      std::string path = TempPath("style.parquet");
      WriteFile(path, rows, o);
      SCOPED_TRACE(std::string(legacy ? "2-level" : "3-level") + (int96 ? " int96" : " int64"));
      ExpectSame(rows, ReadAll(path));
      std::remove(path.c_str());
    }
  }
}

TEST(ParquetRoundTrip, MetadataOnlyReadLeavesTextAndModerationOut) {
  auto rows = MakeTestConversations(80, 3);
  std::string path = TempPath("meta.parquet");
  WriteFile(path, rows, ParquetWriterOptions());
  ReadOptions ro;
  ro.need_text = false;
  ro.need_moderation = false;
  auto got = ReadAll(path, ro);
  ASSERT_EQ(got.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    Conversation want = rows[i];
    for (Utterance& u : want.conversation) u.content.clear();
    want.openai_moderation.clear();
    want.detoxify_moderation.clear();
    ASSERT_TRUE(want == got[i]) << "row " << i;
  }
  std::remove(path.c_str());
}

TEST(ParquetRoundTrip, MetadataOnlyReadNeverFetchesTextOrModerationChunks) {
  auto rows = MakeTestConversations(200, 4);
  std::string path = TempPath("fetch.parquet");
  ParquetWriterOptions o;
  o.row_group_rows = 50;
  WriteFile(path, rows, o);
  std::unique_ptr<ParquetFileReader> file;
  ASSERT_TRUE(ParquetFileReader::Open(path, &file).ok());
  uint64_t skippable = 0;
  for (const RowGroup& g : file->metadata().row_groups) {
    for (size_t c = 0; c < g.columns.size(); ++c) {
      const std::string& name = file->schema().leaves[c].dotted;
      if (name == "conversation.list.element.content" || name.rfind("openai_moderation", 0) == 0 ||
          name.rfind("detoxify_moderation", 0) == 0)
        skippable += static_cast<uint64_t>(g.columns[c].meta_data->total_compressed_size);
    }
  }
  ASSERT_GT(skippable, 0u);
  ReadOptions ro;
  ro.need_text = false;
  ro.need_moderation = false;
  std::unique_ptr<RecordReader> r;
  ASSERT_TRUE(OpenParquetReader(path, ro, &r).ok());
  Conversation c;
  bool done = false;
  int n = 0;
  while (r->Next(&c, &done).ok() && !done) ++n;
  EXPECT_EQ(n, 200);
  EXPECT_EQ(r->BytesTotal(), file->file_size());
  EXPECT_LE(r->BytesRead(), file->file_size() - skippable);
  std::remove(path.c_str());
}

// JSONL -> Parquet -> JSONL through the format-neutral record_files API, as
// `wildchat convert` does: the two JSONL files must be byte-identical.
TEST(ParquetRoundTrip, JsonlToParquetToJsonlIsByteIdentical) {
  auto rows = MakeTestConversations(150, 17);
  std::string a = TempPath("a.jsonl"), pq = TempPath("b.parquet"), b = TempPath("c.jsonl");
  auto copy = [](const std::string& from, const std::string& to) {
    std::unique_ptr<RecordReader> r;
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordReader(from, ReadOptions(), &r).ok());
    ASSERT_TRUE(OpenRecordWriter(to, WriteOptions(), &w).ok());
    Conversation c;
    bool done = false;
    while (true) {
      Status st = r->Next(&c, &done);
      ASSERT_TRUE(st.ok()) << st.ToString();
      if (done) break;
      ASSERT_TRUE(w->Write(c).ok());
    }
    ASSERT_TRUE(w->Close().ok());
  };
  {
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordWriter(a, WriteOptions(), &w).ok());
    for (const Conversation& c : rows) ASSERT_TRUE(w->Write(c).ok());
    ASSERT_TRUE(w->Close().ok());
  }
  copy(a, pq);
  copy(pq, b);
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::string ja = slurp(a), jb = slurp(b);
  EXPECT_GT(ja.size(), 1000u);
  EXPECT_TRUE(ja == jb) << "JSONL differs after a Parquet round trip";
  for (const std::string& f : {a, pq, b}) std::remove(f.c_str());
}

TEST(ParquetRoundTrip, EmptyFileAndRecordWriterInterface) {
  std::string path = TempPath("empty.parquet");
  std::unique_ptr<RecordWriter> w;
  WriteOptions wo;
  wo.compression = "snappy";
  ASSERT_TRUE(OpenRecordWriter(path, wo, &w).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_TRUE(ReadAll(path).empty());
  std::remove(path.c_str());
}

TEST(ParquetRoundTrip, UnclosedWriterLeavesNoFile) {
  std::string path = TempPath("unclosed.parquet");
  {
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordWriter(path, WriteOptions(), &w).ok());
    ASSERT_TRUE(w->Write(MakeTestConversations(1, 1)[0]).ok());
  }
  EXPECT_FALSE(std::ifstream(path).good());
}

TEST(ParquetRoundTrip, UnknownCompressionIsRejected) {
  std::unique_ptr<RecordWriter> w;
  WriteOptions wo;
  wo.compression = "lzo";
  Status st = OpenRecordWriter(TempPath("x.parquet"), wo, &w);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wildchat::parquet
