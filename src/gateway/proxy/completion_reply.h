// Reading an upstream's reply (untrusted bytes): a whole chat.completion
// body, or a text/event-stream of chat.completion.chunk events.
//
// SseReplyReader is fed the stream in arbitrary pieces and hands back each
// complete event's raw text (to forward to the client unchanged) while
// collecting the reply text (choices[0].delta.content), usage (if an event
// carries it), an in-stream error object, and whether `data: [DONE]` was
// seen. Events are separated by a blank line (LF or CRLF). One reader per
// stream; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gateway/log/turn_record.h"

namespace wildchat {

struct CompletionReply {
  std::string content;
  std::optional<TokenUsage> usage;
};

// Parses a non-streaming response body.
Status ParseCompletionBody(std::string_view body, CompletionReply* out);

class SseReplyReader {
 public:
  // Appends complete events from `bytes` to *events (each with its trailing
  // blank line). The [DONE] event is consumed, not returned.
  void Feed(std::string_view bytes, std::vector<std::string>* events);

  const CompletionReply& reply() const { return reply_; }
  bool done() const { return done_; }
  // The message of an error event from the upstream; empty when none.
  const std::string& error() const { return error_; }
  // Bytes buffered beyond the last complete event.
  size_t pending_bytes() const { return buffer_.size(); }

 private:
  void HandleEvent(std::string_view event);

  std::string buffer_;
  CompletionReply reply_;
  bool done_ = false;
  std::string error_;
};

}  // namespace wildchat
