// The index / search / get / export commands end to end, through the binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/conversation_json.h"
#include "io/record_files.h"
#include "model/timestamp.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int code = -1;
  std::string out;
};

CommandRun Exec(const std::string& args) {
  CommandRun r;
  const std::string cmd = std::string(WILDCHAT_BINARY_DIR) + "/wildchat " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

Conversation Record(int64_t id, const std::string& user, const std::string& assistant,
                    const std::string& language) {
  Conversation c;
  c.conversation_hash = std::string(31, 'a') + std::to_string(id % 10);
  c.model = (id / 10) % 2 ? "gpt-4-0314" : "gpt-3.5-turbo-0613";
  c.timestamp = ParseIso8601("2023-0" + std::to_string(4 + id % 5) + "-09T10:00:00.123456Z");
  c.language = language;
  c.turn = 1;
  c.toxic = TriBool::kFalse;
  c.redacted = TriBool::kFalse;
  c.country = "Germany";
  c.state = "Bavaria";
  c.hashed_ip = "abc";
  c.header = Header{"de-DE", "Mozilla/5.0"};
  Utterance u;
  u.role = "user";
  u.content = user;
  u.turn_identifier = id;
  u.country = "Germany";
  u.language = language;
  u.toxic = TriBool::kFalse;
  u.redacted = TriBool::kFalse;
  Utterance a = u;
  a.role = "assistant";
  a.content = assistant;
  a.country.reset();
  a.timestamp = c.timestamp;
  c.conversation = {u, a};
  OpenAiModeration m;
  m.categories_null = false;
  m.scores_null = false;
  m.categories.fill(TriBool::kFalse);
  m.category_scores.fill(0.001 * static_cast<double>(id));
  m.flagged = TriBool::kFalse;
  c.openai_moderation = {m, m};
  DetoxifyModeration d;
  d.scores.fill(0.0005);
  c.detoxify_moderation = {d, d};
  return c;
}

class EngineCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("wildchat_cli_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    std::unique_ptr<RecordWriter> w;
    ASSERT_TRUE(OpenRecordWriter(root_ + "/in.jsonl", WriteOptions(), &w).ok());
    for (int64_t i = 1; i <= 40; ++i) {
      records_.push_back(Record(i * 10, i % 4 ? "How does climate change work?" : "写一首诗",
                                i % 3 ? "Climate <change> & more" : "好的",
                                i % 4 ? "English" : "Chinese"));
      ASSERT_TRUE(w->Write(records_.back()).ok());
    }
    ASSERT_TRUE(w->Close().ok());
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_;
  std::vector<Conversation> records_;
};

TEST_F(EngineCliTest, IndexSearchGetExport) {
  const std::string idx = root_ + "/idx";
  ASSERT_EQ(Exec("index --quiet --out " + idx + " " + root_ + "/in.jsonl").code, 0);

  CommandRun r =
      Exec("search --index " + idx + " --json --limit 2 --facets language '\"does climate\"'");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"total\":30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"facets\":{\"language\":[[\"English\",30]]}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<mark>does climate</mark>"), std::string::npos) << r.out;
  r = Exec("search --index " + idx + " --json --limit 1 more");
  EXPECT_NE(r.out.find("Climate &lt;change&gt; &amp; <mark>more</mark>"), std::string::npos)
      << r.out;

  r = Exec("search --index " + idx + " --json 诗 language:chinese");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"total\":10"), std::string::npos) << r.out;

  EXPECT_EQ(Exec("search --index " + idx + " \"(climate\"").code, 2);
  EXPECT_EQ(Exec("search --index " + idx + " --sort sideways x").code, 2);
  EXPECT_EQ(Exec("search --index " + root_ + "/nope x").code, 2);

  r = Exec("get --index " + idx + " 70");
  ASSERT_EQ(r.code, 0);
  Conversation c;
  ASSERT_TRUE(ParseConversationJson(std::string_view(r.out).substr(0, r.out.size() - 1), &c).ok());
  EXPECT_EQ(c, records_[6]);
  EXPECT_EQ(Exec("get --index " + idx + " 12345").code, 2);

  ASSERT_EQ(Exec("export --index " + idx + " --out " + root_ + "/out.jsonl model:gpt-4*").code, 0);
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(root_ + "/out.jsonl", ReadOptions(), &reader).ok());
  size_t n = 0;
  while (true) {
    Conversation x;
    bool done = false;
    ASSERT_TRUE(reader->Next(&x, &done).ok());
    if (done) break;
    EXPECT_EQ(x, records_[static_cast<size_t>(x.id() / 10 - 1)]);
    ++n;
  }
  EXPECT_EQ(n, 20u);

  // --append adds; the total grows and a re-run from scratch restores it.
  ASSERT_EQ(Exec("index --quiet --append --out " + idx + " " + root_ + "/in.jsonl").code, 0);
  r = Exec("search --index " + idx + " --json --limit 0 \"\"");
  EXPECT_NE(r.out.find("\"total\":80"), std::string::npos) << r.out;

  // --plain-text stores the texts uncoded: the same conversation comes back.
  const std::string plain = root_ + "/plain";
  ASSERT_EQ(Exec("index --quiet --plain-text --out " + plain + " " + root_ + "/in.jsonl").code, 0);
  r = Exec("get --index " + plain + " 70");
  ASSERT_EQ(r.code, 0);
  ASSERT_TRUE(ParseConversationJson(std::string_view(r.out).substr(0, r.out.size() - 1), &c).ok());
  EXPECT_EQ(c, records_[6]);
  r = Exec("search --index " + plain + " --json --limit 2 '\"does climate\"'");
  EXPECT_NE(r.out.find("<mark>does climate</mark>"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace wildchat
