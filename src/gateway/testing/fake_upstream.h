// FakeUpstream: an OpenAI-compatible chat server on 127.0.0.1 for the gateway
// tests. The reply depends on the last message's content:
//   "!error"   -> HTTP 500 with an OpenAI-style error body
//   "!slow"    -> waits 6 s before answering (exceeds the tests' upstream timeout)
//   "!cut"     -> streams two chunks, then closes without [DONE]
//   anything   -> "echo: <content>", streamed in 3-byte chunks with a usage event
// It records the bodies and Authorization headers it received. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wildchat {

class FakeUpstream {
 public:
  FakeUpstream();
  ~FakeUpstream();
  int port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT/v1

  std::vector<std::string> bodies() const;
  std::vector<std::string> authorizations() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace wildchat
