#include "server/api_common.h"

#include <charconv>

#include "io/json_writer.h"

namespace wildchat {

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    default:
      return 500;
  }
}

int64_t QueryErrorPosition(const std::string& message) {
  static constexpr std::string_view kPrefix = "query error at ";
  size_t at = message.find(kPrefix);
  if (at == std::string::npos) return -1;
  const char* begin = message.data() + at + kPrefix.size();
  const char* end = message.data() + message.size();
  int64_t pos = -1;
  auto [ptr, ec] = std::from_chars(begin, end, pos);
  if (ec != std::errc() || ptr == begin) return -1;
  return pos;
}

void SendError(httplib::Response& res, const Status& status) {
  int code = HttpStatusOf(status);
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("error").BeginObject();
  w.Key("status").Int(code);
  w.Key("message").String(status.message());
  int64_t pos = QueryErrorPosition(status.message());
  if (pos >= 0) w.Key("position").Int(pos);
  w.EndObject().EndObject();
  res.status = code;
  res.set_content(std::move(body), kJsonType);
}

void SendJson(httplib::Response& res, std::string body) {
  res.status = 200;
  res.set_content(std::move(body), kJsonType);
}

std::string StringParam(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

Status IntParam(const httplib::Request& req, const char* name, int64_t fallback, int64_t min,
                int64_t max, int64_t* out) {
  *out = fallback;
  if (!req.has_param(name)) return Status::OK();
  std::string text = req.get_param_value(name);
  if (text.empty()) return Status::OK();
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return Status::InvalidArgument("parameter '" + std::string(name) +
                                   "' must be an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  *out = v;
  return Status::OK();
}

Status Uint64Param(const httplib::Request& req, const char* name, uint64_t fallback,
                   uint64_t* out) {
  *out = fallback;
  if (!req.has_param(name)) return Status::OK();
  std::string text = req.get_param_value(name);
  if (text.empty()) return Status::OK();
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::InvalidArgument("parameter '" + std::string(name) +
                                   "' must be a non-negative integer");
  }
  *out = v;
  return Status::OK();
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace wildchat
