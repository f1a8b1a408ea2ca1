#include "curate/pipeline/curate_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "io/conversation_json.h"
#include "io/record_files.h"

namespace wildchat::curate {
namespace {
namespace fs = std::filesystem;

Conversation Make(int64_t id, const std::string& user_text) {
  Conversation c;
  c.model = id % 2 ? "gpt-4-0314" : "gpt-3.5-turbo-0613";
  Utterance u, a;
  u.role = "user";
  u.content = user_text;
  u.turn_identifier = a.turn_identifier = id;
  u.country = "France";
  u.state = "Île-de-France";
  u.hashed_ip = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  u.header = Header{"fr-FR", "Mozilla/5.0"};
  a.role = "assistant";
  a.content = "Sure, here is an answer to your question about the topic.";
  c.conversation = {u, a};
  return c;
}

fs::path WriteInput(const fs::path& dir, bool with_bad_line) {
  fs::create_directories(dir);
  const fs::path p = dir / "in.jsonl";
  std::ofstream out(p, std::ios::binary);
  for (int i = 1; i <= 7; ++i) {
    std::string text = "Tell me about the history of Paris, please, number " + std::to_string(i);
    if (i == 3) text = "You stupid idiot, fuck off.";                    // toxic
    if (i == 5) text = "my mail is jane.doe77@gmail.com, answer there";  // redacted
    if (i >= 6) text = "The same question twice";                        // same hash
    std::string line;
    AppendConversationJson(&line, Make(i, text));
    out << line << "\n";
    if (with_bad_line && i == 4) out << "{\"conversation_hash\": 12, broken\n";
  }
  return p;
}

std::vector<Conversation> ReadAll(const fs::path& p) {
  std::unique_ptr<RecordReader> r;
  EXPECT_TRUE(OpenRecordReader(p.string(), ReadOptions(), &r).ok()) << p;
  std::vector<Conversation> out;
  if (!r) return out;
  while (true) {
    Conversation c;
    bool done = false;
    const Status st = r->Next(&c, &done);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || done) break;
    out.push_back(std::move(c));
  }
  return out;
}

CurateRunOptions Options(const fs::path& in, const fs::path& out, const std::string& format) {
  CurateRunOptions o;
  o.inputs = {in.string()};
  o.out_dir = out.string();
  o.shard_rows = 3;
  o.format = format;
  o.curator.public_threshold = 0;
  return o;
}

TEST(CurateRunTest, WritesFullAndPublicShardsAndReport) {
  for (const std::string format : {"jsonl", "parquet"}) {
    const fs::path dir = fs::path(::testing::TempDir()) / ("curate_run_" + format);
    fs::remove_all(dir);
    const fs::path in = WriteInput(dir, false);
    CurateStats stats;
    const Status st = RunCuration(Options(in, dir / "out", format), &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    // 7 conversations in chunks of 3: shards 0..2 of 3 in both splits.
    size_t full_rows = 0, public_rows = 0;
    for (int k = 0; k < 3; ++k) {
      const std::string name = "train-0000" + std::to_string(k) + "-of-00003." + format;
      ASSERT_TRUE(fs::exists(dir / "out/full" / name)) << name;
      ASSERT_TRUE(fs::exists(dir / "out/public" / name)) << name;
      for (const auto& c : ReadAll(dir / "out/full" / name)) {
        ++full_rows;
        EXPECT_EQ(c.conversation_hash.size(), 32u);
        EXPECT_EQ(*c.language, "English");
        if (c.id() == 5) {
          EXPECT_TRUE(IsTrue(c.redacted));
          EXPECT_NE(c.conversation[0].content.find("<PRESIDIO_ANONYMIZED_EMAIL_ADDRESS>"),
                    std::string::npos);
        }
      }
      for (const auto& c : ReadAll(dir / "out/public" / name)) {
        ++public_rows;
        EXPECT_FALSE(IsTrue(c.toxic));
        EXPECT_NE(c.id(), 3);
      }
    }
    EXPECT_EQ(full_rows, 7u);
    EXPECT_EQ(public_rows, 6u);
    EXPECT_TRUE(fs::exists(dir / "out/report.json"));
    EXPECT_TRUE(fs::exists(dir / "out/README.md"));
    EXPECT_FALSE(fs::exists(dir / "out/.parts"));
    EXPECT_EQ(stats.counters["toxic"], 1);
    EXPECT_EQ(stats.counters["pii.EMAIL_ADDRESS"], 1);
    EXPECT_EQ(stats.counters["duplicate_hashes"], 1);  // reported, both rows kept
    std::ifstream report(dir / "out/report.json");
    const std::string text((std::istreambuf_iterator<char>(report)), {});
    EXPECT_NE(text.find("\"release.public\":6"), std::string::npos) << text;
  }
}

TEST(CurateRunTest, MalformedRecordsAreSkippedIntoRejectFile) {
  const fs::path dir = fs::path(::testing::TempDir()) / "curate_run_rejects";
  fs::remove_all(dir);
  const fs::path in = WriteInput(dir, true);
  CurateStats stats;
  CurateRunOptions o = Options(in, dir / "out", "jsonl");
  EXPECT_FALSE(RunCuration(o, &stats).ok());  // default: fail on the bad record
  fs::remove_all(dir / "out");
  o.on_error_skip = true;
  std::vector<std::string> log;
  o.log = [&](const std::string& l) { log.push_back(l); };
  CurateStats stats2;
  const Status st = RunCuration(o, &stats2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats2.counters["rejected"], 1);
  EXPECT_EQ(stats2.counters["conversations"], 7);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("in.jsonl:5"), std::string::npos) << log[0];  // position of the bad line
  std::ifstream rejects(dir / "out/rejects.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(rejects, line));
  EXPECT_EQ(line, "{\"conversation_hash\": 12, broken");
}

TEST(CurateRunTest, ResumeSkipsFinishedShards) {
  const fs::path dir = fs::path(::testing::TempDir()) / "curate_run_resume";
  fs::remove_all(dir);
  const fs::path in = WriteInput(dir, false);
  const fs::path out = dir / "out";
  // State an interrupted run leaves behind: chunk 0 finished (shards and stats
  // written), chunk 1 never closed (only a temporary file).
  fs::create_directories(out / ".parts");
  fs::create_directories(out / "full");
  fs::create_directories(out / "public");
  std::vector<Conversation> marker = {Make(100, "written by the earlier run")};
  for (const char* split : {"full", "public"}) {
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(
        OpenRecordWriter((out / split / "part-00000.jsonl").string(), WriteOptions(), &w).ok());
    ASSERT_TRUE(w->Write(marker[0]).ok());
    ASSERT_TRUE(w->Close().ok());
  }
  std::ofstream(out / ".parts/part-00000.stats") << "conversations\t3\nrelease.full\t3\n";
  CurateStats stats;
  const Status st = RunCuration(Options(in, out, "jsonl"), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const auto first = ReadAll(out / "full/train-00000-of-00003.jsonl");
  ASSERT_EQ(first.size(), 1u);  // not redone
  EXPECT_EQ(first[0].id(), 100);
  EXPECT_EQ(ReadAll(out / "full/train-00001-of-00003.jsonl").size(), 3u);
  EXPECT_EQ(ReadAll(out / "full/train-00002-of-00003.jsonl").size(), 1u);
  EXPECT_EQ(stats.counters["conversations"], 7);
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find("part-"), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace wildchat::curate
