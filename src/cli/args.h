// Args: the command-line parser every `wildchat` subcommand uses, so that all
// of them accept `--name value`, `--name=value`, `--flag`, `--help` and
// positional arguments alike, and print help in one format.
//
// Declare options, then Parse(). Parse() returns kInvalidArgument naming the
// offending argument (unknown option, missing value, bad number); the command
// prints it with the usage line and exits 2. Not thread-safe; one per command.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

class Args {
 public:
  Args(std::string command, std::string usage, std::string description);

  // A boolean switch: --name.
  void Flag(const std::string& name, const std::string& help);
  // An option with a value: --name VALUE. Repeatable options keep every value.
  void Option(const std::string& name, const std::string& value_name, const std::string& help,
              const std::string& default_value = "", bool repeatable = false);

  Status Parse(const std::vector<std::string>& argv);

  bool help_requested() const { return help_; }
  std::string Help() const;
  const std::string& usage() const { return usage_; }
  const std::string& command() const { return command_; }

  bool Has(const std::string& name) const;  // flag set, or option given explicitly
  std::string Get(const std::string& name) const;  // value or default
  std::vector<std::string> GetAll(const std::string& name) const;
  // Parses the value as an integer / number; kInvalidArgument naming the option otherwise.
  Status GetInt(const std::string& name, int64_t* out) const;
  Status GetDouble(const std::string& name, double* out) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  struct Spec {
    std::string value_name;  // empty for flags
    std::string help;
    std::string default_value;
    bool repeatable = false;
  };
  std::string command_, usage_, description_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
  bool help_ = false;
};

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // environment: I/O, internal
inline constexpr int kExitBadInput = 2;  // usage, bad input data, bad query

// Prints "wildchat <command>: <message>" to stderr and returns the exit code
// for the status (2 for invalid argument / corrupt input / not found, else 1).
int ReportError(const std::string& command, const Status& status);

// Standard prologue: parses, handles --help (prints, returns 0 via *exit_code)
// and usage errors (prints, exit 2). Returns true when the command should run.
bool ParseOrExit(Args& args, const std::vector<std::string>& argv, int* exit_code);

}  // namespace wildchat
