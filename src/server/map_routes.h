// The embedding map's API routes (the /map.html page's data), added to the
// explorer's server once at start-up, before the static file routes, and the
// map's `area` parameter, which the search, stats and export routes accept.
// `index` and the server share a lifetime; the map built by `wildchat embed`
// lives in the index folder.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "embed/map_store.h"
#include "engine/index.h"

namespace wildchat {

// The index's map, read on first use and re-read when `wildchat embed`
// rewrites it (meta.json changes). Thread-safe.
class MapCache {
 public:
  explicit MapCache(const Index& index) : index_(index) {}

  // kNotFound (saying how to build one) when the index has no map.
  Status Get(std::shared_ptr<const MapStore>* out);
  // The encoded points of a layout (-1 global), computed once per load.
  std::shared_ptr<const std::string> Points(const std::shared_ptr<const MapStore>& store,
                                            int layout);

 private:
  const Index& index_;
  std::mutex mu_;
  std::shared_ptr<const MapStore> store_;
  int64_t stamp_ = -1;
  std::map<int, std::shared_ptr<const std::string>> points_;
};

// The request's `area` parameter (docs/map.md) as the ascending doc numbers
// inside it, for SearchRequest::within; null when there is none. 400 for a
// malformed area, 404 without a map or for an unknown layout.
Status AreaParam(const httplib::Request& req, MapCache& maps,
                 std::shared_ptr<const std::vector<uint32_t>>* within);

void AddMapRoutes(httplib::Server& server, const Index& index, std::shared_ptr<MapCache> maps);

}  // namespace wildchat
