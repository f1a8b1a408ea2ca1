#include "gateway/log/turn_record.h"

#include <cstring>

namespace wildchat {
namespace {

constexpr uint8_t kVersion = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}
void PutOptional(std::string* out, const std::optional<std::string>& s) {
  out->push_back(s ? 1 : 0);
  if (s) PutString(out, *s);
}

// Bounds-checked reader over the payload; every failure names the field.
class Cursor {
 public:
  explicit Cursor(std::string_view b) : b_(b) {}
  size_t left() const { return b_.size() - pos_; }

  Status Varint(const char* field, uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return Bad(field, "truncated");
      uint8_t c = static_cast<uint8_t>(b_[pos_++]);
      r |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) {
        *v = r;
        return Status::OK();
      }
    }
    return Bad(field, "varint too long");
  }
  Status Signed(const char* field, int64_t* v) {
    uint64_t u = 0;
    WILDCHAT_RETURN_IF_ERROR(Varint(field, &u));
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return Status::OK();
  }
  Status Byte(const char* field, uint8_t* v) {
    if (pos_ >= b_.size()) return Bad(field, "truncated");
    *v = static_cast<uint8_t>(b_[pos_++]);
    return Status::OK();
  }
  Status Bool(const char* field, bool* v) {
    uint8_t b = 0;
    WILDCHAT_RETURN_IF_ERROR(Byte(field, &b));
    if (b > 1) return Bad(field, "flag is not 0 or 1");
    *v = b == 1;
    return Status::OK();
  }
  Status String(const char* field, std::string* s) {
    uint64_t n = 0;
    WILDCHAT_RETURN_IF_ERROR(Varint(field, &n));
    if (n > left()) return Bad(field, "length past the end");
    s->assign(b_.data() + pos_, n);
    pos_ += n;
    return Status::OK();
  }
  Status Optional(const char* field, std::optional<std::string>* s) {
    bool present = false;
    WILDCHAT_RETURN_IF_ERROR(Bool(field, &present));
    if (!present) {
      s->reset();
      return Status::OK();
    }
    s->emplace();
    return String(field, &**s);
  }
  Status Bad(const char* field, const char* what) const {
    return Status::Corruption(std::string("turn record field ") + field + ": " + what +
                              " at byte " + std::to_string(pos_));
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

}  // namespace

void EncodeTurnRecord(const TurnRecord& r, std::string* out) {
  out->push_back(static_cast<char>(kVersion));
  PutSigned(out, r.turn_identifier);
  PutSigned(out, r.request_time);
  PutSigned(out, r.reply_time);
  out->push_back(static_cast<char>(r.outcome));
  out->push_back(r.stream ? 1 : 0);
  PutString(out, r.model);
  PutVarint(out, r.messages.size());
  for (const ChatMessage& m : r.messages) {
    PutString(out, m.role);
    PutString(out, m.content);
  }
  PutString(out, r.reply);
  PutString(out, r.error);
  out->push_back(r.usage ? 1 : 0);
  if (r.usage) {
    PutSigned(out, r.usage->prompt_tokens);
    PutSigned(out, r.usage->completion_tokens);
    PutSigned(out, r.usage->total_tokens);
  }
  PutString(out, r.hashed_ip);
  PutOptional(out, r.country);
  PutOptional(out, r.state);
  PutOptional(out, r.user_agent);
  PutOptional(out, r.accept_language);
}

Status DecodeTurnRecord(std::string_view bytes, TurnRecord* out) {
  *out = TurnRecord();
  Cursor c(bytes);
  uint8_t version = 0;
  WILDCHAT_RETURN_IF_ERROR(c.Byte("version", &version));
  if (version != kVersion) return c.Bad("version", "unknown version");
  WILDCHAT_RETURN_IF_ERROR(c.Signed("turn_identifier", &out->turn_identifier));
  WILDCHAT_RETURN_IF_ERROR(c.Signed("request_time", &out->request_time));
  WILDCHAT_RETURN_IF_ERROR(c.Signed("reply_time", &out->reply_time));
  uint8_t outcome = 0;
  WILDCHAT_RETURN_IF_ERROR(c.Byte("outcome", &outcome));
  if (outcome > 1) return c.Bad("outcome", "unknown outcome");
  out->outcome = static_cast<TurnRecord::Outcome>(outcome);
  WILDCHAT_RETURN_IF_ERROR(c.Bool("stream", &out->stream));
  WILDCHAT_RETURN_IF_ERROR(c.String("model", &out->model));
  uint64_t n = 0;
  WILDCHAT_RETURN_IF_ERROR(c.Varint("messages", &n));
  // Each message takes at least two bytes, so a count beyond that is corrupt
  // (and must not drive a huge allocation).
  if (n > c.left() / 2) return c.Bad("messages", "count past the end");
  out->messages.resize(n);
  for (ChatMessage& m : out->messages) {
    WILDCHAT_RETURN_IF_ERROR(c.String("messages.role", &m.role));
    WILDCHAT_RETURN_IF_ERROR(c.String("messages.content", &m.content));
  }
  WILDCHAT_RETURN_IF_ERROR(c.String("reply", &out->reply));
  WILDCHAT_RETURN_IF_ERROR(c.String("error", &out->error));
  bool has_usage = false;
  WILDCHAT_RETURN_IF_ERROR(c.Bool("usage", &has_usage));
  if (has_usage) {
    TokenUsage u;
    WILDCHAT_RETURN_IF_ERROR(c.Signed("usage.prompt_tokens", &u.prompt_tokens));
    WILDCHAT_RETURN_IF_ERROR(c.Signed("usage.completion_tokens", &u.completion_tokens));
    WILDCHAT_RETURN_IF_ERROR(c.Signed("usage.total_tokens", &u.total_tokens));
    out->usage = u;
  }
  WILDCHAT_RETURN_IF_ERROR(c.String("hashed_ip", &out->hashed_ip));
  WILDCHAT_RETURN_IF_ERROR(c.Optional("country", &out->country));
  WILDCHAT_RETURN_IF_ERROR(c.Optional("state", &out->state));
  WILDCHAT_RETURN_IF_ERROR(c.Optional("user_agent", &out->user_agent));
  WILDCHAT_RETURN_IF_ERROR(c.Optional("accept_language", &out->accept_language));
  if (c.left() != 0) return c.Bad("end", "trailing bytes");
  return Status::OK();
}

}  // namespace wildchat
