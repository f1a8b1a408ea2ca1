#include "cli/args.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace wildchat {

Args::Args(std::string command, std::string usage, std::string description)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      description_(std::move(description)) {}

void Args::Flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  specs_[name] = Spec{"", help, "", false};
}

void Args::Option(const std::string& name, const std::string& value_name, const std::string& help,
                  const std::string& default_value, bool repeatable) {
  order_.push_back(name);
  specs_[name] = Spec{value_name, help, default_value, repeatable};
}

Status Args::Parse(const std::vector<std::string>& argv) {
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (options_done || a.size() < 2 || a[0] != '-' || a == "-") {
      positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      return Status::InvalidArgument("unknown option '" + a + "' (options start with --)");
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = specs_.find(name);
    if (it == specs_.end()) return Status::InvalidArgument("unknown option '--" + name + "'");
    if (it->second.value_name.empty()) {
      if (has_value) return Status::InvalidArgument("option '--" + name + "' takes no value");
      values_[name] = {"true"};
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) {
        return Status::InvalidArgument("option '--" + name + "' needs a value (" +
                                       it->second.value_name + ")");
      }
      value = argv[++i];
    }
    if (it->second.repeatable) {
      values_[name].push_back(value);
    } else {
      values_[name] = {value};
    }
  }
  return Status::OK();
}

std::string Args::Help() const {
  std::string out = "usage: " + usage_ + "\n\n" + description_ + "\n";
  if (!order_.empty()) out += "\noptions:\n";
  for (const auto& name : order_) {
    const Spec& s = specs_.at(name);
    std::string left = "  --" + name + (s.value_name.empty() ? "" : " " + s.value_name);
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    out += left + s.help;
    if (!s.default_value.empty()) out += " (default: " + s.default_value + ")";
    out += "\n";
  }
  out += "  --help                    show this help\n";
  return out;
}

bool Args::Has(const std::string& name) const {
  return values_.count(name) > 0;
}

std::string Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end() && !it->second.empty()) return it->second.back();
  auto spec = specs_.find(name);
  return spec == specs_.end() ? std::string() : spec->second.default_value;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Status Args::GetInt(const std::string& name, int64_t* out) const {
  std::string v = Get(name);
  const char* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, *out);
  if (v.empty() || ec != std::errc() || p != end) {
    return Status::InvalidArgument("option '--" + name + "' expects an integer, got '" + v + "'");
  }
  return Status::OK();
}

Status Args::GetDouble(const std::string& name, double* out) const {
  std::string v = Get(name);
  char* end = nullptr;
  *out = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size()) {
    return Status::InvalidArgument("option '--" + name + "' expects a number, got '" + v + "'");
  }
  return Status::OK();
}

int ReportError(const std::string& command, const Status& status) {
  std::fprintf(stderr, "wildchat %s: %s\n", command.c_str(), status.message().c_str());
  switch (status.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kInvalidArgument:
    case Status::Code::kCorruption:
    case Status::Code::kNotFound:
    case Status::Code::kUnsupported:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

bool ParseOrExit(Args& args, const std::vector<std::string>& argv, int* exit_code) {
  Status st = args.Parse(argv);
  if (args.help_requested()) {
    std::fputs(args.Help().c_str(), stdout);
    *exit_code = kExitOk;
    return false;
  }
  if (!st.ok()) {
    std::fprintf(stderr, "wildchat %s: %s\nusage: %s\n(see --help)\n", args.command().c_str(),
                 st.message().c_str(), args.usage().c_str());
    *exit_code = kExitBadInput;
    return false;
  }
  return true;
}

}  // namespace wildchat
