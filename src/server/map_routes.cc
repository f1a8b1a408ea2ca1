// The embedding map's API (docs/map.md): map metadata, every point as compact
// binary, the documents matching a query as ids or a bitmap, one point's
// first user utterance for hovering, conversation ids of selected points, and
// a conversation's nearest neighbours.
// The map is read from the index folder on first use and re-read when
// `wildchat embed` rewrites it while the server runs.
#include "server/map_routes.h"

#include <sys/stat.h>

#include <charconv>

#include "embed/index_map.h"
#include "embed/knn.h"
#include "embed/map_api.h"
#include "io/json_writer.h"
#include "server/api_common.h"

namespace wildchat {
namespace {

constexpr const char* kBinaryType = "application/octet-stream";

bool ParseId(const std::string& text, int64_t* id) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

// The opening of the first user utterance, cut on a character boundary.
std::string Opening(const Conversation& c, size_t max_bytes) {
  for (const Utterance& u : c.conversation) {
    if (u.role != "user") continue;
    if (u.content.size() <= max_bytes) return u.content;
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(u.content[cut]) & 0xC0) == 0x80) --cut;
    return u.content.substr(0, cut) + "…";
  }
  return "";
}

void WritePointJson(JsonWriter& w, const Conversation& c, uint32_t doc, size_t max_bytes) {
  w.Key("doc").UInt(doc);
  w.Key("id").Int(c.id());
  w.Key("model").String(c.model);
  if (c.language) w.Key("language").String(*c.language);
  if (c.country) w.Key("country").String(*c.country);
  w.Key("turn").Int(c.turn);
  w.Key("toxic").Bool(IsTrue(c.toxic));
  w.Key("text").String(Opening(c, max_bytes));
}

}  // namespace

Status MapCache::Get(std::shared_ptr<const MapStore>* out) {
  struct stat st {};
  const std::string meta = MapStore::Dir(index_.dir()) + "/meta.json";
  const bool exists = ::stat(meta.c_str(), &st) == 0;
  const int64_t stamp = exists ? st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : -1;
  std::lock_guard<std::mutex> lock(mu_);
  if (!exists)
    return Status::NotFound("this index has no map yet: run `wildchat embed --index " +
                            index_.dir() + "`");
  if (!store_ || stamp != stamp_) {
    auto store = std::make_shared<MapStore>();
    WILDCHAT_RETURN_IF_ERROR(LoadMapFor(index_, store.get()));
    store_ = std::move(store);
    stamp_ = stamp;
    points_.clear();
  }
  *out = store_;
  return Status::OK();
}

std::shared_ptr<const std::string> MapCache::Points(const std::shared_ptr<const MapStore>& store,
                                                    int layout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (store != store_) return std::make_shared<std::string>(EncodePoints(*store, layout));
  auto& slot = points_[layout];
  if (!slot) slot = std::make_shared<std::string>(EncodePoints(*store, layout));
  return slot;
}

Status AreaParam(const httplib::Request& req, MapCache& maps,
                 std::shared_ptr<const std::vector<uint32_t>>* within) {
  within->reset();
  if (!req.has_param("area")) return Status::OK();
  MapArea area;
  WILDCHAT_RETURN_IF_ERROR(ParseMapArea(req.get_param_value("area"), &area));
  std::shared_ptr<const MapStore> store;
  WILDCHAT_RETURN_IF_ERROR(maps.Get(&store));
  auto docs = std::make_shared<std::vector<uint32_t>>();
  WILDCHAT_RETURN_IF_ERROR(DocsInArea(*store, area, docs.get()));
  *within = std::move(docs);
  return Status::OK();
}

void AddMapRoutes(httplib::Server& server, const Index& index, std::shared_ptr<MapCache> cache) {
  server.Get("/api/map/meta", [&index, cache](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<const MapStore> store;
    const Status st = cache->Get(&store);
    if (!st.ok()) return SendError(res, st);
    SendJson(res, MapMetaJson(*store, index.NumDocs()));
  });

  server.Get("/api/map/points", [cache](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<const MapStore> store;
    const Status st = cache->Get(&store);
    if (!st.ok()) return SendError(res, st);
    int layout = -1;
    const std::string name = StringParam(req, "layout");
    if (!name.empty() && name != "all") {
      for (size_t i = 0; i < store->layouts.size(); ++i)
        if (store->layouts[i].language == name) layout = static_cast<int>(i);
      if (layout < 0)
        return SendError(res, Status::NotFound("the map has no layout for language " + name));
    }
    auto body = cache->Points(store, layout);
    res.set_header("Cache-Control", "no-cache");
    res.set_content(body->data(), body->size(), kBinaryType);
  });

  server.Get("/api/map/matches",
             [&index, cache](const httplib::Request& req, httplib::Response& res) {
               std::shared_ptr<const MapStore> store;
               Status st = cache->Get(&store);
               if (!st.ok()) return SendError(res, st);
               std::shared_ptr<const std::vector<uint32_t>> within;
               st = AreaParam(req, *cache, &within);
               std::vector<uint32_t> docs;
               if (st.ok()) st = index.MatchingDocs(StringParam(req, "q"), &docs, within.get());
               if (!st.ok()) return SendError(res, st);
               res.set_header("X-Total-Matches", std::to_string(docs.size()));
               res.set_header("Cache-Control", "no-cache");
               res.set_content(EncodeMatches(docs, store->size()), kBinaryType);
             });

  server.Get(R"(/api/map/point/([^/]*))",
             [&index, cache](const httplib::Request& req, httplib::Response& res) {
               std::shared_ptr<const MapStore> store;
               Status st = cache->Get(&store);
               if (!st.ok()) return SendError(res, st);
               int64_t doc = 0;
               if (!ParseId(req.matches[1], &doc) || doc < 0)
                 return SendError(res, Status::InvalidArgument("point must be a doc number"));
               if (doc >= store->size())
                 return SendError(res, Status::NotFound("no such point in the map"));
               Conversation c;
               st = index.Get(store->ids[doc], &c);
               if (!st.ok()) return SendError(res, st);
               std::string body;
               JsonWriter w(&body);
               w.BeginObject();
               WritePointJson(w, c, static_cast<uint32_t>(doc), 400);
               w.EndObject();
               SendJson(res, std::move(body));
             });

  server.Get("/api/map/ids", [cache](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<const MapStore> store;
    Status st = cache->Get(&store);
    if (!st.ok()) return SendError(res, st);
    const std::vector<std::string> items = SplitList(StringParam(req, "docs"));
    if (items.size() > 1000)
      return SendError(res, Status::InvalidArgument("docs: at most 1000 doc numbers"));
    std::string body;
    JsonWriter w(&body);
    w.BeginObject().Key("ids").BeginArray();
    for (const std::string& item : items) {
      int64_t doc = 0;
      if (!ParseId(item, &doc) || doc < 0 || doc >= store->size())
        return SendError(res,
                         Status::InvalidArgument("docs: not a doc number in the map: " + item));
      w.Int(store->ids[doc]);
    }
    w.EndArray().EndObject();
    SendJson(res, std::move(body));
  });

  server.Get(R"(/api/similar/([^/]*))", [&index, cache](const httplib::Request& req,
                                                        httplib::Response& res) {
    int64_t id = 0;
    if (!ParseId(req.matches[1], &id))
      return SendError(res, Status::InvalidArgument("conversation id must be an integer"));
    int64_t limit = 10;
    Status st = IntParam(req, "limit", 10, 1, 100, &limit);
    if (!st.ok()) return SendError(res, st);
    std::shared_ptr<const MapStore> store;
    st = cache->Get(&store);
    if (!st.ok()) return SendError(res, st);
    const std::optional<uint32_t> doc = index.DocOf(id);
    if (!doc)
      return SendError(
          res, Status::NotFound("no conversation has turn_identifier " + std::to_string(id)));
    std::string body;
    JsonWriter w(&body);
    w.BeginObject().Key("id").Int(index.DocId(*doc)).Key("similar").BeginArray();
    if (*doc < store->size()) {
      const size_t row = static_cast<size_t>(*doc) * store->k;
      for (int r = 0; r < store->k && r < limit; ++r) {
        const uint32_t other = store->neighbours[row + r];
        if (other == kNoNeighbour || other >= store->size()) break;
        Conversation c;
        if (!index.Get(store->ids[other], &c).ok()) continue;
        w.BeginObject();
        WritePointJson(w, c, other, 300);
        w.Key("similarity").Double(1.0 - store->neighbour_dists[row + r]);
        w.EndObject();
      }
    }
    w.EndArray().Key("in_map").Bool(*doc < store->size()).EndObject();
    SendJson(res, std::move(body));
  });
}

}  // namespace wildchat
