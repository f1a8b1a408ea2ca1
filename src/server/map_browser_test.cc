// End-to-end for the embedding map: builds a small index (generated plus
// hostile conversations), runs the real `wildchat embed` and `wildchat serve`,
// and drives /map.html in Debian's headless Chromium with
// tests/browser/map_view.test.mjs (playwright-core). Screenshots go to
// <build>/artifacts/map/.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "server/server_process.h"
#include "server/test_corpus.h"

namespace wildchat {
namespace {

constexpr int64_t kConversations = 3000;

TEST(MapBrowserTest, SearchLightsUpAsManyPointsAsItMatches) {
  const std::filesystem::path source(WILDCHAT_SOURCE_DIR);
  const std::filesystem::path binary(WILDCHAT_BINARY_DIR);
  if (const std::string why = BrowserTestSkipReason(source); !why.empty()) GTEST_SKIP() << why;
  const std::string wildchat = (binary / "wildchat").string();
  ASSERT_TRUE(std::filesystem::exists(wildchat)) << "build the wildchat target first";

  const std::string dir = TestDir("map_browser") + "/index";
  TestCorpus corpus;
  const Status st = BuildTestCorpus(dir, kConversations, &corpus);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const std::string embed = "'" + wildchat + "' embed --index '" + dir +
                            "' --quiet --dims 64 --knn-dims 32 --min-layout 100";
  ASSERT_EQ(std::system(embed.c_str()), 0) << embed;

  ServerProcess server;
  std::string url;
  ASSERT_TRUE(server.Start({wildchat, "serve", "--index", dir, "--port", "0"}, &url))
      << "wildchat serve did not announce its URL";
  const std::string artifacts = (binary / "artifacts" / "map").string();
  std::filesystem::create_directories(artifacts);
  const std::string command = "node '" + (source / "tests/browser/map_view.test.mjs").string() +
                              "' '" + url + "' '" + artifacts + "' " + kBroadWord;
  bool ok = false;
  const std::string log = RunAndCapture(command, &ok);
  EXPECT_TRUE(ok) << "browser checks failed:\n" << log;
  EXPECT_NE(log.find("all checks passed"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(artifacts + "/map.png"));
}

}  // namespace
}  // namespace wildchat
