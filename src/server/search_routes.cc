// GET /api/search and GET /api/stats (both restricted by a map `area` when given),
// answered through the response cache.
#include <chrono>
#include <filesystem>
#include <limits>

#include "server/api_common.h"
#include "server/cached_route.h"
#include "server/map_routes.h"
#include "server/routes.h"
#include "server/search_json.h"

namespace wildchat {
namespace {

constexpr int64_t kMaxLimit = 1000;
constexpr const char* kFacetFields[] = {"model", "language", "country", "state",
                                        "toxic", "redacted", "turns",   "month"};

Status ParseSearchRequest(const httplib::Request& req, SearchRequest* out) {
  out->query = StringParam(req, "q");
  WILDCHAT_RETURN_IF_ERROR(IntParam(req, "limit", 30, 0, kMaxLimit, &out->limit));
  WILDCHAT_RETURN_IF_ERROR(
      IntParam(req, "offset", 0, 0, std::numeric_limits<int64_t>::max() / 2, &out->offset));
  std::string sort = StringParam(req, "sort");
  if (!sort.empty() && !ParseSortOrder(sort, &out->sort)) {
    return Status::InvalidArgument(
        "parameter 'sort' must be relevance, newest, oldest or random, not '" + sort + "'");
  }
  WILDCHAT_RETURN_IF_ERROR(Uint64Param(req, "seed", 0, &out->seed));
  for (std::string& f : SplitList(StringParam(req, "facets"))) {
    bool known = false;
    for (const char* k : kFacetFields) known = known || f == k;
    if (!known) {
      return Status::InvalidArgument(
          "parameter 'facets': unknown facet '" + f +
          "' (known: model, language, country, state, toxic, redacted, turns, month)");
    }
    out->facets.push_back(std::move(f));
  }
  std::string snippets = StringParam(req, "snippets");
  if (!snippets.empty()) {
    if (snippets != "0" && snippets != "1" && snippets != "false" && snippets != "true") {
      return Status::InvalidArgument("parameter 'snippets' must be true or false");
    }
    out->snippets = snippets == "1" || snippets == "true";
  }
  return Status::OK();
}

void Search(const Index& index, MapCache& maps, const httplib::Request& req,
            httplib::Response& res) {
  SearchRequest request;
  Status st = ParseSearchRequest(req, &request);
  if (st.ok()) st = AreaParam(req, maps, &request.within);
  SearchResult result;
  if (st.ok()) st = index.Search(request, &result);
  if (!st.ok()) return SendError(res, st);
  std::string body;
  body.reserve(4096 + result.hits.size() * 1024);
  AppendSearchResultJson(&body, result);
  SendJson(res, std::move(body));
}

void Stats(const Index& index, MapCache& maps, const httplib::Request& req,
           httplib::Response& res) {
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const std::vector<uint32_t>> within;
  Status st = AreaParam(req, maps, &within);
  StatsResult stats;
  if (st.ok()) st = index.Stats(StringParam(req, "q"), &stats, within.get());
  if (!st.ok()) return SendError(res, st);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::string body;
  AppendStatsResultJson(&body, stats, ms);
  SendJson(res, std::move(body));
}

}  // namespace

void AddSearchRoutes(httplib::Server& server, const Index& index, MapCache& maps,
                     ResponseCache& cache, WorkGate& gate) {
  // An `area` depends on the map, which `wildchat embed` may rewrite meanwhile.
  server.Get("/api/search", CachedRoute(cache, {"area"},
                                        [&index, &maps, &gate](const httplib::Request& req,
                                                               httplib::Response& res) {
                                          gate.Run([&] { Search(index, maps, req, res); });
                                        }));

  server.Get("/api/info", [&index](const httplib::Request&, httplib::Response& res) {
    // "map": whether `wildchat embed` has built the embedding map, so pages
    // can offer the map and similar conversations without probing for 404s.
    std::error_code ec;
    const bool map = std::filesystem::exists(index.dir() + "/map/meta.json", ec);
    std::string body = "{\"conversations\":" + std::to_string(index.NumDocs()) +
                       ",\"map\":" + (map ? "true" : "false") + "}";
    SendJson(res, std::move(body));
  });

  server.Get("/api/stats", CachedRoute(cache, {"area"},
                                       [&index, &maps, &gate](const httplib::Request& req,
                                                              httplib::Response& res) {
                                         gate.Run([&] { Stats(index, maps, req, res); });
                                       }));
}

}  // namespace wildchat
