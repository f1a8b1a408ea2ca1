// Test support: runs a Python 3 snippet as an independent oracle (json,
// hashlib) over inputs passed through a temporary file. The script reads
// sys.argv[1]; its stdout is returned. Tests only; not thread-safe.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace wildchat {

inline std::string RunPythonOracle(const std::string& script, const std::string& input) {
  char in_path[] = "/tmp/wildchat_oracle_inXXXXXX";
  int fd = mkstemp(in_path);
  if (fd < 0) return "<mkstemp failed>";
  close(fd);
  {
    std::ofstream f(in_path, std::ios::binary);
    f << input;
  }
  char py_path[] = "/tmp/wildchat_oracle_pyXXXXXX";
  fd = mkstemp(py_path);
  if (fd < 0) return "<mkstemp failed>";
  close(fd);
  {
    std::ofstream f(py_path, std::ios::binary);
    f << script;
  }
  std::string cmd = std::string("python3 ") + py_path + " " + in_path;
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  std::remove(in_path);
  std::remove(py_path);
  return out;
}

}  // namespace wildchat
