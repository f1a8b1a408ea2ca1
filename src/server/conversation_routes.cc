// GET /api/conversation/{id}: the whole record, in the WildChat schema, for
// any of its turn_identifiers.
// GET /api/highlights/{id}?q=: where the query's text terms match in it, as
// UTF-16 offsets (JavaScript string indices) per utterance.
#include <charconv>

#include "io/conversation_json.h"
#include "io/json_writer.h"
#include "server/api_common.h"
#include "server/routes.h"

namespace wildchat {

namespace {

// The conversation named by the path's id.
Status LoadConversation(const Index& index, const std::string& text, Conversation* c) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::InvalidArgument("conversation id must be an integer turn_identifier");
  }
  Status st = index.Get(id, c);
  if (st.code() == Status::Code::kNotFound) {
    st = Status::NotFound("no conversation has turn_identifier " + text);
  }
  return st;
}

// UTF-16 length of the UTF-8 bytes [from, to) (4-byte sequences are two units).
int64_t Utf16Units(std::string_view s, size_t from, size_t to) {
  int64_t n = 0;
  for (size_t i = from; i < to && i < s.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) n += b >= 0xF0 ? 2 : 1;
  }
  return n;
}

}  // namespace

void AddConversationRoutes(httplib::Server& server, const Index& index) {
  server.Get(R"(/api/highlights/([^/]*))",
             [&index](const httplib::Request& req, httplib::Response& res) {
               Conversation c;
               Status st = LoadConversation(index, req.matches[1], &c);
               std::vector<UtteranceSpans> matches;
               if (st.ok()) st = index.Highlights(StringParam(req, "q"), c, &matches);
               if (!st.ok()) return SendError(res, st);
               std::string body;
               JsonWriter w(&body);
               w.BeginObject();
               w.Key("id").Int(c.conversation.empty() ? 0 : c.conversation[0].turn_identifier);
               w.Key("utterances").BeginArray();
               for (const UtteranceSpans& m : matches) {
                 const std::string& text = c.conversation[static_cast<size_t>(m.turn)].content;
                 w.BeginObject();
                 w.Key("turn").Int(m.turn);
                 w.Key("spans").BeginArray();
                 size_t at = 0;
                 int64_t units = 0;
                 for (const auto& [b, e] : m.spans) {
                   units += Utf16Units(text, at, b);
                   const int64_t len = Utf16Units(text, b, e);
                   w.BeginArray().Int(units).Int(units + len).EndArray();
                   units += len;
                   at = e;
                 }
                 w.EndArray();
                 w.EndObject();
               }
               w.EndArray();
               w.EndObject();
               SendJson(res, std::move(body));
             });
  server.Get(R"(/api/conversation/([^/]*))",
             [&index](const httplib::Request& req, httplib::Response& res) {
               Conversation c;
               Status st = LoadConversation(index, req.matches[1], &c);
               if (!st.ok()) return SendError(res, st);
               std::string body;
               AppendConversationJson(&body, c);
               SendJson(res, std::move(body));
             });
}

}  // namespace wildchat
