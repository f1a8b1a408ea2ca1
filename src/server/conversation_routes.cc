// GET /api/conversation/{id}: the whole record, in the WildChat schema, for
// any of its turn_identifiers.
#include <charconv>

#include "io/conversation_json.h"
#include "server/api_common.h"
#include "server/routes.h"

namespace wildchat {

void AddConversationRoutes(httplib::Server& server, const Index& index) {
  server.Get(R"(/api/conversation/([^/]*))", [&index](const httplib::Request& req,
                                                      httplib::Response& res) {
    const std::string text = req.matches[1];
    int64_t id = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      return SendError(
          res, Status::InvalidArgument("conversation id must be an integer turn_identifier"));
    }
    Conversation c;
    Status st = index.Get(id, &c);
    if (st.code() == Status::Code::kNotFound) {
      st = Status::NotFound("no conversation has turn_identifier " + text);
    }
    if (!st.ok()) return SendError(res, st);
    std::string body;
    AppendConversationJson(&body, c);
    SendJson(res, std::move(body));
  });
}

}  // namespace wildchat
