// JSON text output: string escaping, numbers, and JsonWriter, a small builder
// that appends one JSON value to a caller-owned std::string with commas placed
// automatically. Everything here appends and never fails; a JsonWriter is not
// thread-safe and must not outlive its string.
//
// Strings are UTF-8. Invalid UTF-8 input never produces invalid JSON: each
// byte that does not start a well-formed sequence (overlong forms, surrogates,
// code points above U+10FFFF, truncated sequences) is written as U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wildchat {

// Appends s as a quoted JSON string. ensure_ascii=false writes UTF-8 as is and
// escapes only what JSON requires (", \, control characters). ensure_ascii=true
// reproduces Python's json.dumps default byte for byte: every non-ASCII code
// point and DEL as \uXXXX (lower-case hex, UTF-16 surrogate pairs above the BMP),
// \n \r \t \b \f \" \\ as short escapes, other control characters as \u00XX.
void AppendJsonString(std::string* out, std::string_view s, bool ensure_ascii = false);

// Shortest text that reads back to the same double; integral values get a
// trailing ".0" so readers keep the column floating point. NaN and infinities
// (which JSON cannot express) become null.
void AppendJsonDouble(std::string* out, double v);

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // An object member name; the next call writes its value.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& UInt(uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Already-serialised JSON, written as one value.
  JsonWriter& Raw(std::string_view json);

  // Escape non-ASCII as \uXXXX in strings and keys written from now on.
  void set_ensure_ascii(bool v) { ensure_ascii_ = v; }
  std::string* out() { return out_; }

 private:
  void BeforeValue();

  std::string* out_;
  // One entry per open container: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
  bool ensure_ascii_ = false;
};

}  // namespace wildchat
