// Parsing a client's POST /v1/chat/completions body (untrusted bytes).
//
// Only what the gateway needs is extracted: the model, the message history
// (text content; array-of-parts content is joined from its "text" parts) and
// whether the client asked for streaming. The body itself is forwarded to
// the upstream unchanged, so every other parameter (temperature, top_p, ...)
// passes through. Errors are kInvalidArgument with a message fit for the
// client: invalid JSON or UTF-8, missing/mistyped fields. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gateway/log/turn_record.h"

namespace wildchat {

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  bool stream = false;
};

Status ParseChatRequest(std::string_view body, ChatRequest* out);

}  // namespace wildchat
