#include "gateway/proxy/completion_reply.h"

#include <simdjson.h>

namespace wildchat {
namespace {

std::optional<TokenUsage> ReadUsage(simdjson::dom::element root) {
  simdjson::dom::object u;
  if (root["usage"].get(u)) return std::nullopt;
  TokenUsage usage;
  int64_t v = 0;
  if (!u["prompt_tokens"].get(v)) usage.prompt_tokens = v;
  if (!u["completion_tokens"].get(v)) usage.completion_tokens = v;
  if (!u["total_tokens"].get(v)) usage.total_tokens = v;
  return usage;
}

std::string ErrorMessage(simdjson::dom::element root) {
  simdjson::dom::element e;
  if (root["error"].get(e) || e.is_null()) return "";
  std::string_view msg;
  if (!e["message"].get(msg) && !msg.empty()) return std::string(msg);
  if (!e.get(msg) && !msg.empty()) return std::string(msg);
  return "upstream reported an error";
}

}  // namespace

Status ParseCompletionBody(std::string_view body, CompletionReply* out) {
  *out = CompletionReply();
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return Status::Corruption("upstream reply is not valid JSON");
  std::string err = ErrorMessage(root);
  if (!err.empty()) return Status::IOError("upstream error: " + err);
  simdjson::dom::array choices;
  if (root["choices"].get(choices) || choices.size() == 0) {
    return Status::Corruption("upstream reply has no choices");
  }
  simdjson::dom::element content;
  if (!choices.at(0)["message"]["content"].get(content) && !content.is_null()) {
    std::string_view text;
    if (content.get(text)) return Status::Corruption("upstream reply content is not a string");
    out->content = std::string(text);
  }
  out->usage = ReadUsage(root);
  return Status::OK();
}

void SseReplyReader::Feed(std::string_view bytes, std::vector<std::string>* events) {
  buffer_.append(bytes);
  size_t start = 0;
  for (;;) {
    size_t lf = buffer_.find("\n\n", start);
    size_t crlf = buffer_.find("\r\n\r\n", start);
    size_t end, sep;
    if (lf == std::string::npos && crlf == std::string::npos) break;
    if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) {
      end = crlf, sep = 4;
    } else {
      end = lf, sep = 2;
    }
    std::string_view event(buffer_.data() + start, end + sep - start);
    HandleEvent(event.substr(0, end - start));
    if (!done_) events->emplace_back(event);
    start = end + sep;
    if (done_) break;
  }
  buffer_.erase(0, start);
}

void SseReplyReader::HandleEvent(std::string_view event) {
  // Concatenate the event's data lines (SSE allows several).
  std::string data;
  size_t pos = 0;
  while (pos <= event.size()) {
    size_t nl = event.find('\n', pos);
    if (nl == std::string_view::npos) nl = event.size();
    std::string_view line = event.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 5) == "data:") {
      line.remove_prefix(5);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      if (!data.empty()) data.push_back('\n');
      data.append(line);
    }
    pos = nl + 1;
  }
  if (data.empty()) return;
  if (data == "[DONE]") {
    done_ = true;
    return;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(data);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return;  // forwarded, but carries nothing we record
  std::string err = ErrorMessage(root);
  if (!err.empty() && error_.empty()) error_ = err;
  simdjson::dom::array choices;
  if (!root["choices"].get(choices) && choices.size() > 0) {
    std::string_view text;
    if (!choices.at(0)["delta"]["content"].get(text)) reply_.content.append(text);
  }
  if (auto u = ReadUsage(root)) reply_.usage = u;
}

}  // namespace wildchat
