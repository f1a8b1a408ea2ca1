// TurnRecord: one request/response pair as the gateway logged it, and its
// binary encoding inside a log frame.
//
// A turn is what one POST /v1/chat/completions produced: the full message
// history the client sent, the reply (possibly partial when the turn failed),
// who sent it (hashed IP, GeoIP, two headers) and when. Raw client IPs never
// appear here. DecodeTurnRecord() reads untrusted bytes: it never reads past
// `bytes`, caps counts by the bytes left, and returns kCorruption naming the
// field on any malformed input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

struct ChatMessage {
  std::string role;
  std::string content;
  bool operator==(const ChatMessage&) const = default;
};

struct TokenUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
  bool operator==(const TokenUsage&) const = default;
};

struct TurnRecord {
  enum class Outcome : uint8_t { kCompleted = 0, kFailed = 1 };

  int64_t turn_identifier = 0;  // assigned by TurnLog::Append
  TimestampMicros request_time = 0;
  TimestampMicros reply_time = 0;
  Outcome outcome = Outcome::kCompleted;
  std::string model;
  std::vector<ChatMessage> messages;  // the history as sent, last one the new message
  std::string reply;                  // assistant text (partial if failed)
  std::string error;                  // why it failed; empty when completed
  std::optional<TokenUsage> usage;    // from the upstream when it said
  std::string hashed_ip;              // sha256(salt ‖ ip) hex
  std::optional<std::string> country;
  std::optional<std::string> state;
  std::optional<std::string> user_agent;
  std::optional<std::string> accept_language;
  bool stream = false;
  bool operator==(const TurnRecord&) const = default;
};

// Appends the encoding of `r` to *out.
void EncodeTurnRecord(const TurnRecord& r, std::string* out);
// Parses exactly `bytes` into *out (overwritten).
Status DecodeTurnRecord(std::string_view bytes, TurnRecord* out);

}  // namespace wildchat
