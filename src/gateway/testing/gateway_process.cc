#include "gateway/testing/gateway_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

extern char** environ;

namespace wildchat {

std::string GatewayProcess::Binary() {
  return std::string(WILDCHAT_BINARY_DIR) + "/wildchat";
}

namespace {

Status Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
             int out_fd_target, int out_fd, pid_t* pid) {
  std::vector<std::string> all_args = args;
  std::vector<char*> argv;
  for (std::string& a : all_args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.push_back(*e);
  for (const std::string& e : env) envs.push_back(e);
  std::vector<char*> envp;
  for (std::string& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, out_fd_target);
  int rc = posix_spawn(pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Status::IOError(std::string("spawn: ") + std::strerror(rc));
  return Status::OK();
}

}  // namespace

Status GatewayProcess::Start(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  std::vector<std::string> all = {Binary(), "gateway", "--listen", "127.0.0.1:0"};
  all.insert(all.end(), args.begin(), args.end());
  int fds[2];
  if (pipe(fds) != 0) return Status::IOError("pipe");
  Status st = Spawn(all, env, 1, fds[1], &pid_);
  close(fds[1]);
  if (!st.ok()) {
    close(fds[0]);
    return st;
  }
  FILE* f = fdopen(fds[0], "r");
  char line[512];
  std::string first;
  if (fgets(line, sizeof line, f)) first = line;
  fclose(f);
  const char* p = std::strrchr(first.c_str(), ':');
  if (first.find("listening on") == std::string::npos || !p) {
    Stop(SIGKILL);
    return Status::IOError("gateway did not start: " + first);
  }
  port_ = std::atoi(p + 1);
  return Status::OK();
}

int GatewayProcess::Stop(int signal) {
  if (pid_ <= 0) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::optional<int> GatewayProcess::StopWithin(int signal, int seconds) {
  if (pid_ <= 0) return 0;
  kill(pid_, signal);
  int status = 0;
  for (int waited_ms = 0; waited_ms < seconds * 1000; waited_ms += 10) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    usleep(10'000);
  }
  Stop(SIGKILL);
  return std::nullopt;
}

GatewayProcess::~GatewayProcess() {
  Stop(SIGKILL);
}

int RunWildchat(const std::vector<std::string>& args, std::string* err) {
  std::vector<std::string> all = {GatewayProcess::Binary()};
  all.insert(all.end(), args.begin(), args.end());
  char path[] = "/tmp/wildchat-gw-errXXXXXX";
  int fd = mkstemp(path);
  pid_t pid = -1;
  Status st = Spawn(all, {}, 2, fd, &pid);
  int status = 0;
  if (st.ok()) waitpid(pid, &status, 0);
  lseek(fd, 0, SEEK_SET);
  err->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) err->append(buf, static_cast<size_t>(n));
  close(fd);
  unlink(path);
  if (!st.ok()) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace wildchat
