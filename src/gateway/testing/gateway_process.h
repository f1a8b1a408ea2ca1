// GatewayProcess: runs the real `wildchat gateway` binary for tests, on an
// ephemeral loopback port, and stops it gracefully (SIGTERM) or brutally
// (SIGKILL). Start() waits for the "listening on" line to learn the port.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

class GatewayProcess {
 public:
  // `args` follow `wildchat gateway`; --listen 127.0.0.1:0 is added. `env`
  // entries ("NAME=value") are added to the environment.
  Status Start(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
  ~GatewayProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the wait status.
  int Stop(int signal);
  // Stop, waiting at most `seconds`: nullopt when the process is still
  // running then (it is killed).
  std::optional<int> StopWithin(int signal, int seconds);

  static std::string Binary();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Runs the binary to completion; returns its exit code, stderr in *err.
int RunWildchat(const std::vector<std::string>& args, std::string* err);

}  // namespace wildchat
