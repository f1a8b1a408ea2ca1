// GET /api/user/{hashed_ip}: one user's conversations, newest first and
// paged, with a summary of everything known about them; answered through
// the response cache.
#include <algorithm>
#include <map>

#include "io/json_writer.h"
#include "model/timestamp.h"
#include "server/api_common.h"
#include "server/cached_route.h"
#include "server/routes.h"
#include "server/search_json.h"

namespace wildchat {
namespace {

bool IsPlainToken(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-';
  });
}

void WriteCounts(JsonWriter& w, const std::map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  w.BeginArray();
  for (const auto& [value, n] : sorted) w.BeginArray().String(value).UInt(n).EndArray();
  w.EndArray();
}

void WriteTimestamp(JsonWriter& w, const std::optional<TimestampMicros>& t) {
  if (t) {
    w.String(FormatIso8601(*t));
  } else {
    w.Null();
  }
}

void UserPage(const Index& index, const httplib::Request& req, httplib::Response& res) {
  const std::string ip = req.matches[1];
  if (!IsPlainToken(ip)) {
    return SendError(
        res, Status::InvalidArgument("hashed_ip must be 1-256 letters, digits, '-' or '_'"));
  }
  SearchRequest request;
  request.query = "ip:" + ip;
  request.sort = SortOrder::kNewest;
  request.facets = {"country", "state", "language", "model", "month", "turns"};
  Status st = IntParam(req, "limit", 30, 0, 1000, &request.limit);
  if (st.ok()) st = IntParam(req, "offset", 0, 0, int64_t{1} << 40, &request.offset);
  SearchResult result;
  if (st.ok()) st = index.Search(request, &result);
  if (!st.ok()) return SendError(res, st);
  if (result.total == 0) {
    return SendError(res, Status::NotFound("no conversations from hashed_ip " + ip));
  }

  // First/last seen and header values need the records themselves.
  std::optional<TimestampMicros> first, last;
  std::map<std::string, uint64_t> agents, accept_languages;
  st = index.ForEachMatch(request.query, [&](const Conversation& c) {
    if (c.timestamp) {
      if (!first || *c.timestamp < *first) first = c.timestamp;
      if (!last || *c.timestamp > *last) last = c.timestamp;
    }
    if (c.header) {
      if (c.header->user_agent) ++agents[*c.header->user_agent];
      if (c.header->accept_language) ++accept_languages[*c.header->accept_language];
    }
    return Status::OK();
  });
  if (!st.ok()) return SendError(res, st);

  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("hashed_ip").String(ip);
  w.Key("total").UInt(result.total);
  w.Key("summary").BeginObject();
  w.Key("first_seen");
  WriteTimestamp(w, first);
  w.Key("last_seen");
  WriteTimestamp(w, last);
  for (const auto& [field, counts] : result.facets) {
    w.Key(field == "country"    ? "countries"
          : field == "state"    ? "states"
          : field == "language" ? "languages"
          : field == "model"    ? "models"
          : field == "month"    ? "months"
                                : "turns");
    w.BeginArray();
    for (const auto& [value, n] : counts) w.BeginArray().String(value).UInt(n).EndArray();
    w.EndArray();
  }
  w.Key("headers").BeginObject();
  w.Key("user-agent");
  WriteCounts(w, agents);
  w.Key("accept-language");
  WriteCounts(w, accept_languages);
  w.EndObject();
  w.EndObject();
  w.Key("offset").Int(request.offset);
  w.Key("limit").Int(request.limit);
  w.Key("hits").BeginArray();
  for (const Hit& hit : result.hits) {
    std::string one;
    AppendHitJson(&one, hit);
    w.Raw(one);
  }
  w.EndArray();
  w.EndObject();
  SendJson(res, std::move(body));
}

}  // namespace

void AddUserRoutes(httplib::Server& server, const Index& index, ResponseCache& cache,
                   WorkGate& gate) {
  server.Get(
      R"(/api/user/([^/]*))",
      CachedRoute(cache, {}, [&index, &gate](const httplib::Request& req, httplib::Response& res) {
        gate.Run([&] { UserPage(index, req, res); });
      }));
}

}  // namespace wildchat
