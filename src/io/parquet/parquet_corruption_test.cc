// Bad input: each kind of damage gives a clear error naming the file and, for
// damage inside the data, the row group, column and page; thousands of
// mutated files (bit flips, byte patches, truncations) end in OK or a clean
// error, never a crash (the suite runs under ASan/UBSan) or a silent
// partial read.
#include <gtest/gtest.h>

#include <random>

#include "io/parquet/parquet_file_reader.h"
#include "io/parquet/parquet_fuzz_input.h"
#include "io/parquet/parquet_metadata.h"
#include "io/parquet/parquet_records.h"

namespace wildchat::parquet {
namespace {

Status ReadAll(const std::string& bytes, int64_t* rows) {
  return ReadParquetBufferFully(bytes, rows);
}

int64_t DataPageOffset(const std::string& file, int row_group, const std::string& column) {
  std::unique_ptr<ParquetFileReader> r;
  EXPECT_TRUE(ParquetFileReader::OpenBuffer("x", file, &r).ok());
  for (size_t c = 0; c < r->schema().leaves.size(); ++c) {
    if (r->schema().leaves[c].dotted == column)
      return r->metadata().row_groups[row_group].columns[c].meta_data->data_page_offset;
  }
  ADD_FAILURE() << "no column " << column;
  return 0;
}

void ExpectMentions(const Status& st, const std::vector<std::string>& words) {
  ASSERT_FALSE(st.ok());
  for (const std::string& w : words)
    EXPECT_NE(st.message().find(w), std::string::npos) << "'" << w << "' not in: " << st.message();
}

TEST(ParquetCorruption, SeedFileReadsCleanly) {
  int64_t rows = 0;
  Status st = ReadAll(FuzzSeedFile(), &rows);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(rows, 20);
}

TEST(ParquetCorruption, WrongMagic) {
  std::string f = FuzzSeedFile();
  f[0] = 'X';
  int64_t rows;
  ExpectMentions(ReadAll(f, &rows), {"fuzz.parquet", "not a Parquet file"});
  std::string g = FuzzSeedFile();
  g[g.size() - 1] = 'X';
  ExpectMentions(ReadAll(g, &rows), {"fuzz.parquet", "not a Parquet file"});
}

TEST(ParquetCorruption, EveryTruncationIsAnErrorNeverFewerRows) {
  const std::string& f = FuzzSeedFile();
  for (size_t len = 0; len < f.size(); len += 7) {
    int64_t rows = 0;
    Status st = ReadAll(f.substr(0, len), &rows);
    ASSERT_FALSE(st.ok()) << "truncated to " << len << " bytes read " << rows << " rows";
    EXPECT_EQ(st.message().rfind("fuzz.parquet: ", 0), 0u) << st.message();
  }
}

TEST(ParquetCorruption, CorruptPageHeaderNamesRowGroupColumnAndPage) {
  std::string f = FuzzSeedFile();
  int64_t off = DataPageOffset(f, 1, "conversation.list.element.role");
  // A page header starts with field 1 (type, i32): make it an invalid type
  // nibble so the header cannot be decoded.
  f[off] = static_cast<char>(0x1f);
  int64_t rows;
  // Page 0 of this chunk is its dictionary; the data page is page 1.
  ExpectMentions(ReadAll(f, &rows), {"fuzz.parquet", "row group 1",
                                     "conversation.list.element.role", "page 1", "page header"});
}

TEST(ParquetCorruption, CorruptCompressedPageNamesCodec) {
  std::string f = FuzzSeedFile();
  int64_t off = DataPageOffset(f, 2, "conversation.list.element.content");
  PageHeader h;
  size_t hsize;
  ASSERT_TRUE(ParsePageHeader(std::string_view(f).substr(off), &h, &hsize).ok());
  // Overwrite the snappy stream's length preamble and body.
  for (int i = 0; i < 6 && i < h.compressed_page_size; ++i)
    f[off + hsize + i] = static_cast<char>(0xff);
  int64_t rows;
  ExpectMentions(ReadAll(f, &rows), {"fuzz.parquet", "row group 2",
                                     "conversation.list.element.content", "page 0", "SNAPPY"});
}

TEST(ParquetCorruption, NonWildChatSchemaIsRejectedByName) {
  FileMetaData meta;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement col;
  col.name = "text";
  col.type = PhysicalType::kByteArray;
  col.repetition = Repetition::kOptional;
  meta.schema = {root, col};
  std::string footer;
  SerializeFileMetaData(meta, &footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  std::string f = "PAR1" + footer + std::string(reinterpret_cast<const char*>(&len), 4) + "PAR1";
  int64_t rows;
  Status st = ReadAll(f, &rows);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  ExpectMentions(
      st, {"fuzz.parquet", "not a WildChat schema", "conversation_hash", "conversation.content"});
}

TEST(ParquetCorruption, ThousandsOfMutationsEndCleanly) {
  const std::string& seed = FuzzSeedFile();
  std::mt19937 rng(1234);
  int errors = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string f = seed;
    int kind = i % 4;
    if (kind == 0) {  // bit flips anywhere
      for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k)
        f[rng() % f.size()] ^= static_cast<char>(1 << (rng() % 8));
    } else if (kind == 1) {  // random bytes in the footer
      size_t footer = 200 + rng() % 2000;
      for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k)
        f[f.size() - 9 - rng() % footer] = static_cast<char>(rng());
    } else if (kind == 2) {  // truncation plus a flip
      f.resize(rng() % f.size());
      if (!f.empty()) f[rng() % f.size()] ^= 0x10;
    } else {  // a run of garbage inside the data
      size_t at = 4 + rng() % (f.size() - 64);
      for (int k = 0; k < 16; ++k) f[at + k] = static_cast<char>(rng());
    }
    int64_t rows = 0;
    Status st = ReadAll(f, &rows);
    if (!st.ok()) {
      ++errors;
      ASSERT_EQ(st.message().rfind("fuzz.parquet: ", 0), 0u)
          << "mutation " << i << ": " << st.message();
    }
  }
  // Most damage must be detected (flips inside string bytes may legitimately go unnoticed).
  EXPECT_GT(errors, 2000);
}

TEST(ParquetCorruption, FuzzInputDecodingCoversRawAndPatchedFiles) {
  const uint8_t raw[] = {0, 'P', 'A', 'R', '1'};
  int64_t rows;
  ExpectMentions(ReadAll(FuzzInputToFile(raw, sizeof raw), &rows), {"too small"});
  const uint8_t patch[] = {2};
  ASSERT_TRUE(ReadAll(FuzzInputToFile(patch, sizeof patch), &rows).ok());
}

}  // namespace
}  // namespace wildchat::parquet
