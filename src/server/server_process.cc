#include "server/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wildchat {

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (out_) fclose(out_);
}

bool ServerProcess::Start(const std::vector<std::string>& argv, std::string* url) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  out_ = fdopen(fds[0], "r");
  char line[4096];
  while (out_ && fgets(line, sizeof line, out_)) {
    std::string s(line);
    size_t at = s.find("http://");
    if (at != std::string::npos) {
      *url = s.substr(at);
      while (!url->empty() && (url->back() == '\n' || url->back() == '/')) url->pop_back();
      return true;
    }
  }
  return false;
}

std::string BrowserTestSkipReason(const std::filesystem::path& source_dir) {
  if (!std::filesystem::exists("/usr/bin/chromium")) {
    return "skipped: /usr/bin/chromium is missing (scripts/setup.sh installs it)";
  }
  if (!std::filesystem::exists(source_dir / "tests/node/node_modules/playwright-core")) {
    return "skipped: tests/node/node_modules/playwright-core is missing "
           "(scripts/setup.sh installs it)";
  }
  return "";
}

std::string RunAndCapture(const std::string& command, bool* exited_ok) {
  *exited_ok = false;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return "could not start: " + command;
  std::string log;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) log.append(buf, n);
  const int status = pclose(pipe);
  std::printf("%s", log.c_str());
  *exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return log;
}

}  // namespace wildchat
