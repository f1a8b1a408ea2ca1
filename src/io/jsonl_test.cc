#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/conversation_json.h"
#include "io/record_files.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

class JsonlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wildchat_jsonl_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  static std::vector<Conversation> Sample(int n) {
    std::vector<Conversation> v;
    for (int i = 0; i < n; ++i) {
      Conversation c;
      c.conversation_hash = std::string(32, static_cast<char>('a' + i % 6));
      c.model = i % 4 ? "gpt-3.5-turbo-0613" : "gpt-4-0314";
      c.timestamp = 1680000000000000LL + i * 1000003LL;
      for (int t = 0; t < 1 + i % 3; ++t) {
        Utterance u;
        u.role = "user";
        u.content = "question " + std::to_string(i) + " 你好 " + std::string(i % 50, 'x');
        u.turn_identifier = 1000 + i * 10 + t;
        u.hashed_ip = std::string(64, 'f');
        Utterance a;
        a.role = "assistant";
        a.content = "answer\n```\ncode\n```";
        a.turn_identifier = u.turn_identifier;
        a.timestamp = c.timestamp;
        c.conversation.push_back(u);
        c.conversation.push_back(a);
        c.openai_moderation.emplace_back();
        c.openai_moderation.emplace_back();
        c.detoxify_moderation.emplace_back();
        c.detoxify_moderation.emplace_back();
      }
      c.turn = 1 + i % 3;
      c.language = "English";
      c.toxic = TriBool::kFalse;
      v.push_back(c);
    }
    return v;
  }

  void WriteAll(const std::string& path, const std::vector<Conversation>& v) {
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordWriter(path, {}, &w).ok());
    for (const auto& c : v) ASSERT_TRUE(w->Write(c).ok());
    Status st = w->Close();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::vector<Conversation> ReadAll(const std::string& path, Status* final_status) {
    std::vector<Conversation> v;
    std::unique_ptr<RecordReader> r;
    *final_status = OpenRecordReader(path, {}, &r);
    if (!final_status->ok()) return v;
    for (;;) {
      Conversation c;
      bool done = false;
      *final_status = r->Next(&c, &done);
      if (!final_status->ok() || done) return v;
      v.push_back(std::move(c));
    }
  }

  static void WriteBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  static std::string ReadBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  static std::string Shell(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[65536];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      pclose(p);
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(JsonlTest, RoundTripsEveryCompression) {
  const auto sample = Sample(3000);  // > 1 MiB: exercises buffer refills
  for (const char* name : {"a.jsonl", "a.jsonl.gz", "a.jsonl.zst", "a.json"}) {
    WriteAll(Path(name), sample);
    Status st;
    auto back = ReadAll(Path(name), &st);
    ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
    ASSERT_EQ(back.size(), sample.size()) << name;
    for (size_t i = 0; i < sample.size(); ++i) ASSERT_EQ(back[i], sample[i]) << name << " " << i;
  }
  // Independent decoders agree with the plain file.
  const std::string plain = ReadBytes(Path("a.jsonl"));
  EXPECT_GT(plain.size(), 1u << 20);
  EXPECT_EQ(Shell("gzip -dc " + Path("a.jsonl.gz")), plain);
  EXPECT_EQ(Shell("zstd -qdc " + Path("a.jsonl.zst")), plain);
  // No temporary files left behind.
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(JsonlTest, ReadsConcatenatedGzipMembersAndCrlfAndBlankLines) {
  std::string l1, l2;
  auto s = Sample(2);
  AppendConversationJson(&l1, s[0]);
  AppendConversationJson(&l2, s[1]);
  WriteBytes(Path("p1"), l1 + "\r\n\n");
  WriteBytes(Path("p2"), "  \n" + l2);  // no final newline
  Shell("gzip -c " + Path("p1") + " > " + Path("c.jsonl.gz") + " && gzip -c " + Path("p2") +
        " >> " + Path("c.jsonl.gz"));
  Status st;
  auto back = ReadAll(Path("c.jsonl.gz"), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], s[0]);
  EXPECT_EQ(back[1], s[1]);
}

TEST_F(JsonlTest, BadLinesNameFileAndLineAndCanBeSkipped) {
  std::string good;
  AppendConversationJson(&good, Sample(1)[0]);
  const std::string bad_utf8 = "{\"conversation\":[],\"model\":\"\xFF\"}";
  WriteBytes(Path("bad.jsonl"), good + "\n{not json\n" + bad_utf8 + "\n" +
                                    "{\"conversation\":[{\"content\":1,\"role\":\"user\"}]}\n" +
                                    "{\"model\":\"x\"}\n" + good + "\n");
  std::unique_ptr<RecordReader> r;
  ASSERT_TRUE(OpenRecordReader(Path("bad.jsonl"), {}, &r).ok());
  const std::string p = Path("bad.jsonl");
  const std::vector<std::string> expected_errors = {
      p + ":2: invalid JSON", p + ":3: invalid UTF-8 at byte offset 28",
      p + ":4: conversation[0].content: expected string",
      p + ":5: conversation: missing required field"};
  Conversation c;
  bool done = false;
  ASSERT_TRUE(r->Next(&c, &done).ok());
  ASSERT_FALSE(done);
  for (size_t i = 0; i < expected_errors.size(); ++i) {
    Status st = r->Next(&c, &done);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(st.message().rfind(expected_errors[i], 0), 0u) << st.message();
    EXPECT_TRUE(r->CanSkip());
    EXPECT_EQ(r->Position(), p + ":" + std::to_string(i + 2));
  }
  // LastRaw is the offending line (the last error: line 5).
  EXPECT_EQ(r->LastRaw(), "{\"model\":\"x\"}");
  ASSERT_TRUE(r->Next(&c, &done).ok());
  EXPECT_FALSE(done);
  EXPECT_EQ(c, Sample(1)[0]);
  ASSERT_TRUE(r->Next(&c, &done).ok());
  EXPECT_TRUE(done);
}

TEST_F(JsonlTest, TruncatedCompressedFilesAreCorruptionNotSilentEnd) {
  auto sample = Sample(500);
  for (const char* name : {"t.jsonl.gz", "t.jsonl.zst"}) {
    WriteAll(Path(name), sample);
    std::string bytes = ReadBytes(Path(name));
    WriteBytes(Path(name), bytes.substr(0, bytes.size() / 2));
    Status st;
    auto back = ReadAll(Path(name), &st);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << name << ": " << st.ToString();
    EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(Path(name) + ":"), std::string::npos) << st.message();
    EXPECT_LT(back.size(), sample.size());
  }
}

TEST_F(JsonlTest, MissingFileAndUnknownExtension) {
  Status st;
  ReadAll(Path("nope.jsonl"), &st);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("nope.jsonl"), std::string::npos);
  std::unique_ptr<RecordWriter> w;
  EXPECT_EQ(OpenRecordWriter(Path("x.csv"), {}, &w).code(), Status::Code::kInvalidArgument);
}

TEST_F(JsonlTest, UnclosedWriterLeavesNoFile) {
  {
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordWriter(Path("u.jsonl.zst"), {}, &w).ok());
    ASSERT_TRUE(w->Write(Sample(1)[0]).ok());
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace wildchat
