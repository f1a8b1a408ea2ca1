#include "io/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "io/utf8.h"

namespace wildchat {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendU16Escape(std::string* out, uint32_t unit) {
  char buf[6] = {'\\',
                 'u',
                 kHex[(unit >> 12) & 0xF],
                 kHex[(unit >> 8) & 0xF],
                 kHex[(unit >> 4) & 0xF],
                 kHex[unit & 0xF]};
  out->append(buf, 6);
}

// Escape for an ASCII byte that needs one, or nullptr.
const char* ShortEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    default:
      return nullptr;
  }
}

// True for bytes copied verbatim: printable ASCII except " and \ (and DEL
// when ensure_ascii, as Python escapes it).
inline bool Plain(unsigned char c, bool ensure_ascii) {
  return c >= 0x20 && c != '"' && c != '\\' && (c < 0x7F || (c == 0x7F && !ensure_ascii));
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s, bool ensure_ascii) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    size_t run = i;
    while (run < n && Plain(static_cast<unsigned char>(s[run]), ensure_ascii)) ++run;
    out->append(s.data() + i, run - i);
    i = run;
    if (i >= n) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (const char* e = ShortEscape(c)) {
        out->append(e);
      } else {
        AppendU16Escape(out, c);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {
      cp = 0xFFFD;
      len = 1;
      if (!ensure_ascii) {
        out->append("\xEF\xBF\xBD");
        i += len;
        continue;
      }
    } else if (!ensure_ascii) {
      out->append(s.data() + i, len);
      i += len;
      continue;
    }
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      AppendU16Escape(out, 0xD800 + (v >> 10));
      AppendU16Escape(out, 0xDC00 + (v & 0x3FF));
    } else {
      AppendU16Escape(out, cp);
    }
    i += len;
  }
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  const size_t len = static_cast<size_t>(res.ptr - buf);
  out->append(buf, len);
  if (std::memchr(buf, '.', len) == nullptr && std::memchr(buf, 'e', len) == nullptr) {
    out->append(".0");
  }
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_->push_back(',');
    has_element_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_->push_back('}');
  if (!has_element_.empty()) has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_->push_back(']');
  if (!has_element_.empty()) has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key, ensure_ascii_);
  out_->push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s, ensure_ascii_);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, static_cast<size_t>(res.ptr - buf));
  return *this;
}

JsonWriter& JsonWriter::UInt(uint64_t v) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, static_cast<size_t>(res.ptr - buf));
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  BeforeValue();
  AppendJsonDouble(out_, v);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_->append(v ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
  return *this;
}

}  // namespace wildchat
