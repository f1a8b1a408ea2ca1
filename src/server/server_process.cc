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

}  // namespace wildchat
