// Status: the outcome of an operation that can fail on bad input or I/O.
//
// Errors travel as values, never as exceptions across library boundaries. A
// Status is cheap to copy when ok(). The message says where the problem is
// (file, line, field, byte offset, query position) in words a user can act on.
// Code kInvalidArgument means the caller's input was wrong (CLI exit code 2,
// HTTP 400); kNotFound an unknown id (HTTP 404); the rest are environment or
// data problems (exit code 1 from the CLI unless noted otherwise).
#pragma once

#include <string>
#include <utility>

namespace wildchat {

class Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kCorruption, kIOError, kUnsupported, kInternal };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Unsupported(std::string msg) { return Status(Code::kUnsupported, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Same code, with `context` prepended ("file.jsonl:12: " + message).
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + message_);
  }

  // "invalid argument: ..." — for logs and the CLI.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

#define WILDCHAT_RETURN_IF_ERROR(expr)      \
  do {                                      \
    ::wildchat::Status _st = (expr);        \
    if (!_st.ok()) return _st;              \
  } while (0)

}  // namespace wildchat
