#include "server/test_corpus.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "engine/index_builder.h"
#include "gen/corpus_generator.h"

namespace wildchat {
namespace {

std::string HostileText() {
  std::string t = std::string(kHostileMarker) +
                  " <script>window.__xss = 'script'</script>\n"
                  "<img src=x onerror=\"window.__xss='img'\">\n"
                  "<a href=\"javascript:window.__xss='link'\">click me</a>\n"
                  "[markdown link](javascript:window.__xss='md') **bold** `code`\n"
                  "<svg onload=\"window.__xss='svg'\"></svg>"
                  "<iframe src=\"javascript:window.__xss='iframe'\"></iframe>\n"
                  "\" onmouseover=\"window.__xss='attr'\" x=\"\n"
                  "</mark><mark>&lt;fake&gt;</mark> &amp; &#39;\n```html\n<body onload=\"window."
                  "__xss='fence'\">\n```\n";
  t += std::string(6000, 'W');  // one very long line
  return t;
}

}  // namespace

std::string TestDir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(WILDCHAT_BINARY_DIR) / "test-tmp" /
                            (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

Status BuildTestCorpus(const std::string& dir, int64_t n, TestCorpus* out) {
  GenOptions options;
  options.conversations = static_cast<uint64_t>(n);
  options.seed = 42;
  CorpusGenerator generator(options);
  out->records.clear();
  out->records.reserve(static_cast<size_t>(n) + 2);
  int64_t max_id = 0;
  for (int64_t i = 0; i < n; ++i) {
    out->records.push_back(generator.Generate(i));
    for (const Utterance& u : out->records.back().conversation) {
      max_id = std::max(max_id, u.turn_identifier);
    }
  }
  // Two hostile conversations by one user, built from generated ones.
  out->hostile_ip = "hostile0user0ip";
  for (int k = 0; k < 2; ++k) {
    Conversation c = out->records[static_cast<size_t>(k)];
    c.hashed_ip = out->hostile_ip;
    c.state = "<b onmouseover=\"window.__xss='state'\">Hostile State</b>";
    for (Utterance& u : c.conversation) {
      u.turn_identifier = max_id + 1000 + k * 1000 + (&u - c.conversation.data());
      if (u.role == "user") {
        u.hashed_ip = c.hashed_ip;
        u.state = c.state;
      }
    }
    // Keep turn_identifier shared by a user turn and its reply, as in the schema.
    for (size_t i = 1; i < c.conversation.size(); i += 2) {
      c.conversation[i].turn_identifier = c.conversation[i - 1].turn_identifier;
    }
    if (!c.conversation.empty()) c.conversation[0].content = HostileText();
    if (c.conversation.size() > 1) {
      c.conversation[1].content =
          "Here is <script>window.__xss='reply'</script> " + std::string(kHostileMarker);
    }
    if (k == 0) out->hostile_id = c.id();
    out->records.push_back(std::move(c));
  }
  IndexBuildStats stats;
  return BuildIndexFromRecords(dir, out->records, IndexBuildOptions{}, &stats);
}

}  // namespace wildchat
