#include "server/test_explorer.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>

namespace wildchat {

Status TestExplorer::Start(const std::string& name, int64_t conversations, ServerOptions options,
                           std::unique_ptr<TestExplorer>* out) {
  std::unique_ptr<TestExplorer> t(new TestExplorer());
  t->root_ = TestDir(name);
  t->index_dir_ = t->root_ + "/index";
  WILDCHAT_RETURN_IF_ERROR(BuildTestCorpus(t->index_dir_, conversations, &t->corpus_));
  WILDCHAT_RETURN_IF_ERROR(Index::Open(t->index_dir_, &t->index_));
  options.port = 0;
  t->server_ = std::make_unique<ExplorerServer>(*t->index_, options);
  WILDCHAT_RETURN_IF_ERROR(t->server_->Bind());
  ExplorerServer* server = t->server_.get();
  t->thread_ = std::thread([server] { (void)server->Run(); });
  for (int i = 0; i < 200; ++i) {
    httplib::Client probe("127.0.0.1", t->port());
    if (probe.Get("/api/info")) {
      *out = std::move(t);
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::IOError("test explorer did not answer /api/info");
}

TestExplorer::~TestExplorer() {
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  index_.reset();
  if (!root_.empty()) std::filesystem::remove_all(root_);
}

}  // namespace wildchat
