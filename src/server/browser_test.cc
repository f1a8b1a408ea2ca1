// End-to-end: builds a small index (generated conversations plus hostile
// ones), runs the real `wildchat serve` on a free port and drives the web UI
// in Debian's headless Chromium with tests/browser/explorer.test.mjs
// (playwright-core). Screenshots go to <build>/artifacts/explorer/.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "server/server_process.h"
#include "server/test_corpus.h"

namespace wildchat {
namespace {

// Enough for page 1000 at 10 results per page.
constexpr int64_t kConversations = 10100;

TEST(ExplorerBrowserTest, DrivesTheRealUiInChromium) {
  const std::filesystem::path source(WILDCHAT_SOURCE_DIR);
  const std::filesystem::path binary(WILDCHAT_BINARY_DIR);
  if (const std::string why = BrowserTestSkipReason(source); !why.empty()) GTEST_SKIP() << why;
  const std::string wildchat = (binary / "wildchat").string();
  ASSERT_TRUE(std::filesystem::exists(wildchat)) << "build the wildchat target first";

  const std::string dir = TestDir("explorer_browser") + "/index";
  TestCorpus corpus;
  Status st = BuildTestCorpus(dir, kConversations, &corpus);
  ASSERT_TRUE(st.ok()) << st.ToString();

  ServerProcess server;
  std::string url;
  ASSERT_TRUE(server.Start({wildchat, "serve", "--index", dir, "--port", "0"}, &url))
      << "wildchat serve did not announce its URL";

  const std::string artifacts = (binary / "artifacts" / "explorer").string();
  std::filesystem::create_directories(artifacts);
  const std::string command = "node '" + (source / "tests/browser/explorer.test.mjs").string() +
                              "' '" + url + "' '" + artifacts + "' " +
                              std::to_string(corpus.hostile_id) + " '" + corpus.hostile_ip + "' " +
                              kHostileMarker + " " + kBroadWord;
  bool ok = false;
  const std::string log = RunAndCapture(command, &ok);
  EXPECT_TRUE(ok) << "browser checks failed:\n" << log;
  EXPECT_NE(log.find("all checks passed"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(artifacts + "/search.png"));
}

}  // namespace
}  // namespace wildchat
