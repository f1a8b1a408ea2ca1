#include "gateway/proxy/chat_request.h"

#include <simdjson.h>

namespace wildchat {
namespace {

Status Bad(const std::string& msg) {
  return Status::InvalidArgument(msg);
}

}  // namespace

Status ParseChatRequest(std::string_view body, ChatRequest* out) {
  *out = ChatRequest();
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root)) {
    return Bad(std::string("request body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get(obj)) return Bad("request body must be a JSON object");
  std::string_view model;
  if (obj["model"].get(model)) return Bad("\"model\" must be a string");
  out->model = std::string(model);
  simdjson::dom::element stream;
  if (!obj["stream"].get(stream)) {
    bool b = false;
    if (!stream.is_null()) {
      if (stream.get(b)) return Bad("\"stream\" must be a boolean");
    }
    out->stream = b;
  }
  simdjson::dom::array messages;
  if (obj["messages"].get(messages)) return Bad("\"messages\" must be an array");
  size_t index = 0;
  for (simdjson::dom::element m : messages) {
    const std::string where = "messages[" + std::to_string(index++) + "]";
    simdjson::dom::object mo;
    if (m.get(mo)) return Bad(where + " must be an object");
    std::string_view role;
    if (mo["role"].get(role)) return Bad(where + ".role must be a string");
    ChatMessage cm;
    cm.role = std::string(role);
    simdjson::dom::element content;
    if (!mo["content"].get(content)) {
      std::string_view text;
      simdjson::dom::array parts;
      if (!content.get(text)) {
        cm.content = std::string(text);
      } else if (!content.get(parts)) {
        for (simdjson::dom::element p : parts) {
          std::string_view t;
          if (!p["text"].get(t)) cm.content.append(t);
        }
      } else if (!content.is_null()) {
        return Bad(where + ".content must be a string, an array of parts or null");
      }
    }
    out->messages.push_back(std::move(cm));
  }
  if (out->messages.empty()) return Bad("\"messages\" must not be empty");
  return Status::OK();
}

}  // namespace wildchat
