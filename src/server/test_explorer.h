// TestExplorer: an explorer serving a fresh test corpus (test_corpus.h)
// in-process, for API tests: the corpus built in TestDir(name)/index, the
// index opened, an ExplorerServer on a free loopback port in its own thread,
// handed out once it answers /api/info; stopped, and its folder removed, on
// destruction. Test-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
#include "engine/index.h"
#include "server/explorer_server.h"
#include "server/test_corpus.h"

namespace wildchat {

class TestExplorer {
 public:
  // options.port is replaced by 0 (a free port).
  static Status Start(const std::string& name, int64_t conversations, ServerOptions options,
                      std::unique_ptr<TestExplorer>* out);
  ~TestExplorer();

  const TestCorpus& corpus() const { return corpus_; }
  const Index& index() const { return *index_; }
  const std::string& index_dir() const { return index_dir_; }
  int port() const { return server_->port(); }

 private:
  TestExplorer() = default;
  std::string root_, index_dir_;
  TestCorpus corpus_;
  std::unique_ptr<Index> index_;
  std::unique_ptr<ExplorerServer> server_;
  std::thread thread_;
};

}  // namespace wildchat
