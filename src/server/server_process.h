// Test support: `wildchat serve` (or any command that prints its URL) as a
// child process for end-to-end tests. Start() forks and execs argv with stdout
// piped back and returns once a line containing "http://" appears; the
// process is terminated (SIGTERM, then reaped) when the object is destroyed.
// Not thread-safe; one object per child.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace wildchat {

class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Starts `argv` (argv[0] is the program path) and waits for the line
  // announcing the URL; *url gets it without a trailing slash. False if the
  // child could not start or exited before printing one.
  bool Start(const std::vector<std::string>& argv, std::string* url);

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

// Why a browser test cannot run here, or "" when it can: Debian's chromium
// and tests/node's playwright-core (both installed by scripts/setup.sh).
std::string BrowserTestSkipReason(const std::filesystem::path& source_dir);

// Runs a shell command (stderr merged into stdout), echoes and returns its
// output; *exited_ok tells whether it exited with status 0.
std::string RunAndCapture(const std::string& command, bool* exited_ok);

}  // namespace wildchat
