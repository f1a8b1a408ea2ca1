// End-to-end tests of `wildchat gen`, `stats` and `convert` through the binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/python_oracle.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int code;
  std::string out, err;
};

class RecordCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wildchat_cmd_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  CommandResult Wildchat(const std::string& args) {
    const std::string err_path = Path("stderr.txt");
    const std::string cmd = std::string(WILDCHAT_BINARY_DIR "/wildchat ") + args + " 2>" + err_path;
    CommandResult r;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadBytes(err_path);
    return r;
  }
  static std::string ReadBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  fs::path dir_;
};

TEST_F(RecordCommandsTest, GenIsDeterministicAcrossRunsAndThreadCounts) {
  ASSERT_EQ(Wildchat("gen --conversations 300 --seed 5 --out " + Path("a.jsonl")).code, 0);
  ASSERT_EQ(Wildchat("gen --conversations 300 --seed 5 --threads 1 --out " + Path("b.jsonl")).code,
            0);
  ASSERT_EQ(Wildchat("gen --conversations 300 --seed 6 --out " + Path("c.jsonl")).code, 0);
  const std::string a = ReadBytes(Path("a.jsonl"));
  EXPECT_EQ(a, ReadBytes(Path("b.jsonl")));
  EXPECT_NE(a, ReadBytes(Path("c.jsonl")));
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 300);
  // Every line is a JSON object with the WildChat columns, per Python.
  const std::string script =
      "import json,sys\n"
      "keys=None\n"
      "for line in open(sys.argv[1],encoding='utf-8'):\n"
      "    k=list(json.loads(line).keys())\n"
      "    assert keys is None or k==keys\n"
      "    keys=k\n"
      "print(','.join(keys))\n";
  EXPECT_EQ(RunPythonOracle(script, a),
            "conversation_hash,model,timestamp,conversation,turn,language,openai_moderation,"
            "detoxify_moderation,toxic,redacted,state,country,hashed_ip,header\n");
}

TEST_F(RecordCommandsTest, GenWritesCompressedFormats) {
  ASSERT_EQ(Wildchat("gen --conversations 200 --out " + Path("p.jsonl")).code, 0);
  ASSERT_EQ(Wildchat("gen --conversations 200 --out " + Path("z.jsonl.zst")).code, 0);
  ASSERT_EQ(Wildchat("gen --conversations 200 --out " + Path("g.jsonl.gz")).code, 0);
  const std::string plain = ReadBytes(Path("p.jsonl"));
  std::string zst, gz;
  if (FILE* p = popen(("zstd -qdc " + Path("z.jsonl.zst")).c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) zst.append(buf, n);
    pclose(p);
  }
  if (FILE* p = popen(("gzip -dc " + Path("g.jsonl.gz")).c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) gz.append(buf, n);
    pclose(p);
  }
  EXPECT_EQ(zst, plain);
  EXPECT_EQ(gz, plain);
}

TEST_F(RecordCommandsTest, GenUsageErrorsExitTwo) {
  EXPECT_EQ(Wildchat("gen --conversations 10").code, 2);  // no --out
  EXPECT_EQ(Wildchat("gen --conversations ten --out " + Path("x.jsonl")).code, 2);
  EXPECT_EQ(Wildchat("gen --conversations -3 --out " + Path("x.jsonl")).code, 2);
  EXPECT_EQ(Wildchat("gen --conversations 10 --out " + Path("x.csv")).code, 2);
  EXPECT_EQ(Wildchat("gen --bogus 1").code, 2);
  EXPECT_EQ(Wildchat("gen --help").code, 0);
  EXPECT_FALSE(fs::exists(Path("x.jsonl")));
}

TEST_F(RecordCommandsTest, StatsAgreesWithPython) {
  ASSERT_EQ(Wildchat("gen --conversations 500 --seed 3 --out " + Path("s.jsonl.zst")).code, 0);
  ASSERT_EQ(Wildchat("convert " + Path("s.jsonl.zst") + " --out " + Path("s.jsonl")).code, 0);
  CommandResult r = Wildchat("stats --json " + Path("s.jsonl.zst"));
  ASSERT_EQ(r.code, 0) << r.err;
  // Python computes the same figures from the plain JSONL and compares.
  std::string input = ReadBytes(Path("s.jsonl"));
  const std::string check =
      "import json,sys,collections\n"
      "data=open(sys.argv[1],encoding='utf-8').read().split('\\n===\\n')\n"
      "rows=[json.loads(l) for l in data[0].splitlines()]\n"
      "s=json.loads(data[1])\n"
      "print(s['conversations']==len(rows))\n"
      "print(s['utterances']==sum(len(r['conversation']) for r in rows))\n"
      "print(s['users']==len({r['hashed_ip'] for r in rows if r['hashed_ip']}))\n"
      "print(s['toxic']==sum(r['toxic'] for r in rows))\n"
      "print(s['redacted']==sum(r['redacted'] for r in rows))\n"
      "print(s['languages']==dict(collections.Counter(r['language'] for r in rows)))\n"
      "print(s['models']==dict(collections.Counter(r['model'] for r in rows)))\n"
      "print(sum(s['turns'].values())==len(rows))\n";
  EXPECT_EQ(RunPythonOracle(check, input + "\n===\n" + r.out),
            "True\nTrue\nTrue\nTrue\nTrue\nTrue\nTrue\nTrue\n");
  CommandResult text = Wildchat("stats " + Path("s.jsonl"));
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("conversations  500"), std::string::npos) << text.out;
}

TEST_F(RecordCommandsTest, BadInputStopsWithFileAndLineOrIsSkipped) {
  ASSERT_EQ(Wildchat("gen --conversations 3 --out " + Path("ok.jsonl")).code, 0);
  std::string lines = ReadBytes(Path("ok.jsonl"));
  const size_t first_nl = lines.find('\n');
  lines.insert(first_nl + 1, "{\"conversation\": 5}\n");
  std::ofstream(Path("bad.jsonl"), std::ios::binary) << lines;

  CommandResult stop = Wildchat("stats " + Path("bad.jsonl"));
  EXPECT_EQ(stop.code, 2);
  EXPECT_NE(stop.err.find(Path("bad.jsonl") + ":2: conversation: expected array"),
            std::string::npos)
      << stop.err;

  CommandResult skip = Wildchat("stats --json --on-error skip --rejects " + Path("rej.jsonl") +
                                " " + Path("bad.jsonl"));
  EXPECT_EQ(skip.code, 0) << skip.err;
  EXPECT_NE(skip.out.find("\"conversations\":3"), std::string::npos) << skip.out;
  EXPECT_NE(skip.err.find("skipped 1 bad record"), std::string::npos) << skip.err;
  EXPECT_EQ(ReadBytes(Path("rej.jsonl")), "{\"conversation\": 5}\n");

  CommandResult conv = Wildchat("convert " + Path("bad.jsonl") + " --out " + Path("out.jsonl"));
  EXPECT_EQ(conv.code, 2);
  EXPECT_FALSE(fs::exists(Path("out.jsonl")));
  EXPECT_EQ(Wildchat("stats --on-error maybe " + Path("bad.jsonl")).code, 2);
  EXPECT_EQ(Wildchat("stats " + Path("missing.jsonl")).code, 2);
  EXPECT_EQ(Wildchat("stats").code, 2);
}

TEST_F(RecordCommandsTest, ConvertRoundTripsThroughCompressedJsonl) {
  ASSERT_EQ(Wildchat("gen --conversations 400 --seed 9 --out " + Path("o.jsonl")).code, 0);
  ASSERT_EQ(Wildchat("convert " + Path("o.jsonl") + " --out " + Path("o.jsonl.gz")).code, 0);
  ASSERT_EQ(Wildchat("convert " + Path("o.jsonl.gz") + " --out " + Path("o2.jsonl.zst")).code, 0);
  ASSERT_EQ(Wildchat("convert " + Path("o2.jsonl.zst") + " --out " + Path("o3.jsonl")).code, 0);
  EXPECT_EQ(ReadBytes(Path("o3.jsonl")), ReadBytes(Path("o.jsonl")));
  // Two inputs are concatenated.
  ASSERT_EQ(Wildchat("convert " + Path("o.jsonl") + " " + Path("o.jsonl.gz") + " --out " +
                     Path("twice.jsonl"))
                .code,
            0);
  EXPECT_EQ(ReadBytes(Path("twice.jsonl")),
            ReadBytes(Path("o.jsonl")) + ReadBytes(Path("o.jsonl")));
  // A truncated input fails with exit code 2 and leaves no output.
  const std::string gz = ReadBytes(Path("o.jsonl.gz"));
  std::ofstream(Path("t.jsonl.gz"), std::ios::binary) << gz.substr(0, gz.size() / 2);
  CommandResult t = Wildchat("convert " + Path("t.jsonl.gz") + " --out " + Path("t.jsonl"));
  EXPECT_EQ(t.code, 2);
  EXPECT_NE(t.err.find("truncated"), std::string::npos) << t.err;
  EXPECT_FALSE(fs::exists(Path("t.jsonl")));
}

}  // namespace
}  // namespace wildchat
